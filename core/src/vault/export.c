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

#include <sodium.h>
#include <string.h>
#include <unistd.h>

#define EX_MAGIC "CUSTOSEX"
#define EX_VERSION 1u
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
} ex_writer;

static int ex_reserve(ex_writer *w, size_t more)
{
    if (w->len + more <= w->cap)
        return CUSTOS_OK;
    size_t cap = w->cap ? w->cap : 4096;
    while (cap < w->len + more)
        cap *= 2;
    if (cap > EX_FILE_MAX)
        return custos__fail(w->ctx, CUSTOS_EINVAL, "vault export: more than %u bytes", EX_FILE_MAX);
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

static int ex_visit(void *user, const custos_vault_info *info, const uint8_t *data, size_t len)
{
    ex_writer *w = user;
    if (info->flags & CUSTOS_VAULT_STREAMED) { /* never export a stream as an empty record */
        w->err = CUSTOS_ESTATE;
        return w->err;
    }
    uint8_t head[EX_RECORD_HEAD];
    custos_vault__put32(head, info->purpose);
    custos_vault__put32(head + 4, info->category);
    custos_vault__put64(head + 8, info->created);
    custos_vault__put64(head + 16, info->expires);
    w->count++;
    w->err = ex_push(w, head, sizeof head, data, len, crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
    return w->err;
}

static int ex_start(ex_writer *w, const uint8_t recipient_pk[32])
{
    int rc = ex_reserve(w, EX_HEAD);
    if (rc != CUSTOS_OK)
        return rc;
    memcpy(w->buf, EX_MAGIC, 8);
    custos_vault__put32(w->buf + 8, EX_VERSION);
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
            rc = custos__fail(w->ctx, w->err, "vault export: %s", w->err == CUSTOS_ENOMEM ? "out of memory"
                              : w->err == CUSTOS_ESTATE ? "the subject has a stream, which this export cannot carry"
                              : "the export would exceed the largest export file");
        return rc;
    }
    uint8_t trailer[12];
    memcpy(trailer, "END!", 4);
    custos_vault__put64(trailer + 4, w->count);
    return ex_push(w, trailer, sizeof trailer, NULL, 0, crypto_secretstream_xchacha20poly1305_TAG_FINAL);
}

static int export_locked(custos_t *ctx, const char *path, custos_subject subject, const uint8_t pk[32])
{
    uint8_t hash[32];
    int rc = custos_vault__subject_hash(ctx, subject, hash);
    if (rc != CUSTOS_OK)
        return rc;
    ex_writer w = { .ctx = ctx, .sec = sodium_malloc(sizeof(ex_secrets)) };
    if (w.sec == NULL)
        return custos__fail(ctx, CUSTOS_ENOMEM, "vault export: out of guarded memory");
    int existed = access(path, F_OK) == 0;
    if ((rc = custos__db_begin(ctx)) == CUSTOS_OK) {
        if ((rc = ex_build(&w, hash, pk)) == CUSTOS_OK &&
            (rc = custos__audit_append(ctx, CUSTOS__V1__AUDIT_KIND__AUDIT_EXPORT, hash, -1, 0,
                                       "subject-export")) == CUSTOS_OK &&
            (rc = custos__file_write_atomic(ctx, path, w.buf, w.len, 0600)) == CUSTOS_OK)
            rc = custos__db_commit(ctx);
        custos__db_rollback(ctx);
        /* No export without its audit entry, and no file when the call failed
         * (a failed sync after the rename leaves a whole file: remove it too). */
        if (rc != CUSTOS_OK && !existed)
            unlink(path);
    }
    sodium_free(w.sec);
    custos__free(w.plain);
    custos__free(w.buf);
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
} ex_reader;

static int ex_corrupt(ex_reader *r, const char *why)
{
    return custos__fail(r->ctx, CUSTOS_ECORRUPT, "vault import: %s; nothing was imported", why);
}

static int ex_header(ex_reader *r, const uint8_t pk[32], const uint8_t sk[32])
{
    if (r->in == NULL || r->in_len < EX_HEAD || memcmp(r->in, EX_MAGIC, 8) != 0)
        return ex_corrupt(r, "not a Custos export file");
    if (custos_vault__get32(r->in + 8) != EX_VERSION || custos_vault__get32(r->in + 12) != EX_SUITE)
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

static int ex_add(ex_reader *r, const uint8_t *p, size_t len)
{
    if (len < EX_RECORD_HEAD)
        return ex_corrupt(r, "a record chunk is too short");
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        ex_record *g = custos__realloc(r->recs, cap * sizeof *g);
        if (g == NULL)
            return custos__fail(r->ctx, CUSTOS_ENOMEM, "vault import: out of memory");
        r->recs = g;
        r->cap = cap;
    }
    r->recs[r->n++] = (ex_record){ custos_vault__get32(p), custos_vault__get32(p + 4), custos_vault__get64(p + 8), custos_vault__get64(p + 16),
                                   p + EX_RECORD_HEAD, len - EX_RECORD_HEAD };
    return CUSTOS_OK;
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
        r->plain_len += (size_t)olen;
        if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
            if (r->pos != r->in_len)
                return ex_corrupt(r, "bytes follow the final chunk");
            if (olen != 12 || memcmp(out, "END!", 4) != 0 || custos_vault__get64(out + 4) != r->n)
                return ex_corrupt(r, "the trailer does not match the records");
            return CUSTOS_OK;
        }
        int rc = tag == crypto_secretstream_xchacha20poly1305_TAG_MESSAGE ? ex_add(r, out, (size_t)olen)
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
    if (rc != CUSTOS_OK || (rc = custos_vault__subject_hash(ctx, subject, hash)) != CUSTOS_OK ||
        (rc = custos__db_begin(ctx)) != CUSTOS_OK)
        return rc;
    uint64_t now = custos__now(ctx, NULL), expires = 0;
    for (size_t i = 0; rc == CUSTOS_OK && i < r->n; i++) {
        custos_record_id id;
        const ex_record *e = &r->recs[i];
        /* Retention is this store's: the purpose's retention counted from the original creation. */
        if ((rc = custos_vault__expiry(ctx, e->purpose, e->created < now ? e->created : now, &expires)) == CUSTOS_OK)
            rc = custos_vault__insert_sealed(ctx, &id, hash, e->purpose, e->category, e->created, expires, e->data, e->len);
    }
    if (rc == CUSTOS_OK)
        rc = custos__db_commit(ctx);
    custos__db_rollback(ctx);
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
