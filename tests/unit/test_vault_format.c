/*
 * Store formats: the fixture store of every released format opens and reads,
 * a newer one is refused, and a migration step runs inside the open.
 *
 * This program is also the fixture generator (tests/data/stores/README.md):
 *     test_vault_format --make-fixture DIR
 */
#include "test_vault_helpers.h"
#include "vault/vault_migrate.h"

#include <custos/erase.h>
#include <dirent.h>
#include <sodium.h>
#include <sys/stat.h>

#define FIXTURE_1 CUSTOS_TEST_DATA "/stores/format1"
#define FIXTURE_2 CUSTOS_TEST_DATA "/stores/format2"

/* The stream of the format-2 fixture (alice, purpose 1, category 1): two
 * chunks, byte i being (i * 7 + 3) mod 251. */
#define FIXTURE_STREAM_LEN 70000u

static uint8_t fixture_stream_byte(size_t i) { return (uint8_t)((i * 7u + 3u) % 251u); }

/* The format-2 fixture's last record (bob, purpose 1, category 1), sealed with AES-256-GCM. */
#define FIXTURE_GCM_TEXT "format-2 AES-GCM record of bob"
#define FIXTURE_GCM_ID 6

/* Payloads written into the fixture, in order: subject (0 alice, 1 bob), purpose, category, text. */
static const struct { int who; uint32_t purpose, category; const char *text; } fixture_records[] = {
    { 0, 1, 1, "format-1 video of alice" },
    { 0, 2, 2, "format-1 device id of alice" },
    { 1, 1, 2, "format-1 device id of bob" },
    { 0, 1, 1, "" },
};
#define N_FIXTURE (sizeof fixture_records / sizeof fixture_records[0])

/* The records of fixture_records and a stream, sealed with XChaCha20-Poly1305 (they open on any
 * CPU); then, from format 2 on, one record of bob's sealed with AES-256-GCM (FIXTURE_GCM_TEXT). */
static int make_fixture(const char *dir)
{
    custos__vault_test_force_aead(1 /* VT_RECORD_XCHACHA */);
    custos_t *ctx = tv_open(dir);
    custos_subject s[2];
    tv_populate(ctx, &s[0], &s[1]);
    custos_record_id id;
    for (size_t i = 0; i < N_FIXTURE; i++) {
        const char *t = fixture_records[i].text;
        if (custos_vault_put(ctx, &id, s[fixture_records[i].who], fixture_records[i].purpose,
                             fixture_records[i].category, t, strlen(t)) != CUSTOS_OK)
            return 1;
    }
    uint8_t chunk[1000];
    custos_vault_stream *w = NULL;
    if (custos_vault_stream_create(ctx, &w, s[0], 1, 1) != CUSTOS_OK)
        return 1;
    for (size_t at = 0; at < FIXTURE_STREAM_LEN; at += sizeof chunk) {
        for (size_t i = 0; i < sizeof chunk; i++)
            chunk[i] = fixture_stream_byte(at + i);
        if (custos_vault_stream_write(w, chunk, sizeof chunk) != CUSTOS_OK)
            return 1;
    }
    if (custos_vault_stream_finish(w, &id) != CUSTOS_OK)
        return 1;
    custos_close(ctx);
    custos__vault_test_force_aead(0);
    if (crypto_aead_aes256gcm_is_available() != 1) {
        fprintf(stderr, "test_vault_format --make-fixture: this CPU has no AES-GCM for the fixture's GCM record\n");
        return 1;
    }
    ctx = tv_open(dir);
    if (custos_vault_put(ctx, &id, s[1], 1, 1, FIXTURE_GCM_TEXT, strlen(FIXTURE_GCM_TEXT)) != CUSTOS_OK)
        return 1;
    custos_close(ctx);
    return 0;
}

/* Copy the files of from into to, and of its folders (streams/) into folders of the same name. */
static void copy_tree(const char *from, const char *to)
{
    DIR *d = opendir(from);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "README.md") == 0)
            continue;
        char path[4096], dest[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", from, e->d_name);
        snprintf(dest, sizeof dest, "%s/%s", to, e->d_name);
        assert_int_equal(stat(path, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            assert_int_equal(mkdir(dest, 0700), 0);
            copy_tree(path, dest);
            continue;
        }
        size_t len;
        uint8_t *bytes = th_read_file(path, &len);
        assert_non_null(bytes);
        th_write_file(to, e->d_name, bytes, len);
        free(bytes);
        chmod(dest, 0600);
    }
    closedir(d);
}

