/*
 * The device layer's consent state, gate, pairing and updates, on the
 * POSIX port. One behaviour per test.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "dev_test_util.h"

#define GIVEN custos_v1_ConsentStatus_CONSENT_GIVEN
#define WITHDRAWN custos_v1_ConsentStatus_CONSENT_WITHDRAWN
#define REFUSED custos_v1_ConsentStatus_CONSENT_REFUSED
#define REQUESTED custos_v1_ConsentStatus_CONSENT_REQUESTED

static void apply_one(dt_env *e, uint32_t counter, custos_v1_ConsentChange c)
{
    uint8_t msg[CUSTOS_DEV_MESSAGE_MAX];
    size_t n = dt_update(e, msg, counter, &c, 1);
    assert_int_equal(custos_dev_apply_update(&e->dev, msg, n), 0);
}

static void test_blank_flash_opens_empty_and_unpaired(void **state)
{
    (void)state;
    dt_env e;
    dt_setup(&e, "blank");
    custos_dev_close(&e.dev);
    custos_posix_close(&e.port);
    unlink(e.path);
    assert_int_equal(custos_posix_open(&e.port, e.path, DT_PAGE), 0);
    assert_int_equal(custos_dev_open(&e.dev, &e.port.port, e.device_id, DT_DECLARED), 0);
    assert_int_equal(e.dev.st.paired, 0);
    assert_int_equal(custos_dev_counter(&e.dev), 0);
    assert_int_equal(custos_dev_check(&e.dev, 0, 1), CUSTOS_DEV_ENOCONSENT);
    dt_teardown(&e);
}

static void test_check_denies_before_any_decision(void **state)
{
    (void)state;
    dt_env e;
    dt_setup(&e, "nodecision");
    assert_int_equal(custos_dev_check(&e.dev, 0, 5), CUSTOS_DEV_ENOCONSENT);
    dt_teardown(&e);
}

static void test_given_consent_allows_only_that_subject_and_purpose(void **state)
{
    (void)state;
    dt_env e;
    dt_setup(&e, "given");
    apply_one(&e, 1, dt_change(1, 63, GIVEN, 0));
    assert_int_equal(custos_dev_check(&e.dev, 1, 63), 0);
    assert_int_equal(custos_dev_check(&e.dev, 0, 63), CUSTOS_DEV_ENOCONSENT);
    assert_int_equal(custos_dev_check(&e.dev, 1, 62), CUSTOS_DEV_ENOCONSENT);
    dt_teardown(&e);
}

static void test_withdrawal_makes_check_deny(void **state)
{
    (void)state;
    dt_env e;
    dt_setup(&e, "withdraw");
    apply_one(&e, 1, dt_change(0, 2, GIVEN, 0));
    apply_one(&e, 2, dt_change(0, 2, WITHDRAWN, 0));
    assert_int_equal(custos_dev_check(&e.dev, 0, 2), CUSTOS_DEV_EDENIED);
    dt_teardown(&e);
}

static void test_requested_is_not_a_decision(void **state)
{
    (void)state;
    dt_env e;
    dt_setup(&e, "requested");
    apply_one(&e, 1, dt_change(0, 2, REFUSED, 0));
    apply_one(&e, 2, dt_change(0, 2, REQUESTED, 0));
    assert_int_equal(custos_dev_check(&e.dev, 0, 2), CUSTOS_DEV_ENOCONSENT);
    dt_teardown(&e);
}

static void test_state_and_counter_survive_reboot(void **state)
{
    (void)state;
    dt_env e;
    dt_setup(&e, "reboot");
    apply_one(&e, 7, dt_change(2, 10, GIVEN, 0));
    dt_reboot(&e);
    assert_int_equal(custos_dev_check(&e.dev, 2, 10), 0);
    assert_int_equal(custos_dev_counter(&e.dev), 7);
    assert_int_equal(e.dev.st.paired, 1);
    dt_teardown(&e);
}

static void test_replay_after_reboot_is_rejected(void **state)
{
    (void)state;
    dt_env e;
    uint8_t msg[CUSTOS_DEV_MESSAGE_MAX];
    custos_v1_ConsentChange c = dt_change(0, 1, GIVEN, 0);
    dt_setup(&e, "replay");
    size_t n = dt_update(&e, msg, 5, &c, 1);
    assert_int_equal(custos_dev_apply_update(&e.dev, msg, n), 0);
    dt_reboot(&e);
    assert_int_equal(custos_dev_apply_update(&e.dev, msg, n), CUSTOS_DEV_EREPLAY);
    dt_teardown(&e);
}

static void test_update_before_pairing_is_rejected(void **state)
{
    (void)state;
    dt_env e;
    uint8_t msg[CUSTOS_DEV_MESSAGE_MAX], receipt[CUSTOS_DEV_MESSAGE_MAX];
    size_t rlen;
    custos_v1_ConsentChange c = dt_change(0, 1, GIVEN, 0);
    dt_setup(&e, "unpaired");
    assert_int_equal(custos_dev_erase(&e.dev, receipt, sizeof receipt, &rlen), 0);
    size_t n = dt_update(&e, msg, 1, &c, 1);
    assert_int_equal(custos_dev_apply_update(&e.dev, msg, n), CUSTOS_DEV_ENOTPAIRED);
    dt_teardown(&e);
}

static void test_second_pairing_is_rejected(void **state)
{
    (void)state;
    dt_env e;
    uint8_t other[32] = { 1 };
    dt_setup(&e, "pair2");
    assert_int_equal(custos_dev_pair(&e.dev, other), CUSTOS_DEV_EPAIRED);
    assert_memory_equal(e.dev.st.app_key, e.app_pk, 32);
    dt_teardown(&e);
}

static void test_undeclared_purpose_is_rejected_and_state_kept(void **state)
{
    (void)state;
    dt_env e;
    uint8_t msg[CUSTOS_DEV_MESSAGE_MAX];
    custos_v1_ConsentChange c[2] = { dt_change(0, 1, GIVEN, 0), dt_change(0, 9, GIVEN, 0) };
    dt_setup(&e, "undeclared");
    e.declared = 0x3;   /* purposes 0 and 1 only */
    dt_reboot(&e);
    size_t n = dt_update(&e, msg, 1, c, 2);
    assert_int_equal(custos_dev_apply_update(&e.dev, msg, n), CUSTOS_DEV_EPURPOSE);
    assert_int_equal(custos_dev_check(&e.dev, 0, 1), CUSTOS_DEV_ENOCONSENT);
    assert_int_equal(custos_dev_counter(&e.dev), 0);
    dt_teardown(&e);
}

