/*
 * stream.c: sealed streams, records whose payload is written and read in
 * pieces with constant memory (custos/vault.h, "Sealed streams").
 *
 * A stream is a vault_record row of format VT_STREAM_FORMAT whose `sealed`
 * column holds a small sealed metadata blob (seal.c: the same row header,
 * AEAD and associated data as any record, fmt 3 included, so the row
 * cannot pass for a plain record nor be moved to another row), plus a file
 * streams/<id>.cvs next to custos.db holding the payload, sealed in chunks
 * with crypto_secretstream_xchacha20poly1305. <id> is 128 random bits in
 * hex: no personal data in a name. vault_stream(file, record_id) says which
 * file belongs to which record.
 *
 * STREAM FILE (little-endian)
 *
 *   offset  size  field
 *   0       4     magic "CVS1"
 *   4       4     stream format version (1)
 *   8       4     suite (1: secretstream XChaCha20-Poly1305, BLAKE2b subkey)
 *   12      4     chunk size C (65536)
 *   16      16    file id (random; the name of the file)
 *   32      24    secretstream header
 *   56      ...   chunks: n = max(1, ceil(len / C)); each is the secretstream
 *                 push (plaintext + 17 bytes) of C plaintext bytes, tagged
 *                 MESSAGE, except the last (0..C bytes), tagged FINAL
 *
 * Every chunk carries as associated data the 56 header bytes followed by
 * the record's scope: subject hash (32) | purpose u32 | category u32 |
 * key id (8). The chunks are sealed under a per-stream subkey,
 * BLAKE2b-256(key = the scope's data key, "custos.v1 stream" | file id):
 * a stream handle keeps only that subkey, which opens nothing else, and it
 * dies with the data key (crypto-erase).
 *
 * METADATA (the plaintext of vault_record.sealed for fmt 3; 68 bytes)
 *
 *   "CVM1" | the file's 56 header bytes | payload length u64
 *
 * Open compares the file's header with this copy and its size with the one
 * the length implies, and secretstream authenticates every chunk, its place
 * and the end. So a file that is truncated, extended, reordered, altered,
 * missing its final chunk, or taken from another stream (even of the same
 * scope: another file id and header) is CUSTOS_ECORRUPT, and a stream reads
 * as its bytes in order followed by an end (*n = 0) only after the FINAL
 * chunk authenticated with the length matching.
 *
 * LIFE OF A FILE. create writes streams/<id>.part (the gate is asked first,
 * and again before each write, with a check that the data key still exists:
 * a withdrawal or an erase ends the stream at its next write, file removed);
 * finish seals the last chunk and fsyncs (without the lock), then, holding
 * write_lock, renames it to <id>.cvs, fsyncs the directory, asks the gate
 * again and inserts the record and vault_stream rows in one transaction: a
 * sweep (which runs under the lock) never sees a published file before its
 * row. A crash leaves at worst a .part file, or a .cvs
 * file no row names: the sweep (custos_vault__stream_sweep) removes them at
 * the next open. Deleting a record deletes its vault_stream row in the same
 * statement (a trigger, vault.c); the sweep after the commit removes every
 * .cvs file that no longer belongs to a record (custos_vault_delete,
 * custos_maintain, erase). .part files are removed only at open (the store
 * is locked by one handle, so no writer can be running then) and by their
 * own writer on failure or close.
 *
 * A READER sees its key destroyed at once: before each read it re-checks
 * that the data key row (and the record) still exist whenever the key cache
 * was evicted since its last check (every key destruction of this handle
 * evicts it), and before decrypting each chunk in any case (another
 * connection's erase). Calls take ctx->write_lock for their length; a
 * writer's writes touch only the handle and its file and take no lock.
 */
#define _GNU_SOURCE
#include "vault_private.h"
#include "ground/iofault.h"
#include "custos/v1/audit.pb-c.h"

#include <custos/gate.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define VS_MAGIC "CVS1"
#define VS_META_MAGIC "CVM1"
#define VS_VERSION 1u
#define VS_SUITE 1u
#define VS_CHUNK VT_STREAM_CHUNK
#define VS_ID_BYTES 16u
#define VS_HEX VT_STREAM_HEX
#define VS_SSHEADER crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define VS_HEAD (32u + VS_SSHEADER)
#define VS_ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define VS_AD (VS_HEAD + 32u + 4u + 4u + VT_ID_BYTES)
#define VS_META (4u + VS_HEAD + 8u)
#define VS_TAG_MESSAGE crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
#define VS_TAG_FINAL crypto_secretstream_xchacha20poly1305_TAG_FINAL

enum { VS_WRITER = 1, VS_READER = 2 };

/* Guarded memory (sodium_malloc): the subkey and the secretstream state. */
typedef struct vs_secrets {
    uint8_t key[32];
    crypto_secretstream_xchacha20poly1305_state st;
} vs_secrets;

