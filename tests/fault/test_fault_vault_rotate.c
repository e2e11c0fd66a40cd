/*
 * A KEK rotation under I/O errors, a full disk and out-of-memory at every
 * point: every record still opens afterwards, and the next rotation works.
 */
#include "test_fault_vault_common.h"

static int op_rotate(custos_t *ctx, const char *dir, void *arg)
{
    (void)dir;
    (void)arg;
    return custos_vault_rotate_kek(ctx);
}

static void check_rotate(custos_t *ctx, const char *dir, int op_rc, void *arg)
{
    (void)dir;
    (void)op_rc;
    (void)arg;
    tv_expect(ctx, existing_id, "existing record");
    /* and the vault still writes and rotates */
    assert_int_equal(custos_vault_rotate_kek(ctx), CUSTOS_OK);
    tv_expect(ctx, existing_id, "existing record");
}

static void test_kek_rotation_survives_every_fault(void **state)
{
    (void)state;
    assert_true(tf_run("vault rotate", op_rotate, check_rotate) > 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kek_rotation_survives_every_fault),
    };
    return cmocka_run_group_tests(tests, make_template, drop_template);
}