static void test_consent_past_valid_until_is_expired(void **state)
{
    (void)state;
    dt_env e;
    dt_setup(&e, "expiry");
    custos_posix_set_clock(&e.port, 1000);
    apply_one(&e, 1, dt_change(0, 4, GIVEN, 2000));
    assert_int_equal(custos_dev_check(&e.dev, 0, 4), 0);
    custos_posix_set_clock(&e.port, 2000);
    assert_int_equal(custos_dev_check(&e.dev, 0, 4), CUSTOS_DEV_EEXPIRED);
    dt_teardown(&e);
}

static void test_unknown_clock_denies_timed_consent_only(void **state)
{
    (void)state;
    dt_env e;
    dt_setup(&e, "noclock");
    custos_posix_set_clock(&e.port, 0);
    apply_one(&e, 1, dt_change(0, 4, GIVEN, 2000));
    apply_one(&e, 2, dt_change(0, 5, GIVEN, 0));
    assert_int_equal(custos_dev_check(&e.dev, 0, 4), CUSTOS_DEV_EEXPIRED);
    assert_int_equal(custos_dev_check(&e.dev, 0, 5), 0);
    dt_teardown(&e);
}

static void test_regiving_without_expiry_clears_the_expiry(void **state)
{
    (void)state;
    dt_env e;
    dt_setup(&e, "clearexp");
    custos_posix_set_clock(&e.port, 5000);
    apply_one(&e, 1, dt_change(0, 4, GIVEN, 2000));
    apply_one(&e, 2, dt_change(0, 4, GIVEN, 0));
    assert_int_equal(custos_dev_check(&e.dev, 0, 4), 0);
    assert_int_equal(e.dev.st.timed_count, 0);
    dt_teardown(&e);
}

