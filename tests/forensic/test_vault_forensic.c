/*
 * The vault leaves no personal data and no data key in the clear in any
 * file the store owns (database, -wal, -shm, journals, key file, temporary
 * files): canary payloads and canary subject ids are written, deleted,
 * re-keyed, and every file is scanned, with the store open and after close.
 */
#include "../unit/test_vault_helpers.h"
#include "scan.h"

#include <sodium.h>

#define N_CANARIES 24

typedef struct world {
    char *dir;
    char canary[N_CANARIES][65];
    uint8_t keys[4][32];
    scan_needle needles[N_CANARIES + 4 + 2];
    size_t n_needles;
} world;

static void add_needle(world *w, const void *bytes, size_t len, const char *label)
{
    w->needles[w->n_needles++] = (scan_needle){ bytes, len, label };
}

/* Write canaries, delete some, rotate the KEK, and collect the data keys. */
static custos_t *fill(world *w)
{
    custos_subject alice, bob;
    custos_t *ctx = tv_fresh(&w->dir, "forensic", &alice, &bob);
    for (int i = 0; i < N_CANARIES; i++) {
        uint8_t r[32];
        randombytes_buf(r, sizeof r);
        sodium_bin2hex(w->canary[i], sizeof w->canary[i], r, sizeof r);
        add_needle(w, w->canary[i], 64, "canary payload");
        custos_record_id id = tv_put(ctx, i % 2 ? bob : alice, 1 + (uint32_t)(i % 3 == 0 && i % 2 == 0), 2,
                                     w->canary[i]);
        if (i % 5 == 0)
            assert_int_equal(custos_vault_delete(ctx, id), CUSTOS_OK);
    }
    assert_int_equal(custos_vault_rotate_kek(ctx), CUSTOS_OK);
    uint8_t ha[32], hb[32];
    tv_hash(ctx, alice, ha);
    tv_hash(ctx, bob, hb);
    pthread_mutex_lock(&ctx->write_lock);
    assert_int_equal(custos__vault_test_data_key(ctx, ha, 1, w->keys[0]), CUSTOS_OK);
    assert_int_equal(custos__vault_test_data_key(ctx, ha, 2, w->keys[1]), CUSTOS_OK);
    assert_int_equal(custos__vault_test_data_key(ctx, hb, 1, w->keys[2]), CUSTOS_OK);
    pthread_mutex_unlock(&ctx->write_lock);
    for (int k = 0; k < 3; k++)
        add_needle(w, w->keys[k], 32, "data key");
    add_needle(w, TV_ALICE_ID, strlen(TV_ALICE_ID), "subject id alice");
    add_needle(w, TV_BOB_ID, strlen(TV_BOB_ID), "subject id bob");
    return ctx;
}

static void test_no_canary_and_no_data_key_in_any_store_file(void **state)
{
    (void)state;
    world w = { 0 };
    custos_t *ctx = fill(&w);
    assert_int_equal(scan_path(w.dir, w.needles, w.n_needles, NULL, stderr), 0); /* open: -wal, -shm present */
    custos_close(ctx);
    assert_int_equal(scan_path(w.dir, w.needles, w.n_needles, NULL, stderr), 0);
    th_tmpdir_remove(w.dir);
}

static void test_the_scan_finds_a_planted_canary_and_key(void **state)
{
    (void)state;
    world w = { 0 };
    custos_close(fill(&w));
    char planted[200];
    snprintf(planted, sizeof planted, "xx%sxx", w.canary[3]);
    th_write_file(w.dir, "planted.tmp", planted, strlen(planted));
    th_write_file(w.dir, "planted.key", w.keys[1], 32);
    size_t counts[N_CANARIES + 6] = { 0 };
    assert_int_equal(scan_path(w.dir, w.needles, w.n_needles, counts, NULL), 2);
    assert_int_equal(counts[3], 1);
    assert_int_equal(counts[N_CANARIES + 1], 1);
    th_tmpdir_remove(w.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_canary_and_no_data_key_in_any_store_file),
        cmocka_unit_test(test_the_scan_finds_a_planted_canary_and_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
