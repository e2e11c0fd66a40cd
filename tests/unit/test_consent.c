/* The consent ledger: decisions, the DPV transition table, roles, expiry,
 * re-consent after a manifest change, ownership transfer. */
#include "consent_fixture.h"

#include <stdio.h>

static void test_give_makes_check_allow(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "give");
    assert_int_equal(custos_check(f.ctx, f.owner, FX_ANALYTICS, FX_CAT_USAGE), CUSTOS_DENY_NO_CONSENT);
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_check(f.ctx, f.owner, FX_ANALYTICS, FX_CAT_USAGE), CUSTOS_ALLOW);
    assert_int_equal(fx_status(&f, f.owner, FX_ANALYTICS), CUSTOS_CONSENT_GIVEN);
    fx_close(&f);
}

static void test_withdraw_makes_check_deny(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "withdraw");
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    /* exactly the same arguments as giving */
    assert_int_equal(custos_consent_withdraw(f.ctx, f.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_check(f.ctx, f.owner, FX_ANALYTICS, FX_CAT_USAGE), CUSTOS_DENY_WITHDRAWN);
    assert_int_equal(fx_status(&f, f.owner, FX_ANALYTICS), CUSTOS_CONSENT_WITHDRAWN);
    fx_close(&f);
}

/* The documented table (docs/consent.md): rows are from-states, columns the
 * caller's to-states REQUESTED, DEFERRED, GIVEN, RENEWED, REFUSED, WITHDRAWN, REVOKED. */
static const int expected_table[10][7] = {
    /* UNKNOWN     */ { 1, 0, 1, 0, 1, 0, 0 },
    /* REQUESTED   */ { 0, 1, 1, 0, 1, 0, 0 },
    /* DEFERRED    */ { 1, 0, 1, 0, 1, 0, 0 },
    /* GIVEN       */ { 0, 0, 0, 1, 0, 1, 1 },
    /* RENEWED     */ { 0, 0, 0, 1, 0, 1, 1 },
    /* REFUSED     */ { 1, 0, 1, 0, 0, 0, 0 },
    /* WITHDRAWN   */ { 1, 0, 1, 0, 0, 0, 0 },
    /* REVOKED     */ { 1, 0, 1, 0, 0, 0, 0 },
    /* EXPIRED     */ { 1, 0, 1, 1, 1, 0, 0 },
    /* INVALIDATED */ { 1, 0, 1, 0, 1, 0, 0 },
};

static void test_transition_table_matches_documentation(void **state)
{
    (void)state;
    for (int from = 0; from < 10; from++) {
        for (int to = 0; to < 10; to++) {
            int want = (to >= 1 && to <= 7) ? expected_table[from][to - 1] : 0;
            if (custos_consent_transition_allowed((custos_consent_status)from, (custos_consent_status)to) != want)
                fail_msg("transition %d -> %d: expected %d", from, to, want);
        }
    }
    assert_int_equal(custos_consent_transition_allowed((custos_consent_status)42, CUSTOS_CONSENT_GIVEN), 0);
}

/* Drive a fresh subject's VIDEO purpose into from-state. */
static void reach(fx *f, custos_subject s, int from)
{
    custos_consent_info ctrl = fx_info;
    ctrl.actor = CUSTOS_ACTOR_CONTROLLER;
    switch (from) {
    case CUSTOS_CONSENT_UNKNOWN: return;
    case CUSTOS_CONSENT_REQUEST_DEFERRED:
        assert_int_equal(custos_consent_request(f->ctx, s, FX_VIDEO, &fx_info), CUSTOS_OK);
        assert_int_equal(custos_consent_record(f->ctx, s, FX_VIDEO, CUSTOS_CONSENT_REQUEST_DEFERRED, &fx_info), CUSTOS_OK);
        return;
    case CUSTOS_CONSENT_RENEWED:
    case CUSTOS_CONSENT_WITHDRAWN:
    case CUSTOS_CONSENT_REVOKED:
    case CUSTOS_CONSENT_EXPIRED:
        assert_int_equal(custos_consent_give(f->ctx, s, FX_VIDEO, &fx_info), CUSTOS_OK);
        if (from == CUSTOS_CONSENT_EXPIRED) {
            f->clock.now += FX_LIFETIME;
            assert_int_equal(fx_status(f, s, FX_VIDEO), CUSTOS_CONSENT_EXPIRED);
            return;
        }
        assert_int_equal(custos_consent_record(f->ctx, s, FX_VIDEO, (custos_consent_status)from,
                                               from == CUSTOS_CONSENT_REVOKED ? &ctrl : &fx_info), CUSTOS_OK);
        return;
    default:
        assert_int_equal(custos_consent_record(f->ctx, s, FX_VIDEO, (custos_consent_status)from, &fx_info), CUSTOS_OK);
    }
}

