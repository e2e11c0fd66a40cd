/*
 * audit_log.c: writing the chain: the module hooks, appending an entry,
 * signing checkpoints and the opt-out setting. The format is described in
 * audit_chain.h.
 */
#include "audit_chain.h"
#include "ground/pack.h"

#include <sodium.h>
#include <string.h>

static const struct {
    const char *name;
    int mandatory;
} kinds[] = {
    [CUSTOS_AUDIT_STORE_CREATED]       = { "store_created", 1 },
    [CUSTOS_AUDIT_CONSENT_CHANGED]     = { "consent_changed", 1 },
    [CUSTOS_AUDIT_ERASE]               = { "erase", 1 },
    [CUSTOS_AUDIT_FACTORY_RESET]       = { "factory_reset", 1 },
    [CUSTOS_AUDIT_EXPORT]              = { "export", 1 },
    [CUSTOS_AUDIT_KEY_FAILURE]         = { "key_failure", 1 },
    [CUSTOS_AUDIT_INTEGRITY_VIOLATION] = { "integrity_violation", 1 },
    [CUSTOS_AUDIT_MANIFEST_LOADED]     = { "manifest_loaded", 1 },
    [CUSTOS_AUDIT_KEY_ROTATED]         = { "key_rotated", 1 },
    [CUSTOS_AUDIT_PAIRING]             = { "pairing", 1 },
    [CUSTOS_AUDIT_SETTINGS_CHANGED]    = { "settings_changed", 1 },
    [CUSTOS_AUDIT_ACCESS]              = { "access", 0 },
};

static int kind_known(int kind)
{
    return kind > 0 && (size_t)kind < sizeof kinds / sizeof kinds[0];
}

const char *custos_audit_kind_name(custos_audit_kind kind)
{
    return kind_known((int)kind) ? kinds[kind].name : "unknown";
}

int custos_audit_kind_is_mandatory(custos_audit_kind kind)
{
    return kind_known((int)kind) ? kinds[kind].mandatory : -1;
}
unsigned int custos_audit_checkpoint_interval(void) { return CUSTOS_AUDIT_CHECKPOINT_INTERVAL; }
size_t custos_audit_detail_max(void) { return CUSTOS_AUDIT_DETAIL_MAX; }

static int prepare(custos_t *ctx, sqlite3_stmt **st, const char *sql)
{
    int rc = sqlite3_prepare_v3(ctx->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
    return rc == SQLITE_OK ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "audit: prepare");
}

static int load_optional(custos_t *ctx, int *out)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(ctx, &st, "SELECT value FROM audit_setting WHERE name = 'optional'");
    if (rc != CUSTOS_OK)
        return rc;
    *out = 1;
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        *out = sqlite3_column_int(st, 0) != 0;
    sqlite3_finalize(st);
    return (s == SQLITE_ROW || s == SQLITE_DONE) ? CUSTOS_OK : custos__sqlite_fail(ctx, s, "audit: read setting");
}

static int chain_is_empty(custos_t *ctx, int *empty)
{
    sqlite3_stmt *st = ctx->audit->last;
    int s = sqlite3_step(st);
    *empty = s == SQLITE_DONE;
    sqlite3_reset(st);
    return (s == SQLITE_ROW || s == SQLITE_DONE) ? CUSTOS_OK : custos__sqlite_fail(ctx, s, "audit: read chain");
}

int custos__audit_attach(custos_t *ctx)
{
    static const char schema[] =
        "CREATE TABLE IF NOT EXISTS audit_entry(seq INTEGER PRIMARY KEY, bytes BLOB NOT NULL);"
        "CREATE TABLE IF NOT EXISTS audit_checkpoint(seq INTEGER PRIMARY KEY, bytes BLOB NOT NULL);"
        "CREATE TABLE IF NOT EXISTS audit_setting(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;";
    int rc = custos__db_exec(ctx, schema);
    if (rc != CUSTOS_OK)
        return rc;
    if ((ctx->audit = custos__calloc(1, sizeof *ctx->audit)) == NULL)
        return custos__fail(ctx, CUSTOS_ENOMEM, "audit: out of memory");
    int empty = 0;
    if ((rc = load_optional(ctx, &ctx->audit->optional)) != CUSTOS_OK ||
        (rc = prepare(ctx, &ctx->audit->last,
                      "SELECT seq, bytes FROM audit_entry ORDER BY seq DESC LIMIT 1")) != CUSTOS_OK ||
        (rc = prepare(ctx, &ctx->audit->insert,
                      "INSERT INTO audit_entry(seq, bytes) VALUES (?1, ?2)")) != CUSTOS_OK ||
        (rc = chain_is_empty(ctx, &empty)) != CUSTOS_OK)
        return rc;
    return empty ? custos__audit_append(ctx, CUSTOS_AUDIT_STORE_CREATED, NULL, -1, 0, NULL) : CUSTOS_OK;
}

