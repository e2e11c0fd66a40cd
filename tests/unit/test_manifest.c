/* The manifest: compiling the examples, determinism, lookups, show, and the semantic diff. */
#include "harness.h"
#include "manifest/manifest_private.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct compiled {
    uint8_t *bytes;
    size_t len;
    uint8_t id[CUSTOS_HASH_BYTES];
} compiled;

static char *read_text(const char *path, size_t *len)
{
    uint8_t *b = th_read_file(path, len);
    if (b == NULL)
        fail_msg("cannot read %s", path);
    return (char *)b;
}

static char *example_path(const char *rel)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/examples/%s", CUSTOS_SOURCE_DIR, rel);
    return path;
}

static char *data_path(const char *rel)
{
    static char path[4096];
    snprintf(path, sizeof path, "%s/manifests/%s", CUSTOS_TEST_DATA, rel);
    return path;
}

/* Compile YAML text, asserting success. */
static compiled compile_text(const char *text, size_t len, const compiled *prev)
{
    compiled c = { 0 };
    custos_manifest_compile_options o = CUSTOS_MANIFEST_COMPILE_OPTIONS_INIT;
    if (prev != NULL) {
        o.previous = prev->bytes;
        o.previous_len = prev->len;
    }
    custos_manifest_error err;
    int rc = custos_manifest_compile(&c.bytes, &c.len, c.id, text, len, "test.yaml", &o, &err);
    if (rc != CUSTOS_OK)
        fail_msg("compile: %s: %s", custos_strerror(rc), err.message);
    return c;
}

static compiled compile_file(const char *path, const compiled *prev)
{
    size_t len;
    char *text = read_text(path, &len);
    compiled c = compile_text(text, len, prev);
    free(text);
    return c;
}

static void release(compiled *c) { custos_manifest_free(c->bytes); }

/* The minimal fixture with one piece of text replaced (asserted to exist). */
static char *variant(const char *old, const char *new_text)
{
    size_t len;
    char *base = read_text(data_path("valid/minimal.yaml"), &len);
    char *at = strstr(base, old);
    if (at == NULL)
        fail_msg("'%s' not in minimal.yaml", old);
    size_t pre = (size_t)(at - base), olen = strlen(old), nlen = strlen(new_text);
    char *out = malloc(len - olen + nlen + 1);
    memcpy(out, base, pre);
    memcpy(out + pre, new_text, nlen);
    memcpy(out + pre + nlen, at + olen, len - pre - olen);
    out[len - olen + nlen] = '\0';
    free(base);
    return out;
}

static compiled compile_variant(const char *old, const char *new_text)
{
    char *text = variant(old, new_text);
    compiled c = compile_text(text, strlen(text), NULL);
    free(text);
    return c;
}

/* Diff minimal.yaml against one variant of it: the changes, asserted to succeed. */
static custos_manifest_change *diff_variant(const char *old, const char *new_text, size_t *n)
{
    compiled a = compile_file(data_path("valid/minimal.yaml"), NULL);
    compiled b = compile_variant(old, new_text);
    custos_manifest_change *ch = NULL;
    custos_manifest_error err;
    int rc = custos_manifest_diff(&ch, n, a.bytes, a.len, b.bytes, b.len, &err);
    if (rc != CUSTOS_OK)
        fail_msg("diff: %s", err.message);
    release(&a);
    release(&b);
    return ch;
}

/* --- compiling -------------------------------------------------------------- */

static void test_the_three_examples_and_camera_v2_compile(void **state)
{
    (void)state;
    const char *files[] = { "smart-camera/privacy.yaml", "smart-camera/privacy-v2.yaml", "smart-lock/privacy.yaml",
                            "smart-plug/privacy.yaml" };
    for (size_t i = 0; i < 4; i++) {
        compiled c = compile_file(example_path(files[i]), NULL);
        custos_manifest_pb *m = NULL;
        uint8_t id[CUSTOS_HASH_BYTES];
        assert_int_equal(custos__manifest_decode(NULL, c.bytes, c.len, &m, id), CUSTOS_OK);
        assert_memory_equal(id, c.id, sizeof id);
        assert_true(m->n_purposes >= 3);
        custos__manifest_free(m);
        release(&c);
    }
}

