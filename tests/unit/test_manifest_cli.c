/* `custos manifest ...`: outputs and exit codes (0 ok, 1 failed, 2 usage; tools/cli.h). */
#include "harness.h"

#include <custos/manifest.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define CAMERA CUSTOS_SOURCE_DIR "/examples/smart-camera/"
#define INVALID CUSTOS_TEST_DATA "/manifests/invalid/"

static char *dir;

static int setup(void **state)
{
    (void)state;
    dir = th_tmpdir("manifest-cli");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    th_tmpdir_remove(dir);
    return 0;
}

/* Run `custos manifest <args>` in dir; returns the exit code, output in dir/out. */
static int run(const char *args)
{
    const char *bin = getenv("CUSTOS_BIN");
    if (bin == NULL)
        fail_msg("CUSTOS_BIN is not set (ctest sets it to the built custos tool)");
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' manifest %s >out 2>&1", dir, bin, args);
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

/* As run, under timeout 60 (exit 124 if the tool does not end). */
static int run_timed(const char *args)
{
    char cmd[8192];
    if (strchr(args, '|') != NULL)
        snprintf(cmd, sizeof cmd, "cd '%s' && %s >out 2>&1", dir, args);
    else
        snprintf(cmd, sizeof cmd, "cd '%s' && timeout 60 \"$CUSTOS_BIN\" manifest %s >out 2>&1", dir, args);
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static char *output(void)
{
    char path[4096];
    size_t len;
    snprintf(path, sizeof path, "%s/out", dir);
    char *s = (char *)th_read_file(path, &len);
    assert_non_null(s);
    s[len] = '\0';
    return s;
}

static void assert_output_has(const char *needle)
{
    char *s = output();
    if (strstr(s, needle) == NULL)
        fail_msg("output lacks '%s':\n%s", needle, s);
    free(s);
}

static void test_check_accepts_a_valid_manifest(void **state)
{
    (void)state;
    assert_int_equal(run("check " CAMERA "privacy.yaml"), 0);
    assert_output_has("valid manifest");
}

static void test_check_refuses_with_place_and_exit_1(void **state)
{
    (void)state;
    assert_int_equal(run("check " INVALID "dangling-category.yaml"), 1);
    assert_output_has("custos: manifest check: CUSTOS_EMANIFEST: invalid manifest: " INVALID
                      "dangling-category.yaml:35:21: purpose 2 'analytics.reporting.system.performance' uses "
                      "category 9, which is not declared");
}

static void test_compile_previous_prints_the_one_purpose_to_ask_again(void **state)
{
    (void)state;
    assert_int_equal(run("compile " CAMERA "privacy.yaml -o v1.pb"), 0);
    assert_int_equal(run("compile " CAMERA "privacy-v2.yaml -o v2.pb --previous v1.pb"), 0);
    assert_output_has("purpose 3 analytics.reporting.system.performance: asks for consent again: new recipient\n");
    assert_int_equal(run("diff v1.pb v2.pb --json"), 0);
    assert_output_has("\"changes\":[{\"purpose\":3,");
    assert_int_equal(run("show v2.pb --json"), 0);
    assert_output_has("\"name\":\"Example Telemetry GmbH\",\"country\":\"DE\"");
    assert_int_equal(run("id v2.pb"), 0);
}

static void test_damaged_compiled_file_exits_1_with_ecorrupt(void **state)
{
    (void)state;
    assert_int_equal(run("compile " CAMERA "privacy.yaml -o v1.pb"), 0);
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd '%s' && head -c 100 v1.pb > cut.pb", dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(run("show cut.pb"), 1);
    assert_output_has("CUSTOS_ECORRUPT");
}

static void test_wrong_command_lines_exit_2(void **state)
{
    (void)state;
    assert_int_equal(run(""), 2);
    assert_int_equal(run("frobnicate"), 2);
    assert_int_equal(run("compile " CAMERA "privacy.yaml"), 2);      /* no -o */
    assert_int_equal(run("show a.pb b.pb"), 2);
    assert_int_equal(run("diff only-one.pb"), 2);
}

/* An endless input is read up to the manifest limit (1 MiB) and refused
 * with that limit; timeout ends a tool that would read on for ever. */
static void test_endless_input_is_refused_at_the_manifest_limit(void **state)
{
    (void)state;
    static const char *const cmds[] = { "check /dev/zero", "check - </dev/zero", "compile /dev/zero -o x.pb",
                                        "show /dev/zero", "cat /dev/zero | timeout 60 \"$CUSTOS_BIN\" manifest id -" };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        assert_int_equal(run_timed(cmds[i]), 1);
        assert_output_has("refused: longer than 1048576 bytes, the limit of a manifest (CUSTOS_MANIFEST_MAX_YAML)");
    }
}

/* One byte past the limit is refused; a file of exactly the limit is read
 * (and then refused by the parser, not for its size). */
static void test_one_byte_past_the_manifest_limit_is_refused(void **state)
{
    (void)state;
    char *big = malloc(CUSTOS_MANIFEST_MAX_YAML + 1);
    assert_non_null(big);
    memset(big, '#', CUSTOS_MANIFEST_MAX_YAML + 1); /* not secret */
    th_write_file(dir, "big.yaml", big, CUSTOS_MANIFEST_MAX_YAML + 1);
    th_write_file(dir, "limit.yaml", big, CUSTOS_MANIFEST_MAX_YAML);
    free(big);
    assert_int_equal(run("check big.yaml"), 1);
    assert_output_has("custos: big.yaml: refused: longer than 1048576 bytes");
    assert_int_equal(run("check limit.yaml"), 1);
    char *s = output();
    assert_null(strstr(s, "refused: longer"));
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_check_accepts_a_valid_manifest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_refuses_with_place_and_exit_1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compile_previous_prints_the_one_purpose_to_ask_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_compiled_file_exits_1_with_ecorrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_command_lines_exit_2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_endless_input_is_refused_at_the_manifest_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_byte_past_the_manifest_limit_is_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
