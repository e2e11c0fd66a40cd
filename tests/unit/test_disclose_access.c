/* The per-subject access report from a live store. */
#include "harness.h"

#include <custos/disclose.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char yaml_v1[] =
    "custos: 1\n"
    "product:\n"
    "  name: Test Plug\n"
    "  policy_version: 1\n"
    "  jurisdictions: [JP-APPI]\n"
    "  languages: [en, ja]\n"
    "  controller: {name: Test Devices K.K., address: 1-1 Test Tokyo, contact: privacy@example.com, country: JP}\n"
    "subjects: [owner]\n"
    "categories:\n"
    "  - id: 1\n"
    "    key: user.sensor.energy_use\n"
    "    name: {en: Energy use, ja: 電力使用量}\n"
    "purposes:\n"
    "  - id: 1\n"
    "    key: essential.service.remote_control\n"
    "    name: {en: Switch the plug, ja: 電源操作}\n"
    "    legal_basis: contract\n"
    "    necessity: required\n"
    "    categories: [1]\n"
    "    retention: {until: device_reset}\n"
    "    locations: [device]\n"
    "  - id: 2\n"
    "    key: functional.service\n"
    "    name: {en: Energy reports, ja: 電力レポート}\n"
    "    legal_basis: consent\n"
    "    necessity: optional\n"
    "    categories: [1]\n"
    "    retention: P30D\n"
    "    consent_lifetime: P1Y\n"
    "    locations: [device]\n";

typedef struct fixture {
    char *dir;
    custos_t *ctx;
    uint8_t *manifest;
    size_t len;
    custos_subject alice;
} fixture;

static uint8_t *compile(const char *yaml, size_t *len)
{
    uint8_t *out = NULL;
    custos_manifest_error err;
    if (custos_manifest_compile(&out, len, NULL, yaml, strlen(yaml), "plug.yaml", NULL, &err) != CUSTOS_OK)
        fail_msg("manifest: %s", err.message);
    return out;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = th_tmpdir("access");
    f->ctx = th_open(f->dir);
    f->manifest = compile(yaml_v1, &f->len);
    assert_int_equal(custos_manifest_load(f->ctx, f->manifest, f->len), CUSTOS_OK);
    assert_int_equal(custos_subject_add(f->ctx, &f->alice, "alice", CUSTOS_ROLE_OWNER), CUSTOS_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    custos_close(f->ctx);
    custos_manifest_free(f->manifest);
    th_tmpdir_remove(f->dir);
    free(f);
    return 0;
}

static char *report(fixture *f, const char *lang)
{
    custos_disclose_options opts = CUSTOS_DISCLOSE_OPTIONS_INIT;
    opts.lang = lang;
    char *out = NULL;
    size_t len = 0;
    int rc = custos_disclose_access_report(f->ctx, &out, &len, f->alice, f->manifest, f->len,
                                           CUSTOS_DISCLOSE_NOTICE_MD, &opts);
    if (rc != CUSTOS_OK)
        fail_msg("access report: %s: %s", custos_strerror(rc), custos_errmsg(f->ctx));
    return out;
}

static void give(fixture *f, uint32_t purpose)
{
    custos_consent_info info = CUSTOS_CONSENT_INFO_INIT;
    assert_int_equal(custos_consent_give(f->ctx, f->alice, purpose, &info), CUSTOS_OK);
}

static void test_records_are_counted_under_their_purpose(void **state)
{
    fixture *f = *state;
    give(f, 2);
    custos_record_id id;
    for (int i = 0; i < 3; i++)
        assert_int_equal(custos_vault_put(f->ctx, &id, f->alice, 2, 1, "1234 W", 6), CUSTOS_OK);
    char *r = report(f, "en");
    assert_non_null(strstr(r, "| Energy reports | You agreed (until "));
    assert_non_null(strstr(r, "| Energy use (3 records) |"));
    assert_non_null(strstr(r, "| Switch the plug | Contract | Nothing stored | - |"));
    custos_disclose_free(r);
}

static void test_payload_is_never_printed(void **state)
{
    fixture *f = *state;
    give(f, 2);
    custos_record_id id;
    static const char canary[] = "canary-5f1d9c2a7b";
    assert_int_equal(custos_vault_put(f->ctx, &id, f->alice, 2, 1, canary, sizeof canary - 1), CUSTOS_OK);
    char *r = report(f, "en");
    assert_null(strstr(r, canary));
    custos_disclose_free(r);
}

static void test_withdrawn_consent_is_reported(void **state)
{
    fixture *f = *state;
    give(f, 2);
    custos_consent_info info = CUSTOS_CONSENT_INFO_INIT;
    assert_int_equal(custos_consent_withdraw(f->ctx, f->alice, 2, &info), CUSTOS_OK);
    char *r = report(f, "ja");
    assert_non_null(strstr(r, "| 電力レポート | 同意を取り消し済み |"));
    custos_disclose_free(r);
}

static void test_never_asked_purpose_says_so(void **state)
{
    fixture *f = *state;
    char *r = report(f, "en");
    assert_non_null(strstr(r, "| Energy reports | Never asked | Nothing stored |"));
    custos_disclose_free(r);
}

static void test_manifest_other_than_the_loaded_one_is_estate(void **state)
{
    fixture *f = *state;
    char yaml[4096];
    snprintf(yaml, sizeof yaml, "%s", yaml_v1);
    char *v = strstr(yaml, "policy_version: 1");
    v[strlen("policy_version: ")] = '2';
    size_t len = 0;
    uint8_t *other = compile(yaml, &len);
    char *out = NULL;
    size_t out_len = 0;
    assert_int_equal(custos_disclose_access_report(f->ctx, &out, &out_len, f->alice, other, len,
                                                   CUSTOS_DISCLOSE_NOTICE_MD, NULL), CUSTOS_ESTATE);
    assert_null(out);
    assert_non_null(strstr(custos_errmsg(f->ctx), "not the one loaded"));
    custos_manifest_free(other);
}

static void test_format_other_than_a_notice_is_einval(void **state)
{
    fixture *f = *state;
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(custos_disclose_access_report(f->ctx, &out, &len, f->alice, f->manifest, f->len,
                                                   CUSTOS_DISCLOSE_XCPRIVACY, NULL), CUSTOS_EINVAL);
    assert_non_null(strstr(custos_errmsg(f->ctx), "notice-md or notice-html"));
}

static void test_html_report_is_a_whole_page(void **state)
{
    fixture *f = *state;
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(custos_disclose_access_report(f->ctx, &out, &len, f->alice, f->manifest, f->len,
                                                   CUSTOS_DISCLOSE_NOTICE_HTML, NULL), CUSTOS_OK);
    assert_int_equal(strncmp(out, "<!DOCTYPE html>", 15), 0);
    assert_non_null(strstr(out, "</html>\n"));
    custos_disclose_free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_records_are_counted_under_their_purpose, setup, teardown),
        cmocka_unit_test_setup_teardown(test_payload_is_never_printed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_withdrawn_consent_is_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_never_asked_purpose_says_so, setup, teardown),
        cmocka_unit_test_setup_teardown(test_manifest_other_than_the_loaded_one_is_estate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_format_other_than_a_notice_is_einval, setup, teardown),
        cmocka_unit_test_setup_teardown(test_html_report_is_a_whole_page, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
