/*
 * Sealed streams leave no plaintext and no key in any file of the store: a
 * stream of a known pattern (canary blocks) is written and read back, and
 * every file under the store (streams/ included) is scanned for the
 * canaries, the data key and the per-stream subkey; after crypto-erase of
 * the subject no file of the stream remains.
 */
#include "../unit/test_stream_helpers.h"
#include "scan.h"

#include <custos/erase.h>
#include <sodium.h>

#define N_BLOCKS 8

static void test_no_stream_plaintext_or_key_in_any_store_file_and_none_after_erase(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vsforensic", &alice, NULL);
    /* The stream: N_BLOCKS canaries of 64 hex characters, each repeated over 40 KiB. */
    char canary[N_BLOCKS][65];
    scan_needle needles[N_BLOCKS + 4];
    size_t n = 0;
    custos_vault_stream *w = NULL;
    assert_int_equal(custos_vault_stream_create(ctx, &w, alice, 1, 1), CUSTOS_OK);
    static uint8_t block[40 * 1024];
    for (int i = 0; i < N_BLOCKS; i++) {
        uint8_t r[32];
        randombytes_buf(r, sizeof r);
        sodium_bin2hex(canary[i], sizeof canary[i], r, sizeof r);
        needles[n++] = (scan_needle){ (const uint8_t *)canary[i], 64, "stream canary" };
        for (size_t at = 0; at + 64 <= sizeof block; at += 64)
            memcpy(block + at, canary[i], 64);
        assert_int_equal(custos_vault_stream_write(w, block, sizeof block), CUSTOS_OK);
    }
    custos_record_id id = 0;
    assert_int_equal(custos_vault_stream_finish(w, &id), CUSTOS_OK);
    /* Read it back whole (the reader's buffers must not reach a file either). */
    custos_vault_stream *r = NULL;
    assert_int_equal(custos_vault_stream_open(ctx, &r, NULL, id), CUSTOS_OK);
    size_t got = 0, total = 0;
    do {
        assert_int_equal(custos_vault_stream_read(r, block, sizeof block, &got), CUSTOS_OK);
        total += got;
    } while (got > 0);
    assert_int_equal(total, N_BLOCKS * sizeof block);
    custos_vault_stream_close(r);

    /* The data key and the stream's subkey. */
    uint8_t hash[32], key[32], subkey[32], msg[32];
    tv_hash(ctx, alice, hash);
    pthread_mutex_lock(&ctx->write_lock);
    assert_int_equal(custos__vault_test_data_key(ctx, hash, 1, key), CUSTOS_OK);
    pthread_mutex_unlock(&ctx->write_lock);
    char *path = ts_file(ctx, dir, id);
    size_t flen = 0;
    uint8_t *file = th_read_file(path, &flen);
    assert_non_null(file);
    memcpy(msg, "custos.v1 stream", 16);
    memcpy(msg + 16, file + 16, 16);
    crypto_generichash(subkey, 32, msg, sizeof msg, key, 32);
    /* It is the real subkey (so the needle means something): the first chunk opens with it. */
    int kl = 0;
    uint8_t *key_id = tv_blob(ctx, "SELECT key_id FROM vault_record WHERE id=?1", id, &kl);
    uint8_t ad[104];
    memcpy(ad, file, 56);
    memcpy(ad + 56, hash, 32);
    memcpy(ad + 88, "\1\0\0\0\1\0\0\0", 8);
    memcpy(ad + 96, key_id, 8);
    crypto_secretstream_xchacha20poly1305_state st;
    static uint8_t plain[TS_CHUNK];
    uint8_t tag = 0;
    assert_int_equal(crypto_secretstream_xchacha20poly1305_init_pull(&st, file + 32, subkey), 0);
    assert_int_equal(crypto_secretstream_xchacha20poly1305_pull(&st, plain, NULL, &tag, file + 56, TS_CHUNK + 17,
                                                                ad, sizeof ad), 0);
    assert_memory_equal(plain, canary[0], 64);
    sodium_memzero(plain, sizeof plain);
    free(key_id);
    free(file);
    needles[n++] = (scan_needle){ key, 32, "data key" };
    needles[n++] = (scan_needle){ subkey, 32, "stream subkey" };
    needles[n++] = (scan_needle){ (const uint8_t *)TV_ALICE_ID, strlen(TV_ALICE_ID), "subject id" };

    size_t hits = scan_path(dir, needles, n, NULL, stderr);
    assert_int_equal(hits, 0);
    custos_close(ctx);
    assert_int_equal(scan_path(dir, needles, n, NULL, stderr), 0);

    /* Erase: the file goes. */
    ctx = tv_open(dir);
    assert_true(ts_exists(path));
    assert_int_equal(custos_erase_subject(ctx, NULL, 0, NULL, alice, NULL), CUSTOS_OK);
    assert_false(ts_exists(path));
    assert_int_equal(ts_files(dir), 0);
    custos_close(ctx);
    assert_int_equal(scan_path(dir, needles, n, NULL, stderr), 0);
    free(path);
    th_tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_stream_plaintext_or_key_in_any_store_file_and_none_after_erase),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
