/* `custos vault`: the command line over a copy of the format-1 fixture store. */
#include "test_vault_helpers.h"

#include <sys/wait.h>

static char *store_copy(void)
{
    char *dir = th_tmpdir("vcli");
    static const char *const files[] = { "STORE", "custos.db", "keys" };
    for (int i = 0; i < 3; i++) {
        char path[4096];
        snprintf(path, sizeof path, CUSTOS_TEST_DATA "/stores/format1/%s", files[i]);
        size_t len;
        uint8_t *b = th_read_file(path, &len);
        assert_non_null(b);
        th_write_file(dir, files[i], b, len);
        free(b);
    }
    return dir;
}

/* Run `[prefix] custos vault ARGS`; returns its exit status, stdout in out. */
static int run(char *out, size_t out_size, const char *prefix, const char *args)
{
    const char *bin = getenv("CUSTOS_BIN");
    assert_non_null(bin);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "%s %s vault %s 2>/dev/null", prefix, bin, args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, out_size - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_cli_put_then_get_round_trips_stdin(void **state)
{
    (void)state;
    char *dir = store_copy();
    char out[4096], args[4096];
    snprintf(args, sizeof args, "put --store %s --subject %s --purpose 1 --category 1", dir, TV_ALICE_ID);
    assert_int_equal(run(out, sizeof out, "printf 'from the cli' |", args), 0);
    long id = strtol(out, NULL, 10);
    assert_true(id > 0);
    snprintf(args, sizeof args, "get --store %s --id %ld", dir, id);
    assert_int_equal(run(out, sizeof out, "", args), 0);
    assert_string_equal(out, "from the cli");
    snprintf(args, sizeof args, "ls --store %s --subject %s", dir, TV_ALICE_ID);
    assert_int_equal(run(out, sizeof out, "", args), 0);
    assert_int_equal(strncmp(out, "id ", 3), 0);
    assert_non_null(strstr(out, "\n5 ")); /* the fixture holds records 1..4 */
    th_tmpdir_remove(dir);
}

static void test_cli_denied_put_exits_1_and_bad_usage_exits_2(void **state)
{
    (void)state;
    char *dir = store_copy();
    char out[4096], args[4096];
    snprintf(args, sizeof args, "put --store %s --subject %s --purpose 2 --category 2", dir, TV_BOB_ID);
    assert_int_equal(run(out, sizeof out, "printf x |", args), 1);
    snprintf(args, sizeof args, "put --store %s", dir);
    assert_int_equal(run(out, sizeof out, "", args), 2);
    snprintf(args, sizeof args, "get --store %s --id 99999", dir);
    assert_int_equal(run(out, sizeof out, "", args), 1);
    th_tmpdir_remove(dir);
}

static void test_cli_export_then_import_moves_records(void **state)
{
    (void)state;
    char *dir = store_copy();
    char out[4096], pk[65], args[4096];
    snprintf(args, sizeof args, "keygen -o %s/kp", dir);
    assert_int_equal(run(out, sizeof out, "", args), 0);
    memcpy(pk, out, 64);
    pk[64] = '\0';
    snprintf(args, sizeof args, "export --store %s --subject %s --to %s -o %s/ex", dir, TV_ALICE_ID, pk, dir);
    assert_int_equal(run(out, sizeof out, "", args), 0);
    /* bob has no consent to purpose 2: the whole import is refused. */
    snprintf(args, sizeof args, "import --store %s --subject %s --key %s/kp --in %s/ex", dir, TV_BOB_ID, dir, dir);
    assert_int_equal(run(out, sizeof out, "", args), 1);
    snprintf(args, sizeof args, "import --store %s --subject %s --key %s/kp --in %s/ex", dir, TV_ALICE_ID, dir, dir);
    assert_int_equal(run(out, sizeof out, "", args), 0);
    assert_non_null(strstr(out, "imported 3 records"));
    th_tmpdir_remove(dir);
}

/* A payload from /dev/zero or an endless pipe is read up to the 16 MiB
 * payload limit and refused with it; nothing is stored. */
static void test_cli_endless_payload_is_refused_at_the_limit(void **state)
{
    (void)state;
    char *dir = store_copy();
    const char *bin = getenv("CUSTOS_BIN");
    static const char *const pre[] = { "", "cat /dev/zero | " }, *const in[] = { " --in /dev/zero", "" };
    for (int i = 0; i < 2; i++) {
        char cmd[8192], err[4096];
        snprintf(cmd, sizeof cmd, "%stimeout 60 '%s' vault put --store %s --subject %s --purpose 1 --category 1%s 2>&1",
                 pre[i], bin, dir, TV_ALICE_ID, in[i]);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        size_t n = fread(err, 1, sizeof err - 1, p);
        err[n] = '\0';
        int st = pclose(p);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 1);
        assert_non_null(strstr(err, "refused: longer than 16777216 bytes, the limit of a payload "
                                    "(CUSTOS_VAULT_PAYLOAD_MAX)"));
    }
    char out[4096], args[4096];
    snprintf(args, sizeof args, "ls --store %s --subject %s", dir, TV_ALICE_ID);
    assert_int_equal(run(out, sizeof out, "", args), 0);
    assert_null(strstr(out, "\n5 "));
    th_tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_endless_payload_is_refused_at_the_limit),
        cmocka_unit_test(test_cli_put_then_get_round_trips_stdin),
        cmocka_unit_test(test_cli_denied_put_exits_1_and_bad_usage_exits_2),
        cmocka_unit_test(test_cli_export_then_import_moves_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
