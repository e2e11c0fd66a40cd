/* dev_fuzz_port.c: see dev_fuzz_port.h. Never link it into firmware. */
#include <string.h>

#include "dev_fuzz_port.h"

static int fz_read(void *c, uint32_t off, uint8_t *buf, size_t len)
{
    dev_fuzz_port *p = c;
    if (off > sizeof p->flash || len > sizeof p->flash - off)
        return -1;
    memcpy(buf, p->flash + off, len);
    return 0;
}

static int fz_program(void *c, uint32_t off, const uint8_t *buf, size_t len)
{
    dev_fuzz_port *p = c;
    if (off > sizeof p->flash || len > sizeof p->flash - off)
        return -1;
    for (size_t i = 0; i < len; i++)
        p->flash[off + i] &= buf[i];
    return 0;
}

static int fz_erase(void *c, uint32_t off)
{
    dev_fuzz_port *p = c;
    if (off % p->port.page_size != 0 || off >= sizeof p->flash)
        return -1;
    memset(p->flash + off, 0xFF, p->port.page_size);
    return 0;
}

static int fz_seal(void *c, uint8_t *out, const uint8_t *in, size_t len, const uint8_t *ad,
                   size_t ad_len, const uint8_t nonce[24])
{
    (void)c; (void)ad; (void)ad_len; (void)nonce;
    memmove(out, in, len);
    memset(out + len, 0, 16);
    return 0;
}

static int fz_open(void *c, uint8_t *out, const uint8_t *in, size_t len, const uint8_t *ad,
                   size_t ad_len, const uint8_t nonce[24])
{
    (void)c; (void)ad; (void)ad_len; (void)nonce;
    if (len < 16)
        return -1;
    memmove(out, in, len - 16);
    return 0;
}

static int fz_key_destroy(void *c) { (void)c; return 0; }

static int fz_verify(void *c, const uint8_t sig[64], const uint8_t *m, size_t n,
                     const uint8_t pk[32])
{
    (void)c; (void)sig; (void)m; (void)n; (void)pk;
    return 0;
}

static int fz_sign(void *c, uint8_t sig[64], uint8_t pk[32], const uint8_t *m, size_t n)
{
    (void)c; (void)m; (void)n;
    memset(sig, 0, 64);
    memset(pk, 0, 32);
    return 0;
}

static int fz_random(void *c, uint8_t *buf, size_t n) { (void)c; memset(buf, 0x42, n); return 0; }
static uint64_t fz_now(void *c) { (void)c; return 1700000000u; }

void dev_fuzz_port_init(dev_fuzz_port *p)
{
    memset(p, 0, sizeof *p);
    memset(p->flash, 0xFF, sizeof p->flash);
    p->port.ctx = p;
    p->port.page_size = 128;
    p->port.flash_read = fz_read;
    p->port.flash_program = fz_program;
    p->port.flash_erase_page = fz_erase;
    p->port.aead_seal = fz_seal;
    p->port.aead_open = fz_open;
    p->port.key_destroy = fz_key_destroy;
    p->port.ed25519_verify = fz_verify;
    p->port.ed25519_sign = fz_sign;
    p->port.random = fz_random;
    p->port.now = fz_now;
}
