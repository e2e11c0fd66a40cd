/*
 * textbuf.h: the growable text buffer of the core's text generators (the
 * manifest summary, JSON and diff, consent receipts, the disclosures). A
 * failed allocation is remembered and reported once, by
 * custos__text_finish; calls after it do nothing. The text is always
 * NUL-terminated.
 */
#ifndef CUSTOS_TEXTBUF_H
#define CUSTOS_TEXTBUF_H

#include "ground/internal.h"

typedef struct custos__text {
    char *data;
    size_t len, cap;
    int failed;
} custos__text;

CUSTOS__FOR_TOOLS void custos__text_putn(custos__text *b, const char *s, size_t n);
CUSTOS__FOR_TOOLS void custos__text_put(custos__text *b, const char *s);
CUSTOS__FOR_TOOLS void custos__text_printf(custos__text *b, const char *fmt, ...) CUSTOS_PRINTF(2, 3);
/* A quoted JSON string (also a YAML double-quoted scalar); NULL is "". */
CUSTOS__FOR_TOOLS void custos__text_json(custos__text *b, const char *s);
/* Hand the text to the caller (free with custos__free; out_len may be
 * NULL), or CUSTOS_ENOMEM if an allocation failed; the buffer is empty
 * afterwards either way. */
CUSTOS__FOR_TOOLS int custos__text_finish(custos__text *b, char **out, size_t *out_len);
CUSTOS__FOR_TOOLS void custos__text_discard(custos__text *b);

#endif
