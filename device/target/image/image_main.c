/*
 * image_main.c: the whole consent-and-erase firmware image the footprint
 * report counts (device/FOOTPRINT.md): every public function of the layer
 * on the bare-metal port with its real crypto (libsodium) and flash, plus
 * startup. It runs under QEMU too: it opens, pairs with a key made from the
 * emulator's seed, refuses an update it cannot verify, encodes, erases.
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
    crypto_sign_ed25519_keypair(pk, sk);
    bad |= custos_bm_open(&port, flash, PAGE) != 0;
    custos_bm_set_signing_key(&port, sk);
    bad |= custos_dev_open(&dev, &port.port, id, ~0ull) != 0;
    bad |= custos_dev_pair(&dev, pk) != 0;
    memset(buf, 0x42, sizeof buf);
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
