/*
 * custos_dev_posix.h: the device port for POSIX hosts, which runs the
 * device layer's tests and the smart-camera example.
 *
 * Flash is a file that behaves like NOR flash: program can only clear bits
 * (programming a 0 bit back to 1 is reported as an error, which catches a
 * missing erase), erase sets one page to 0xFF. Power can be cut at any
 * program or erase step k: that step is left half done (a partially
 * programmed or partially erased page, one byte with only some of its bits
 * changed) and every later flash call fails until the port is reopened,
 * which is what a reboot looks like. Crypto is libsodium: XChaCha20-Poly1305
 * under a storage key kept in "<flash>.key", Ed25519, randombytes.
 *
 * Host only: it uses files and libsodium; it is not part of the footprint.
 */
#ifndef CUSTOS_DEV_POSIX_H
#define CUSTOS_DEV_POSIX_H

#include <stdint.h>

#include "custos_dev_port.h"

#define CUSTOS_POSIX_FLASH_MAX 8192
#define CUSTOS_POSIX_PATH_MAX 512

typedef struct custos_posix_port {
    custos_dev_port port;      /* give &p->port to custos_dev_open() */
    int fd;
    uint32_t size;
    uint8_t image[CUSTOS_POSIX_FLASH_MAX];
    char key_path[CUSTOS_POSIX_PATH_MAX];
    uint8_t sign_sk[64];
    long steps;                /* program and erase calls since open */
    long cut_at;               /* step that loses power; -1: never */
    int powered;
    int clock_fixed;
    uint64_t clock;
} custos_posix_port;

/* Open (creating, erased) the flash file of 2 * CUSTOS_DEV_SLOT_SIZE bytes
 * with pages of page_size. 0 or -1. */
int custos_posix_open(custos_posix_port *p, const char *flash_path, uint32_t page_size);
void custos_posix_close(custos_posix_port *p);

/* Lose power during step k (0-based count of program and erase calls since
 * open); -1 never. */
void custos_posix_cut_at(custos_posix_port *p, long k);
long custos_posix_steps(const custos_posix_port *p);

/* Give the port a device identity key (libsodium's 64-byte secret key), so
 * that reports and receipts are signed; without it they are not. */
void custos_posix_set_signing_key(custos_posix_port *p, const uint8_t sk[64]);

/* Fix the clock (seconds since the epoch; 0 = unknown), for tests. */
void custos_posix_set_clock(custos_posix_port *p, uint64_t now);

#endif
