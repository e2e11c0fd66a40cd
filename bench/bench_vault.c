/*
 * bench_vault.c: the vault against its peers, in one run (DESIGN §12).
 *
 * For 256-byte and 4 KiB payloads, with the same schema, indexes, pragmas
 * and batch size (bench_vault_peer.h):
 *   put            records stored per second of wall time (one transaction
 *                  per batch; each commit waits for fsync)
 *   get-by-subject records read back per CPU second (every record of each
 *                  subject; CPU time, because on a shared machine the wall
 *                  time of a CPU-bound loop is mostly waiting to be scheduled)
 * for the vault (custos_vault_put_many, custos_vault_foreach), plain SQLite
 * (no encryption) and SQLCipher (raw key, vault_sqlcipher_peer), each in a
 * child process so that its peak RSS is its own (wait4). Also the open time
 * of a store with the file key provider. Goals (issue 5): put and get at
 * least 0.8x plain SQLite and at least 2x SQLCipher; open <= 10 ms.
 *
 *   bench_vault [ROUNDS]      median of ROUNDS runs per figure (default 3)
 */
#include <custos/custos.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_vault_peer.h"

#include <sodium.h>

#define SUBJECTS 16
#define PER_SUBJECT 256
#define BATCH 64

typedef struct bv_sample { bv_result r; long maxrss_kib; } bv_sample;

static char *tmp_base(void)
{
    static char base[4096];
    const char *t = getenv("TMPDIR");
    snprintf(base, sizeof base, "%s/custos-bench-vault-XXXXXX", t ? t : "/tmp");
    if (mkdtemp(base) == NULL) {
        perror("mkdtemp");
        exit(1);
    }
    return base;
}

