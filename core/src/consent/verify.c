/*
 * verify.c: reading the ledger back: a subject's history, and the walk
 * that checks every link, signature and index column of the chain.
 */
#include "consent_private.h"

#include <sodium.h>
#include <string.h>

static void event_info(custos_consent_event_info *o, const Custos__V1__SignedEvent *se,
                       const Custos__V1__ConsentEvent *ev)
{
    memset(o, 0, sizeof *o); /* not secret */
    o->seq = ev->seq;
    memcpy(o->event_id, ev->event_id.data, 16);
    o->purpose = ev->purpose;
    o->status = (custos_consent_status)ev->status;
    o->method = (custos_consent_method)ev->method;
    o->actor = (custos_consent_actor)ev->actor;
    o->time = ev->time;
    o->time_confidence = (custos_time_confidence)ev->time_confidence;
    o->valid_until = ev->has_valid_until ? ev->valid_until : 0;
    o->policy_version = ev->policy_version;
    memcpy(o->manifest_id, ev->manifest_id.data, 32);
    o->has_notice_hash = ev->has_notice_hash;
    if (ev->has_notice_hash)
        memcpy(o->notice_hash, ev->notice_hash.data, 32);
    if (ev->notice_lang != NULL) {
        strncpy(o->notice_lang, ev->notice_lang, sizeof o->notice_lang - 1);
    }
    o->app_signed = se->has_app_signature;
}

static int history_locked(custos_t *ctx, custos_consent_event_info *out, size_t out_size, size_t *out_len,
                          custos_subject subject)
{
    uint8_t hash[32];
    int rc = custos_consent__subject_get(ctx, subject, hash, NULL);
    if (rc != CUSTOS_OK)
        return rc;
    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v2(ctx->db, "SELECT seq, signed FROM consent_event WHERE subject_hash = ?1 ORDER BY seq",
                            -1, &st, NULL);
    if (rc != SQLITE_OK)
        return custos__sqlite_fail(ctx, rc, "read the consent history");
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    size_t n = 0;
    int crc = CUSTOS_OK;
    while (crc == CUSTOS_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        Custos__V1__SignedEvent *se = NULL;
        Custos__V1__ConsentEvent *ev = NULL;
        crc = custos_consent__event_decode(ctx, sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1), &se, &ev);
        if (crc == CUSTOS_OK && n < out_size && out != NULL)
            event_info(&out[n], se, ev);
        n += ev != NULL;
        custos_consent__body_free(ev);
        custos_consent__signed_free(se);
    }
    sqlite3_finalize(st);
    if (crc != CUSTOS_OK)
        return crc;
    if (rc != SQLITE_DONE)
        return custos__sqlite_fail(ctx, rc, "read the consent history");
    *out_len = n;
    return n > out_size ? custos__fail(ctx, CUSTOS_ERANGE, "consent history: %zu events, room for %zu", n, out_size)
                        : CUSTOS_OK;
}

int custos_consent_history(custos_t *ctx, custos_consent_event_info *out, size_t out_size, size_t *out_len,
                           custos_subject subject)
{
    if (ctx == NULL || out_len == NULL || (out == NULL && out_size != 0))
        return custos__fail(ctx, CUSTOS_EINVAL, "consent history: NULL argument");
    *out_len = 0;
    int rc = custos__txn_begin(ctx);
    if (rc != CUSTOS_OK)
        return rc;
    rc = history_locked(ctx, out, out_size, out_len, subject);
    /* ERANGE still commits the expiries recorded on the way. */
    if (rc == CUSTOS_ERANGE) {
        custos__txn_end(ctx, CUSTOS_OK);
        return custos__fail(ctx, CUSTOS_ERANGE, "consent history: %zu events, room for %zu", *out_len, out_size);
    }
    return custos__txn_end(ctx, rc);
}

/* --- verification ---------------------------------------------------- */

typedef struct walk {
    uint64_t seq;                /* the expected seq of the next event */
    uint8_t prev[32];            /* the chain hash of the last one */
    uint8_t device_pk[32];
} walk;

