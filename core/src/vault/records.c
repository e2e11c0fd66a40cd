/*
 * records.c: storing, reading, listing and deleting sealed records.
 *
 * Every public call takes ctx->write_lock for its whole length (SQLite
 * statements and the key arena are per handle); the arena is readable only
 * for that length (its keys stay cached between calls, vault.c). Writes
 * check first that the gate allows them and that the database is still in
 * WAL mode; reads leave their access entry to access.c.
 */
#include "vault_private.h"
#include "../consent/subject_internal.h"
#include "../consent/policy_internal.h"
#include "custos/v1/audit.pb-c.h"

#include <custos/gate.h>
#include <sodium.h>
#include <string.h>

int custos_vault__subject_hash(custos_t *ctx, custos_subject subject, uint8_t out[32])
{
    int rc = custos__subject_hash_of(ctx, subject, out);
    if (rc == CUSTOS_ENOTFOUND)
        return custos__fail(ctx, rc, "vault: subject %u is not registered", subject);
    return rc;
}

int custos_vault__expiry(custos_t *ctx, uint32_t purpose, uint64_t now, uint64_t *expires)
{
    const custos_manifest_pb *m = custos__policy_manifest(ctx, NULL);
    const custos_purpose_pb *p = m != NULL ? custos__manifest_purpose(m, purpose) : NULL;
    if (p == NULL)
        return custos__fail(ctx, CUSTOS_EDENIED, "vault: purpose %u is not declared in the loaded manifest", purpose);
    *expires = 0; /* no time limit: kept until an event (until_event) or erasure */
    if (p->retention != NULL && p->retention->has_seconds && p->retention->seconds > 0)
        *expires = p->retention->seconds > UINT64_MAX - now ? UINT64_MAX : now + p->retention->seconds;
    return CUSTOS_OK;
}

/* The next record id: read once per call, then counted (the call holds the
 * write transaction, so nobody else inserts meanwhile). */
int custos_vault__next_id(custos_t *ctx, int64_t *id)
{
    if (ctx->vault->next_id > 0) {
        *id = ctx->vault->next_id++;
        return CUSTOS_OK;
    }
    sqlite3_stmt *st = NULL;
    int rc = custos_vault__stmt(ctx, &st, VT_ST_NEXT_ID);
    if (rc != CUSTOS_OK)
        return rc;
    rc = sqlite3_step(st);
    *id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return custos__sqlite_fail(ctx, rc, "vault: allocate a record id");
    ctx->vault->next_id = *id + 1;
    return CUSTOS_OK;
}

int custos_vault__insert_row(custos_t *ctx, const vt_record_ad *ad, const uint8_t *row, size_t row_len)
{
    /* the columns repeat the header (custos_vault__row_head made it, within INT64_MAX) */
    int64_t created = (int64_t)custos_vault__get64(row + VT_HEAD_CREATED);
    int64_t expires = (int64_t)custos_vault__get64(row + VT_HEAD_EXPIRES);
    sqlite3_stmt *st = NULL;
    int rc = custos_vault__stmt(ctx, &st, VT_ST_RECORD_INSERT);
    if (rc != CUSTOS_OK)
        return rc;
    sqlite3_bind_int64(st, 1, ad->id);
    sqlite3_bind_blob(st, 2, ad->subject_hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, ad->purpose);
    sqlite3_bind_int64(st, 4, ad->category);
    sqlite3_bind_blob(st, 5, ad->key_id, VT_ID_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, ad->fmt);
    sqlite3_bind_int64(st, 7, created);
    if (expires != 0)
        sqlite3_bind_int64(st, 8, expires);
    sqlite3_bind_blob64(st, 9, row, row_len, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "vault: store a record");
}

