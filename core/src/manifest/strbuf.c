/* strbuf.c: a growable text buffer for the summary, the JSON and the diff report. */
#include "mf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int reserve(mf_buf *b, size_t extra)
{
    if (b->failed)
        return 0;
    if (b->cap - b->len > extra)
        return 1;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap - b->len <= extra)
        cap *= 2;
    char *d = custos__realloc(b->data, cap);
    if (d == NULL) {
        b->failed = 1;
        return 0;
    }
    b->data = d;
    b->cap = cap;
    return 1;
}

void mf_buf_printf(mf_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !reserve(b, (size_t)n + 1))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void mf_buf_json_string(mf_buf *b, const char *s)
{
    mf_buf_printf(b, "\"");
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            mf_buf_printf(b, "\\%c", *p);
        else if (*p == '\n')
            mf_buf_printf(b, "\\n");
        else if (*p < 0x20)
            mf_buf_printf(b, "\\u%04x", *p);
        else
            mf_buf_printf(b, "%c", *p);
    }
    mf_buf_printf(b, "\"");
}

int mf_buf_finish(mf_buf *b, char **out, size_t *out_len)
{
    if (!b->failed)
        reserve(b, 1);
    if (b->failed) {
        custos__free(b->data);
        *b = (mf_buf){ 0 };
        return CUSTOS_ENOMEM;
    }
    b->data[b->len] = '\0';
    *out = b->data;
    if (out_len != NULL)
        *out_len = b->len;
    *b = (mf_buf){ 0 };
    return CUSTOS_OK;
}
