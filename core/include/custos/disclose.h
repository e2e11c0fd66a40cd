/*
 * custos/disclose.h: every disclosure a product needs, generated from its
 * compiled manifest (DESIGN §9).
 *
 * From the same declaration that the gate enforces, this module writes the
 * consumer privacy notice (Markdown and self-contained HTML, English and
 * Japanese), Apple's PrivacyInfo.xcprivacy, the Google Play Data safety CSV,
 * the Android app-metadata safety labels, a DPV JSON-LD description of the
 * processing, a fideslang system, the ETSI EN 303 645 ICS and IXIT, and a
 * JC-STAR ★1 evidence sheet. docs/disclosures.md says how each is produced,
 * how it is validated, and what the maker must still review.
 *
 * It owns no state, and needs no store except for the per-subject access
 * report, which reads a live one. Output is deterministic: the same
 * manifest and options give the same bytes (no clock is read; a date is
 * printed only when the caller passes one). It never produces a silently
 * wrong disclosure: a category that a store format cannot express, or a
 * constant that format does not define, is CUSTOS_EMANIFEST with the
 * category or purpose named. It never writes personal data anywhere: a
 * manifest holds none.
 *
 * Library: libcustos-tools (custos-tools.pc, Custos::custos_tools), not the
 * runtime libcustos; the whole header, custos_disclose_access_report
 * included. The access report reads a live store through the runtime's
 * public API, but it is written by the same document writer and word tables
 * as the other disclosures; moving it to the runtime would carry those with
 * it (docs/architecture.md, "Two libraries").
 */
#ifndef CUSTOS_DISCLOSE_H
#define CUSTOS_DISCLOSE_H

#include "common.h"
#include "gate.h"
#include "manifest.h"
#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What to generate. The numbers are stable (bindings keep them). */
typedef enum custos_disclose_format {
    CUSTOS_DISCLOSE_NOTICE_MD      = 1,  /* privacy notice, Markdown (one language) */
    CUSTOS_DISCLOSE_NOTICE_HTML    = 2,  /* privacy notice, self-contained HTML5 (one language) */
    CUSTOS_DISCLOSE_XCPRIVACY      = 3,  /* Apple PrivacyInfo.xcprivacy (XML property list) */
    CUSTOS_DISCLOSE_PLAY_CSV       = 4,  /* Google Play Data safety, Play Console CSV import */
    CUSTOS_DISCLOSE_ANDROID_LABELS = 5,  /* Android app-metadata safety labels (PersistableBundle XML) */
    CUSTOS_DISCLOSE_DPV_JSONLD     = 6,  /* W3C DPV JSON-LD of the processing */
    CUSTOS_DISCLOSE_FIDESLANG      = 7,  /* fideslang system description (YAML) */
    CUSTOS_DISCLOSE_ICS_JSON       = 8,  /* ETSI EN 303 645 implementation conformance statement */
    CUSTOS_DISCLOSE_ICS_MD         = 9,
    CUSTOS_DISCLOSE_IXIT_JSON      = 10, /* ETSI TS 103 701 implementation extra information */
    CUSTOS_DISCLOSE_IXIT_MD        = 11,
    CUSTOS_DISCLOSE_JCSTAR_MD      = 12, /* JC-STAR ★1 evidence sheet */
    CUSTOS_DISCLOSE_EN18031_MD     = 13, /* EN 18031-2 (RED privacy) evidence sheet */
    CUSTOS_DISCLOSE_CRA_MD         = 14  /* CRA Annex I Part I mapping */
} custos_disclose_format;

#define CUSTOS_DISCLOSE_FORMAT_FIRST CUSTOS_DISCLOSE_NOTICE_MD
#define CUSTOS_DISCLOSE_FORMAT_LAST  CUSTOS_DISCLOSE_CRA_MD

/* The command-line name of a format ("notice-md", "xcprivacy", ...), or NULL. */
CUSTOS_API const char *custos_disclose_format_name(custos_disclose_format format);
/* The format named name; CUSTOS_EINVAL if none (err lists the valid names). */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_disclose_format_parse(custos_disclose_format *out, const char *name,
                                 custos_manifest_error *err);
/* 1 if the format depends on the language (the notices), else 0. */
CUSTOS_API int custos_disclose_format_localized(custos_disclose_format format);

#define CUSTOS_DISCLOSE_OPTIONS_VERSION 2
typedef struct custos_disclose_options {
    unsigned int version;   /* CUSTOS_DISCLOSE_OPTIONS_VERSION (1 is accepted: no fields below date) */
    const char *lang;       /* notice language, "en" or "ja"; NULL: "en" */
    const char *date;       /* ISO 8601 date printed as the document date; NULL: none */
    /* Version 2: the manufacturer's answers to the ICS rows Custos cannot know, a
     * YAML text (docs/disclosures.md, "The manufacturer's answers"); NULL: none. */
    const char *ics_answers;
    size_t ics_answers_len;
} custos_disclose_options;
#define CUSTOS_DISCLOSE_OPTIONS_INIT { CUSTOS_DISCLOSE_OPTIONS_VERSION, NULL, NULL, NULL, 0 }

/*
 * Generate one disclosure from a compiled manifest (the bytes `custos
 * manifest compile` writes). *out is a NUL-terminated UTF-8 text of *out_len
 * bytes, allocated by the library: free it with custos_disclose_free().
 * opts may be NULL. Errors, with the detail in err (which may be NULL):
 *   CUSTOS_ECORRUPT / CUSTOS_EVERSION  the compiled manifest is damaged or too new
 *   CUSTOS_EMANIFEST  the manifest cannot be expressed in this format (a
 *                     category with no Apple or Play type, an unknown constant)
 *   CUSTOS_EINVAL     a NULL argument, an unknown format or language, a bad date
 *   CUSTOS_ENOMEM
 */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_disclose(char **out, size_t *out_len, const uint8_t *compiled, size_t compiled_len,
                    custos_disclose_format format, const custos_disclose_options *opts,
                    custos_manifest_error *err);

/*
 * The conventional file name of a format's output ("PrivacyInfo.xcprivacy",
 * "privacy-notice.ja.html", ...) into a caller-owned buffer. CUSTOS_ERANGE
 * with *out_len set to the size needed (with its NUL) if out_size is too
 * small; CUSTOS_EINVAL for an unknown format or language.
 */
CUSTOS_API int custos_disclose_file_name(char *out, size_t out_size, size_t *out_len,
                                         custos_disclose_format format, const char *lang);

/*
 * The access report for one subject of an open store (GDPR Art. 15, APPI
 * disclosure requests): per purpose of the loaded manifest, the consent state
 * (or the legal basis when it is not consent), which categories of data are
 * held and how many records, and until when. Record payloads are never
 * printed. compiled must be the manifest loaded in the store (custos_policy_
 * current), else CUSTOS_ESTATE. format is CUSTOS_DISCLOSE_NOTICE_MD or
 * CUSTOS_DISCLOSE_NOTICE_HTML; opts->lang picks English or Japanese. Errors
 * as custos_disclose's plus those of the vault and the consent ledger
 * (CUSTOS_ENOTFOUND for an unknown subject), detail in custos_errmsg(ctx).
 * Free *out with custos_disclose_free().
 */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_disclose_access_report(custos_t *ctx, char **out, size_t *out_len, custos_subject subject,
                                  const uint8_t *compiled, size_t compiled_len, custos_disclose_format format,
                                  const custos_disclose_options *opts);

/* Free what custos_disclose() returned; NULL is fine. */
CUSTOS_API void custos_disclose_free(void *p);

#ifdef __cplusplus
}
#endif
#endif
