/*
 * seal.c: how a record and a data key are sealed.
 *
 * SEALED ROW (vault_record.sealed): a 36-byte row header, then the sealed
 * value. A read takes the record's identity from the header alone, so it
 * reads two columns (the id or subject hash it looked up, and this one);
 * the other columns are indexes for queries (erase by purpose, expiry,
 * streams) and are not read back.
 *
 *   ROW HEADER (little-endian)
 *   offset  size  field
 *   0       1     fmt: 1 XChaCha20-Poly1305, 2 AES-256-GCM, 3 stream metadata
 *   1       1     AD version: 2 (every row written by store format 3 on),
 *                 1 (a row migrated from store format 1 or 2; migrate.c)
 *   2       2     zero
 *   4       4     purpose
 *   8       4     category
 *   12      8     key id (the vault_key row of its data key)
 *   20      8     created, seconds since the epoch
 *   28      8     expires, seconds since the epoch (0: no time limit)
 *
 *   SEALED VALUE, by fmt
 *   fmt 1, XChaCha20-Poly1305 (any CPU)     fmt 2, AES-256-GCM (CPUs with AES-NI
 *                                           or the ARMv8 crypto extensions)
 *   offset  size  field                     offset  size  field
 *   0       24    nonce, random             0       12    nonce, random
 *   24      n     ciphertext                12      n     ciphertext
 *   24+n    16    Poly1305 tag              12+n    16    GCM tag
 *
 * fmt 3 is a stream's sealed metadata (stream.c), laid out as fmt 1. A new
 * record is fmt 2 when crypto_aead_aes256gcm_is_available() said so when the
 * handle was opened, else fmt 1; both are read. A fmt-2 record on a machine
 * without AES-GCM is CUSTOS_EUNSUPPORTED, never CUSTOS_ECORRUPT: its bytes
 * are fine, the machine is not. (libsodium has no portable AES-GCM, by design:
 * a table-based AES leaks its key through cache timing.) Any other fmt or AD
 * version is CUSTOS_ECORRUPT: a Custos that wrote one would have raised the
 * store format, and a store of a newer format is refused at open.
 *
 * The associated data is not stored: it is rebuilt from the header, the
 * row's id and its subject hash. AD version 2 (80 bytes):
 *
 *   "CVR2" | the row header (36) | record id u64 | subject hash (32)
 *
 * so every header byte is authenticated, created and expires included. AD
 * version 1 (64 bytes), which rows sealed before the header existed keep:
 *
 *   "CVR1" | fmt u32 | record id u64 | subject hash (32) | purpose u32 |
 *   category u32 | key id (8)                                   (little-endian)
 *
 * which leaves created and expires unauthenticated (editing them can only
 * shorten or lengthen retention, never reveal or alter a payload). Either
 * way a sealed column copied into another row, a subject hash edited, or a
 * header whose fmt, purpose, category or key id was edited fails
 * authentication (an fmt edited 2 -> 1 or 1 -> 2 also reads the nonce at the
 * wrong length), and so does an AD version edited 2 -> 1 or 1 -> 2. Editing
 * the purpose, category, key_id or fmt columns changes no read; it can only
 * hide a row from a query, and crypto-erase does not depend on those: the
 * header names the key, and a destroyed key opens nothing.
 *
 * Nonces are random. fmt 1: 192 bits; a collision among 2^64 messages under
 * one key has probability about 2^-64, so no counter is needed. fmt 2: 96
 * bits, which NIST SP 800-38D limits to 2^32 messages per key (collision
 * probability about 2^-33 there); keys.c counts each data key's GCM seals
 * (vault_key.sealed_count) and starts a new key for the scope before the
 * limit.
 *
 * The AES-GCM key schedule of a cached key is computed once, on its first
 * use, into the arena next to the key (vault.c, KEY CACHE).
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
#include <stdint.h>
#include <string.h>

#define RECORD_AD1_BYTES 64u
#define RECORD_AD_BYTES (4u + VT_ROW_HEAD + 8u + 32u)
#define KEY_AD_BYTES 48u

/* The record's associated data into ad; returns its length. */
static size_t record_ad(uint8_t ad[RECORD_AD_BYTES], const vt_record_ad *r)
{
    if (r->adv == VT_AD_HEAD) {
        memcpy(ad, "CVR2", 4);
        memcpy(ad + 4, r->head, VT_ROW_HEAD);
        custos_vault__put64(ad + 4 + VT_ROW_HEAD, (uint64_t)r->id);
        memcpy(ad + 12 + VT_ROW_HEAD, r->subject_hash, 32);
        return RECORD_AD_BYTES;
    }
    memcpy(ad, "CVR1", 4);
    custos_vault__put32(ad + 4, r->fmt);
    custos_vault__put64(ad + 8, (uint64_t)r->id);
    memcpy(ad + 16, r->subject_hash, 32);
    custos_vault__put32(ad + 48, r->purpose);
    custos_vault__put32(ad + 52, r->category);
    memcpy(ad + 56, r->key_id, 8);
    return RECORD_AD1_BYTES;
}