static void test_compiling_twice_gives_the_same_bytes(void **state)
{
    (void)state;
    compiled a = compile_file(example_path("smart-camera/privacy.yaml"), NULL);
    compiled b = compile_file(example_path("smart-camera/privacy.yaml"), NULL);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.bytes, b.bytes, a.len);
    release(&a);
    release(&b);
}

static void test_shuffled_key_and_list_order_gives_the_same_id(void **state)
{
    (void)state;
    compiled a = compile_file(example_path("smart-camera/privacy.yaml"), NULL);
    compiled b = compile_file(data_path("valid/camera-shuffled.yaml"), NULL);
    assert_memory_equal(a.id, b.id, CUSTOS_HASH_BYTES);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.bytes, b.bytes, a.len);
    release(&a);
    release(&b);
}

static void test_id_is_blake2b_of_the_payload(void **state)
{
    (void)state;
    compiled c = compile_file(data_path("valid/minimal.yaml"), NULL);
    uint8_t id[CUSTOS_HASH_BYTES], want[CUSTOS_HASH_BYTES];
    custos_manifest_error err;
    assert_int_equal(custos_manifest_id(id, c.bytes, c.len, &err), CUSTOS_OK);
    assert_memory_equal(id, c.id, sizeof id);
    crypto_generichash(want, sizeof want, c.bytes + 16, c.len - 48, NULL, 0);
    assert_memory_equal(id, want, sizeof id);
    release(&c);
}

static void test_check_accepts_the_examples_and_refuses_like_compile(void **state)
{
    (void)state;
    size_t len;
    char *text = read_text(example_path("smart-lock/privacy.yaml"), &len);
    custos_manifest_error err;
    assert_int_equal(custos_manifest_check(text, len, "lock.yaml", &err), CUSTOS_OK);
    free(text);
    char *bad = variant("categories: [1]", "categories: [9]");
    assert_int_equal(custos_manifest_check(bad, strlen(bad), "camera.yaml", &err), CUSTOS_EMANIFEST);
    assert_string_equal(err.message, "camera.yaml:36:18: purpose 2 'analytics.reporting.system.performance' uses "
                                     "category 9, which is not declared; declare it under categories: or remove it");
    assert_int_equal(err.line, 36);
    assert_int_equal(err.column, 18);
    free(bad);
}

static void test_crosswalk_defaults_come_from_the_taxonomy(void **state)
{
    (void)state;
    compiled c = compile_file(example_path("smart-camera/privacy.yaml"), NULL);
    custos_manifest_pb *m = NULL;
    assert_int_equal(custos__manifest_decode(NULL, c.bytes, c.len, &m, NULL), CUSTOS_OK);
    const custos_category_pb *video = custos__manifest_category(m, 1);
    assert_string_equal(video->apple_type, "NSPrivacyCollectedDataTypePhotosorVideos");
    assert_string_equal(video->play_type, "PSL_VIDEOS");
    assert_true(custos__manifest_category(m, 7)->special); /* user.biometric is special by law */
    const custos_purpose_pb *analytics = custos__manifest_purpose(m, 3);
    assert_int_equal(analytics->n_apple_purposes, 1);
    assert_string_equal(analytics->apple_purposes[0], "NSPrivacyCollectedDataTypePurposeAnalytics");
    assert_string_equal(analytics->play_purposes[0], "PSL_ANALYTICS");
    custos__manifest_free(m);
    release(&c);
}

static void test_explicit_crosswalk_value_replaces_the_default(void **state)
{
    (void)state;
    compiled c = compile_variant("    key: user.sensor.environment\n",
                                 "    key: user.sensor.environment\n    play_type: PSL_OTHER_PERFORMANCE\n");
    custos_manifest_pb *m = NULL;
    assert_int_equal(custos__manifest_decode(NULL, c.bytes, c.len, &m, NULL), CUSTOS_OK);
    assert_string_equal(custos__manifest_category(m, 1)->play_type, "PSL_OTHER_PERFORMANCE");
    custos__manifest_free(m);
    release(&c);
}

