/*
 * A store-format migration under I/O errors and a full disk at every point
 * of the open that runs it: the open fails cleanly or migrates, and the next
 * open finds the store either still in format 1 (then migrates it) or in
 * format 2, with the step applied exactly once and every record readable.
 */
#include "fault.h"
#include "../unit/test_vault_helpers.h"

static void setup_fixture(const char *dir, void *arg)
{
    (void)arg;
    tv_copy_store(CUSTOS_TEST_DATA "/stores/format1", dir);
}

static int op_open(custos_t *ctx, const char *dir, void *arg)
{
    (void)ctx;
    (void)arg;
    custos_open_options o = th_open_options(0);
    custos_t *opened = NULL;
    int rc = custos_open(&opened, dir, &o);
    custos_close(opened);
    return rc;
}

static void check_migrated_once(custos_t *ctx, const char *dir, int op_rc, void *arg)
{
    (void)dir;
    (void)op_rc;
    (void)arg;
    /* The loop reopened the store with the built-in steps: migrated by now (1 -> 2 rebuilds vault_key). */
    tv_expect_format1_migrated(ctx);
}

static void test_migration_survives_every_fault(void **state)
{
    (void)state;
    static const struct { int kind, persistent; } loops[] = {
        { TH_FAULT_EIO, 0 }, { TH_FAULT_EIO, 1 }, { TH_FAULT_ENOSPC, 1 },
    }; /* OOM in an open (1,300 points) is covered by tests/fault/test_fault_open.c */
    unsigned long total = 0;
    for (size_t i = 0; i < sizeof loops / sizeof loops[0]; i++) {
        th_fault_loop l = { .name = "vault migrate 1->2", .kind = loops[i].kind, .persistent = loops[i].persistent,
                            .setup = setup_fixture, .op = op_open, .check = check_migrated_once };
        total += th_fault_run(&l);
    }
    assert_true(total > 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migration_survives_every_fault),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
