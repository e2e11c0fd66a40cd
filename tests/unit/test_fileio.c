/* The files Custos writes itself: atomic replacement, and never over
 * something that is not a regular file. */
#include "harness.h"
#include "ground/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void test_atomic_write_replaces_a_regular_file(void **state)
{
    (void)state;
    char *dir = th_tmpdir("fileio");
    char path[4096];
    snprintf(path, sizeof path, "%s/f", dir);
    assert_int_equal(custos__file_write_atomic(NULL, path, "old", 3, 0600), CUSTOS_OK);
    assert_int_equal(custos__file_write_atomic(NULL, path, "new!", 4, 0600), CUSTOS_OK);
    size_t len = 0;
    uint8_t *b = th_read_file(path, &len);
    assert_int_equal(len, 4);
    assert_memory_equal(b, "new!", 4);
    free(b);
    th_tmpdir_remove(dir);
}

static void test_atomic_write_refuses_a_fifo_and_leaves_it(void **state)
{
    (void)state;
    char *dir = th_tmpdir("fileio");
    char path[4096];
    snprintf(path, sizeof path, "%s/fifo", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(custos__file_write_atomic(NULL, path, "x", 1, 0600), CUSTOS_EINVAL);
    assert_non_null(strstr(custos_last_error(), "not a regular file"));
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    th_tmpdir_remove(dir);
}

static void test_atomic_write_refuses_a_directory(void **state)
{
    (void)state;
    char *dir = th_tmpdir("fileio");
    assert_int_equal(custos__file_write_atomic(NULL, dir, "x", 1, 0600), CUSTOS_EINVAL);
    struct stat st;
    assert_int_equal(lstat(dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    th_tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_atomic_write_replaces_a_regular_file),
        cmocka_unit_test(test_atomic_write_refuses_a_fifo_and_leaves_it),
        cmocka_unit_test(test_atomic_write_refuses_a_directory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
