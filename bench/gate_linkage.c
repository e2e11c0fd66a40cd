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
#include <custos/custos.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CALLS 100000

static const char yaml[] =
    "custos: 1\n"
    "product:\n"
    "  name: Gate Bench\n"
    "  model: GB-1\n"
    "  policy_version: 1\n"
    "  controller: {name: Example KK, address: '1-1 Chiyoda, Tokyo', contact: privacy@example.com, country: JP}\n"
    "  jurisdictions: [JP-APPI]\n"
    "  languages: [en, ja]\n"
    "categories:\n"
    "  - id: 1\n"
    "    key: user.sensor.video\n"
    "    name: {en: Video, ja: 動画}\n"
    "purposes:\n"
    "  - id: 1\n"
    "    key: analytics.reporting\n"
    "    name: {en: Clips, ja: クリップ}\n"
    "    legal_basis: consent\n"
    "    necessity: optional\n"
    "    categories: [1]\n"
    "    retention: P30D\n"
    "    locations: [device]\n"
    "subjects: [owner]\n";

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
    char dir[] = "/tmp/custos-gate-linkage-XXXXXX";
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
    uint8_t *m = NULL;
    size_t len = 0;
    custos_manifest_error err;
    if ((rc = custos_manifest_compile(&m, &len, NULL, yaml, sizeof yaml - 1, "bench.yaml", NULL, &err)) != CUSTOS_OK)
        die("compile", rc);
    if ((rc = custos_manifest_load(ctx, m, len)) != CUSTOS_OK)
        die("load", rc);
    custos_manifest_free(m);
    custos_subject s;
    custos_consent_info info = CUSTOS_CONSENT_INFO_INIT;
    if ((rc = custos_subject_add(ctx, &s, "bench", CUSTOS_ROLE_OWNER)) != CUSTOS_OK ||
        (rc = custos_consent_give(ctx, s, 1, &info)) != CUSTOS_OK)
        die("consent", rc);
    if (custos_check(ctx, s, 1, 1) != CUSTOS_ALLOW)
        die("the first check", CUSTOS_EINTERNAL);

    double *mean = malloc((size_t)rounds * sizeof *mean);
    if (mean == NULL)
        return 1;
    volatile int sink = 0;
    for (long r = 0; r < rounds; r++) {
        double t0 = now_ns();
        for (int i = 0; i < CALLS; i++)
            sink += custos_check(ctx, s, 1, 1);
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
