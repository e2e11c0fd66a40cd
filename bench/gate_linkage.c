/*
 * gate_linkage.c: custos_check called the way an app calls it, through the
 * public API only, built twice (bench/CMakeLists.txt): gate_linkage_shared
 * against libcustos.so, as a JNI or Swift package loads it (PLT call, the
 * hazard slot in dynamic TLS through descriptors), and gate_linkage_static
 * against libcustos.a, where the linker relaxes TLS to local-exec. The
 * static build is the peer: bench/gate_linkage.sh runs both in turn and
 * prints the ratio.
 *
 *   gate_linkage_shared [ROUNDS]   ROUNDS batches of 100,000 allowed checks
 *
 * Prints the median, p10 and p90 of the per-call means of the batches, in ns.
 */
#include "../tests/forensic/erase_fixture.h"

#include <custos/custos.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CALLS 100000

static void die(const char *what, int rc)
{
    fprintf(stderr, "gate_linkage: %s: %s: %s\n", what, custos_strerror(rc), custos_last_error());
    exit(1);
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int rm_entry(const char *p, const struct stat *s, int f, struct FTW *w)
{
    (void)s; (void)f; (void)w;
    return remove(p);
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? strtol(argv[1], NULL, 10) : 201;
    if (rounds < 1 || rounds > 100000) {
        fprintf(stderr, "usage: %s [ROUNDS (1..100000)]\n", argv[0]);
        return 2;
    }
    const char *tmp = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/custos-gate-linkage-XXXXXX", tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    char store[sizeof dir + 8];
    snprintf(store, sizeof store, "%s/store", dir);
    custos_t *ctx = NULL;
    custos_open_options o = CUSTOS_OPEN_OPTIONS_INIT;
    int rc = custos_open(&ctx, store, &o);
    if (rc != CUSTOS_OK)
        die("open", rc);
    custos_subject s; /* the erase tests' manifest: consent given to both purposes */
    if ((rc = ef_load_manifest(ctx)) != CUSTOS_OK || (rc = ef_subject(ctx, &s, "bench")) != CUSTOS_OK)
        die("manifest and consent", rc);
    if (custos_check(ctx, s, EF_PURPOSE_VIDEO, EF_CATEGORY) != CUSTOS_ALLOW)
        die("the first check", CUSTOS_EINTERNAL);

    double *mean = malloc((size_t)rounds * sizeof *mean);
    if (mean == NULL)
        return 1;
    volatile int sink = 0;
    for (long r = 0; r < rounds; r++) {
        double t0 = now_ns();
        for (int i = 0; i < CALLS; i++)
            sink += custos_check(ctx, s, EF_PURPOSE_VIDEO, EF_CATEGORY);
        mean[r] = (now_ns() - t0) / CALLS;
    }
    if (sink != 0)
        die("a check that was not ALLOW", CUSTOS_EINTERNAL);
    qsort(mean, (size_t)rounds, sizeof *mean, cmp_double);
    printf("median %.2f ns  p10 %.2f  p90 %.2f  (%ld batches of %d checks)\n", mean[rounds / 2],
           mean[rounds / 10], mean[rounds * 9 / 10], rounds, CALLS);
    free(mean);
    custos_close(ctx);
    nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    return 0;
}
