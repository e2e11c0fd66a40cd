/*
 * vault.c: the vault's life with the store: its tables, its statement cache,
 * the guarded arena that caches opened data keys (KEY CACHE below), and the
 * journal-mode check that keeps deleted data out of a persistent journal.
 *
 * KEY CACHE
 *
 * Unwrapped data keys stay in the arena for the handle's life (at most
 * VT_SLOTS, round-robin), each with room for its AES-256-GCM key schedule
 * (computed on the key's first fmt-2 seal or open, so that each record does
 * not expand the key again; a schedule is as secret as its key and is wiped
 * with it). The arena is sodium_malloc'd guarded memory (guard pages, a
 * canary, mlock, no core dumps), set to no access outside a vault call only
 * under CUSTOS_OPEN_KEYS_NOACCESS (its two mprotect calls per call cost more
 * than the rest of a get: docs/BENCHMARKS.md). It is wiped on close
 * (sodium_free), when erase or withdrawal destroys keys
 * (custos__vault_destroy_keys), on KEK rotation, and whenever the database
 * changed under this connection (custos_vault__cache_check).
 * A key created in a call is not kept past that call.
 *
 * TABLES (store format 3)
 *
 *   vault_meta(name, value)         small integers: KEK floor generations
 *   vault_key(subject_hash, purpose, seq, key_id, kek_gen, wrapped, sealed_count)
 *                                   the data keys of a (subject, purpose),
 *                                   seq 0, 1, ...: new records use the
 *                                   highest; sealed_count counts its AES-GCM
 *                                   seals (keys.c); wrapped by KEK
 *                                   generation kek_gen. Format 1 had one key
 *                                   per scope and neither seq nor
 *                                   sealed_count (migrate.c adds them)
 *   vault_record(id, subject_hash, purpose, category, key_id, fmt, created,
 *                expires, sealed)   one sealed payload per row (seal.c: fmt 1
 *                                   XChaCha20-Poly1305, fmt 2 AES-256-GCM); of
 *                                   a stream (fmt 3), its sealed metadata.
 *                                   sealed begins with a row header that
 *                                   repeats purpose to expires: reads use the
 *                                   header, queries the columns. Format 2
 *                                   had no header (migrate.c adds it)
 *   vault_stream(file, record_id)   which file of streams/ holds a stream
 *                                   record's chunks (stream.c); a trigger
 *                                   deletes the row with its record
 *
 * The index on subject_hash alone keeps each subject's rows in id order
 * (an index ends with the rowid), so reading a subject back needs no sort.
 * subject_hash is the keyed BLAKE2b-256 of the subject id (never the id);
 * the only secret-bearing columns are `wrapped` and `sealed`.
 */
#include "vault_private.h"
#include "ground/pack.h"
#include "../audit/audit_internal.h"
#include <custos/audit.h>

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define VT_KEY_TABLE(name)                                                                                  \
    "CREATE TABLE IF NOT EXISTS " name "(subject_hash BLOB NOT NULL, purpose INTEGER NOT NULL,"                \
    " seq INTEGER NOT NULL DEFAULT 0, key_id BLOB NOT NULL UNIQUE, kek_gen INTEGER NOT NULL,"                  \
    " wrapped BLOB NOT NULL, sealed_count INTEGER NOT NULL DEFAULT 0,"                                         \
    " PRIMARY KEY(subject_hash, purpose, seq)) WITHOUT ROWID;"

/* The format-2 vault_key, also made by the migration from format 1 (migrate.c). */
const char custos_vault__key_table[] = VT_KEY_TABLE("vault_key_2");

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS vault_meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
    VT_KEY_TABLE("vault_key")
    "CREATE TABLE IF NOT EXISTS vault_record(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " subject_hash BLOB NOT NULL, purpose INTEGER NOT NULL, category INTEGER NOT NULL,"
    " key_id BLOB NOT NULL, fmt INTEGER NOT NULL, created INTEGER NOT NULL, expires INTEGER,"
    " sealed BLOB NOT NULL);"
    "CREATE INDEX IF NOT EXISTS vault_record_subject ON vault_record(subject_hash);"
    "CREATE INDEX IF NOT EXISTS vault_record_expires ON vault_record(expires) WHERE expires IS NOT NULL;"
    "CREATE TABLE IF NOT EXISTS vault_stream(file TEXT PRIMARY KEY, record_id INTEGER NOT NULL UNIQUE)"
    " WITHOUT ROWID;"
    "CREATE TRIGGER IF NOT EXISTS vault_stream_gone AFTER DELETE ON vault_record WHEN OLD.fmt = 3 BEGIN"
    " DELETE FROM vault_stream WHERE record_id = OLD.id; END;";

