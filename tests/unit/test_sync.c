/* Pairing and the sync codec: an app's store signs consent updates, a
 * device's store verifies and applies them, all or nothing. */
#include "consent_fixture.h"
#include "sync/sync_internal.h"

#include <sodium.h>

/* An update from the app for the device's owner. */
static size_t update(fx_pair *p, uint8_t *msg, const custos_consent_change *c, size_t n)
{
    size_t len = 0;
    assert_int_equal(custos_sync_encode_update(p->app.ctx, msg, CUSTOS_SYNC_MAX_MESSAGE, &len, p->dev_id, c, n),
                     CUSTOS_OK);
    return len;
}

static void test_signed_update_is_applied(void **state)
{
    (void)state;
    fx_pair p;
    fx_pair_open(&p, "apply");
    custos_consent_change c = { p.dev.owner, FX_ANALYTICS, CUSTOS_CONSENT_GIVEN, 0 };
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE];
    size_t len = update(&p, msg, &c, 1), applied = 0;
    assert_int_equal(custos_sync_apply_update(p.dev.ctx, &applied, msg, len), CUSTOS_OK);
    assert_int_equal(applied, 1);
    assert_int_equal(custos_check(p.dev.ctx, p.dev.owner, FX_ANALYTICS, FX_CAT_USAGE), CUSTOS_ALLOW);
    custos_consent_event_info ev[1];
    size_t n = 0;
    assert_int_equal(custos_consent_history(p.dev.ctx, ev, 1, &n, p.dev.owner), CUSTOS_OK);
    assert_int_equal(ev[0].app_signed, 1);
    assert_int_equal(ev[0].method, CUSTOS_METHOD_COMPANION_APP);
    uint64_t bad = 0;
    assert_int_equal(custos_consent_verify(p.dev.ctx, &bad), CUSTOS_OK);
    fx_pair_close(&p);
}

static void test_replayed_update_is_ereplay(void **state)
{
    (void)state;
    fx_pair p;
    fx_pair_open(&p, "replay");
    custos_consent_change c = { p.dev.owner, FX_ANALYTICS, CUSTOS_CONSENT_GIVEN, 0 };
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE];
    size_t len = update(&p, msg, &c, 1);
    assert_int_equal(custos_sync_apply_update(p.dev.ctx, NULL, msg, len), CUSTOS_OK);
    assert_int_equal(custos_consent_withdraw(p.dev.ctx, p.dev.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_sync_apply_update(p.dev.ctx, NULL, msg, len), CUSTOS_EREPLAY);
    assert_int_equal(custos_check(p.dev.ctx, p.dev.owner, FX_ANALYTICS, FX_CAT_USAGE), CUSTOS_DENY_WITHDRAWN);
    fx_pair_close(&p);
}

static void test_flipped_signature_bit_is_esignature(void **state)
{
    (void)state;
    fx_pair p;
    fx_pair_open(&p, "sig");
    custos_consent_change c = { p.dev.owner, FX_ANALYTICS, CUSTOS_CONSENT_GIVEN, 0 };
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE];
    size_t len = update(&p, msg, &c, 1);
    msg[len - 10] ^= 0x01; /* inside the signature, the last field */
    assert_int_equal(custos_sync_apply_update(p.dev.ctx, NULL, msg, len), CUSTOS_ESIGNATURE);
    assert_int_equal(fx_events(&p.dev, ""), 0);
    msg[len - 10] ^= 0x01;
    assert_int_equal(custos_sync_apply_update(p.dev.ctx, NULL, msg, len), CUSTOS_OK); /* counter was kept */
    fx_pair_close(&p);
}

static int audit_rows(fx *f)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(f->ctx->db, "SELECT count(*) FROM audit_entry", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void test_rejected_update_is_audited_with_its_detail_kept(void **state)
{
    (void)state;
    fx_pair p;
    fx_pair_open(&p, "audited");
    custos_consent_change c = { p.dev.owner, FX_ANALYTICS, CUSTOS_CONSENT_GIVEN, 0 };
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE];
    size_t len = update(&p, msg, &c, 1);
    msg[len - 10] ^= 0x01;
    int before = audit_rows(&p.dev);
    assert_int_equal(custos_sync_apply_update(p.dev.ctx, NULL, msg, len), CUSTOS_ESIGNATURE);
    assert_int_equal(audit_rows(&p.dev), before + 1);
    assert_non_null(strstr(custos_errmsg(p.dev.ctx), "signature does not verify"));
    fx_pair_close(&p);
}

