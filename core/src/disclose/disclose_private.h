/*
 * disclose_private.h: what the files of the disclosure module share, and nothing else sees.
 *
 *   buf.c      the text buffer and the escapers (JSON/YAML, XML/HTML, Markdown, CSV)
 *   doc.c      one document writer with a Markdown and an HTML backend
 *   json.c     the streaming JSON writer (DPV, ICS, IXIT)
 *   api.c      the public functions: format table, decoding, dispatch
 *   facts.c    what the manifest implies: collected, shared, optional, durations
 *   vocab.c    the store vocabularies (Apple, Play, Android) and their checks
 *   words.c    localized words: legal bases, places, countries, durations
 *   notice.c   the consumer privacy notice; notice_law.c the items the law requires in it
 *   apple.c    PrivacyInfo.xcprivacy
 *   play.c     Play Data safety CSV and Android safety labels
 *   dpv.c      DPV JSON-LD; fides.c the fideslang system
 *   ics.c      ETSI EN 303 645 ICS (V3, or V2.1.1 on request), with the maker's answers read by ics_answers.c;
 *              etsi.c the TS 103 701 IXIT; jcstar.c the JC-STAR ★1 sheet
 *   en18031.c  the EN 18031-2 evidence sheet; cra.c the CRA Annex I Part I mapping
 *   access.c   the per-subject access report from a live store
 */
#ifndef CUSTOS_DISCLOSE_PRIVATE_H
#define CUSTOS_DISCLOSE_PRIVATE_H

#include "manifest/manifest_internal.h"
#include "ground/textbuf.h"

#include <custos/disclose.h>
#include <stdarg.h>

/* --- text: the escapers of buf.c, over the core's buffer (textbuf.h) --- */
void custos_disclose__xml(custos__text *b, const char *s);  /* XML / HTML text and attribute values */
void custos_disclose__md(custos__text *b, const char *s);   /* Markdown inline text */
void custos_disclose__csv(custos__text *b, const char *s);  /* one RFC 4180 field */

/* --- one generation (api.c) --- */
typedef struct dc_gen {
    const custos_manifest_pb *m;
    char id_hex[2 * CUSTOS_HASH_BYTES + 1]; /* the manifest id */
    int ja;                                 /* 1 for Japanese text */
    const char *lang;
    const char *date;                       /* NULL: print no date */
    const char *answers;                    /* the maker's ICS answers (YAML), or NULL */
    size_t answers_len;
    custos_manifest_error *err;
    custos__text out;
} dc_gen;
int custos_disclose__fail(dc_gen *g, int code, const char *fmt, ...) CUSTOS_PRINTF(3, 4);
/* Check options (NULL is fine): version, language, date. */
int custos_disclose__check_options(const custos_disclose_options *opts, custos_manifest_error *err);
/* The English or the Japanese literal, by the generation's language. */
const char *custos_disclose__l(const dc_gen *g, const char *en, const char *ja);
/* A manifest text in the generation's language (falling back to English). */
#define DC_TEXT(g, obj, field) custos__manifest_text((obj)->field, (obj)->n_##field, (g)->lang)

/* Generators: each appends to g->out, or fails with g->err set. */
int custos_disclose__notice(dc_gen *g, int html);
int custos_disclose__xcprivacy(dc_gen *g);
int custos_disclose__play_csv(dc_gen *g);
int custos_disclose__android_labels(dc_gen *g);
int custos_disclose__dpv(dc_gen *g);
int custos_disclose__fideslang(dc_gen *g);
int custos_disclose__ics(dc_gen *g, int json);
int custos_disclose__ixit(dc_gen *g, int json);
int custos_disclose__jcstar(dc_gen *g);
/* The maker's answer to one ICS row (ics_answers.c); support NULL: none given. */
typedef struct dc_answer { const char *support; char *detail, *evidence; } dc_answer;
struct mf_arena;
/* The provision ids of one EN 303 645 edition, and which the maker answers. */
typedef struct dc_edition {
    const char *name;          /* as the answers file names it: "V3", "V2.1.1" */
    const char *const *ids;
    const int *by_maker;
    size_t n;
} dc_edition;
/* Parse g->answers: its edition (one of eds[0..n_eds), default eds[0]) into
 * *edition, and out[i] for that edition's row ids[i]; only rows with
 * by_maker[i] may be answered. Strings live in arena. */
