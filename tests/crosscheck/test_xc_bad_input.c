/*
 * Bad input from the app side (messages packed by protobuf-c, which has no
 * nanopb limits): each is rejected with its own error code, and neither the
 * state in RAM nor a byte of flash changes.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "dev_test_util.h"
#include "xc_app.h"

#define GIVEN CUSTOS__V1__CONSENT_STATUS__CONSENT_GIVEN
#define BUF 4096

typedef struct bad_env {
    dt_env e;
    custos_dev_state st;
    uint8_t image[CUSTOS_POSIX_FLASH_MAX];
} bad_env;

/* A device paired and with one applied update (counter 10). */
static int setup(void **state)
{
    static bad_env b;
    uint8_t msg[BUF];
    xc_update u;
    dt_setup(&b.e, "bad");
    xc_update_init(&u, b.e.device_id, 10);
    xc_update_add(&u, 0, 1, GIVEN, 0);
    size_t n = xc_signed_update(&u, b.e.app_sk, msg, sizeof msg);
    assert_int_equal(custos_dev_apply_update(&b.e.dev, msg, n), 0);
    memcpy(&b.st, &b.e.dev.st, sizeof b.st);
    memcpy(b.image, b.e.port.image, sizeof b.image);
    *state = &b;
    return 0;
}

static int teardown(void **state)
{
    bad_env *b = *state;
    dt_teardown(&b->e);
    return 0;
}

static void expect_rejected(bad_env *b, const uint8_t *msg, size_t n, int code)
{
    assert_int_equal(custos_dev_apply_update(&b->e.dev, msg, n), code);
    assert_memory_equal(&b->e.dev.st, &b->st, sizeof b->st);
    assert_memory_equal(b->e.port.image, b->image, sizeof b->image);
    assert_int_equal(custos_dev_check(&b->e.dev, 0, 1), 0);
}

static void fresh(bad_env *b, xc_update *u)
{
    xc_update_init(u, b->e.device_id, 11);
    xc_update_add(u, 0, 2, GIVEN, 0);
}

static void test_oversize_body_is_etoobig(void **state)
{
    bad_env *b = *state;
    uint8_t body[401], msg[BUF];
    memset(body, 0, sizeof body);
    size_t n = xc_envelope(b->e.app_sk, 1, body, sizeof body, msg, sizeof msg);
    expect_rejected(b, msg, n, CUSTOS_DEV_ETOOBIG);
}

static void test_oversize_message_is_etoobig(void **state)
{
    bad_env *b = *state;
    uint8_t msg[CUSTOS_DEV_MESSAGE_MAX + 1];
    memset(msg, 0, sizeof msg);
    expect_rejected(b, msg, sizeof msg, CUSTOS_DEV_ETOOBIG);
}

static void test_oversize_device_id_is_etoobig(void **state)
{
    bad_env *b = *state;
    uint8_t msg[BUF];
    xc_update u;
    fresh(b, &u);
    u.msg.device_id.len = 17;
    expect_rejected(b, msg, xc_signed_update(&u, b->e.app_sk, msg, sizeof msg),
                    CUSTOS_DEV_ETOOBIG);
}

static void test_oversize_manifest_id_is_etoobig(void **state)
{
    bad_env *b = *state;
    uint8_t msg[BUF];
    xc_update u;
    fresh(b, &u);
    u.msg.manifest_id.len = 33;
    expect_rejected(b, msg, xc_signed_update(&u, b->e.app_sk, msg, sizeof msg),
                    CUSTOS_DEV_ETOOBIG);
}

static void test_seventeen_changes_are_etoobig(void **state)
{
    bad_env *b = *state;
    uint8_t msg[BUF];
    xc_update u;
    xc_update_init(&u, b->e.device_id, 11);
    u.msg.has_time = 0;
    for (unsigned i = 0; i < 17; i++)
        xc_update_add(&u, 0, i, GIVEN, 0);
    expect_rejected(b, msg, xc_signed_update(&u, b->e.app_sk, msg, sizeof msg),
                    CUSTOS_DEV_ETOOBIG);
}

