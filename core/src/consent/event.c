/*
 * event.c: one consent event, from fields to signed, chained, stored bytes.
 *
 * STORED EVENT (table consent_event, column signed): a custos.v1.SignedEvent
 *
 *   body              the encoded custos.v1.ConsentEvent (fields 1..16), the
 *                     exact bytes that were hashed and signed
 *   device_signature  64 bytes, Ed25519 by the device key over body
 *   app_signature     64 bytes, Ed25519 by the paired app's key over app_body
 *   app_body          the exact ConsentUpdate bytes the app signed (sync)
 *   app_key           the app's 32-byte public key
 *
 * Authenticated: body by the device signature; app_body by the app
 * signature. The chain hash of an event is BLAKE2b-256(body ||
 * device_signature); the next event's body carries it as prev_hash, so
 * changing, removing or reordering any event breaks every later link. The
 * columns subject_hash and purpose beside it are an index, checked against
 * the body by custos_consent_verify. The consent_state row is a cache of the
 * fold of the events and is rewritten with every event.
 */
#include "consent_private.h"

#include <protobuf-c/protobuf-c.h>
#include <sodium.h>
#include <string.h>

int custos_consent__unpack(custos_t *ctx, const ProtobufCMessageDescriptor *d, const uint8_t *data, size_t len, void **out,
              const char *what)
{
    int rc = custos__pbc_unpack(d, data, len, out);
    if (rc == CUSTOS_OK)
        return CUSTOS_OK;
    return rc == CUSTOS_ENOMEM ? custos__fail(ctx, CUSTOS_ENOMEM, "out of memory while decoding %s", what)
               : custos__fail(ctx, CUSTOS_ECORRUPT, "%s does not decode", what);
}

void custos_consent__unpacked_free(void *msg)
{
    if (msg != NULL)
        protobuf_c_message_free_unpacked(msg, custos__pbc_allocator());
}

int custos_consent__signed_decode(custos_t *ctx, const uint8_t *blob, size_t len, Custos__V1__SignedEvent **out)
{
    *out = NULL;
    if (blob == NULL || len == 0 || len > CS_MAX_EVENT)
        return custos__fail(ctx, CUSTOS_ECORRUPT, "a consent event is empty or too long");
    Custos__V1__SignedEvent *se = NULL;
    int rc = custos_consent__unpack(ctx, &custos__v1__signed_event__descriptor, blob, len, (void **)&se, "a consent event");
    if (rc != CUSTOS_OK)
        return rc;
    if (se->device_signature.len != CUSTOS_SIGNATURE_BYTES ||
        (se->has_app_signature && se->app_signature.len != CUSTOS_SIGNATURE_BYTES) ||
        (se->has_app_key && se->app_key.len != CUSTOS_PUBLIC_KEY_BYTES) ||
        se->has_app_signature != se->has_app_key || se->has_app_signature != se->has_app_body) {
        custos_consent__signed_free(se);
        return custos__fail(ctx, CUSTOS_ECORRUPT, "a consent event has malformed signatures");
    }
    *out = se;
    return CUSTOS_OK;
}

void custos_consent__signed_free(Custos__V1__SignedEvent *se) { custos_consent__unpacked_free(se); }

int custos_consent__body_decode(custos_t *ctx, const Custos__V1__SignedEvent *se, Custos__V1__ConsentEvent **out)
{
    Custos__V1__ConsentEvent *ev = NULL;
    *out = NULL;
    int rc = custos_consent__unpack(ctx, &custos__v1__consent_event__descriptor, se->body.data, se->body.len, (void **)&ev,
                       "a consent event body");
    if (rc != CUSTOS_OK)
        return rc;
    if (ev->event_id.len != 16 || ev->subject_hash.len != 32 || ev->manifest_id.len != 32 ||
        ev->prev_hash.len != 32 || (ev->has_notice_hash && ev->notice_hash.len != 32) ||
        ev->purpose > 63 || ev->seq == 0) {
        custos_consent__body_free(ev);
        return custos__fail(ctx, CUSTOS_ECORRUPT, "a consent event body has malformed fields");
    }
    *out = ev;
    return CUSTOS_OK;
}