static void test_every_transition_is_allowed_or_refused_as_documented(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "table");
    assert_int_equal(sqlite3_exec(f.ctx->db, "PRAGMA synchronous=OFF", NULL, NULL, NULL), SQLITE_OK);
    custos_consent_info ctrl = fx_info;
    ctrl.actor = CUSTOS_ACTOR_CONTROLLER;
    int n = 0;
    for (int from = 0; from <= CUSTOS_CONSENT_EXPIRED; from++) {
        for (int to = CUSTOS_CONSENT_REQUESTED; to <= CUSTOS_CONSENT_REVOKED; to++) {
            char id[32];
            snprintf(id, sizeof id, "cell-%d-%d", from, to);
            custos_subject s;
            assert_int_equal(custos_subject_add(f.ctx, &s, id, CUSTOS_ROLE_HOUSEHOLD_MEMBER), CUSTOS_OK);
            reach(&f, s, from);
            assert_int_equal(fx_status(&f, s, FX_VIDEO), from);
            int before = fx_events(&f, "");
            int rc = custos_consent_record(f.ctx, s, FX_VIDEO, (custos_consent_status)to,
                                           to == CUSTOS_CONSENT_REVOKED ? &ctrl : &fx_info);
            if (expected_table[from][to - 1]) {
                if (rc != CUSTOS_OK)
                    fail_msg("%d -> %d refused: %s", from, to, custos_errmsg(f.ctx));
                assert_int_equal(fx_status(&f, s, FX_VIDEO), to);
                assert_int_equal(fx_events(&f, ""), before + 1);
            } else {
                if (rc != CUSTOS_ESTATE)
                    fail_msg("%d -> %d gave %d, expected CUSTOS_ESTATE", from, to, rc);
                assert_int_equal(fx_status(&f, s, FX_VIDEO), from);
                assert_int_equal(fx_events(&f, ""), before);
            }
            n++;
        }
    }
    assert_int_equal(n, 9 * 7);
    fx_close(&f);
}

static void test_system_statuses_cannot_be_recorded_by_callers(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "sysstat");
    const custos_consent_status bad[] = { CUSTOS_CONSENT_UNKNOWN, CUSTOS_CONSENT_EXPIRED, CUSTOS_CONSENT_INVALIDATED,
                                          (custos_consent_status)10, (custos_consent_status)-1 };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(custos_consent_record(f.ctx, f.owner, FX_ANALYTICS, bad[i], &fx_info), CUSTOS_EINVAL);
    assert_int_equal(fx_events(&f, ""), 0);
    fx_close(&f);
}

static void test_child_consent_requires_guardian(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "child");
    assert_int_equal(custos_consent_give(f.ctx, f.child, FX_ANALYTICS, &fx_info), CUSTOS_EINVAL);
    assert_non_null(strstr(custos_errmsg(f.ctx), "guardian"));
    assert_int_equal(fx_events(&f, ""), 0);
    custos_consent_info g = fx_info;
    g.actor = CUSTOS_ACTOR_GUARDIAN;
    assert_int_equal(custos_consent_give(f.ctx, f.child, FX_ANALYTICS, &g), CUSTOS_OK);
    assert_int_equal(custos_consent_withdraw(f.ctx, f.child, FX_ANALYTICS, &fx_info), CUSTOS_EINVAL);
    assert_int_equal(custos_consent_withdraw(f.ctx, f.child, FX_ANALYTICS, &g), CUSTOS_OK);
    fx_close(&f);
}

static void test_revocation_by_the_subject_is_refused(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "revoke");
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_consent_revoke(f.ctx, f.owner, FX_ANALYTICS, &fx_info), CUSTOS_EINVAL);
    custos_consent_info c = fx_info;
    c.actor = CUSTOS_ACTOR_CONTROLLER;
    assert_int_equal(custos_consent_give(f.ctx, f.guest, FX_ANALYTICS, &c), CUSTOS_EINVAL);
    assert_int_equal(custos_consent_revoke(f.ctx, f.owner, FX_ANALYTICS, &c), CUSTOS_OK);
    assert_int_equal(custos_check(f.ctx, f.owner, FX_ANALYTICS, FX_CAT_USAGE), CUSTOS_DENY_REVOKED);
    fx_close(&f);
}

