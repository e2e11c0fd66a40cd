/*
 * Wire compatibility both ways. Messages the core's code packs (protobuf-c)
 * decode on the device (nanopb), and the device's messages decode in the
 * core; where the format allows, re-encoding by the other side gives the
 * same bytes. Core-made vectors from ${PROJECT_BINARY_DIR}/vectors (the
 * consent engineer's generator) are checked as well when present.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pb_decode.h>
#include <pb_encode.h>
#include <sodium.h>

#include "dev_test_util.h"
#include "xc_app.h"

#define GIVEN CUSTOS__V1__CONSENT_STATUS__CONSENT_GIVEN
#define REFUSED CUSTOS__V1__CONSENT_STATUS__CONSENT_REFUSED

static void test_core_made_update_applies_on_device(void **state)
{
    (void)state;
    dt_env e;
    uint8_t msg[2048];
    xc_update u;
    dt_setup(&e, "xcupd");
    xc_update_init(&u, e.device_id, 1);
    xc_update_add(&u, 0, 0, GIVEN, 0);
    xc_update_add(&u, 1, 63, GIVEN, 4000000000u);
    xc_update_add(&u, 3, 17, REFUSED, 0);
    size_t n = xc_signed_update(&u, e.app_sk, msg, sizeof msg);
    custos_posix_set_clock(&e.port, 1760000000u);
    assert_int_equal(custos_dev_apply_update(&e.dev, msg, n), 0);
    assert_int_equal(custos_dev_check(&e.dev, 0, 0), 0);
    assert_int_equal(custos_dev_check(&e.dev, 1, 63), 0);
    assert_int_equal(custos_dev_check(&e.dev, 3, 17), CUSTOS_DEV_EDENIED);
    assert_int_equal(e.dev.st.policy_version, 2);
    assert_int_equal(e.dev.st.timed[0].until, 4000000000u);
    dt_teardown(&e);
}

static void test_core_update_reencodes_identically_with_nanopb(void **state)
{
    (void)state;
    uint8_t id[16], body[1024], again[1024];
    xc_update u;
    custos_v1_ConsentUpdate d = custos_v1_ConsentUpdate_init_zero;
    memset(id, 7, sizeof id);
    xc_update_init(&u, id, 0xFFFFFFFFu);
    for (unsigned i = 0; i < 16; i++)
        xc_update_add(&u, i % 4, i * 4, i % 2 ? GIVEN : REFUSED, i ? 1700000000u + i : 0);
    size_t n = xc_update_pack(&u, body, sizeof body);
    pb_istream_t is = pb_istream_from_buffer(body, n);
    assert_true(pb_decode(&is, custos_v1_ConsentUpdate_fields, &d));
    assert_int_equal(d.changes_count, 16);
    assert_int_equal(d.counter, 0xFFFFFFFFu);
    pb_ostream_t os = pb_ostream_from_buffer(again, sizeof again);
    assert_true(pb_encode(&os, custos_v1_ConsentUpdate_fields, &d));
    assert_int_equal(os.bytes_written, n);
    assert_memory_equal(again, body, n);
}

static void test_core_compact_state_decodes_and_reencodes_on_device(void **state)
{
    (void)state;
    Custos__V1__CompactConsentState c;
    uint8_t buf[64], again[64];
    custos_v1_CompactConsentState d = custos_v1_CompactConsentState_init_zero;
    custos__v1__compact_consent_state__init(&c);
    c.subject = 3;
    c.given = 0x8000000000000001ull;
    c.has_decided = 1;
    c.decided = 0xF000000000000003ull;
    c.policy_version = 9;
    c.has_counter = 1;
    c.counter = 77;
    size_t n = custos__v1__compact_consent_state__pack(&c, buf);
    pb_istream_t is = pb_istream_from_buffer(buf, n);
    assert_true(pb_decode(&is, custos_v1_CompactConsentState_fields, &d));
    assert_true(d.given == c.given && d.decided == c.decided);
    pb_ostream_t os = pb_ostream_from_buffer(again, sizeof again);
    assert_true(pb_encode(&os, custos_v1_CompactConsentState_fields, &d));
    assert_int_equal(os.bytes_written, n);
    assert_memory_equal(again, buf, n);
}

/* A device with consents, signing with a device key. */
static void device_with_state(dt_env *e, uint8_t dev_pk[32])
{
    uint8_t msg[2048], dev_sk[64];
    xc_update u;
    dt_setup(e, "xcrep");
    crypto_sign_keypair(dev_pk, dev_sk);
    custos_posix_set_signing_key(&e->port, dev_sk);
    xc_update_init(&u, e->device_id, 41);
    xc_update_add(&u, 0, 5, GIVEN, 0);
    xc_update_add(&u, 3, 63, GIVEN, 0);
    xc_update_add(&u, 2, 7, REFUSED, 0);
    size_t n = xc_signed_update(&u, e->app_sk, msg, sizeof msg);
    assert_int_equal(custos_dev_apply_update(&e->dev, msg, n), 0);
}

