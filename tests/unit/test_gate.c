/* The gate: every denial reason, non-consent bases, forgetting a subject,
 * and that a check allocates nothing. */
#include "consent_fixture.h"
#include "gate/gate_internal.h"
#include "consent/subject_internal.h"
#include "fault.h"

#include <limits.h>

static void test_check_with_null_handle_is_deny_error(void **state)
{
    (void)state;
    assert_int_equal(custos_check(NULL, 1, 1, 1), CUSTOS_DENY_ERROR);
}

static void test_unknown_subject_is_denied(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "g-subj");
    assert_int_equal(custos_check(f.ctx, 999, FX_ANALYTICS, FX_CAT_USAGE), CUSTOS_DENY_UNKNOWN_SUBJECT);
    assert_int_equal(custos_check(f.ctx, 0, FX_CORE, FX_CAT_USAGE), CUSTOS_DENY_UNKNOWN_SUBJECT);
    fx_close(&f);
}

static void test_unknown_purpose_is_denied(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "g-purp");
    assert_int_equal(custos_check(f.ctx, f.owner, 4, FX_CAT_USAGE), CUSTOS_DENY_UNKNOWN_PURPOSE);
    assert_int_equal(custos_check(f.ctx, f.owner, 64, FX_CAT_USAGE), CUSTOS_DENY_UNKNOWN_PURPOSE);
    assert_int_equal(custos_check(f.ctx, f.owner, UINT32_MAX, FX_CAT_USAGE), CUSTOS_DENY_UNKNOWN_PURPOSE);
    fx_close(&f);
}

static void test_undeclared_category_is_denied_even_with_consent(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "g-cat");
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_check(f.ctx, f.owner, FX_ANALYTICS, FX_CAT_VIDEO), CUSTOS_DENY_CATEGORY_NOT_DECLARED);
    assert_int_equal(custos_check(f.ctx, f.owner, FX_ANALYTICS, FX_CAT_UNUSED), CUSTOS_DENY_CATEGORY_NOT_DECLARED);
    assert_int_equal(custos_check(f.ctx, f.owner, FX_ANALYTICS, FX_CAT_CONTACT), CUSTOS_ALLOW);
    fx_close(&f);
}

static void test_non_consent_basis_is_allowed_for_known_subjects(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "g-contract");
    assert_int_equal(custos_check(f.ctx, f.guest, FX_CORE, FX_CAT_USAGE), CUSTOS_ALLOW);
    assert_int_equal(custos_check(f.ctx, f.guest, FX_CORE, FX_CAT_CONTACT), CUSTOS_DENY_CATEGORY_NOT_DECLARED);
    assert_int_equal(custos_check(f.ctx, 77, FX_CORE, FX_CAT_USAGE), CUSTOS_DENY_UNKNOWN_SUBJECT);
    fx_close(&f);
}

static void test_each_denied_state_has_its_reason(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "g-reasons");
    assert_int_equal(custos_check(f.ctx, f.owner, FX_ANALYTICS, FX_CAT_USAGE), CUSTOS_DENY_NO_CONSENT);
    assert_int_equal(custos_consent_request(f.ctx, f.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_check(f.ctx, f.owner, FX_ANALYTICS, FX_CAT_USAGE), CUSTOS_DENY_NO_CONSENT);
    assert_int_equal(custos_consent_refuse(f.ctx, f.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_check(f.ctx, f.owner, FX_ANALYTICS, FX_CAT_USAGE), CUSTOS_DENY_REFUSED);
    fx_close(&f);
}

static void test_forgotten_subject_becomes_unknown(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "g-forget");
    assert_int_equal(custos_consent_give(f.ctx, f.guest, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    pthread_mutex_lock(&f.ctx->write_lock);
    assert_int_equal(custos__db_begin(f.ctx), CUSTOS_OK);
    uint8_t h[32];
    assert_int_equal(custos__subject_hash_of(f.ctx, f.guest, h), CUSTOS_OK);
    assert_int_equal(custos__subject_forget(f.ctx, f.guest), CUSTOS_OK);
    assert_int_equal(custos__db_commit(f.ctx), CUSTOS_OK);
    assert_int_equal(custos__subject_hash_of(f.ctx, f.guest, h), CUSTOS_ENOTFOUND);
    assert_int_equal(custos__subject_forget(f.ctx, f.guest), CUSTOS_ENOTFOUND);
    pthread_mutex_unlock(&f.ctx->write_lock);
    assert_int_equal(custos_check(f.ctx, f.guest, FX_ANALYTICS, FX_CAT_USAGE), CUSTOS_DENY_UNKNOWN_SUBJECT);
    /* the signed events stay, and the chain still verifies */
    uint64_t bad = 0;
    assert_int_equal(custos_consent_verify(f.ctx, &bad), CUSTOS_OK);
    assert_int_equal(fx_events(&f, ""), 1);
    fx_close(&f);
}

static void test_failed_snapshot_rebuild_fails_closed(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "g-failclosed");
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    pthread_mutex_lock(&f.ctx->write_lock);
    th_oom_at(1, 1); /* every allocation fails from now on */
    int rc = custos__gate_publish(f.ctx);
    th_fault_clear();
    pthread_mutex_unlock(&f.ctx->write_lock);
    assert_int_equal(rc, CUSTOS_ENOMEM);
    assert_int_equal(custos_check(f.ctx, f.owner, FX_ANALYTICS, FX_CAT_USAGE), CUSTOS_DENY_ERROR);
    assert_int_equal(custos_check(f.ctx, f.owner, FX_CORE, FX_CAT_USAGE), CUSTOS_DENY_ERROR);
    /* the next write publishes a real snapshot again */
    assert_int_equal(custos_consent_give(f.ctx, f.guest, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_check(f.ctx, f.owner, FX_ANALYTICS, FX_CAT_USAGE), CUSTOS_ALLOW);
    fx_close(&f);
}

static void test_every_decision_has_a_name(void **state)
{
    (void)state;
    for (int d = CUSTOS_ALLOW; d <= CUSTOS_DENY_ERROR; d++)
        assert_true(strlen(custos_decision_str((custos_decision)d)) > 4);
    assert_string_equal(custos_decision_str(CUSTOS_ALLOW), "allow");
    assert_string_equal(custos_decision_str(CUSTOS_DENY_WITHDRAWN), "deny: consent withdrawn");
    assert_string_equal(custos_decision_str((custos_decision)99), "deny: unknown decision");
}

static void test_check_allocates_nothing(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "g-alloc");
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_VIDEO, &fx_info), CUSTOS_OK);
    th_oom_at(ULONG_MAX, 0); /* count allocation points (Custos's and SQLite's), never fail */
    unsigned long before = th_fault_count();
    int allowed = 0;
    for (int i = 0; i < 10000; i++)
        allowed += custos_check(f.ctx, f.owner, FX_VIDEO, FX_CAT_VIDEO) == CUSTOS_ALLOW;
    unsigned long after = th_fault_count();
    assert_int_equal(custos_consent_withdraw(f.ctx, f.owner, FX_VIDEO, &fx_info), CUSTOS_OK);
    unsigned long live = th_fault_count();
    th_fault_clear();
    assert_int_equal(allowed, 10000);
    assert_int_equal(after, before);
    assert_true(live > after); /* the counter is live: a write does allocate */
    fx_close(&f);
}