void custos_consent__body_free(Custos__V1__ConsentEvent *ev) { custos_consent__unpacked_free(ev); }

int custos_consent__event_decode(custos_t *ctx, const uint8_t *blob, size_t len, Custos__V1__SignedEvent **se,
                    Custos__V1__ConsentEvent **ev)
{
    *ev = NULL;
    int rc = custos_consent__signed_decode(ctx, blob, len, se);
    if (rc == CUSTOS_OK && *se == NULL) /* custos_consent__signed_decode sets *se whenever it succeeds */
        rc = CUSTOS_EINTERNAL;
    if (rc == CUSTOS_OK && (rc = custos_consent__body_decode(ctx, *se, ev)) != CUSTOS_OK) {
        custos_consent__signed_free(*se);
        *se = NULL;
    }
    return rc;
}

void custos_consent__chain_hash(uint8_t out[32], const Custos__V1__SignedEvent *se)
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, se->body.data, se->body.len);
    crypto_generichash_update(&st, se->device_signature.data, se->device_signature.len);
    crypto_generichash_final(&st, out, 32);
}

/* The last event's seq and chain hash (0 and zeros for an empty chain). */
static int chain_tip(custos_t *ctx, uint64_t *seq, uint8_t hash[32])
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "SELECT seq, signed FROM consent_event ORDER BY seq DESC LIMIT 1",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return custos__sqlite_fail(ctx, rc, "read the ledger tip");
    *seq = 0;
    memset(hash, 0, 32); /* not secret */
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        Custos__V1__SignedEvent *se = NULL;
        *seq = (uint64_t)sqlite3_column_int64(st, 0);
        int drc = custos_consent__signed_decode(ctx, sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1), &se);
        if (drc == CUSTOS_OK && se == NULL) /* custos_consent__signed_decode sets se whenever it succeeds */
            drc = CUSTOS_EINTERNAL;
        if (drc != CUSTOS_OK) {
            sqlite3_finalize(st);
            return drc == CUSTOS_ENOMEM ? drc
                                        : custos__fail(ctx, drc, "consent ledger: the last event (%llu) does not decode",
                                                       (unsigned long long)*seq);
        }
        custos_consent__chain_hash(hash, se);
        custos_consent__signed_free(se);
        rc = SQLITE_DONE;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "read the ledger tip");
}

static void fill_body(custos_t *ctx, Custos__V1__ConsentEvent *ev, const cs_event_in *in,
                      uint8_t event_id[16], uint64_t seq, uint8_t prev[32])
{
    const custos_consent_info *info = in->info;
    custos__random(ctx, event_id, 16);
    event_id[6] = (uint8_t)((event_id[6] & 0x0f) | 0x40); /* UUIDv4 layout */
    event_id[8] = (uint8_t)((event_id[8] & 0x3f) | 0x80);
    ev->event_id = (ProtobufCBinaryData){ 16, event_id };
    ev->subject_hash = (ProtobufCBinaryData){ 32, (uint8_t *)in->subject_hash };
    ev->purpose = in->purpose;
    ev->status = (Custos__V1__ConsentStatus)in->status;
    ev->manifest_id = (ProtobufCBinaryData){ 32, ctx->ledger->manifest_id };
    ev->policy_version = ctx->ledger->manifest->product->policy_version;
    if (info->notice_hash != NULL) {
        ev->has_notice_hash = 1;
        ev->notice_hash = (ProtobufCBinaryData){ 32, (uint8_t *)info->notice_hash };
    }
    ev->notice_lang = (char *)info->notice_lang;
    ev->method = (Custos__V1__ConsentMethod)info->method;
    ev->actor = (Custos__V1__ConsentActor)info->actor;
    ev->time = in->time;
    ev->time_confidence = (Custos__V1__TimeConfidence)in->confidence;
    if (in->valid_until != 0) {
        ev->has_valid_until = 1;
        ev->valid_until = in->valid_until;
    }
    ev->prev_hash = (ProtobufCBinaryData){ 32, prev };
    ev->seq = seq;
    ev->has_subject_role = 1;
    ev->subject_role = in->role;
}

