/*
 * dev_internal.h: what the device layer's files share and nobody else
 * sees: little-endian helpers, CRC-32, the flash store, the wire walker and
 * the message emitter.
 */
#ifndef CUSTOS_DEV_INTERNAL_H
#define CUSTOS_DEV_INTERNAL_H

#include "custos_dev.h"

static inline void dev_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline uint32_t dev_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16)
         | ((uint32_t)p[3] << 24);
}

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32()), bitwise: no table. */
uint32_t dev_crc32(const uint8_t *buf, size_t len);

/* ---- flash store (dev_store.c) ---- */

/* Load the newest committed slot whose CRC verifies and whose AEAD opens.
 * Returns 0 and fills st, *seq, *slot; or 0 with a zeroed st when no slot is
 * usable; or CUSTOS_DEV_EFLASH. *seq is the highest sequence either slot
 * shows (a damaged record's too, when its seq pair is consistent), so later
 * writes stay above both. *stale = 1 when the other slot holds a committed
 * record that does not open and is not known to be older: it may have been
 * the live state (dev_store.c, FALLING BACK NEVER RE-ALLOWS); st->counter
 * is then raised to that record's counter when it can be read. */
int dev_store_load(const custos_dev_port *port, custos_dev_state *st,
                   uint32_t *seq, uint8_t *slot, uint8_t *stale);
/* Write st to the slot that is not live, as sequence *seq + 1; on success
 * update *seq and *slot. The live slot is never touched. */
int dev_store_save(const custos_dev_port *port, const custos_dev_state *st,
                   uint32_t *seq, uint8_t *slot);
/* Count the records that still open (0 after a key destroy). */
int dev_store_count_readable(const custos_dev_port *port, unsigned *count);
/* Erase both slots, then check they read back 0xFF: 0, or
 * CUSTOS_DEV_EFLASH (erase failed) ; *blank says whether read-back passed. */
int dev_store_erase_all(const custos_dev_port *port, int *blank);

/* ---- wire walker (dev_wire.c) ---- */

typedef struct dev_envelope {
    uint32_t body_type;
    const uint8_t *body;
    size_t body_len;
    const uint8_t *signer;     /* 32 bytes */
    const uint8_t *signature;  /* 64 bytes */
} dev_envelope;

/* Split a SignedMessage without copying, checking every limit. */
int dev_wire_envelope(const uint8_t *msg, size_t len, dev_envelope *env);
/* Check a ConsentUpdate body against its limits before nanopb decodes it,
 * so that oversize fields, unknown subjects and purposes get their own
 * error codes rather than a generic decode failure. */
int dev_wire_check_update(const uint8_t *body, size_t len);

/* ---- emitter (dev_emit.c) ---- */

/* Encode msg with nanopb fields as a body of body_type; wrap it in a signed
 * SignedMessage when the port can sign. fields is a const pb_msgdesc_t *. */
int dev_emit(const custos_dev_port *port, uint32_t body_type, const void *fields,
             const void *msg, uint8_t *out, size_t out_size, size_t *out_len);

#endif
