/*
 * arena.c: the compiler builds the whole message tree in an arena, so that
 * every failure path (an error in the YAML, or memory running out at any
 * allocation) frees everything with one call and leaks nothing.
 */
#include "manifest_private.h"

#include <string.h>

struct mf_chunk {
    struct mf_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

#define MF_CHUNK 1024u  /* small, so that out-of-memory tests reach many call sites */

void *custos_manifest__arena_alloc(mf_arena *a, size_t n)
{
    if (a->failed)
        return NULL;
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    struct mf_chunk *c = a->head;
    if (c == NULL || c->cap - c->used < n) {
        size_t cap = n > MF_CHUNK ? n : MF_CHUNK;
        c = custos__malloc(sizeof *c + cap);
        if (c == NULL) {
            a->failed = 1;
            return NULL;
        }
        c->next = a->head;
        c->used = 0;
        c->cap = cap;
        a->head = c;
    }
    void *p = (unsigned char *)c->data + c->used;
    c->used += n;
    memset(p, 0, n); /* not secret */
    return p;
}

char *custos_manifest__arena_strndup(mf_arena *a, const char *s, size_t n)
{
    char *d = custos_manifest__arena_alloc(a, n + 1);
    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

void custos_manifest__arena_free(mf_arena *a)
{
    struct mf_chunk *c = a->head;
    while (c != NULL) {
        struct mf_chunk *next = c->next;
        custos__free(c);
        c = next;
    }
    a->head = NULL;
}