static int bad(custos_t *ctx, int code, uint64_t seq, uint64_t *out_bad, const char *why)
{
    if (out_bad != NULL)
        *out_bad = seq;
    return custos__fail(ctx, code, "consent ledger: event %llu %s", (unsigned long long)seq, why);
}

static int check_app(const Custos__V1__SignedEvent *se)
{
    if (!se->has_app_signature)
        return 1;
    return crypto_sign_verify_detached(se->app_signature.data, se->app_body.data, se->app_body.len,
                                       se->app_key.data) == 0;
}

/* One stored row: decode, signatures, place in the chain, index columns. */
static int check_row(custos_t *ctx, walk *w, sqlite3_stmt *st, uint64_t *out_bad)
{
    uint64_t row_seq = (uint64_t)sqlite3_column_int64(st, 0);
    Custos__V1__SignedEvent *se = NULL;
    Custos__V1__ConsentEvent *ev = NULL;
    int rc = custos_consent__event_decode(ctx, sqlite3_column_blob(st, 3), (size_t)sqlite3_column_bytes(st, 3), &se, &ev);
    if (rc == CUSTOS_ENOMEM)
        return rc;
    if (row_seq != w->seq)
        rc = bad(ctx, CUSTOS_ECORRUPT, w->seq, out_bad, "is missing (the chain has a gap)");
    else if (rc != CUSTOS_OK)
        rc = bad(ctx, CUSTOS_ECORRUPT, w->seq, out_bad, "does not decode");
    else if (crypto_sign_verify_detached(se->device_signature.data, se->body.data, se->body.len, w->device_pk) != 0)
        rc = bad(ctx, CUSTOS_ESIGNATURE, w->seq, out_bad, "has a device signature that does not verify");
    else if (!check_app(se))
        rc = bad(ctx, CUSTOS_ESIGNATURE, w->seq, out_bad, "has an app signature that does not verify");
    else if (ev->seq != w->seq || sodium_memcmp(ev->prev_hash.data, w->prev, 32) != 0)
        rc = bad(ctx, CUSTOS_ECORRUPT, w->seq, out_bad, "is out of place (reordered, or one before it was removed)");
    else if (sqlite3_column_bytes(st, 1) != 32 || memcmp(sqlite3_column_blob(st, 1), ev->subject_hash.data, 32) != 0 ||
             sqlite3_column_int64(st, 2) != (sqlite3_int64)ev->purpose)
        rc = bad(ctx, CUSTOS_ECORRUPT, w->seq, out_bad, "has index columns that disagree with its signed body");
    if (rc == CUSTOS_OK) {
        custos_consent__chain_hash(w->prev, se);
        w->seq++;
    }
    custos_consent__body_free(ev);
    custos_consent__signed_free(se);
    return rc;
}

static void note_blamed(void *user, custos_subject subject)
{
    custos_subject *first = user;
    if (*first == 0)
        *first = subject;
}

/* No state row may name an event past the end of the chain (its end was cut). */
static int check_tail(custos_t *ctx, uint64_t last, uint64_t *out_bad)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "SELECT coalesce(max(seq), 0) FROM consent_state", -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint64_t max = (uint64_t)sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        return max > last ? bad(ctx, CUSTOS_ECORRUPT, last + 1, out_bad, "is missing (the end of the chain was cut)")
                          : CUSTOS_OK;
    }
    sqlite3_finalize(st);
    return custos__sqlite_fail(ctx, rc, "verify the consent state");
}

/* Every state row must be exactly the last event of its pair, and the
 * sealed tables must hold what the seal says (seal.c). */
