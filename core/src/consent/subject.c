/*
 * subject.c: the subject registry. A subject is a row (number, keyed hash
 * of the maker's identifier, role); the identifier itself is never stored.
 */
#include "consent_private.h"

#include <string.h>

static int role_ok(custos_role role) { return role >= CUSTOS_ROLE_OWNER && role <= CUSTOS_ROLE_CHILD; }

int custos_consent__subject_get(custos_t *ctx, custos_subject subject, uint8_t hash[32], custos_role *role)
{
    sqlite3_stmt **st = &ctx->ledger->subject_get; /* on every vault call: prepared once per handle */
    static const char sql[] = "SELECT hash, role FROM subject WHERE id = ?1";
    int rc = *st != NULL ? SQLITE_OK : sqlite3_prepare_v3(ctx->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);
    if (rc != SQLITE_OK)
        return custos__sqlite_fail(ctx, rc, "read a subject");
    sqlite3_bind_int64(*st, 1, subject);
    rc = sqlite3_step(*st);
    int ok = rc == SQLITE_ROW && sqlite3_column_bytes(*st, 0) == 32;
    if (ok) {
        if (hash != NULL)
            memcpy(hash, sqlite3_column_blob(*st, 0), 32);
        if (role != NULL)
            *role = (custos_role)sqlite3_column_int(*st, 1);
    }
    sqlite3_reset(*st);
    if (ok)
        return CUSTOS_OK;
    if (rc == SQLITE_ROW)
        return custos__fail(ctx, CUSTOS_ECORRUPT, "subject %u: stored hash is malformed", subject);
    if (rc == SQLITE_DONE)
        return custos__fail(ctx, CUSTOS_ENOTFOUND, "no subject %u in this store", subject);
    return custos__sqlite_fail(ctx, rc, "read a subject");
}

static int insert_subject(custos_t *ctx, custos_subject *out, const uint8_t hash[32], custos_role role)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "INSERT INTO subject(hash, role, created) VALUES(?1, ?2, ?3)", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, (int)role);
        sqlite3_bind_int64(st, 3, (sqlite3_int64)custos__now(ctx, NULL));
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
    }
    if (rc == SQLITE_CONSTRAINT_UNIQUE)
        return custos__fail(ctx, CUSTOS_EEXIST, "this subject is already registered");
    if (rc != SQLITE_DONE)
        return custos__sqlite_fail(ctx, rc, "register a subject");
    *out = (custos_subject)sqlite3_last_insert_rowid(ctx->db);
    return CUSTOS_OK;
}

int custos_subject_add(custos_t *ctx, custos_subject *out, const char *external_id, custos_role role)
{
    if (ctx == NULL || out == NULL)
        return custos__fail(ctx, CUSTOS_EINVAL, "subject: NULL argument");
    if (!role_ok(role))
        return custos__fail(ctx, CUSTOS_EINVAL, "subject: unknown role %d", (int)role);
    uint8_t hash[32];
    if (custos__subject_hash(ctx, hash, external_id) != CUSTOS_OK)
        return custos__fail(ctx, CUSTOS_EINVAL, "subject: empty identifier");
    int rc = custos__txn_begin(ctx);
    if (rc != CUSTOS_OK)
        return rc;
    return custos__txn_end(ctx, insert_subject(ctx, out, hash, role));
}

static int find_locked(custos_t *ctx, custos_subject *out, const uint8_t hash[32])
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "SELECT id FROM subject WHERE hash = ?1", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return custos__sqlite_fail(ctx, rc, "find a subject");
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = (custos_subject)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return CUSTOS_OK;
    return rc == SQLITE_DONE ? custos__fail(ctx, CUSTOS_ENOTFOUND, "no such subject in this store")
                             : custos__sqlite_fail(ctx, rc, "find a subject");
}

int custos_subject_find(custos_t *ctx, custos_subject *out, const char *external_id)
{
    if (ctx == NULL || out == NULL)
        return custos__fail(ctx, CUSTOS_EINVAL, "subject: NULL argument");
    uint8_t hash[32];
    if (custos__subject_hash(ctx, hash, external_id) != CUSTOS_OK)
        return custos__fail(ctx, CUSTOS_EINVAL, "subject: empty identifier");
    pthread_mutex_lock(&ctx->write_lock);
    int rc = find_locked(ctx, out, hash);
    pthread_mutex_unlock(&ctx->write_lock);
    return rc;
}

int custos_subject_role(custos_t *ctx, custos_role *out, custos_subject subject)
{
    if (ctx == NULL || out == NULL)
        return custos__fail(ctx, CUSTOS_EINVAL, "subject: NULL argument");
    pthread_mutex_lock(&ctx->write_lock);
    int rc = custos_consent__subject_get(ctx, subject, NULL, out);
    pthread_mutex_unlock(&ctx->write_lock);
    return rc;
}

