/*
 * image_main.c: the whole consent-and-erase firmware image the footprint
 * report counts (device/FOOTPRINT.md): every public function of the layer
 * on the bare-metal port with its real crypto (libsodium) and flash, plus
 * startup. It runs under QEMU too: it opens, pairs with a key made from the
 * emulator's seed, refuses an update it cannot verify, encodes, erases.
 *
 * Built twice: dev_target_image (the port signs reports and receipts with a
 * device identity key: Ed25519 signing, and so libsodium's 30 KiB table of
 * base-point multiples, is linked) and, with CUSTOS_IMAGE_VERIFY_ONLY,
 * dev_target_image_verify (no device key: unsigned reports, Ed25519 verify
 * only), the configuration the 32 KiB goal of device/FOOTPRINT.md is for.
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
static uint8_t buf[CUSTOS_DEV_MESSAGE_MAX];

int main(void)
{
    static const uint8_t seed[32] = { 'i', 'm', 'a', 'g', 'e' };
    uint8_t id[16] = { 1, 2, 3, 4 }, pk[32], sk[64];
    size_t len = 0;
    int bad = 0;

    custos_bm_rng_seed(seed);
    custos_bm_format(flash, PAGE);
    bad |= custos_bm_open(&port, flash, PAGE) != 0;
#if defined(CUSTOS_IMAGE_VERIFY_ONLY)
    bad |= custos_bm_random(pk, sizeof pk) != 0;   /* the app's key, as pairing gets it */
    memset(sk, 0, sizeof sk); /* not secret: no device key in this image */
#else
    crypto_sign_ed25519_keypair(pk, sk);
    custos_bm_set_signing_key(&port, sk);
#endif
    bad |= custos_dev_open(&dev, &port.port, id, ~0ull) != 0;
    bad |= custos_dev_pair(&dev, pk) != 0;
    memset(buf, 0x42, sizeof buf); /* not secret: junk the layer must refuse */
    bad |= custos_dev_apply_update(&dev, buf, 100) == 0;
    bad |= custos_dev_check(&dev, 0, 1) != CUSTOS_DEV_ENOCONSENT;
    bad |= custos_dev_encode_compact(&dev, 0, buf, sizeof buf, &len) != 0;
    bad |= custos_dev_encode_report(&dev, buf, sizeof buf, &len) != 0;
    bad |= custos_dev_erase(&dev, buf, sizeof buf, &len) != 0;
    custos_dev_close(&dev);
    custos_bm_close(&port);
    custos_dev_wipe(sk, sizeof sk);
    sh_puts(bad ? "image: FAIL\n" : "image: ok\n");
    return bad;
}