static void test_lookups_find_ids_and_fall_back_to_english(void **state)
{
    (void)state;
    compiled c = compile_file(example_path("smart-camera/privacy.yaml"), NULL);
    custos_manifest_pb *m = NULL;
    assert_int_equal(custos__manifest_decode(NULL, c.bytes, c.len, &m, NULL), CUSTOS_OK);
    const custos_purpose_pb *p = custos__manifest_purpose(m, 4);
    assert_non_null(p);
    assert_string_equal(p->key, "train_ai_system");
    assert_null(custos__manifest_purpose(m, 7));
    assert_null(custos__manifest_category(m, 99));
    assert_true(custos__purpose_uses(p, 7));
    assert_false(custos__purpose_uses(p, 2));
    assert_string_equal(custos__manifest_text(p->name, p->n_name, "ja"), "スマート人物検知");
    assert_string_equal(custos__manifest_text(p->name, p->n_name, "fr"), "Smart person detection");
    assert_string_equal(custos__manifest_text(NULL, 0, "en"), "");
    custos__manifest_free(m);
    release(&c);
}

static void test_show_prints_summary_and_json(void **state)
{
    (void)state;
    compiled c = compile_file(example_path("smart-camera/privacy.yaml"), NULL);
    char *text = NULL, *json = NULL;
    custos_manifest_error err;
    assert_int_equal(custos_manifest_show(&text, c.bytes, c.len, CUSTOS_MANIFEST_SHOW_TEXT, &err), CUSTOS_OK);
    assert_non_null(strstr(text, "shared with Vision AI Inc. (US, processor)"));
    assert_non_null(strstr(text, "user.biometric  \"Face templates of recognised people\"  [special category]"));
    assert_int_equal(custos_manifest_show(&json, c.bytes, c.len, CUSTOS_MANIFEST_SHOW_JSON, &err), CUSTOS_OK);
    assert_non_null(strstr(json, "\"legal_basis\":\"consent\""));
    assert_non_null(strstr(json, "\"retention\":{\"iso8601\":\"P30D\",\"seconds\":2592000}"));
    assert_non_null(strstr(json, "\"ja\":\"カメラの映像\""));
    assert_int_equal(json[0], '{');
    custos_manifest_free(text);
    custos_manifest_free(json);
    release(&c);
}

static void test_yaml_larger_than_the_limit_is_refused(void **state)
{
    (void)state;
    size_t n = CUSTOS_MANIFEST_MAX_YAML + 1;
    char *big = malloc(n);
    memset(big, '#', n);
    custos_manifest_error err;
    assert_int_equal(custos_manifest_check(big, n, "big.yaml", &err), CUSTOS_EMANIFEST);
    assert_non_null(strstr(err.message, "a manifest is at most"));
    free(big);
}

static void test_bad_arguments_are_einval(void **state)
{
    (void)state;
    uint8_t *out = NULL;
    size_t len = 0;
    custos_manifest_error err;
    custos_manifest_compile_options o = CUSTOS_MANIFEST_COMPILE_OPTIONS_INIT;
    o.version = 99;
    assert_int_equal(custos_manifest_compile(NULL, &len, NULL, "x", 1, NULL, NULL, &err), CUSTOS_EINVAL);
    assert_int_equal(custos_manifest_compile(&out, &len, NULL, "x", 1, NULL, &o, &err), CUSTOS_EINVAL);
    assert_int_equal(custos_manifest_check(NULL, 5, NULL, NULL), CUSTOS_EINVAL);
    assert_int_equal(custos_manifest_show(NULL, NULL, 0, CUSTOS_MANIFEST_SHOW_TEXT, &err), CUSTOS_EINVAL);
    assert_int_equal(custos_manifest_id((uint8_t[32]){ 0 }, NULL, 0, &err), CUSTOS_EINVAL);
    assert_int_equal(custos_manifest_max_purpose_id(), 63);
    assert_true(custos_manifest_max_bytes() > CUSTOS_MANIFEST_MAX_PAYLOAD);
}

/* --- the semantic diff ---------------------------------------------------------- */

