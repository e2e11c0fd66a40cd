/*
 * Power cuts at every flash step. For a consent update and for a local
 * erase, cut the power at program/erase step k = 0, 1, 2, ... (the POSIX
 * port leaves that step half done), reboot, and require the state to be
 * exactly the old one or exactly the new one, and the device to take the
 * next update. The loop ends at the first k the operation completes before
 * reaching; it runs for several erase-page sizes (more pages, more steps),
 * and the number of cut points exercised is printed.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dev_test_util.h"
#include "xc_app.h"

#define GIVEN CUSTOS__V1__CONSENT_STATUS__CONSENT_GIVEN
#define WITHDRAWN CUSTOS__V1__CONSENT_STATUS__CONSENT_WITHDRAWN

typedef struct view {
    uint8_t paired;
    uint32_t counter;
    uint64_t given[CUSTOS_DEV_MAX_SUBJECTS], decided[CUSTOS_DEV_MAX_SUBJECTS];
} view;

static view view_of(const custos_dev_t *d)
{
    view v;
    memset(&v, 0, sizeof v);
    v.paired = d->st.paired;
    v.counter = d->st.counter;
    memcpy(v.given, d->st.given, sizeof v.given);
    memcpy(v.decided, d->st.decided, sizeof v.decided);
    return v;
}

static int same(const view *a, const view *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

static size_t update_msg(const dt_env *e, uint32_t counter, int status, uint8_t *out)
{
    xc_update u;
    xc_update_init(&u, e->device_id, counter);
    xc_update_add(&u, 0, 1, status, 0);
    xc_update_add(&u, 2, 33, status, 0);
    xc_update_add(&u, 3, 63, GIVEN, 1900000000u);
    return xc_signed_update(&u, e->app_sk, out, 2048);
}

static const uint32_t pages[] = { 32, 64, 128, 256, 512 };
#define NPAGES (sizeof pages / sizeof pages[0])

/* Old state: paired, counter 1, consents given. */
static void old_state(dt_env *e, uint32_t page)
{
    uint8_t msg[2048];
    dt_setup_paged(e, "cut", page);
    size_t n = update_msg(e, 1, GIVEN, msg);
    assert_int_equal(custos_dev_apply_update(&e->dev, msg, n), 0);
    dt_reboot(e);          /* step counting starts at 0 */
}

/* After a reboot the device must accept a fresh update. */
static void still_usable(dt_env *e)
{
    uint8_t msg[2048];
    if (!e->dev.st.paired)
        assert_int_equal(custos_dev_pair(&e->dev, e->app_pk), 0);
    size_t n = update_msg(e, 100, GIVEN, msg);
    assert_int_equal(custos_dev_apply_update(&e->dev, msg, n), 0);
    assert_int_equal(custos_dev_check(&e->dev, 2, 33), 0);
}

/* Cut an update at every step for one page size; returns the steps cut. */
static long cut_update(uint32_t page, long *olds, long *news)
{
    dt_env e;
    uint8_t msg[2048];
    view before;

    for (long k = 0;; k++) {
        old_state(&e, page);
        before = view_of(&e.dev);
        size_t n = update_msg(&e, 2, WITHDRAWN, msg);
        custos_posix_cut_at(&e.port, k);
        int rc = custos_dev_apply_update(&e.dev, msg, n);
        if (rc == 0) {
            assert_true(custos_posix_steps(&e.port) <= k);
            assert_int_equal(custos_dev_counter(&e.dev), 2);
            dt_teardown(&e);
            return k;
        }
        assert_int_equal(rc, CUSTOS_DEV_EFLASH);
        view ram = view_of(&e.dev);           /* a refused write leaves RAM as it was */
        assert_true(same(&ram, &before));
        dt_reboot(&e);
        view v = view_of(&e.dev);
        if (same(&v, &before)) {
            (*olds)++;
        } else {
            assert_int_equal(v.counter, 2);
            assert_int_equal(custos_dev_check(&e.dev, 0, 1), CUSTOS_DEV_EDENIED);
            (*news)++;
        }
        still_usable(&e);
        dt_teardown(&e);
    }
}

static void test_update_survives_a_cut_at_every_flash_step(void **state)
{
    (void)state;
    long total = 0, olds = 0, news = 0;
    for (size_t i = 0; i < NPAGES; i++)
        total += cut_update(pages[i], &olds, &news);
    assert_true(total > 3 * (long)NPAGES);
    printf("consent update: %ld cut points exercised over %zu page sizes "
           "(%ld left the old state, %ld the new)\n", total, NPAGES, olds, news);
}

/* Cut a local erase at every step for one page size. */
static long cut_erase(uint32_t page, long *olds, long *news)
{
    dt_env e;
    uint8_t receipt[CUSTOS_DEV_MESSAGE_MAX];
    size_t rlen;
    view before, erased;

    memset(&erased, 0, sizeof erased);
    for (long k = 0;; k++) {
        old_state(&e, page);
        before = view_of(&e.dev);
        custos_posix_cut_at(&e.port, k);
        int rc = custos_dev_erase(&e.dev, receipt, sizeof receipt, &rlen);
        if (rc == 0) {
            assert_true(custos_posix_steps(&e.port) <= k);
            view v = view_of(&e.dev);
            assert_true(same(&v, &erased));
            dt_teardown(&e);
            return k;
        }
        assert_int_equal(rc, CUSTOS_DEV_EFLASH);
        dt_reboot(&e);
        view v = view_of(&e.dev);
        if (same(&v, &before))
            (*olds)++;
        else if (same(&v, &erased))
            (*news)++;
        else
            fail_msg("cut at step %ld left a state that is neither old nor erased", k);
        still_usable(&e);
        dt_teardown(&e);
    }
}

static void test_erase_survives_a_cut_at_every_flash_step(void **state)
{
    (void)state;
    long total = 0, olds = 0, news = 0;
    for (size_t i = 0; i < NPAGES; i++)
        total += cut_erase(pages[i], &olds, &news);
    assert_true(total > 3 * (long)NPAGES);
    printf("local erase: %ld cut points exercised over %zu page sizes "
           "(%ld left the old state, %ld the erased)\n", total, NPAGES, olds, news);
}

static void test_pairing_survives_a_cut_at_every_flash_step(void **state)
{
    (void)state;
    dt_env e;
    uint8_t receipt[CUSTOS_DEV_MESSAGE_MAX];
    size_t rlen;
    long k;

    for (k = 0;; k++) {
        dt_setup(&e, "cutpair");
        assert_int_equal(custos_dev_erase(&e.dev, receipt, sizeof receipt, &rlen), 0);
        dt_reboot(&e);
        custos_posix_cut_at(&e.port, k);
        int rc = custos_dev_pair(&e.dev, e.app_pk);
        if (rc == 0) {
            dt_teardown(&e);
            break;
        }
        dt_reboot(&e);
        assert_true(e.dev.st.paired == 0
                    || memcmp(e.dev.st.app_key, e.app_pk, 32) == 0);
        still_usable(&e);
        dt_teardown(&e);
    }
    printf("pairing: %ld cut points exercised\n", k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_update_survives_a_cut_at_every_flash_step),
        cmocka_unit_test(test_erase_survives_a_cut_at_every_flash_step),
        cmocka_unit_test(test_pairing_survives_a_cut_at_every_flash_step),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
