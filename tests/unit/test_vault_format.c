/*
 * Store formats: the fixture store of every released format opens and reads,
 * a newer one is refused, and a migration step runs inside the open.
 *
 * This program is also the fixture generator (tests/data/stores/README.md):
 *     test_vault_format --make-fixture DIR
 */
#include "test_vault_helpers.h"
#include "vault/vault_migrate.h"

#include <dirent.h>
#include <sys/stat.h>

#define FIXTURE_1 CUSTOS_TEST_DATA "/stores/format1"

/* Payloads written into the fixture, in order: subject (0 alice, 1 bob), purpose, category, text. */
static const struct { int who; uint32_t purpose, category; const char *text; } fixture_records[] = {
    { 0, 1, 1, "format-1 video of alice" },
    { 0, 2, 2, "format-1 device id of alice" },
    { 1, 1, 2, "format-1 device id of bob" },
    { 0, 1, 1, "" },
};
#define N_FIXTURE (sizeof fixture_records / sizeof fixture_records[0])

static int make_fixture(const char *dir)
{
    custos_t *ctx = tv_open(dir);
    custos_subject s[2];
    tv_populate(ctx, &s[0], &s[1]);
    for (size_t i = 0; i < N_FIXTURE; i++) {
        custos_record_id id;
        const char *t = fixture_records[i].text;
        if (custos_vault_put(ctx, &id, s[fixture_records[i].who], fixture_records[i].purpose,
                             fixture_records[i].category, t, strlen(t)) != CUSTOS_OK)
            return 1;
    }
    custos_close(ctx);
    return 0;
}

/* Copy the fixture's files into a fresh directory (opening a store writes to it). */
static char *copy_fixture(const char *from)
{
    char *dir = th_tmpdir("fmt");
    DIR *d = opendir(from);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "README.md") == 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", from, e->d_name);
        size_t len;
        uint8_t *bytes = th_read_file(path, &len);
        assert_non_null(bytes);
        th_write_file(dir, e->d_name, bytes, len);
        free(bytes);
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        chmod(path, 0600);
    }
    closedir(d);
    return dir;
}

static void expect_fixture_records(custos_t *ctx)
{
    custos_subject s[2];
    assert_int_equal(custos_subject_find(ctx, &s[0], TV_ALICE_ID), CUSTOS_OK);
    assert_int_equal(custos_subject_find(ctx, &s[1], TV_BOB_ID), CUSTOS_OK);
    size_t seen[2] = { 0, 0 };
    for (int who = 0; who < 2; who++) {
        custos_record_id ids[8];
        size_t n = 0;
        assert_int_equal(custos_vault_list(ctx, ids, 8, &n, s[who]), CUSTOS_OK);
        for (size_t i = 0, k = 0; i < N_FIXTURE; i++) {
            if (fixture_records[i].who != who)
                continue;
            assert_true(k < n);
            tv_expect(ctx, ids[k++], fixture_records[i].text);
            seen[who]++;
        }
        assert_int_equal(n, seen[who]);
    }
}

static int user_version(custos_t *ctx) { return (int)tv_count(ctx, "PRAGMA user_version"); }