/* Copy a fixture into a fresh directory (opening a store writes to it). */
static char *copy_fixture(const char *from)
{
    char *dir = th_tmpdir("fmt");
    copy_tree(from, dir);
    return dir;
}

/* The fixture's records, in order; alice and bob have alice_extra and bob_extra more after them (the
 * stream, the GCM record, later puts). */
static void expect_fixture_records_and(custos_t *ctx, size_t alice_extra, size_t bob_extra)
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
        assert_int_equal(n, seen[who] + (who == 0 ? alice_extra : bob_extra));
    }
}

static void expect_fixture_records(custos_t *ctx) { expect_fixture_records_and(ctx, 0, 0); }

static int have_gcm(void) { return crypto_aead_aes256gcm_is_available() == 1; }

/* The format-2 fixture's AES-GCM record reads where the CPU has AES-GCM, and is
 * CUSTOS_EUNSUPPORTED (never a misread) where it does not. */
static void expect_fixture_gcm_record(custos_t *ctx)
{
    if (have_gcm()) {
        tv_expect(ctx, FIXTURE_GCM_ID, FIXTURE_GCM_TEXT);
        return;
    }
    uint8_t buf[64];
    size_t len = 0;
    assert_int_equal(custos_vault_get(ctx, buf, sizeof buf, &len, NULL, FIXTURE_GCM_ID), CUSTOS_EUNSUPPORTED);
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

/* Run SQL on a closed store's database, as an attacker or a damaged disk would. */
static void raw_sql(const char *dir, const char *sql)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/custos.db", dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static int get(custos_t *ctx, custos_record_id id)
{
    uint8_t buf[64];
    size_t len = 0;
    return custos_vault_get(ctx, buf, sizeof buf, &len, NULL, id);
}

static void expect_fixture_stream(custos_t *ctx, custos_subject alice)
{
    custos_record_id ids[8];
    size_t n = 0;
    assert_int_equal(custos_vault_list(ctx, ids, 8, &n, alice), CUSTOS_OK);
    custos_vault_stream *r = NULL;
    custos_vault_info info;
    assert_int_equal(custos_vault_stream_open(ctx, &r, &info, ids[3]), CUSTOS_OK); /* alice: 3 records, then it */
    assert_int_equal(info.size, FIXTURE_STREAM_LEN);
    assert_int_equal(info.created, 1760000000u);
    uint8_t buf[4096];
    size_t at = 0, got = 0;
    do {
        assert_int_equal(custos_vault_stream_read(r, buf, sizeof buf, &got), CUSTOS_OK);
        for (size_t i = 0; i < got; i++)
            assert_int_equal(buf[i], fixture_stream_byte(at + i));
        at += got;
    } while (got > 0);
    assert_int_equal(at, FIXTURE_STREAM_LEN);
    custos_vault_stream_close(r);
}

/* 2 -> 3: every row gains its header (AD version 1); records, the stream and erasure work; new rows
 * are AD version 2. */
static void test_format_2_fixture_opens_and_reads_every_record_and_its_stream(void **state)
{
    (void)state;
    char *dir = copy_fixture(FIXTURE_2);
    custos_t *ctx = tv_open(dir);
    assert_int_equal(user_version(ctx), CUSTOS_STORE_FORMAT_VERSION);
    int64_t rows = tv_count(ctx, "SELECT count(*) FROM vault_record");
    assert_int_equal(rows, N_FIXTURE + 2); /* and the stream, and the GCM record */
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM vault_record WHERE substr(sealed, 2, 1) = x'01'"
                              " AND hex(substr(sealed, 1, 1)) = printf('%02X', fmt)"), rows);
    expect_fixture_records_and(ctx, 1, 1);
    expect_fixture_gcm_record(ctx);
    custos_subject alice;
    assert_int_equal(custos_subject_find(ctx, &alice, TV_ALICE_ID), CUSTOS_OK);
    expect_fixture_stream(ctx, alice);
    custos_record_id id = tv_put(ctx, alice, 2, 2, "after migration");
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT substr(sealed, 2, 1) = x'02' FROM vault_record WHERE id=%lld", (long long)id);
    assert_int_equal(tv_count(ctx, sql), 1);
    custos_close(ctx);
    ctx = tv_open(dir); /* the second open migrates nothing */
    expect_fixture_records_and(ctx, 2, 1);
    expect_fixture_gcm_record(ctx);
    expect_fixture_stream(ctx, alice);
    tv_expect(ctx, id, "after migration");
    assert_int_equal(custos_erase_subject(ctx, NULL, 0, NULL, alice, NULL), CUSTOS_OK);
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM vault_record"), 2); /* bob's */
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM vault_stream"), 0);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

