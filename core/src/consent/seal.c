/*
 * seal.c: the consent state authenticated against the key provider.
 *
 * The gate decides from three tables that an attacker with write access to
 * custos.db could edit: `consent_state` (the fold of the signed ledger),
 * `subject` (which keyed hash and role a subject number has) and `policy`
 * (the manifest that says which purposes need consent); sync trusts a fourth,
 * `peer` (the keys whose signed updates it applies, and their replay
 * counters). Every row of them
 * has a keyed BLAKE2b-256 MAC under a key derived from the provider's index
 * key, which is never stored beside the data; the seal is the XOR of the MACs
 * of all rows (a set MAC: rows are distinct by their primary key), kept in
 * `consent_seal`. The head of the signed ledger (its newest event, seq and
 * bytes) is folded in as one more row, so the seal is bound to the ledger it
 * was folded from: state rows and seal copied back together from an older
 * copy of the database no longer match, because the ledger has moved on.
 * (A ledger cut back to that head as well is behind the store's anchor and
 * refused at open, lifecycle/anchor.c.)
 *
 * Temporary triggers (per connection, not in the file) fold every change
 * into ctx->ledger->acc as it happens: the MAC of the row that was there
 * out, the MAC of the new row in. custos__db_commit folds acc into the
 * stored seal (a before_commit hook); a rollback drops it. Because what goes
 * out is the MAC of what the row held, an edit made behind the library's
 * back is never laundered into the seal by a later legitimate write.
 *
 * custos_consent__seal_check recomputes the seal from the rows (when the
 * gate builds a snapshot) and, on a mismatch, checks each state row against
 * the ledger event it names, to say which subjects are affected. The
 * residual: a store whose `consent_seal` table is gone looks like a store
 * from before the seal and is sealed as it is found (docs/security.md).
 */
#include "consent_private.h"
#include "ground/pack.h"

#include <sodium.h>
#include <string.h>

enum { T_STATE = 1, T_SUBJECT = 2, T_POLICY = 3, T_HEAD = 4, T_PEER = 5 };

static const char seal_schema[] =
    "CREATE TABLE IF NOT EXISTS consent_seal("
    " id INTEGER PRIMARY KEY CHECK(id = 1),"
    " seal BLOB NOT NULL);"                    /* XOR of the keyed MACs of every sealed row */
    "CREATE TABLE IF NOT EXISTS consent_seal_v2(id INTEGER PRIMARY KEY CHECK(id = 1));"; /* it holds head and peers */

#define STATE_COLS "subject, purpose, status, valid_until, time, policy_version, seq, invalidated"
#define SUBJECT_COLS "id, hash, role, created"
#define POLICY_COLS "version, manifest_id, compiled, loaded_at"
#define PEER_COLS "pk, device_id, last_in, last_out, paired_at"
#define PEER_SQL "SELECT " PEER_COLS " FROM peer"
#define HEAD_SQL "SELECT seq, signed FROM consent_event ORDER BY seq DESC LIMIT 1"

/* --- one row's MAC --------------------------------------------------- */

static void absorb_value(crypto_generichash_state *h, sqlite3_value *v)
{
    uint8_t head[9];
    int type = sqlite3_value_type(v);
    head[0] = (uint8_t)type;
    if (type == SQLITE_INTEGER) {
        custos__le64_put(head + 1, (uint64_t)sqlite3_value_int64(v));
        crypto_generichash_update(h, head, 9);
        return;
    }
    int n = sqlite3_value_bytes(v);
    const void *p = type == SQLITE_TEXT ? (const void *)sqlite3_value_text(v) : sqlite3_value_blob(v);
    custos__le64_put(head + 1, (uint64_t)n);
    crypto_generichash_update(h, head, 9);
    if (n > 0 && p != NULL)
        crypto_generichash_update(h, p, (size_t)n);
}

/* XOR MAC(table, values) into acc. */
static void fold_row(const struct custos_ledger *l, uint8_t acc[32], int table, int argc, sqlite3_value **argv)
{
    crypto_generichash_state h;
    uint8_t mac[32], tag = (uint8_t)table;
    sodium_mprotect_readonly(l->seal_key);
    crypto_generichash_init(&h, l->seal_key, 32, sizeof mac);
    sodium_mprotect_noaccess(l->seal_key);
    crypto_generichash_update(&h, &tag, 1);
    for (int i = 0; i < argc; i++)
        absorb_value(&h, argv[i]);
    crypto_generichash_final(&h, mac, sizeof mac);
    for (int i = 0; i < 32; i++)
        acc[i] ^= mac[i];
    custos__wipe(&h, sizeof h);
}

