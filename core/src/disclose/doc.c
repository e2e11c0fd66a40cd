/*
 * doc.c: one document writer, two backends. The notice and the evidence
 * sheets are written once, as calls (heading, paragraph, list, table), and
 * come out as CommonMark or as a self-contained HTML5 page (inline style, no
 * external asset, no script), so the two never drift apart.
 */
#include "disclose_private.h"

static void text(dc_doc *d, const char *s)
{
    if (d->html)
        custos_disclose__xml(d->b, s);
    else
        custos_disclose__md(d->b, s);
}

static const char style[] =
    "body{font-family:system-ui,-apple-system,\"Segoe UI\",\"Hiragino Sans\",\"Noto Sans JP\",sans-serif;"
    "line-height:1.6;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;background:#fff}"
    "h1{font-size:1.6rem}h2{font-size:1.3rem;margin-top:2rem;border-bottom:1px solid #ddd}"
    "h3{font-size:1.1rem;margin-top:1.5rem}"
    "table{border-collapse:collapse;width:100%;margin:1rem 0}"
    "th,td{border:1px solid #ccc;padding:.4rem .5rem;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}code{font-size:.9em;word-break:break-all}";

void custos_disclose__doc_begin(dc_doc *d, const char *lang, const char *title)
{
    if (!d->html) {
        custos__text_put(d->b, "# ");
        text(d, title);
        custos__text_put(d->b, "\n\n");
        return;
    }
    custos__text_put(d->b, "<!DOCTYPE html>\n<html lang=\"");
    custos_disclose__xml(d->b, lang);
    custos__text_put(d->b, "\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    custos_disclose__xml(d->b, title);
    custos__text_put(d->b, "</title>\n<style>");
    custos__text_put(d->b, style);
    custos__text_put(d->b, "</style>\n</head>\n<body>\n<main>\n<h1>");
    custos_disclose__xml(d->b, title);
    custos__text_put(d->b, "</h1>\n");
}

void custos_disclose__doc_end(dc_doc *d)
{
    if (d->html)
        custos__text_put(d->b, "</main>\n</body>\n</html>\n");
}

void custos_disclose__doc_h(dc_doc *d, int level, const char *s)
{
    if (d->html) {
        custos__text_printf(d->b, "<h%d>", level);
        text(d, s);
        custos__text_printf(d->b, "</h%d>\n", level);
        return;
    }
    for (int i = 0; i < level; i++)
        custos__text_put(d->b, "#");
    custos__text_put(d->b, " ");
    text(d, s);
    custos__text_put(d->b, "\n\n");
}

void custos_disclose__doc_p(dc_doc *d)
{
    if (d->html)
        custos__text_put(d->b, "<p>");
}

void custos_disclose__doc_p_end(dc_doc *d)
{
    custos__text_put(d->b, d->html ? "</p>\n" : "\n\n");
}

void custos_disclose__doc_text(dc_doc *d, const char *s)
{
    text(d, s);
}

void custos_disclose__doc_strong(dc_doc *d, const char *s)
{
    custos__text_put(d->b, d->html ? "<strong>" : "**");
    text(d, s);
    custos__text_put(d->b, d->html ? "</strong>" : "**");
}

void custos_disclose__doc_code(dc_doc *d, const char *s)
{
    if (d->html) {
        custos__text_put(d->b, "<code>");
        custos_disclose__xml(d->b, s);
        custos__text_put(d->b, "</code>");
        return;
    }
    /* Code spans take no escapes: callers pass identifiers without backticks. */
    custos__text_put(d->b, "`");
    custos__text_put(d->b, s);
    custos__text_put(d->b, "`");
}

static void end_line(dc_doc *d)
{
    if (d->b->len > 0 && d->b->data[d->b->len - 1] != '\n')
        custos__text_put(d->b, "\n");
}

/* Lists nest: a list opened inside an open item belongs to that item. */
void custos_disclose__doc_ul(dc_doc *d)
{
    if (d->html)
        custos__text_put(d->b, d->depth > 0 ? "\n<ul>\n" : "<ul>\n");
    else if (d->depth > 0)
        end_line(d);
    d->depth++;
}

void custos_disclose__doc_li(dc_doc *d)
{
    if (d->html) {
        custos__text_put(d->b, "<li>");
        return;
    }
    for (int i = 1; i < d->depth; i++)
        custos__text_put(d->b, "  ");
    custos__text_put(d->b, "- ");
}

void custos_disclose__doc_li_end(dc_doc *d)
{
    if (d->html)
        custos__text_put(d->b, "</li>\n");
    else
        end_line(d);
}

void custos_disclose__doc_ul_end(dc_doc *d)
{
    d->depth--;
    if (d->html)
        custos__text_put(d->b, "</ul>\n");
    else if (d->depth == 0)
        custos__text_put(d->b, "\n");
}

void custos_disclose__doc_table(dc_doc *d, const char *const *headers, size_t n)
{
    if (d->html) {
        custos__text_put(d->b, "<table>\n<thead>\n<tr>");
        for (size_t i = 0; i < n; i++) {
            custos__text_put(d->b, "<th>");
            text(d, headers[i]);
            custos__text_put(d->b, "</th>");
        }
        custos__text_put(d->b, "</tr>\n</thead>\n<tbody>\n");
        return;
    }
    custos__text_put(d->b, "|");
    for (size_t i = 0; i < n; i++) {
        custos__text_put(d->b, " ");
        text(d, headers[i]);
        custos__text_put(d->b, " |");
    }
    custos__text_put(d->b, "\n|");
    for (size_t i = 0; i < n; i++)
        custos__text_put(d->b, "---|");
    custos__text_put(d->b, "\n");
}

void custos_disclose__doc_tr(dc_doc *d)
{
    custos__text_put(d->b, d->html ? "<tr>" : "|");
}

void custos_disclose__doc_td(dc_doc *d, const char *s)
{
    custos__text_put(d->b, d->html ? "<td>" : " ");
    text(d, s);
    custos__text_put(d->b, d->html ? "</td>" : " |");
}

void custos_disclose__doc_tr_end(dc_doc *d)
{
    custos__text_put(d->b, d->html ? "</tr>\n" : "\n");
}

void custos_disclose__doc_table_end(dc_doc *d)
{
    custos__text_put(d->b, d->html ? "</tbody>\n</table>\n" : "\n");
}

void custos_disclose__doc_mark(dc_doc *d, const char *id)
{
    /* The same comment in both backends; ids never contain "--". */
    custos__text_put(d->b, "<!--custos:");
    custos__text_put(d->b, id);
    custos__text_put(d->b, "-->");
}