static void test_unpaired_signer_is_esignature(void **state)
{
    (void)state;
    fx_pair p;
    fx_pair_open(&p, "unpaired");
    custos_consent_change c = { p.dev.owner, FX_ANALYTICS, CUSTOS_CONSENT_GIVEN, 0 };
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE];
    size_t len = update(&p, msg, &c, 1);
    assert_int_equal(custos_unpair(p.dev.ctx, p.app_pk), CUSTOS_OK);
    assert_int_equal(custos_sync_apply_update(p.dev.ctx, NULL, msg, len), CUSTOS_ESIGNATURE);
    assert_non_null(strstr(custos_errmsg(p.dev.ctx), "not a paired key"));
    assert_int_equal(custos_unpair(p.dev.ctx, p.app_pk), CUSTOS_ENOTFOUND);
    fx_pair_close(&p);
}

static void test_truncated_or_oversize_message_is_refused(void **state)
{
    (void)state;
    fx_pair p;
    fx_pair_open(&p, "trunc");
    custos_consent_change c = { p.dev.owner, FX_ANALYTICS, CUSTOS_CONSENT_GIVEN, 0 };
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE + 1];
    size_t len = update(&p, msg, &c, 1);
    for (size_t cut = 1; cut < len; cut++)
        assert_int_equal(custos_sync_apply_update(p.dev.ctx, NULL, msg, cut) < 0, 1);
    assert_int_equal(custos_sync_apply_update(p.dev.ctx, NULL, msg, len - 1), CUSTOS_ECORRUPT);
    memset(msg, 0, sizeof msg);
    assert_int_equal(custos_sync_apply_update(p.dev.ctx, NULL, msg, CUSTOS_SYNC_MAX_MESSAGE + 1), CUSTOS_ERANGE);
    assert_int_equal(custos_sync_apply_update(p.dev.ctx, NULL, NULL, 0), CUSTOS_EINVAL);
    assert_int_equal(fx_events(&p.dev, ""), 0);
    fx_pair_close(&p);
}

/* Sign body with the app store's key, the way a hostile or buggy app might. */
static size_t seal_body(fx_pair *p, uint8_t *msg, int envelope_type, const uint8_t *body, size_t blen)
{
    size_t len = 0;
    assert_int_equal(custos_sync__seal(p->app.ctx, msg, CUSTOS_SYNC_MAX_MESSAGE, &len, envelope_type, body, blen), CUSTOS_OK);
    return len;
}

static size_t raw_update(fx_pair *p, uint8_t *msg, uint32_t counter, uint64_t time, const custos_consent_change *c,
                         size_t n, const uint8_t *device_id)
{
    uint8_t mid[32];
    assert_int_equal(custos_policy_current(p->app.ctx, mid, NULL), CUSTOS_OK);
    sync_update_fields f = { device_id, counter, mid, 1, time, c, n, NULL };
    uint8_t *body = NULL;
    size_t blen = 0;
    assert_int_equal(custos_sync__update_body(&body, &blen, &f), CUSTOS_OK);
    size_t len = seal_body(p, msg, CUSTOS__V1__BODY_TYPE__BODY_CONSENT_UPDATE, body, blen);
    custos__free(body);
    return len;
}

static void test_too_many_changes_is_erange(void **state)
{
    (void)state;
    fx_pair p;
    fx_pair_open(&p, "many");
    custos_consent_change c[17];
    for (int i = 0; i < 17; i++)
        c[i] = (custos_consent_change){ p.dev.owner, FX_ANALYTICS, CUSTOS_CONSENT_GIVEN, 0 };
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE];
    size_t len = raw_update(&p, msg, 1, 0, c, 17, p.dev_id);
    assert_int_equal(custos_sync_apply_update(p.dev.ctx, NULL, msg, len), CUSTOS_ERANGE);
    size_t out_len = 0;
    assert_int_equal(custos_sync_encode_update(p.app.ctx, msg, sizeof msg, &out_len, p.dev_id, c, 17), CUSTOS_ERANGE);
    assert_int_equal(fx_events(&p.dev, ""), 0);
    fx_pair_close(&p);
}

