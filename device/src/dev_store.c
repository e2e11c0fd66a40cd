/*
 * dev_store.c: the consent state in two flash slots.
 *
 * SLOT LAYOUT (format 2). Slot i starts at i * CUSTOS_DEV_SLOT_SIZE; a record:
 *
 *   offset  size  field
 *   0       4     commit word: 00 00 00 00 once the record is whole; still
 *                 erased (FF FF FF FF) while it is being written
 *   4       4     magic "CDS2"
 *   8       4     seq, little-endian: the newer record has the higher seq
 *   12      2     payload length P (little-endian), must be DEV_PAYLOAD
 *   14      2     format version, 2
 *   16      24    AEAD nonce, random per write
 *   40      P+16  AEAD(payload) under the port's storage key, AD = bytes 4..15
 *   56+P    4     CRC-32 of bytes 4 .. 56+P-1
 *   60+P    4     ~seq: with seq a pair that no single flipped bit keeps
 *                 consistent, so the seq of a damaged record can be trusted
 *   64+P    4     the payload's update counter, in clear, and
 *   68+P    4     ~counter: the replay floor of a stale state (below)
 *
 *   payload: app_key[32] paired[1] manifest_id[32] counter[4] policy[4]
 *            { given[8] decided[8] } x MAX_SUBJECTS
 *            timed_count[1] { until[4] subject[1] purpose[1] } x MAX_TIMED
 *
 * Format 1 (firmware before issue 16) is bytes 4 .. 60+P of format 2 moved
 * to offset 0, with magic "CDS1" and version 1: no commit word, no pairs.
 * It is still read, so a device keeps its state across the update; it is
 * never written, and the first write after the update replaces the older
 * of its two records.
 *
 * What is authenticated: the payload and the header (magic, seq, length,
 * version) by the AEAD; the CRC only detects torn writes and erased pages
 * cheaply, before any crypto runs; the commit word and the two pairs are
 * not authenticated: they only decide what a record that does not open
 * means (a forged higher counter can only refuse updates while stale).
 *
 * WRITE ORDER. A write goes to the slot that is not live: erase its pages
 * from the first (the commit word's page goes first), program bytes 4 ..
 * page by page, then the commit word. The live slot is never touched. A
 * record opens only when its commit word is not erased and its CRC, AEAD
 * and values check; mount takes the open record with the highest seq.
 *
 * FALLING BACK NEVER RE-ALLOWS. When one slot opens and the other does not,
 * the other is one of: a write a power cut stopped, a blank slot, an older
 * record that was damaged, or the live record, damaged, whose older
 * neighbour would bring back what it withdrew. The commit word tells them
 * apart. Erased: the write never completed (a cut during the page erase
 * leaves the start of the first page erased in the ports' cut model,
 * device/port; a cut during the program leaves the commit word unwritten),
 * so the open record is current. Not erased: the record was finished
 * (or is the older record a cut erase left whole at its start); if its seq
 * (CRC-checked, or a consistent seq / ~seq pair) is below the open one's it
 * was the older record, and otherwise the open record may be stale: the
 * load says so (*stale) and the caller grants no consent from it
 * (dev_consent.c) until a new state is written. The state keeps the
 * damaged record's update counter when its pair is consistent (it is, when
 * the one flipped bit is elsewhere), so that an older signed update the
 * damaged record had superseded is still a replay. On a flash whose cut erase
 * leaves the commit word half set, the seq pair of the older record being
 * erased still says "older", or, broken too, "stale": the safe answer.
 * After the storage key is destroyed no record opens: that is the
 * crypto-erase, and it holds even if erasing the pages is cut short.
 */
#include <string.h>

#include "dev_internal.h"

#define DEV_COMMIT 4u                 /* the commit word, offset 0 */
#define DEV_HDR 12u
#define DEV_NONCE 24u
#define DEV_TAG 16u
#define DEV_PAYLOAD (32u + 1u + 32u + 4u + 4u + 16u * CUSTOS_DEV_MAX_SUBJECTS + 1u \
                     + 6u * (CUSTOS_DEV_MAX_TIMED))
