/*
 * migrate.c: the table of format steps (see vault_migrate.h).
 *
 * Format 1 is the first released format, so the table is empty. When the
 * format changes, add a step { from = N, ... } that turns a format-N store
 * into format N+1 with SQL run inside the open transaction, raise
 * CUSTOS_STORE_FORMAT_VERSION, and add a fixture store of format N to
 * tests/data/stores/ (see its README) so that the step is tested for ever.
 */
#include "vault_migrate.h"

#include <stdio.h>

static const custos_migration *steps = NULL;
static size_t n_steps = 0;
static uint32_t target = CUSTOS_STORE_FORMAT_VERSION;

uint32_t custos__migrate_target(void) { return target; }

void custos__migrate_set_steps(const custos_migration *s, size_t n, uint32_t t)
{
    steps = s;
    n_steps = n;
    target = t != 0 ? t : CUSTOS_STORE_FORMAT_VERSION;
}

static const custos_migration *find_step(uint32_t from)
{
    for (size_t i = 0; i < n_steps; i++)
        if (steps[i].from == from)
            return &steps[i];
    return NULL;
}

int custos__migrate(custos_t *ctx, uint32_t from)
{
    if (from == 0)
        return CUSTOS_OK;
    for (uint32_t v = from; v < target; v++) {
        const custos_migration *step = find_step(v);
        if (step == NULL)
            return custos__fail(ctx, CUSTOS_EVERSION,
                                "custos.db is format %u and this Custos has no migration from it", v);
        int rc = step->run(ctx);
        if (rc != CUSTOS_OK) {
            char detail[CUSTOS_ERRMSG_MAX / 2];
            snprintf(detail, sizeof detail, "%s", custos_errmsg(ctx));
            return custos__fail(ctx, rc, "migrating custos.db from format %u (%s): %s", v, step->what, detail);
        }
    }
    return CUSTOS_OK;
}
