/* The key cache (core/src/vault/vault.c, KEY CACHE): a data key unwrapped
 * once stays in guarded memory for the handle's life, and a destroyed,
 * re-wrapped or rolled-back key is never served from it.
 *
 * The tests see the cache through the key provider: once the KEK that
 * wraps a data key is gone (which changes nothing in the database), a read
 * that still succeeds was served from the cache, and one that fails with
 * CUSTOS_EKEY had to unwrap again. */
#include "test_vault_helpers.h"
#include "vault/vault_private.h"

#include <sqlite3.h>

/* Make every wrapped data key of the store unopenable without touching the
 * database: the key provider gets a new KEK generation and loses the one
 * the keys are wrapped under. */
static void lose_kek(custos_t *ctx, uint32_t gen)
{
    uint32_t fresh = 0;
    assert_int_equal(ctx->kp->kek_create(ctx->kp->state, &fresh), CUSTOS_OK);
    assert_int_equal(ctx->kp->kek_destroy(ctx->kp->state, gen), CUSTOS_OK);
}

/* The protection of the page holding addr, from /proc/self/maps ("rw-p", "---p"; "" if not mapped). */
static void page_perms(const void *addr, char out[5])
{
    uintptr_t a = (uintptr_t)addr;
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    out[0] = '\0';
    assert_non_null(f);
    while (fgets(line, sizeof line, f) != NULL) {
        unsigned long lo = 0, hi = 0;
        char perms[5] = "";
        if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 && a >= lo && a < hi) {
            memcpy(out, perms, 5);
            break;
        }
    }
    fclose(f);
}

static int get(custos_t *ctx, custos_record_id id)
{
    uint8_t buf[64];
    size_t len = 0;
    return custos_vault_get(ctx, buf, sizeof buf, &len, NULL, id);
}