int custos_disclose__ics_answers(dc_gen *g, const dc_edition *eds, size_t n_eds, size_t *edition, dc_answer *out,
                                 struct mf_arena *arena);
int custos_disclose__en18031(dc_gen *g);
int custos_disclose__cra(dc_gen *g);

/* --- JSON (json.c): a streaming writer with indentation --- */
#define DC_JW_DEPTH 16
typedef struct dc_jw {
    custos__text *b;
    int depth;
    int after_key;
    int first[DC_JW_DEPTH];
} dc_jw;
void custos_disclose__json_obj(dc_jw *w);
void custos_disclose__json_obj_end(dc_jw *w);
void custos_disclose__json_arr(dc_jw *w);
void custos_disclose__json_arr_end(dc_jw *w);
void custos_disclose__json_key(dc_jw *w, const char *key);
void custos_disclose__json_str(dc_jw *w, const char *s);
void custos_disclose__json_raw(dc_jw *w, const char *literal);
void custos_disclose__json_uint(dc_jw *w, uint64_t v);
void custos_disclose__json_kstr(dc_jw *w, const char *key, const char *s);
void custos_disclose__json_kbool(dc_jw *w, const char *key, int v);
void custos_disclose__json_kid(dc_jw *w, const char *key, const char *iri);
/* The product block of the ICS and IXIT (etsi.c). */
void custos_disclose__ics_product_json(dc_jw *w, const dc_gen *g);

/* --- documents (doc.c): the same calls write Markdown or HTML --- */
typedef struct dc_doc {
    custos__text *b;
    int html;
    int depth;      /* open lists */
} dc_doc;
void custos_disclose__doc_begin(dc_doc *d, const char *lang, const char *title);
void custos_disclose__doc_end(dc_doc *d);
void custos_disclose__doc_h(dc_doc *d, int level, const char *text);
void custos_disclose__doc_p(dc_doc *d);          /* open a paragraph */
void custos_disclose__doc_p_end(dc_doc *d);
void custos_disclose__doc_text(dc_doc *d, const char *text);
void custos_disclose__doc_strong(dc_doc *d, const char *text);
void custos_disclose__doc_code(dc_doc *d, const char *text);
void custos_disclose__doc_ul(dc_doc *d);
void custos_disclose__doc_li(dc_doc *d);         /* open an item; close it with custos_disclose__doc_li_end */
void custos_disclose__doc_li_end(dc_doc *d);
void custos_disclose__doc_ul_end(dc_doc *d);
void custos_disclose__doc_table(dc_doc *d, const char *const *headers, size_t n);
void custos_disclose__doc_tr(dc_doc *d);         /* open a row; cells with custos_disclose__doc_td, close with custos_disclose__doc_tr_end */
void custos_disclose__doc_td(dc_doc *d, const char *text);
void custos_disclose__doc_tr_end(dc_doc *d);
void custos_disclose__doc_table_end(dc_doc *d);
/* A marker <!--custos:ID--> for the checklist tests (notice_private.h). */
void custos_disclose__doc_mark(dc_doc *d, const char *id);
/* The product block of the evidence sheets in Markdown (etsi.c). */
void custos_disclose__ics_product_md(dc_doc *d, const dc_gen *g);

