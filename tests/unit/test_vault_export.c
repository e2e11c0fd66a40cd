/* Export of one subject's records to a recipient, and import into another store. */
#include "test_vault_helpers.h"

#include <sys/stat.h>
#include <unistd.h>

typedef struct fixture {
    char *dir, *dir2, path[4096];
    custos_t *src, *dst;
    custos_subject alice, bob, dst_alice;
    uint8_t pk[32], sk[32];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->src = tv_fresh(&f->dir, "vexp-src", &f->alice, &f->bob);
    f->dst = tv_fresh(&f->dir2, "vexp-dst", &f->dst_alice, NULL);
    snprintf(f->path, sizeof f->path, "%s/alice.export", f->dir);
    assert_int_equal(custos_export_keypair(f->pk, f->sk), CUSTOS_OK);
    tv_put(f->src, f->alice, 1, 1, "video frame");
    tv_put(f->src, f->bob, 1, 1, "bob's frame");
    tv_put(f->src, f->alice, 2, 2, "device id 42");
    tv_put(f->src, f->alice, 1, 2, "");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    custos_close(f->src);
    custos_close(f->dst);
    th_tmpdir_remove(f->dir);
    th_tmpdir_remove(f->dir2);
    free(f);
    return 0;
}

static void export_alice(fixture *f)
{
    int rc = custos_vault_export(f->src, f->path, f->alice, f->pk);
    if (rc != CUSTOS_OK)
        fprintf(stderr, "export: %s\n", custos_errmsg(f->src));
    assert_int_equal(rc, CUSTOS_OK);
}

static int64_t dst_records(fixture *f) { return tv_count(f->dst, "SELECT count(*) FROM vault_record"); }

/* Rewrite the export file with a change, then expect import to refuse it whole. */
static void expect_refused(fixture *f, const uint8_t *bytes, size_t len, int code)
{
    FILE *out = fopen(f->path, "wb");
    assert_non_null(out);
    assert_int_equal(fwrite(bytes, 1, len, out), len);
    fclose(out);
    size_t n = 99;
    assert_int_equal(custos_vault_import(f->dst, &n, f->path, f->dst_alice, f->pk, f->sk), code);
    assert_int_equal(n, 0);
    assert_int_equal(dst_records(f), 0);
}

struct collected { int n; char text[4][32]; };

static int collect(void *user, const custos_vault_info *info, const uint8_t *data, size_t len)
{
    struct collected *c = user;
    (void)info;
    snprintf(c->text[c->n++], 32, "%.*s", (int)len, (const char *)data);
    return 0;
}

static void test_export_then_import_round_trips_one_subject(void **state)
{
    fixture *f = *state;
    export_alice(f);
    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    size_t n = 0;
    assert_int_equal(custos_vault_import(f->dst, &n, f->path, f->dst_alice, f->pk, f->sk), CUSTOS_OK);
    assert_int_equal(n, 3);
    struct collected c = { 0 };
    assert_int_equal(custos_vault_foreach(f->dst, f->dst_alice, collect, &c), CUSTOS_OK);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.text[0], "video frame");
    assert_string_equal(c.text[1], "device id 42");
    assert_string_equal(c.text[2], "");
}

static void test_import_reseals_under_the_importing_stores_keys(void **state)
{
    fixture *f = *state;
    export_alice(f);
    size_t n = 0;
    assert_int_equal(custos_vault_import(f->dst, &n, f->path, f->dst_alice, f->pk, f->sk), CUSTOS_OK);
    int a_len, b_len;
    uint8_t *a = tv_blob(f->src, "SELECT wrapped FROM vault_key WHERE purpose=?1 LIMIT 1", 1, &a_len);
    uint8_t *b = tv_blob(f->dst, "SELECT wrapped FROM vault_key WHERE purpose=?1 LIMIT 1", 1, &b_len);
    assert_int_equal(a_len, b_len);
    assert_memory_not_equal(a, b, (size_t)a_len);
    free(a);
    free(b);
}

static void test_import_of_truncated_file_is_ecorrupt_and_stores_nothing(void **state)
{
    fixture *f = *state;
    export_alice(f);
    size_t len;
    uint8_t *bytes = th_read_file(f->path, &len);
    /* Without the FINAL chunk (its 4-byte length + 12 + 17 bytes), and cut anywhere else. */
    expect_refused(f, bytes, len - (4 + 12 + 17), CUSTOS_ECORRUPT);
    assert_non_null(strstr(custos_errmsg(f->dst), "truncated"));
    for (size_t cut = 0; cut < len; cut += 7)
        expect_refused(f, bytes, cut, CUSTOS_ECORRUPT);
    free(bytes);
}

static void test_import_of_reordered_chunks_is_ecorrupt(void **state)
{
    fixture *f = *state;
    export_alice(f);
    size_t len;
    uint8_t *bytes = th_read_file(f->path, &len);
    /* Swap the second and third record chunks. */
    size_t p1 = 120, l1 = 4 + (bytes[p1] | (size_t)bytes[p1 + 1] << 8);
    size_t p2 = p1 + l1, l2 = 4 + (bytes[p2] | (size_t)bytes[p2 + 1] << 8);
    size_t p3 = p2 + l2, l3 = 4 + (bytes[p3] | (size_t)bytes[p3 + 1] << 8);
    uint8_t *swapped = malloc(len);
    memcpy(swapped, bytes, p2);
    memcpy(swapped + p2, bytes + p3, l3);
    memcpy(swapped + p2 + l3, bytes + p2, l2);
    memcpy(swapped + p2 + l3 + l2, bytes + p3 + l3, len - p3 - l3);
    expect_refused(f, swapped, len, CUSTOS_ECORRUPT);
    assert_non_null(strstr(custos_errmsg(f->dst), "reordered"));
    free(swapped);
    free(bytes);
}