/* Unpack a device envelope in the core, check its signature, and check
 * protobuf-c packs the same bytes again. Returns the envelope. */
static Custos__V1__SignedMessage *core_open(const uint8_t *out, size_t len,
                                            const uint8_t pk[32], int body_type)
{
    uint8_t again[1024];
    Custos__V1__SignedMessage *m = custos__v1__signed_message__unpack(NULL, len, out);
    assert_non_null(m);
    assert_int_equal(m->body_type, body_type);
    assert_int_equal(m->signer.len, 32);
    assert_memory_equal(m->signer.data, pk, 32);
    assert_int_equal(crypto_sign_verify_detached(m->signature.data, m->body.data,
                                                 m->body.len, pk), 0);
    assert_int_equal(custos__v1__signed_message__pack(m, again), len);
    assert_memory_equal(again, out, len);
    return m;
}

static void test_device_report_decodes_in_core_and_repacks_identically(void **state)
{
    (void)state;
    dt_env e;
    uint8_t out[CUSTOS_DEV_MESSAGE_MAX], pk[32], again[1024];
    size_t len;
    device_with_state(&e, pk);
    assert_int_equal(custos_dev_encode_report(&e.dev, out, sizeof out, &len), 0);
    Custos__V1__SignedMessage *m = core_open(out, len, pk,
                                             CUSTOS__V1__BODY_TYPE__BODY_CONSENT_STATE);
    Custos__V1__ConsentStateReport *r =
        custos__v1__consent_state_report__unpack(NULL, m->body.len, m->body.data);
    assert_non_null(r);
    assert_int_equal(r->body_type, CUSTOS__V1__BODY_TYPE__BODY_CONSENT_STATE);
    assert_memory_equal(r->device_id.data, e.device_id, 16);
    assert_int_equal(r->counter, 41);
    assert_int_equal(r->n_states, CUSTOS_DEV_MAX_SUBJECTS);
    assert_true(r->states[0]->given == (uint64_t)1 << 5);
    assert_true(r->states[3]->given == (uint64_t)1 << 63);
    assert_true(r->states[2]->given == 0 && r->states[2]->decided == (uint64_t)1 << 7);
    assert_int_equal(r->states[1]->policy_version, 2);
    assert_int_equal(custos__v1__consent_state_report__pack(r, again), m->body.len);
    assert_memory_equal(again, m->body.data, m->body.len);
    custos__v1__consent_state_report__free_unpacked(r, NULL);
    custos__v1__signed_message__free_unpacked(m, NULL);
    dt_teardown(&e);
}

static void test_device_receipt_decodes_in_core_and_repacks_identically(void **state)
{
    (void)state;
    dt_env e;
    uint8_t out[CUSTOS_DEV_MESSAGE_MAX], pk[32], again[1024];
    size_t len;
    device_with_state(&e, pk);
    custos_posix_set_clock(&e.port, 1765432100u);
    assert_int_equal(custos_dev_erase(&e.dev, out, sizeof out, &len), 0);
    Custos__V1__SignedMessage *m = core_open(out, len, pk,
                                             CUSTOS__V1__BODY_TYPE__BODY_DELETION_RECEIPT);
    Custos__V1__DeletionReceipt *d =
        custos__v1__deletion_receipt__unpack(NULL, m->body.len, m->body.data);
    assert_non_null(d);
    assert_int_equal(d->scope, CUSTOS__V1__ERASE_SCOPE__ERASE_FACTORY_RESET);
    assert_int_equal(d->method, CUSTOS__V1__ERASE_METHOD__ERASE_METHOD_CRYPTO_THEN_REMOVE);
    assert_true(d->verified);
    assert_int_equal(d->receipt_id.len, 16);
    assert_int_equal(d->n_storage, 2);
    assert_true(d->time == 1765432100u);
    assert_int_equal(custos__v1__deletion_receipt__pack(d, again), m->body.len);
    assert_memory_equal(again, m->body.data, m->body.len);
    custos__v1__deletion_receipt__free_unpacked(d, NULL);
    custos__v1__signed_message__free_unpacked(m, NULL);
    dt_teardown(&e);
}

