/*
 * Erasing a subject while other threads ask the gate about it and about
 * another subject: no check crashes or blocks, the other subject stays
 * allowed throughout, and once a thread has seen the erased subject denied
 * it never sees it allowed again.
 */
#include "harness.h"
#include "../forensic/erase_fixture.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#define THREADS 4

typedef struct shared {
    custos_t *ctx;
    custos_subject a, b;
    atomic_int stop;
    atomic_long checks;
    atomic_int b_denied, a_came_back;
} shared;

static void *checker(void *arg)
{
    shared *s = arg;
    int a_denied = 0;
    while (!atomic_load(&s->stop)) {
        if (custos_check(s->ctx, s->b, EF_PURPOSE_VIDEO, EF_CATEGORY) != CUSTOS_ALLOW)
            atomic_store(&s->b_denied, 1);
        custos_decision d = custos_check(s->ctx, s->a, EF_PURPOSE_VIDEO, EF_CATEGORY);
        if (d != CUSTOS_ALLOW)
            a_denied = 1;
        else if (a_denied)
            atomic_store(&s->a_came_back, 1);
        atomic_fetch_add(&s->checks, 2);
    }
    return NULL;
}

static void test_erase_while_other_threads_check_consent(void **state)
{
    (void)state;
    char *dir = th_tmpdir("erase-race");
    shared s = { .ctx = th_open(dir) };
    assert_int_equal(ef_load_manifest(s.ctx), CUSTOS_OK);
    assert_int_equal(ef_subject(s.ctx, &s.a, "alice"), CUSTOS_OK);
    assert_int_equal(ef_subject(s.ctx, &s.b, "bob"), CUSTOS_OK);
    assert_int_equal(ef_put(s.ctx, s.a, EF_PURPOSE_VIDEO, 50, NULL, NULL), CUSTOS_OK);
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, checker, &s), 0);
    while (atomic_load(&s.checks) < 1000)
        sched_yield();
    assert_int_equal(custos_erase_subject(s.ctx, NULL, 0, NULL, s.a, NULL), CUSTOS_OK);
    long after = atomic_load(&s.checks);
    while (atomic_load(&s.checks) < after + 1000)
        sched_yield();
    atomic_store(&s.stop, 1);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(atomic_load(&s.b_denied), 0);
    assert_int_equal(atomic_load(&s.a_came_back), 0);
    assert_int_equal(custos_check(s.ctx, s.a, EF_PURPOSE_VIDEO, EF_CATEGORY), CUSTOS_DENY_UNKNOWN_SUBJECT);
    custos_close(s.ctx);
    th_tmpdir_remove(dir);
}

static void *eraser(void *arg)
{
    shared *s = arg;
    long rc = custos_erase_subject(s->ctx, NULL, 0, NULL, s->a, NULL);
    return (void *)rc;
}

static void test_two_threads_erasing_the_same_subject_erase_it_once(void **state)
{
    (void)state;
    char *dir = th_tmpdir("erase-twice");
    shared s = { .ctx = th_open(dir) };
    assert_int_equal(ef_load_manifest(s.ctx), CUSTOS_OK);
    assert_int_equal(ef_subject(s.ctx, &s.a, "alice"), CUSTOS_OK);
    assert_int_equal(ef_put(s.ctx, s.a, EF_PURPOSE_VIDEO, 10, NULL, NULL), CUSTOS_OK);
    pthread_t t[2];
    void *r[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, eraser, &s), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], &r[i]);
    long rc0 = (long)r[0], rc1 = (long)r[1];
    assert_true((rc0 == CUSTOS_OK && rc1 == CUSTOS_ENOTFOUND) || (rc0 == CUSTOS_ENOTFOUND && rc1 == CUSTOS_OK));
    size_t n = 0;
    assert_int_equal(custos_erase_receipt_list(s.ctx, NULL, 0, &n), CUSTOS_OK);
    assert_int_equal(n, 1);
    custos_close(s.ctx);
    th_tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_erase_while_other_threads_check_consent),
        cmocka_unit_test(test_two_threads_erasing_the_same_subject_erase_it_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
