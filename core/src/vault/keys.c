/*
 * keys.c: data keys. Random 256-bit keys per (subject, purpose), the first
 * created on the first record of that scope, stored only wrapped by a KEK of the key
 * provider (seal.c), opened into the guarded arena and cached there for the
 * handle's life (vault.c, KEY CACHE), and destroyed by deleting its row
 * and rotating the KEK (erase).
 *
 * Keys are random, never derived: a key derived from a master secret could
 * be recomputed after its erasure (reference/platforms.md §4.4, §7.3).
 *
 * A scope's keys are numbered by vault_key.seq; new records use the highest.
 * An AES-GCM record (seal.c, fmt 2) has a random 96-bit nonce, safe for
 * VT_GCM_KEY_LIMIT (2^32 - 2^20) seals per key: each key's row counts its
 * GCM seals (sealed_count, in the put's transaction), and the put that would
 * pass the limit first makes the scope's next key. Records name their key
 * by key_id, so those under a retired key still open; destroying a scope
 * (erase, withdrawal) deletes all its keys, whatever their seq.
 */
#include "vault_private.h"
#include "../audit/audit_internal.h"
#include "custos/v1/audit.pb-c.h"

#include <sodium.h>
#include <string.h>

static uint8_t *slot_key(custos_t *ctx, unsigned i) { return custos_vault__slot_key(ctx, i); }

static int slot_by_scope(custos_t *ctx, const uint8_t subject_hash[32], uint32_t purpose)
{
    for (unsigned i = 0; i < VT_SLOTS; i++) {
        const vt_slot *s = &ctx->vault->slots[i];
        if (s->used && s->for_put && s->purpose == purpose && memcmp(s->subject_hash, subject_hash, 32) == 0)
            return (int)i;
    }
    return -1;
}

/* A walk reads row after row under one key: the slot found last is tried first. */
static int slot_by_id(custos_t *ctx, const uint8_t key_id[VT_ID_BYTES])
{
    struct custos_vault *v = ctx->vault;
    const vt_slot *last = &v->slots[v->last_hit];
    if (last->used && memcmp(last->key_id, key_id, VT_ID_BYTES) == 0)
        return (int)v->last_hit;
    for (unsigned i = 0; i < VT_SLOTS; i++) {
        if (v->slots[i].used && memcmp(v->slots[i].key_id, key_id, VT_ID_BYTES) == 0) {
            v->last_hit = i;
            return (int)i;
        }
    }
    return -1;
}

/* A slot to fill: a free one, else the next in round-robin, wiped. */
static unsigned slot_take(custos_t *ctx, const uint8_t subject_hash[32], uint32_t purpose,
                          const uint8_t key_id[VT_ID_BYTES])
{
    struct custos_vault *v = ctx->vault;
    unsigned i;
    for (i = 0; i < VT_SLOTS && v->slots[i].used; i++)
        ;
    if (i == VT_SLOTS)
        i = v->next_victim++ % VT_SLOTS;
    custos_vault__slot_wipe(ctx, i);
    v->slots[i].used = 0;
    v->slots[i].fresh = 0;
    v->slots[i].gcm_ready = 0;
    v->slots[i].for_put = 0;
    v->slots[i].seq = 0;
    memcpy(v->slots[i].subject_hash, subject_hash, 32);
    v->slots[i].purpose = purpose;
    memcpy(v->slots[i].key_id, key_id, VT_ID_BYTES);
    return i;
}

/* Unwrap a key row's key into a slot. */
static int slot_fill(custos_t *ctx, unsigned i, uint32_t gen, const void *wrapped, int wrapped_len)
{
    vt_slot *s = &ctx->vault->slots[i];
    int rc = custos_vault__unwrap_key(ctx, slot_key(ctx, i), gen, wrapped, (size_t)wrapped_len,
                           s->subject_hash, s->purpose, s->key_id);
    if (rc != CUSTOS_OK) {
        custos_vault__audit_failure(ctx, CUSTOS__V1__AUDIT_KIND__AUDIT_KEY_FAILURE, s->subject_hash, s->purpose, rc,
                 "data-key-unwrap-failed");
        return rc;
    }
    s->used = 1;
    return CUSTOS_OK;
}

