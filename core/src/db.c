/* db.c: the few SQLite calls every module needs, with errors mapped. */
#include "internal.h"

int custos__db_exec(custos_t *ctx, const char *sql)
{
    int rc = sqlite3_exec(ctx->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "database");
}

int custos__db_begin(custos_t *ctx) { return custos__db_exec(ctx, "BEGIN IMMEDIATE"); }
int custos__db_commit(custos_t *ctx) { return custos__db_exec(ctx, "COMMIT"); }

void custos__db_rollback(custos_t *ctx)
{
    if (!sqlite3_get_autocommit(ctx->db))
        sqlite3_exec(ctx->db, "ROLLBACK", NULL, NULL, NULL);
}
