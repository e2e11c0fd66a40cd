/* Factory reset (EN 304 6xx MI-RSET): every value the SDK holds changes, keys are new, the receipt is signed by the old key. */
#include "harness.h"
#include "../forensic/erase_fixture.h"
#include "ground/internal.h"
#include "erase/erase_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct world {
    char *dir;
    custos_t *ctx;
    custos_subject a;
    char canary[2][EF_CANARY_LEN];
    custos_record_id ids[2];
    uint8_t old_pk[32];
} world;

static int setup(void **state)
{
    world *w = calloc(1, sizeof *w);
    w->dir = th_tmpdir("reset");
    w->ctx = th_open(w->dir);
    assert_int_equal(ef_load_manifest(w->ctx), CUSTOS_OK);
    assert_int_equal(ef_subject(w->ctx, &w->a, "alice@example.com"), CUSTOS_OK);
    assert_int_equal(ef_put(w->ctx, w->a, EF_PURPOSE_VIDEO, 2, w->canary, w->ids), CUSTOS_OK);
    assert_int_equal(custos_device_public_key(w->ctx, w->old_pk), CUSTOS_OK);
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

/* --- MI-RSET: one reader per kind of data or setting --------------------- */

typedef void (*reader_fn)(custos_t *ctx, char *out, size_t size);

static void read_consent(custos_t *ctx, char *out, size_t size)
{
    custos_subject s = 0;
    custos_consent_state_info st = { 0 };
    int rc = custos_subject_find(ctx, &s, "alice@example.com");
    if (rc == CUSTOS_OK)
        rc = custos_consent_state(ctx, &st, s, EF_PURPOSE_VIDEO);
    snprintf(out, size, "rc=%d status=%s", rc, rc == CUSTOS_OK ? custos_consent_status_str(st.status) : "-");
}

static void read_subject(custos_t *ctx, char *out, size_t size)
{
    custos_subject s = 0;
    int rc = custos_subject_find(ctx, &s, "alice@example.com");
    snprintf(out, size, "rc=%d subject=%u", rc, rc == CUSTOS_OK ? s : 0u);
}

static void read_record(custos_t *ctx, char *out, size_t size)
{
    uint8_t buf[EF_CANARY_LEN + 1] = { 0 };
    size_t len = 0;
    int rc = custos_vault_get(ctx, buf, EF_CANARY_LEN, &len, NULL, 1);
    snprintf(out, size, "rc=%d payload=%.16s", rc, rc == CUSTOS_OK ? (char *)buf : "-");
}

static void read_device_key(custos_t *ctx, char *out, size_t size)
{
    uint8_t pk[32];
    char hex[65];
    assert_int_equal(custos_device_public_key(ctx, pk), CUSTOS_OK);
    sodium_bin2hex(hex, sizeof hex, pk, sizeof pk);
    snprintf(out, size, "pk=%s", hex);
}

static void read_index_key(custos_t *ctx, char *out, size_t size)
{
    uint8_t h[32];
    char hex[65];
    assert_int_equal(custos__subject_hash(ctx, h, "alice@example.com"), CUSTOS_OK);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(out, size, "hash(alice)=%s", hex);
}

static void read_kek(custos_t *ctx, char *out, size_t size)
{
    uint32_t gen = 0;
    assert_int_equal(ctx->kp->kek_current(ctx->kp->state, &gen), CUSTOS_OK);
    snprintf(out, size, "kek generation=%u", gen);
}

static void read_sql_count(custos_t *ctx, const char *sql, char *out, size_t size)
{
    sqlite3_stmt *st = NULL;
    long long n = -1;
    if (sqlite3_prepare_v2(ctx->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    snprintf(out, size, "%s -> %lld", sql, n);
}

static void read_pairing(custos_t *ctx, char *out, size_t size)
{
    read_sql_count(ctx, "SELECT count(*) FROM peer", out, size);
}

static void read_audit_optout(custos_t *ctx, char *out, size_t size)
{
    int enabled = -1;
    int rc = custos_audit_get_optional(ctx, &enabled);
    snprintf(out, size, "rc=%d optional audit=%d", rc, enabled);
}

static void read_policy(custos_t *ctx, char *out, size_t size)
{
    uint32_t version = 0;
    int rc = custos_policy_current(ctx, NULL, &version);
    snprintf(out, size, "rc=%d policy version=%u", rc, version);
}

static void read_receipts(custos_t *ctx, char *out, size_t size)
{
    uint64_t seq[4];
    size_t n = 0, len = 0;
    uint8_t r[CUSTOS_ERASE_RECEIPT_MAX];
    char hex[33] = "-";
    assert_int_equal(custos_erase_receipt_list(ctx, seq, 4, &n), CUSTOS_OK);
    if (n > 0 && custos_erase_receipt_get(ctx, r, sizeof r, &len, seq[0]) == CUSTOS_OK)
        sodium_bin2hex(hex, sizeof hex, r + len - 16, 16);
    snprintf(out, size, "receipts=%zu first ends %s", n, hex);
}

static const struct { const char *name; reader_fn read; } kinds[] = {
    { "consent", read_consent },       { "subject registration", read_subject },
    { "record", read_record },         { "device signing key", read_device_key },
    { "device index key", read_index_key }, { "KEK", read_kek },
    { "pairing", read_pairing },       { "audit opt-out", read_audit_optout },
    { "configuration (policy)", read_policy }, { "deletion receipts", read_receipts },
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

/* Set a non-default value of every kind that the fixture did not already set. */
static void write_non_defaults(world *w)
{
    uint8_t peer[32], sk[64];
    custos_subject c;
    crypto_sign_keypair(peer, sk);
    assert_int_equal(custos_pair(w->ctx, peer, NULL), CUSTOS_OK);
    assert_int_equal(custos_audit_set_optional(w->ctx, 0), CUSTOS_OK);
    assert_int_equal(custos_vault_rotate_kek(w->ctx), CUSTOS_OK);
    assert_int_equal(ef_subject(w->ctx, &c, "carol"), CUSTOS_OK);
    assert_int_equal(custos_erase_subject(w->ctx, NULL, 0, NULL, c, NULL), CUSTOS_OK);
}

static void test_mi_rset_every_value_differs_after_reset(void **state)
{
    world *w = *state;
    char before[N_KINDS][256], after[N_KINDS][256];
    write_non_defaults(w);
    for (size_t i = 0; i < N_KINDS; i++) {
        kinds[i].read(w->ctx, before[i], sizeof before[i]);
        printf("MI-RSET write+read  %-24s %s\n", kinds[i].name, before[i]);
    }
    assert_int_equal(custos_factory_reset(&w->ctx, NULL, 0, NULL, NULL), CUSTOS_OK);
    assert_non_null(w->ctx);
    int same = 0;
    for (size_t i = 0; i < N_KINDS; i++) {
        kinds[i].read(w->ctx, after[i], sizeof after[i]);
        int eq = strcmp(before[i], after[i]) == 0;
        printf("MI-RSET after reset %-24s %s -> %s\n", kinds[i].name, after[i], eq ? "UNCHANGED: FAIL" : "changed");
        same += eq;
    }
    assert_int_equal(same, 0);
}

static void test_reset_receipt_verifies_with_old_key_only(void **state)
{
    world *w = *state;
    uint8_t r[CUSTOS_ERASE_RECEIPT_MAX], new_pk[32];
    size_t len = 0, jlen = 0;
    char json[4096], old_hex[65];
    assert_int_equal(custos_factory_reset(&w->ctx, r, sizeof r, &len, NULL), CUSTOS_OK);
    assert_int_equal(custos_device_public_key(w->ctx, new_pk), CUSTOS_OK);
    assert_memory_not_equal(new_pk, w->old_pk, 32);
    assert_int_equal(custos_receipt_verify(r, len, w->old_pk), CUSTOS_OK);
    assert_int_equal(custos_receipt_verify(r, len, new_pk), CUSTOS_ESIGNATURE);
    assert_int_equal(custos_receipt_json(json, sizeof json, &jlen, r, len), CUSTOS_OK);
    sodium_bin2hex(old_hex, sizeof old_hex, w->old_pk, 32);
    assert_non_null(strstr(json, old_hex));
    assert_non_null(strstr(json, "\"scope\":\"factory-reset\""));
    assert_non_null(strstr(json, "\"verified\":true"));
    assert_non_null(strstr(json, "\"4b454b0001000000\"")); /* KEK generation 1 destroyed */
}

static void test_reset_receipt_and_request_are_first_entries_of_new_store(void **state)
{
    world *w = *state;
    uint8_t r[CUSTOS_ERASE_RECEIPT_MAX], got[CUSTOS_ERASE_RECEIPT_MAX], req[1024];
    size_t len = 0, glen = 0, qlen = 0, n = 0;
    uint64_t seq[2];
    assert_int_equal(custos_factory_reset(&w->ctx, r, sizeof r, &len, NULL), CUSTOS_OK);
    assert_int_equal(custos_erase_receipt_list(w->ctx, seq, 2, &n), CUSTOS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(custos_erase_receipt_get(w->ctx, got, sizeof got, &glen, seq[0]), CUSTOS_OK);
    assert_int_equal(glen, len);
    assert_memory_equal(got, r, len);
    assert_int_equal(custos_erase_outbox_list(w->ctx, seq, 2, &n), CUSTOS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(custos_erase_outbox_get(w->ctx, req, sizeof req, &qlen, seq[0]), CUSTOS_OK);
    custos_erase_replay_state rs = { 0 };
    custos_erase_request_info info;
    assert_int_equal(custos_erase_request_accept(&info, &rs, req, qlen, w->old_pk), CUSTOS_OK);
    assert_int_equal(info.scope, 3);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", w->dir, ERASE_JOURNAL_NAME);
    assert_int_not_equal(access(path, F_OK), 0);
}

static void test_reset_handle_is_usable_afterwards(void **state)
{
    world *w = *state;
    custos_subject s;
    char c[1][EF_CANARY_LEN];
    custos_record_id id[1] = { 0 };
    assert_int_equal(custos_factory_reset(&w->ctx, NULL, 0, NULL, NULL), CUSTOS_OK);
    assert_int_equal(ef_load_manifest(w->ctx), CUSTOS_OK);
    assert_int_equal(ef_subject(w->ctx, &s, "alice@example.com"), CUSTOS_OK);
    assert_int_equal(ef_put(w->ctx, s, EF_PURPOSE_VIDEO, 1, c, id), CUSTOS_OK);
    assert_true(ef_reads(w->ctx, id[0], c[0]));
}

static void test_reset_keeps_device_id(void **state)
{
    world *w = *state;
    uint8_t before[16], after[16];
    assert_int_equal(custos_device_id(w->ctx, before), CUSTOS_OK);
    assert_int_equal(custos_factory_reset(&w->ctx, NULL, 0, NULL, NULL), CUSTOS_OK);
    assert_int_equal(custos_device_id(w->ctx, after), CUSTOS_OK);
    assert_memory_equal(before, after, 16);
}

static void copy_file(const char *from_dir, const char *to_dir, const char *name)
{
    char path[4096];
    size_t len = 0;
    snprintf(path, sizeof path, "%s/%s", from_dir, name);
    uint8_t *b = th_read_file(path, &len);
    if (b == NULL)
        return;
    th_write_file(to_dir, name, b, len);
    free(b);
}

static void test_old_database_with_keys_left_after_reset_opens_nothing(void **state)
{
    world *w = *state;
    char *saved = th_tmpdir("reset-copy");
    copy_file(w->dir, saved, "custos.db");
    copy_file(w->dir, saved, "custos.db-wal");
    assert_int_equal(custos_factory_reset(&w->ctx, NULL, 0, NULL, NULL), CUSTOS_OK);
    custos_close(w->ctx);
    w->ctx = NULL;
    char shm[4096];
    snprintf(shm, sizeof shm, "%s/custos.db-shm", w->dir);
    unlink(shm);
    copy_file(saved, w->dir, "custos.db");
    copy_file(saved, w->dir, "custos.db-wal");
    custos_t *ctx = NULL;
    int rc = custos_open(&ctx, w->dir, NULL);
    printf("old database + current keys: open -> %s\n", custos_strerror(rc));
    if (rc == CUSTOS_OK) {
        for (int i = 0; i < 2; i++) {
            uint8_t out[EF_CANARY_LEN];
            size_t len = 0;
            int g = custos_vault_get(ctx, out, sizeof out, &len, NULL, w->ids[i]);
            printf("old record %d: %s\n", i, custos_strerror(g));
            assert_int_equal(g, CUSTOS_EKEY);
        }
        custos_close(ctx);
    } else {
        assert_true(rc == CUSTOS_EKEY || rc == CUSTOS_ECORRUPT);
    }
    th_tmpdir_remove(saved);
}

static int cancel_at_keys(void *user, custos_erase_step done, unsigned int total)
{
    (void)user;
    (void)total;
    return done == CUSTOS_ERASE_STEP_KEYS;
}

static void test_reset_canceled_is_finished_by_next_open(void **state)
{
    world *w = *state;
    custos_erase_options o = CUSTOS_ERASE_OPTIONS_INIT;
    o.progress = cancel_at_keys;
    assert_int_equal(custos_factory_reset(&w->ctx, NULL, 0, NULL, &o), CUSTOS_ECANCELED);
    assert_null(w->ctx);
    w->ctx = th_open(w->dir);
    uint32_t version;
    size_t n = 0;
    assert_int_equal(custos_policy_current(w->ctx, NULL, &version), CUSTOS_ENOTFOUND);
    assert_int_equal(custos_erase_receipt_list(w->ctx, NULL, 0, &n), CUSTOS_OK);
    assert_int_equal(n, 1);
    uint8_t pk[32];
    assert_int_equal(custos_device_public_key(w->ctx, pk), CUSTOS_OK);
    assert_memory_not_equal(pk, w->old_pk, 32);
}

static void test_reset_with_small_receipt_buffer_is_erange_and_handle_kept(void **state)
{
    world *w = *state;
    uint8_t r[10];
    size_t len = 0;
    custos_t *before = w->ctx;
    assert_int_equal(custos_factory_reset(&w->ctx, r, sizeof r, &len, NULL), CUSTOS_ERANGE);
    assert_ptr_equal(w->ctx, before);
    assert_int_equal(len, CUSTOS_ERASE_RECEIPT_MAX);
    assert_true(ef_reads(w->ctx, w->ids[0], w->canary[0]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_mi_rset_every_value_differs_after_reset),
        T(test_reset_receipt_verifies_with_old_key_only),
        T(test_reset_receipt_and_request_are_first_entries_of_new_store),
        T(test_reset_handle_is_usable_afterwards),
        T(test_reset_keeps_device_id),
        T(test_old_database_with_keys_left_after_reset_opens_nothing),
        T(test_reset_canceled_is_finished_by_next_open),
        T(test_reset_with_small_receipt_buffer_is_erange_and_handle_kept),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
