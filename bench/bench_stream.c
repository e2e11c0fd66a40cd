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
 *   bench_stream [MB]
 */
#include <custos/custos.h>

#include <fcntl.h>
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

int main(int argc, char **argv)
{
    long mb = argc > 1 ? strtol(argv[1], NULL, 10) : 200;
    if (mb <= 0)
        mb = 200;
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
    for (size_t i = 0; i < PIECE; i++)
        buf[i] = (uint8_t)(i * 2654435761u >> 11);
    memset(buf + PIECE / 2, 0, 4096); /* not secret: a run of zeros, as real files have */

    custos_subject s;
    custos_t *ctx = stream_store(dir, &s);
    long hwm0 = vm_hwm_kib();

    /* stream put */
    double t0 = now_s();
    custos_vault_stream *w = NULL;
    custos_record_id id = 0;
    if (custos_vault_stream_create(ctx, &w, s, 1, 1) != CUSTOS_OK)
        die("create", ctx);
    for (uint64_t at = 0; at < total; at += PIECE) {
        size_t n = total - at < PIECE ? (size_t)(total - at) : PIECE;
        if (custos_vault_stream_write(w, buf, n) != CUSTOS_OK)
            die("write", ctx);
    }
    if (custos_vault_stream_finish(w, &id) != CUSTOS_OK)
        die("finish", ctx);
    double put_s = now_s() - t0;

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
    double get_s = now_s() - t0;
    long hwm1 = vm_hwm_kib();
    if (got != total)
        die("read back the whole stream", ctx);

    /* plain file put and get */
    for (size_t i = 0; i < PIECE; i++)
        buf[i] = (uint8_t)(i * 2654435761u >> 11);
    t0 = now_s();
    int fd = open(plain, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    for (uint64_t at = 0; fd >= 0 && at < total; at += PIECE) {
        size_t k = total - at < PIECE ? (size_t)(total - at) : PIECE;
        if (write(fd, buf, k) != (ssize_t)k)
            die("plain write", NULL);
    }
    if (fd < 0 || fsync(fd) != 0 || close(fd) != 0)
        die("plain file", NULL);
    double pput_s = now_s() - t0;
    t0 = now_s();
    fd = open(plain, O_RDONLY);
    uint64_t pgot = 0;
    ssize_t k;
    while (fd >= 0 && (k = read(fd, buf, PIECE)) > 0)
        pgot += (uint64_t)k;
    if (fd >= 0)
        close(fd);
    double pget_s = now_s() - t0;
    if (pgot != total)
        die("plain read back", NULL);

    double mbs = (double)total / 1e6;
    printf("bench_stream: %ld MB clip, 1 MiB pieces, %u-byte chunks\n", mb, 65536u);
    printf("%-22s %10s %10s %8s\n", "", "stream", "plain", "ratio");
    printf("%-22s %10.1f %10.1f %8.2f\n", "put MB/s (wall)", mbs / put_s, mbs / pput_s, pput_s / put_s);
    printf("%-22s %10.1f %10.1f %8.2f\n", "get MB/s (wall)", mbs / get_s, mbs / pget_s, pget_s / get_s);
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