/* custos_seal(table, col...): called by the triggers for every row that
 * leaves or enters a sealed table. A write outside a transaction could not
 * be folded into the stored seal at commit, so it is refused. */
static void sql_seal(sqlite3_context *sc, int argc, sqlite3_value **argv)
{
    custos_t *ctx = sqlite3_user_data(sc);
    if (ctx->ledger == NULL || ctx->ledger->seal_key == NULL) {
        sqlite3_result_error(sc, "consent: the seal key is not available", -1);
        return;
    }
    if (argc < 2 || sqlite3_get_autocommit(ctx->db)) {
        sqlite3_result_error(sc, "consent: sealed tables are written only inside a transaction", -1);
        return;
    }
    fold_row(ctx->ledger, ctx->ledger->acc, sqlite3_value_int(argv[0]), argc - 1, argv + 1);
    sqlite3_result_null(sc);
}

/* --- the stored seal ------------------------------------------------- */

static int stored_seal(custos_t *ctx, uint8_t out[32], int *found)
{
    sqlite3_stmt *st = NULL;
    *found = 0;
    int rc = sqlite3_prepare_v2(ctx->db, "SELECT seal FROM consent_seal WHERE id = 1", -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        *found = sqlite3_column_bytes(st, 0) == 32;
        if (*found)
            memcpy(out, sqlite3_column_blob(st, 0), 32);
        rc = SQLITE_DONE;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "read the consent seal");
}

static int store_seal(custos_t *ctx, const uint8_t seal[32])
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "INSERT OR REPLACE INTO consent_seal(id, seal) VALUES(1, ?1)", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, seal, 32, SQLITE_STATIC);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "write the consent seal");
}

/* The seal of what the tables hold now, computed from every row. */
static int fold_table(custos_t *ctx, uint8_t acc[32], int table, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, sql, -1, &st, NULL);
    sqlite3_value *argv[8];
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int n = sqlite3_column_count(st);
        for (int i = 0; i < n && i < 8; i++)
            argv[i] = sqlite3_column_value(st, i);
        fold_row(ctx->ledger, acc, table, n < 8 ? n : 8, argv);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "read the sealed consent tables");
}

static int actual_seal(custos_t *ctx, uint8_t out[32])
{
    if (ctx->ledger == NULL || ctx->ledger->seal_key == NULL)
        return custos__fail(ctx, CUSTOS_EINTERNAL, "consent: the seal key is not available");
    memset(out, 0, 32); /* not secret: the XOR accumulator starts at zero */
    int rc = fold_table(ctx, out, T_STATE, "SELECT " STATE_COLS " FROM consent_state");
    if (rc == CUSTOS_OK)
        rc = fold_table(ctx, out, T_SUBJECT, "SELECT " SUBJECT_COLS " FROM subject");
    if (rc == CUSTOS_OK)
        rc = fold_table(ctx, out, T_HEAD, HEAD_SQL);
    if (rc == CUSTOS_OK)
        rc = fold_table(ctx, out, T_PEER, PEER_SQL);
    for (unsigned i = 0; rc == CUSTOS_OK && i < ctx->ledger->n_extra; i++)
        rc = fold_table(ctx, out, ctx->ledger->extra[i].tag, ctx->ledger->extra[i].select);
    return rc != CUSTOS_OK ? rc : fold_table(ctx, out, T_POLICY, "SELECT " POLICY_COLS " FROM policy");
}

/* before_commit: fold this transaction's changes into the stored seal. */
static int seal_commit(custos_t *ctx)
{
    struct custos_ledger *l = ctx->ledger;
    if (l == NULL || sodium_is_zero(l->acc, 32))
        return CUSTOS_OK;
    uint8_t seal[32];
    int found = 0;
    int rc = stored_seal(ctx, seal, &found);
    if (rc != CUSTOS_OK)
        return rc;
    if (!found)
        memset(seal, 0, sizeof seal); /* not secret: a missing seal stays wrong (check reports it) */
    for (int i = 0; i < 32; i++)
        seal[i] ^= l->acc[i];
    if (!found)
        seal[0] ^= 0x80; /* never let a deleted seal row be rebuilt as a valid one */
    rc = store_seal(ctx, seal);
    if (rc == CUSTOS_OK)
        memset(l->acc, 0, sizeof l->acc); /* not secret: MACs of public rows */
    return rc;
}

