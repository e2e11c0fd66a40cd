/*
 * doc.c: one document writer, two backends. The notice and the evidence
 * sheets are written once, as calls (heading, paragraph, list, table), and
 * come out as CommonMark or as a self-contained HTML5 page (inline style, no
 * external asset, no script), so the two never drift apart.
 */
#include "dc.h"

static void text(dc_doc *d, const char *s)
{
    if (d->html)
        dc_xml(d->b, s);
    else
        dc_md(d->b, s);
}

static const char style[] =
    "body{font-family:system-ui,-apple-system,\"Segoe UI\",\"Hiragino Sans\",\"Noto Sans JP\",sans-serif;"
    "line-height:1.6;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;background:#fff}"
    "h1{font-size:1.6rem}h2{font-size:1.3rem;margin-top:2rem;border-bottom:1px solid #ddd}"
    "h3{font-size:1.1rem;margin-top:1.5rem}"
    "table{border-collapse:collapse;width:100%;margin:1rem 0}"
    "th,td{border:1px solid #ccc;padding:.4rem .5rem;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}code{font-size:.9em;word-break:break-all}";

void doc_begin(dc_doc *d, const char *lang, const char *title)
{
    if (!d->html) {
        dc_put(d->b, "# ");
        text(d, title);
        dc_put(d->b, "\n\n");
        return;
    }
    dc_put(d->b, "<!DOCTYPE html>\n<html lang=\"");
    dc_xml(d->b, lang);
    dc_put(d->b, "\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    dc_xml(d->b, title);
    dc_put(d->b, "</title>\n<style>");
    dc_put(d->b, style);
    dc_put(d->b, "</style>\n</head>\n<body>\n<main>\n<h1>");
    dc_xml(d->b, title);
    dc_put(d->b, "</h1>\n");
}

void doc_end(dc_doc *d)
{
    if (d->html)
        dc_put(d->b, "</main>\n</body>\n</html>\n");
}

void doc_h(dc_doc *d, int level, const char *s)
{
    if (d->html) {
        dc_printf(d->b, "<h%d>", level);
        text(d, s);
        dc_printf(d->b, "</h%d>\n", level);
        return;
    }
    for (int i = 0; i < level; i++)
        dc_put(d->b, "#");
    dc_put(d->b, " ");
    text(d, s);
    dc_put(d->b, "\n\n");
}

void doc_p(dc_doc *d)
{
    if (d->html)
        dc_put(d->b, "<p>");
}

void doc_p_end(dc_doc *d)
{
    dc_put(d->b, d->html ? "</p>\n" : "\n\n");
}

void doc_text(dc_doc *d, const char *s)
{
    text(d, s);
}

void doc_strong(dc_doc *d, const char *s)
{
    dc_put(d->b, d->html ? "<strong>" : "**");
    text(d, s);
    dc_put(d->b, d->html ? "</strong>" : "**");
}

void doc_code(dc_doc *d, const char *s)
{
    if (d->html) {
        dc_put(d->b, "<code>");
        dc_xml(d->b, s);
        dc_put(d->b, "</code>");
        return;
    }
    /* Code spans take no escapes: callers pass identifiers without backticks. */
    dc_put(d->b, "`");
    dc_put(d->b, s);
    dc_put(d->b, "`");
}

static void end_line(dc_doc *d)
{
    if (d->b->len > 0 && d->b->data[d->b->len - 1] != '\n')
        dc_put(d->b, "\n");
}

/* Lists nest: a list opened inside an open item belongs to that item. */
void doc_ul(dc_doc *d)
{
    if (d->html)
        dc_put(d->b, d->depth > 0 ? "\n<ul>\n" : "<ul>\n");
    else if (d->depth > 0)
        end_line(d);
    d->depth++;
}

void doc_li(dc_doc *d)
{
    if (d->html) {
        dc_put(d->b, "<li>");
        return;
    }
    for (int i = 1; i < d->depth; i++)
        dc_put(d->b, "  ");
    dc_put(d->b, "- ");
}

void doc_li_end(dc_doc *d)
{
    if (d->html)
        dc_put(d->b, "</li>\n");
    else
        end_line(d);
}

void doc_ul_end(dc_doc *d)
{
    d->depth--;
    if (d->html)
        dc_put(d->b, "</ul>\n");
    else if (d->depth == 0)
        dc_put(d->b, "\n");
}

void doc_table(dc_doc *d, const char *const *headers, size_t n)
{
    if (d->html) {
        dc_put(d->b, "<table>\n<thead>\n<tr>");
        for (size_t i = 0; i < n; i++) {
            dc_put(d->b, "<th>");
            text(d, headers[i]);
            dc_put(d->b, "</th>");
        }
        dc_put(d->b, "</tr>\n</thead>\n<tbody>\n");
        return;
    }
    dc_put(d->b, "|");
    for (size_t i = 0; i < n; i++) {
        dc_put(d->b, " ");
        text(d, headers[i]);
        dc_put(d->b, " |");
    }
    dc_put(d->b, "\n|");
    for (size_t i = 0; i < n; i++)
        dc_put(d->b, "---|");
    dc_put(d->b, "\n");
}

void doc_tr(dc_doc *d)
{
    dc_put(d->b, d->html ? "<tr>" : "|");
}

void doc_td(dc_doc *d, const char *s)
{
    dc_put(d->b, d->html ? "<td>" : " ");
    text(d, s);
    dc_put(d->b, d->html ? "</td>" : " |");
}

void doc_tr_end(dc_doc *d)
{
    dc_put(d->b, d->html ? "</tr>\n" : "\n");
}

void doc_table_end(dc_doc *d)
{
    dc_put(d->b, d->html ? "</tbody>\n</table>\n" : "\n");
}