int custos_vault__insert_sealed(custos_t *ctx, custos_record_id *out_id, const uint8_t subject_hash[32],
                     uint32_t purpose, uint32_t category, uint64_t created, uint64_t expires,
                     const uint8_t *data, size_t len)
{
    const uint8_t *key;
    uint8_t key_id[VT_ID_BYTES];
    int64_t id;
    uint32_t fmt = custos_vault__record_fmt(ctx);
    int rc = custos_vault__key_for_put(ctx, subject_hash, purpose, fmt == VT_RECORD_GCM, &key, key_id);
    if (rc != CUSTOS_OK || (rc = custos_vault__next_id(ctx, &id)) != CUSTOS_OK)
        return rc;
    size_t row_len = VT_ROW_HEAD + custos_vault__sealed_len(fmt, len);
    uint8_t *row = custos__malloc(row_len);
    if (row == NULL)
        return custos__fail(ctx, CUSTOS_ENOMEM, "vault: out of memory");
    vt_record_ad ad = { .id = id, .subject_hash = subject_hash, .purpose = purpose, .category = category,
                        .key_id = key_id, .fmt = fmt };
    custos_vault__row_head(row, &ad, VT_AD_HEAD, created, expires);
    custos_vault__seal(ctx, row + VT_ROW_HEAD, data, len, &ad, key);
    rc = custos_vault__insert_row(ctx, &ad, row, row_len);
    custos__free(row);
    if (rc == CUSTOS_OK)
        *out_id = id;
    return rc;
}

static int check_items(custos_t *ctx, const custos_vault_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (items[i].data == NULL && items[i].len > 0)
            return custos__fail(ctx, CUSTOS_EINVAL, "vault put: item %zu has no data but a length of %zu",
                                i, items[i].len);
        if (items[i].len > CUSTOS_VAULT_PAYLOAD_MAX)
            return custos__fail(ctx, CUSTOS_EINVAL, "vault put: item %zu is %zu bytes; the most is %u",
                                i, items[i].len, CUSTOS_VAULT_PAYLOAD_MAX);
    }
    return CUSTOS_OK;
}

/* Ask the gate for every item before anything is written. */
static int gate_items(custos_t *ctx, custos_subject subject, const custos_vault_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        custos_decision d = custos_check(ctx, subject, items[i].purpose, items[i].category);
        if (d == CUSTOS_DENY_INTEGRITY)
            return custos__fail(ctx, CUSTOS_ECORRUPT, "vault put refused for purpose %u: %s; "
                                "custos_consent_repair re-folds it from the ledger",
                                items[i].purpose, custos_decision_str(d));
        if (d != CUSTOS_ALLOW)
            return custos__fail(ctx, CUSTOS_EDENIED, "vault put denied for purpose %u, category %u: %s",
                                items[i].purpose, items[i].category, custos_decision_str(d));
    }
    return CUSTOS_OK;
}

static int put_locked(custos_t *ctx, custos_record_id *ids, custos_subject subject,
                      const custos_vault_item *items, size_t n)
{
    uint8_t hash[32];
    int rc = custos_vault__require_wal(ctx);
    if (rc != CUSTOS_OK || (rc = gate_items(ctx, subject, items, n)) != CUSTOS_OK ||
        (rc = custos_vault__subject_hash(ctx, subject, hash)) != CUSTOS_OK || (rc = custos__db_begin(ctx)) != CUSTOS_OK)
        return rc;
    unsigned reads = custos_vault__access_append(ctx);
    uint64_t now = custos__now(ctx, NULL), expires = 0;
    for (size_t i = 0; i < n && rc == CUSTOS_OK; i++) {
        if ((rc = custos_vault__expiry(ctx, items[i].purpose, now, &expires)) == CUSTOS_OK)
            rc = custos_vault__insert_sealed(ctx, &ids[i], hash, items[i].purpose, items[i].category, now, expires,
                                  items[i].data, items[i].len);
    }
    if (rc == CUSTOS_OK && (rc = custos__db_commit(ctx)) == CUSTOS_OK)
        custos_vault__access_committed(ctx, reads);
    custos__db_rollback(ctx);
    return rc;
}

int custos_vault_put_many(custos_t *ctx, custos_record_id *out_ids, custos_subject subject,
                          const custos_vault_item *items, size_t n)
{
    if (ctx == NULL)
        return CUSTOS_EINVAL;
    if (out_ids == NULL || items == NULL || n == 0)
        return custos__fail(ctx, CUSTOS_EINVAL, "vault put: no items, or nowhere to return their ids");
    int rc = check_items(ctx, items, n);
    if (rc != CUSTOS_OK)
        return rc;
    custos_vault__enter(ctx);
    rc = put_locked(ctx, out_ids, subject, items, n);
    custos_vault__leave(ctx);
    return rc;
}