/* Offsets in the body (magic .. CRC), which starts at DEV_COMMIT in format
 * 2 and at 0 in format 1. */
#define DEV_CT_OFF (DEV_HDR + DEV_NONCE)
#define DEV_CRC_OFF (DEV_CT_OFF + DEV_PAYLOAD + DEV_TAG)
#define DEV_BODY (DEV_CRC_OFF + 4u)
/* Offsets in a format-2 record. */
#define DEV_SEQ_OFF (DEV_COMMIT + 4u)
#define DEV_NSEQ_OFF (DEV_COMMIT + DEV_BODY)
#define DEV_CTR_OFF (DEV_NSEQ_OFF + 4u)
#define DEV_NCTR_OFF (DEV_CTR_OFF + 4u)
#define DEV_RECORD (DEV_NCTR_OFF + 4u)

typedef char dev_record_fits_slot[(DEV_RECORD <= CUSTOS_DEV_SLOT_SIZE) ? 1 : -1];

static const uint8_t dev_magic[2][4] = { { 'C', 'D', 'S', '1' }, { 'C', 'D', 'S', '2' } };

/* What a slot's bytes say before any crypto runs. */
typedef struct dev_slot {
    uint32_t seq;         /* valid when known */
    uint32_t counter;     /* the clear update counter; 0 unless its pair is consistent */
    uint8_t known;        /* seq from a CRC-checked body or a consistent pair */
    uint8_t committed;    /* commit word not erased: a write that finished */
    uint8_t framed;       /* magic, length, version and CRC check */
    uint8_t base;         /* where the body starts: DEV_COMMIT, or 0 (format 1) */
} dev_slot;

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

/* Check the body at b (magic, length, version, CRC); 1 if it frames. */
static int body_frames(const uint8_t *b, unsigned version)
{
    return memcmp(b, dev_magic[version - 1u], 4) == 0 && b[8] == (uint8_t)DEV_PAYLOAD
        && b[9] == (uint8_t)(DEV_PAYLOAD >> 8) && b[10] == version && b[11] == 0
        && dev_crc32(b, DEV_CRC_OFF) == dev_get32(b + DEV_CRC_OFF);
}

/* Read a slot's record and say what its bytes show (not the AEAD). */
static int read_record(const custos_dev_port *port, unsigned slot,
                       uint8_t rec[DEV_RECORD], dev_slot *info)
{
    memset(info, 0, sizeof *info); /* not secret */
    if (port->flash_read(port->ctx, slot_base(slot), rec, DEV_RECORD) != 0)
        return CUSTOS_DEV_EFLASH;
    info->committed = dev_get32(rec) != 0xFFFFFFFFu;
    if (body_frames(rec + DEV_COMMIT, 2)) {
        info->framed = 1;
        info->base = DEV_COMMIT;
    } else if (body_frames(rec, 1)) {
        info->framed = 1;           /* format 1: its magic stands in the commit word */
    }
    if (info->framed) {
        info->seq = dev_get32(rec + info->base + 4u);
        info->known = 1;
    } else if (dev_get32(rec + DEV_SEQ_OFF) == ~dev_get32(rec + DEV_NSEQ_OFF)) {
        info->seq = dev_get32(rec + DEV_SEQ_OFF);
        info->known = 1;
    }
    if (dev_get32(rec + DEV_CTR_OFF) == ~dev_get32(rec + DEV_NCTR_OFF))
        info->counter = dev_get32(rec + DEV_CTR_OFF);
    return 0;
}

/* 1 if the record was committed and its AEAD and values check. */
static int open_record(const custos_dev_port *port, const uint8_t rec[DEV_RECORD],
                       const dev_slot *info, custos_dev_state *st)
{
    uint8_t plain[DEV_PAYLOAD];
    const uint8_t *b = rec + info->base;
    int ok = info->committed && info->framed
          && port->aead_open(port->ctx, plain, b + DEV_CT_OFF, DEV_PAYLOAD + DEV_TAG,
                             b, DEV_HDR, b + DEV_HDR) == 0
          && deserialize(st, plain) == 0;
    custos_dev_wipe(plain, sizeof plain);
    return ok;
}

