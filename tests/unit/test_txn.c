/* txn.c: the writer transaction runs the hooks modules register, in order,
 * before_write inside the transaction and after_commit once it has ended;
 * a failing hook or writer leaves no transaction and no lock behind. */
#include "harness.h"
#include "ground/internal.h"

#include <string.h>

static char order[16];
static size_t norder;
static int in_tx[16];
static int fail_code;

static void note(custos_t *ctx, char c)
{
    in_tx[norder] = !sqlite3_get_autocommit(ctx->db);
    order[norder++] = c;
}
static int hook_a(custos_t *ctx) { note(ctx, 'a'); return CUSTOS_OK; }
static int hook_b(custos_t *ctx) { note(ctx, 'b'); return CUSTOS_OK; }
static int hook_fail(custos_t *ctx) { note(ctx, 'f'); return fail_code; }
static int hook_after(custos_t *ctx) { note(ctx, 'z'); return CUSTOS_OK; }

static custos_t *open_fresh(char **dir)
{
    *dir = th_tmpdir("txn");
    norder = 0;
    memset(order, 0, sizeof order); /* not secret */
    fail_code = CUSTOS_EIO;
    return th_open(*dir);
}

static int table_exists(custos_t *ctx, const char *name)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(ctx->db, "SELECT 1 FROM sqlite_master WHERE name=?1", -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

static void test_hooks_run_in_order_before_inside_and_after_outside(void **state)
{
    (void)state;
    char *dir;
    custos_t *ctx = open_fresh(&dir);
    assert_int_equal(custos__txn_hook_add(ctx, CUSTOS_TXN_BEFORE_WRITE, hook_a), CUSTOS_OK);
    assert_int_equal(custos__txn_hook_add(ctx, CUSTOS_TXN_BEFORE_WRITE, hook_b), CUSTOS_OK);
    assert_int_equal(custos__txn_hook_add(ctx, CUSTOS_TXN_AFTER_COMMIT, hook_after), CUSTOS_OK);
    assert_int_equal(custos__txn_begin(ctx), CUSTOS_OK);
    assert_string_equal(order, "ab");
    assert_true(in_tx[0] && in_tx[1]);
    assert_int_equal(custos__db_exec(ctx, "CREATE TABLE t_txn(x)"), CUSTOS_OK);
    assert_int_equal(custos__txn_end(ctx, CUSTOS_OK), CUSTOS_OK);
    assert_string_equal(order, "abz");
    assert_false(in_tx[2]);
    assert_true(table_exists(ctx, "t_txn"));
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_failing_before_write_hook_rolls_back_and_unlocks(void **state)
{
    (void)state;
    char *dir;
    custos_t *ctx = open_fresh(&dir);
    fail_code = CUSTOS_ENOSPC;
    assert_int_equal(custos__txn_hook_add(ctx, CUSTOS_TXN_BEFORE_WRITE, hook_fail), CUSTOS_OK);
    assert_int_equal(custos__txn_hook_add(ctx, CUSTOS_TXN_BEFORE_WRITE, hook_a), CUSTOS_OK);
    assert_int_equal(custos__txn_begin(ctx), CUSTOS_ENOSPC);
    assert_string_equal(order, "f"); /* the hooks after a failure do not run */
    assert_true(sqlite3_get_autocommit(ctx->db));
    assert_int_equal(pthread_mutex_trylock(&ctx->write_lock), 0);
    pthread_mutex_unlock(&ctx->write_lock);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_failed_writer_rolls_back_but_after_commit_still_runs(void **state)
{
    (void)state;
    char *dir;
    custos_t *ctx = open_fresh(&dir);
    assert_int_equal(custos__txn_hook_add(ctx, CUSTOS_TXN_AFTER_COMMIT, hook_after), CUSTOS_OK);
    assert_int_equal(custos__txn_begin(ctx), CUSTOS_OK);
    assert_int_equal(custos__db_exec(ctx, "CREATE TABLE t_gone(x)"), CUSTOS_OK);
    assert_int_equal(custos__txn_end(ctx, CUSTOS_ESTATE), CUSTOS_ESTATE);
    assert_string_equal(order, "z"); /* readers are told the store is back to what it was */
    assert_false(table_exists(ctx, "t_gone"));
    assert_int_equal(pthread_mutex_trylock(&ctx->write_lock), 0);
    pthread_mutex_unlock(&ctx->write_lock);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_after_commit_failure_is_returned_once_committed(void **state)
{
    (void)state;
    char *dir;
    custos_t *ctx = open_fresh(&dir);
    fail_code = CUSTOS_ENOMEM;
    assert_int_equal(custos__txn_hook_add(ctx, CUSTOS_TXN_AFTER_COMMIT, hook_fail), CUSTOS_OK);
    assert_int_equal(custos__txn_begin(ctx), CUSTOS_OK);
    assert_int_equal(custos__db_exec(ctx, "CREATE TABLE t_kept(x)"), CUSTOS_OK);
    assert_int_equal(custos__txn_end(ctx, CUSTOS_OK), CUSTOS_ENOMEM);
    assert_true(table_exists(ctx, "t_kept"));
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_hook_add_refuses_a_bad_kind_a_null_hook_and_a_full_table(void **state)
{
    (void)state;
    char *dir;
    custos_t *ctx = open_fresh(&dir);
    assert_int_equal(custos__txn_hook_add(ctx, (custos_txn_when)3, hook_a), CUSTOS_EINTERNAL);
    assert_non_null(strstr(custos_errmsg(ctx), "bad hook"));
    assert_int_equal(custos__txn_hook_add(ctx, CUSTOS_TXN_AFTER_COMMIT, NULL), CUSTOS_EINTERNAL);
    unsigned have = ctx->txn_nhooks[CUSTOS_TXN_AFTER_COMMIT]; /* the gate's and the anchor's, registered at open */
    assert_int_equal(have, 2);
    for (unsigned i = have; i < CUSTOS_TXN_HOOKS_MAX; i++)
        assert_int_equal(custos__txn_hook_add(ctx, CUSTOS_TXN_AFTER_COMMIT, hook_after), CUSTOS_OK);
    assert_int_equal(custos__txn_hook_add(ctx, CUSTOS_TXN_AFTER_COMMIT, hook_after), CUSTOS_EINTERNAL);
    assert_non_null(strstr(custos_errmsg(ctx), "more than 4 hooks"));
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_open_registers_consent_expiry_and_gate_publication(void **state)
{
    (void)state;
    char *dir;
    custos_t *ctx = open_fresh(&dir);
    assert_int_equal(ctx->txn_nhooks[CUSTOS_TXN_BEFORE_WRITE], 1);
    assert_int_equal(ctx->txn_nhooks[CUSTOS_TXN_AFTER_COMMIT], 2); /* gate publication, store anchor */
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hooks_run_in_order_before_inside_and_after_outside),
        cmocka_unit_test(test_failing_before_write_hook_rolls_back_and_unlocks),
        cmocka_unit_test(test_failed_writer_rolls_back_but_after_commit_still_runs),
        cmocka_unit_test(test_after_commit_failure_is_returned_once_committed),
        cmocka_unit_test(test_hook_add_refuses_a_bad_kind_a_null_hook_and_a_full_table),
        cmocka_unit_test(test_open_registers_consent_expiry_and_gate_publication),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
