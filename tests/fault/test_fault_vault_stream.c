/*
 * Sealed streams under I/O errors, a full disk and out-of-memory at every
 * point of create, write, finish, open and read: each call returns 0 or a
 * clean error, nothing leaks, and the reopened store holds the new stream
 * whole or not at all (and then no file of it), the earlier stream and
 * record intact; a read that fails never hands out bytes as a success.
 */
#include "fault.h"
#include "../unit/test_stream_helpers.h"

#define NEW_LEN (2u * TS_CHUNK + 77u)
#define OLD_LEN (TS_CHUNK + 5u)

static char *template_dir;
static custos_record_id existing_id, old_stream;

static int make_template(void **state)
{
    (void)state;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&template_dir, "vsfault-tpl", &alice, NULL);
    existing_id = tv_put(ctx, alice, 1, 1, "existing record");
    old_stream = ts_put(ctx, alice, 1, 1, OLD_LEN, 1);
    custos_close(ctx);
    return 0;
}

static int drop_template(void **state)
{
    (void)state;
    th_tmpdir_remove(template_dir);
    return 0;
}

static void setup_copy(const char *dir, void *arg)
{
    (void)arg;
    th_copy_dir(template_dir, dir); /* streams/ included */
}

static int op_put(custos_t *ctx, const char *dir, void *arg)
{
    (void)dir;
    (void)arg;
    custos_subject alice;
    custos_record_id id = 0;
    int rc = custos_subject_find(ctx, &alice, TV_ALICE_ID);
    return rc != CUSTOS_OK ? rc : ts_put_rc(ctx, &id, alice, 2, 2, NEW_LEN, 2, 50000);
}

static void check_put(custos_t *ctx, const char *dir, int op_rc, void *arg)
{
    (void)arg;
    tv_expect(ctx, existing_id, "existing record");
    ts_expect(ctx, old_stream, OLD_LEN, 1);
    int64_t n = tv_count(ctx, "SELECT count(*) FROM vault_record WHERE fmt=3");
    assert_true(n == 1 || n == 2);
    if (op_rc == CUSTOS_OK)
        assert_int_equal(n, 2);
    if (n == 2)
        ts_expect(ctx, tv_count(ctx, "SELECT max(id) FROM vault_record"), NEW_LEN, 2);
    assert_int_equal(ts_files(dir), (int)n); /* no file of a stream that was not stored */
}

static void test_stream_put_survives_every_fault(void **state)
{
    (void)state;
    assert_true(th_fault_run_all("vault stream put", setup_copy, op_put, check_put, NULL) > 10);
}

/* Read the old stream; a failure must come before the end. */
static int op_read(custos_t *ctx, const char *dir, void *arg)
{
    (void)dir;
    (void)arg;
    custos_vault_stream *r = NULL;
    int rc = custos_vault_stream_open(ctx, &r, NULL, old_stream);
    uint64_t got = 0;
    static uint8_t buf[TS_CHUNK / 3];
    while (rc == CUSTOS_OK) {
        size_t n = 0;
        rc = custos_vault_stream_read(r, buf, sizeof buf, &n);
        if (rc != CUSTOS_OK && n != 0)
            rc = CUSTOS_EINTERNAL; /* bytes handed out with an error */
        if (rc == CUSTOS_OK && n == 0)
            break;
        for (size_t i = 0; rc == CUSTOS_OK && i < n; i++)
            if (buf[i] != ts_byte(got + i, 1))
                rc = CUSTOS_EINTERNAL;
        got += n;
    }
    custos_vault_stream_close(r);
    if (rc == CUSTOS_OK && got != OLD_LEN)
        rc = CUSTOS_EINTERNAL;
    return rc;
}

static void check_read(custos_t *ctx, const char *dir, int op_rc, void *arg)
{
    (void)arg;
    (void)op_rc;
    tv_expect(ctx, existing_id, "existing record");
    ts_expect(ctx, old_stream, OLD_LEN, 1);
    assert_int_equal(ts_files(dir), 1);
}

static void test_stream_read_survives_every_fault(void **state)
{
    (void)state;
    assert_true(th_fault_run_all("vault stream read", setup_copy, op_read, check_read, NULL) > 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_put_survives_every_fault),
        cmocka_unit_test(test_stream_read_survives_every_fault),
    };
    return cmocka_run_group_tests(tests, make_template, drop_template);
}
