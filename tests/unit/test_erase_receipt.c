/* Deletion receipts and EraseRequests: signatures, damage, JSON, replay. */
#include "harness.h"
#include "../forensic/erase_fixture.h"
#include "ground/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct world {
    char *dir;
    custos_t *ctx;
    uint8_t pk[32];
    uint8_t receipt[CUSTOS_ERASE_RECEIPT_MAX];
    size_t receipt_len;
    uint8_t req[2][1024];
    size_t req_len[2];
} world;

/* Two purpose erases: one receipt kept, two requests in the outbox. */
static int setup(void **state)
{
    world *w = calloc(1, sizeof *w);
    custos_subject a;
    uint64_t seq[2];
    size_t n = 0;
    w->dir = th_tmpdir("receipt");
    w->ctx = th_open(w->dir);
    assert_int_equal(ef_load_manifest(w->ctx), CUSTOS_OK);
    assert_int_equal(ef_subject(w->ctx, &a, "alice"), CUSTOS_OK);
    assert_int_equal(ef_put(w->ctx, a, EF_PURPOSE_VIDEO, 2, NULL, NULL), CUSTOS_OK);
    assert_int_equal(custos_erase_purpose(w->ctx, w->receipt, sizeof w->receipt, &w->receipt_len, a, EF_PURPOSE_VIDEO,
                                          NULL), CUSTOS_OK);
    assert_int_equal(custos_erase_purpose(w->ctx, NULL, 0, NULL, a, EF_PURPOSE_STATS, NULL), CUSTOS_OK);
    assert_int_equal(custos_device_public_key(w->ctx, w->pk), CUSTOS_OK);
    assert_int_equal(custos_erase_outbox_list(w->ctx, seq, 2, &n), CUSTOS_OK);
    assert_int_equal(n, 2);
    for (int i = 0; i < 2; i++)
        assert_int_equal(custos_erase_outbox_get(w->ctx, w->req[i], sizeof w->req[i], &w->req_len[i], seq[i]),
                         CUSTOS_OK);
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

static void test_receipt_verifies_with_device_key(void **state)
{
    world *w = *state;
    assert_int_equal(custos_receipt_verify(w->receipt, w->receipt_len, w->pk), CUSTOS_OK);
}

static void test_receipt_with_another_key_is_esignature(void **state)
{
    world *w = *state;
    uint8_t other[32], sk[64];
    crypto_sign_keypair(other, sk);
    assert_int_equal(custos_receipt_verify(w->receipt, w->receipt_len, other), CUSTOS_ESIGNATURE);
}

static void test_every_flipped_bit_of_a_receipt_is_rejected(void **state)
{
    world *w = *state;
    uint8_t copy[CUSTOS_ERASE_RECEIPT_MAX];
    size_t rejected = 0;
    for (size_t i = 0; i < w->receipt_len; i++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(copy, w->receipt, w->receipt_len);
            copy[i] ^= (uint8_t)(1u << bit);
            int rc = custos_receipt_verify(copy, w->receipt_len, w->pk);
            assert_true(rc == CUSTOS_ESIGNATURE || rc == CUSTOS_ECORRUPT);
            rejected++;
        }
    }
    printf("rejected %zu single-bit alterations\n", rejected);
}

static void test_every_truncation_of_a_receipt_is_rejected(void **state)
{
    world *w = *state;
    for (size_t len = 0; len < w->receipt_len; len++) {
        int rc = custos_receipt_verify(w->receipt, len, w->pk);
        assert_true(rc == CUSTOS_ESIGNATURE || rc == CUSTOS_ECORRUPT);
    }
}

static void test_request_is_not_a_receipt(void **state)
{
    world *w = *state;
    assert_int_equal(custos_receipt_verify(w->req[0], w->req_len[0], w->pk), CUSTOS_ECORRUPT);
}

static void test_receipt_verify_null_is_einval(void **state)
{
    world *w = *state;
    assert_int_equal(custos_receipt_verify(NULL, 10, w->pk), CUSTOS_EINVAL);
    assert_int_equal(custos_receipt_verify(w->receipt, w->receipt_len, NULL), CUSTOS_EINVAL);
}