static void test_camera_v2_asks_consent_again_only_for_the_purpose_with_a_new_recipient(void **state)
{
    (void)state;
    compiled v1 = compile_file(example_path("smart-camera/privacy.yaml"), NULL);
    compiled v2 = compile_file(example_path("smart-camera/privacy-v2.yaml"), &v1); /* --previous holds */
    custos_manifest_change *ch = NULL;
    size_t n = 0;
    custos_manifest_error err;
    assert_int_equal(custos_manifest_diff(&ch, &n, v1.bytes, v1.len, v2.bytes, v2.len, &err), CUSTOS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ch[0].purpose, 3);
    assert_int_equal(ch[0].reasons, CUSTOS_MANIFEST_CHANGE_NEW_RECIPIENT);
    assert_int_equal(ch[0].needs_consent, 1);
    char *text = NULL;
    assert_int_equal(custos_manifest_diff_text(&text, v1.bytes, v1.len, v2.bytes, v2.len, CUSTOS_MANIFEST_SHOW_TEXT, &err),
                     CUSTOS_OK);
    assert_string_equal(text, "policy version 1 -> 2\npurpose 3 analytics.reporting.system.performance: "
                              "asks for consent again: new recipient\n");
    custos_manifest_free(text);
    custos_manifest_free(ch);
    release(&v1);
    release(&v2);
}

static void assert_one_change(const char *old, const char *new_text, uint32_t purpose, uint32_t reasons)
{
    size_t n = 0;
    custos_manifest_change *ch = diff_variant(old, new_text, &n);
    assert_int_equal(n, 1);
    assert_int_equal(ch[0].purpose, purpose);
    assert_int_equal(ch[0].reasons, reasons);
    custos_manifest_free(ch);
}

static void assert_no_change(const char *old, const char *new_text)
{
    size_t n = 99;
    custos_manifest_change *ch = diff_variant(old, new_text, &n);
    assert_int_equal(n, 0);
    assert_null(ch);
}

static void test_diff_detects_a_new_category(void **state)
{
    (void)state;
    assert_one_change("categories: [1]", "categories: [1, 2]", 2, CUSTOS_MANIFEST_CHANGE_NEW_CATEGORY);
}

static void test_diff_detects_a_new_recipient(void **state)
{
    (void)state;
    assert_one_change("      - {name: Stats Co., country: JP}",
                      "      - {name: Stats Co., country: JP}\n      - {name: Cloud Inc., country: US, appi_route: equivalent_system, measures: {en: Bound by our contract., ja: 当社との契約に従います。}}", 2,
                      CUSTOS_MANIFEST_CHANGE_NEW_RECIPIENT);
}

static void test_diff_detects_a_recipient_moving_abroad(void **state)
{
    (void)state;
    assert_one_change("{name: Stats Co., country: JP}", "{name: Stats Co., country: SG, appi_route: equivalent_system, measures: {en: Bound by our contract., ja: 当社との契約に従います。}}", 2,
                      CUSTOS_MANIFEST_CHANGE_NEW_RECIPIENT);
}

static void test_diff_detects_longer_retention(void **state)
{
    (void)state;
    assert_one_change("retention: P30D", "retention: P1Y", 2, CUSTOS_MANIFEST_CHANGE_LONGER_RETENTION);
}

static void test_diff_detects_retention_until_an_event_as_longer(void **state)
{
    (void)state;
    assert_one_change("retention: P30D", "retention: {until: account_deletion}", 2,
                      CUSTOS_MANIFEST_CHANGE_LONGER_RETENTION);
}

static void test_diff_detects_a_changed_legal_basis(void **state)
{
    (void)state;
    assert_one_change("legal_basis: contract", "legal_basis: legitimate_interest", 1,
                      CUSTOS_MANIFEST_CHANGE_LEGAL_BASIS);
}

static void test_diff_detects_a_new_storage_location(void **state)
{
    (void)state;
    assert_one_change("locations: [device]", "locations: [device, cloud]", 1, CUSTOS_MANIFEST_CHANGE_NEW_LOCATION);
}