static void test_update_for_another_device_is_einval(void **state)
{
    (void)state;
    fx_pair p;
    fx_pair_open(&p, "otherdev");
    custos_consent_change c = { p.dev.owner, FX_ANALYTICS, CUSTOS_CONSENT_GIVEN, 0 };
    uint8_t other[16] = { 1, 2, 3 }, msg[CUSTOS_SYNC_MAX_MESSAGE];
    size_t len = raw_update(&p, msg, 1, 0, &c, 1, other);
    assert_int_equal(custos_sync_apply_update(p.dev.ctx, NULL, msg, len), CUSTOS_EINVAL);
    fx_pair_close(&p);
}

static void test_update_from_the_future_is_einval(void **state)
{
    (void)state;
    fx_pair p;
    fx_pair_open(&p, "future");
    custos_consent_change c = { p.dev.owner, FX_ANALYTICS, CUSTOS_CONSENT_GIVEN, 0 };
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE];
    size_t len = raw_update(&p, msg, 1, p.dev.clock.now + 3600, &c, 1, p.dev_id);
    assert_int_equal(custos_sync_apply_update(p.dev.ctx, NULL, msg, len), CUSTOS_EINVAL);
    assert_non_null(strstr(custos_errmsg(p.dev.ctx), "future"));
    assert_int_equal(fx_events(&p.dev, ""), 0);
    fx_pair_close(&p);
}

static void test_unknown_subject_applies_nothing(void **state)
{
    (void)state;
    fx_pair p;
    fx_pair_open(&p, "partial");
    custos_consent_change c[2] = { { p.dev.owner, FX_ANALYTICS, CUSTOS_CONSENT_GIVEN, 0 },
                                   { 999, FX_ANALYTICS, CUSTOS_CONSENT_GIVEN, 0 } };
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE];
    size_t len = update(&p, msg, c, 2);
    assert_int_equal(custos_sync_apply_update(p.dev.ctx, NULL, msg, len), CUSTOS_ENOTFOUND);
    assert_int_equal(fx_events(&p.dev, ""), 0);
    assert_int_equal(custos_check(p.dev.ctx, p.dev.owner, FX_ANALYTICS, FX_CAT_USAGE), CUSTOS_DENY_NO_CONSENT);
    fx_pair_close(&p);
}

static void test_wrong_body_type_is_ecorrupt(void **state)
{
    (void)state;
    fx_pair p;
    fx_pair_open(&p, "btype");
    custos_consent_change c = { p.dev.owner, FX_ANALYTICS, CUSTOS_CONSENT_GIVEN, 0 };
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE], mid[32];
    assert_int_equal(custos_policy_current(p.app.ctx, mid, NULL), CUSTOS_OK);
    sync_update_fields f = { p.dev_id, 1, mid, 1, 0, &c, 1, NULL };
    uint8_t *body = NULL;
    size_t blen = 0;
    assert_int_equal(custos_sync__update_body(&body, &blen, &f), CUSTOS_OK);
    size_t len = seal_body(&p, msg, CUSTOS__V1__BODY_TYPE__BODY_CONSENT_STATE, body, blen);
    assert_int_equal(custos_sync_apply_update(p.dev.ctx, NULL, msg, len), CUSTOS_ECORRUPT);
    body[1] = CUSTOS__V1__BODY_TYPE__BODY_ERASE_REQUEST; /* the body_type inside the body */
    len = seal_body(&p, msg, CUSTOS__V1__BODY_TYPE__BODY_CONSENT_UPDATE, body, blen);
    assert_int_equal(custos_sync_apply_update(p.dev.ctx, NULL, msg, len), CUSTOS_ECORRUPT);
    custos__free(body);
    fx_pair_close(&p);
}