static void seal_rollback(void *user)
{
    custos_t *ctx = user;
    if (ctx->ledger != NULL)
        memset(ctx->ledger->acc, 0, sizeof ctx->ledger->acc); /* not secret: MACs of public rows */
}

/* --- attach ---------------------------------------------------------- */

static const char seal_triggers[] =
    CUSTOS_SEAL_TRIGGERS("state", "consent_state",
             "NEW.subject, NEW.purpose, NEW.status, NEW.valid_until, NEW.time, NEW.policy_version, NEW.seq, NEW.invalidated",
             "OLD.subject, OLD.purpose, OLD.status, OLD.valid_until, OLD.time, OLD.policy_version, OLD.seq, OLD.invalidated",
             1)
    CUSTOS_SEAL_TRIGGERS("subject", "subject", "NEW.id, NEW.hash, NEW.role, NEW.created", "OLD.id, OLD.hash, OLD.role, OLD.created", 2)
    CUSTOS_SEAL_TRIGGERS("policy", "policy", "NEW.version, NEW.manifest_id, NEW.compiled, NEW.loaded_at",
             "OLD.version, OLD.manifest_id, OLD.compiled, OLD.loaded_at", 3)
    CUSTOS_SEAL_TRIGGERS("peer", "peer", "NEW.pk, NEW.device_id, NEW.last_in, NEW.last_out, NEW.paired_at",
             "OLD.pk, OLD.device_id, OLD.last_in, OLD.last_out, OLD.paired_at", 5)
    /* The ledger only grows: an append moves the head from the event before it to the new one. */
    "CREATE TEMP TRIGGER IF NOT EXISTS cs_seal_head_i AFTER INSERT ON main.consent_event BEGIN"
    " SELECT custos_seal(4, p.seq, p.signed) FROM main.consent_event p"
    "  WHERE p.seq = (SELECT max(seq) FROM main.consent_event WHERE seq < NEW.seq);"
    " SELECT custos_seal(4, NEW.seq, NEW.signed); END;";

static int derive_key(custos_t *ctx)
{
    struct custos_ledger *l = ctx->ledger;
    l->seal_key = sodium_malloc(32);
    if (l->seal_key == NULL)
        return custos__fail(ctx, CUSTOS_ENOMEM, "out of memory for the consent seal key");
    custos__derive_key(ctx, l->seal_key, "consent-state seal v1");
    sodium_mprotect_noaccess(l->seal_key);
    return CUSTOS_OK;
}

/* A table that joins a seal made without it: its rows are folded into the
 * stored seal as they are now, so a seal that matched its rows still does
 * and one that did not still does not. */
static int seal_fold_in(custos_t *ctx, int tag, const char *select)
{
    uint8_t seal[32], more[32] = { 0 };
    int found = 0;
    int rc = stored_seal(ctx, seal, &found);
    if (rc == CUSTOS_OK && found && (rc = fold_table(ctx, more, tag, select)) == CUSTOS_OK) {
        for (int i = 0; i < 32; i++)
            seal[i] ^= more[i];
        rc = store_seal(ctx, seal);
    }
    return rc;
}

/* Inside the open transaction, before the consent state is first written.
 * A store from before the seal (no consent_seal table) is sealed as found. */
int custos_consent__seal_attach(custos_t *ctx)
{
    int existed = 0, upgraded = 0;
    int rc = derive_key(ctx);
    if (rc == CUSTOS_OK)
        rc = custos__db_table_exists(ctx, "consent_seal", &existed);
    if (rc == CUSTOS_OK)
        rc = custos__db_table_exists(ctx, "consent_seal_v2", &upgraded);
    if (rc == CUSTOS_OK)
        rc = custos__db_exec(ctx, seal_schema);
    if (rc == CUSTOS_OK && sqlite3_create_function(ctx->db, "custos_seal", -1, SQLITE_UTF8 | SQLITE_DIRECTONLY, ctx,
                                                   sql_seal, NULL, NULL) != SQLITE_OK)
        rc = custos__fail(ctx, CUSTOS_ENOMEM, "consent: cannot register the seal function");
    if (rc == CUSTOS_OK)
        rc = custos__db_exec(ctx, seal_triggers);
    if (rc == CUSTOS_OK)
        rc = custos__txn_hook_add(ctx, CUSTOS_TXN_BEFORE_COMMIT, seal_commit);
    sqlite3_rollback_hook(ctx->db, seal_rollback, ctx);
    if (rc == CUSTOS_OK && !existed) {
        uint8_t seal[32];
        if ((rc = actual_seal(ctx, seal)) == CUSTOS_OK)
            rc = store_seal(ctx, seal);
    } else if (rc == CUSTOS_OK && !upgraded) { /* a seal from before the head and the peers */
        if ((rc = seal_fold_in(ctx, T_HEAD, HEAD_SQL)) == CUSTOS_OK)
            rc = seal_fold_in(ctx, T_PEER, PEER_SQL);
    }
    return rc;
}

