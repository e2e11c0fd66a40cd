/*
 * custos/sync.h: pairing and the signed messages between device, app and
 * cloud (DESIGN §8, schemas/custos/v1/sync.proto).
 *
 * Pairing registers a peer's Ed25519 public key with the store: on a device
 * the companion app's key, in the app's store the device's key (with its
 * device id). Every message that changes state travels in a SignedMessage
 * whose signature covers the exact body bytes; a receiver verifies the
 * signature against a paired key before it decodes the body, checks the
 * body type inside the body, and applies a consent update only if its
 * counter is higher than the last one applied from that peer. Nothing is
 * applied partially.
 *
 * The sync module owns the table `peer`. It never applies a message from an
 * unpaired key and never re-encodes what it verifies.
 */
#ifndef CUSTOS_SYNC_H
#define CUSTOS_SYNC_H

#include "consent.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CUSTOS_SYNC_MAX_MESSAGE 1024u   /* longest SignedMessage accepted (bytes) */
#define CUSTOS_SYNC_MAX_CHANGES 16u     /* changes in one ConsentUpdate (device limit) */
#define CUSTOS_SYNC_MAX_STATES  8u      /* subjects in one ConsentStateReport (device limit) */
#define CUSTOS_SYNC_MAX_SKEW    300u    /* seconds an app time may run ahead of ours */
CUSTOS_API size_t custos_sync_max_message(void);
CUSTOS_API size_t custos_sync_max_changes(void);
CUSTOS_API size_t custos_sync_max_states(void);

/* Register a peer. peer_device_id: the device id when the peer is a device
 * (in an app's store), NULL when it is an app (on a device). Re-pairing the
 * same key keeps its counter. CUSTOS_EINVAL for a malformed key. */
CUSTOS_API int custos_pair(custos_t *ctx, const uint8_t peer_pk[32], const uint8_t peer_device_id[16]);
CUSTOS_API int custos_unpair(custos_t *ctx, const uint8_t peer_pk[32]);

/* One consent change carried by a ConsentUpdate. */
typedef struct custos_consent_change {
    custos_subject subject;              /* the receiving store's subject number */
    uint32_t purpose;
    custos_consent_status status;        /* GIVEN, RENEWED, REFUSED, WITHDRAWN, REVOKED, REQUESTED */
    uint64_t valid_until;                /* 0: the purpose's lifetime decides */
} custos_consent_change;

/*
 * Encode a ConsentUpdate for the paired device device_id, signed with this
 * store's key (an app's store signs as the app), with the next counter for
 * that device (persisted). CUSTOS_ENOTFOUND if device_id is not paired;
 * CUSTOS_ERANGE if out is too small (*out_len: size needed) or n is 0 or
 * above CUSTOS_SYNC_MAX_CHANGES.
 */
CUSTOS_API int custos_sync_encode_update(custos_t *ctx, uint8_t *out, size_t out_size, size_t *out_len,
                                         const uint8_t device_id[16],
                                         const custos_consent_change *changes, size_t n);

/*
 * Verify and apply a SignedMessage(ConsentUpdate) received from a paired
 * app. CUSTOS_ESIGNATURE: unpaired signer or a signature that does not
 * verify; CUSTOS_EREPLAY: counter not above the last applied;
 * CUSTOS_ECORRUPT: not a well-formed message, or the wrong body type;
 * CUSTOS_ERANGE: too long, or too many changes; CUSTOS_EINVAL: for another
 * device, another manifest, a time in the future; CUSTOS_ENOTFOUND: an
 * unknown subject; CUSTOS_ESTATE: a transition DPV does not allow. All or
 * nothing: on any error no change is applied and the counter is kept.
 * Changes to the same (subject, purpose) in one update merge to the most
 * restrictive; a change older than the local decision is skipped, and at
 * equal times the more restrictive state wins. *out_applied (may be NULL)
 * counts the events recorded.
 */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_sync_apply_update(custos_t *ctx, size_t *out_applied, const uint8_t *msg, size_t len);

/* The compact state of one subject (CompactConsentState). */
typedef struct custos_compact_state {
    uint32_t subject;
    uint64_t given;                      /* bit p: purpose p valid for processing */
    uint64_t decided;                    /* bit p: a decision exists */
    uint32_t policy_version;
    uint32_t counter;
} custos_compact_state;

/* Encode this store's state of every subject (at most CUSTOS_SYNC_MAX_STATES)
 * as a SignedMessage(ConsentStateReport) signed by this store's key. */
CUSTOS_API int custos_sync_encode_state_report(custos_t *ctx, uint8_t *out, size_t out_size, size_t *out_len);

/* Verify a ConsentStateReport signed by a paired device and decode it into
 * states[0..max). *out_n receives the count (CUSTOS_ERANGE if above max). */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_sync_decode_state_report(custos_t *ctx, custos_compact_state *states, size_t max, size_t *out_n,
                                    uint8_t out_device_id[16], uint32_t *out_counter,
                                    const uint8_t *msg, size_t len);

/* A ManifestOffer for the loaded manifest, naming the purposes that need
 * consent again, signed by this store's key. */
CUSTOS_API int custos_sync_encode_manifest_offer(custos_t *ctx, uint8_t *out, size_t out_size, size_t *out_len,
                                                 const uint32_t *reconsent, size_t n);
/* Verify (paired signer) and decode a ManifestOffer. */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_sync_decode_manifest_offer(custos_t *ctx, uint8_t out_manifest_id[32], uint32_t *out_version,
                                      uint32_t *reconsent, size_t max, size_t *out_n,
                                      const uint8_t *msg, size_t len);

#ifdef __cplusplus
}
#endif
#endif
