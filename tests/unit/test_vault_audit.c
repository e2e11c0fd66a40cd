/* Reads of personal data are recorded in the audit chain as `access`
 * entries (CRA Annex I (2)(l)) unless the user has switched optional events
 * off: one entry per successful custos_vault_get or custos_vault_foreach
 * that opened at least one record, with the subject as its keyed hash, never its id. */
#include "test_vault_helpers.h"

#include <custos/audit.h>

typedef struct seen {
    int access;
    int64_t purpose;
    int has_subject;
    uint8_t subject_hash[32];
    char detail[80];
} seen;

static int visit(void *user, const custos_audit_entry *e)
{
    seen *s = user;
    if (e->kind != CUSTOS_AUDIT_ACCESS)
        return 0;
    s->access++;
    s->purpose = e->purpose;
    s->has_subject = e->has_subject;
    memcpy(s->subject_hash, e->subject_hash, 32);
    snprintf(s->detail, sizeof s->detail, "%s", e->detail);
    return 0;
}

static seen accesses(custos_t *ctx)
{
    seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(custos_audit_foreach(ctx, 1, visit, &s), CUSTOS_OK);
    return s;
}

static int count_visit(void *user, const custos_vault_info *info, const uint8_t *data, size_t len)
{
    (void)info;
    (void)data;
    (void)len;
    ++*(int *)user;
    return 0;
}

static int synchronous(custos_t *ctx)
{
    return (int)tv_count(ctx, "PRAGMA synchronous");
}