void custos_vault__row_head(uint8_t head[VT_ROW_HEAD], vt_record_ad *ad, uint32_t adv, uint64_t created,
                            uint64_t expires)
{
    head[VT_HEAD_FMT] = (uint8_t)ad->fmt;
    head[VT_HEAD_ADV] = (uint8_t)adv;
    head[2] = head[3] = 0;
    custos_vault__put32(head + VT_HEAD_PURPOSE, ad->purpose);
    custos_vault__put32(head + VT_HEAD_CATEGORY, ad->category);
    memcpy(head + VT_HEAD_KEY_ID, ad->key_id, VT_ID_BYTES);
    /* as the columns hold them (SQLite integers are signed) */
    custos_vault__put64(head + VT_HEAD_CREATED, created > INT64_MAX ? INT64_MAX : created);
    custos_vault__put64(head + VT_HEAD_EXPIRES, expires > INT64_MAX ? INT64_MAX : expires);
    ad->adv = adv;
    ad->head = head;
}

int custos_vault__row_parse(custos_t *ctx, const uint8_t *row, size_t row_len, vt_record_ad *ad,
                            custos_vault_info *info, const uint8_t **sealed, size_t *sealed_len)
{
    if (row == NULL || row_len < VT_ROW_HEAD)
        return custos__fail(ctx, CUSTOS_ECORRUPT, "vault: record %lld is damaged (length)", (long long)ad->id);
    uint32_t fmt = row[VT_HEAD_FMT], adv = row[VT_HEAD_ADV];
    if (fmt < VT_RECORD_XCHACHA || fmt > VT_STREAM_FORMAT || (adv != VT_AD_HEAD && adv != VT_AD_COLUMNS) ||
        (row[2] | row[3]) != 0)
        return custos__fail(ctx, CUSTOS_ECORRUPT, "vault: record %lld is damaged (its header says format %u, AD"
                            " version %u; this store has 1 to 3, and 1 or 2)", (long long)ad->id, fmt, adv);
    ad->fmt = fmt;
    ad->adv = adv;
    ad->head = row;
    ad->purpose = info->purpose = custos_vault__get32(row + VT_HEAD_PURPOSE);
    ad->category = info->category = custos_vault__get32(row + VT_HEAD_CATEGORY);
    ad->key_id = row + VT_HEAD_KEY_ID;
    info->id = ad->id;
    info->created = custos_vault__get64(row + VT_HEAD_CREATED);
    info->expires = custos_vault__get64(row + VT_HEAD_EXPIRES);
    *sealed = row + VT_ROW_HEAD;
    *sealed_len = row_len - VT_ROW_HEAD;
    if (*sealed_len < custos_vault__seal_overhead(fmt))
        return custos__fail(ctx, CUSTOS_ECORRUPT, "vault: record %lld is damaged (length)", (long long)ad->id);
    if (fmt == VT_RECORD_GCM && !ctx->vault->gcm)
        return custos_vault__unsupported(ctx, ad->id);
    info->size = *sealed_len - custos_vault__seal_overhead(fmt);
    info->flags = fmt == VT_STREAM_FORMAT ? CUSTOS_VAULT_STREAMED : 0;
    return CUSTOS_OK;
}

static void key_ad(uint8_t ad[KEY_AD_BYTES], const uint8_t subject_hash[32], uint32_t purpose,
                   const uint8_t key_id[VT_ID_BYTES])
{
    memcpy(ad, "CVK1", 4);
    memcpy(ad + 4, subject_hash, 32);
    custos_vault__put32(ad + 36, purpose);
    memcpy(ad + 40, key_id, 8);
}

static int force_aead = 0;

void custos__vault_test_force_aead(int fmt) { force_aead = fmt; }

/* Once per handle (vault.c, attach): sodium_init has run. */
int custos_vault__gcm_usable(void)
{
    if (force_aead == (int)VT_RECORD_XCHACHA)
        return 0;
    return crypto_aead_aes256gcm_is_available() == 1;
}

uint32_t custos_vault__record_fmt(custos_t *ctx) { return ctx->vault->gcm ? VT_RECORD_GCM : VT_RECORD_XCHACHA; }

size_t custos_vault__seal_overhead(uint32_t fmt)
{
    return (fmt == VT_RECORD_GCM ? VT_GCM_NONCE_BYTES : VT_NONCE_BYTES) + VT_TAG_BYTES;
}

