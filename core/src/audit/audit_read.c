/*
 * audit_read.c: reading the chain out of the store: verification in place,
 * export, verification of an export, and the walk behind `custos audit show`.
 *
 * THE EXPORT (custos_audit_export): an encoded custos.v1.AuditExport whose
 * `entries` and `checkpoints` are the exact stored bytes, in seq order. Only
 * the checkpoint signatures authenticate it; the verifier trusts nothing
 * else in it, not even device_id.
 */
#include "audit_chain.h"

#include <sodium.h>
#include <string.h>

/* Rows copied out of SQLite into one buffer (offsets until the end). */
typedef struct span { size_t off, len; } span;

typedef struct rows {
    uint8_t *buf;
    size_t used, cap;
    span *v;
    size_t n, capv;
} rows;

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return CUSTOS_OK;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *np = custos__realloc(*p, c * elem);
    if (np == NULL)
        return CUSTOS_ENOMEM;
    *p = np;
    *cap = c;
    return CUSTOS_OK;
}

static int rows_add(rows *r, const void *p, size_t len)
{
    if (grow((void **)&r->buf, &r->cap, r->used + len, 1) != CUSTOS_OK ||
        grow((void **)&r->v, &r->capv, r->n + 1, sizeof *r->v) != CUSTOS_OK)
        return CUSTOS_ENOMEM;
    if (len > 0) {
        if (r->buf == NULL) /* grow() allocated it, as need > 0 */
            return CUSTOS_ENOMEM;
        memcpy(r->buf + r->used, p, len);
    }
    r->v[r->n++] = (span){ r->used, len };
    r->used += len;
    return CUSTOS_OK;
}

static void rows_free(rows *r)
{
    custos__free(r->buf);
    custos__free(r->v);
    memset(r, 0, sizeof *r); /* not secret */
}

/* Rows longer than cap are malformed whatever their content; only cap + 1
 * bytes are kept, so a planted huge blob cannot exhaust memory. */
static int rows_load(custos_t *ctx, rows *r, const char *sql, uint64_t from, size_t cap)
{
    sqlite3_stmt *st = NULL;
    int s = sqlite3_prepare_v2(ctx->db, sql, -1, &st, NULL);
    if (s != SQLITE_OK)
        return custos__sqlite_fail(ctx, s, "audit: read");
    sqlite3_bind_int64(st, 1, (sqlite3_int64)from);
    int rc = CUSTOS_OK;
    while (rc == CUSTOS_OK && (s = sqlite3_step(st)) == SQLITE_ROW) {
        size_t len = (size_t)sqlite3_column_bytes(st, 0);
        if (rows_add(r, sqlite3_column_blob(st, 0), len > cap ? cap + 1 : len) != CUSTOS_OK)
            rc = custos__fail(ctx, CUSTOS_ENOMEM, "audit: out of memory reading the chain");
    }
    sqlite3_finalize(st);
    if (rc == CUSTOS_OK && s != SQLITE_DONE)
        rc = custos__sqlite_fail(ctx, s, "audit: read");
    return rc;
}

/* The chain as it is stored, read under the write lock so that it is one
 * consistent snapshot. */
typedef struct chain {
    rows e, c;
} chain;

static int chain_load(custos_t *ctx, chain *ch, uint64_t from, int with_checkpoints)
{
    memset(ch, 0, sizeof *ch); /* not secret */
    pthread_mutex_lock(&ctx->write_lock);
    custos__audit_flush_pending(ctx);
    int rc = rows_load(ctx, &ch->e, "SELECT bytes FROM audit_entry WHERE seq >= ?1 ORDER BY seq", from,
                       AUDIT_ENTRY_MAX);
    if (rc == CUSTOS_OK && with_checkpoints)
        rc = rows_load(ctx, &ch->c, "SELECT bytes FROM audit_checkpoint WHERE seq >= ?1 ORDER BY seq", 0,
                       AUDIT_CHECKPOINT_MAX);
    pthread_mutex_unlock(&ctx->write_lock);
    return rc;
}

