/* Disclosures: the API's contract, its refusals, and what each format says. */
#include "harness.h"

#include <custos/disclose.h>
#include "manifest/manifest_private.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A small product: one category kept on the device, purposes added by tests. */
static const char head[] =
    "custos: 1\n"
    "product:\n"
    "  name: Test Thermostat\n"
    "  model: TT-1\n"
    "  policy_version: 3\n"
    "  jurisdictions: [JP-APPI]\n"
    "  languages: [en, ja]\n"
    "  controller: {name: Test Devices K.K., address: 1-1 Test Tokyo, contact: privacy@example.com, country: JP}\n"
    "subjects: [owner]\n"
    "stores:\n"
    "  play: {encrypted_in_transit: true, account_creation: [PSL_ACM_NONE]}\n";

static const char room_category[] =
    "categories:\n"
    "  - id: 1\n"
    "    key: user.sensor.environment\n"
    "    name: {en: Room temperature, ja: 室温}\n";

static const char operate_purpose[] =
    "  - id: 1\n"
    "    key: essential.service.device_operation\n"
    "    name: {en: Keep the room warm, ja: 室温の調整}\n"
    "    legal_basis: contract\n"
    "    necessity: required\n"
    "    categories: [1]\n"
    "    retention: P30D\n"
    "    locations: [device]\n";

typedef struct compiled {
    uint8_t *bytes;
    size_t len;
} compiled;

static compiled compile_yaml(const char *categories, const char *purposes)
{
    char yaml[8192];
    snprintf(yaml, sizeof yaml, "%s%spurposes:\n%s", head, categories, purposes);
    compiled c = { NULL, 0 };
    custos_manifest_error err;
    int rc = custos_manifest_compile(&c.bytes, &c.len, NULL, yaml, strlen(yaml), "test.yaml", NULL, &err);
    if (rc != CUSTOS_OK)
        fail_msg("test manifest did not compile: %s", err.message);
    return c;
}

static compiled simple(void)
{
    return compile_yaml(room_category, operate_purpose);
}

static void drop(compiled c)
{
    custos_manifest_free(c.bytes);
}

/* The compiler always fills a store type from the taxonomy, so a manifest
 * without one is made here: decode, clear the field, re-frame. */
static compiled without_store_types(compiled c, uint32_t category)
{
    custos_manifest_pb *m = NULL;
    assert_int_equal(custos__manifest_decode(NULL, c.bytes, c.len, &m, NULL), CUSTOS_OK);
    custos_category_pb *cat = (custos_category_pb *)custos__manifest_category(m, category);
    assert_non_null(cat);
    char *apple = cat->apple_type, *play = cat->play_type;
    cat->apple_type = NULL;
    cat->play_type = NULL;
    compiled out = { NULL, 0 };
    assert_int_equal(custos_manifest__encode(&out.bytes, &out.len, m, NULL), CUSTOS_OK);
    cat->apple_type = apple;
    cat->play_type = play;
    custos__manifest_free(m);
    custos_manifest_free(c.bytes);
    return out;
}

/* Generate, asserting success; the caller frees with custos_disclose_free. */
static char *gen(compiled c, custos_disclose_format f, const char *lang)
{
    custos_disclose_options opts = CUSTOS_DISCLOSE_OPTIONS_INIT;
    opts.lang = lang;
    custos_manifest_error err = { { 0 }, 0, 0 };
    char *out = NULL;
    size_t len = 0;
    int rc = custos_disclose(&out, &len, c.bytes, c.len, f, &opts, &err);
    if (rc != CUSTOS_OK)
        fail_msg("%s failed: %s", custos_disclose_format_name(f), err.message);
    assert_int_equal(strlen(out), len);
    return out;
}