int custos_consent__seal_add(custos_t *ctx, int tag, const char *select, int fold_existing)
{
    struct custos_ledger *l = ctx->ledger;
    if (l == NULL || l->seal_key == NULL || l->n_extra == CUSTOS_SEAL_EXTRA_MAX || tag <= T_PEER)
        return custos__fail(ctx, CUSTOS_EINTERNAL, "consent: cannot seal table %d", tag);
    int rc = fold_existing ? seal_fold_in(ctx, tag, select) : CUSTOS_OK;
    if (rc == CUSTOS_OK) {
        l->extra[l->n_extra].tag = tag;
        l->extra[l->n_extra].select = select;
        l->n_extra++;
    }
    return rc;
}

void custos_consent__seal_detach(custos_t *ctx)
{
    if (ctx->db != NULL)
        sqlite3_rollback_hook(ctx->db, NULL, NULL);
    if (ctx->ledger != NULL && ctx->ledger->seal_key != NULL) {
        sodium_free(ctx->ledger->seal_key);
        ctx->ledger->seal_key = NULL;
    }
}

/* Rebuild the stored seal from the rows as they are now (repair). */
int custos_consent__seal_reset(custos_t *ctx)
{
    uint8_t seal[32];
    int rc = actual_seal(ctx, seal);
    if (rc == CUSTOS_OK && (rc = store_seal(ctx, seal)) == CUSTOS_OK)
        memset(ctx->ledger->acc, 0, sizeof ctx->ledger->acc); /* not secret */
    return rc;
}

/* --- checking -------------------------------------------------------- */

int custos_consent__seal_matches(custos_t *ctx, int *matches)
{
    if (ctx->ledger == NULL || ctx->ledger->seal_key == NULL)
        return custos__fail(ctx, CUSTOS_EINTERNAL, "consent: the seal key is not available");
    uint8_t want[32] = { 0 }, have[32];
    int found = 0;
    *matches = 0;
    int rc = stored_seal(ctx, want, &found);
    if (rc == CUSTOS_OK && (rc = actual_seal(ctx, have)) == CUSTOS_OK) {
        for (int i = 0; i < 32; i++)
            want[i] ^= ctx->ledger->acc[i]; /* this transaction's changes, not yet folded in */
        *matches = found && sodium_memcmp(want, have, 32) == 0;
    }
    return rc;
}

/* --- which subjects: each state row against the event it names -------- */

/* The highest seq recorded for (hash, purpose), 0 if none. */
static int latest_seq(custos_t *ctx, const uint8_t hash[32], int64_t purpose, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "SELECT coalesce(max(seq), 0) FROM consent_event"
                                         " WHERE subject_hash = ?1 AND purpose = ?2", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, purpose);
        if ((rc = sqlite3_step(st)) == SQLITE_ROW)
            *out = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "read the consent ledger");
}

/* The signed event at seq, verified with the device key; *ok = 0 if there
 * is none or it does not verify. */
static int signed_event(custos_t *ctx, int64_t seq, const uint8_t pk[32], Custos__V1__SignedEvent **se,
                        Custos__V1__ConsentEvent **ev, int *ok)
{
    sqlite3_stmt *st = NULL;
    *ok = 0;
    int rc = sqlite3_prepare_v2(ctx->db, "SELECT signed FROM consent_event WHERE seq = ?1", -1, &st, NULL);
    int crc = CUSTOS_OK;
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, seq);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW &&
            (crc = custos_consent__event_decode(ctx, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
                                                se, ev)) == CUSTOS_OK)
            *ok = crypto_sign_verify_detached((*se)->device_signature.data, (*se)->body.data, (*se)->body.len, pk) == 0;
    }
    sqlite3_finalize(st);
    if (crc == CUSTOS_ENOMEM)
        return crc;
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "read the consent ledger");
}

