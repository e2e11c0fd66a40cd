/*
 * Reads, writes, KEK rotations and an erase on one handle from several
 * threads: the key cache and the buffered access entries live in the
 * handle, under its write lock. Every read of the kept subject returns its
 * payload; once the erased subject's record has been seen gone it is never
 * readable again; the audit chain verifies at the end.
 */
#include "../unit/test_vault_helpers.h"

#include <custos/audit.h>
#include <custos/erase.h>
#include <pthread.h>
#include <stdatomic.h>

#define READERS 3
#define ROUNDS 200

typedef struct shared {
    custos_t *ctx;
    custos_subject alice, bob;
    custos_record_id kept, doomed;
    atomic_int bad_read, came_back, readers_done;
} shared;

static void *reader(void *arg)
{
    shared *s = arg;
    uint8_t buf[64];
    size_t len = 0;
    int gone = 0;
    for (int i = 0; i < ROUNDS; i++) {
        if (custos_vault_get(s->ctx, buf, sizeof buf, &len, NULL, s->kept) != CUSTOS_OK || len != 4 ||
            memcmp(buf, "kept", 4) != 0)
            atomic_store(&s->bad_read, 1);
        int rc = custos_vault_get(s->ctx, buf, sizeof buf, &len, NULL, s->doomed);
        if (rc != CUSTOS_OK)
            gone = 1;
        else if (gone)
            atomic_store(&s->came_back, 1);
    }
    atomic_fetch_add(&s->readers_done, 1);
    return NULL;
}

static void *writer(void *arg)
{
    shared *s = arg;
    for (int i = 0; i < ROUNDS / 20; i++) {
        custos_record_id id = 0;
        if (custos_vault_put(s->ctx, &id, s->alice, 2, 2, "more", 4) != CUSTOS_OK)
            atomic_store(&s->bad_read, 1);
        if (i % 4 == 0 && custos_vault_rotate_kek(s->ctx) != CUSTOS_OK)
            atomic_store(&s->bad_read, 1);
        if (i == ROUNDS / 40) {
            static uint8_t receipt[8192];
            size_t rlen = 0;
            if (custos_erase_subject(s->ctx, receipt, sizeof receipt, &rlen, s->bob, NULL) != CUSTOS_OK)
                atomic_store(&s->bad_read, 1);
        }
    }
    return NULL;
}

static void test_threads_share_the_key_cache_safely(void **state)
{
    (void)state;
    char *dir = NULL;
    shared s;
    memset(&s, 0, sizeof s);
    s.ctx = tv_fresh(&dir, "vcachethr", &s.alice, &s.bob);
    s.kept = tv_put(s.ctx, s.alice, 1, 1, "kept");
    s.doomed = tv_put(s.ctx, s.bob, 1, 1, "bobs");
    pthread_t t[READERS + 1];
    for (int i = 0; i < READERS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, reader, &s), 0);
    assert_int_equal(pthread_create(&t[READERS], NULL, writer, &s), 0);
    for (int i = 0; i <= READERS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    assert_int_equal(atomic_load(&s.readers_done), READERS);
    assert_int_equal(atomic_load(&s.bad_read), 0);
    assert_int_equal(atomic_load(&s.came_back), 0);
    uint8_t buf[8];
    size_t len = 0;
    assert_int_equal(custos_vault_get(s.ctx, buf, sizeof buf, &len, NULL, s.doomed), CUSTOS_ENOTFOUND);
    custos_audit_report r = { .version = CUSTOS_AUDIT_REPORT_VERSION };
    assert_int_equal(custos_audit_verify(s.ctx, &r), CUSTOS_OK);
    custos_close(s.ctx);
    th_tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_share_the_key_cache_safely),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