static int check_states(custos_t *ctx, uint64_t last, uint64_t *out_bad)
{
    custos_subject first = 0;
    size_t blamed = 0;
    int rc = check_tail(ctx, last, out_bad);
    if (rc == CUSTOS_OK)
        rc = custos_consent__seal_blame(ctx, note_blamed, &first, &blamed);
    if (rc != CUSTOS_OK)
        return rc;
    if (blamed != 0)
        return custos__fail(ctx, CUSTOS_ECORRUPT, "consent state: %zu row(s) do not match the ledger event they name "
                            "(first: subject %u); custos_consent_repair re-folds them", blamed, (unsigned)first);
    int matches = 0;
    if ((rc = custos_consent__seal_matches(ctx, &matches)) != CUSTOS_OK)
        return rc;
    return matches ? CUSTOS_OK
                   : custos__fail(ctx, CUSTOS_ECORRUPT, "consent state: the sealed tables (state, subjects, policy) "
                                  "were changed outside the library; custos_consent_repair re-folds the state");
}

int custos_consent__verify_chain(custos_t *ctx, uint64_t *out_bad, uint64_t *out_last)
{
    walk w = { .seq = 1 };
    int rc = custos_device_public_key(ctx, w.device_pk);
    if (rc != CUSTOS_OK)
        return custos__fail(ctx, rc, "consent ledger: the device public key is unavailable");
    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v2(ctx->db, "SELECT seq, subject_hash, purpose, signed FROM consent_event ORDER BY seq",
                            -1, &st, NULL);
    if (rc != SQLITE_OK)
        return custos__sqlite_fail(ctx, rc, "verify the consent ledger");
    int crc = CUSTOS_OK;
    while (crc == CUSTOS_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        crc = check_row(ctx, &w, st, out_bad);
    sqlite3_finalize(st);
    if (crc != CUSTOS_OK)
        return crc;
    *out_last = w.seq - 1;
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "verify the consent ledger");
}

static int verify_locked(custos_t *ctx, uint64_t *out_bad)
{
    uint64_t last = 0;
    int rc = custos_consent__verify_chain(ctx, out_bad, &last);
    return rc != CUSTOS_OK ? rc : check_states(ctx, last, out_bad);
}

int custos_consent_verify(custos_t *ctx, uint64_t *out_bad_seq)
{
    if (ctx == NULL)
        return CUSTOS_EINVAL;
    if (out_bad_seq != NULL)
        *out_bad_seq = 0;
    pthread_mutex_lock(&ctx->write_lock);
    int rc = verify_locked(ctx, out_bad_seq);
    if ((rc == CUSTOS_ECORRUPT || rc == CUSTOS_ESIGNATURE) && sqlite3_get_autocommit(ctx->db))
        custos_consent__audit_failure(ctx, rc, "consent ledger verification failed");
    pthread_mutex_unlock(&ctx->write_lock);
    return rc;
}

int custos_consent__hash_at(custos_t *ctx, uint64_t seq, uint8_t hash[32])
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "SELECT signed FROM consent_event WHERE seq = ?1", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
        if ((rc = sqlite3_step(st)) == SQLITE_ROW)
            crypto_generichash(hash, 32, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), NULL, 0);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return CUSTOS_OK;
    return rc == SQLITE_DONE ? CUSTOS_ENOTFOUND : custos__sqlite_fail(ctx, rc, "consent: read a ledger event");
}

int custos_consent__head(custos_t *ctx, uint64_t *seq, uint8_t hash[32])
{
    sqlite3_stmt **st = &ctx->ledger->head; /* after every write transaction: prepared once per handle */
    *seq = 0;
    memset(hash, 0, 32); /* not secret */
    static const char sql[] = "SELECT seq, signed FROM consent_event ORDER BY seq DESC LIMIT 1";
    int rc = *st != NULL ? SQLITE_OK : sqlite3_prepare_v3(ctx->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(*st)) == SQLITE_ROW) {
        *seq = (uint64_t)sqlite3_column_int64(*st, 0);
        crypto_generichash(hash, 32, sqlite3_column_blob(*st, 1), (size_t)sqlite3_column_bytes(*st, 1), NULL, 0);
        rc = SQLITE_DONE;
    }
    if (*st != NULL)
        sqlite3_reset(*st);
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "consent: read the ledger head");
}
