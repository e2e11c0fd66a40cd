/*
 * custos_dev_baremetal_rng.c: the emulator's RNG seam, a seeded
 * deterministic generator. NOT for a product: the emulated boards have no
 * entropy source QEMU models for them, so a run is reproducible from its
 * seed instead; a real board implements custos_bm_random() with its TRNG
 * (docs/firmware-guide.md).
 *
 * Each request: ChaCha20 (IETF, nonce = request count) under the current
 * key gives 32 bytes of next key followed by the output; the old key is
 * overwritten before returning (fast key erasure).
 *
 * It is also libsodium's randombytes_buf(), which crypto_sign_keypair
 * calls: libsodium's randombytes.c (getrandom, /dev/urandom) is not built
 * for Cortex-M.
 */
#include <string.h>

#include "crypto_stream_chacha20.h"
#include "randombytes.h"
#include "utils.h"

#include "custos_dev_baremetal.h"

static uint8_t drbg_key[32];
static uint32_t drbg_requests;
static int drbg_seeded;

void custos_bm_rng_seed(const uint8_t seed[32])
{
    memcpy(drbg_key, seed, sizeof drbg_key);
    drbg_requests = 0;
    drbg_seeded = 1;
}

int custos_bm_random(uint8_t *buf, size_t len)
{
    uint8_t nonce[crypto_stream_chacha20_IETF_NONCEBYTES] = { 0 };
    uint8_t block[64];

    if (!drbg_seeded)
        return -1;
    while (len > 0) {
        size_t n = len < 32 ? len : 32;
        nonce[0] = (uint8_t)drbg_requests;
        nonce[1] = (uint8_t)(drbg_requests >> 8);
        nonce[2] = (uint8_t)(drbg_requests >> 16);
        nonce[3] = (uint8_t)(drbg_requests >> 24);
        drbg_requests++;
        crypto_stream_chacha20_ietf(block, sizeof block, nonce, drbg_key);
        memcpy(drbg_key, block, 32);
        memcpy(buf, block + 32, n);
        buf += n;
        len -= n;
    }
    sodium_memzero(block, sizeof block);
    return 0;
}

void randombytes_buf(void *const buf, const size_t size)
{
    /* No value can be returned: an unseeded generator stops the core
     * rather than hand out predictable bytes. */
    if (custos_bm_random(buf, size) != 0)
        __builtin_trap();
}
