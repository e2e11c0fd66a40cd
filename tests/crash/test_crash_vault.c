/*
 * The vault killed at every mutating I/O point (process crash, power cut,
 * torn writes) during puts, a KEK rotation, and a store-format migration:
 * the store always reopens; every put the API acknowledged is there; every
 * record present opens to exactly what was put (never wrong data); the
 * rotation and the migration are done entirely or not at all, and the vault
 * writes and rotates again afterwards.
 */
#include "crash.h"
#include "../unit/test_vault_helpers.h"

#define N_PUTS 2
#define NOTE_ROTATED 100u

static char *template_dir;

static int make_template(void **state)
{
    (void)state;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&template_dir, "vcrash-tpl", &alice, NULL);
    tv_put(ctx, alice, 1, 1, "payload-0");
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

/* In the child: no cmocka assertions; nonzero reports a failure. */
static int op_puts_then_rotate(const char *dir, void *arg)
{
    (void)arg;
    custos_open_options o = th_open_options(0);
    custos_t *ctx = NULL;
    custos_subject alice;
    if (custos_open(&ctx, dir, &o) != CUSTOS_OK || custos_subject_find(ctx, &alice, TV_ALICE_ID) != CUSTOS_OK)
        return 1;
    for (unsigned i = 1; i <= N_PUTS; i++) {
        char text[32];
        custos_record_id id;
        snprintf(text, sizeof text, "payload-%u", i);
        if (custos_vault_put(ctx, &id, alice, 1, 1, text, strlen(text)) != CUSTOS_OK)
            return 2;
        th_crash_note(i);
    }
    if (custos_vault_rotate_kek(ctx) != CUSTOS_OK)
        return 3;
    th_crash_note(NOTE_ROTATED);
    custos_close(ctx);
    return 0;
}

/* Which payload-N each of alice's records holds (bit N of the mask); every record must open. */
static unsigned payload_mask(custos_t *ctx)
{
    custos_subject alice;
    assert_int_equal(custos_subject_find(ctx, &alice, TV_ALICE_ID), CUSTOS_OK);
    custos_record_id ids[16];
    size_t n = 0;
    unsigned mask = 0;
    assert_int_equal(custos_vault_list(ctx, ids, 16, &n, alice), CUSTOS_OK);
    for (size_t i = 0; i < n; i++) {
        char buf[32] = { 0 };
        size_t len;
        assert_int_equal(custos_vault_get(ctx, (uint8_t *)buf, sizeof buf - 1, &len, NULL, ids[i]), CUSTOS_OK);
        unsigned k = 99;
        assert_int_equal(sscanf(buf, "payload-%u", &k), 1);
        assert_true(k <= N_PUTS);
        assert_int_equal(mask & (1u << k), 0); /* never twice */
        mask |= 1u << k;
    }
    return mask;
}

static void check_puts_then_rotate(const char *dir, const th_crash_result *r, void *arg)
{
    (void)arg;
    custos_t *ctx = th_crash_reopen(dir);
    assert_non_null(ctx);
    unsigned mask = payload_mask(ctx);
    assert_true(mask & 1u); /* the record made before the operation */
    for (size_t i = 0; i < r->n_notes; i++)
        if (r->notes[i] <= N_PUTS)
            assert_true(mask & (1u << r->notes[i])); /* acknowledged, so durable */
    custos_subject alice;
    custos_record_id id;
    assert_int_equal(custos_subject_find(ctx, &alice, TV_ALICE_ID), CUSTOS_OK);
    assert_int_equal(custos_vault_put(ctx, &id, alice, 1, 1, "after", 5), CUSTOS_OK);
    assert_int_equal(custos_vault_rotate_kek(ctx), CUSTOS_OK);
    tv_expect(ctx, id, "after");
    custos_close(ctx);
}

static void test_puts_and_rotation_survive_a_crash_at_every_point(void **state)
{
    (void)state;
    assert_true(th_crash_run_all("vault put+rotate", setup_copy, op_puts_then_rotate, check_puts_then_rotate,
                                 NULL) > 10);
}

/* --- migration: the built-in step from format 1 (rebuilds vault_key) on the format-1 fixture --- */

static void setup_fixture_1(const char *dir, void *arg)
{
    (void)arg;
    tv_copy_store(CUSTOS_TEST_DATA "/stores/format1", dir);
}

static int op_open_migrates(const char *dir, void *arg)
{
    (void)arg;
    custos_open_options o = th_open_options(0);
    custos_t *ctx = NULL;
    if (custos_open(&ctx, dir, &o) != CUSTOS_OK)
        return 1;
    th_crash_note(1);
    custos_close(ctx);
    return 0;
}

static void check_migrated_once(const char *dir, const th_crash_result *r, void *arg)
{
    (void)r;
    (void)arg;
    custos_t *ctx = th_crash_reopen(dir); /* migrates now if the crash came first */
    assert_non_null(ctx);
    tv_expect_format1_migrated(ctx);
    assert_true(tv_count(ctx, "SELECT count(*) FROM vault_key WHERE seq=0") > 0);
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM vault_key WHERE seq<>0"), 0);
    custos_close(ctx);
}

static void test_migration_survives_a_crash_at_every_point(void **state)
{
    (void)state;
    unsigned long n =
        th_crash_run_all("vault migrate 1->2", setup_fixture_1, op_open_migrates, check_migrated_once, NULL);
    assert_true(n > 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_puts_and_rotation_survive_a_crash_at_every_point),
        cmocka_unit_test(test_migration_survives_a_crash_at_every_point),
    };
    return cmocka_run_group_tests(tests, make_template, drop_template);
}
