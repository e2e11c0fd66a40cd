/*
 * Forensic acceptance test of a subject erase (requirements.md §8.2):
 * after erasing subject A, no file of the store and no core dump of the
 * process holds any of A's canaries, any of A's data keys, or the KEK that
 * wrapped them; B's data is intact; and a copy of the store taken before the
 * erase, with every key the SDK holds after it, does not open A's records.
 *
 * The store is filled in a child process and the erase runs in another, so
 * that no plaintext canary ever sits in the memory of the process that is
 * dumped; the values the scan looks for travel masked (XOR with a random
 * mask) through a file outside the store.
 */
#include "harness.h"
#include "erase_fixture.h"
#include "scan.h"
#include "ground/internal.h"
#include "vault/vault_internal.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define N_REC 20
#define MAX_KEK 4

/* What the setup child hands over, masked. */
typedef struct secrets {
    char canary_a[2 * N_REC][EF_CANARY_LEN];
    char canary_b[N_REC][EF_CANARY_LEN];
    custos_record_id ids_a[2 * N_REC], ids_b[N_REC];
    uint8_t dek_a[2][32];
    uint8_t kek[MAX_KEK][32];
    uint32_t n_kek;
    custos_subject a;
} secrets;

static uint8_t mask[sizeof(secrets)];

static void xor_mask(secrets *s)
{
    uint8_t *p = (uint8_t *)s;
    for (size_t i = 0; i < sizeof *s; i++)
        p[i] ^= mask[i];
}

static void read_keks(const char *dir, secrets *s)
{
    char path[4096];
    size_t len = 0;
    snprintf(path, sizeof path, "%s/keys", dir);
    uint8_t *k = th_read_file(path, &len);
    if (k == NULL || len < 80)
        _exit(3);
    /* Key file layout (keyprov_file.c): n at 12, then n x {gen u32, KEK 32} from 80. */
    s->n_kek = (uint32_t)k[12] | (uint32_t)k[13] << 8;
    for (uint32_t i = 0; i < s->n_kek && i < MAX_KEK; i++)
        memcpy(s->kek[i], k + 80 + 36 * i + 4, 32);
    sodium_memzero(k, len);
    free(k);
}

/* In a child: build the store and write the masked secrets to out. */
static int fill_store(const char *dir, const char *out)
{
    secrets s;
    custos_t *ctx = NULL;
    custos_subject b;
    uint8_t h[32];
    memset(&s, 0, sizeof s);
    if (custos_open(&ctx, dir, NULL) != CUSTOS_OK || ef_load_manifest(ctx) != CUSTOS_OK ||
        ef_subject(ctx, &s.a, "alice@example.com") != CUSTOS_OK || ef_subject(ctx, &b, "bob@example.com") != CUSTOS_OK ||
        ef_put(ctx, s.a, EF_PURPOSE_VIDEO, N_REC, s.canary_a, s.ids_a) != CUSTOS_OK ||
        ef_put(ctx, s.a, EF_PURPOSE_STATS, N_REC, s.canary_a + N_REC, s.ids_a + N_REC) != CUSTOS_OK ||
        ef_put(ctx, b, EF_PURPOSE_VIDEO, N_REC, s.canary_b, s.ids_b) != CUSTOS_OK ||
        custos__subject_hash(ctx, h, "alice@example.com") != CUSTOS_OK)
        return 1;
    pthread_mutex_lock(&ctx->write_lock);
    int rc = custos__vault_test_data_key(ctx, h, EF_PURPOSE_VIDEO, s.dek_a[0]);
    if (rc == CUSTOS_OK)
        rc = custos__vault_test_data_key(ctx, h, EF_PURPOSE_STATS, s.dek_a[1]);
    pthread_mutex_unlock(&ctx->write_lock);
    custos_close(ctx);
    if (rc != CUSTOS_OK)
        return 2;
    read_keks(dir, &s);
    xor_mask(&s);
    FILE *f = fopen(out, "wb");
    return f == NULL || fwrite(&s, sizeof s, 1, f) != 1 || fclose(f) != 0;
}

static int in_child(int (*fn)(const char *, const char *), const char *a, const char *b)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(fn(a, b));
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static uint8_t marker[32]; /* positive control: must be found in the dumps */
static custos_subject erase_target;

