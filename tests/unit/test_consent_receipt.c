/* Receipts: ISO/IEC TS 27560 JSON-LD and Kantara 1.1 exports, and their
 * verification on import: any altered byte is refused. */
#include "consent_fixture.h"

#include <sodium.h>
#include <string.h>

static char *receipt(fx *f, custos_subject s, custos_receipt_format fmt, size_t *len)
{
    size_t need = 0;
    assert_int_equal(custos_consent_receipt(f->ctx, NULL, 0, &need, s, fmt), CUSTOS_ERANGE);
    char *buf = malloc(need);
    assert_int_equal(custos_consent_receipt(f->ctx, buf, need, len, s, fmt), CUSTOS_OK);
    assert_int_equal(*len, need);
    return buf;
}

static void one_event(fx *f, const char *tag)
{
    fx_open(f, tag);
    uint8_t notice[32];
    memset(notice, 0xab, sizeof notice);
    custos_consent_info i = fx_info;
    i.notice_hash = notice;
    i.notice_lang = "ja";
    assert_int_equal(custos_consent_give(f->ctx, f->owner, FX_ANALYTICS, &i), CUSTOS_OK);
}

static int has(const char *r, size_t len, const char *needle)
{
    return memmem(r, len, needle, strlen(needle)) != NULL;
}

static int json_parses(const char *r, size_t len)
{
    FILE *p = popen("python3 -c 'import json,sys; json.load(sys.stdin)' 2>/dev/null", "w");
    if (p == NULL)
        return -1;
    fwrite(r, 1, len, p);
    return pclose(p) == 0;
}