static void test_bad_info_is_einval_and_writes_nothing(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "info");
    custos_consent_info i = fx_info;
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_ANALYTICS, NULL), CUSTOS_EINVAL);
    i.version = 99;
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_ANALYTICS, &i), CUSTOS_EINVAL);
    i = fx_info;
    i.notice_lang = NULL;
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_ANALYTICS, &i), CUSTOS_EINVAL);
    i.notice_lang = "this-tag-is-far-too-long";
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_ANALYTICS, &i), CUSTOS_EINVAL);
    i = fx_info;
    i.method = CUSTOS_METHOD_SYSTEM;
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_ANALYTICS, &i), CUSTOS_EINVAL);
    i = fx_info;
    i.actor = CUSTOS_ACTOR_SYSTEM;
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_ANALYTICS, &i), CUSTOS_EINVAL);
    assert_int_equal(fx_events(&f, ""), 0);
    fx_close(&f);
}

static void test_unknown_subject_is_enotfound(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "nosubj");
    assert_int_equal(custos_consent_give(f.ctx, 999, FX_ANALYTICS, &fx_info), CUSTOS_ENOTFOUND);
    custos_consent_state_info st;
    assert_int_equal(custos_consent_state(f.ctx, &st, 999, FX_ANALYTICS), CUSTOS_ENOTFOUND);
    assert_int_equal(fx_events(&f, ""), 0);
    fx_close(&f);
}

static void test_unknown_purpose_is_enotfound(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "nopurp");
    assert_int_equal(custos_consent_give(f.ctx, f.owner, 4, &fx_info), CUSTOS_ENOTFOUND);
    assert_int_equal(custos_consent_give(f.ctx, f.owner, 64, &fx_info), CUSTOS_ENOTFOUND);
    assert_int_equal(fx_events(&f, ""), 0);
    fx_close(&f);
}

static void test_non_consent_purpose_cannot_be_given(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "contract");
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_CORE, &fx_info), CUSTOS_EINVAL);
    assert_int_equal(fx_events(&f, ""), 0);
    fx_close(&f);
}

static void test_no_manifest_is_estate(void **state)
{
    (void)state;
    char *dir = th_tmpdir("nomf");
    custos_t *ctx = th_open(dir);
    custos_subject s;
    assert_int_equal(custos_subject_add(ctx, &s, "someone", CUSTOS_ROLE_OWNER), CUSTOS_OK);
    assert_int_equal(custos_consent_give(ctx, s, 1, &fx_info), CUSTOS_ESTATE);
    assert_int_equal(custos_check(ctx, s, 1, 1), CUSTOS_DENY_NO_MANIFEST);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_expiry_denies_without_any_call(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "expiry");
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_VIDEO, &fx_info), CUSTOS_OK);
    f.clock.now += FX_LIFETIME - 1;
    assert_int_equal(custos_check(f.ctx, f.owner, FX_VIDEO, FX_CAT_VIDEO), CUSTOS_ALLOW);
    f.clock.now += 1;
    assert_int_equal(custos_check(f.ctx, f.owner, FX_VIDEO, FX_CAT_VIDEO), CUSTOS_DENY_EXPIRED);
    assert_int_equal(fx_events(&f, "WHERE purpose = 2"), 1); /* not yet recorded */
    fx_close(&f);
}

static void test_expiry_is_recorded_when_next_observed(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "expiry2");
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_VIDEO, &fx_info), CUSTOS_OK);
    f.clock.now += FX_LIFETIME + 10;
    custos_consent_event_info ev[4];
    size_t n = 0;
    assert_int_equal(custos_consent_history(f.ctx, ev, 4, &n, f.owner), CUSTOS_OK);
    assert_int_equal(n, 2);
    assert_int_equal(ev[1].status, CUSTOS_CONSENT_EXPIRED);
    assert_int_equal(ev[1].method, CUSTOS_METHOD_SYSTEM);
    assert_int_equal(ev[1].actor, CUSTOS_ACTOR_SYSTEM);
    assert_int_equal(ev[0].valid_until, 1700000000u + FX_LIFETIME);
    assert_int_equal(custos_check(f.ctx, f.owner, FX_VIDEO, FX_CAT_VIDEO), CUSTOS_DENY_EXPIRED);
    /* renewal after expiry is allowed */
    assert_int_equal(custos_consent_renew(f.ctx, f.owner, FX_VIDEO, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_check(f.ctx, f.owner, FX_VIDEO, FX_CAT_VIDEO), CUSTOS_ALLOW);
    fx_close(&f);
}