static void test_withdrawal_wins_within_one_update(void **state)
{
    (void)state;
    fx_pair p;
    fx_pair_open(&p, "merge");
    custos_consent_change c[3] = { { p.dev.owner, FX_ANALYTICS, CUSTOS_CONSENT_GIVEN, 0 },
                                   { p.dev.owner, FX_MARKETING, CUSTOS_CONSENT_GIVEN, 0 },
                                   { p.dev.owner, FX_ANALYTICS, CUSTOS_CONSENT_REFUSED, 0 } };
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE];
    size_t len = update(&p, msg, c, 3), applied = 0;
    assert_int_equal(custos_sync_apply_update(p.dev.ctx, &applied, msg, len), CUSTOS_OK);
    assert_int_equal(applied, 2);
    assert_int_equal(custos_check(p.dev.ctx, p.dev.owner, FX_ANALYTICS, FX_CAT_USAGE), CUSTOS_DENY_REFUSED);
    assert_int_equal(custos_check(p.dev.ctx, p.dev.owner, FX_MARKETING, FX_CAT_CONTACT), CUSTOS_ALLOW);
    fx_pair_close(&p);
}

static void test_withdrawal_wins_at_the_same_time(void **state)
{
    (void)state;
    fx_pair p;
    fx_pair_open(&p, "sametime");
    assert_int_equal(custos_consent_give(p.dev.ctx, p.dev.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_consent_withdraw(p.dev.ctx, p.dev.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    /* the app gives at the same second the device withdrew: the withdrawal stands */
    custos_consent_change c = { p.dev.owner, FX_ANALYTICS, CUSTOS_CONSENT_GIVEN, 0 };
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE];
    size_t len = raw_update(&p, msg, 1, p.dev.clock.now, &c, 1, p.dev_id), applied = 9;
    assert_int_equal(custos_sync_apply_update(p.dev.ctx, &applied, msg, len), CUSTOS_OK);
    assert_int_equal(applied, 0);
    assert_int_equal(custos_check(p.dev.ctx, p.dev.owner, FX_ANALYTICS, FX_CAT_USAGE), CUSTOS_DENY_WITHDRAWN);
    /* a later decision from the app applies */
    len = raw_update(&p, msg, 2, p.dev.clock.now + 1, &c, 1, p.dev_id);
    assert_int_equal(custos_sync_apply_update(p.dev.ctx, &applied, msg, len), CUSTOS_OK);
    assert_int_equal(applied, 1);
    fx_pair_close(&p);
}

static void test_app_signed_time_raises_confidence(void **state)
{
    (void)state;
    fx_pair p;
    fx_pair_open(&p, "apptime");
    p.dev.clock.confidence = CUSTOS_TIME_MONOTONIC_ONLY;
    custos_consent_change c = { p.dev.owner, FX_ANALYTICS, CUSTOS_CONSENT_GIVEN, 0 };
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE];
    size_t len = raw_update(&p, msg, 1, 1800000000u, &c, 1, p.dev_id);
    assert_int_equal(custos_sync_apply_update(p.dev.ctx, NULL, msg, len), CUSTOS_OK);
    custos_consent_event_info ev[1];
    size_t n = 0;
    assert_int_equal(custos_consent_history(p.dev.ctx, ev, 1, &n, p.dev.owner), CUSTOS_OK);
    assert_int_equal(ev[0].time_confidence, CUSTOS_TIME_APP_SIGNED);
    assert_int_equal(ev[0].time, 1800000000u);
    fx_pair_close(&p);
}

static void test_state_report_round_trips(void **state)
{
    (void)state;
    fx_pair p;
    fx_pair_open(&p, "report");
    assert_int_equal(custos_consent_give(p.dev.ctx, p.dev.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_consent_refuse(p.dev.ctx, p.dev.guest, FX_MARKETING, &fx_info), CUSTOS_OK);
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE], id[16];
    size_t len = 0, n = 0;
    assert_int_equal(custos_sync_encode_state_report(p.dev.ctx, msg, sizeof msg, &len), CUSTOS_OK);
    custos_compact_state s[8];
    uint32_t counter = 9;
    assert_int_equal(custos_sync_decode_state_report(p.app.ctx, s, 8, &n, id, &counter, msg, len), CUSTOS_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(id, p.dev_id, 16);
    assert_int_equal(counter, 0);
    assert_int_equal(s[0].subject, p.dev.owner);
    assert_int_equal(s[0].given, 1ull << FX_ANALYTICS);
    assert_int_equal(s[1].given, 0);
    assert_int_equal(s[1].decided, 1ull << FX_MARKETING);
    assert_int_equal(custos_sync_decode_state_report(p.app.ctx, s, 2, &n, id, &counter, msg, len), CUSTOS_ERANGE);
    /* the device does not trust its own reports: its key is not paired with itself */
    assert_int_equal(custos_sync_decode_state_report(p.dev.ctx, s, 8, &n, id, &counter, msg, len), CUSTOS_ESIGNATURE);
    fx_pair_close(&p);
}

static void test_manifest_offer_round_trips(void **state)
{
    (void)state;
    fx_pair p;
    fx_pair_open(&p, "offer");
    uint32_t re[2] = { FX_MARKETING, FX_VIDEO }, got[4];
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE], mid[32], want[32];
    size_t len = 0, n = 0;
    uint32_t version = 0;
    assert_int_equal(custos_sync_encode_manifest_offer(p.app.ctx, msg, sizeof msg, &len, re, 2), CUSTOS_OK);
    assert_int_equal(custos_sync_decode_manifest_offer(p.dev.ctx, mid, &version, got, 4, &n, msg, len), CUSTOS_OK);
    assert_int_equal(custos_policy_current(p.app.ctx, want, NULL), CUSTOS_OK);
    assert_memory_equal(mid, want, 32);
    assert_int_equal(version, 1);
    assert_int_equal(n, 2);
    assert_int_equal(got[0], FX_MARKETING);
    assert_int_equal(custos_sync_decode_manifest_offer(p.dev.ctx, mid, &version, got, 1, &n, msg, len), CUSTOS_ERANGE);
    fx_pair_close(&p);
}

static void test_pairing_refuses_a_malformed_key(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "badkey");
    uint8_t zero[32] = { 0 };
    assert_int_equal(custos_pair(f.ctx, zero, NULL), CUSTOS_EINVAL);
    assert_int_equal(custos_pair(f.ctx, NULL, NULL), CUSTOS_EINVAL);
    fx_close(&f);
}

