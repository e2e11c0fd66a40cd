/*
 * export.c: one subject's records as a file for a recipient (GDPR Art. 20,
 * APPI disclosure requests), and the import of such a file.
 *
 * EXPORT FILE (little-endian)
 *
 *   offset  size  field
 *   0       8     magic "CUSTOSEX"
 *   8       4     export format version (1)
 *   12      4     suite (1: X25519 sealed box + XChaCha20-Poly1305 secretstream)
 *   16      80    crypto_box_seal(recipient X25519 public key, stream key[32])
 *   96      24    crypto_secretstream_xchacha20poly1305 header
 *   120     ...   chunks, each: u32 L, then L bytes of secretstream output
 *                 (L = plaintext + 17)
 *
 * Chunk plaintexts: one per record,
 *   purpose u32 | category u32 | created u64 | expires u64 | payload
 * tagged MESSAGE, then one trailer, tagged FINAL,
 *   "END!" | number of records u64
 *
 * Version 2 (written only when the subject has a sealed stream; version 1
 * otherwise, byte for byte as before) starts every MESSAGE chunk with a kind:
 *   'R' | purpose u32 | category u32 | created u64 | expires u64 | payload
 *   'S' | purpose u32 | category u32 | created u64 | expires u64 | length u64
 *       then 'D' | bytes, chunks of at most 64 KiB until length bytes came
 * and the trailer counts records and streams. The file is written as it is
 * made (a stream is read 64 KiB at a time), so an export holds one chunk in
 * memory, whatever the streams' sizes; it is at most EX_FILE_MAX bytes.
 * The first chunk carries bytes 0..95 as associated data, so the header is
 * authenticated; secretstream authenticates every chunk and their order.
 * Import accepts a file only if its last chunk is the FINAL trailer, it ends
 * exactly there and the count matches: a truncated, reordered, altered or
 * extended file is refused as a whole, and nothing is stored.
 *
 * The subject's identity is not in the file: the importer names the subject
 * in its own store, and every record is sealed again under that store's keys.
 */
#include "vault_private.h"
#include "../audit/audit_internal.h"
#include "custos/v1/audit.pb-c.h"

#include "ground/iofault.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EX_MAGIC "CUSTOSEX"
#define EX_VERSION 1u
#define EX_VERSION_STREAMS 2u
#define EX_FLUSH (1024u * 1024u)      /* bytes buffered before they go to the file */
#define EX_SUITE 1u
#define EX_SEALED_KEY (crypto_box_SEALBYTES + 32u)
#define EX_AD_BYTES (16u + EX_SEALED_KEY)
#define EX_HEAD (EX_AD_BYTES + crypto_secretstream_xchacha20poly1305_HEADERBYTES)
#define EX_ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define EX_RECORD_HEAD 24u
#define EX_FILE_MAX (1024u * 1024u * 1024u)

size_t custos_export_public_key_bytes(void) { return CUSTOS_EXPORT_PUBLIC_KEY_BYTES; }
size_t custos_export_secret_key_bytes(void) { return CUSTOS_EXPORT_SECRET_KEY_BYTES; }

int custos_export_keypair(uint8_t pk[32], uint8_t sk[32])
{
    if (pk == NULL || sk == NULL || sodium_init() < 0)
        return CUSTOS_EINVAL;
    return crypto_box_keypair(pk, sk) == 0 ? CUSTOS_OK : CUSTOS_ECRYPTO;
}

/* Stream secrets live in guarded memory for the length of one export or import. */
typedef struct ex_secrets {
    uint8_t key[32];
    crypto_secretstream_xchacha20poly1305_state st;
} ex_secrets;

typedef struct ex_writer {
    custos_t *ctx;
    ex_secrets *sec;
    uint8_t *buf;
    size_t len, cap;
    uint64_t count;
    const uint8_t *ad;        /* the header, for the first chunk only */
    int err;                  /* why ex_visit stopped the walk */
    uint8_t *plain;           /* one chunk's plaintext, wiped after each push */
    size_t plain_cap;
    uint32_t version;         /* EX_VERSION, or EX_VERSION_STREAMS */
    int fd;                   /* the temporary file, or -1 */
    const char *tmp;
    uint64_t written;         /* bytes already in the file */
    uint8_t *chunk;           /* a stream's bytes, VT_STREAM_CHUNK, wiped after each push */
} ex_writer;

