/*
 * report.c: ConsentStateReport (device -> app) and ManifestOffer (app ->
 * device), both in a SignedMessage signed by the sender's store key and
 * verified against a paired key by the receiver.
 */
#include "sync_internal.h"
#include "../consent/consent_internal.h"

#include <protobuf-c/protobuf-c.h>
#include <string.h>

int custos_sync__report_body(uint8_t **out, size_t *out_len, const uint8_t device_id[16], uint32_t counter,
                     const custos_compact_state *states, size_t n)
{
    Custos__V1__CompactConsentState sv[CUSTOS_SYNC_MAX_STATES];
    Custos__V1__CompactConsentState *sp[CUSTOS_SYNC_MAX_STATES];
    if (n > CUSTOS_SYNC_MAX_STATES)
        return CUSTOS_ERANGE;
    for (size_t i = 0; i < n; i++) {
        custos__v1__compact_consent_state__init(&sv[i]);
        sv[i].subject = states[i].subject;
        sv[i].given = states[i].given;
        sv[i].has_decided = sv[i].has_counter = 1;
        sv[i].decided = states[i].decided;
        sv[i].policy_version = states[i].policy_version;
        sv[i].counter = states[i].counter;
        sp[i] = &sv[i];
    }
    Custos__V1__ConsentStateReport r = CUSTOS__V1__CONSENT_STATE_REPORT__INIT;
    r.body_type = CUSTOS__V1__BODY_TYPE__BODY_CONSENT_STATE;
    r.device_id = (ProtobufCBinaryData){ 16, (uint8_t *)device_id };
    r.counter = counter;
    r.n_states = n;
    r.states = sp;
    *out_len = custos__v1__consent_state_report__get_packed_size(&r);
    *out = custos__malloc(*out_len);
    if (*out == NULL)
        return CUSTOS_ENOMEM;
    custos__v1__consent_state_report__pack(&r, *out);
    return CUSTOS_OK;
}

typedef struct state_walk {
    custos_t *ctx;
    custos_compact_state *sv;
    size_t n;
    uint32_t version, counter;
} state_walk;

static int add_subject(void *user, custos_subject id)
{
    state_walk *w = user;
    if (w->n == CUSTOS_SYNC_MAX_STATES)
        return custos__fail(w->ctx, CUSTOS_ERANGE, "sync: more than %u subjects for one report",
                            CUSTOS_SYNC_MAX_STATES);
    w->sv[w->n++] = (custos_compact_state){ id, 0, 0, w->version, w->counter };
    return CUSTOS_OK;
}

static int add_state(void *user, const custos_consent_row *r)
{
    state_walk *w = user;
    size_t lo = 0, hi = w->n; /* sv is in subject order */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->sv[mid].subject < r->subject)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == w->n || w->sv[lo].subject != r->subject || r->purpose > 63)
        return CUSTOS_OK;
    if (custos_consent_valid_for_processing(r->status))
        w->sv[lo].given |= 1ull << r->purpose;
    if (r->status != CUSTOS_CONSENT_REQUESTED && r->status != CUSTOS_CONSENT_REQUEST_DEFERRED)
        w->sv[lo].decided |= 1ull << r->purpose;
    return CUSTOS_OK;
}

/* The compact state of every subject, in subject order, read through the
 * consent module (it owns the subject and consent_state tables). */
static int collect_states(custos_t *ctx, custos_compact_state *sv, size_t *n, uint32_t version, uint32_t counter)
{
    state_walk w = { ctx, sv, 0, version, counter };
    int rc = custos__subject_foreach(ctx, add_subject, &w);
    if (rc == CUSTOS_OK)
        rc = custos__consent_foreach(ctx, add_state, &w);
    *n = w.n;
    return rc;
}

