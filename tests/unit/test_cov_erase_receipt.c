/*
 * Deletion receipts and erase requests that are signed correctly but whose
 * body is malformed (wrong lengths, wrong body type, a signer key in the
 * body other than the envelope's): each is CUSTOS_ECORRUPT, never rendered
 * or accepted. Values from a newer schema render as "unknown". The replay
 * memory of a receiving service keeps the most recent request ids.
 */
#include "harness.h"

#include <custos/erase.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "custos/v1/sync.pb-c.h"

typedef struct signer {
    uint8_t pk[32], sk[64];
} signer;

static signer new_signer(void)
{
    signer s;
    assert_true(sodium_init() >= 0);
    crypto_sign_keypair(s.pk, s.sk);
    return s;
}

/* Wrap body in a SignedMessage of type signed by s; signer_len lets a test
 * send a malformed signer field. Returns the length written into out. */
static size_t envelope(const signer *s, Custos__V1__BodyType type, const uint8_t *body, size_t blen,
                       size_t signer_len, uint8_t *out, size_t cap)
{
    uint8_t sig[64];
    crypto_sign_detached(sig, NULL, body, blen, s->sk);
    Custos__V1__SignedMessage m = CUSTOS__V1__SIGNED_MESSAGE__INIT;
    m.body_type = type;
    m.body = (ProtobufCBinaryData){ blen, (uint8_t *)body };
    m.signer = (ProtobufCBinaryData){ signer_len, (uint8_t *)s->pk };
    m.signature = (ProtobufCBinaryData){ 64, sig };
    size_t n = custos__v1__signed_message__get_packed_size(&m);
    assert_true(n <= cap);
    return custos__v1__signed_message__pack(&m, out);
}

static uint8_t ids[4][32];

static Custos__V1__DeletionReceipt good_receipt(void)
{
    Custos__V1__DeletionReceipt r = CUSTOS__V1__DELETION_RECEIPT__INIT;
    memset(ids, 0x5A, sizeof ids);
    r.body_type = CUSTOS__V1__BODY_TYPE__BODY_DELETION_RECEIPT;
    r.device_id = (ProtobufCBinaryData){ 16, ids[0] };
    r.receipt_id = (ProtobufCBinaryData){ 16, ids[1] };
    r.scope = CUSTOS__V1__ERASE_SCOPE__ERASE_SUBJECT;
    r.method = CUSTOS__V1__ERASE_METHOD__ERASE_METHOD_CRYPTO_THEN_REMOVE;
    return r;
}

static size_t seal_receipt(const signer *s, const Custos__V1__DeletionReceipt *r, uint8_t *out, size_t cap)
{
    uint8_t body[1024];
    assert_true(custos__v1__deletion_receipt__get_packed_size(r) <= sizeof body);
    size_t blen = custos__v1__deletion_receipt__pack(r, body);
    return envelope(s, CUSTOS__V1__BODY_TYPE__BODY_DELETION_RECEIPT, body, blen, 32, out, cap);
}

static void expect_receipt_corrupt(const signer *s, const Custos__V1__DeletionReceipt *r, const char *what)
{
    uint8_t msg[1200];
    char json[2048];
    size_t len = seal_receipt(s, r, msg, sizeof msg), jlen = 77;
    int rc = custos_receipt_json(json, sizeof json, &jlen, msg, len);
    if (rc != CUSTOS_ECORRUPT)
        fail_msg("%s: custos_receipt_json gave %d, expected CUSTOS_ECORRUPT", what, rc);
    rc = custos_receipt_verify(msg, len, s->pk);
    if (rc != CUSTOS_ECORRUPT)
        fail_msg("%s: custos_receipt_verify gave %d, expected CUSTOS_ECORRUPT", what, rc);
}