static void test_expiry_table_full_is_enospace(void **state)
{
    (void)state;
    dt_env e;
    dt_setup(&e, "timedfull");
    custos_posix_set_clock(&e.port, 10);
    for (unsigned i = 0; i < CUSTOS_DEV_MAX_TIMED; i++)
        apply_one(&e, i + 1, dt_change(i % CUSTOS_DEV_MAX_SUBJECTS, i, GIVEN, 99));
    uint8_t msg[CUSTOS_DEV_MESSAGE_MAX];
    custos_v1_ConsentChange c = dt_change(0, 60, GIVEN, 99);
    size_t n = dt_update(&e, msg, 100, &c, 1);
    assert_int_equal(custos_dev_apply_update(&e.dev, msg, n), CUSTOS_DEV_ENOSPACE);
    assert_int_equal(custos_dev_check(&e.dev, 0, 60), CUSTOS_DEV_ENOCONSENT);
    dt_teardown(&e);
}

static void test_check_rejects_out_of_range_subject_and_purpose(void **state)
{
    (void)state;
    dt_env e;
    dt_setup(&e, "range");
    assert_int_equal(custos_dev_check(&e.dev, CUSTOS_DEV_MAX_SUBJECTS, 0), CUSTOS_DEV_ESUBJECT);
    assert_int_equal(custos_dev_check(&e.dev, 0, 64), CUSTOS_DEV_EPURPOSE);
    assert_int_equal(custos_dev_check(NULL, 0, 0), CUSTOS_DEV_EINVAL);
    dt_teardown(&e);
}

static void test_closed_context_is_wiped_and_refused(void **state)
{
    (void)state;
    dt_env e;
    static const uint8_t zero[sizeof(custos_dev_t)];
    dt_setup(&e, "close");
    apply_one(&e, 1, dt_change(0, 1, GIVEN, 0));
    custos_dev_close(&e.dev);
    assert_memory_equal(&e.dev, zero, sizeof zero);
    assert_int_equal(custos_dev_check(&e.dev, 0, 1), CUSTOS_DEV_EINVAL);
    custos_posix_close(&e.port);
    assert_int_equal(custos_posix_open(&e.port, e.path, DT_PAGE), 0);
    assert_int_equal(custos_dev_open(&e.dev, &e.port.port, e.device_id, DT_DECLARED), 0);
    dt_teardown(&e);
}

static void test_strerror_names_every_code(void **state)
{
    (void)state;
    for (int rc = 0; rc >= CUSTOS_DEV_ESTALE; rc--)
        assert_string_not_equal(custos_dev_strerror(rc), "unknown error");
    assert_string_equal(custos_dev_strerror(-1000), "unknown error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blank_flash_opens_empty_and_unpaired),
        cmocka_unit_test(test_check_denies_before_any_decision),
        cmocka_unit_test(test_given_consent_allows_only_that_subject_and_purpose),
        cmocka_unit_test(test_withdrawal_makes_check_deny),
        cmocka_unit_test(test_requested_is_not_a_decision),
        cmocka_unit_test(test_state_and_counter_survive_reboot),
        cmocka_unit_test(test_replay_after_reboot_is_rejected),
        cmocka_unit_test(test_update_before_pairing_is_rejected),
        cmocka_unit_test(test_second_pairing_is_rejected),
        cmocka_unit_test(test_undeclared_purpose_is_rejected_and_state_kept),
        cmocka_unit_test(test_consent_past_valid_until_is_expired),
        cmocka_unit_test(test_unknown_clock_denies_timed_consent_only),
        cmocka_unit_test(test_regiving_without_expiry_clears_the_expiry),
        cmocka_unit_test(test_expiry_table_full_is_enospace),
        cmocka_unit_test(test_check_rejects_out_of_range_subject_and_purpose),
        cmocka_unit_test(test_closed_context_is_wiped_and_refused),
        cmocka_unit_test(test_strerror_names_every_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