int custos_vault_put(custos_t *ctx, custos_record_id *out_id, custos_subject subject,
                     uint32_t purpose, uint32_t category, const void *data, size_t len)
{
    custos_vault_item item = { purpose, category, data, len };
    return custos_vault_put_many(ctx, out_id, subject, &item, 1);
}

/* A record row as VT_ST_RECORD_WALK and VT_ST_RECORD_GET read it: the header
 * in the sealed column says the rest (seal.c, SEALED ROW). */
typedef struct row_view {
    vt_record_ad ad;
    custos_vault_info info;
    const uint8_t *sealed;
    size_t sealed_len;
} row_view;

/* The row's subject hash comes from the caller (a walk by subject), or from
 * column 0 (get by id); its sealed column is column 1. */
static int row_read(custos_t *ctx, sqlite3_stmt *st, const uint8_t *subject_hash, row_view *r)
{
    if (subject_hash == NULL) {
        subject_hash = sqlite3_column_blob(st, 0);
        if (sqlite3_column_bytes(st, 0) != 32)
            return custos__fail(ctx, CUSTOS_ECORRUPT, "vault: record %lld is damaged (subject column)",
                                (long long)r->ad.id);
    }
    r->ad.subject_hash = subject_hash;
    const uint8_t *row = sqlite3_column_blob(st, 1);
    size_t row_len = (size_t)sqlite3_column_bytes(st, 1);
    return custos_vault__row_parse(ctx, row, row_len, &r->ad, &r->info, &r->sealed, &r->sealed_len);
}

int custos_vault__row_columns(custos_t *ctx, sqlite3_stmt *st, int64_t id, vt_record_ad *ad,
                              custos_vault_info *info, const uint8_t **sealed, size_t *sealed_len)
{
    row_view r = { .ad.id = id };
    int rc = row_read(ctx, st, NULL, &r);
    *ad = r.ad;
    *info = r.info;
    *sealed = r.sealed;
    *sealed_len = r.sealed_len;
    return rc;
}

/* A stream row seen by get or a walk: its metadata must open; info->size becomes its length. */
static int row_stream(custos_t *ctx, row_view *r)
{
    uint64_t length = 0;
    int rc = custos_vault__stream_meta(ctx, &r->ad, r->sealed, r->sealed_len, &length, NULL);
    r->info.size = length > SIZE_MAX ? SIZE_MAX : (size_t)length;
    return rc;
}

/* Open a row's payload into out (r->info.size bytes). */
static int row_open(custos_t *ctx, const row_view *r, uint8_t *out)
{
    const uint8_t *key;
    int rc = custos_vault__key_by_id(ctx, r->ad.key_id, &key);
    if (rc != CUSTOS_OK)
        return rc;
    if ((rc = custos_vault__open(ctx, out, r->sealed, r->sealed_len, &r->ad, key)) != CUSTOS_ECORRUPT)
        return rc;
    custos__wipe(out, r->info.size);
    custos__fail(ctx, CUSTOS_ECORRUPT, "vault: record %lld failed authentication (altered, or moved from"
                 " another row)", (long long)r->ad.id);
    custos_vault__audit_failure(ctx, CUSTOS__V1__AUDIT_KIND__AUDIT_INTEGRITY_VIOLATION, r->ad.subject_hash,
                     r->ad.purpose, CUSTOS_ECORRUPT, "record-authentication-failed");
    return CUSTOS_ECORRUPT;
}