static void test_signed_receipt_with_malformed_body_is_ecorrupt(void **state)
{
    (void)state;
    signer s = new_signer(), other = new_signer();
    Custos__V1__DeletionReceipt r;

    r = good_receipt();
    r.body_type = CUSTOS__V1__BODY_TYPE__BODY_ERASE_REQUEST;
    expect_receipt_corrupt(&s, &r, "body type of a request");
    r = good_receipt();
    r.device_id.len = 15;
    expect_receipt_corrupt(&s, &r, "15-byte device id");
    r = good_receipt();
    r.receipt_id.len = 17;
    expect_receipt_corrupt(&s, &r, "17-byte receipt id");
    r = good_receipt();
    r.has_subject_hash = 1;
    r.subject_hash = (ProtobufCBinaryData){ 31, ids[2] };
    expect_receipt_corrupt(&s, &r, "31-byte subject hash");
    r = good_receipt();
    r.has_signer_public_key = 1;
    r.signer_public_key = (ProtobufCBinaryData){ 31, s.pk };
    expect_receipt_corrupt(&s, &r, "31-byte signer key");
    r = good_receipt();
    r.has_signer_public_key = 1;
    r.signer_public_key = (ProtobufCBinaryData){ 32, other.pk };
    expect_receipt_corrupt(&s, &r, "signer key in the body is not the envelope's");

    /* The same receipt, well formed, verifies. */
    uint8_t msg[1200];
    r = good_receipt();
    r.has_signer_public_key = 1;
    r.signer_public_key = (ProtobufCBinaryData){ 32, s.pk };
    size_t len = seal_receipt(&s, &r, msg, sizeof msg);
    assert_int_equal(custos_receipt_verify(msg, len, s.pk), CUSTOS_OK);
}

static void test_envelope_with_short_signer_is_ecorrupt(void **state)
{
    (void)state;
    signer s = new_signer();
    Custos__V1__DeletionReceipt r = good_receipt();
    uint8_t body[512], msg[1024];
    char json[1024];
    size_t jlen = 0;
    size_t blen = custos__v1__deletion_receipt__pack(&r, body);
    size_t len = envelope(&s, CUSTOS__V1__BODY_TYPE__BODY_DELETION_RECEIPT, body, blen, 31, msg, sizeof msg);
    assert_int_equal(custos_receipt_json(json, sizeof json, &jlen, msg, len), CUSTOS_ECORRUPT);
    assert_int_equal(custos_receipt_verify(msg, len, s.pk), CUSTOS_ECORRUPT);
    assert_int_equal(custos_receipt_verify(msg, len, NULL), CUSTOS_EINVAL);
}

