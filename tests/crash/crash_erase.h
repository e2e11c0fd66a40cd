/*
 * crash_erase.h: the body of test_crash_erase_{subject,purpose,reset}.c,
 * which define CRASH_ERASE_SCOPE (1 subject, 2 purpose, 3 factory reset)
 * and include it; three executables so that CTest runs them in parallel.
 *
 * A power cut at every I/O point (write, fsync, rename, unlink) of a subject
 * erase, a purpose erase or a factory reset. By default under the
 * process-crash model (every issued write kept); with CUSTOS_CRASH_MODELS=all
 * in the environment also with unsynced writes dropped and sectors torn
 * (about three times longer).
 * After each, the store reopens, passes PRAGMA integrity_check, and the
 * erase is either complete (resumed by the open) or had not begun (the
 * crash came before its intent was durable); never half done. The other
 * subject's data is always intact.
 */
#ifndef CUSTOS_CRASH_ERASE_H
#define CUSTOS_CRASH_ERASE_H

#include "crash.h"
#include "../forensic/erase_fixture.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_REC 3

typedef struct world {
    char *template_dir;
    custos_subject a, b;
    char ca[2][N_REC][EF_CANARY_LEN], cb[N_REC][EF_CANARY_LEN];
    custos_record_id ia[2][N_REC], ib[N_REC];
    uint8_t pk[32];
    unsigned long done, not_begun;
} world;

static world W;

/* Build the store once; each crash point starts from a copy of it. */
static void make_template(void)
{
    W.template_dir = th_tmpdir("crash-erase-template");
    custos_t *ctx = th_open(W.template_dir);
    assert_int_equal(ef_load_manifest(ctx), CUSTOS_OK);
    assert_int_equal(ef_subject(ctx, &W.a, "alice"), CUSTOS_OK);
    assert_int_equal(ef_subject(ctx, &W.b, "bob"), CUSTOS_OK);
    for (int p = 0; p < 2; p++)
        assert_int_equal(ef_put(ctx, W.a, p == 0 ? EF_PURPOSE_VIDEO : EF_PURPOSE_STATS, N_REC, W.ca[p], W.ia[p]),
                         CUSTOS_OK);
    assert_int_equal(ef_put(ctx, W.b, EF_PURPOSE_VIDEO, N_REC, W.cb, W.ib), CUSTOS_OK);
    assert_int_equal(custos_device_public_key(ctx, W.pk), CUSTOS_OK);
    custos_close(ctx);
}

static void setup(const char *dir, void *arg)
{
    (void)arg;
    DIR *d = opendir(W.template_dir);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        size_t len = 0;
        snprintf(path, sizeof path, "%s/%s", W.template_dir, e->d_name);
        uint8_t *b = th_read_file(path, &len);
        assert_non_null(b);
        th_write_file(dir, e->d_name, b, len);
        free(b);
    }
    if (d != NULL)
        closedir(d);
}

static int op_erase(const char *dir, int scope)
{
    custos_open_options o = th_open_options(0);
    custos_t *ctx = NULL;
    if (custos_open(&ctx, dir, &o) != CUSTOS_OK)
        return 1;
    int rc = scope == 1 ? custos_erase_subject(ctx, NULL, 0, NULL, W.a, NULL)
           : scope == 2 ? custos_erase_purpose(ctx, NULL, 0, NULL, W.a, EF_PURPOSE_STATS, NULL)
                        : custos_factory_reset(&ctx, NULL, 0, NULL, NULL);
    if (rc == CUSTOS_OK)
        th_crash_note(1);
    custos_close(ctx);
    return rc != CUSTOS_OK;
}

static int op_scope(const char *dir, void *arg)
{
    (void)arg;
    return op_erase(dir, CRASH_ERASE_SCOPE);
}

static int readable(custos_t *ctx, const custos_record_id *ids, char (*c)[EF_CANARY_LEN], int n)
{
    int k = 0;
    for (int i = 0; i < n; i++)
        k += ef_reads(ctx, ids[i], c[i]);
    return k;
}

static size_t receipts(custos_t *ctx)
{
    size_t n = 0;
    assert_int_equal(custos_erase_receipt_list(ctx, NULL, 0, &n), CUSTOS_OK);
    return n;
}

static int journal_left(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/erase.journal", dir);
    return access(path, F_OK) == 0;
}

/* Complete, or never begun: nothing in between. */
static void verdict(const th_crash_result *r, int done, int untouched)
{
    if (!done && !untouched)
        fail_msg("k=%lu model=%d: the erase is half done", r->k, r->model);
    if (!done && (!r->crashed || r->n_notes > 0))
        fail_msg("k=%lu model=%d: an acknowledged erase was lost", r->k, r->model);
    if (done)
        W.done++;
    else
        W.not_begun++;
}

