/*
 * custos_last_error(): the one detail channel of calls without a handle.
 * A manifest call given no custos_manifest_error still says where the YAML
 * is wrong; the text is per thread, so one thread's failure never replaces
 * another's; a failing open replaces it and a handle's own failures do not
 * touch it (they go to custos_errmsg).
 */
#include "harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char bad_yaml[] = "custos: 1\nproduct:\n  name: [unclosed\n";

static void test_manifest_call_without_err_struct_reports_place(void **state)
{
    (void)state;
    assert_int_equal(custos_manifest_check(bad_yaml, sizeof bad_yaml - 1, "m.yaml", NULL), CUSTOS_EMANIFEST);
    assert_non_null(strstr(custos_last_error(), "m.yaml:"));
}

static void test_err_struct_and_last_error_agree(void **state)
{
    (void)state;
    custos_manifest_error err;
    assert_int_equal(custos_manifest_check(bad_yaml, sizeof bad_yaml - 1, "m.yaml", &err), CUSTOS_EMANIFEST);
    assert_string_equal(err.message, custos_last_error());
    assert_true(err.line > 0);
    uint8_t id[32];
    static const uint8_t junk[] = { 1, 2, 3, 4 };
    assert_int_equal(custos_manifest_id(id, junk, sizeof junk, &err), CUSTOS_ECORRUPT);
    assert_string_equal(err.message, custos_last_error());
    assert_true(err.message[0] != '\0');
}

static void *fail_in_thread(void *arg)
{
    uint8_t pk[32] = { 0 }, junk[8] = { 0xff };
    int rc = custos_receipt_verify(junk, sizeof junk, pk);
    *(int *)arg = rc == CUSTOS_ECORRUPT && strstr(custos_last_error(), "SignedMessage") != NULL;
    return NULL;
}

static void test_detail_is_per_thread(void **state)
{
    (void)state;
    assert_int_equal(custos_manifest_check(bad_yaml, sizeof bad_yaml - 1, "main.yaml", NULL), CUSTOS_EMANIFEST);
    char before[CUSTOS_ERRMSG_MAX];
    strcpy(before, custos_last_error());
    int ok = 0;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, fail_in_thread, &ok), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_true(ok);
    assert_string_equal(custos_last_error(), before);
}

static void test_handle_failures_stay_on_the_handle(void **state)
{
    (void)state;
    char *dir = th_tmpdir("lasterr");
    custos_t *ctx = th_open(dir);
    assert_int_equal(custos_manifest_check(bad_yaml, sizeof bad_yaml - 1, "kept.yaml", NULL), CUSTOS_EMANIFEST);
    custos_subject s;
    assert_int_equal(custos_subject_find(ctx, &s, "nobody"), CUSTOS_ENOTFOUND);
    assert_true(custos_errmsg(ctx)[0] != '\0');
    assert_non_null(strstr(custos_last_error(), "kept.yaml:"));
    custos_close(ctx);
    custos_t *none = NULL;
    custos_open_options o = CUSTOS_OPEN_OPTIONS_INIT;
    o.flags = 0; /* no CREATE */
    char missing[4096];
    snprintf(missing, sizeof missing, "%s/absent", dir);
    assert_int_equal(custos_open(&none, missing, &o), CUSTOS_ENOTFOUND);
    assert_null(none);
    assert_null(strstr(custos_last_error(), "kept.yaml"));
    assert_true(custos_last_error()[0] != '\0');
    th_tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest_call_without_err_struct_reports_place),
        cmocka_unit_test(test_err_struct_and_last_error_agree),
        cmocka_unit_test(test_detail_is_per_thread),
        cmocka_unit_test(test_handle_failures_stay_on_the_handle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
