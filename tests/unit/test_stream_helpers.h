/*
 * test_stream_helpers.h: what the sealed-stream tests share (unit, crash,
 * fault, forensic): a deterministic payload, put and read-back helpers, and
 * the stream files of a store. (Included by tests; not a test itself.)
 */
#ifndef TEST_STREAM_HELPERS_H
#define TEST_STREAM_HELPERS_H

#include "test_vault_helpers.h"

#include <dirent.h>
#include <sys/stat.h>

#define TS_CHUNK 65536u

/* Byte i of the test payload with seed: a known pattern, different per seed. */
static inline uint8_t ts_byte(uint64_t i, unsigned seed)
{
    uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull + seed * 0x632be59bd9b4e019ull;
    return (uint8_t)(x >> 56 ^ x >> 29);
}

static inline void ts_fill(uint8_t *buf, uint64_t from, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = ts_byte(from + i, seed);
}

/* Write len bytes of pattern seed through a stream, in pieces of step bytes; returns finish's result. */
static inline int ts_put_rc(custos_t *ctx, custos_record_id *id, custos_subject s, uint32_t purpose,
                            uint32_t category, uint64_t len, unsigned seed, size_t step)
{
    custos_vault_stream *w = NULL;
    int rc = custos_vault_stream_create(ctx, &w, s, purpose, category);
    if (rc != CUSTOS_OK)
        return rc;
    static uint8_t buf[3 * TS_CHUNK];
    if (step > sizeof buf)
        step = sizeof buf;
    for (uint64_t at = 0; at < len && rc == CUSTOS_OK; at += step) {
        size_t n = len - at < step ? (size_t)(len - at) : step;
        ts_fill(buf, at, n, seed);
        rc = custos_vault_stream_write(w, buf, n);
    }
    if (rc != CUSTOS_OK) {
        custos_vault_stream_close(w);
        return rc;
    }
    return custos_vault_stream_finish(w, id);
}

static inline custos_record_id ts_put(custos_t *ctx, custos_subject s, uint32_t purpose, uint32_t category,
                                      uint64_t len, unsigned seed)
{
    custos_record_id id = 0;
    int rc = ts_put_rc(ctx, &id, s, purpose, category, len, seed, 10000);
    if (rc != CUSTOS_OK)
        fprintf(stderr, "stream put: %s\n", custos_errmsg(ctx));
    assert_int_equal(rc, CUSTOS_OK);
    assert_true(id > 0);
    return id;
}

/* Read a stream to its end in pieces of step bytes, checking it against the pattern.
 * Returns the first error (of open or read) or CUSTOS_OK; *got counts the bytes read. */
static inline int ts_read_rc(custos_t *ctx, custos_record_id id, uint64_t len, unsigned seed, size_t step,
                             uint64_t *got)
{
    custos_vault_stream *r = NULL;
    custos_vault_info info;
    *got = 0;
    int rc = custos_vault_stream_open(ctx, &r, &info, id);
    if (rc != CUSTOS_OK)
        return rc;
    assert_int_equal(info.size, len);
    assert_int_equal(info.flags, CUSTOS_VAULT_STREAMED);
    static uint8_t buf[3 * TS_CHUNK], want[3 * TS_CHUNK];
    if (step > sizeof buf)
        step = sizeof buf;
    for (;;) {
        size_t n = 0;
        rc = custos_vault_stream_read(r, buf, step, &n);
        if (rc != CUSTOS_OK)
            break;
        if (n == 0)
            break;
        assert_true(n <= step);
        ts_fill(want, *got, n, seed);
        assert_memory_equal(buf, want, n);
        *got += n;
    }
    custos_vault_stream_close(r);
    if (rc == CUSTOS_OK)
        assert_int_equal(*got, len);
    return rc;
}

static inline void ts_expect(custos_t *ctx, custos_record_id id, uint64_t len, unsigned seed)
{
    uint64_t got = 0;
    int rc = ts_read_rc(ctx, id, len, seed, 7777, &got);
    if (rc != CUSTOS_OK)
        fprintf(stderr, "stream read: %s\n", custos_errmsg(ctx));
    assert_int_equal(rc, CUSTOS_OK);
}

/* The path of a stream record's file (caller frees). */
static inline char *ts_file(custos_t *ctx, const char *dir, custos_record_id id)
{
    int len = 0;
    uint8_t *name = tv_blob(ctx, "SELECT file FROM vault_stream WHERE record_id=?1", id, &len);
    assert_int_equal(len, 32);
    char *path = malloc(strlen(dir) + 64);
    assert_non_null(path);
    sprintf(path, "%s/streams/%.32s.cvs", dir, (const char *)name);
    free(name);
    return path;
}

/* How many entries streams/ holds (0 if it does not exist). */
static inline int ts_files(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/streams", dir);
    DIR *d = opendir(path);
    if (d == NULL)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static inline int ts_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

#endif
