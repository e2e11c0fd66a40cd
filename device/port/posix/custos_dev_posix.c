/*
 * custos_dev_posix.c: NOR flash simulated in a file, crypto by libsodium.
 * See custos_dev_posix.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "custos_dev.h"
#include "custos_dev_posix.h"

/* A small deterministic generator for the half-done byte of a cut step, so
 * that a failing cut point reproduces. */
static uint8_t cut_noise(long step)
{
    uint32_t x = (uint32_t)step * 2654435761u + 0x9E3779B9u;
    x ^= x >> 15;
    return (uint8_t)(x ^ (x >> 8));
}

static int sync_range(custos_posix_port *p, uint32_t off, size_t len)
{
    if (pwrite(p->fd, p->image + off, len, (off_t)off) != (ssize_t)len)
        return -1;
    return fsync(p->fd);
}

/* 0: powered; 1: power fails during this step; 2: power is already off. */
static int power_state(custos_posix_port *p)
{
    if (!p->powered)
        return 2;
    if (p->steps++ == p->cut_at) {
        p->powered = 0;
        return 1;
    }
    return 0;
}

static int px_read(void *ctx, uint32_t off, uint8_t *buf, size_t len)
{
    custos_posix_port *p = ctx;
    if (!p->powered || off > p->size || len > p->size - off)
        return -1;
    memcpy(buf, p->image + off, len);
    return 0;
}

static int px_program(void *ctx, uint32_t off, const uint8_t *buf, size_t len)
{
    custos_posix_port *p = ctx;
    int bad = 0;
    size_t n = len;

    if (off > p->size || len > p->size - off || off / p->port.page_size
        != (off + (uint32_t)len - 1u) / p->port.page_size)
        return -1;
    switch (power_state(p)) {
    case 2:
        return -1;
    case 1:
        /* Half the bytes made it; the next one only in part. */
        n = len / 2;
        if (n < len)
            p->image[off + n] &= (uint8_t)(buf[n] | cut_noise(p->steps));
        break;
    default:
        break;
    }
    for (size_t i = 0; i < n; i++) {
        if ((p->image[off + i] & buf[i]) != buf[i])
            bad = 1;
        p->image[off + i] &= buf[i];
    }
    if (sync_range(p, off, len) != 0)
        return -1;
    return (n < len || bad) ? -1 : 0;
}

static int px_erase(void *ctx, uint32_t page_off)
{
    custos_posix_port *p = ctx;
    uint32_t ps = p->port.page_size;
    uint32_t n = ps;

    if (page_off % ps != 0 || page_off >= p->size)
        return -1;
    switch (power_state(p)) {
    case 2:
        return -1;
    case 1:
        n = ps / 2;
        p->image[page_off + n] |= cut_noise(p->steps);
        break;
    default:
        break;
    }
    memset(p->image + page_off, 0xFF, n); /* not secret */
    if (sync_range(p, page_off, ps) != 0)
        return -1;
    return n < ps ? -1 : 0;
}

static int load_key(custos_posix_port *p, uint8_t key[32], int create)
{
    FILE *f = fopen(p->key_path, "rb");
    size_t got = 0;

    if (f != NULL) {
        got = fread(key, 1, 32, f);
        fclose(f);
        return got == 32 ? 0 : -1;
    }
    if (!create || errno != ENOENT)
        return -1;
    randombytes_buf(key, 32);
    int fd = open(p->key_path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return -1;
    int ok = write(fd, key, 32) == 32 && fsync(fd) == 0;
    close(fd);
    return ok ? 0 : -1;
}

static int px_seal(void *ctx, uint8_t *out, const uint8_t *in, size_t len,
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

static int px_open(void *ctx, uint8_t *out, const uint8_t *in, size_t len,
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

/* Overwrite, sync, unlink: the key file is the port's key sector. */
static int px_key_destroy(void *ctx)
{
    custos_posix_port *p = ctx;
    uint8_t zero[32] = { 0 };
    int fd = open(p->key_path, O_WRONLY);

    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    int ok = write(fd, zero, sizeof zero) == (ssize_t)sizeof zero && fsync(fd) == 0;
    close(fd);
    return (ok && unlink(p->key_path) == 0) ? 0 : -1;
}

static int px_verify(void *ctx, const uint8_t sig[64], const uint8_t *msg, size_t len,
                     const uint8_t pk[32])
{
    (void)ctx;
    return crypto_sign_verify_detached(sig, msg, len, pk);
}

static int px_sign(void *ctx, uint8_t sig[64], uint8_t pk[32], const uint8_t *msg, size_t len)
{
    custos_posix_port *p = ctx;
    memcpy(pk, p->sign_sk + 32, 32);
    return crypto_sign_detached(sig, NULL, msg, len, p->sign_sk);
}

static int px_random(void *ctx, uint8_t *buf, size_t len)
{
    (void)ctx;
    randombytes_buf(buf, len);
    return 0;
}

static uint64_t px_now(void *ctx)
{
    custos_posix_port *p = ctx;
    return p->clock_fixed ? p->clock : (uint64_t)time(NULL);
}

int custos_posix_open(custos_posix_port *p, const char *flash_path, uint32_t page_size)
{
    struct stat sb;
    uint32_t size = 2u * CUSTOS_DEV_SLOT_SIZE;

    memset(p, 0, sizeof *p); /* not secret */
    p->fd = -1;
    if (sodium_init() < 0 || size > CUSTOS_POSIX_FLASH_MAX || page_size == 0
        || CUSTOS_DEV_SLOT_SIZE % page_size != 0
        || snprintf(p->key_path, sizeof p->key_path, "%s.key", flash_path)
               >= (int)sizeof p->key_path)
        return -1;
    p->fd = open(flash_path, O_RDWR | O_CREAT, 0600);
    if (p->fd < 0 || fstat(p->fd, &sb) != 0)
        goto fail;
    if (sb.st_size == (off_t)size) {
        if (pread(p->fd, p->image, size, 0) != (ssize_t)size)
            goto fail;
    } else {
        memset(p->image, 0xFF, size); /* not secret */
        if (ftruncate(p->fd, 0) != 0 || pwrite(p->fd, p->image, size, 0) != (ssize_t)size
            || fsync(p->fd) != 0)
            goto fail;
    }
    p->size = size;
    p->cut_at = -1;
    p->powered = 1;
    p->port.ctx = p;
    p->port.page_size = page_size;
    p->port.flash_read = px_read;
    p->port.flash_program = px_program;
    p->port.flash_erase_page = px_erase;
    p->port.aead_seal = px_seal;
    p->port.aead_open = px_open;
    p->port.key_destroy = px_key_destroy;
    p->port.ed25519_verify = px_verify;
    p->port.ed25519_sign = NULL;
    p->port.random = px_random;
    p->port.now = px_now;
    return 0;
fail:
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
    return -1;
}

void custos_posix_close(custos_posix_port *p)
{
    if (p->fd >= 0)
        close(p->fd);
    sodium_memzero(p, sizeof *p);
    p->fd = -1;
}

void custos_posix_cut_at(custos_posix_port *p, long k) { p->cut_at = k; }
long custos_posix_steps(const custos_posix_port *p) { return p->steps; }

void custos_posix_set_signing_key(custos_posix_port *p, const uint8_t sk[64])
{
    memcpy(p->sign_sk, sk, 64);
    p->port.ed25519_sign = px_sign;
}

void custos_posix_set_clock(custos_posix_port *p, uint64_t now)
{
    p->clock_fixed = 1;
    p->clock = now;
}
