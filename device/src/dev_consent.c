/*
 * dev_consent.c: the consent state, the gate, pairing and signed updates.
 *
 * State per subject slot is two 64-bit bitsets (given, decided) plus a small
 * table of expiries; the gate is a bit test. An update is checked whole,
 * applied to a copy, written to flash, and only then becomes the state the
 * gate reads: a refused or interrupted update changes nothing.
 */
#include <string.h>

#include <pb_decode.h>

#include "custos/v1/sync.pb.h"
#include "dev_internal.h"

static int port_complete(const custos_dev_port *p)
{
    return p->flash_read && p->flash_program && p->flash_erase_page && p->aead_seal
        && p->aead_open && p->key_destroy && p->ed25519_verify && p->random && p->now
        && p->page_size != 0 && CUSTOS_DEV_SLOT_SIZE % p->page_size == 0;
}

/* A stale state keeps its pairing, counter and decisions but grants
 * nothing: the record it fell back from may have withdrawn any consent. */
static void drop_consents(custos_dev_state *st)
{
    memset(st->given, 0, sizeof st->given); /* not secret: bitsets, then reset */
    st->timed_count = 0;
}

int custos_dev_open(custos_dev_t *dev, const custos_dev_port *port,
                    const uint8_t device_id[16], uint64_t declared_purposes)
{
    int rc;

    if (dev == NULL || port == NULL || device_id == NULL || !port_complete(port))
        return CUSTOS_DEV_EINVAL;
    if (CUSTOS_DEV_MAX_PURPOSES < 64 && (declared_purposes >> (CUSTOS_DEV_MAX_PURPOSES % 64)) != 0)
        return CUSTOS_DEV_EINVAL;
    memset(dev, 0, sizeof *dev); /* not secret */
    dev->port = port;
    dev->declared = declared_purposes;
    memcpy(dev->device_id, device_id, 16);
    rc = dev_store_load(port, &dev->st, &dev->seq, &dev->slot, &dev->stale);
    if (rc != 0) {
        custos_dev_wipe(dev, sizeof *dev);
        return rc;
    }
    if (dev->stale)
        drop_consents(&dev->st);
    dev->is_open = 1;
    return 0;
}

void custos_dev_close(custos_dev_t *dev)
{
    if (dev != NULL)
        custos_dev_wipe(dev, sizeof *dev);
}

uint32_t custos_dev_counter(const custos_dev_t *dev)
{
    return dev != NULL && dev->is_open ? dev->st.counter : 0;
}

/* Persist next; on success it becomes the live state. Written from a stale
 * state it carries no consent of the fallback record, so the stale mark
 * can go: nothing it re-allowed survives the write. */
static int commit(custos_dev_t *dev, const custos_dev_state *next)
{
    int rc = dev_store_save(dev->port, next, &dev->seq, &dev->slot);
    if (rc == 0) {
        memcpy(&dev->st, next, sizeof *next);
        dev->stale = 0;
    }
    return rc;
}

int custos_dev_pair(custos_dev_t *dev, const uint8_t app_key[32])
{
    custos_dev_state next;
    int rc;

    if (dev == NULL || !dev->is_open || app_key == NULL)
        return CUSTOS_DEV_EINVAL;
    if (dev->st.paired)
        return CUSTOS_DEV_EPAIRED;
    memcpy(&next, &dev->st, sizeof next);
    memcpy(next.app_key, app_key, 32);
    next.paired = 1;
    rc = commit(dev, &next);
    custos_dev_wipe(&next, sizeof next);
    return rc;
}

static int find_timed(const custos_dev_state *st, unsigned subject, unsigned purpose)
{
    for (int i = 0; i < st->timed_count; i++)
        if (st->timed[i].subject == subject && st->timed[i].purpose == purpose)
            return i;
    return -1;
}

int custos_dev_check(const custos_dev_t *dev, unsigned subject, unsigned purpose)
{
    int t;

    if (dev == NULL || !dev->is_open)
        return CUSTOS_DEV_EINVAL;
    if (subject >= CUSTOS_DEV_MAX_SUBJECTS)
        return CUSTOS_DEV_ESUBJECT;
    if (purpose >= CUSTOS_DEV_MAX_PURPOSES || ((dev->declared >> purpose) & 1u) == 0)
        return CUSTOS_DEV_EPURPOSE;
    if (dev->stale)
        return CUSTOS_DEV_ESTALE;
    if (((dev->st.given[subject] >> purpose) & 1u) == 0)
        return ((dev->st.decided[subject] >> purpose) & 1u) ? CUSTOS_DEV_EDENIED
                                                            : CUSTOS_DEV_ENOCONSENT;
    t = find_timed(&dev->st, subject, purpose);
    if (t >= 0) {
        uint64_t now = dev->port->now(dev->port->ctx);
        if (now == 0 || now >= dev->st.timed[t].until)
            return CUSTOS_DEV_EEXPIRED;
    }
    return 0;
}

/* Record or clear the expiry of one (subject, purpose). */
static int set_timed(custos_dev_state *st, unsigned subject, unsigned purpose,
                     uint64_t until)
{
    int t = find_timed(st, subject, purpose);

    if (until == 0) {
        if (t >= 0)
            st->timed[t] = st->timed[--st->timed_count];
        return 0;
    }
    if (t < 0) {
        if (st->timed_count >= CUSTOS_DEV_MAX_TIMED)
            return CUSTOS_DEV_ENOSPACE;
        t = st->timed_count++;
    }
    st->timed[t].subject = (uint8_t)subject;
    st->timed[t].purpose = (uint8_t)purpose;
    st->timed[t].until = until > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)until;
    return 0;
}

