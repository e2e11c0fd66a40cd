/*
 * update.c: ConsentUpdate, app -> device. The app's store encodes and signs
 * it; the device verifies, checks the counter and applies every change in
 * one transaction, or none.
 *
 * Merging is deterministic and withdrawal wins: changes to the same
 * (subject, purpose) in one update reduce to the most restrictive
 * (withdrawn/revoked > refused > requested/deferred > given/renewed); a
 * change older than the device's last decision for that pair is skipped,
 * and at the same second the more restrictive of the two stays.
 */
#include "sync_internal.h"
#include "../consent/consent_internal.h"
#include "../lifecycle/lifecycle.h"

#include <protobuf-c/protobuf-c.h>
#include <string.h>

int custos_sync__update_body(uint8_t **out, size_t *out_len, const sync_update_fields *f)
{
    Custos__V1__ConsentChange cv[CUSTOS_SYNC_MAX_CHANGES + 1];
    Custos__V1__ConsentChange *cp[CUSTOS_SYNC_MAX_CHANGES + 1];
    if (f->n > CUSTOS_SYNC_MAX_CHANGES + 1)
        return CUSTOS_ERANGE;
    Custos__V1__ConsentUpdate u = CUSTOS__V1__CONSENT_UPDATE__INIT;
    u.body_type = CUSTOS__V1__BODY_TYPE__BODY_CONSENT_UPDATE;
    u.device_id = (ProtobufCBinaryData){ 16, (uint8_t *)f->device_id };
    u.counter = f->counter;
    u.manifest_id = (ProtobufCBinaryData){ 32, (uint8_t *)f->manifest_id };
    u.policy_version = f->policy_version;
    u.has_time = f->time != 0;
    u.time = f->time;
    for (size_t i = 0; i < f->n; i++) {
        custos__v1__consent_change__init(&cv[i]);
        cv[i].subject = f->changes[i].subject;
        cv[i].purpose = f->changes[i].purpose;
        cv[i].status = (Custos__V1__ConsentStatus)f->changes[i].status;
        cv[i].has_valid_until = f->changes[i].valid_until != 0;
        cv[i].valid_until = f->changes[i].valid_until;
        if (f->actors != NULL && f->actors[i] != CUSTOS_ACTOR_SUBJECT) {
            cv[i].has_actor = 1;
            cv[i].actor = (Custos__V1__ConsentActor)f->actors[i];
        }
        cp[i] = &cv[i];
    }
    u.n_changes = f->n;
    u.changes = cp;
    *out_len = custos__v1__consent_update__get_packed_size(&u);
    *out = custos__malloc(*out_len);
    if (*out == NULL)
        return CUSTOS_ENOMEM;
    custos__v1__consent_update__pack(&u, *out);
    return CUSTOS_OK;
}

static int encode_locked(custos_t *ctx, uint8_t *out, size_t out_size, size_t *out_len, const uint8_t device_id[16],
                         const custos_consent_change *changes, size_t n)
{
    uint8_t mid[32];
    const custos_manifest_pb *m = custos__policy_manifest(ctx, mid);
    if (m == NULL)
        return custos__fail(ctx, CUSTOS_ESTATE, "sync: no manifest is loaded into this store");
    sync_update_fields f = { .device_id = device_id, .manifest_id = mid,
                             .policy_version = m->product->policy_version, .changes = changes, .n = n };
    f.time = custos__now(ctx, NULL);
    int rc = custos_sync__peer_next_out(ctx, device_id, &f.counter);
    if (rc != CUSTOS_OK)
        return rc;
    uint8_t *body = NULL;
    size_t blen = 0;
    if ((rc = custos_sync__update_body(&body, &blen, &f)) != CUSTOS_OK)
        return custos__fail(ctx, rc, "sync: cannot encode the update");
    rc = custos_sync__seal(ctx, out, out_size, out_len, CUSTOS__V1__BODY_TYPE__BODY_CONSENT_UPDATE, body, blen);
    custos__free(body);
    return rc;
}

