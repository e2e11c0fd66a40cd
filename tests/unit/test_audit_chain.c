/* The audit chain: appending, and every way of tampering with what is stored
 * being detected and named by custos_audit_verify. */
#include "test_audit_helpers.h"

#include <sodium.h>

#define FIXTURE_ENTRIES 10

typedef struct fixture {
    char *dir;
    custos_t *ctx;
} fixture;

/* A store whose chain is 10 entries of varied shape, with checkpoints at
 * seq 5 and seq 10. Writes are not synced: these tests tamper thousands of
 * times and need no durability. */
static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = th_tmpdir("audit");
    f->ctx = th_open(f->dir);
    ta_sql(f->ctx, "PRAGMA synchronous=OFF");
    uint8_t subject[32];
    assert_int_equal(custos__subject_hash(f->ctx, subject, "alice"), CUSTOS_OK);
    ta_append(f->ctx, CUSTOS_AUDIT_MANIFEST_LOADED, NULL, -1, "manifest.v1");
    ta_append(f->ctx, CUSTOS_AUDIT_CONSENT_CHANGED, subject, 3, "given");
    ta_append(f->ctx, CUSTOS_AUDIT_ACCESS, subject, 3, NULL);
    assert_int_equal(custos_audit_checkpoint(f->ctx), CUSTOS_OK); /* seq 4 ... */
    ta_append(f->ctx, CUSTOS_AUDIT_KEY_FAILURE, NULL, -1, "unwrap");
    assert_int_equal(custos_audit_checkpoint(f->ctx), CUSTOS_OK); /* ... and seq 5 */
    ta_append(f->ctx, CUSTOS_AUDIT_CONSENT_CHANGED, subject, 4, "withdrawn");
    ta_append(f->ctx, CUSTOS_AUDIT_ERASE, subject, 4, "subject_purpose");
    ta_append(f->ctx, CUSTOS_AUDIT_EXPORT, subject, -1, "subject");
    ta_append(f->ctx, CUSTOS_AUDIT_INTEGRITY_VIOLATION, NULL, -1, "vault.record");
    ta_append(f->ctx, CUSTOS_AUDIT_KEY_ROTATED, NULL, -1, "kek");
    assert_int_equal(custos_audit_checkpoint(f->ctx), CUSTOS_OK);
    assert_int_equal(ta_count(f->ctx, "audit_entry"), FIXTURE_ENTRIES);
    /* Keep only the checkpoints at 5 and 10, so seq 4 is covered by the chain alone. */
    ta_sql(f->ctx, "DELETE FROM audit_checkpoint WHERE seq = 4");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    custos_close(f->ctx);
    th_tmpdir_remove(f->dir);
    free(f);
    return 0;
}

static void expect_failure(custos_t *ctx, int failure, uint64_t seq)
{
    custos_audit_report r;
    assert_int_equal(ta_verify(ctx, &r), CUSTOS_ECORRUPT);
    assert_int_equal(r.failure, failure);
    assert_int_equal(r.failed_seq, seq);
    assert_non_null(strstr(custos_errmsg(ctx), custos_audit_failure_name(failure)));
}

