/*
 * custos_dev.h: the Custos device layer (C99, no heap), for firmware.
 *
 * It keeps, for up to CUSTOS_DEV_MAX_SUBJECTS subject slots, which of up to
 * 64 purposes each has consented to; answers the gate (custos_dev_check)
 * before the firmware reads a sensor; applies consent updates signed by the
 * paired companion app; reports its state and the receipts of its erasures
 * in the messages of schemas/custos/v1/sync.proto; and persists everything
 * in two flash slots so that a power cut never loses the previous state.
 *
 * It owns: one caller-placed context (custos_dev_t) and its flash region.
 * It never allocates, never keeps global state, never calls the platform
 * except through the custos_dev_port given to custos_dev_open(), and never
 * decodes a byte of an update before the app's signature over it verified.
 * Security model: device/README.md. Integration: docs/firmware-guide.md.
 */
#ifndef CUSTOS_DEV_H
#define CUSTOS_DEV_H

#include <stddef.h>
#include <stdint.h>

#include "custos_dev_config.h"
#include "custos_dev_error.h"
#include "custos_dev_port.h"

#if defined(__GNUC__)
#define CUSTOS_DEV_CHECK_RESULT __attribute__((warn_unused_result))
#else
#define CUSTOS_DEV_CHECK_RESULT
#endif

/* One consent with an expiry. */
typedef struct custos_dev_timed {
    uint32_t until;   /* seconds since the epoch; consent ends at this time */
    uint8_t subject;
    uint8_t purpose;
} custos_dev_timed;

/* The persisted state. Exposed only so that custos_dev_t has a known size;
 * do not rely on its layout. */
typedef struct custos_dev_state {
    uint8_t app_key[32];          /* paired app's Ed25519 public key */
    uint8_t paired;
    uint8_t manifest_id[32];      /* of the last applied update */
    uint32_t counter;             /* last applied update counter */
    uint32_t policy_version;
    uint64_t given[CUSTOS_DEV_MAX_SUBJECTS];   /* bit p: purpose p may be processed */
    uint64_t decided[CUSTOS_DEV_MAX_SUBJECTS]; /* bit p: a decision exists */
    uint8_t timed_count;
    custos_dev_timed timed[CUSTOS_DEV_MAX_TIMED > 0 ? CUSTOS_DEV_MAX_TIMED : 1];
} custos_dev_state;

/* The context. Place it where you like (static, stack of the main task);
 * it must not move between calls. Do not rely on its layout. It holds
 * personal data (who consented to what): custos_dev_close() wipes it. */
typedef struct custos_dev {
    const custos_dev_port *port;
    uint64_t declared;            /* purposes the product declares */
    uint8_t device_id[16];
    uint32_t seq;                 /* sequence number of the live slot */
    uint8_t slot;                 /* live slot, 0 or 1 */
    uint8_t is_open;
    uint8_t stale;                /* 1: loaded from a fallback slot: CUSTOS_DEV_ESTALE */
    custos_dev_state st;
} custos_dev_t;

/* Mount the flash region and load the newest valid state (a blank or
 * unreadable region gives the empty, unpaired state; a damaged newest
 * record gives the older one, stale: see custos_dev_check). device_id is
 * this device's 16-byte id (as the app knows it); declared_purposes has
 * bit p set for each purpose id p the product's manifest declares, p <
 * CUSTOS_DEV_MAX_PURPOSES. Updates naming another purpose are rejected. */
int custos_dev_open(custos_dev_t *dev, const custos_dev_port *port,
                    const uint8_t device_id[16], uint64_t declared_purposes);

/* Wipe the context. The flash state stays. */
void custos_dev_close(custos_dev_t *dev);

/* Pair with the companion app: remember its Ed25519 public key, persisted.
 * Trust on first use: the firmware decides when pairing is allowed (a
 * button press, a factory step). Fails with CUSTOS_DEV_EPAIRED when already
 * paired; custos_dev_erase() unpairs. */
CUSTOS_DEV_CHECK_RESULT
int custos_dev_pair(custos_dev_t *dev, const uint8_t app_key[32]);

/* The gate: 0 when subject may have data collected for purpose, else
 * CUSTOS_DEV_ENOCONSENT, _EDENIED, _EEXPIRED, _ESTALE, _ESUBJECT, _EPURPOSE
 * or _EINVAL. Fails closed: any doubt is a refusal. _ESTALE: the newest
 * flash record was damaged and the state came from the older slot, which
 * may allow what the user withdrew since; every declared purpose answers
 * it until the next signed update or erase writes a new state (a power cut
 * during a write is not damage: the last committed state answers). Reads
 * the port clock only for consents that carry an expiry; an unknown clock
 * (0) denies them. */
CUSTOS_DEV_CHECK_RESULT
int custos_dev_check(const custos_dev_t *dev, unsigned subject, unsigned purpose);

/* Apply a SignedMessage whose body is a ConsentUpdate, all of it or none:
 * envelope limits, body type, signer = paired app key, Ed25519 signature
 * over the exact body bytes (before the body is decoded), device id,
 * counter above the last applied one, every subject, purpose and status
 * valid; then the new state is written to flash, and only then used. Any
 * failure leaves the state unchanged and names its cause. */
CUSTOS_DEV_CHECK_RESULT
int custos_dev_apply_update(custos_dev_t *dev, const uint8_t *msg, size_t msg_len);

/* Encode a ConsentStateReport of every subject slot into out. With a port
 * signing key it is a SignedMessage (body_type BODY_CONSENT_STATE);
 * without, the bare ConsentStateReport. Consents past their expiry are
 * reported as not given. */
CUSTOS_DEV_CHECK_RESULT
int custos_dev_encode_report(const custos_dev_t *dev, uint8_t *out, size_t out_size,
                             size_t *out_len);

/* Encode one subject's CompactConsentState (unsigned, at most 32 bytes for
 * 64 purposes): for a status characteristic or an advertisement. */
CUSTOS_DEV_CHECK_RESULT
int custos_dev_encode_compact(const custos_dev_t *dev, unsigned subject, uint8_t *out,
                              size_t out_size, size_t *out_len);

/* Local erase (factory reset of the layer): destroy the storage key
 * through the port, erase both flash slots, check that the old record no
 * longer opens and that the slots read back blank, forget the pairing, and
 * write a DeletionReceipt (scope ERASE_FACTORY_RESET, signed as for the
 * report) into receipt. receipt_size must be at least
 * CUSTOS_DEV_MESSAGE_MAX so that nothing is erased without its receipt. A
 * power cut at any step leaves the state readable as the old one or as the
 * erased one. */
CUSTOS_DEV_CHECK_RESULT
int custos_dev_erase(custos_dev_t *dev, uint8_t *receipt, size_t receipt_size,
                     size_t *receipt_len);

/* Last applied update counter (0 before the first). */
uint32_t custos_dev_counter(const custos_dev_t *dev);

/* Sizes, as functions for bindings and tests. */
size_t custos_dev_message_max(void);
unsigned custos_dev_max_subjects(void);
unsigned custos_dev_max_purposes(void);

/* The one wipe routine: a store the compiler may not remove. */
void custos_dev_wipe(void *buf, size_t len);

#endif
