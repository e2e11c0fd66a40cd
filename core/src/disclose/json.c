/*
 * json.c: a small streaming JSON writer (two-space indent, keys in the order
 * written) shared by the DPV, ICS and IXIT generators, so that commas and
 * nesting are right in one place.
 */
#include "disclose_private.h"

static void newline(dc_jw *w)
{
    custos__text_put(w->b, "\n");
    for (int i = 0; i < w->depth; i++)
        custos__text_put(w->b, "  ");
}

/* Before a value: the comma and indent, unless it follows its key. */
static void before(dc_jw *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->depth > 0) {
        if (!w->first[w->depth])
            custos__text_put(w->b, ",");
        w->first[w->depth] = 0;
        newline(w);
    }
}

static void open_(dc_jw *w, const char *bracket)
{
    before(w);
    custos__text_put(w->b, bracket);
    if (w->depth + 1 < DC_JW_DEPTH)
        w->depth++;
    else
        w->b->failed = 1;
    w->first[w->depth] = 1;
}

static void close_(dc_jw *w, const char *bracket)
{
    int empty = w->first[w->depth];
    w->depth--;
    if (!empty)
        newline(w);
    custos__text_put(w->b, bracket);
    if (w->depth == 0)
        custos__text_put(w->b, "\n");
}

void custos_disclose__json_obj(dc_jw *w)     { open_(w, "{"); }
void custos_disclose__json_obj_end(dc_jw *w) { close_(w, "}"); }
void custos_disclose__json_arr(dc_jw *w)     { open_(w, "["); }
void custos_disclose__json_arr_end(dc_jw *w) { close_(w, "]"); }

void custos_disclose__json_key(dc_jw *w, const char *key)
{
    before(w);
    custos__text_json(w->b, key);
    custos__text_put(w->b, ": ");
    w->after_key = 1;
}

void custos_disclose__json_str(dc_jw *w, const char *s)
{
    before(w);
    custos__text_json(w->b, s);
}

void custos_disclose__json_raw(dc_jw *w, const char *literal)
{
    before(w);
    custos__text_put(w->b, literal);
}

void custos_disclose__json_uint(dc_jw *w, uint64_t v)
{
    before(w);
    custos__text_printf(w->b, "%llu", (unsigned long long)v);
}

void custos_disclose__json_kstr(dc_jw *w, const char *key, const char *s)
{
    custos_disclose__json_key(w, key);
    custos_disclose__json_str(w, s);
}

void custos_disclose__json_kbool(dc_jw *w, const char *key, int v)
{
    custos_disclose__json_key(w, key);
    custos_disclose__json_raw(w, v ? "true" : "false");
}

/* {"@id": iri} */
void custos_disclose__json_kid(dc_jw *w, const char *key, const char *iri)
{
    custos_disclose__json_key(w, key);
    custos_disclose__json_obj(w);
    custos_disclose__json_kstr(w, "@id", iri);
    custos_disclose__json_obj_end(w);
}
