/*
 * A subject erase under I/O errors (EIO transient, ENOSPC persistent) and
 * out-of-memory, and a factory reset under the same I/O errors, at every
 * point k. At every k the call
 * returns 0 or a clean error, leaks nothing, and the store, reopened without
 * faults, shows the erase complete (an interrupted one is finished by the
 * open) or not begun; the other subject's data is intact.
 */
#include "fault.h"
#include "../forensic/erase_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_REC 2

typedef struct world {
    custos_subject a, b;
    char ca[N_REC][EF_CANARY_LEN], cb[N_REC][EF_CANARY_LEN];
    custos_record_id ia[N_REC], ib[N_REC];
    uint8_t pk[32];
} world;

static world W;
static char *template_dir;

/* Build the store once (faults off); each k starts from a copy of it. */
static void make_template(void)
{
    template_dir = th_tmpdir("fault-erase-template");
    custos_t *ctx = th_open(template_dir);
    assert_int_equal(ef_load_manifest(ctx), CUSTOS_OK);
    assert_int_equal(ef_subject(ctx, &W.a, "alice"), CUSTOS_OK);
    assert_int_equal(ef_subject(ctx, &W.b, "bob"), CUSTOS_OK);
    assert_int_equal(ef_put(ctx, W.a, EF_PURPOSE_VIDEO, N_REC, W.ca, W.ia), CUSTOS_OK);
    assert_int_equal(ef_put(ctx, W.b, EF_PURPOSE_VIDEO, N_REC, W.cb, W.ib), CUSTOS_OK);
    assert_int_equal(custos_device_public_key(ctx, W.pk), CUSTOS_OK);
    custos_close(ctx);
}

static void setup(const char *dir, void *arg)
{
    (void)arg;
    static const char *const files[] = { "STORE", "keys", "custos.db", "anchor" };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[4096];
        size_t len = 0;
        snprintf(path, sizeof path, "%s/%s", template_dir, files[i]);
        if (access(path, F_OK) != 0 && strcmp(files[i], "anchor") == 0)
            continue; /* a fixture of a Custos before anchors */
        uint8_t *b = th_read_file(path, &len);
        assert_non_null(b);
        th_write_file(dir, files[i], b, len);
        free(b);
    }
}

static int readable(custos_t *ctx, const custos_record_id *ids, char (*c)[EF_CANARY_LEN])
{
    int k = 0;
    for (int i = 0; i < N_REC; i++)
        k += ef_reads(ctx, ids[i], c[i]);
    return k;
}

static size_t receipts(custos_t *ctx)
{
    size_t n = 0;
    assert_int_equal(custos_erase_receipt_list(ctx, NULL, 0, &n), CUSTOS_OK);
    return n;
}

static int op_subject(custos_t *ctx, const char *dir, void *arg)
{
    (void)dir;
    world *w = arg;
    return custos_erase_subject(ctx, NULL, 0, NULL, w->a, NULL);
}

static void check_subject(custos_t *ctx, const char *dir, int op_rc, void *arg)
{
    (void)dir;
    world *w = arg;
    custos_subject s;
    int left = readable(ctx, w->ia, w->ca);
    int done = left == 0 && custos_subject_find(ctx, &s, "alice") == CUSTOS_ENOTFOUND && receipts(ctx) == 1;
    int untouched = left == N_REC && custos_subject_find(ctx, &s, "alice") == CUSTOS_OK && receipts(ctx) == 0;
    if (!done && !(untouched && op_rc != CUSTOS_OK))
        fail_msg("erase returned %s and left the store half erased or lost it", custos_strerror(op_rc));
    assert_int_equal(readable(ctx, w->ib, w->cb), N_REC);
}

static int op_reset(custos_t *unused, const char *dir, void *arg)
{
    (void)unused;
    (void)arg;
    custos_open_options o = th_open_options(0);
    custos_t *ctx = NULL;
    int rc = custos_open(&ctx, dir, &o);
    if (rc != CUSTOS_OK)
        return rc;
    rc = custos_factory_reset(&ctx, NULL, 0, NULL, NULL);
    custos_close(ctx); /* NULL when the reset failed after it began */
    return rc;
}

static void check_reset(custos_t *ctx, const char *dir, int op_rc, void *arg)
{
    (void)dir;
    world *w = arg;
    uint8_t pk[32];
    uint32_t version;
    assert_int_equal(custos_device_public_key(ctx, pk), CUSTOS_OK);
    int fresh = custos_policy_current(ctx, NULL, &version) == CUSTOS_ENOTFOUND;
    int done = fresh && memcmp(pk, w->pk, 32) != 0 && receipts(ctx) == 1;
    int untouched = !fresh && memcmp(pk, w->pk, 32) == 0 && readable(ctx, w->ia, w->ca) == N_REC;
    if (!done && !(untouched && op_rc != CUSTOS_OK))
        fail_msg("factory reset returned %s and left the store half reset", custos_strerror(op_rc));
}

static const int allowed[] = { CUSTOS_EIO, CUSTOS_ENOSPC, CUSTOS_ENOMEM, 0 };

static void run(const char *name, th_op_fn op, th_check_fn check, int open_store, size_t n_faults)
{
    /* Mutating I/O points only, to keep the run short: reads fail cleanly
     * everywhere else in the suite. */
    static const struct { int kind, persistent; } faults[] = {
        { TH_FAULT_EIO, 0 }, { TH_FAULT_ENOSPC, 1 }, { TH_FAULT_OOM, 0 },
    };
    unsigned long total = 0;
    for (size_t i = 0; i < n_faults; i++) {
        th_fault_loop l = { .name = name, .kind = faults[i].kind, .persistent = faults[i].persistent,
                            .io_ops = TH_IO_MUTATING, .open_store = open_store, .setup = setup, .op = op, .check = check,
                            .allowed = allowed, .arg = &W };
        total += th_fault_run(&l);
    }
    printf("[fault] %s: %lu fault points in all\n", name, total);
}

static void test_subject_erase_under_faults_completes_or_does_not_begin(void **state)
{
    (void)state;
    run("erase-subject", op_subject, check_subject, 1, 3);
}

static void test_factory_reset_under_faults_completes_or_does_not_begin(void **state)
{
    (void)state;
    run("factory-reset", op_reset, check_reset, 0, 2); /* its OOM loop (5000 points) takes minutes */
}

int main(void)
{
    make_template();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subject_erase_under_faults_completes_or_does_not_begin),
        cmocka_unit_test(test_factory_reset_under_faults_completes_or_does_not_begin),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    th_tmpdir_remove(template_dir);
    return rc;
}