/* 1 if the state row (columns as in STATE_COLS) is exactly what its event says. */
static int row_matches(const sqlite3_stmt *cst, const Custos__V1__ConsentEvent *ev, const uint8_t hash[32])
{
    sqlite3_stmt *st = (sqlite3_stmt *)cst;
    uint64_t valid_until = ev->has_valid_until ? ev->valid_until : 0;
    return ev->subject_hash.len == 32 && sodium_memcmp(ev->subject_hash.data, hash, 32) == 0 &&
           sqlite3_column_int64(st, 1) == (sqlite3_int64)ev->purpose &&
           sqlite3_column_int64(st, 2) == (sqlite3_int64)ev->status &&
           sqlite3_column_int64(st, 3) == (sqlite3_int64)valid_until &&
           sqlite3_column_int64(st, 4) == (sqlite3_int64)ev->time &&
           sqlite3_column_int64(st, 5) == (sqlite3_int64)ev->policy_version &&
           sqlite3_column_int64(st, 6) == (sqlite3_int64)ev->seq;
}

static int check_state_row(custos_t *ctx, sqlite3_stmt *st, const uint8_t pk[32], int *ok)
{
    uint8_t hash[32];
    int64_t subject = sqlite3_column_int64(st, 0), latest = -1;
    *ok = 0;
    if (subject <= 0 || subject > UINT32_MAX ||
        custos__subject_hash_of(ctx, (custos_subject)subject, hash) != CUSTOS_OK)
        return CUSTOS_OK;
    Custos__V1__SignedEvent *se = NULL;
    Custos__V1__ConsentEvent *ev = NULL;
    int found = 0;
    int rc = signed_event(ctx, sqlite3_column_int64(st, 6), pk, &se, &ev, &found);
    if (rc == CUSTOS_OK && found && row_matches(st, ev, hash))
        rc = latest_seq(ctx, hash, sqlite3_column_int64(st, 1), &latest);
    *ok = rc == CUSTOS_OK && found && latest == sqlite3_column_int64(st, 6);
    custos_consent__body_free(ev);
    custos_consent__signed_free(se);
    return rc;
}

/* Subjects whose ledger has events for a purpose that has no state row (a
 * row deleted, or the whole state copied back from before it existed). */
static int blame_missing(custos_t *ctx, void (*taint)(void *user, custos_subject subject), void *user, size_t *blamed)
{
    static const char sql[] =
        "SELECT DISTINCT s.id FROM subject s"
        " JOIN (SELECT DISTINCT subject_hash, purpose FROM consent_event) e ON e.subject_hash = s.hash"
        " WHERE NOT EXISTS (SELECT 1 FROM consent_state c WHERE c.subject = s.id AND c.purpose = e.purpose)";
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, sql, -1, &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t subject = sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
        if (subject > 0 && subject <= UINT32_MAX) {
            taint(user, (custos_subject)subject);
            (*blamed)++;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "read the consent state");
}

int custos_consent__seal_blame(custos_t *ctx, void (*taint)(void *user, custos_subject subject), void *user,
                               size_t *blamed)
{
    uint8_t pk[32];
    *blamed = 0;
    int rc = custos_device_public_key(ctx, pk);
    if (rc != CUSTOS_OK)
        return rc;
    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v2(ctx->db, "SELECT " STATE_COLS " FROM consent_state", -1, &st, NULL);
    int crc = CUSTOS_OK;
    while (crc == CUSTOS_OK && rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int ok = 0;
        rc = SQLITE_OK;
        crc = check_state_row(ctx, st, pk, &ok);
        int64_t subject = sqlite3_column_int64(st, 0);
        if (crc == CUSTOS_OK && !ok && subject >= 0 && subject <= UINT32_MAX) {
            taint(user, (custos_subject)subject);
            (*blamed)++;
        }
    }
    sqlite3_finalize(st);
    if (crc != CUSTOS_OK)
        return crc;
    if (rc != SQLITE_DONE)
        return custos__sqlite_fail(ctx, rc, "read the consent state");
    return blame_missing(ctx, taint, user, blamed);
}
