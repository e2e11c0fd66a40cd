/* The audit opt-out (CRA Annex I (2)(l)) and the absence of personal data in
 * what the chain stores. */
#include "test_audit_helpers.h"

#include <dirent.h>
#include <sodium.h>

static int64_t count_kind(custos_t *ctx, int kind)
{
    int64_t n = 0;
    for (int64_t seq = 1; seq <= ta_count(ctx, "audit_entry"); seq++) {
        size_t len = 0;
        uint8_t *b = ta_row(ctx, "audit_entry", seq, &len);
        Custos__V1__AuditEntry *e = custos__v1__audit_entry__unpack(NULL, len, b);
        assert_non_null(e);
        n += (int)e->kind == kind;
        custos__v1__audit_entry__free_unpacked(e, NULL);
        free(b);
    }
    return n;
}

static void test_optional_events_are_recorded_by_default(void **state)
{
    (void)state;
    char *dir = th_tmpdir("audit-default");
    custos_t *ctx = th_open(dir);
    int enabled = -1;
    assert_int_equal(custos_audit_get_optional(ctx, &enabled), CUSTOS_OK);
    assert_int_equal(enabled, 1);
    ta_append(ctx, CUSTOS_AUDIT_ACCESS, NULL, 1, NULL);
    assert_int_equal(count_kind(ctx, CUSTOS_AUDIT_ACCESS), 1);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_optout_drops_optional_events_and_keeps_mandatory(void **state)
{
    (void)state;
    char *dir = th_tmpdir("audit-optout");
    custos_t *ctx = th_open(dir);
    assert_int_equal(custos_audit_set_optional(ctx, 0), CUSTOS_OK);
    int64_t before = ta_count(ctx, "audit_entry");
    ta_append(ctx, CUSTOS_AUDIT_ACCESS, NULL, 1, NULL);
    assert_int_equal(ta_count(ctx, "audit_entry"), before);
    for (int kind = CUSTOS_AUDIT_STORE_CREATED; kind < CUSTOS_AUDIT_ACCESS; kind++)
        ta_append(ctx, kind, NULL, -1, NULL);
    assert_int_equal(ta_count(ctx, "audit_entry"), before + CUSTOS_AUDIT_ACCESS - 1);
    assert_int_equal(count_kind(ctx, CUSTOS_AUDIT_ACCESS), 0);
    custos_audit_report r = CUSTOS_AUDIT_REPORT_INIT;
    assert_int_equal(custos_audit_verify(ctx, &r), CUSTOS_OK);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_optin_records_optional_events_again(void **state)
{
    (void)state;
    char *dir = th_tmpdir("audit-optin");
    custos_t *ctx = th_open(dir);
    assert_int_equal(custos_audit_set_optional(ctx, 0), CUSTOS_OK);
    assert_int_equal(custos_audit_set_optional(ctx, 1), CUSTOS_OK);
    ta_append(ctx, CUSTOS_AUDIT_ACCESS, NULL, 1, NULL);
    assert_int_equal(count_kind(ctx, CUSTOS_AUDIT_ACCESS), 1);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_optout_persists_across_reopen(void **state)
{
    (void)state;
    char *dir = th_tmpdir("audit-persist");
    custos_t *ctx = th_open(dir);
    assert_int_equal(custos_audit_set_optional(ctx, 0), CUSTOS_OK);
    custos_close(ctx);
    ctx = th_open(dir);
    int enabled = -1;
    assert_int_equal(custos_audit_get_optional(ctx, &enabled), CUSTOS_OK);
    assert_int_equal(enabled, 0);
    ta_append(ctx, CUSTOS_AUDIT_ACCESS, NULL, 1, NULL);
    assert_int_equal(count_kind(ctx, CUSTOS_AUDIT_ACCESS), 0);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_each_optout_change_is_a_mandatory_settings_entry(void **state)
{
    (void)state;
    char *dir = th_tmpdir("audit-setting");
    custos_t *ctx = th_open(dir);
    assert_int_equal(custos_audit_set_optional(ctx, 0), CUSTOS_OK);
    assert_int_equal(custos_audit_set_optional(ctx, 1), CUSTOS_OK);
    assert_int_equal(count_kind(ctx, CUSTOS_AUDIT_SETTINGS_CHANGED), 2);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_set_optional_rejects_other_values(void **state)
{
    (void)state;
    char *dir = th_tmpdir("audit-badset");
    custos_t *ctx = th_open(dir);
    int64_t before = ta_count(ctx, "audit_entry");
    assert_int_equal(custos_audit_set_optional(ctx, 2), CUSTOS_EINVAL);
    assert_int_equal(custos_audit_set_optional(ctx, -1), CUSTOS_EINVAL);
    assert_non_null(strstr(custos_errmsg(ctx), "0 or 1"));
    assert_int_equal(ta_count(ctx, "audit_entry"), before);
    assert_int_equal(custos_audit_set_optional(NULL, 0), CUSTOS_EINVAL);
    int enabled;
    assert_int_equal(custos_audit_get_optional(NULL, &enabled), CUSTOS_EINVAL);
    assert_int_equal(custos_audit_get_optional(ctx, NULL), CUSTOS_EINVAL);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static size_t count_hits(const uint8_t *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle), hits = 0;
    for (size_t i = 0; i + k <= n; i++)
        hits += memcmp(hay + i, needle, k) == 0;
    return hits;
}

static size_t hits_in_dir(const char *dir, const char *needle)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    size_t hits = 0;
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t len = 0;
        uint8_t *b = e->d_name[0] == '.' ? NULL : th_read_file(path, &len);
        if (b != NULL)
            hits += count_hits(b, len, needle);
        free(b);
    }
    closedir(d);
    return hits;
}

static void test_entries_contain_no_subject_id(void **state)
{
    (void)state;
    static const char id[] = "subject-7f3a9c-alice@example.com";
    char *dir = th_tmpdir("audit-pii");
    custos_t *ctx = th_open(dir);
    uint8_t h[32];
    assert_int_equal(custos__subject_hash(ctx, h, id), CUSTOS_OK);
    for (int kind = CUSTOS_AUDIT_STORE_CREATED; kind <= CUSTOS_AUDIT_ACCESS; kind++)
        ta_append(ctx, kind, h, 2, "given");
    size_t total = 0;
    for (int64_t seq = 1; seq <= ta_count(ctx, "audit_entry"); seq++) {
        size_t len = 0;
        uint8_t *b = ta_row(ctx, "audit_entry", seq, &len);
        total += count_hits(b, len, id) + count_hits(b, len, "alice");
        free(b);
    }
    assert_int_equal(total, 0);
    size_t len = 0;
    uint8_t *x = NULL;
    assert_int_equal(custos_audit_export(ctx, NULL, 0, &len), CUSTOS_ERANGE);
    x = malloc(len);
    assert_int_equal(custos_audit_export(ctx, x, len, &len), CUSTOS_OK);
    assert_int_equal(count_hits(x, len, id), 0);
    free(x);
    custos_close(ctx);
    assert_int_equal(hits_in_dir(dir, id), 0);
    assert_int_equal(hits_in_dir(dir, "alice"), 0);
    th_tmpdir_remove(dir);
}

/* The keyed hash is what the entry carries: equal ids give equal hashes, so
 * entries of one subject can be correlated by someone holding the store, but
 * not linked to the id without the device index key. */
static void test_entry_subject_is_the_keyed_hash(void **state)
{
    (void)state;
    char *dir = th_tmpdir("audit-hash");
    custos_t *ctx = th_open(dir);
    uint8_t h[32], unkeyed[32];
    assert_int_equal(custos__subject_hash(ctx, h, "bob"), CUSTOS_OK);
    crypto_generichash(unkeyed, 32, (const uint8_t *)"bob", 3, NULL, 0);
    assert_memory_not_equal(h, unkeyed, 32);
    ta_append(ctx, CUSTOS_AUDIT_ERASE, h, -1, "subject");
    size_t len = 0;
    uint8_t *b = ta_row(ctx, "audit_entry", 2, &len);
    Custos__V1__AuditEntry *e = custos__v1__audit_entry__unpack(NULL, len, b);
    assert_non_null(e);
    assert_true(e->has_subject_hash);
    assert_memory_equal(e->subject_hash.data, h, 32);
    custos__v1__audit_entry__free_unpacked(e, NULL);
    free(b);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_optional_events_are_recorded_by_default),
        cmocka_unit_test(test_optout_drops_optional_events_and_keeps_mandatory),
        cmocka_unit_test(test_optin_records_optional_events_again),
        cmocka_unit_test(test_optout_persists_across_reopen),
        cmocka_unit_test(test_each_optout_change_is_a_mandatory_settings_entry),
        cmocka_unit_test(test_set_optional_rejects_other_values),
        cmocka_unit_test(test_entries_contain_no_subject_id),
        cmocka_unit_test(test_entry_subject_is_the_keyed_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
