#include <stdarg.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "xc_app.h"

void xc_update_init(xc_update *u, const uint8_t device_id[16], uint32_t counter)
{
    memset(u, 0, sizeof *u);
    custos__v1__consent_update__init(&u->msg);
    u->msg.body_type = CUSTOS__V1__BODY_TYPE__BODY_CONSENT_UPDATE;
    memcpy(u->device_id, device_id, 16);
    u->msg.device_id.data = u->device_id;
    u->msg.device_id.len = 16;
    u->msg.counter = counter;
    memset(u->manifest_id, 0x5A, sizeof u->manifest_id);
    u->msg.manifest_id.data = u->manifest_id;
    u->msg.manifest_id.len = 32;
    u->msg.policy_version = 2;
    u->msg.has_time = 1;
    u->msg.time = 1760000000u;
    u->msg.changes = u->change_ptr;
}

void xc_update_add(xc_update *u, uint32_t subject, uint32_t purpose, int status,
                   uint64_t valid_until)
{
    assert_true(u->msg.n_changes < XC_MAX_CHANGES);
    Custos__V1__ConsentChange *c = &u->change[u->msg.n_changes];
    custos__v1__consent_change__init(c);
    c->subject = subject;
    c->purpose = purpose;
    c->status = (Custos__V1__ConsentStatus)status;
    c->has_valid_until = valid_until != 0;
    c->valid_until = valid_until;
    u->change_ptr[u->msg.n_changes++] = c;
}

size_t xc_update_pack(const xc_update *u, uint8_t *out, size_t cap)
{
    size_t n = custos__v1__consent_update__get_packed_size(&u->msg);
    assert_true(n <= cap);
    return custos__v1__consent_update__pack(&u->msg, out);
}

size_t xc_envelope(const uint8_t sk[64], int body_type, const uint8_t *body, size_t len,
                   uint8_t *out, size_t cap)
{
    Custos__V1__SignedMessage m;
    uint8_t sig[64];
    custos__v1__signed_message__init(&m);
    crypto_sign_detached(sig, NULL, body, len, sk);
    m.body_type = (Custos__V1__BodyType)body_type;
    m.body.data = (uint8_t *)body;
    m.body.len = len;
    m.signer.data = (uint8_t *)sk + 32;
    m.signer.len = 32;
    m.signature.data = sig;
    m.signature.len = 64;
    size_t n = custos__v1__signed_message__get_packed_size(&m);
    assert_true(n <= cap);
    return custos__v1__signed_message__pack(&m, out);
}

size_t xc_signed_update(const xc_update *u, const uint8_t sk[64], uint8_t *out, size_t cap)
{
    uint8_t body[2048];
    size_t n = xc_update_pack(u, body, sizeof body);
    return xc_envelope(sk, CUSTOS__V1__BODY_TYPE__BODY_CONSENT_UPDATE, body, n, out, cap);
}