static void test_oversize_signature_is_etoobig(void **state)
{
    bad_env *b = *state;
    uint8_t msg[BUF], body[BUF], sig[65];
    xc_update u;
    Custos__V1__SignedMessage m;
    fresh(b, &u);
    size_t blen = xc_update_pack(&u, body, sizeof body);
    custos__v1__signed_message__init(&m);
    crypto_sign_detached(sig, NULL, body, blen, b->e.app_sk);
    sig[64] = 0;
    m.body_type = CUSTOS__V1__BODY_TYPE__BODY_CONSENT_UPDATE;
    m.body.data = body;
    m.body.len = blen;
    m.signer.data = b->e.app_pk;
    m.signer.len = 32;
    m.signature.data = sig;
    m.signature.len = 65;
    expect_rejected(b, msg, custos__v1__signed_message__pack(&m, msg), CUSTOS_DEV_ETOOBIG);
    m.signature.len = 63;
    expect_rejected(b, msg, custos__v1__signed_message__pack(&m, msg), CUSTOS_DEV_EDECODE);
}

static void test_unknown_purpose_ids_are_epurpose(void **state)
{
    bad_env *b = *state;
    uint8_t msg[BUF];
    static const uint32_t bad[] = { 64, 255, 300, 0xFFFFFFFFu };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        xc_update u;
        fresh(b, &u);
        xc_update_add(&u, 1, bad[i], GIVEN, 0);
        expect_rejected(b, msg, xc_signed_update(&u, b->e.app_sk, msg, sizeof msg),
                        CUSTOS_DEV_EPURPOSE);
    }
}

static void test_undeclared_purpose_is_epurpose(void **state)
{
    bad_env *b = *state;
    uint8_t msg[BUF];
    xc_update u;
    b->e.dev.declared = ~((uint64_t)1 << 40);
    fresh(b, &u);
    xc_update_add(&u, 1, 40, GIVEN, 0);
    expect_rejected(b, msg, xc_signed_update(&u, b->e.app_sk, msg, sizeof msg),
                    CUSTOS_DEV_EPURPOSE);
    b->e.dev.declared = DT_DECLARED;
}

static void test_unknown_subject_is_esubject(void **state)
{
    bad_env *b = *state;
    uint8_t msg[BUF];
    xc_update u;
    fresh(b, &u);
    xc_update_add(&u, CUSTOS_DEV_MAX_SUBJECTS, 1, GIVEN, 0);
    expect_rejected(b, msg, xc_signed_update(&u, b->e.app_sk, msg, sizeof msg),
                    CUSTOS_DEV_ESUBJECT);
}

static void test_unknown_status_is_estatus(void **state)
{
    bad_env *b = *state;
    uint8_t msg[BUF];
    xc_update u;
    fresh(b, &u);
    xc_update_add(&u, 0, 3, 42, 0);
    expect_rejected(b, msg, xc_signed_update(&u, b->e.app_sk, msg, sizeof msg),
                    CUSTOS_DEV_ESTATUS);
}

static void test_tampered_body_is_esignature(void **state)
{
    bad_env *b = *state;
    uint8_t msg[BUF];
    xc_update u;
    fresh(b, &u);
    size_t n = xc_signed_update(&u, b->e.app_sk, msg, sizeof msg);
    for (size_t i = 0; i < n; i++) {
        /* Flip one bit of each body byte in turn (the body starts at byte 4:
         * 08 01 12 <len>). */
        if (i < 4 || i >= 4 + (size_t)msg[3])
            continue;
        msg[i] ^= 0x20;
        expect_rejected(b, msg, n, CUSTOS_DEV_ESIGNATURE);
        msg[i] ^= 0x20;
    }
}

static void test_wrong_key_claiming_app_signer_is_esignature(void **state)
{
    bad_env *b = *state;
    uint8_t msg[BUF], pk[32], sk[64];
    xc_update u;
    crypto_sign_keypair(pk, sk);
    memcpy(sk + 32, b->e.app_pk, 32);   /* signer field says: the paired app */
    fresh(b, &u);
    expect_rejected(b, msg, xc_signed_update(&u, sk, msg, sizeof msg), CUSTOS_DEV_ESIGNATURE);
}

static void test_other_signer_is_esigner(void **state)
{
    bad_env *b = *state;
    uint8_t msg[BUF], pk[32], sk[64];
    xc_update u;
    crypto_sign_keypair(pk, sk);
    fresh(b, &u);
    expect_rejected(b, msg, xc_signed_update(&u, sk, msg, sizeof msg), CUSTOS_DEV_ESIGNER);
}

static void test_replay_and_older_counter_are_ereplay(void **state)
{
    bad_env *b = *state;
    uint8_t msg[BUF];
    xc_update u;
    xc_update_init(&u, b->e.device_id, 10);
    xc_update_add(&u, 0, 5, GIVEN, 0);
    expect_rejected(b, msg, xc_signed_update(&u, b->e.app_sk, msg, sizeof msg),
                    CUSTOS_DEV_EREPLAY);
    u.msg.counter = 3;
    expect_rejected(b, msg, xc_signed_update(&u, b->e.app_sk, msg, sizeof msg),
                    CUSTOS_DEV_EREPLAY);
}

