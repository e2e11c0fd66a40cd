/* The vault's two record AEADs (core/src/vault/seal.c): AES-256-GCM (fmt 2) where the CPU has it, else
 * XChaCha20-Poly1305 (fmt 1); both read back, a fmt-2 record on a machine without AES-GCM is
 * CUSTOS_EUNSUPPORTED, and the fmt is authenticated. custos__vault_test_force_aead plays the CPU without
 * AES-GCM; the tests that need AES-GCM itself skip on a CPU without it. */
#include "test_vault_helpers.h"

#include <custos/erase.h>

#include <sodium.h>
#include <sqlite3.h>

static void need_gcm(void)
{
    assert_true(sodium_init() >= 0); /* is_available says 0 until sodium_init has probed the CPU */
    if (crypto_aead_aes256gcm_is_available() != 1)
        skip();
}

/* The record's fmt, as its column and its row header say it (-1 if they differ). */
static int64_t fmt_of(custos_t *ctx, custos_record_id id)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT iif(hex(substr(sealed, 1, 1)) = printf('%%02X', fmt), fmt, -1)"
             " FROM vault_record WHERE id=%lld", (long long)id);
    return tv_count(ctx, sql);
}

static int get(custos_t *ctx, custos_record_id id)
{
    uint8_t buf[64];
    size_t len = 0;
    return custos_vault_get(ctx, buf, sizeof buf, &len, NULL, id);
}

static int visit_count(void *user, const custos_vault_info *info, const uint8_t *data, size_t len)
{
    (void)info;
    (void)data;
    (void)len;
    (*(int *)user)++;
    return 0;
}

static void reopen(custos_t **ctx, const char *dir)
{
    custos_close(*ctx);
    *ctx = tv_open(dir);
}

