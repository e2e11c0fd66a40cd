/*
 * store.c: the erase module's tables.
 *
 *   erase_state    one row per erase under way: how far it got, the ids of
 *                  the keys it destroyed, whether verification passed, how
 *                  many records it removed. Written in the same transaction
 *                  as the step it records, deleted with the receipt.
 *   erase_receipt  every signed receipt, kept for the user and auditors.
 *   erase_outbox   signed EraseRequests not yet acknowledged by a service.
 *   erase_meta     the EraseRequest counter (never decreases; acks do not
 *                  lower it).
 *
 * Every table but erase_sealed is part of the consent seal (consent/seal.c):
 * a receipt or request deleted or changed behind the library's back, a
 * counter set back, or an erase's progress edited fails the gate closed like
 * an edited consent state, and an erase resumed under a broken seal does not
 * trust its progress row (erase.c). erase_sealed marks a store whose seal
 * holds the receipts, the outbox and the counter; erase_state_sealed one
 * whose seal also holds erase_state (added later).
 */
#include "erase_internal.h"
#include "consent/consent_internal.h"

#include <string.h>

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS erase_state("
    " receipt_id BLOB PRIMARY KEY, step INTEGER NOT NULL, key_ids BLOB NOT NULL DEFAULT x'',"
    " verified INTEGER NOT NULL DEFAULT 0, removed INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS erase_receipt("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT, receipt_id BLOB NOT NULL UNIQUE,"
    " time INTEGER NOT NULL, signed BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS erase_outbox("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT, request_id BLOB NOT NULL UNIQUE,"
    " counter INTEGER NOT NULL, signed BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS erase_meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;";

#define RECEIPT_COLS "seq, receipt_id, time, signed"
#define OUTBOX_COLS "seq, request_id, counter, signed"
#define META_COLS "name, value"
#define STATE_COLS "receipt_id, step, key_ids, verified, removed"

_Static_assert(CUSTOS_SEAL_TAG_ERASE_RECEIPT == 16 && CUSTOS_SEAL_TAG_ERASE_OUTBOX == 17 &&
               CUSTOS_SEAL_TAG_ERASE_META == 18 && CUSTOS_SEAL_TAG_ERASE_STATE == 19, "the tags in the triggers below");
static const char seal_triggers[] =
    CUSTOS_SEAL_TRIGGERS("erase_receipt", "erase_receipt", "NEW.seq, NEW.receipt_id, NEW.time, NEW.signed",
                         "OLD.seq, OLD.receipt_id, OLD.time, OLD.signed", 16)
    CUSTOS_SEAL_TRIGGERS("erase_outbox", "erase_outbox", "NEW.seq, NEW.request_id, NEW.counter, NEW.signed",
                         "OLD.seq, OLD.request_id, OLD.counter, OLD.signed", 17)
    CUSTOS_SEAL_TRIGGERS("erase_meta", "erase_meta", "NEW.name, NEW.value", "OLD.name, OLD.value", 18)
    CUSTOS_SEAL_TRIGGERS("erase_state", "erase_state",
                         "NEW.receipt_id, NEW.step, NEW.key_ids, NEW.verified, NEW.removed",
                         "OLD.receipt_id, OLD.step, OLD.key_ids, OLD.verified, OLD.removed", 19);

/* The tables in the consent seal, and the mark that says a store's seal
 * already holds them (erase_state joined after the others). */
static const char *const marks[] = { "erase_sealed", "erase_state_sealed" };
static const struct {
    int tag;
    const char *select;
    unsigned mark;
} sealed[] = {
    { CUSTOS_SEAL_TAG_ERASE_RECEIPT, "SELECT " RECEIPT_COLS " FROM erase_receipt", 0 },
    { CUSTOS_SEAL_TAG_ERASE_OUTBOX, "SELECT " OUTBOX_COLS " FROM erase_outbox", 0 },
    { CUSTOS_SEAL_TAG_ERASE_META, "SELECT " META_COLS " FROM erase_meta", 0 },
    { CUSTOS_SEAL_TAG_ERASE_STATE, "SELECT " STATE_COLS " FROM erase_state", 1 },
};

int custos_erase__tables_create(custos_t *ctx)
{
    int marked[2] = { 0, 0 };
    int rc = CUSTOS_OK;
    for (size_t i = 0; i < 2 && rc == CUSTOS_OK; i++)
        rc = custos__db_table_exists(ctx, marks[i], &marked[i]);
    if (rc == CUSTOS_OK)
        rc = custos__db_exec(ctx, schema);
    if (rc == CUSTOS_OK)
        rc = custos__db_exec(ctx, seal_triggers);
    for (size_t i = 0; i < sizeof sealed / sizeof sealed[0] && rc == CUSTOS_OK; i++)
        rc = custos_consent__seal_add(ctx, sealed[i].tag, sealed[i].select, !marked[sealed[i].mark]);
    for (size_t i = 0; i < 2 && rc == CUSTOS_OK; i++)
        if (!marked[i])
            rc = custos__db_mark(ctx, marks[i]);
    return rc;
}

static int prepare(custos_t *ctx, sqlite3_stmt **st, const char *sql)
{
    int rc = sqlite3_prepare_v2(ctx->db, sql, -1, st, NULL);
    return rc == SQLITE_OK ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "erase tables");
}