/* On close, sign whatever the last checkpoint does not cover, so that a
 * truncation of the tail while the store is closed is detected. Best effort:
 * a provider that can no longer sign (keys destroyed) leaves the tail unsigned. */
void custos__audit_detach(custos_t *ctx)
{
    struct custos_audit *a = ctx->audit;
    if (a == NULL)
        return;
    if (ctx->db != NULL && a->last != NULL && a->insert != NULL && sqlite3_get_autocommit(ctx->db) &&
        custos__db_begin(ctx) == CUSTOS_OK) {
        if (custos__audit_write_checkpoint(ctx) == CUSTOS_OK)
            (void)custos__db_commit(ctx);
        custos__db_rollback(ctx);
    }
    sqlite3_finalize(a->last);
    sqlite3_finalize(a->insert);
    custos__free(a->memo.v);
    custos__free(a);
    ctx->audit = NULL;
}

/* The newest entry's seq and hash (0 and zeros for an empty chain). */
static int chain_head(custos_t *ctx, uint64_t *seq, uint8_t hash[32])
{
    sqlite3_stmt *st = ctx->audit->last;
    *seq = 0;
    memset(hash, 0, 32); /* not secret */
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        *seq = (uint64_t)sqlite3_column_int64(st, 0);
        const void *b = sqlite3_column_blob(st, 1);
        crypto_generichash(hash, 32, b, (size_t)sqlite3_column_bytes(st, 1), NULL, 0);
    }
    sqlite3_reset(st);
    return (s == SQLITE_ROW || s == SQLITE_DONE) ? CUSTOS_OK : custos__sqlite_fail(ctx, s, "audit: read chain head");
}

int custos__audit_head(custos_t *ctx, uint64_t *seq, uint8_t hash[32])
{
    return chain_head(ctx, seq, hash);
}

int custos__audit_hash_at(custos_t *ctx, uint64_t seq, uint8_t hash[32])
{
    sqlite3_stmt *st = NULL; /* once per open: not kept */
    int rc = sqlite3_prepare_v2(ctx->db, "SELECT bytes FROM audit_entry WHERE seq = ?1", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return custos__sqlite_fail(ctx, rc, "audit: prepare");
    sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        crypto_generichash(hash, 32, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), NULL, 0);
    sqlite3_finalize(st);
    if (s == SQLITE_ROW)
        return CUSTOS_OK;
    return s == SQLITE_DONE ? CUSTOS_ENOTFOUND : custos__sqlite_fail(ctx, s, "audit: read an entry");
}

static int check_args(custos_t *ctx, int kind, int64_t purpose, const char *detail)
{
    if (!kind_known(kind))
        return custos__fail(ctx, CUSTOS_EINVAL, "audit: unknown event kind %d", kind);
    if (purpose < -1 || purpose > (int64_t)UINT32_MAX)
        return custos__fail(ctx, CUSTOS_EINVAL, "audit: purpose %lld out of range", (long long)purpose);
    if (detail == NULL)
        return CUSTOS_OK;
    size_t n = strnlen(detail, CUSTOS_AUDIT_DETAIL_MAX + 1);
    if (n > CUSTOS_AUDIT_DETAIL_MAX)
        return custos__fail(ctx, CUSTOS_EINVAL, "audit: detail longer than %u bytes", CUSTOS_AUDIT_DETAIL_MAX);
    for (size_t i = 0; i < n; i++)
        if (detail[i] < 0x20 || detail[i] > 0x7e)
            return custos__fail(ctx, CUSTOS_EINVAL, "audit: detail must be printable ASCII (byte %zu)", i);
    return CUSTOS_OK;
}

static int insert_entry(custos_t *ctx, uint64_t seq, const uint8_t *bytes, size_t len)
{
    sqlite3_stmt *st = ctx->audit->insert;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
    sqlite3_bind_blob(st, 2, bytes, (int)len, SQLITE_STATIC);
    int s = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return s == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, s, "audit: append");
}