static void test_values_from_a_newer_schema_render_as_unknown(void **state)
{
    (void)state;
    signer s = new_signer();
    Custos__V1__DeletionReceipt r = good_receipt();
    Custos__V1__StorageKind kinds[2] = { (Custos__V1__StorageKind)9, CUSTOS__V1__STORAGE_KIND__STORAGE_DATABASE };
    ProtobufCBinaryData keys[2] = { { 8, ids[2] }, { 8, ids[3] } };
    r.scope = (Custos__V1__EraseScope)9;
    r.method = (Custos__V1__EraseMethod)9;
    r.n_storage = 2;
    r.storage = kinds;
    r.n_destroyed_key_ids = 2;
    r.destroyed_key_ids = keys;
    r.has_subject_hash = 1;
    r.subject_hash = (ProtobufCBinaryData){ 32, ids[2] };
    r.has_purpose = 1;
    r.purpose = 3;
    uint8_t msg[1200];
    char json[4096];
    size_t len = seal_receipt(&s, &r, msg, sizeof msg), jlen = 0;
    assert_int_equal(custos_receipt_json(json, sizeof json, &jlen, msg, len), CUSTOS_OK);
    static const char *const want[] = {
        "\"scope\":\"unknown\"", "\"method\":\"unknown\"", "\"storage\":[\"unknown\",\"database\"]",
        "\"purpose\":3", "\"destroyed_key_ids\":[\"5a5a5a5a5a5a5a5a\",\"5a5a5a5a5a5a5a5a\"]",
        "\"subject_hash\":\"5a5a", "\"verified\":false",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (strstr(json, want[i]) == NULL)
            fail_msg("missing %s in %s", want[i], json);
}

/* ---- erase requests ---- */

static uint8_t request_ids[16][16];

static size_t seal_request(const signer *s, const Custos__V1__EraseRequest *q, uint8_t *out, size_t cap)
{
    uint8_t body[512];
    size_t blen = custos__v1__erase_request__pack(q, body);
    return envelope(s, CUSTOS__V1__BODY_TYPE__BODY_ERASE_REQUEST, body, blen, 32, out, cap);
}

static Custos__V1__EraseRequest good_request(unsigned k)
{
    Custos__V1__EraseRequest q = CUSTOS__V1__ERASE_REQUEST__INIT;
    memset(request_ids[k], (int)k + 1, 16);
    q.body_type = CUSTOS__V1__BODY_TYPE__BODY_ERASE_REQUEST;
    q.device_id = (ProtobufCBinaryData){ 16, ids[0] };
    q.request_id = (ProtobufCBinaryData){ 16, request_ids[k] };
    q.counter = k + 1;
    q.scope = CUSTOS__V1__ERASE_SCOPE__ERASE_FACTORY_RESET;
    return q;
}

static void test_signed_request_with_malformed_body_is_ecorrupt_and_state_kept(void **state)
{
    (void)state;
    signer s = new_signer();
    custos_erase_replay_state rs, before;
    custos_erase_request_info info;
    uint8_t msg[1024];
    memset(&rs, 0, sizeof rs);
    memcpy(&before, &rs, sizeof rs);
    for (int v = 0; v < 4; v++) {
        Custos__V1__EraseRequest q = good_request(0);
        switch (v) {
        case 0: q.body_type = CUSTOS__V1__BODY_TYPE__BODY_DELETION_RECEIPT; break;
        case 1: q.device_id.len = 15; break;
        case 2: q.request_id.len = 8; break;
        default:
            q.has_subject_hash = 1;
            q.subject_hash = (ProtobufCBinaryData){ 16, ids[2] };
            break;
        }
        size_t len = seal_request(&s, &q, msg, sizeof msg);
        assert_int_equal(custos_erase_request_accept(&info, &rs, msg, len, s.pk), CUSTOS_ECORRUPT);
        assert_memory_equal(&rs, &before, sizeof rs);
    }
}

static void test_replay_memory_keeps_the_most_recent_request_ids(void **state)
{
    (void)state;
    signer s = new_signer();
    custos_erase_replay_state rs;
    custos_erase_request_info info;
    uint8_t msg[1024];
    memset(&rs, 0, sizeof rs);
    for (unsigned k = 0; k < CUSTOS_ERASE_REPLAY_IDS + 2; k++) {
        Custos__V1__EraseRequest q = good_request(k);
        size_t len = seal_request(&s, &q, msg, sizeof msg);
        assert_int_equal(custos_erase_request_accept(&info, &rs, msg, len, s.pk), CUSTOS_OK);
        assert_int_equal(info.counter, k + 1);
        assert_int_equal(info.has_subject_hash, 0);
    }
    assert_int_equal(rs.n_ids, CUSTOS_ERASE_REPLAY_IDS);
    assert_int_equal(rs.last_counter, CUSTOS_ERASE_REPLAY_IDS + 2);
    /* The newest id is remembered: sent again, even with a higher counter, it is a replay. */
    Custos__V1__EraseRequest q = good_request(CUSTOS_ERASE_REPLAY_IDS + 1);
    q.counter = 100;
    size_t len = seal_request(&s, &q, msg, sizeof msg);
    assert_int_equal(custos_erase_request_accept(&info, &rs, msg, len, s.pk), CUSTOS_EREPLAY);
    assert_int_equal(rs.last_counter, CUSTOS_ERASE_REPLAY_IDS + 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signed_receipt_with_malformed_body_is_ecorrupt),
        cmocka_unit_test(test_envelope_with_short_signer_is_ecorrupt),
        cmocka_unit_test(test_values_from_a_newer_schema_render_as_unknown),
        cmocka_unit_test(test_signed_request_with_malformed_body_is_ecorrupt_and_state_kept),
        cmocka_unit_test(test_replay_memory_keeps_the_most_recent_request_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
