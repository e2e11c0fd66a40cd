/*
 * json.c: a small streaming JSON writer (two-space indent, keys in the order
 * written) shared by the DPV, ICS and IXIT generators, so that commas and
 * nesting are right in one place.
 */
#include "dc.h"

static void newline(dc_jw *w)
{
    dc_put(w->b, "\n");
    for (int i = 0; i < w->depth; i++)
        dc_put(w->b, "  ");
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
            dc_put(w->b, ",");
        w->first[w->depth] = 0;
        newline(w);
    }
}

static void open_(dc_jw *w, const char *bracket)
{
    before(w);
    dc_put(w->b, bracket);
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
    dc_put(w->b, bracket);
    if (w->depth == 0)
        dc_put(w->b, "\n");
}

void jw_obj(dc_jw *w)     { open_(w, "{"); }
void jw_obj_end(dc_jw *w) { close_(w, "}"); }
void jw_arr(dc_jw *w)     { open_(w, "["); }
void jw_arr_end(dc_jw *w) { close_(w, "]"); }

void jw_key(dc_jw *w, const char *key)
{
    before(w);
    dc_json(w->b, key);
    dc_put(w->b, ": ");
    w->after_key = 1;
}

void jw_str(dc_jw *w, const char *s)
{
    before(w);
    dc_json(w->b, s);
}

void jw_raw(dc_jw *w, const char *literal)
{
    before(w);
    dc_put(w->b, literal);
}

void jw_uint(dc_jw *w, uint64_t v)
{
    before(w);
    dc_printf(w->b, "%llu", (unsigned long long)v);
}

void jw_kstr(dc_jw *w, const char *key, const char *s)
{
    jw_key(w, key);
    jw_str(w, s);
}

void jw_kbool(dc_jw *w, const char *key, int v)
{
    jw_key(w, key);
    jw_raw(w, v ? "true" : "false");
}

/* {"@id": iri} */
void jw_kid(dc_jw *w, const char *key, const char *iri)
{
    jw_key(w, key);
    jw_obj(w);
    jw_kstr(w, "@id", iri);
    jw_obj_end(w);
}
