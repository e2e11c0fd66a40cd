/* env.c: the version getters agree with each other and with the project's
 * version (CMakeLists.txt), and the number is MAJOR * 10000 + MINOR * 100 +
 * PATCH in decimal (it was once pasted as 0<minor>0<patch>, an octal literal). */
#include "harness.h"
#include <custos/custos.h>
#include <stdio.h>

static void test_version_number_is_major_minor_patch_in_decimal(void **state)
{
    (void)state;
    unsigned major = 0, minor = 0, patch = 0;
    assert_int_equal(sscanf(custos_version(), "%u.%u.%u", &major, &minor, &patch), 3);
    assert_int_equal(custos_version_number(), (int)(major * 10000 + minor * 100 + patch));
}

static void test_version_is_the_projects(void **state)
{
    (void)state;
    /* CUSTOS_PROJECT_VERSION comes from project(VERSION ...) through tests/unit's CMake. */
    assert_string_equal(custos_version(), CUSTOS_PROJECT_VERSION);
    assert_true(custos_version_number() >= 100); /* 0.1.0 is 100, not the octal 00100 (64) */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_number_is_major_minor_patch_in_decimal),
        cmocka_unit_test(test_version_is_the_projects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