struct custos_vault_stream {
    custos_t *ctx;
    int mode;
    int err;                  /* a failure that poisons the handle (0: none) */
    int fd;
    char *dir;                /* <store>/streams */
    char name[VS_HEX + 6];    /* <hex>.part or <hex>.cvs */
    vs_secrets *sec;
    uint8_t *plain;           /* one chunk of plaintext, wiped after use */
    uint8_t *cipher;          /* one sealed chunk */
    size_t plain_len, plain_pos;
    uint8_t ad[VS_AD];        /* the file header, then the scope */
    custos_subject subject;   /* writer: for the gate at finish */
    uint32_t purpose, category;
    uint8_t key_id[VT_ID_BYTES];
    uint64_t total;           /* writer: bytes so far; reader: the length */
    uint64_t chunk, chunks;   /* reader: next chunk, chunk count */
    int ended;                /* reader: the FINAL chunk authenticated */
    int64_t record_id;        /* reader */
    uint64_t evictions;       /* the key cache's eviction count at the last key check */
};

/* --- file helpers --- */

int custos_vault__stream_io_fail(custos_t *ctx, int err, const char *what)
{
    return custos__fail(ctx, err == ENOSPC || err == EDQUOT ? CUSTOS_ENOSPC : CUSTOS_EIO,
                        "vault stream: cannot %s a stream file: %s", what, strerror(err));
}

static char *vs_path(const custos_vault_stream *s)
{
    return custos__path_join(s->dir, s->name);
}

static int vs_write_all(custos_vault_stream *s, const uint8_t *p, size_t len)
{
    char *path = vs_path(s);
    int err = path == NULL ? ENOMEM : custos__io_check(CUSTOS_IO_WRITE, path);
    custos__free(path);
    while (err == 0 && len > 0) {
        ssize_t n = write(s->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            err = n < 0 ? errno : EIO;
            break;
        }
        p += n;
        len -= (size_t)n;
    }
    if (err == ENOMEM)
        return custos__fail(s->ctx, CUSTOS_ENOMEM, "vault stream: out of memory");
    return err != 0 ? custos_vault__stream_io_fail(s->ctx, err, "write") : CUSTOS_OK;
}

