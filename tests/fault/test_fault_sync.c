/* A signed consent update applied under I/O errors and failed allocations
 * at every point: both of its changes and its counter, or nothing. */
#include "consent_fault.h"
#include "sync/sync_internal.h"

#include <sodium.h>

/* A ConsentUpdate signed by a fixed app key, for the device in dir. */
typedef struct update_msg {
    uint8_t app_pk[32], app_sk[64];
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE];
    size_t len;
} update_msg;

static void setup_paired(const char *dir, void *arg)
{
    update_msg *u = arg;
    setup_subject(dir, NULL);
    custos_open_options o = th_open_options(0);
    custos_t *ctx = NULL;
    assert_int_equal(custos_open(&ctx, dir, &o), CUSTOS_OK);
    assert_int_equal(custos_pair(ctx, u->app_pk, NULL), CUSTOS_OK);
    uint8_t dev[16], mid[32];
    assert_int_equal(custos_device_id(ctx, dev), CUSTOS_OK);
    assert_int_equal(custos_policy_current(ctx, mid, NULL), CUSTOS_OK);
    custos_close(ctx);
    static const custos_consent_change c[2] = { { 1, FX_ANALYTICS, CUSTOS_CONSENT_GIVEN, 0 },
                                                { 1, FX_MARKETING, CUSTOS_CONSENT_WITHDRAWN, 0 } };
    sync_update_fields f = { dev, 1, mid, 1, 0, c, 2, NULL };
    uint8_t *body = NULL, sig[64];
    size_t blen = 0;
    assert_int_equal(custos_sync__update_body(&body, &blen, &f), CUSTOS_OK);
    crypto_sign_detached(sig, NULL, body, blen, u->app_sk);
    assert_int_equal(custos_sync__envelope(u->msg, sizeof u->msg, &u->len, CUSTOS__V1__BODY_TYPE__BODY_CONSENT_UPDATE, body,
                                   blen, u->app_pk, sig), CUSTOS_OK);
    custos__free(body);
}

static int op_apply(custos_t *ctx, const char *dir, void *arg)
{
    (void)dir;
    const update_msg *u = arg;
    return custos_sync_apply_update(ctx, NULL, u->msg, u->len);
}

static void check_apply(custos_t *ctx, const char *dir, int op_rc, void *arg)
{
    (void)dir;
    const update_msg *u = arg;
    custos_consent_status a = consistent(ctx, FX_ANALYTICS, FX_CAT_USAGE);
    custos_consent_status m = consistent(ctx, FX_MARKETING, FX_CAT_CONTACT);
    int applied = a == CUSTOS_CONSENT_GIVEN;
    if (op_rc == CUSTOS_OK)
        assert_true(applied);
    /* both changes or neither, and the counter with them */
    assert_int_equal(m, applied ? CUSTOS_CONSENT_WITHDRAWN : CUSTOS_CONSENT_GIVEN);
    assert_int_equal(custos_sync_apply_update(ctx, NULL, u->msg, u->len), applied ? CUSTOS_EREPLAY : CUSTOS_OK);
}

static void test_sync_apply_under_faults_is_all_or_nothing(void **state)
{
    (void)state;
    static update_msg u;
    assert_true(sodium_init() >= 0);
    crypto_sign_keypair(u.app_pk, u.app_sk);
    consent_fault_loop("apply/oom", TH_FAULT_OOM, setup_paired, op_apply, check_apply, &u);
    consent_fault_loop("apply/eio", TH_FAULT_EIO, setup_paired, op_apply, check_apply, &u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sync_apply_under_faults_is_all_or_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
