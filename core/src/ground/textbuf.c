/* textbuf.c: the growable text buffer (textbuf.h). */
#include "ground/textbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int grow(custos__text *b, size_t extra)
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

void custos__text_putn(custos__text *b, const char *s, size_t n)
{
    if (!grow(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void custos__text_put(custos__text *b, const char *s)
{
    custos__text_putn(b, s, strlen(s));
}

void custos__text_printf(custos__text *b, const char *fmt, ...)
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
        custos__text_putn(b, small, (size_t)n);
        return;
    }
    if (!grow(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void custos__text_json(custos__text *b, const char *s)
{
    custos__text_put(b, "\"");
    for (const unsigned char *p = (const unsigned char *)(s != NULL ? s : ""); *p; p++) {
        switch (*p) {
        case '"':  custos__text_put(b, "\\\""); break;
        case '\\': custos__text_put(b, "\\\\"); break;
        case '\n': custos__text_put(b, "\\n"); break;
        case '\r': custos__text_put(b, "\\r"); break;
        case '\t': custos__text_put(b, "\\t"); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                custos__text_printf(b, "\\u%04x", *p);
            else
                custos__text_putn(b, (const char *)p, 1);
        }
    }
    custos__text_put(b, "\"");
}

int custos__text_finish(custos__text *b, char **out, size_t *out_len)
{
    /* grow() allocates data when it is NULL (cap is then 0). */
    if (!b->failed && b->data == NULL && grow(b, 0) && b->data != NULL)
        b->data[0] = '\0';
    if (b->failed) {
        custos__text_discard(b);
        return CUSTOS_ENOMEM;
    }
    *out = b->data;
    if (out_len != NULL)
        *out_len = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return CUSTOS_OK;
}

void custos__text_discard(custos__text *b)
{
    custos__free(b->data);
    *b = (custos__text){ 0 };
}