static int ex_io_fail(ex_writer *w, int err, const char *what)
{
    return custos__fail(w->ctx, err == ENOSPC || err == EDQUOT ? CUSTOS_ENOSPC : CUSTOS_EIO,
                        "vault export: cannot %s %s: %s", what, w->tmp, strerror(err));
}

/* Write the buffered bytes to the file. */
static int ex_flush(ex_writer *w)
{
    int err = custos__io_check(CUSTOS_IO_WRITE, w->tmp);
    const uint8_t *p = w->buf;
    size_t left = w->len;
    while (err == 0 && left > 0) {
        ssize_t n = write(w->fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            err = n < 0 ? errno : EIO;
            break;
        }
        p += n;
        left -= (size_t)n;
    }
    if (err != 0)
        return ex_io_fail(w, err, "write");
    w->written += w->len;
    w->len = 0;
    return CUSTOS_OK;
}

static int ex_reserve(ex_writer *w, size_t more)
{
    if (w->written + w->len + more > EX_FILE_MAX)
        return custos__fail(w->ctx, CUSTOS_EINVAL, "vault export: more than %u bytes", EX_FILE_MAX);
    int rc;
    if (w->len + more > w->cap && w->len >= EX_FLUSH && (rc = ex_flush(w)) != CUSTOS_OK)
        return rc;
    if (w->len + more <= w->cap)
        return CUSTOS_OK;
    size_t cap = w->cap ? w->cap : 4096;
    while (cap < w->len + more)
        cap *= 2;
    uint8_t *b = custos__realloc(w->buf, cap);
    if (b == NULL) {
        custos__fail(w->ctx, CUSTOS_ENOMEM, "vault export: out of memory");
        return CUSTOS_ENOMEM;
    }
    w->buf = b;
    w->cap = cap;
    return CUSTOS_OK;
}

/* Append one chunk: u32 length, then the secretstream push of (head || body).
 * The plaintext is assembled in w->plain (push cannot work in place: its
 * output is shifted by the tag byte). */
static int ex_push(ex_writer *w, const uint8_t *head, size_t head_len, const uint8_t *body, size_t body_len,
                   uint8_t tag)
{
    size_t plen = head_len + body_len;
    int rc = ex_reserve(w, 4 + plen + EX_ABYTES);
    if (rc != CUSTOS_OK)
        return rc;
    if (plen > w->plain_cap) {
        custos__wipe(w->plain, w->plain_cap);
        custos__free(w->plain);
        w->plain_cap = 0;
        if ((w->plain = custos__malloc(plen)) == NULL)
            return custos__fail(w->ctx, CUSTOS_ENOMEM, "vault export: out of memory");
        w->plain_cap = plen;
    }
    memcpy(w->plain, head, head_len);
    if (body_len > 0)
        memcpy(w->plain + head_len, body, body_len);
    crypto_secretstream_xchacha20poly1305_push(&w->sec->st, w->buf + w->len + 4, NULL, w->plain, plen, w->ad,
                                               w->ad ? EX_AD_BYTES : 0, tag);
    custos__wipe(w->plain, plen);
    w->ad = NULL;
    custos_vault__put32(w->buf + w->len, (uint32_t)(plen + EX_ABYTES));
    w->len += 4 + plen + EX_ABYTES;
    return CUSTOS_OK;
}