/* Step a statement that returns no row, finalize it. */
static int run(custos_t *ctx, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "erase tables");
}

void custos_erase__progress_clear(erase_progress *p)
{
    custos__free(p->key_ids);
    memset(p, 0, sizeof *p); /* not secret */
}

static int copy_ids(custos_t *ctx, erase_progress *out, const void *blob, int len)
{
    size_t n = (size_t)len / ERASE_KEY_ID_BYTES;
    if (n == 0)
        return CUSTOS_OK;
    if ((out->key_ids = custos__malloc(n * ERASE_KEY_ID_BYTES)) == NULL)
        return custos__fail(ctx, CUSTOS_ENOMEM, "out of memory");
    memcpy(out->key_ids, blob, n * ERASE_KEY_ID_BYTES);
    out->n_keys = n;
    return CUSTOS_OK;
}

int custos_erase__progress_get(custos_t *ctx, const uint8_t receipt_id[16], erase_progress *out)
{
    memset(out, 0, sizeof *out); /* not secret */
    sqlite3_stmt *st;
    int rc = prepare(ctx, &st, "SELECT step, key_ids, verified, removed FROM erase_state WHERE receipt_id=?");
    if (rc != CUSTOS_OK)
        return rc;
    sqlite3_bind_blob(st, 1, receipt_id, 16, SQLITE_STATIC);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        out->step = sqlite3_column_int(st, 0);
        out->verified = sqlite3_column_int(st, 2);
        out->removed = (uint64_t)sqlite3_column_int64(st, 3);
        rc = copy_ids(ctx, out, sqlite3_column_blob(st, 1), sqlite3_column_bytes(st, 1));
    } else if (s != SQLITE_DONE) {
        rc = custos__sqlite_fail(ctx, s, "read erase progress");
    }
    sqlite3_finalize(st);
    return rc;
}

int custos_erase__progress_keys(custos_t *ctx, const uint8_t receipt_id[16],
                         const uint8_t (*ids)[ERASE_KEY_ID_BYTES], size_t n)
{
    sqlite3_stmt *st;
    int rc = prepare(ctx, &st,
                     "INSERT INTO erase_state(receipt_id, step, key_ids) VALUES(?1, ?2, ?3)"
                     " ON CONFLICT(receipt_id) DO UPDATE SET key_ids = key_ids || ?3, step = MAX(step, ?2)");
    if (rc != CUSTOS_OK)
        return rc;
    sqlite3_bind_blob(st, 1, receipt_id, 16, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, CUSTOS_ERASE_STEP_KEYS);
    sqlite3_bind_blob(st, 3, n > 0 ? (const void *)ids : "", (int)(n * ERASE_KEY_ID_BYTES), SQLITE_STATIC);
    return run(ctx, st);
}

