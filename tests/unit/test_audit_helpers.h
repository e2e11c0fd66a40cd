/*
 * test_audit_helpers.h: what the audit tests share: appending an event the
 * way a writer module does, reading and tampering with stored rows.
 * (Included by tests/unit/test_audit*.c; not a test itself.)
 */
#ifndef TEST_AUDIT_HELPERS_H
#define TEST_AUDIT_HELPERS_H

#include "harness.h"
#include "ground/internal.h"
#include "audit/audit_internal.h"
#include "custos/v1/audit.pb-c.h"

#include <stdio.h>

#include <stdlib.h>
#include <string.h>

/* Append one event inside its own transaction, as a writer module does. */
static inline void ta_append(custos_t *ctx, int kind, const uint8_t *subject, int64_t purpose, const char *detail)
{
    pthread_mutex_lock(&ctx->write_lock);
    assert_int_equal(custos__db_begin(ctx), CUSTOS_OK);
    assert_int_equal(custos__audit_append(ctx, kind, subject, purpose, 0, detail), CUSTOS_OK);
    assert_int_equal(custos__db_commit(ctx), CUSTOS_OK);
    pthread_mutex_unlock(&ctx->write_lock);
}

static inline int64_t ta_count(custos_t *ctx, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(ctx->db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* The stored bytes of one row (caller frees); NULL if absent. */
static inline uint8_t *ta_row(custos_t *ctx, const char *table, int64_t seq, size_t *len)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT bytes FROM %s WHERE seq = ?1", table);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(ctx->db, sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int64(st, 1, seq);
    uint8_t *out = NULL;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *len = (size_t)sqlite3_column_bytes(st, 0);
        out = malloc(*len + 1);
        assert_non_null(out);
        memcpy(out, sqlite3_column_blob(st, 0), *len);
    }
    sqlite3_finalize(st);
    return out;
}

static inline void ta_set_row(custos_t *ctx, const char *table, int64_t seq, const uint8_t *bytes, size_t len)
{
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE %s SET bytes = ?2 WHERE seq = ?1", table);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(ctx->db, sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_blob(st, 2, bytes, (int)len, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    assert_int_equal(sqlite3_changes(ctx->db), 1);
    sqlite3_finalize(st);
}

static inline void ta_sql(custos_t *ctx, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(ctx->db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("%s: %s", sql, err);
}

/* Verify and return the code; the report lands in *r. */
static inline int ta_verify(custos_t *ctx, custos_audit_report *r)
{
    *r = (custos_audit_report)CUSTOS_AUDIT_REPORT_INIT;
    return custos_audit_verify(ctx, r);
}

#endif
