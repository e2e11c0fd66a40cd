/*
 * taxonomy.h: lookups in the tables generated at build time from
 * the .tsv files of schemas/taxonomy (taxonomy_tables.h in the build tree).
 */
#ifndef CUSTOS_MF_TAXONOMY_H
#define CUSTOS_MF_TAXONOMY_H

#include "ground/internal.h"
#include "taxonomy_tables.h"

const custos_tax_use *custos_manifest__tax_use(const char *key);
const custos_tax_category *custos_manifest__tax_category(const char *key);
/* The entry of a value table whose proto enum value is code, or NULL. */
CUSTOS__FOR_TOOLS const custos_tax_value *custos_manifest__tax_by_proto(const custos_tax_value *table, size_t n, int code);

/* A table and its length, for functions that take (table, n). */
#define MF_TAB(name) custos__tax_##name, custos__tax_##name##_count
/* A table as (names, count, stride), for custos_manifest__ychoose and custos_manifest__closest. */
#define MF_TAX(name) custos__tax_##name, custos__tax_##name##_count, sizeof custos__tax_##name[0]

#endif