int custos_sync_encode_update(custos_t *ctx, uint8_t *out, size_t out_size, size_t *out_len,
                              const uint8_t device_id[16], const custos_consent_change *changes, size_t n)
{
    if (ctx == NULL || out_len == NULL || device_id == NULL || changes == NULL)
        return custos__fail(ctx, CUSTOS_EINVAL, "sync: NULL argument");
    if (n == 0 || n > CUSTOS_SYNC_MAX_CHANGES)
        return custos__fail(ctx, CUSTOS_ERANGE, "sync: an update carries 1..%u changes, not %zu",
                            CUSTOS_SYNC_MAX_CHANGES, n);
    int rc = custos__txn_begin(ctx);
    if (rc != CUSTOS_OK)
        return rc;
    rc = encode_locked(ctx, out, out_size, out_len, device_id, changes, n);
    return custos__txn_end(ctx, rc);
}

/* --- applying ------------------------------------------------------------ */

static int rank(int status)
{
    switch (status) {
    case CUSTOS_CONSENT_WITHDRAWN:
    case CUSTOS_CONSENT_REVOKED: return 3;
    case CUSTOS_CONSENT_REFUSED: return 2;
    case CUSTOS_CONSENT_GIVEN:
    case CUSTOS_CONSENT_RENEWED: return 0;
    default: return 1;
    }
}

/* a is more restrictive than b (ties broken by the status number). */
static int stricter(int a, int b) { return rank(a) != rank(b) ? rank(a) > rank(b) : a > b; }

static int check_update(custos_t *ctx, const Custos__V1__ConsentUpdate *u, uint64_t last_in)
{
    uint8_t mid[32];
    const custos_manifest_pb *m = custos__policy_manifest(ctx, mid);
    if (u->body_type != CUSTOS__V1__BODY_TYPE__BODY_CONSENT_UPDATE)
        return custos__fail(ctx, CUSTOS_ECORRUPT, "sync: the body is not a ConsentUpdate");
    if (u->device_id.len != 16 || memcmp(u->device_id.data, ctx->device_id, 16) != 0)
        return custos__fail(ctx, CUSTOS_EINVAL, "sync: the update is for another device");
    if (m == NULL)
        return custos__fail(ctx, CUSTOS_ESTATE, "sync: no manifest is loaded into this store");
    if (u->manifest_id.len != 32 || memcmp(u->manifest_id.data, mid, 32) != 0 ||
        u->policy_version != m->product->policy_version)
        return custos__fail(ctx, CUSTOS_EINVAL, "sync: the update is for policy version %u, this store has %u",
                            u->policy_version, m->product->policy_version);
    if (u->counter <= last_in)
        return custos__fail(ctx, CUSTOS_EREPLAY, "sync: counter %u is not above the last applied %llu", u->counter,
                            (unsigned long long)last_in);
    if (u->n_changes > CUSTOS_SYNC_MAX_CHANGES)
        return custos__fail(ctx, CUSTOS_ERANGE, "sync: %zu changes, at most %u", u->n_changes, CUSTOS_SYNC_MAX_CHANGES);
    custos_time_confidence conf;
    uint64_t now = custos__now(ctx, &conf);
    if (u->has_time && conf == CUSTOS_TIME_TRUSTED_CLOCK && u->time > now + CUSTOS_SYNC_MAX_SKEW)
        return custos__fail(ctx, CUSTOS_EINVAL, "sync: the update's time is in the future");
    return CUSTOS_OK;
}

/* 1 if change i is the one that survives merging for its pair. */
static int survives(const Custos__V1__ConsentUpdate *u, size_t i)
{
    const Custos__V1__ConsentChange *c = u->changes[i];
    for (size_t j = 0; j < u->n_changes; j++) {
        const Custos__V1__ConsentChange *d = u->changes[j];
        if (j == i || d->subject != c->subject || d->purpose != c->purpose)
            continue;
        if (stricter((int)d->status, (int)c->status) || (d->status == c->status && j < i))
            return 0;
    }
    return 1;
}

/* 1 if the local decision stands against this change. */
static int local_wins(const custos_consent_state_info *cur, const Custos__V1__ConsentUpdate *u, int status)
{
    if ((int)cur->status == status)
        return 1;
    if (!u->has_time || cur->seq == 0)
        return 0;
    return cur->time > u->time || (cur->time == u->time && stricter((int)cur->status, status));
}

/* The withdrawals and revocations an update applied: their purposes' data
 * is erased once the update has committed (as custos_consent_withdraw does). */
typedef struct withdrawn {
    size_t n;
    custos_withdrawal pair[CUSTOS_SYNC_MAX_CHANGES];
} withdrawn;

