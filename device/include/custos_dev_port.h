/*
 * custos_dev_port.h: what the device layer needs from the platform. The
 * firmware fills one custos_dev_port with its flash driver and crypto, and
 * hands it to custos_dev_open(); the layer calls nothing else outside
 * itself (apart from memcpy/memset/memcmp).
 *
 * Every callback returns 0 on success and any nonzero value on failure; the
 * layer maps a failure to CUSTOS_DEV_EFLASH or CUSTOS_DEV_ECRYPTO. `ctx` is
 * passed back untouched. Callbacks may be called with interrupts enabled and
 * must not call back into the layer.
 *
 * Trusted: the port is part of the firmware's trusted computing base. The
 * layer trusts what flash_read returns only after its CRC and AEAD checks.
 */
#ifndef CUSTOS_DEV_PORT_H
#define CUSTOS_DEV_PORT_H

#include <stddef.h>
#include <stdint.h>

typedef struct custos_dev_port {
    void *ctx;

    /* Flash region reserved for the layer: two slots of CUSTOS_DEV_SLOT_SIZE
     * bytes at offsets 0 and CUSTOS_DEV_SLOT_SIZE. Offsets are relative to
     * the region. NOR semantics: program may only clear bits of erased
     * (0xFF) bytes; erase sets one whole page to 0xFF. page_size must divide
     * CUSTOS_DEV_SLOT_SIZE. A power cut may interrupt either, leaving a
     * partially programmed or partially erased page: the layer tolerates it. */
    uint32_t page_size;
    int (*flash_read)(void *ctx, uint32_t off, uint8_t *buf, size_t len);
    int (*flash_program)(void *ctx, uint32_t off, const uint8_t *buf, size_t len);
    int (*flash_erase_page)(void *ctx, uint32_t page_off);

    /* AEAD (XChaCha20-Poly1305 in the POSIX port) under the port's storage
     * key, which never leaves the port. out holds len + 16 bytes for seal.
     * open must fail, without writing plaintext, if the tag does not verify
     * or the key has been destroyed. */
    int (*aead_seal)(void *ctx, uint8_t *out, const uint8_t *in, size_t len,
                     const uint8_t *ad, size_t ad_len, const uint8_t nonce[24]);
    int (*aead_open)(void *ctx, uint8_t *out, const uint8_t *in, size_t len,
                     const uint8_t *ad, size_t ad_len, const uint8_t nonce[24]);
    /* Destroy the storage key irrecoverably (secure element erase, key
     * sector erase and read-back). The next aead_seal uses a fresh key. */
    int (*key_destroy)(void *ctx);

    /* Ed25519 verify of sig over msg[0..len) with public key pk: 0 valid. */
    int (*ed25519_verify)(void *ctx, const uint8_t sig[64], const uint8_t *msg,
                          size_t len, const uint8_t pk[32]);
    /* Optional (may be NULL): sign with the device identity key, giving its
     * public key too. With NULL the layer emits unsigned bodies. */
    int (*ed25519_sign)(void *ctx, uint8_t sig[64], uint8_t pk[32],
                        const uint8_t *msg, size_t len);

    /* Cryptographic random bytes. */
    int (*random)(void *ctx, uint8_t *buf, size_t len);
    /* Wall time, seconds since the Unix epoch; 0 when unknown. */
    uint64_t (*now)(void *ctx);
} custos_dev_port;

#endif