/* A stream: its head chunk, then its bytes, read and pushed one chunk at a time. */
static int ex_stream(ex_writer *w, const custos_vault_info *info, uint8_t head[1 + EX_RECORD_HEAD + 8])
{
    custos_vault_stream *s = NULL;
    custos_vault__put64(head + 1 + EX_RECORD_HEAD, info->size);
    int rc = ex_push(w, head, 1 + EX_RECORD_HEAD + 8, NULL, 0, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
    if (rc == CUSTOS_OK && w->chunk == NULL && (w->chunk = custos__malloc(VT_STREAM_CHUNK)) == NULL) {
        (void)custos__fail(w->ctx, CUSTOS_ENOMEM, "vault export: out of memory");
        rc = CUSTOS_ENOMEM; /* spelled out: the analyzer cannot see that custos__fail returns its code */
    }
    if (rc == CUSTOS_OK)
        rc = custos_vault__stream_open_locked(w->ctx, &s, info->id);
    size_t n = 1;
    while (rc == CUSTOS_OK && (rc = custos_vault__stream_read_locked(s, w->chunk, VT_STREAM_CHUNK, &n)) ==
                                  CUSTOS_OK && n > 0) {
        rc = ex_push(w, (const uint8_t *)"D", 1, w->chunk, n, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
        custos__wipe(w->chunk, n);
    }
    custos_vault_stream_close(s);
    return rc;
}

static int ex_visit(void *user, const custos_vault_info *info, const uint8_t *data, size_t len)
{
    ex_writer *w = user;
    uint8_t head[1 + EX_RECORD_HEAD + 8];
    int streams = w->version == EX_VERSION_STREAMS; /* a kind byte first */
    head[0] = info->flags & CUSTOS_VAULT_STREAMED ? 'S' : 'R';
    custos_vault__put32(head + streams, info->purpose);
    custos_vault__put32(head + streams + 4, info->category);
    custos_vault__put64(head + streams + 8, info->created);
    custos_vault__put64(head + streams + 16, info->expires);
    w->count++;
    if (info->flags & CUSTOS_VAULT_STREAMED)
        w->err = streams ? ex_stream(w, info, head) : CUSTOS_EINTERNAL; /* version 2 when a stream exists */
    else
        w->err = ex_push(w, head, (size_t)streams + EX_RECORD_HEAD, data, len,
                         crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
    return w->err;
}

static int ex_start(ex_writer *w, const uint8_t recipient_pk[32])
{
    int rc = ex_reserve(w, EX_HEAD);
    if (rc != CUSTOS_OK)
        return rc;
    memcpy(w->buf, EX_MAGIC, 8);
    custos_vault__put32(w->buf + 8, w->version);
    custos_vault__put32(w->buf + 12, EX_SUITE);
    crypto_secretstream_xchacha20poly1305_keygen(w->sec->key);
    if (crypto_box_seal(w->buf + 16, w->sec->key, 32, recipient_pk) != 0)
        return custos__fail(w->ctx, CUSTOS_EINVAL, "vault export: the recipient key is not a valid X25519 key");
    crypto_secretstream_xchacha20poly1305_init_push(&w->sec->st, w->buf + EX_AD_BYTES, w->sec->key);
    w->len = EX_HEAD;
    return CUSTOS_OK;
}

static int ex_build(ex_writer *w, const uint8_t hash[32], const uint8_t recipient_pk[32])
{
    int rc = ex_start(w, recipient_pk);
    if (rc != CUSTOS_OK)
        return rc;
    /* The AD must survive buffer growth: keep a copy for the first push. */
    uint8_t ad[EX_AD_BYTES];
    memcpy(ad, w->buf, EX_AD_BYTES);
    w->ad = ad;
    if ((rc = custos_vault__walk(w->ctx, hash, ex_visit, w)) != CUSTOS_OK) {
        if (rc == CUSTOS_ECANCELED && w->err != CUSTOS_OK) /* ex_visit failed: report its reason */
            rc = w->err; /* ex_visit failed: its detail is in errmsg */
        return rc;
    }
    uint8_t trailer[12];
    memcpy(trailer, "END!", 4);
    custos_vault__put64(trailer + 4, w->count);
    return ex_push(w, trailer, sizeof trailer, NULL, 0, crypto_secretstream_xchacha20poly1305_TAG_FINAL);
}

/* Does the subject have a stream (then the export is of version 2)? */
static int ex_has_stream(custos_t *ctx, const uint8_t hash[32], int *yes)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "SELECT EXISTS(SELECT 1 FROM vault_record WHERE subject_hash=?1 AND fmt=?2)",
                                -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, VT_STREAM_FORMAT);
        rc = sqlite3_step(st);
        *yes = sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "vault: find a subject's streams");
}

