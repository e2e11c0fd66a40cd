/*
 * buf.c: the escapers the disclosure formats share beyond JSON (XML, which
 * is also HTML; Markdown; CSV). The buffer itself is the core's
 * (textbuf.h).
 */
#include "disclose_private.h"

#include <string.h>

void custos_disclose__xml(custos__text *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '&': custos__text_put(b, "&amp;"); break;
        case '<': custos__text_put(b, "&lt;"); break;
        case '>': custos__text_put(b, "&gt;"); break;
        case '"': custos__text_put(b, "&quot;"); break;
        case '\'': custos__text_put(b, "&#39;"); break;
        default:
            /* Control characters are not allowed in XML 1.0: drop them,
             * keeping tab and newline. */
            if (*p >= 0x20 || *p == '\t' || *p == '\n')
                custos__text_putn(b, (const char *)p, 1);
        }
    }
}

void custos_disclose__md(custos__text *b, const char *s)
{
    /* CommonMark lets a backslash escape any ASCII punctuation; escape the
     * characters that could start markup, so text never becomes a link,
     * emphasis, table cell or raw HTML. Newlines become spaces. */
    static const char special[] = "\\`*_[]<>|#~";
    for (const char *p = s; *p; p++) {
        if (*p == '\n' || *p == '\r')
            custos__text_put(b, " ");
        else if (strchr(special, *p) != NULL) {
            custos__text_putn(b, "\\", 1);
            custos__text_putn(b, p, 1);
        } else
            custos__text_putn(b, p, 1);
    }
}

void custos_disclose__csv(custos__text *b, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        custos__text_put(b, s);
        return;
    }
    custos__text_put(b, "\"");
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            custos__text_put(b, "\"");
        custos__text_putn(b, p, 1);
    }
    custos__text_put(b, "\"");
}
