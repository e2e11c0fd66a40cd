/*
 * dev_store.c: the consent state in two flash slots.
 *
 * SLOT LAYOUT. Slot i starts at i * CUSTOS_DEV_SLOT_SIZE; a record:
 *
 *   offset  size  field
 *   0       4     magic "CDS1"
 *   4       4     seq, little-endian: the newer record has the higher seq
 *   8       2     payload length P (little-endian), must be DEV_PAYLOAD
 *   10      2     format version, 1
 *   12      24    AEAD nonce, random per write
 *   36      P+16  AEAD(payload) under the port's storage key, AD = bytes 0..11
 *   52+P    4     CRC-32 of bytes 0 .. 52+P-1
 *
 *   payload: app_key[32] paired[1] manifest_id[32] counter[4] policy[4]
 *            { given[8] decided[8] } x MAX_SUBJECTS
 *            timed_count[1] { until[4] subject[1] purpose[1] } x MAX_TIMED
 *
 * What is authenticated: the payload and the header (magic, seq, length,
 * version) by the AEAD; the CRC only detects torn writes and erased pages
 * cheaply, before any crypto runs. What a power cut can do: a write goes to
 * the slot that is not live (erase its pages, program the record page by
 * page, program the CRC last), so a cut leaves the live slot untouched and
 * the other one failing its CRC; mount takes the valid slot with the highest
 * seq. After the storage key is destroyed no record opens: that is the
 * crypto-erase, and it holds even if erasing the pages is cut short.
 *
 * FALLING BACK NEVER RE-ALLOWS. A record whose CRC field is still erased
 * (all 0xFF) is a write that a power cut stopped (the CRC is programmed
 * last) or a blank slot: the other slot is then current. A complete record
 * that fails its CRC or its AEAD may be the live one, damaged: the older
 * record would bring back consents the damaged one withdrew. So when the
 * state comes from a slot while the other holds such a record (or a newer
 * one that does not open), the load reports *stale; the caller keeps no
 * consent from it (dev_consent.c) until a new state is written.
 */
#include <string.h>

#include "dev_internal.h"

#define DEV_HDR 12u
#define DEV_NONCE 24u
#define DEV_TAG 16u
#define DEV_PAYLOAD (32u + 1u + 32u + 4u + 4u + 16u * CUSTOS_DEV_MAX_SUBJECTS + 1u \
                     + 6u * (CUSTOS_DEV_MAX_TIMED))
#define DEV_CT_OFF (DEV_HDR + DEV_NONCE)
#define DEV_CRC_OFF (DEV_CT_OFF + DEV_PAYLOAD + DEV_TAG)
#define DEV_RECORD (DEV_CRC_OFF + 4u)

typedef char dev_record_fits_slot[(DEV_RECORD <= CUSTOS_DEV_SLOT_SIZE) ? 1 : -1];

static const uint8_t dev_magic[4] = { 'C', 'D', 'S', '1' };

