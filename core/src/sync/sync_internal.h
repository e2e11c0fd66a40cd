/*
 * sync_internal.h: the sync codec's pieces that need no store, shared by
 * the files of core/src/sync/ and by the test-vector generator
 * (tests/vectors/), which signs with a fixed app key instead of a store's.
 *
 * SIGNED MESSAGE (custos.v1.SignedMessage)
 *   body_type  which message body holds (repeated inside the body)
 *   body       the exact encoded bytes that were signed
 *   signer     32-byte Ed25519 public key
 *   signature  64-byte Ed25519 signature over body, and nothing else
 * A receiver checks the length cap, decodes the envelope, finds the signer
 * among its paired keys, verifies the signature over body, and only then
 * decodes body and checks the body_type inside it.
 */
#ifndef CUSTOS_SYNC_INTERNAL_H
#define CUSTOS_SYNC_INTERNAL_H

#include "ground/internal.h"
#include "custos/v1/sync.pb-c.h"

#include <custos/sync.h>

/* Fields of a ConsentUpdate body. */
typedef struct sync_update_fields {
    const uint8_t *device_id;            /* 16 bytes */
    uint32_t counter;
    const uint8_t *manifest_id;          /* 32 bytes */
    uint32_t policy_version;
    uint64_t time;                       /* 0: absent */
    const custos_consent_change *changes;
    size_t n;
    const custos_consent_actor *actors;  /* per change, or NULL: subject */
} sync_update_fields;

/* Encode a ConsentUpdate body into a new buffer (custos__malloc). */
int custos_sync__update_body(uint8_t **out, size_t *out_len, const sync_update_fields *f);

/* Encode a ConsentStateReport body into a new buffer (custos__malloc). */
int custos_sync__report_body(uint8_t **out, size_t *out_len, const uint8_t device_id[16], uint32_t counter,
                     const custos_compact_state *states, size_t n);

/* Wrap a signed body into a SignedMessage in (out, out_size, *out_len). */
int custos_sync__envelope(uint8_t *out, size_t out_size, size_t *out_len, int body_type,
                  const uint8_t *body, size_t blen, const uint8_t signer[32], const uint8_t sig[64]);

/* Sign body with ctx's key and wrap it. */
int custos_sync__seal(custos_t *ctx, uint8_t *out, size_t out_size, size_t *out_len, int body_type,
              const uint8_t *body, size_t blen);

/* Check the cap, decode the envelope, require body_type, a paired signer
 * (its last_in counter in *last_in if not NULL) and a good signature.
 * Free *out with custos__v1__signed_message__free_unpacked. */
int custos_sync__open(custos_t *ctx, const uint8_t *msg, size_t len, int body_type,
              Custos__V1__SignedMessage **out, uint64_t *last_in);

/* pair.c: the counters of a peer. */
int custos_sync__peer_set_last_in(custos_t *ctx, const uint8_t pk[32], uint64_t counter);
int custos_sync__peer_next_out(custos_t *ctx, const uint8_t device_id[16], uint32_t *out_counter);
int custos_sync__last_in_max(custos_t *ctx, uint32_t *out);

#endif