static void test_format_1_fixture_opens_and_reads_every_record(void **state)
{
    (void)state;
    char *dir = copy_fixture(FIXTURE_1);
    custos_t *ctx = tv_open(dir);
    assert_int_equal(user_version(ctx), CUSTOS_STORE_FORMAT_VERSION);
    expect_fixture_records(ctx);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

/* 1 -> 2: every key becomes seq 0 with no GCM seals counted; new records, and a scope's next key, work. */
static void test_format_1_keys_migrate_to_seq_0_and_new_records_use_them(void **state)
{
    (void)state;
    char *dir = copy_fixture(FIXTURE_1);
    custos_t *ctx = tv_open(dir);
    int64_t keys = tv_count(ctx, "SELECT count(*) FROM vault_key");
    assert_true(keys > 0);
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM vault_key WHERE seq=0 AND sealed_count=0"), keys);
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM sqlite_master WHERE name='vault_key_2'"), 0);
    expect_fixture_records(ctx);
    custos_subject alice;
    assert_int_equal(custos_subject_find(ctx, &alice, TV_ALICE_ID), CUSTOS_OK);
    custos__vault_test_key_limit(1);
    custos_record_id a = tv_put(ctx, alice, 1, 1, "after migration");
    custos_record_id b = tv_put(ctx, alice, 1, 1, "after migration, again");
    custos__vault_test_key_limit(0);
    tv_expect(ctx, a, "after migration");
    tv_expect(ctx, b, "after migration, again");
    if (tv_count(ctx, "SELECT count(*) FROM vault_record WHERE fmt=2") == 2) /* AES-GCM: counted */
        assert_int_equal(tv_count(ctx, "SELECT count(*) FROM vault_key"), keys + 1);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void set_user_version(const char *dir, int v)
{
    char path[4096], sql[64];
    snprintf(path, sizeof path, "%s/custos.db", dir);
    snprintf(sql, sizeof sql, "PRAGMA user_version=%d", v);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void test_store_of_a_newer_format_is_eversion(void **state)
{
    (void)state;
    char *dir = copy_fixture(FIXTURE_1);
    set_user_version(dir, (int)CUSTOS_STORE_FORMAT_VERSION + 1);
    char newer[32];
    snprintf(newer, sizeof newer, "format %u", CUSTOS_STORE_FORMAT_VERSION + 1);
    custos_open_options o = tv_options();
    o.flags = 0;
    custos_t *ctx = NULL;
    assert_int_equal(custos_open(&ctx, dir, &o), CUSTOS_EVERSION);
    assert_null(ctx);
    assert_non_null(strstr(custos_last_error(), newer));
    th_tmpdir_remove(dir);
}

static int step_adds_marker(custos_t *ctx)
{
    return custos__db_exec(ctx, "CREATE TABLE migrated_marker(x); INSERT INTO migrated_marker VALUES(1)");
}

static int step_fails(custos_t *ctx)
{
    (void)step_adds_marker(ctx); /* a half-done step: must roll back with the open */
    return custos__fail(ctx, CUSTOS_EIO, "simulated failure in the step");
}

static void test_migration_step_runs_at_open_and_raises_the_format(void **state)
{
    (void)state;
    static const custos_migration steps[] = { { 1, "add a marker table", step_adds_marker } };
    char *dir = copy_fixture(FIXTURE_1);
    custos__migrate_set_steps(steps, 1, 2);
    custos_t *ctx = tv_open(dir);
    assert_int_equal(user_version(ctx), 2);
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM migrated_marker"), 1);
    expect_fixture_records(ctx);
    custos_close(ctx);
    custos__migrate_set_steps(NULL, 0, 0);
    th_tmpdir_remove(dir);
}

static void test_failed_migration_step_leaves_the_store_in_its_old_format(void **state)
{
    (void)state;
    static const custos_migration steps[] = { { 1, "a step that fails", step_fails } };
    char *dir = copy_fixture(FIXTURE_1);
    custos__migrate_set_steps(steps, 1, 2);
    custos_open_options o = tv_options();
    custos_t *ctx = NULL;
    assert_int_equal(custos_open(&ctx, dir, &o), CUSTOS_EIO);
    assert_non_null(strstr(custos_last_error(), "migrating custos.db from format 1 (a step that fails)"));
    custos__migrate_set_steps(NULL, 0, 0);
    ctx = tv_open(dir); /* the built-in steps now run */
    assert_int_equal(user_version(ctx), CUSTOS_STORE_FORMAT_VERSION);
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM sqlite_master WHERE name='migrated_marker'"), 0);
    expect_fixture_records(ctx);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_missing_migration_step_is_eversion(void **state)
{
    (void)state;
    static const custos_migration steps[] = { { 1, "add a marker table", step_adds_marker } };
    char *dir = copy_fixture(FIXTURE_1);
    custos__migrate_set_steps(steps, 1, 3); /* no step from 2 to 3 */
    custos_open_options o = tv_options();
    custos_t *ctx = NULL;
    assert_int_equal(custos_open(&ctx, dir, &o), CUSTOS_EVERSION);
    assert_non_null(strstr(custos_last_error(), "no migration from it"));
    custos__migrate_set_steps(NULL, 0, 0);
    th_tmpdir_remove(dir);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--make-fixture") == 0)
        return make_fixture(argv[2]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_1_fixture_opens_and_reads_every_record),
        cmocka_unit_test(test_format_1_keys_migrate_to_seq_0_and_new_records_use_them),
        cmocka_unit_test(test_store_of_a_newer_format_is_eversion),
        cmocka_unit_test(test_migration_step_runs_at_open_and_raises_the_format),
        cmocka_unit_test(test_failed_migration_step_leaves_the_store_in_its_old_format),
        cmocka_unit_test(test_missing_migration_step_is_eversion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