static int key_create(custos_t *ctx, const uint8_t subject_hash[32], uint32_t purpose, int64_t seq, unsigned *slot)
{
    uint8_t key_id[VT_ID_BYTES], wrapped[VT_WRAPPED_BYTES];
    uint32_t gen;
    int rc = ctx->kp->kek_current(ctx->kp->state, &gen);
    if (rc != CUSTOS_OK)
        return custos__fail(ctx, CUSTOS_EKEY, "vault: the key provider has no KEK (%s)", custos_strerror(rc));
    custos__random(ctx, key_id, sizeof key_id);
    unsigned i = slot_take(ctx, subject_hash, purpose, key_id);
    custos__random(ctx, slot_key(ctx, i), VT_KEY_BYTES);
    if ((rc = custos_vault__wrap_key(ctx, wrapped, gen, slot_key(ctx, i), subject_hash, purpose, key_id)) != CUSTOS_OK)
        return rc;
    sqlite3_stmt *st = NULL;
    if ((rc = custos_vault__stmt(ctx, &st, VT_ST_KEY_INSERT)) != CUSTOS_OK)
        return rc;
    sqlite3_bind_blob(st, 1, subject_hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, purpose);
    sqlite3_bind_blob(st, 3, key_id, VT_ID_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, gen);
    sqlite3_bind_blob(st, 5, wrapped, VT_WRAPPED_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, seq);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return custos__sqlite_fail(ctx, rc, "vault: store a data key");
    ctx->vault->slots[i].used = 1;
    ctx->vault->slots[i].fresh = 1;
    ctx->vault->slots[i].for_put = 1;
    ctx->vault->slots[i].seq = seq;
    *slot = i;
    return CUSTOS_OK;
}

/* Step VT_ST_KEY_BY_SCOPE for (subject_hash, purpose): *st is left on
 * its row (SQLITE_ROW) or done (SQLITE_DONE), for the caller to reset;
 * another SQLite code, or a negative CUSTOS_E* if the statement could not
 * be prepared. */
static int key_row_by_scope(custos_t *ctx, const uint8_t subject_hash[32], uint32_t purpose, sqlite3_stmt **st)
{
    int rc = custos_vault__stmt(ctx, st, VT_ST_KEY_BY_SCOPE);
    if (rc != CUSTOS_OK)
        return rc;
    sqlite3_bind_blob(*st, 1, subject_hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(*st, 2, purpose);
    return sqlite3_step(*st);
}

/* The scope's newest key into a slot (created, seq 0, if the scope has none). */
static int key_newest(custos_t *ctx, const uint8_t subject_hash[32], uint32_t purpose, unsigned *slot)
{
    sqlite3_stmt *st = NULL;
    int rc = key_row_by_scope(ctx, subject_hash, purpose, &st);
    if (rc < 0)
        return rc;
    if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == VT_ID_BYTES) {
        *slot = slot_take(ctx, subject_hash, purpose, sqlite3_column_blob(st, 0));
        ctx->vault->slots[*slot].seq = sqlite3_column_int64(st, 3);
        rc = slot_fill(ctx, *slot, (uint32_t)sqlite3_column_int64(st, 1), sqlite3_column_blob(st, 2),
                       sqlite3_column_bytes(st, 2));
        if (rc == CUSTOS_OK)
            ctx->vault->slots[*slot].for_put = 1;
    } else if (rc == SQLITE_DONE) {
        sqlite3_reset(st);
        rc = key_create(ctx, subject_hash, purpose, 0, slot);
    } else {
        rc = rc == SQLITE_ROW ? custos__fail(ctx, CUSTOS_ECORRUPT, "vault: a key row has a bad key id")
                              : custos__sqlite_fail(ctx, rc, "vault: find a data key");
    }
    sqlite3_reset(st);
    return rc;
}

static uint64_t gcm_limit = VT_GCM_KEY_LIMIT;

void custos__vault_test_key_limit(uint64_t limit) { gcm_limit = limit != 0 ? limit : VT_GCM_KEY_LIMIT; }

