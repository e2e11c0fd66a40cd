/*
 * An export under I/O errors, a full disk and out-of-memory at every point:
 * a clean error leaves no export file, and the store is untouched.
 */
#include "test_fault_vault_common.h"

static int op_export(custos_t *ctx, const char *dir, void *arg)
{
    (void)arg;
    char path[4096];
    uint8_t pk[32], sk[32];
    custos_subject alice;
    snprintf(path, sizeof path, "%s/out.export", dir);
    int rc = alice_of(ctx, &alice);
    if (rc != CUSTOS_OK)
        return rc;
    if (custos_export_keypair(pk, sk) != CUSTOS_OK)
        return CUSTOS_ECRYPTO;
    return custos_vault_export(ctx, path, alice, pk);
}

static void check_export(custos_t *ctx, const char *dir, int op_rc, void *arg)
{
    (void)arg;
    char path[4096];
    snprintf(path, sizeof path, "%s/out.export", dir);
    if (op_rc != CUSTOS_OK) /* no partial export file is left behind */
        assert_int_equal(access(path, F_OK), -1);
    tv_expect(ctx, existing_id, "existing record");
}

static void test_export_survives_every_fault(void **state)
{
    (void)state;
    assert_true(tf_run("vault export", op_export, check_export) > 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_export_survives_every_fault),
    };
    return cmocka_run_group_tests(tests, make_template, drop_template);
}
