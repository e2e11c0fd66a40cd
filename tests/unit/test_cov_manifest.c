/*
 * The manifest compiler's finer rules, each shown on a one-line variant of
 * tests/data/manifests/valid/minimal.yaml: what it accepts (language
 * subtags, leap days, optional product fields, retired ids) and what it
 * refuses, with the message that names the cause (CUSTOS_EMANIFEST). The
 * ISO 8601 duration reader is checked directly on a table.
 */
#include "harness.h"
#include "manifest/manifest_private.h"

#include <custos/manifest.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* compile_duration.c (internal; its header needs the build's generated tables). */
int custos_manifest__iso_duration(const char *s, uint64_t *seconds);

static char *minimal(void)
{
    size_t len;
    char *t = (char *)th_read_file(CUSTOS_TEST_DATA "/manifests/valid/minimal.yaml", &len);
    if (t == NULL)
        fail_msg("cannot read minimal.yaml");
    return t;
}

/* minimal.yaml with the first occurrence of find replaced by repl. */
static char *variant(const char *find, const char *repl)
{
    char *base = minimal();
    char *at = strstr(base, find);
    if (at == NULL)
        fail_msg("'%s' is not in minimal.yaml", find);
    size_t n = strlen(base) - strlen(find) + strlen(repl) + 1;
    char *out = malloc(n);
    assert_non_null(out);
    snprintf(out, n, "%.*s%s%s", (int)(at - base), base, repl, at + strlen(find));
    free(base);
    return out;
}

/* The variant compiles; the compiled manifest is returned (free it). */
static uint8_t *accepts(const char *find, const char *repl, size_t *len)
{
    char *y = variant(find, repl);
    uint8_t *out = NULL;
    custos_manifest_error err;
    int rc = custos_manifest_compile(&out, len, NULL, y, strlen(y), "v.yaml", NULL, &err);
    if (rc != CUSTOS_OK)
        fail_msg("'%s' -> '%s': refused (%d): %s", find, repl, rc, err.message);
    free(y);
    return out;
}

static void accepted(const char *find, const char *repl)
{
    size_t len;
    custos_manifest_free(accepts(find, repl, &len));
}

/* The variant is refused with CUSTOS_EMANIFEST and a message containing want. */
static void refused(const char *find, const char *repl, const char *want)
{
    char *y = variant(find, repl);
    custos_manifest_error err;
    int rc = custos_manifest_check(y, strlen(y), "v.yaml", &err);
    if (rc != CUSTOS_EMANIFEST || strstr(err.message, want) == NULL)
        fail_msg("'%s' -> '%s': rc %d, message \"%s\"; expected CUSTOS_EMANIFEST and \"%s\"", find, repl, rc,
                 err.message, want);
    free(y);
}

/* The text is refused with CUSTOS_EMANIFEST and a message containing want. */
static void refused_text(const char *y, const char *want)
{
    custos_manifest_error err;
    int rc = custos_manifest_check(y, strlen(y), "v.yaml", &err);
    if (rc != CUSTOS_EMANIFEST || strstr(err.message, want) == NULL)
        fail_msg("rc %d, message \"%s\"; expected CUSTOS_EMANIFEST and \"%s\"", rc, err.message, want);
}

/* minimal.yaml cut just before the first occurrence of find, then tail. */
static void refused_cut(const char *find, const char *tail, const char *want)
{
    char *base = minimal();
    char *at = strstr(base, find);
    assert_non_null(at);
    size_t n = (size_t)(at - base) + strlen(tail) + 1;
    char *y = malloc(n);
    assert_non_null(y);
    snprintf(y, n, "%.*s%s", (int)(at - base), base, tail);
    refused_text(y, want);
    free(y);
    free(base);
}

