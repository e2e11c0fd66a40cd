/*
 * A power cut at every I/O point of store creation and of reopening, under
 * the three crash models (every write kept, unsynced writes dropped, unsynced
 * sectors torn). Afterwards the directory holds either no store or a store
 * that opens and passes PRAGMA integrity_check; a creation that returned
 * success is never lost; an existing store keeps its identity.
 */
#include "crash.h"

#include <string.h>

#define NOTE_OPENED 1u

typedef struct identity {
    uint8_t device_id[16];
    uint8_t public_key[32];
} identity;

static int open_close_noting(const char *dir, unsigned int flags)
{
    custos_open_options o = th_open_options(flags);
    custos_t *ctx = NULL;
    if (custos_open(&ctx, dir, &o) != CUSTOS_OK)
        return 1;
    th_crash_note(NOTE_OPENED);
    custos_close(ctx);
    return 0;
}

static int op_create(const char *dir, void *arg)
{
    (void)arg;
    return open_close_noting(dir, CUSTOS_OPEN_CREATE);
}

static int op_reopen(const char *dir, void *arg)
{
    (void)arg;
    return open_close_noting(dir, 0);
}

static int was_acknowledged(const th_crash_result *r)
{
    for (size_t i = 0; i < r->n_notes; i++)
        if (r->notes[i] == NOTE_OPENED)
            return 1;
    return 0;
}

static void check_created(const char *dir, const th_crash_result *r, void *arg)
{
    (void)arg;
    custos_t *ctx = th_crash_reopen(dir);
    if (ctx == NULL) {
        if (was_acknowledged(r) || !r->crashed)
            fail_msg("k=%lu: the creation was acknowledged, then lost", r->k);
        /* No store: creating one now must work, whatever debris is left. */
        ctx = th_open(dir);
    }
    uint8_t id[16];
    assert_int_equal(custos_device_id(ctx, id), CUSTOS_OK);
    custos_close(ctx);
}

static void setup_store(const char *dir, void *arg)
{
    identity *who = arg;
    custos_t *ctx = th_open(dir);
    assert_int_equal(custos_device_id(ctx, who->device_id), CUSTOS_OK);
    assert_int_equal(custos_device_public_key(ctx, who->public_key), CUSTOS_OK);
    custos_close(ctx);
}

static void check_same_store(const char *dir, const th_crash_result *r, void *arg)
{
    const identity *who = arg;
    custos_t *ctx = th_crash_reopen(dir);
    if (ctx == NULL)
        fail_msg("k=%lu: an existing store vanished after a crash during open", r->k);
    uint8_t id[16], pk[32];
    assert_int_equal(custos_device_id(ctx, id), CUSTOS_OK);
    assert_int_equal(custos_device_public_key(ctx, pk), CUSTOS_OK);
    assert_memory_equal(id, who->device_id, 16);
    assert_memory_equal(pk, who->public_key, 32);
    custos_close(ctx);
}

static void test_crash_at_every_point_of_create_leaves_no_store_or_a_good_one(void **state)
{
    (void)state;
    assert_true(th_crash_run_all("open(create)", NULL, op_create, check_created, NULL) >= 3);
}

static void test_crash_at_every_point_of_reopen_keeps_the_store(void **state)
{
    (void)state;
    identity who;
    memset(&who, 0, sizeof who);
    assert_true(th_crash_run_all("open(existing)", setup_store, op_reopen, check_same_store, &who) >= 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash_at_every_point_of_create_leaves_no_store_or_a_good_one),
        cmocka_unit_test(test_crash_at_every_point_of_reopen_keeps_the_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