static void chain_free(chain *ch)
{
    rows_free(&ch->e);
    rows_free(&ch->c);
}

static audit_slice *slices(const rows *r)
{
    audit_slice *s = custos__calloc(r->n ? r->n : 1, sizeof *s);
    for (size_t i = 0; s != NULL && i < r->n; i++)
        s[i] = (audit_slice){ r->buf + r->v[i].off, r->v[i].len };
    return s;
}

static int check_report(const custos_audit_report *r)
{
    if (r == NULL)
        return CUSTOS_EINVAL;
    return r->version == CUSTOS_AUDIT_REPORT_VERSION ? CUSTOS_OK : CUSTOS_EVERSION;
}

/* Verify slices into report; CUSTOS_ECORRUPT (described on ctx) if broken. */
static int verify_slices(custos_t *ctx, const audit_slice *e, size_t ne, const audit_slice *c, size_t nc,
                         const uint8_t pk[32], custos_audit_report *report)
{
    int failure = custos__audit_verify_chain(ctx, e, ne, c, nc, pk, report);
    if (failure < 0)
        return custos__fail(ctx, CUSTOS_ENOMEM, "audit: out of memory verifying the chain");
    return failure == CUSTOS_AUDIT_OK ? CUSTOS_OK : custos__audit_report_fail(ctx, report);
}

int custos_audit_verify(custos_t *ctx, custos_audit_report *report)
{
    if (ctx == NULL || ctx->audit == NULL)
        return CUSTOS_EINVAL;
    int rc = check_report(report);
    if (rc != CUSTOS_OK)
        return custos__fail(ctx, rc, "custos_audit_verify: report is NULL or not version %d",
                            CUSTOS_AUDIT_REPORT_VERSION);
    uint8_t pk[32];
    if ((rc = ctx->kp->public_key(ctx->kp->state, pk)) != CUSTOS_OK)
        return custos__fail(ctx, CUSTOS_EKEY, "audit: no device public key (%s)", custos_strerror(rc));
    chain ch;
    if ((rc = chain_load(ctx, &ch, 0, 1)) == CUSTOS_OK) {
        audit_slice *e = slices(&ch.e), *c = slices(&ch.c);
        rc = (e == NULL || c == NULL) ? custos__fail(ctx, CUSTOS_ENOMEM, "audit: out of memory")
                                      : verify_slices(ctx, e, ch.e.n, c, ch.c.n, pk, report);
        custos__free(e);
        custos__free(c);
    }
    chain_free(&ch);
    return rc;
}

/* Pack the snapshot as an AuditExport. */
static int export_pack(custos_t *ctx, const chain *ch, uint8_t *out, size_t out_size, size_t *out_len)
{
    Custos__V1__AuditExport x = CUSTOS__V1__AUDIT_EXPORT__INIT;
    ProtobufCBinaryData *bin = custos__calloc(ch->e.n + ch->c.n + 1, sizeof *bin);
    if (bin == NULL)
        return custos__fail(ctx, CUSTOS_ENOMEM, "audit: out of memory exporting");
    for (size_t i = 0; i < ch->e.n; i++)
        bin[i] = (ProtobufCBinaryData){ ch->e.v[i].len, ch->e.buf + ch->e.v[i].off };
    for (size_t i = 0; i < ch->c.n; i++)
        bin[ch->e.n + i] = (ProtobufCBinaryData){ ch->c.v[i].len, ch->c.buf + ch->c.v[i].off };
    x.n_entries = ch->e.n;
    x.entries = bin;
    x.n_checkpoints = ch->c.n;
    x.checkpoints = bin + ch->e.n;
    x.has_device_id = 1;
    x.device_id = (ProtobufCBinaryData){ CUSTOS_DEVICE_ID_BYTES, ctx->device_id };
    int rc = CUSTOS_OK;
    *out_len = custos__v1__audit_export__get_packed_size(&x);
    if (*out_len > out_size || out == NULL)
        rc = custos__fail(ctx, CUSTOS_ERANGE, "audit: the export needs %zu bytes, the buffer has %zu",
                          *out_len, out_size);
    else
        custos__v1__audit_export__pack(&x, out);
    custos__free(bin);
    return rc;
}

