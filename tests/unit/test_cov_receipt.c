/*
 * Consent receipts of a purpose with everything a manifest can say about it
 * (several storage locations and recipients, a retention, a consent
 * lifetime, a controller reached by e-mail), and of a purpose the current
 * manifest no longer declares. Each receipt still verifies.
 */
#include "harness.h"

#include <custos/custos.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char manifest_v1[] =
    "custos: 1\n"
    "product:\n"
    "  name: Test Sensor\n"
    "  policy_version: 1\n"
    "  jurisdictions: [JP-APPI, EU-GDPR]\n"
    "  languages: [en, ja]\n"
    "  controller:\n"
    "    name: Test K.K.\n"
    "    address: 1-1 Chiyoda, Tokyo\n"
    "    contact: privacy@test.example\n"
    "    country: JP\n"
    "  eu_representative: {name: Test EU B.V., address: 1 Dam Amsterdam, contact: eu@test.example, country: NL}\n"
    "subjects: [owner]\n"
    "categories:\n"
    "  - id: 1\n"
    "    key: user.sensor.environment\n"
    "    name: {en: Temperature, ja: 温度}\n"
    "  - id: 2\n"
    "    key: user.device.device_id\n"
    "    name: {en: Sensor id, ja: センサーID}\n"
    "purposes:\n"
    "  - id: 1\n"
    "    key: essential.service.device_operation\n"
    "    name: {en: Operate the sensor, ja: センサーの動作}\n"
    "    legal_basis: contract\n"
    "    necessity: required\n"
    "    categories: [2]\n"
    "    locations: [device]\n"
    "%s";

static const char purpose_2[] =
    "  - id: 2\n"
    "    key: analytics.reporting.system.performance\n"
    "    name: {en: Statistics, ja: 統計}\n"
    "    legal_basis: consent\n"
    "    necessity: optional\n"
    "    categories: [1, 2]\n"
    "    retention: P30D\n"
    "    consent_lifetime: P1Y\n"
    "    locations: [device, cloud]\n"
    "    recipients:\n"
    "      - {name: Stats Co., country: JP, gdpr_safeguard: adequacy}\n"
    "      - {name: Cloud Inc., country: US, role: processor, gdpr_safeguard: dpf, appi_route: equivalent_system, measures: {en: Bound by our contract., ja: 当社との契約に従います。}}\n";

static const char retired_2[] =
    "retired:\n"
    "  purposes:\n"
    "    - {id: 2, key: analytics.reporting.system.performance}\n";

typedef struct env {
    char *dir;
    custos_t *ctx;
    custos_subject owner;
} env;

static void load(env *e, int version)
{
    char yaml[4096 + sizeof retired_2], tmp[4096];
    uint8_t *out = NULL;
    size_t len = 0;
    custos_manifest_error err;
    snprintf(tmp, sizeof tmp, manifest_v1, version == 1 ? purpose_2 : "");
    if (version == 1) {
        snprintf(yaml, sizeof yaml, "%s", tmp);
    } else {
        char *pv = strstr(tmp, "policy_version: 1");
        assert_non_null(pv);
        pv[16] = '2';
        snprintf(yaml, sizeof yaml, "%s%s", retired_2, tmp);
    }
    if (custos_manifest_compile(&out, &len, NULL, yaml, strlen(yaml), "r.yaml", NULL, &err) != CUSTOS_OK)
        fail_msg("manifest v%d: %s", version, err.message);
    assert_int_equal(custos_manifest_load(e->ctx, out, len), CUSTOS_OK);
    custos_manifest_free(out);
}

static void setup(env *e, const char *tag)
{
    e->dir = th_tmpdir(tag);
    e->ctx = th_open(e->dir);
    load(e, 1);
    assert_int_equal(custos_subject_add(e->ctx, &e->owner, "owner-1", CUSTOS_ROLE_OWNER), CUSTOS_OK);
    custos_consent_info i = CUSTOS_CONSENT_INFO_INIT;
    i.notice_lang = "ja";
    assert_int_equal(custos_consent_give(e->ctx, e->owner, 2, &i), CUSTOS_OK);
}

