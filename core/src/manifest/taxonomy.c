/* taxonomy.c: find entries of the generated taxonomy tables. */
#include "taxonomy.h"

#include <string.h>

const custos_tax_use *custos_manifest__tax_use(const char *key)
{
    for (size_t i = 0; i < custos__tax_uses_count; i++)
        if (strcmp(custos__tax_uses[i].key, key) == 0)
            return &custos__tax_uses[i];
    return NULL;
}

const custos_tax_category *custos_manifest__tax_category(const char *key)
{
    for (size_t i = 0; i < custos__tax_categories_count; i++)
        if (strcmp(custos__tax_categories[i].key, key) == 0)
            return &custos__tax_categories[i];
    return NULL;
}

const custos_tax_value *custos_manifest__tax_by_proto(const custos_tax_value *table, size_t n, int code)
{
    for (size_t i = 0; i < n; i++)
        if (table[i].proto == code)
            return &table[i];
    return NULL;
}