static void test_encoding_for_an_unpaired_device_is_enotfound(void **state)
{
    (void)state;
    fx f;
    fx_open(&f, "nodev");
    custos_consent_change c = { 1, FX_ANALYTICS, CUSTOS_CONSENT_GIVEN, 0 };
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE], dev[16] = { 9 };
    size_t len = 0;
    assert_int_equal(custos_sync_encode_update(f.ctx, msg, sizeof msg, &len, dev, &c, 1), CUSTOS_ENOTFOUND);
    fx_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signed_update_is_applied),
        cmocka_unit_test(test_replayed_update_is_ereplay),
        cmocka_unit_test(test_flipped_signature_bit_is_esignature),
        cmocka_unit_test(test_rejected_update_is_audited_with_its_detail_kept),
        cmocka_unit_test(test_unpaired_signer_is_esignature),
        cmocka_unit_test(test_truncated_or_oversize_message_is_refused),
        cmocka_unit_test(test_too_many_changes_is_erange),
        cmocka_unit_test(test_update_for_another_device_is_einval),
        cmocka_unit_test(test_update_from_the_future_is_einval),
        cmocka_unit_test(test_unknown_subject_applies_nothing),
        cmocka_unit_test(test_wrong_body_type_is_ecorrupt),
        cmocka_unit_test(test_withdrawal_wins_within_one_update),
        cmocka_unit_test(test_withdrawal_wins_at_the_same_time),
        cmocka_unit_test(test_app_signed_time_raises_confidence),
        cmocka_unit_test(test_state_report_round_trips),
        cmocka_unit_test(test_manifest_offer_round_trips),
        cmocka_unit_test(test_pairing_refuses_a_malformed_key),
        cmocka_unit_test(test_encoding_for_an_unpaired_device_is_enotfound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
