/*
 * A vault put under I/O errors, a full disk and out-of-memory at every
 * point: it returns 0 or a clean error, leaks nothing, and leaves a store
 * that opens, passes integrity_check, and holds the record fully or not at
 * all, every earlier record intact.
 */
#include "test_fault_vault_common.h"

static int op_put(custos_t *ctx, const char *dir, void *arg)
{
    (void)dir;
    (void)arg;
    custos_subject alice;
    custos_record_id id;
    int rc = alice_of(ctx, &alice);
    return rc != CUSTOS_OK ? rc : custos_vault_put(ctx, &id, alice, 1, 2, "new record", 10);
}

static void check_put(custos_t *ctx, const char *dir, int op_rc, void *arg)
{
    (void)dir;
    (void)arg;
    tv_expect(ctx, existing_id, "existing record");
    size_t n = count_text(ctx, "new record");
    if (op_rc == CUSTOS_OK)
        assert_int_equal(n, 1);
    else
        assert_true(n <= 1);
}

static void test_put_survives_every_fault(void **state)
{
    (void)state;
    assert_true(th_fault_run_all("vault put", setup_copy, op_put, check_put, NULL) > 10);
}

static void test_disk_full_during_put_is_enospc_and_store_consistent(void **state)
{
    (void)state;
    char *dir = th_tmpdir("vfull");
    setup_copy(dir, NULL);
    custos_open_options o = th_open_options(0);
    custos_t *ctx = NULL;
    assert_int_equal(custos_open(&ctx, dir, &o), CUSTOS_OK);
    custos_subject alice;
    assert_int_equal(alice_of(ctx, &alice), CUSTOS_OK);
    static uint8_t big[256 * 1024];
    custos_record_id id;
    th_io_fail_at(1, TH_FAULT_ENOSPC, TH_IO_WRITE, 1);
    assert_int_equal(custos_vault_put(ctx, &id, alice, 1, 1, big, sizeof big), CUSTOS_ENOSPC);
    th_fault_clear();
    assert_true(custos_errmsg(ctx)[0] != '\0');
    tv_expect(ctx, existing_id, "existing record");
    assert_int_equal(custos_vault_put(ctx, &id, alice, 1, 1, "after", 5), CUSTOS_OK);
    custos_close(ctx);
    th_assert_integrity(dir);
    th_tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_survives_every_fault),
        cmocka_unit_test(test_disk_full_during_put_is_enospc_and_store_consistent),
    };
    return cmocka_run_group_tests(tests, make_template, drop_template);
}