/* Create the temporary file next to path (only ever replacing a regular file). */
static int ex_open_tmp(ex_writer *w, const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
        return custos__fail(w->ctx, CUSTOS_EINVAL, "%s exists and is not a regular file; not replacing it", path);
    int err = custos__io_check(CUSTOS_IO_OPEN, w->tmp);
    if (err == 0 && (w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
        err = errno;
    if (err != 0) {
        w->fd = -1;
        return ex_io_fail(w, err, "create");
    }
    return CUSTOS_OK;
}

/* The rest of the buffer, fsync, close. */
static int ex_close_tmp(ex_writer *w)
{
    int rc = ex_flush(w), err = 0;
    if (rc == CUSTOS_OK && ((err = custos__io_check(CUSTOS_IO_FSYNC, w->tmp)) != 0 || fsync(w->fd) != 0))
        rc = ex_io_fail(w, err != 0 ? err : errno, "sync");
    close(w->fd);
    w->fd = -1;
    return rc;
}

static int ex_rename(ex_writer *w, const char *path)
{
    int err = custos__io_check(CUSTOS_IO_RENAME, path);
    if (err == 0 && rename(w->tmp, path) != 0)
        err = errno;
    if (err != 0)
        return ex_io_fail(w, err, "rename");
    const char *slash = strrchr(path, '/');
    char *dir = slash == NULL ? custos__strdup(".") : custos__malloc((size_t)(slash - path) + 2);
    if (dir == NULL)
        return custos__fail(w->ctx, CUSTOS_ENOMEM, "vault export: out of memory");
    if (slash != NULL) {
        size_t n = slash == path ? 1 : (size_t)(slash - path);
        memcpy(dir, path, n);
        dir[n] = '\0';
    }
    int rc = custos__fsync_dir(w->ctx, dir);
    custos__free(dir);
    return rc;
}

static int export_locked(custos_t *ctx, const char *path, custos_subject subject, const uint8_t pk[32])
{
    uint8_t hash[32];
    int streams = 0, existed = 0, renamed = 0;
    int rc = custos_vault__subject_hash(ctx, subject, hash);
    if (rc != CUSTOS_OK)
        return rc;
    size_t plen = strlen(path);
    char *tmp = custos__malloc(plen + 5);
    ex_writer w = { .ctx = ctx, .sec = sodium_malloc(sizeof(ex_secrets)), .fd = -1, .tmp = tmp,
                    .version = EX_VERSION };
    if (w.sec == NULL || tmp == NULL) {
        rc = custos__fail(ctx, CUSTOS_ENOMEM, "vault export: out of memory");
        goto out;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);
    existed = access(path, F_OK) == 0;
    if ((rc = custos__db_begin(ctx)) == CUSTOS_OK) {
        if ((rc = ex_has_stream(ctx, hash, &streams)) == CUSTOS_OK && (rc = ex_open_tmp(&w, path)) == CUSTOS_OK) {
            w.version = streams ? EX_VERSION_STREAMS : EX_VERSION;
            if ((rc = ex_build(&w, hash, pk)) == CUSTOS_OK)
                rc = ex_close_tmp(&w);
        }
        if (rc == CUSTOS_OK &&
            (rc = custos__audit_append(ctx, CUSTOS__V1__AUDIT_KIND__AUDIT_EXPORT, hash, -1, 0,
                                       "subject-export")) == CUSTOS_OK &&
            (rc = ex_rename(&w, path)) == CUSTOS_OK)
            rc = custos__db_commit(ctx);
        renamed = access(tmp, F_OK) != 0;
        custos__db_rollback(ctx);
        /* No export without its audit entry, and no file when the call failed
         * (a failed sync after the rename leaves a whole file: remove it too). */
        if (w.fd >= 0)
            close(w.fd);
        unlink(tmp);
        if (rc != CUSTOS_OK && !existed && renamed)
            unlink(path);
    }
out:
    if (w.sec != NULL)
        sodium_free(w.sec);
    if (w.chunk != NULL)
        custos__wipe(w.chunk, VT_STREAM_CHUNK);
    custos__free(w.chunk);
    custos__free(w.plain);
    if (w.buf != NULL)
        custos__wipe(w.buf, w.cap);
    custos__free(w.buf);
    custos__free(tmp);
    return rc;
}

int custos_vault_export(custos_t *ctx, const char *path, custos_subject subject, const uint8_t recipient_pk[32])
{
    if (ctx == NULL)
        return CUSTOS_EINVAL;
    if (path == NULL || path[0] == '\0' || recipient_pk == NULL)
        return custos__fail(ctx, CUSTOS_EINVAL, "vault export: no path or no recipient key");
    custos_vault__enter(ctx);
    int rc = export_locked(ctx, path, subject, recipient_pk);
    custos_vault__leave(ctx);
    return rc;
}

/* --- import --- */

typedef struct ex_record {
    uint32_t purpose, category;
    uint64_t created, expires;
    const uint8_t *data;
    size_t len;
    int stream;               /* a stream: len bytes at data once all its 'D' chunks came */
} ex_record;

typedef struct ex_reader {
    custos_t *ctx;
    ex_secrets *sec;
    const uint8_t *in;
    size_t in_len, pos;
    uint8_t *plain;           /* every chunk's plaintext, back to back; wiped at the end */
    size_t plain_len;
    ex_record *recs;
    size_t n, cap;
    uint32_t version;
    uint64_t stream_left;     /* bytes of the last stream still to come */
} ex_reader;

static int ex_corrupt(ex_reader *r, const char *why)
{
    return custos__fail(r->ctx, CUSTOS_ECORRUPT, "vault import: %s; nothing was imported", why);
}

static int ex_header(ex_reader *r, const uint8_t pk[32], const uint8_t sk[32])
{
    if (r->in == NULL || r->in_len < EX_HEAD || memcmp(r->in, EX_MAGIC, 8) != 0)
        return ex_corrupt(r, "not a Custos export file");
    r->version = custos_vault__get32(r->in + 8);
    if ((r->version != EX_VERSION && r->version != EX_VERSION_STREAMS) || custos_vault__get32(r->in + 12) != EX_SUITE)
        return custos__fail(r->ctx, CUSTOS_EVERSION, "vault import: export format %u suite %u is unknown"
                            " to this Custos", custos_vault__get32(r->in + 8), custos_vault__get32(r->in + 12));
    if (crypto_box_seal_open(r->sec->key, r->in + 16, EX_SEALED_KEY, pk, sk) != 0)
        return custos__fail(r->ctx, CUSTOS_EKEY, "vault import: the file was not made for this recipient key"
                            " (or its key block is damaged); nothing was imported");
    if (crypto_secretstream_xchacha20poly1305_init_pull(&r->sec->st, r->in + EX_AD_BYTES, r->sec->key) != 0)
        return ex_corrupt(r, "bad stream header");
    r->pos = EX_HEAD;
    return CUSTOS_OK;
}

/* A record or a stream's head (p: after the kind byte, if any). */
static int ex_add(ex_reader *r, const uint8_t *p, size_t len, int stream)
{
    if (len < EX_RECORD_HEAD || (stream && len != EX_RECORD_HEAD + 8))
        return ex_corrupt(r, "a record chunk is too short");
    if (stream && custos_vault__get64(p + EX_RECORD_HEAD) > SIZE_MAX)
        return ex_corrupt(r, "a stream is longer than this machine can hold");
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        ex_record *g = custos__realloc(r->recs, cap * sizeof *g);
        if (g == NULL)
            return custos__fail(r->ctx, CUSTOS_ENOMEM, "vault import: out of memory");
        r->recs = g;
        r->cap = cap;
    }
    r->recs[r->n++] = (ex_record){ custos_vault__get32(p), custos_vault__get32(p + 4), custos_vault__get64(p + 8), custos_vault__get64(p + 16),
                                   p + EX_RECORD_HEAD, len - EX_RECORD_HEAD, stream };
    if (stream) { /* its bytes follow, packed by ex_chunk right after this head in r->plain */
        r->stream_left = custos_vault__get64(p + EX_RECORD_HEAD);
        r->recs[r->n - 1].data = r->plain + r->plain_len;
        r->recs[r->n - 1].len = (size_t)r->stream_left;
    }
    return CUSTOS_OK;
}

/* One MESSAGE chunk's plaintext (at r->plain + r->plain_len, olen bytes): keep it. */
static int ex_chunk(ex_reader *r, uint8_t *out, size_t olen)
{
    if (r->version == EX_VERSION) {
        r->plain_len += olen;
        return ex_add(r, out, olen, 0);
    }
    uint8_t kind = olen > 0 ? out[0] : 0;
    if (kind == 'D') {
        if (olen < 2 || olen - 1 > r->stream_left)
            return ex_corrupt(r, "a stream's data does not match its length");
        memmove(out, out + 1, olen - 1); /* a stream's bytes end up contiguous */
        r->plain_len += olen - 1;
        r->stream_left -= olen - 1;
        return CUSTOS_OK;
    }
    if (r->stream_left > 0)
        return ex_corrupt(r, "a stream is cut short");
    if (kind != 'R' && kind != 'S')
        return ex_corrupt(r, "unknown chunk kind");
    r->plain_len += olen;
    return ex_add(r, out + 1, olen - 1, kind == 'S');
}

/* Pull every chunk; succeed only on a FINAL trailer that ends the file. */
static int ex_chunks(ex_reader *r)
{
    int first = 1;
    while (r->pos < r->in_len) {
        if (r->in_len - r->pos < 4)
            return ex_corrupt(r, "the file ends inside a chunk length");
        size_t clen = custos_vault__get32(r->in + r->pos);
        r->pos += 4;
        if (clen < EX_ABYTES || clen > r->in_len - r->pos)
            return ex_corrupt(r, "the file is truncated (a chunk is cut short)");
        uint8_t *out = r->plain + r->plain_len, tag = 0;
        unsigned long long olen = 0;
        if (crypto_secretstream_xchacha20poly1305_pull(&r->sec->st, out, &olen, &tag, r->in + r->pos, clen,
                                                       first ? r->in : NULL, first ? EX_AD_BYTES : 0) != 0)
            return ex_corrupt(r, "a chunk failed authentication (altered, reordered or from another file)");
        first = 0;
        r->pos += clen;
        if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
            r->plain_len += (size_t)olen;
            if (r->pos != r->in_len)
                return ex_corrupt(r, "bytes follow the final chunk");
            if (olen != 12 || memcmp(out, "END!", 4) != 0 || custos_vault__get64(out + 4) != r->n ||
                r->stream_left != 0)
                return ex_corrupt(r, "the trailer does not match the records");
            return CUSTOS_OK;
        }
        int rc = tag == crypto_secretstream_xchacha20poly1305_TAG_MESSAGE ? ex_chunk(r, out, (size_t)olen)
                                                                          : ex_corrupt(r, "unexpected chunk tag");
        if (rc != CUSTOS_OK)
            return rc;
    }
    return ex_corrupt(r, "the file is truncated (no final chunk)");
}

