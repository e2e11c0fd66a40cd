/* Erasing one subject, one purpose, or expired records: what goes, what stays, what is reported. */
#include "harness.h"
#include "../forensic/erase_fixture.h"
#include "ground/internal.h"
#include "erase/erase_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_REC 5

typedef struct world {
    char *dir;
    custos_t *ctx;
    custos_subject a, b;
    char ca[2][N_REC][EF_CANARY_LEN], cb[N_REC][EF_CANARY_LEN];
    custos_record_id ia[2][N_REC], ib[N_REC];
    uint64_t now;
} world;

static uint64_t fake_now(void *state, custos_time_confidence *conf)
{
    if (conf != NULL)
        *conf = CUSTOS_TIME_TRUSTED_CLOCK;
    return *(uint64_t *)state;
}

static void world_open(world *w)
{
    custos_clock clock = { fake_now, &w->now };
    custos_open_options o = CUSTOS_OPEN_OPTIONS_INIT;
    o.clock = &clock;
    int rc = custos_open(&w->ctx, w->dir, &o);
    if (rc != CUSTOS_OK)
        fail_msg("open: %s: %s", custos_strerror(rc), custos_last_error());
}

static int setup(void **state)
{
    world *w = calloc(1, sizeof *w);
    w->dir = th_tmpdir("erase");
    w->now = 1800000000u;
    world_open(w);
    assert_int_equal(ef_load_manifest(w->ctx), CUSTOS_OK);
    assert_int_equal(ef_subject(w->ctx, &w->a, "alice@example.com"), CUSTOS_OK);
    assert_int_equal(ef_subject(w->ctx, &w->b, "bob@example.com"), CUSTOS_OK);
    assert_int_equal(ef_put(w->ctx, w->a, EF_PURPOSE_VIDEO, N_REC, w->ca[0], w->ia[0]), CUSTOS_OK);
    assert_int_equal(ef_put(w->ctx, w->a, EF_PURPOSE_STATS, N_REC, w->ca[1], w->ia[1]), CUSTOS_OK);
    assert_int_equal(ef_put(w->ctx, w->b, EF_PURPOSE_VIDEO, N_REC, w->cb, w->ib), CUSTOS_OK);
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    world *w = *state;
    custos_close(w->ctx);
    th_tmpdir_remove(w->dir);
    free(w);
    return 0;
}

static int journal_exists(const world *w)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", w->dir, ERASE_JOURNAL_NAME);
    return access(path, F_OK) == 0;
}

static void assert_b_intact(world *w)
{
    for (int i = 0; i < N_REC; i++)
        assert_true(ef_reads(w->ctx, w->ib[i], w->cb[i]));
}

static int get_rc(world *w, custos_record_id id)
{
    uint8_t out[EF_CANARY_LEN];
    size_t len = 0;
    return custos_vault_get(w->ctx, out, sizeof out, &len, NULL, id);
}

static size_t count(custos_t *ctx, int outbox)
{
    size_t n = 0;
    assert_int_equal(outbox ? custos_erase_outbox_list(ctx, NULL, 0, &n) : custos_erase_receipt_list(ctx, NULL, 0, &n),
                     CUSTOS_OK);
    return n;
}

static void test_erase_subject_removes_every_record_of_that_subject(void **state)
{
    world *w = *state;
    assert_int_equal(custos_erase_subject(w->ctx, NULL, 0, NULL, w->a, NULL), CUSTOS_OK);
    for (int p = 0; p < 2; p++)
        for (int i = 0; i < N_REC; i++)
            assert_int_equal(get_rc(w, w->ia[p][i]), CUSTOS_ENOTFOUND);
    assert_false(journal_exists(w));
}

static void test_erase_subject_keeps_other_subject_readable(void **state)
{
    world *w = *state;
    assert_int_equal(custos_erase_subject(w->ctx, NULL, 0, NULL, w->a, NULL), CUSTOS_OK);
    assert_b_intact(w);
}