size_t custos_vault__sealed_len(uint32_t fmt, size_t plain_len) { return custos_vault__seal_overhead(fmt) + plain_len; }

int custos_vault__unsupported(custos_t *ctx, int64_t record_id)
{
    return custos__fail(ctx, CUSTOS_EUNSUPPORTED,
                        "vault: record %lld is sealed with AES-256-GCM, which this CPU lacks (no AES-NI/ARMv8"
                        " crypto); open the store on a machine that has it", (long long)record_id);
}

/* The cached AES-GCM schedule of key, computed on first use; NULL if key is
 * not a slot's (then the caller uses the plain calls). A slot's key lies in
 * the arena's key array, so its place there is its slot. */
static const crypto_aead_aes256gcm_state *gcm_state(custos_t *ctx, const uint8_t *key)
{
    uintptr_t base = (uintptr_t)custos_vault__slot_key(ctx, 0), at = (uintptr_t)key;
    if (at < base || at - base >= VT_SLOTS * VT_KEY_BYTES || (at - base) % VT_KEY_BYTES != 0)
        return NULL;
    unsigned i = (unsigned)((at - base) / VT_KEY_BYTES);
    crypto_aead_aes256gcm_state *st = custos_vault__slot_gcm(ctx, i);
    if (!ctx->vault->slots[i].gcm_ready) {
        (void)crypto_aead_aes256gcm_beforenm(st, key); /* cannot fail: AES-GCM is available */
        ctx->vault->slots[i].gcm_ready = 1;
    }
    return st;
}

/* A fresh nonce: the first `bytes` of the next pool entry. */
static void next_nonce(custos_t *ctx, uint8_t *out, size_t bytes)
{
    struct custos_vault *v = ctx->vault;
    if (v->nonces_left == 0) {
        custos__random(ctx, v->nonces, sizeof v->nonces);
        v->nonces_left = VT_NONCE_POOL;
    }
    memcpy(out, v->nonces + (--v->nonces_left) * VT_NONCE_BYTES, bytes);
}

void custos_vault__seal(custos_t *ctx, uint8_t *out, const uint8_t *plain, size_t len,
             const vt_record_ad *ad, const uint8_t key[32])
{
    uint8_t a[RECORD_AD_BYTES];
    size_t alen = record_ad(a, ad);
    if (ad->fmt != VT_RECORD_GCM) {
        next_nonce(ctx, out, VT_NONCE_BYTES);
        crypto_aead_xchacha20poly1305_ietf_encrypt(out + VT_NONCE_BYTES, NULL, plain, len, a, alen,
                                                   NULL, out, key);
        return;
    }
    next_nonce(ctx, out, VT_GCM_NONCE_BYTES);
    const crypto_aead_aes256gcm_state *st = gcm_state(ctx, key);
    if (st != NULL)
        crypto_aead_aes256gcm_encrypt_afternm(out + VT_GCM_NONCE_BYTES, NULL, plain, len, a, alen, NULL,
                                              out, st);
    else
        crypto_aead_aes256gcm_encrypt(out + VT_GCM_NONCE_BYTES, NULL, plain, len, a, alen, NULL, out, key);
}

int custos_vault__open(custos_t *ctx, uint8_t *out, const uint8_t *sealed, size_t sealed_len,
                       const vt_record_ad *ad, const uint8_t key[32])
{
    if (ad->fmt == VT_RECORD_GCM && !ctx->vault->gcm)
        return custos_vault__unsupported(ctx, ad->id);
    if (sealed_len < custos_vault__seal_overhead(ad->fmt))
        return CUSTOS_ECORRUPT;
    uint8_t a[RECORD_AD_BYTES];
    size_t alen = record_ad(a, ad);
    int rc;
    if (ad->fmt != VT_RECORD_GCM) {
        rc = crypto_aead_xchacha20poly1305_ietf_decrypt(out, NULL, NULL, sealed + VT_NONCE_BYTES,
                                                        sealed_len - VT_NONCE_BYTES, a, alen, sealed, key);
    } else {
        const crypto_aead_aes256gcm_state *st = gcm_state(ctx, key);
        const uint8_t *c = sealed + VT_GCM_NONCE_BYTES;
        size_t clen = sealed_len - VT_GCM_NONCE_BYTES;
        rc = st != NULL ? crypto_aead_aes256gcm_decrypt_afternm(out, NULL, NULL, c, clen, a, alen, sealed, st)
                        : crypto_aead_aes256gcm_decrypt(out, NULL, NULL, c, clen, a, alen, sealed, key);
    }
    return rc == 0 ? CUSTOS_OK : CUSTOS_ECORRUPT;
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