static void teardown(env *e)
{
    custos_close(e->ctx);
    th_tmpdir_remove(e->dir);
}

static char *receipt(env *e, custos_receipt_format fmt, size_t *len, size_t events)
{
    size_t need = 0, n = 0;
    assert_int_equal(custos_consent_receipt(e->ctx, NULL, 0, &need, e->owner, fmt), CUSTOS_ERANGE);
    char *buf = malloc(need);
    assert_non_null(buf);
    assert_int_equal(custos_consent_receipt(e->ctx, buf, need, len, e->owner, fmt), CUSTOS_OK);
    uint8_t pk[32];
    assert_int_equal(custos_device_public_key(e->ctx, pk), CUSTOS_OK);
    assert_int_equal(custos_consent_receipt_verify(&n, buf, *len, pk), CUSTOS_OK);
    assert_int_equal(n, events);
    return buf;
}

static void expect_all(const char *r, size_t len, const char *const *want, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (memmem(r, len, want[i], strlen(want[i])) == NULL)
            fail_msg("receipt lacks %s:\n%.*s", want[i], (int)len, r);
}

static void test_iso27560_receipt_lists_every_location_recipient_and_duration(void **state)
{
    (void)state;
    env e;
    size_t len;
    setup(&e, "rc-iso");
    char *r = receipt(&e, CUSTOS_RECEIPT_ISO27560_JSONLD, &len, 1);
    static const char *const want[] = {
        "\"language\":\"ja\"",
        "\"purpose\":\"analytics.reporting.system.performance\"",
        "\"pii_attribute_id\":\"user.sensor.environment\"},{",
        "\"pii_attribute_id\":\"user.device.device_id\"",
        "\"retention_period\":{\"@type\":\"dpv:StorageDuration\",\"dpv:hasDuration\":{\"@type\":\"dpv:TemporalDuration\","
        "\"rdf:value\":{\"@type\":\"xsd:duration\",\"@value\":\"P30D\"}}}",
        "\"validity_duration\":{\"@type\":\"dpv:TemporalDuration\",\"rdf:value\":{\"@type\":\"xsd:duration\",\"@value\":\"P1Y\"}}",
        "\"jurisdiction\":[\"EU-GDPR\",\"JP-APPI\"]",
        "\"recipient_third_parties\":[{\"@type\":\"dpv:DataProcessor\",\"party_name\":\"Cloud Inc.\",\"dpv:hasCountry\":{\"@id\":\"loc:US\"}},"
        "{\"@type\":\"dpv:ThirdParty\",\"party_name\":\"Stats Co.\",\"dpv:hasCountry\":{\"@id\":\"loc:JP\"}}]",
    };
    expect_all(r, len, want, sizeof want / sizeof want[0]);
    const char *loc = memmem(r, len, "\"storage_locations\":[{", 22);
    assert_non_null(loc);
    const char *end = memchr(loc, ']', len - (size_t)(loc - r)); /* the receipt is not NUL-terminated */
    assert_non_null(end);
    assert_non_null(memmem(loc, (size_t)(end - loc), "},{", 3));  /* two locations */
    free(r);
    teardown(&e);
}

static void test_kantara_receipt_names_the_first_recipient_and_the_email(void **state)
{
    (void)state;
    env e;
    size_t len;
    setup(&e, "rc-kan");
    char *r = receipt(&e, CUSTOS_RECEIPT_KANTARA, &len, 1);
    static const char *const want[] = {
        "\"language\":\"ja\"",
        "\"email\":\"privacy@test.example\"",
        "\"piiCategory\":[\"user.sensor.environment\",\"user.device.device_id\"]",
        "\"thirdPartyDisclosure\":true",
        "\"thirdPartyName\":\"Stats Co.\"", /* Cloud Inc. is a processor: not a disclosure */
    };
    expect_all(r, len, want, sizeof want / sizeof want[0]);
    free(r);
    teardown(&e);
}