static void test_iso_durations_are_read_in_seconds(void **state)
{
    (void)state;
    static const struct { const char *s; uint64_t want; } ok[] = {
        { "P1Y", 365 * 86400ull }, { "P1M", 30 * 86400ull }, { "P2W", 14 * 86400ull },
        { "P1DT1H", 86400 + 3600 }, { "PT1M30S", 90 }, { "P1Y2M3W4DT5H6M7S", 0 },
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        uint64_t sec = 0;
        assert_int_equal(custos_manifest__iso_duration(ok[i].s, &sec), 0);
        if (ok[i].want != 0)
            assert_int_equal(sec, ok[i].want);
        else
            assert_int_equal(sec, 365 * 86400ull + 60 * 86400ull + 21 * 86400ull + 4 * 86400ull + 5 * 3600 + 6 * 60 + 7);
    }
}

static void test_malformed_or_overflowing_durations_are_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "1Y", "P", "PT", "P1DT", "PT1HT1M", "P1D1Y", "P1Y1Y", "P1H", "PT1D", "P1", "PY", "P1X",
        "P0D", "PT0S", "P99999999999999999999D", "P18446744073709551615Y",
        "P584942417356Y",       /* fits uint64 as a count, overflows in seconds */
        "P584942417355YT9999999999H",  /* each part fits, the sum does not */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t sec = 12345;
        if (custos_manifest__iso_duration(bad[i], &sec) != -1)
            fail_msg("'%s' was accepted as %llu s", bad[i], (unsigned long long)sec);
        assert_int_equal(sec, 12345);
    }
}

static void test_language_tags_with_subtags_are_accepted(void **state)
{
    (void)state;
    /* Accepted as tags: the compiler goes on to ask for texts in them. */
    static const char *const tags[] = { "pt-BR", "zh-Hant-TW", "de-1996", "es-419" };
    char line[64], want[160];
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++) {
        snprintf(line, sizeof line, "languages: [en, ja, %s]", tags[i]);
        snprintf(want, sizeof want, "has no '%s' text, but product.languages declares %s", tags[i], tags[i]);
        refused("languages: [en, ja]", line, want);
    }
}

static void test_malformed_language_subtags_are_refused(void **state)
{
    (void)state;
    refused("languages: [en, ja]", "languages: [en, ja, en-]", "language 'en-' is not a BCP 47 language tag");
    refused("languages: [en, ja]", "languages: [en, ja, en--US]", "language 'en--US' is not a BCP 47");
    refused("languages: [en, ja]", "languages: [en, ja, en-abcdefghij]", "'en-abcdefghij' is not a BCP 47");
    refused("languages: [en, ja]", "languages: [en, ja, en_US]", "'en_US' is not a BCP 47");
    refused("languages: [en, ja]", "languages: [en, ja, EN]", "'EN' is not a BCP 47");
}

static void test_language_listed_twice_or_none_is_refused(void **state)
{
    (void)state;
    refused("languages: [en, ja]", "languages: [en, ja, en]", "product.languages lists 'en' twice; list it once");
    refused("languages: [en, ja]", "languages: []", "product.languages is empty; give at least one");
}

static void test_support_until_must_be_a_real_date(void **state)
{
    (void)state;
    static const char *const good[] = { "2028-02-29", "2000-02-29", "2030-12-31", "2030-01-01" };
    static const char *const bad[] = { "2030-02-29", "2100-02-29", "2030-13-01", "2030-00-10", "2030-04-31",
                                       "2030-04-00", "2030-1-01", "2030-01-011", "2030/01/01", "20a0-01-01" };
    char line[96], want[128];
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        snprintf(line, sizeof line, "  policy_version: 1\n  support_until: \"%s\"", good[i]);
        accepted("  policy_version: 1", line);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(line, sizeof line, "  policy_version: 1\n  support_until: \"%s\"", bad[i]);
        snprintf(want, sizeof want, "product.support_until '%s' is not a date written YYYY-MM-DD", bad[i]);
        refused("  policy_version: 1", line, want);
    }
}