/* --- facts the manifest implies (facts.c) --- */
/* Collected in the stores' sense: it leaves the user's devices (cloud or a recipient). */
int custos_disclose__purpose_collected(const custos_purpose_pb *p);
/* Shared: a recipient that is not a processor acting for the maker. */
int custos_disclose__purpose_shared(const custos_purpose_pb *p);
int custos_disclose__category_collected(const custos_manifest_pb *m, uint32_t category);
int custos_disclose__category_shared(const custos_manifest_pb *m, uint32_t category);
/* 1 if every collecting purpose of the category is optional. */
int custos_disclose__category_optional(const custos_manifest_pb *m, uint32_t category);
int custos_disclose__has_location(const custos_manifest_pb *m, Custos__V1__StorageLocation where);
int custos_disclose__has_basis(const custos_manifest_pb *m, Custos__V1__LegalBasis basis);
int custos_disclose__has_jurisdiction(const custos_manifest_pb *m, const char *j);
int custos_disclose__has_special(const custos_manifest_pb *m);

/* --- vocabularies (vocab.c) --- */
typedef struct dc_play_type {
    const char *id;          /* PSL_NAME */
    const char *category;    /* PSL_DATA_TYPES_PERSONAL */
    const char *label;       /* Name */
    const char *android_category; /* personal */
    const char *android_type;     /* name */
} dc_play_type;
typedef struct dc_play_purpose {
    const char *id;          /* PSL_APP_FUNCTIONALITY */
    const char *label;
    int android;             /* 1..7 */
} dc_play_purpose;
#define DC_PLAY_TYPES 38  /* reference §7.2 */
extern const dc_play_type custos_disclose__play_types[DC_PLAY_TYPES];
extern const size_t custos_disclose__play_type_count;
extern const dc_play_purpose custos_disclose__play_purposes[];
extern const size_t custos_disclose__play_purpose_count;
const dc_play_type *custos_disclose__play_type_find(const char *id);
const dc_play_purpose *custos_disclose__play_purpose_find(const char *id);
int custos_disclose__apple_type_valid(const char *s);
int custos_disclose__apple_purpose_valid(const char *s);
/* Check that every collected category has a valid store type and every
 * collecting purpose valid store purposes; name the first that has not. */
int custos_disclose__check_apple(dc_gen *g);
int custos_disclose__check_play(dc_gen *g);

/* --- words (words.c) --- */
const char *custos_disclose__basis_word(const dc_gen *g, Custos__V1__LegalBasis b);      /* short: "Your consent" */
const char *custos_disclose__basis_explain(const dc_gen *g, Custos__V1__LegalBasis b);   /* one sentence */
const char *custos_disclose__basis_dpv(Custos__V1__LegalBasis b);                        /* "dpv:Consent" */
const char *custos_disclose__basis_fides(Custos__V1__LegalBasis b);                      /* "Consent" */
const char *custos_disclose__location_word(const dc_gen *g, Custos__V1__StorageLocation l);
const char *custos_disclose__location_key(Custos__V1__StorageLocation l);                /* "device" */
const char *custos_disclose__role_word(const dc_gen *g, Custos__V1__SubjectRole r);
const char *custos_disclose__role_key(Custos__V1__SubjectRole r);                        /* "owner" */
const char *custos_disclose__role_dpv(Custos__V1__SubjectRole r);
const char *custos_disclose__special_fides(Custos__V1__SpecialCategoryCondition c);
const char *custos_disclose__country(const dc_gen *g, const char *iso2);
/* A duration for people: "30 days", "1年間", "until you delete your account". */
void custos_disclose__duration(const dc_gen *g, custos__text *b, const Custos__V1__Duration *d);
/* A party's name and address in the generation's language (the plain field otherwise). */
const char *custos_disclose__party_name(const dc_gen *g, const Custos__V1__Party *p);
const char *custos_disclose__party_address(const dc_gen *g, const Custos__V1__Party *p);
/* A manifest text in the generation's language, or "" (DC_TEXT for any repeated LocalizedText). */
const char *custos_disclose__text(const dc_gen *g, Custos__V1__LocalizedText *const *t, size_t n);
/* 1 if the recipient acts for the maker (a processor). */
int custos_disclose__recipient_is_processor(const Custos__V1__Recipient *r);

#endif