static int report_locked(custos_t *ctx, uint8_t *out, size_t out_size, size_t *out_len)
{
    custos_compact_state sv[CUSTOS_SYNC_MAX_STATES];
    const custos_manifest_pb *m = custos__policy_manifest(ctx, NULL);
    uint32_t counter = 0;
    size_t n = 0;
    int rc = custos_sync__last_in_max(ctx, &counter);
    if (rc == CUSTOS_OK)
        rc = collect_states(ctx, sv, &n, m != NULL ? m->product->policy_version : 0, counter);
    if (rc != CUSTOS_OK)
        return rc;
    uint8_t *body = NULL;
    size_t blen = 0;
    if ((rc = custos_sync__report_body(&body, &blen, ctx->device_id, counter, sv, n)) != CUSTOS_OK)
        return custos__fail(ctx, rc, "sync: cannot encode the report");
    rc = custos_sync__seal(ctx, out, out_size, out_len, CUSTOS__V1__BODY_TYPE__BODY_CONSENT_STATE, body, blen);
    custos__free(body);
    return rc;
}

int custos_sync_encode_state_report(custos_t *ctx, uint8_t *out, size_t out_size, size_t *out_len)
{
    if (ctx == NULL || out_len == NULL)
        return custos__fail(ctx, CUSTOS_EINVAL, "sync: NULL argument");
    int rc = custos__txn_begin(ctx);
    if (rc != CUSTOS_OK)
        return rc;
    return custos__txn_end(ctx, report_locked(ctx, out, out_size, out_len));
}

static int copy_states(custos_t *ctx, const Custos__V1__ConsentStateReport *r, custos_compact_state *states,
                       size_t max, size_t *out_n)
{
    *out_n = r->n_states;
    if (r->n_states > max)
        return custos__fail(ctx, CUSTOS_ERANGE, "sync: the report holds %zu states, room for %zu", r->n_states, max);
    for (size_t i = 0; i < r->n_states; i++) {
        const Custos__V1__CompactConsentState *s = r->states[i];
        states[i] = (custos_compact_state){ s->subject, s->given, s->has_decided ? s->decided : s->given,
                                            s->policy_version, s->has_counter ? s->counter : 0 };
    }
    return CUSTOS_OK;
}

static int decode_report_locked(custos_t *ctx, custos_compact_state *states, size_t max, size_t *out_n,
                                uint8_t device_id[16], uint32_t *counter, const uint8_t *msg, size_t len)
{
    Custos__V1__SignedMessage *m = NULL;
    int rc = custos_sync__open(ctx, msg, len, CUSTOS__V1__BODY_TYPE__BODY_CONSENT_STATE, &m, NULL);
    if (rc != CUSTOS_OK)
        return rc;
    Custos__V1__ConsentStateReport *r = NULL;
    rc = custos_consent__unpack(ctx, &custos__v1__consent_state_report__descriptor, m->body.data, m->body.len, (void **)&r,
                   "sync: the ConsentStateReport body");
    if (rc == CUSTOS_OK && (r->body_type != CUSTOS__V1__BODY_TYPE__BODY_CONSENT_STATE || r->device_id.len != 16))
        rc = custos__fail(ctx, CUSTOS_ECORRUPT, "sync: the body is not a well-formed ConsentStateReport");
    if (rc == CUSTOS_OK)
        rc = copy_states(ctx, r, states, max, out_n);
    if (rc == CUSTOS_OK && device_id != NULL)
        memcpy(device_id, r->device_id.data, 16);
    if (rc == CUSTOS_OK && counter != NULL)
        *counter = r->counter;
    custos_consent__unpacked_free(r);
    custos_consent__unpacked_free(m);
    return rc;
}

int custos_sync_decode_state_report(custos_t *ctx, custos_compact_state *states, size_t max, size_t *out_n,
                                    uint8_t out_device_id[16], uint32_t *out_counter, const uint8_t *msg, size_t len)
{
    if (ctx == NULL || out_n == NULL || (states == NULL && max != 0))
        return custos__fail(ctx, CUSTOS_EINVAL, "sync: NULL argument");
    *out_n = 0;
    pthread_mutex_lock(&ctx->write_lock);
    int rc = decode_report_locked(ctx, states, max, out_n, out_device_id, out_counter, msg, len);
    pthread_mutex_unlock(&ctx->write_lock);
    return rc;
}

