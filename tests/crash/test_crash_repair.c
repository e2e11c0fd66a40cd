/*
 * A power cut at every I/O point of custos_consent_repair on a store whose
 * consent state was edited behind the library's back (a withdrawn consent
 * set back to given), under the crash models of crash.h (the process-crash
 * model by default, all three with CUSTOS_CRASH_MODELS=all).
 *
 * After each, the store reopens and passes PRAGMA integrity_check; the
 * withdrawn purpose is never allowed, whether the repair committed or not;
 * a repair that returned success is not lost (the seal holds); the other
 * subject's consent is either answered as recorded or fails closed; and a
 * repair run afterwards brings the store back to its recorded decisions.
 */
#include "crash.h"
#include "../forensic/erase_fixture.h"

#include <stdio.h>

#define NOTE_REPAIRED 1u

typedef struct world {
    custos_subject a, b;
    unsigned long repaired, not_yet;
} world;

static void setup(const char *dir, void *arg)
{
    world *w = arg;
    custos_consent_info info = CUSTOS_CONSENT_INFO_INIT;
    custos_t *ctx = th_open(dir);
    assert_int_equal(ef_load_manifest(ctx), CUSTOS_OK);
    assert_int_equal(ef_subject(ctx, &w->a, "alice"), CUSTOS_OK);
    assert_int_equal(ef_subject(ctx, &w->b, "bob"), CUSTOS_OK);
    assert_int_equal(custos_consent_withdraw(ctx, w->a, EF_PURPOSE_VIDEO, &info), CUSTOS_OK);
    custos_close(ctx);
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE consent_state SET status = 3 WHERE subject = %llu AND purpose = %u",
             (unsigned long long)w->a, EF_PURPOSE_VIDEO);
    assert_int_equal(th_db_edit(dir, sql), 1);
}

static int op_repair(const char *dir, void *arg)
{
    (void)arg;
    custos_open_options o = th_open_options(0);
    custos_t *ctx = NULL;
    size_t n = 0;
    if (custos_open(&ctx, dir, &o) != CUSTOS_OK)
        return 1;
    int rc = custos_consent_repair(ctx, &n);
    if (rc == CUSTOS_OK)
        th_crash_note(NOTE_REPAIRED);
    custos_close(ctx);
    return rc != CUSTOS_OK;
}

static int acknowledged(const th_crash_result *r)
{
    for (size_t i = 0; i < r->n_notes; i++)
        if (r->notes[i] == NOTE_REPAIRED)
            return 1;
    return 0;
}

static void check(const char *dir, const th_crash_result *r, void *arg)
{
    world *w = arg;
    custos_t *ctx = th_crash_reopen(dir);
    if (ctx == NULL)
        fail_msg("k=%lu: the store vanished after a crash during repair", r->k);
    int a = custos_check(ctx, w->a, EF_PURPOSE_VIDEO, EF_CATEGORY);
    int b = custos_check(ctx, w->b, EF_PURPOSE_VIDEO, EF_CATEGORY);
    if (a == CUSTOS_ALLOW)
        fail_msg("k=%lu model %d: the withdrawn purpose is allowed", r->k, r->model);
    if (b != CUSTOS_ALLOW && b != CUSTOS_DENY_INTEGRITY)
        fail_msg("k=%lu model %d: the other subject's consent answers %d", r->k, r->model, b);
    uint64_t bad = 0;
    int verified = custos_consent_verify(ctx, &bad);
    if (acknowledged(r) && (verified != CUSTOS_OK || a == CUSTOS_DENY_INTEGRITY))
        fail_msg("k=%lu model %d: a repair that returned success was lost", r->k, r->model);
    if (verified == CUSTOS_OK)
        w->repaired++;
    else
        w->not_yet++;
    size_t n = 0;
    assert_int_equal(custos_consent_repair(ctx, &n), CUSTOS_OK);
    assert_int_equal(custos_consent_verify(ctx, &bad), CUSTOS_OK);
    assert_int_equal(custos_check(ctx, w->a, EF_PURPOSE_VIDEO, EF_CATEGORY), CUSTOS_DENY_WITHDRAWN);
    assert_int_equal(custos_check(ctx, w->b, EF_PURPOSE_VIDEO, EF_CATEGORY), CUSTOS_ALLOW);
    custos_close(ctx);
}

static void test_crash_at_every_point_of_repair_never_allows_the_withdrawn_purpose(void **state)
{
    (void)state;
    world w = { 0 };
    assert_true(th_crash_run_all("consent repair", setup, op_repair, check, &w) >= 3);
    /* both outcomes were reached: the crash points cover the commit */
    assert_true(w.repaired > 0);
    assert_true(w.not_yet > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash_at_every_point_of_repair_never_allows_the_withdrawn_purpose),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