int custos__audit_append(custos_t *ctx, int kind, const uint8_t *subject_hash,
                         int64_t purpose, int code, const char *detail)
{
    if (ctx == NULL || ctx->audit == NULL)
        return CUSTOS_EINVAL;
    int rc = check_args(ctx, kind, purpose, detail);
    if (rc != CUSTOS_OK)
        return rc;
    if (sqlite3_get_autocommit(ctx->db))
        return custos__fail(ctx, CUSTOS_ESTATE, "audit: append outside the writer's transaction");
    if (!kinds[kind].mandatory && !ctx->audit->optional)
        return CUSTOS_OK;

    uint64_t seq;
    uint8_t prev[32];
    struct custos_audit *a = ctx->audit;
    if (a->head_txn != 0 && a->head_txn == ctx->txn_serial) {
        seq = a->head_seq;
        memcpy(prev, a->head_hash, 32);
    } else if ((rc = chain_head(ctx, &seq, prev)) != CUSTOS_OK) {
        return rc;
    }
    Custos__V1__AuditEntry e = CUSTOS__V1__AUDIT_ENTRY__INIT;
    e.seq = ++seq;
    e.kind = (Custos__V1__AuditKind)kind;
    e.time = custos__now(ctx, NULL);
    e.has_subject_hash = subject_hash != NULL;
    e.subject_hash = (ProtobufCBinaryData){ subject_hash != NULL ? 32 : 0, (uint8_t *)subject_hash };
    e.has_purpose = purpose >= 0;
    e.purpose = purpose >= 0 ? (uint32_t)purpose : 0;
    e.has_code = code != 0;
    e.code = code;
    e.detail = (char *)detail;
    e.prev_hash = (ProtobufCBinaryData){ 32, prev };

    uint8_t bytes[AUDIT_ENTRY_MAX];
    size_t len = custos__v1__audit_entry__get_packed_size(&e);
    if (len > sizeof bytes)
        return custos__fail(ctx, CUSTOS_EINTERNAL, "audit: entry of %zu bytes", len);
    custos__v1__audit_entry__pack(&e, bytes);
    a->head_txn = 0;
    if ((rc = insert_entry(ctx, seq, bytes, len)) != CUSTOS_OK)
        return rc;
    a->head_txn = ctx->txn_serial;
    a->head_seq = seq;
    crypto_generichash(a->head_hash, 32, bytes, len, NULL, 0);
    return seq % CUSTOS_AUDIT_CHECKPOINT_INTERVAL == 0 ? custos__audit_write_checkpoint(ctx) : CUSTOS_OK;
}

int custos__audit_optional(const custos_t *ctx)
{
    return ctx != NULL && ctx->audit != NULL && ctx->audit->optional;
}

int custos__audit_record(custos_t *ctx, int kind, const uint8_t *subject_hash,
                         int64_t purpose, int code, const char *detail)
{
    if (ctx == NULL || ctx->audit == NULL)
        return CUSTOS_EINVAL;
    char saved[CUSTOS_ERRMSG_MAX];
    pthread_mutex_lock(&ctx->err_lock);
    memcpy(saved, ctx->errmsg, sizeof saved);
    pthread_mutex_unlock(&ctx->err_lock);
    pthread_mutex_lock(&ctx->write_lock);
    int rc = custos__db_begin(ctx);
    if (rc == CUSTOS_OK && (rc = custos__audit_append(ctx, kind, subject_hash, purpose, code, detail)) == CUSTOS_OK)
        rc = custos__db_commit(ctx);
    if (rc != CUSTOS_OK)
        custos__db_rollback(ctx);
    pthread_mutex_unlock(&ctx->write_lock);
    custos__fail(ctx, 0, "%s", saved);
    return rc;
}

void custos__audit_checkpoint_message(uint8_t msg[CUSTOS_AUDIT_CP_MSG_BYTES], uint64_t seq, const uint8_t hash[32])
{
    memcpy(msg, CUSTOS_AUDIT_CP_TAG, 16);
    custos__le64_put(msg + 16, seq);
    memcpy(msg + 24, hash, 32);
}

static int checkpoint_exists(custos_t *ctx, uint64_t seq, int *exists)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(ctx, &st, "SELECT 1 FROM audit_checkpoint WHERE seq = ?1");
    if (rc != CUSTOS_OK)
        return rc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
    int s = sqlite3_step(st);
    sqlite3_finalize(st);
    *exists = s == SQLITE_ROW;
    return (s == SQLITE_ROW || s == SQLITE_DONE) ? CUSTOS_OK : custos__sqlite_fail(ctx, s, "audit: read checkpoints");
}

