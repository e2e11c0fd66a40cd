/* Sealed streams: round trips, the gate, erasure, tampering, orphans and bad arguments. */
#include "test_stream_helpers.h"

#include <custos/erase.h>
#include <custos/gate.h>

static void round_trip(uint64_t len, size_t wstep, size_t rstep)
{
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vsrt", &alice, NULL);
    custos_record_id id = 0;
    assert_int_equal(ts_put_rc(ctx, &id, alice, 1, 1, len, 3, wstep), CUSTOS_OK);
    uint64_t got = 0;
    assert_int_equal(ts_read_rc(ctx, id, len, 3, rstep, &got), CUSTOS_OK);
    assert_int_equal(ts_files(dir), 1);
    custos_close(ctx);
    ctx = tv_open(dir); /* and after reopening */
    ts_expect(ctx, id, len, 3);
    assert_int_equal(ts_files(dir), 1);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_empty_stream_round_trips(void **state) { (void)state; round_trip(0, 100, 100); }
static void test_one_byte_stream_round_trips(void **state) { (void)state; round_trip(1, 1, 1); }
static void test_stream_of_exactly_one_chunk_round_trips(void **state)
{
    (void)state;
    round_trip(TS_CHUNK, TS_CHUNK, TS_CHUNK);
}
static void test_stream_of_one_chunk_and_a_byte_round_trips(void **state)
{
    (void)state;
    round_trip(TS_CHUNK + 1, 4096, TS_CHUNK + 1);
}
static void test_stream_of_several_megabytes_round_trips_in_odd_pieces(void **state)
{
    (void)state;
    round_trip(5u * 1024 * 1024 + 12345, 3 * TS_CHUNK, 1000);
}

static void test_stream_is_a_record_listed_visited_and_refused_by_get(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vsrec", &alice, NULL);
    custos_record_id plain = tv_put(ctx, alice, 1, 1, "plain");
    custos_record_id id = ts_put(ctx, alice, 1, 2, 100000, 1);
    custos_record_id ids[4];
    size_t n = 0;
    assert_int_equal(custos_vault_list(ctx, ids, 4, &n, alice), CUSTOS_OK);
    assert_int_equal(n, 2);
    assert_int_equal(ids[1], id);
    uint8_t buf[16];
    size_t len = 99;
    assert_int_equal(custos_vault_get(ctx, buf, sizeof buf, &len, NULL, id), CUSTOS_ESTATE);
    assert_non_null(strstr(custos_errmsg(ctx), "custos_vault_stream_open"));
    custos_vault_stream *r = (custos_vault_stream *)1;
    assert_int_equal(custos_vault_stream_open(ctx, &r, NULL, plain), CUSTOS_ESTATE);
    assert_null(r);
    assert_int_equal(custos_vault_stream_open(ctx, &r, NULL, 9999), CUSTOS_ENOTFOUND);
    custos_vault_info info;
    assert_int_equal(custos_vault_stream_open(ctx, &r, &info, id), CUSTOS_OK);
    assert_int_equal(info.id, id);
    assert_int_equal(info.purpose, 1);
    assert_int_equal(info.category, 2);
    assert_int_equal(info.created, tv_time);
    assert_int_equal(info.expires, tv_time + 30 * TV_DAY);
    custos_vault_stream_close(r);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

typedef struct visit_log {
    int n;
    custos_vault_info info[4];
    int null_data[4];
} visit_log;

static int visit(void *user, const custos_vault_info *info, const uint8_t *data, size_t len)
{
    visit_log *v = user;
    v->info[v->n] = *info;
    v->null_data[v->n] = data == NULL && len == 0;
    v->n++;
    return 0;
}

static void test_foreach_visits_a_stream_without_its_bytes(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vsfe", &alice, NULL);
    tv_put(ctx, alice, 1, 1, "plain");
    custos_record_id id = ts_put(ctx, alice, 2, 2, 3 * TS_CHUNK + 5, 2);
    visit_log v = { 0 };
    assert_int_equal(custos_vault_foreach(ctx, alice, visit, &v), CUSTOS_OK);
    assert_int_equal(v.n, 2);
    assert_int_equal(v.info[0].flags, 0);
    assert_int_equal(v.info[1].id, id);
    assert_int_equal(v.info[1].flags, CUSTOS_VAULT_STREAMED);
    assert_int_equal(v.info[1].size, 3 * TS_CHUNK + 5);
    assert_true(v.null_data[1]);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

/* --- constant memory --- */

static size_t mem_now, mem_peak;

static void *mem_malloc(size_t n, void *user)
{
    (void)user;
    size_t *p = malloc(n + 16);
    if (p == NULL)
        return NULL;
    p[0] = n;
    mem_now += n;
    if (mem_now > mem_peak)
        mem_peak = mem_now;
    return (uint8_t *)p + 16;
}

static void mem_free(void *ptr, void *user)
{
    (void)user;
    if (ptr == NULL)
        return;
    size_t *p = (size_t *)((uint8_t *)ptr - 16);
    mem_now -= p[0];
    free(p);
}

static void *mem_realloc(void *ptr, size_t n, void *user)
{
    if (ptr == NULL)
        return mem_malloc(n, user);
    size_t *p = (size_t *)((uint8_t *)ptr - 16);
    size_t old = p[0];
    size_t *q = realloc(p, n + 16);
    if (q == NULL)
        return NULL;
    q[0] = n;
    mem_now = mem_now - old + n;
    if (mem_now > mem_peak)
        mem_peak = mem_now;
    return (uint8_t *)q + 16;
}

static void test_a_stream_uses_constant_memory_whatever_its_size(void **state)
{
    (void)state;
    custos_allocator a = { mem_malloc, mem_realloc, mem_free, NULL };
    char *dir = th_tmpdir("vsmem"); /* it installs the harness's allocator: ours goes after it */
    assert_int_equal(custos_set_allocator(&a), CUSTOS_OK);
    custos_subject alice;
    custos_t *ctx = tv_open(dir);
    tv_populate(ctx, &alice, NULL);
    size_t peaks[2];
    uint64_t sizes[2] = { 2 * TS_CHUNK, 24u * 1024 * 1024 };
    for (int i = 0; i < 2; i++) {
        size_t base = mem_now;
        mem_peak = mem_now;
        custos_record_id id = ts_put(ctx, alice, 1, 1, sizes[i], 9);
        ts_expect(ctx, id, sizes[i], 9);
        peaks[i] = mem_peak - base;
    }
    custos_close(ctx);
    th_tmpdir_remove(dir);
    assert_int_equal(custos_set_allocator(NULL), CUSTOS_OK);
    /* Two chunk buffers and small change, the same for 128 KiB and 24 MiB. */
    fprintf(stderr, "stream peak heap: %zu bytes (128 KiB), %zu bytes (24 MiB)\n", peaks[0], peaks[1]);
    assert_true(peaks[1] < 4 * TS_CHUNK);
    assert_true(peaks[1] <= peaks[0] + 4096);
}

/* --- the gate --- */

static void test_stream_without_consent_is_denied_before_any_file(void **state)
{
    (void)state;
    char *dir;
    custos_subject bob;
    custos_t *ctx = tv_fresh(&dir, "vsden", NULL, &bob);
    custos_vault_stream *w = (custos_vault_stream *)1;
    assert_int_equal(custos_vault_stream_create(ctx, &w, bob, 2, 2), CUSTOS_EDENIED);
    assert_null(w);
    assert_int_equal(ts_files(dir), 0);
    assert_int_equal(custos_vault_stream_create(ctx, &w, 77, 1, 1), CUSTOS_EDENIED); /* unknown subject */
    assert_int_equal(ts_files(dir), 0);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

/* A withdrawal while writing stores nothing. write_after: a write follows it, which the gate
 * refuses at once (the file goes then); else finish is what refuses. */
static void withdraw_while_writing(int write_after)
{
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vswd", &alice, NULL);
    custos_vault_stream *w = NULL;
    assert_int_equal(custos_vault_stream_create(ctx, &w, alice, 1, 1), CUSTOS_OK);
    uint8_t buf[TS_CHUNK];
    ts_fill(buf, 0, sizeof buf, 1);
    for (int i = 0; i < 3; i++) /* the first two chunks are sealed */
        assert_int_equal(custos_vault_stream_write(w, buf, sizeof buf), CUSTOS_OK);
    assert_int_equal(ts_files(dir), 1);
    custos_consent_info info = CUSTOS_CONSENT_INFO_INIT;
    assert_int_equal(custos_consent_withdraw(ctx, alice, 1, &info), CUSTOS_OK);
    int finish_rc = CUSTOS_EDENIED;
    if (write_after) {
        assert_int_equal(custos_vault_stream_write(w, buf, 10), CUSTOS_EDENIED);
        assert_non_null(strstr(custos_errmsg(ctx), "denied"));
        assert_int_equal(ts_files(dir), 0);
        assert_int_equal(custos_vault_stream_write(w, buf, 10), CUSTOS_ESTATE); /* the stream has ended */
        finish_rc = CUSTOS_ESTATE;
    }
    custos_record_id id = 5;
    assert_int_equal(custos_vault_stream_finish(w, &id), finish_rc);
    assert_int_equal(id, 0);
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM vault_record"), 0);
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM vault_stream"), 0);
    assert_int_equal(ts_files(dir), 0);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_withdrawal_while_writing_stores_nothing_and_removes_the_file(void **state)
{
    (void)state;
    withdraw_while_writing(0);
}

static void test_the_write_after_a_withdrawal_is_denied_and_removes_the_file(void **state)
{
    (void)state;
    withdraw_while_writing(1);
}

static void test_closing_an_unfinished_stream_discards_it(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vsdisc", &alice, NULL);
    custos_vault_stream *w = NULL;
    assert_int_equal(custos_vault_stream_create(ctx, &w, alice, 1, 1), CUSTOS_OK);
    assert_int_equal(custos_vault_stream_write(w, "abc", 3), CUSTOS_OK);
    custos_vault_stream_close(w);
    assert_int_equal(ts_files(dir), 0);
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM vault_record"), 0);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

/* --- erasure and deletion --- */

static void test_erase_of_the_scope_while_writing_makes_finish_ekey_and_stores_nothing(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vsewr", &alice, NULL);
    custos_vault_stream *w = NULL;
    assert_int_equal(custos_vault_stream_create(ctx, &w, alice, 1, 1), CUSTOS_OK);
    assert_int_equal(custos_vault_stream_write(w, "before the erase", 16), CUSTOS_OK);
    /* the consent stays, so the gate still allows: the key is what is gone */
    assert_int_equal(custos_erase_purpose(ctx, NULL, 0, NULL, alice, 1, NULL), CUSTOS_OK);
    custos_record_id id = 0;
    assert_int_equal(custos_vault_stream_finish(w, &id), CUSTOS_EKEY);
    assert_int_equal(id, 0);
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM vault_record"), 0);
    assert_int_equal(ts_files(dir), 0);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

/* An erase of the scope (the consent stays, so the gate still allows) stops a recording at its next
 * write: CUSTOS_EKEY, the file removed, its subkey wiped; another scope's writer goes on. */
static void test_the_write_after_an_erase_of_the_scope_is_ekey_and_removes_the_file(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vsewr2", &alice, NULL);
    custos_vault_stream *w = NULL, *other = NULL;
    assert_int_equal(custos_vault_stream_create(ctx, &w, alice, 1, 1), CUSTOS_OK);
    assert_int_equal(custos_vault_stream_create(ctx, &other, alice, 2, 2), CUSTOS_OK);
    uint8_t buf[TS_CHUNK];
    ts_fill(buf, 0, sizeof buf, 2);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(custos_vault_stream_write(w, buf, sizeof buf), CUSTOS_OK);
        assert_int_equal(custos_vault_stream_write(other, buf, sizeof buf), CUSTOS_OK);
    }
    assert_int_equal(ts_files(dir), 2);
    custos_record_id kept = ts_put(ctx, alice, 2, 2, 100, 3); /* a commit between writes: no false alarm */
    assert_int_equal(custos_vault_stream_write(w, buf, 10), CUSTOS_OK);
    assert_int_equal(custos_erase_purpose(ctx, NULL, 0, NULL, alice, 1, NULL), CUSTOS_OK);
    assert_int_equal(custos_vault_stream_write(w, buf, 10), CUSTOS_EKEY);
    assert_non_null(strstr(custos_errmsg(ctx), "destroyed"));
    assert_int_equal(ts_files(dir), 2); /* other's file and the stream put above */
    custos_record_id id = 0;
    assert_int_equal(custos_vault_stream_finish(w, &id), CUSTOS_ESTATE);
    assert_int_equal(custos_vault_stream_write(other, buf, 10), CUSTOS_OK);
    assert_int_equal(custos_vault_stream_finish(other, &id), CUSTOS_OK);
    ts_expect(ctx, kept, 100, 3);
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM vault_record"), 2);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void erase_while_reading(int subject_scope)
{
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vser", &alice, NULL);
    custos_record_id id = ts_put(ctx, alice, 1, 1, 4 * TS_CHUNK, 4);
    custos_record_id other = ts_put(ctx, alice, 2, 2, 1000, 5);
    char *path = ts_file(ctx, dir, id);
    custos_vault_stream *r = NULL;
    assert_int_equal(custos_vault_stream_open(ctx, &r, NULL, id), CUSTOS_OK);
    uint8_t buf[100];
    size_t n = 0;
    assert_int_equal(custos_vault_stream_read(r, buf, sizeof buf, &n), CUSTOS_OK);
    assert_int_equal(n, sizeof buf);
    if (subject_scope)
        assert_int_equal(custos_erase_subject(ctx, NULL, 0, NULL, alice, NULL), CUSTOS_OK);
    else
        assert_int_equal(custos_erase_purpose(ctx, NULL, 0, NULL, alice, 1, NULL), CUSTOS_OK);
    /* The rest of its first chunk is decrypted already, but no byte more comes out. */
    n = 7;
    assert_int_equal(custos_vault_stream_read(r, buf, sizeof buf, &n), CUSTOS_EKEY);
    assert_int_equal(n, 0);
    assert_int_equal(custos_vault_stream_read(r, buf, sizeof buf, &n), CUSTOS_ESTATE);
    custos_vault_stream_close(r);
    assert_false(ts_exists(path));
    assert_int_equal(ts_files(dir), subject_scope ? 0 : 1);
    if (!subject_scope)
        ts_expect(ctx, other, 1000, 5);
    free(path);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_erase_subject_stops_an_open_reader_and_removes_the_file(void **state)
{
    (void)state;
    erase_while_reading(1);
}

static void test_erase_purpose_stops_an_open_reader_and_removes_the_file(void **state)
{
    (void)state;
    erase_while_reading(0);
}

static void test_key_destroyed_by_another_connection_stops_the_reader_at_the_next_chunk(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vsconn", &alice, NULL);
    custos_record_id id = ts_put(ctx, alice, 1, 1, 3 * TS_CHUNK, 4);
    custos_vault_stream *r = NULL;
    assert_int_equal(custos_vault_stream_open(ctx, &r, NULL, id), CUSTOS_OK);
    static uint8_t buf[TS_CHUNK];
    size_t n = 0;
    assert_int_equal(custos_vault_stream_read(r, buf, sizeof buf, &n), CUSTOS_OK);
    assert_int_equal(n, sizeof buf);
    assert_true(th_db_edit(dir, "DELETE FROM vault_key") > 0);
    assert_int_equal(custos_vault_stream_read(r, buf, sizeof buf, &n), CUSTOS_EKEY);
    custos_vault_stream_close(r);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_delete_removes_the_stream_file(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vsdel", &alice, NULL);
    custos_record_id a = ts_put(ctx, alice, 1, 1, 10, 1), b = ts_put(ctx, alice, 1, 1, 20, 2);
    char *pa = ts_file(ctx, dir, a);
    assert_int_equal(custos_vault_delete(ctx, a), CUSTOS_OK);
    assert_false(ts_exists(pa));
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM vault_stream"), 1);
    ts_expect(ctx, b, 20, 2);
    custos_vault_stream *r = NULL;
    assert_int_equal(custos_vault_stream_open(ctx, &r, NULL, a), CUSTOS_ENOTFOUND);
    free(pa);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_maintain_removes_an_expired_stream_and_its_file(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vsexp", &alice, NULL);
    ts_put(ctx, alice, 1, 1, 10, 1);            /* P30D */
    custos_record_id keep = ts_put(ctx, alice, 2, 2, 10, 2); /* until an event */
    tv_time += 31 * TV_DAY;
    uint64_t removed = 0;
    assert_int_equal(custos_maintain(ctx, &removed), CUSTOS_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(ts_files(dir), 1);
    ts_expect(ctx, keep, 10, 2);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_factory_reset_removes_every_stream_file(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vsreset", &alice, NULL);
    ts_put(ctx, alice, 1, 1, 2 * TS_CHUNK, 1);
    ts_put(ctx, alice, 2, 2, 10, 2);
    assert_int_equal(ts_files(dir), 2);
    assert_int_equal(custos_factory_reset(&ctx, NULL, 0, NULL, NULL), CUSTOS_OK);
    assert_int_equal(ts_files(dir), 0);
    char path[4096];
    snprintf(path, sizeof path, "%s/streams", dir);
    assert_false(ts_exists(path));
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

/* --- tampering: never a short successful read --- */

/* Read the whole stream; it must fail with CUSTOS_ECORRUPT (at open or at a read). */
static void expect_corrupt(custos_t *ctx, custos_record_id id, uint64_t len)
{
    custos_vault_stream *r = NULL;
    int rc = custos_vault_stream_open(ctx, &r, NULL, id);
    uint64_t got = 0;
    static uint8_t buf[TS_CHUNK / 2];
    while (rc == CUSTOS_OK) {
        size_t n = 0;
        rc = custos_vault_stream_read(r, buf, sizeof buf, &n);
        if (rc == CUSTOS_OK && n == 0)
            fail_msg("a damaged stream read to its end (%llu of %llu bytes)", (unsigned long long)got,
                     (unsigned long long)len);
        got += n;
    }
    custos_vault_stream_close(r);
    assert_int_equal(rc, CUSTOS_ECORRUPT);
}

static uint8_t *slurp(const char *path, size_t *len)
{
    uint8_t *b = th_read_file(path, len);
    assert_non_null(b);
    return b;
}

static void put_back(const char *path, const uint8_t *b, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, len, f), len);
    fclose(f);
}

#define TAMPER_LEN (3u * TS_CHUNK + 100u)
#define CSZ (TS_CHUNK + 17u)

static void test_damaged_stream_files_are_ecorrupt(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vstamp", &alice, NULL);
    custos_record_id id = ts_put(ctx, alice, 1, 1, TAMPER_LEN, 6);
    custos_record_id other = ts_put(ctx, alice, 1, 1, TAMPER_LEN, 7);
    char *path = ts_file(ctx, dir, id), *opath = ts_file(ctx, dir, other);
    size_t len = 0, olen = 0;
    uint8_t *orig = slurp(path, &len), *oth = slurp(opath, &olen);
    assert_int_equal(len, 56 + TAMPER_LEN + 4 * 17);
    uint8_t *b = malloc(len + 100);
    assert_non_null(b);

    /* truncated by one byte, and inside the first chunk */
    put_back(path, orig, len - 1);
    expect_corrupt(ctx, id, TAMPER_LEN);
    put_back(path, orig, 56 + 1000);
    expect_corrupt(ctx, id, TAMPER_LEN);
    /* the final chunk dropped */
    put_back(path, orig, 56 + 3 * CSZ);
    expect_corrupt(ctx, id, TAMPER_LEN);
    /* extended */
    memcpy(b, orig, len);
    memset(b + len, 0, 17);
    put_back(path, b, len + 17);
    expect_corrupt(ctx, id, TAMPER_LEN);
    /* a byte flipped in the second chunk, and in the header */
    memcpy(b, orig, len);
    b[56 + CSZ + 500] ^= 1;
    put_back(path, b, len);
    expect_corrupt(ctx, id, TAMPER_LEN);
    memcpy(b, orig, len);
    b[40] ^= 1;
    put_back(path, b, len);
    expect_corrupt(ctx, id, TAMPER_LEN);
    /* two chunks swapped */
    memcpy(b, orig, len);
    memcpy(b + 56, orig + 56 + CSZ, CSZ);
    memcpy(b + 56 + CSZ, orig + 56, CSZ);
    put_back(path, b, len);
    expect_corrupt(ctx, id, TAMPER_LEN);
    /* the file of another stream of the same scope and length, and its chunks after our header */
    put_back(path, oth, olen);
    expect_corrupt(ctx, id, TAMPER_LEN);
    memcpy(b, orig, 56);
    memcpy(b + 56, oth + 56, olen - 56);
    put_back(path, b, len);
    expect_corrupt(ctx, id, TAMPER_LEN);
    /* the file missing */
    unlink(path);
    expect_corrupt(ctx, id, TAMPER_LEN);
    /* restored, it reads again, and the other stream was never affected */
    put_back(path, orig, len);
    ts_expect(ctx, id, TAMPER_LEN, 6);
    ts_expect(ctx, other, TAMPER_LEN, 7);
    free(b);
    free(orig);
    free(oth);
    free(path);
    free(opath);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_edited_stream_rows_are_ecorrupt(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vsrow", &alice, NULL);
    custos_record_id a = ts_put(ctx, alice, 1, 1, 1000, 1), b = ts_put(ctx, alice, 1, 1, 1000, 2);
    int slen = 0;
    uint8_t *sealed = tv_blob(ctx, "SELECT sealed FROM vault_record WHERE id=?1", a, &slen);
    sealed[30] ^= 1;
    tv_sql(ctx, "UPDATE vault_record SET sealed=?2 WHERE id=?1", a, sealed, slen);
    expect_corrupt(ctx, a, 1000);
    uint8_t buf[4];
    size_t n = 0;
    assert_int_equal(custos_vault_get(ctx, buf, sizeof buf, &n, NULL, a), CUSTOS_ECORRUPT);
    sealed[30] ^= 1;
    tv_sql(ctx, "UPDATE vault_record SET sealed=?2 WHERE id=?1", a, sealed, slen);
    ts_expect(ctx, a, 1000, 1);
    /* the rows pointing at each other's files */
    tv_sql(ctx, "UPDATE vault_stream SET record_id=-record_id", 0, NULL, 0);
    tv_sql(ctx, "UPDATE vault_stream SET record_id=CASE record_id WHEN -1 THEN 2 ELSE 1 END", 0, NULL, 0);
    assert_int_equal(a, 1);
    expect_corrupt(ctx, a, 1000);
    expect_corrupt(ctx, b, 1000);
    /* no vault_stream row at all */
    tv_sql(ctx, "DELETE FROM vault_stream WHERE record_id=?1", a, NULL, 0);
    expect_corrupt(ctx, a, 1000);
    /* a stream row whose header says plain record does not open as one */
    tv_flip_sealed(ctx, b, VT_HEAD_FMT, 0x02); /* 3 -> 1 */
    assert_int_equal(custos_vault_get(ctx, buf, sizeof buf, &n, NULL, b), CUSTOS_ERANGE);
    uint8_t big[256];
    assert_int_equal(custos_vault_get(ctx, big, sizeof big, &n, NULL, b), CUSTOS_ECORRUPT);
    free(sealed);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

/* --- orphans --- */

static void test_open_removes_unfinished_and_unowned_stream_files(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vsorph", &alice, NULL);
    custos_record_id id = ts_put(ctx, alice, 1, 1, 100, 1);
    char *path = ts_file(ctx, dir, id);
    custos_close(ctx);
    char sdir[4096];
    snprintf(sdir, sizeof sdir, "%s/streams", dir);
    th_write_file(sdir, "0123456789abcdef0123456789abcdef.part", "torn", 4);
    th_write_file(sdir, "00000000000000000000000000000000.cvs", "unowned", 7);
    th_write_file(sdir, "notes.txt", "not ours", 8);
    assert_int_equal(ts_files(dir), 4);
    ctx = tv_open(dir);
    assert_int_equal(ts_files(dir), 2); /* the stream and a file that is not the vault's */
    assert_true(ts_exists(path));
    ts_expect(ctx, id, 100, 1);
    free(path);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

/* --- export and import --- */

static void test_export_carries_streams_and_import_restores_them_as_streams(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice, bob;
    custos_t *ctx = tv_fresh(&dir, "vsexport", &alice, &bob);
    tv_put(ctx, alice, 1, 1, "plain one");
    ts_put(ctx, alice, 1, 2, 3 * TS_CHUNK + 11, 4);
    ts_put(ctx, alice, 1, 1, 0, 5);
    tv_put(ctx, bob, 1, 1, "bob's own");
    uint8_t pk[32], sk[32];
    assert_int_equal(custos_export_keypair(pk, sk), CUSTOS_OK);
    char path[4096], cut[4096];
    snprintf(path, sizeof path, "%s/alice.export", dir);
    snprintf(cut, sizeof cut, "%s/cut.export", dir);
    assert_int_equal(custos_vault_export(ctx, path, alice, pk), CUSTOS_OK);
    size_t len = 0;
    uint8_t *file = th_read_file(path, &len);
    assert_non_null(file);
    assert_int_equal(file[8], 2); /* version 2: it carries streams */
    /* truncated: refused whole, no stream file left behind */
    FILE *f = fopen(cut, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(file, 1, len - 40, f), len - 40);
    fclose(f);
    free(file);
    int files = ts_files(dir);
    size_t n = 0;
    assert_int_equal(custos_vault_import(ctx, &n, cut, bob, pk, sk), CUSTOS_ECORRUPT);
    assert_int_equal(ts_files(dir), files);
    assert_int_equal(custos_vault_import(ctx, &n, path, bob, pk, sk), CUSTOS_OK);
    assert_int_equal(n, 3);
    assert_int_equal(ts_files(dir), files + 2);
    custos_record_id ids[8];
    assert_int_equal(custos_vault_list(ctx, ids, 8, &n, bob), CUSTOS_OK);
    assert_int_equal(n, 4);
    tv_expect(ctx, ids[0], "bob's own");
    tv_expect(ctx, ids[1], "plain one");
    ts_expect(ctx, ids[2], 3 * TS_CHUNK + 11, 4);
    ts_expect(ctx, ids[3], 0, 5);
    /* bob's copy is his own: erasing alice leaves it */
    assert_int_equal(custos_erase_subject(ctx, NULL, 0, NULL, alice, NULL), CUSTOS_OK);
    ts_expect(ctx, ids[2], 3 * TS_CHUNK + 11, 4);
    assert_int_equal(ts_files(dir), 2);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_export_without_streams_keeps_format_1(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vsexp1", &alice, NULL);
    tv_put(ctx, alice, 1, 1, "plain");
    uint8_t pk[32], sk[32];
    assert_int_equal(custos_export_keypair(pk, sk), CUSTOS_OK);
    char path[4096];
    snprintf(path, sizeof path, "%s/a.export", dir);
    assert_int_equal(custos_vault_export(ctx, path, alice, pk), CUSTOS_OK);
    size_t len = 0;
    uint8_t *file = th_read_file(path, &len);
    assert_non_null(file);
    assert_int_equal(file[8], 1);
    free(file);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

/* --- arguments --- */

static void test_stream_bad_arguments_are_precise_errors(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice;
    custos_t *ctx = tv_fresh(&dir, "vsargs", &alice, NULL);
    custos_vault_stream *w = NULL, *r = NULL;
    custos_record_id id = 0;
    uint8_t buf[8];
    size_t n = 0;
    assert_int_equal(custos_vault_stream_create(NULL, &w, alice, 1, 1), CUSTOS_EINVAL);
    assert_int_equal(custos_vault_stream_create(ctx, NULL, alice, 1, 1), CUSTOS_EINVAL);
    assert_int_equal(custos_vault_stream_open(NULL, &r, NULL, 1), CUSTOS_EINVAL);
    assert_int_equal(custos_vault_stream_open(ctx, NULL, NULL, 1), CUSTOS_EINVAL);
    assert_int_equal(custos_vault_stream_write(NULL, "a", 1), CUSTOS_EINVAL);
    assert_int_equal(custos_vault_stream_read(NULL, buf, sizeof buf, &n), CUSTOS_EINVAL);
    assert_int_equal(custos_vault_stream_finish(NULL, &id), CUSTOS_EINVAL);
    custos_vault_stream_close(NULL);

    assert_int_equal(custos_vault_stream_create(ctx, &w, alice, 1, 1), CUSTOS_OK);
    assert_int_equal(custos_vault_stream_write(w, NULL, 1), CUSTOS_EINVAL);
    assert_int_equal(custos_vault_stream_write(w, NULL, 0), CUSTOS_OK);
    assert_int_equal(custos_vault_stream_read(w, buf, sizeof buf, &n), CUSTOS_ESTATE);
    assert_non_null(strstr(custos_errmsg(ctx), "writing"));
    assert_int_equal(custos_vault_stream_write(w, "abc", 3), CUSTOS_OK);
    assert_int_equal(custos_vault_stream_finish(w, &id), CUSTOS_OK);

    /* finish without out_id discards the stream */
    assert_int_equal(custos_vault_stream_create(ctx, &w, alice, 1, 1), CUSTOS_OK);
    assert_int_equal(custos_vault_stream_write(w, "abc", 3), CUSTOS_OK);
    assert_int_equal(custos_vault_stream_finish(w, NULL), CUSTOS_EINVAL);
    assert_int_equal(ts_files(dir), 1);
    assert_int_equal(tv_count(ctx, "SELECT count(*) FROM vault_record"), 1);

    assert_int_equal(custos_vault_stream_open(ctx, &r, NULL, id), CUSTOS_OK);
    assert_int_equal(custos_vault_stream_write(r, "a", 1), CUSTOS_ESTATE);
    assert_non_null(strstr(custos_errmsg(ctx), "reading"));
    assert_int_equal(custos_vault_stream_read(r, NULL, 1, &n), CUSTOS_EINVAL);
    assert_int_equal(custos_vault_stream_read(r, buf, 0, &n), CUSTOS_EINVAL);
    assert_int_equal(custos_vault_stream_read(r, buf, sizeof buf, NULL), CUSTOS_EINVAL);
    assert_int_equal(custos_vault_stream_read(r, buf, sizeof buf, &n), CUSTOS_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(buf, "abc", 3);
    assert_int_equal(custos_vault_stream_read(r, buf, sizeof buf, &n), CUSTOS_OK);
    assert_int_equal(n, 0);
    assert_int_equal(custos_vault_stream_read(r, buf, sizeof buf, &n), CUSTOS_OK); /* the end stays the end */
    assert_int_equal(n, 0);
    /* finishing a reader is refused, and frees it as finish always does */
    assert_int_equal(custos_vault_stream_finish(r, &id), CUSTOS_ESTATE);
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

static void test_other_calls_may_run_between_stream_calls(void **state)
{
    (void)state;
    char *dir;
    custos_subject alice, bob;
    custos_t *ctx = tv_fresh(&dir, "vsmix", &alice, &bob);
    custos_vault_stream *w1 = NULL, *w2 = NULL;
    assert_int_equal(custos_vault_stream_create(ctx, &w1, alice, 1, 1), CUSTOS_OK);
    assert_int_equal(custos_vault_stream_create(ctx, &w2, bob, 1, 1), CUSTOS_OK);
    uint8_t buf[TS_CHUNK];
    ts_fill(buf, 0, sizeof buf, 8);
    assert_int_equal(custos_vault_stream_write(w1, buf, sizeof buf), CUSTOS_OK);
    custos_record_id p = tv_put(ctx, alice, 1, 1, "between");
    assert_int_equal(custos_vault_stream_write(w2, "bob", 3), CUSTOS_OK);
    custos_record_id s = ts_put(ctx, alice, 2, 2, 10, 1);
    assert_int_equal(custos_vault_delete(ctx, s), CUSTOS_OK); /* its sweep spares unfinished streams */
    ts_fill(buf, TS_CHUNK, sizeof buf, 8);
    assert_int_equal(custos_vault_stream_write(w1, buf, sizeof buf), CUSTOS_OK);
    custos_record_id id1 = 0, id2 = 0;
    assert_int_equal(custos_vault_stream_finish(w1, &id1), CUSTOS_OK);
    assert_int_equal(custos_vault_stream_finish(w2, &id2), CUSTOS_OK);
    ts_expect(ctx, id1, 2 * TS_CHUNK, 8);
    tv_expect(ctx, p, "between");
    custos_close(ctx);
    th_tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_stream_round_trips),
        cmocka_unit_test(test_one_byte_stream_round_trips),
        cmocka_unit_test(test_stream_of_exactly_one_chunk_round_trips),
        cmocka_unit_test(test_stream_of_one_chunk_and_a_byte_round_trips),
        cmocka_unit_test(test_stream_of_several_megabytes_round_trips_in_odd_pieces),
        cmocka_unit_test(test_stream_is_a_record_listed_visited_and_refused_by_get),
        cmocka_unit_test(test_foreach_visits_a_stream_without_its_bytes),
        cmocka_unit_test(test_a_stream_uses_constant_memory_whatever_its_size),
        cmocka_unit_test(test_stream_without_consent_is_denied_before_any_file),
        cmocka_unit_test(test_withdrawal_while_writing_stores_nothing_and_removes_the_file),
        cmocka_unit_test(test_the_write_after_a_withdrawal_is_denied_and_removes_the_file),
        cmocka_unit_test(test_the_write_after_an_erase_of_the_scope_is_ekey_and_removes_the_file),
        cmocka_unit_test(test_closing_an_unfinished_stream_discards_it),
        cmocka_unit_test(test_erase_of_the_scope_while_writing_makes_finish_ekey_and_stores_nothing),
        cmocka_unit_test(test_erase_subject_stops_an_open_reader_and_removes_the_file),
        cmocka_unit_test(test_erase_purpose_stops_an_open_reader_and_removes_the_file),
        cmocka_unit_test(test_key_destroyed_by_another_connection_stops_the_reader_at_the_next_chunk),
        cmocka_unit_test(test_delete_removes_the_stream_file),
        cmocka_unit_test(test_maintain_removes_an_expired_stream_and_its_file),
        cmocka_unit_test(test_factory_reset_removes_every_stream_file),
        cmocka_unit_test(test_damaged_stream_files_are_ecorrupt),
        cmocka_unit_test(test_edited_stream_rows_are_ecorrupt),
        cmocka_unit_test(test_open_removes_unfinished_and_unowned_stream_files),
        cmocka_unit_test(test_export_carries_streams_and_import_restores_them_as_streams),
        cmocka_unit_test(test_export_without_streams_keeps_format_1),
        cmocka_unit_test(test_stream_bad_arguments_are_precise_errors),
        cmocka_unit_test(test_other_calls_may_run_between_stream_calls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