static void test_every_truncation_is_edecode(void **state)
{
    bad_env *b = *state;
    uint8_t msg[BUF];
    xc_update u;
    fresh(b, &u);
    size_t n = xc_signed_update(&u, b->e.app_sk, msg, sizeof msg);
    for (size_t len = 0; len < n; len++)
        expect_rejected(b, msg, len, CUSTOS_DEV_EDECODE);
}

/* A body cut inside its last change, then signed: the signature holds,
 * the body does not parse. */
static void test_signed_body_cut_inside_a_change_is_edecode(void **state)
{
    bad_env *b = *state;
    uint8_t msg[BUF], body[BUF];
    xc_update u;
    fresh(b, &u);
    size_t blen = xc_update_pack(&u, body, sizeof body);
    for (size_t cut = 1; cut <= 3; cut++) {
        size_t n = xc_envelope(b->e.app_sk, 1, body, blen - cut, msg, sizeof msg);
        expect_rejected(b, msg, n, CUSTOS_DEV_EDECODE);
    }
}

static void test_other_device_id_is_edevice(void **state)
{
    bad_env *b = *state;
    uint8_t msg[BUF], other[16];
    xc_update u;
    memcpy(other, b->e.device_id, 16);
    other[15] ^= 1;
    xc_update_init(&u, other, 11);
    xc_update_add(&u, 0, 2, GIVEN, 0);
    expect_rejected(b, msg, xc_signed_update(&u, b->e.app_sk, msg, sizeof msg),
                    CUSTOS_DEV_EDEVICE);
}

static void test_body_type_mismatch_is_etype(void **state)
{
    bad_env *b = *state;
    uint8_t msg[BUF], body[BUF];
    xc_update u;
    fresh(b, &u);
    size_t blen = xc_update_pack(&u, body, sizeof body);
    size_t n = xc_envelope(b->e.app_sk, CUSTOS__V1__BODY_TYPE__BODY_CONSENT_STATE, body, blen,
                           msg, sizeof msg);
    expect_rejected(b, msg, n, CUSTOS_DEV_ETYPE);
    u.msg.body_type = CUSTOS__V1__BODY_TYPE__BODY_ERASE_REQUEST;
    expect_rejected(b, msg, xc_signed_update(&u, b->e.app_sk, msg, sizeof msg),
                    CUSTOS_DEV_ETYPE);
}

static void test_duplicate_envelope_field_is_edecode(void **state)
{
    bad_env *b = *state;
    uint8_t msg[BUF];
    xc_update u;
    fresh(b, &u);
    size_t n = xc_signed_update(&u, b->e.app_sk, msg, sizeof msg);
    /* Append a second signature field (22 40 <64 bytes>). */
    memmove(msg + n, msg + n - 66, 66);
    expect_rejected(b, msg, n + 66, CUSTOS_DEV_EDECODE);
}

static void test_missing_required_counter_is_edecode(void **state)
{
    bad_env *b = *state;
    /* A body without field 3 (counter), signed: 08 01 12 10 <16 id> 22 20 <32>. */
    uint8_t body[2 + 18 + 34 + 2], msg[BUF];
    size_t k = 0;
    body[k++] = 0x08; body[k++] = 0x01;
    body[k++] = 0x12; body[k++] = 16;
    memcpy(body + k, b->e.device_id, 16); k += 16;
    body[k++] = 0x22; body[k++] = 32;
    memset(body + k, 1, 32); k += 32;
    body[k++] = 0x28; body[k++] = 0x01;
    size_t n = xc_envelope(b->e.app_sk, 1, body, k, msg, sizeof msg);
    expect_rejected(b, msg, n, CUSTOS_DEV_EDECODE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_oversize_body_is_etoobig, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversize_message_is_etoobig, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversize_device_id_is_etoobig, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversize_manifest_id_is_etoobig, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seventeen_changes_are_etoobig, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversize_signature_is_etoobig, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_purpose_ids_are_epurpose, setup, teardown),
        cmocka_unit_test_setup_teardown(test_undeclared_purpose_is_epurpose, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_subject_is_esubject, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_status_is_estatus, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tampered_body_is_esignature, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_key_claiming_app_signer_is_esignature, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_signer_is_esigner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replay_and_older_counter_are_ereplay, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_truncation_is_edecode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signed_body_cut_inside_a_change_is_edecode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_device_id_is_edevice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_body_type_mismatch_is_etype, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_envelope_field_is_edecode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_required_counter_is_edecode, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
