/*
 * yamlread.h: typed access to a loaded YAML document, where every refusal
 * names file:line:column and says what was expected. The compiler reads
 * the manifest only through these functions.
 *
 * Every function returns 0 or CUSTOS_EMANIFEST (CUSTOS_ENOMEM if the arena
 * ran out) and records only the first failure: callers may chain calls and
 * test y->rc once.
 */
#ifndef CUSTOS_MF_YAMLREAD_H
#define CUSTOS_MF_YAMLREAD_H

#include "manifest_internal.h"
#include "custos/manifest.h"

#include <yaml.h>

typedef struct mf_yaml {
    yaml_document_t doc;
    int loaded;
    const char *file;               /* name used in messages */
    custos_manifest_error *err;
    mf_arena *arena;
    int rc;                         /* first failure, sticky */
} mf_yaml;

/* Parse text (already checked to be UTF-8) into y->doc. */
int custos_manifest__yaml_load(mf_yaml *y, const char *text, size_t len);
void custos_manifest__yaml_unload(mf_yaml *y);
yaml_node_t *custos_manifest__yaml_root(mf_yaml *y);

/* Refuse, at node's place: "file:line:col: <message>". */
int custos_manifest__yerr(mf_yaml *y, const yaml_node_t *at, const char *fmt, ...) CUSTOS_PRINTF(3, 4);
/* Record ENOMEM (the arena failed). */
int custos_manifest__ynomem(mf_yaml *y);

/* A mapping whose keys are all in allowed (NULL-terminated) and appear once;
 * an unknown key is refused with "did you mean ...?". what names the
 * mapping in messages ("the product", "purpose 3"). */
int custos_manifest__ymap(mf_yaml *y, yaml_node_t *n, const char *const *allowed, const char *what);
/* The value of key in a checked mapping, or NULL. */
yaml_node_t *custos_manifest__yget(mf_yaml *y, yaml_node_t *map, const char *key);
/* Like custos_manifest__yget, but a missing key is refused ("<what> has no <key>: ..."). */
yaml_node_t *custos_manifest__yneed(mf_yaml *y, yaml_node_t *map, const char *key, const char *what, const char *hint);

/* Why the code point cp may not appear in a manifest (controls, bidi
 * controls), or NULL if it may. */
const char *custos_manifest__forbidden(uint32_t cp);

/* Scalars. what names the value ("product.policy_version"); ystr refuses a
 * string whose decoded text holds a forbidden code point. */
int custos_manifest__ystr(mf_yaml *y, yaml_node_t *n, const char *what, char **out);
int custos_manifest__yuint(mf_yaml *y, yaml_node_t *n, const char *what, uint32_t min, uint32_t max, uint32_t *out);
int custos_manifest__ybool(mf_yaml *y, yaml_node_t *n, const char *what, int *out);
/* A sequence (a single scalar is not accepted as a one-item list). */
int custos_manifest__yseq(mf_yaml *y, yaml_node_t *n, const char *what, size_t *count);
yaml_node_t *custos_manifest__yitem(mf_yaml *y, yaml_node_t *seq, size_t i);
/* The scalar text of a node (NULL if not a scalar). */
const char *custos_manifest__yscalar(const yaml_node_t *n);

/* Choose a value from a table of names; unknown -> "did you mean ...?".
 * names is an array of count strings spaced stride bytes apart. */
int custos_manifest__ychoose(mf_yaml *y, yaml_node_t *n, const char *what, const void *names, size_t count,
               size_t stride, size_t *index);

/* The closest of count names (spaced stride bytes apart) to s, or NULL when
 * none is close enough to be a likely typo. */
const char *custos_manifest__closest(const char *s, const void *names, size_t count, size_t stride);

#endif