static int get_locked(custos_t *ctx, uint8_t *out, size_t out_size, size_t *out_len,
                      custos_vault_info *info, custos_record_id id, uint8_t subject_hash[32], int64_t *purpose)
{
    sqlite3_stmt *st = NULL;
    int rc = custos_vault__stmt(ctx, &st, VT_ST_RECORD_GET);
    if (rc != CUSTOS_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    if ((rc = sqlite3_step(st)) != SQLITE_ROW)
        return rc == SQLITE_DONE ? custos__fail(ctx, CUSTOS_ENOTFOUND, "vault: no record %lld", (long long)id)
                                 : custos__sqlite_fail(ctx, rc, "vault: read a record");
    row_view r = { .ad.id = id };
    if ((rc = row_read(ctx, st, NULL, &r)) != CUSTOS_OK)
        return rc;
    if (r.info.flags & CUSTOS_VAULT_STREAMED)
        return (rc = row_stream(ctx, &r)) != CUSTOS_OK ? rc
               : custos__fail(ctx, CUSTOS_ESTATE, "vault: record %lld is a stream; read it with"
                              " custos_vault_stream_open", (long long)id);
    *out_len = r.info.size;
    if (out_size < r.info.size)
        return custos__fail(ctx, CUSTOS_ERANGE, "vault: record %lld needs %zu bytes, the buffer has %zu",
                            (long long)id, r.info.size, out_size);
    if ((rc = row_open(ctx, &r, out)) == CUSTOS_OK) {
        if (r.ad.subject_hash != NULL) /* row_read checked its 32 bytes */
            memcpy(subject_hash, r.ad.subject_hash, 32);
        *purpose = r.info.purpose;
        if (info != NULL)
            *info = r.info;
    }
    return rc;
}

int custos_vault_get(custos_t *ctx, uint8_t *out, size_t out_size, size_t *out_len,
                     custos_vault_info *info, custos_record_id id)
{
    if (ctx == NULL)
        return CUSTOS_EINVAL;
    if (out_len == NULL || (out == NULL && out_size > 0))
        return custos__fail(ctx, CUSTOS_EINVAL, "vault get: out_len is NULL, or out is NULL with a size");
    *out_len = 0;
    custos_vault__enter(ctx);
    uint8_t hash[32] = { 0 };
    int64_t purpose = -1;
    int rc = get_locked(ctx, out, out_size, out_len, info, id, hash, &purpose);
    sqlite3_reset(ctx->vault->st[VT_ST_RECORD_GET]);
    if (rc == CUSTOS_OK)
        custos_vault__audit_access(ctx, hash, purpose, "vault.get");
    custos_vault__leave(ctx);
    return rc;
}

static int list_locked(custos_t *ctx, custos_record_id *ids, size_t ids_size, size_t *n, custos_subject subject)
{
    uint8_t hash[32];
    sqlite3_stmt *st = NULL;
    int rc = custos_vault__subject_hash(ctx, subject, hash);
    if (rc != CUSTOS_OK || (rc = custos_vault__stmt(ctx, &st, VT_ST_RECORD_LIST)) != CUSTOS_OK)
        return rc;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    size_t count = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (count < ids_size)
            ids[count] = sqlite3_column_int64(st, 0);
        count++;
    }
    sqlite3_reset(st);
    *n = count;
    if (rc != SQLITE_DONE)
        return custos__sqlite_fail(ctx, rc, "vault: list records");
    if (count > ids_size)
        return custos__fail(ctx, CUSTOS_ERANGE, "vault: the subject has %zu records, the array holds %zu",
                            count, ids_size);
    return CUSTOS_OK;
}

int custos_vault_list(custos_t *ctx, custos_record_id *ids, size_t ids_size, size_t *n, custos_subject subject)
{
    if (ctx == NULL)
        return CUSTOS_EINVAL;
    if (n == NULL || (ids == NULL && ids_size > 0))
        return custos__fail(ctx, CUSTOS_EINVAL, "vault list: n is NULL, or ids is NULL with a size");
    *n = 0;
    pthread_mutex_lock(&ctx->write_lock);
    int rc = list_locked(ctx, ids, ids_size, n, subject);
    pthread_mutex_unlock(&ctx->write_lock);
    return rc;
}