static void test_optional_product_fields_are_compiled(void **state)
{
    (void)state;
    size_t len;
    custos_manifest_error err;
    custos_manifest_pb *m = NULL;
    uint8_t *c = accepts("  policy_version: 1",
                         "  policy_version: 1\n  model: TS-100\n"
                         "  privacy_contact: {name: DPO Office, contact: dpo@test.example}",
                         &len);
    assert_int_equal(custos_manifest__decode(c, len, &m, NULL, &err), CUSTOS_OK);
    assert_string_equal(m->product->model, "TS-100");
    assert_string_equal(m->product->privacy_contact->name, "DPO Office");
    assert_null(m->product->privacy_contact->address);
    assert_null(m->product->privacy_contact->country);
    custos__manifest_free(m);
    custos_manifest_free(c);
}

static void test_bad_parties_are_refused_with_their_cause(void **state)
{
    (void)state;
    refused("    contact: privacy@test.example\n", "", "give an e-mail address, URL or phone number");
    refused("    country: JP", "    country: jp", "country 'jp' must be a two-letter ISO 3166-1 code in capitals");
    refused("    country: JP", "    country: JPN", "country 'JPN' must be a two-letter");
    refused("    name: Test K.K.\n", "", "give the legal name");
    refused("  policy_version: 1", "  policy_version: 1\n  privacy_contact: {name: DPO, contact: x@y.z, country: Japan}",
            "country 'Japan' must be a two-letter");
    refused("  policy_version: 1", "  policy_version: 1\n  privacy_contact: {name: DPO, contact: x@y.z, phone: 1}",
            "unknown key 'phone' in product.privacy_contact");
    refused("  policy_version: 1", "  policy_version: 1\n  privacy_contact: [DPO]", "product.privacy_contact must be a mapping");
    refused("  policy_version: 1", "  policy_version: 1\n  model: [a, b]", "product.model must be a single value, not a list");
}

static void test_subject_roles_are_listed_once(void **state)
{
    (void)state;
    refused("subjects: [owner]", "subjects: [owner, guest, owner]", "subjects lists 'owner' twice; list it once");
    refused("subjects: [owner]", "subjects: []", "subjects: is empty");
    accepted("subjects: [owner]", "subjects: [household_member, child]");
}

static void test_retired_ids_are_compiled_and_checked(void **state)
{
    (void)state;
    size_t len;
    custos_manifest_error err;
    custos_manifest_pb *m = NULL;
    uint8_t *c = accepts("categories:\n",
                         "retired:\n  categories:\n    - {id: 9, key: user.old.thing}\n    - {id: 7, key: user.older}\n"
                         "  purposes:\n    - {id: 8, key: old.purpose}\ncategories:\n",
                         &len);
    assert_int_equal(custos_manifest__decode(c, len, &m, NULL, &err), CUSTOS_OK);
    assert_int_equal(m->n_retired_categories, 2);
    assert_int_equal(m->retired_categories[0]->id, 7);      /* sorted by id */
    assert_string_equal(m->retired_categories[1]->key, "user.old.thing");
    assert_int_equal(m->n_retired_purposes, 1);
    assert_int_equal(m->retired_purposes[0]->id, 8);
    custos__manifest_free(m);
    custos_manifest_free(c);
    accepted("categories:\n", "retired:\n  categories: []\ncategories:\n");
}

static void test_bad_retired_lists_are_refused(void **state)
{
    (void)state;
    refused("categories:\n", "retired:\n  categories:\n    - {id: 9, key: a.b}\n    - {id: 9, key: c.d}\ncategories:\n",
            "retired.categories lists id 9 twice; list it once");
    refused("categories:\n", "retired:\n  purposes:\n    - {id: 9}\ncategories:\n",
            "give the key it had, so it is never reused for another");
    refused("categories:\n", "retired:\n  purposes:\n    - {key: a.b}\ncategories:\n",
            "give the id that is no longer used");
    refused("categories:\n", "retired:\n  purposes:\n    - {id: 9, key: a.b, why: x}\ncategories:\n", "unknown key 'why' in retired.purposes");
    refused("categories:\n", "retired:\n  devices: []\ncategories:\n", "unknown key 'devices' in retired:");
    refused("categories:\n", "retired:\n  categories:\n    - {id: 1, key: user.sensor.environment}\ncategories:\n",
            "category id 1 is listed under retired:; a retired id is never used again");
}

