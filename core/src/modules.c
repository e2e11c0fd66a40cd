/* modules.c: the list of modules attached at open, in dependency order. */
#include "modules.h"

const custos_module custos__modules[] = {
    { "none", NULL, NULL }, /* keeps the array non-empty until modules register */
};

const size_t custos__module_count = sizeof custos__modules / sizeof custos__modules[0];
