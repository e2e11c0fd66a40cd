/* db.c: the few SQLite calls every module needs, with errors mapped. */
#include "ground/internal.h"

#include <stdio.h>
#include <string.h>

int custos__db_exec(custos_t *ctx, const char *sql)
{
    int rc = sqlite3_exec(ctx->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "database");
}

int custos__db_table_exists(custos_t *ctx, const char *name, int *out)
{
    sqlite3_stmt *st = NULL;
    *out = 0;
    int rc = sqlite3_prepare_v2(ctx->db, "SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = ?1",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        *out = rc == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "read the schema");
}

int custos__db_mark(custos_t *ctx, const char *name)
{
    char sql[128];
    int n = snprintf(sql, sizeof sql, "CREATE TABLE IF NOT EXISTS \"%s\"(id INTEGER PRIMARY KEY CHECK(id = 1));", name);
    if (n < 0 || (size_t)n >= sizeof sql || strchr(name, '"') != NULL)
        return custos__fail(ctx, CUSTOS_EINTERNAL, "schema mark name too long or not an identifier");
    return custos__db_exec(ctx, sql);
}

int custos__db_begin(custos_t *ctx)
{
    int rc = custos__db_exec(ctx, "BEGIN IMMEDIATE");
    if (rc == CUSTOS_OK)
        ctx->txn_serial++; /* what a module remembers of this transaction dies with it (audit head) */
    return rc;
}
int custos__db_commit(custos_t *ctx)
{
    int rc = custos__txn_before_commit(ctx);
    return rc != CUSTOS_OK ? rc : custos__db_exec(ctx, "COMMIT");
}

void custos__db_rollback(custos_t *ctx)
{
    if (sqlite3_get_autocommit(ctx->db))
        return;
    /* The statement was prepared at open, so rolling back parses nothing:
     * it works when memory has run out, where sqlite3_exec("ROLLBACK")
     * could fail to compile and leave the transaction open. */
    if (ctx->rollback != NULL) {
        (void)sqlite3_step(ctx->rollback);
        sqlite3_reset(ctx->rollback);
    }
    if (!sqlite3_get_autocommit(ctx->db))
        (void)sqlite3_exec(ctx->db, "ROLLBACK", NULL, NULL, NULL);
}