static void test_import_of_any_flipped_bit_is_refused(void **state)
{
    fixture *f = *state;
    export_alice(f);
    size_t len;
    uint8_t *bytes = th_read_file(f->path, &len);
    for (size_t pos = 0; pos < len; pos++) {
        bytes[pos] ^= (uint8_t)(1u << (pos % 8));
        FILE *out = fopen(f->path, "wb");
        assert_int_equal(fwrite(bytes, 1, len, out), len);
        fclose(out);
        bytes[pos] ^= (uint8_t)(1u << (pos % 8));
        size_t n = 99;
        int rc = custos_vault_import(f->dst, &n, f->path, f->dst_alice, f->pk, f->sk);
        /* The sealed stream key (bytes 16..95) is the recipient's: EKEY; the
         * version fields: EVERSION; everything else: ECORRUPT. */
        if (pos >= 16 && pos < 96)
            assert_int_equal(rc, CUSTOS_EKEY);
        else if (pos >= 8 && pos < 16)
            assert_int_equal(rc, CUSTOS_EVERSION);
        else
            assert_int_equal(rc, CUSTOS_ECORRUPT);
        assert_int_equal(n, 0);
    }
    assert_int_equal(dst_records(f), 0);
    free(bytes);
}

static void test_import_with_bytes_after_the_final_chunk_is_ecorrupt(void **state)
{
    fixture *f = *state;
    export_alice(f);
    size_t len;
    uint8_t *bytes = th_read_file(f->path, &len);
    uint8_t *longer = calloc(1, len + 5);
    memcpy(longer, bytes, len);
    expect_refused(f, longer, len + 5, CUSTOS_ECORRUPT);
    assert_non_null(strstr(custos_errmsg(f->dst), "follow the final"));
    free(longer);
    free(bytes);
}

static void test_import_with_another_recipients_key_is_ekey(void **state)
{
    fixture *f = *state;
    export_alice(f);
    uint8_t pk2[32], sk2[32];
    assert_int_equal(custos_export_keypair(pk2, sk2), CUSTOS_OK);
    size_t n = 99;
    assert_int_equal(custos_vault_import(f->dst, &n, f->path, f->dst_alice, pk2, sk2), CUSTOS_EKEY);
    assert_int_equal(dst_records(f), 0);
}

static void test_import_for_a_purpose_without_consent_is_denied_whole(void **state)
{
    fixture *f = *state;
    export_alice(f);
    custos_consent_info info = CUSTOS_CONSENT_INFO_INIT;
    assert_int_equal(custos_consent_withdraw(f->dst, f->dst_alice, 2, &info), CUSTOS_OK);
    size_t n = 99;
    assert_int_equal(custos_vault_import(f->dst, &n, f->path, f->dst_alice, f->pk, f->sk), CUSTOS_EDENIED);
    assert_non_null(strstr(custos_errmsg(f->dst), "nothing was imported"));
    assert_int_equal(n, 0);
    assert_int_equal(dst_records(f), 0);
}

static void test_import_of_a_foreign_file_is_ecorrupt(void **state)
{
    fixture *f = *state;
    uint8_t junk[200];
    memset(junk, 'j', sizeof junk); /* longer than an export header, and not one */
    expect_refused(f, junk, sizeof junk, CUSTOS_ECORRUPT);
    size_t n;
    assert_int_equal(custos_vault_import(f->dst, &n, "/nonexistent/x", f->dst_alice, f->pk, f->sk), CUSTOS_ENOTFOUND);
}

static void test_export_of_subject_without_records_imports_nothing(void **state)
{
    fixture *f = *state;
    assert_int_equal(custos_vault_export(f->dst, f->path, f->dst_alice, f->pk), CUSTOS_OK);
    size_t n = 99;
    assert_int_equal(custos_vault_import(f->src, &n, f->path, f->bob, f->pk, f->sk), CUSTOS_OK);
    assert_int_equal(n, 0);
}

static void test_export_bad_arguments_are_einval(void **state)
{
    fixture *f = *state;
    size_t n;
    assert_int_equal(custos_vault_export(f->src, NULL, f->alice, f->pk), CUSTOS_EINVAL);
    assert_int_equal(custos_vault_export(f->src, f->path, f->alice, NULL), CUSTOS_EINVAL);
    assert_int_equal(custos_vault_export(f->src, f->path, 4242, f->pk), CUSTOS_ENOTFOUND);
    assert_int_equal(access(f->path, F_OK), -1);
    assert_int_equal(custos_vault_import(f->dst, &n, NULL, f->dst_alice, f->pk, f->sk), CUSTOS_EINVAL);
    assert_int_equal(custos_vault_import(f->dst, &n, f->path, f->dst_alice, f->pk, NULL), CUSTOS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_export_then_import_round_trips_one_subject, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_reseals_under_the_importing_stores_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_of_truncated_file_is_ecorrupt_and_stores_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_of_reordered_chunks_is_ecorrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_of_any_flipped_bit_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_with_bytes_after_the_final_chunk_is_ecorrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_with_another_recipients_key_is_ekey, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_for_a_purpose_without_consent_is_denied_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_import_of_a_foreign_file_is_ecorrupt, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_of_subject_without_records_imports_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_bad_arguments_are_einval, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