static void test_iso27560_receipt_has_mandatory_fields_and_verifies(void **state)
{
    (void)state;
    fx f;
    one_event(&f, "r-iso");
    custos_consent_info ja = fx_info;
    ja.notice_lang = "ja";
    assert_int_equal(custos_consent_withdraw(f.ctx, f.owner, FX_ANALYTICS, &ja), CUSTOS_OK);
    size_t len = 0, n = 0;
    char *r = receipt(&f, f.owner, CUSTOS_RECEIPT_ISO27560_JSONLD, &len);
    static const char *const fields[] = {
        "\"@context\"", "\"schema_version\"", "\"record_id\"", "\"pii_principal_id\"", "\"privacy_notice\"",
        "\"language\":\"ja\"", "\"purpose\"", "\"lawful_basis\":\"dpv:Consent\"", "\"pii_information\"", "\"pii_type\"",
        "\"pii_controllers\"", "\"party_id\"", "\"party_name\"", "\"party_address\"", "\"party_contact\"",
        "\"party_type\"", "\"storage_locations\"", "\"retention_period\"", "\"jurisdiction\"",
        "\"recipient_third_parties\"", "\"withdrawal_method\"", "\"event_time\"", "\"validity_duration\"",
        "\"entity_id\"", "\"event_type\"", "\"event_state\":\"dpv:ConsentWithdrawn\"", "dpv:ConsentGiven",
        "https://w3id.org/dpv/schema/dpv-27560#record",
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (!has(r, len, fields[i]))
            fail_msg("missing %s", fields[i]);
    assert_false(has(r, len, "owner@example.com")); /* the identifier never leaves */
    assert_int_not_equal(json_parses(r, len), 0);
    uint8_t pk[32];
    assert_int_equal(custos_device_public_key(f.ctx, pk), CUSTOS_OK);
    assert_int_equal(custos_consent_receipt_verify(&n, r, len, pk), CUSTOS_OK);
    assert_int_equal(n, 2);
    free(r);
    fx_close(&f);
}

static void test_kantara_receipt_has_its_fields_and_verifies(void **state)
{
    (void)state;
    fx f;
    one_event(&f, "r-kan");
    size_t len = 0, n = 0;
    char *r = receipt(&f, f.owner, CUSTOS_RECEIPT_KANTARA, &len);
    static const char *const fields[] = {
        "\"version\":\"KI-CR-v1.1.0\"", "\"jurisdiction\":\"JP\"", "\"consentTimestamp\":1700000000",
        "\"collectionMethod\"", "\"consentReceiptID\"", "\"language\":\"ja\"", "\"piiPrincipalId\"",
        "\"piiControllers\"", "\"piiController\":\"Example Corp\"", "\"onBehalf\":false", "\"addressCountry\":\"JP\"",
        "\"policyUrl\"", "\"services\"", "\"purposes\"", "\"purposeCategory\"", "\"consentType\":\"EXPLICIT\"",
        "\"piiCategory\":[\"user.device.usage\",\"user.contact.email\"]", "\"primaryPurpose\":false",
        "\"termination\"", "\"thirdPartyDisclosure\":false", "\"sensitive\":false", "\"spiCat\":[]",
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (!has(r, len, fields[i]))
            fail_msg("missing %s", fields[i]);
    assert_int_not_equal(json_parses(r, len), 0);
    assert_int_equal(custos_consent_receipt_verify(&n, r, len, NULL), CUSTOS_OK);
    assert_int_equal(n, 1);
    free(r);
    fx_close(&f);
}

/* Flip every bit of every byte of the proof (the embedded events, key and
 * signature) and of every stride-th byte of the body before it. The body is
 * covered by one signature, so a stride keeps the suite fast (it also runs
 * under Valgrind) without leaving a class of byte untested. */
static void flip_every_bit(const char *r, size_t len, const uint8_t pk[32], size_t stride)
{
    char *c = malloc(len);
    const char *proof = memmem(r, len, "\"custos:events\"", 15);
    assert_non_null(proof);
    for (size_t i = 0; i < len; i++) {
        if (i % stride != 0 && r + i < proof)
            continue;
        for (int bit = 0; bit < 8; bit++) {
            memcpy(c, r, len);
            c[i] = (char)(c[i] ^ (1 << bit));
            int rc = custos_consent_receipt_verify(NULL, c, len, pk);
            if (rc != CUSTOS_ECORRUPT && rc != CUSTOS_ESIGNATURE)
                fail_msg("byte %zu bit %d: alteration accepted (rc %d): ...%.60s", i, bit, rc, r + (i > 30 ? i - 30 : 0));
        }
    }
    free(c);
}

static void test_flipping_bits_of_a_kantara_receipt_is_detected(void **state)
{
    (void)state;
    fx f;
    one_event(&f, "r-flipk");
    size_t len = 0;
    uint8_t pk[32];
    assert_int_equal(custos_device_public_key(f.ctx, pk), CUSTOS_OK);
    char *r = receipt(&f, f.owner, CUSTOS_RECEIPT_KANTARA, &len);
    flip_every_bit(r, len, pk, 4);
    free(r);
    fx_close(&f);
}

static void test_flipping_bits_of_an_iso27560_receipt_is_detected(void **state)
{
    (void)state;
    fx f;
    one_event(&f, "r-flipi");
    size_t len = 0;
    uint8_t pk[32];
    assert_int_equal(custos_device_public_key(f.ctx, pk), CUSTOS_OK);
    char *r = receipt(&f, f.owner, CUSTOS_RECEIPT_ISO27560_JSONLD, &len);
    flip_every_bit(r, len, pk, 8);
    free(r);
    fx_close(&f);
}

static void test_truncated_receipt_is_refused(void **state)
{
    (void)state;
    fx f;
    one_event(&f, "r-trunc");
    size_t len = 0;
    char *r = receipt(&f, f.owner, CUSTOS_RECEIPT_KANTARA, &len);
    for (size_t cut = 1; cut < len; cut += 7)
        assert_true(custos_consent_receipt_verify(NULL, r, cut, NULL) < 0);
    assert_int_equal(custos_consent_receipt_verify(NULL, r, 0, NULL), CUSTOS_EINVAL);
    assert_non_null(strstr(custos_last_error(), "no receipt"));
    assert_int_equal(custos_consent_receipt_verify(NULL, NULL, len, NULL), CUSTOS_EINVAL);
    free(r);
    fx_close(&f);
}

static void test_receipt_from_another_device_is_esignature(void **state)
{
    (void)state;
    fx a, b;
    one_event(&a, "r-a");
    one_event(&b, "r-b");
    size_t len = 0;
    uint8_t pk_a[32];
    assert_int_equal(custos_device_public_key(a.ctx, pk_a), CUSTOS_OK);
    char *r = receipt(&b, b.owner, CUSTOS_RECEIPT_KANTARA, &len);
    assert_int_equal(custos_consent_receipt_verify(NULL, r, len, pk_a), CUSTOS_ESIGNATURE);
    assert_non_null(strstr(custos_last_error(), "the receipt's own signature"));
    free(r);
    fx_close(&a);
    fx_close(&b);
}

static void test_receipt_errors(void **state)
{
    (void)state;
    fx f;
    one_event(&f, "r-err");
    size_t len = 0;
    char buf[16];
    assert_int_equal(custos_consent_receipt(f.ctx, buf, sizeof buf, &len, 999, CUSTOS_RECEIPT_KANTARA), CUSTOS_ENOTFOUND);
    assert_int_equal(custos_consent_receipt(f.ctx, buf, sizeof buf, &len, f.owner, (custos_receipt_format)9),
                     CUSTOS_EINVAL);
    assert_int_equal(custos_consent_receipt(f.ctx, buf, sizeof buf, &len, f.owner, CUSTOS_RECEIPT_KANTARA),
                     CUSTOS_ERANGE);
    assert_true(len > sizeof buf);
    fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso27560_receipt_has_mandatory_fields_and_verifies),
        cmocka_unit_test(test_kantara_receipt_has_its_fields_and_verifies),
        cmocka_unit_test(test_flipping_bits_of_a_kantara_receipt_is_detected),
        cmocka_unit_test(test_flipping_bits_of_an_iso27560_receipt_is_detected),
        cmocka_unit_test(test_truncated_receipt_is_refused),
        cmocka_unit_test(test_receipt_from_another_device_is_esignature),
        cmocka_unit_test(test_receipt_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