/* Add n to slot i's sealed_count unless that passes the limit (*counted = 0). */
static int key_count(custos_t *ctx, unsigned i, uint32_t n, int *counted)
{
    sqlite3_stmt *st = NULL;
    int rc = custos_vault__stmt(ctx, &st, VT_ST_KEY_COUNT);
    if (rc != CUSTOS_OK)
        return rc;
    sqlite3_bind_blob(st, 1, ctx->vault->slots[i].key_id, VT_ID_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, n);
    sqlite3_bind_int64(st, 3, (int64_t)gcm_limit);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return custos__sqlite_fail(ctx, rc, "vault: count a data key's seals");
    *counted = sqlite3_changes(ctx->db) > 0;
    return CUSTOS_OK;
}

/* Count n GCM seals against the scope's key in slot *i; at the limit, retire it (old records
 * keep naming it by key_id) and make the scope's next key, seq + 1, in the same transaction. */
static int key_spend(custos_t *ctx, const uint8_t subject_hash[32], uint32_t purpose, uint32_t n, int *i)
{
    int counted = 0;
    int rc = key_count(ctx, (unsigned)*i, n, &counted);
    if (rc != CUSTOS_OK || counted)
        return rc;
    vt_slot *old = &ctx->vault->slots[*i];
    int64_t seq = old->seq + 1;
    old->for_put = 0;
    unsigned s = 0;
    if ((rc = key_create(ctx, subject_hash, purpose, seq, &s)) != CUSTOS_OK)
        return rc;
    *i = (int)s;
    if ((rc = key_count(ctx, s, n, &counted)) == CUSTOS_OK && !counted)
        rc = custos__fail(ctx, CUSTOS_EINTERNAL, "vault: %u seals exceed a fresh data key's limit", n);
    return rc;
}

int custos_vault__key_for_put(custos_t *ctx, const uint8_t subject_hash[32], uint32_t purpose, uint32_t gcm_seals,
                   const uint8_t **key, uint8_t key_id[VT_ID_BYTES])
{
    custos_vault__cache_check(ctx);
    int i = slot_by_scope(ctx, subject_hash, purpose);
    if (i < 0) {
        unsigned s = 0;
        int rc = key_newest(ctx, subject_hash, purpose, &s);
        if (rc != CUSTOS_OK)
            return rc;
        i = (int)s;
    }
    if (gcm_seals > 0) {
        int rc = key_spend(ctx, subject_hash, purpose, gcm_seals, &i);
        if (rc != CUSTOS_OK)
            return rc;
    }
    *key = slot_key(ctx, (unsigned)i);
    memcpy(key_id, ctx->vault->slots[i].key_id, VT_ID_BYTES);
    return CUSTOS_OK;
}

int custos_vault__key_by_id(custos_t *ctx, const uint8_t key_id[VT_ID_BYTES], const uint8_t **key)
{
    custos_vault__cache_check(ctx);
    int i = slot_by_id(ctx, key_id);
    if (i >= 0) {
        *key = slot_key(ctx, (unsigned)i);
        return CUSTOS_OK;
    }
    sqlite3_stmt *st = NULL;
    int rc = custos_vault__stmt(ctx, &st, VT_ST_KEY_BY_ID);
    if (rc != CUSTOS_OK)
        return rc;
    sqlite3_bind_blob(st, 1, key_id, VT_ID_BYTES, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
        unsigned s = slot_take(ctx, sqlite3_column_blob(st, 0), (uint32_t)sqlite3_column_int64(st, 1), key_id);
        rc = slot_fill(ctx, s, (uint32_t)sqlite3_column_int64(st, 2), sqlite3_column_blob(st, 3),
                       sqlite3_column_bytes(st, 3));
        if (rc == CUSTOS_OK)
            *key = slot_key(ctx, s);
    } else if (rc == SQLITE_DONE) {
        rc = custos__fail(ctx, CUSTOS_EKEY, "vault: the record's data key was destroyed (erased)");
    } else {
        rc = rc == SQLITE_ROW ? custos__fail(ctx, CUSTOS_ECORRUPT, "vault: a key row is damaged")
                              : custos__sqlite_fail(ctx, rc, "vault: find a data key");
    }
    sqlite3_reset(st);
    return rc;
}

