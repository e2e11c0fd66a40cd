/*
 * custos_dev_baremetal.h: the device port for bare-metal Cortex-M, as run on
 * the emulated boards of device/target (docs/firmware-guide.md takes it as
 * the worked example of a port).
 *
 * Flash: a region of the board's memory that the caller places (a linker
 * section that startup code neither clears nor copies, so it keeps its
 * bytes across a reset). It behaves like NOR flash exactly as the POSIX
 * port's file does: program only clears bits (a 0 programmed back to 1 is an
 * error), erase sets one page to 0xFF, and power can be cut at any program
 * or erase step k, leaving that step half done and failing every later
 * flash call until the port is opened again (a reboot). The region holds
 * the two slots and, after them, one key page: the storage key lives there
 * (created on first use from the RNG) and key_destroy erases that page and
 * reads it back blank. The key page is outside the cut model: power cuts
 * are counted and injected only on the slots' program and erase steps.
 *
 * Crypto: libsodium (Debian's source package, built for Cortex-M):
 * XChaCha20-Poly1305, Ed25519. RNG: the seam custos_bm_random(); this port's
 * implementation is a seeded deterministic generator (ChaCha20, the key
 * replaced after every request), which is right for an emulator and WRONG
 * for a product: a real board replaces custos_dev_baremetal_rng.c by its
 * TRNG (docs/firmware-guide.md).
 */
#ifndef CUSTOS_DEV_BAREMETAL_H
#define CUSTOS_DEV_BAREMETAL_H

#include <stddef.h>
#include <stdint.h>

#include "custos_dev_port.h"

/* Bytes of board memory the port needs: two slots and the key page. */
#define CUSTOS_BM_REGION_SIZE(page) (2u * CUSTOS_DEV_SLOT_SIZE + (page))

typedef struct custos_bm_port {
    custos_dev_port port;      /* give &p->port to custos_dev_open() */
    uint8_t *flash;            /* CUSTOS_BM_REGION_SIZE(page) bytes */
    uint32_t size;             /* slots only: 2 * CUSTOS_DEV_SLOT_SIZE */
    uint8_t sign_sk[64];
    long steps;                /* program and erase calls since open */
    long cut_at;               /* step that loses power; -1: never */
    int powered;
    uint64_t clock;
} custos_bm_port;

/* Open the port on flash (CUSTOS_BM_REGION_SIZE(page_size) bytes, kept as
 * they are: a region never written is expected to read 0xFF, see
 * custos_bm_format). 0, or -1 for a NULL flash or a page size that does not
 * divide CUSTOS_DEV_SLOT_SIZE or is below 16 bytes. */
int custos_bm_open(custos_bm_port *p, uint8_t *flash, uint32_t page_size);
/* Wipe the port (its copy of the signing key); the flash stays. */
void custos_bm_close(custos_bm_port *p);
/* Factory-blank a region: every byte 0xFF (slots and key page). */
void custos_bm_format(uint8_t *flash, uint32_t page_size);

/* Lose power during step k (0-based); -1 never. */
void custos_bm_cut_at(custos_bm_port *p, long k);
long custos_bm_steps(const custos_bm_port *p);
/* A device identity key (libsodium's 64-byte secret key): reports and
 * receipts are then signed. */
void custos_bm_set_signing_key(custos_bm_port *p, const uint8_t sk[64]);
/* Wall time the port reports (seconds since the epoch; 0 = unknown). A
 * board would read its RTC; the emulated boards have none that is set. */
void custos_bm_set_clock(custos_bm_port *p, uint64_t now);

/* The RNG seam (custos_dev_baremetal_rng.c on the emulator, a TRNG driver
 * on a product). custos_bm_random fills buf; 0 or -1. */
int custos_bm_random(uint8_t *buf, size_t len);
/* Emulator only: seed the deterministic generator (a run is reproducible
 * from its seed; the suite prints it). */
void custos_bm_rng_seed(const uint8_t seed[32]);

#endif