/* Pack the body, sign it, wrap it; *out is custos__malloc'd. */
static int seal(custos_t *ctx, const Custos__V1__ConsentEvent *ev, const cs_event_in *in,
                uint8_t **out, size_t *out_len)
{
    size_t blen = custos__v1__consent_event__get_packed_size(ev);
    uint8_t *body = custos__malloc(blen);
    uint8_t sig[64];
    if (body == NULL)
        return custos__fail(ctx, CUSTOS_ENOMEM, "out of memory");
    custos__v1__consent_event__pack(ev, body);
    int rc = ctx->kp->sign(ctx->kp->state, sig, body, blen);
    if (rc != CUSTOS_OK) {
        custos__free(body);
        return custos__fail(ctx, rc, "the key provider could not sign a consent event");
    }
    Custos__V1__SignedEvent se = CUSTOS__V1__SIGNED_EVENT__INIT;
    se.body = (ProtobufCBinaryData){ blen, body };
    se.device_signature = (ProtobufCBinaryData){ 64, sig };
    if (in->app_body != NULL) {
        se.has_app_signature = se.has_app_body = se.has_app_key = 1;
        se.app_signature = (ProtobufCBinaryData){ 64, (uint8_t *)in->app_signature };
        se.app_body = (ProtobufCBinaryData){ in->app_body_len, (uint8_t *)in->app_body };
        se.app_key = (ProtobufCBinaryData){ 32, (uint8_t *)in->app_key };
    }
    *out_len = custos__v1__signed_event__get_packed_size(&se);
    *out = custos__malloc(*out_len);
    if (*out != NULL)
        custos__v1__signed_event__pack(&se, *out);
    custos__free(body);
    return *out != NULL ? CUSTOS_OK : custos__fail(ctx, CUSTOS_ENOMEM, "out of memory");
}

static int store_event(custos_t *ctx, const cs_event_in *in, uint64_t seq, const uint8_t *blob, size_t len)
{
    static const char sql_event[] =
        "INSERT INTO consent_event(seq, subject_hash, purpose, signed) VALUES(?1, ?2, ?3, ?4)";
    static const char sql_state[] =
        "INSERT INTO consent_state(subject, purpose, status, valid_until, time, policy_version, seq,"
        " invalidated) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(subject, purpose) DO UPDATE SET"
        " status = excluded.status, valid_until = excluded.valid_until, time = excluded.time,"
        " policy_version = excluded.policy_version, seq = excluded.seq, invalidated = excluded.invalidated";
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, sql_event, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
        sqlite3_bind_blob(st, 2, in->subject_hash, 32, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, (int)in->purpose);
        sqlite3_bind_blob(st, 4, blob, (int)len, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
    }
    if (rc != SQLITE_DONE)
        return custos__sqlite_fail(ctx, rc, "append a consent event");
    rc = sqlite3_prepare_v2(ctx->db, sql_state, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, in->subject);
        sqlite3_bind_int(st, 2, (int)in->purpose);
        sqlite3_bind_int(st, 3, (int)in->status);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)in->valid_until);
        sqlite3_bind_int64(st, 5, (sqlite3_int64)in->time);
        sqlite3_bind_int64(st, 6, ctx->ledger->manifest->product->policy_version);
        sqlite3_bind_int64(st, 7, (sqlite3_int64)seq);
        sqlite3_bind_int(st, 8, in->invalidated);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
    }
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "update the consent state");
}

int custos_consent__event_append(custos_t *ctx, const cs_event_in *in)
{
    uint64_t seq = 0;
    uint8_t prev[32], event_id[16];
    int rc = chain_tip(ctx, &seq, prev);
    if (rc != CUSTOS_OK)
        return rc;
    Custos__V1__ConsentEvent ev = CUSTOS__V1__CONSENT_EVENT__INIT;
    fill_body(ctx, &ev, in, event_id, seq + 1, prev);
    uint8_t *blob = NULL;
    size_t len = 0;
    if ((rc = seal(ctx, &ev, in, &blob, &len)) != CUSTOS_OK)
        return rc;
    rc = store_event(ctx, in, seq + 1, blob, len);
    custos__free(blob);
    return rc;
}