/* The fast path (two bit tests) answers exactly what the full decision
 * does, over every combination of known and unknown subjects, purposes
 * and categories (ids at and beyond the 64-bit masks too), consents with
 * and without a valid_until, other legal bases, and after an expiry. */
static int compare_all(fx *f, int *allowed)
{
    const uint32_t subjects[] = { 0, f->owner, f->guest, f->child, f->child + 1, 63, 64, UINT32_MAX };
    const uint32_t ids[] = { 0, 1, 2, 3, 4, 5, 6, 9, 63, 64, 65, UINT32_MAX };
    int n = 0;
    for (size_t s = 0; s < sizeof subjects / sizeof subjects[0]; s++)
        for (size_t p = 0; p < sizeof ids / sizeof ids[0]; p++)
            for (size_t c = 0; c < sizeof ids / sizeof ids[0]; c++) {
                custos_decision fast = custos_check(f->ctx, subjects[s], ids[p], ids[c]);
                custos_decision slow = custos__gate_check_slow(f->ctx, subjects[s], ids[p], ids[c]);
                if (fast != slow)
                    print_error("subject %u purpose %u category %u: fast %d, full %d\n", subjects[s], ids[p],
                                ids[c], fast, slow);
                n += fast != slow;
                *allowed += fast == CUSTOS_ALLOW;
            }
    return n;
}

static void test_fast_path_agrees_with_the_full_decision(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "g-fast");
    int allowed = 0;
    assert_int_equal(compare_all(&f, &allowed), 0);
    assert_int_equal(allowed, 3); /* core (contract, category 1) for the three subjects */
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_VIDEO, &fx_info), CUSTOS_OK); /* has a valid_until */
    assert_int_equal(custos_consent_give(f.ctx, f.guest, FX_MARKETING, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_consent_refuse(f.ctx, f.guest, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    allowed = 0;
    assert_int_equal(compare_all(&f, &allowed), 0);
    assert_int_equal(allowed, 3 + 2 + 1 + 1); /* + analytics x2 categories, video, marketing */
    f.clock.now += FX_LIFETIME; /* video's consent has expired: only the full decision sees it */
    allowed = 0;
    assert_int_equal(compare_all(&f, &allowed), 0);
    assert_int_equal(allowed, 3 + 2 + 1);
    assert_int_equal(custos_check(f.ctx, f.owner, FX_VIDEO, FX_CAT_VIDEO), CUSTOS_DENY_EXPIRED);
    fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_with_null_handle_is_deny_error),
        cmocka_unit_test(test_unknown_subject_is_denied),
        cmocka_unit_test(test_unknown_purpose_is_denied),
        cmocka_unit_test(test_undeclared_category_is_denied_even_with_consent),
        cmocka_unit_test(test_non_consent_basis_is_allowed_for_known_subjects),
        cmocka_unit_test(test_each_denied_state_has_its_reason),
        cmocka_unit_test(test_forgotten_subject_becomes_unknown),
        cmocka_unit_test(test_failed_snapshot_rebuild_fails_closed),
        cmocka_unit_test(test_every_decision_has_a_name),
        cmocka_unit_test(test_check_allocates_nothing),
        cmocka_unit_test(test_fast_path_agrees_with_the_full_decision),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
