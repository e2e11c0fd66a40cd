/* A withdrawal (or revocation) of a consent-based purpose erases that
 * purpose's data, and only that purpose's (DESIGN §6, issue: erasure). */
#include "consent_fixture.h"

static custos_record_id put(fx *f, custos_subject s, uint32_t purpose, uint32_t category)
{
    custos_record_id id = 0;
    assert_int_equal(custos_vault_put(f->ctx, &id, s, purpose, category, "clip", 4), CUSTOS_OK);
    return id;
}

static int readable(fx *f, custos_record_id id)
{
    uint8_t buf[16];
    size_t len = 0;
    return custos_vault_get(f->ctx, buf, sizeof buf, &len, NULL, id);
}

static size_t receipts(fx *f)
{
    uint64_t seqs[8];
    size_t n = 0;
    assert_int_equal(custos_erase_receipt_list(f->ctx, seqs, 8, &n), CUSTOS_OK);
    return n;
}

static void test_withdraw_erases_that_purpose_and_keeps_the_others(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "wderase");
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_VIDEO, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    custos_record_id video = put(&f, f.owner, FX_VIDEO, FX_CAT_VIDEO);
    custos_record_id usage = put(&f, f.owner, FX_ANALYTICS, FX_CAT_USAGE);
    assert_int_equal(readable(&f, video), CUSTOS_OK);
    size_t before = receipts(&f);

    assert_int_equal(custos_consent_withdraw(f.ctx, f.owner, FX_VIDEO, &fx_info), CUSTOS_OK);
    assert_int_equal(readable(&f, video), CUSTOS_ENOTFOUND);
    assert_int_equal(readable(&f, usage), CUSTOS_OK);
    assert_int_equal(receipts(&f), before + 1);
    assert_int_equal(fx_status(&f, f.owner, FX_VIDEO), CUSTOS_CONSENT_WITHDRAWN);
    assert_true(custos_check(f.ctx, f.owner, FX_VIDEO, FX_CAT_VIDEO) != CUSTOS_ALLOW);
    fx_close(&f);
}

/* Nothing was stored for the purpose: the withdrawal stands, no erase runs
 * (no receipt, no journal left behind), and data of other purposes stays. */
static void test_withdraw_without_data_skips_the_erase(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "wdnodata");
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_VIDEO, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    custos_record_id usage = put(&f, f.owner, FX_ANALYTICS, FX_CAT_USAGE);
    size_t before = receipts(&f);
    assert_int_equal(custos_consent_withdraw(f.ctx, f.owner, FX_VIDEO, &fx_info), CUSTOS_OK);
    assert_int_equal(receipts(&f), before);
    assert_int_equal(fx_status(&f, f.owner, FX_VIDEO), CUSTOS_CONSENT_WITHDRAWN);
    assert_int_equal(custos_check(f.ctx, f.owner, FX_VIDEO, FX_CAT_VIDEO), CUSTOS_DENY_WITHDRAWN);
    assert_int_equal(readable(&f, usage), CUSTOS_OK);
    /* once data exists, the next withdrawal erases it with a receipt */
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_VIDEO, &fx_info), CUSTOS_OK);
    custos_record_id video = put(&f, f.owner, FX_VIDEO, FX_CAT_VIDEO);
    assert_int_equal(custos_consent_withdraw(f.ctx, f.owner, FX_VIDEO, &fx_info), CUSTOS_OK);
    assert_int_equal(readable(&f, video), CUSTOS_ENOTFOUND);
    assert_int_equal(receipts(&f), before + 1);
    fx_close(&f);
}

/* A withdrawal that comes from the companion app through sync erases the
 * purpose's data on the device too, after the update has committed. */
static void test_synced_withdrawal_erases_that_purpose(void **state)
{
    (void)state;
    fx_pair p;
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE];
    fx_pair_open(&p, "wdsync");
    fx *dev = &p.dev;
    assert_int_equal(custos_consent_give(dev->ctx, dev->owner, FX_VIDEO, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_consent_give(dev->ctx, dev->owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    custos_record_id video = put(dev, dev->owner, FX_VIDEO, FX_CAT_VIDEO);
    custos_record_id usage = put(dev, dev->owner, FX_ANALYTICS, FX_CAT_USAGE);
    size_t before = receipts(dev), len = 0, applied = 0;
    custos_consent_change c = { dev->owner, FX_VIDEO, CUSTOS_CONSENT_WITHDRAWN, 0 };
    assert_int_equal(custos_sync_encode_update(p.app.ctx, msg, sizeof msg, &len, p.dev_id, &c, 1), CUSTOS_OK);
    assert_int_equal(custos_sync_apply_update(dev->ctx, &applied, msg, len), CUSTOS_OK);
    assert_int_equal(applied, 1);
    assert_int_equal(fx_status(dev, dev->owner, FX_VIDEO), CUSTOS_CONSENT_WITHDRAWN);
    assert_int_equal(readable(dev, video), CUSTOS_ENOTFOUND);
    assert_int_equal(readable(dev, usage), CUSTOS_OK);
    assert_int_equal(receipts(dev), before + 1);
    /* the same update again is a replay: refused, nothing more erased */
    assert_int_equal(custos_sync_apply_update(dev->ctx, NULL, msg, len), CUSTOS_EREPLAY);
    assert_int_equal(receipts(dev), before + 1);
    fx_pair_close(&p);
}

static void test_refusal_erases_nothing(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "wdrefuse");
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    custos_record_id usage = put(&f, f.owner, FX_ANALYTICS, FX_CAT_USAGE);
    size_t before = receipts(&f);
    assert_int_equal(custos_consent_refuse(f.ctx, f.owner, FX_VIDEO, &fx_info), CUSTOS_OK);
    assert_int_equal(readable(&f, usage), CUSTOS_OK);
    assert_int_equal(receipts(&f), before);
    fx_close(&f);
}

static void test_forbidden_withdrawal_erases_nothing(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "wdforbid");
    assert_int_equal(custos_consent_give(f.ctx, f.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    custos_record_id usage = put(&f, f.owner, FX_ANALYTICS, FX_CAT_USAGE);
    size_t before = receipts(&f);
    /* A withdrawal the ledger refuses (an undeclared purpose) must not erase. */
    assert_int_not_equal(custos_consent_withdraw(f.ctx, f.owner, 42, &fx_info), CUSTOS_OK);
    assert_int_equal(readable(&f, usage), CUSTOS_OK);
    assert_int_equal(receipts(&f), before);
    fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_withdraw_erases_that_purpose_and_keeps_the_others),
        cmocka_unit_test(test_withdraw_without_data_skips_the_erase),
        cmocka_unit_test(test_synced_withdrawal_erases_that_purpose),
        cmocka_unit_test(test_refusal_erases_nothing),
        cmocka_unit_test(test_forbidden_withdrawal_erases_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