/* 1 when a slot that did not open may hold a state newer than seq: it was
 * committed and its seq is not known to be below. */
static int may_be_newer(const dev_slot *other, uint32_t seq)
{
    return other->committed && !(other->known && other->seq < seq);
}

int dev_store_load(const custos_dev_port *port, custos_dev_state *st,
                   uint32_t *seq, uint8_t *slot, uint8_t *stale)
{
    uint8_t rec[DEV_RECORD];
    dev_slot info[2];
    int rc = 0;

    memset(st, 0, sizeof *st); /* not secret */
    *seq = 0;
    *slot = 0;
    *stale = 0;
    for (unsigned s = 0; s < 2 && rc == 0; s++)
        rc = read_record(port, s, rec, &info[s]);
    if (rc == 0) {
        unsigned first = (info[1].known && (!info[0].known || info[1].seq > info[0].seq))
                       ? 1u : 0u;
        for (unsigned s = 0; s < 2; s++)
            if (info[s].known && info[s].seq > *seq)
                *seq = info[s].seq;
        *slot = (uint8_t)first;
        /* Newest first; an older record serves only if the newest does not open. */
        for (unsigned k = 0; k < 2; k++) {
            unsigned s = k == 0 ? first : 1u - first;
            if (!info[s].committed || !info[s].framed)
                continue;
            rc = read_record(port, s, rec, &info[s]);
            if (rc == 0 && open_record(port, rec, &info[s], st)) {
                *slot = (uint8_t)s;
                *stale = (uint8_t)may_be_newer(&info[1u - s], info[s].seq);
                if (*stale && info[1u - s].counter > st->counter)
                    st->counter = info[1u - s].counter;
                break;
            }
            custos_dev_wipe(st, sizeof *st);
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

/* A format-2 record of st as sequence seq, commit word included. */
static int build_record(const custos_dev_port *port, const custos_dev_state *st,
                        uint32_t seq, uint8_t rec[DEV_RECORD])
{
    uint8_t plain[DEV_PAYLOAD];
    uint8_t *b = rec + DEV_COMMIT;
    int rc = 0;

    memset(rec, 0, DEV_COMMIT); /* not secret: the commit word */
    memcpy(b, dev_magic[1], 4);
    dev_put32(b + 4, seq);
    b[8] = (uint8_t)DEV_PAYLOAD;
    b[9] = (uint8_t)(DEV_PAYLOAD >> 8);
    b[10] = 2;
    b[11] = 0;
    dev_put32(rec + DEV_NSEQ_OFF, ~seq);
    dev_put32(rec + DEV_CTR_OFF, st->counter);
    dev_put32(rec + DEV_NCTR_OFF, ~st->counter);
    serialize(st, plain);
    if (port->random(port->ctx, b + DEV_HDR, DEV_NONCE) != 0
        || port->aead_seal(port->ctx, b + DEV_CT_OFF, plain, DEV_PAYLOAD, b, DEV_HDR,
                           b + DEV_HDR) != 0)
        rc = CUSTOS_DEV_ECRYPTO;
    else
        dev_put32(b + DEV_CRC_OFF, dev_crc32(b, DEV_CRC_OFF));
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
        rc = program_range(port, target, rec, DEV_COMMIT, DEV_RECORD);
    /* The commit word goes last: until it is written, the new record does
     * not exist, and a cut leaves it erased (see FALLING BACK above). */
    if (rc == 0)
        rc = program_range(port, target, rec, 0, DEV_COMMIT);
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
    dev_slot info;
    int rc = 0;

    *count = 0;
    for (unsigned s = 0; s < 2 && rc == 0; s++) {
        rc = read_record(port, s, rec, &info);
        if (rc == 0 && open_record(port, rec, &info, &tmp))
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
