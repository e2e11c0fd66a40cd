/* The evidence formats: the EN 303 645 ICS (V3 and the V2.1.1 edition, with
 * the manufacturer's answers), the JC-STAR checklist and the EN 18031-2
 * notes, from the manifest. */
#include "disclose_fixture.h"

#include <stdlib.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ics_consent_provisions_not_applicable_without_consent),
        cmocka_unit_test(test_ics_leaves_product_rows_to_the_manufacturer),
        cmocka_unit_test(test_jcstar_cites_only_confirmed_requirement_ids),
        cmocka_unit_test(test_en18031_warns_on_acm3_only_without_child_role),
        cmocka_unit_test(test_ics_answers_fill_the_manufacturer_rows),
        cmocka_unit_test(test_ics_edition_v2_joins_the_pairs),
        cmocka_unit_test(test_ics_answers_refuse_what_a_lab_would_reject),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
