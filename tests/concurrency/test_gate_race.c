/* Two readers check without locks while a writer gives and withdraws
 * consent for over a second: every answer is one of the two states, no
 * snapshot is read after it was freed (ASan/TSan), and once a writer's call
 * returns its change is what readers see.
 *
 * The same test runs in three reclamation modes (gate.c): the asymmetric
 * barrier (membarrier, the default on Linux), reader fences
 * (test_gate_race_fence.c defines GATE_RACE_FENCE), and one hazard slot for
 * three threads, so that a reader checks under the overflow mutex
 * (test_gate_race_overflow.c defines GATE_RACE_SLOTS 1). */
#include "../unit/consent_fixture.h"
#include "gate/gate_internal.h"

#ifndef GATE_RACE_FENCE
#define GATE_RACE_FENCE 0
#endif
#ifndef GATE_RACE_SLOTS
#define GATE_RACE_SLOTS 0
#endif

#include <pthread.h>
#include <sched.h>
#include <time.h>

typedef struct race {
    fx f;
    atomic_int stop;
    atomic_long seq;             /* 2k: k writes returned, none in flight; odd: one in flight */
    long checks[2];
    long stale[2];
    long bad[2];
} race;

static race R;

static void *reader(void *arg)
{
    int me = (int)(intptr_t)arg;
    while (!atomic_load(&R.stop)) {
        long before = atomic_load(&R.seq);
        custos_decision d = custos_check(R.f.ctx, R.f.owner, FX_ANALYTICS, FX_CAT_USAGE);
        long after = atomic_load(&R.seq);
        if (d != CUSTOS_ALLOW && d != CUSTOS_DENY_WITHDRAWN && d != CUSTOS_DENY_NO_CONSENT)
            R.bad[me]++;
        /* no write in flight during the whole check: the answer is the last
         * returned write's (writes alternate give, withdraw, give, ...) */
        long k = before / 2;
        if (before == after && before % 2 == 0 && (d == CUSTOS_ALLOW) != (k > 0 && (k - 1) % 2 == 0))
            R.stale[me]++;
        /* let the writer in now and then on a machine with fewer cores than threads (or Valgrind) */
        if ((++R.checks[me] & 1023) == 0)
            sched_yield();
    }
    return NULL;
}

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_two_readers_and_a_writer_for_a_second(void **state)
{
    (void)state;
    memset(&R, 0, sizeof R);
    fx_open(&R.f, "race");
    print_message("gate reclamation: %s, %u hazard slot(s)\n",
                  custos__gate_reader_fence() ? "reader fences" : "asymmetric barrier",
                  GATE_RACE_SLOTS ? GATE_RACE_SLOTS : GATE_SLOTS);
    if (GATE_RACE_FENCE)
        assert_int_equal(custos__gate_reader_fence(), 1);
    assert_int_equal(sqlite3_exec(R.f.ctx->db, "PRAGMA synchronous=OFF", NULL, NULL, NULL), SQLITE_OK);
    atomic_store(&R.seq, 0);
    pthread_t t[2];
    for (intptr_t i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, reader, (void *)i), 0);
    double start = seconds();
    long writes = 0;
    /* at least 1.2 s and 40 writes (slow under Valgrind), at most 30 s */
    while ((seconds() - start < 1.2 || writes < 40) && seconds() - start < 30) {
        int give = (writes % 2) == 0;
        atomic_fetch_add(&R.seq, 1); /* a write is in flight */
        int rc = give ? custos_consent_give(R.f.ctx, R.f.owner, FX_ANALYTICS, &fx_info)
                      : custos_consent_withdraw(R.f.ctx, R.f.owner, FX_ANALYTICS, &fx_info);
        assert_int_equal(rc, CUSTOS_OK);
        atomic_fetch_add(&R.seq, 1);
        writes++;
    }
    atomic_store(&R.stop, 1);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    print_message("writes %ld, checks %ld + %ld\n", writes, R.checks[0], R.checks[1]);
    assert_true(writes >= 20);
    assert_true(R.checks[0] > 100 && R.checks[1] > 100);
    assert_int_equal(R.bad[0] + R.bad[1], 0);
    assert_int_equal(R.stale[0] + R.stale[1], 0);
    fx_close(&R.f);
}

/* Threads that check once and exit give their hazard slot back: many more
 * threads than slots come and go, and every check still answers. */
static void *check_once(void *arg)
{
    fx *f = arg;
    return (void *)(intptr_t)custos_check(f->ctx, f->owner, FX_ANALYTICS, FX_CAT_USAGE);
}

static void test_exited_threads_release_their_slots(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "raceslots");
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    unsigned before = custos__gate_slots_owned();
    for (int i = 0; i < (int)GATE_SLOTS + 64; i++) {
        pthread_t t;
        void *d = NULL;
        assert_int_equal(pthread_create(&t, NULL, check_once, &f), 0);
        assert_int_equal(pthread_join(t, &d), 0);
        assert_int_equal((intptr_t)d, CUSTOS_ALLOW);
    }
    assert_int_equal(custos__gate_slots_owned(), before);
    fx_close(&f);
}

int main(void)
{
    custos__gate_test_config(GATE_RACE_FENCE, GATE_RACE_SLOTS);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_readers_and_a_writer_for_a_second),
        cmocka_unit_test(test_exited_threads_release_their_slots),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