static int ex_store(custos_t *ctx, const ex_reader *r, custos_subject subject)
{
    uint8_t hash[32];
    int rc = custos_vault__require_wal(ctx);
    for (size_t i = 0; rc == CUSTOS_OK && i < r->n; i++) {
        custos_decision d = custos_check(ctx, subject, r->recs[i].purpose, r->recs[i].category);
        if (d != CUSTOS_ALLOW)
            rc = custos__fail(ctx, CUSTOS_EDENIED, "vault import denied for purpose %u, category %u: %s;"
                              " nothing was imported", r->recs[i].purpose, r->recs[i].category,
                              custos_decision_str(d));
    }
    if (rc != CUSTOS_OK || (rc = custos_vault__subject_hash(ctx, subject, hash)) != CUSTOS_OK)
        return rc;
    /* Streams first become sealed files (nothing visible), then every row goes in one transaction. */
    custos_vault_stream **staged = custos__calloc(r->n > 0 ? r->n : 1, sizeof *staged);
    if (staged == NULL)
        return custos__fail(ctx, CUSTOS_ENOMEM, "vault import: out of memory");
    for (size_t i = 0; rc == CUSTOS_OK && i < r->n; i++)
        if (r->recs[i].stream)
            rc = custos_vault__stream_stage(ctx, &staged[i], subject, r->recs[i].purpose, r->recs[i].category,
                                            r->recs[i].data, r->recs[i].len);
    if (rc == CUSTOS_OK)
        rc = custos__db_begin(ctx);
    uint64_t now = custos__now(ctx, NULL), expires = 0;
    int stored = 0;
    if (rc == CUSTOS_OK) {
        for (size_t i = 0; rc == CUSTOS_OK && i < r->n; i++) {
            custos_record_id id;
            const ex_record *e = &r->recs[i];
            uint64_t created = e->created < now ? e->created : now;
            /* Retention is this store's: the purpose's retention counted from the original creation. */
            if ((rc = custos_vault__expiry(ctx, e->purpose, created, &expires)) != CUSTOS_OK)
                break;
            rc = e->stream ? custos_vault__stream_stage_rows(staged[i], hash, e->created, expires, &id)
                           : custos_vault__insert_sealed(ctx, &id, hash, e->purpose, e->category, e->created, expires,
                                                         e->data, e->len);
        }
        if (rc == CUSTOS_OK && (rc = custos__db_commit(ctx)) == CUSTOS_OK)
            stored = 1;
        custos__db_rollback(ctx);
    }
    for (size_t i = 0; i < r->n; i++)
        custos_vault__stream_unstage(staged[i], stored);
    custos__free(staged);
    return rc;
}

