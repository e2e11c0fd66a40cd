/*
 * manifest_internal.h: the decoded manifest as the other core modules see it.
 *
 * The manifest module (core/src/manifest/) owns parsing, validation,
 * canonical encoding, decoding and diffing. Other modules read a decoded
 * Custos__V1__Manifest (protobuf-c's generated struct; never exposed in a
 * public header) through these functions and never parse it themselves.
 */
#ifndef CUSTOS_MANIFEST_INTERNAL_H
#define CUSTOS_MANIFEST_INTERNAL_H

#include "ground/internal.h"
#include "custos/v1/manifest.pb-c.h"

typedef Custos__V1__Manifest custos_manifest_pb;
typedef Custos__V1__Purpose custos_purpose_pb;
typedef Custos__V1__DataCategory custos_category_pb;

/*
 * Decode a compiled manifest file (the bytes `custos manifest compile`
 * writes). Verifies its framing and checksum and validates references, so a
 * truncated or altered file is CUSTOS_ECORRUPT and never half-read.
 * out_id receives the manifest id (BLAKE2b-256 of the canonical bytes).
 * ctx may be NULL; when set, failures are described on it.
 */
CUSTOS__FOR_TOOLS int custos__manifest_decode(custos_t *ctx, const uint8_t *file, size_t len,
                            custos_manifest_pb **out, uint8_t out_id[CUSTOS_HASH_BYTES]);
CUSTOS__FOR_TOOLS void custos__manifest_free(custos_manifest_pb *m);

/* Lookups by stable id; NULL if absent. The arrays are sorted by id. */
CUSTOS__FOR_TOOLS const custos_purpose_pb *custos__manifest_purpose(const custos_manifest_pb *m, uint32_t id);
CUSTOS__FOR_TOOLS const custos_category_pb *custos__manifest_category(const custos_manifest_pb *m, uint32_t id);
/* 1 if purpose p declares category id, else 0. */
CUSTOS__FOR_TOOLS int custos__purpose_uses(const custos_purpose_pb *p, uint32_t category);
/* Localized text in lang, falling back to "en"; "" if none. */
CUSTOS__FOR_TOOLS const char *custos__manifest_text(Custos__V1__LocalizedText *const *texts, size_t n, const char *lang);

/* Why a purpose needs consent again after a manifest change (bit flags). */
enum {
    CUSTOS_CHANGE_NEW_PURPOSE      = 1u << 0,
    CUSTOS_CHANGE_NEW_CATEGORY     = 1u << 1,
    CUSTOS_CHANGE_NEW_RECIPIENT    = 1u << 2,
    CUSTOS_CHANGE_LONGER_RETENTION = 1u << 3,
    CUSTOS_CHANGE_LEGAL_BASIS      = 1u << 4,
    CUSTOS_CHANGE_REMOVED          = 1u << 5,  /* purpose no longer declared */
    CUSTOS_CHANGE_NEW_LOCATION     = 1u << 6,  /* e.g. now stored in the cloud */
    CUSTOS_CHANGE_LONGER_CONSENT   = 1u << 7,
};

typedef struct custos_purpose_change {
    uint32_t purpose;
    uint32_t reasons;   /* CUSTOS_CHANGE_* */
} custos_purpose_change;

/*
 * The semantic diff: the purposes of `newer` that changed materially from
 * `older`, sorted by purpose id. *out is allocated with custos__malloc (NULL
 * when *n is 0); free with custos__free. Returns CUSTOS_EMANIFEST if `newer`
 * reuses an id with a different meaning (a different key).
 */
int custos__manifest_diff(custos_t *ctx, const custos_manifest_pb *older, const custos_manifest_pb *newer,
                          custos_purpose_change **out, size_t *n);

/* --- arena (arena.c): every allocation of a compile, freed at once; disclose reads
 *     its ICS answers file with the manifest's YAML reader (yamlread.h) into one --- */
typedef struct mf_arena {
    struct mf_chunk *head;
    int failed;               /* an allocation failed: the result is ENOMEM */
} mf_arena;
void *custos_manifest__arena_alloc(mf_arena *a, size_t n);           /* zeroed; NULL on failure */
char *custos_manifest__arena_strndup(mf_arena *a, const char *s, size_t n);
void  custos_manifest__arena_free(mf_arena *a);

#endif