static void test_receipt_json_is_valid_json_with_every_field(void **state)
{
    world *w = *state;
    char json[4096];
    size_t len = 0;
    assert_int_equal(custos_receipt_json(json, sizeof json, &len, w->receipt, w->receipt_len), CUSTOS_OK);
    assert_int_equal(strlen(json), len);
    static const char *const fields[] = { "\"receipt_id\"", "\"device_id\"", "\"scope\"", "\"subject_hash\"",
                                          "\"purpose\"", "\"method\"", "\"destroyed_key_ids\"", "\"storage\"",
                                          "\"verified\"", "\"records_removed\"", "\"time\"", "\"signer\"",
                                          "\"signature\"" };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        assert_non_null(strstr(json, fields[i]));
    char path[4096];
    snprintf(path, sizeof path, "%s/receipt.json", w->dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(json, f);
    fclose(f);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "python3 -c 'import json,sys; json.load(open(sys.argv[1]))' '%s'", path);
    assert_int_equal(system(cmd), 0);
}

static void test_receipt_json_small_buffer_is_erange_with_size(void **state)
{
    world *w = *state;
    char small[16], big[4096];
    size_t need = 0, len = 0;
    assert_int_equal(custos_receipt_json(small, sizeof small, &need, w->receipt, w->receipt_len), CUSTOS_ERANGE);
    assert_int_equal(custos_receipt_json(big, sizeof big, &len, w->receipt, w->receipt_len), CUSTOS_OK);
    assert_int_equal(need, len);
    assert_int_equal(custos_receipt_json(NULL, 0, &need, w->receipt, w->receipt_len), CUSTOS_ERANGE);
    assert_int_equal(need, len);
}

static void test_receipt_json_of_damaged_receipt_is_ecorrupt(void **state)
{
    world *w = *state;
    char json[4096];
    size_t len = 0;
    uint8_t copy[CUSTOS_ERASE_RECEIPT_MAX];
    memcpy(copy, w->receipt, w->receipt_len);
    copy[w->receipt_len - 1] ^= 0x40; /* inside the signature */
    assert_int_equal(custos_receipt_json(json, sizeof json, &len, copy, w->receipt_len), CUSTOS_ECORRUPT);
    assert_int_equal(custos_receipt_json(json, sizeof json, &len, (const uint8_t *)"junk", 4), CUSTOS_ECORRUPT);
}

static void test_request_accepted_once_then_replay(void **state)
{
    world *w = *state;
    custos_erase_replay_state rs = { 0 };
    custos_erase_request_info info;
    assert_int_equal(custos_erase_request_accept(&info, &rs, w->req[0], w->req_len[0], w->pk), CUSTOS_OK);
    assert_int_equal(info.counter, 1);
    assert_int_equal(custos_erase_request_accept(&info, &rs, w->req[0], w->req_len[0], w->pk), CUSTOS_EREPLAY);
}

static void test_request_with_older_counter_is_ereplay(void **state)
{
    world *w = *state;
    custos_erase_replay_state rs = { 0 };
    custos_erase_request_info info;
    assert_int_equal(custos_erase_request_accept(&info, &rs, w->req[1], w->req_len[1], w->pk), CUSTOS_OK);
    assert_int_equal(custos_erase_request_accept(&info, &rs, w->req[0], w->req_len[0], w->pk), CUSTOS_EREPLAY);
}

static void test_request_seen_id_is_ereplay_even_with_low_counter_state(void **state)
{
    world *w = *state;
    custos_erase_replay_state rs = { 0 };
    custos_erase_request_info info;
    assert_int_equal(custos_erase_request_accept(&info, &rs, w->req[0], w->req_len[0], w->pk), CUSTOS_OK);
    rs.last_counter = 0; /* a service that lost its counter still knows the id */
    assert_int_equal(custos_erase_request_accept(&info, &rs, w->req[0], w->req_len[0], w->pk), CUSTOS_EREPLAY);
}

static void test_request_with_wrong_key_is_esignature_and_state_unchanged(void **state)
{
    world *w = *state;
    uint8_t other[32], sk[64];
    crypto_sign_keypair(other, sk);
    custos_erase_replay_state rs = { 0 }, zero = { 0 };
    custos_erase_request_info info;
    assert_int_equal(custos_erase_request_accept(&info, &rs, w->req[0], w->req_len[0], other), CUSTOS_ESIGNATURE);
    assert_memory_equal(&rs, &zero, sizeof rs);
}

