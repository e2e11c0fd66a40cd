/*
 * buf.c: the one growable text buffer of the disclosure generators, and the
 * escapers every format shares (JSON, which is also a YAML double-quoted
 * scalar; XML, which is also HTML; Markdown; CSV). A failed allocation is
 * remembered and reported once, by dc_finish.
 */
#include "dc.h"

#include <stdio.h>
#include <string.h>

static int grow(dc_buf *b, size_t extra)
{
    if (b->failed)
        return 0;
    if (b->len + extra + 1 <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = custos__realloc(b->data, cap);
    if (p == NULL) {
        b->failed = 1;
        return 0;
    }
    b->data = p;
    b->cap = cap;
    return 1;
}

void dc_putn(dc_buf *b, const char *s, size_t n)
{
    if (!grow(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void dc_put(dc_buf *b, const char *s)
{
    dc_putn(b, s, strlen(s));
}

void dc_printf(dc_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        dc_putn(b, small, (size_t)n);
        return;
    }
    if (!grow(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void dc_json(dc_buf *b, const char *s)
{
    dc_put(b, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"':  dc_put(b, "\\\""); break;
        case '\\': dc_put(b, "\\\\"); break;
        case '\n': dc_put(b, "\\n"); break;
        case '\r': dc_put(b, "\\r"); break;
        case '\t': dc_put(b, "\\t"); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                dc_printf(b, "\\u%04x", *p);
            else
                dc_putn(b, (const char *)p, 1);
        }
    }
    dc_put(b, "\"");
}

void dc_xml(dc_buf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '&': dc_put(b, "&amp;"); break;
        case '<': dc_put(b, "&lt;"); break;
        case '>': dc_put(b, "&gt;"); break;
        case '"': dc_put(b, "&quot;"); break;
        case '\'': dc_put(b, "&#39;"); break;
        default:
            /* Control characters are not allowed in XML 1.0: drop them,
             * keeping tab and newline. */
            if (*p >= 0x20 || *p == '\t' || *p == '\n')
                dc_putn(b, (const char *)p, 1);
        }
    }
}

void dc_md(dc_buf *b, const char *s)
{
    /* CommonMark lets a backslash escape any ASCII punctuation; escape the
     * characters that could start markup, so text never becomes a link,
     * emphasis, table cell or raw HTML. Newlines become spaces. */
    static const char special[] = "\\`*_[]<>|#~";
    for (const char *p = s; *p; p++) {
        if (*p == '\n' || *p == '\r')
            dc_put(b, " ");
        else if (strchr(special, *p) != NULL) {
            dc_putn(b, "\\", 1);
            dc_putn(b, p, 1);
        } else
            dc_putn(b, p, 1);
    }
}

void dc_csv(dc_buf *b, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        dc_put(b, s);
        return;
    }
    dc_put(b, "\"");
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            dc_put(b, "\"");
        dc_putn(b, p, 1);
    }
    dc_put(b, "\"");
}

int dc_finish(dc_buf *b, char **out, size_t *out_len)
{
    /* grow() allocates data when it is NULL (cap is then 0). */
    if (!b->failed && b->data == NULL && grow(b, 0) && b->data != NULL)
        b->data[0] = '\0';
    if (b->failed) {
        dc_discard(b);
        return CUSTOS_ENOMEM;
    }
    *out = b->data;
    *out_len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return CUSTOS_OK;
}

void dc_discard(dc_buf *b)
{
    custos__free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