static int insert_checkpoint(custos_t *ctx, uint64_t seq, const uint8_t *bytes, size_t len)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(ctx, &st, "INSERT INTO audit_checkpoint(seq, bytes) VALUES (?1, ?2)");
    if (rc != CUSTOS_OK)
        return rc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
    sqlite3_bind_blob(st, 2, bytes, (int)len, SQLITE_STATIC);
    int s = sqlite3_step(st);
    sqlite3_finalize(st);
    return s == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, s, "audit: write checkpoint");
}

int custos__audit_write_checkpoint(custos_t *ctx)
{
    uint64_t seq;
    uint8_t hash[32], msg[CUSTOS_AUDIT_CP_MSG_BYTES], sig[64];
    int exists = 0;
    int rc = chain_head(ctx, &seq, hash);
    if (rc != CUSTOS_OK || seq == 0)
        return rc;
    if ((rc = checkpoint_exists(ctx, seq, &exists)) != CUSTOS_OK || exists)
        return rc;
    custos__audit_checkpoint_message(msg, seq, hash);
    if ((rc = ctx->kp->sign(ctx->kp->state, sig, msg, sizeof msg)) != CUSTOS_OK)
        return custos__fail(ctx, rc == CUSTOS_ENOMEM ? rc : CUSTOS_EKEY,
                            "audit: the key provider could not sign checkpoint %llu (%s)",
                            (unsigned long long)seq, custos_strerror(rc));
    Custos__V1__AuditCheckpoint cp = CUSTOS__V1__AUDIT_CHECKPOINT__INIT;
    cp.seq = seq;
    cp.entry_hash = (ProtobufCBinaryData){ 32, hash };
    cp.signature = (ProtobufCBinaryData){ 64, sig };
    uint8_t bytes[AUDIT_CHECKPOINT_MAX];
    size_t len = custos__v1__audit_checkpoint__pack(&cp, bytes);
    return insert_checkpoint(ctx, seq, bytes, len);
}

/* Run fn inside a write transaction under the write lock. */
static int in_transaction(custos_t *ctx, int (*fn)(custos_t *, int), int arg)
{
    pthread_mutex_lock(&ctx->write_lock);
    int rc = custos__db_begin(ctx);
    if (rc == CUSTOS_OK && (rc = fn(ctx, arg)) == CUSTOS_OK)
        rc = custos__db_commit(ctx);
    if (rc != CUSTOS_OK)
        custos__db_rollback(ctx);
    pthread_mutex_unlock(&ctx->write_lock);
    return rc;
}

static int checkpoint_now(custos_t *ctx, int unused)
{
    (void)unused;
    return custos__audit_write_checkpoint(ctx);
}

int custos_audit_checkpoint(custos_t *ctx)
{
    if (ctx == NULL || ctx->audit == NULL)
        return CUSTOS_EINVAL;
    return in_transaction(ctx, checkpoint_now, 0);
}

/* The opt-out of optional entries changes what the access report discloses,
 * so its row is part of the consent seal, like the erase evidence: an edit
 * behind the library's back fails the gate closed until repair, which takes
 * the value back from the chain (custos__audit_setting_restore). The seal
 * belongs to the consent module, above this one: lifecycle hands its
 * registration call in. audit_setting_sealed marks a store whose seal holds
 * the row. */
_Static_assert(CUSTOS_SEAL_TAG_AUDIT_SETTING == 20, "the tag in the triggers below");
static const char setting_triggers[] =
    CUSTOS_SEAL_TRIGGERS("audit_setting", "audit_setting", "NEW.name, NEW.value", "OLD.name, OLD.value", 20);

int custos__audit_seal_setting(custos_t *ctx, custos__seal_add_fn seal_add)
{
    int marked = 0;
    int rc = custos__db_table_exists(ctx, "audit_setting_sealed", &marked);
    if (rc == CUSTOS_OK)
        rc = custos__db_exec(ctx, setting_triggers);
    if (rc == CUSTOS_OK)
        rc = seal_add(ctx, CUSTOS_SEAL_TAG_AUDIT_SETTING, "SELECT name, value FROM audit_setting", !marked);
    if (rc == CUSTOS_OK && !marked)
        rc = custos__db_mark(ctx, "audit_setting_sealed");
    return rc;
}

static int store_optional(custos_t *ctx, int enabled)
{
    sqlite3_stmt *st = NULL;
    int rc = prepare(ctx, &st, "INSERT OR REPLACE INTO audit_setting(name, value) VALUES ('optional', ?1)");
    if (rc != CUSTOS_OK)
        return rc;
    sqlite3_bind_int(st, 1, enabled);
    int s = sqlite3_step(st);
    sqlite3_finalize(st);
    if (s != SQLITE_DONE)
        return custos__sqlite_fail(ctx, s, "audit: write setting");
    return custos__audit_append(ctx, CUSTOS_AUDIT_SETTINGS_CHANGED, NULL, -1, 0,
                                enabled ? "audit.optional.on" : "audit.optional.off");
}