int custos_erase__progress_rows(custos_t *ctx, const uint8_t receipt_id[16], int verified, uint64_t removed)
{
    sqlite3_stmt *st;
    int rc = prepare(ctx, &st,
                     "INSERT INTO erase_state(receipt_id, step, verified, removed) VALUES(?1, ?2, ?3, ?4)"
                     " ON CONFLICT(receipt_id) DO UPDATE SET step = ?2, verified = ?3, removed = ?4");
    if (rc != CUSTOS_OK)
        return rc;
    sqlite3_bind_blob(st, 1, receipt_id, 16, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, CUSTOS_ERASE_STEP_ROWS);
    sqlite3_bind_int(st, 3, verified ? 1 : 0);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)removed);
    return run(ctx, st);
}

int custos_erase__progress_delete(custos_t *ctx, const uint8_t receipt_id[16])
{
    sqlite3_stmt *st;
    int rc = prepare(ctx, &st, "DELETE FROM erase_state WHERE receipt_id=?");
    if (rc != CUSTOS_OK)
        return rc;
    sqlite3_bind_blob(st, 1, receipt_id, 16, SQLITE_STATIC);
    return run(ctx, st);
}

int custos_erase__next_counter(custos_t *ctx, uint32_t *out)
{
    sqlite3_stmt *st;
    int rc = prepare(ctx, &st,
                     "INSERT INTO erase_meta(name, value) VALUES('counter', 1)"
                     " ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value");
    if (rc != CUSTOS_OK)
        return rc;
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        *out = (uint32_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return s == SQLITE_ROW ? CUSTOS_OK : custos__sqlite_fail(ctx, s, "advance the erase request counter");
}

int custos_erase__receipt_exists(custos_t *ctx, const uint8_t receipt_id[16], int *exists)
{
    sqlite3_stmt *st;
    int rc = prepare(ctx, &st, "SELECT 1 FROM erase_receipt WHERE receipt_id=?");
    if (rc != CUSTOS_OK)
        return rc;
    sqlite3_bind_blob(st, 1, receipt_id, 16, SQLITE_STATIC);
    int s = sqlite3_step(st);
    sqlite3_finalize(st);
    *exists = s == SQLITE_ROW;
    return s == SQLITE_ROW || s == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, s, "find a receipt");
}

int custos_erase__receipt_store(custos_t *ctx, const uint8_t receipt_id[16], uint64_t time,
                         const uint8_t *signed_receipt, size_t len, int *was_new)
{
    sqlite3_stmt *st;
    int rc = prepare(ctx, &st, "INSERT OR IGNORE INTO erase_receipt(receipt_id, time, signed) VALUES(?, ?, ?)");
    if (rc != CUSTOS_OK)
        return rc;
    sqlite3_bind_blob(st, 1, receipt_id, 16, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)time);
    sqlite3_bind_blob(st, 3, signed_receipt, (int)len, SQLITE_STATIC);
    rc = run(ctx, st);
    if (was_new != NULL)
        *was_new = rc == CUSTOS_OK && sqlite3_changes(ctx->db) > 0;
    return rc;
}

int custos_erase__outbox_store(custos_t *ctx, const uint8_t *signed_request, size_t len, uint32_t counter,
                        const uint8_t request_id[16])
{
    sqlite3_stmt *st;
    int rc = prepare(ctx, &st, "INSERT OR IGNORE INTO erase_outbox(request_id, counter, signed) VALUES(?, ?, ?)");
    if (rc != CUSTOS_OK)
        return rc;
    sqlite3_bind_blob(st, 1, request_id, 16, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, counter);
    sqlite3_bind_blob(st, 3, signed_request, (int)len, SQLITE_STATIC);
    return run(ctx, st);
}

