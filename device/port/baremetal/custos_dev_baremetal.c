/*
 * custos_dev_baremetal.c: NOR flash in board memory, crypto by libsodium.
 * See custos_dev_baremetal.h.
 */
#include <string.h>

#include "crypto_aead_xchacha20poly1305.h"
#include "crypto_sign_ed25519.h"
#include "utils.h"

#include "custos_dev.h"
#include "custos_dev_baremetal.h"

/* The key page: a 4-byte marker, then the 32-byte key. Blank (0xFF) = no
 * key. */
static const uint8_t key_marker[4] = { 'C', 'K', 'E', 'Y' };

/* The half-done byte of a cut step, as in the POSIX port. */
static uint8_t cut_noise(long step)
{
    uint32_t x = (uint32_t)step * 2654435761u + 0x9E3779B9u;
    x ^= x >> 15;
    return (uint8_t)(x ^ (x >> 8));
}

/* 0: powered; 1: power fails during this step; 2: power is already off. */
static int power_state(custos_bm_port *p)
{
    if (!p->powered)
        return 2;
    if (p->steps++ == p->cut_at) {
        p->powered = 0;
        return 1;
    }
    return 0;
}

static int bm_read(void *ctx, uint32_t off, uint8_t *buf, size_t len)
{
    custos_bm_port *p = ctx;
    if (!p->powered || off > p->size || len > p->size - off)
        return -1;
    memcpy(buf, p->flash + off, len);
    return 0;
}

static int bm_program(void *ctx, uint32_t off, const uint8_t *buf, size_t len)
{
    custos_bm_port *p = ctx;
    int bad = 0;
    size_t n = len;

    if (len == 0 || off > p->size || len > p->size - off
        || off / p->port.page_size != (off + (uint32_t)len - 1u) / p->port.page_size)
        return -1;
    switch (power_state(p)) {
    case 2:
        return -1;
    case 1:
        n = len / 2;
        p->flash[off + n] &= (uint8_t)(buf[n] | cut_noise(p->steps));
        break;
    default:
        break;
    }
    for (size_t i = 0; i < n; i++) {
        if ((p->flash[off + i] & buf[i]) != buf[i])
            bad = 1;
        p->flash[off + i] &= buf[i];
    }
    return (n < len || bad) ? -1 : 0;
}

static int bm_erase(void *ctx, uint32_t page_off)
{
    custos_bm_port *p = ctx;
    uint32_t ps = p->port.page_size;
    uint32_t n = ps;

    if (page_off % ps != 0 || page_off >= p->size)
        return -1;
    switch (power_state(p)) {
    case 2:
        return -1;
    case 1:
        n = ps / 2;
        p->flash[page_off + n] |= cut_noise(p->steps);
        break;
    default:
        break;
    }
    memset(p->flash + page_off, 0xFF, n); /* not secret */
    return n < ps ? -1 : 0;
}

static uint8_t *key_page(custos_bm_port *p)
{
    return p->flash + p->size;
}

/* The storage key into key; create it (fresh from the RNG) when the page is
 * blank and create is set. 0 or -1. */
static int load_key(custos_bm_port *p, uint8_t key[32], int create)
{
    uint8_t *kp = key_page(p);
    uint8_t blank = 0xFF;

    if (memcmp(kp, key_marker, sizeof key_marker) == 0) {
        memcpy(key, kp + 4, 32);
        return 0;
    }
    for (uint32_t i = 0; i < 36; i++)
        blank &= kp[i];
    if (!create || blank != 0xFF || !p->powered)
        return -1;
    if (custos_bm_random(key, 32) != 0)
        return -1;
    memcpy(kp + 4, key, 32);
    memcpy(kp, key_marker, sizeof key_marker);
    return 0;
}