static void test_a_key_is_unwrapped_once_and_then_served_from_the_cache(void **state)
{
    (void)state;
    char *dir = NULL;
    custos_subject alice, bob;
    custos_t *ctx = tv_fresh(&dir, "vcache1", &alice, &bob);
    custos_record_id id = tv_put(ctx, alice, 1, 1, "cached");
    tv_expect(ctx, id, "cached"); /* the key created by the put is not kept; this get caches it */
    lose_kek(ctx, 1);
    tv_expect(ctx, id, "cached");
    tv_expect(ctx, id, "cached");
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

/* Any change to the database (here a commit by another connection) empties it. */
static void test_a_change_to_the_database_empties_the_cache(void **state)
{
    (void)state;
    char *dir = NULL;
    custos_subject alice, bob;
    custos_t *ctx = tv_fresh(&dir, "vcache2", &alice, &bob);
    custos_record_id id = tv_put(ctx, alice, 1, 1, "shared");
    tv_expect(ctx, id, "shared");
    lose_kek(ctx, 1);
    tv_expect(ctx, id, "shared");

    char path[1024];
    snprintf(path, sizeof path, "%s/custos.db", dir);
    sqlite3 *other = NULL;
    assert_int_equal(sqlite3_open(path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "INSERT OR REPLACE INTO vault_meta(name, value) VALUES('probe', 1)",
                                  NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(other);
    assert_int_equal(get(ctx, id), CUSTOS_EKEY);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_a_destroyed_key_is_never_served_from_the_cache(void **state)
{
    (void)state;
    char *dir = NULL;
    custos_subject alice, bob;
    custos_t *ctx = tv_fresh(&dir, "vcache3", &alice, &bob);
    custos_record_id id = tv_put(ctx, alice, 1, 1, "doomed");
    custos_record_id kept = tv_put(ctx, alice, 2, 2, "kept");
    tv_expect(ctx, id, "doomed");
    tv_expect(ctx, kept, "kept");

    /* The key step of an erase, alone: the records are still there. */
    uint8_t hash[32];
    tv_hash(ctx, alice, hash);
    uint8_t (*ids)[8] = NULL;
    size_t n = 0;
    TV_IN_TX(ctx, custos__vault_destroy_keys(ctx, hash, 1, &ids, &n));
    assert_int_equal(n, 1);
    custos__free(ids);
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM vault_record"), 2);
    assert_int_equal(get(ctx, id), CUSTOS_EKEY);
    tv_expect(ctx, kept, "kept");
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_kek_rotation_empties_the_cache(void **state)
{
    (void)state;
    char *dir = NULL;
    custos_subject alice, bob;
    custos_t *ctx = tv_fresh(&dir, "vcache4", &alice, &bob);
    custos_record_id id = tv_put(ctx, alice, 1, 1, "rotated");
    tv_expect(ctx, id, "rotated");
    assert_int_equal(custos_vault_rotate_kek(ctx), CUSTOS_OK); /* re-wrapped under generation 2 */
    lose_kek(ctx, 2);
    assert_int_equal(get(ctx, id), CUSTOS_EKEY); /* not served from before the rotation */
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

/* A key created inside a transaction that rolls back must not outlive it:
 * a later put would seal under a key whose row does not exist. */
static void test_a_key_created_in_a_rolled_back_transaction_is_not_cached(void **state)
{
    (void)state;
    char *dir = NULL;
    custos_subject alice, bob;
    custos_t *ctx = tv_fresh(&dir, "vcache5", &alice, &bob);
    uint8_t hash[32];
    tv_hash(ctx, bob, hash);
    custos_vault__enter(ctx);
    assert_int_equal(custos__db_begin(ctx), CUSTOS_OK);
    custos_record_id lost = 0;
    assert_int_equal(custos_vault__insert_sealed(ctx, &lost, hash, 1, 1, tv_time, 0, (const uint8_t *)"x", 1),
                     CUSTOS_OK);
    custos__db_rollback(ctx);
    custos_vault__leave(ctx);
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM vault_key"), 0);

    custos_record_id id = tv_put(ctx, bob, 1, 1, "after the rollback");
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM vault_key"), 1);
    tv_expect(ctx, id, "after the rollback");
    custos_close(ctx);
    ctx = tv_open(dir);
    tv_expect(ctx, id, "after the rollback");
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

/* More scopes than cache slots: the oldest are evicted and unwrapped again. */
static void test_more_scopes_than_slots_still_read_back(void **state)
{
    (void)state;
    char *dir = NULL;
    custos_subject alice, bob;
    custos_t *ctx = tv_fresh(&dir, "vcache6", &alice, &bob);
    enum { N = VT_SLOTS + 4 };
    custos_subject s[N];
    custos_record_id ids[N];
    char name[64];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "cache-subject-%d", i);
        assert_int_equal(custos_subject_add(ctx, &s[i], name, CUSTOS_ROLE_HOUSEHOLD_MEMBER), CUSTOS_OK);
        tv_give(ctx, s[i], 1);
        snprintf(name, sizeof name, "payload %d", i);
        ids[i] = tv_put(ctx, s[i], 1, 1, name);
    }
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < N; i++) {
            snprintf(name, sizeof name, "payload %d", i);
            tv_expect(ctx, ids[i], name);
        }
    }
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

/* By default the cache stays readable between calls; CUSTOS_OPEN_KEYS_NOACCESS makes it no-access
 * outside every vault call, and reads still work; any other flag bit is refused. */
static void test_the_cache_is_no_access_between_calls_only_when_asked(void **state)
{
    (void)state;
    char *dir = NULL;
    custos_subject alice, bob;
    custos_t *ctx = tv_fresh(&dir, "vcache7", &alice, &bob);
    custos_record_id id = tv_put(ctx, alice, 1, 1, "guarded");
    tv_expect(ctx, id, "guarded");
    char perms[5];
    page_perms(ctx->vault->arena, perms);
    assert_string_equal(perms, "rw-p");
    custos_close(ctx);

    custos_open_options o = tv_options();
    o.flags = CUSTOS_OPEN_KEYS_NOACCESS;
    assert_int_equal(custos_open(&ctx, dir, &o), CUSTOS_OK);
    page_perms(ctx->vault->arena, perms);
    assert_string_equal(perms, "---p");
    tv_expect(ctx, id, "guarded");  /* unwraps and caches the key */
    lose_kek(ctx, 1);
    tv_expect(ctx, id, "guarded");  /* served from the cache, readable inside the call */
    page_perms(ctx->vault->arena, perms);
    assert_string_equal(perms, "---p");
    assert_int_equal(custos_vault_delete(ctx, id), CUSTOS_OK); /* a write call evicts and re-protects */
    page_perms(ctx->vault->arena, perms);
    assert_string_equal(perms, "---p");
    custos_close(ctx);

    o.flags = CUSTOS_OPEN_CREATE | 0x80u;
    ctx = NULL;
    assert_int_equal(custos_open(&ctx, dir, &o), CUSTOS_EINVAL);
    assert_null(ctx);
    assert_non_null(strstr(custos_last_error(), "unknown flags 0x80"));
    th_tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_key_is_unwrapped_once_and_then_served_from_the_cache),
        cmocka_unit_test(test_a_change_to_the_database_empties_the_cache),
        cmocka_unit_test(test_a_destroyed_key_is_never_served_from_the_cache),
        cmocka_unit_test(test_kek_rotation_empties_the_cache),
        cmocka_unit_test(test_a_key_created_in_a_rolled_back_transaction_is_not_cached),
        cmocka_unit_test(test_more_scopes_than_slots_still_read_back),
        cmocka_unit_test(test_the_cache_is_no_access_between_calls_only_when_asked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