static int import_locked(custos_t *ctx, size_t *n, const char *path, custos_subject subject,
                         const uint8_t pk[32], const uint8_t sk[32])
{
    uint8_t *in = NULL;
    size_t in_len = 0;
    int rc = custos__file_read(ctx, path, &in, &in_len, EX_FILE_MAX);
    if (rc != CUSTOS_OK)
        return rc;
    ex_reader r = { .ctx = ctx, .in = in, .in_len = in_len, .sec = sodium_malloc(sizeof(ex_secrets)),
                    .plain = custos__malloc(in_len > 0 ? in_len : 1) };
    if (r.sec == NULL || r.plain == NULL) {
        rc = CUSTOS_ENOMEM;
        custos__fail(ctx, rc, "vault import: out of memory");
    }
    if (rc == CUSTOS_OK && (rc = ex_header(&r, pk, sk)) == CUSTOS_OK && (rc = ex_chunks(&r)) == CUSTOS_OK &&
        (rc = ex_store(ctx, &r, subject)) == CUSTOS_OK)
        *n = r.n;
    if (r.sec != NULL)
        sodium_free(r.sec);
    if (r.plain != NULL)
        custos__wipe(r.plain, in_len);
    custos__free(r.plain);
    custos__free(r.recs);
    custos__free(in);
    return rc;
}

int custos_vault_import(custos_t *ctx, size_t *n_imported, const char *path, custos_subject subject,
                        const uint8_t recipient_pk[32], const uint8_t recipient_sk[32])
{
    if (ctx == NULL)
        return CUSTOS_EINVAL;
    if (path == NULL || recipient_pk == NULL || recipient_sk == NULL)
        return custos__fail(ctx, CUSTOS_EINVAL, "vault import: no path or no recipient key pair");
    size_t n = 0;
    custos_vault__enter(ctx);
    int rc = import_locked(ctx, &n, path, subject, recipient_pk, recipient_sk);
    custos_vault__leave(ctx);
    if (n_imported != NULL)
        *n_imported = rc == CUSTOS_OK ? n : 0;
    return rc;
}