static void test_diff_detects_a_longer_consent_lifetime(void **state)
{
    (void)state;
    assert_one_change("consent_lifetime: P1Y", "consent_lifetime: P2Y", 2, CUSTOS_MANIFEST_CHANGE_LONGER_CONSENT);
}

static void test_diff_names_several_reasons_together(void **state)
{
    (void)state;
    assert_one_change("    categories: [1]\n    retention: P30D\n", "    categories: [1, 2]\n    retention: P90D\n", 2,
                      CUSTOS_MANIFEST_CHANGE_NEW_CATEGORY | CUSTOS_MANIFEST_CHANGE_LONGER_RETENTION);
}

static void test_diff_reports_a_new_purpose(void **state)
{
    (void)state;
    assert_one_change("      - {name: Stats Co., country: JP}\n",
                      "      - {name: Stats Co., country: JP}\n"
                      "  - id: 3\n"
                      "    key: essential.service.security\n"
                      "    name: {en: Security, ja: セキュリティ}\n"
                      "    legal_basis: legitimate_interest\n"
                      "    necessity: required\n"
                      "    categories: [2]\n"
                      "    locations: [device]\n",
                      3, CUSTOS_MANIFEST_CHANGE_NEW_PURPOSE);
}

static void test_shorter_retention_is_not_material(void **state)
{
    (void)state;
    assert_no_change("retention: P30D", "retention: P7D");
}

static void test_text_only_change_is_not_material(void **state)
{
    (void)state;
    assert_no_change("description: {en: Weekly statistics., ja: 週間統計。}",
                     "description: {en: Statistics every week to find faults., ja: 故障を見つけるための週間統計。}");
}

static void test_removing_a_recipient_is_not_material(void **state)
{
    (void)state;
    assert_no_change("    recipients:\n      - {name: Stats Co., country: JP}\n", "");
}

static void test_diff_refuses_an_id_reused_with_another_meaning(void **state)
{
    (void)state;
    compiled a = compile_file(data_path("valid/minimal.yaml"), NULL);
    compiled b = compile_variant("analytics.reporting.system.performance", "marketing.advertising");
    custos_manifest_change *ch = NULL;
    size_t n = 0;
    custos_manifest_error err;
    assert_int_equal(custos_manifest_diff(&ch, &n, a.bytes, a.len, b.bytes, b.len, &err), CUSTOS_EMANIFEST);
    assert_string_equal(err.message, "purpose 2 was 'analytics.reporting.system.performance' and is now "
                                     "'marketing.advertising': an id is never reused for another meaning; give the "
                                     "new purpose a new id");
    custos_manifest_pb *ma = NULL, *mb = NULL;
    assert_int_equal(custos__manifest_decode(NULL, a.bytes, a.len, &ma, NULL), CUSTOS_OK);
    assert_int_equal(custos__manifest_decode(NULL, b.bytes, b.len, &mb, NULL), CUSTOS_OK);
    custos_purpose_change *pc = NULL;
    assert_int_equal(custos__manifest_diff(NULL, ma, mb, &pc, &n), CUSTOS_EMANIFEST);
    assert_null(pc);
    custos__manifest_free(ma);
    custos__manifest_free(mb);
    release(&a);
    release(&b);
}

static void test_retiring_a_purpose_compiles_with_previous_and_diffs_as_removed(void **state)
{
    (void)state;
    compiled v1 = compile_file(data_path("valid/minimal.yaml"), NULL);
    size_t len;
    char *text = read_text(data_path("valid/minimal.yaml"), &len);
    char *cut = strstr(text, "  - id: 2\n    key: analytics");
    assert_non_null(cut);
    *cut = '\0';
    char v2text[4096];
    snprintf(v2text, sizeof v2text, "%s", text);
    char *pv = strstr(v2text, "policy_version: 1");
    pv[16] = '2';
    strcat(v2text, "retired:\n  purposes:\n    - {id: 2, key: analytics.reporting.system.performance}\n");
    compiled v2 = compile_text(v2text, strlen(v2text), &v1);
    custos_manifest_change *ch = NULL;
    size_t n = 0;
    custos_manifest_error err;
    assert_int_equal(custos_manifest_diff(&ch, &n, v1.bytes, v1.len, v2.bytes, v2.len, &err), CUSTOS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ch[0].purpose, 2);
    assert_int_equal(ch[0].reasons, CUSTOS_MANIFEST_CHANGE_REMOVED);
    assert_int_equal(ch[0].needs_consent, 0);
    /* And the next version must keep the retired id, with its key. */
    compiled v3 = compile_text(v2text, strlen(v2text), &v2);
    custos_manifest_free(ch);
    free(text);
    release(&v1);
    release(&v2);
    release(&v3);
}