static int apply_change(custos_t *ctx, const Custos__V1__ConsentUpdate *u, const Custos__V1__ConsentChange *c,
                        const cs_event_in *app, size_t *applied, withdrawn *w)
{
    custos_consent_state_info cur;
    int rc = custos_consent__state_get(ctx, c->subject, c->purpose, &cur);
    if (rc != CUSTOS_OK || local_wins(&cur, u, (int)c->status))
        return rc;
    custos_consent_info info = { CUSTOS_CONSENT_INFO_VERSION, NULL, "und", CUSTOS_METHOD_COMPANION_APP,
                                 c->has_actor ? (custos_consent_actor)c->actor : CUSTOS_ACTOR_SUBJECT };
    cs_event_in in = *app;
    in.valid_until = c->has_valid_until ? c->valid_until : 0;
    rc = custos_consent__record(ctx, c->subject, c->purpose, (custos_consent_status)c->status, &info, &in,
                   u->has_time ? u->time : 0);
    *applied += rc == CUSTOS_OK;
    if (rc == CUSTOS_OK && ((int)c->status == CUSTOS_CONSENT_WITHDRAWN || (int)c->status == CUSTOS_CONSENT_REVOKED) &&
        w->n < CUSTOS_SYNC_MAX_CHANGES) {
        w->pair[w->n].subject = c->subject;
        w->pair[w->n++].purpose = c->purpose;
    }
    return rc;
}

static int apply_locked(custos_t *ctx, const uint8_t *msg, size_t len, size_t *applied, withdrawn *w)
{
    Custos__V1__SignedMessage *m = NULL;
    uint64_t last_in = 0;
    int rc = custos_sync__open(ctx, msg, len, CUSTOS__V1__BODY_TYPE__BODY_CONSENT_UPDATE, &m, &last_in);
    if (rc != CUSTOS_OK)
        return rc;
    Custos__V1__ConsentUpdate *u = NULL;
    rc = custos_consent__unpack(ctx, &custos__v1__consent_update__descriptor, m->body.data, m->body.len, (void **)&u,
                   "sync: the ConsentUpdate body");
    if (rc == CUSTOS_OK)
        rc = check_update(ctx, u, last_in);
    cs_event_in app = { .app_body = m->body.data, .app_body_len = m->body.len,
                        .app_signature = m->signature.data, .app_key = m->signer.data };
    for (size_t i = 0; rc == CUSTOS_OK && i < u->n_changes; i++)
        if (survives(u, i))
            rc = apply_change(ctx, u, u->changes[i], &app, applied, w);
    if (rc == CUSTOS_OK)
        rc = custos_sync__peer_set_last_in(ctx, m->signer.data, u->counter);
    custos_consent__unpacked_free(u);
    custos_consent__unpacked_free(m);
    return rc;
}

/* A peer key or counter edited outside the library breaks the consent seal
 * (consent/seal.c): nothing is applied until custos_consent_repair. */
static int check_sealed(custos_t *ctx)
{
    int sealed = 0;
    int rc = custos_consent__seal_matches(ctx, &sealed);
    if (rc == CUSTOS_OK && !sealed)
        rc = custos__fail(ctx, CUSTOS_ECORRUPT, "sync: the paired keys or the consent state failed their integrity "
                          "check; nothing was applied (custos_consent_repair, then pair again)");
    return rc;
}

int custos_sync_apply_update(custos_t *ctx, size_t *out_applied, const uint8_t *msg, size_t len)
{
    size_t applied = 0;
    if (out_applied != NULL)
        *out_applied = 0;
    if (ctx == NULL)
        return CUSTOS_EINVAL;
    int rc = custos__txn_begin(ctx);
    if (rc != CUSTOS_OK)
        return rc;
    withdrawn w = { 0 };
    rc = check_sealed(ctx);
    if (rc == CUSTOS_OK)
        rc = apply_locked(ctx, msg, len, &applied, &w);
    rc = custos__withdraw_then_erase(ctx, rc, w.pair, w.n, "consent update");
    rc = custos__txn_end(ctx, rc);
    if (rc == CUSTOS_OK && out_applied != NULL)
        *out_applied = applied;
    if (rc == CUSTOS_ESIGNATURE || rc == CUSTOS_EREPLAY || rc == CUSTOS_ECORRUPT) {
        pthread_mutex_lock(&ctx->write_lock);
        rc = custos_consent__audit_failure(ctx, rc, rc == CUSTOS_EREPLAY ? "consent update replayed"
                                                            : "consent update failed verification");
        pthread_mutex_unlock(&ctx->write_lock);
    }
    return rc;
}
