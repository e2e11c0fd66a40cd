/*
 * The harness checked against itself: each seam fails what it should, when it
 * should, and the crash models leave on disk what they promise.
 */
#include "crash.h"

#include "ground/internal.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sqlite3 *open_raw(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/raw.db", dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, TH_VFS), SQLITE_OK);
    sqlite3_extended_result_codes(db, 1);
    return db;
}

static int count_rows(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int n = -1;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void test_vfs_fails_the_kth_write_once_then_recovers(void **state)
{
    (void)state;
    char *dir = th_tmpdir("h-vfs");
    sqlite3 *db = open_raw(dir);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
    th_io_fail_at(1, TH_FAULT_EIO, TH_IO_WRITE, 0);
    assert_int_equal(sqlite3_exec(db, "INSERT INTO t VALUES(1)", NULL, NULL, NULL) & 0xff, SQLITE_IOERR);
    assert_true(th_fault_hit());
    assert_int_equal(sqlite3_exec(db, "INSERT INTO t VALUES(2)", NULL, NULL, NULL), SQLITE_OK);
    th_fault_clear();
    assert_int_equal(count_rows(db), 1);
    sqlite3_close(db);
    th_tmpdir_remove(dir);
}

static void test_vfs_enospc_is_sqlite_full_and_persists(void **state)
{
    (void)state;
    char *dir = th_tmpdir("h-full");
    sqlite3 *db = open_raw(dir);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
    th_io_fail_at(1, TH_FAULT_ENOSPC, TH_IO_WRITE, 1);
    assert_int_equal(sqlite3_exec(db, "INSERT INTO t VALUES(1)", NULL, NULL, NULL), SQLITE_FULL);
    assert_int_equal(sqlite3_exec(db, "INSERT INTO t VALUES(2)", NULL, NULL, NULL), SQLITE_FULL);
    assert_true(th_fault_count() >= 2);
    th_fault_clear();
    assert_int_equal(count_rows(db), 0);
    sqlite3_close(db);
    th_tmpdir_remove(dir);
}

static void test_file_injector_fails_custos_own_files(void **state)
{
    (void)state;
    char *dir = th_tmpdir("h-file");
    char *path = custos__path_join(dir, "f");
    assert_int_equal(custos__file_write_atomic(NULL, path, "old", 3, 0600), CUSTOS_OK);
    th_io_fail_at(1, TH_FAULT_EIO, TH_IO_RENAME, 0);
    assert_int_equal(custos__file_write_atomic(NULL, path, "new", 3, 0600), CUSTOS_EIO);
    th_io_fail_at(1, TH_FAULT_ENOSPC, TH_IO_WRITE, 0);
    assert_int_equal(custos__file_write_atomic(NULL, path, "new", 3, 0600), CUSTOS_ENOSPC);
    th_io_fail_at(2, TH_FAULT_EIO, TH_IO_ALL, 0); /* open, then write */
    assert_int_equal(custos__file_write_atomic(NULL, path, "new", 3, 0600), CUSTOS_EIO);
    th_fault_clear();
    size_t len = 0;
    uint8_t *got = th_read_file(path, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(got, "old", 3);
    free(got);
    custos__free(path);
    th_tmpdir_remove(dir);
}

static void test_oom_fails_the_kth_allocation_and_counts_outstanding(void **state)
{
    (void)state;
    long before = th_alloc_outstanding();
    void *p = custos__malloc(10);
    assert_non_null(p);
    assert_int_equal(th_alloc_outstanding(), before + 1);
    th_oom_at(2, 0);
    void *a = custos__malloc(1), *b = custos__malloc(1), *c = custos__malloc(1);
    th_fault_clear();
    assert_non_null(a);
    assert_null(b);
    assert_non_null(c);
    custos__free(a);
    custos__free(c);
    custos__free(p);
    assert_int_equal(th_alloc_outstanding(), before);

    char *dir = th_tmpdir("h-oom");
    custos_t *ctx = NULL;
    th_oom_at(1, 1);
    custos_open_options o = th_open_options(CUSTOS_OPEN_CREATE);
    assert_int_equal(custos_open(&ctx, dir, &o), CUSTOS_ENOMEM);
    th_fault_clear();
    assert_null(ctx);
    assert_int_equal(th_alloc_outstanding(), before);
    th_tmpdir_remove(dir);
}

/* Crash-model self-test: rows committed with synchronous=OFF were never
 * synced, so a crash that drops unsynced writes must lose them all, and one
 * that keeps every write must keep them. The crash comes at the first fsync,
 * after the commit. */
static void setup_raw(const char *dir, void *arg)
{
    (void)arg;
    sqlite3 *db = open_raw(dir);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES(0)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static int op_unsynced_commit(const char *dir, void *arg)
{
    (void)arg;
    char path[4096];
    snprintf(path, sizeof path, "%s/raw.db", dir);
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, TH_VFS) != SQLITE_OK)
        return 1;
    int rc = sqlite3_exec(db, "PRAGMA synchronous=OFF; BEGIN;"
                              "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i<100)"
                              " INSERT INTO t SELECT randomblob(600) FROM c; COMMIT;", NULL, NULL, NULL);
    th_crash_note(1);
    rc |= sqlite3_exec(db, "PRAGMA synchronous=FULL; INSERT INTO t VALUES(1)", NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

static void check_model(const char *dir, const th_crash_result *r, void *arg)
{
    (void)arg;
    if (r->k != 1)
        return;
    assert_true(r->crashed);
    assert_int_equal(r->n_notes, 1);
    char path[4096];
    snprintf(path, sizeof path, "%s/raw.db", dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    int n = count_rows(db);
    sqlite3_close(db);
    if (r->model == TH_CRASH_DROP)
        assert_int_equal(n, 1);
    else
        assert_int_equal(n, 101);
}

static void test_crash_models_keep_or_drop_unsynced_writes(void **state)
{
    (void)state;
    for (int model = TH_CRASH_KEEP; model <= TH_CRASH_DROP; model++) {
        th_crash_loop l = { .name = "harness self-test", .model = model, .io_ops = TH_IO_FSYNC,
                            .setup = setup_raw, .op = op_unsynced_commit, .check = check_model };
        assert_true(th_crash_run(&l) >= 1);
    }
}

/* Torn sectors: with synchronous=OFF a torn commit may leave any mix of old
 * and new sectors (SQLite promises nothing then), so this only checks that
 * the model runs at every point and leaves a file behind. */
static void check_torn(const char *dir, const th_crash_result *r, void *arg)
{
    (void)arg;
    char path[4096];
    snprintf(path, sizeof path, "%s/raw.db", dir);
    size_t len = 0;
    uint8_t *bytes = th_read_file(path, &len);
    assert_non_null(bytes);
    assert_true(len > 0 || r->crashed);
    free(bytes);
}

static void test_torn_model_runs_every_point(void **state)
{
    (void)state;
    th_crash_loop l = { .name = "harness self-test", .model = TH_CRASH_TEAR, .io_ops = TH_IO_FSYNC,
                        .setup = setup_raw, .op = op_unsynced_commit, .check = check_torn };
    assert_true(th_crash_run(&l) >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vfs_fails_the_kth_write_once_then_recovers),
        cmocka_unit_test(test_vfs_enospc_is_sqlite_full_and_persists),
        cmocka_unit_test(test_file_injector_fails_custos_own_files),
        cmocka_unit_test(test_oom_fails_the_kth_allocation_and_counts_outstanding),
        cmocka_unit_test(test_crash_models_keep_or_drop_unsynced_writes),
        cmocka_unit_test(test_torn_model_runs_every_point),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