/* Read exactly len bytes; a short file is the caller's CUSTOS_ECORRUPT (*got < len). */
static int vs_read_all(custos_vault_stream *s, uint8_t *p, size_t len, size_t *got)
{
    char *path = vs_path(s);
    int err = path == NULL ? ENOMEM : custos__io_check(CUSTOS_IO_READ, path);
    custos__free(path);
    *got = 0;
    while (err == 0 && *got < len) {
        ssize_t n = read(s->fd, p + *got, len - *got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            err = errno;
        if (n <= 0)
            break;
        *got += (size_t)n;
    }
    if (err == ENOMEM)
        return custos__fail(s->ctx, CUSTOS_ENOMEM, "vault stream: out of memory");
    return err != 0 ? custos_vault__stream_io_fail(s->ctx, err, "read") : CUSTOS_OK;
}

static void vs_hex(char out[VS_HEX + 1], const uint8_t id[VS_ID_BYTES])
{
    sodium_bin2hex(out, VS_HEX + 1, id, VS_ID_BYTES);
}

char *custos_vault__stream_dir(custos_t *ctx) { return custos__path_join(ctx->dir, VT_STREAM_DIR); }

/* --- the handle --- */

static void vs_free(custos_vault_stream *s)
{
    if (s->fd >= 0)
        close(s->fd);
    if (s->sec != NULL)
        sodium_free(s->sec); /* wipes */
    if (s->plain != NULL)
        custos__wipe(s->plain, VS_CHUNK);
    custos__free(s->plain);
    custos__free(s->cipher);
    custos__free(s->dir);
    custos__wipe(s, sizeof *s);
    custos__free(s);
}

static custos_vault_stream *vs_new(custos_t *ctx, int mode)
{
    custos_vault_stream *s = custos__calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->ctx = ctx;
    s->mode = mode;
    s->fd = -1;
    s->dir = custos_vault__stream_dir(ctx);
    s->sec = sodium_malloc(sizeof(vs_secrets));
    s->plain = custos__malloc(VS_CHUNK);
    s->cipher = custos__malloc(VS_CHUNK + VS_ABYTES);
    if (s->dir == NULL || s->sec == NULL || s->plain == NULL || s->cipher == NULL) {
        vs_free(s);
        return NULL;
    }
    return s;
}

/* The chunks' associated data: the header (already in ad[0..55]), then the scope. */
static void vs_scope_ad(custos_vault_stream *s, const uint8_t subject_hash[32])
{
    memcpy(s->ad + VS_HEAD, subject_hash, 32);
    custos_vault__put32(s->ad + VS_HEAD + 32, s->purpose);
    custos_vault__put32(s->ad + VS_HEAD + 36, s->category);
    memcpy(s->ad + VS_HEAD + 40, s->key_id, VT_ID_BYTES);
}

static void vs_subkey(custos_vault_stream *s, const uint8_t data_key[32])
{
    uint8_t msg[16 + VS_ID_BYTES];
    memcpy(msg, "custos.v1 stream", 16);
    memcpy(msg + 16, s->ad + 16, VS_ID_BYTES);
    crypto_generichash(s->sec->key, 32, msg, sizeof msg, data_key, 32);
}

/* Remove the writer's file (its current name) and sync the directory. */
static void vs_discard(custos_vault_stream *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    char *path = vs_path(s);
    if (path != NULL && unlink(path) == 0)
        (void)custos__fsync_dir(NULL, s->dir);
    custos__free(path);
}

/* --- the data key, checked by writers and readers --- */

/* Is the stream's data key still there, and a reader's record? (another
 * handle's or connection's erase, a delete) */
static int vs_alive(custos_vault_stream *s)
{
    custos_t *ctx = s->ctx;
    sqlite3_stmt *st = NULL;
    int rc = custos_vault__stmt(ctx, &st, VT_ST_STREAM_ALIVE);
    if (rc != CUSTOS_OK)
        return rc;
    sqlite3_bind_blob(st, 1, s->key_id, VT_ID_BYTES, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, s->record_id);
    rc = sqlite3_step(st);
    int64_t key = sqlite3_column_int64(st, 0), record = sqlite3_column_int64(st, 1);
    sqlite3_reset(st);
    if (rc != SQLITE_ROW)
        return custos__sqlite_fail(ctx, rc, "vault: check a stream's key");
    s->evictions = ctx->vault->evictions;
    if (key == 0)
        return custos__fail(ctx, CUSTOS_EKEY, "vault: the stream's data key was destroyed (erased)");
    if (record == 0 && s->mode == VS_READER)
        return custos__fail(ctx, CUSTOS_ENOTFOUND, "vault: stream record %lld was deleted while it was read",
                            (long long)s->record_id);
    return CUSTOS_OK;
}

/* --- writing --- */

static int vs_gate(custos_t *ctx, custos_subject subject, uint32_t purpose, uint32_t category)
{
    custos_decision d = custos_check(ctx, subject, purpose, category);
    if (d == CUSTOS_DENY_INTEGRITY)
        return custos__fail(ctx, CUSTOS_ECORRUPT, "vault stream refused for purpose %u: %s; "
                            "custos_consent_repair re-folds it from the ledger", purpose, custos_decision_str(d));
    if (d != CUSTOS_ALLOW)
        return custos__fail(ctx, CUSTOS_EDENIED, "vault stream denied for purpose %u, category %u: %s",
                            purpose, category, custos_decision_str(d));
    return CUSTOS_OK;
}

/* The scope's data key (created if none, in a transaction of its own), its id, and the subkey. */
static int vs_writer_key(custos_vault_stream *s, const uint8_t subject_hash[32])
{
    custos_t *ctx = s->ctx;
    const uint8_t *key;
    int rc = custos__db_begin(ctx);
    if (rc != CUSTOS_OK)
        return rc;
    unsigned reads = custos_vault__access_append(ctx);
    if ((rc = custos_vault__key_for_put(ctx, subject_hash, s->purpose, 0, &key, s->key_id)) == CUSTOS_OK) {
        vs_subkey(s, key);
        if ((rc = custos__db_commit(ctx)) == CUSTOS_OK)
            custos_vault__access_committed(ctx, reads);
    }
    custos__db_rollback(ctx);
    return rc;
}

static int vs_create_file(custos_vault_stream *s)
{
    if (mkdir(s->dir, 0700) != 0 && errno != EEXIST)
        return custos_vault__stream_io_fail(s->ctx, errno, "create the directory of");
    uint8_t id[VS_ID_BYTES];
    char hex[VS_HEX + 1];
    custos__random(s->ctx, id, sizeof id);
    vs_hex(hex, id);
    snprintf(s->name, sizeof s->name, "%s.part", hex);
    char *path = vs_path(s);
    if (path == NULL)
        return custos__fail(s->ctx, CUSTOS_ENOMEM, "vault stream: out of memory");
    int err = custos__io_check(CUSTOS_IO_OPEN, path);
    if (err == 0 && (s->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
        err = errno;
    custos__free(path);
    if (err != 0) {
        s->fd = -1;
        return custos_vault__stream_io_fail(s->ctx, err, "create");
    }
    memcpy(s->ad, VS_MAGIC, 4);
    custos_vault__put32(s->ad + 4, VS_VERSION);
    custos_vault__put32(s->ad + 8, VS_SUITE);
    custos_vault__put32(s->ad + 12, VS_CHUNK);
    memcpy(s->ad + 16, id, VS_ID_BYTES);
    return CUSTOS_OK;
}

static int create_locked(custos_vault_stream *s, custos_subject subject)
{
    custos_t *ctx = s->ctx;
    uint8_t hash[32];
    int rc = custos_vault__require_wal(ctx);
    if (rc != CUSTOS_OK || (rc = vs_gate(ctx, subject, s->purpose, s->category)) != CUSTOS_OK ||
        (rc = custos_vault__subject_hash(ctx, subject, hash)) != CUSTOS_OK ||
        (rc = vs_create_file(s)) != CUSTOS_OK || (rc = vs_writer_key(s, hash)) != CUSTOS_OK)
        return rc;
    vs_scope_ad(s, hash);
    crypto_secretstream_xchacha20poly1305_init_push(&s->sec->st, s->ad + 32, s->sec->key);
    s->evictions = ctx->vault->evictions;
    return vs_write_all(s, s->ad, VS_HEAD);
}

int custos_vault_stream_create(custos_t *ctx, custos_vault_stream **out, custos_subject subject,
                               uint32_t purpose, uint32_t category)
{
    if (ctx == NULL)
        return CUSTOS_EINVAL;
    if (out == NULL)
        return custos__fail(ctx, CUSTOS_EINVAL, "vault stream create: out is NULL");
    *out = NULL;
    custos_vault_stream *s = vs_new(ctx, VS_WRITER);
    if (s == NULL)
        return custos__fail(ctx, CUSTOS_ENOMEM, "vault stream: out of memory");
    s->subject = subject;
    s->purpose = purpose;
    s->category = category;
    custos_vault__enter(ctx);
    int rc = create_locked(s, subject);
    custos_vault__leave(ctx);
    if (rc != CUSTOS_OK) {
        if (s->fd >= 0)
            vs_discard(s);
        vs_free(s);
        return rc;
    }
    *out = s;
    return CUSTOS_OK;
}

static int vs_push(custos_vault_stream *s, uint8_t tag)
{
    size_t clen = s->plain_len + VS_ABYTES;
    crypto_secretstream_xchacha20poly1305_push(&s->sec->st, s->cipher, NULL, s->plain, s->plain_len, s->ad,
                                               sizeof s->ad, tag);
    custos__wipe(s->plain, s->plain_len);
    s->plain_len = 0;
    return vs_write_all(s, s->cipher, clen);
}

static int vs_usable(custos_vault_stream *s, int mode, const char *call)
{
    if (s->mode != mode)
        return custos__fail(s->ctx, CUSTOS_ESTATE, "vault stream %s: the stream was opened for %s", call,
                            s->mode == VS_WRITER ? "writing" : s->mode == VS_READER ? "reading" : "nothing");
    if (s->err != 0)
        return custos__fail(s->ctx, CUSTOS_ESTATE, "vault stream %s: an earlier call on this stream failed (%s)",
                            call, custos_strerror(s->err));
    return CUSTOS_OK;
}

/* Before a write takes bytes: the gate still allows the stream (no
 * withdrawal or expiry since), and its data key was not destroyed (an erase,
 * by this handle or, once this handle sees the change, another connection).
 * Either failure ends the stream: its plaintext and subkey are wiped and its
 * file removed, so an erasure or withdrawal stops a recording at the next
 * write, not at finish. */
static int vs_writer_check(custos_vault_stream *s)
{
    custos_t *ctx = s->ctx;
    int rc = vs_gate(ctx, s->subject, s->purpose, s->category);
    if (rc == CUSTOS_OK) {
        custos_vault__enter(ctx);
        custos_vault__cache_check(ctx);
        if (s->evictions != ctx->vault->evictions)
            rc = vs_alive(s);
        custos_vault__leave(ctx);
    }
    if (rc != CUSTOS_OK) {
        s->err = rc;
        custos__wipe(s->plain, s->plain_len);
        s->plain_len = 0;
        custos__wipe(s->sec, sizeof *s->sec);
        vs_discard(s);
    }
    return rc;
}

/* Take len bytes, sealing each full chunk once more bytes follow. */
static int vs_write(custos_vault_stream *s, const uint8_t *p, size_t len)
{
    int rc;
    if (len > UINT64_MAX - s->total)
        return custos__fail(s->ctx, CUSTOS_EINVAL, "vault stream write: the stream would exceed 2^64 bytes");
    /* A full chunk is sealed only when more bytes follow, so that the last
     * chunk, whatever its size, can be the FINAL one. */
    while (len > 0) {
        if (s->plain_len == VS_CHUNK && (rc = vs_push(s, VS_TAG_MESSAGE)) != CUSTOS_OK) {
            s->err = rc;
            return rc;
        }
        size_t take = VS_CHUNK - s->plain_len < len ? VS_CHUNK - s->plain_len : len;
        memcpy(s->plain + s->plain_len, p, take);
        s->plain_len += take;
        s->total += take;
        p += take;
        len -= take;
    }
    return CUSTOS_OK;
}

int custos_vault_stream_write(custos_vault_stream *s, const void *data, size_t len)
{
    if (s == NULL)
        return CUSTOS_EINVAL;
    if (data == NULL && len > 0)
        return custos__fail(s->ctx, CUSTOS_EINVAL, "vault stream write: no data but a length of %zu", len);
    int rc = vs_usable(s, VS_WRITER, "write");
    if (rc != CUSTOS_OK || (rc = vs_writer_check(s)) != CUSTOS_OK)
        return rc;
    return vs_write(s, data, len);
}

/* The last chunk, then fsync: outside write_lock (a long clip takes a while to sync). */
static int vs_seal_chunks(custos_vault_stream *s)
{
    int rc = vs_push(s, VS_TAG_FINAL);
    if (rc != CUSTOS_OK)
        return rc;
    char *path = vs_path(s);
    int err = path == NULL ? ENOMEM : custos__io_check(CUSTOS_IO_FSYNC, path);
    custos__free(path);
    if (err == 0 && fsync(s->fd) != 0)
        err = errno;
    if (err == ENOMEM)
        return custos__fail(s->ctx, CUSTOS_ENOMEM, "vault stream: out of memory");
    return err != 0 ? custos_vault__stream_io_fail(s->ctx, err, "sync") : CUSTOS_OK;
}

/* Rename <id>.part to <id>.cvs and fsync the directory. With write_lock held
 * until the rows are in: a sweep must never see this .cvs before its row. */
static int vs_publish(custos_vault_stream *s)
{
    char *from = vs_path(s), *to = NULL;
    memcpy(s->name + VS_HEX, ".cvs", 5);
    to = vs_path(s);
    int rc = CUSTOS_OK, err = 0;
    if (from == NULL || to == NULL) {
        rc = custos__fail(s->ctx, CUSTOS_ENOMEM, "vault stream: out of memory");
    } else if ((err = custos__io_check(CUSTOS_IO_RENAME, to)) != 0 || (rename(from, to) != 0 && (err = errno) != 0)) {
        rc = custos_vault__stream_io_fail(s->ctx, err, "rename");
    }
    if (rc != CUSTOS_OK)
        memcpy(s->name + VS_HEX, ".part", 6);
    else
        rc = custos__fsync_dir(s->ctx, s->dir);
    custos__free(from);
    custos__free(to);
    return rc;
}

/* The metadata blob's plaintext. */
static void vs_meta_make(const custos_vault_stream *s, uint8_t meta[VS_META])
{
    memcpy(meta, VS_META_MAGIC, 4);
    memcpy(meta + 4, s->ad, VS_HEAD);
    custos_vault__put64(meta + 4 + VS_HEAD, s->total);
}

/* Insert the record and vault_stream rows of a sealed file, in the caller's transaction. */
static int vs_insert_rows(custos_vault_stream *s, const uint8_t hash[32], uint64_t created, uint64_t expires,
                          custos_record_id *out_id)
{
    custos_t *ctx = s->ctx;
    const uint8_t *key;
    uint8_t key_id[VT_ID_BYTES], meta[VS_META], row[VT_ROW_HEAD + VT_NONCE_BYTES + VS_META + VT_TAG_BYTES];
    int64_t id = 0;
    int rc = custos_vault__key_for_put(ctx, hash, s->purpose, 0, &key, key_id);
    if (rc == CUSTOS_OK && memcmp(key_id, s->key_id, VT_ID_BYTES) != 0)
        rc = custos__fail(ctx, CUSTOS_EKEY, "vault stream finish: the scope's data key was destroyed while the"
                          " stream was written; nothing was stored");
    if (rc != CUSTOS_OK || (rc = custos_vault__next_id(ctx, &id)) != CUSTOS_OK)
        return rc;
    vs_meta_make(s, meta);
    vt_record_ad ad = { .id = id, .subject_hash = hash, .purpose = s->purpose, .category = s->category,
                        .key_id = key_id, .fmt = VT_STREAM_FORMAT };
    custos_vault__row_head(row, &ad, VT_AD_HEAD, created, expires);
    custos_vault__seal(ctx, row + VT_ROW_HEAD, meta, sizeof meta, &ad, key);
    if ((rc = custos_vault__insert_row(ctx, &ad, row, sizeof row)) != CUSTOS_OK)
        return rc;
    sqlite3_stmt *st = NULL;
    if ((rc = custos_vault__stmt(ctx, &st, VT_ST_STREAM_INSERT)) != CUSTOS_OK)
        return rc;
    sqlite3_bind_text(st, 1, s->name, VS_HEX, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return custos__sqlite_fail(ctx, rc, "vault: store a stream");
    *out_id = id;
    return CUSTOS_OK;
}

static int finish_locked(custos_vault_stream *s, custos_record_id *out_id)
{
    custos_t *ctx = s->ctx;
    uint8_t hash[32];
    int rc = vs_publish(s);
    if (rc == CUSTOS_OK)
        rc = custos_vault__require_wal(ctx);
    if (rc != CUSTOS_OK || (rc = vs_gate(ctx, s->subject, s->purpose, s->category)) != CUSTOS_OK ||
        (rc = custos_vault__subject_hash(ctx, s->subject, hash)) != CUSTOS_OK ||
        (rc = custos__db_begin(ctx)) != CUSTOS_OK)
        return rc;
    unsigned reads = custos_vault__access_append(ctx);
    uint64_t now = custos__now(ctx, NULL), expires = 0;
    if ((rc = custos_vault__expiry(ctx, s->purpose, now, &expires)) == CUSTOS_OK &&
        (rc = vs_insert_rows(s, hash, now, expires, out_id)) == CUSTOS_OK &&
        (rc = custos__db_commit(ctx)) == CUSTOS_OK)
        custos_vault__access_committed(ctx, reads);
    custos__db_rollback(ctx);
    return rc;
}

int custos_vault_stream_finish(custos_vault_stream *s, custos_record_id *out_id)
{
    if (s == NULL)
        return CUSTOS_EINVAL;
    custos_t *ctx = s->ctx;
    int rc;
    if (out_id == NULL) {
        (void)custos__fail(ctx, CUSTOS_EINVAL, "vault stream finish: out_id is NULL; the stream was discarded");
        rc = CUSTOS_EINVAL; /* spelled out: the analyzer cannot see that custos__fail returns its code */
    } else {
        *out_id = 0;
        rc = vs_usable(s, VS_WRITER, "finish");
    }
    if (rc == CUSTOS_OK && (rc = vs_seal_chunks(s)) == CUSTOS_OK) {
        custos_vault__enter(ctx);
        rc = finish_locked(s, out_id);
        if (rc != CUSTOS_OK) /* under the lock, as its publication was */
            vs_discard(s);
        custos_vault__leave(ctx);
    } else if (rc != CUSTOS_OK && s->mode == VS_WRITER) {
        vs_discard(s);
    }
    vs_free(s);
    return rc;
}

/* --- reading --- */

/* Read and check a stream row's metadata. meta_out (may be NULL) receives the plaintext. */
int custos_vault__stream_meta(custos_t *ctx, const vt_record_ad *ad, const uint8_t *sealed, size_t sealed_len,
                              uint64_t *length, uint8_t *meta_out)
{
    const uint8_t *key;
    uint8_t meta[VS_META];
    int rc = custos_vault__key_by_id(ctx, ad->key_id, &key);
    if (rc != CUSTOS_OK)
        return rc;
    if (sealed_len != VT_NONCE_BYTES + VS_META + VT_TAG_BYTES ||
        custos_vault__open(ctx, meta, sealed, sealed_len, ad, key) != CUSTOS_OK ||
        memcmp(meta, VS_META_MAGIC, 4) != 0) {
        custos__fail(ctx, CUSTOS_ECORRUPT, "vault: stream record %lld failed authentication (altered, or moved"
                     " from another row)", (long long)ad->id);
        custos_vault__audit_failure(ctx, CUSTOS__V1__AUDIT_KIND__AUDIT_INTEGRITY_VIOLATION, ad->subject_hash,
                                    ad->purpose, CUSTOS_ECORRUPT, "record-authentication-failed");
        return CUSTOS_ECORRUPT;
    }
    *length = custos_vault__get64(meta + 4 + VS_HEAD);
    if (meta_out != NULL)
        memcpy(meta_out, meta, sizeof meta);
    return CUSTOS_OK;
}

static int vs_corrupt(custos_vault_stream *s, const char *why)
{
    custos__fail(s->ctx, CUSTOS_ECORRUPT, "vault: stream record %lld is damaged: %s", (long long)s->record_id,
                 why);
    custos_vault__audit_failure(s->ctx, CUSTOS__V1__AUDIT_KIND__AUDIT_INTEGRITY_VIOLATION, s->ad + VS_HEAD,
                                s->purpose, CUSTOS_ECORRUPT, "stream-authentication-failed");
    return CUSTOS_ECORRUPT;
}

/* The file vault_stream names for the record, as s->name (<hex>.cvs). */
static int vs_file_name(custos_vault_stream *s)
{
    sqlite3_stmt *st = NULL;
    int rc = custos_vault__stmt(s->ctx, &st, VT_ST_STREAM_FILE);
    if (rc != CUSTOS_OK)
        return rc;
    sqlite3_bind_int64(st, 1, s->record_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == (int)VS_HEX) {
        memcpy(s->name, sqlite3_column_text(st, 0), VS_HEX);
        memcpy(s->name + VS_HEX, ".cvs", 5);
        rc = CUSTOS_OK;
    } else if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
        rc = vs_corrupt(s, "no stream file is recorded for it");
    } else {
        rc = custos__sqlite_fail(s->ctx, rc, "vault: find a stream file");
    }
    sqlite3_reset(st);
    return rc;
}

/* Open the file and check it against the metadata: header and size. */
static int vs_open_file(custos_vault_stream *s, const uint8_t meta[VS_META])
{
    char hex[VS_HEX + 1];
    vs_hex(hex, meta + 4 + 16);
    if (memcmp(hex, s->name, VS_HEX) != 0)
        return vs_corrupt(s, "its file is not the one its sealed metadata names");
    char *path = vs_path(s);
    if (path == NULL)
        return custos__fail(s->ctx, CUSTOS_ENOMEM, "vault stream: out of memory");
    int err = custos__io_check(CUSTOS_IO_OPEN, path);
    if (err == 0 && (s->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
        err = errno;
    custos__free(path);
    if (err == ENOENT) {
        s->fd = -1;
        return vs_corrupt(s, "its file is missing");
    }
    if (err != 0) {
        s->fd = -1;
        return custos_vault__stream_io_fail(s->ctx, err, "open");
    }
    struct stat stt;
    if (fstat(s->fd, &stt) != 0)
        return custos_vault__stream_io_fail(s->ctx, errno, "stat");
    s->chunks = s->total == 0 ? 1 : (s->total - 1) / VS_CHUNK + 1;
    if ((uint64_t)stt.st_size != VS_HEAD + s->total + s->chunks * VS_ABYTES)
        return vs_corrupt(s, "its file has the wrong length (truncated or extended)");
    size_t got = 0;
    int rc = vs_read_all(s, s->cipher, VS_HEAD, &got);
    if (rc != CUSTOS_OK)
        return rc;
    if (got != VS_HEAD || memcmp(s->cipher, meta + 4, VS_HEAD) != 0)
        return vs_corrupt(s, "its file's header does not match its sealed metadata");
    memcpy(s->ad, meta + 4, VS_HEAD);
    return CUSTOS_OK;
}

static int open_locked(custos_vault_stream *s, custos_vault_info *info, custos_record_id id)
{
    custos_t *ctx = s->ctx;
    sqlite3_stmt *st = NULL;
    uint8_t meta[VS_META];
    int rc = custos_vault__stmt(ctx, &st, VT_ST_RECORD_GET);
    if (rc != CUSTOS_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    if ((rc = sqlite3_step(st)) != SQLITE_ROW)
        return rc == SQLITE_DONE ? custos__fail(ctx, CUSTOS_ENOTFOUND, "vault: no record %lld", (long long)id)
                                 : custos__sqlite_fail(ctx, rc, "vault: read a record");
    vt_record_ad ad;
    custos_vault_info in;
    const uint8_t *sealed;
    size_t sealed_len;
    if ((rc = custos_vault__row_columns(ctx, st, id, &ad, &in, &sealed, &sealed_len)) != CUSTOS_OK)
        return rc;
    if (ad.fmt != VT_STREAM_FORMAT)
        return custos__fail(ctx, CUSTOS_ESTATE, "vault: record %lld is not a stream; read it with"
                            " custos_vault_get", (long long)id);
    s->record_id = id;
    s->purpose = ad.purpose;
    s->category = ad.category;
    memcpy(s->key_id, ad.key_id, VT_ID_BYTES);
    memcpy(s->ad + VS_HEAD, ad.subject_hash, 32); /* for vs_corrupt's audit entry until vs_scope_ad */
    if ((rc = custos_vault__stream_meta(ctx, &ad, sealed, sealed_len, &s->total, meta)) != CUSTOS_OK)
        return rc;
    const uint8_t *key;
    if ((rc = custos_vault__key_by_id(ctx, ad.key_id, &key)) != CUSTOS_OK)
        return rc;
    uint8_t hash[32];
    memcpy(hash, ad.subject_hash, 32);
    sqlite3_reset(st); /* the row's columns are not used below */
    if ((rc = vs_file_name(s)) != CUSTOS_OK || (rc = vs_open_file(s, meta)) != CUSTOS_OK)
        return rc;
    vs_scope_ad(s, hash);
    vs_subkey(s, key);
    if (crypto_secretstream_xchacha20poly1305_init_pull(&s->sec->st, s->ad + 32, s->sec->key) != 0)
        return vs_corrupt(s, "its stream header is invalid");
    s->evictions = ctx->vault->evictions;
    in.size = (size_t)s->total;
    in.flags = CUSTOS_VAULT_STREAMED;
    if (info != NULL)
        *info = in;
    custos_vault__audit_access(ctx, hash, ad.purpose, "vault.stream");
    return CUSTOS_OK;
}

int custos_vault_stream_open(custos_t *ctx, custos_vault_stream **out, custos_vault_info *info,
                             custos_record_id id)
{
    if (ctx == NULL)
        return CUSTOS_EINVAL;
    if (out == NULL)
        return custos__fail(ctx, CUSTOS_EINVAL, "vault stream open: out is NULL");
    *out = NULL;
    custos_vault_stream *s = vs_new(ctx, VS_READER);
    if (s == NULL)
        return custos__fail(ctx, CUSTOS_ENOMEM, "vault stream: out of memory");
    custos_vault__enter(ctx);
    int rc = open_locked(s, info, id);
    sqlite3_reset(ctx->vault->st[VT_ST_RECORD_GET]);
    custos_vault__leave(ctx);
    if (rc != CUSTOS_OK) {
        vs_free(s);
        return rc;
    }
    *out = s;
    return CUSTOS_OK;
}

/* Read, authenticate and decrypt the next chunk into s->plain. */
static int vs_next_chunk(custos_vault_stream *s)
{
    int last = s->chunk + 1 == s->chunks;
    size_t plen = last ? (size_t)(s->total - s->chunk * VS_CHUNK) : VS_CHUNK, got = 0;
    int rc = vs_read_all(s, s->cipher, plen + VS_ABYTES, &got);
    if (rc != CUSTOS_OK)
        return rc;
    if (got != plen + VS_ABYTES)
        return vs_corrupt(s, "its file ends inside a chunk");
    unsigned long long mlen = 0;
    uint8_t tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(&s->sec->st, s->plain, &mlen, &tag, s->cipher, got, s->ad,
                                                   sizeof s->ad) != 0) {
        custos__wipe(s->plain, VS_CHUNK);
        return vs_corrupt(s, "a chunk failed authentication (altered, reordered or from another stream)");
    }
    if (tag != (last ? VS_TAG_FINAL : VS_TAG_MESSAGE) || mlen != plen) {
        custos__wipe(s->plain, VS_CHUNK);
        return vs_corrupt(s, last ? "its last chunk is not the final one" : "a final chunk comes too early");
    }
    if (last && (rc = vs_read_all(s, s->cipher, 1, &got)) == CUSTOS_OK && got != 0)
        return vs_corrupt(s, "bytes follow its final chunk");
    s->chunk++;
    s->ended = last;
    s->plain_len = plen;
    s->plain_pos = 0;
    return rc;
}

static int read_locked(custos_vault_stream *s, uint8_t *buf, size_t size, size_t *n)
{
    int rc = CUSTOS_OK;
    if (s->evictions != s->ctx->vault->evictions)
        rc = vs_alive(s);
    while (rc == CUSTOS_OK && *n < size) {
        if (s->plain_pos == s->plain_len) {
            if (s->ended)
                break;
            if ((rc = vs_alive(s)) != CUSTOS_OK || (rc = vs_next_chunk(s)) != CUSTOS_OK)
                break;
            continue;
        }
        size_t take = s->plain_len - s->plain_pos < size - *n ? s->plain_len - s->plain_pos : size - *n;
        memcpy(buf + *n, s->plain + s->plain_pos, take);
        s->plain_pos += take;
        *n += take;
        if (s->plain_pos == s->plain_len)
            custos__wipe(s->plain, s->plain_len);
    }
    return rc;
}

int custos_vault_stream_read(custos_vault_stream *s, uint8_t *buf, size_t size, size_t *n)
{
    if (s == NULL)
        return CUSTOS_EINVAL;
    if (n == NULL || buf == NULL || size == 0)
        return custos__fail(s->ctx, CUSTOS_EINVAL, "vault stream read: n or buf is NULL, or size is 0");
    *n = 0;
    int rc = vs_usable(s, VS_READER, "read");
    if (rc != CUSTOS_OK)
        return rc;
    pthread_mutex_lock(&s->ctx->write_lock);
    rc = read_locked(s, buf, size, n);
    pthread_mutex_unlock(&s->ctx->write_lock);
    if (rc != CUSTOS_OK) {
        /* Nothing unauthenticated and nothing after a key's destruction: the
         * bytes of this call are taken back, and the handle reads no more. */
        custos__wipe(buf, *n);
        *n = 0;
        s->err = rc;
    }
    return rc;
}

void custos_vault_stream_close(custos_vault_stream *s)
{
    if (s == NULL)
        return;
    if (s->mode == VS_WRITER)
        vs_discard(s);
    vs_free(s);
}

/* --- for export and import (export.c), write_lock held --- */

int custos_vault__stream_open_locked(custos_t *ctx, custos_vault_stream **out, custos_record_id id)
{
    *out = NULL;
    custos_vault_stream *s = vs_new(ctx, VS_READER);
    if (s == NULL)
        return custos__fail(ctx, CUSTOS_ENOMEM, "vault stream: out of memory");
    custos_vault__arena_open(ctx);
    int rc = open_locked(s, NULL, id);
    sqlite3_reset(ctx->vault->st[VT_ST_RECORD_GET]);
    custos_vault__arena_close(ctx);
    if (rc != CUSTOS_OK) {
        vs_free(s);
        return rc;
    }
    *out = s;
    return CUSTOS_OK;
}

int custos_vault__stream_read_locked(custos_vault_stream *s, uint8_t *buf, size_t size, size_t *n)
{
    *n = 0;
    int rc = read_locked(s, buf, size, n);
    if (rc != CUSTOS_OK) {
        custos__wipe(buf, *n);
        *n = 0;
    }
    return rc;
}

int custos_vault__stream_stage(custos_t *ctx, custos_vault_stream **out, custos_subject subject, uint32_t purpose,
                               uint32_t category, const uint8_t *data, size_t len)
{
    *out = NULL;
    custos_vault_stream *s = vs_new(ctx, VS_WRITER);
    if (s == NULL)
        return custos__fail(ctx, CUSTOS_ENOMEM, "vault stream: out of memory");
    s->subject = subject;
    s->purpose = purpose;
    s->category = category;
    custos_vault__arena_open(ctx);
    int rc = create_locked(s, subject);
    custos_vault__arena_close(ctx);
    if (rc == CUSTOS_OK) /* the gate was asked just now, under the caller's lock */
        rc = vs_write(s, data, len);
    if (rc == CUSTOS_OK && (rc = vs_seal_chunks(s)) == CUSTOS_OK)
        rc = vs_publish(s); /* the caller holds write_lock until its rows commit or it unstages */
    if (rc != CUSTOS_OK) {
        vs_discard(s);
        vs_free(s);
        return rc;
    }
    *out = s;
    return CUSTOS_OK;
}

int custos_vault__stream_stage_rows(custos_vault_stream *s, const uint8_t hash[32], uint64_t created,
                                    uint64_t expires, custos_record_id *id)
{
    return vs_insert_rows(s, hash, created, expires, id);
}

void custos_vault__stream_unstage(custos_vault_stream *s, int stored)
{
    if (s == NULL)
        return;
    if (!stored)
        vs_discard(s);
    vs_free(s);
}
