/*
 * manifest_private.h: what the files of the manifest module share, and nothing else sees.
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
 *   screen.c    what a consent screen shows: the purposes in one language
 *   api.c       the public functions of custos/manifest.h
 */
#ifndef CUSTOS_MANIFEST_PRIVATE_H
#define CUSTOS_MANIFEST_PRIVATE_H

#include "manifest/manifest_internal.h"
#include "ground/textbuf.h"

#include <custos/manifest.h>

/* Record a failure in err (which may be NULL) and return code. */
CUSTOS__FOR_TOOLS int custos_manifest__fail(custos_manifest_error *err, int code, const char *fmt, ...) CUSTOS_PRINTF(3, 4);
/* Clear *err and initialise libsodium: the first step of every public function. */
CUSTOS__FOR_TOOLS int custos_manifest__prepare(custos_manifest_error *err);

/* --- the compiled file (file.c) --- */
/* Frame canonical payload bytes into a new file buffer (custos__malloc). */
int custos_manifest__frame(uint8_t **out, size_t *out_len, const uint8_t *payload, size_t payload_len);
/* Pack m canonically and frame it; out_id (may be NULL) receives its id. */
CUSTOS__FOR_TOOLS int custos_manifest__encode(uint8_t **out, size_t *out_len, const custos_manifest_pb *m, uint8_t out_id[CUSTOS_HASH_BYTES]);
/* Verify framing and checksum, decode, and check structure (check.c). */
CUSTOS__FOR_TOOLS int custos_manifest__decode(const uint8_t *file, size_t len, custos_manifest_pb **out,
              uint8_t out_id[CUSTOS_HASH_BYTES], custos_manifest_error *err);

/* --- the compiler (compile.c) --- */
/* Compile YAML text; out may be NULL (check only). prev (may be NULL) is the
 * compiled previous version. */
int custos_manifest__compile_yaml(uint8_t **out, size_t *out_len, uint8_t out_id[CUSTOS_HASH_BYTES], const char *text, size_t len,
                    const char *file, const uint8_t *prev, size_t prev_len, custos_manifest_error *err);

/* --- structure (check.c) --- */
/* 0 if m is well formed (sorted unique ids, known enums, references
 * resolved, ids in range), else CUSTOS_ECORRUPT with the reason in err. */
CUSTOS__FOR_TOOLS int custos_manifest__check_structure(const custos_manifest_pb *m, custos_manifest_error *err);

/* --- durations (diff.c) --- */
/* Compare retention-like durations: -1 shorter, 0 same, 1 longer.
 * Absent < fixed duration < until an event; two different events compare
 * as longer (the new one is not bounded by the old). */
int custos_manifest__duration_cmp(const Custos__V1__Duration *a, const Custos__V1__Duration *b);

/* --- diff (diff.c) --- */
/* custos__manifest_diff with the detail of a refusal in err. */
CUSTOS__FOR_TOOLS int custos_manifest__diff(const custos_manifest_pb *older, const custos_manifest_pb *newer, custos_purpose_change **out,
            size_t *n, custos_manifest_error *err);
/* Reasons as words: "new recipient", ... (static). */
CUSTOS__FOR_TOOLS const char *custos_manifest__change_word(uint32_t bit);

/* --- text for show and diff: the core's buffer (textbuf.h) --- */

#endif