/* --- Public list / get / ack ------------------------------------------------ */

static int list_seqs(custos_t *ctx, const char *sql, uint64_t *seqs, size_t max, size_t *n)
{
    if (ctx == NULL || n == NULL || (seqs == NULL && max > 0))
        return CUSTOS_EINVAL;
    *n = 0;
    pthread_mutex_lock(&ctx->write_lock);
    sqlite3_stmt *st;
    int rc = prepare(ctx, &st, sql), s;
    while (rc == CUSTOS_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n < max)
            seqs[*n] = (uint64_t)sqlite3_column_int64(st, 0);
        (*n)++;
    }
    if (rc == CUSTOS_OK) {
        if (s != SQLITE_DONE)
            rc = custos__sqlite_fail(ctx, s, "list erase records");
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&ctx->write_lock);
    return rc;
}

static int get_blob(custos_t *ctx, const char *sql, uint64_t seq, uint8_t *out, size_t out_size, size_t *out_len)
{
    if (ctx == NULL || out_len == NULL || (out == NULL && out_size > 0))
        return CUSTOS_EINVAL;
    pthread_mutex_lock(&ctx->write_lock);
    sqlite3_stmt *st;
    int rc = prepare(ctx, &st, sql);
    if (rc == CUSTOS_OK) {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
        int s = sqlite3_step(st);
        if (s == SQLITE_ROW) {
            size_t len = (size_t)sqlite3_column_bytes(st, 0);
            *out_len = len;
            if (len > out_size)
                rc = custos__fail(ctx, CUSTOS_ERANGE, "the record needs %zu bytes, the buffer has %zu", len, out_size);
            else if (len > 0)
                memcpy(out, sqlite3_column_blob(st, 0), len);
        } else {
            rc = s == SQLITE_DONE ? custos__fail(ctx, CUSTOS_ENOTFOUND, "no erase record %llu", (unsigned long long)seq)
                                  : custos__sqlite_fail(ctx, s, "read an erase record");
        }
        sqlite3_finalize(st);
    }
    pthread_mutex_unlock(&ctx->write_lock);
    return rc;
}

int custos_erase_receipt_list(custos_t *ctx, uint64_t *seqs, size_t max, size_t *n)
{
    return list_seqs(ctx, "SELECT seq FROM erase_receipt ORDER BY seq", seqs, max, n);
}

int custos_erase_receipt_get(custos_t *ctx, uint8_t *out, size_t out_size, size_t *out_len, uint64_t seq)
{
    return get_blob(ctx, "SELECT signed FROM erase_receipt WHERE seq=?", seq, out, out_size, out_len);
}

int custos_erase_outbox_list(custos_t *ctx, uint64_t *seqs, size_t max, size_t *n)
{
    return list_seqs(ctx, "SELECT seq FROM erase_outbox ORDER BY seq", seqs, max, n);
}

int custos_erase_outbox_get(custos_t *ctx, uint8_t *out, size_t out_size, size_t *out_len, uint64_t seq)
{
    return get_blob(ctx, "SELECT signed FROM erase_outbox WHERE seq=?", seq, out, out_size, out_len);
}

int custos_erase_outbox_ack(custos_t *ctx, uint64_t seq)
{
    if (ctx == NULL)
        return CUSTOS_EINVAL;
    int rc = custos__txn_begin(ctx); /* a sealed table is written in a transaction */
    if (rc != CUSTOS_OK)
        return rc;
    sqlite3_stmt *st;
    rc = prepare(ctx, &st, "DELETE FROM erase_outbox WHERE seq=?");
    if (rc == CUSTOS_OK) {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
        rc = run(ctx, st);
        if (rc == CUSTOS_OK && sqlite3_changes(ctx->db) == 0)
            rc = custos__fail(ctx, CUSTOS_ENOTFOUND, "no outbox entry %llu", (unsigned long long)seq);
    }
    return custos__txn_end(ctx, rc);
}