/* Generate, expecting failure; returns the code, err receives the detail. */
static int gen_fails(compiled c, custos_disclose_format f, custos_manifest_error *err)
{
    char *out = (char *)1;
    size_t len = 1;
    int rc = custos_disclose(&out, &len, c.bytes, c.len, f, NULL, err);
    assert_null(out);
    assert_int_equal(len, 0);
    return rc;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* --- formats and arguments ---------------------------------------------- */

static void test_unknown_format_name_lists_the_valid_ones(void **state)
{
    (void)state;
    custos_disclose_format f;
    custos_manifest_error err;
    assert_int_equal(custos_disclose_format_parse(&f, "pdf", &err), CUSTOS_EINVAL);
    assert_non_null(strstr(err.message, "'pdf'"));
    for (int i = CUSTOS_DISCLOSE_FORMAT_FIRST; i <= CUSTOS_DISCLOSE_FORMAT_LAST; i++)
        assert_non_null(strstr(err.message, custos_disclose_format_name((custos_disclose_format)i)));
}

static void test_every_format_name_parses_back_to_its_format(void **state)
{
    (void)state;
    for (int i = CUSTOS_DISCLOSE_FORMAT_FIRST; i <= CUSTOS_DISCLOSE_FORMAT_LAST; i++) {
        custos_disclose_format f;
        assert_int_equal(custos_disclose_format_parse(&f, custos_disclose_format_name((custos_disclose_format)i),
                                                      NULL), CUSTOS_OK);
        assert_int_equal(f, i);
    }
    assert_null(custos_disclose_format_name((custos_disclose_format)0));
}

static void test_unknown_format_number_is_einval(void **state)
{
    (void)state;
    compiled c = simple();
    custos_manifest_error err;
    assert_int_equal(gen_fails(c, (custos_disclose_format)99, &err), CUSTOS_EINVAL);
    assert_non_null(strstr(err.message, "valid formats"));
    drop(c);
}

static void test_missing_manifest_is_einval(void **state)
{
    (void)state;
    char *out = NULL;
    size_t len = 0;
    custos_manifest_error err;
    assert_int_equal(custos_disclose(&out, &len, NULL, 0, CUSTOS_DISCLOSE_DPV_JSONLD, NULL, &err), CUSTOS_EINVAL);
    assert_non_null(strstr(err.message, "no compiled manifest"));
}

static void test_truncated_manifest_is_ecorrupt(void **state)
{
    (void)state;
    compiled c = simple();
    c.len -= 1;
    custos_manifest_error err;
    assert_int_equal(gen_fails(c, CUSTOS_DISCLOSE_NOTICE_MD, &err), CUSTOS_ECORRUPT);
    c.len += 1;
    drop(c);
}

static void test_altered_manifest_is_ecorrupt(void **state)
{
    (void)state;
    compiled c = simple();
    c.bytes[20] ^= 0x01;
    custos_manifest_error err;
    assert_int_equal(gen_fails(c, CUSTOS_DISCLOSE_XCPRIVACY, &err), CUSTOS_ECORRUPT);
    assert_non_null(strstr(err.message, "checksum"));
    drop(c);
}

/* The simple manifest's Markdown notice with these options is CUSTOS_EINVAL,
 * with want in the message (NULL: the error report is not asked for). */
static void refused_option(custos_disclose_options opts, const char *want)
{
    compiled c = simple();
    custos_manifest_error err;
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(custos_disclose(&out, &len, c.bytes, c.len, CUSTOS_DISCLOSE_NOTICE_MD, &opts,
                                     want != NULL ? &err : NULL),
                     CUSTOS_EINVAL);
    if (want != NULL)
        assert_non_null(strstr(err.message, want));
    drop(c);
}

static void test_unsupported_language_is_einval(void **state)
{
    (void)state;
    custos_disclose_options opts = CUSTOS_DISCLOSE_OPTIONS_INIT;
    opts.lang = "fr";
    refused_option(opts, "'fr'");
}

static void test_date_that_is_not_iso_8601_is_einval(void **state)
{
    (void)state;
    custos_disclose_options opts = CUSTOS_DISCLOSE_OPTIONS_INIT;
    opts.date = "21/11/2026";
    refused_option(opts, "YYYY-MM-DD");
}

static void test_options_of_another_version_are_einval(void **state)
{
    (void)state;
    custos_disclose_options opts = CUSTOS_DISCLOSE_OPTIONS_INIT;
    opts.version = 99;
    refused_option(opts, NULL);
}

static void test_file_name_too_small_buffer_gives_needed_size(void **state)
{
    (void)state;
    char small[4];
    size_t need = 0;
    assert_int_equal(custos_disclose_file_name(small, sizeof small, &need, CUSTOS_DISCLOSE_NOTICE_HTML, "ja"),
                     CUSTOS_ERANGE);
    assert_int_equal(need, strlen("privacy-notice.ja.html") + 1);
    char name[64];
    assert_int_equal(custos_disclose_file_name(name, sizeof name, &need, CUSTOS_DISCLOSE_XCPRIVACY, NULL),
                     CUSTOS_OK);
    assert_string_equal(name, "PrivacyInfo.xcprivacy");
}

/* --- determinism -------------------------------------------------------- */

static void test_same_manifest_gives_the_same_bytes(void **state)
{
    (void)state;
    compiled c = simple();
    for (int i = CUSTOS_DISCLOSE_FORMAT_FIRST; i <= CUSTOS_DISCLOSE_FORMAT_LAST; i++) {
        char *a = gen(c, (custos_disclose_format)i, "ja");
        char *b = gen(c, (custos_disclose_format)i, "ja");
        assert_string_equal(a, b);
        custos_disclose_free(a);
        custos_disclose_free(b);
    }
    drop(c);
}

static void test_date_is_printed_only_when_given(void **state)
{
    (void)state;
    compiled c = simple();
    char *plain = gen(c, CUSTOS_DISCLOSE_NOTICE_MD, "en");
    assert_null(strstr(plain, ", dated"));
    custos_disclose_options opts = CUSTOS_DISCLOSE_OPTIONS_INIT;
    opts.date = "2026-11-21";
    char *dated = NULL;
    size_t len = 0;
    assert_int_equal(custos_disclose(&dated, &len, c.bytes, c.len, CUSTOS_DISCLOSE_NOTICE_MD, &opts, NULL),
                     CUSTOS_OK);
    assert_non_null(strstr(dated, ", dated 2026-11-21"));
    custos_disclose_free(plain);
    custos_disclose_free(dated);
    drop(c);
}

/* --- store mappings: refuse, never guess -------------------------------- */

/* user.authorization.password has no Apple or Play type in the taxonomy. */
static const char password_category[] =
    "categories:\n"
    "  - id: 1\n"
    "    key: user.sensor.environment\n"
    "    name: {en: Room temperature, ja: 室温}\n"
    "  - id: 9\n"
    "    key: user.authorization.password\n"
    "    name: {en: Password, ja: パスワード}\n";

static const char cloud_login[] =
    "  - id: 2\n"
    "    key: essential.service.authentication\n"
    "    name: {en: Sign in, ja: サインイン}\n"
    "    legal_basis: contract\n"
    "    necessity: required\n"
    "    categories: [9]\n"
    "    retention: P30D\n"
    "    locations: [cloud]\n";

static const char device_login[] =
    "  - id: 2\n"
    "    key: essential.service.authentication\n"
    "    name: {en: Sign in, ja: サインイン}\n"
    "    legal_basis: contract\n"
    "    necessity: required\n"
    "    categories: [9]\n"
    "    retention: P30D\n"
    "    locations: [device]\n";

static void test_collected_category_without_apple_type_is_refused_by_name(void **state)
{
    (void)state;
    char purposes[2048];
    snprintf(purposes, sizeof purposes, "%s%s", operate_purpose, cloud_login);
    compiled c = without_store_types(compile_yaml(password_category, purposes), 9);
    custos_manifest_error err;
    assert_int_equal(gen_fails(c, CUSTOS_DISCLOSE_XCPRIVACY, &err), CUSTOS_EMANIFEST);
    assert_non_null(strstr(err.message, "category 9 'user.authorization.password'"));
    assert_non_null(strstr(err.message, "Apple"));
    drop(c);
}

static void test_collected_category_without_play_type_is_refused_by_name(void **state)
{
    (void)state;
    char purposes[2048];
    snprintf(purposes, sizeof purposes, "%s%s", operate_purpose, cloud_login);
    compiled c = without_store_types(compile_yaml(password_category, purposes), 9);
    custos_manifest_error err;
    assert_int_equal(gen_fails(c, CUSTOS_DISCLOSE_PLAY_CSV, &err), CUSTOS_EMANIFEST);
    assert_non_null(strstr(err.message, "category 9 'user.authorization.password'"));
    assert_non_null(strstr(err.message, "Google Play"));
    assert_int_equal(gen_fails(c, CUSTOS_DISCLOSE_ANDROID_LABELS, &err), CUSTOS_EMANIFEST);
    drop(c);
}

static void test_collected_purpose_without_play_purpose_is_refused_by_name(void **state)
{
    (void)state;
    static const char ai[] =
        "  - id: 4\n"
        "    key: train_ai_system\n"
        "    name: {en: Learn, ja: 学習}\n"
        "    legal_basis: consent\n"
        "    necessity: optional\n"
        "    categories: [1]\n"
        "    retention: P90D\n"
        "    locations: [cloud]\n";
    char purposes[2048];
    snprintf(purposes, sizeof purposes, "%s%s", operate_purpose, ai);
    compiled c = compile_yaml(room_category, purposes);
    custos_manifest_error err;
    assert_int_equal(gen_fails(c, CUSTOS_DISCLOSE_PLAY_CSV, &err), CUSTOS_EMANIFEST);
    assert_non_null(strstr(err.message, "purpose 4 'train_ai_system'"));
    assert_non_null(strstr(err.message, "play_purposes"));
    drop(c);
}

static void test_category_declared_as_other_type_is_disclosed_as_other(void **state)
{
    (void)state;
    /* Video would default to PhotosorVideos / PSL_VIDEOS: the manifest's
     * explicit "other" mapping must win. */
    static const char explicit_other[] =
        "categories:\n"
        "  - id: 1\n"
        "    key: user.sensor.environment\n"
        "    name: {en: Room temperature, ja: 室温}\n"
        "  - id: 9\n"
        "    key: user.sensor.video\n"
        "    name: {en: Thermal image, ja: 熱画像}\n"
        "    apple_type: NSPrivacyCollectedDataTypeOtherDataTypes\n"
        "    play_type: PSL_OTHER_PERSONAL\n";
    char purposes[2048];
    snprintf(purposes, sizeof purposes, "%s%s", operate_purpose, cloud_login);
    compiled c = compile_yaml(explicit_other, purposes);
    char *plist = gen(c, CUSTOS_DISCLOSE_XCPRIVACY, NULL);
    assert_non_null(strstr(plist, "<string>NSPrivacyCollectedDataTypeOtherDataTypes</string>"));
    assert_null(strstr(plist, "PhotosorVideos"));
    char *csv = gen(c, CUSTOS_DISCLOSE_PLAY_CSV, NULL);
    assert_non_null(strstr(csv, "PSL_DATA_TYPES_PERSONAL,PSL_OTHER_PERSONAL,TRUE,"));
    assert_non_null(strstr(csv, "PSL_DATA_TYPES_PHOTOS_AND_VIDEOS,PSL_VIDEOS,,"));
    custos_disclose_free(plist);
    custos_disclose_free(csv);
    drop(c);
}

static void test_category_kept_on_device_needs_no_store_type(void **state)
{
    (void)state;
    char purposes[2048];
    snprintf(purposes, sizeof purposes, "%s%s", operate_purpose, device_login);
    compiled c = without_store_types(compile_yaml(password_category, purposes), 9);
    char *plist = gen(c, CUSTOS_DISCLOSE_XCPRIVACY, NULL);
    assert_non_null(strstr(plist, "<key>NSPrivacyCollectedDataTypes</key>\n\t<array/>"));
    char *csv = gen(c, CUSTOS_DISCLOSE_PLAY_CSV, NULL);
    assert_non_null(strstr(csv, "PSL_DATA_COLLECTION_COLLECTS_PERSONAL_DATA,,FALSE,"));
    custos_disclose_free(plist);
    custos_disclose_free(csv);
    drop(c);
}

/* --- what the store labels say ----------------------------------------- */

static const char two_clouds[] =
    "  - id: 2\n"
    "    key: analytics.reporting.system.performance\n"
    "    name: {en: Improve heating, ja: 暖房の改善}\n"
    "    legal_basis: consent\n"
    "    necessity: optional\n"
    "    categories: [1]\n"
    "    retention: P1Y6M\n"
    "    consent_lifetime: P1Y\n"
    "    locations: [cloud]\n"
    "    recipients:\n"
    "      - {name: Hosting Co., country: JP, role: processor}\n"
    "  - id: 3\n"
    "    key: marketing.advertising.third_party.targeted\n"
    "    name: {en: Energy offers, ja: 省エネのご提案}\n"
    "    legal_basis: consent\n"
    "    necessity: optional\n"
    "    categories: [1]\n"
    "    retention: {until: ownership_transfer}\n"
    "    locations: [cloud]\n"
    "    recipients:\n"
    "      - {name: Power Partner Inc., country: US, role: third_party, appi_route: equivalent_system, measures: {en: Bound by our contract., ja: 当社との契約に従います。}}\n";

static compiled clouds(void)
{
    char purposes[4096];
    snprintf(purposes, sizeof purposes, "%s%s", operate_purpose, two_clouds);
    return compile_yaml(room_category, purposes);
}

static void test_third_party_recipient_is_sharing_but_processor_is_not(void **state)
{
    (void)state;
    compiled c = clouds();
    char *csv = gen(c, CUSTOS_DISCLOSE_PLAY_CSV, NULL);
    /* Room temperature maps to PSL_OTHER_APP_ACTIVITY (taxonomy). */
    assert_non_null(strstr(csv, "PSL_DATA_USAGE_RESPONSES:PSL_OTHER_APP_ACTIVITY:PSL_DATA_USAGE_COLLECTION_AND_SHARING,"
                                "PSL_DATA_USAGE_ONLY_SHARED,TRUE,"));
    char *labels = gen(c, CUSTOS_DISCLOSE_ANDROID_LABELS, NULL);
    assert_non_null(strstr(labels, "<boolean name=\"is_sharing_optional\" value=\"true\" />"));
    custos_disclose_free(csv);
    custos_disclose_free(labels);
    drop(c);
}

/* AOSP's aslgen refuses version 2 without system_app_safety_label and
 * transparency_info; Play writes version 1. An address is AOSP's
 * personal/physical_address; the security labels repeat the CSV's answers. */
static void test_android_labels_are_version_1_with_address_and_security_labels(void **state)
{
    (void)state;
    static const char address[] =
        "categories:\n"
        "  - id: 1\n"
        "    key: user.contact.address\n"
        "    name: {en: Delivery address, ja: 配送先住所}\n";
    static const char send[] =
        "  - id: 1\n"
        "    key: essential.service\n"
        "    name: {en: Deliver parts, ja: 部品の配送}\n"
        "    legal_basis: contract\n"
        "    necessity: required\n"
        "    categories: [1]\n"
        "    retention: P30D\n"
        "    locations: [cloud]\n";
    compiled c = compile_yaml(address, send);
    char *labels = gen(c, CUSTOS_DISCLOSE_ANDROID_LABELS, NULL);
    assert_non_null(strstr(labels, "<bundle>\n    <long name=\"version\" value=\"1\" />\n"));
    assert_non_null(strstr(labels, "<pbundle_as_map name=\"personal\">\n"
                                   "                    <pbundle_as_map name=\"physical_address\">"));
    assert_null(strstr(labels, "name=\"other\""));
    assert_non_null(strstr(labels, "<pbundle_as_map name=\"security_labels\">\n"
                                   "            <boolean name=\"is_data_deletable\" value=\"true\" />\n"
                                   "            <boolean name=\"is_data_encrypted\" value=\"true\" />\n"));
    custos_disclose_free(labels);
    drop(c);
}

static void test_processor_only_purpose_is_not_shared(void **state)
{
    (void)state;
    static const char processor_only[] =
        "  - id: 2\n"
        "    key: analytics.reporting.system.performance\n"
        "    name: {en: Improve heating, ja: 暖房の改善}\n"
        "    legal_basis: consent\n"
        "    necessity: optional\n"
        "    categories: [1]\n"
        "    retention: P90D\n"
        "    locations: [cloud]\n"
        "    recipients:\n"
        "      - {name: Hosting Co., country: JP, role: processor}\n";
    char purposes[4096];
    snprintf(purposes, sizeof purposes, "%s%s", operate_purpose, processor_only);
    compiled c = compile_yaml(room_category, purposes);
    char *csv = gen(c, CUSTOS_DISCLOSE_PLAY_CSV, NULL);
    assert_non_null(strstr(csv, "PSL_DATA_USAGE_ONLY_COLLECTED,TRUE,"));
    assert_null(strstr(csv, "PSL_DATA_USAGE_ONLY_SHARED,TRUE,"));
    custos_disclose_free(csv);
    drop(c);
}

static void test_data_is_optional_only_if_every_collecting_purpose_is(void **state)
{
    (void)state;
    compiled c = clouds();
    char *csv = gen(c, CUSTOS_DISCLOSE_PLAY_CSV, NULL);
    /* Both cloud purposes are optional; the required one stays on the device. */
    assert_non_null(strstr(csv, "PSL_DATA_USAGE_USER_CONTROL_OPTIONAL,TRUE,"));
    assert_null(strstr(csv, "PSL_DATA_USAGE_USER_CONTROL_REQUIRED,TRUE,"));
    custos_disclose_free(csv);
    drop(c);
}

static void test_play_csv_is_the_whole_783_line_template(void **state)
{
    (void)state;
    compiled c = clouds();
    char *csv = gen(c, CUSTOS_DISCLOSE_PLAY_CSV, NULL);
    assert_int_equal(count(csv, "\r\n"), 783);
    assert_int_equal(strncmp(csv, "Question ID (machine readable),Response ID (machine readable),Response value,"
                                  "Answer requirement,Human-friendly question label\r\n", 120), 0);
    custos_disclose_free(csv);
    drop(c);
}

static void test_xcprivacy_has_one_entry_per_apple_type(void **state)
{
    (void)state;
    compiled c = clouds();
    char *plist = gen(c, CUSTOS_DISCLOSE_XCPRIVACY, NULL);
    assert_int_equal(count(plist, "<key>NSPrivacyCollectedDataType</key>"), 1);
    assert_int_equal(count(plist, "<key>NSPrivacyCollectedDataTypeLinked</key>"), 1);
    assert_int_equal(count(plist, "<key>NSPrivacyCollectedDataTypeTracking</key>"), 1);
    assert_int_equal(count(plist, "<key>NSPrivacyCollectedDataTypePurposes</key>"), 1);
    custos_disclose_free(plist);
    drop(c);
}

/* --- the notice --------------------------------------------------------- */

static void test_notice_names_every_purpose_in_every_form(void **state)
{
    (void)state;
    compiled c = clouds();
    static const char *const names[2][3] = {
        { "Keep the room warm", "Improve heating", "Energy offers" },
        { "室温の調整", "暖房の改善", "省エネのご提案" },
    };
    for (int lang = 0; lang < 2; lang++)
        for (int html = 0; html < 2; html++) {
            char *n = gen(c, html ? CUSTOS_DISCLOSE_NOTICE_HTML : CUSTOS_DISCLOSE_NOTICE_MD, lang ? "ja" : "en");
            for (int i = 0; i < 3; i++)
                assert_non_null(strstr(n, names[lang][i]));
            custos_disclose_free(n);
        }
    drop(c);
}

static void test_notice_says_durations_in_words(void **state)
{
    (void)state;
    compiled c = clouds();
    char *en = gen(c, CUSTOS_DISCLOSE_NOTICE_MD, "en");
    char *ja = gen(c, CUSTOS_DISCLOSE_NOTICE_MD, "ja");
    assert_non_null(strstr(en, "1 year and 6 months"));
    assert_non_null(strstr(ja, "1年6か月間"));
    assert_non_null(strstr(en, "until the device passes to a new owner"));
    assert_non_null(strstr(ja, "機器の所有者が変わるまで"));
    assert_non_null(strstr(en, "30 days"));
    assert_non_null(strstr(ja, "30日間"));
    custos_disclose_free(en);
    custos_disclose_free(ja);
    drop(c);
}

static void test_notice_names_recipient_country_and_appi_transfer(void **state)
{
    (void)state;
    compiled c = clouds();
    char *ja = gen(c, CUSTOS_DISCLOSE_NOTICE_MD, "ja");
    assert_non_null(strstr(ja, "Power Partner Inc."));
    assert_non_null(strstr(ja, "（米国）"));
    /* Art. 28 by the equivalent-system route, and Art. 27 for a third party. */
    const char *at = strstr(ja, "<!--custos:appi.28#3.1-->外国にある第三者への提供");
    assert_non_null(at);
    assert_non_null(strstr(at, "基準適合体制"));
    assert_non_null(strstr(ja, "<!--custos:appi.27#3.1-->この第三者提供は、あなたの同意を得て行います"));
    /* The processor in Japan is neither. */
    assert_null(strstr(ja, "appi.28#2.1"));
    assert_null(strstr(ja, "appi.27#2.1"));
    custos_disclose_free(ja);
    drop(c);
}

/* One category under both laws; the notice in lang. */
static char *notice_for_category(const char *key, const char *lang)
{
    char cats[512];
    snprintf(cats, sizeof cats, "categories:\n  - id: 1\n    key: %s\n    name: {en: Data, ja: データ}\n", key);
    compiled c = compile_yaml(cats, "  - id: 1\n    key: essential.service.device_operation\n"
                                    "    name: {en: Operate, ja: 動作}\n    legal_basis: consent\n"
                                    "    necessity: optional\n    categories: [1]\n    retention: P30D\n"
                                    "    consent_lifetime: P1Y\n    locations: [device]\n"
                                    "    special_condition: explicit_consent\n");
    char *text = gen(c, CUSTOS_DISCLOSE_NOTICE_MD, lang);
    drop(c);
    return text;
}

static void test_face_data_is_an_identification_code_not_special_care_information(void **state)
{
    (void)state;
    char *ja = notice_for_category("user.biometric", "ja");
    assert_non_null(strstr(ja, "個人識別符号"));
    assert_null(strstr(ja, "要配慮個人情報"));
    assert_null(strstr(ja, "appi.20.2"));
    /* The product is sold under JP-APPI only: GDPR's special category is not said. */
    assert_null(strstr(ja, "特別な種類の個人データ"));
    custos_disclose_free(ja);
}

static void test_medical_data_is_special_care_information_acquired_with_consent(void **state)
{
    (void)state;
    char *ja = notice_for_category("user.health_and_medical", "ja");
    assert_non_null(strstr(ja, "<!--custos:appi.20.2#1-->（要配慮個人情報。"));
    assert_null(strstr(ja, "個人識別符号"));
    custos_disclose_free(ja);
    char *en = notice_for_category("user.health_and_medical", "en");
    assert_non_null(strstr(en, "special care-required personal information under the APPI"));
    custos_disclose_free(en);
}

static void test_ja_notice_uses_the_ppc_terms(void **state)
{
    (void)state;
    compiled c = clouds();
    char *ja = gen(c, CUSTOS_DISCLOSE_NOTICE_MD, "ja");
    assert_null(strstr(ja, "取り消"));
    assert_null(strstr(ja, "取り扱いの"));
    assert_non_null(strstr(ja, "同意の撤回"));
    assert_non_null(strstr(ja, "取扱いの根拠"));
    assert_non_null(strstr(ja, "第三者提供の停止"));
    assert_non_null(strstr(ja, "第三者提供記録の開示"));
    custos_disclose_free(ja);
    drop(c);
}

static void test_notice_escapes_markup_in_manifest_text(void **state)
{
    (void)state;
    static const char markup[] =
        "categories:\n"
        "  - id: 1\n"
        "    key: user.sensor.environment\n"
        "    name: {en: \"<b>Temp</b> & *stars*\", ja: 室温}\n";
    compiled c = compile_yaml(markup, operate_purpose);
    char *html = gen(c, CUSTOS_DISCLOSE_NOTICE_HTML, "en");
    assert_null(strstr(html, "<b>Temp"));
    assert_non_null(strstr(html, "&lt;b&gt;Temp&lt;/b&gt; &amp; *stars*"));
    char *md = gen(c, CUSTOS_DISCLOSE_NOTICE_MD, "en");
    assert_non_null(strstr(md, "\\<b\\>Temp\\</b\\> & \\*stars\\*"));
    custos_disclose_free(html);
    custos_disclose_free(md);
    drop(c);
}

/* --- evidence ----------------------------------------------------------- */

/* The support of ICS row ref: the text after its "support" key, up to the next row. */
static int ics_support_is(const char *ics, const char *ref, const char *support)
{
    char key[64], want[96];
    snprintf(key, sizeof key, "\"reference\": \"%s\"", ref);
    snprintf(want, sizeof want, "\"support\": \"%s\"", support);
    const char *row = strstr(ics, key);
    assert_non_null(row);
    const char *next = strstr(row + 1, "\"reference\"");
    const char *hit = strstr(row, want);
    return hit != NULL && (next == NULL || hit < next);
}

static void test_ics_consent_provisions_not_applicable_without_consent(void **state)
{
    (void)state;
    static const char *const rows[] = { "6-2", "6-3A", "6-3B" };
    compiled c = simple();
    char *ics = gen(c, CUSTOS_DISCLOSE_ICS_JSON, NULL);
    for (size_t i = 0; i < 3; i++)
        assert_true(ics_support_is(ics, rows[i], "N/A"));
    custos_disclose_free(ics);
    drop(c);
    c = clouds();
    ics = gen(c, CUSTOS_DISCLOSE_ICS_JSON, NULL);
    for (size_t i = 0; i < 3; i++)
        assert_true(ics_support_is(ics, rows[i], "Yes"));
    custos_disclose_free(ics);
    drop(c);
}

static void test_ics_leaves_product_rows_to_the_manufacturer(void **state)
{
    (void)state;
    static const char *const product[] = { "5.1-1", "5.2-1", "5.3-2", "5.5-1", "5.6-4A" };
    compiled c = clouds();
    char *ics = gen(c, CUSTOS_DISCLOSE_ICS_JSON, NULL);
    for (size_t i = 0; i < sizeof product / sizeof product[0]; i++)
        assert_true(ics_support_is(ics, product[i], "to be stated by the manufacturer"));
    assert_true(ics_support_is(ics, "5.11-1", "Yes"));
    assert_null(strstr(ics, "\"reference\": \"5.2\""));  /* no collapsed clause rows */
    custos_disclose_free(ics);
    drop(c);
}

static void test_jcstar_cites_only_confirmed_requirement_ids(void **state)
{
    (void)state;
    compiled c = simple();
    char *sheet = gen(c, CUSTOS_DISCLOSE_JCSTAR_MD, NULL);
    static const char *const unconfirmed[] = { "S1.1-09", "S1.1-11", "S1.1-13", "S1.1-14" };
    for (size_t i = 0; i < sizeof unconfirmed / sizeof unconfirmed[0]; i++)
        assert_null(strstr(sheet, unconfirmed[i]));
    assert_non_null(strstr(sheet, "| S1.1-08 |"));
    assert_non_null(strstr(sheet, "| S1.1-15 |"));
    assert_non_null(strstr(sheet, "item 11 of 16 (id not confirmed): ETSI EN 303 645 5.4-1"));
    custos_disclose_free(sheet);
    drop(c);
}

/* simple() with a child among the subjects. */
static compiled simple_with_child(void)
{
    char yaml[8192];
    const char *at = strstr(head, "subjects: [owner]");
    assert_non_null(at);
    snprintf(yaml, sizeof yaml, "%.*ssubjects: [owner, child]\n%spurposes:\n%s", (int)(at - head), head,
             room_category, operate_purpose);
    compiled c = { NULL, 0 };
    custos_manifest_error err;
    if (custos_manifest_compile(&c.bytes, &c.len, NULL, yaml, strlen(yaml), "test.yaml", NULL, &err) != CUSTOS_OK)
        fail_msg("test manifest did not compile: %s", err.message);
    return c;
}

static void test_en18031_warns_on_acm3_only_without_child_role(void **state)
{
    (void)state;
    compiled c = simple();
    char *sheet = gen(c, CUSTOS_DISCLOSE_EN18031_MD, NULL);
    assert_non_null(strstr(sheet, "WARNING: for childcare or toy equipment"));
    custos_disclose_free(sheet);
    drop(c);
    c = simple_with_child();
    sheet = gen(c, CUSTOS_DISCLOSE_EN18031_MD, NULL);
    assert_null(strstr(sheet, "WARNING"));
    assert_non_null(strstr(sheet, "a child's consent is given by a guardian"));
    custos_disclose_free(sheet);
    drop(c);
}

/* The ICS with the maker's answers; returns the code, *out the text on success. */
static int ics_with_answers(compiled c, const char *yaml, char **out, custos_manifest_error *err)
{
    custos_disclose_options opts = CUSTOS_DISCLOSE_OPTIONS_INIT;
    opts.ics_answers = yaml;
    opts.ics_answers_len = strlen(yaml);
    size_t len = 0;
    *out = NULL;
    return custos_disclose(out, &len, c.bytes, c.len, CUSTOS_DISCLOSE_ICS_JSON, &opts, err);
}

static void test_ics_answers_fill_the_manufacturer_rows(void **state)
{
    (void)state;
    compiled c = simple();
    custos_manifest_error err = { { 0 }, 0, 0 };
    char *ics = NULL;
    assert_int_equal(ics_with_answers(c, "provisions:\n"
                                         "  \"5.1-1\": {support: \"Yes\", detail: Own password per unit., evidence: TR-12 4.1}\n"
                                         "  \"5.6-4B\": {support: N/A, detail: No physical debug port.}\n",
                                      &ics, &err), CUSTOS_OK);
    assert_true(ics_support_is(ics, "5.1-1", "Yes"));
    assert_non_null(strstr(ics, "\"manufacturer\": \"TR-12 4.1\""));
    assert_true(ics_support_is(ics, "5.6-4B", "N/A"));
    assert_true(ics_support_is(ics, "5.1-2", "to be stated by the manufacturer"));
    custos_disclose_free(ics);
    /* Version 1 options carry no answers: the rows stay open. */
    custos_disclose_options v1 = { 1, NULL, NULL, "provisions: {}", 14 };
    size_t len = 0;
    assert_int_equal(custos_disclose(&ics, &len, c.bytes, c.len, CUSTOS_DISCLOSE_ICS_JSON, &v1, &err), CUSTOS_OK);
    assert_true(ics_support_is(ics, "5.1-1", "to be stated by the manufacturer"));
    custos_disclose_free(ics);
    drop(c);
}

/* V2.1.1 on request: its 67 provisions, the A/B pairs joined at the level of their stricter half. */
static void test_ics_edition_v2_joins_the_pairs(void **state)
{
    (void)state;
    compiled c = simple();
    custos_manifest_error err = { { 0 }, 0, 0 };
    char *ics = NULL;
    assert_int_equal(ics_with_answers(c, "edition: V2.1.1\nprovisions:\n"
                                         "  \"5.6-4\": {support: N/A, detail: No debug interface.}\n",
                                      &ics, &err), CUSTOS_OK);
    assert_non_null(strstr(ics, "\"edition\": \"V2.1.1 (Annex B, Table B.1)\""));
    assert_true(ics_support_is(ics, "5.6-4", "N/A"));
    assert_non_null(strstr(ics, "\"v3\": \"5.6-4A MF(q); 5.6-4B RF(r)\""));
    assert_null(strstr(ics, "\"5.0-1\""));
    assert_null(strstr(ics, "\"6-6\""));
    assert_null(strstr(ics, "\"5.1-2A\""));
    size_t rows = 0;
    for (const char *p = ics; (p = strstr(p, "\"reference\"")) != NULL; p++)
        rows++;
    assert_int_equal(rows, 67);
    custos_disclose_free(ics);
    /* Custos's own rows keep their evidence in either edition. */
    assert_int_equal(ics_with_answers(c, "edition: V2.1.1\n", &ics, &err), CUSTOS_OK);
    assert_true(ics_support_is(ics, "5.11-1", "Yes"));
    custos_disclose_free(ics);
    drop(c);
}

static void test_ics_answers_refuse_what_a_lab_would_reject(void **state)
{
    (void)state;
    static const struct { const char *yaml, *message; } bad[] = {
        { "provisions:\n  \"5.2\": {support: \"Yes\", evidence: x}\n", "2:3: '5.2' is not a provision of ETSI EN 303 645 V3" },
        { "provisions:\n  \"5.11-1\": {support: \"Yes\", evidence: x}\n", "5.11-1 is answered by Custos's own evidence" },
        { "provisions:\n  \"5.1-1\": {support: \"Yes\", detail: trust us}\n", "5.1-1 is Yes without evidence" },
        { "provisions:\n  \"5.2-2\": {support: N/A}\n", "5.2-2 is N/A without a justification" },
        { "provisions:\n  \"5.2-2\": {support: Maybe, detail: x}\n", "support 'Maybe' is not known" },
        { "provisions:\n  \"5.2-2\": {support: No, detail: x}\n  \"5.2-2\": {support: No, detail: y}\n",
          "5.2-2 is answered twice" },
        { "provisions:\n  \"5.2-2\": {support: No, detail: x, comment: y}\n", "comment" },
        { "provisions: [5.1-1]\n", "provisions: must map provision ids to answers" },
        { "answers: {}\n", "answers" },
        { "provisions: {\"5.1-1\": [\n", "not valid YAML" },
        { "edition: V4\n", "1:10: edition: 'V4' is not an edition Custos writes" },
        { "edition: V2.1.1\nprovisions:\n  \"5.6-4B\": {support: N/A, detail: x}\n",
          "'5.6-4B' is not a provision of ETSI EN 303 645 V2.1.1" },
        { "provisions:\n  \"5.6-4\": {support: N/A, detail: x}\n", "'5.6-4' is not a provision of ETSI EN 303 645 V3" },
    };
    compiled c = simple();
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        custos_manifest_error err = { { 0 }, 0, 0 };
        char *ics = NULL;
        assert_int_equal(ics_with_answers(c, bad[i].yaml, &ics, &err), CUSTOS_EMANIFEST);
        assert_null(ics);
        if (strstr(err.message, bad[i].message) == NULL)
            fail_msg("case %zu: '%s' does not say '%s'", i, err.message, bad[i].message);
    }
    drop(c);
}

