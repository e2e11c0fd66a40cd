/*
 * policy.c: loading a compiled manifest into a store, and what a new
 * version does to the consents already given.
 */
#include "consent_private.h"
#include "../audit/audit_internal.h"
#include "custos/v1/audit.pb-c.h"

#include <sodium.h>
#include <string.h>

static int store_policy(custos_t *ctx, uint32_t version, const uint8_t id[32], const uint8_t *bytes, size_t len)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db,
                                "INSERT INTO policy(version, manifest_id, compiled, loaded_at) VALUES(?1, ?2, ?3, ?4)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, version);
        sqlite3_bind_blob(st, 2, id, 32, SQLITE_STATIC);
        sqlite3_bind_blob(st, 3, bytes, (int)len, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)custos__now(ctx, NULL));
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
    }
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "store the manifest");
}

/* Every subject that has a state for purpose. */
static int invalidate_purpose(custos_t *ctx, uint32_t purpose, int removed)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db,
                                "SELECT subject FROM consent_state WHERE purpose = ?1 AND status IN (3, 4) LIMIT 1",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return custos__sqlite_fail(ctx, rc, "find consents to invalidate");
    sqlite3_bind_int(st, 1, (int)purpose);
    int crc = CUSTOS_OK;
    while (crc == CUSTOS_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        custos_subject s = (custos_subject)sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        crc = custos_consent__record_system(ctx, s, purpose, CUSTOS_CONSENT_INVALIDATED, 0);
        if (crc == CUSTOS_OK && !removed)
            crc = custos_consent__record_system(ctx, s, purpose, CUSTOS_CONSENT_REQUESTED, 1);
    }
    sqlite3_finalize(st);
    if (crc != CUSTOS_OK)
        return crc;
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "find consents to invalidate");
}

static int invalidate_changed(custos_t *ctx, const custos_manifest_pb *older, const custos_manifest_pb *newer)
{
    custos_purpose_change *ch = NULL;
    size_t n = 0;
    int rc = custos__manifest_diff(ctx, older, newer, &ch, &n);
    for (size_t i = 0; rc == CUSTOS_OK && i < n; i++)
        rc = invalidate_purpose(ctx, ch[i].purpose, (ch[i].reasons & CUSTOS_CHANGE_REMOVED) != 0);
    custos__free(ch);
    return rc;
}

/* Decide whether m may replace the loaded manifest: 1 to load, 0 for the same one. */
static int may_replace(custos_t *ctx, const custos_manifest_pb *m, const uint8_t id[32])
{
    const struct custos_ledger *l = ctx->ledger;
    if (l->manifest == NULL)
        return 1;
    uint32_t have = l->manifest->product->policy_version, want = m->product->policy_version;
    if (sodium_memcmp(id, l->manifest_id, 32) == 0)
        return 0;
    if (want < have)
        return custos__fail(ctx, CUSTOS_ESTATE, "manifest: policy version %u is older than the loaded version %u",
                            want, have);
    if (want == have)
        return custos__fail(ctx, CUSTOS_ESTATE,
                            "manifest: policy version %u is already loaded with different content; raise the version",
                            want);
    return 1;
}

static int load_locked(custos_t *ctx, custos_manifest_pb *m, const uint8_t id[32], const uint8_t *bytes, size_t len)
{
    struct custos_ledger *l = ctx->ledger;
    custos_manifest_pb *older = l->manifest;
    uint8_t older_id[32];
    memcpy(older_id, l->manifest_id, 32);
    int rc = store_policy(ctx, m->product->policy_version, id, bytes, len);
    l->manifest = m;                     /* events below bind to the new manifest */
    memcpy(l->manifest_id, id, 32);
    if (rc == CUSTOS_OK && older != NULL)
        rc = invalidate_changed(ctx, older, m);
    if (rc == CUSTOS_OK)
        rc = custos__audit_append(ctx, CUSTOS__V1__AUDIT_KIND__AUDIT_MANIFEST_LOADED, NULL, -1, 0, "manifest loaded");
    if (rc == CUSTOS_OK)
        rc = custos__db_commit(ctx);
    if (rc != CUSTOS_OK) {
        l->manifest = older;
        memcpy(l->manifest_id, older_id, 32);
        return rc;
    }
    custos__manifest_free(older);
    return CUSTOS_OK;
}

int custos_manifest_load(custos_t *ctx, const uint8_t *compiled, size_t len)
{
    if (ctx == NULL || compiled == NULL)
        return custos__fail(ctx, CUSTOS_EINVAL, "manifest: no compiled manifest given");
    custos_manifest_pb *m = NULL;
    uint8_t id[32];
    int rc = custos__manifest_decode(ctx, compiled, len, &m, id);
    if (rc != CUSTOS_OK)
        return rc;
    if ((rc = custos__txn_begin(ctx)) != CUSTOS_OK) {
        custos__manifest_free(m);
        return rc;
    }
    rc = may_replace(ctx, m, id);
    if (rc == 1) {
        rc = load_locked(ctx, m, id, compiled, len);
        if (rc != CUSTOS_OK)
            custos__manifest_free(m);
        m = NULL;
    } else {
        custos__manifest_free(m);
    }
    /* load_locked committed on success; custos__txn_end then has nothing to do but publish. */
    return custos__txn_end(ctx, rc);
}

int custos_policy_current(custos_t *ctx, uint8_t out_id[32], uint32_t *out_version)
{
    if (ctx == NULL)
        return CUSTOS_EINVAL;
    pthread_mutex_lock(&ctx->write_lock);
    const custos_manifest_pb *m = custos__policy_manifest(ctx, out_id);
    if (out_version != NULL)
        *out_version = m != NULL ? m->product->policy_version : 0;
    pthread_mutex_unlock(&ctx->write_lock);
    return m != NULL ? CUSTOS_OK : custos__fail(ctx, CUSTOS_ENOTFOUND, "no manifest is loaded into this store");
}
