/*
 * bench_stream.c: a sealed stream (custos_vault_stream_*) against a plain
 * file, in one run.
 *
 * A clip of N MB (default 200) is written in 1 MiB pieces and read back in
 * 1 MiB pieces:
 *   stream  custos_vault_stream_create/write/finish (chunks sealed, the file
 *           fsynced and renamed, the record committed), then
 *           custos_vault_stream_open/read to the end (every chunk
 *           authenticated, the key re-checked per chunk);
 *   plain   write(2) of the same bytes to a file, fsync, close; then read(2).
 * Both read a file the page cache holds (written just before), so the
 * figures compare the work of the two, not the disk. Reported: MB/s of
 * each (wall time), the ratio stream/plain, and the growth of the peak RSS
 * (VmHWM in /proc/self/status) over the stream's put and get, whose goal is
 * at most 8 MiB whatever N.
 *
 * The bound beside them: libsodium alone over the same bytes in the same
 * 64 KiB chunks, in memory (secretstream push and pull, which the stream
 * uses, and AES-256-GCM with a precomputed key schedule where the CPU has
 * it, the fastest AEAD libsodium offers). A stream must at least do the
 * plain file's work plus the cipher's, so plain / (plain + cipher) caps its
 * ratio whatever the rest costs.
 *
 *   bench_stream [MB [RUNS]]    each figure is the fastest of RUNS (default 3)
 */
