/*
 * Sealed streams on one handle while other threads use it: two threads each
 * write and read back their own streams, a third puts records, rotates the
 * KEK and erases a subject whose stream a fourth thread is reading. Every
 * stream of the kept subject reads back whole and exact; the erased
 * subject's reader ends with CUSTOS_EKEY (or CUSTOS_ENOTFOUND / at open),
 * never with a wrong byte, and its file is gone at the end.
 */
#include "../unit/test_stream_helpers.h"

#include <custos/erase.h>
#include <pthread.h>
#include <stdatomic.h>

#define ROUNDS 6
#define LEN (2u * TS_CHUNK + 333u)

typedef struct shared {
    custos_t *ctx;
    custos_subject alice, bob;
    custos_record_id doomed;
    atomic_int bad;
} shared;

typedef struct worker {
    shared *s;
    unsigned seed;
} worker;

static void *streamer(void *arg)
{
    worker *w = arg;
    shared *s = w->s;
    static _Thread_local uint8_t buf[TS_CHUNK], want[TS_CHUNK];
    for (int i = 0; i < ROUNDS; i++) {
        custos_vault_stream *h = NULL;
        custos_record_id id = 0;
        if (custos_vault_stream_create(s->ctx, &h, s->alice, 1, 1) != CUSTOS_OK) {
            atomic_store(&s->bad, __LINE__);
            return NULL;
        }
        int rc = CUSTOS_OK;
        for (uint64_t at = 0; rc == CUSTOS_OK && at < LEN; at += 10000) {
            size_t n = LEN - at < 10000 ? (size_t)(LEN - at) : 10000;
            ts_fill(buf, at, n, w->seed);
            rc = custos_vault_stream_write(h, buf, n);
        }
        if (rc != CUSTOS_OK || custos_vault_stream_finish(h, &id) != CUSTOS_OK ||
            custos_vault_stream_open(s->ctx, &h, NULL, id) != CUSTOS_OK) {
            atomic_store(&s->bad, __LINE__);
            return NULL;
        }
        uint64_t got = 0;
        size_t n = 1;
        while (n > 0) {
            if (custos_vault_stream_read(h, buf, 7000, &n) != CUSTOS_OK) {
                atomic_store(&s->bad, __LINE__);
                break;
            }
            ts_fill(want, got, n, w->seed);
            if (memcmp(buf, want, n) != 0)
                atomic_store(&s->bad, __LINE__);
            got += n;
        }
        custos_vault_stream_close(h);
        if (got != LEN)
            atomic_store(&s->bad, __LINE__);
    }
    return NULL;
}

static void *doomed_reader(void *arg)
{
    shared *s = arg;
    static uint8_t buf[3000], want[3000];
    custos_vault_stream *h = NULL;
    int rc = custos_vault_stream_open(s->ctx, &h, NULL, s->doomed);
    uint64_t got = 0;
    while (rc == CUSTOS_OK) {
        size_t n = 0;
        rc = custos_vault_stream_read(h, buf, sizeof buf, &n);
        if (rc == CUSTOS_OK && n == 0) {
            custos_vault_stream_close(h);
            h = NULL;
            rc = custos_vault_stream_open(s->ctx, &h, NULL, s->doomed); /* again, until it is gone */
            got = 0;
            continue;
        }
        ts_fill(want, got, n, 9);
        if (memcmp(buf, want, n) != 0)
            atomic_store(&s->bad, __LINE__);
        got += n;
    }
    custos_vault_stream_close(h);
    if (rc != CUSTOS_EKEY && rc != CUSTOS_ENOTFOUND)
        atomic_store(&s->bad, __LINE__);
    return NULL;
}

static void *other_calls(void *arg)
{
    shared *s = arg;
    for (int i = 0; i < 20; i++) {
        custos_record_id id = 0;
        if (custos_vault_put(s->ctx, &id, s->alice, 2, 2, "more", 4) != CUSTOS_OK)
            atomic_store(&s->bad, __LINE__);
        if (i % 5 == 0 && custos_vault_rotate_kek(s->ctx) != CUSTOS_OK)
            atomic_store(&s->bad, __LINE__);
        if (i == 10 && custos_erase_subject(s->ctx, NULL, 0, NULL, s->bob, NULL) != CUSTOS_OK)
            atomic_store(&s->bad, __LINE__);
    }
    return NULL;
}

static void test_streams_and_other_calls_share_a_handle_across_threads(void **state)
{
    (void)state;
    char *dir;
    shared s = { 0 };
    s.ctx = tv_fresh(&dir, "vsthreads", &s.alice, &s.bob);
    s.doomed = ts_put(s.ctx, s.bob, 1, 1, 20u * TS_CHUNK, 9);
    worker w[2] = { { &s, 1 }, { &s, 2 } };
    pthread_t t[4];
    assert_int_equal(pthread_create(&t[0], NULL, streamer, &w[0]), 0);
    assert_int_equal(pthread_create(&t[1], NULL, streamer, &w[1]), 0);
    assert_int_equal(pthread_create(&t[2], NULL, doomed_reader, &s), 0);
    assert_int_equal(pthread_create(&t[3], NULL, other_calls, &s), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    if (atomic_load(&s.bad) != 0)
        fprintf(stderr, "failure at line %d (%s)\n", atomic_load(&s.bad), custos_errmsg(s.ctx));
    assert_int_equal(atomic_load(&s.bad), 0);
    assert_int_equal(ts_files(dir), 2 * ROUNDS); /* alice's streams; bob's file is gone */
    custos_close(s.ctx);
    th_tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_streams_and_other_calls_share_a_handle_across_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