static void test_altered_request_is_rejected(void **state)
{
    world *w = *state;
    custos_erase_replay_state rs = { 0 };
    custos_erase_request_info info;
    uint8_t copy[1024];
    for (size_t i = 0; i < w->req_len[0]; i++) {
        memcpy(copy, w->req[0], w->req_len[0]);
        copy[i] ^= 0x01;
        int rc = custos_erase_request_accept(&info, &rs, copy, w->req_len[0], w->pk);
        assert_true(rc == CUSTOS_ESIGNATURE || rc == CUSTOS_ECORRUPT);
    }
    assert_int_equal(rs.n_ids, 0);
}

static void test_receipt_is_not_a_request(void **state)
{
    world *w = *state;
    custos_erase_replay_state rs = { 0 };
    custos_erase_request_info info;
    assert_int_equal(custos_erase_request_accept(&info, &rs, w->receipt, w->receipt_len, w->pk), CUSTOS_ECORRUPT);
    assert_int_equal(custos_erase_request_accept(NULL, &rs, w->receipt, w->receipt_len, w->pk), CUSTOS_EINVAL);
}

/* Each refusal leaves its own sentence in custos_last_error(), since these
 * calls have no handle to carry one. */
static void assert_detail(int rc, int want, const char *says)
{
    assert_int_equal(rc, want);
    if (strstr(custos_last_error(), says) == NULL)
        fail_msg("custos_last_error() is '%s', without '%s'", custos_last_error(), says);
}

static void test_each_refusal_says_why_in_last_error(void **state)
{
    world *w = *state;
    uint8_t other[32], sk[64], junk[40] = { 0xff, 0xff, 0xff };
    crypto_sign_keypair(other, sk);
    assert_detail(custos_receipt_verify(NULL, 0, w->pk), CUSTOS_EINVAL, "custos_receipt_verify");
    assert_detail(custos_receipt_verify(junk, sizeof junk, w->pk), CUSTOS_ECORRUPT, "not a SignedMessage");
    assert_detail(custos_receipt_verify(w->receipt, w->receipt_len, other), CUSTOS_ESIGNATURE, "another key");
    assert_detail(custos_receipt_verify(w->req[0], w->req_len[0], w->pk), CUSTOS_ECORRUPT, "body type");
    w->receipt[w->receipt_len - 1] ^= 1; /* inside the signature */
    assert_detail(custos_receipt_verify(w->receipt, w->receipt_len, w->pk), CUSTOS_ESIGNATURE, "does not verify");
    size_t len = 0;
    char json[16];
    assert_detail(custos_receipt_json(json, sizeof json, &len, w->receipt, w->receipt_len), CUSTOS_ECORRUPT,
                  "own signature");
    custos_erase_request_info info;
    custos_erase_replay_state rs = { 0 };
    assert_int_equal(custos_erase_request_accept(&info, &rs, w->req[1], w->req_len[1], w->pk), CUSTOS_OK);
    assert_detail(custos_erase_request_accept(&info, &rs, w->req[1], w->req_len[1], w->pk), CUSTOS_EREPLAY,
                  "accepted before");
    assert_detail(custos_erase_request_accept(&info, &rs, w->req[0], w->req_len[0], w->pk), CUSTOS_EREPLAY,
                  "is not above");
    assert_detail(custos_erase_request_accept(NULL, &rs, w->req[0], w->req_len[0], w->pk), CUSTOS_EINVAL,
                  "custos_erase_request_accept");
}

/* The receipts, the outbox and the request counter edited with a second
 * SQLite connection while the store is closed (issue 16): the consent seal
 * holds them, so the next open fails the gate closed, verification names
 * the damage, and repair brings the store back to answering. */