#if CRASH_ERASE_SCOPE == 1
static void check_subject(const char *dir, const th_crash_result *r, void *arg)
{
    (void)arg;
    custos_t *ctx = th_crash_reopen(dir);
    assert_non_null(ctx);
    custos_subject s;
    int gone = readable(ctx, W.ia[0], W.ca[0], N_REC) + readable(ctx, W.ia[1], W.ca[1], N_REC) == 0;
    int all = readable(ctx, W.ia[0], W.ca[0], N_REC) + readable(ctx, W.ia[1], W.ca[1], N_REC) == 2 * N_REC;
    int done = gone && custos_subject_find(ctx, &s, "alice") == CUSTOS_ENOTFOUND && receipts(ctx) == 1;
    int untouched = all && custos_subject_find(ctx, &s, "alice") == CUSTOS_OK && receipts(ctx) == 0;
    verdict(r, done, untouched);
    assert_int_equal(readable(ctx, W.ib, W.cb, N_REC), N_REC);
    assert_false(journal_left(dir));
    custos_close(ctx);
}

#elif CRASH_ERASE_SCOPE == 2
static void check_purpose(const char *dir, const th_crash_result *r, void *arg)
{
    (void)arg;
    custos_t *ctx = th_crash_reopen(dir);
    assert_non_null(ctx);
    int left = readable(ctx, W.ia[1], W.ca[1], N_REC);
    verdict(r, left == 0 && receipts(ctx) == 1, left == N_REC && receipts(ctx) == 0);
    assert_int_equal(readable(ctx, W.ia[0], W.ca[0], N_REC), N_REC);
    assert_int_equal(readable(ctx, W.ib, W.cb, N_REC), N_REC);
    assert_false(journal_left(dir));
    custos_close(ctx);
}

#else
static void check_reset(const char *dir, const th_crash_result *r, void *arg)
{
    (void)arg;
    custos_t *ctx = NULL;
    /* A reset cut short after the database was removed is finished by an open with CREATE. */
    int rc = custos_open(&ctx, dir, NULL);
    if (rc != CUSTOS_OK)
        fail_msg("k=%lu: reopen after a cut reset: %s: %s", r->k, custos_strerror(rc), custos_last_error());
    th_assert_db_ok(ctx);
    uint8_t pk[32];
    uint32_t version;
    assert_int_equal(custos_device_public_key(ctx, pk), CUSTOS_OK);
    int fresh = custos_policy_current(ctx, NULL, &version) == CUSTOS_ENOTFOUND;
    int done = fresh && memcmp(pk, W.pk, 32) != 0 && receipts(ctx) == 1;
    int untouched = !fresh && memcmp(pk, W.pk, 32) == 0 && readable(ctx, W.ib, W.cb, N_REC) == N_REC &&
                    readable(ctx, W.ia[0], W.ca[0], N_REC) == N_REC && receipts(ctx) == 0;
    verdict(r, done, untouched);
    assert_false(journal_left(dir));
    custos_close(ctx);
}

#endif

static void run(const char *name, th_crash_op_fn op, th_crash_check_fn check)
{
    const char *env = getenv("CUSTOS_CRASH_MODELS");
    int last = env != NULL && strcmp(env, "all") == 0 ? TH_CRASH_TEAR : TH_CRASH_KEEP;
    unsigned long n = 0;
    W.done = W.not_begun = 0;
    for (int model = TH_CRASH_KEEP; model <= last; model++) {
        th_crash_loop l = { .name = name, .model = model, .setup = setup, .op = op, .check = check };
        n += th_crash_run(&l);
    }
    printf("[crash] %s: %lu crash points; of the %lu reopened stores %lu had the erase complete, "
           "%lu had it not begun (crash before its intent was durable)\n", name, n, W.done + W.not_begun, W.done,
           W.not_begun);
    assert_true(n > 0);
    assert_true(W.done > 0);
}

static void test_crash_at_every_io_point_ends_complete_or_not_begun(void **state)
{
    (void)state;
#if CRASH_ERASE_SCOPE == 1
    run("erase-subject", op_scope, check_subject);
#elif CRASH_ERASE_SCOPE == 2
    run("erase-purpose", op_scope, check_purpose);
#else
    run("factory-reset", op_scope, check_reset);
#endif
}

int main(void)
{
    make_template();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash_at_every_io_point_ends_complete_or_not_begun),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    th_tmpdir_remove(W.template_dir);
    return rc;
}

#endif
