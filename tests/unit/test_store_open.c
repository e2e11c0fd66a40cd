/* Opening a store: creation, reopening, and every way a header can be wrong. */
#include "harness.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_create_then_reopen_keeps_device_identity(void **state)
{
    (void)state;
    char *dir = th_tmpdir("open");
    custos_t *ctx = th_open(dir);
    uint8_t id1[16], id2[16], pk1[32], pk2[32];
    assert_int_equal(custos_device_id(ctx, id1), CUSTOS_OK);
    assert_int_equal(custos_device_public_key(ctx, pk1), CUSTOS_OK);
    custos_close(ctx);

    custos_open_options opts = CUSTOS_OPEN_OPTIONS_INIT;
    opts.flags = 0; /* must exist now */
    assert_int_equal(custos_open(&ctx, dir, &opts), CUSTOS_OK);
    assert_int_equal(custos_device_id(ctx, id2), CUSTOS_OK);
    assert_int_equal(custos_device_public_key(ctx, pk2), CUSTOS_OK);
    assert_memory_equal(id1, id2, 16);
    assert_memory_equal(pk1, pk2, 32);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_two_stores_have_different_device_keys(void **state)
{
    (void)state;
    char *a = th_tmpdir("a"), *b = th_tmpdir("b");
    custos_t *ca = th_open(a), *cb = th_open(b);
    uint8_t pa[32], pb[32], ia[16], ib[16];
    assert_int_equal(custos_device_public_key(ca, pa), CUSTOS_OK);
    assert_int_equal(custos_device_public_key(cb, pb), CUSTOS_OK);
    assert_int_equal(custos_device_id(ca, ia), CUSTOS_OK);
    assert_int_equal(custos_device_id(cb, ib), CUSTOS_OK);
    assert_memory_not_equal(pa, pb, 32);
    assert_memory_not_equal(ia, ib, 16);
    custos_close(ca);
    custos_close(cb);
    th_tmpdir_remove(a);
    th_tmpdir_remove(b);
}

static void test_key_file_is_private(void **state)
{
    (void)state;
    char *dir = th_tmpdir("mode");
    custos_close(th_open(dir));
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/keys", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0077, 0);
    th_tmpdir_remove(dir);
}

static void test_open_without_create_on_missing_store_is_enotfound(void **state)
{
    (void)state;
    char *dir = th_tmpdir("missing");
    custos_open_options opts = CUSTOS_OPEN_OPTIONS_INIT;
    opts.flags = 0;
    custos_t *ctx = (custos_t *)1;
    assert_int_equal(custos_open(&ctx, dir, &opts), CUSTOS_ENOTFOUND);
    assert_null(ctx);
    assert_non_null(strstr(custos_last_error(), "no store"));
    th_tmpdir_remove(dir);
}

static void test_foreign_header_is_enotstore(void **state)
{
    (void)state;
    char *dir = th_tmpdir("foreign");
    th_write_file(dir, "STORE", "SQLite format 3\0 and so on, not ours", 36);
    custos_t *ctx = NULL;
    assert_int_equal(custos_open(&ctx, dir, NULL), CUSTOS_ENOTSTORE);
    assert_null(ctx);
    th_tmpdir_remove(dir);
}

static void test_path_that_is_a_file_is_enotstore(void **state)
{
    (void)state;
    char *dir = th_tmpdir("file");
    th_write_file(dir, "plain", "hello", 5);
    char path[4096];
    snprintf(path, sizeof path, "%s/plain", dir);
    custos_t *ctx = NULL;
    assert_int_equal(custos_open(&ctx, path, NULL), CUSTOS_ENOTSTORE);
    th_tmpdir_remove(dir);
}

static void copy_header(const char *dir, uint8_t out[64])
{
    char path[4096];
    size_t len = 0;
    snprintf(path, sizeof path, "%s/STORE", dir);
    uint8_t *h = th_read_file(path, &len);
    assert_non_null(h);
    assert_int_equal(len, 64);
    memcpy(out, h, 64);
    free(h);
}

static void test_every_truncation_of_header_is_ecorrupt(void **state)
{
    (void)state;
    char *dir = th_tmpdir("trunc");
    custos_close(th_open(dir));
    uint8_t h[64];
    copy_header(dir, h);
    for (size_t len = 0; len < 64; len++) {
        th_write_file(dir, "STORE", h, len);
        custos_t *ctx = NULL;
        int rc = custos_open(&ctx, dir, NULL);
        assert_int_equal(rc, CUSTOS_ECORRUPT);
        assert_null(ctx);
    }
    th_tmpdir_remove(dir);
}

static void test_every_flipped_header_bit_is_refused(void **state)
{
    (void)state;
    char *dir = th_tmpdir("flip");
    custos_close(th_open(dir));
    uint8_t h[64];
    copy_header(dir, h);
    for (size_t bit = 0; bit < 64 * 8; bit++) {
        uint8_t m[64];
        memcpy(m, h, 64);
        m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        th_write_file(dir, "STORE", m, 64);
        custos_t *ctx = NULL;
        int rc = custos_open(&ctx, dir, NULL);
        assert_true(rc == CUSTOS_ECORRUPT || rc == CUSTOS_ENOTSTORE || rc == CUSTOS_EVERSION);
        assert_null(ctx);
    }
    th_write_file(dir, "STORE", h, 64);
    custos_close(th_open(dir));
    th_tmpdir_remove(dir);
}

static void test_newer_store_format_is_eversion(void **state)
{
    (void)state;
    char *dir = th_tmpdir("newer");
    custos_close(th_open(dir));
    uint8_t h[64];
    copy_header(dir, h);
    h[8] = (uint8_t)(CUSTOS_STORE_FORMAT_VERSION + 1);
    th_write_file(dir, "STORE", h, 64);
    custos_t *ctx = NULL;
    assert_int_equal(custos_open(&ctx, dir, NULL), CUSTOS_EVERSION);
    assert_non_null(strstr(custos_last_error(), "upgrade Custos"));
    th_tmpdir_remove(dir);
}

static void test_database_without_header_is_ecorrupt(void **state)
{
    (void)state;
    char *dir = th_tmpdir("nohdr");
    custos_close(th_open(dir));
    char path[4096];
    snprintf(path, sizeof path, "%s/STORE", dir);
    assert_int_equal(unlink(path), 0);
    custos_t *ctx = NULL;
    assert_int_equal(custos_open(&ctx, dir, NULL), CUSTOS_ECORRUPT);
    th_tmpdir_remove(dir);
}

static void test_damaged_key_file_is_refused(void **state)
{
    (void)state;
    char *dir = th_tmpdir("keys");
    custos_close(th_open(dir));
    char path[4096];
    size_t len = 0;
    snprintf(path, sizeof path, "%s/keys", dir);
    uint8_t *k = th_read_file(path, &len);
    k[20] ^= 1;
    th_write_file(dir, "keys", k, len);
    custos_t *ctx = NULL;
    assert_int_equal(custos_open(&ctx, dir, NULL), CUSTOS_ECORRUPT);
    th_write_file(dir, "keys", k, 10);
    assert_int_equal(custos_open(&ctx, dir, NULL), CUSTOS_ECORRUPT);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(custos_open(&ctx, dir, NULL), CUSTOS_EKEY);
    free(k);
    th_tmpdir_remove(dir);
}

static void test_database_is_wal_with_secure_delete(void **state)
{
    (void)state;
    char *dir = th_tmpdir("wal");
    custos_t *ctx = th_open(dir);
    char path[4096];
    snprintf(path, sizeof path, "%s/custos.db", dir);
    size_t len = 0;
    uint8_t *db = th_read_file(path, &len);
    assert_non_null(db);
    assert_true(len >= 100);
    /* File format bytes 18 and 19 are 2 in WAL mode. */
    assert_int_equal(db[18], 2);
    assert_int_equal(db[19], 2);
    free(db);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_bad_arguments_are_einval(void **state)
{
    (void)state;
    custos_t *ctx = NULL;
    assert_int_equal(custos_open(NULL, "/tmp", NULL), CUSTOS_EINVAL);
    assert_int_equal(custos_open(&ctx, NULL, NULL), CUSTOS_EINVAL);
    assert_int_equal(custos_open(&ctx, "", NULL), CUSTOS_EINVAL);
    custos_open_options opts = CUSTOS_OPEN_OPTIONS_INIT;
    opts.version = 99;
    assert_int_equal(custos_open(&ctx, "/tmp/x", &opts), CUSTOS_EVERSION);
    custos_close(NULL);
}

static void test_strerror_names_every_code(void **state)
{
    (void)state;
    for (int code = 0; code > CUSTOS_E__LAST; code--) {
        const char *s = custos_strerror(code);
        assert_non_null(s);
        assert_int_equal(strncmp(s, "CUSTOS_", 7), 0);
        assert_null(strstr(s, "unknown error code"));
    }
    assert_non_null(strstr(custos_strerror(1), "unknown"));
    assert_non_null(strstr(custos_strerror(CUSTOS_E__LAST), "unknown"));
}

static void test_second_process_open_is_ebusy(void **state)
{
    (void)state;
    char *dir = th_tmpdir("busy");
    custos_t *ctx = th_open(dir);
    custos_t *other = NULL;
    /* flock is per open file description: a second open in this process
     * conflicts exactly as another process would. */
    assert_int_equal(custos_open(&other, dir, NULL), CUSTOS_EBUSY);
    custos_close(ctx);
    custos_close(th_open(dir));
    th_tmpdir_remove(dir);
}

/* Under umask 022 SQLite would make custos.db 0644 and give -wal and -shm
 * the same mode: all three are 0600, the store's directory 0700. */
static void test_database_wal_and_shm_are_private_under_umask_022(void **state)
{
    (void)state;
    mode_t old = umask(022);
    char *dir = th_tmpdir("dbmode");
    custos_t *ctx = th_open(dir);
    custos_subject s;
    assert_int_equal(custos_subject_add(ctx, &s, "mode-check", CUSTOS_ROLE_OWNER), CUSTOS_OK);
    static const char *const names[] = { "custos.db", "custos.db-wal", "custos.db-shm" };
    for (int i = 0; i < 3; i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        assert_int_equal(stat(path, &st), 0);
        if ((st.st_mode & 0777) != 0600)
            fail_msg("%s is mode %03o, not 0600", names[i], (unsigned)(st.st_mode & 0777));
    }
    custos_close(ctx);
    umask(old);
    th_tmpdir_remove(dir);
}

/* A database left 0644 by an older Custos is made 0600 when opened. */
static void test_open_makes_an_existing_database_private(void **state)
{
    (void)state;
    char *dir = th_tmpdir("dbmode2");
    custos_close(th_open(dir));
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/custos.db", dir);
    assert_int_equal(chmod(path, 0644), 0);
    custos_close(th_open(dir));
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    th_tmpdir_remove(dir);
}

/* A key file group or others may read or write is refused at open, with
 * the command that fixes it; owner-only modes open. */
static void test_key_file_open_to_group_or_others_is_refused(void **state)
{
    (void)state;
    char *dir = th_tmpdir("keymode");
    custos_close(th_open(dir));
    char path[4096], fix[4200];
    snprintf(path, sizeof path, "%s/keys", dir);
    snprintf(fix, sizeof fix, "chmod 600 %s", path);
    static const mode_t bad[] = { 0640, 0604, 0620, 0602, 0666 };
    custos_open_options opts = CUSTOS_OPEN_OPTIONS_INIT;
    opts.flags = 0;
    custos_t *ctx = NULL;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(chmod(path, bad[i]), 0);
        assert_int_equal(custos_open(&ctx, dir, &opts), CUSTOS_EKEY);
        if (strstr(custos_last_error(), fix) == NULL)
            fail_msg("mode %03o: '%s' lacks '%s'", (unsigned)bad[i], custos_last_error(), fix);
    }
    assert_int_equal(chmod(path, 0400), 0);
    assert_int_equal(custos_open(&ctx, dir, &opts), CUSTOS_OK);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static custos_t *open_flags(const char *dir, unsigned flags, int *rc)
{
    custos_open_options opts = CUSTOS_OPEN_OPTIONS_INIT;
    opts.flags = flags;
    custos_t *ctx = NULL;
    *rc = custos_open(&ctx, dir, &opts);
    return ctx;
}

/* A store whose database was deleted, emptied or cut short never opens as an
 * empty store under its old keys, not even when the caller asks to create. */
static void test_missing_empty_or_truncated_database_is_ecorrupt(void **state)
{
    (void)state;
    static const struct { long size; const char *says; } cuts[] = {
        { -1, "custos.db is missing" }, { 0, "custos.db is empty" }, { 100, "truncated" },
        { 4096, "truncated (4096 of" }, { 8192, "truncated (8192 of" },
    };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        char *dir = th_tmpdir("dbcut");
        custos_t *ctx = th_open(dir);
        custos_subject alice;
        assert_int_equal(custos_subject_add(ctx, &alice, "alice", CUSTOS_ROLE_OWNER), CUSTOS_OK);
        custos_close(ctx);
        char path[4096];
        snprintf(path, sizeof path, "%s/custos.db", dir);
        if (cuts[i].size < 0)
            assert_int_equal(unlink(path), 0);
        else
            assert_int_equal(truncate(path, cuts[i].size), 0);
        for (unsigned create = 0; create < 2; create++) {
            int rc;
            ctx = open_flags(dir, create ? CUSTOS_OPEN_CREATE : 0, &rc);
            assert_null(ctx);
            assert_int_equal(rc, CUSTOS_ECORRUPT);
            if (strstr(custos_last_error(), cuts[i].says) == NULL)
                fail_msg("cut %ld: '%s' lacks '%s'", cuts[i].size, custos_last_error(), cuts[i].says);
        }
        th_tmpdir_remove(dir);
    }
}

/* A creation cut short (its marker still there) is finished by the next
 * create and is no store to an open that does not create. */
static void test_interrupted_creation_is_finished_by_create(void **state)
{
    (void)state;
    char *dir = th_tmpdir("halfmade");
    custos_close(th_open(dir));
    char path[4096];
    snprintf(path, sizeof path, "%s/custos.db", dir);
    assert_int_equal(unlink(path), 0);
    th_write_file(dir, "CREATING", "", 0);
    int rc;
    assert_null(open_flags(dir, 0, &rc));
    assert_int_equal(rc, CUSTOS_ENOTFOUND);
    custos_t *ctx = open_flags(dir, CUSTOS_OPEN_CREATE, &rc);
    assert_int_equal(rc, CUSTOS_OK);
    custos_close(ctx);
    snprintf(path, sizeof path, "%s/CREATING", dir);
    assert_int_equal(access(path, F_OK), -1);
    ctx = open_flags(dir, 0, &rc);
    assert_int_equal(rc, CUSTOS_OK);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

/* /var is a symlink to /private/var on Apple platforms: a store below a
 * symlinked directory opens; custos.db itself is never followed. */
static void test_store_below_a_symlinked_directory_opens(void **state)
{
    (void)state;
    char *real = th_tmpdir("linked");
    char link_path[4096], dir[4200];
    snprintf(link_path, sizeof link_path, "%s.link", real);
    assert_int_equal(symlink(real, link_path), 0);
    snprintf(dir, sizeof dir, "%s/store", link_path);
    custos_t *ctx = th_open(dir);
    custos_subject alice;
    assert_int_equal(custos_subject_add(ctx, &alice, "alice", CUSTOS_ROLE_OWNER), CUSTOS_OK);
    custos_close(ctx);
    int rc;
    ctx = open_flags(dir, 0, &rc);
    assert_int_equal(rc, CUSTOS_OK);
    custos_close(ctx);
    /* custos.db as a symlink is still refused. */
    char db[4300], moved[4300];
    snprintf(db, sizeof db, "%s/store/custos.db", real);
    snprintf(moved, sizeof moved, "%s/store/elsewhere.db", real);
    assert_int_equal(rename(db, moved), 0);
    assert_int_equal(symlink(moved, db), 0);
    assert_null(open_flags(dir, 0, &rc));
    assert_int_not_equal(rc, CUSTOS_OK);
    assert_int_equal(unlink(link_path), 0);
    th_tmpdir_remove(real);
}

static int refuse_open(void *st, const char *dir, int create)
{
    (void)st, (void)dir, (void)create;
    return CUSTOS_EKEY;
}

/* A create that fails leaves nothing behind: the next create starts afresh. */
static void test_failed_create_leaves_nothing(void **state)
{
    (void)state;
    char *parent = th_tmpdir("failcreate");
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/store", parent);
    custos_key_provider *file = NULL;
    assert_int_equal(custos_key_provider_file(&file), CUSTOS_OK);
    custos_key_provider bad = *file;
    bad.open = refuse_open;
    custos_open_options opts = CUSTOS_OPEN_OPTIONS_INIT;
    opts.key_provider = &bad;
    custos_t *ctx = NULL;
    assert_int_equal(custos_open(&ctx, dir, &opts), CUSTOS_EKEY);
    assert_int_equal(access(dir, F_OK), -1); /* not even the directory */
    custos_key_provider_free(file);
    /* Failing after the keys were made: they go too. */
    custos_open_options novfs = CUSTOS_OPEN_OPTIONS_INIT;
    novfs.sqlite_vfs = "no-such-vfs";
    assert_int_not_equal(custos_open(&ctx, dir, &novfs), CUSTOS_OK);
    assert_null(ctx);
    assert_int_equal(access(dir, F_OK), -1);
    ctx = th_open(dir);
    assert_non_null(ctx);
    custos_close(ctx);
    th_tmpdir_remove(parent);
}

/* A schema that is not Custos's is CUSTOS_ECORRUPT, and the names SQLite
 * quotes from the damaged file reach the message escaped. */
static void test_damaged_schema_is_ecorrupt_and_escaped(void **state)
{
    (void)state;
    char *dir = th_tmpdir("schema");
    custos_close(th_open(dir));
    (void)th_db_edit(dir, "PRAGMA writable_schema=ON;"
                          "UPDATE sqlite_master SET sql='CREATE TABLE consent_state(\x01\xff\xfe'"
                          " WHERE name='consent_state';");
    int rc;
    assert_null(open_flags(dir, 0, &rc));
    assert_int_equal(rc, CUSTOS_ECORRUPT);
    const char *msg = custos_last_error();
    assert_true(msg[0] != '\0');
    for (const unsigned char *p = (const unsigned char *)msg; *p != '\0'; p++)
        if (*p < 0x20 || *p >= 0x7f)
            fail_msg("raw byte 0x%02x in '%s'", *p, msg);
    th_tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_then_reopen_keeps_device_identity),
        cmocka_unit_test(test_two_stores_have_different_device_keys),
        cmocka_unit_test(test_key_file_is_private),
        cmocka_unit_test(test_key_file_open_to_group_or_others_is_refused),
        cmocka_unit_test(test_database_wal_and_shm_are_private_under_umask_022),
        cmocka_unit_test(test_open_makes_an_existing_database_private),
        cmocka_unit_test(test_open_without_create_on_missing_store_is_enotfound),
        cmocka_unit_test(test_foreign_header_is_enotstore),
        cmocka_unit_test(test_path_that_is_a_file_is_enotstore),
        cmocka_unit_test(test_every_truncation_of_header_is_ecorrupt),
        cmocka_unit_test(test_every_flipped_header_bit_is_refused),
        cmocka_unit_test(test_newer_store_format_is_eversion),
        cmocka_unit_test(test_database_without_header_is_ecorrupt),
        cmocka_unit_test(test_damaged_key_file_is_refused),
        cmocka_unit_test(test_database_is_wal_with_secure_delete),
        cmocka_unit_test(test_bad_arguments_are_einval),
        cmocka_unit_test(test_strerror_names_every_code),
        cmocka_unit_test(test_second_process_open_is_ebusy),
        cmocka_unit_test(test_missing_empty_or_truncated_database_is_ecorrupt),
        cmocka_unit_test(test_interrupted_creation_is_finished_by_create),
        cmocka_unit_test(test_store_below_a_symlinked_directory_opens),
        cmocka_unit_test(test_failed_create_leaves_nothing),
        cmocka_unit_test(test_damaged_schema_is_ecorrupt_and_escaped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
