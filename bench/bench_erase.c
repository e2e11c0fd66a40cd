/*
 * bench_erase: how long erasure takes, against its peers in the same run.
 *
 *   1. Time until a subject's data is unreadable (its keys destroyed and the
 *      KEK rotated) and until its rows are gone, with 1k and with 100k
 *      records. Goal: the first independent of volume (ratio <= 1.5), the
 *      second linear.
 *   2. Factory reset of a 100 MB store against writing 100 MB with dd
 *      (conv=fsync) on the same disk. Goal: <= 1.5x.
 *
 * Usage: bench_erase [DIR] (default: $TMPDIR or /tmp). Prints one line per
 * figure and the ratios.
 */
#include "../tests/forensic/erase_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct timing { double start, keys, rows, end; } timing;

static int on_progress(void *user, custos_erase_step done, unsigned int total)
{
    timing *t = user;
    (void)total;
    if (done == CUSTOS_ERASE_STEP_KEYS)
        t->keys = now_s();
    else if (done == CUSTOS_ERASE_STEP_ROWS)
        t->rows = now_s();
    return 0;
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "bench_erase: %s: %s\n", what, custos_strerror(rc));
    exit(1);
}

static char *mkdir_under(const char *base, const char *tag)
{
    char *p = malloc(4096);
    snprintf(p, 4096, "%s/bench-erase-%s-XXXXXX", base, tag);
    if (mkdtemp(p) == NULL)
        die("mkdtemp", CUSTOS_EIO);
    return p;
}

static void rm_rf(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_erase: could not remove %s\n", dir);
}

/* n records of size bytes each for subject, in batches of 1000. */
static void fill(custos_t *ctx, custos_subject s, size_t n, size_t size)
{
    enum { BATCH = 1000 };
    static custos_vault_item items[BATCH];
    static custos_record_id ids[BATCH];
    uint8_t *payload = malloc(size);
    randombytes_buf(payload, size);
    for (size_t done = 0; done < n;) {
        size_t k = n - done < BATCH ? n - done : BATCH;
        for (size_t i = 0; i < k; i++)
            items[i] = (custos_vault_item){ EF_PURPOSE_VIDEO, EF_CATEGORY, payload, size };
        int rc = custos_vault_put_many(ctx, ids, s, items, k);
        if (rc != CUSTOS_OK)
            die("vault_put_many", rc);
        done += k;
    }
    free(payload);
}

static custos_t *make_store(const char *dir, custos_subject *a, custos_subject *b)
{
    custos_t *ctx = NULL;
    int rc = custos_open(&ctx, dir, NULL);
    if (rc != CUSTOS_OK)
        die("open", rc);
    if ((rc = ef_load_manifest(ctx)) != CUSTOS_OK || (rc = ef_subject(ctx, a, "alice")) != CUSTOS_OK ||
        (rc = ef_subject(ctx, b, "bob")) != CUSTOS_OK)
        die("setup", rc);
    return ctx;
}

static timing erase_subject_with(const char *base, size_t n)
{
    char *dir = mkdir_under(base, "subject");
    custos_subject a, b;
    custos_t *ctx = make_store(dir, &a, &b);
    fill(ctx, a, n, 64);
    fill(ctx, b, 1000, 64);
    timing t = { 0 };
    custos_erase_options o = CUSTOS_ERASE_OPTIONS_INIT;
    o.progress = on_progress;
    o.progress_user = &t;
    t.start = now_s();
    int rc = custos_erase_subject(ctx, NULL, 0, NULL, a, &o);
    t.end = now_s();
    if (rc != CUSTOS_OK)
        die("erase_subject", rc);
    printf("erase subject, %6zu records: unreadable after %8.2f ms, rows gone after %8.2f ms, done in %8.2f ms\n",
           n, (t.keys - t.start) * 1e3, (t.rows - t.start) * 1e3, (t.end - t.start) * 1e3);
    custos_close(ctx);
    rm_rf(dir);
    free(dir);
    return t;
}

static off_t dir_bytes(const char *dir)
{
    static const char *const names[] = { "custos.db", "custos.db-wal", "keys", "STORE" };
    off_t total = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[4200];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (stat(path, &st) == 0)
            total += st.st_size;
    }
    return total;
}

static double factory_reset_100mb(const char *base, off_t *bytes)
{
    char *dir = mkdir_under(base, "reset");
    custos_subject a, b;
    custos_t *ctx = make_store(dir, &a, &b);
    fill(ctx, b, 100000, 1000); /* 100 MB of payload */
    custos_close(ctx);           /* checkpoints the WAL into custos.db */
    *bytes = dir_bytes(dir);
    int rc = custos_open(&ctx, dir, NULL);
    if (rc != CUSTOS_OK)
        die("reopen", rc);
    double t0 = now_s();
    rc = custos_factory_reset(&ctx, NULL, 0, NULL, NULL);
    double t = now_s() - t0;
    if (rc != CUSTOS_OK)
        die("factory_reset", rc);
    custos_close(ctx);
    rm_rf(dir);
    free(dir);
    return t;
}

static double dd_100mb(const char *base)
{
    char cmd[4300];
    snprintf(cmd, sizeof cmd,
             "dd if=/dev/zero of='%s/bench-erase-dd' bs=1M count=100 conv=fsync status=none && rm -f '%s/bench-erase-dd'",
             base, base);
    double t0 = now_s();
    if (system(cmd) != 0)
        die("dd", CUSTOS_EIO);
    return now_s() - t0;
}

int main(int argc, char **argv)
{
    const char *base = argc > 1 ? argv[1] : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    if (sodium_init() < 0)
        return 1;
    timing small = erase_subject_with(base, 1000);
    timing large = erase_subject_with(base, 100000);
    double unreadable_ratio = (large.keys - large.start) / (small.keys - small.start);
    double rows_ratio = (large.rows - large.keys) / (small.rows - small.keys);
    printf("time to unreadable, 100k / 1k records: %.2f (goal <= 1.5)\n", unreadable_ratio);
    printf("time to remove the rows, 100k / 1k records: %.1f (linear would be 100)\n", rows_ratio);

    off_t bytes = 0;
    double reset = factory_reset_100mb(base, &bytes);
    double dd = dd_100mb(base);
    printf("factory reset of a %.1f MB store: %.0f ms; dd of 100 MB with fsync: %.0f ms; ratio %.2f (goal <= 1.5)\n",
           (double)bytes / 1e6, reset * 1e3, dd * 1e3, reset / dd);
    return 0;
}
