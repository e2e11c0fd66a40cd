/*
 * seal.c: how a record and a data key are sealed.
 *
 * SEALED RECORD (vault_record.sealed)
 *
 *   offset  size  field
 *   0       24    nonce, random
 *   24      n     XChaCha20-Poly1305 ciphertext of the payload (n = payload bytes)
 *   24+n    16    Poly1305 tag
 *
 * The associated data (64 bytes, not stored: rebuilt from the row) is
 *
 *   "CVR1" | fmt u32 | record id u64 | subject hash (32) | purpose u32 |
 *   category u32 | key id (8)                                   (little-endian)
 *
 * so a ciphertext copied into another row, or a row whose subject, purpose,
 * category, key or format column was edited, fails authentication. The
 * columns created and expires are not authenticated: editing them can only
 * shorten or lengthen retention, never reveal or alter a payload.
 *
 * Nonces are 192 random bits. With XChaCha20 a collision among 2^64
 * messages under one key has probability about 2^-64 (birthday bound on
 * 192 bits), so random nonces are safe without any counter to persist; a
 * data key serves one subject and one purpose, far below that volume.
 *
 * WRAPPED DATA KEY (vault_key.wrapped): the key provider's wrap of the 32
 * key bytes (store.h: nonce 24 | ciphertext 32 | tag 16) under KEK
 * generation kek_gen, with associated data
 *
 *   "CVK1" | subject hash (32) | purpose u32 | key id (8)
 *
 * so a wrapped key moved to another subject, purpose or id does not unwrap.
 */
#include "vault_private.h"

#include <sodium.h>
#include <string.h>

#define RECORD_AD_BYTES 64u
#define KEY_AD_BYTES 48u

static void record_ad(uint8_t ad[RECORD_AD_BYTES], const vt_record_ad *r)
{
    memcpy(ad, "CVR1", 4);
    custos_vault__put32(ad + 4, r->fmt);
    custos_vault__put64(ad + 8, (uint64_t)r->id);
    memcpy(ad + 16, r->subject_hash, 32);
    custos_vault__put32(ad + 48, r->purpose);
    custos_vault__put32(ad + 52, r->category);
    memcpy(ad + 56, r->key_id, 8);
}

static void key_ad(uint8_t ad[KEY_AD_BYTES], const uint8_t subject_hash[32], uint32_t purpose,
                   const uint8_t key_id[VT_ID_BYTES])
{
    memcpy(ad, "CVK1", 4);
    memcpy(ad + 4, subject_hash, 32);
    custos_vault__put32(ad + 36, purpose);
    memcpy(ad + 40, key_id, 8);
}

size_t custos_vault__sealed_len(size_t plain_len) { return VT_NONCE_BYTES + plain_len + VT_TAG_BYTES; }

void custos_vault__seal(custos_t *ctx, uint8_t *out, const uint8_t *plain, size_t len,
             const vt_record_ad *ad, const uint8_t key[32])
{
    uint8_t a[RECORD_AD_BYTES];
    record_ad(a, ad);
    struct custos_vault *v = ctx->vault;
    if (v->nonces_left == 0) {
        custos__random(ctx, v->nonces, sizeof v->nonces);
        v->nonces_left = VT_NONCE_POOL;
    }
    memcpy(out, v->nonces + (--v->nonces_left) * VT_NONCE_BYTES, VT_NONCE_BYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(out + VT_NONCE_BYTES, NULL, plain, len, a, sizeof a,
                                               NULL, out, key);
}

int custos_vault__open(uint8_t *out, const uint8_t *sealed, size_t sealed_len, const vt_record_ad *ad,
            const uint8_t key[32])
{
    if (sealed_len < VT_NONCE_BYTES + VT_TAG_BYTES)
        return CUSTOS_ECORRUPT;
    uint8_t a[RECORD_AD_BYTES];
    record_ad(a, ad);
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(out, NULL, NULL, sealed + VT_NONCE_BYTES,
                                                   sealed_len - VT_NONCE_BYTES, a, sizeof a,
                                                   sealed, key) != 0)
        return CUSTOS_ECORRUPT;
    return CUSTOS_OK;
}

int custos_vault__wrap_key(custos_t *ctx, uint8_t out[VT_WRAPPED_BYTES], uint32_t gen, const uint8_t key[32],
                const uint8_t subject_hash[32], uint32_t purpose, const uint8_t key_id[VT_ID_BYTES])
{
    uint8_t a[KEY_AD_BYTES];
    size_t len = 0;
    key_ad(a, subject_hash, purpose, key_id);
    int rc = ctx->kp->wrap(ctx->kp->state, gen, out, VT_WRAPPED_BYTES, &len, key, VT_KEY_BYTES, a, sizeof a);
    if (rc == CUSTOS_OK && len != VT_WRAPPED_BYTES)
        rc = CUSTOS_EINTERNAL;
    if (rc != CUSTOS_OK)
        return custos__fail(ctx, rc, "vault: the key provider could not wrap a data key under KEK generation %u (%s)",
                            gen, custos_strerror(rc));
    return CUSTOS_OK;
}

int custos_vault__unwrap_key(custos_t *ctx, uint8_t key[32], uint32_t gen, const uint8_t *wrapped, size_t wrapped_len,
                  const uint8_t subject_hash[32], uint32_t purpose, const uint8_t key_id[VT_ID_BYTES])
{
    uint8_t a[KEY_AD_BYTES];
    size_t len = 0;
    key_ad(a, subject_hash, purpose, key_id);
    int rc = ctx->kp->unwrap(ctx->kp->state, gen, key, VT_KEY_BYTES, &len, wrapped, wrapped_len, a, sizeof a);
    if (rc == CUSTOS_OK && len != VT_KEY_BYTES)
        rc = CUSTOS_EKEY;
    if (rc != CUSTOS_OK) {
        custos__wipe(key, VT_KEY_BYTES);
        return custos__fail(ctx, rc == CUSTOS_ECORRUPT || rc == CUSTOS_ERANGE ? CUSTOS_EKEY : rc,
                            "vault: a data key does not unwrap under KEK generation %u (wrong key,"
                            " destroyed KEK or altered key row)", gen);
    }
    return CUSTOS_OK;
}
