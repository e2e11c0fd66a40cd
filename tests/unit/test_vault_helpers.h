/*
 * test_vault_helpers.h: what the vault tests share (unit, fault, crash):
 * a store with the test manifest loaded (tests/data/stores/vault-manifest.yaml),
 * two subjects whose ids are canary strings, consents, a settable clock, and
 * raw access to the vault's rows. (Included by tests; not a test itself.)
 *
 * Subjects: alice (owner) consents to purposes 1 (categories 1, 2; retention
 * P30D) and 2 (category 2; until account_deletion); bob (household member)
 * consents to purpose 1 only.
 */
#ifndef TEST_VAULT_HELPERS_H
#define TEST_VAULT_HELPERS_H

#include "harness.h"
#include "ground/internal.h"
#include "vault/vault_internal.h"
#include "vault/vault_private.h"
#include "consent/subject_internal.h"

#include <custos/consent.h>
#include <custos/manifest.h>
#include <custos/policy.h>
#include <custos/subject.h>
#include <custos/vault.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TV_ALICE_ID "CANARY-SUBJECT-alice-5f1c9e"
#define TV_BOB_ID "CANARY-SUBJECT-bob-a83d07"
#define TV_DAY 86400u

/* A clock the tests move by hand. */
static uint64_t tv_time = 1760000000u;
static inline uint64_t tv_now(void *state, custos_time_confidence *conf)
{
    (void)state;
    if (conf != NULL)
        *conf = CUSTOS_TIME_TRUSTED_CLOCK;
    return tv_time;
}
static const custos_clock tv_clock = { tv_now, NULL };

/* The compiled test manifest (caller frees with custos_manifest_free). */
static inline uint8_t *tv_manifest(size_t *len)
{
    size_t ylen = 0;
    uint8_t *yaml = th_read_file(CUSTOS_TEST_DATA "/stores/vault-manifest.yaml", &ylen);
    assert_non_null(yaml);
    uint8_t *out = NULL;
    custos_manifest_error err;
    int rc = custos_manifest_compile(&out, len, NULL, (const char *)yaml, ylen, "vault-manifest.yaml", NULL, &err);
    if (rc != CUSTOS_OK)
        fprintf(stderr, "%s\n", err.message);
    assert_int_equal(rc, CUSTOS_OK);
    free(yaml);
    return out;
}

static inline void tv_give(custos_t *ctx, custos_subject s, uint32_t purpose)
{
    custos_consent_info info = CUSTOS_CONSENT_INFO_INIT;
    assert_int_equal(custos_consent_give(ctx, s, purpose, &info), CUSTOS_OK);
}

/* Load the manifest, register alice and bob, record their consents. */
static inline void tv_populate(custos_t *ctx, custos_subject *alice, custos_subject *bob)
{
    size_t len = 0;
    uint8_t *m = tv_manifest(&len);
    assert_int_equal(custos_manifest_load(ctx, m, len), CUSTOS_OK);
    custos_manifest_free(m);
    custos_subject a, b;
    assert_int_equal(custos_subject_add(ctx, &a, TV_ALICE_ID, CUSTOS_ROLE_OWNER), CUSTOS_OK);
    assert_int_equal(custos_subject_add(ctx, &b, TV_BOB_ID, CUSTOS_ROLE_HOUSEHOLD_MEMBER), CUSTOS_OK);
    tv_give(ctx, a, 1);
    tv_give(ctx, a, 2);
    tv_give(ctx, b, 1);
    if (alice != NULL)
        *alice = a;
    if (bob != NULL)
        *bob = b;
}

static inline custos_open_options tv_options(void)
{
    custos_open_options o = CUSTOS_OPEN_OPTIONS_INIT;
    o.clock = &tv_clock;
    return o;
}

/* Open (creating) dir with the test clock. */
static inline custos_t *tv_open(const char *dir)
{
    custos_open_options o = tv_options();
    custos_t *ctx = NULL;
    int rc = custos_open(&ctx, dir, &o);
    if (rc != CUSTOS_OK)
        fprintf(stderr, "open: %s\n", custos_last_error());
    assert_int_equal(rc, CUSTOS_OK);
    return ctx;
}

/* A fresh store in a new temporary directory, populated. */
static inline custos_t *tv_fresh(char **dir, const char *tag, custos_subject *alice, custos_subject *bob)
{
    *dir = th_tmpdir(tag);
    custos_t *ctx = tv_open(*dir);
    tv_populate(ctx, alice, bob);
    return ctx;
}

static inline custos_record_id tv_put(custos_t *ctx, custos_subject s, uint32_t purpose, uint32_t category,
                                      const char *text)
{
    custos_record_id id = 0;
    int rc = custos_vault_put(ctx, &id, s, purpose, category, text, strlen(text));
    if (rc != CUSTOS_OK)
        fprintf(stderr, "put: %s\n", custos_errmsg(ctx));
    assert_int_equal(rc, CUSTOS_OK);
    assert_true(id > 0);
    return id;
}

