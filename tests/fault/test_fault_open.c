/*
 * Opening a store under I/O errors and out-of-memory at every point: both
 * the creation of a new store and the reopening of an existing one. At every
 * k the open returns 0 or a clean error, leaks nothing, and leaves either no
 * store (creation only) or a store that opens with its identity unchanged.
 */
#include "fault.h"

#include <string.h>

typedef struct open_case {
    uint8_t device_id[16];   /* the identity made by setup, for reopen cases */
    uint8_t public_key[32];
} open_case;

/* Make a store (faults off) and remember who it is. */
static void setup_existing_store(const char *dir, void *arg)
{
    open_case *c = arg;
    custos_t *ctx = th_open(dir);
    assert_int_equal(custos_device_id(ctx, c->device_id), CUSTOS_OK);
    assert_int_equal(custos_device_public_key(ctx, c->public_key), CUSTOS_OK);
    custos_close(ctx);
}

static int open_and_close(const char *dir, unsigned int flags)
{
    custos_open_options o = th_open_options(flags);
    custos_t *ctx = (custos_t *)&o; /* must be reset to NULL on failure */
    int rc = custos_open(&ctx, dir, &o);
    if (rc != CUSTOS_OK) {
        assert_null(ctx);
        assert_true(custos_last_error()[0] != '\0');
        return rc;
    }
    assert_non_null(ctx);
    custos_close(ctx);
    return CUSTOS_OK;
}

static int op_create(custos_t *ctx, const char *dir, void *arg)
{
    (void)ctx;
    (void)arg;
    return open_and_close(dir, CUSTOS_OPEN_CREATE);
}

static int op_reopen(custos_t *ctx, const char *dir, void *arg)
{
    (void)ctx;
    (void)arg;
    return open_and_close(dir, 0);
}

/* After a create: a store that works, or none, which a new create makes. */
static void check_created(custos_t *ctx, const char *dir, int op_rc, void *arg)
{
    (void)op_rc;
    (void)arg;
    uint8_t id[16], pk[32];
    if (ctx != NULL) {
        assert_int_equal(custos_device_id(ctx, id), CUSTOS_OK);
        assert_int_equal(custos_device_public_key(ctx, pk), CUSTOS_OK);
        return;
    }
    custos_t *again = th_open(dir);
    custos_close(again);
}

/* After a reopen: the same store, whatever happened. */
static void check_same_identity(custos_t *ctx, const char *dir, int op_rc, void *arg)
{
    (void)dir;
    (void)op_rc;
    const open_case *c = arg;
    uint8_t id[16], pk[32];
    assert_int_equal(custos_device_id(ctx, id), CUSTOS_OK);
    assert_int_equal(custos_device_public_key(ctx, pk), CUSTOS_OK);
    assert_memory_equal(id, c->device_id, 16);
    assert_memory_equal(pk, c->public_key, 32);
}

static unsigned long run_kinds(const char *name, th_setup_fn setup, th_op_fn op, th_check_fn check,
                               int may_leave_no_store, int oom)
{
    static const struct { int kind; unsigned int ops; } io[] = {
        { TH_FAULT_EIO, TH_IO_ALL },
        { TH_FAULT_ENOSPC, TH_IO_OPEN | TH_IO_WRITE | TH_IO_FSYNC | TH_IO_RENAME },
    };
    open_case c;
    memset(&c, 0, sizeof c);
    unsigned long total = 0;
    for (int persistent = 0; persistent <= 1; persistent++) {
        th_fault_loop l = { .name = name, .persistent = persistent, .may_leave_no_store = may_leave_no_store,
                            .setup = setup, .op = op, .check = check, .arg = &c };
        if (oom) {
            l.kind = TH_FAULT_OOM;
            total += th_fault_run(&l);
            continue;
        }
        for (size_t i = 0; i < sizeof io / sizeof io[0]; i++) {
            l.kind = io[i].kind;
            l.io_ops = io[i].ops;
            total += th_fault_run(&l);
        }
    }
    return total;
}

static void test_create_survives_io_error_at_every_point(void **state)
{
    (void)state;
    assert_true(run_kinds("open(create)", NULL, op_create, check_created, 1, 0) > 4);
}

static void test_reopen_survives_io_error_at_every_point(void **state)
{
    (void)state;
    assert_true(run_kinds("open(existing)", setup_existing_store, op_reopen, check_same_identity, 0, 0) > 4);
}

static void test_create_survives_oom_at_every_allocation(void **state)
{
    (void)state;
    assert_true(run_kinds("open(create)", NULL, op_create, check_created, 1, 1) > 2);
}

static void test_reopen_survives_oom_at_every_allocation(void **state)
{
    (void)state;
    assert_true(run_kinds("open(existing)", setup_existing_store, op_reopen, check_same_identity, 0, 1) > 2);
}

static void test_close_leaves_no_allocation_behind(void **state)
{
    (void)state;
    char *dir = th_tmpdir("leak");
    long before = th_alloc_outstanding();
    long long sq_before = th_sqlite_memory();
    for (int i = 0; i < 3; i++)
        custos_close(th_open_vfs(dir));
    assert_int_equal(th_alloc_outstanding(), before);
    assert_true(th_sqlite_memory() <= sq_before + 0);
    th_tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_survives_io_error_at_every_point),
        cmocka_unit_test(test_reopen_survives_io_error_at_every_point),
        cmocka_unit_test(test_create_survives_oom_at_every_allocation),
        cmocka_unit_test(test_reopen_survives_oom_at_every_allocation),
        cmocka_unit_test(test_close_leaves_no_allocation_behind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
