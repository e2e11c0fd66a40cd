/* taxonomy.c: find purposes and categories in the generated taxonomy tables
 * (libcustos-tools; custos_manifest__tax_by_proto is in lookup.c, for the
 * runtime's consent screen). */
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