static void test_new_records_are_gcm_where_the_cpu_has_it(void **state)
{
    (void)state;
    need_gcm();
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vaead1", &alice, NULL);
    custos_record_id id = tv_put(ctx, alice, 1, 1, "sealed with gcm");
    assert_int_equal(fmt_of(ctx, id), VT_RECORD_GCM);
    int len;
    uint8_t *sealed = tv_blob(ctx, "SELECT sealed FROM vault_record WHERE id=?1", id, &len);
    free(sealed);
    assert_int_equal(len, VT_ROW_HEAD + VT_GCM_NONCE_BYTES + strlen("sealed with gcm") + VT_TAG_BYTES);
    tv_expect(ctx, id, "sealed with gcm");
    tv_expect(ctx, id, "sealed with gcm"); /* the second read uses the cached key schedule */
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_without_gcm_new_records_are_xchacha(void **state)
{
    (void)state;
    custos__vault_test_force_aead(VT_RECORD_XCHACHA);
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vaead2", &alice, NULL);
    custos_record_id id = tv_put(ctx, alice, 1, 1, "sealed with xchacha");
    assert_int_equal(fmt_of(ctx, id), VT_RECORD_XCHACHA);
    tv_expect(ctx, id, "sealed with xchacha");
    custos_close(ctx);
    custos__vault_test_force_aead(0);
    th_tmpdir_remove(dir);
}

static void test_gcm_records_are_eunsupported_without_gcm_and_xchacha_ones_still_open(void **state)
{
    (void)state;
    need_gcm();
    char *dir;
    custos_subject alice;
    custos__vault_test_force_aead(VT_RECORD_XCHACHA);
    custos_t *ctx = tv_fresh(&dir, "vaead3", &alice, NULL);
    custos_record_id old = tv_put(ctx, alice, 1, 1, "old");
    custos__vault_test_force_aead(0);
    reopen(&ctx, dir);
    custos_record_id gcm = tv_put(ctx, alice, 1, 1, "new");
    assert_int_equal(fmt_of(ctx, gcm), VT_RECORD_GCM);

    custos__vault_test_force_aead(VT_RECORD_XCHACHA);
    reopen(&ctx, dir);
    tv_expect(ctx, old, "old");
    assert_int_equal(get(ctx, gcm), CUSTOS_EUNSUPPORTED);
    assert_non_null(strstr(custos_errmsg(ctx), "AES-256-GCM, which this CPU lacks"));
    char id_text[32];
    snprintf(id_text, sizeof id_text, "record %lld ", (long long)gcm);
    assert_non_null(strstr(custos_errmsg(ctx), id_text));
    int seen = 0;
    assert_int_equal(custos_vault_foreach(ctx, alice, visit_count, &seen), CUSTOS_EUNSUPPORTED);
    assert_int_equal(seen, 1); /* the fmt-1 record, oldest, was handed over first */
    tv_expect(ctx, old, "old"); /* the failure damaged nothing */

    custos__vault_test_force_aead(0);
    reopen(&ctx, dir);
    tv_expect(ctx, gcm, "new");
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_a_store_of_both_formats_reads_back(void **state)
{
    (void)state;
    need_gcm();
    char *dir;
    custos_subject alice, bob;
    custos__vault_test_force_aead(VT_RECORD_XCHACHA);
    custos_t *ctx = tv_fresh(&dir, "vaead4", &alice, &bob);
    custos_record_id a1 = tv_put(ctx, alice, 1, 1, "a xchacha");
    custos_record_id b1 = tv_put(ctx, bob, 1, 1, "b xchacha");
    custos__vault_test_force_aead(0);
    reopen(&ctx, dir);
    custos_record_id a2 = tv_put(ctx, alice, 1, 1, "a gcm");
    custos_record_id a3 = tv_put(ctx, alice, 2, 2, "a gcm purpose 2");
    assert_int_equal(fmt_of(ctx, a1), VT_RECORD_XCHACHA);
    assert_int_equal(fmt_of(ctx, a2), VT_RECORD_GCM);
    tv_expect(ctx, a1, "a xchacha");
    tv_expect(ctx, b1, "b xchacha");
    tv_expect(ctx, a2, "a gcm");
    tv_expect(ctx, a3, "a gcm purpose 2");
    int seen = 0;
    assert_int_equal(custos_vault_foreach(ctx, alice, visit_count, &seen), CUSTOS_OK);
    assert_int_equal(seen, 3);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_any_altered_byte_of_a_gcm_record_is_ecorrupt(void **state)
{
    (void)state;
    need_gcm();
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vaead5", &alice, NULL);
    custos_record_id ids[2] = { tv_put(ctx, alice, 1, 1, "one"), tv_put(ctx, alice, 1, 1, "two") };
    int len;
    uint8_t *sealed = tv_blob(ctx, "SELECT sealed FROM vault_record WHERE id=?1", ids[1], &len);
    for (int pos = 0; pos < len; pos++) {
        sealed[pos] ^= 0x80;
        tv_sql(ctx, "UPDATE vault_record SET sealed=?2 WHERE id=?1", ids[1], sealed, len);
        sealed[pos] ^= 0x80;
        uint8_t buf[32] = { 0 };
        size_t out_len;
        /* a key id that names no key: that record's key is gone, as after an erasure */
        int want = pos >= VT_HEAD_KEY_ID && pos < VT_HEAD_KEY_ID + (int)VT_ID_BYTES ? CUSTOS_EKEY : CUSTOS_ECORRUPT;
        assert_int_equal(custos_vault_get(ctx, buf, sizeof buf, &out_len, NULL, ids[1]), want);
        assert_int_equal(buf[0], 0); /* never wrong data */
    }
    tv_sql(ctx, "UPDATE vault_record SET sealed=?2 WHERE id=?1", ids[1], sealed, len - 1); /* truncated */
    assert_int_equal(get(ctx, ids[1]), CUSTOS_ECORRUPT);
    tv_sql(ctx, "UPDATE vault_record SET sealed=?2 WHERE id=?1", ids[1], sealed, len);
    free(sealed);
    tv_expect(ctx, ids[0], "one");
    tv_expect(ctx, ids[1], "two");
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_an_edited_fmt_fails_authentication(void **state)
{
    (void)state;
    need_gcm();
    char *dir;
    custos_subject alice;
    custos__vault_test_force_aead(VT_RECORD_XCHACHA);
    custos_t *ctx = tv_fresh(&dir, "vaead6", &alice, NULL);
    custos_record_id x = tv_put(ctx, alice, 1, 1, "xchacha record, long enough for either nonce");
    custos__vault_test_force_aead(0);
    reopen(&ctx, dir);
    custos_record_id g = tv_put(ctx, alice, 1, 1, "gcm record, long enough for either nonce");
    tv_flip_sealed(ctx, x, VT_HEAD_FMT, 0x03); /* 1 -> 2 */
    tv_flip_sealed(ctx, g, VT_HEAD_FMT, 0x03); /* 2 -> 1 */
    assert_int_equal(get(ctx, x), CUSTOS_ECORRUPT);
    assert_int_equal(get(ctx, g), CUSTOS_ECORRUPT);
    tv_flip_sealed(ctx, x, VT_HEAD_FMT, 0x03);
    tv_flip_sealed(ctx, g, VT_HEAD_FMT, 0x03);
    tv_sql(ctx, "UPDATE vault_record SET fmt=3 - fmt", 0, NULL, 0); /* the columns change no read */
    tv_expect(ctx, x, "xchacha record, long enough for either nonce");
    tv_expect(ctx, g, "gcm record, long enough for either nonce");
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_more_scopes_than_slots_read_back_with_gcm(void **state)
{
    (void)state;
    need_gcm();
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vaead7", &alice, NULL);
    enum { N = VT_SLOTS + 4 };
    custos_subject s[N];
    custos_record_id ids[N];
    for (int i = 0; i < N; i++) {
        char name[32];
        snprintf(name, sizeof name, "aead-subject-%d", i);
        assert_int_equal(custos_subject_add(ctx, &s[i], name, CUSTOS_ROLE_OWNER), CUSTOS_OK);
        tv_give(ctx, s[i], 1);
        snprintf(name, sizeof name, "payload %d", i);
        ids[i] = tv_put(ctx, s[i], 1, 1, name);
    }
    for (int round = 0; round < 2; round++) { /* slots are reused: a schedule never outlives its key */
        for (int i = 0; i < N; i++) {
            char name[32];
            snprintf(name, sizeof name, "payload %d", i);
            tv_expect(ctx, ids[i], name);
        }
    }
    (void)alice;
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static int64_t keys_of_scope(custos_t *ctx)
{
    return tv_count(ctx, "SELECT count(*) FROM vault_key WHERE purpose=1");
}

static void key_id_of(custos_t *ctx, custos_record_id id, uint8_t out[VT_ID_BYTES])
{
    int len;
    uint8_t *k = tv_blob(ctx, "SELECT key_id FROM vault_record WHERE id=?1", id, &len);
    assert_int_equal(len, VT_ID_BYTES);
    memcpy(out, k, VT_ID_BYTES);
    free(k);
}

static void test_the_put_past_the_gcm_limit_uses_the_scopes_next_key(void **state)
{
    (void)state;
    need_gcm();
    char *dir;
    custos_subject alice;
    custos__vault_test_key_limit(3);
    custos_t *ctx = tv_fresh(&dir, "vaead8", &alice, NULL);
    custos_record_id ids[4] = { tv_put(ctx, alice, 1, 1, "r0"), tv_put(ctx, alice, 1, 1, "r1"),
                                tv_put(ctx, alice, 1, 1, "r2"), tv_put(ctx, alice, 1, 1, "r3") };
    uint8_t k0[VT_ID_BYTES], k2[VT_ID_BYTES], k3[VT_ID_BYTES];
    key_id_of(ctx, ids[0], k0);
    key_id_of(ctx, ids[2], k2);
    key_id_of(ctx, ids[3], k3);
    assert_memory_equal(k0, k2, VT_ID_BYTES);
    assert_memory_not_equal(k2, k3, VT_ID_BYTES);
    assert_int_equal(keys_of_scope(ctx), 2);
    assert_int_equal(tv_count(ctx, "SELECT sealed_count FROM vault_key WHERE purpose=1 AND seq=0"), 3);
    assert_int_equal(tv_count(ctx, "SELECT sealed_count FROM vault_key WHERE purpose=1 AND seq=1"), 1);
    for (int i = 0; i < 4; i++) {
        char text[4] = { 'r', (char)('0' + i), 0, 0 };
        tv_expect(ctx, ids[i], text);
    }
    custos__vault_test_key_limit(0);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_the_seal_count_survives_close_and_reopen(void **state)
{
    (void)state;
    need_gcm();
    char *dir;
    custos_subject alice;
    custos__vault_test_key_limit(3);
    custos_t *ctx = tv_fresh(&dir, "vaead9", &alice, NULL);
    custos_record_id a = tv_put(ctx, alice, 1, 1, "one");
    custos_record_id b = tv_put(ctx, alice, 1, 1, "two");
    reopen(&ctx, dir);
    custos_record_id c = tv_put(ctx, alice, 1, 1, "three");
    assert_int_equal(keys_of_scope(ctx), 1);
    reopen(&ctx, dir);
    custos_record_id d = tv_put(ctx, alice, 1, 1, "four");
    assert_int_equal(keys_of_scope(ctx), 2);
    tv_expect(ctx, a, "one");
    tv_expect(ctx, b, "two");
    tv_expect(ctx, c, "three");
    tv_expect(ctx, d, "four");
    custos_close(ctx);
    custos__vault_test_key_limit(0);
    th_tmpdir_remove(dir);
}

static void test_xchacha_records_are_not_counted(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos__vault_test_force_aead(VT_RECORD_XCHACHA);
    custos__vault_test_key_limit(1);
    custos_t *ctx = tv_fresh(&dir, "vaead10", &alice, NULL);
    for (int i = 0; i < 3; i++)
        (void)tv_put(ctx, alice, 1, 1, "x");
    assert_int_equal(keys_of_scope(ctx), 1);
    assert_int_equal(tv_count(ctx, "SELECT sealed_count FROM vault_key WHERE purpose=1"), 0);
    custos_close(ctx);
    custos__vault_test_key_limit(0);
    custos__vault_test_force_aead(0);
    th_tmpdir_remove(dir);
}

static void test_erasing_a_scope_destroys_every_key_of_it(void **state)
{
    (void)state;
    need_gcm();
    char *dir;
    custos_subject alice, bob;
    custos__vault_test_key_limit(1);
    custos_t *ctx = tv_fresh(&dir, "vaead11", &alice, &bob);
    custos_record_id a1 = tv_put(ctx, alice, 1, 1, "a1");
    custos_record_id a2 = tv_put(ctx, alice, 1, 1, "a2");
    custos_record_id b1 = tv_put(ctx, bob, 1, 1, "b1");
    uint8_t hash[32];
    tv_hash(ctx, alice, hash);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(ctx->db, "SELECT count(*) FROM vault_key WHERE subject_hash=?1", -1, &st,
                                        NULL), SQLITE_OK);
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int64(st, 0), 2);
    sqlite3_reset(st);
    custos__vault_test_key_limit(0);
    custos_erase_options o = CUSTOS_ERASE_OPTIONS_INIT;
    size_t receipt_len = 0;
    assert_int_equal(custos_erase_purpose(ctx, NULL, 0, &receipt_len, alice, 1, &o), CUSTOS_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int64(st, 0), 0);
    sqlite3_finalize(st);
    assert_int_equal(get(ctx, a1), CUSTOS_ENOTFOUND); /* the erase deleted the records too */
    assert_int_equal(get(ctx, a2), CUSTOS_ENOTFOUND);
    tv_expect(ctx, b1, "b1");
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_records_are_gcm_where_the_cpu_has_it),
        cmocka_unit_test(test_without_gcm_new_records_are_xchacha),
        cmocka_unit_test(test_gcm_records_are_eunsupported_without_gcm_and_xchacha_ones_still_open),
        cmocka_unit_test(test_a_store_of_both_formats_reads_back),
        cmocka_unit_test(test_any_altered_byte_of_a_gcm_record_is_ecorrupt),
        cmocka_unit_test(test_an_edited_fmt_fails_authentication),
        cmocka_unit_test(test_more_scopes_than_slots_read_back_with_gcm),
        cmocka_unit_test(test_the_put_past_the_gcm_limit_uses_the_scopes_next_key),
        cmocka_unit_test(test_the_seal_count_survives_close_and_reopen),
        cmocka_unit_test(test_xchacha_records_are_not_counted),
        cmocka_unit_test(test_erasing_a_scope_destroys_every_key_of_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
