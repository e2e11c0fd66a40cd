/* Disclosures: the API's contract, its refusals, and what each format says
 * (the evidence formats are in test_disclose_evidence.c). */
#include "disclose_fixture.h"

#include <stdlib.h>

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
        cmocka_unit_test(test_face_data_is_an_identification_code_not_special_care_information),
        cmocka_unit_test(test_medical_data_is_special_care_information_acquired_with_consent),
        cmocka_unit_test(test_ja_notice_uses_the_ppc_terms),
        cmocka_unit_test(test_allocation_failure_anywhere_is_enomem_and_leaks_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