/* A migrated row (AD version 1) is bound as before: its fmt, purpose, category, key id and AD
 * version are authenticated; its created and expires are not (as the columns were not). */
static void test_a_migrated_row_header_is_bound_to_its_sealed_value(void **state)
{
    (void)state;
    char *dir = copy_fixture(FIXTURE_2);
    custos_t *ctx = tv_open(dir);
    const custos_record_id video = 1; /* the fixture's first record: alice, purpose 1, category 1 */
    tv_expect(ctx, video, "format-1 video of alice");
    static const struct { int at; uint8_t mask; int want; } edits[] = {
        { VT_HEAD_FMT, 0x03, CUSTOS_ECORRUPT },        /* fmt 1 -> 2 (EUNSUPPORTED without AES-GCM) */
        { VT_HEAD_ADV, 0x03, CUSTOS_ECORRUPT },        /* AD version 1 -> 2 */
        { VT_HEAD_PURPOSE, 0x03, CUSTOS_ECORRUPT },    /* purpose 1 -> 2 */
        { VT_HEAD_CATEGORY, 0x03, CUSTOS_ECORRUPT },   /* category 1 -> 2 */
        { VT_HEAD_KEY_ID, 0x01, CUSTOS_EKEY },         /* a key id that names no key */
        { VT_HEAD_CREATED, 0x01, CUSTOS_OK },          /* created */
        { VT_HEAD_EXPIRES, 0x01, CUSTOS_OK },          /* expires */
    };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        tv_flip_sealed(ctx, video, edits[i].at, edits[i].mask);
        int want = edits[i].at == VT_HEAD_FMT && !have_gcm() ? CUSTOS_EUNSUPPORTED : edits[i].want;
        assert_int_equal(get(ctx, video), want);
        tv_flip_sealed(ctx, video, edits[i].at, edits[i].mask);
    }
    tv_expect(ctx, video, "format-1 video of alice");
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

/* Rows damaged before the migration still migrate, and read as damaged: the store opens. */
static void test_damaged_rows_migrate_and_read_as_damaged(void **state)
{
    (void)state;
    char *dir = copy_fixture(FIXTURE_2);
    raw_sql(dir, "UPDATE vault_record SET key_id=x'00' WHERE id=1;"
                 "UPDATE vault_record SET fmt=300 WHERE id=2;"
                 "UPDATE vault_record SET sealed=x'' WHERE id=3;");
    custos_t *ctx = tv_open(dir);
    assert_int_equal(user_version(ctx), CUSTOS_STORE_FORMAT_VERSION);
    assert_int_equal(get(ctx, 1), CUSTOS_EKEY);
    assert_int_equal(get(ctx, 2), CUSTOS_ECORRUPT);
    assert_non_null(strstr(custos_errmsg(ctx), "damaged"));
    assert_int_equal(get(ctx, 3), CUSTOS_ECORRUPT);
    tv_expect(ctx, 4, ""); /* the others read */
    expect_fixture_gcm_record(ctx);
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
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version=%d", v);
    raw_sql(dir, sql);
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

/* The built-in steps, then one more: a marker table from the current format to the next. */
static void test_migration_step_runs_at_open_and_raises_the_format(void **state)
{
    (void)state;
    size_t n = 0;
    const custos_migration *builtin = custos__migrate_builtin(&n);
    custos_migration steps[8];
    assert_true(n < 8);
    memcpy(steps, builtin, n * sizeof steps[0]);
    steps[n] = (custos_migration){ CUSTOS_STORE_FORMAT_VERSION, "add a marker table", step_adds_marker };
    char *dir = copy_fixture(FIXTURE_1);
    custos__migrate_set_steps(steps, n + 1, CUSTOS_STORE_FORMAT_VERSION + 1);
    custos_t *ctx = tv_open(dir);
    assert_int_equal(user_version(ctx), CUSTOS_STORE_FORMAT_VERSION + 1);
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
        cmocka_unit_test(test_format_2_fixture_opens_and_reads_every_record_and_its_stream),
        cmocka_unit_test(test_a_migrated_row_header_is_bound_to_its_sealed_value),
        cmocka_unit_test(test_damaged_rows_migrate_and_read_as_damaged),
        cmocka_unit_test(test_store_of_a_newer_format_is_eversion),
        cmocka_unit_test(test_migration_step_runs_at_open_and_raises_the_format),
        cmocka_unit_test(test_failed_migration_step_leaves_the_store_in_its_old_format),
        cmocka_unit_test(test_missing_migration_step_is_eversion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