/* The chain's last word on the opt-out: the detail of the newest
 * settings_changed entry (1 if there is none: optional entries are recorded
 * by default). The chain is hash-linked and signed at checkpoints, so an
 * entry forged here fails custos_audit_verify. */
static int chain_optional(custos_t *ctx, int *out)
{
    sqlite3_stmt *st = NULL; /* repair only: not kept */
    int rc = sqlite3_prepare_v2(ctx->db,
                                "SELECT bytes FROM audit_entry"
                                " WHERE instr(bytes, CAST('audit.optional.' AS BLOB)) > 0 ORDER BY seq DESC",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return custos__sqlite_fail(ctx, rc, "audit: prepare");
    int s, found = 0;
    *out = 1;
    while (!found && (s = sqlite3_step(st)) == SQLITE_ROW) {
        Custos__V1__AuditEntry *e = custos__v1__audit_entry__unpack(NULL, (size_t)sqlite3_column_bytes(st, 0),
                                                                    sqlite3_column_blob(st, 0));
        if (e != NULL && e->kind == (Custos__V1__AuditKind)CUSTOS_AUDIT_SETTINGS_CHANGED && e->detail != NULL &&
            strncmp(e->detail, "audit.optional.", 15) == 0) {
            *out = strcmp(e->detail, "audit.optional.off") != 0;
            found = 1;
        }
        custos__v1__audit_entry__free_unpacked(e, NULL);
    }
    if (!found && s != SQLITE_DONE)
        rc = custos__sqlite_fail(ctx, s, "audit: read the chain");
    sqlite3_finalize(st);
    return found || s == SQLITE_DONE ? CUSTOS_OK : rc;
}

int custos__audit_setting_restore(custos_t *ctx, int *changed)
{
    int want = 1;
    int rc = chain_optional(ctx, &want);
    *changed = 0;
    if (rc != CUSTOS_OK)
        return rc;
    int have = 1;
    if ((rc = load_optional(ctx, &have)) != CUSTOS_OK)
        return rc;
    sqlite3_stmt *st = NULL;
    rc = prepare(ctx, &st, "INSERT OR REPLACE INTO audit_setting(name, value) VALUES ('optional', ?1)");
    if (rc != CUSTOS_OK)
        return rc;
    sqlite3_bind_int(st, 1, want);
    int s = sqlite3_step(st);
    sqlite3_finalize(st);
    if (s != SQLITE_DONE)
        return custos__sqlite_fail(ctx, s, "audit: write setting");
    *changed = want != have;
    ctx->audit->optional = want;
    return CUSTOS_OK;
}

void custos__audit_set_pending(custos_t *ctx, custos__audit_pending_fn fn)
{
    if (ctx != NULL && ctx->audit != NULL)
        ctx->audit->pending = fn;
}

void custos__audit_flush_pending(custos_t *ctx)
{
    if (ctx != NULL && ctx->audit != NULL && ctx->audit->pending != NULL && sqlite3_get_autocommit(ctx->db))
        ctx->audit->pending(ctx);
}

int custos_audit_set_optional(custos_t *ctx, int enabled)
{
    if (ctx == NULL || ctx->audit == NULL)
        return CUSTOS_EINVAL;
    if (enabled != 0 && enabled != 1)
        return custos__fail(ctx, CUSTOS_EINVAL, "custos_audit_set_optional: enabled must be 0 or 1, not %d", enabled);
    pthread_mutex_lock(&ctx->write_lock);
    custos__audit_flush_pending(ctx); /* reads recorded while the setting was on are kept */
    pthread_mutex_unlock(&ctx->write_lock);
    int rc = in_transaction(ctx, store_optional, enabled);
    if (rc == CUSTOS_OK) {
        pthread_mutex_lock(&ctx->write_lock);
        ctx->audit->optional = enabled;
        pthread_mutex_unlock(&ctx->write_lock);
    }
    return rc;
}

int custos_audit_get_optional(custos_t *ctx, int *out_enabled)
{
    if (ctx == NULL || ctx->audit == NULL || out_enabled == NULL)
        return CUSTOS_EINVAL;
    pthread_mutex_lock(&ctx->write_lock);
    *out_enabled = ctx->audit->optional;
    pthread_mutex_unlock(&ctx->write_lock);
    return CUSTOS_OK;
}
