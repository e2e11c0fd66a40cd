/*
 * The paired keys and their replay counters (table peer) edited behind the
 * library's back (issue 16), with a second SQLite connection, while the
 * handle is open and between opens. Each edit breaks the consent seal: no
 * update is applied (CUSTOS_ECORRUPT, nothing recorded), the gate fails
 * closed, and custos_consent_repair removes every paired key, since none can
 * be proven, so the app must pair again.
 */
#include "consent_fixture.h"

#include <sodium.h>
#include <sqlite3.h>

/* sql with the 32-byte key as an x'..' literal after prefix, and suffix. */
static void sql_with_key(char *sql, size_t size, const char *prefix, const uint8_t pk[32], const char *suffix)
{
    size_t n = (size_t)snprintf(sql, size, "%sx'", prefix);
    for (int i = 0; i < 32 && n < size; i++)
        n += (size_t)snprintf(sql + n, size - n, "%02x", pk[i]);
    snprintf(sql + n, n < size ? size - n : 0, "'%s", suffix);
}

static size_t update(fx_pair *p, uint8_t *msg, custos_consent_status status)
{
    custos_consent_change c = { p->dev.owner, FX_ANALYTICS, status, 0 };
    size_t len = 0;
    assert_int_equal(custos_sync_encode_update(p->app.ctx, msg, CUSTOS_SYNC_MAX_MESSAGE, &len, p->dev_id, &c, 1),
                     CUSTOS_OK);
    return len;
}

/* Refused without a change to the ledger, and the refusal says why. */
static void expect_refused(fx_pair *p, const uint8_t *msg, size_t len)
{
    int before = fx_events(&p->dev, "");
    assert_int_equal(custos_sync_apply_update(p->dev.ctx, NULL, msg, len), CUSTOS_ECORRUPT);
    const char *why = custos_errmsg(p->dev.ctx); /* sync's own words, or the gate's once it noticed first */
    if (strstr(why, "integrity") == NULL && strstr(why, "seal mismatch") == NULL)
        fail_msg("refused with '%s'", why);
    assert_int_equal(fx_events(&p->dev, ""), before);
    assert_int_equal(custos_check(p->dev.ctx, p->dev.owner, FX_ANALYTICS, FX_CAT_USAGE), CUSTOS_DENY_INTEGRITY);
}

/* After repair no key is trusted; pairing again brings sync back, and the
 * owner's analytics decision is want. */
static void expect_repair_unpairs(fx_pair *p, custos_decision want)
{
    size_t n = 0;
    int rc = custos_consent_repair(p->dev.ctx, &n);
    if (rc != CUSTOS_OK)
        fail_msg("repair: %s: %s", custos_strerror(rc), custos_errmsg(p->dev.ctx));
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE];
    size_t len = update(p, msg, CUSTOS_CONSENT_GIVEN);
    assert_int_equal(custos_sync_apply_update(p->dev.ctx, NULL, msg, len), CUSTOS_ESIGNATURE);
    assert_int_equal(custos_pair(p->dev.ctx, p->app_pk, NULL), CUSTOS_OK);
    assert_int_equal(custos_sync_apply_update(p->dev.ctx, NULL, msg, len), CUSTOS_OK);
    assert_int_equal(custos_check(p->dev.ctx, p->dev.owner, FX_ANALYTICS, FX_CAT_USAGE), want);
    uint64_t bad = 0;
    assert_int_equal(custos_consent_verify(p->dev.ctx, &bad), CUSTOS_OK);
}

static void test_inserted_key_stops_sync_until_repair(void **state)
{
    (void)state;
    fx_pair p;
    fx_pair_open(&p, "peer-insert");
    uint8_t pk[32], sk[64], msg[CUSTOS_SYNC_MAX_MESSAGE];
    crypto_sign_keypair(pk, sk);
    char sql[256];
    sql_with_key(sql, sizeof sql, "INSERT INTO peer(pk, paired_at) VALUES(", pk, ", 1)");
    fx_edit(&p.dev, sql);
    size_t len = update(&p, msg, CUSTOS_CONSENT_GIVEN);
    expect_refused(&p, msg, len);
    expect_repair_unpairs(&p, CUSTOS_ALLOW);
    fx_pair_close(&p);
}

static void test_lowered_counter_does_not_reopen_a_replay(void **state)
{
    (void)state;
    fx_pair p;
    fx_pair_open(&p, "peer-counter");
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE];
    size_t len = update(&p, msg, CUSTOS_CONSENT_GIVEN);
    assert_int_equal(custos_sync_apply_update(p.dev.ctx, NULL, msg, len), CUSTOS_OK);
    assert_int_equal(custos_consent_withdraw(p.dev.ctx, p.dev.owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    fx_edit(&p.dev, "UPDATE peer SET last_in = 0");
    expect_refused(&p, msg, len); /* the old "given" is not applied again */
    expect_repair_unpairs(&p, CUSTOS_DENY_WITHDRAWN); /* a later local withdrawal outranks the app's "given" */
    fx_pair_close(&p);
}

static void test_key_swapped_between_opens_is_refused(void **state)
{
    (void)state;
    fx_pair p;
    fx_pair_open(&p, "peer-swap");
    custos_close(p.dev.ctx); /* the store closed, the edit made, then opened again */
    p.dev.ctx = NULL;
    uint8_t pk[32], sk[64];
    crypto_sign_keypair(pk, sk);
    char sql[256];
    sql_with_key(sql, sizeof sql, "UPDATE peer SET pk = ", pk, "");
    fx_edit(&p.dev, sql);
    fx_reopen(&p.dev);
    uint8_t msg[CUSTOS_SYNC_MAX_MESSAGE];
    size_t len = update(&p, msg, CUSTOS_CONSENT_GIVEN);
    expect_refused(&p, msg, len);
    expect_repair_unpairs(&p, CUSTOS_ALLOW);
    fx_pair_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inserted_key_stops_sync_until_repair),
        cmocka_unit_test(test_lowered_counter_does_not_reopen_a_replay),
        cmocka_unit_test(test_key_swapped_between_opens_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
