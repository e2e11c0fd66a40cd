/*
 * migrate.c: the table of format steps (see vault_migrate.h).
 *
 *   1 -> 2  vault_key gains seq (a scope may have several data keys; new
 *           records use the highest) and sealed_count (its AES-GCM seals,
 *           keys.c), and its primary key becomes (subject_hash, purpose,
 *           seq). SQLite cannot change a primary key in place, so the table
 *           is rebuilt: every key becomes seq 0, its count the number of its
 *           fmt-2 records (none: format 1 had no AES-GCM).
 *
 * When the format changes, add a step { from = N, ... } that turns a format-N store
 * into format N+1 with SQL run inside the open transaction, raise
 * CUSTOS_STORE_FORMAT_VERSION, and add a fixture store of format N to
 * tests/data/stores/ (see its README) so that the step is tested for ever.
 */
#include "vault_migrate.h"

#include <stdio.h>

static int from_1(custos_t *ctx)
{
    int rc = custos__db_exec(ctx, custos_vault__key_table);
    if (rc == CUSTOS_OK)
        rc = custos__db_exec(ctx, "INSERT INTO vault_key_2(subject_hash, purpose, seq, key_id, kek_gen, wrapped,"
                             " sealed_count) SELECT k.subject_hash, k.purpose, 0, k.key_id, k.kek_gen, k.wrapped,"
                             " (SELECT count(*) FROM vault_record r WHERE r.key_id = k.key_id AND r.fmt = 2)"
                             " FROM vault_key k;"
                             "DROP TABLE vault_key;"
                             "ALTER TABLE vault_key_2 RENAME TO vault_key;");
    return rc;
}

static const custos_migration builtin[] = {
    { 1, "vault_key: add seq and sealed_count", from_1 },
};

static const custos_migration *steps = builtin;
static size_t n_steps = sizeof builtin / sizeof builtin[0];
static uint32_t target = CUSTOS_STORE_FORMAT_VERSION;

uint32_t custos__migrate_target(void) { return target; }

void custos__migrate_set_steps(const custos_migration *s, size_t n, uint32_t t)
{
    steps = s != NULL ? s : builtin;
    n_steps = s != NULL ? n : sizeof builtin / sizeof builtin[0];
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
