/*
 * dev_report.c: what the device tells the app: its consent state (the
 * report and the compact per-subject form) and the receipt of a local erase.
 */
#include <string.h>

#include <pb_encode.h>

#include "custos/v1/sync.pb.h"
#include "dev_internal.h"

/* given minus the consents whose expiry has passed (or cannot be told). */
static uint64_t effective_given(const custos_dev_t *dev, unsigned subject, uint64_t now)
{
    uint64_t given = dev->st.given[subject];
    for (unsigned i = 0; i < dev->st.timed_count; i++) {
        const custos_dev_timed *t = &dev->st.timed[i];
        if (t->subject == subject && (now == 0 || now >= t->until))
            given &= ~((uint64_t)1 << t->purpose);
    }
    return given;
}

static void fill_compact(const custos_dev_t *dev, unsigned subject, uint64_t now,
                         custos_v1_CompactConsentState *c)
{
    memset(c, 0, sizeof *c); /* not secret */
    c->subject = (uint8_t)subject;
    c->given = effective_given(dev, subject, now);
    c->has_decided = true;
    c->decided = dev->st.decided[subject];
    c->policy_version = dev->st.policy_version;
    c->has_counter = true;
    c->counter = dev->st.counter;
}

static uint64_t clock_if_needed(const custos_dev_t *dev)
{
    return dev->st.timed_count ? dev->port->now(dev->port->ctx) : 0;
}

int custos_dev_encode_report(const custos_dev_t *dev, uint8_t *out, size_t out_size,
                             size_t *out_len)
{
    custos_v1_ConsentStateReport r;
    uint64_t now;
    int rc;

    if (dev == NULL || !dev->is_open || out_len == NULL)
        return CUSTOS_DEV_EINVAL;
    now = clock_if_needed(dev);
    memset(&r, 0, sizeof r); /* not secret */
    r.body_type = custos_v1_BodyType_BODY_CONSENT_STATE;
    memcpy(r.device_id, dev->device_id, 16);
    r.counter = dev->st.counter;
    r.states_count = CUSTOS_DEV_MAX_SUBJECTS;
    for (unsigned s = 0; s < CUSTOS_DEV_MAX_SUBJECTS; s++)
        fill_compact(dev, s, now, &r.states[s]);
    rc = dev_emit(dev->port, custos_v1_BodyType_BODY_CONSENT_STATE,
                  custos_v1_ConsentStateReport_fields, &r, out, out_size, out_len);
    custos_dev_wipe(&r, sizeof r);
    return rc;
}

int custos_dev_encode_compact(const custos_dev_t *dev, unsigned subject, uint8_t *out,
                              size_t out_size, size_t *out_len)
{
    custos_v1_CompactConsentState c;
    pb_ostream_t os;
    int rc = 0;

    if (dev == NULL || !dev->is_open || out_len == NULL || out == NULL)
        return CUSTOS_DEV_EINVAL;
    *out_len = 0;
    if (subject >= CUSTOS_DEV_MAX_SUBJECTS)
        return CUSTOS_DEV_ESUBJECT;
    fill_compact(dev, subject, clock_if_needed(dev), &c);
    os = pb_ostream_from_buffer(out, out_size);
    if (!pb_encode(&os, custos_v1_CompactConsentState_fields, &c))
        rc = CUSTOS_DEV_ENOSPACE;
    else
        *out_len = os.bytes_written;
    custos_dev_wipe(&c, sizeof c);
    return rc;
}

/* The erase itself: key first (after it, nothing old opens, whatever
 * happens to the pages), then both slots. Fills the receipt's evidence. */
static int erase_and_verify(custos_dev_t *dev, custos_v1_DeletionReceipt *d)
{
    unsigned before = 0, after = 1;
    int blank = 0;
    int rc = dev_store_count_readable(dev->port, &before);

    if (rc != 0)
        return rc;
    if (dev->port->key_destroy(dev->port->ctx) != 0)
        return CUSTOS_DEV_ECRYPTO;
    if ((rc = dev_store_count_readable(dev->port, &after)) != 0)
        return rc;
    if ((rc = dev_store_erase_all(dev->port, &blank)) != 0)
        return rc;
    d->verified = after == 0 && blank;
    d->has_records_removed = true;
    d->records_removed = before;
    return 0;
}

int custos_dev_erase(custos_dev_t *dev, uint8_t *receipt, size_t receipt_size,
                     size_t *receipt_len)
{
    custos_v1_DeletionReceipt d;
    int rc;

    if (dev == NULL || !dev->is_open || receipt == NULL || receipt_len == NULL)
        return CUSTOS_DEV_EINVAL;
    *receipt_len = 0;
    if (receipt_size < CUSTOS_DEV_MESSAGE_MAX)
        return CUSTOS_DEV_ENOSPACE;
    memset(&d, 0, sizeof d); /* not secret */
    if (dev->port->random(dev->port->ctx, d.receipt_id, sizeof d.receipt_id) != 0)
        return CUSTOS_DEV_ECRYPTO;
    if ((rc = erase_and_verify(dev, &d)) != 0)
        return rc;
    /* The state in RAM follows the flash: empty and unpaired. The sequence
     * number stays, so the next record is newer than anything erased. */
    custos_dev_wipe(&dev->st, sizeof dev->st);
    dev->stale = 0; /* nothing is left that a fallback could bring back */

    d.body_type = custos_v1_BodyType_BODY_DELETION_RECEIPT;
    memcpy(d.device_id, dev->device_id, 16);
    d.scope = custos_v1_EraseScope_ERASE_FACTORY_RESET;
    d.method = custos_v1_EraseMethod_ERASE_METHOD_CRYPTO_THEN_REMOVE;
    d.storage_count = 2;
    d.storage[0] = custos_v1_StorageKind_STORAGE_KEYSTORE;
    d.storage[1] = custos_v1_StorageKind_STORAGE_FLASH;
    d.time = dev->port->now(dev->port->ctx);
    rc = dev_emit(dev->port, custos_v1_BodyType_BODY_DELETION_RECEIPT,
                  custos_v1_DeletionReceipt_fields, &d, receipt, receipt_size, receipt_len);
    return rc;
}