/* Fold one change into next. Withdrawal and refusal clear the bit; the
 * statuses that are not decisions (requested, deferred) clear both. */
static int apply_change(const custos_dev_t *dev, custos_dev_state *next,
                        const custos_v1_ConsentChange *c)
{
    uint64_t bit;

    if (c->subject >= CUSTOS_DEV_MAX_SUBJECTS)
        return CUSTOS_DEV_ESUBJECT;
    if (c->purpose >= CUSTOS_DEV_MAX_PURPOSES || ((dev->declared >> c->purpose) & 1u) == 0)
        return CUSTOS_DEV_EPURPOSE;
    bit = (uint64_t)1 << c->purpose;
    switch (c->status) {
    case custos_v1_ConsentStatus_CONSENT_GIVEN:
    case custos_v1_ConsentStatus_CONSENT_RENEWED:
        next->given[c->subject] |= bit;
        next->decided[c->subject] |= bit;
        return set_timed(next, c->subject, c->purpose,
                         c->has_valid_until ? c->valid_until : 0);
    case custos_v1_ConsentStatus_CONSENT_REFUSED:
    case custos_v1_ConsentStatus_CONSENT_WITHDRAWN:
    case custos_v1_ConsentStatus_CONSENT_REVOKED:
    case custos_v1_ConsentStatus_CONSENT_EXPIRED:
    case custos_v1_ConsentStatus_CONSENT_INVALIDATED:
        next->given[c->subject] &= ~bit;
        next->decided[c->subject] |= bit;
        return set_timed(next, c->subject, c->purpose, 0);
    case custos_v1_ConsentStatus_CONSENT_UNKNOWN:
    case custos_v1_ConsentStatus_CONSENT_REQUESTED:
    case custos_v1_ConsentStatus_CONSENT_REQUEST_DEFERRED:
        next->given[c->subject] &= ~bit;
        next->decided[c->subject] &= ~bit;
        return set_timed(next, c->subject, c->purpose, 0);
    default:
        return CUSTOS_DEV_ESTATUS;
    }
}

/* Decode a verified body and fold it into next. */
static int decode_update(const custos_dev_t *dev, const uint8_t *body, size_t len,
                         custos_v1_ConsentUpdate *u, custos_dev_state *next)
{
    pb_istream_t is = pb_istream_from_buffer(body, len);
    int rc = dev_wire_check_update(body, len);

    if (rc != 0)
        return rc;
    if (!pb_decode(&is, custos_v1_ConsentUpdate_fields, u))
        return CUSTOS_DEV_EDECODE;
    if (u->body_type != custos_v1_BodyType_BODY_CONSENT_UPDATE)
        return CUSTOS_DEV_ETYPE;
    if (memcmp(u->device_id, dev->device_id, 16) != 0)
        return CUSTOS_DEV_EDEVICE;
    if (u->counter <= dev->st.counter)
        return CUSTOS_DEV_EREPLAY;
    memcpy(next, &dev->st, sizeof *next);
    for (pb_size_t i = 0; i < u->changes_count; i++)
        if ((rc = apply_change(dev, next, &u->changes[i])) != 0)
            return rc;
    next->counter = u->counter;
    next->policy_version = u->policy_version;
    memcpy(next->manifest_id, u->manifest_id, 32);
    return 0;
}

/* Decode, check and commit a body whose signature verified. Kept out of
 * line so that the message structs are not on the stack while the port
 * verifies the signature (Ed25519 verify is the deepest call). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int apply_verified(custos_dev_t *dev, const uint8_t *body, size_t len)
{
    custos_v1_ConsentUpdate u;
    custos_dev_state next;
    int rc;

    memset(&u, 0, sizeof u); /* not secret */
    rc = decode_update(dev, body, len, &u, &next);
    if (rc == 0)
        rc = commit(dev, &next);
    custos_dev_wipe(&u, sizeof u);
    custos_dev_wipe(&next, sizeof next);
    return rc;
}

int custos_dev_apply_update(custos_dev_t *dev, const uint8_t *msg, size_t msg_len)
{
    dev_envelope env;
    int rc;

    if (dev == NULL || !dev->is_open || (msg == NULL && msg_len != 0))
        return CUSTOS_DEV_EINVAL;
    if (msg == NULL)
        return CUSTOS_DEV_EDECODE;
    if ((rc = dev_wire_envelope(msg, msg_len, &env)) != 0)
        return rc;
    if (env.body_type != custos_v1_BodyType_BODY_CONSENT_UPDATE)
        return CUSTOS_DEV_ETYPE;
    if (!dev->st.paired)
        return CUSTOS_DEV_ENOTPAIRED;
    if (memcmp(env.signer, dev->st.app_key, 32) != 0)
        return CUSTOS_DEV_ESIGNER;
    if (dev->port->ed25519_verify(dev->port->ctx, env.signature, env.body, env.body_len,
                                  dev->st.app_key) != 0)
        return CUSTOS_DEV_ESIGNATURE;
    return apply_verified(dev, env.body, env.body_len);
}
