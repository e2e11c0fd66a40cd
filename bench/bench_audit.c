/*
 * bench_audit.c: the audit chain's append and verify rates, against the
 * peer that bounds them: libsodium's crypto_generichash (BLAKE2b-256) over
 * the same entry bytes, in the same run. The ratio is the cost of Custos's
 * code (decoding, chain and checkpoint checks, SQLite reads) over the hash.
 *
 * Rows: appends one per transaction (each waits for fsync) and 1000 per
 * transaction (wall time); then, as CPU time of this process (best of 5),
 * the peer hash, verification of the export, verification of the store on a
 * fresh handle (every checkpoint signature checked) and again on the same
 * handle (signatures already verified are remembered).
 *
 *   bench_audit [ENTRIES]     (default 200000)
 */
#include "ground/internal.h"
#include "audit/audit_internal.h"
#include "custos/v1/audit.pb-c.h"

#include <custos/custos.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ftw.h>
#include <unistd.h>

#define ROUNDS 5

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wall time for appends (they wait for fsync); CPU time of this process for
 * the verification rates, which are single-threaded CPU work and should not
 * depend on what else the machine runs. */
static double now_s(void) { return clock_s(CLOCK_MONOTONIC); }
static double cpu_s(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }

static double least(double a, double b) { return a < b ? a : b; }

static void die(const char *what, int rc, custos_t *ctx)
{
    fprintf(stderr, "bench_audit: %s: %s: %s\n", what, custos_strerror(rc), ctx ? custos_errmsg(ctx) : "");
    exit(1);
}

/* Append n events, batch per transaction; returns seconds. */
static double append(custos_t *ctx, size_t n, size_t batch)
{
    double t0 = now_s();
    for (size_t done = 0; done < n;) {
        pthread_mutex_lock(&ctx->write_lock);
        int rc = custos__db_begin(ctx);
        for (size_t i = 0; rc == CUSTOS_OK && i < batch && done < n; i++, done++)
            rc = custos__audit_append(ctx, (int)(done % 11) + 1, NULL, (int64_t)(done % 7), 0, "bench");
        if (rc == CUSTOS_OK)
            rc = custos__db_commit(ctx);
        pthread_mutex_unlock(&ctx->write_lock);
        if (rc != CUSTOS_OK)
            die("append", rc, ctx);
    }
    return now_s() - t0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void row(const char *what, size_t n, double s, double peer_s)
{
    printf("%-48s %9zu  %8.3f s  %12.0f /s", what, n, s, (double)n / s);
    if (peer_s > 0)
        printf("  x%.2f of peer", s / peer_s);
    putchar('\n');
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 200000;
    char dir[] = "/tmp/custos-bench-audit-XXXXXX";
    if (mkdtemp(dir) == NULL)
        return 1;
    custos_t *ctx = NULL;
    int rc = custos_open(&ctx, dir, NULL);
    if (rc != CUSTOS_OK)
        die("open", rc, NULL);

    size_t single = 500;
    double t_single = append(ctx, single, 1);
    double c0 = cpu_s();
    double t_batch = append(ctx, n, 1000);
    double c_batch = cpu_s() - c0;

    /* Each rate is the best of ROUNDS runs, rounds interleaved, so that a
     * busy machine penalises all three alike. */
    custos_audit_report r = CUSTOS_AUDIT_REPORT_INIT;
    size_t len = 0;
    (void)custos_audit_export(ctx, NULL, 0, &len);
    uint8_t *x = malloc(len);
    if (x == NULL || (rc = custos_audit_export(ctx, x, len, &len)) != CUSTOS_OK)
        die("export", rc, ctx);
    uint8_t pk[32];
    (void)custos_device_public_key(ctx, pk);
    Custos__V1__AuditExport *ex = custos__v1__audit_export__unpack(NULL, len, x);
    uint8_t h[32], acc = 0;
    double t_verify = 1e9, t_again = 1e9, t_vexport = 1e9, t_peer = 1e9;
    for (int round = 0; round < ROUNDS; round++) {
        double t0 = cpu_s();
        for (size_t i = 0; i < ex->n_entries; i++) {
            crypto_generichash(h, 32, ex->entries[i].data, ex->entries[i].len, NULL, 0);
            acc ^= h[0];
        }
        t_peer = least(t_peer, cpu_s() - t0);
        t0 = cpu_s();
        custos_audit_report rx = CUSTOS_AUDIT_REPORT_INIT;
        if ((rc = custos_audit_verify_export(&rx, x, len, pk)) != CUSTOS_OK)
            die("verify export", rc, NULL);
        t_vexport = least(t_vexport, cpu_s() - t0);
        /* A fresh handle each round: it has verified no checkpoint yet. */
        custos_close(ctx);
        if ((rc = custos_open(&ctx, dir, NULL)) != CUSTOS_OK)
            die("reopen", rc, NULL);
        t0 = cpu_s();
        if ((rc = custos_audit_verify(ctx, &r)) != CUSTOS_OK)
            die("verify", rc, ctx);
        t_verify = least(t_verify, cpu_s() - t0);
        t0 = cpu_s();
        if ((rc = custos_audit_verify(ctx, &r)) != CUSTOS_OK)
            die("verify again", rc, ctx);
        t_again = least(t_again, cpu_s() - t0);
    }
    size_t total = (size_t)r.entries;
    size_t bytes = 0;
    for (size_t i = 0; i < ex->n_entries; i++)
        bytes += ex->entries[i].len;

    printf("audit chain: %zu entries, %.1f bytes/entry on average, %llu checkpoints (checksum %u)\n",
           total, (double)bytes / (double)total, (unsigned long long)r.checkpoints, acc);
    row("append, one entry per transaction (fsync)", single, t_single, 0);
    row("append, 1000 entries per transaction", n, t_batch, 0);
    row("  the same, CPU time", n, c_batch, 0);
    row("peer: crypto_generichash over entry bytes (CPU)", total, t_peer, 0);
    row("custos_audit_verify_export (CPU)", total, t_vexport, t_peer);
    row("custos_audit_verify, store+SQLite (CPU)", total, t_verify, t_peer);
    row("  again on the same handle (CPU)", total, t_again, t_peer);

    custos__v1__audit_export__free_unpacked(ex, NULL);
    free(x);
    custos_close(ctx);
    return nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : 1;
}