static void test_get_and_foreach_are_recorded_with_the_keyed_hash(void **state)
{
    (void)state;
    char *dir = NULL;
    custos_subject alice, bob;
    custos_t *ctx = tv_fresh(&dir, "vaudit", &alice, &bob);
    custos_record_id id = tv_put(ctx, alice, 2, 2, "a note");
    tv_put(ctx, alice, 1, 1, "a clip");
    assert_int_equal(accesses(ctx).access, 0); /* writes are not accesses */
    int level = synchronous(ctx);

    tv_expect(ctx, id, "a note");
    seen s = accesses(ctx);
    uint8_t hash[32];
    assert_int_equal(custos__subject_hash_of(ctx, alice, hash), CUSTOS_OK);
    assert_int_equal(s.access, 1);
    assert_int_equal(s.purpose, 2);
    assert_int_equal(s.has_subject, 1);
    assert_memory_equal(s.subject_hash, hash, 32);
    assert_string_equal(s.detail, "vault.get");
    assert_int_equal(synchronous(ctx), level); /* the access commit leaves the durability setting as it was */

    int n = 0;
    assert_int_equal(custos_vault_foreach(ctx, alice, count_visit, &n), CUSTOS_OK);
    assert_int_equal(n, 2);
    s = accesses(ctx);
    assert_int_equal(s.access, 2); /* one entry per call, not per record */
    assert_int_equal(s.purpose, -1);
    assert_string_equal(s.detail, "vault.foreach");

    /* bob has no records: the walk reads no personal data and records nothing */
    n = 0;
    assert_int_equal(custos_vault_foreach(ctx, bob, count_visit, &n), CUSTOS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(accesses(ctx).access, 2);

    custos_audit_report r = { .version = CUSTOS_AUDIT_REPORT_VERSION };
    assert_int_equal(custos_audit_verify(ctx, &r), CUSTOS_OK);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_failed_reads_and_opted_out_reads_are_not_recorded(void **state)
{
    (void)state;
    char *dir = NULL;
    custos_subject alice, bob;
    custos_t *ctx = tv_fresh(&dir, "vaudit-off", &alice, &bob);
    custos_record_id id = tv_put(ctx, bob, 1, 1, "bob's clip");
    uint8_t buf[64];
    size_t len = 0;
    assert_int_equal(custos_vault_get(ctx, buf, sizeof buf, &len, NULL, id + 1000), CUSTOS_ENOTFOUND);
    assert_int_equal(custos_vault_get(ctx, buf, 2, &len, NULL, id), CUSTOS_ERANGE);
    assert_int_equal(accesses(ctx).access, 0);
    /* the error message is the read's, not the audit write's */
    assert_non_null(strstr(custos_errmsg(ctx), "needs"));

    assert_int_equal(custos_audit_set_optional(ctx, 0), CUSTOS_OK);
    tv_expect(ctx, id, "bob's clip");
    int n = 0;
    assert_int_equal(custos_vault_foreach(ctx, bob, count_visit, &n), CUSTOS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(accesses(ctx).access, 0);

    assert_int_equal(custos_audit_set_optional(ctx, 1), CUSTOS_OK);
    tv_expect(ctx, id, "bob's clip");
    assert_int_equal(accesses(ctx).access, 1);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

typedef struct kinds { int integrity, key_failure; char detail[80]; } kinds;

static int visit_kinds(void *user, const custos_audit_entry *e)
{
    kinds *k = user;
    if (e->kind == CUSTOS_AUDIT_INTEGRITY_VIOLATION || e->kind == CUSTOS_AUDIT_KEY_FAILURE) {
        k->integrity += e->kind == CUSTOS_AUDIT_INTEGRITY_VIOLATION;
        k->key_failure += e->kind == CUSTOS_AUDIT_KEY_FAILURE;
        snprintf(k->detail, sizeof k->detail, "%s", e->detail);
    }
    return 0;
}

/* A record that fails authentication and a data key that fails to unwrap
 * are each recorded (integrity_violation, key_failure), with the read's
 * own error kept for the caller, and other records stay readable. */
static void test_corrupt_record_and_damaged_key_are_audited(void **state)
{
    (void)state;
    char *dir = NULL;
    custos_subject alice, bob;
    custos_t *ctx = tv_fresh(&dir, "vaudit-bad", &alice, &bob);
    custos_record_id bad = tv_put(ctx, alice, 1, 1, "to be damaged");
    custos_record_id good = tv_put(ctx, alice, 1, 1, "intact");
    custos_record_id bobs = tv_put(ctx, bob, 1, 1, "bob's");
    int len = 0;
    uint8_t *sealed = tv_blob(ctx, "SELECT sealed FROM vault_record WHERE id=?1", bad, &len);
    sealed[len - 1] ^= 0x01;
    tv_sql(ctx, "UPDATE vault_record SET sealed=?2 WHERE id=?1", bad, sealed, len);
    free(sealed);
    uint8_t buf[64];
    size_t n = 0;
    assert_int_equal(custos_vault_get(ctx, buf, sizeof buf, &n, NULL, bad), CUSTOS_ECORRUPT);
    assert_non_null(strstr(custos_errmsg(ctx), "failed authentication"));
    kinds k = { 0, 0, "" };
    assert_int_equal(custos_audit_foreach(ctx, 1, visit_kinds, &k), CUSTOS_OK);
    assert_int_equal(k.integrity, 1);
    assert_string_equal(k.detail, "record-authentication-failed");
    tv_expect(ctx, good, "intact");

    /* damage bob's wrapped data key; a fresh handle has no key cached */
    uint8_t hash[32];
    assert_int_equal(custos__subject_hash_of(ctx, bob, hash), CUSTOS_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(ctx->db, "UPDATE vault_key SET wrapped = zeroblob(length(wrapped))"
                                        " WHERE subject_hash = ?1", -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    custos_close(ctx);
    ctx = tv_open(dir);
    int rc = custos_vault_get(ctx, buf, sizeof buf, &n, NULL, bobs);
    assert_true(rc == CUSTOS_EKEY || rc == CUSTOS_ECORRUPT);
    memset(&k, 0, sizeof k);
    assert_int_equal(custos_audit_foreach(ctx, 1, visit_kinds, &k), CUSTOS_OK);
    assert_int_equal(k.key_failure, 1);
    assert_string_equal(k.detail, "data-key-unwrap-failed");
    tv_expect(ctx, good, "intact");
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_and_foreach_are_recorded_with_the_keyed_hash),
        cmocka_unit_test(test_failed_reads_and_opted_out_reads_are_not_recorded),
        cmocka_unit_test(test_corrupt_record_and_damaged_key_are_audited),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