static void tamper_and_reopen(world *w, const char *sql)
{
    custos_close(w->ctx);
    w->ctx = NULL;
    assert_true(th_db_edit(w->dir, sql) > 0);
    w->ctx = th_open(w->dir);
    custos_subject a;
    assert_int_equal(custos_subject_find(w->ctx, &a, "alice"), CUSTOS_OK);
    assert_int_equal(custos_check(w->ctx, a, EF_PURPOSE_VIDEO, EF_CATEGORY), CUSTOS_DENY_INTEGRITY);
    uint64_t bad = 0;
    assert_int_equal(custos_consent_verify(w->ctx, &bad), CUSTOS_ECORRUPT);
    size_t n = 0;
    assert_int_equal(custos_consent_repair(w->ctx, &n), CUSTOS_OK);
    assert_int_equal(custos_consent_verify(w->ctx, &bad), CUSTOS_OK);
    assert_true(custos_check(w->ctx, a, EF_PURPOSE_VIDEO, EF_CATEGORY) != CUSTOS_DENY_INTEGRITY);
}

static void test_deleted_receipt_fails_closed(void **state)
{
    tamper_and_reopen(*state, "DELETE FROM erase_receipt");
}

static void test_deleted_outbox_request_fails_closed(void **state)
{
    tamper_and_reopen(*state, "DELETE FROM erase_outbox WHERE seq = (SELECT min(seq) FROM erase_outbox)");
}

static void test_request_counter_set_back_fails_closed(void **state)
{
    tamper_and_reopen(*state, "UPDATE erase_meta SET value = 0 WHERE name = 'counter'");
}

static void test_altered_receipt_row_fails_closed(void **state)
{
    tamper_and_reopen(*state, "UPDATE erase_receipt SET time = time + 1");
}

/* A store sealed before erase_state joined the seal (no erase_state_sealed
 * mark) has its progress rows folded in at the next open: it still verifies,
 * and it is marked. */
static void test_store_sealed_before_erase_state_is_upgraded(void **state)
{
    world *w = *state;
    custos_close(w->ctx);
    w->ctx = NULL;
    (void)th_db_edit(w->dir, "DROP TABLE erase_state_sealed");
    w->ctx = th_open(w->dir);
    uint64_t bad = 0;
    assert_int_equal(custos_consent_verify(w->ctx, &bad), CUSTOS_OK);
    assert_int_equal(bad, 0);
    int marked = 0;
    assert_int_equal(custos__db_table_exists(w->ctx, "erase_state_sealed", &marked), CUSTOS_OK);
    assert_true(marked);
}

static void test_acknowledged_request_keeps_the_seal(void **state)
{
    world *w = *state;
    uint64_t seq[2];
    size_t n = 0;
    assert_int_equal(custos_erase_outbox_list(w->ctx, seq, 2, &n), CUSTOS_OK);
    assert_int_equal(custos_erase_outbox_ack(w->ctx, seq[0]), CUSTOS_OK);
    assert_int_equal(custos_erase_outbox_ack(w->ctx, seq[0]), CUSTOS_ENOTFOUND);
    uint64_t bad = 0;
    assert_int_equal(custos_consent_verify(w->ctx, &bad), CUSTOS_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_receipt_verifies_with_device_key),
        T(test_receipt_with_another_key_is_esignature),
        T(test_every_flipped_bit_of_a_receipt_is_rejected),
        T(test_every_truncation_of_a_receipt_is_rejected),
        T(test_request_is_not_a_receipt),
        T(test_receipt_verify_null_is_einval),
        T(test_receipt_json_is_valid_json_with_every_field),
        T(test_receipt_json_small_buffer_is_erange_with_size),
        T(test_receipt_json_of_damaged_receipt_is_ecorrupt),
        T(test_request_accepted_once_then_replay),
        T(test_request_with_older_counter_is_ereplay),
        T(test_request_seen_id_is_ereplay_even_with_low_counter_state),
        T(test_request_with_wrong_key_is_esignature_and_state_unchanged),
        T(test_altered_request_is_rejected),
        T(test_receipt_is_not_a_request),
        T(test_each_refusal_says_why_in_last_error),
        T(test_deleted_receipt_fails_closed),
        T(test_deleted_outbox_request_fails_closed),
        T(test_request_counter_set_back_fails_closed),
        T(test_altered_receipt_row_fails_closed),
        T(test_acknowledged_request_keeps_the_seal),
        T(test_store_sealed_before_erase_state_is_upgraded),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