static void test_recompiling_the_same_declaration_with_previous_needs_no_new_version(void **state)
{
    (void)state;
    compiled v1 = compile_file(data_path("valid/minimal.yaml"), NULL);
    compiled again = compile_file(data_path("valid/minimal.yaml"), &v1);
    assert_memory_equal(v1.id, again.id, CUSTOS_HASH_BYTES);
    release(&v1);
    release(&again);
}

static void test_corrupt_previous_is_ecorrupt(void **state)
{
    (void)state;
    compiled v1 = compile_file(data_path("valid/minimal.yaml"), NULL);
    v1.bytes[v1.len / 2] ^= 1;
    size_t len;
    char *text = read_text(data_path("valid/minimal.yaml"), &len);
    custos_manifest_compile_options o = CUSTOS_MANIFEST_COMPILE_OPTIONS_INIT;
    o.previous = v1.bytes;
    o.previous_len = v1.len;
    uint8_t *out = NULL;
    size_t out_len = 0;
    custos_manifest_error err;
    assert_int_equal(custos_manifest_compile(&out, &out_len, NULL, text, len, "m.yaml", &o, &err), CUSTOS_ECORRUPT);
    assert_null(out);
    assert_string_equal(err.message, "the previous manifest: compiled manifest checksum does not match: the file was altered");
    free(text);
    release(&v1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_three_examples_and_camera_v2_compile),
        cmocka_unit_test(test_compiling_twice_gives_the_same_bytes),
        cmocka_unit_test(test_shuffled_key_and_list_order_gives_the_same_id),
        cmocka_unit_test(test_id_is_blake2b_of_the_payload),
        cmocka_unit_test(test_check_accepts_the_examples_and_refuses_like_compile),
        cmocka_unit_test(test_crosswalk_defaults_come_from_the_taxonomy),
        cmocka_unit_test(test_explicit_crosswalk_value_replaces_the_default),
        cmocka_unit_test(test_lookups_find_ids_and_fall_back_to_english),
        cmocka_unit_test(test_show_prints_summary_and_json),
        cmocka_unit_test(test_yaml_larger_than_the_limit_is_refused),
        cmocka_unit_test(test_bad_arguments_are_einval),
        cmocka_unit_test(test_camera_v2_asks_consent_again_only_for_the_purpose_with_a_new_recipient),
        cmocka_unit_test(test_diff_detects_a_new_category),
        cmocka_unit_test(test_diff_detects_a_new_recipient),
        cmocka_unit_test(test_diff_detects_a_recipient_moving_abroad),
        cmocka_unit_test(test_diff_detects_longer_retention),
        cmocka_unit_test(test_diff_detects_retention_until_an_event_as_longer),
        cmocka_unit_test(test_diff_detects_a_changed_legal_basis),
        cmocka_unit_test(test_diff_detects_a_new_storage_location),
        cmocka_unit_test(test_diff_detects_a_longer_consent_lifetime),
        cmocka_unit_test(test_diff_names_several_reasons_together),
        cmocka_unit_test(test_diff_reports_a_new_purpose),
        cmocka_unit_test(test_shorter_retention_is_not_material),
        cmocka_unit_test(test_text_only_change_is_not_material),
        cmocka_unit_test(test_removing_a_recipient_is_not_material),
        cmocka_unit_test(test_diff_refuses_an_id_reused_with_another_meaning),
        cmocka_unit_test(test_retiring_a_purpose_compiles_with_previous_and_diffs_as_removed),
        cmocka_unit_test(test_recompiling_the_same_declaration_with_previous_needs_no_new_version),
        cmocka_unit_test(test_corrupt_previous_is_ecorrupt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
