/*
 * xc_app.h: the app's side of the cross-checks, built like the core builds
 * it: messages packed by protobuf-c (schemas' generated code, target
 * custos_proto_c), signed with libsodium. Nothing here uses nanopb, so a
 * message that passes through the device was made by the other
 * implementation.
 */
#ifndef CUSTOS_XC_APP_H
#define CUSTOS_XC_APP_H

#include <stddef.h>
#include <stdint.h>

#include "custos/v1/sync.pb-c.h"

#define XC_MAX_CHANGES 32

/* A ConsentUpdate under construction; the arrays back the pointers. */
typedef struct xc_update {
    Custos__V1__ConsentUpdate msg;
    Custos__V1__ConsentChange change[XC_MAX_CHANGES];
    Custos__V1__ConsentChange *change_ptr[XC_MAX_CHANGES];
    uint8_t device_id[64];
    uint8_t manifest_id[64];
} xc_update;

/* A valid update for device_id with the given counter and no changes. */
void xc_update_init(xc_update *u, const uint8_t device_id[16], uint32_t counter);
/* Append a change. */
void xc_update_add(xc_update *u, uint32_t subject, uint32_t purpose, int status,
                   uint64_t valid_until);
/* Pack the body with protobuf-c. */
size_t xc_update_pack(const xc_update *u, uint8_t *out, size_t cap);

/* A SignedMessage (protobuf-c) over body, signed by sk, signer = sk's
 * public key. */
size_t xc_envelope(const uint8_t sk[64], int body_type, const uint8_t *body, size_t len,
                   uint8_t *out, size_t cap);

/* xc_update_pack + xc_envelope. */
size_t xc_signed_update(const xc_update *u, const uint8_t sk[64], uint8_t *out, size_t cap);

#endif