int custos_audit_export(custos_t *ctx, uint8_t *out, size_t out_size, size_t *out_len)
{
    if (ctx == NULL || ctx->audit == NULL || out_len == NULL)
        return CUSTOS_EINVAL;
    *out_len = 0;
    chain ch;
    int rc = chain_load(ctx, &ch, 0, 1);
    if (rc == CUSTOS_OK)
        rc = export_pack(ctx, &ch, out, out_size, out_len);
    chain_free(&ch);
    return rc;
}

int custos_audit_verify_export(custos_audit_report *report, const uint8_t *bytes, size_t len,
                               const uint8_t device_public_key[32])
{
    int rc = check_report(report);
    if (rc != CUSTOS_OK)
        return custos__fail_noctx(rc, "custos_audit_verify_export: no report, or a report of another version");
    if ((bytes == NULL && len > 0) || device_public_key == NULL)
        return custos__fail_noctx(CUSTOS_EINVAL, "custos_audit_verify_export: no export or no public key");
    if (sodium_init() < 0) /* this may be the first call into Custos: no store is open */
        return custos__fail_noctx(CUSTOS_ECRYPTO, "libsodium failed to initialise");
    audit_slice *e = NULL, *c = NULL;
    size_t ne = 0, nc = 0;
    rc = custos__audit_export_split(bytes, len, &e, &ne, &c, &nc);
    if (rc == CUSTOS_ECORRUPT) {
        *report = (custos_audit_report)CUSTOS_AUDIT_REPORT_INIT;
        report->failure = CUSTOS_AUDIT_EXPORT_MALFORMED;
    } else if (rc == CUSTOS_OK) {
        rc = verify_slices(NULL, e, ne, c, nc, device_public_key, report);
    }
    custos__free(e);
    custos__free(c);
    if (rc == CUSTOS_ECORRUPT)
        custos__fail_noctx(rc, "audit export: %s at entry %llu", custos_audit_failure_name(report->failure),
                           (unsigned long long)report->failed_seq);
    else if (rc != CUSTOS_OK)
        custos__fail_noctx(rc, "audit export: %s", custos_strerror(rc));
    return rc;
}

static void entry_public(custos_audit_entry *out, const Custos__V1__AuditEntry *e, const audit_slice *s)
{
    memset(out, 0, sizeof *out); /* not secret */
    out->seq = e->seq;
    out->kind = (int)e->kind;
    out->time = e->time;
    out->has_subject = e->has_subject_hash;
    if (e->has_subject_hash)
        memcpy(out->subject_hash, e->subject_hash.data, 32);
    out->purpose = e->has_purpose ? (int64_t)e->purpose : -1;
    out->code = e->has_code ? e->code : 0;
    out->detail = e->detail != NULL ? e->detail : "";
    crypto_generichash(out->hash, 32, s->p, s->len, NULL, 0);
}

int custos_audit_foreach(custos_t *ctx, uint64_t from, custos_audit_visit_fn fn, void *user)
{
    if (ctx == NULL || ctx->audit == NULL || fn == NULL)
        return CUSTOS_EINVAL;
    chain ch;
    int rc = chain_load(ctx, &ch, from, 0);
    for (size_t i = 0; rc == CUSTOS_OK && i < ch.e.n; i++) {
        audit_slice s = { ch.e.buf + ch.e.v[i].off, ch.e.v[i].len };
        audit_arena a;
        Custos__V1__AuditEntry *e = custos__audit_entry_decode(&a, s.p, s.len);
        if (e == NULL) {
            rc = custos__fail(ctx, CUSTOS_ECORRUPT, "audit: entry at position %zu does not decode", i + 1);
            break;
        }
        custos_audit_entry pub;
        entry_public(&pub, e, &s);
        rc = fn(user, &pub);
    }
    chain_free(&ch);
    return rc;
}