static int set_role(custos_t *ctx, custos_subject subject, custos_role role)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "UPDATE subject SET role = ?1 WHERE id = ?2", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int(st, 1, (int)role);
        sqlite3_bind_int64(st, 2, subject);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
    }
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "change a subject's role");
}

/* Demote every current owner, invalidating their consents. */
static int demote_owners(custos_t *ctx)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "SELECT id FROM subject WHERE role = 1 LIMIT 1", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return custos__sqlite_fail(ctx, rc, "find the owner");
    int crc = CUSTOS_OK;
    while (crc == CUSTOS_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        custos_subject s = (custos_subject)sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        crc = custos_consent__invalidate(ctx, s, -1);
        if (crc == CUSTOS_OK)
            crc = set_role(ctx, s, CUSTOS_ROLE_HOUSEHOLD_MEMBER);
    }
    sqlite3_finalize(st);
    if (crc != CUSTOS_OK)
        return crc;
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "find the owner");
}

static int transfer_locked(custos_t *ctx, custos_subject new_owner)
{
    custos_role role = CUSTOS_ROLE_GUEST; /* set by custos_consent__subject_get on success */
    int rc = custos_consent__subject_get(ctx, new_owner, NULL, &role);
    if (rc != CUSTOS_OK)
        return rc;
    if (role == CUSTOS_ROLE_OWNER)
        return custos__fail(ctx, CUSTOS_ESTATE, "subject %u already owns this device", new_owner);
    if (role == CUSTOS_ROLE_CHILD)
        return custos__fail(ctx, CUSTOS_ESTATE, "a child cannot become the owner");
    if ((rc = demote_owners(ctx)) != CUSTOS_OK)
        return rc;
    return set_role(ctx, new_owner, CUSTOS_ROLE_OWNER);
}

int custos_subject_transfer_ownership(custos_t *ctx, custos_subject new_owner)
{
    if (ctx == NULL)
        return CUSTOS_EINVAL;
    int rc = custos__txn_begin(ctx);
    if (rc != CUSTOS_OK)
        return rc;
    return custos__txn_end(ctx, transfer_locked(ctx, new_owner));
}

int custos__subject_hash_of(custos_t *ctx, custos_subject subject, uint8_t out[32])
{
    return custos_consent__subject_get(ctx, subject, out, NULL);
}

static int delete_where(custos_t *ctx, const char *sql, custos_subject subject)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, subject);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
    }
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "forget a subject");
}

int custos__subject_forget(custos_t *ctx, custos_subject subject)
{
    int rc = custos_consent__subject_get(ctx, subject, NULL, NULL);
    if (rc == CUSTOS_OK)
        rc = delete_where(ctx, "DELETE FROM consent_state WHERE subject = ?1", subject);
    if (rc == CUSTOS_OK)
        rc = delete_where(ctx, "DELETE FROM subject WHERE id = ?1", subject);
    return rc == CUSTOS_OK ? custos__txn_after_commit(ctx) : rc; /* readers stop seeing the subject now */
}

int custos__subject_max(custos_t *ctx, custos_subject *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "SELECT coalesce(max(id), 0) FROM subject", -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        *out = (custos_subject)sqlite3_column_int64(st, 0);
        rc = SQLITE_DONE;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "read the subject registry");
}

int custos__subject_foreach(custos_t *ctx, int (*fn)(void *user, custos_subject subject), void *user)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "SELECT id FROM subject ORDER BY id", -1, &st, NULL);
    int frc = CUSTOS_OK;
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        if ((frc = fn(user, (custos_subject)sqlite3_column_int64(st, 0))) != CUSTOS_OK)
            break;
    }
    sqlite3_finalize(st);
    if (frc != CUSTOS_OK)
        return frc;
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "read the subject registry");
}

int custos__consent_foreach(custos_t *ctx, int (*fn)(void *user, const custos_consent_row *row), void *user)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "SELECT subject, purpose, status, valid_until, invalidated FROM consent_state",
                                -1, &st, NULL);
    int frc = CUSTOS_OK;
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0), p = sqlite3_column_int64(st, 1);
        rc = SQLITE_OK;
        if (id < 0 || id > UINT32_MAX || p < 0 || p > UINT32_MAX)
            continue; /* not a row this library wrote; the gate denies what it cannot read */
        custos_consent_row row = {
            (custos_subject)id, (uint32_t)p, (custos_consent_status)sqlite3_column_int(st, 2),
            (uint64_t)sqlite3_column_int64(st, 3), sqlite3_column_int(st, 4) };
        if ((frc = fn(user, &row)) != CUSTOS_OK)
            break;
    }
    sqlite3_finalize(st);
    if (frc != CUSTOS_OK)
        return frc;
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "read the consent state");
}