/* Open each row of the walk statement into a reusable buffer and hand it to fn. */
static int walk_rows(custos_t *ctx, sqlite3_stmt *st, const uint8_t hash[32], custos_vault_visit_fn fn, void *user)
{
    uint8_t *buf = NULL;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        row_view r = { .ad.id = sqlite3_column_int64(st, 0) };
        if ((rc = row_read(ctx, st, hash, &r)) != CUSTOS_OK)
            break;
        if (r.info.flags & CUSTOS_VAULT_STREAMED) { /* visited without its bytes (custos_vault_foreach) */
            if ((rc = row_stream(ctx, &r)) != CUSTOS_OK)
                break;
            if (fn(user, &r.info, NULL, 0) != 0) {
                rc = custos__fail(ctx, CUSTOS_ECANCELED, "vault: the visitor stopped the walk");
                break;
            }
            continue;
        }
        if (r.info.size > cap) {
            custos__wipe(buf, cap);
            custos__free(buf);
            cap = r.info.size;
            if ((buf = custos__malloc(cap)) == NULL) {
                cap = 0;
                rc = custos__fail(ctx, CUSTOS_ENOMEM, "vault: out of memory");
                break;
            }
        }
        if ((rc = row_open(ctx, &r, buf)) != CUSTOS_OK)
            break;
        int stop = fn(user, &r.info, buf, r.info.size);
        custos__wipe(buf, r.info.size);
        if (stop != 0) {
            rc = custos__fail(ctx, CUSTOS_ECANCELED, "vault: the visitor stopped the walk");
            break;
        }
    }
    if (rc == SQLITE_DONE)
        rc = CUSTOS_OK;
    else if (rc > 0)
        rc = custos__sqlite_fail(ctx, rc, "vault: read records");
    custos__wipe(buf, cap);
    custos__free(buf);
    return rc;
}

int custos_vault__walk(custos_t *ctx, const uint8_t hash[32], custos_vault_visit_fn fn, void *user)
{
    sqlite3_stmt *st = NULL;
    int rc = custos_vault__stmt(ctx, &st, VT_ST_RECORD_WALK);
    if (rc != CUSTOS_OK)
        return rc;
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    rc = walk_rows(ctx, st, hash, fn, user);
    sqlite3_reset(st);
    return rc;
}

/* The caller's visitor, counting the records it was handed. */
typedef struct counted_visit {
    custos_vault_visit_fn fn;
    void *user;
    size_t n;
} counted_visit;

static int visit_counted(void *user, const custos_vault_info *info, const uint8_t *data, size_t len)
{
    counted_visit *c = user;
    c->n++;
    return c->fn(c->user, info, data, len);
}

int custos_vault_foreach(custos_t *ctx, custos_subject subject, custos_vault_visit_fn fn, void *user)
{
    if (ctx == NULL)
        return CUSTOS_EINVAL;
    if (fn == NULL)
        return custos__fail(ctx, CUSTOS_EINVAL, "vault foreach: no visitor function");
    uint8_t hash[32];
    counted_visit c = { fn, user, 0 };
    custos_vault__enter(ctx);
    int rc = custos_vault__subject_hash(ctx, subject, hash);
    if (rc == CUSTOS_OK)
        rc = custos_vault__walk(ctx, hash, visit_counted, &c);
    if (rc == CUSTOS_OK && c.n > 0) /* a walk that opened nothing read no personal data */
        custos_vault__audit_access(ctx, hash, -1, "vault.foreach");
    custos_vault__leave(ctx);
    return rc;
}

/* Run a one-statement write in its own transaction; *changes counts the rows. */
static int write_tx(custos_t *ctx, sqlite3_stmt *st, int64_t *changes)
{
    int rc = custos_vault__require_wal(ctx);
    if (rc != CUSTOS_OK || (rc = custos__db_begin(ctx)) != CUSTOS_OK)
        return rc;
    unsigned reads = custos_vault__access_append(ctx);
    rc = sqlite3_step(st);
    rc = rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "vault: delete");
    *changes = sqlite3_changes64(ctx->db);
    if (rc == CUSTOS_OK && (rc = custos__db_commit(ctx)) == CUSTOS_OK)
        custos_vault__access_committed(ctx, reads);
    custos__db_rollback(ctx);
    return rc;
}

int custos_vault_delete(custos_t *ctx, custos_record_id id)
{
    if (ctx == NULL)
        return CUSTOS_EINVAL;
    sqlite3_stmt *st = NULL;
    int64_t changes = 0;
    pthread_mutex_lock(&ctx->write_lock);
    int rc = custos_vault__stmt(ctx, &st, VT_ST_RECORD_DELETE);
    if (rc == CUSTOS_OK) {
        sqlite3_bind_int64(st, 1, id);
        rc = write_tx(ctx, st, &changes);
        sqlite3_reset(st);
        if (rc == CUSTOS_OK && changes == 0)
            rc = custos__fail(ctx, CUSTOS_ENOTFOUND, "vault: no record %lld", (long long)id);
        if (rc == CUSTOS_OK) /* a stream's file, once its row is gone */
            rc = custos_vault__stream_sweep(ctx, 0);
    }
    pthread_mutex_unlock(&ctx->write_lock);
    return rc;
}

