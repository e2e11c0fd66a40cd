/*
 * Sealed streams killed at every mutating I/O point (process crash, power
 * cut, torn writes) while two streams are written and one is deleted: the
 * store always reopens; every stream the API acknowledged is there and
 * reads to exactly its bytes; a stream cut short is never listed, and its
 * file (.part, or a .cvs no row names) is gone after the reopen; a deleted
 * stream's file goes with it.
 */
#include "crash.h"
#include "../unit/test_stream_helpers.h"

#define LEN_A (2u * TS_CHUNK + TS_CHUNK / 2u)
#define LEN_B 1u
#define NOTE_A 1u
#define NOTE_B 2u
#define NOTE_DELETED 3u

static char *template_dir;

static int make_template(void **state)
{
    (void)state;
    custos_t *ctx = tv_fresh(&template_dir, "vscrash-tpl", NULL, NULL);
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
    tv_copy_store(template_dir, dir);
}

/* In the child: no cmocka assertions (ts_put_rc has none on success paths). */
static int op_streams(const char *dir, void *arg)
{
    (void)arg;
    custos_open_options o = th_open_options(0);
    custos_t *ctx = NULL;
    custos_subject alice;
    custos_record_id a = 0, b = 0;
    if (custos_open(&ctx, dir, &o) != CUSTOS_OK || custos_subject_find(ctx, &alice, TV_ALICE_ID) != CUSTOS_OK)
        return 1;
    if (ts_put_rc(ctx, &a, alice, 1, 1, LEN_A, 1, 20000) != CUSTOS_OK)
        return 2;
    th_crash_note(NOTE_A);
    if (ts_put_rc(ctx, &b, alice, 2, 2, LEN_B, 2, 1) != CUSTOS_OK)
        return 3;
    th_crash_note(NOTE_B);
    if (custos_vault_delete(ctx, a) != CUSTOS_OK)
        return 4;
    th_crash_note(NOTE_DELETED);
    custos_close(ctx);
    return 0;
}

static int noted(const th_crash_result *r, uint64_t v)
{
    for (size_t i = 0; i < r->n_notes; i++)
        if (r->notes[i] == v)
            return 1;
    return 0;
}

static void check_streams(const char *dir, const th_crash_result *r, void *arg)
{
    (void)arg;
    custos_t *ctx = th_crash_reopen(dir);
    assert_non_null(ctx);
    custos_subject alice;
    assert_int_equal(custos_subject_find(ctx, &alice, TV_ALICE_ID), CUSTOS_OK);
    custos_record_id ids[8];
    size_t n = 0;
    int have_a = 0, have_b = 0;
    assert_int_equal(custos_vault_list(ctx, ids, 8, &n, alice), CUSTOS_OK);
    for (size_t i = 0; i < n; i++) {
        custos_vault_stream *s = NULL;
        custos_vault_info info;
        assert_int_equal(custos_vault_stream_open(ctx, &s, &info, ids[i]), CUSTOS_OK);
        custos_vault_stream_close(s);
        assert_true(info.size == LEN_A || info.size == LEN_B);
        int is_a = info.size == LEN_A;
        ts_expect(ctx, ids[i], info.size, is_a ? 1 : 2); /* whole, or not listed at all */
        have_a += is_a;
        have_b += !is_a;
    }
    assert_true(have_a <= 1 && have_b <= 1);
    if (noted(r, NOTE_A) && !noted(r, NOTE_B)) /* acknowledged, and its delete not begun */
        assert_int_equal(have_a, 1);
    if (noted(r, NOTE_B))
        assert_int_equal(have_b, 1);
    if (noted(r, NOTE_DELETED))
        assert_int_equal(have_a, 0);
    if (!r->crashed)
        assert_true(have_b == 1 && have_a == 0);
    /* No orphan: exactly one file per stream record. */
    assert_int_equal(ts_files(dir), (int)n);
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM vault_stream"), (int64_t)n);
    /* and the vault streams again */
    custos_record_id id = ts_put(ctx, alice, 1, 1, 100, 3);
    ts_expect(ctx, id, 100, 3);
    custos_close(ctx);
}

static void test_streams_survive_a_crash_at_every_point(void **state)
{
    (void)state;
    assert_true(th_crash_run_all("vault streams", setup_copy, op_streams, check_streams, NULL) > 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_streams_survive_a_crash_at_every_point),
    };
    return cmocka_run_group_tests(tests, make_template, drop_template);
}