static int offer_locked(custos_t *ctx, uint8_t *out, size_t out_size, size_t *out_len, const uint32_t *reconsent,
                        size_t n)
{
    uint8_t mid[32];
    const custos_manifest_pb *m = custos__policy_manifest(ctx, mid);
    if (m == NULL)
        return custos__fail(ctx, CUSTOS_ESTATE, "sync: no manifest is loaded into this store");
    Custos__V1__ManifestOffer o = CUSTOS__V1__MANIFEST_OFFER__INIT;
    o.body_type = CUSTOS__V1__BODY_TYPE__BODY_MANIFEST_OFFER;
    o.manifest_id = (ProtobufCBinaryData){ 32, mid };
    o.policy_version = m->product->policy_version;
    o.n_reconsent_purposes = n;
    o.reconsent_purposes = (uint32_t *)reconsent;
    uint8_t body[CUSTOS_SYNC_MAX_MESSAGE];
    size_t blen = custos__v1__manifest_offer__get_packed_size(&o);
    if (blen > sizeof body)
        return custos__fail(ctx, CUSTOS_ERANGE, "sync: offer too large");
    custos__v1__manifest_offer__pack(&o, body);
    return custos_sync__seal(ctx, out, out_size, out_len, CUSTOS__V1__BODY_TYPE__BODY_MANIFEST_OFFER, body, blen);
}

int custos_sync_encode_manifest_offer(custos_t *ctx, uint8_t *out, size_t out_size, size_t *out_len,
                                      const uint32_t *reconsent, size_t n)
{
    if (ctx == NULL || out_len == NULL || (reconsent == NULL && n != 0))
        return custos__fail(ctx, CUSTOS_EINVAL, "sync: NULL argument");
    if (n > 64)
        return custos__fail(ctx, CUSTOS_ERANGE, "sync: at most 64 purposes in an offer");
    pthread_mutex_lock(&ctx->write_lock);
    int rc = offer_locked(ctx, out, out_size, out_len, reconsent, n);
    pthread_mutex_unlock(&ctx->write_lock);
    return rc;
}

static int decode_offer_locked(custos_t *ctx, uint8_t mid[32], uint32_t *version, uint32_t *reconsent, size_t max,
                               size_t *out_n, const uint8_t *msg, size_t len)
{
    Custos__V1__SignedMessage *m = NULL;
    int rc = custos_sync__open(ctx, msg, len, CUSTOS__V1__BODY_TYPE__BODY_MANIFEST_OFFER, &m, NULL);
    if (rc != CUSTOS_OK)
        return rc;
    Custos__V1__ManifestOffer *o = NULL;
    rc = custos_consent__unpack(ctx, &custos__v1__manifest_offer__descriptor, m->body.data, m->body.len, (void **)&o,
                   "sync: the ManifestOffer body");
    if (rc == CUSTOS_OK && (o->body_type != CUSTOS__V1__BODY_TYPE__BODY_MANIFEST_OFFER || o->manifest_id.len != 32)) {
        rc = CUSTOS_ECORRUPT;
        custos__fail(ctx, rc, "sync: the body is not a well-formed ManifestOffer");
    } else if (rc == CUSTOS_OK && (*out_n = o->n_reconsent_purposes) > max) {
        rc = CUSTOS_ERANGE;
        custos__fail(ctx, rc, "sync: the offer names %zu purposes, room for %zu", *out_n, max);
    }
    if (rc == CUSTOS_OK) {
        if (mid != NULL)
            memcpy(mid, o->manifest_id.data, 32);
        if (version != NULL)
            *version = o->policy_version;
        for (size_t i = 0; i < o->n_reconsent_purposes; i++)
            reconsent[i] = o->reconsent_purposes[i];
    }
    custos_consent__unpacked_free(o);
    custos_consent__unpacked_free(m);
    return rc;
}

int custos_sync_decode_manifest_offer(custos_t *ctx, uint8_t out_manifest_id[32], uint32_t *out_version,
                                      uint32_t *reconsent, size_t max, size_t *out_n, const uint8_t *msg, size_t len)
{
    if (ctx == NULL || out_n == NULL || (reconsent == NULL && max != 0))
        return custos__fail(ctx, CUSTOS_EINVAL, "sync: NULL argument");
    *out_n = 0;
    pthread_mutex_lock(&ctx->write_lock);
    int rc = decode_offer_locked(ctx, out_manifest_id, out_version, reconsent, max, out_n, msg, len);
    pthread_mutex_unlock(&ctx->write_lock);
    return rc;
}
