/* `custos audit`: exit codes and outputs of the command-line tool ($CUSTOS_BIN). */
#include "test_audit_helpers.h"

#include <sodium.h>
#include <sys/wait.h>

static int run(const char *fmt, ...) CUSTOS_PRINTF(1, 2);

/* Run the tool with the given arguments (output discarded); its exit code. */
static int run(const char *fmt, ...)
{
    const char *bin = getenv("CUSTOS_BIN");
    if (bin == NULL)
        bin = CUSTOS_BINARY_DIR "/bin/custos";
    char args[3000], cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(cmd, sizeof cmd, "'%s' %s >/dev/null 2>&1", bin, args);
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static char *make_store(void)
{
    char *dir = th_tmpdir("audit-cli");
    custos_t *ctx = th_open(dir);
    ta_append(ctx, CUSTOS_AUDIT_CONSENT_CHANGED, NULL, 2, "given");
    custos_close(ctx);
    return dir;
}

static void test_verify_of_intact_store_exits_0(void **state)
{
    (void)state;
    char *dir = make_store();
    assert_int_equal(run("audit verify --store '%s'", dir), 0);
    th_tmpdir_remove(dir);
}

static void test_verify_of_tampered_store_exits_1(void **state)
{
    (void)state;
    char *dir = make_store();
    custos_t *ctx = th_open(dir);
    ta_sql(ctx, "DELETE FROM audit_entry WHERE seq = 1");
    custos_close(ctx);
    assert_int_equal(run("audit verify --store '%s'", dir), 1);
    th_tmpdir_remove(dir);
}

static void test_verify_of_missing_store_exits_1(void **state)
{
    (void)state;
    char *dir = th_tmpdir("audit-cli-none");
    assert_int_equal(run("audit verify --store '%s/absent'", dir), 1);
    th_tmpdir_remove(dir);
}

static void test_bad_command_lines_exit_2(void **state)
{
    (void)state;
    assert_int_equal(run("audit"), 2);
    assert_int_equal(run("audit frobnicate"), 2);
    assert_int_equal(run("audit export --store x"), 2);
    assert_int_equal(run("audit show --from abc"), 2);
    assert_int_equal(run("audit verify --store"), 2);
    assert_int_equal(run("audit verify --file x"), 2);
    assert_int_equal(run("audit verify --file x --key 1234"), 2);
}

static void hex(char out[65], const uint8_t pk[32])
{
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", pk[i]);
}

static void test_export_then_verify_file_with_device_key_exits_0(void **state)
{
    (void)state;
    char *dir = make_store();
    custos_t *ctx = th_open(dir);
    uint8_t pk[32], other[32], sk[64];
    assert_int_equal(custos_device_public_key(ctx, pk), CUSTOS_OK);
    custos_close(ctx);
    char key[65], wrong[65];
    hex(key, pk);
    crypto_sign_keypair(other, sk);
    hex(wrong, other);
    assert_int_equal(run("audit export -o '%s/chain.bin' --store '%s'", dir, dir), 0);
    assert_int_equal(run("audit verify --file '%s/chain.bin' --key %s", dir, key), 0);
    assert_int_equal(run("audit verify --file '%s/chain.bin' --key %s", dir, wrong), 1);
    th_tmpdir_remove(dir);
}

static void test_opt_out_and_opt_in_change_the_setting(void **state)
{
    (void)state;
    char *dir = make_store();
    assert_int_equal(run("audit opt-out --store '%s'", dir), 0);
    custos_t *ctx = th_open(dir);
    int enabled = -1;
    assert_int_equal(custos_audit_get_optional(ctx, &enabled), CUSTOS_OK);
    assert_int_equal(enabled, 0);
    custos_close(ctx);
    assert_int_equal(run("audit opt-in --store '%s'", dir), 0);
    ctx = th_open(dir);
    assert_int_equal(custos_audit_get_optional(ctx, &enabled), CUSTOS_OK);
    assert_int_equal(enabled, 1);
    custos_close(ctx);
    assert_int_equal(run("audit show --store '%s'", dir), 0);
    assert_int_equal(run("audit checkpoint --store '%s'", dir), 0);
    th_tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verify_of_intact_store_exits_0),
        cmocka_unit_test(test_verify_of_tampered_store_exits_1),
        cmocka_unit_test(test_verify_of_missing_store_exits_1),
        cmocka_unit_test(test_bad_command_lines_exit_2),
        cmocka_unit_test(test_export_then_verify_file_with_device_key_exits_0),
        cmocka_unit_test(test_opt_out_and_opt_in_change_the_setting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
