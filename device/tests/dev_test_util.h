/*
 * dev_test_util.h: a device on the POSIX port in a temporary flash file,
 * paired with a test "app" key, and the app's side of an update (encoded
 * with nanopb, signed with libsodium) for the device's own tests. The
 * cross-checks in tests/crosscheck build their messages with protobuf-c.
 */
#ifndef CUSTOS_DEV_TEST_UTIL_H
#define CUSTOS_DEV_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "custos/v1/sync.pb.h"
#include "custos_dev.h"
#include "custos_dev_posix.h"

#define DT_PAGE 128u
#define DT_DECLARED 0xFFFFFFFFFFFFFFFFull

typedef struct dt_env {
    char path[400];
    custos_posix_port port;
    custos_dev_t dev;
    uint8_t app_pk[32], app_sk[64];
    uint8_t device_id[16];
    uint64_t declared;
    uint32_t page;        /* flash erase page; DT_PAGE unless a test sets it */
} dt_env;

/* A fresh flash file, a device opened on it and paired with a new app key. */
void dt_setup(dt_env *e, const char *tag);
/* The same with flash pages of page bytes. */
void dt_setup_paged(dt_env *e, const char *tag, uint32_t page);
/* Open the port and device again on the same file: a reboot. */
void dt_reboot(dt_env *e);
void dt_teardown(dt_env *e);

/* Write e's flash image (after a test edited it) back to the flash file. */
void dt_flush_image(dt_env *e);

/* An app-signed SignedMessage(ConsentUpdate) for e's device. */
size_t dt_update(const dt_env *e, uint8_t out[CUSTOS_DEV_MESSAGE_MAX], uint32_t counter,
                 const custos_v1_ConsentChange *changes, size_t n);
/* Wrap body bytes in a SignedMessage signed with sk. */
size_t dt_envelope(const uint8_t sk[64], uint32_t body_type, const uint8_t *body,
                   size_t len, uint8_t out[CUSTOS_DEV_MESSAGE_MAX]);
custos_v1_ConsentChange dt_change(unsigned subject, unsigned purpose,
                                  custos_v1_ConsentStatus status, uint64_t valid_until);

#endif