static const char *const stmt_sql[VT_ST__COUNT] = {
    [VT_ST_KEY_BY_SCOPE] = "SELECT key_id, kek_gen, wrapped, seq FROM vault_key WHERE subject_hash=?1 AND purpose=?2"
                           " ORDER BY seq DESC LIMIT 1",
    [VT_ST_KEY_BY_ID] = "SELECT subject_hash, purpose, kek_gen, wrapped FROM vault_key WHERE key_id=?1",
    [VT_ST_KEY_INSERT] = "INSERT INTO vault_key(subject_hash, purpose, key_id, kek_gen, wrapped, seq)"
                         " VALUES(?1,?2,?3,?4,?5,?6)",
    [VT_ST_KEY_COUNT] = "UPDATE vault_key SET sealed_count = sealed_count + ?2 WHERE key_id=?1"
                        " AND sealed_count + ?2 <= ?3",
    [VT_ST_NEXT_ID] = "SELECT max(COALESCE((SELECT seq FROM sqlite_sequence WHERE name='vault_record'), 0),"
                      " COALESCE((SELECT max(id) FROM vault_record), 0)) + 1",
    [VT_ST_RECORD_INSERT] = "INSERT INTO vault_record(id, subject_hash, purpose, category, key_id, fmt, created,"
                            " expires, sealed) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)",
    [VT_ST_RECORD_GET] = "SELECT subject_hash, sealed FROM vault_record WHERE id=?1",
    [VT_ST_RECORD_LIST] = "SELECT id FROM vault_record WHERE subject_hash=?1 ORDER BY id",
    [VT_ST_RECORD_WALK] = "SELECT id, sealed FROM vault_record WHERE subject_hash=?1 ORDER BY id",
    [VT_ST_RECORD_DELETE] = "DELETE FROM vault_record WHERE id=?1",
    [VT_ST_JOURNAL] = "PRAGMA journal_mode",
    [VT_ST_STREAM_INSERT] = "INSERT INTO vault_stream(file, record_id) VALUES(?1, ?2)",
    [VT_ST_STREAM_FILE] = "SELECT file FROM vault_stream WHERE record_id=?1",
    [VT_ST_STREAM_ALIVE] = "SELECT EXISTS(SELECT 1 FROM vault_key WHERE key_id=?1),"
                           " EXISTS(SELECT 1 FROM vault_record WHERE id=?2)",
    [VT_ST_STREAM_NAMED] = "SELECT 1 FROM vault_stream s JOIN vault_record r ON r.id = s.record_id"
                           " WHERE s.file=?1",
};

/* The vault's names for ground/pack.h (its files use them throughout). */
void custos_vault__put32(uint8_t *p, uint32_t v) { custos__le32_put(p, v); }
void custos_vault__put64(uint8_t *p, uint64_t v) { custos__le64_put(p, v); }
uint32_t custos_vault__get32(const uint8_t *p) { return custos__le32_get(p); }
uint64_t custos_vault__get64(const uint8_t *p) { return custos__le64_get(p); }

int custos_vault__stmt(custos_t *ctx, sqlite3_stmt **out, int which)
{
    struct custos_vault *v = ctx->vault;
    if (v->st[which] == NULL) {
        int rc = sqlite3_prepare_v3(ctx->db, stmt_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
                                    &v->st[which], NULL);
        if (rc != SQLITE_OK)
            return custos__sqlite_fail(ctx, rc, "vault: prepare");
    }
    sqlite3_reset(v->st[which]);
    sqlite3_clear_bindings(v->st[which]);
    *out = v->st[which];
    return CUSTOS_OK;
}

