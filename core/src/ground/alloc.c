/* alloc.c: every allocation of the core goes through the hooks set here. */
#include "ground/internal.h"

#include <protobuf-c/protobuf-c.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static void *libc_malloc(size_t n, void *u) { (void)u; return malloc(n); }
static void *libc_realloc(void *p, size_t n, void *u) { (void)u; return realloc(p, n); }
static void  libc_free(void *p, void *u) { (void)u; free(p); }

static custos_allocator hooks = { libc_malloc, libc_realloc, libc_free, NULL };
static atomic_int open_stores;

void custos__stores_opened(int delta) { atomic_fetch_add(&open_stores, delta); }

int custos_set_allocator(const custos_allocator *alloc)
{
    if (atomic_load(&open_stores) != 0)
        return CUSTOS_ESTATE;
    if (alloc == NULL) {
        hooks = (custos_allocator){ libc_malloc, libc_realloc, libc_free, NULL };
        return CUSTOS_OK;
    }
    if (alloc->malloc_fn == NULL || alloc->realloc_fn == NULL || alloc->free_fn == NULL)
        return CUSTOS_EINVAL;
    hooks = *alloc;
    return CUSTOS_OK;
}

void *custos__malloc(size_t n) { return hooks.malloc_fn(n == 0 ? 1 : n, hooks.user); }

void *custos__calloc(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    void *p = custos__malloc(count * size);
    if (p != NULL)
        memset(p, 0, count * size); /* not secret: fresh memory, zeroed for the caller */
    return p;
}

void *custos__realloc(void *p, size_t n) { return hooks.realloc_fn(p, n == 0 ? 1 : n, hooks.user); }

void custos__free(void *p)
{
    if (p != NULL)
        hooks.free_fn(p, hooks.user);
}

char *custos__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = custos__malloc(n);
    if (d != NULL)
        memcpy(d, s, n);
    return d;
}

void custos__wipe(void *p, size_t n)
{
    if (p != NULL && n != 0)
        sodium_memzero(p, n);
}

void custos_wipe(void *p, size_t n) { custos__wipe(p, n); }

static void *pbc_alloc(void *data, size_t size) { (void)data; return custos__malloc(size); }
static void pbc_free(void *data, void *p) { (void)data; custos__free(p); }
static ProtobufCAllocator pbc_allocator = { pbc_alloc, pbc_free, NULL };

ProtobufCAllocator *custos__pbc_allocator(void) { return &pbc_allocator; }

/* protobuf-c returns NULL both for bad bytes and for a failed allocation:
 * this allocator remembers which. */
static void *watch_alloc(void *oom, size_t size)
{
    void *p = custos__malloc(size);
    if (p == NULL)
        *(int *)oom = 1;
    return p;
}

int custos__pbc_unpack(const ProtobufCMessageDescriptor *d, const uint8_t *data, size_t len, void **out)
{
    int oom = 0;
    ProtobufCAllocator a = { watch_alloc, pbc_free, &oom };
    *out = protobuf_c_message_unpack(d, &a, len, data);
    if (*out != NULL)
        return CUSTOS_OK;
    return oom ? CUSTOS_ENOMEM : CUSTOS_ECORRUPT;
}

size_t custos_hash_bytes(void) { return CUSTOS_HASH_BYTES; }
size_t custos_public_key_bytes(void) { return CUSTOS_PUBLIC_KEY_BYTES; }
size_t custos_signature_bytes(void) { return CUSTOS_SIGNATURE_BYTES; }
size_t custos_device_id_bytes(void) { return CUSTOS_DEVICE_ID_BYTES; }