static void test_time_confidence_comes_from_the_clock(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "conf");
    f.clock.confidence = CUSTOS_TIME_MONOTONIC_ONLY;
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    f.clock.confidence = CUSTOS_TIME_TRUSTED_CLOCK;
    assert_int_equal(custos_consent_withdraw(f.ctx, f.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    custos_consent_event_info ev[2];
    size_t n = 0;
    assert_int_equal(custos_consent_history(f.ctx, ev, 2, &n, f.owner), CUSTOS_OK);
    assert_int_equal(ev[0].time_confidence, CUSTOS_TIME_MONOTONIC_ONLY);
    assert_int_equal(ev[1].time_confidence, CUSTOS_TIME_TRUSTED_CLOCK);
    fx_close(&f);
}

static void test_history_too_small_is_erange_with_needed_count(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "hist");
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_consent_withdraw(f.ctx, f.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_consent_give(f.ctx, f.guest, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    custos_consent_event_info ev[1];
    size_t n = 0;
    assert_int_equal(custos_consent_history(f.ctx, ev, 1, &n, f.owner), CUSTOS_ERANGE);
    assert_int_equal(n, 2);
    assert_int_equal(custos_consent_history(f.ctx, NULL, 0, &n, f.guest), CUSTOS_ERANGE);
    assert_int_equal(n, 1);
    fx_close(&f);
}

static void test_newer_manifest_invalidates_only_changed_purpose(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "reconsent");
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_MARKETING, &fx_info), CUSTOS_OK);
    uint8_t *mf = NULL;
    size_t len = 0;
    fx_manifest(&mf, &len, 2, 86400 * 30); /* marketing keeps data longer */
    assert_int_equal(custos_manifest_load(f.ctx, mf, len), CUSTOS_OK);
    custos__free(mf);
    assert_int_equal(custos_check(f.ctx, f.owner, FX_ANALYTICS, FX_CAT_USAGE), CUSTOS_ALLOW);
    assert_int_equal(custos_check(f.ctx, f.owner, FX_MARKETING, FX_CAT_CONTACT), CUSTOS_DENY_INVALIDATED);
    custos_consent_state_info st;
    assert_int_equal(custos_consent_state(f.ctx, &st, f.owner, FX_MARKETING), CUSTOS_OK);
    assert_int_equal(st.status, CUSTOS_CONSENT_REQUESTED);
    assert_int_equal(st.invalidated, 1);
    assert_int_equal(st.policy_version, 2);
    custos_consent_event_info ev[8];
    size_t n = 0;
    assert_int_equal(custos_consent_history(f.ctx, ev, 8, &n, f.owner), CUSTOS_OK);
    assert_int_equal(n, 4);
    assert_int_equal(ev[2].status, CUSTOS_CONSENT_INVALIDATED);
    assert_int_equal(ev[2].purpose, FX_MARKETING);
    assert_int_equal(ev[3].status, CUSTOS_CONSENT_REQUESTED);
    /* giving again binds to version 2 */
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_MARKETING, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_check(f.ctx, f.owner, FX_MARKETING, FX_CAT_CONTACT), CUSTOS_ALLOW);
    uint64_t bad = 0;
    assert_int_equal(custos_consent_verify(f.ctx, &bad), CUSTOS_OK);
    fx_close(&f);
}

static void test_older_manifest_is_refused(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "older");
    uint8_t *v3 = NULL, *v2 = NULL, *v3b = NULL;
    size_t l3 = 0, l2 = 0, l3b = 0;
    fx_manifest(&v3, &l3, 3, 86400);
    fx_manifest(&v2, &l2, 2, 86400);
    fx_manifest(&v3b, &l3b, 3, 7200);
    assert_int_equal(custos_manifest_load(f.ctx, v3, l3), CUSTOS_OK);
    assert_int_equal(custos_manifest_load(f.ctx, v3, l3), CUSTOS_OK); /* the same again: no-op */
    assert_int_equal(custos_manifest_load(f.ctx, v2, l2), CUSTOS_ESTATE);
    assert_non_null(strstr(custos_errmsg(f.ctx), "older"));
    assert_int_equal(custos_manifest_load(f.ctx, v3b, l3b), CUSTOS_ESTATE);
    uint32_t version = 0;
    assert_int_equal(custos_policy_current(f.ctx, NULL, &version), CUSTOS_OK);
    assert_int_equal(version, 3);
    custos__free(v3);
    custos__free(v2);
    custos__free(v3b);
    fx_close(&f);
}

