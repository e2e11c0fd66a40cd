/*
 * footprint_port.c: a port whose callbacks do nothing, for the footprint
 * build only. Real ports bring their flash driver and crypto (Monocypher's
 * Ed25519 and XChaCha20-Poly1305 measure about 11-15 KB on Cortex-M0+, see
 * docs/firmware-guide.md); the gate counts the device layer without them.
 */
#include <string.h>

#include "custos_dev_port.h"

static int st_read(void *c, uint32_t o, uint8_t *b, size_t n)
{ (void)c; (void)o; memset(b, 0xFF, n); return 0; } /* not secret */
static int st_prog(void *c, uint32_t o, const uint8_t *b, size_t n)
{ (void)c; (void)o; (void)b; (void)n; return 0; }
static int st_erase(void *c, uint32_t o) { (void)c; (void)o; return 0; }
static int st_aead(void *c, uint8_t *out, const uint8_t *in, size_t n, const uint8_t *ad,
                   size_t adn, const uint8_t nonce[24])
{ (void)c; (void)out; (void)in; (void)n; (void)ad; (void)adn; (void)nonce; return 0; }
static int st_kd(void *c) { (void)c; return 0; }
static int st_verify(void *c, const uint8_t s[64], const uint8_t *m, size_t n,
                     const uint8_t pk[32])
{ (void)c; (void)s; (void)m; (void)n; (void)pk; return 0; }
static int st_sign(void *c, uint8_t s[64], uint8_t pk[32], const uint8_t *m, size_t n)
{ (void)c; (void)s; (void)pk; (void)m; (void)n; return 0; }
static int st_rand(void *c, uint8_t *b, size_t n) { (void)c; (void)b; (void)n; return 0; }
static uint64_t st_now(void *c) { (void)c; return 1; }

const custos_dev_port fp_port = {
    0, 128, st_read, st_prog, st_erase, st_aead, st_aead, st_kd, st_verify, st_sign,
    st_rand, st_now
};
