/*
 * bench_gate.c: custos_check against the peer a naive SDK would use, one
 * indexed SQLite query per decision, in the same run; and the ledger's
 * append rate.
 *
 *   bench_gate                 the full report
 *   bench_gate --callgrind N   only N checks, for
 *       valgrind --tool=callgrind --toggle-collect=custos_check bench_gate --callgrind 1000000
 *       (instructions per call = Ir / N)
 *
 * Timing: calls are timed in batches of 64 (one clock read per batch, so
 * the clock's own ~20 ns does not swamp a few-ns call); the median and p99
 * are over the per-call means of the batches.
 */
#include "ground/internal.h"
#include "consent/consent_internal.h"
#include "manifest/manifest_private.h"

#include <custos/custos.h>
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define SAMPLES 20000

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void die(const char *what, int rc, custos_t *ctx)
{
    fprintf(stderr, "bench_gate: %s: %s: %s\n", what, custos_strerror(rc), ctx ? custos_errmsg(ctx) : "");
    exit(1);
}

/* A two-purpose manifest: 1 (consent, categories 1, 2), 2 (consent, lifetime one day). */
static void manifest(uint8_t **out, size_t *len)
{
    Custos__V1__Party ctrl = CUSTOS__V1__PARTY__INIT;
    ctrl.name = (char *)"Bench";
    Custos__V1__Product prod = CUSTOS__V1__PRODUCT__INIT;
    prod.name = (char *)"Bench";
    prod.controller = &ctrl;
    prod.policy_version = 1;
    Custos__V1__DataCategory c[2];
    Custos__V1__DataCategory *cp[2] = { &c[0], &c[1] };
    for (int i = 0; i < 2; i++) {
        custos__v1__data_category__init(&c[i]);
        c[i].id = (uint32_t)i + 1;
        c[i].key = (char *)(i ? "user.contact" : "user.device");
    }
    static uint32_t cats[] = { 1, 2 };
    Custos__V1__Duration life = CUSTOS__V1__DURATION__INIT;
    life.iso8601 = (char *)"P1D";
    life.has_seconds = 1;
    life.seconds = 86400;
    Custos__V1__Purpose p[2];
    Custos__V1__Purpose *pp[2] = { &p[0], &p[1] };
    for (int i = 0; i < 2; i++) {
        custos__v1__purpose__init(&p[i]);
        p[i].id = (uint32_t)i + 1;
        p[i].key = (char *)(i ? "analytics" : "functional");
        p[i].legal_basis = CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_CONSENT;
        p[i].necessity = CUSTOS__V1__NECESSITY__NECESSITY_OPTIONAL;
        p[i].n_categories = 2;
        p[i].categories = cats;
    }
    p[1].consent_lifetime = &life;
    Custos__V1__Manifest m = CUSTOS__V1__MANIFEST__INIT;
    m.format_version = CUSTOS_MANIFEST_FORMAT_VERSION;
    m.product = &prod;
    m.n_categories = 2;
    m.categories = cp;
    m.n_purposes = 2;
    m.purposes = pp;
    if (custos_manifest__encode(out, len, &m, NULL) != CUSTOS_OK)
        die("manifest", CUSTOS_EINTERNAL, NULL);
}

static long allocs;
static void *count_malloc(size_t n, void *u) { (void)u; __atomic_add_fetch(&allocs, 1, __ATOMIC_RELAXED); return malloc(n); }
static void *count_realloc(void *p, size_t n, void *u) { (void)u; __atomic_add_fetch(&allocs, 1, __ATOMIC_RELAXED); return realloc(p, n); }
static void count_free(void *p, void *u) { (void)u; free(p); }

static char dir[] = "/tmp/custos-bench-gate-XXXXXX";
static custos_t *ctx;
static custos_subject subject;
static const custos_consent_info info = CUSTOS_CONSENT_INFO_INIT;

static void setup(void)
{
    custos_allocator a = { count_malloc, count_realloc, count_free, NULL };
    if (mkdtemp(dir) == NULL || custos_set_allocator(&a) != CUSTOS_OK)
        die("setup", CUSTOS_EIO, NULL);
    int rc = custos_open(&ctx, dir, NULL);
    if (rc != CUSTOS_OK)
        die("open", rc, NULL);
    uint8_t *m = NULL;
    size_t len = 0;
    manifest(&m, &len);
    if ((rc = custos_manifest_load(ctx, m, len)) != CUSTOS_OK)
        die("load", rc, ctx);
    custos__free(m);
    if ((rc = custos_subject_add(ctx, &subject, "bench-subject", CUSTOS_ROLE_OWNER)) != CUSTOS_OK ||
        (rc = custos_consent_give(ctx, subject, 1, &info)) != CUSTOS_OK ||
        (rc = custos_consent_give(ctx, subject, 2, &info)) != CUSTOS_OK)
        die("consent", rc, ctx);
}