static void test_damaged_manifest_is_ecorrupt(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "dmg");
    uint8_t *m = NULL;
    size_t len = 0;
    fx_manifest(&m, &len, 2, 86400);
    m[len / 2] ^= 1;
    assert_int_equal(custos_manifest_load(f.ctx, m, len), CUSTOS_ECORRUPT);
    uint32_t version = 0;
    assert_int_equal(custos_policy_current(f.ctx, NULL, &version), CUSTOS_OK);
    assert_int_equal(version, 1);
    custos__free(m);
    fx_close(&f);
}

static void test_transfer_of_ownership_invalidates_previous_owner(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "transfer");
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_consent_give(f.ctx, f.guest, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    custos_subject buyer;
    assert_int_equal(custos_subject_add(f.ctx, &buyer, "buyer", CUSTOS_ROLE_GUEST), CUSTOS_OK);
    assert_int_equal(custos_subject_transfer_ownership(f.ctx, buyer), CUSTOS_OK);
    assert_int_equal(custos_check(f.ctx, f.owner, FX_ANALYTICS, FX_CAT_USAGE), CUSTOS_DENY_INVALIDATED);
    assert_int_equal(custos_check(f.ctx, f.guest, FX_ANALYTICS, FX_CAT_USAGE), CUSTOS_ALLOW);
    custos_role r;
    assert_int_equal(custos_subject_role(f.ctx, &r, buyer), CUSTOS_OK);
    assert_int_equal(r, CUSTOS_ROLE_OWNER);
    assert_int_equal(custos_subject_role(f.ctx, &r, f.owner), CUSTOS_OK);
    assert_int_equal(r, CUSTOS_ROLE_HOUSEHOLD_MEMBER);
    assert_int_equal(custos_subject_transfer_ownership(f.ctx, buyer), CUSTOS_ESTATE);
    assert_int_equal(custos_subject_transfer_ownership(f.ctx, 999), CUSTOS_ENOTFOUND);
    fx_close(&f);
}

static void test_subject_registry_errors(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "subj");
    custos_subject s;
    assert_int_equal(custos_subject_add(f.ctx, &s, "owner@example.com", CUSTOS_ROLE_GUEST), CUSTOS_EEXIST);
    assert_int_equal(custos_subject_add(f.ctx, &s, "", CUSTOS_ROLE_GUEST), CUSTOS_EINVAL);
    assert_int_equal(custos_subject_add(f.ctx, &s, "x", (custos_role)7), CUSTOS_EINVAL);
    assert_int_equal(custos_subject_find(f.ctx, &s, "owner@example.com"), CUSTOS_OK);
    assert_int_equal(s, f.owner);
    assert_int_equal(custos_subject_find(f.ctx, &s, "nobody"), CUSTOS_ENOTFOUND);
    fx_close(&f);
}

static void test_state_survives_reopen(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "reopen");
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    fx_reopen(&f);
    assert_int_equal(custos_check(f.ctx, f.owner, FX_ANALYTICS, FX_CAT_USAGE), CUSTOS_ALLOW);
    assert_int_equal(custos_consent_withdraw(f.ctx, f.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    uint64_t bad = 0;
    assert_int_equal(custos_consent_verify(f.ctx, &bad), CUSTOS_OK);
    fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_give_makes_check_allow),
        cmocka_unit_test(test_withdraw_makes_check_deny),
        cmocka_unit_test(test_transition_table_matches_documentation),
        cmocka_unit_test(test_every_transition_is_allowed_or_refused_as_documented),
        cmocka_unit_test(test_system_statuses_cannot_be_recorded_by_callers),
        cmocka_unit_test(test_child_consent_requires_guardian),
        cmocka_unit_test(test_revocation_by_the_subject_is_refused),
        cmocka_unit_test(test_bad_info_is_einval_and_writes_nothing),
        cmocka_unit_test(test_unknown_subject_is_enotfound),
        cmocka_unit_test(test_unknown_purpose_is_enotfound),
        cmocka_unit_test(test_non_consent_purpose_cannot_be_given),
        cmocka_unit_test(test_no_manifest_is_estate),
        cmocka_unit_test(test_expiry_denies_without_any_call),
        cmocka_unit_test(test_expiry_is_recorded_when_next_observed),
        cmocka_unit_test(test_time_confidence_comes_from_the_clock),
        cmocka_unit_test(test_history_too_small_is_erange_with_needed_count),
        cmocka_unit_test(test_newer_manifest_invalidates_only_changed_purpose),
        cmocka_unit_test(test_older_manifest_is_refused),
        cmocka_unit_test(test_damaged_manifest_is_ecorrupt),
        cmocka_unit_test(test_transfer_of_ownership_invalidates_previous_owner),
        cmocka_unit_test(test_subject_registry_errors),
        cmocka_unit_test(test_state_survives_reopen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
