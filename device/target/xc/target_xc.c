/*
 * target_xc.c: the cross-checks on the target. The host side
 * (tests/crosscheck/xc_target_host.c) packs signed updates the way the core
 * does (protobuf-c, libsodium) into xc_vectors.bin; this image, on the
 * emulated core, reads them through semihosting, applies each to a device
 * on the bare-metal port and checks the result it expects, then writes the
 * device's own report, compact state and erase receipt to xc_device.bin,
 * which the host decodes with protobuf-c and re-packs byte for byte.
 *
 * xc_vectors.bin: "CXV1", app public key (32), device id (16), device
 * signing seed (32), clock (u32 LE), check count (u8) then per check
 * subject, purpose, expected result (i8); message count (u8), then per
 * message expected result (i8), length (u16 LE), bytes.
 * xc_device.bin: three records, length (u16 LE) and bytes: the signed
 * report, subject 1's compact state, the signed erase receipt.
 */
#include <string.h>

#include "crypto_sign_ed25519.h"
#include "custos_dev.h"
#include "custos_dev_baremetal.h"
#include "semihost.h"

#define PAGE 128u

__attribute__((section(".custos_flash"))) static uint8_t flash[CUSTOS_BM_REGION_SIZE(PAGE)];
static custos_bm_port port;
static custos_dev_t dev;
static uint8_t vec[4096];
static uint8_t buf[CUSTOS_DEV_MESSAGE_MAX];

static int fail(const char *what, long got, long want)
{
    sh_puts("XC FAIL ");
    sh_puts(what);
    sh_puts(" (got ");
    sh_puti(got);
    sh_puts(", want ");
    sh_puti(want);
    sh_puts(")\n");
    return 1;
}

static int put(long h, const uint8_t *p, size_t n)
{
    uint8_t len[2] = { (uint8_t)n, (uint8_t)(n >> 8) };
    return sh_write(h, len, 2) == 0 && sh_write(h, p, (uint32_t)n) == 0 ? 0 : -1;
}

int main(void)
{
    static const uint8_t seed[32] = { 'x', 'c' };
    uint8_t pk[32], sk[64];
    size_t len = 0, at;
    long h, n;
    int rc;

    custos_bm_rng_seed(seed);
    h = sh_open("xc_vectors.bin", 0);
    if (h < 0)
        return fail("open xc_vectors.bin", h, 0);
    n = sh_flen(h);
    if (n < 90 || n > (long)sizeof vec || sh_read(h, vec, (uint32_t)n) != 0)
        return fail("read xc_vectors.bin", n, 0);
    sh_close(h);
    if (memcmp(vec, "CXV1", 4) != 0)
        return fail("vector magic", vec[0], 'C');

    custos_bm_format(flash, PAGE);
    if (custos_bm_open(&port, flash, PAGE) != 0)
        return fail("port open", -1, 0);
    crypto_sign_ed25519_seed_keypair(pk, sk, vec + 52);
    custos_bm_set_signing_key(&port, sk);
    custos_bm_set_clock(&port, (uint64_t)vec[84] | (uint64_t)vec[85] << 8
                                   | (uint64_t)vec[86] << 16 | (uint64_t)vec[87] << 24);
    if ((rc = custos_dev_open(&dev, &port.port, vec + 36, ~0ull)) != 0)
        return fail("custos_dev_open", rc, 0);
    if ((rc = custos_dev_pair(&dev, vec + 4)) != 0)
        return fail("custos_dev_pair", rc, 0);

    unsigned checks = vec[88];
    const uint8_t *cp = vec + 89;
    at = 89u + 3u * checks;
    unsigned msgs = vec[at++];
    int bad = 0;
    for (unsigned i = 0; i < msgs; i++) {
        if (at + 3 > (size_t)n)
            return fail("vector truncated", (long)at, n);
        int want = (int8_t)vec[at];
        size_t mlen = (size_t)vec[at + 1] | (size_t)vec[at + 2] << 8;
        at += 3;
        if (at + mlen > (size_t)n)
            return fail("vector truncated", (long)(at + mlen), n);
        rc = custos_dev_apply_update(&dev, vec + at, mlen);
        sh_puts(rc == want ? "XC ok update " : "XC FAIL update ");
        sh_putu(i);
        sh_puts(": ");
        sh_puti(rc);
        sh_puts("\n");
        bad |= rc != want;
        at += mlen;
    }
    for (unsigned i = 0; i < checks; i++, cp += 3) {
        rc = custos_dev_check(&dev, cp[0], cp[1]);
        if (rc != (int8_t)cp[2])
            bad |= fail("custos_dev_check", rc, (int8_t)cp[2]);
    }

    h = sh_open("xc_device.bin", 1);
    if (h < 0)
        return fail("open xc_device.bin", h, 0);
    if ((rc = custos_dev_encode_report(&dev, buf, sizeof buf, &len)) != 0 || put(h, buf, len))
        bad |= fail("report", rc, 0);
    if ((rc = custos_dev_encode_compact(&dev, 1, buf, sizeof buf, &len)) != 0 || put(h, buf, len))
        bad |= fail("compact", rc, 0);
    if ((rc = custos_dev_erase(&dev, buf, sizeof buf, &len)) != 0 || put(h, buf, len))
        bad |= fail("erase", rc, 0);
    sh_close(h);
    custos_dev_close(&dev);
    custos_bm_close(&port);
    custos_dev_wipe(sk, sizeof sk);
    sh_puts(bad ? "XC RESULT fail\n" : "XC RESULT ok\n");
    return bad;
}
