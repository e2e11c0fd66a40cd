/* The custos tool's erase, factory-reset and receipt commands, run as a user would. */
#include "harness.h"
#include "../forensic/erase_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

typedef struct world {
    char *dir;
    char pk[65];
} world;

static int setup(void **state)
{
    world *w = calloc(1, sizeof *w);
    custos_subject a;
    uint8_t pk[32];
    w->dir = th_tmpdir("erase-cli");
    char store[4096];
    snprintf(store, sizeof store, "%s/store", w->dir);
    custos_t *ctx = th_open(store);
    assert_int_equal(ef_load_manifest(ctx), CUSTOS_OK);
    assert_int_equal(ef_subject(ctx, &a, "alice"), CUSTOS_OK);
    assert_int_equal(ef_put(ctx, a, EF_PURPOSE_VIDEO, 3, NULL, NULL), CUSTOS_OK);
    assert_int_equal(custos_device_public_key(ctx, pk), CUSTOS_OK);
    sodium_bin2hex(w->pk, sizeof w->pk, pk, sizeof pk);
    custos_close(ctx);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    world *w = *state;
    th_tmpdir_remove(w->dir);
    free(w);
    return 0;
}

/* Run the tool with args (after the store option), output discarded; its exit code. */
static int custos(const world *w, const char *args)
{
    const char *bin = getenv("CUSTOS_BIN");
    assert_non_null(bin);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "cd '%s' && CUSTOS_STORE='%s/store' '%s' %s >/dev/null 2>&1", w->dir, w->dir, bin, args);
    int status = system(cmd);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void test_cli_erase_writes_receipt_that_verifies_with_device_key(void **state)
{
    world *w = *state;
    char args[512];
    assert_int_equal(custos(w, "erase --subject alice --receipt r.bin"), 0);
    snprintf(args, sizeof args, "receipt verify r.bin --key %s", w->pk);
    assert_int_equal(custos(w, args), 0);
    assert_int_equal(custos(w, "receipt show r.bin"), 0);
}

static void test_cli_receipt_verify_with_other_key_fails(void **state)
{
    world *w = *state;
    char args[512], other[65];
    assert_int_equal(custos(w, "erase --subject alice --purpose 1 --receipt r.bin"), 0);
    memcpy(other, w->pk, sizeof other);
    other[0] = other[0] == '0' ? '1' : '0';
    snprintf(args, sizeof args, "receipt verify r.bin --key %s", other);
    assert_int_equal(custos(w, args), 1);
    assert_int_equal(custos(w, "receipt verify r.bin --key 1234"), 2);
}

static void test_cli_erase_unknown_subject_fails_and_bad_usage_is_2(void **state)
{
    world *w = *state;
    assert_int_equal(custos(w, "erase --subject nobody"), 1);
    assert_int_equal(custos(w, "erase"), 2);
    assert_int_equal(custos(w, "erase --subject alice --purpose x"), 2);
    assert_int_equal(custos(w, "receipt frobnicate r.bin"), 2);
}

static void test_cli_factory_reset_needs_yes_and_then_resets(void **state)
{
    world *w = *state;
    char args[512];
    assert_int_equal(custos(w, "factory-reset"), 2);
    assert_int_equal(custos(w, "factory-reset --yes --receipt reset.bin"), 0);
    snprintf(args, sizeof args, "receipt verify reset.bin --key %s", w->pk);
    assert_int_equal(custos(w, args), 0); /* signed by the old key */
    assert_int_equal(custos(w, "erase --subject alice"), 1); /* nobody left */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_cli_erase_writes_receipt_that_verifies_with_device_key),
        T(test_cli_receipt_verify_with_other_key_fails),
        T(test_cli_erase_unknown_subject_fails_and_bad_usage_is_2),
        T(test_cli_factory_reset_needs_yes_and_then_resets),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