static void test_device_compact_state_decodes_in_core(void **state)
{
    (void)state;
    dt_env e;
    uint8_t out[64], pk[32], again[64];
    size_t len;
    device_with_state(&e, pk);
    assert_int_equal(custos_dev_encode_compact(&e.dev, 3, out, sizeof out, &len), 0);
    Custos__V1__CompactConsentState *c =
        custos__v1__compact_consent_state__unpack(NULL, len, out);
    assert_non_null(c);
    assert_int_equal(c->subject, 3);
    assert_true(c->given == (uint64_t)1 << 63);
    assert_int_equal(c->counter, 41);
    assert_int_equal(custos__v1__compact_consent_state__pack(c, again), len);
    assert_memory_equal(again, out, len);
    custos__v1__compact_consent_state__free_unpacked(c, NULL);
    dt_teardown(&e);
}

/* Vectors written by the core's generator, if it has run: every file that
 * is a SignedMessage must split on the device, and every body of a type the
 * device reads must decode with nanopb and re-encode to the same bytes. */
static void test_core_vectors_decode_on_device(void **state)
{
    (void)state;
    char list[600], line[512], path[1200];
    unsigned checked = 0;
    snprintf(list, sizeof list, "%s/vectors/vectors.txt", CUSTOS_BINARY_DIR);
    FILE *f = fopen(list, "r");
    if (f == NULL) {
        printf("no core vectors at %s yet: checked against protobuf-c directly\n", list);
        return;
    }
    while (fgets(line, sizeof line, f) != NULL) {
        char name[512];
        if (sscanf(line, "%511s", name) != 1 || name[0] == '#')
            continue;
        snprintf(path, sizeof path, "%s/vectors/%s", CUSTOS_BINARY_DIR, name);
        FILE *v = fopen(path, "rb");
        if (v == NULL)
            continue;
        uint8_t buf[4096], again[4096];
        size_t n = fread(buf, 1, sizeof buf, v);
        fclose(v);
        custos_v1_SignedMessage m = custos_v1_SignedMessage_init_zero;
        pb_istream_t is = pb_istream_from_buffer(buf, n);
        if (n > CUSTOS_DEV_MESSAGE_MAX || !pb_decode(&is, custos_v1_SignedMessage_fields, &m))
            continue;     /* not an envelope the device reads */
        const pb_msgdesc_t *desc = NULL;
        union { custos_v1_ConsentUpdate u; custos_v1_ConsentStateReport r;
                custos_v1_DeletionReceipt d; } body;
        memset(&body, 0, sizeof body);
        if (m.body_type == custos_v1_BodyType_BODY_CONSENT_UPDATE)
            desc = custos_v1_ConsentUpdate_fields;
        else if (m.body_type == custos_v1_BodyType_BODY_CONSENT_STATE)
            desc = custos_v1_ConsentStateReport_fields;
        else if (m.body_type == custos_v1_BodyType_BODY_DELETION_RECEIPT)
            desc = custos_v1_DeletionReceipt_fields;
        if (desc == NULL)
            continue;
        is = pb_istream_from_buffer(m.body.bytes, m.body.size);
        assert_true(pb_decode(&is, desc, &body));
        pb_ostream_t os = pb_ostream_from_buffer(again, sizeof again);
        assert_true(pb_encode(&os, desc, &body));
        assert_int_equal(os.bytes_written, m.body.size);
        assert_memory_equal(again, m.body.bytes, m.body.size);
        checked++;
    }
    fclose(f);
    printf("core vectors checked on the device: %u\n", checked);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_core_made_update_applies_on_device),
        cmocka_unit_test(test_core_update_reencodes_identically_with_nanopb),
        cmocka_unit_test(test_core_compact_state_decodes_and_reencodes_on_device),
        cmocka_unit_test(test_device_report_decodes_in_core_and_repacks_identically),
        cmocka_unit_test(test_device_receipt_decodes_in_core_and_repacks_identically),
        cmocka_unit_test(test_device_compact_state_decodes_in_core),
        cmocka_unit_test(test_core_vectors_decode_on_device),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