/* In a child: erase A, keep the store open, dump memory, then abort() for a core dump. */
static int erase_and_dump(const char *dir, const char *dumpdir)
{
#if defined(__SANITIZE_ADDRESS__)
    /* An ASan process's core holds its terabytes of shadow memory: take
     * the /proc/self/mem dump only. */
    struct rlimit rl = { 0, 0 };
#else
    struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
#endif
    setrlimit(RLIMIT_CORE, &rl);
    prctl(PR_SET_DUMPABLE, 1);
    if (chdir(dumpdir) != 0)
        return 10;
    custos_t *ctx = NULL;
    if (custos_open(&ctx, dir, NULL) != CUSTOS_OK)
        return 11;
    if (custos_erase_subject(ctx, NULL, 0, NULL, erase_target, NULL) != CUSTOS_OK)
        return 12;
    volatile uint8_t *keep = malloc(sizeof marker);
    memcpy((void *)keep, marker, sizeof marker);
    char path[4096];
    snprintf(path, sizeof path, "%s/memdump", dumpdir);
    if (scan_dump_self(path) <= 0)
        return 13;
    abort(); /* the store stays open: the core shows the process as it runs */
}

typedef struct needles {
    scan_needle n[2 * N_REC + 2 + MAX_KEK];
    size_t count;
    char label[2 * N_REC + 2 + MAX_KEK][32];
} needles;

static void needles_of_a(needles *nd, const secrets *s)
{
    nd->count = 0;
    for (int i = 0; i < 2 * N_REC; i++) {
        snprintf(nd->label[nd->count], 32, "canary A%d", i);
        nd->n[nd->count] = (scan_needle){ (const uint8_t *)s->canary_a[i], EF_CANARY_LEN, nd->label[nd->count] };
        nd->count++;
    }
    for (int i = 0; i < 2; i++) {
        snprintf(nd->label[nd->count], 32, "data key A/purpose %d", i + 1);
        nd->n[nd->count] = (scan_needle){ s->dek_a[i], 32, nd->label[nd->count] };
        nd->count++;
    }
    for (uint32_t i = 0; i < s->n_kek && i < MAX_KEK; i++) {
        snprintf(nd->label[nd->count], 32, "pre-erase KEK %u", i);
        nd->n[nd->count] = (scan_needle){ s->kek[i], 32, nd->label[nd->count] };
        nd->count++;
    }
}

static size_t scan_dumps(const char *dumpdir, const needles *nd, size_t *marker_hits, int *n_dumps)
{
    DIR *d = opendir(dumpdir);
    struct dirent *e;
    size_t total = 0;
    scan_needle m = { marker, sizeof marker, "positive-control marker" };
    *n_dumps = 0;
    *marker_hits = 0;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, "core", 4) != 0 && strcmp(e->d_name, "memdump") != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dumpdir, e->d_name);
        size_t t = scan_path(path, nd->n, nd->count, NULL, stdout);
        size_t mh = scan_path(path, &m, 1, NULL, NULL);
        printf("dump %s (%s): %zu hit(s) of A, marker x%zu\n", e->d_name,
               strcmp(e->d_name, "memdump") == 0 ? "/proc/self/mem of the child" : "kernel core dump after abort()",
               t, mh);
        total += t;
        *marker_hits += mh;
        (*n_dumps)++;
    }
    if (d != NULL)
        closedir(d);
    return total;
}

/* Copy the files of from (only the one named only, if set; never the key
 * file unless named) into to. Buffers are wiped: this process is forked
 * into the one that is dumped, and must not bring key bytes with it. */
static void copy_dir_files(const char *from, const char *to, const char *only)
{
    DIR *d = opendir(from);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' || (only != NULL && strcmp(e->d_name, only) != 0) ||
            (only == NULL && strcmp(e->d_name, "keys") == 0))
            continue;
        char path[4096];
        size_t len = 0;
        snprintf(path, sizeof path, "%s/%s", from, e->d_name);
        uint8_t *b = th_read_file(path, &len);
        if (b != NULL) {
            th_write_file(to, e->d_name, b, len);
            sodium_memzero(b, len);
            free(b);
        }
    }
    if (d != NULL)
        closedir(d);
}