int custos__vault_delete_expired(custos_t *ctx, uint64_t now, uint64_t *removed)
{
    sqlite3_stmt *st = NULL;
    *removed = 0;
    int rc = sqlite3_prepare_v2(ctx->db, "DELETE FROM vault_record WHERE expires IS NOT NULL AND expires <= ?1",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, now > INT64_MAX ? INT64_MAX : (int64_t)now);
        rc = sqlite3_step(st);
        *removed = (uint64_t)sqlite3_changes64(ctx->db);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "vault: delete expired records");
}

int custos_maintain(custos_t *ctx, uint64_t *removed)
{
    if (ctx == NULL)
        return CUSTOS_EINVAL;
    uint64_t n = 0;
    pthread_mutex_lock(&ctx->write_lock);
    int rc = custos_vault__require_wal(ctx);
    if (rc == CUSTOS_OK && (rc = custos__db_begin(ctx)) == CUSTOS_OK) {
        unsigned reads = custos_vault__access_append(ctx);
        if ((rc = custos__vault_delete_expired(ctx, custos__now(ctx, NULL), &n)) == CUSTOS_OK &&
            (rc = custos__db_commit(ctx)) == CUSTOS_OK)
            custos_vault__access_committed(ctx, reads);
        custos__db_rollback(ctx);
        if (rc == CUSTOS_OK && n > 0)
            rc = custos_vault__stream_sweep(ctx, 0);
    }
    pthread_mutex_unlock(&ctx->write_lock);
    if (removed != NULL)
        *removed = rc == CUSTOS_OK ? n : 0;
    return rc;
}

int custos__vault_delete_records(custos_t *ctx, const uint8_t subject_hash[32], uint32_t purpose,
                                 uint64_t *removed)
{
    sqlite3_stmt *st = NULL;
    *removed = 0;
    int rc = sqlite3_prepare_v2(ctx->db, "DELETE FROM vault_record WHERE subject_hash=?1 AND (?2 < 0 OR purpose=?2)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, subject_hash, 32, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, purpose == CUSTOS_VAULT_ALL_PURPOSES ? -1 : (int64_t)purpose);
        rc = sqlite3_step(st);
        *removed = (uint64_t)sqlite3_changes64(ctx->db);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "vault: delete records");
}

int custos__vault_sample(custos_t *ctx, const uint8_t subject_hash[32], uint32_t purpose, int64_t *record_id)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "SELECT id FROM vault_record WHERE subject_hash=?1 AND"
                                " (?2 < 0 OR purpose=?2) ORDER BY id LIMIT 1", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, subject_hash, 32, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, purpose == CUSTOS_VAULT_ALL_PURPOSES ? -1 : (int64_t)purpose);
        if ((rc = sqlite3_step(st)) == SQLITE_ROW)
            *record_id = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return CUSTOS_OK;
    return rc == SQLITE_DONE ? custos__fail(ctx, CUSTOS_ENOTFOUND, "vault: no record in that scope")
                             : custos__sqlite_fail(ctx, rc, "vault: sample a record");
}

int custos__vault_try_open(custos_t *ctx, int64_t record_id)
{
    size_t len = 0;
    uint8_t hash[32] = { 0 };
    int64_t purpose = -1;
    custos_vault__arena_open(ctx);
    int rc = get_locked(ctx, NULL, 0, &len, NULL, record_id, hash, &purpose);
    uint8_t *buf = NULL;
    if (rc == CUSTOS_ERANGE || (rc == CUSTOS_OK && len == 0)) {
        buf = custos__malloc(len > 0 ? len : 1);
        rc = buf == NULL ? custos__fail(ctx, CUSTOS_ENOMEM, "vault: out of memory")
                         : get_locked(ctx, buf, len, &len, NULL, record_id, hash, &purpose);
    }
    if (rc == CUSTOS_ESTATE) /* a stream whose sealed metadata opened (get_locked) */
        rc = CUSTOS_OK;
    sqlite3_reset(ctx->vault->st[VT_ST_RECORD_GET]);
    custos_vault__arena_close(ctx);
    if (buf != NULL) {
        custos__wipe(buf, len);
        custos__free(buf);
    }
    return rc;
}
