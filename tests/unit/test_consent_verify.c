/* The consent ledger's integrity: any change, removal or reordering of a
 * stored event is detected and named, and a damaged chain refuses appends. */
#include "consent_fixture.h"

/* A ledger of three events: owner gives and withdraws, guest gives. */
static void three_events(fx *f, const char *tag)
{
    fx_open(f, tag);
    assert_int_equal(sqlite3_exec(f->ctx->db, "PRAGMA synchronous=OFF", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(custos_consent_give(f->ctx, f->owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_consent_withdraw(f->ctx, f->owner, FX_ANALYTICS, &fx_info), CUSTOS_OK);
    assert_int_equal(custos_consent_give(f->ctx, f->guest, FX_MARKETING, &fx_info), CUSTOS_OK);
}

static uint8_t *read_blob(fx *f, int64_t seq, int *len)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(f->ctx->db, "SELECT signed FROM consent_event WHERE seq = ?1", -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(st, 1, seq);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    *len = sqlite3_column_bytes(st, 0);
    uint8_t *b = malloc((size_t)*len);
    memcpy(b, sqlite3_column_blob(st, 0), (size_t)*len);
    sqlite3_finalize(st);
    return b;
}

static void write_blob(fx *f, int64_t seq, const uint8_t *b, int len)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(f->ctx->db, "UPDATE consent_event SET signed = ?2 WHERE seq = ?1", -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_blob(st, 2, b, len, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

static void test_intact_ledger_verifies(void **state)
{
    (void)state;
    fx f;
    three_events(&f, "intact");
    uint64_t bad = 99;
    assert_int_equal(custos_consent_verify(f.ctx, &bad), CUSTOS_OK);
    assert_int_equal(bad, 0);
    fx_close(&f);
}

static void test_flipping_any_bit_of_a_stored_event_is_detected(void **state)
{
    (void)state;
    fx f;
    three_events(&f, "flip");
    long flips = 0;
    /* one transaction for the whole walk: fast, and nothing is audited per flip */
    assert_int_equal(sqlite3_exec(f.ctx->db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    for (int64_t seq = 1; seq <= 3; seq++) {
        int len = 0;
        uint8_t *orig = read_blob(&f, seq, &len);
        uint8_t *b = malloc((size_t)len);
        /* every bit of the middle event (it has a predecessor and a
         * successor); every bit of every fifth byte of the other two */
        for (int i = 0; i < len; i += seq == 2 ? 1 : 5) {
            for (int bit = 0; bit < 8; bit++) {
                memcpy(b, orig, (size_t)len);
                b[i] ^= (uint8_t)(1u << bit);
                write_blob(&f, seq, b, len);
                uint64_t bad = 0;
                int rc = custos_consent_verify(f.ctx, &bad);
                if (rc != CUSTOS_ECORRUPT && rc != CUSTOS_ESIGNATURE)
                    fail_msg("event %lld byte %d bit %d: flip not detected (rc %d)", (long long)seq, i, bit, rc);
                if (bad != (uint64_t)seq)
                    fail_msg("event %lld byte %d bit %d: blamed event %llu", (long long)seq, i, bit,
                             (unsigned long long)bad);
                flips++;
            }
        }
        write_blob(&f, seq, orig, len);
        free(b);
        free(orig);
    }
    assert_int_equal(sqlite3_exec(f.ctx->db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    assert_true(flips > 8 * 100);
    uint64_t bad = 0;
    assert_int_equal(custos_consent_verify(f.ctx, &bad), CUSTOS_OK);
    fx_close(&f);
}

static void test_removed_event_is_named(void **state)
{
    (void)state;
    fx f;
    three_events(&f, "removed");
    assert_int_equal(sqlite3_exec(f.ctx->db, "DELETE FROM consent_event WHERE seq = 2", NULL, NULL, NULL), SQLITE_OK);
    uint64_t bad = 0;
    assert_int_equal(custos_consent_verify(f.ctx, &bad), CUSTOS_ECORRUPT);
    assert_int_equal(bad, 2);
    assert_non_null(strstr(custos_errmsg(f.ctx), "event 2"));
    fx_close(&f);
}

static void test_removed_last_event_is_named(void **state)
{
    (void)state;
    fx f;
    three_events(&f, "cut");
    assert_int_equal(sqlite3_exec(f.ctx->db, "DELETE FROM consent_event WHERE seq = 3", NULL, NULL, NULL), SQLITE_OK);
    uint64_t bad = 0;
    assert_int_equal(custos_consent_verify(f.ctx, &bad), CUSTOS_ECORRUPT);
    assert_int_equal(bad, 3);
    fx_close(&f);
}

static void test_reordered_events_are_named(void **state)
{
    (void)state;
    fx f;
    three_events(&f, "reorder");
    int l1 = 0, l2 = 0;
    uint8_t *a = read_blob(&f, 1, &l1), *b = read_blob(&f, 2, &l2);
    write_blob(&f, 1, b, l2);
    write_blob(&f, 2, a, l1);
    uint64_t bad = 0;
    assert_int_equal(custos_consent_verify(f.ctx, &bad), CUSTOS_ECORRUPT);
    assert_int_equal(bad, 1);
    free(a);
    free(b);
    fx_close(&f);
}

static void test_index_column_edit_is_named(void **state)
{
    (void)state;
    fx f;
    three_events(&f, "index");
    assert_int_equal(sqlite3_exec(f.ctx->db, "UPDATE consent_event SET purpose = 5 WHERE seq = 2", NULL, NULL, NULL),
                     SQLITE_OK);
    uint64_t bad = 0;
    assert_int_equal(custos_consent_verify(f.ctx, &bad), CUSTOS_ECORRUPT);
    assert_int_equal(bad, 2);
    fx_close(&f);
}

static void test_corrupt_tip_row_refuses_append_and_writes_nothing(void **state)
{
    (void)state;
    fx f;
    three_events(&f, "tip");
    uint8_t junk[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    write_blob(&f, 3, junk, sizeof junk);
    assert_int_equal(custos_consent_give(f.ctx, f.guest, FX_ANALYTICS, &fx_info), CUSTOS_ECORRUPT);
    assert_int_equal(fx_events(&f, ""), 3);
    /* The ledger's head is part of the consent seal (seal.c): the gate sees
     * the edit and fails closed with the integrity reason. */
    assert_int_equal(custos_check(f.ctx, f.guest, FX_ANALYTICS, FX_CAT_USAGE), CUSTOS_DENY_INTEGRITY);
    fx_close(&f);
}

static void test_event_signed_by_another_device_is_esignature(void **state)
{
    (void)state;
    fx a, b;
    three_events(&a, "dev-a");
    three_events(&b, "dev-b");
    int len = 0;
    uint8_t *foreign = read_blob(&b, 1, &len);
    write_blob(&a, 1, foreign, len);
    uint64_t bad = 0;
    assert_int_equal(custos_consent_verify(a.ctx, &bad), CUSTOS_ESIGNATURE);
    assert_int_equal(bad, 1);
    free(foreign);
    fx_close(&a);
    fx_close(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_intact_ledger_verifies),
        cmocka_unit_test(test_flipping_any_bit_of_a_stored_event_is_detected),
        cmocka_unit_test(test_removed_event_is_named),
        cmocka_unit_test(test_removed_last_event_is_named),
        cmocka_unit_test(test_reordered_events_are_named),
        cmocka_unit_test(test_index_column_edit_is_named),
        cmocka_unit_test(test_corrupt_tip_row_refuses_append_and_writes_nothing),
        cmocka_unit_test(test_event_signed_by_another_device_is_esignature),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