static void test_receipt_of_a_purpose_no_longer_declared_keeps_its_events(void **state)
{
    (void)state;
    env e;
    size_t len;
    setup(&e, "rc-gone");
    load(&e, 2);
    char *r = receipt(&e, CUSTOS_RECEIPT_ISO27560_JSONLD, &len, 2);
    static const char *const want[] = {
        "\"purpose\":\"withdrawn-from-manifest\"",
        "\"purpose_type\":\"dpv:Purpose\"",
        "\"pii_information\":[]",
        "\"storage_locations\":[]",
        "\"retention_period\":{\"@type\":\"dpv:StorageDuration\",\"dpv:hasDuration\":{\"@type\":\"dpv:IndeterminateDuration\"}}",
        "\"recipient_third_parties\":[]",
        "\"validity_duration\":{\"@type\":\"dpv:IndeterminateDuration\"}",
        /* Custos recorded the invalidation itself, with no notice shown. */
        "\"entity_id\":\"dpv:DataController\"",
        "\"event_state\":\"dpv:ConsentInvalidated\"",
        "\"language\":\"und\"",
    };
    expect_all(r, len, want, sizeof want / sizeof want[0]);
    free(r);
    /* Kantara lists services by declared purpose: none is left to list. */
    r = receipt(&e, CUSTOS_RECEIPT_KANTARA, &len, 2);
    static const char *const kan[] = {
        "\"collectionMethod\":\"recorded by the system\"",
        "\"language\":\"en\"",
        "\"purposes\":[]",
        "\"sensitive\":false",
    };
    expect_all(r, len, kan, sizeof kan / sizeof kan[0]);
    free(r);
    teardown(&e);
}

static void test_decision_without_a_notice_language_or_method_is_refused(void **state)
{
    (void)state;
    env e;
    setup(&e, "rc-info");
    custos_consent_info i = CUSTOS_CONSENT_INFO_INIT;
    static const char *const langs[] = { NULL, "", "abcdefghijklmnopq" };
    for (size_t k = 0; k < 3; k++) {
        i.notice_lang = langs[k];
        assert_int_equal(custos_consent_withdraw(e.ctx, e.owner, 2, &i), CUSTOS_EINVAL);
        assert_string_equal(custos_errmsg(e.ctx),
                            "consent: notice language must be a BCP 47 tag of 1..16 characters");
    }
    i.notice_lang = "en";
    i.method = (custos_consent_method)(CUSTOS_METHOD_API + 1);
    assert_int_equal(custos_consent_withdraw(e.ctx, e.owner, 2, &i), CUSTOS_EINVAL);
    assert_non_null(strstr(custos_errmsg(e.ctx), "cannot record a decision"));
    i.method = CUSTOS_METHOD_API;
    i.version = 99;
    assert_int_equal(custos_consent_withdraw(e.ctx, e.owner, 2, &i), CUSTOS_EINVAL);
    assert_string_equal(custos_errmsg(e.ctx), "consent: info version 99, expected 1");
    assert_int_equal(custos_consent_withdraw(e.ctx, e.owner, 2, NULL), CUSTOS_EINVAL);
    assert_non_null(strstr(custos_errmsg(e.ctx), "no info given"));
    custos_consent_state_info st;
    assert_int_equal(custos_consent_state(e.ctx, &st, e.owner, 2), CUSTOS_OK);
    assert_int_equal(st.status, CUSTOS_CONSENT_GIVEN);   /* nothing was recorded */
    teardown(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso27560_receipt_lists_every_location_recipient_and_duration),
        cmocka_unit_test(test_kantara_receipt_names_the_first_recipient_and_the_email),
        cmocka_unit_test(test_receipt_of_a_purpose_no_longer_declared_keeps_its_events),
        cmocka_unit_test(test_decision_without_a_notice_language_or_method_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