static void test_erase_subject_makes_subject_unknown(void **state)
{
    world *w = *state;
    custos_subject found;
    assert_int_equal(custos_erase_subject(w->ctx, NULL, 0, NULL, w->a, NULL), CUSTOS_OK);
    assert_int_equal(custos_subject_find(w->ctx, &found, "alice@example.com"), CUSTOS_ENOTFOUND);
    assert_int_equal(custos_check(w->ctx, w->a, EF_PURPOSE_VIDEO, EF_CATEGORY), CUSTOS_DENY_UNKNOWN_SUBJECT);
    assert_int_equal(custos_check(w->ctx, w->b, EF_PURPOSE_VIDEO, EF_CATEGORY), CUSTOS_ALLOW);
}

static void test_erase_subject_receipt_verifies_and_reports_verification(void **state)
{
    world *w = *state;
    uint8_t r[CUSTOS_ERASE_RECEIPT_MAX], pk[32];
    size_t len = 0, jlen = 0;
    char json[4096];
    assert_int_equal(custos_erase_subject(w->ctx, r, sizeof r, &len, w->a, NULL), CUSTOS_OK);
    assert_true(len > 0);
    assert_int_equal(custos_device_public_key(w->ctx, pk), CUSTOS_OK);
    assert_int_equal(custos_receipt_verify(r, len, pk), CUSTOS_OK);
    assert_int_equal(custos_receipt_json(json, sizeof json, &jlen, r, len), CUSTOS_OK);
    assert_non_null(strstr(json, "\"scope\":\"subject\""));
    assert_non_null(strstr(json, "\"method\":\"cryptographic-erase-then-removal\""));
    assert_non_null(strstr(json, "\"verified\":true"));
    assert_non_null(strstr(json, "\"records_removed\":10"));
    assert_null(strstr(json, "\"destroyed_key_ids\":[]"));
    assert_null(strstr(json, "alice")); /* only the keyed hash */
}

static void test_erase_subject_rotates_the_kek(void **state)
{
    world *w = *state;
    uint32_t before = 0, after = 0;
    assert_int_equal(w->ctx->kp->kek_current(w->ctx->kp->state, &before), CUSTOS_OK);
    assert_int_equal(custos_erase_subject(w->ctx, NULL, 0, NULL, w->a, NULL), CUSTOS_OK);
    assert_int_equal(w->ctx->kp->kek_current(w->ctx->kp->state, &after), CUSTOS_OK);
    assert_true(after > before);
    uint8_t probe[40], key[32];
    size_t len;
    /* the old generation is gone from the provider */
    assert_int_equal(w->ctx->kp->wrap(w->ctx->kp->state, before, probe, sizeof probe + 32, &len, key, 0, NULL, 0),
                     CUSTOS_EKEY);
}

static void test_erase_unknown_subject_is_enotfound_and_erases_nothing(void **state)
{
    world *w = *state;
    assert_int_equal(custos_erase_subject(w->ctx, NULL, 0, NULL, 4242, NULL), CUSTOS_ENOTFOUND);
    assert_non_null(strstr(custos_errmsg(w->ctx), "not registered"));
    assert_false(journal_exists(w));
    assert_int_equal(count(w->ctx, 0), 0);
    assert_true(ef_reads(w->ctx, w->ia[0][0], w->ca[0][0]));
}

static void test_erase_subject_twice_second_is_enotfound(void **state)
{
    world *w = *state;
    assert_int_equal(custos_erase_subject(w->ctx, NULL, 0, NULL, w->a, NULL), CUSTOS_OK);
    assert_int_equal(custos_erase_subject(w->ctx, NULL, 0, NULL, w->a, NULL), CUSTOS_ENOTFOUND);
    assert_int_equal(count(w->ctx, 0), 1);
    assert_b_intact(w);
}

