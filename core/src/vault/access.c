/*
 * access.c: the `access` audit entries of vault reads, buffered.
 *
 * A successful custos_vault_get, or custos_vault_foreach that opened a
 * record, records one optional `access` entry (docs/audit.md). Writing each as a transaction of
 * its own cost more than the read itself, so entries wait in a small buffer
 * of this handle (at most VT_ACCESS_MAX, in read order) and are appended to
 * the chain:
 *   - inside the next vault write transaction (put, delete, maintain, KEK
 *     rotation), and dropped from the buffer only once that commits;
 *   - inside an erase's key step (custos__vault_destroy_keys), so that the
 *     chain shows the reads before the erase; if that step rolls back the
 *     entries go with it;
 *   - in a small transaction of their own (committed without waiting for
 *     fsync) when the buffer is full, when the oldest has waited
 *     VT_ACCESS_AGE seconds (checked at each vault call), before this
 *     handle reads the audit chain or changes the opt-out setting, and at
 *     close.
 * What a crash or power cut may lose: the entries still in the buffer (at
 * most VT_ACCESS_MAX reads, or the last VT_ACCESS_AGE seconds of reads on a
 * handle in use), and those of the last commit without fsync. Never a gap
 * in the chain. An entry's time is the time it is appended, so it can be
 * later than the read by up to VT_ACCESS_AGE on a handle in use. A failure
 * to record never fails a read; a full buffer that cannot be written is
 * dropped rather than grow.
 */
#include "vault_private.h"
#include "../audit/audit_internal.h"
#include <custos/audit.h>

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

static void drop(struct custos_vault *v, unsigned n)
{
    if (n > v->access_n)
        n = v->access_n;
    memmove(v->access, v->access + n, (v->access_n - n) * sizeof v->access[0]);
    v->access_n -= n;
    custos__wipe(v->access + v->access_n, n * sizeof v->access[0]);
}

unsigned custos_vault__access_append(custos_t *ctx)
{
    struct custos_vault *v = ctx->vault;
    unsigned done = 0;
    char saved[CUSTOS_ERRMSG_MAX];
    if (v == NULL || v->access_n == 0)
        return 0;
    memcpy(saved, ctx->errmsg, sizeof saved);
    for (; done < v->access_n; done++) {
        const vt_access *a = &v->access[done];
        if (custos__audit_append(ctx, CUSTOS_AUDIT_ACCESS, a->subject_hash, a->purpose, 0, a->detail) !=
            CUSTOS_OK)
            break;
    }
    memcpy(ctx->errmsg, saved, sizeof saved);
    return done;
}

void custos_vault__access_committed(custos_t *ctx, unsigned n)
{
    if (ctx->vault != NULL)
        drop(ctx->vault, n);
}

/* The durability level, read once per flush (a flush is rare). */
static int synchronous_level(custos_t *ctx)
{
    int level = -1;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(ctx->db, "PRAGMA synchronous", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        level = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return level;
}

void custos_vault__access_flush(custos_t *ctx)
{
    struct custos_vault *v = ctx->vault;
    if (v == NULL || v->access_n == 0 || !sqlite3_get_autocommit(ctx->db))
        return;
    /* Committed without waiting for fsync: the next durable commit carries
     * these WAL frames with its own. */
    char saved[CUSTOS_ERRMSG_MAX];
    memcpy(saved, ctx->errmsg, sizeof saved);
    int level = synchronous_level(ctx);
    if (level > 1)
        (void)sqlite3_exec(ctx->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
    unsigned n = 0;
    int rc = custos__db_begin(ctx);
    if (rc == CUSTOS_OK) {
        n = custos_vault__access_append(ctx);
        rc = n == v->access_n ? custos__db_commit(ctx) : CUSTOS_EIO;
        custos__db_rollback(ctx);
    }
    if (level > 1) {
        char sql[32];
        snprintf(sql, sizeof sql, "PRAGMA synchronous=%d", level);
        (void)sqlite3_exec(ctx->db, sql, NULL, NULL, NULL);
    }
    if (rc == CUSTOS_OK)
        drop(v, n);
    else if (v->access_n == VT_ACCESS_MAX)
        drop(v, v->access_n); /* bounded: a store that cannot write loses reads' entries, never memory */
    memcpy(ctx->errmsg, saved, sizeof saved);
}

void custos_vault__access_tick(custos_t *ctx)
{
    struct custos_vault *v = ctx->vault;
    if (v->access_n > 0 && custos__now(ctx, NULL) >= v->access_since + VT_ACCESS_AGE)
        custos_vault__access_flush(ctx);
}

void custos_vault__audit_access(custos_t *ctx, const uint8_t subject_hash[32], int64_t purpose, const char *detail)
{
    struct custos_vault *v = ctx->vault;
    if (!custos__audit_optional(ctx) || !sqlite3_get_autocommit(ctx->db))
        return;
    if (v->access_n == VT_ACCESS_MAX)
        custos_vault__access_flush(ctx);
    if (v->access_n == 0)
        v->access_since = custos__now(ctx, NULL);
    if (v->access_n < VT_ACCESS_MAX) {
        vt_access *a = &v->access[v->access_n++];
        memcpy(a->subject_hash, subject_hash, 32);
        a->purpose = purpose;
        a->detail = detail;
    }
    if (v->access_n == VT_ACCESS_MAX)
        custos_vault__access_flush(ctx);
    else
        custos_vault__access_tick(ctx);
}