static void test_erased_subject_leaves_no_trace_in_files_or_core(void **state)
{
    (void)state;
    char *dir = th_tmpdir("forensic"), *work = th_tmpdir("forensic-work"), *dumps = th_tmpdir("forensic-dumps");
    char *before = th_tmpdir("forensic-before");
    char secrets_path[4096];
    snprintf(secrets_path, sizeof secrets_path, "%s/secrets", work);
    randombytes_buf(mask, sizeof mask);
    randombytes_buf(marker, sizeof marker);

    assert_int_equal(in_child(fill_store, dir, secrets_path), 0);
    secrets *s = (secrets *)th_read_file(secrets_path, &(size_t){ 0 });
    assert_non_null(s);
    erase_target = s->a ^ *(custos_subject *)(mask + offsetof(secrets, a));
    copy_dir_files(dir, before, NULL); /* the pre-erase copy: database and WAL as they were */

    int status = in_child(erase_and_dump, dir, dumps);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    printf("erase child: %s\n", WCOREDUMP(status) ? "core dumped" : "no core file (core dumps unavailable here)");

    xor_mask(s); /* only now, with the dumped process gone, do the plain values exist here */
    needles nd;
    needles_of_a(&nd, s);
    size_t in_files = scan_path(dir, nd.n, nd.count, NULL, stdout);
    printf("store files: %zu hit(s) of A's %zu canaries, 2 data keys and %u pre-erase KEK(s)\n", in_files,
           (size_t)(2 * N_REC), s->n_kek);
    assert_int_equal(in_files, 0);

    size_t marker_hits = 0;
    int n_dumps = 0;
    size_t in_dumps = scan_dumps(dumps, &nd, &marker_hits, &n_dumps);
    assert_true(n_dumps >= 1);
    assert_true(marker_hits >= (size_t)n_dumps); /* the dumps do capture the process's memory */
    assert_int_equal(in_dumps, 0);

    /* Positive control on the files: the KEK that exists now is found in the key file. */
    secrets now;
    memset(&now, 0, sizeof now);
    read_keks(dir, &now);
    scan_needle live = { now.kek[0], 32, "current KEK" };
    size_t live_hits = scan_path(dir, &live, 1, NULL, NULL);
    printf("positive control: current KEK found %zu time(s) in the store files\n", live_hits);
    assert_true(live_hits >= 1);
    sodium_memzero(&now, sizeof now);

    /* B intact, A gone. */
    custos_t *ctx = th_open(dir);
    for (int i = 0; i < N_REC; i++)
        assert_true(ef_reads(ctx, s->ids_b[i], s->canary_b[i]));
    for (int i = 0; i < 2 * N_REC; i++)
        assert_false(ef_reads(ctx, s->ids_a[i], s->canary_a[i]));
    custos_close(ctx);

    /* The pre-erase database with every key the SDK holds now. */
    copy_dir_files(dir, before, "keys");
    copy_dir_files(dir, before, "STORE");
    char shm[4096];
    snprintf(shm, sizeof shm, "%s/custos.db-shm", before);
    unlink(shm);
    custos_t *old = NULL;
    int rc = custos_open(&old, before, NULL);
    printf("pre-erase copy + post-erase keys: open -> %s\n", custos_strerror(rc));
    if (rc == CUSTOS_OK) {
        for (int i = 0; i < 2 * N_REC; i++) {
            uint8_t out[EF_CANARY_LEN];
            size_t len = 0;
            assert_int_equal(custos_vault_get(old, out, sizeof out, &len, NULL, s->ids_a[i]), CUSTOS_EKEY);
        }
        custos_close(old);
    } else {
        assert_true(rc == CUSTOS_EKEY || rc == CUSTOS_ECORRUPT);
    }
    sodium_memzero(s, sizeof *s);
    free(s);
    th_tmpdir_remove(before);
    th_tmpdir_remove(dumps);
    th_tmpdir_remove(work);
    th_tmpdir_remove(dir);
}

static void test_scanner_finds_needle_in_raw_hex_and_base64(void **state)
{
    (void)state;
    static const uint8_t key[12] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8 };
    const char text[] = "xx\xde\xad\xbe\xef\x01\x02\x03\x04\x05\x06\x07\x08 deadbeef0102030405060708 "
                        "DEADBEEF0102030405060708 3q2+7wECAwQFBgcI";
    scan_needle n = { key, sizeof key, "k" };
    size_t count = 0;
    assert_int_equal(scan_buffer((const uint8_t *)text, sizeof text - 1, &n, 1, &count), 4);
    assert_int_equal(count, 4);
}

static void test_scanner_counts_per_file_under_a_directory(void **state)
{
    (void)state;
    char *dir = th_tmpdir("scan");
    static const uint8_t needle[16] = "0123456789abcdef";
    th_write_file(dir, "one", "..0123456789abcdef..0123456789abcdef", 36);
    th_write_file(dir, "two", "nothing here at all", 19);
    scan_needle n = { needle, sizeof needle, "n" };
    size_t count = 0;
    assert_int_equal(scan_path(dir, &n, 1, &count, NULL), 2);
    assert_int_equal(count, 2);
    th_tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scanner_finds_needle_in_raw_hex_and_base64),
        cmocka_unit_test(test_scanner_counts_per_file_under_a_directory),
        cmocka_unit_test(test_erased_subject_leaves_no_trace_in_files_or_core),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
