/*
 * bench_vault_call.c: the vault's per-call cost against its peers, in one
 * run (issue 20, "Per-call cost").
 *
 * One store of SUBJECTS x PER_SUBJECT records (256 B), and a plain SQLite
 * database with the same schema and rows (bench_vault_peer.h). Measured in
 * CPU time per call (the median of ROUNDS passes over every record id):
 *   get            custos_vault_get by id, with the access entry (default)
 *   get, no audit  the same with optional audit events off
 *   sqlite get     the same point query (id -> the sealed-column row) in plain SQLite
 *   aead open      crypto_aead_xchacha20poly1305_ietf_decrypt of 256 B alone:
 *                  the floor of a per-record design
 *   foreach empty  custos_vault_foreach over a subject with no records
 * Goals: get <= 2x sqlite get; foreach empty <= 10 us.
 *
 *   bench_vault_call [ROUNDS]     (default 5)
 *
 * Instruction counts (stable where times are not): one round under
 *   valgrind --tool=callgrind --toggle-collect=vault_get_pass bench_vault_call 1
 *   valgrind --tool=callgrind --toggle-collect=sqlite_get_pass bench_vault_call 1
 * vault_get_pass runs twice per round (audit on, then off; N calls each),
 * sqlite_get_pass once; callgrind_annotate --inclusive=yes splits out
 * custos_vault__audit_access, the part only the first pass pays.
 */
#include <custos/custos.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_vault_peer.h"

#include <sodium.h>

#define SUBJECTS 8
#define PER_SUBJECT 128
#define PAYLOAD 256
#define N (SUBJECTS * PER_SUBJECT)

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

static void die(const char *what, custos_t *ctx)
{
    fprintf(stderr, "bench_vault_call: %s: %s\n", what, ctx ? custos_errmsg(ctx) : custos_last_error());
    exit(1);
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

static custos_t *store(const char *dir, custos_subject *subjects, custos_subject *empty, custos_record_id *ids)
{
    custos_t *ctx = NULL;
    size_t ylen = 0, mlen = 0;
    uint8_t *yaml = read_all(CUSTOS_SOURCE_DIR "/tests/data/stores/vault-manifest.yaml", &ylen), *m = NULL;
    custos_manifest_error err;
    if (yaml == NULL || custos_open(&ctx, dir, NULL) != CUSTOS_OK ||
        custos_manifest_compile(&m, &mlen, NULL, (const char *)yaml, ylen, "manifest", NULL, &err) != CUSTOS_OK ||
        custos_manifest_load(ctx, m, mlen) != CUSTOS_OK)
        die("store setup", ctx);
    free(yaml);
    custos_manifest_free(m);
    custos_consent_info info = CUSTOS_CONSENT_INFO_INIT;
    for (int s = 0; s <= SUBJECTS; s++) {
        char id[32];
        custos_subject *out = s < SUBJECTS ? &subjects[s] : empty;
        snprintf(id, sizeof id, "bench-subject-%d", s);
        if (custos_subject_add(ctx, out, id, s == 0 ? CUSTOS_ROLE_OWNER : CUSTOS_ROLE_HOUSEHOLD_MEMBER) ||
            custos_consent_give(ctx, *out, 1, &info))
            die("subject setup", ctx);
    }
    uint8_t buf[PAYLOAD];
    custos_vault_item items[PER_SUBJECT];
    for (int s = 0; s < SUBJECTS; s++) {
        for (int i = 0; i < PER_SUBJECT; i++)
            items[i] = (custos_vault_item){ 1, 1, buf, sizeof buf };
        bv_fill(buf, sizeof buf, s);
        if (custos_vault_put_many(ctx, ids + s * PER_SUBJECT, subjects[s], items, PER_SUBJECT) != CUSTOS_OK)
            die("put", ctx);
    }
    return ctx;
}

__attribute__((noinline)) static double vault_get_pass(custos_t *ctx, const custos_record_id *ids, double *check)
{
    uint8_t out[PAYLOAD];
    size_t len = 0;
    double c0 = bv_cpu();
    for (int i = 0; i < N; i++) {
        if (custos_vault_get(ctx, out, sizeof out, &len, NULL, ids[i]) != CUSTOS_OK)
            die("get", ctx);
        *check += (double)len + out[0];
    }
    return (bv_cpu() - c0) / N;
}

static int no_visit(void *user, const custos_vault_info *info, const uint8_t *data, size_t len)
{
    (void)user, (void)info, (void)data, (void)len;
    return 1;
}

static double foreach_empty_pass(custos_t *ctx, custos_subject empty)
{
    double c0 = bv_cpu();
    for (int i = 0; i < N; i++)
        if (custos_vault_foreach(ctx, empty, no_visit, NULL) != CUSTOS_OK)
            die("foreach", ctx);
    return (bv_cpu() - c0) / N;
}

static sqlite3 *peer_db(const char *dir, int64_t *first)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/peer.db", dir);
    sqlite3 *db = NULL;
    bv_workload w = { PAYLOAD, SUBJECTS, PER_SUBJECT, PER_SUBJECT };
    if (sqlite3_open(path, &db) != SQLITE_OK || sqlite3_exec(db, bv_schema, NULL, NULL, NULL) != SQLITE_OK ||
        bv_peer_put(db, &w) != 0) {
        fprintf(stderr, "bench_vault_call: peer setup failed\n");
        exit(1);
    }
    *first = 1;
    return db;
}