/* --- out of memory ------------------------------------------------------ */

static long alloc_budget; /* allocations left before failing; -1: no limit */

static void *limited_malloc(size_t n, void *user)
{
    (void)user;
    if (alloc_budget == 0)
        return NULL;
    if (alloc_budget > 0)
        alloc_budget--;
    return malloc(n);
}

static void *limited_realloc(void *p, size_t n, void *user)
{
    (void)user;
    if (alloc_budget == 0)
        return NULL;
    if (alloc_budget > 0)
        alloc_budget--;
    return realloc(p, n);
}

static void limited_free(void *p, void *user)
{
    (void)user;
    free(p);
}

static void test_allocation_failure_anywhere_is_enomem_and_leaks_nothing(void **state)
{
    (void)state;
    compiled c = clouds();
    custos_allocator a = { limited_malloc, limited_realloc, limited_free, NULL };
    assert_int_equal(custos_set_allocator(&a), CUSTOS_OK);
    for (int f = CUSTOS_DISCLOSE_FORMAT_FIRST; f <= CUSTOS_DISCLOSE_FORMAT_LAST; f++) {
        int rc = CUSTOS_ENOMEM;
        for (long k = 0; rc == CUSTOS_ENOMEM; k++) {
            alloc_budget = k;
            char *out = NULL;
            size_t len = 0;
            custos_disclose_options opts = CUSTOS_DISCLOSE_OPTIONS_INIT;
            opts.lang = "ja";
            rc = custos_disclose(&out, &len, c.bytes, c.len, (custos_disclose_format)f, &opts, NULL);
            if (rc == CUSTOS_ENOMEM)
                assert_null(out);
            else {
                assert_int_equal(rc, CUSTOS_OK);
                alloc_budget = -1;
                char *full = gen(c, (custos_disclose_format)f, "ja");
                assert_string_equal(out, full);  /* never a silently shortened text */
                custos_disclose_free(full);
                custos_disclose_free(out);
            }
        }
    }
    alloc_budget = -1;
    assert_int_equal(custos_set_allocator(NULL), CUSTOS_OK);
    drop(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_format_name_lists_the_valid_ones),
        cmocka_unit_test(test_every_format_name_parses_back_to_its_format),
        cmocka_unit_test(test_unknown_format_number_is_einval),
        cmocka_unit_test(test_missing_manifest_is_einval),
        cmocka_unit_test(test_truncated_manifest_is_ecorrupt),
        cmocka_unit_test(test_altered_manifest_is_ecorrupt),
        cmocka_unit_test(test_unsupported_language_is_einval),
        cmocka_unit_test(test_date_that_is_not_iso_8601_is_einval),
        cmocka_unit_test(test_options_of_another_version_are_einval),
        cmocka_unit_test(test_file_name_too_small_buffer_gives_needed_size),
        cmocka_unit_test(test_same_manifest_gives_the_same_bytes),
        cmocka_unit_test(test_date_is_printed_only_when_given),
        cmocka_unit_test(test_collected_category_without_apple_type_is_refused_by_name),
        cmocka_unit_test(test_collected_category_without_play_type_is_refused_by_name),
        cmocka_unit_test(test_collected_purpose_without_play_purpose_is_refused_by_name),
        cmocka_unit_test(test_category_declared_as_other_type_is_disclosed_as_other),
        cmocka_unit_test(test_category_kept_on_device_needs_no_store_type),
        cmocka_unit_test(test_third_party_recipient_is_sharing_but_processor_is_not),
        cmocka_unit_test(test_android_labels_are_version_1_with_address_and_security_labels),
        cmocka_unit_test(test_processor_only_purpose_is_not_shared),
        cmocka_unit_test(test_data_is_optional_only_if_every_collecting_purpose_is),
        cmocka_unit_test(test_play_csv_is_the_whole_783_line_template),
        cmocka_unit_test(test_xcprivacy_has_one_entry_per_apple_type),
        cmocka_unit_test(test_notice_names_every_purpose_in_every_form),
        cmocka_unit_test(test_notice_says_durations_in_words),
        cmocka_unit_test(test_notice_names_recipient_country_and_appi_transfer),
        cmocka_unit_test(test_notice_escapes_markup_in_manifest_text),
        cmocka_unit_test(test_ics_consent_provisions_not_applicable_without_consent),
        cmocka_unit_test(test_jcstar_cites_only_confirmed_requirement_ids),
        cmocka_unit_test(test_ics_leaves_product_rows_to_the_manufacturer),
        cmocka_unit_test(test_en18031_warns_on_acm3_only_without_child_role),
        cmocka_unit_test(test_face_data_is_an_identification_code_not_special_care_information),
        cmocka_unit_test(test_medical_data_is_special_care_information_acquired_with_consent),
        cmocka_unit_test(test_ja_notice_uses_the_ppc_terms),
        cmocka_unit_test(test_ics_answers_fill_the_manufacturer_rows),
        cmocka_unit_test(test_ics_answers_refuse_what_a_lab_would_reject),
        cmocka_unit_test(test_ics_edition_v2_joins_the_pairs),
        cmocka_unit_test(test_allocation_failure_anywhere_is_enomem_and_leaks_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
