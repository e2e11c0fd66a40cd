/*
 * The sync codec at its limits: reports and offers into buffers too small
 * (the size needed is given back), a report of more subjects than a device
 * holds, a request that is not a decision, an offer from a store without a
 * manifest, a message of the wrong kind, and optional outputs left NULL.
 */
#include "consent_fixture.h"

#include <custos/sync.h>

static void test_report_into_a_small_buffer_is_erange_with_the_size_needed(void **state)
{
    (void)state;
    fx f;
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE];
    size_t need = 0, len = 0;
    fx_open(&f, "cs-small");
    assert_int_equal(custos_sync_encode_state_report(f.ctx, NULL, 0, &need), CUSTOS_ERANGE);
    assert_true(need > 100 && need <= sizeof msg);   /* envelope: 32-byte key, 64-byte signature */
    assert_int_equal(custos_sync_encode_state_report(f.ctx, msg, need - 1, &len), CUSTOS_ERANGE);
    assert_int_equal(len, need);
    assert_non_null(strstr(custos_errmsg(f.ctx), "the buffer holds"));
    assert_int_equal(custos_sync_encode_state_report(f.ctx, msg, need, &len), CUSTOS_OK);
    assert_int_equal(len, need);
    fx_close(&f);
}

static void test_report_of_more_subjects_than_a_device_holds_is_erange(void **state)
{
    (void)state;
    fx f;
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE];
    size_t len = 0;
    fx_open(&f, "cs-many");              /* 3 subjects */
    for (unsigned i = 3; i < CUSTOS_SYNC_MAX_STATES; i++) {
        char id[16];
        custos_subject s;
        snprintf(id, sizeof id, "guest-%u", i);
        assert_int_equal(custos_subject_add(f.ctx, &s, id, CUSTOS_ROLE_GUEST), CUSTOS_OK);
    }
    assert_int_equal(custos_sync_encode_state_report(f.ctx, msg, sizeof msg, &len), CUSTOS_OK);
    custos_subject s;
    assert_int_equal(custos_subject_add(f.ctx, &s, "one-too-many", CUSTOS_ROLE_GUEST), CUSTOS_OK);
    assert_int_equal(custos_sync_encode_state_report(f.ctx, msg, sizeof msg, &len), CUSTOS_ERANGE);
    assert_string_equal(custos_errmsg(f.ctx), "sync: more than 8 subjects for one report");
    fx_close(&f);
}

static void test_requested_consent_is_reported_as_neither_given_nor_decided(void **state)
{
    (void)state;
    fx_pair p;
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE];
    size_t len = 0, n = 0;
    custos_compact_state s[8];
    fx_pair_open(&p, "cs-req");
    assert_int_equal(custos_consent_request(p.dev.ctx, p.dev.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_consent_give(p.dev.ctx, p.dev.owner, FX_VIDEO, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_sync_encode_state_report(p.dev.ctx, msg, sizeof msg, &len), CUSTOS_OK);
    /* Device id and counter are optional outputs. */
    assert_int_equal(custos_sync_decode_state_report(p.app.ctx, s, 8, &n, NULL, NULL, msg, len), CUSTOS_OK);
    assert_int_equal(n, 3);
    assert_int_equal(s[0].subject, p.dev.owner);
    assert_int_equal(s[0].given, 1ull << FX_VIDEO);
    assert_int_equal(s[0].decided, 1ull << FX_VIDEO);
    fx_pair_close(&p);
}

static void test_message_of_another_kind_is_not_decoded(void **state)
{
    (void)state;
    fx_pair p;
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE], mid[32];
    size_t len = 0, n = 0;
    uint32_t version = 0, re[1] = { FX_VIDEO }, got[2];
    custos_compact_state s[8];
    fx_pair_open(&p, "cs-kind");
    assert_int_equal(custos_sync_encode_manifest_offer(p.app.ctx, msg, sizeof msg, &len, re, 1), CUSTOS_OK);
    int rc = custos_sync_decode_state_report(p.dev.ctx, s, 8, &n, NULL, NULL, msg, len);
    assert_int_equal(rc, CUSTOS_ECORRUPT);
    assert_string_equal(custos_errmsg(p.dev.ctx), "sync: body type 5, expected 2");
    assert_int_equal(custos_sync_encode_state_report(p.dev.ctx, msg, sizeof msg, &len), CUSTOS_OK);
    rc = custos_sync_decode_manifest_offer(p.app.ctx, mid, &version, got, 2, &n, msg, len);
    assert_int_equal(rc, CUSTOS_ECORRUPT);
    assert_string_equal(custos_errmsg(p.app.ctx), "sync: body type 2, expected 5");
    fx_pair_close(&p);
}

static void test_offer_outputs_are_optional(void **state)
{
    (void)state;
    fx_pair p;
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE];
    size_t len = 0, n = 0;
    uint32_t got[2] = { 0, 0 };
    fx_pair_open(&p, "cs-offer");
    assert_int_equal(custos_sync_encode_manifest_offer(p.app.ctx, msg, sizeof msg, &len, NULL, 0), CUSTOS_OK);
    assert_int_equal(custos_sync_decode_manifest_offer(p.dev.ctx, NULL, NULL, NULL, 0, &n, msg, len), CUSTOS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(custos_sync_decode_manifest_offer(p.dev.ctx, NULL, NULL, got, 2, &n, msg, len), CUSTOS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(got[0], 0);
    fx_pair_close(&p);
}

static void test_offer_from_a_store_without_manifest_is_estate(void **state)
{
    (void)state;
    char *dir = th_tmpdir("cs-nomf");
    custos_t *ctx = th_open(dir);
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE];
    size_t len = 0;
    uint32_t re[1] = { 1 };
    assert_int_equal(custos_sync_encode_manifest_offer(ctx, msg, sizeof msg, &len, re, 1), CUSTOS_ESTATE);
    assert_string_equal(custos_errmsg(ctx), "sync: no manifest is loaded into this store");
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_truncated_or_empty_message_is_refused(void **state)
{
    (void)state;
    fx_pair p;
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE];
    size_t len = 0, n = 0;
    custos_compact_state s[8];
    fx_pair_open(&p, "cs-trunc");
    assert_int_equal(custos_sync_encode_state_report(p.dev.ctx, msg, sizeof msg, &len), CUSTOS_OK);
    assert_int_equal(custos_sync_decode_state_report(p.app.ctx, s, 8, &n, NULL, NULL, msg, 0), CUSTOS_EINVAL);
    assert_int_equal(custos_sync_decode_state_report(p.app.ctx, s, 8, &n, NULL, NULL, msg, len - 10),
                     CUSTOS_ECORRUPT);
    fx_pair_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_into_a_small_buffer_is_erange_with_the_size_needed),
        cmocka_unit_test(test_report_of_more_subjects_than_a_device_holds_is_erange),
        cmocka_unit_test(test_requested_consent_is_reported_as_neither_given_nor_decided),
        cmocka_unit_test(test_message_of_another_kind_is_not_decoded),
        cmocka_unit_test(test_offer_outputs_are_optional),
        cmocka_unit_test(test_offer_from_a_store_without_manifest_is_estate),
        cmocka_unit_test(test_truncated_or_empty_message_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