static void test_bad_durations_in_a_manifest_name_the_field(void **state)
{
    (void)state;
    refused("    retention: P30D", "    retention: P30DT", "retention 'P30DT' is not an ISO 8601 duration");
    refused("    retention: P30D", "    retention: {until: Account Closed}",
            "event 'Account Closed' must be lower-case words");
    refused("    retention: P30D", "    retention: {until: \"\"}", "retention is empty; give it a value");
    refused("    retention: P30D", "    retention: {until: x, after: y}", "unknown key 'after' in retention");
    refused("    retention: P30D", "    retention: {}", "write the event that ends it");
    refused("    consent_lifetime: P1Y", "    consent_lifetime: {until: account_deletion}",
            "cannot last until an event");
    accepted("    retention: P30D", "    retention: {until: account-deletion_2}");
}

static void test_text_that_is_not_utf8_is_refused_at_its_byte(void **state)
{
    (void)state;
    refused("Temperature", "Temp\xC0\x80", "v.yaml:18:20: byte 0xC0 is not UTF-8");           /* overlong */
    refused("Temperature", "Temp\xED\xA0\x80", "v.yaml:18:20: byte 0xED is not UTF-8");       /* surrogate */
    refused("Temperature", "Temp\xF4\x90\x80\x80", "v.yaml:18:20: byte 0xF4 is not UTF-8");   /* > U+10FFFF */
    refused("Temperature", "Temp\xFF", "v.yaml:18:20: byte 0xFF is not UTF-8");
    refused("Temperature", "Temp\xE3\x41\x41", "v.yaml:18:20: byte 0xE3 is not UTF-8");       /* no continuation */
    refused("ja: \xE6\xB8\xA9\xE5\xBA\xA6}", "ja: \xE6\xB8\xA9\xE5\xBA\xA6\xFF}", "v.yaml:18:35: byte 0xFF is not UTF-8");
    refused("country: JP}\n", "country: JP}\n#\xE3\x81", "v.yaml:42:2: byte 0xE3 is not UTF-8");  /* cut at the end */
}

static void test_category_flags_are_compiled(void **state)
{
    (void)state;
    size_t len;
    custos_manifest_error err;
    custos_manifest_pb *m = NULL;
    uint8_t *c = accepts("    key: user.sensor.environment\n",
                         "    key: user.sensor.environment\n    tracking: true\n    linked_to_user: false\n", &len);
    assert_int_equal(custos_manifest__decode(c, len, &m, NULL, &err), CUSTOS_OK);
    assert_true(m->categories[0]->has_tracking && m->categories[0]->tracking);
    /* A false flag is the default: the canonical form does not carry it. */
    assert_false(m->categories[0]->has_linked_to_user || m->categories[0]->linked_to_user);
    assert_false(m->categories[1]->has_tracking);
    custos__manifest_free(m);
    custos_manifest_free(c);
}

static void test_bad_scalars_are_refused_with_their_kind(void **state)
{
    (void)state;
    refused("    key: user.sensor.environment\n", "    key: user.sensor.environment\n    tracking: maybe\n",
            "tracking must be true or false, not 'maybe'");
    refused("    key: user.sensor.environment\n", "    key: user.sensor.environment\n    special: [x]\n",
            "special must be true or false, not a list");
    refused("  policy_version: 1", "  policy_version: 0", "product.policy_version is 0, outside 1..4294967295");
    refused("  policy_version: 1", "  policy_version: 4294967296", "is 4294967296, outside 1..4294967295");
    refused("  policy_version: 1", "  policy_version: 1\n  model: ~", "product.model is empty; give it a value");
    refused("    legal_basis: contract", "    legal_basis: ~", "legal_basis must be one word, not empty");
    refused("    legal_basis: contract", "    legal_basis: [contract]", "legal_basis must be one word, not a list");
    refused("  - id: 1\n    key: essential", "  - id: -1\n    key: essential", "a purpose id must be a whole number, not '-1'");
    refused("    categories: [2]", "    categories: [two]", "a category id must be a whole number, not 'two'");
}