static void test_erase_subject_without_records_gives_unverified_removal_receipt(void **state)
{
    world *w = *state;
    custos_subject c;
    uint8_t r[CUSTOS_ERASE_RECEIPT_MAX];
    char json[4096];
    size_t len = 0, jlen = 0;
    assert_int_equal(ef_subject(w->ctx, &c, "carol"), CUSTOS_OK);
    assert_int_equal(custos_erase_subject(w->ctx, r, sizeof r, &len, c, NULL), CUSTOS_OK);
    assert_int_equal(custos_receipt_json(json, sizeof json, &jlen, r, len), CUSTOS_OK);
    assert_non_null(strstr(json, "\"verified\":false"));
    assert_non_null(strstr(json, "\"method\":\"removal\""));
    assert_non_null(strstr(json, "\"records_removed\":0"));
    assert_b_intact(w);
}

static void test_erase_purpose_removes_only_that_purpose(void **state)
{
    world *w = *state;
    uint8_t r[CUSTOS_ERASE_RECEIPT_MAX];
    char json[4096];
    size_t len = 0, jlen = 0;
    assert_int_equal(custos_erase_purpose(w->ctx, r, sizeof r, &len, w->a, EF_PURPOSE_STATS, NULL), CUSTOS_OK);
    for (int i = 0; i < N_REC; i++) {
        assert_int_equal(get_rc(w, w->ia[1][i]), CUSTOS_ENOTFOUND);
        assert_true(ef_reads(w->ctx, w->ia[0][i], w->ca[0][i]));
    }
    custos_subject found;
    assert_int_equal(custos_subject_find(w->ctx, &found, "alice@example.com"), CUSTOS_OK);
    assert_int_equal(custos_receipt_json(json, sizeof json, &jlen, r, len), CUSTOS_OK);
    assert_non_null(strstr(json, "\"scope\":\"subject-purpose\""));
    assert_non_null(strstr(json, "\"purpose\":2"));
    assert_non_null(strstr(json, "\"verified\":true"));
    assert_b_intact(w);
}

static void test_erase_purpose_with_all_purposes_value_is_einval(void **state)
{
    world *w = *state;
    assert_int_equal(custos_erase_purpose(w->ctx, NULL, 0, NULL, w->a, UINT32_MAX, NULL), CUSTOS_EINVAL);
    assert_true(ef_reads(w->ctx, w->ia[0][0], w->ca[0][0]));
}

static void test_erase_purpose_of_unknown_subject_is_enotfound(void **state)
{
    world *w = *state;
    assert_int_equal(custos_erase_purpose(w->ctx, NULL, 0, NULL, 999, EF_PURPOSE_VIDEO, NULL), CUSTOS_ENOTFOUND);
}

static void test_small_receipt_buffer_is_erange_before_anything_is_erased(void **state)
{
    world *w = *state;
    uint8_t r[16];
    size_t len = 0;
    assert_int_equal(custos_erase_subject(w->ctx, r, sizeof r, &len, w->a, NULL), CUSTOS_ERANGE);
    assert_int_equal(len, custos_erase_receipt_max());
    assert_true(ef_reads(w->ctx, w->ia[0][0], w->ca[0][0]));
    assert_false(journal_exists(w));
}

static void test_receipt_without_length_is_einval(void **state)
{
    world *w = *state;
    uint8_t r[CUSTOS_ERASE_RECEIPT_MAX];
    assert_int_equal(custos_erase_subject(w->ctx, r, sizeof r, NULL, w->a, NULL), CUSTOS_EINVAL);
    assert_true(ef_reads(w->ctx, w->ia[0][0], w->ca[0][0]));
}

