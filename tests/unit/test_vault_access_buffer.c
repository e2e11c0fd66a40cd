/* Buffered access entries (core/src/vault/access.c): a read's `access`
 * entry waits in the handle and is written with the next vault write, when
 * VT_ACCESS_MAX are waiting, when the oldest is VT_ACCESS_AGE old, before
 * this handle reads the chain or changes the opt-out setting, and at close.
 * The tests count the chain's rows with raw SQL, which does not flush. */
#include "test_vault_helpers.h"
#include "vault/vault_private.h"

#include <custos/audit.h>
#include <custos/erase.h>

static int64_t rows(custos_t *ctx)
{
    return tv_count(ctx, "SELECT count(*) FROM audit_entry");
}

static int count_access(void *user, const custos_audit_entry *e)
{
    if (e->kind == CUSTOS_AUDIT_ACCESS)
        ++*(int *)user;
    return 0;
}

static int accesses(custos_t *ctx)
{
    int n = 0;
    assert_int_equal(custos_audit_foreach(ctx, 1, count_access, &n), CUSTOS_OK);
    return n;
}

static void test_a_read_waits_for_the_next_vault_write(void **state)
{
    (void)state;
    char *dir = NULL;
    custos_subject alice, bob;
    custos_t *ctx = tv_fresh(&dir, "vabuf1", &alice, &bob);
    custos_record_id id = tv_put(ctx, alice, 1, 1, "read me");
    int64_t before = rows(ctx);
    tv_expect(ctx, id, "read me");
    assert_int_equal(rows(ctx), before);
    tv_put(ctx, alice, 1, 1, "a write"); /* a put adds no entry of its own */
    assert_int_equal(rows(ctx), before + 1);
    assert_int_equal(ctx->vault->access_n, 0);
    assert_int_equal(accesses(ctx), 1);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_a_full_buffer_is_written_at_once(void **state)
{
    (void)state;
    char *dir = NULL;
    custos_subject alice, bob;
    custos_t *ctx = tv_fresh(&dir, "vabuf2", &alice, &bob);
    custos_record_id id = tv_put(ctx, alice, 1, 1, "many reads");
    int64_t before = rows(ctx);
    for (unsigned i = 0; i + 1 < VT_ACCESS_MAX; i++)
        tv_expect(ctx, id, "many reads");
    assert_int_equal(rows(ctx), before);
    tv_expect(ctx, id, "many reads");
    assert_int_equal(rows(ctx), before + VT_ACCESS_MAX);
    custos_audit_report r = { .version = CUSTOS_AUDIT_REPORT_VERSION };
    assert_int_equal(custos_audit_verify(ctx, &r), CUSTOS_OK);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_an_old_entry_is_written_at_the_next_call(void **state)
{
    (void)state;
    char *dir = NULL;
    custos_subject alice, bob;
    custos_t *ctx = tv_fresh(&dir, "vabuf3", &alice, &bob);
    custos_record_id id = tv_put(ctx, alice, 1, 1, "aged");
    int64_t before = rows(ctx);
    tv_expect(ctx, id, "aged");
    tv_time += VT_ACCESS_AGE - 1;
    assert_int_equal(custos_vault_foreach(ctx, bob, NULL, NULL),
                     CUSTOS_EINVAL); /* a refused call is no read */
    assert_int_equal(rows(ctx), before);
    tv_time += 1;
    uint8_t buf[8];
    size_t len = 0;
    assert_int_equal(custos_vault_get(ctx, buf, sizeof buf, &len, NULL, id + 100), CUSTOS_ENOTFOUND);
    assert_int_equal(rows(ctx), before + 1); /* the failed get's call wrote the aged entry */
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_close_writes_what_is_waiting(void **state)
{
    (void)state;
    char *dir = NULL;
    custos_subject alice, bob;
    custos_t *ctx = tv_fresh(&dir, "vabuf4", &alice, &bob);
    custos_record_id id = tv_put(ctx, alice, 1, 1, "closing");
    tv_expect(ctx, id, "closing");
    tv_expect(ctx, id, "closing");
    custos_close(ctx);
    ctx = tv_open(dir);
    assert_int_equal(accesses(ctx), 2);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_opting_out_keeps_the_reads_made_before(void **state)
{
    (void)state;
    char *dir = NULL;
    custos_subject alice, bob;
    custos_t *ctx = tv_fresh(&dir, "vabuf5", &alice, &bob);
    custos_record_id id = tv_put(ctx, alice, 1, 1, "before opt-out");
    tv_expect(ctx, id, "before opt-out");
    assert_int_equal(custos_audit_set_optional(ctx, 0), CUSTOS_OK);
    tv_expect(ctx, id, "before opt-out");
    assert_int_equal(ctx->vault->access_n, 0); /* not recorded while off */
    assert_int_equal(accesses(ctx), 1);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

/* The reads before an erase appear before it in the chain. */
static int kinds_in_order(void *user, const custos_audit_entry *e)
{
    int *state = user; /* 0: nothing yet, 1: access seen, 2: erase after access, -1: erase first */
    if (e->kind == CUSTOS_AUDIT_ACCESS && *state == 0)
        *state = 1;
    else if (e->kind == CUSTOS_AUDIT_ERASE)
        *state = *state == 1 ? 2 : -1;
    return 0;
}

static void test_reads_before_an_erase_are_recorded_before_it(void **state)
{
    (void)state;
    char *dir = NULL;
    custos_subject alice, bob;
    custos_t *ctx = tv_fresh(&dir, "vabuf6", &alice, &bob);
    custos_record_id id = tv_put(ctx, bob, 1, 1, "bob's");
    tv_expect(ctx, id, "bob's");
    static uint8_t receipt[8192];
    size_t rlen = 0;
    int rc = custos_erase_subject(ctx, receipt, sizeof receipt, &rlen, bob, NULL);
    if (rc != CUSTOS_OK)
        fprintf(stderr, "erase: %s\n", custos_errmsg(ctx));
    assert_int_equal(rc, CUSTOS_OK);
    int order = 0;
    assert_int_equal(custos_audit_foreach(ctx, 1, kinds_in_order, &order), CUSTOS_OK);
    assert_int_equal(order, 2);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_read_waits_for_the_next_vault_write),
        cmocka_unit_test(test_a_full_buffer_is_written_at_once),
        cmocka_unit_test(test_an_old_entry_is_written_at_the_next_call),
        cmocka_unit_test(test_close_writes_what_is_waiting),
        cmocka_unit_test(test_opting_out_keeps_the_reads_made_before),
        cmocka_unit_test(test_reads_before_an_erase_are_recorded_before_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