static void rm_rf(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    uint8_t *buf = malloc(1 << 20);
    *len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

/* A store with the vault test manifest and SUBJECTS subjects consenting to purpose 1. */
static custos_t *vault_store(const char *dir, custos_subject *subjects)
{
    custos_t *ctx = NULL;
    size_t ylen = 0, mlen = 0;
    uint8_t *yaml = read_all(CUSTOS_SOURCE_DIR "/tests/data/stores/vault-manifest.yaml", &ylen), *m = NULL;
    custos_manifest_error err;
    if (yaml == NULL || custos_open(&ctx, dir, NULL) != CUSTOS_OK ||
        custos_manifest_compile(&m, &mlen, NULL, (const char *)yaml, ylen, "manifest", NULL, &err) != CUSTOS_OK ||
        custos_manifest_load(ctx, m, mlen) != CUSTOS_OK) {
        fprintf(stderr, "bench_vault: store setup failed: %s\n", ctx ? custos_errmsg(ctx) : custos_last_error());
        exit(1);
    }
    free(yaml);
    custos_manifest_free(m);
    custos_consent_info info = CUSTOS_CONSENT_INFO_INIT;
    for (int s = 0; s < SUBJECTS; s++) {
        char id[32];
        snprintf(id, sizeof id, "bench-subject-%d", s);
        if (custos_subject_add(ctx, &subjects[s], id, s == 0 ? CUSTOS_ROLE_OWNER : CUSTOS_ROLE_HOUSEHOLD_MEMBER) ||
            custos_consent_give(ctx, subjects[s], 1, &info)) {
            fprintf(stderr, "bench_vault: subject setup failed: %s\n", custos_errmsg(ctx));
            exit(1);
        }
    }
    return ctx;
}

typedef struct reader { size_t payload; uint8_t *buf; double check; } reader;

static int read_one(void *user, const custos_vault_info *info, const uint8_t *data, size_t len)
{
    reader *r = user;
    (void)info;
    memcpy(r->buf, data, len < r->payload ? len : r->payload);
    r->check += (double)len + r->buf[0];
    return 0;
}

static int vault_run(const char *dir, const bv_workload *w, bv_result *res)
{
    custos_subject subjects[SUBJECTS];
    custos_t *ctx = vault_store(dir, subjects);
    uint8_t *bufs = malloc((size_t)w->batch * w->payload + 1);
    custos_vault_item *items = calloc((size_t)w->batch, sizeof *items);
    custos_record_id *ids = calloc((size_t)w->batch, sizeof *ids);
    long i = 0;
    int rc = 0;
    double t0 = bv_now();
    for (int s = 0; s < w->subjects && rc == 0; s++) {
        for (int done = 0; done < w->per_subject && rc == 0;) {
            int n = 0;
            for (; n < w->batch && done < w->per_subject; n++, done++, i++) {
                bv_fill(bufs + (size_t)n * w->payload, w->payload, i);
                items[n] = (custos_vault_item){ 1, 1, bufs + (size_t)n * w->payload, w->payload };
            }
            rc = custos_vault_put_many(ctx, ids, subjects[s], items, (size_t)n);
        }
    }
    double t1 = bv_now(), c1 = bv_cpu();
    reader r = { w->payload, malloc(w->payload + 1), 0 };
    for (int s = 0; s < w->subjects && rc == 0; s++)
        rc = custos_vault_foreach(ctx, subjects[s], read_one, &r);
    double c2 = bv_cpu();
    if (rc != 0)
        fprintf(stderr, "bench_vault: %s: %s\n", custos_strerror(rc), custos_errmsg(ctx));
    *res = (bv_result){ t1 - t0, c2 - c1, r.check };
    free(r.buf);
    free(bufs);
    free(items);
    free(ids);
    custos_close(ctx);
    return rc;
}

/* Run fn in a child; its result comes back through a pipe, its peak RSS from wait4. */
static int in_child(int which, const char *dir, const bv_workload *w, bv_sample *out)
{
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        bv_result r;
        char path[4200];
        snprintf(path, sizeof path, "%s/peer.db", dir);
        int rc = which == 0 ? vault_run(dir, w, &r) : bv_peer_run(path, NULL, w, &r);
        if (rc == 0 && write(fd[1], &r, sizeof r) != (ssize_t)sizeof r)
            rc = -1;
        _exit(rc == 0 ? 0 : 1);
    }
    close(fd[1]);
    ssize_t got = read(fd[0], &out->r, sizeof out->r);
    close(fd[0]);
    int status = 0;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    out->maxrss_kib = ru.ru_maxrss;
    return got == (ssize_t)sizeof out->r && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int sqlcipher_child(const char *dir, const bv_workload *w, bv_sample *out)
{
#ifdef CUSTOS_SQLCIPHER_PEER
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    char path[4200], a[4][32];
    snprintf(path, sizeof path, "%s/sqlcipher.db", dir);
    snprintf(a[0], 32, "%zu", w->payload);
    snprintf(a[1], 32, "%d", w->subjects);
    snprintf(a[2], 32, "%d", w->per_subject);
    snprintf(a[3], 32, "%d", w->batch);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        execl(CUSTOS_SQLCIPHER_PEER, CUSTOS_SQLCIPHER_PEER, path, a[0], a[1], a[2], a[3], (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    char text[256] = { 0 };
    ssize_t got = read(fd[0], text, sizeof text - 1);
    close(fd[0]);
    int status = 0;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    out->maxrss_kib = ru.ru_maxrss;
    if (got <= 0 || sscanf(text, "%lf %lf %lf", &out->r.put_s, &out->r.get_s, &out->r.check) != 3)
        return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
#else
    (void)dir;
    (void)w;
    (void)out;
    return -1;
#endif
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

typedef struct figures { double put, get; long rss; int ok; } figures;

/* Median records/s over rounds for one peer (0 vault, 1 SQLite, 2 SQLCipher). */
static figures measure(int peer, const bv_workload *w, int rounds)
{
    double put[16], get[16];
    figures f = { 0, 0, 0, 1 };
    double n = (double)w->subjects * w->per_subject;
    for (int k = 0; k < rounds; k++) {
        char *dir = tmp_base();
        bv_sample s;
        int rc = peer == 2 ? sqlcipher_child(dir, w, &s) : in_child(peer, dir, w, &s);
        rm_rf(dir);
        if (rc != 0) {
            f.ok = 0;
            return f;
        }
        put[k] = n / s.r.put_s;
        get[k] = n / s.r.get_s;
        if (s.maxrss_kib > f.rss)
            f.rss = s.maxrss_kib;
    }
    f.put = median(put, rounds);
    f.get = median(get, rounds);
    return f;
}

/* The third peer: libsodium alone, sealing and opening as many records
 * of the payload size with XChaCha20-Poly1305 and an 80-byte associated
 * data (what the vault does per record: seal.c, AD version 2), in CPU seconds. It bounds what
 * any design that seals each record can reach against plain SQLite:
 * vault/SQLite <= t_sqlite / (t_sqlite + t_crypto). gcm_open_s: the same
 * opens with AES-256-GCM and its key schedule precomputed (the vault's fmt 2),
 * 0 where the CPU lacks it. */
typedef struct crypto_cost { double seal_s, open_s, gcm_open_s; } crypto_cost;

static crypto_cost crypto_alone(const bv_workload *w)
{
    size_t n = (size_t)w->subjects * (size_t)w->per_subject, sealed = w->payload + 40;
    uint8_t *plain = malloc(w->payload), *box = malloc(n * sealed), key[32], ad[80] = { 0 };
    randombytes_buf(key, sizeof key);
    crypto_cost c = { 0, 0, 0 };
    double t0 = bv_cpu();
    for (size_t i = 0; i < n; i++) {
        uint8_t *b = box + i * sealed;
        bv_fill(plain, w->payload, (long)i);
        randombytes_buf(b, 24);
        crypto_aead_xchacha20poly1305_ietf_encrypt(b + 24, NULL, plain, w->payload, ad, sizeof ad, NULL, b, key);
    }
    double t1 = bv_cpu();
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t *b = box + i * sealed;
        bad |= crypto_aead_xchacha20poly1305_ietf_decrypt(plain, NULL, NULL, b + 24, sealed - 24, ad, sizeof ad, b,
                                                          key);
    }
    c.seal_s = t1 - t0;
    c.open_s = bad ? -1 : bv_cpu() - t1;
    crypto_aead_aes256gcm_state *st = crypto_aead_aes256gcm_is_available() ? sodium_malloc(sizeof *st) : NULL;
    if (st != NULL) { /* sodium_malloc: 16-aligned, as the state needs */
        crypto_aead_aes256gcm_beforenm(st, key);
        size_t gsealed = w->payload + 28;
        for (size_t i = 0; i < n; i++) {
            uint8_t *b = box + i * gsealed;
            bv_fill(plain, w->payload, (long)i);
            randombytes_buf(b, 12);
            crypto_aead_aes256gcm_encrypt_afternm(b + 12, NULL, plain, w->payload, ad, sizeof ad, NULL, b, st);
        }
        double t2 = bv_cpu();
        for (size_t i = 0; i < n; i++) {
            uint8_t *b = box + i * gsealed;
            bad |= crypto_aead_aes256gcm_decrypt_afternm(plain, NULL, NULL, b + 12, gsealed - 12, ad, sizeof ad, b,
                                                         st);
        }
        c.gcm_open_s = bad ? -1 : bv_cpu() - t2;
        sodium_free(st);
    }
    free(plain);
    free(box);
    return c;
}

/* Mean and worst time of custos_open on an existing store with the file provider. */
static void open_time(double *mean_ms, double *max_ms)
{
    char *dir = tmp_base();
    custos_subject subjects[SUBJECTS];
    custos_t *ctx = vault_store(dir, subjects);
    custos_record_id id;
    if (custos_vault_put(ctx, &id, subjects[0], 1, 1, "x", 1) != CUSTOS_OK)
        exit(1);
    custos_close(ctx);
    double sum = 0, worst = 0;
    const int reps = 50;
    for (int i = 0; i < reps; i++) {
        double t0 = bv_now();
        if (custos_open(&ctx, dir, NULL) != CUSTOS_OK)
            exit(1);
        double t = (bv_now() - t0) * 1e3;
        custos_close(ctx);
        sum += t;
        worst = t > worst ? t : worst;
    }
    *mean_ms = sum / reps;
    *max_ms = worst;
    rm_rf(dir);
}

/* One round of the 256-byte workload in this process, vault then plain
 * SQLite, for an instruction profile of the reads:
 *   valgrind --tool=callgrind --toggle-collect=custos_vault_foreach bench_vault --callgrind
 *   valgrind --tool=callgrind --toggle-collect=bv_peer_get bench_vault --callgrind
 * (instructions per record = Ir / SUBJECTS / PER_SUBJECT). */
static int callgrind_run(size_t payload)
{
    bv_workload w = { payload, SUBJECTS, PER_SUBJECT, BATCH };
    bv_result r;
    char *dir = tmp_base(), path[4200];
    snprintf(path, sizeof path, "%s/peer.db", dir);
    int rc = vault_run(dir, &w, &r) | bv_peer_run(path, NULL, &w, &r);
    rm_rf(dir);
    return rc;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0)
        return 1;
    if (argc > 1 && strcmp(argv[1], "--callgrind") == 0)
    {
        long records = argc > 2 ? bv_arg(argv[2], 1, 1000000) : 256;
        if (records < 0) {
            fprintf(stderr, "%s --callgrind RECORDS: 1..1000000\n", argv[0]);
            return 2;
        }
        return callgrind_run((size_t)records) ? 1 : 0;
    }
    long rounds_arg = argc > 1 ? bv_arg(argv[1], 1, 15) : 3;
    if (rounds_arg < 0) {
        fprintf(stderr, "%s [ROUNDS]: 1..15\n", argv[0]);
        return 2;
    }
    int rounds = (int)rounds_arg;
    static const size_t payloads[] = { 256, 4096 };
    printf("bench_vault: %d subjects x %d records, batches of %d, median of %d runs\n\n", SUBJECTS, PER_SUBJECT,
           BATCH, rounds);
    printf("| payload | operation | vault (rec/s) | SQLite (rec/s) | SQLCipher (rec/s) | vault/SQLite | vault/SQLCipher |\n");
    printf("|---|---|---|---|---|---|---|\n");
    long rss[3] = { 0, 0, 0 };
    int failed = 0;
    double bound[2][2], gbound[2][2] = { { 0, 0 }, { 0, 0 } }, ceiling[2][2];
    for (size_t p = 0; p < sizeof payloads / sizeof payloads[0]; p++) {
        bv_workload w = { payloads[p], SUBJECTS, PER_SUBJECT, BATCH };
        figures f[3];
        for (int peer = 0; peer < 3; peer++) {
            f[peer] = measure(peer, &w, rounds);
            if (f[peer].rss > rss[peer])
                rss[peer] = f[peer].rss;
        }
        failed |= !f[0].ok || !f[1].ok;
        crypto_cost cc = crypto_alone(&w);
        double n = (double)w.subjects * w.per_subject, t_get = n / f[1].get;
        bound[p][0] = t_get / (t_get + cc.open_s);
        bound[p][1] = cc.open_s / n * 1e9;
        if (cc.gcm_open_s > 0) {
            gbound[p][0] = t_get / (t_get + cc.gcm_open_s);
            gbound[p][1] = cc.gcm_open_s / n * 1e9;
        }
        ceiling[p][0] = f[2].ok ? f[1].put / f[2].put : 0;
        ceiling[p][1] = f[2].ok ? f[1].get / f[2].get : 0;
        for (int op = 0; op < 2; op++) {
            double v = op ? f[0].get : f[0].put, s = op ? f[1].get : f[1].put, c = op ? f[2].get : f[2].put;
            printf("| %zu B | %s | %.0f | %.0f | %s%.0f | %.2fx | ", payloads[p], op ? "get-by-subject" : "put", v, s,
                   f[2].ok ? "" : "n/a ", c, v / s);
            if (f[2].ok)
                printf("%.2fx |\n", v / c);
            else
                printf("n/a |\n");
        }
    }
    printf("\nbound from libsodium alone (XChaCha20-Poly1305 open of each record, same run):\n");
    for (size_t p = 0; p < 2; p++)
        printf("  %zu B: %.0f ns per record opened; per-record sealing can reach at most %.2fx plain SQLite's"
               " get-by-subject\n", payloads[p], bound[p][1], bound[p][0]);
    if (gbound[0][1] > 0) {
        printf("bound from libsodium alone (AES-256-GCM open, key schedule precomputed: the vault's fmt 2):\n");
        for (size_t p = 0; p < 2; p++)
            printf("  %zu B: %.0f ns per record opened; per-record sealing can reach at most %.2fx plain SQLite's"
                   " get-by-subject\n", payloads[p], gbound[p][1], gbound[p][0]);
    }
    printf("plain SQLite (no encryption at all) against SQLCipher, same run: the ceiling of vault/SQLCipher for any"
           " design that stores through SQLite:\n");
    for (size_t p = 0; p < 2; p++)
        printf("  %zu B: put %.2fx, get-by-subject %.2fx\n", payloads[p], ceiling[p][0], ceiling[p][1]);
    double mean_ms, max_ms;
    open_time(&mean_ms, &max_ms);
    printf("\nstore open (file key provider): mean %.2f ms, worst %.2f ms over 50 opens\n", mean_ms, max_ms);
    printf("peak RSS: vault %ld KiB, SQLite %ld KiB, SQLCipher %ld KiB (vault/SQLite %.2fx)\n", rss[0], rss[1],
           rss[2], rss[1] > 0 ? (double)rss[0] / (double)rss[1] : 0.0);
    return failed ? 1 : 0;
}
