/*
 * migrate.c: the table of format steps (see vault_migrate.h).
 *
 *   1 -> 2  vault_key gains seq (a scope may have several data keys; new
 *           records use the highest) and sealed_count (its AES-GCM seals,
 *           keys.c), and its primary key becomes (subject_hash, purpose,
 *           seq). SQLite cannot change a primary key in place, so the table
 *           is rebuilt: every key becomes seq 0, its count the number of its
 *           fmt-2 records (none: format 1 had no AES-GCM).
 *   2 -> 3  every vault_record.sealed gains the row header (seal.c, SEALED
 *           ROW) built from the row's own columns, with AD version 1: the
 *           sealed value after it is untouched and opens with the
 *           associated data it was sealed with. No key is needed and
 *           nothing is decrypted. A row whose columns are damaged gets a
 *           header that fails authentication (or reads as damaged), as the
 *           row would have before. Every row is rewritten once, in the open
 *           transaction: the WAL grows by about the size of the records.
 *
 * When the format changes, add a step { from = N, ... } that turns a format-N store
 * into format N+1 with SQL run inside the open transaction, raise
 * CUSTOS_STORE_FORMAT_VERSION, and add a fixture store of format N to
 * tests/data/stores/ (see its README) so that the step is tested for ever.
 */
#include "vault_migrate.h"
#include "vault_private.h"

#include <stdio.h>
#include <string.h>

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

/* One row of from_2: its sealed column, with the header made from its other columns, into *row. */
static int header_row(custos_t *ctx, sqlite3_stmt *next, uint8_t **row, size_t *cap, size_t *row_len)
{
    size_t len = (size_t)sqlite3_column_bytes(next, 7);
    if (VT_ROW_HEAD + len > *cap) {
        custos__free(*row);
        *cap = VT_ROW_HEAD + len;
        if ((*row = custos__malloc(*cap)) == NULL) {
            *cap = 0;
            return custos__fail(ctx, CUSTOS_ENOMEM, "out of memory");
        }
    }
    uint8_t key_id[VT_ID_BYTES] = { 0 };
    const uint8_t *kid = sqlite3_column_blob(next, 4);
    size_t kid_len = (size_t)sqlite3_column_bytes(next, 4);
    if (kid != NULL)
        memcpy(key_id, kid, kid_len < VT_ID_BYTES ? kid_len : VT_ID_BYTES);
    int64_t fmt = sqlite3_column_int64(next, 1);
    vt_record_ad ad = { .purpose = (uint32_t)sqlite3_column_int64(next, 2),
                        .category = (uint32_t)sqlite3_column_int64(next, 3), .key_id = key_id,
                        .fmt = fmt >= 0 && fmt <= 255 ? (uint32_t)fmt : 255u };
    custos_vault__row_head(*row, &ad, VT_AD_COLUMNS, (uint64_t)sqlite3_column_int64(next, 5),
                           (uint64_t)sqlite3_column_int64(next, 6));
    if (len > 0)
        memcpy(*row + VT_ROW_HEAD, sqlite3_column_blob(next, 7), len);
    *row_len = VT_ROW_HEAD + len;
    return CUSTOS_OK;
}

/* Give every row its header, one row at a time by id: no statement reads the table while it is written. */
static int rewrite_rows(custos_t *ctx, sqlite3_stmt *next, sqlite3_stmt *put)
{
    uint8_t *row = NULL;
    size_t cap = 0, row_len = 0;
    int64_t last = INT64_MIN;
    int rc;
    for (;;) {
        sqlite3_bind_int64(next, 1, last);
        if ((rc = sqlite3_step(next)) != SQLITE_ROW) {
            rc = rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "read a record");
            break;
        }
        last = sqlite3_column_int64(next, 0);
        rc = header_row(ctx, next, &row, &cap, &row_len);
        sqlite3_reset(next);
        if (rc != CUSTOS_OK)
            break;
        sqlite3_bind_int64(put, 1, last);
        sqlite3_bind_blob64(put, 2, row, row_len, SQLITE_STATIC);
        rc = sqlite3_step(put);
        sqlite3_reset(put);
        if (rc != SQLITE_DONE) {
            rc = custos__sqlite_fail(ctx, rc, "rewrite a record");
            break;
        }
    }
    custos__free(row);
    return rc;
}

static int from_2(custos_t *ctx)
{
    sqlite3_stmt *next = NULL, *put = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "SELECT id, fmt, purpose, category, key_id, created, expires, sealed"
                                " FROM vault_record WHERE id > ?1 ORDER BY id LIMIT 1", -1, &next, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(ctx->db, "UPDATE vault_record SET sealed=?2 WHERE id=?1", -1, &put, NULL);
    rc = rc == SQLITE_OK ? rewrite_rows(ctx, next, put) : custos__sqlite_fail(ctx, rc, "prepare");
    sqlite3_finalize(next);
    sqlite3_finalize(put);
    return rc;
}

static const custos_migration builtin[] = {
    { 1, "vault_key: add seq and sealed_count", from_1 },
    { 2, "vault_record: add the row header", from_2 },
};

static const custos_migration *steps = builtin;
static size_t n_steps = sizeof builtin / sizeof builtin[0];
static uint32_t target = CUSTOS_STORE_FORMAT_VERSION;

uint32_t custos__migrate_target(void) { return target; }

const custos_migration *custos__migrate_builtin(size_t *n)
{
    *n = sizeof builtin / sizeof builtin[0];
    return builtin;
}

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
