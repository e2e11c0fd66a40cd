/*
 * bench_vault_peer.h: the vault's peers in bench_vault, as one workload on
 * the SQLite C API: plain SQLite (no encryption) and SQLCipher (raw key, the
 * same code compiled against libsqlcipher in vault_sqlcipher_peer.c, a
 * program of its own because SQLCipher's symbols clash with SQLite's).
 *
 * Same schema and indexes as the vault (core/src/vault/vault.c), same
 * pragmas as a Custos store (WAL, synchronous=FULL, secure_delete=ON), same
 * batch size: one transaction per batch of one subject's records. The peer
 * stores the payload where the vault stores the sealed payload.
 */
#ifndef BENCH_VAULT_PEER_H
#define BENCH_VAULT_PEER_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct bv_workload {
    size_t payload;      /* bytes per record */
    int subjects;
    int per_subject;     /* records per subject */
    int batch;           /* records per transaction */
} bv_workload;

typedef struct bv_result {
    double put_s;        /* wall seconds to put every record (commits wait for fsync) */
    double get_s;        /* CPU seconds of the process to read every subject's records back:
                            reads are CPU-bound, and wall time on a shared machine is mostly
                            waiting to be scheduled */
    double check;        /* sum of bytes read, so the reads cannot be optimised away */
} bv_result;

static inline double bv_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
/* A decimal argument in [lo, hi], or -1 (junk, sign, overflow): atoi's
 * silent 0 would run a different workload than the one asked for. */
static inline long bv_arg(const char *s, long lo, long hi)
{
    char *end = NULL;
    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    return *end != '\0' || v < (unsigned long long)lo || v > (unsigned long long)hi ? -1 : (long)v;
}

static inline double bv_now(void) { return bv_clock(CLOCK_MONOTONIC); }
static inline double bv_cpu(void) { return bv_clock(CLOCK_PROCESS_CPUTIME_ID); }

/* Deterministic payload bytes for record i. */
static inline void bv_fill(uint8_t *buf, size_t len, long i)
{
    for (size_t k = 0; k < len; k++)
        buf[k] = (uint8_t)(i * 31 + (long)k * 7);
}

static const char bv_schema[] =
    "PRAGMA secure_delete=ON; PRAGMA synchronous=FULL; PRAGMA journal_mode=WAL; PRAGMA temp_store=MEMORY;"
    "CREATE TABLE vault_record(id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " subject_hash BLOB NOT NULL, purpose INTEGER NOT NULL, category INTEGER NOT NULL,"
    " key_id BLOB NOT NULL, fmt INTEGER NOT NULL, created INTEGER NOT NULL, expires INTEGER,"
    " sealed BLOB NOT NULL);"
    "CREATE INDEX vault_record_subject ON vault_record(subject_hash);"
    "CREATE INDEX vault_record_expires ON vault_record(expires) WHERE expires IS NOT NULL;";

__attribute__((noinline)) static int bv_peer_put(sqlite3 *db, const bv_workload *w)
{
    sqlite3_stmt *ins = NULL;
    if (sqlite3_prepare_v2(db, "INSERT INTO vault_record(subject_hash, purpose, category, key_id, fmt, created,"
                           " expires, sealed) VALUES(?1, 1, 1, ?2, 1, 1760000000, 1762592000, ?3)", -1, &ins,
                           NULL) != SQLITE_OK)
        return -1;
    uint8_t *buf = malloc(w->payload + 1), hash[32] = { 0 }, key_id[8] = { 0 };
    long i = 0;
    int rc = 0;
    for (int s = 0; s < w->subjects && rc == 0; s++) {
        memcpy(hash, &s, sizeof s);
        for (int done = 0; done < w->per_subject && rc == 0;) {
            rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
            for (int b = 0; b < w->batch && done < w->per_subject && rc == 0; b++, done++, i++) {
                bv_fill(buf, w->payload, i);
                sqlite3_bind_blob(ins, 1, hash, 32, SQLITE_STATIC);
                sqlite3_bind_blob(ins, 2, key_id, 8, SQLITE_STATIC);
                sqlite3_bind_blob(ins, 3, buf, (int)w->payload, SQLITE_STATIC);
                rc = sqlite3_step(ins) == SQLITE_DONE ? 0 : -1;
                sqlite3_reset(ins);
            }
            if (rc == 0)
                rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
        }
    }
    free(buf);
    sqlite3_finalize(ins);
    return rc;
}

__attribute__((noinline)) static int bv_peer_get(sqlite3 *db, const bv_workload *w, double *check)
{
    sqlite3_stmt *sel = NULL;
    if (sqlite3_prepare_v2(db, "SELECT id, purpose, category, created, expires, sealed FROM vault_record"
                           " WHERE subject_hash=?1 ORDER BY id", -1, &sel, NULL) != SQLITE_OK)
        return -1;
    uint8_t *buf = malloc(w->payload + 1), hash[32] = { 0 };
    for (int s = 0; s < w->subjects; s++) {
        memcpy(hash, &s, sizeof s);
        sqlite3_bind_blob(sel, 1, hash, 32, SQLITE_STATIC);
        while (sqlite3_step(sel) == SQLITE_ROW) {
            size_t len = (size_t)sqlite3_column_bytes(sel, 5);
            memcpy(buf, sqlite3_column_blob(sel, 5), len < w->payload ? len : w->payload);
            *check += (double)len + buf[0];
        }
        sqlite3_reset(sel);
    }
    free(buf);
    sqlite3_finalize(sel);
    return 0;
}

/* Run the whole workload on a new database at path; key_hex (64 hex digits) keys SQLCipher. */
static inline int bv_peer_run(const char *path, const char *key_hex, const bv_workload *w, bv_result *r)
{
    sqlite3 *db = NULL;
    remove(path);
    if (sqlite3_open(path, &db) != SQLITE_OK)
        return -1;
    int rc = 0;
    if (key_hex != NULL) {
        char sql[128];
        snprintf(sql, sizeof sql, "PRAGMA key = \"x'%s'\"", key_hex);
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, bv_schema, NULL, NULL, NULL);
    double t0 = bv_now();
    if (rc == SQLITE_OK)
        rc = bv_peer_put(db, w);
    double t1 = bv_now(), c1 = bv_cpu();
    r->check = 0;
    if (rc == 0)
        rc = bv_peer_get(db, w, &r->check);
    r->put_s = t1 - t0;
    r->get_s = bv_cpu() - c1;
    sqlite3_close(db);
    return rc == 0 ? 0 : -1;
}

#endif
