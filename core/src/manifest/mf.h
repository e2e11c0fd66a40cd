/*
 * mf.h: what the files of the manifest module share, and nothing else sees.
 *
 *   file.c      the compiled file: framing, checksum, canonical decode
 *   check.c     structural checks of a decoded manifest (the decoder's and
 *               the compiler's last line of defence)
 *   lookup.c    lookups by id and localized text (manifest_internal.h)
 *   diff.c      the semantic diff between two versions
 *   arena.c     the bump allocator the compiler builds messages in
 *   yaml.c      libyaml document loading and typed node access with places
 *   compile*.c  YAML -> Custos__V1__Manifest, validation against the taxonomy
 *   taxonomy.c  lookups in the tables generated from schemas/taxonomy/
 *   show.c      the readable summary and the JSON of a compiled manifest
 *   api.c       the public functions of custos/manifest.h
 */
#ifndef CUSTOS_MF_H
#define CUSTOS_MF_H

#include "../manifest_internal.h"
#include "../textbuf.h"

#include <custos/manifest.h>

/* Record a failure in err (which may be NULL) and return code. */
int mf_fail(custos_manifest_error *err, int code, const char *fmt, ...) CUSTOS_PRINTF(3, 4);

/* --- the compiled file (file.c) --- */
/* Frame canonical payload bytes into a new file buffer (custos__malloc). */
int mf_frame(uint8_t **out, size_t *out_len, const uint8_t *payload, size_t payload_len);
/* Pack m canonically and frame it; out_id (may be NULL) receives its id. */
int mf_encode(uint8_t **out, size_t *out_len, const custos_manifest_pb *m, uint8_t out_id[CUSTOS_HASH_BYTES]);
/* Verify framing and checksum, decode, and check structure (check.c). */
int mf_decode(const uint8_t *file, size_t len, custos_manifest_pb **out,
              uint8_t out_id[CUSTOS_HASH_BYTES], custos_manifest_error *err);

/* --- the compiler (compile.c) --- */
/* Compile YAML text; out may be NULL (check only). prev (may be NULL) is the
 * compiled previous version. */
int mf_compile_yaml(uint8_t **out, size_t *out_len, uint8_t out_id[CUSTOS_HASH_BYTES], const char *text, size_t len,
                    const char *file, const uint8_t *prev, size_t prev_len, custos_manifest_error *err);

/* --- structure (check.c) --- */
/* 0 if m is well formed (sorted unique ids, known enums, references
 * resolved, ids in range), else CUSTOS_ECORRUPT with the reason in err. */
int mf_check_structure(const custos_manifest_pb *m, custos_manifest_error *err);

/* --- durations (diff.c) --- */
/* Compare retention-like durations: -1 shorter, 0 same, 1 longer.
 * Absent < fixed duration < until an event; two different events compare
 * as longer (the new one is not bounded by the old). */
int mf_duration_cmp(const Custos__V1__Duration *a, const Custos__V1__Duration *b);

/* --- diff (diff.c) --- */
/* custos__manifest_diff with the detail of a refusal in err. */
int mf_diff(const custos_manifest_pb *older, const custos_manifest_pb *newer, custos_purpose_change **out,
            size_t *n, custos_manifest_error *err);
/* Reasons as words: "new recipient", ... (static). */
const char *mf_change_word(uint32_t bit);

/* --- arena (arena.c): every allocation of a compile, freed at once --- */
typedef struct mf_arena {
    struct mf_chunk *head;
    int failed;               /* an allocation failed: the result is ENOMEM */
} mf_arena;
void *mf_arena_alloc(mf_arena *a, size_t n);           /* zeroed; NULL on failure */
char *mf_arena_strndup(mf_arena *a, const char *s, size_t n);
void  mf_arena_free(mf_arena *a);

/* --- text for show and diff: the core's buffer (textbuf.h) --- */
typedef custos__text mf_buf;
#define mf_buf_printf custos__text_printf
#define mf_buf_json_string custos__text_json /* a quoted, escaped JSON string */
#define mf_buf_finish custos__text_finish

#endif