static void test_null_handle_is_einval(void **state)
{
    (void)state;
    assert_int_equal(custos_erase_subject(NULL, NULL, 0, NULL, 1, NULL), CUSTOS_EINVAL);
    assert_int_equal(custos_erase_purpose(NULL, NULL, 0, NULL, 1, 1, NULL), CUSTOS_EINVAL);
    assert_int_equal(custos_erase_expired(NULL, NULL, 0, NULL, NULL, NULL), CUSTOS_EINVAL);
    assert_int_equal(custos_factory_reset(NULL, NULL, 0, NULL, NULL), CUSTOS_EINVAL);
    custos_t *none = NULL;
    assert_int_equal(custos_factory_reset(&none, NULL, 0, NULL, NULL), CUSTOS_EINVAL);
}

static void test_wrong_options_version_is_eversion(void **state)
{
    world *w = *state;
    custos_erase_options o = CUSTOS_ERASE_OPTIONS_INIT;
    o.version = 99;
    assert_int_equal(custos_erase_subject(w->ctx, NULL, 0, NULL, w->a, &o), CUSTOS_EVERSION);
    assert_true(ef_reads(w->ctx, w->ia[0][0], w->ca[0][0]));
}

static void test_erase_queues_one_signed_request_per_erase(void **state)
{
    world *w = *state;
    uint8_t req[1024], pk[32];
    size_t len = 0, n = 0;
    uint64_t seq[4];
    assert_int_equal(custos_erase_purpose(w->ctx, NULL, 0, NULL, w->a, EF_PURPOSE_STATS, NULL), CUSTOS_OK);
    assert_int_equal(custos_erase_subject(w->ctx, NULL, 0, NULL, w->b, NULL), CUSTOS_OK);
    assert_int_equal(custos_erase_outbox_list(w->ctx, seq, 4, &n), CUSTOS_OK);
    assert_int_equal(n, 2);
    assert_int_equal(custos_device_public_key(w->ctx, pk), CUSTOS_OK);
    custos_erase_replay_state rs = { 0 };
    custos_erase_request_info info;
    assert_int_equal(custos_erase_outbox_get(w->ctx, req, sizeof req, &len, seq[0]), CUSTOS_OK);
    assert_int_equal(custos_erase_request_accept(&info, &rs, req, len, pk), CUSTOS_OK);
    assert_int_equal(info.scope, 2);
    assert_int_equal(info.purpose, EF_PURPOSE_STATS);
    assert_true(info.has_subject_hash);
    assert_int_equal(custos_erase_outbox_get(w->ctx, req, sizeof req, &len, seq[1]), CUSTOS_OK);
    assert_int_equal(custos_erase_request_accept(&info, &rs, req, len, pk), CUSTOS_OK);
    assert_int_equal(info.scope, 1);
}

