/*
 * buf.c: the escapers the disclosure formats share beyond JSON (XML, which
 * is also HTML; Markdown; CSV). The buffer itself is the core's
 * (textbuf.h).
 */
#include "dc.h"

#include <string.h>

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
