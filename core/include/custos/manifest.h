/*
 * custos/manifest.h: the product's privacy declaration (DESIGN §3).
 *
 * A maker writes one YAML file per product: what personal data it collects
 * (categories), why (purposes, each with a legal basis, retention,
 * recipients, storage places), and for whom (subject roles). This module
 * validates that YAML against the taxonomy in schemas/taxonomy/ and compiles
 * it into a small canonical binary file (the "compiled manifest") whose
 * BLAKE2b-256 payload hash is the manifest id. Firmware and apps embed the
 * compiled file; nothing parses YAML on a device. docs/manifest.md describes
 * every key, every error and the file layout.
 *
 * The module owns no store state and needs no custos_t: each call reports
 * the detail of a failure in a caller-supplied custos_manifest_error (which
 * may be NULL). YAML errors name "file:line:column:". Everything the library
 * returns through a pointer is freed with custos_manifest_free().
 *
 * It never trusts a compiled file: a truncated or altered one is
 * CUSTOS_ECORRUPT and is never half-read.
 *
 * Library: two. What an app does with a compiled file is in the runtime
 * libcustos: custos_manifest_max_bytes, _max_purpose_id, _id,
 * _consent_screen, _change_str, _free (loading into a store is
 * custos_manifest_load, policy.h). What a build does with YAML, or a person
 * with two compiled files, is in libcustos-tools (custos-tools.pc):
 * custos_manifest_compile, _check, _diff, _diff_text, _show.
 */
#ifndef CUSTOS_MANIFEST_H
#define CUSTOS_MANIFEST_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CUSTOS_MANIFEST_FORMAT_VERSION   1u
#define CUSTOS_MANIFEST_MAX_PAYLOAD      (1u << 20)  /* canonical protobuf bytes */
#define CUSTOS_MANIFEST_MAX_YAML         (1u << 20)  /* YAML input */
#define CUSTOS_MANIFEST_MAX_DEPTH        64u         /* nested mappings and lists */
#define CUSTOS_MANIFEST_MAX_PURPOSE_ID   63u         /* consent is a 64-bit set over purpose ids */
#define CUSTOS_MANIFEST_MAX_CATEGORY_ID  65535u

CUSTOS_API size_t custos_manifest_max_bytes(void);        /* largest compiled file */
CUSTOS_API uint32_t custos_manifest_max_purpose_id(void); /* 63 */

/* Where and why a manifest was refused. line and column are 1-based places
 * in the YAML (0 when the failure is not about a place, e.g. a corrupt
 * compiled file). message is the whole sentence, "file:line:col: ..." for
 * YAML errors. */
typedef struct custos_manifest_error {
    char message[CUSTOS_ERRMSG_MAX];
    uint32_t line;
    uint32_t column;
} custos_manifest_error;

#define CUSTOS_MANIFEST_COMPILE_OPTIONS_VERSION 1
typedef struct custos_manifest_compile_options {
    unsigned int version;         /* CUSTOS_MANIFEST_COMPILE_OPTIONS_VERSION */
    /* The compiled previous version, or NULL. When set, compiling fails with
     * CUSTOS_EMANIFEST if an id changed meaning, a retired id came back, or
     * the policy version did not increase. */
    const uint8_t *previous;
    size_t previous_len;
} custos_manifest_compile_options;
#define CUSTOS_MANIFEST_COMPILE_OPTIONS_INIT { CUSTOS_MANIFEST_COMPILE_OPTIONS_VERSION, NULL, 0 }

/*
 * Compile YAML bytes into a compiled manifest file. filename only names the
 * input in messages (NULL: "manifest.yaml"). *out is allocated by the
 * library (free with custos_manifest_free). out_id, if not NULL, receives
 * the manifest id. opts may be NULL. Errors: CUSTOS_EMANIFEST (err says
 * where and why), CUSTOS_ECORRUPT (the previous file is damaged),
 * CUSTOS_ENOMEM, CUSTOS_EINVAL.
 */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_manifest_compile(uint8_t **out, size_t *out_len, uint8_t out_id[CUSTOS_HASH_BYTES],
                            const char *yaml, size_t yaml_len, const char *filename,
                            const custos_manifest_compile_options *opts, custos_manifest_error *err);

/* Validate only: the same checks as compile, nothing written. */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_manifest_check(const char *yaml, size_t yaml_len, const char *filename,
                          custos_manifest_error *err);

/* Verify a compiled file and give its manifest id. */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_manifest_id(uint8_t out_id[CUSTOS_HASH_BYTES], const uint8_t *compiled, size_t len,
                       custos_manifest_error *err);

/* Render a compiled file for people (a summary) or for programs (JSON).
 * *out is a NUL-terminated string (free with custos_manifest_free). */
typedef enum custos_manifest_show_format {
    CUSTOS_MANIFEST_SHOW_TEXT = 0,
    CUSTOS_MANIFEST_SHOW_JSON = 1
} custos_manifest_show_format;
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_manifest_show(char **out, const uint8_t *compiled, size_t len, custos_manifest_show_format format,
                         custos_manifest_error *err);

