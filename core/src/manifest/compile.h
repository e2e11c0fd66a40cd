/*
 * compile.h: the state of one compilation, shared by compile.c (the file,
 * the product, subjects, retired ids, the previous version) and
 * compile_items.c (categories and purposes).
 */
#ifndef CUSTOS_MF_COMPILE_H
#define CUSTOS_MF_COMPILE_H

#include "manifest_private.h"
#include "taxonomy.h"
#include "yamlread.h"

typedef struct mf_compile {
    mf_yaml y;
    mf_arena arena;
    custos_manifest_pb *m;               /* built in the arena */
    const custos_manifest_pb *prev;      /* the previous version, or NULL */
    yaml_node_t **cat_nodes;             /* the YAML node of each category, in m's order */
    yaml_node_t **purpose_nodes;
} mf_compile;

/* Allocate a message of type T in the arena, initialised with its INIT. */
#define MF_NEW(c, T, INIT) ((T *)custos_manifest__new((c), &(T)INIT, sizeof(T)))
void *custos_manifest__new(mf_compile *c, const void *init, size_t size);

/* compile.c: 1 if s is a two-letter ISO 3166-1 code in capitals ("JP"). */
int custos_manifest__is_country(const char *s);

/* compile_items.c */
int custos_manifest__compile_categories(mf_compile *c, yaml_node_t *seq);
int custos_manifest__compile_purposes(mf_compile *c, yaml_node_t *seq);
/* name: / description: as {lang: text} with exactly the product's languages. */
int custos_manifest__compile_texts(mf_compile *c, yaml_node_t *n, const char *what,
                     Custos__V1__LocalizedText ***out, size_t *count);

/* A list of values from a table (locations, store ids), without repeats, at
 * least one. out receives the proto codes (as int) when as_codes, else the
 * constant strings. */
int custos_manifest__compile_choices(mf_compile *c, yaml_node_t *seq, const char *what, const char *item_what,
                                     const custos_tax_value *table, size_t n, int as_codes, void **out, size_t *count);

/* compile_stores.c: the stores: section (Apple required-reason APIs, Play answers). */
int custos_manifest__compile_stores(mf_compile *c, yaml_node_t *n);
/* 1 if s is an absolute https URL with a host and no space, quote or control character. */
int custos_manifest__is_https_url(const char *s);

/* compile_law.c: the fields a privacy notice legally needs (see its header). */
int custos_manifest__in_eu(const char *iso2);
int custos_manifest__in_eea(const char *iso2);
/* A string, or {lang: text} (then *plain is the English text; plain may be NULL). */
int custos_manifest__compile_text_field(mf_compile *c, yaml_node_t *n, const char *what, char **plain,
                                        Custos__V1__LocalizedText ***out, size_t *count);
int custos_manifest__compile_party_law(mf_compile *c, yaml_node_t *n, const char *what, Custos__V1__Party *p);
int custos_manifest__compile_product_law(mf_compile *c, yaml_node_t *n, Custos__V1__Product *p,
                                         int (*party)(mf_compile *, yaml_node_t *, const char *, int,
                                                      Custos__V1__Party **));
int custos_manifest__compile_category_law(mf_compile *c, yaml_node_t *n, custos_category_pb *cat);
int custos_manifest__compile_recipient_law(mf_compile *c, yaml_node_t *n, Custos__V1__Recipient *r, const char *label);
int custos_manifest__compile_purpose_law(mf_compile *c, yaml_node_t *n, custos_purpose_pb *p, const char *label);

/* compile_duration.c */
/* Parse an ISO 8601 duration ("P1Y2M10DT2H30M", "P4W") into seconds
 * (1 Y = 365 D, 1 M = 30 D). 0 on success, -1 if malformed or zero. */
int custos_manifest__iso_duration(const char *s, uint64_t *seconds);
int custos_manifest__compile_duration(mf_compile *c, yaml_node_t *n, const char *what, int allow_event,
                        Custos__V1__Duration **out);

#endif
