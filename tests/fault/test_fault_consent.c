/* Consent writes under I/O errors, a full disk and failed allocations at
 * every point: each either completes or leaves no trace, the ledger still
 * verifies, and the gate agrees with the store. */
#include "consent_fault.h"

static int op_give(custos_t *ctx, const char *dir, void *arg)
{
    (void)dir;
    (void)arg;
    return custos_consent_give(ctx, 1, FX_ANALYTICS, &fx_info);
}

static void check_give(custos_t *ctx, const char *dir, int op_rc, void *arg)
{
    (void)dir;
    (void)arg;
    custos_consent_status s = consistent(ctx, FX_ANALYTICS, FX_CAT_USAGE);
    if (op_rc == CUSTOS_OK)
        assert_int_equal(s, CUSTOS_CONSENT_GIVEN);
    else
        assert_true(s == CUSTOS_CONSENT_GIVEN || s == CUSTOS_CONSENT_UNKNOWN);
}

/* The new manifest, built before faults are armed. */
typedef struct bytes { uint8_t *data; size_t len; } bytes;

static int op_load_v2(custos_t *ctx, const char *dir, void *arg)
{
    (void)dir;
    const bytes *v2 = arg;
    return custos_manifest_load(ctx, v2->data, v2->len);
}

static void check_load_v2(custos_t *ctx, const char *dir, int op_rc, void *arg)
{
    (void)dir;
    (void)arg;
    uint32_t version = 0;
    assert_int_equal(custos_policy_current(ctx, NULL, &version), CUSTOS_OK);
    custos_consent_status s = consistent(ctx, FX_MARKETING, FX_CAT_CONTACT);
    if (op_rc == CUSTOS_OK)
        assert_int_equal(version, 2);
    /* all or nothing: the new version and the invalidation go together */
    assert_int_equal(s, version == 2 ? CUSTOS_CONSENT_REQUESTED : CUSTOS_CONSENT_GIVEN);
}

static void test_give_under_faults_is_all_or_nothing(void **state)
{
    (void)state;
    consent_fault_loop("give/oom", TH_FAULT_OOM, setup_subject, op_give, check_give, NULL);
    consent_fault_loop("give/eio", TH_FAULT_EIO, setup_subject, op_give, check_give, NULL);
    consent_fault_loop("give/enospc", TH_FAULT_ENOSPC, setup_subject, op_give, check_give, NULL);
}

static void test_manifest_load_under_faults_is_all_or_nothing(void **state)
{
    (void)state;
    bytes v2 = { NULL, 0 };
    fx_manifest(&v2.data, &v2.len, 2, 86400 * 30);
    consent_fault_loop("load/oom", TH_FAULT_OOM, setup_subject, op_load_v2, check_load_v2, &v2);
    consent_fault_loop("load/eio", TH_FAULT_EIO, setup_subject, op_load_v2, check_load_v2, &v2);
    custos__free(v2.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_give_under_faults_is_all_or_nothing),
        cmocka_unit_test(test_manifest_load_under_faults_is_all_or_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