uint32_t dev_crc32(const uint8_t *buf, size_t len)
{
    uint32_t crc = 0xFFFFFFFFu;
    while (len--) {
        crc ^= *buf++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static void serialize(const custos_dev_state *st, uint8_t p[DEV_PAYLOAD])
{
    uint8_t *q = p;
    memcpy(q, st->app_key, 32); q += 32;
    *q++ = st->paired ? 1 : 0;
    memcpy(q, st->manifest_id, 32); q += 32;
    dev_put32(q, st->counter); q += 4;
    dev_put32(q, st->policy_version); q += 4;
    for (unsigned s = 0; s < CUSTOS_DEV_MAX_SUBJECTS; s++) {
        dev_put32(q, (uint32_t)st->given[s]); dev_put32(q + 4, (uint32_t)(st->given[s] >> 32));
        dev_put32(q + 8, (uint32_t)st->decided[s]);
        dev_put32(q + 12, (uint32_t)(st->decided[s] >> 32));
        q += 16;
    }
    *q++ = st->timed_count;
    for (unsigned i = 0; i < CUSTOS_DEV_MAX_TIMED; i++) {
        const custos_dev_timed *t = &st->timed[i];
        dev_put32(q, i < st->timed_count ? t->until : 0);
        q[4] = i < st->timed_count ? t->subject : 0;
        q[5] = i < st->timed_count ? t->purpose : 0;
        q += 6;
    }
}

/* The payload is authenticated, but its values are still checked: a port
 * key shared with another firmware version must not make them overflow. */
static int deserialize(custos_dev_state *st, const uint8_t p[DEV_PAYLOAD])
{
    const uint8_t *q = p;
    memset(st, 0, sizeof *st); /* not secret */
    memcpy(st->app_key, q, 32); q += 32;
    st->paired = *q++ ? 1 : 0;
    memcpy(st->manifest_id, q, 32); q += 32;
    st->counter = dev_get32(q); q += 4;
    st->policy_version = dev_get32(q); q += 4;
    for (unsigned s = 0; s < CUSTOS_DEV_MAX_SUBJECTS; s++) {
        st->given[s] = dev_get32(q) | ((uint64_t)dev_get32(q + 4) << 32);
        st->decided[s] = dev_get32(q + 8) | ((uint64_t)dev_get32(q + 12) << 32);
        q += 16;
    }
    st->timed_count = *q++;
    if (st->timed_count > CUSTOS_DEV_MAX_TIMED)
        return -1;
    for (unsigned i = 0; i < st->timed_count; i++) {
        st->timed[i].until = dev_get32(q);
        st->timed[i].subject = q[4];
        st->timed[i].purpose = q[5];
        if (q[4] >= CUSTOS_DEV_MAX_SUBJECTS || q[5] >= CUSTOS_DEV_MAX_PURPOSES)
            return -1;
        q += 6;
    }
    return 0;
}

static uint32_t slot_base(unsigned slot)
{
    return (uint32_t)slot * CUSTOS_DEV_SLOT_SIZE;
}

/* 1 if the record's CRC field was programmed (a write that completed). */
static int record_complete(const uint8_t rec[DEV_RECORD])
{
    return dev_get32(rec + DEV_CRC_OFF) != 0xFFFFFFFFu;
}

/* Read a slot's record and check its framing and CRC (not the AEAD);
 * *complete (may be NULL) tells a finished write from a cut or blank one. */
static int read_record(const custos_dev_port *port, unsigned slot,
                       uint8_t rec[DEV_RECORD], int *valid, int *complete)
{
    *valid = 0;
    if (port->flash_read(port->ctx, slot_base(slot), rec, DEV_RECORD) != 0)
        return CUSTOS_DEV_EFLASH;
    if (complete != NULL)
        *complete = record_complete(rec);
    if (memcmp(rec, dev_magic, 4) != 0 || rec[8] != (uint8_t)DEV_PAYLOAD
        || rec[9] != (uint8_t)(DEV_PAYLOAD >> 8) || rec[10] != 1 || rec[11] != 0)
        return 0;
    *valid = dev_crc32(rec, DEV_CRC_OFF) == dev_get32(rec + DEV_CRC_OFF);
    return 0;
}

static int open_record(const custos_dev_port *port, const uint8_t rec[DEV_RECORD],
                       custos_dev_state *st)
{
    uint8_t plain[DEV_PAYLOAD];
    int ok = port->aead_open(port->ctx, plain, rec + DEV_CT_OFF, DEV_PAYLOAD + DEV_TAG,
                             rec, DEV_HDR, rec + DEV_HDR) == 0
          && deserialize(st, plain) == 0;
    custos_dev_wipe(plain, sizeof plain);
    return ok;
}

int dev_store_load(const custos_dev_port *port, custos_dev_state *st,
                   uint32_t *seq, uint8_t *slot, uint8_t *stale)
{
    uint8_t rec[DEV_RECORD];
    uint32_t seqs[2] = { 0, 0 };
    int valid[2], complete[2] = { 0, 0 }, opened = -1;
    int rc = 0;

    memset(st, 0, sizeof *st); /* not secret */
    *seq = 0;
    *slot = 0;
    *stale = 0;
    for (unsigned s = 0; s < 2 && rc == 0; s++) {
        rc = read_record(port, s, rec, &valid[s], &complete[s]);
        seqs[s] = valid[s] ? dev_get32(rec + 4) : 0;
    }
    if (rc == 0) {
        unsigned first = (valid[1] && (!valid[0] || seqs[1] > seqs[0])) ? 1u : 0u;
        *seq = seqs[0] > seqs[1] ? seqs[0] : seqs[1];
        *slot = (uint8_t)first;
        /* Newest first; an older record serves only if the newest does not open. */
        for (unsigned k = 0; k < 2; k++) {
            unsigned s = k == 0 ? first : 1u - first;
            if (!valid[s])
                continue;
            rc = read_record(port, s, rec, &valid[s], NULL);
            if (rc == 0 && valid[s] && open_record(port, rec, st)) {
                *slot = (uint8_t)s;
                opened = (int)s;
                break;
            }
            custos_dev_wipe(st, sizeof *st);
        }
        /* The other slot: a finished record that did not serve and is not
         * an older valid one may have been the live state. */
        for (unsigned s = 0; s < 2; s++) {
            if ((int)s == opened || !complete[s])
                continue;
            if (opened < 0 || !valid[s] || seqs[s] > seqs[opened])
                *stale = 1;
        }
    }
    custos_dev_wipe(rec, sizeof rec);
    return rc;
}

static int erase_slot(const custos_dev_port *port, unsigned slot)
{
    for (uint32_t off = 0; off < CUSTOS_DEV_SLOT_SIZE; off += port->page_size)
        if (port->flash_erase_page(port->ctx, slot_base(slot) + off) != 0)
            return CUSTOS_DEV_EFLASH;
    return 0;
}

/* Program [from, to) of rec, never crossing a page boundary in one call. */
static int program_range(const custos_dev_port *port, unsigned slot,
                         const uint8_t *rec, uint32_t from, uint32_t to)
{
    while (from < to) {
        uint32_t page_end = (from / port->page_size + 1u) * port->page_size;
        uint32_t n = (page_end < to ? page_end : to) - from;
        if (port->flash_program(port->ctx, slot_base(slot) + from, rec + from, n) != 0)
            return CUSTOS_DEV_EFLASH;
        from += n;
    }
    return 0;
}

static int build_record(const custos_dev_port *port, const custos_dev_state *st,
                        uint32_t seq, uint8_t rec[DEV_RECORD])
{
    uint8_t plain[DEV_PAYLOAD];
    int rc = 0;

    memcpy(rec, dev_magic, 4);
    dev_put32(rec + 4, seq);
    rec[8] = (uint8_t)DEV_PAYLOAD;
    rec[9] = (uint8_t)(DEV_PAYLOAD >> 8);
    rec[10] = 1;
    rec[11] = 0;
    serialize(st, plain);
    if (port->random(port->ctx, rec + DEV_HDR, DEV_NONCE) != 0
        || port->aead_seal(port->ctx, rec + DEV_CT_OFF, plain, DEV_PAYLOAD, rec, DEV_HDR,
                           rec + DEV_HDR) != 0)
        rc = CUSTOS_DEV_ECRYPTO;
    else
        dev_put32(rec + DEV_CRC_OFF, dev_crc32(rec, DEV_CRC_OFF));
    custos_dev_wipe(plain, sizeof plain);
    return rc;
}

int dev_store_save(const custos_dev_port *port, const custos_dev_state *st,
                   uint32_t *seq, uint8_t *slot)
{
    uint8_t rec[DEV_RECORD];
    uint8_t back[DEV_RECORD];
    unsigned target = *seq == 0 ? 0u : 1u - *slot;
    int rc = build_record(port, st, *seq + 1u, rec);

    if (rc == 0)
        rc = erase_slot(port, target);
    if (rc == 0)
        rc = program_range(port, target, rec, 0, DEV_CRC_OFF);
    /* The CRC goes last: until it is whole, the new record does not exist. */
    if (rc == 0)
        rc = program_range(port, target, rec, DEV_CRC_OFF, DEV_RECORD);
    if (rc == 0 && (port->flash_read(port->ctx, slot_base(target), back, DEV_RECORD) != 0
                    || memcmp(back, rec, DEV_RECORD) != 0))
        rc = CUSTOS_DEV_EFLASH;
    if (rc == 0) {
        *seq += 1u;
        *slot = (uint8_t)target;
    }
    custos_dev_wipe(rec, sizeof rec);
    custos_dev_wipe(back, sizeof back);
    return rc;
}

int dev_store_count_readable(const custos_dev_port *port, unsigned *count)
{
    uint8_t rec[DEV_RECORD];
    custos_dev_state tmp;
    int rc = 0;
    int valid;

    *count = 0;
    for (unsigned s = 0; s < 2 && rc == 0; s++) {
        rc = read_record(port, s, rec, &valid, NULL);
        if (rc == 0 && valid && open_record(port, rec, &tmp))
            (*count)++;
    }
    custos_dev_wipe(&tmp, sizeof tmp);
    custos_dev_wipe(rec, sizeof rec);
    return rc;
}

int dev_store_erase_all(const custos_dev_port *port, int *blank)
{
    uint8_t chunk[32];
    int rc = erase_slot(port, 0);

    *blank = 0;
    if (rc == 0)
        rc = erase_slot(port, 1);
    if (rc != 0)
        return rc;
    *blank = 1;
    for (uint32_t off = 0; off < 2u * CUSTOS_DEV_SLOT_SIZE; off += sizeof chunk) {
        if (port->flash_read(port->ctx, off, chunk, sizeof chunk) != 0)
            return CUSTOS_DEV_EFLASH;
        for (unsigned i = 0; i < sizeof chunk; i++)
            if (chunk[i] != 0xFF)
                *blank = 0;
    }
    return 0;
}
