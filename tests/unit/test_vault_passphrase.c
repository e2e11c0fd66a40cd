/* The passphrase key provider: Argon2id once, then the key file sealed. */
#include "test_vault_helpers.h"
#include "keyprov/keyprov_internal.h"
#include <sodium.h>

static custos_t *open_with(const char *dir, const char *pass, custos_key_provider **kp, int *rc)
{
    assert_int_equal(custos_key_provider_passphrase(kp, pass, strlen(pass)), CUSTOS_OK);
    custos_open_options o = tv_options();
    o.key_provider = *kp;
    custos_t *ctx = NULL;
    *rc = custos_open(&ctx, dir, &o);
    return ctx;
}

static int setup(void **state)
{
    (void)state;
    /* Tests use the minimum cost; the stored parameters are what is checked. */
    custos__passphrase_set_limits(crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN);
    return 0;
}

static void test_store_reopens_with_the_same_passphrase(void **state)
{
    (void)state;
    char *dir = th_tmpdir("pw");
    custos_key_provider *kp;
    int rc;
    custos_t *ctx = open_with(dir, "correct horse battery staple", &kp, &rc);
    assert_int_equal(rc, CUSTOS_OK);
    custos_subject alice;
    tv_populate(ctx, &alice, NULL);
    custos_record_id id = tv_put(ctx, alice, 1, 1, "sealed under a passphrase");
    assert_int_equal(custos_vault_rotate_kek(ctx), CUSTOS_OK); /* rewrites the sealed key file */
    custos_close(ctx);
    custos_key_provider_free(kp);
    ctx = open_with(dir, "correct horse battery staple", &kp, &rc);
    assert_int_equal(rc, CUSTOS_OK);
    tv_expect(ctx, id, "sealed under a passphrase");
    custos_close(ctx);
    custos_key_provider_free(kp);
    th_tmpdir_remove(dir);
}

static void test_wrong_passphrase_is_ekey(void **state)
{
    (void)state;
    char *dir = th_tmpdir("pwbad");
    custos_key_provider *kp;
    int rc;
    custos_close(open_with(dir, "right", &kp, &rc));
    assert_int_equal(rc, CUSTOS_OK);
    custos_key_provider_free(kp);
    custos_t *ctx = open_with(dir, "wrong", &kp, &rc);
    assert_int_equal(rc, CUSTOS_EKEY);
    assert_null(ctx);
    assert_non_null(strstr(custos_last_error(), "wrong passphrase"));
    custos_key_provider_free(kp);
    th_tmpdir_remove(dir);
}

static void test_key_file_stores_argon2id_parameters_and_no_plain_keys(void **state)
{
    (void)state;
    char *dir = th_tmpdir("pwfile");
    custos_key_provider *kp;
    int rc;
    custos_close(open_with(dir, "pass", &kp, &rc));
    assert_int_equal(rc, CUSTOS_OK);
    custos_key_provider_free(kp);
    char path[4096];
    snprintf(path, sizeof path, "%s/keys", dir);
    size_t len;
    uint8_t *f = th_read_file(path, &len);
    assert_non_null(f);
    assert_memory_equal(f, "CUSTOSPW", 8);
    assert_int_equal(f[12], crypto_pwhash_ALG_ARGON2ID13);
    assert_int_equal(f[16], crypto_pwhash_OPSLIMIT_MIN);
    uint64_t mem = 0;
    for (int i = 7; i >= 0; i--)
        mem = mem << 8 | f[24 + i];
    assert_int_equal(mem, crypto_pwhash_MEMLIMIT_MIN);
    assert_null(memmem(f, len, "CUSTOSKY", 8)); /* the file provider's plain layout is not on disk */
    free(f);
    th_tmpdir_remove(dir);
}

static void test_altered_parameters_do_not_open(void **state)
{
    (void)state;
    char *dir = th_tmpdir("pwalt");
    custos_key_provider *kp;
    int rc;
    custos_close(open_with(dir, "pass", &kp, &rc));
    custos_key_provider_free(kp);
    char path[4096];
    snprintf(path, sizeof path, "%s/keys", dir);
    size_t len;
    uint8_t *f = th_read_file(path, &len);
    f[32] ^= 1; /* the salt: the derived key changes, and the header is authenticated */
    th_write_file(dir, "keys", f, len);
    assert_null(open_with(dir, "pass", &kp, &rc));
    assert_int_equal(rc, CUSTOS_EKEY);
    custos_key_provider_free(kp);
    f[32] ^= 1;
    f[24 + 7] = 0x7f; /* an absurd memory limit is refused before Argon2id runs */
    th_write_file(dir, "keys", f, len);
    assert_null(open_with(dir, "pass", &kp, &rc));
    assert_int_equal(rc, CUSTOS_ECORRUPT);
    custos_key_provider_free(kp);
    free(f);
    th_tmpdir_remove(dir);
}

static void test_passphrase_arguments_are_checked(void **state)
{
    (void)state;
    custos_key_provider *kp = (custos_key_provider *)1;
    assert_int_equal(custos_key_provider_passphrase(NULL, "x", 1), CUSTOS_EINVAL);
    assert_int_equal(custos_key_provider_passphrase(&kp, NULL, 1), CUSTOS_EINVAL);
    assert_null(kp);
    assert_int_equal(custos_key_provider_passphrase(&kp, "x", 0), CUSTOS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_reopens_with_the_same_passphrase),
        cmocka_unit_test(test_wrong_passphrase_is_ekey),
        cmocka_unit_test(test_key_file_stores_argon2id_parameters_and_no_plain_keys),
        cmocka_unit_test(test_altered_parameters_do_not_open),
        cmocka_unit_test(test_passphrase_arguments_are_checked),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