static int bm_seal(void *ctx, uint8_t *out, const uint8_t *in, size_t len,
                   const uint8_t *ad, size_t ad_len, const uint8_t nonce[24])
{
    uint8_t key[32];
    int rc = load_key(ctx, key, 1);
    if (rc == 0)
        rc = crypto_aead_xchacha20poly1305_ietf_encrypt(out, NULL, in, len, ad, ad_len,
                                                        NULL, nonce, key);
    sodium_memzero(key, sizeof key);
    return rc;
}

static int bm_open_aead(void *ctx, uint8_t *out, const uint8_t *in, size_t len,
                        const uint8_t *ad, size_t ad_len, const uint8_t nonce[24])
{
    uint8_t key[32];
    int rc = load_key(ctx, key, 0);
    if (rc == 0)
        rc = crypto_aead_xchacha20poly1305_ietf_decrypt(out, NULL, NULL, in, len, ad, ad_len,
                                                        nonce, key);
    sodium_memzero(key, sizeof key);
    return rc;
}

/* Erase the key page and read it back blank. */
static int bm_key_destroy(void *ctx)
{
    custos_bm_port *p = ctx;
    uint8_t *kp = key_page(p);
    uint8_t all = 0xFF;

    if (!p->powered)
        return -1;
    sodium_memzero(kp, p->port.page_size);
    memset(kp, 0xFF, p->port.page_size); /* not secret */
    for (uint32_t i = 0; i < p->port.page_size; i++)
        all &= kp[i];
    return all == 0xFF ? 0 : -1;
}

static int bm_verify(void *ctx, const uint8_t sig[64], const uint8_t *msg, size_t len,
                     const uint8_t pk[32])
{
    (void)ctx;
    return crypto_sign_ed25519_verify_detached(sig, msg, len, pk);
}

static int bm_sign(void *ctx, uint8_t sig[64], uint8_t pk[32], const uint8_t *msg, size_t len)
{
    custos_bm_port *p = ctx;
    memcpy(pk, p->sign_sk + 32, 32);
    return crypto_sign_ed25519_detached(sig, NULL, msg, len, p->sign_sk);
}

static int bm_random(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    return custos_bm_random(buf, len);
}

static uint64_t bm_now(void *ctx)
{
    const custos_bm_port *p = ctx;
    return p->clock;
}

int custos_bm_open(custos_bm_port *p, uint8_t *flash, uint32_t page_size)
{
    memset(p, 0, sizeof *p); /* not secret */
    if (flash == NULL || page_size < 16 || CUSTOS_DEV_SLOT_SIZE % page_size != 0)
        return -1;
    p->flash = flash;
    p->size = 2u * CUSTOS_DEV_SLOT_SIZE;
    p->cut_at = -1;
    p->powered = 1;
    p->port.ctx = p;
    p->port.page_size = page_size;
    p->port.flash_read = bm_read;
    p->port.flash_program = bm_program;
    p->port.flash_erase_page = bm_erase;
    p->port.aead_seal = bm_seal;
    p->port.aead_open = bm_open_aead;
    p->port.key_destroy = bm_key_destroy;
    p->port.ed25519_verify = bm_verify;
    p->port.ed25519_sign = NULL;
    p->port.random = bm_random;
    p->port.now = bm_now;
    return 0;
}

void custos_bm_close(custos_bm_port *p)
{
    sodium_memzero(p, sizeof *p);
    p->cut_at = -1;
}

void custos_bm_format(uint8_t *flash, uint32_t page_size)
{
    memset(flash, 0xFF, CUSTOS_BM_REGION_SIZE(page_size)); /* not secret */
}

void custos_bm_cut_at(custos_bm_port *p, long k) { p->cut_at = k; }
long custos_bm_steps(const custos_bm_port *p) { return p->steps; }

void custos_bm_set_signing_key(custos_bm_port *p, const uint8_t sk[64])
{
    memcpy(p->sign_sk, sk, 64);
    p->port.ed25519_sign = bm_sign;
}

void custos_bm_set_clock(custos_bm_port *p, uint64_t now) { p->clock = now; }