/* Why a purpose needs consent again (bit flags of custos_manifest_change.reasons). */
enum {
    CUSTOS_MANIFEST_CHANGE_NEW_PURPOSE      = 1u << 0,
    CUSTOS_MANIFEST_CHANGE_NEW_CATEGORY     = 1u << 1,
    CUSTOS_MANIFEST_CHANGE_NEW_RECIPIENT    = 1u << 2,
    CUSTOS_MANIFEST_CHANGE_LONGER_RETENTION = 1u << 3,
    CUSTOS_MANIFEST_CHANGE_LEGAL_BASIS      = 1u << 4,
    CUSTOS_MANIFEST_CHANGE_REMOVED          = 1u << 5,
    CUSTOS_MANIFEST_CHANGE_NEW_LOCATION     = 1u << 6,
    CUSTOS_MANIFEST_CHANGE_LONGER_CONSENT   = 1u << 7
};

typedef struct custos_manifest_change {
    uint32_t purpose;             /* purpose id */
    uint32_t reasons;             /* CUSTOS_MANIFEST_CHANGE_* */
    int needs_consent;            /* 1 if the purpose (in the newer version) rests on consent */
} custos_manifest_change;

/* "new recipient", "longer retention", ... for one reason bit (static). */
CUSTOS_API const char *custos_manifest_change_str(uint32_t reason);

/*
 * The semantic diff between two compiled manifests: every purpose that
 * changed materially, sorted by purpose id (*out is NULL when *n is 0;
 * free with custos_manifest_free). CUSTOS_EMANIFEST if an id was reused with
 * another meaning.
 */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_manifest_diff(custos_manifest_change **out, size_t *n,
                         const uint8_t *older, size_t older_len,
                         const uint8_t *newer, size_t newer_len, custos_manifest_error *err);

/* The same diff as a readable report (format: CUSTOS_MANIFEST_SHOW_*). */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_manifest_diff_text(char **out, const uint8_t *older, size_t older_len,
                              const uint8_t *newer, size_t newer_len, custos_manifest_show_format format,
                              custos_manifest_error *err);

/*
 * What a consent screen shows, from a compiled manifest: every declared
 * purpose in id order, with its texts in one language. Everything lives in
 * the one allocation *out points to (free it with custos_manifest_free); the
 * strings are UTF-8, NUL-terminated, never NULL unless said so.
 */
typedef struct custos_manifest_screen_category {
    uint32_t id;                  /* the category's stable id */
    const char *key;              /* "user.sensor.video" */
    const char *name;             /* localized */
} custos_manifest_screen_category;

typedef struct custos_manifest_screen_recipient {
    const char *name;
    const char *country;          /* ISO 3166-1 alpha-2 */
    const char *role;             /* "processor", "third-party", or NULL when not declared */
} custos_manifest_screen_recipient;

typedef struct custos_manifest_screen_purpose {
    uint32_t id;                  /* the purpose id consent is recorded for */
    int required;                 /* 1: necessity required (cannot be switched off); 0: optional */
    const char *key;              /* "functional.service" */
    const char *title;            /* localized name */
    const char *description;      /* localized; "" when the manifest gives none */
    const char *legal_basis;      /* the manifest's word: "consent", "contract", "legal_obligation", ... */
    const custos_manifest_screen_category *categories;   /* sorted by id */
    size_t n_categories;
    const custos_manifest_screen_recipient *recipients;  /* sorted by name */
    size_t n_recipients;
    /* Retention as declared: an ISO 8601 duration ("P30D", retention_days its
     * length, 1 Y = 365 D and 1 M = 30 D, rounded up to whole days), or until
     * an event (retention_until, e.g. "device_reset"), or neither (both NULL,
     * retention_days 0). */
    const char *retention;
    uint64_t retention_days;
    const char *retention_until;
} custos_manifest_screen_purpose;

typedef struct custos_manifest_screen {
    const char *lang;             /* the language asked for ("en" for NULL) */
    uint32_t policy_version;
    uint8_t manifest_id[CUSTOS_HASH_BYTES];
    const custos_manifest_screen_purpose *purposes;
    size_t n_purposes;
} custos_manifest_screen;

/*
 * The consent screen of a compiled manifest in lang ("en", "ja": one of the
 * manifest's product.languages; NULL means "en"). A text the manifest does
 * not give in lang is given in English. Errors: CUSTOS_EINVAL (out or
 * compiled NULL, lang not a language the manifest declares),
 * CUSTOS_ECORRUPT / CUSTOS_EVERSION (the compiled file is damaged or of
 * another format), CUSTOS_ENOMEM; err says why. *out is NULL on failure.
 */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_manifest_consent_screen(custos_manifest_screen **out, const uint8_t *compiled, size_t len,
                                   const char *lang, custos_manifest_error *err);

/* Free anything this module returned; NULL is fine. */
CUSTOS_API void custos_manifest_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
