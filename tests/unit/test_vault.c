/* The vault: sealing, the gate, retention, tampering, keys and the journal mode. */
#include "test_vault_helpers.h"

#include <custos/gate.h>

static void test_put_then_get_returns_payload(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vput", &alice, NULL);
    custos_record_id id = tv_put(ctx, alice, 1, 1, "frame 0001");
    tv_expect(ctx, id, "frame 0001");
    custos_close(ctx);
    ctx = tv_open(dir); /* and after reopening */
    tv_expect(ctx, id, "frame 0001");
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_get_reports_purpose_category_and_retention(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vinfo", &alice, NULL);
    custos_record_id a = tv_put(ctx, alice, 1, 2, "abc");
    custos_record_id b = tv_put(ctx, alice, 2, 2, "defg");
    uint8_t buf[16];
    size_t len;
    custos_vault_info info;
    assert_int_equal(custos_vault_get(ctx, buf, sizeof buf, &len, &info, a), CUSTOS_OK);
    assert_int_equal(info.id, a);
    assert_int_equal(info.purpose, 1);
    assert_int_equal(info.category, 2);
    assert_int_equal(info.size, 3);
    assert_int_equal(info.created, tv_time);
    assert_int_equal(info.expires, tv_time + 30 * TV_DAY); /* P30D */
    assert_int_equal(custos_vault_get(ctx, buf, sizeof buf, &len, &info, b), CUSTOS_OK);
    assert_int_equal(info.expires, 0); /* until account_deletion: no time limit */
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_put_without_consent_is_denied_and_writes_nothing(void **state)
{
    (void)state;
    char *dir;
    custos_subject bob;
    custos_t *ctx = tv_fresh(&dir, "vdeny", NULL, &bob);
    custos_record_id id = 77;
    assert_int_equal(custos_vault_put(ctx, &id, bob, 2, 2, "x", 1), CUSTOS_EDENIED);
    assert_non_null(strstr(custos_errmsg(ctx), custos_decision_str(CUSTOS_DENY_NO_CONSENT)));
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM vault_record"), 0);
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM vault_key"), 0);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_put_of_undeclared_category_is_denied(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vcat", &alice, NULL);
    custos_record_id id;
    assert_int_equal(custos_vault_put(ctx, &id, alice, 2, 1, "x", 1), CUSTOS_EDENIED);
    assert_non_null(strstr(custos_errmsg(ctx), custos_decision_str(CUSTOS_DENY_CATEGORY_NOT_DECLARED)));
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM vault_record"), 0);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_put_for_unknown_subject_is_denied(void **state)
{
    (void)state;
    char *dir;
    custos_t *ctx = tv_fresh(&dir, "vunk", NULL, NULL);
    custos_record_id id;
    assert_int_equal(custos_vault_put(ctx, &id, 999, 1, 1, "x", 1), CUSTOS_EDENIED);
    assert_non_null(strstr(custos_errmsg(ctx), custos_decision_str(CUSTOS_DENY_UNKNOWN_SUBJECT)));
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_withdraw_makes_put_deny_and_erases_the_purpose(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vwd", &alice, NULL);
    tv_put(ctx, alice, 1, 1, "before");
    custos_consent_info info = CUSTOS_CONSENT_INFO_INIT;
    assert_int_equal(custos_consent_withdraw(ctx, alice, 1, &info), CUSTOS_OK);
    custos_record_id id;
    assert_int_equal(custos_vault_put(ctx, &id, alice, 1, 1, "after", 5), CUSTOS_EDENIED);
    assert_non_null(strstr(custos_errmsg(ctx), custos_decision_str(CUSTOS_DENY_WITHDRAWN)));
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM vault_record"), 0);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_get_into_small_buffer_is_erange_with_size_needed(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vrange", &alice, NULL);
    custos_record_id id = tv_put(ctx, alice, 1, 1, "0123456789");
    uint8_t buf[4] = { 0xAA, 0xAA, 0xAA, 0xAA };
    size_t len = 0;
    assert_int_equal(custos_vault_get(ctx, buf, sizeof buf, &len, NULL, id), CUSTOS_ERANGE);
    assert_int_equal(len, 10);
    assert_int_equal(buf[0], 0xAA); /* nothing written */
    assert_int_equal(custos_vault_get(ctx, NULL, 0, &len, NULL, id), CUSTOS_ERANGE);
    assert_int_equal(len, 10);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_get_of_unknown_id_is_enotfound(void **state)
{
    (void)state;
    char *dir;
    custos_t *ctx = tv_fresh(&dir, "vnf", NULL, NULL);
    uint8_t buf[4];
    size_t len;
    assert_int_equal(custos_vault_get(ctx, buf, sizeof buf, &len, NULL, 12345), CUSTOS_ENOTFOUND);
    assert_non_null(strstr(custos_errmsg(ctx), "no record 12345"));
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_bad_arguments_are_einval(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vinval", &alice, NULL);
    custos_record_id id;
    uint8_t buf[4];
    size_t len, n;
    assert_int_equal(custos_vault_put(NULL, &id, alice, 1, 1, "x", 1), CUSTOS_EINVAL);
    assert_int_equal(custos_vault_put(ctx, NULL, alice, 1, 1, "x", 1), CUSTOS_EINVAL);
    assert_int_equal(custos_vault_put(ctx, &id, alice, 1, 1, NULL, 3), CUSTOS_EINVAL);
    assert_int_equal(custos_vault_put(ctx, &id, alice, 1, 1, "x", CUSTOS_VAULT_PAYLOAD_MAX + 1u), CUSTOS_EINVAL);
    assert_int_equal(custos_vault_put_many(ctx, &id, alice, NULL, 1), CUSTOS_EINVAL);
    assert_int_equal(custos_vault_get(ctx, buf, sizeof buf, NULL, NULL, 1), CUSTOS_EINVAL);
    assert_int_equal(custos_vault_get(ctx, NULL, 4, &len, NULL, 1), CUSTOS_EINVAL);
    assert_int_equal(custos_vault_list(ctx, NULL, 3, &n, alice), CUSTOS_EINVAL);
    assert_int_equal(custos_vault_foreach(ctx, alice, NULL, NULL), CUSTOS_EINVAL);
    assert_int_equal(custos_vault_delete(NULL, 1), CUSTOS_EINVAL);
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM vault_record"), 0);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_empty_payload_round_trips(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vempty", &alice, NULL);
    custos_record_id id;
    assert_int_equal(custos_vault_put(ctx, &id, alice, 1, 1, NULL, 0), CUSTOS_OK);
    size_t len = 99;
    assert_int_equal(custos_vault_get(ctx, NULL, 0, &len, NULL, id), CUSTOS_OK);
    assert_int_equal(len, 0);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_put_many_with_one_denied_item_stores_nothing(void **state)
{
    (void)state;
    char *dir;
    custos_subject bob;
    custos_t *ctx = tv_fresh(&dir, "vmany", NULL, &bob);
    custos_vault_item items[2] = { { 1, 1, "ok", 2 }, { 2, 2, "denied", 6 } };
    custos_record_id ids[2];
    assert_int_equal(custos_vault_put_many(ctx, ids, bob, items, 2), CUSTOS_EDENIED);
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM vault_record"), 0);
    items[1].purpose = 1;
    items[1].category = 2;
    assert_int_equal(custos_vault_put_many(ctx, ids, bob, items, 2), CUSTOS_OK);
    tv_expect(ctx, ids[0], "ok");
    tv_expect(ctx, ids[1], "denied");
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_list_returns_only_that_subjects_ids_in_order(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice, bob;
    custos_t *ctx = tv_fresh(&dir, "vlist", &alice, &bob);
    custos_record_id a1 = tv_put(ctx, alice, 1, 1, "a1");
    tv_put(ctx, bob, 1, 1, "b1");
    custos_record_id a2 = tv_put(ctx, alice, 2, 2, "a2");
    custos_record_id ids[4];
    size_t n = 0;
    assert_int_equal(custos_vault_list(ctx, ids, 4, &n, alice), CUSTOS_OK);
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], a1);
    assert_int_equal(ids[1], a2);
    assert_int_equal(custos_vault_list(ctx, ids, 1, &n, alice), CUSTOS_ERANGE);
    assert_int_equal(n, 2);
    assert_int_equal(custos_vault_list(ctx, ids, 4, &n, 4242), CUSTOS_ENOTFOUND);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

typedef struct visit_log { int calls; int stop_after; char seen[64]; } visit_log;

static int visit(void *user, const custos_vault_info *info, const uint8_t *data, size_t len)
{
    visit_log *v = user;
    (void)info;
    strncat(v->seen, (const char *)data, len);
    return ++v->calls == v->stop_after;
}

static void test_foreach_visits_each_record_oldest_first(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice, bob;
    custos_t *ctx = tv_fresh(&dir, "vwalk", &alice, &bob);
    tv_put(ctx, alice, 1, 1, "A");
    tv_put(ctx, bob, 1, 1, "X");
    tv_put(ctx, alice, 2, 2, "B");
    tv_put(ctx, alice, 1, 2, "C");
    visit_log v = { 0, 0, "" };
    assert_int_equal(custos_vault_foreach(ctx, alice, visit, &v), CUSTOS_OK);
    assert_string_equal(v.seen, "ABC");
    visit_log stop = { 0, 2, "" };
    assert_int_equal(custos_vault_foreach(ctx, alice, visit, &stop), CUSTOS_ECANCELED);
    assert_string_equal(stop.seen, "AB");
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_delete_removes_the_record(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vdel", &alice, NULL);
    custos_record_id a = tv_put(ctx, alice, 1, 1, "a");
    custos_record_id b = tv_put(ctx, alice, 1, 1, "b");
    assert_int_equal(custos_vault_delete(ctx, a), CUSTOS_OK);
    uint8_t buf[8];
    size_t len;
    assert_int_equal(custos_vault_get(ctx, buf, sizeof buf, &len, NULL, a), CUSTOS_ENOTFOUND);
    tv_expect(ctx, b, "b");
    assert_int_equal(custos_vault_delete(ctx, a), CUSTOS_ENOTFOUND);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_record_ids_are_never_reused(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vreuse", &alice, NULL);
    custos_record_id a = tv_put(ctx, alice, 1, 1, "a");
    assert_int_equal(custos_vault_delete(ctx, a), CUSTOS_OK);
    custos_record_id b = tv_put(ctx, alice, 1, 1, "b");
    assert_true(b > a);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_ciphertext_moved_to_another_row_does_not_open(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vmove", &alice, NULL);
    custos_record_id a = tv_put(ctx, alice, 1, 1, "secret A");
    custos_record_id b = tv_put(ctx, alice, 1, 1, "secret B"); /* same subject, purpose, category, key */
    int len;
    uint8_t *sealed = tv_blob(ctx, "SELECT sealed FROM vault_record WHERE id=?1", a, &len);
    tv_sql(ctx, "UPDATE vault_record SET sealed=?2 WHERE id=?1", b, sealed, len);
    free(sealed);
    uint8_t buf[32];
    size_t out_len;
    assert_int_equal(custos_vault_get(ctx, buf, sizeof buf, &out_len, NULL, b), CUSTOS_ECORRUPT);
    assert_non_null(strstr(custos_errmsg(ctx), "failed authentication"));
    tv_expect(ctx, a, "secret A");
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

/* A read takes the record's identity from its row header, which is authenticated; the columns are
 * only indexes for queries. */
static void test_edited_category_does_not_open_and_edited_columns_change_no_read(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vcol", &alice, NULL);
    custos_record_id a = tv_put(ctx, alice, 1, 1, "video");
    tv_flip_sealed(ctx, a, VT_HEAD_CATEGORY, 0x03); /* category 1 -> 2 */
    uint8_t buf[32];
    size_t len;
    assert_int_equal(custos_vault_get(ctx, buf, sizeof buf, &len, NULL, a), CUSTOS_ECORRUPT);
    assert_non_null(strstr(custos_errmsg(ctx), "failed authentication"));
    tv_flip_sealed(ctx, a, VT_HEAD_CATEGORY, 0x03);
    tv_sql(ctx, "UPDATE vault_record SET category=2, purpose=2, fmt=1, created=0, expires=5 WHERE id=?1", a,
           NULL, 0);
    custos_vault_info info;
    assert_int_equal(custos_vault_get(ctx, buf, sizeof buf, &len, &info, a), CUSTOS_OK);
    assert_memory_equal(buf, "video", 5);
    assert_int_equal(info.purpose, 1);
    assert_int_equal(info.category, 1);
    assert_int_equal(info.created, tv_time);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_flipped_byte_is_ecorrupt_and_other_records_still_read(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vflip", &alice, NULL);
    custos_record_id ids[3] = { tv_put(ctx, alice, 1, 1, "one"), tv_put(ctx, alice, 1, 1, "two"),
                                tv_put(ctx, alice, 2, 2, "three") };
    int len;
    uint8_t *sealed = tv_blob(ctx, "SELECT sealed FROM vault_record WHERE id=?1", ids[1], &len);
    for (int pos = 0; pos < len; pos++) {
        sealed[pos] ^= 0x01;
        tv_sql(ctx, "UPDATE vault_record SET sealed=?2 WHERE id=?1", ids[1], sealed, len);
        sealed[pos] ^= 0x01;
        uint8_t buf[32] = { 0 };
        size_t out_len;
        /* a key id that names no key: that record's key is gone, as after an erasure */
        int want = pos >= VT_HEAD_KEY_ID && pos < VT_HEAD_KEY_ID + (int)VT_ID_BYTES ? CUSTOS_EKEY : CUSTOS_ECORRUPT;
        assert_int_equal(custos_vault_get(ctx, buf, sizeof buf, &out_len, NULL, ids[1]), want);
        assert_int_equal(buf[0], 0); /* never wrong data */
    }
    free(sealed);
    tv_expect(ctx, ids[0], "one");
    tv_expect(ctx, ids[2], "three");
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_altered_wrapped_key_is_ekey(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vwrap", &alice, NULL);
    custos_record_id a = tv_put(ctx, alice, 1, 1, "a");
    custos_record_id b = tv_put(ctx, alice, 2, 2, "b");
    int len;
    uint8_t *w = tv_blob(ctx, "SELECT wrapped FROM vault_key WHERE purpose=?1", 1, &len);
    w[len - 1] ^= 0x80;
    tv_sql(ctx, "UPDATE vault_key SET wrapped=?2 WHERE purpose=?1", 1, w, len);
    free(w);
    uint8_t buf[8];
    size_t n;
    assert_int_equal(custos_vault_get(ctx, buf, sizeof buf, &n, NULL, a), CUSTOS_EKEY);
    assert_non_null(strstr(custos_errmsg(ctx), "does not unwrap"));
    tv_expect(ctx, b, "b");
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_destroyed_data_key_makes_records_ekey(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vdestroy", &alice, NULL);
    custos_record_id a = tv_put(ctx, alice, 1, 1, "a");
    custos_record_id b = tv_put(ctx, alice, 2, 2, "b");
    uint8_t hash[32];
    tv_hash(ctx, alice, hash);
    uint8_t (*ids)[8] = NULL;
    size_t n = 0;
    TV_IN_TX(ctx, custos__vault_destroy_keys(ctx, hash, 1, &ids, &n));
    assert_int_equal(n, 1);
    custos__free(ids);
    uint8_t buf[8];
    size_t len;
    assert_int_equal(custos_vault_get(ctx, buf, sizeof buf, &len, NULL, a), CUSTOS_EKEY);
    pthread_mutex_lock(&ctx->write_lock);
    assert_int_equal(custos__vault_try_open(ctx, a), CUSTOS_EKEY);
    assert_int_equal(custos__vault_try_open(ctx, b), CUSTOS_OK);
    pthread_mutex_unlock(&ctx->write_lock);
    tv_expect(ctx, b, "b");
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_erase_helpers_sample_and_delete_by_scope(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice, bob;
    custos_t *ctx = tv_fresh(&dir, "vscope", &alice, &bob);
    custos_record_id a1 = tv_put(ctx, alice, 1, 1, "a1");
    tv_put(ctx, alice, 2, 2, "a2");
    custos_record_id b1 = tv_put(ctx, bob, 1, 1, "b1");
    uint8_t ha[32];
    tv_hash(ctx, alice, ha);
    int64_t sample = 0;
    uint64_t removed = 0;
    TV_IN_TX(ctx, custos__vault_sample(ctx, ha, 1, &sample));
    assert_int_equal(sample, a1);
    TV_IN_TX(ctx, custos__vault_delete_records(ctx, ha, CUSTOS_VAULT_ALL_PURPOSES, &removed));
    assert_int_equal(removed, 2);
    pthread_mutex_lock(&ctx->write_lock);
    assert_int_equal(custos__vault_sample(ctx, ha, CUSTOS_VAULT_ALL_PURPOSES, &sample), CUSTOS_ENOTFOUND);
    pthread_mutex_unlock(&ctx->write_lock);
    tv_expect(ctx, b1, "b1");
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_each_subject_and_purpose_has_its_own_data_key(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice, bob;
    custos_t *ctx = tv_fresh(&dir, "vkeys", &alice, &bob);
    tv_put(ctx, alice, 1, 1, "a");
    tv_put(ctx, alice, 1, 2, "a'");
    tv_put(ctx, alice, 2, 2, "b");
    tv_put(ctx, bob, 1, 1, "c");
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM vault_key"), 3);
    uint8_t ha[32], hb[32], k1[32], k2[32], k3[32];
    tv_hash(ctx, alice, ha);
    tv_hash(ctx, bob, hb);
    pthread_mutex_lock(&ctx->write_lock);
    assert_int_equal(custos__vault_test_data_key(ctx, ha, 1, k1), CUSTOS_OK);
    assert_int_equal(custos__vault_test_data_key(ctx, ha, 2, k2), CUSTOS_OK);
    assert_int_equal(custos__vault_test_data_key(ctx, hb, 1, k3), CUSTOS_OK);
    assert_int_equal(custos__vault_test_data_key(ctx, hb, 2, k3), CUSTOS_ENOTFOUND);
    pthread_mutex_unlock(&ctx->write_lock);
    assert_memory_not_equal(k1, k2, 32);
    assert_memory_not_equal(k1, k3, 32);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_maintain_removes_only_expired_records(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    uint64_t start = tv_time;
    custos_t *ctx = tv_fresh(&dir, "vexp", &alice, NULL);
    custos_record_id old = tv_put(ctx, alice, 1, 1, "old");
    custos_record_id keep = tv_put(ctx, alice, 2, 2, "until event");
    tv_time = start + 29 * TV_DAY;
    custos_record_id young = tv_put(ctx, alice, 1, 1, "young");
    uint64_t removed = 99;
    assert_int_equal(custos_maintain(ctx, &removed), CUSTOS_OK);
    assert_int_equal(removed, 0);
    tv_time = start + 30 * TV_DAY;
    assert_int_equal(custos_maintain(ctx, &removed), CUSTOS_OK);
    assert_int_equal(removed, 1);
    uint8_t buf[16];
    size_t len;
    assert_int_equal(custos_vault_get(ctx, buf, sizeof buf, &len, NULL, old), CUSTOS_ENOTFOUND);
    tv_expect(ctx, young, "young");
    tv_expect(ctx, keep, "until event");
    tv_time = start;
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_persist_journal_mode_makes_the_vault_refuse_to_write(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vjournal", &alice, NULL);
    custos_record_id a = tv_put(ctx, alice, 1, 1, "a");
    assert_int_equal(sqlite3_exec(ctx->db, "PRAGMA journal_mode=PERSIST", NULL, NULL, NULL), SQLITE_OK);
    custos_record_id id;
    assert_int_equal(custos_vault_put(ctx, &id, alice, 1, 1, "b", 1), CUSTOS_ESTATE);
    assert_non_null(strstr(custos_errmsg(ctx), "persist journal mode"));
    assert_int_equal(custos_vault_delete(ctx, a), CUSTOS_ESTATE);
    assert_int_equal(custos_maintain(ctx, NULL), CUSTOS_ESTATE);
    assert_int_equal(custos_vault_rotate_kek(ctx), CUSTOS_ESTATE);
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM vault_record"), 1);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static uint32_t kek_now(custos_t *ctx)
{
    uint32_t g = 0;
    assert_int_equal(ctx->kp->kek_current(ctx->kp->state, &g), CUSTOS_OK);
    return g;
}

static void test_rotate_kek_rewraps_and_destroys_the_old_generation(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice, bob;
    custos_t *ctx = tv_fresh(&dir, "vrot", &alice, &bob);
    custos_record_id a = tv_put(ctx, alice, 1, 1, "a");
    custos_record_id b = tv_put(ctx, bob, 1, 1, "b");
    uint32_t before = kek_now(ctx);
    int len;
    uint8_t *stale = tv_blob(ctx, "SELECT wrapped FROM vault_key WHERE purpose=?1 LIMIT 1", 1, &len);
    assert_int_equal(custos_vault_rotate_kek(ctx), CUSTOS_OK);
    assert_int_equal(kek_now(ctx), before + 1);
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM vault_key WHERE kek_gen <> (SELECT max(kek_gen) FROM vault_key)"), 0);
    tv_expect(ctx, a, "a");
    tv_expect(ctx, b, "b");
    /* The old generation is gone from the provider: a stale wrapped copy does not open. */
    uint8_t key[32];
    size_t klen;
    assert_int_equal(ctx->kp->unwrap(ctx->kp->state, before, key, sizeof key, &klen, stale, (size_t)len, NULL, 0),
                     CUSTOS_EKEY);
    free(stale);
    custos_close(ctx);
    ctx = tv_open(dir);
    tv_expect(ctx, a, "a");
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_rotation_committed_without_finish_is_finished_at_open(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vrotres", &alice, NULL);
    custos_record_id a = tv_put(ctx, alice, 1, 1, "a");
    uint32_t before = kek_now(ctx);
    TV_IN_TX(ctx, custos__vault_rotate_kek(ctx)); /* committed; "crash" before rotate_finish */
    uint8_t probe[72] = { 0 }, out[32];
    size_t len;
    assert_int_equal(ctx->kp->wrap(ctx->kp->state, before, probe, sizeof probe, &len, out, 32, NULL, 0), CUSTOS_OK);
    custos_close(ctx);
    ctx = tv_open(dir);
    assert_int_equal(ctx->kp->wrap(ctx->kp->state, before, probe, sizeof probe, &len, out, 32, NULL, 0), CUSTOS_EKEY);
    tv_expect(ctx, a, "a");
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_rotation_rolled_back_keeps_every_key_readable(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vrotrb", &alice, NULL);
    custos_record_id a = tv_put(ctx, alice, 1, 1, "a");
    pthread_mutex_lock(&ctx->write_lock);
    assert_int_equal(custos__db_begin(ctx), CUSTOS_OK);
    assert_int_equal(custos__vault_rotate_kek(ctx), CUSTOS_OK);
    custos__db_rollback(ctx);
    pthread_mutex_unlock(&ctx->write_lock);
    tv_expect(ctx, a, "a");
    assert_int_equal(custos_vault_rotate_kek(ctx), CUSTOS_OK); /* the next rotation still works */
    tv_expect(ctx, a, "a");
    custos_close(ctx);
    ctx = tv_open(dir);
    tv_expect(ctx, a, "a");
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

/* Rotations that fail after the provider created a generation leave
 * generations no key uses; the file provider holds four. Once it is full,
 * a rotation (and so a crypto-erase) makes room by destroying the unused
 * ones instead of failing for good. A key wrapped under one of them (put
 * between the failures) is kept. */
static void test_rotations_rolled_back_until_the_provider_is_full_do_not_block_erasure(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice, bob;
    custos_t *ctx = tv_fresh(&dir, "vrotfull", &alice, &bob);
    custos_record_id a = tv_put(ctx, alice, 1, 1, "alice's");
    custos_record_id b = 0;
    for (int i = 0; i < 3; i++) {
        pthread_mutex_lock(&ctx->write_lock);
        assert_int_equal(custos__db_begin(ctx), CUSTOS_OK);
        assert_int_equal(custos__vault_rotate_kek(ctx), CUSTOS_OK);
        custos__db_rollback(ctx);
        pthread_mutex_unlock(&ctx->write_lock);
        if (i == 0)
            b = tv_put(ctx, bob, 1, 1, "bob's"); /* wrapped under the newest generation */
    }
    custos_record_id a2 = tv_put(ctx, alice, 2, 2, "alice's second");
    assert_int_equal(custos_vault_rotate_kek(ctx), CUSTOS_OK);
    tv_expect(ctx, a, "alice's");
    tv_expect(ctx, b, "bob's");
    tv_expect(ctx, a2, "alice's second");
    assert_int_equal(custos_erase_subject(ctx, NULL, 0, NULL, bob, NULL), CUSTOS_OK);
    uint8_t buf[32];
    size_t len = 0;
    assert_int_equal(custos_vault_get(ctx, buf, sizeof buf, &len, NULL, b), CUSTOS_ENOTFOUND);
    custos_close(ctx);
    ctx = tv_open(dir);
    tv_expect(ctx, a, "alice's");
    tv_expect(ctx, a2, "alice's second");
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_same_payload_twice_is_sealed_with_different_nonces(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vnonce", &alice, NULL);
    custos_vault_item items[3] = { { 1, 1, "same", 4 }, { 1, 1, "same", 4 }, { 1, 1, "same", 4 } };
    custos_record_id ids[3];
    assert_int_equal(custos_vault_put_many(ctx, ids, alice, items, 3), CUSTOS_OK);
    custos_record_id later = tv_put(ctx, alice, 1, 1, "same");
    int a_len, b_len, c_len, d_len;
    uint8_t *a = tv_blob(ctx, "SELECT sealed FROM vault_record WHERE id=?1", ids[0], &a_len);
    uint8_t *b = tv_blob(ctx, "SELECT sealed FROM vault_record WHERE id=?1", ids[1], &b_len);
    uint8_t *c = tv_blob(ctx, "SELECT sealed FROM vault_record WHERE id=?1", ids[2], &c_len);
    uint8_t *d = tv_blob(ctx, "SELECT sealed FROM vault_record WHERE id=?1", later, &d_len);
    assert_true(a_len > (int)VT_ROW_HEAD + 24 && a_len == b_len && b_len == c_len && c_len == d_len);
    assert_memory_not_equal(a + VT_ROW_HEAD, b + VT_ROW_HEAD, 12); /* the nonces (12 bytes for AES-GCM) */
    assert_memory_not_equal(b + VT_ROW_HEAD, c + VT_ROW_HEAD, 12);
    assert_memory_not_equal(a + VT_ROW_HEAD, c + VT_ROW_HEAD, 12);
    assert_memory_not_equal(a + VT_ROW_HEAD, d + VT_ROW_HEAD, 12);
    assert_memory_not_equal(c + VT_ROW_HEAD, d + VT_ROW_HEAD, 12);
    assert_true(ids[1] == ids[0] + 1 && ids[2] == ids[1] + 1 && later > ids[2]);
    free(a);
    free(b);
    free(c);
    free(d);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_then_get_returns_payload),
        cmocka_unit_test(test_get_reports_purpose_category_and_retention),
        cmocka_unit_test(test_put_without_consent_is_denied_and_writes_nothing),
        cmocka_unit_test(test_put_of_undeclared_category_is_denied),
        cmocka_unit_test(test_put_for_unknown_subject_is_denied),
        cmocka_unit_test(test_withdraw_makes_put_deny_and_erases_the_purpose),
        cmocka_unit_test(test_get_into_small_buffer_is_erange_with_size_needed),
        cmocka_unit_test(test_get_of_unknown_id_is_enotfound),
        cmocka_unit_test(test_bad_arguments_are_einval),
        cmocka_unit_test(test_empty_payload_round_trips),
        cmocka_unit_test(test_put_many_with_one_denied_item_stores_nothing),
        cmocka_unit_test(test_list_returns_only_that_subjects_ids_in_order),
        cmocka_unit_test(test_foreach_visits_each_record_oldest_first),
        cmocka_unit_test(test_delete_removes_the_record),
        cmocka_unit_test(test_record_ids_are_never_reused),
        cmocka_unit_test(test_ciphertext_moved_to_another_row_does_not_open),
        cmocka_unit_test(test_edited_category_does_not_open_and_edited_columns_change_no_read),
        cmocka_unit_test(test_flipped_byte_is_ecorrupt_and_other_records_still_read),
        cmocka_unit_test(test_altered_wrapped_key_is_ekey),
        cmocka_unit_test(test_destroyed_data_key_makes_records_ekey),
        cmocka_unit_test(test_erase_helpers_sample_and_delete_by_scope),
        cmocka_unit_test(test_each_subject_and_purpose_has_its_own_data_key),
        cmocka_unit_test(test_maintain_removes_only_expired_records),
        cmocka_unit_test(test_persist_journal_mode_makes_the_vault_refuse_to_write),
        cmocka_unit_test(test_rotate_kek_rewraps_and_destroys_the_old_generation),
        cmocka_unit_test(test_rotation_committed_without_finish_is_finished_at_open),
        cmocka_unit_test(test_rotation_rolled_back_keeps_every_key_readable),
        cmocka_unit_test(test_same_payload_twice_is_sealed_with_different_nonces),
        cmocka_unit_test(test_rotations_rolled_back_until_the_provider_is_full_do_not_block_erasure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
