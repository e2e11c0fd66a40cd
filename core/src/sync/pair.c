/*
 * pair.c: the peers a store trusts (table peer) and their counters.
 *
 * A device pairs with its companion app's key; an app's store pairs with
 * the device's key and id. last_in is the highest ConsentUpdate counter
 * applied from that peer (replays are refused below it); last_out the
 * highest counter this store has used towards a device.
 */
#include "sync_internal.h"
#include "../consent/consent_internal.h"
#include "../audit/audit_internal.h"
#include "custos/v1/audit.pb-c.h"

#include <sodium.h>

static int exec_peer(custos_t *ctx, const char *sql, const uint8_t *blob, int blen, const uint8_t *blob2,
                     int64_t num)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, blob, blen, SQLITE_STATIC);
        if (blob2 != NULL)
            sqlite3_bind_blob(st, 2, blob2, 16, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, num);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
    }
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "update the paired keys");
}

static int pair_locked(custos_t *ctx, const uint8_t pk[32], const uint8_t device_id[16])
{
    int rc = exec_peer(ctx,
                       "INSERT INTO peer(pk, device_id, paired_at) VALUES(?1, ?2, ?3)"
                       " ON CONFLICT(pk) DO UPDATE SET device_id = excluded.device_id",
                       pk, 32, device_id, (int64_t)custos__now(ctx, NULL));
    if (rc == CUSTOS_OK)
        rc = custos__audit_append(ctx, CUSTOS__V1__AUDIT_KIND__AUDIT_PAIRING, NULL, -1, 0, "peer paired");
    return rc;
}

int custos_pair(custos_t *ctx, const uint8_t peer_pk[32], const uint8_t peer_device_id[16])
{
    if (ctx == NULL || peer_pk == NULL)
        return custos__fail(ctx, CUSTOS_EINVAL, "pair: no public key given");
    if (!crypto_core_ed25519_is_valid_point(peer_pk))
        return custos__fail(ctx, CUSTOS_EINVAL, "pair: not a valid Ed25519 public key");
    int rc = custos__txn_begin(ctx);
    if (rc != CUSTOS_OK)
        return rc;
    return custos__txn_end(ctx, pair_locked(ctx, peer_pk, peer_device_id));
}

static int unpair_locked(custos_t *ctx, const uint8_t pk[32])
{
    int rc = exec_peer(ctx, "DELETE FROM peer WHERE pk = ?1 AND ?3 = ?3", pk, 32, NULL, 0);
    if (rc == CUSTOS_OK && sqlite3_changes(ctx->db) == 0)
        return custos__fail(ctx, CUSTOS_ENOTFOUND, "pair: this key is not paired");
    if (rc == CUSTOS_OK)
        rc = custos__audit_append(ctx, CUSTOS__V1__AUDIT_KIND__AUDIT_PAIRING, NULL, -1, 0, "peer unpaired");
    return rc;
}

int custos_unpair(custos_t *ctx, const uint8_t peer_pk[32])
{
    if (ctx == NULL || peer_pk == NULL)
        return custos__fail(ctx, CUSTOS_EINVAL, "pair: no public key given");
    int rc = custos__txn_begin(ctx);
    if (rc != CUSTOS_OK)
        return rc;
    return custos__txn_end(ctx, unpair_locked(ctx, peer_pk));
}

int custos_sync__peer_set_last_in(custos_t *ctx, const uint8_t pk[32], uint64_t counter)
{
    return exec_peer(ctx, "UPDATE peer SET last_in = ?3 WHERE pk = ?1", pk, 32, NULL, (int64_t)counter);
}

int custos_sync__peer_next_out(custos_t *ctx, const uint8_t device_id[16], uint32_t *out_counter)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "UPDATE peer SET last_out = last_out + 1 WHERE device_id = ?1"
                                         " RETURNING last_out", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return custos__sqlite_fail(ctx, rc, "advance the sync counter");
    sqlite3_bind_blob(st, 1, device_id, 16, SQLITE_STATIC);
    rc = sqlite3_step(st);
    int64_t c = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    if (rc == SQLITE_ROW)
        rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return custos__sqlite_fail(ctx, rc, "advance the sync counter");
    if (c == 0)
        return custos__fail(ctx, CUSTOS_ENOTFOUND, "sync: that device is not paired with this store");
    if (c > UINT32_MAX)
        return custos__fail(ctx, CUSTOS_ESTATE, "sync: the counter towards that device is exhausted; pair again");
    *out_counter = (uint32_t)c;
    return CUSTOS_OK;
}

int custos_sync__last_in_max(custos_t *ctx, uint32_t *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "SELECT coalesce(max(last_in), 0) FROM peer", -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        *out = (uint32_t)sqlite3_column_int64(st, 0);
        rc = SQLITE_DONE;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "read the sync counters");
}