crypto_aead_aes256gcm_state *custos_vault__slot_gcm(custos_t *ctx, unsigned i)
{
    return (crypto_aead_aes256gcm_state *)(void *)(ctx->vault->arena + i * VT_GCM_STATE_BYTES);
}

uint8_t *custos_vault__slot_key(custos_t *ctx, unsigned i)
{
    return ctx->vault->arena + VT_SLOTS * VT_GCM_STATE_BYTES + i * VT_KEY_BYTES;
}

void custos_vault__slot_wipe(custos_t *ctx, unsigned i)
{
    custos__wipe(custos_vault__slot_key(ctx, i), VT_KEY_BYTES);
    custos__wipe(custos_vault__slot_gcm(ctx, i), VT_GCM_STATE_BYTES);
}

void custos_vault__arena_open(custos_t *ctx)
{
    if (ctx->vault->arena_depth++ == 0 && ctx->vault->noaccess)
        sodium_mprotect_readwrite(ctx->vault->arena);
}

/* The outermost close keeps the cached keys (the arena goes back to no
 * access under CUSTOS_OPEN_KEYS_NOACCESS) but wipes those created in this call: their rows may have been
 * rolled back with its transaction. The per-call id counter and nonce pool
 * are forgotten, so no nonce can be handed out twice. */
void custos_vault__arena_close(custos_t *ctx)
{
    struct custos_vault *v = ctx->vault;
    if (v->arena_depth == 0 || --v->arena_depth > 0)
        return;
    for (unsigned i = 0; i < VT_SLOTS; i++) {
        if (v->slots[i].fresh) {
            custos_vault__slot_wipe(ctx, i);
            custos__wipe(&v->slots[i], sizeof v->slots[i]);
        }
    }
    v->next_id = 0;
    v->cache_checked = 0;
    custos__wipe(v->nonces, sizeof v->nonces);
    v->nonces_left = 0;
    if (v->noaccess)
        sodium_mprotect_noaccess(v->arena);
}

void custos_vault__cache_evict(custos_t *ctx)
{
    struct custos_vault *v = ctx->vault;
    if (v == NULL || v->arena == NULL)
        return;
    if (v->arena_depth == 0 && v->noaccess)
        sodium_mprotect_readwrite(v->arena);
    custos__wipe(v->arena, VT_ARENA_BYTES);
    custos__wipe(v->slots, sizeof v->slots);
    v->next_victim = 0;
    v->evictions++;
    if (v->arena_depth == 0 && v->noaccess)
        sodium_mprotect_noaccess(v->arena);
}

/* Another connection (another handle, another process) may have destroyed
 * a data key since this handle cached it. The pager's data version changes
 * whenever the database changed since this connection last read it (a
 * commit by another connection, and also this connection's own), and then
 * the whole cache goes. It is read once per call, after the call's first
 * statement has opened its read or write transaction, so the version
 * describes the snapshot the call reads keys from; if it cannot be read,
 * the cache goes too. */
void custos_vault__cache_check(custos_t *ctx)
{
    struct custos_vault *v = ctx->vault;
    if (v->cache_checked)
        return;
    v->cache_checked = 1;
    int version = 0;
    if (sqlite3_file_control(ctx->db, "main", SQLITE_FCNTL_DATA_VERSION, &version) != SQLITE_OK ||
        !v->version_known || (uint32_t)version != v->data_version)
        custos_vault__cache_evict(ctx);
    v->data_version = (uint32_t)version;
    v->version_known = 1;
}

void custos_vault__enter(custos_t *ctx)
{
    pthread_mutex_lock(&ctx->write_lock);
    custos_vault__arena_open(ctx);
    if (ctx->vault->arena_depth == 1)
        custos_vault__access_tick(ctx);
}

void custos_vault__leave(custos_t *ctx)
{
    custos_vault__arena_close(ctx);
    pthread_mutex_unlock(&ctx->write_lock);
}

/* The vault writes only in WAL mode: a PERSIST (or DELETE, TRUNCATE, MEMORY,
 * OFF) journal would keep or expose the pages of deleted records. */