static void test_empty_lists_in_a_purpose_are_refused_or_ignored(void **state)
{
    (void)state;
    refused("    categories: [2]", "    categories: []",
            "purpose 1 'essential.service.device_operation' uses no category; list the ids of the data it uses");
    refused("    locations: [device]", "    locations: []", "locations is an empty list; give at least one value");
    refused("    locations: [device]", "    locations: [device, device]", "locations lists 'device' twice; list it once");
    refused_cut("purposes:\n", "purposes: []\n", "purposes: is empty; declare why the product processes");
    refused_cut("purposes:\n", "purposes: 3\n", "purposes must be a list ([a, b] or '- ' lines), not a single value");
    refused("    necessity: required\n", "", "has no 'necessity:'; say whether the person can refuse it");
    accepted("      - {name: Stats Co., country: JP}",
             "      - {name: Stats Co., country: JP, role: processor}\n      - {name: Stats Co., country: US, appi_route: equivalent_system, measures: {en: Bound by our contract., ja: 当社との契約に従います。}}");
    refused("      - {name: Stats Co., country: JP}", "      - {country: JP}",
            "a recipient has no 'name:'; name the company that receives the data");
}

static void test_texts_must_be_a_mapping_of_declared_languages(void **state)
{
    (void)state;
    refused("    name: {en: Temperature, ja: 温度}", "    name: Temperature", "must give one text per language");
    refused("    name: {en: Temperature, ja: 温度}", "    name: {}", "has no 'en' text, but product.languages declares en");
    refused("    name: {en: Temperature, ja: 温度}", "    name: {en: A, ja: B, en: C}", "gives the 'en' text twice; keep one");
}

static void test_root_without_product_is_refused(void **state)
{
    (void)state;
    refused_text("custos: 1\nsubjects: [owner]\n", "describe the product and its maker under product:");
    refused("  policy_version: 1", "  policy_version: 1\n  an_unknown_key_that_is_much_longer_than_any_key_the_manifest_has_ever_had: 1",
            "in the product; see docs/manifest.md for the keys it accepts");  /* too far from any key to suggest one */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso_durations_are_read_in_seconds),
        cmocka_unit_test(test_malformed_or_overflowing_durations_are_refused),
        cmocka_unit_test(test_language_tags_with_subtags_are_accepted),
        cmocka_unit_test(test_malformed_language_subtags_are_refused),
        cmocka_unit_test(test_language_listed_twice_or_none_is_refused),
        cmocka_unit_test(test_support_until_must_be_a_real_date),
        cmocka_unit_test(test_optional_product_fields_are_compiled),
        cmocka_unit_test(test_bad_parties_are_refused_with_their_cause),
        cmocka_unit_test(test_subject_roles_are_listed_once),
        cmocka_unit_test(test_retired_ids_are_compiled_and_checked),
        cmocka_unit_test(test_bad_retired_lists_are_refused),
        cmocka_unit_test(test_bad_durations_in_a_manifest_name_the_field),
        cmocka_unit_test(test_text_that_is_not_utf8_is_refused_at_its_byte),
        cmocka_unit_test(test_category_flags_are_compiled),
        cmocka_unit_test(test_bad_scalars_are_refused_with_their_kind),
        cmocka_unit_test(test_empty_lists_in_a_purpose_are_refused_or_ignored),
        cmocka_unit_test(test_texts_must_be_a_mapping_of_declared_languages),
        cmocka_unit_test(test_root_without_product_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