#include <custos/custos.h>

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PIECE (1024u * 1024u)

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long vm_hwm_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "VmHWM:", 6) == 0)
            kib = strtol(line + 6, NULL, 10);
    if (f != NULL)
        fclose(f);
    return kib;
}

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n + 1);
    if (b != NULL && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* Seconds libsodium takes over total bytes in 64 KiB chunks: secretstream push (seal), pull (open),
 * AES-256-GCM decrypt (gcm; 0 if the CPU lacks it). */
typedef struct aead_cost {
    double push, pull, gcm;
} aead_cost;

static aead_cost aead_alone(uint64_t total)
{
    enum { C = 65536 };
    static uint8_t m[C], c[C + 32];
    uint8_t key[32], header[crypto_secretstream_xchacha20poly1305_HEADERBYTES], nonce[12] = {0}, tag = 0;
    aead_cost cost = {0, 0, 0};
    uint64_t chunks = (total + C - 1) / C;
    randombytes_buf(key, sizeof key);
    randombytes_buf(m, sizeof m);
    crypto_secretstream_xchacha20poly1305_state push, pull;
    crypto_secretstream_xchacha20poly1305_init_push(&push, header, key);
    if (crypto_secretstream_xchacha20poly1305_init_pull(&pull, header, key) != 0)
        exit(1);
    for (uint64_t i = 0; i < chunks; i++) {
        double t = now_s();
        crypto_secretstream_xchacha20poly1305_push(&push, c, NULL, m, C, NULL, 0, 0);
        cost.push += now_s() - t;
        t = now_s();
        if (crypto_secretstream_xchacha20poly1305_pull(&pull, m, NULL, &tag, c,
                                                       C + crypto_secretstream_xchacha20poly1305_ABYTES,
                                                       NULL, 0) != 0)
            exit(1);
        cost.pull += now_s() - t;
    }
    if (crypto_aead_aes256gcm_is_available()) {
        crypto_aead_aes256gcm_state *st = sodium_malloc(sizeof *st); /* 16-aligned */
        if (st == NULL)
            exit(1);
        crypto_aead_aes256gcm_beforenm(st, key);
        crypto_aead_aes256gcm_encrypt_afternm(c, NULL, m, C, NULL, 0, NULL, nonce, st);
        double t = now_s();
        for (uint64_t i = 0; i < chunks; i++)
            if (crypto_aead_aes256gcm_decrypt_afternm(m, NULL, NULL, c, C + 16, NULL, 0, nonce, st) != 0)
                exit(1);
        cost.gcm = now_s() - t;
        sodium_free(st);
    }
    sodium_memzero(key, sizeof key);
    return cost;
}

static void die(const char *what, custos_t *ctx)
{
    fprintf(stderr, "bench_stream: %s: %s\n", what, ctx != NULL ? custos_errmsg(ctx) : custos_last_error());
    exit(1);
}

/* A store with the vault test manifest and one subject consenting to purpose 1. */
static custos_t *stream_store(const char *dir, custos_subject *subject)
{
    custos_t *ctx = NULL;
    size_t ylen = 0, mlen = 0;
    uint8_t *yaml = read_all(CUSTOS_SOURCE_DIR "/tests/data/stores/vault-manifest.yaml", &ylen), *m = NULL;
    custos_manifest_error err;
    if (yaml == NULL || custos_open(&ctx, dir, NULL) != CUSTOS_OK ||
        custos_manifest_compile(&m, &mlen, NULL, (const char *)yaml, ylen, "manifest", NULL, &err) != CUSTOS_OK ||
        custos_manifest_load(ctx, m, mlen) != CUSTOS_OK)
        die("set up the store", ctx);
    free(yaml);
    custos_manifest_free(m);
    custos_consent_info info = CUSTOS_CONSENT_INFO_INIT;
    if (custos_subject_add(ctx, subject, "bench-subject", CUSTOS_ROLE_OWNER) != CUSTOS_OK ||
        custos_consent_give(ctx, *subject, 1, &info) != CUSTOS_OK)
        die("register the subject", ctx);
    return ctx;
}

/* One run's wall times in seconds: the stream's put and get, the plain file's. */
typedef struct run_times {
    double put, get, pput, pget;
    long hwm_kib;              /* VmHWM right after the stream's get */
} run_times;

static void fill(uint8_t *buf)
{
    for (size_t i = 0; i < PIECE; i++)
        buf[i] = (uint8_t)(i * 2654435761u >> 11);
    memset(buf + PIECE / 2, 0, 4096); /* not secret: a run of zeros, as real files have */
}

static void one_run(custos_t *ctx, custos_subject subject, uint8_t *buf, uint64_t total, const char *plain,
                    run_times *out)
{
    fill(buf);
    double t0 = now_s();
    custos_vault_stream *w = NULL;
    custos_record_id id = 0;
    if (custos_vault_stream_create(ctx, &w, subject, 1, 1) != CUSTOS_OK)
        die("create", ctx);
    for (uint64_t at = 0; at < total; at += PIECE) {
        size_t n = total - at < PIECE ? (size_t)(total - at) : PIECE;
        if (custos_vault_stream_write(w, buf, n) != CUSTOS_OK)
            die("write", ctx);
    }
    if (custos_vault_stream_finish(w, &id) != CUSTOS_OK)
        die("finish", ctx);
    out->put = now_s() - t0;

    /* stream get */
    t0 = now_s();
    custos_vault_stream *r = NULL;
    uint64_t got = 0;
    size_t n = 0;
    if (custos_vault_stream_open(ctx, &r, NULL, id) != CUSTOS_OK)
        die("open", ctx);
    do {
        if (custos_vault_stream_read(r, buf, PIECE, &n) != CUSTOS_OK)
            die("read", ctx);
        got += n;
    } while (n > 0);
    custos_vault_stream_close(r);
    out->get = now_s() - t0;
    out->hwm_kib = vm_hwm_kib();
    if (got != total)
        die("read back the whole stream", ctx);

    if (custos_vault_delete(ctx, id) != CUSTOS_OK) /* the next run starts from the same store */
        die("delete", ctx);
    /* plain file put and get */
    fill(buf);
    t0 = now_s();
    int fd = open(plain, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    for (uint64_t at = 0; fd >= 0 && at < total; at += PIECE) {
        size_t k = total - at < PIECE ? (size_t)(total - at) : PIECE;
        if (write(fd, buf, k) != (ssize_t)k)
            die("plain write", NULL);
    }
    if (fd < 0 || fsync(fd) != 0 || close(fd) != 0)
        die("plain file", NULL);
    out->pput = now_s() - t0;
    t0 = now_s();
    fd = open(plain, O_RDONLY);
    uint64_t pgot = 0;
    ssize_t k;
    while (fd >= 0 && (k = read(fd, buf, PIECE)) > 0)
        pgot += (uint64_t)k;
    if (fd >= 0)
        close(fd);
    out->pget = now_s() - t0;
    if (pgot != total)
        die("plain read back", NULL);

    unlink(plain);
}

int main(int argc, char **argv)
{
    long mb = argc > 1 ? strtol(argv[1], NULL, 10) : 200;
    if (mb <= 0)
        mb = 200;
    int runs = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 3;
    if (runs <= 0)
        runs = 3;
    uint64_t total = (uint64_t)mb * 1000u * 1000u;
    char dir[4096], plain[4200];
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/custos-bench-stream-XXXXXX", t ? t : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(plain, sizeof plain, "%s/plain.bin", dir);
    uint8_t *buf = malloc(PIECE);
    if (buf == NULL)
        return 1;

    custos_subject s;
    custos_t *ctx = stream_store(dir, &s);
    fill(buf); /* the piece buffer's pages count before the stream, not in its growth */
    long hwm0 = vm_hwm_kib();
    long hwm1 = hwm0;
    run_times best = {0}, r;
    aead_cost aead = {0}, a;
    for (int i = 0; i < runs; i++) {
        one_run(ctx, s, buf, total, plain, &r);
        if (i == 0) /* the first stream's put and get: what the clip cost */
            hwm1 = r.hwm_kib;
        a = aead_alone(total);
        best.put = i == 0 || r.put < best.put ? r.put : best.put;
        best.get = i == 0 || r.get < best.get ? r.get : best.get;
        best.pput = i == 0 || r.pput < best.pput ? r.pput : best.pput;
        best.pget = i == 0 || r.pget < best.pget ? r.pget : best.pget;
        aead.push = i == 0 || a.push < aead.push ? a.push : aead.push;
        aead.pull = i == 0 || a.pull < aead.pull ? a.pull : aead.pull;
        aead.gcm = i == 0 || a.gcm < aead.gcm ? a.gcm : aead.gcm;
    }

    double mbs = (double)total / 1e6;
    printf("bench_stream: %ld MB clip, 1 MiB pieces, %u-byte chunks, fastest of %d runs\n", mb, 65536u, runs);
    printf("%-22s %10s %10s %8s\n", "", "stream", "plain", "ratio");
    printf("%-22s %10.1f %10.1f %8.2f\n", "put MB/s (wall)", mbs / best.put, mbs / best.pput, best.pput / best.put);
    printf("%-22s %10.1f %10.1f %8.2f\n", "get MB/s (wall)", mbs / best.get, mbs / best.pget, best.pget / best.get);
    printf("bound: the cipher alone (MB/s) and plain / (plain + cipher), the most a sealed stream can reach\n");
    printf("%-22s %10.1f %10s %8.2f\n", "  put: secretstream", mbs / aead.push, "",
           best.pput / (best.pput + aead.push));
    printf("%-22s %10.1f %10s %8.2f\n", "  get: secretstream", mbs / aead.pull, "",
           best.pget / (best.pget + aead.pull));
    if (aead.gcm > 0)
        printf("%-22s %10.1f %10s %8.2f\n", "  get: AES-256-GCM", mbs / aead.gcm, "",
               best.pget / (best.pget + aead.gcm));
    printf("peak RSS growth over the stream's put and get: %ld KiB (VmHWM %ld -> %ld KiB; goal <= 8192)\n",
           hwm1 - hwm0, hwm0, hwm1);
    custos_close(ctx);
    free(buf);
    unlink(plain);
    char cmd[4200 + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_stream: could not remove %s\n", dir);
    return hwm1 - hwm0 > 8192 ? 2 : 0;
}
