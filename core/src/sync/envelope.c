/*
 * envelope.c: SignedMessage, the envelope of every sync message (layout in
 * sync_internal.h). The signature covers the body bytes exactly as sent.
 */
#include "sync_internal.h"
#include "../consent/consent_internal.h"

#include <protobuf-c/protobuf-c.h>
#include <sodium.h>
#include <string.h>

int custos_sync__envelope(uint8_t *out, size_t out_size, size_t *out_len, int body_type,
                  const uint8_t *body, size_t blen, const uint8_t signer[32], const uint8_t sig[64])
{
    Custos__V1__SignedMessage m = CUSTOS__V1__SIGNED_MESSAGE__INIT;
    m.body_type = (Custos__V1__BodyType)body_type;
    m.body = (ProtobufCBinaryData){ blen, (uint8_t *)body };
    m.signer = (ProtobufCBinaryData){ 32, (uint8_t *)signer };
    m.signature = (ProtobufCBinaryData){ 64, (uint8_t *)sig };
    size_t need = custos__v1__signed_message__get_packed_size(&m);
    if (out_len != NULL)
        *out_len = need;
    if (out == NULL || need > out_size)
        return CUSTOS_ERANGE;
    custos__v1__signed_message__pack(&m, out);
    return CUSTOS_OK;
}

int custos_sync__seal(custos_t *ctx, uint8_t *out, size_t out_size, size_t *out_len, int body_type,
              const uint8_t *body, size_t blen)
{
    uint8_t pk[32], sig[64];
    int rc = custos_device_public_key(ctx, pk);
    if (rc == CUSTOS_OK)
        rc = ctx->kp->sign(ctx->kp->state, sig, body, blen);
    if (rc != CUSTOS_OK)
        return custos__fail(ctx, rc, "sync: the key provider could not sign");
    rc = custos_sync__envelope(out, out_size, out_len, body_type, body, blen, pk, sig);
    if (rc == CUSTOS_ERANGE)
        return custos__fail(ctx, rc, "sync: the message needs %zu bytes, the buffer holds %zu", *out_len, out_size);
    return rc;
}

static int find_peer(custos_t *ctx, const uint8_t pk[32], uint64_t *last_in)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "SELECT last_in FROM peer WHERE pk = ?1", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return custos__sqlite_fail(ctx, rc, "find a paired key");
    sqlite3_bind_blob(st, 1, pk, 32, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && last_in != NULL)
        *last_in = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return CUSTOS_OK;
    return rc == SQLITE_DONE ? custos__fail(ctx, CUSTOS_ESIGNATURE, "sync: the signer is not a paired key")
                             : custos__sqlite_fail(ctx, rc, "find a paired key");
}

static int check_envelope(custos_t *ctx, const Custos__V1__SignedMessage *m, int body_type, uint64_t *last_in)
{
    if (m->signer.len != 32 || m->signature.len != 64)
        return custos__fail(ctx, CUSTOS_ECORRUPT, "sync: malformed signer or signature");
    if ((int)m->body_type != body_type)
        return custos__fail(ctx, CUSTOS_ECORRUPT, "sync: body type %d, expected %d", (int)m->body_type, body_type);
    int rc = find_peer(ctx, m->signer.data, last_in);
    if (rc != CUSTOS_OK)
        return rc;
    if (crypto_sign_verify_detached(m->signature.data, m->body.data, m->body.len, m->signer.data) != 0)
        return custos__fail(ctx, CUSTOS_ESIGNATURE, "sync: the signature does not verify");
    return CUSTOS_OK;
}

int custos_sync__open(custos_t *ctx, const uint8_t *msg, size_t len, int body_type,
              Custos__V1__SignedMessage **out, uint64_t *last_in)
{
    *out = NULL;
    if (msg == NULL || len == 0)
        return custos__fail(ctx, CUSTOS_EINVAL, "sync: no message given");
    if (len > CUSTOS_SYNC_MAX_MESSAGE)
        return custos__fail(ctx, CUSTOS_ERANGE, "sync: message of %zu bytes exceeds the %u-byte limit", len,
                            CUSTOS_SYNC_MAX_MESSAGE);
    Custos__V1__SignedMessage *m = NULL;
    int rc = custos_consent__unpack(ctx, &custos__v1__signed_message__descriptor, msg, len, (void **)&m, "sync: the SignedMessage");
    if (rc == CUSTOS_OK && (rc = check_envelope(ctx, m, body_type, last_in)) != CUSTOS_OK) {
        custos_consent__unpacked_free(m);
        return rc;
    }
    *out = m;
    return rc;
}

size_t custos_sync_max_message(void) { return CUSTOS_SYNC_MAX_MESSAGE; }
size_t custos_sync_max_changes(void) { return CUSTOS_SYNC_MAX_CHANGES; }
size_t custos_sync_max_states(void) { return CUSTOS_SYNC_MAX_STATES; }