__attribute__((noinline)) static double sqlite_get_pass(sqlite3 *db, sqlite3_stmt *sel, int64_t first, double *check)
{
    uint8_t out[PAYLOAD];
    double c0 = bv_cpu();
    for (int i = 0; i < N; i++) {
        sqlite3_bind_int64(sel, 1, first + i);
        if (sqlite3_step(sel) != SQLITE_ROW) {
            fprintf(stderr, "bench_vault_call: peer get: %s\n", sqlite3_errmsg(db));
            exit(1);
        }
        size_t len = (size_t)sqlite3_column_bytes(sel, 5);
        memcpy(out, sqlite3_column_blob(sel, 5), len < sizeof out ? len : sizeof out);
        *check += (double)len + out[0] + (double)sqlite3_column_int64(sel, 0);
        sqlite3_reset(sel);
    }
    return (bv_cpu() - c0) / N;
}

static double aead_pass(double *check)
{
    enum { A = crypto_aead_xchacha20poly1305_ietf_ABYTES };
    static uint8_t key[32], nonce[24], plain[PAYLOAD], sealed[PAYLOAD + A], ad[80]; /* the vault's AD (seal.c) */
    unsigned long long clen = 0, plen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(sealed, &clen, plain, sizeof plain, ad, sizeof ad, NULL, nonce, key);
    double c0 = bv_cpu();
    for (int i = 0; i < N; i++) {
        if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &plen, NULL, sealed, clen, ad, sizeof ad, nonce,
                                                       key) != 0)
            exit(1);
        *check += (double)plen + plain[0];
    }
    return (bv_cpu() - c0) / N;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 5;
    if (rounds < 1 || rounds > 101 || sodium_init() < 0) {
        fprintf(stderr, "usage: bench_vault_call [ROUNDS 1..101]\n");
        return 2;
    }
    const char *t = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/custos-bench-call-XXXXXX", t ? t : "/tmp");
    if (mkdtemp(dir) == NULL)
        return 1;
    custos_subject subjects[SUBJECTS], empty;
    static custos_record_id ids[N];
    custos_t *ctx = store(dir, subjects, &empty, ids);
    int64_t first = 0;
    sqlite3 *db = peer_db(dir, &first);
    sqlite3_stmt *sel = NULL;
    if (sqlite3_prepare_v2(db, "SELECT subject_hash, purpose, category, key_id, fmt, sealed FROM vault_record"
                           " WHERE id=?1", -1, &sel, NULL) != SQLITE_OK)
        return 1;
    double get[101], get_off[101], peer[101], aead[101], fe[101], check = 0;
    for (int r = 0; r < rounds; r++) {
        get[r] = vault_get_pass(ctx, ids, &check);
        peer[r] = sqlite_get_pass(db, sel, first, &check);
        aead[r] = aead_pass(&check);
        fe[r] = foreach_empty_pass(ctx, empty);
        if (custos_audit_set_optional(ctx, 0) != CUSTOS_OK)
            die("audit off", ctx);
        get_off[r] = vault_get_pass(ctx, ids, &check);
        if (custos_audit_set_optional(ctx, 1) != CUSTOS_OK)
            die("audit on", ctx);
    }
    double g = median(get, rounds), go = median(get_off, rounds), p = median(peer, rounds);
    double a = median(aead, rounds), f = median(fe, rounds);
    printf("bench_vault_call: %d records of %d B, median of %d rounds, CPU time per call\n", N, PAYLOAD, rounds);
    printf("  %-28s %8.2f us  %5.2fx sqlite  (goal <= 2x)\n", "vault get by id", g * 1e6, g / p);
    printf("  %-28s %8.2f us  %5.2fx sqlite\n", "vault get by id, no audit", go * 1e6, go / p);
    printf("  %-28s %8.2f us\n", "sqlite point query", p * 1e6);
    printf("  %-28s %8.2f us  (bound: sqlite + aead = %.2fx sqlite)\n", "xchacha20poly1305 open", a * 1e6,
           (p + a) / p);
    printf("  %-28s %8.2f us  (goal <= 10 us)\n", "vault foreach, no records", f * 1e6);
    printf("  (check %.0f)\n", check);
    sqlite3_finalize(sel);
    sqlite3_close(db);
    custos_close(ctx);
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