static void test_outbox_ack_removes_entry_and_unknown_ack_is_enotfound(void **state)
{
    world *w = *state;
    uint64_t seq[2];
    size_t n = 0;
    assert_int_equal(custos_erase_subject(w->ctx, NULL, 0, NULL, w->a, NULL), CUSTOS_OK);
    assert_int_equal(custos_erase_outbox_list(w->ctx, seq, 2, &n), CUSTOS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(custos_erase_outbox_ack(w->ctx, seq[0]), CUSTOS_OK);
    assert_int_equal(count(w->ctx, 1), 0);
    assert_int_equal(custos_erase_outbox_ack(w->ctx, seq[0]), CUSTOS_ENOTFOUND);
    assert_int_equal(custos_erase_outbox_ack(NULL, 1), CUSTOS_EINVAL);
}

static void test_outbox_get_small_buffer_is_erange_with_size(void **state)
{
    world *w = *state;
    uint64_t seq[1];
    size_t n = 0, len = 0;
    uint8_t small[8];
    assert_int_equal(custos_erase_subject(w->ctx, NULL, 0, NULL, w->a, NULL), CUSTOS_OK);
    assert_int_equal(custos_erase_outbox_list(w->ctx, seq, 1, &n), CUSTOS_OK);
    assert_int_equal(custos_erase_outbox_get(w->ctx, small, sizeof small, &len, seq[0]), CUSTOS_ERANGE);
    assert_true(len > sizeof small);
    assert_int_equal(custos_erase_outbox_get(w->ctx, small, sizeof small, &len, 9999), CUSTOS_ENOTFOUND);
}

static void test_receipts_are_kept_and_listed_oldest_first(void **state)
{
    world *w = *state;
    uint8_t r1[CUSTOS_ERASE_RECEIPT_MAX], r2[CUSTOS_ERASE_RECEIPT_MAX], got[CUSTOS_ERASE_RECEIPT_MAX];
    size_t l1 = 0, l2 = 0, lg = 0, n = 0;
    uint64_t seq[4];
    assert_int_equal(custos_erase_purpose(w->ctx, r1, sizeof r1, &l1, w->a, EF_PURPOSE_VIDEO, NULL), CUSTOS_OK);
    assert_int_equal(custos_erase_subject(w->ctx, r2, sizeof r2, &l2, w->b, NULL), CUSTOS_OK);
    assert_int_equal(custos_erase_receipt_list(w->ctx, seq, 4, &n), CUSTOS_OK);
    assert_int_equal(n, 2);
    assert_int_equal(custos_erase_receipt_get(w->ctx, got, sizeof got, &lg, seq[0]), CUSTOS_OK);
    assert_int_equal(lg, l1);
    assert_memory_equal(got, r1, l1);
    assert_int_equal(custos_erase_receipt_get(w->ctx, got, sizeof got, &lg, seq[1]), CUSTOS_OK);
    assert_memory_equal(got, r2, l2);
}

typedef struct progress_log { int steps[8]; int n; int cancel_at; } progress_log;

static int on_progress(void *user, custos_erase_step done, unsigned int total)
{
    progress_log *l = user;
    assert_int_equal(total, CUSTOS_ERASE_STEPS);
    l->steps[l->n++] = (int)done;
    return (int)done == l->cancel_at;
}

/* Erase subject a, cancelled by its progress callback once the keys are
 * destroyed: the journal and erase_state say how far it got. */
static void cancel_erase_of_a_after_keys(world *w)
{
    progress_log log = { .cancel_at = CUSTOS_ERASE_STEP_KEYS };
    custos_erase_options o = CUSTOS_ERASE_OPTIONS_INIT;
    o.progress = on_progress;
    o.progress_user = &log;
    assert_int_equal(custos_erase_subject(w->ctx, NULL, 0, NULL, w->a, &o), CUSTOS_ECANCELED);
}

static void test_progress_reports_each_step_in_order(void **state)
{
    world *w = *state;
    progress_log log = { .cancel_at = -1 };
    custos_erase_options o = CUSTOS_ERASE_OPTIONS_INIT;
    o.progress = on_progress;
    o.progress_user = &log;
    assert_int_equal(custos_erase_subject(w->ctx, NULL, 0, NULL, w->a, &o), CUSTOS_OK);
    assert_int_equal(log.n, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(log.steps[i], i + 1);
}

static void test_cancel_after_keys_is_ecanceled_data_unreadable_and_reopen_finishes(void **state)
{
    world *w = *state;
    cancel_erase_of_a_after_keys(w);
    assert_true(journal_exists(w));
    assert_int_equal(get_rc(w, w->ia[0][0]), CUSTOS_EKEY); /* keys gone, rows not yet */
    custos_close(w->ctx);
    world_open(w);
    assert_false(journal_exists(w));
    assert_int_equal(get_rc(w, w->ia[0][0]), CUSTOS_ENOTFOUND);
    assert_int_equal(count(w->ctx, 0), 1);
    assert_int_equal(count(w->ctx, 1), 1);
    assert_b_intact(w);
}

static void test_canceled_erase_is_finished_by_the_next_erase_call(void **state)
{
    world *w = *state;
    progress_log log = { .cancel_at = CUSTOS_ERASE_STEP_ROWS };
    custos_erase_options o = CUSTOS_ERASE_OPTIONS_INIT;
    o.progress = on_progress;
    o.progress_user = &log;
    assert_int_equal(custos_erase_purpose(w->ctx, NULL, 0, NULL, w->a, EF_PURPOSE_VIDEO, &o), CUSTOS_ECANCELED);
    assert_int_equal(custos_erase_subject(w->ctx, NULL, 0, NULL, w->b, NULL), CUSTOS_OK);
    assert_false(journal_exists(w));
    assert_int_equal(count(w->ctx, 0), 2);
}

static void test_erase_expired_removes_only_records_past_retention(void **state)
{
    world *w = *state;
    uint64_t removed = 0;
    uint8_t r[CUSTOS_ERASE_RECEIPT_MAX];
    size_t len = 0, jlen = 0;
    char json[4096];
    w->now += 2 * 86400; /* past purpose 2's P1D, within purpose 1's P30D */
    assert_int_equal(custos_erase_expired(w->ctx, r, sizeof r, &len, &removed, NULL), CUSTOS_OK);
    assert_int_equal(removed, N_REC);
    for (int i = 0; i < N_REC; i++) {
        assert_int_equal(get_rc(w, w->ia[1][i]), CUSTOS_ENOTFOUND);
        assert_true(ef_reads(w->ctx, w->ia[0][i], w->ca[0][i]));
    }
    assert_int_equal(custos_receipt_json(json, sizeof json, &jlen, r, len), CUSTOS_OK);
    assert_non_null(strstr(json, "\"scope\":\"expired\""));
    assert_non_null(strstr(json, "\"method\":\"removal\""));
}

static void test_erase_expired_with_nothing_expired_leaves_no_receipt(void **state)
{
    world *w = *state;
    uint64_t removed = 7;
    uint8_t r[CUSTOS_ERASE_RECEIPT_MAX];
    size_t len = 99;
    assert_int_equal(custos_erase_expired(w->ctx, r, sizeof r, &len, &removed, NULL), CUSTOS_OK);
    assert_int_equal(removed, 0);
    assert_int_equal(len, 0);
    assert_int_equal(count(w->ctx, 0), 0);
    assert_int_equal(count(w->ctx, 1), 0);
    assert_false(journal_exists(w));
}

static void test_withdraw_hook_erases_that_purpose_with_receipt(void **state)
{
    world *w = *state;
    pthread_mutex_lock(&w->ctx->write_lock);
    int rc = custos__erase_on_withdraw(w->ctx, w->a, EF_PURPOSE_VIDEO);
    pthread_mutex_unlock(&w->ctx->write_lock);
    assert_int_equal(rc, CUSTOS_OK);
    for (int i = 0; i < N_REC; i++) {
        assert_int_equal(get_rc(w, w->ia[0][i]), CUSTOS_ENOTFOUND);
        assert_true(ef_reads(w->ctx, w->ia[1][i], w->ca[1][i]));
    }
    assert_int_equal(count(w->ctx, 0), 1);
}

/* An erase's progress row edited while the store is closed (issue 16), to
 * make the resumed erase skip removing the rows and sign false facts. The
 * row is part of the consent seal: the gate fails closed, the erase does
 * not trust the row and runs every step again, and its receipt states what
 * that run saw. */
static void test_edited_progress_is_not_trusted_and_fails_closed(void **state)
{
    world *w = *state;
    cancel_erase_of_a_after_keys(w);
    custos_close(w->ctx);
    assert_int_equal(th_db_edit(w->dir, "UPDATE erase_state SET step = 2, verified = 1, removed = 99"), 1);
    world_open(w); /* resumes the erase */
    assert_false(journal_exists(w));
    for (int p = 0; p < 2; p++)
        for (int i = 0; i < N_REC; i++)
            assert_int_equal(get_rc(w, w->ia[p][i]), CUSTOS_ENOTFOUND); /* the skipped step ran */
    uint64_t seq = 0;
    size_t n = 0, len = 0, jlen = 0;
    assert_int_equal(custos_erase_receipt_list(w->ctx, &seq, 1, &n), CUSTOS_OK);
    assert_int_equal(n, 1);
    uint8_t r[CUSTOS_ERASE_RECEIPT_MAX];
    char json[4096];
    assert_int_equal(custos_erase_receipt_get(w->ctx, r, sizeof r, &len, seq), CUSTOS_OK);
    assert_int_equal(custos_receipt_json(json, sizeof json, &jlen, r, len), CUSTOS_OK);
    assert_non_null(strstr(json, "\"records_removed\":10"));
    assert_int_equal(custos_check(w->ctx, w->b, EF_PURPOSE_VIDEO, EF_CATEGORY), CUSTOS_DENY_INTEGRITY);
    uint64_t bad = 0;
    assert_int_equal(custos_consent_verify(w->ctx, &bad), CUSTOS_ECORRUPT);
    assert_int_equal(custos_consent_repair(w->ctx, &n), CUSTOS_OK);
    assert_int_equal(custos_consent_verify(w->ctx, &bad), CUSTOS_OK);
    assert_int_equal(custos_check(w->ctx, w->b, EF_PURPOSE_VIDEO, EF_CATEGORY), CUSTOS_ALLOW);
    assert_b_intact(w);
}

static void test_damaged_journal_makes_open_fail_ecorrupt(void **state)
{
    world *w = *state;
    cancel_erase_of_a_after_keys(w);
    custos_close(w->ctx);
    w->ctx = NULL;
    char path[4096];
    size_t len = 0;
    snprintf(path, sizeof path, "%s/%s", w->dir, ERASE_JOURNAL_NAME);
    uint8_t *j = th_read_file(path, &len);
    assert_non_null(j);
    j[20] ^= 1;
    th_write_file(w->dir, ERASE_JOURNAL_NAME, j, len);
    free(j);
    custos_t *ctx = NULL;
    assert_int_equal(custos_open(&ctx, w->dir, NULL), CUSTOS_ECORRUPT);
    assert_non_null(strstr(custos_last_error(), "erase journal"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_erase_subject_removes_every_record_of_that_subject),
        T(test_erase_subject_keeps_other_subject_readable),
        T(test_erase_subject_makes_subject_unknown),
        T(test_erase_subject_receipt_verifies_and_reports_verification),
        T(test_erase_subject_rotates_the_kek),
        T(test_erase_unknown_subject_is_enotfound_and_erases_nothing),
        T(test_erase_subject_twice_second_is_enotfound),
        T(test_erase_subject_without_records_gives_unverified_removal_receipt),
        T(test_erase_purpose_removes_only_that_purpose),
        T(test_erase_purpose_with_all_purposes_value_is_einval),
        T(test_erase_purpose_of_unknown_subject_is_enotfound),
        T(test_small_receipt_buffer_is_erange_before_anything_is_erased),
        T(test_receipt_without_length_is_einval),
        T(test_null_handle_is_einval),
        T(test_wrong_options_version_is_eversion),
        T(test_erase_queues_one_signed_request_per_erase),
        T(test_outbox_ack_removes_entry_and_unknown_ack_is_enotfound),
        T(test_outbox_get_small_buffer_is_erange_with_size),
        T(test_receipts_are_kept_and_listed_oldest_first),
        T(test_progress_reports_each_step_in_order),
        T(test_cancel_after_keys_is_ecanceled_data_unreadable_and_reopen_finishes),
        T(test_canceled_erase_is_finished_by_the_next_erase_call),
        T(test_erase_expired_removes_only_records_past_retention),
        T(test_erase_expired_with_nothing_expired_leaves_no_receipt),
        T(test_withdraw_hook_erases_that_purpose_with_receipt),
        T(test_damaged_journal_makes_open_fail_ecorrupt),
        T(test_edited_progress_is_not_trusted_and_fails_closed),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