/* Read a record as a string and compare it. */
static inline void tv_expect(custos_t *ctx, custos_record_id id, const char *text)
{
    uint8_t buf[4096];
    size_t len = 0;
    int rc = custos_vault_get(ctx, buf, sizeof buf, &len, NULL, id);
    if (rc != CUSTOS_OK)
        fprintf(stderr, "get %lld: %s\n", (long long)id, custos_errmsg(ctx));
    assert_int_equal(rc, CUSTOS_OK);
    assert_int_equal(len, strlen(text));
    assert_memory_equal(buf, text, len);
}

static inline int64_t tv_count(custos_t *ctx, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(ctx->db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* Run one SQL statement with an integer and a blob parameter on the raw database. */
static inline void tv_sql(custos_t *ctx, const char *sql, int64_t a, const void *blob, int blob_len)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(ctx->db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_bind_parameter_count(st) >= 1)
        sqlite3_bind_int64(st, 1, a);
    if (sqlite3_bind_parameter_count(st) >= 2)
        sqlite3_bind_blob(st, 2, blob, blob_len, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

/* A blob column of one row (caller frees). */
static inline uint8_t *tv_blob(custos_t *ctx, const char *sql, int64_t a, int *len)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(ctx->db, sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int64(st, 1, a);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    *len = sqlite3_column_bytes(st, 0);
    uint8_t *out = malloc((size_t)*len + 1);
    assert_non_null(out);
    memcpy(out, sqlite3_column_blob(st, 0), (size_t)*len);
    sqlite3_finalize(st);
    return out;
}

/* The keyed hash the store keeps for a subject. */
static inline void tv_hash(custos_t *ctx, custos_subject s, uint8_t out[32])
{
    pthread_mutex_lock(&ctx->write_lock);
    int rc = custos__subject_hash_of(ctx, s, out);
    pthread_mutex_unlock(&ctx->write_lock);
    assert_int_equal(rc, CUSTOS_OK);
}

/* Run an internal vault function inside its own transaction, as erase does. */
#define TV_IN_TX(ctx, expr)                                           \
    do {                                                              \
        pthread_mutex_lock(&(ctx)->write_lock);                       \
        assert_int_equal(custos__db_begin(ctx), CUSTOS_OK);           \
        int tv_rc_ = (expr);                                          \
        if (tv_rc_ == CUSTOS_OK)                                      \
            tv_rc_ = custos__db_commit(ctx);                          \
        custos__db_rollback(ctx);                                     \
        pthread_mutex_unlock(&(ctx)->write_lock);                     \
        assert_int_equal(tv_rc_, CUSTOS_OK);                          \
    } while (0)

/* XOR one byte of a record's sealed column (its row header: at < VT_ROW_HEAD, offsets VT_HEAD_*). */
static inline void tv_flip_sealed(custos_t *ctx, custos_record_id id, int at, uint8_t mask)
{
    int len = 0;
    uint8_t *sealed = tv_blob(ctx, "SELECT sealed FROM vault_record WHERE id=?1", id, &len);
    assert_true(at < len);
    sealed[at] ^= mask;
    tv_sql(ctx, "UPDATE vault_record SET sealed=?2 WHERE id=?1", id, sealed, len);
    free(sealed);
}

/* Copy a closed store's files (STORE, custos.db, keys, anchor) from one directory to another. */
static inline void tv_copy_store(const char *from, const char *to)
{
    static const char *const files[] = { "STORE", "custos.db", "keys", "anchor" };
    for (int i = 0; i < 4; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", from, files[i]);
        if (i == 3 && access(path, F_OK) != 0)
            continue; /* a fixture of a Custos before anchors */
        size_t len;
        uint8_t *b = th_read_file(path, &len);
        assert_non_null(b);
        th_write_file(to, files[i], b, len);
        free(b);
    }
}

/* The format-1 fixture (tests/data/stores/format1) after its migration: the current format, vault_key
 * rebuilt with sealed_count and no table left over, every row with its header, alice's three records
 * readable. */
static inline void tv_expect_format1_migrated(custos_t *ctx)
{
    assert_int_equal(tv_count(ctx, "PRAGMA user_version"), CUSTOS_STORE_FORMAT_VERSION);
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM pragma_table_info('vault_key') WHERE name='sealed_count'"),
                     1);
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM sqlite_master WHERE name='vault_key_2'"), 0);
    /* 2 -> 3: every row has its header, with AD version 1 (the AD its value was sealed with) */
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM vault_record WHERE substr(sealed, 2, 1) = x'01'"),
                     tv_count(ctx, "SELECT count(*) FROM vault_record"));
    custos_subject alice;
    custos_record_id ids[8];
    size_t n = 0;
    assert_int_equal(custos_subject_find(ctx, &alice, TV_ALICE_ID), CUSTOS_OK);
    assert_int_equal(custos_vault_list(ctx, ids, 8, &n, alice), CUSTOS_OK);
    assert_int_equal(n, 3);
    tv_expect(ctx, ids[0], "format-1 video of alice");
}

#endif