static int rm_entry(const char *p, const struct stat *s, int f, struct FTW *w)
{
    (void)s; (void)f; (void)w;
    return remove(p);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct dist { double median, p99; long allowed; } dist;

/* Per-call ns of `samples` batches of f(purpose). */
static dist measure_gate(uint32_t purpose, int samples)
{
    double *v = malloc((size_t)samples * sizeof *v);
    dist d = { 0, 0, 0 };
    for (int s = 0; s < samples; s++) {
        double t0 = now_ns();
        for (int i = 0; i < BATCH; i++)
            d.allowed += custos_check(ctx, subject, purpose, 1) == CUSTOS_ALLOW;
        v[s] = (now_ns() - t0) / BATCH;
    }
    qsort(v, (size_t)samples, sizeof *v, cmp_double);
    d.median = v[samples / 2];
    d.p99 = v[samples * 99 / 100];
    free(v);
    return d;
}

/* The peer: one indexed query per decision on the same database, either
 * with its statement prepared once (the fastest way to ask SQLite) or
 * prepared and finalized on every call (what a naive SDK does). */
static dist measure_sqlite(int samples, int prepare_each)
{
    static const char sql[] = "SELECT status, valid_until FROM consent_state WHERE subject = ?1 AND purpose = ?2";
    sqlite3_stmt *st = NULL;
    if (!prepare_each && sqlite3_prepare_v2(ctx->db, sql, -1, &st, NULL) != SQLITE_OK)
        die("peer", CUSTOS_EINTERNAL, ctx);
    double *v = malloc((size_t)samples * sizeof *v);
    dist d = { 0, 0, 0 };
    for (int s = 0; s < samples; s++) {
        double t0 = now_ns();
        for (int i = 0; i < BATCH; i++) {
            if (prepare_each && sqlite3_prepare_v2(ctx->db, sql, -1, &st, NULL) != SQLITE_OK)
                die("peer", CUSTOS_EINTERNAL, ctx);
            sqlite3_bind_int64(st, 1, subject);
            sqlite3_bind_int(st, 2, 1);
            if (sqlite3_step(st) == SQLITE_ROW) {
                int status = sqlite3_column_int(st, 0);
                d.allowed += (status == 3 || status == 4) && (sqlite3_column_int64(st, 1) == 0 ||
                                                              (uint64_t)sqlite3_column_int64(st, 1) > (uint64_t)time(NULL));
            }
            if (prepare_each) {
                sqlite3_finalize(st);
                st = NULL;
            } else {
                sqlite3_reset(st);
            }
        }
        v[s] = (now_ns() - t0) / BATCH;
    }
    sqlite3_finalize(st);
    qsort(v, (size_t)samples, sizeof *v, cmp_double);
    d.median = v[samples / 2];
    d.p99 = v[samples * 99 / 100];
    free(v);
    return d;
}

/* Give if purpose 1 is not allowed now, withdraw if it is: always a legal transition. */
static int toggle(void)
{
    return custos_check(ctx, subject, 1, 1) == CUSTOS_ALLOW ? custos_consent_withdraw(ctx, subject, 1, &info)
                                                            : custos_consent_give(ctx, subject, 1, &info);
}

static atomic_int stop;
static long writes;

static void *writer(void *arg)
{
    (void)arg;
    double next = now_ns();
    while (!atomic_load(&stop)) {
        int rc = toggle();
        if (rc != CUSTOS_OK)
            die("writer", rc, ctx);
        writes++;
        next += 1e6; /* 1,000 changes a second */
        double wait = next - now_ns();
        if (wait > 0) {
            struct timespec ts = { 0, (long)wait };
            nanosleep(&ts, NULL);
        }
    }
    return NULL;
}

#define CONCURRENT_SECONDS 2
#define MAX_SAMPLES (1 << 22)

/* Batches of checks until stopped; the distribution of their per-call means. */
static void *reader(void *arg)
{
    double *v = malloc(MAX_SAMPLES * sizeof *v);
    long n = 0, allowed = 0;
    while (!atomic_load_explicit(&stop, memory_order_relaxed) && n < MAX_SAMPLES) {
        double t0 = now_ns();
        for (int i = 0; i < BATCH; i++)
            allowed += custos_check(ctx, subject, 1, 1) == CUSTOS_ALLOW;
        v[n++] = (now_ns() - t0) / BATCH;
    }
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    dist *d = arg;
    d->median = v[n / 2];
    d->p99 = v[n * 99 / 100];
    d->allowed = n * BATCH; /* here: calls made */
    free(v);
    return NULL;
}

static void concurrent(void)
{
    pthread_t w, r[2];
    dist d[2];
    atomic_store(&stop, 0);
    writes = 0;
    double t0 = now_ns();
    pthread_create(&w, NULL, writer, NULL);
    for (int i = 0; i < 2; i++)
        pthread_create(&r[i], NULL, reader, &d[i]);
    struct timespec run = { CONCURRENT_SECONDS, 0 };
    nanosleep(&run, NULL);
    atomic_store(&stop, 1);
    double secs = (now_ns() - t0) / 1e9;
    for (int i = 0; i < 2; i++)
        pthread_join(r[i], NULL);
    pthread_join(w, NULL);
    for (int i = 0; i < 2; i++)
        printf("  reader %d with a writer: median %6.1f ns  p99 %7.1f ns  (%ld calls)\n", i, d[i].median, d[i].p99,
               d[i].allowed);
    printf("  writer: %ld consent changes in %.2f s = %.0f per second (target 1,000)\n", writes, secs, writes / secs);
}

static void append_rates(void)
{
    sqlite3_exec(ctx->db, "PRAGMA synchronous=FULL", NULL, NULL, NULL);
    int n = 200;
    double t0 = now_ns();
    for (int i = 0; i < n; i++) {
        int rc = toggle();
        if (rc != CUSTOS_OK)
            die("append", rc, ctx);
    }
    double one = n / ((now_ns() - t0) / 1e9);
    int batches = 20, per = 100, was_allowed = custos_check(ctx, subject, 1, 1) == CUSTOS_ALLOW;
    t0 = now_ns();
    for (int b = 0; b < batches; b++) {
        if (custos__txn_begin(ctx) != CUSTOS_OK)
            die("batch", CUSTOS_EINTERNAL, ctx);
        int rc = CUSTOS_OK;
        for (int i = 0; rc == CUSTOS_OK && i < per; i++)
            rc = custos_consent__record(ctx, subject, 1, (i + was_allowed) % 2 == 0 ? CUSTOS_CONSENT_GIVEN : CUSTOS_CONSENT_WITHDRAWN,
                           &info, NULL, 0);
        if ((rc = custos__txn_end(ctx, rc)) != CUSTOS_OK)
            die("batch", rc, ctx);
    }
    double batched = batches * per / ((now_ns() - t0) / 1e9);
    printf("ledger append (signed, chained, synchronous=FULL):\n");
    printf("  one event per transaction: %8.0f events/s\n", one);
    printf("  %d events per transaction: %8.0f events/s\n", per, batched);
}

int main(int argc, char **argv)
{
    setup();
    if (argc == 3 && strcmp(argv[1], "--callgrind") == 0) {
        long n = strtol(argv[2], NULL, 10), allowed = 0;
        for (long i = 0; i < n; i++)
            allowed += custos_check(ctx, subject, 1, 1) == CUSTOS_ALLOW;
        printf("%ld checks, %ld allowed\n", n, allowed);
    } else if (argc == 3 && strcmp(argv[1], "--writer") == 0) {
        long n = strtol(argv[2], NULL, 10);
        sqlite3_exec(ctx->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
        struct timespec c0, c1;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
        double t0 = now_ns();
        for (long i = 0; i < n; i++)
            if (toggle() != CUSTOS_OK)
                die("toggle", CUSTOS_EINTERNAL, ctx);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
        printf("%ld consent changes alone: %.1f us wall, %.1f us CPU each\n", n, (now_ns() - t0) / 1e3 / n,
               ((c1.tv_sec - c0.tv_sec) * 1e9 + (c1.tv_nsec - c0.tv_nsec)) / 1e3 / n);
    } else {
        measure_gate(1, SAMPLES); /* warm up */
        long a0 = allocs;
        dist g = measure_gate(1, SAMPLES), ge = measure_gate(2, SAMPLES);
        long per_call = (allocs - a0) / (2L * SAMPLES * BATCH);
        dist q = measure_sqlite(SAMPLES / 10, 0), qn = measure_sqlite(SAMPLES / 20, 1);
        printf("custos_check, single thread (%d x %d calls):\n", SAMPLES, BATCH);
        printf("  no expiry:          median %6.1f ns  p99 %7.1f ns\n", g.median, g.p99);
        printf("  with valid_until:   median %6.1f ns  p99 %7.1f ns  (coarse clock read)\n", ge.median, ge.p99);
        printf("  allocations per call: %ld (allocator hook count over %d calls: %ld)\n", per_call,
               2 * SAMPLES * BATCH, allocs - a0);
        printf("peer: one indexed SQLite query per decision:\n");
        printf("  statement prepared once:     median %8.1f ns  p99 %8.1f ns  ratio %.0fx\n", q.median, q.p99,
               q.median / g.median);
        printf("  prepared on every call:      median %8.1f ns  p99 %8.1f ns  ratio %.0fx\n", qn.median, qn.p99,
               qn.median / g.median);
        printf("concurrent: 2 readers, 1 writer at 1,000 changes/s (synchronous=NORMAL):\n");
        sqlite3_exec(ctx->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
        concurrent();
        append_rates();
    }
    custos_close(ctx);
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}