/* Bind (subject_hash, purpose-or-all) as ?1, ?2 of a scope query. */
static int scope_stmt(custos_t *ctx, sqlite3_stmt **st, const char *sql, const uint8_t subject_hash[32],
                      uint32_t purpose)
{
    int rc = sqlite3_prepare_v2(ctx->db, sql, -1, st, NULL);
    if (rc != SQLITE_OK)
        return custos__sqlite_fail(ctx, rc, "vault: prepare");
    sqlite3_bind_blob(*st, 1, subject_hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(*st, 2, purpose == CUSTOS_VAULT_ALL_PURPOSES ? -1 : (int64_t)purpose);
    return CUSTOS_OK;
}

static int collect_key_ids(custos_t *ctx, const uint8_t subject_hash[32], uint32_t purpose,
                           uint8_t (**ids)[8], size_t *n)
{
    sqlite3_stmt *st = NULL;
    int rc = scope_stmt(ctx, &st, "SELECT key_id FROM vault_key WHERE subject_hash=?1 AND (?2 < 0 OR purpose=?2)",
                        subject_hash, purpose);
    size_t cap = 0;
    while (rc == CUSTOS_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        rc = CUSTOS_OK;
        if (*n == cap) {
            cap = cap ? cap * 2 : 4;
            uint8_t (*grown)[8] = custos__realloc(*ids, cap * sizeof **ids);
            if (grown == NULL) {
                rc = custos__fail(ctx, CUSTOS_ENOMEM, "vault: out of memory");
                break;
            }
            *ids = grown;
        }
        if (sqlite3_column_bytes(st, 0) == VT_ID_BYTES)
            memcpy((*ids)[(*n)++], sqlite3_column_blob(st, 0), VT_ID_BYTES);
    }
    if (rc == SQLITE_DONE)
        rc = CUSTOS_OK;
    else if (rc > 0)
        rc = custos__sqlite_fail(ctx, rc, "vault: list data keys");
    sqlite3_finalize(st);
    return rc;
}

int custos__vault_has_key(custos_t *ctx, const uint8_t subject_hash[32], uint32_t purpose, int *exists)
{
    sqlite3_stmt *st = NULL;
    *exists = 0;
    int rc = key_row_by_scope(ctx, subject_hash, purpose, &st);
    if (rc < 0)
        return rc;
    sqlite3_reset(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return custos__sqlite_fail(ctx, rc, "vault: find a data key");
    *exists = rc == SQLITE_ROW;
    return CUSTOS_OK;
}

int custos__vault_destroy_keys(custos_t *ctx, const uint8_t subject_hash[32], uint32_t purpose,
                               uint8_t (**key_ids)[8], size_t *n_keys)
{
    *key_ids = NULL;
    *n_keys = 0;
    /* The reads before an erase are recorded before it (access.c). */
    custos_vault__access_committed(ctx, custos_vault__access_append(ctx));
    int rc = collect_key_ids(ctx, subject_hash, purpose, key_ids, n_keys);
    sqlite3_stmt *st = NULL;
    if (rc == CUSTOS_OK)
        rc = scope_stmt(ctx, &st, "DELETE FROM vault_key WHERE subject_hash=?1 AND (?2 < 0 OR purpose=?2)",
                        subject_hash, purpose);
    if (rc == CUSTOS_OK && (rc = sqlite3_step(st)) != SQLITE_DONE)
        rc = custos__sqlite_fail(ctx, rc, "vault: destroy data keys");
    else if (rc == SQLITE_DONE)
        rc = CUSTOS_OK;
    sqlite3_finalize(st);
    custos_vault__cache_evict(ctx);
    if (rc != CUSTOS_OK) {
        custos__free(*key_ids);
        *key_ids = NULL;
        *n_keys = 0;
    }
    return rc;
}

/* Re-wrap one key row under generation `to`, in the arena's first slot. */
static int rewrap_row(custos_t *ctx, sqlite3_stmt *upd, sqlite3_stmt *row, uint32_t to)
{
    const uint8_t *hash = sqlite3_column_blob(row, 0);
    const uint8_t *id = sqlite3_column_blob(row, 2);
    if (sqlite3_column_bytes(row, 0) != 32 || sqlite3_column_bytes(row, 2) != VT_ID_BYTES)
        return custos__fail(ctx, CUSTOS_ECORRUPT, "vault: a key row is damaged");
    uint32_t purpose = (uint32_t)sqlite3_column_int64(row, 1);
    uint8_t *key = slot_key(ctx, 0), wrapped[VT_WRAPPED_BYTES];
    int rc = custos_vault__unwrap_key(ctx, key, (uint32_t)sqlite3_column_int64(row, 3), sqlite3_column_blob(row, 4),
                           (size_t)sqlite3_column_bytes(row, 4), hash, purpose, id);
    if (rc == CUSTOS_OK)
        rc = custos_vault__wrap_key(ctx, wrapped, to, key, hash, purpose, id);
    custos__wipe(key, VT_KEY_BYTES);
    if (rc != CUSTOS_OK)
        return rc;
    /* Static bindings: nothing to allocate, so nothing can bind a NULL. */
    sqlite3_reset(upd);
    sqlite3_bind_int64(upd, 1, to);
    sqlite3_bind_blob(upd, 2, wrapped, VT_WRAPPED_BYTES, SQLITE_STATIC);
    sqlite3_bind_blob(upd, 3, id, VT_ID_BYTES, SQLITE_STATIC);
    rc = sqlite3_step(upd);
    sqlite3_reset(upd);
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "vault: re-wrap a data key");
}

static int rewrap_all(custos_t *ctx, uint32_t to)
{
    sqlite3_stmt *row = NULL, *upd = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "SELECT subject_hash, purpose, key_id, kek_gen, wrapped FROM vault_key"
                                " WHERE kek_gen <> ?1", -1, &row, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(ctx->db, "UPDATE vault_key SET kek_gen=?1, wrapped=?2 WHERE key_id=?3", -1,
                                &upd, NULL);
    if (rc != SQLITE_OK) {
        rc = custos__sqlite_fail(ctx, rc, "vault: prepare the re-wrap");
    } else {
        sqlite3_bind_int64(row, 1, to);
        custos_vault__arena_open(ctx);
        custos_vault__cache_evict(ctx);
        while ((rc = sqlite3_step(row)) == SQLITE_ROW && (rc = rewrap_row(ctx, upd, row, to)) == CUSTOS_OK)
            ;
        custos_vault__arena_close(ctx);
        if (rc == SQLITE_DONE)
            rc = CUSTOS_OK;
        else if (rc > 0)
            rc = custos__sqlite_fail(ctx, rc, "vault: read the data keys");
    }
    sqlite3_finalize(row);
    sqlite3_finalize(upd);
    return rc;
}

/* A rotation that fails after the provider created its generation (the
 * transaction rolls the re-wrap back) leaves a generation above the floor;
 * data keys created afterwards are wrapped under it, the others under none.
 * When the provider is full (CUSTOS_ESTATE), destroy the generations
 * between the floor and the current one that no data key in this
 * transaction's view uses. In an erase
 * that view lacks the keys being destroyed, whose KEK may then go too: the
 * erase is journaled and finishes destroying them if it is rolled back. */
static int kek_make_room(custos_t *ctx)
{
    int64_t floor = 0;
    uint32_t cur = 0;
    sqlite3_stmt *st = NULL;
    int rc = custos_vault__meta_get(ctx, "kek_floor", &floor, 0);
    if (rc == CUSTOS_OK && (rc = ctx->kp->kek_current(ctx->kp->state, &cur)) != CUSTOS_OK)
        return custos__fail(ctx, rc, "vault: the key provider has no current KEK (%s)", custos_strerror(rc));
    if (rc == CUSTOS_OK &&
        (rc = sqlite3_prepare_v2(ctx->db, "SELECT 1 FROM vault_key WHERE kek_gen=?1 LIMIT 1", -1, &st, NULL)) !=
            SQLITE_OK)
        rc = custos__sqlite_fail(ctx, rc, "vault: find the KEK generations in use");
    /* cur stays, so that the next generation number is new (cur + 1) */
    for (uint32_t g = (uint32_t)floor + 1; rc == CUSTOS_OK && g < cur && g > (uint32_t)floor; g++) {
        sqlite3_bind_int64(st, 1, g);
        int s = sqlite3_step(st);
        sqlite3_reset(st);
        if (s == SQLITE_DONE) {
            rc = ctx->kp->kek_destroy(ctx->kp->state, g);
            if (rc == CUSTOS_ENOTFOUND || rc == CUSTOS_ESTATE) /* gone already; or the last one */
                rc = CUSTOS_OK;
        } else if (s != SQLITE_ROW) {
            rc = custos__sqlite_fail(ctx, s, "vault: find the KEK generations in use");
        }
    }
    sqlite3_finalize(st);
    return rc;
}

int custos__vault_rotate_kek(custos_t *ctx)
{
    uint32_t gen;
    int rc = ctx->kp->kek_create(ctx->kp->state, &gen);
    if (rc == CUSTOS_ESTATE && kek_make_room(ctx) == CUSTOS_OK)
        rc = ctx->kp->kek_create(ctx->kp->state, &gen);
    if (rc != CUSTOS_OK)
        return custos__fail(ctx, rc == CUSTOS_ESTATE ? CUSTOS_EKEY : rc,
                            "vault: the key provider could not create a new KEK (%s)", custos_strerror(rc));
    if ((rc = rewrap_all(ctx, gen)) != CUSTOS_OK || (rc = custos_vault__meta_set(ctx, "kek_floor", gen)) != CUSTOS_OK)
        return rc;
    return custos__audit_append(ctx, CUSTOS__V1__AUDIT_KIND__AUDIT_KEY_ROTATED, NULL, -1, 0, "kek-rotated");
}

/* Destroy every KEK generation below the floor that is not yet destroyed. */
int custos_vault__kek_cleanup(custos_t *ctx)
{
    int64_t floor = 0, below = 1;
    int rc = custos_vault__meta_get(ctx, "kek_floor", &floor, 0);
    if (rc == CUSTOS_OK)
        rc = custos_vault__meta_get(ctx, "kek_destroyed_below", &below, 1);
    if (rc != CUSTOS_OK || floor <= below)
        return rc;
    for (int64_t g = below; g < floor; g++) {
        rc = ctx->kp->kek_destroy(ctx->kp->state, (uint32_t)g);
        if (rc != CUSTOS_OK && rc != CUSTOS_ENOTFOUND)
            return custos__fail(ctx, rc, "vault: the key provider could not destroy KEK generation %lld (%s)",
                                (long long)g, custos_strerror(rc));
    }
    return custos_vault__meta_set(ctx, "kek_destroyed_below", floor);
}

int custos__vault_rotate_finish(custos_t *ctx)
{
    int rc = custos__db_begin(ctx);
    if (rc != CUSTOS_OK)
        return rc;
    if ((rc = custos_vault__kek_cleanup(ctx)) != CUSTOS_OK) {
        custos__db_rollback(ctx);
        return rc;
    }
    return custos__db_commit(ctx);
}

int custos_vault_rotate_kek(custos_t *ctx)
{
    if (ctx == NULL)
        return CUSTOS_EINVAL;
    pthread_mutex_lock(&ctx->write_lock);
    int rc = custos_vault__require_wal(ctx);
    if (rc == CUSTOS_OK && (rc = custos__db_begin(ctx)) == CUSTOS_OK) {
        unsigned reads = custos_vault__access_append(ctx);
        if ((rc = custos__vault_rotate_kek(ctx)) == CUSTOS_OK && (rc = custos__db_commit(ctx)) == CUSTOS_OK)
            custos_vault__access_committed(ctx, reads);
        custos__db_rollback(ctx);
    }
    if (rc == CUSTOS_OK)
        rc = custos__vault_rotate_finish(ctx);
    pthread_mutex_unlock(&ctx->write_lock);
    return rc;
}

int custos__vault_test_data_key(custos_t *ctx, const uint8_t subject_hash[32], uint32_t purpose,
                                uint8_t key[32])
{
    sqlite3_stmt *st = NULL;
    int rc = key_row_by_scope(ctx, subject_hash, purpose, &st);
    if (rc < 0)
        return rc;
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? CUSTOS_ENOTFOUND : custos__sqlite_fail(ctx, rc, "vault: find a data key");
    }
    rc = custos_vault__unwrap_key(ctx, key, (uint32_t)sqlite3_column_int64(st, 1), sqlite3_column_blob(st, 2),
                       (size_t)sqlite3_column_bytes(st, 2), subject_hash, purpose, sqlite3_column_blob(st, 0));
    sqlite3_reset(st);
    return rc;
}