static void test_new_store_chain_starts_with_store_created(void **state)
{
    (void)state;
    char *dir = th_tmpdir("audit-new");
    custos_t *ctx = th_open(dir);
    assert_int_equal(ta_count(ctx, "audit_entry"), 1);
    size_t len = 0;
    uint8_t *b = ta_row(ctx, "audit_entry", 1, &len);
    assert_non_null(b);
    Custos__V1__AuditEntry *e = custos__v1__audit_entry__unpack(NULL, len, b);
    assert_non_null(e);
    assert_int_equal(e->seq, 1);
    assert_int_equal(e->kind, CUSTOS_AUDIT_STORE_CREATED);
    uint8_t zeros[32] = { 0 };
    assert_memory_equal(e->prev_hash.data, zeros, 32);
    custos__v1__audit_entry__free_unpacked(e, NULL);
    free(b);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_reopen_does_not_record_store_created_again(void **state)
{
    (void)state;
    char *dir = th_tmpdir("audit-reopen");
    custos_close(th_open(dir));
    custos_t *ctx = th_open(dir);
    assert_int_equal(ta_count(ctx, "audit_entry"), 1);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_fixture_verifies_with_counts(void **state)
{
    fixture *f = *state;
    custos_audit_report r;
    assert_int_equal(ta_verify(f->ctx, &r), CUSTOS_OK);
    assert_int_equal(r.failure, CUSTOS_AUDIT_OK);
    assert_int_equal(r.failed_seq, 0);
    assert_int_equal(r.entries, FIXTURE_ENTRIES);
    assert_int_equal(r.last_seq, FIXTURE_ENTRIES);
    assert_int_equal(r.checkpoints, 2);
    assert_int_equal(r.last_checkpoint_seq, FIXTURE_ENTRIES);
    assert_int_equal(r.unsigned_tail, 0);
}

static void test_each_entry_hash_is_next_prev_hash(void **state)
{
    fixture *f = *state;
    for (int64_t seq = 1; seq < FIXTURE_ENTRIES; seq++) {
        size_t la = 0, lb = 0;
        uint8_t *a = ta_row(f->ctx, "audit_entry", seq, &la), *b = ta_row(f->ctx, "audit_entry", seq + 1, &lb);
        uint8_t h[32];
        crypto_generichash(h, 32, a, la, NULL, 0);
        Custos__V1__AuditEntry *e = custos__v1__audit_entry__unpack(NULL, lb, b);
        assert_non_null(e);
        assert_int_equal(e->seq, (uint64_t)seq + 1);
        assert_memory_equal(e->prev_hash.data, h, 32);
        custos__v1__audit_entry__free_unpacked(e, NULL);
        free(a);
        free(b);
    }
}

/* The thousands of tamperings below run in one transaction of the test's,
 * which verification (on the same connection) sees: no commit per flip. */
static void test_every_single_bit_flip_in_any_entry_names_that_entry(void **state)
{
    fixture *f = *state;
    ta_sql(f->ctx, "BEGIN");
    for (int64_t seq = 1; seq <= FIXTURE_ENTRIES; seq++) {
        size_t len = 0;
        uint8_t *orig = ta_row(f->ctx, "audit_entry", seq, &len);
        uint8_t *m = malloc(len);
        for (size_t bit = 0; bit < len * 8; bit++) {
            memcpy(m, orig, len);
            m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            ta_set_row(f->ctx, "audit_entry", seq, m, len);
            custos_audit_report r;
            assert_int_equal(ta_verify(f->ctx, &r), CUSTOS_ECORRUPT);
            if (r.failed_seq != (uint64_t)seq ||
                (r.failure != CUSTOS_AUDIT_ENTRY_CHANGED && r.failure != CUSTOS_AUDIT_ENTRY_MALFORMED))
                fail_msg("bit %zu of seq %lld: %s at seq %llu", bit, (long long)seq,
                         custos_audit_failure_name(r.failure), (unsigned long long)r.failed_seq);
        }
        ta_set_row(f->ctx, "audit_entry", seq, orig, len);
        free(m);
        free(orig);
    }
    ta_sql(f->ctx, "COMMIT");
    custos_audit_report r;
    assert_int_equal(ta_verify(f->ctx, &r), CUSTOS_OK);
}

static void test_every_single_bit_flip_in_a_checkpoint_is_detected(void **state)
{
    fixture *f = *state;
    size_t len = 0;
    uint8_t *orig = ta_row(f->ctx, "audit_checkpoint", 5, &len);
    uint8_t *m = malloc(len);
    ta_sql(f->ctx, "BEGIN");
    for (size_t bit = 0; bit < len * 8; bit++) {
        memcpy(m, orig, len);
        m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        ta_set_row(f->ctx, "audit_checkpoint", 5, m, len);
        custos_audit_report r;
        assert_int_equal(ta_verify(f->ctx, &r), CUSTOS_ECORRUPT);
        assert_int_equal(r.failure, CUSTOS_AUDIT_CHECKPOINT_INVALID);
    }
    ta_set_row(f->ctx, "audit_checkpoint", 5, orig, len);
    ta_sql(f->ctx, "COMMIT");
    free(m);
    free(orig);
}

static void test_oversized_entry_is_malformed(void **state)
{
    fixture *f = *state;
    ta_sql(f->ctx, "UPDATE audit_entry SET bytes = zeroblob(1048576) WHERE seq = 4");
    expect_failure(f->ctx, CUSTOS_AUDIT_ENTRY_MALFORMED, 4);
}

static void test_deleting_an_entry_names_it_removed(void **state)
{
    fixture *f = *state;
    ta_sql(f->ctx, "DELETE FROM audit_entry WHERE seq = 7");
    expect_failure(f->ctx, CUSTOS_AUDIT_ENTRY_REMOVED, 7);
}

static void test_deleting_the_first_entry_names_seq_1_removed(void **state)
{
    fixture *f = *state;
    ta_sql(f->ctx, "DELETE FROM audit_entry WHERE seq = 1");
    expect_failure(f->ctx, CUSTOS_AUDIT_ENTRY_REMOVED, 1);
}

static void swap_rows(custos_t *ctx, int64_t a, int64_t b)
{
    size_t la = 0, lb = 0;
    uint8_t *x = ta_row(ctx, "audit_entry", a, &la), *y = ta_row(ctx, "audit_entry", b, &lb);
    ta_set_row(ctx, "audit_entry", a, y, lb);
    ta_set_row(ctx, "audit_entry", b, x, la);
    free(x);
    free(y);
}

static void test_swapping_two_adjacent_entries_names_the_first_reordered(void **state)
{
    fixture *f = *state;
    swap_rows(f->ctx, 6, 7);
    expect_failure(f->ctx, CUSTOS_AUDIT_ENTRY_REORDERED, 6);
}

static void test_swapping_two_distant_entries_names_the_first_reordered(void **state)
{
    fixture *f = *state;
    swap_rows(f->ctx, 3, 8);
    expect_failure(f->ctx, CUSTOS_AUDIT_ENTRY_REORDERED, 3);
}

static void test_replaying_an_entry_in_place_of_another_names_it_reordered(void **state)
{
    fixture *f = *state;
    size_t len = 0;
    uint8_t *b = ta_row(f->ctx, "audit_entry", 2, &len);
    ta_set_row(f->ctx, "audit_entry", 6, b, len);
    free(b);
    expect_failure(f->ctx, CUSTOS_AUDIT_ENTRY_REORDERED, 6);
}

static void test_truncating_tail_before_last_checkpoint_names_first_missing(void **state)
{
    fixture *f = *state;
    ta_sql(f->ctx, "DELETE FROM audit_entry WHERE seq >= 8");
    expect_failure(f->ctx, CUSTOS_AUDIT_TAIL_TRUNCATED, 8);
}

static void test_truncating_the_whole_chain_is_detected(void **state)
{
    fixture *f = *state;
    ta_sql(f->ctx, "DELETE FROM audit_entry");
    expect_failure(f->ctx, CUSTOS_AUDIT_TAIL_TRUNCATED, 1);
}

/* Re-sign a checkpoint with a key that is not the device's. */
static void test_forged_checkpoint_signature_names_its_seq(void **state)
{
    fixture *f = *state;
    size_t len = 0;
    uint8_t *b = ta_row(f->ctx, "audit_checkpoint", 5, &len);
    Custos__V1__AuditCheckpoint *cp = custos__v1__audit_checkpoint__unpack(NULL, len, b);
    assert_non_null(cp);
    uint8_t pk[32], sk[64], msg[40];
    crypto_sign_keypair(pk, sk);
    for (int i = 0; i < 8; i++)
        msg[i] = (uint8_t)(cp->seq >> (8 * i));
    memcpy(msg + 8, cp->entry_hash.data, 32);
    crypto_sign_detached(cp->signature.data, NULL, msg, sizeof msg, sk);
    uint8_t out[256];
    size_t n = custos__v1__audit_checkpoint__pack(cp, out);
    ta_set_row(f->ctx, "audit_checkpoint", 5, out, n);
    custos__v1__audit_checkpoint__free_unpacked(cp, NULL);
    free(b);
    expect_failure(f->ctx, CUSTOS_AUDIT_CHECKPOINT_INVALID, 5);
}

/* Verification remembers checkpoints it verified, by their exact bytes: a
 * checkpoint forged after a successful verification is still caught. */
static void test_forged_checkpoint_after_a_verify_is_still_detected(void **state)
{
    fixture *f = *state;
    custos_audit_report r;
    assert_int_equal(ta_verify(f->ctx, &r), CUSTOS_OK);
    test_forged_checkpoint_signature_names_its_seq(state);
}

/* Rewrite entry 3 and recompute the whole chain after it, as an attacker with
 * write access to the database can: only the signed checkpoint catches it. */
static void test_recomputed_chain_is_caught_at_the_next_checkpoint(void **state)
{
    fixture *f = *state;
    uint8_t prev[32];
    for (int64_t seq = 3; seq <= FIXTURE_ENTRIES; seq++) {
        size_t len = 0;
        uint8_t *b = ta_row(f->ctx, "audit_entry", seq, &len);
        Custos__V1__AuditEntry *e = custos__v1__audit_entry__unpack(NULL, len, b);
        if (seq == 3)
            e->time += 1;
        else
            memcpy(e->prev_hash.data, prev, 32);
        uint8_t out[256];
        size_t n = custos__v1__audit_entry__pack(e, out);
        crypto_generichash(prev, 32, out, n, NULL, 0);
        ta_set_row(f->ctx, "audit_entry", seq, out, n);
        custos__v1__audit_entry__free_unpacked(e, NULL);
        free(b);
    }
    expect_failure(f->ctx, CUSTOS_AUDIT_ENTRY_CHANGED, 5);
}

static void test_unsigned_tail_is_reported(void **state)
{
    fixture *f = *state;
    ta_append(f->ctx, CUSTOS_AUDIT_ERASE, NULL, -1, "subject");
    ta_append(f->ctx, CUSTOS_AUDIT_ERASE, NULL, -1, "subject");
    custos_audit_report r;
    assert_int_equal(ta_verify(f->ctx, &r), CUSTOS_OK);
    assert_int_equal(r.last_checkpoint_seq, FIXTURE_ENTRIES);
    assert_int_equal(r.unsigned_tail, 2);
}

static void test_checkpoint_on_demand_covers_the_tail_once(void **state)
{
    fixture *f = *state;
    ta_append(f->ctx, CUSTOS_AUDIT_ERASE, NULL, -1, "subject");
    assert_int_equal(custos_audit_checkpoint(f->ctx), CUSTOS_OK);
    assert_int_equal(custos_audit_checkpoint(f->ctx), CUSTOS_OK);
    assert_int_equal(ta_count(f->ctx, "audit_checkpoint"), 3);
    custos_audit_report r;
    assert_int_equal(ta_verify(f->ctx, &r), CUSTOS_OK);
    assert_int_equal(r.last_checkpoint_seq, FIXTURE_ENTRIES + 1);
    assert_int_equal(r.unsigned_tail, 0);
}

static void test_close_signs_a_checkpoint_over_the_tail(void **state)
{
    (void)state;
    char *dir = th_tmpdir("audit-close");
    custos_t *ctx = th_open(dir);
    ta_append(ctx, CUSTOS_AUDIT_ERASE, NULL, -1, "subject");
    assert_int_equal(ta_count(ctx, "audit_checkpoint"), 0);
    custos_close(ctx);
    ctx = th_open(dir);
    custos_audit_report r;
    assert_int_equal(ta_verify(ctx, &r), CUSTOS_OK);
    assert_int_equal(r.last_checkpoint_seq, 2);
    assert_int_equal(r.unsigned_tail, 0);
    /* Truncating the tail while closed is now detected. */
    ta_sql(ctx, "DELETE FROM audit_entry WHERE seq = 2");
    expect_failure(ctx, CUSTOS_AUDIT_TAIL_TRUNCATED, 2);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_checkpoint_written_every_interval_entries(void **state)
{
    (void)state;
    char *dir = th_tmpdir("audit-interval");
    custos_t *ctx = th_open(dir);
    ta_sql(ctx, "PRAGMA synchronous=OFF");
    pthread_mutex_lock(&ctx->write_lock);
    assert_int_equal(custos__db_begin(ctx), CUSTOS_OK);
    for (unsigned i = 1; i < 2 * CUSTOS_AUDIT_CHECKPOINT_INTERVAL; i++)
        assert_int_equal(custos__audit_append(ctx, CUSTOS_AUDIT_ACCESS, NULL, 1, 0, NULL), CUSTOS_OK);
    assert_int_equal(custos__db_commit(ctx), CUSTOS_OK);
    pthread_mutex_unlock(&ctx->write_lock);
    assert_int_equal(ta_count(ctx, "audit_checkpoint"), 2);
    /* the entries of one transaction chain onto each other (the head is kept in memory between them) */
    custos_audit_report r;
    assert_int_equal(ta_verify(ctx, &r), CUSTOS_OK);
    assert_int_equal(r.last_seq, 2 * CUSTOS_AUDIT_CHECKPOINT_INTERVAL);
    size_t len = 0;
    uint8_t *b = ta_row(ctx, "audit_checkpoint", CUSTOS_AUDIT_CHECKPOINT_INTERVAL, &len);
    assert_non_null(b);
    free(b);
    assert_int_equal(custos_audit_checkpoint_interval(), CUSTOS_AUDIT_CHECKPOINT_INTERVAL);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_append_inside_rolled_back_transaction_leaves_no_entry(void **state)
{
    fixture *f = *state;
    pthread_mutex_lock(&f->ctx->write_lock);
    assert_int_equal(custos__db_begin(f->ctx), CUSTOS_OK);
    assert_int_equal(custos__audit_append(f->ctx, CUSTOS_AUDIT_ERASE, NULL, -1, 0, "subject"), CUSTOS_OK);
    assert_int_equal(custos__audit_append(f->ctx, CUSTOS_AUDIT_ERASE, NULL, -1, 0, "purpose"), CUSTOS_OK);
    assert_int_equal(ta_count(f->ctx, "audit_entry"), FIXTURE_ENTRIES + 2);
    custos__db_rollback(f->ctx);
    pthread_mutex_unlock(&f->ctx->write_lock);
    assert_int_equal(ta_count(f->ctx, "audit_entry"), FIXTURE_ENTRIES);
    /* and the chain continues from the last committed entry, not from the rolled-back head */
    ta_append(f->ctx, CUSTOS_AUDIT_FACTORY_RESET, NULL, -1, NULL);
    custos_audit_report r;
    assert_int_equal(ta_verify(f->ctx, &r), CUSTOS_OK);
    assert_int_equal(r.last_seq, FIXTURE_ENTRIES + 1);
}

static void test_record_outside_a_transaction_commits_its_own_entry(void **state)
{
    fixture *f = *state;
    assert_int_equal(custos__audit_record(f->ctx, CUSTOS_AUDIT_KEY_FAILURE, NULL, -1, CUSTOS_EKEY, "unwrap"),
                     CUSTOS_OK);
    assert_int_equal(ta_count(f->ctx, "audit_entry"), FIXTURE_ENTRIES + 1);
    custos_audit_report r;
    assert_int_equal(ta_verify(f->ctx, &r), CUSTOS_OK);
}

static void test_record_keeps_the_callers_error_message(void **state)
{
    fixture *f = *state;
    custos__fail(f->ctx, CUSTOS_EKEY, "vault: the record's key did not open");
    assert_int_equal(custos__audit_record(f->ctx, CUSTOS_AUDIT_KEY_FAILURE, NULL, -1, CUSTOS_EKEY, "unwrap"),
                     CUSTOS_OK);
    assert_string_equal(custos_errmsg(f->ctx), "vault: the record's key did not open");
    assert_int_equal(custos__audit_record(f->ctx, 99, NULL, -1, 0, NULL), CUSTOS_EINVAL);
    assert_string_equal(custos_errmsg(f->ctx), "vault: the record's key did not open");
    assert_int_equal(ta_count(f->ctx, "audit_entry"), FIXTURE_ENTRIES + 1);
}

static void test_append_outside_a_transaction_is_estate(void **state)
{
    fixture *f = *state;
    assert_int_equal(custos__audit_append(f->ctx, CUSTOS_AUDIT_ERASE, NULL, -1, 0, NULL), CUSTOS_ESTATE);
    assert_int_equal(ta_count(f->ctx, "audit_entry"), FIXTURE_ENTRIES);
}

static void expect_append_einval(custos_t *ctx, int kind, int64_t purpose, const char *detail, const char *why)
{
    pthread_mutex_lock(&ctx->write_lock);
    assert_int_equal(custos__db_begin(ctx), CUSTOS_OK);
    assert_int_equal(custos__audit_append(ctx, kind, NULL, purpose, 0, detail), CUSTOS_EINVAL);
    assert_non_null(strstr(custos_errmsg(ctx), why));
    custos__db_rollback(ctx);
    pthread_mutex_unlock(&ctx->write_lock);
}

static void test_append_unknown_kind_is_einval(void **state)
{
    fixture *f = *state;
    expect_append_einval(f->ctx, 0, -1, NULL, "unknown event kind");
    expect_append_einval(f->ctx, 13, -1, NULL, "unknown event kind");
    expect_append_einval(f->ctx, -5, -1, NULL, "unknown event kind");
}

static void test_append_purpose_out_of_range_is_einval(void **state)
{
    fixture *f = *state;
    expect_append_einval(f->ctx, CUSTOS_AUDIT_ERASE, -2, NULL, "out of range");
    expect_append_einval(f->ctx, CUSTOS_AUDIT_ERASE, (int64_t)UINT32_MAX + 1, NULL, "out of range");
}

static void test_append_detail_too_long_or_not_printable_is_einval(void **state)
{
    fixture *f = *state;
    char longer[CUSTOS_AUDIT_DETAIL_MAX + 2];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    expect_append_einval(f->ctx, CUSTOS_AUDIT_ERASE, -1, longer, "longer than");
    expect_append_einval(f->ctx, CUSTOS_AUDIT_ERASE, -1, "line\nbreak", "printable");
    expect_append_einval(f->ctx, CUSTOS_AUDIT_ERASE, -1, "caf\xc3\xa9", "printable");
    longer[CUSTOS_AUDIT_DETAIL_MAX] = '\0';
    ta_append(f->ctx, CUSTOS_AUDIT_ERASE, NULL, -1, longer); /* exactly the maximum is fine */
}

static void test_verify_rejects_null_and_old_reports(void **state)
{
    fixture *f = *state;
    assert_int_equal(custos_audit_verify(f->ctx, NULL), CUSTOS_EINVAL);
    custos_audit_report r = CUSTOS_AUDIT_REPORT_INIT;
    r.version = 99;
    assert_int_equal(custos_audit_verify(f->ctx, &r), CUSTOS_EVERSION);
    r.version = CUSTOS_AUDIT_REPORT_VERSION;
    assert_int_equal(custos_audit_verify(NULL, &r), CUSTOS_EINVAL);
    assert_int_equal(custos_audit_checkpoint(NULL), CUSTOS_EINVAL);
}

static int count_visit(void *user, const custos_audit_entry *e)
{
    uint64_t *next = user;
    assert_int_equal(e->seq, *next);
    *next += 1;
    return 0;
}

static int stop_at_three(void *user, const custos_audit_entry *e)
{
    (void)user;
    return e->seq == 3 ? 42 : 0;
}

static void test_foreach_walks_entries_in_order_from_seq(void **state)
{
    fixture *f = *state;
    uint64_t next = 4;
    assert_int_equal(custos_audit_foreach(f->ctx, 4, count_visit, &next), CUSTOS_OK);
    assert_int_equal(next, FIXTURE_ENTRIES + 1);
    assert_int_equal(custos_audit_foreach(f->ctx, 1, stop_at_three, NULL), 42);
    assert_int_equal(custos_audit_foreach(f->ctx, 1, NULL, NULL), CUSTOS_EINVAL);
}

static int capture_third(void *user, const custos_audit_entry *e)
{
    if (e->seq == 3)
        *(custos_audit_entry *)user = *e;
    return 0;
}

static void test_foreach_decodes_fields(void **state)
{
    fixture *f = *state;
    custos_audit_entry e;
    memset(&e, 0, sizeof e);
    assert_int_equal(custos_audit_foreach(f->ctx, 1, capture_third, &e), CUSTOS_OK);
    uint8_t subject[32];
    assert_int_equal(custos__subject_hash(f->ctx, subject, "alice"), CUSTOS_OK);
    assert_int_equal(e.kind, CUSTOS_AUDIT_CONSENT_CHANGED);
    assert_true(e.has_subject);
    assert_memory_equal(e.subject_hash, subject, 32);
    assert_int_equal(e.purpose, 3);
    assert_int_equal(e.code, 0);
}

static void test_kind_names_and_classification(void **state)
{
    (void)state;
    assert_string_equal(custos_audit_kind_name(CUSTOS_AUDIT_CONSENT_CHANGED), "consent_changed");
    assert_string_equal(custos_audit_kind_name((custos_audit_kind)99), "unknown");
    for (int k = CUSTOS_AUDIT_STORE_CREATED; k < CUSTOS_AUDIT_ACCESS; k++)
        assert_int_equal(custos_audit_kind_is_mandatory(k), 1);
    assert_int_equal(custos_audit_kind_is_mandatory(CUSTOS_AUDIT_ACCESS), 0);
    assert_int_equal(custos_audit_kind_is_mandatory(0), -1);
    assert_string_equal(custos_audit_failure_name(CUSTOS_AUDIT_TAIL_TRUNCATED), "tail truncated");
    assert_string_equal(custos_audit_failure_name((custos_audit_failure)-1), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_store_chain_starts_with_store_created),
        cmocka_unit_test(test_reopen_does_not_record_store_created_again),
        cmocka_unit_test_setup_teardown(test_fixture_verifies_with_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_each_entry_hash_is_next_prev_hash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_single_bit_flip_in_any_entry_names_that_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_single_bit_flip_in_a_checkpoint_is_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_oversized_entry_is_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleting_an_entry_names_it_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleting_the_first_entry_names_seq_1_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_swapping_two_adjacent_entries_names_the_first_reordered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_swapping_two_distant_entries_names_the_first_reordered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replaying_an_entry_in_place_of_another_names_it_reordered, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncating_tail_before_last_checkpoint_names_first_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncating_the_whole_chain_is_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forged_checkpoint_signature_names_its_seq, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forged_checkpoint_after_a_verify_is_still_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recomputed_chain_is_caught_at_the_next_checkpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsigned_tail_is_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checkpoint_on_demand_covers_the_tail_once, setup, teardown),
        cmocka_unit_test(test_close_signs_a_checkpoint_over_the_tail),
        cmocka_unit_test(test_checkpoint_written_every_interval_entries),
        cmocka_unit_test_setup_teardown(test_append_inside_rolled_back_transaction_leaves_no_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_record_outside_a_transaction_commits_its_own_entry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_record_keeps_the_callers_error_message, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_outside_a_transaction_is_estate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_unknown_kind_is_einval, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_purpose_out_of_range_is_einval, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_detail_too_long_or_not_printable_is_einval, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_rejects_null_and_old_reports, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreach_walks_entries_in_order_from_seq, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreach_decodes_fields, setup, teardown),
        cmocka_unit_test(test_kind_names_and_classification),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