int custos_vault__require_wal(custos_t *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc = custos_vault__stmt(ctx, &st, VT_ST_JOURNAL);
    if (rc != CUSTOS_OK)
        return rc;
    if ((rc = sqlite3_step(st)) != SQLITE_ROW)
        return custos__sqlite_fail(ctx, rc, "vault: read the journal mode");
    const char *mode = (const char *)sqlite3_column_text(st, 0);
    int wal = mode != NULL && strcmp(mode, "wal") == 0;
    if (!wal)
        rc = custos__fail(ctx, CUSTOS_ESTATE,
                          "vault: custos.db is in %s journal mode; the vault writes only in WAL mode"
                          " (a %s journal keeps the pages of deleted records)",
                          mode ? mode : "an unknown", mode ? mode : "non-WAL");
    sqlite3_reset(st);
    return wal ? CUSTOS_OK : rc;
}

int custos_vault__meta_get(custos_t *ctx, const char *name, int64_t *value, int64_t dflt)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "SELECT value FROM vault_meta WHERE name=?1", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        *value = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : dflt;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "vault: read meta");
}

int custos_vault__meta_set(custos_t *ctx, const char *name, int64_t value)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "INSERT OR REPLACE INTO vault_meta(name, value) VALUES(?1, ?2)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, value);
        rc = sqlite3_step(st);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "vault: write meta");
}

void custos_vault__audit_failure(custos_t *ctx, int kind, const uint8_t *subject_hash, int64_t purpose,
                      int code, const char *detail)
{
    /* Keep the failure's own message: the audit write must not replace it.
     * Inside the caller's transaction the entry shares its fate; a reader
     * outside one records it in a small transaction of its own. */
    char saved[CUSTOS_ERRMSG_MAX];
    memcpy(saved, ctx->errmsg, sizeof saved);
    if (!sqlite3_get_autocommit(ctx->db)) {
        (void)custos__audit_append(ctx, kind, subject_hash, purpose, code, detail);
    } else if (custos__db_begin(ctx) == CUSTOS_OK) {
        if (custos__audit_append(ctx, kind, subject_hash, purpose, code, detail) == CUSTOS_OK)
            (void)custos__db_commit(ctx);
        custos__db_rollback(ctx);
    }
    custos__fail(ctx, code, "%s", saved);
}

int custos__vault_attach(custos_t *ctx)
{
    struct custos_vault *v = custos__calloc(1, sizeof *v);
    if (v == NULL)
        return custos__fail(ctx, CUSTOS_ENOMEM, "vault: out of memory");
    ctx->vault = v;
    if ((v->arena = sodium_malloc(VT_ARENA_BYTES)) == NULL)
        return custos__fail(ctx, CUSTOS_ENOMEM, "vault: cannot allocate guarded memory for data keys");
    v->noaccess = (ctx->flags & CUSTOS_OPEN_KEYS_NOACCESS) != 0;
    if (v->noaccess)
        sodium_mprotect_noaccess(v->arena);
    v->gcm = custos_vault__gcm_usable();
    /* Sorts and temporary tables stay in memory (PRAGMA temp_store=MEMORY,
     * set at open before any module attaches: lifecycle/open.c). */
    int rc = custos__db_exec(ctx, schema);
    if (rc != CUSTOS_OK)
        return rc;
    custos__audit_set_pending(ctx, custos_vault__access_flush);
    /* No writer can be running yet (the store is locked to this handle): a
     * stream file left by a crash, finished or not, goes now. */
    if ((rc = custos_vault__stream_sweep(ctx, 1)) != CUSTOS_OK)
        return rc;
    return custos_vault__kek_cleanup(ctx);
}

void custos__vault_detach(custos_t *ctx)
{
    struct custos_vault *v = ctx->vault;
    if (v == NULL)
        return;
    custos__audit_set_pending(ctx, NULL);
    if (ctx->db != NULL)
        custos_vault__access_flush(ctx);
    custos__wipe(v->access, sizeof v->access);
    for (int i = 0; i < VT_ST__COUNT; i++)
        sqlite3_finalize(v->st[i]);
    if (v->arena != NULL)
        sodium_free(v->arena); /* wipes */
    custos__free(v);
    ctx->vault = NULL;
}

size_t custos_vault_payload_max(void) { return CUSTOS_VAULT_PAYLOAD_MAX; }
