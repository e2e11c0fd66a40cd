/* db.c: a transaction is rolled back even when memory has run out (the
 * ROLLBACK statement is prepared at open, so nothing is parsed then). */
#include "harness.h"
#include "fault.h"
#include "ground/internal.h"

static void test_rollback_succeeds_with_every_allocation_failing(void **state)
{
    (void)state;
    char *dir = th_tmpdir("db-rollback");
    custos_t *ctx = th_open_vfs(dir);
    /* what the rollback replaces: compiling ROLLBACK needs memory */
    assert_int_equal(custos__db_begin(ctx), CUSTOS_OK);
    th_oom_at(1, 1);
    int exec_rc = sqlite3_exec(ctx->db, "ROLLBACK", NULL, NULL, NULL);
    int still_open = !sqlite3_get_autocommit(ctx->db);
    th_fault_clear();
    assert_int_equal(exec_rc, SQLITE_NOMEM);
    assert_true(still_open);
    /* the prepared rollback needs none */
    th_oom_at(1, 1);
    custos__db_rollback(ctx);
    int closed = sqlite3_get_autocommit(ctx->db);
    th_fault_clear();
    assert_true(closed);
    /* and the handle is usable afterwards */
    assert_int_equal(custos__db_begin(ctx), CUSTOS_OK);
    assert_int_equal(custos__db_commit(ctx), CUSTOS_OK);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rollback_succeeds_with_every_allocation_failing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
