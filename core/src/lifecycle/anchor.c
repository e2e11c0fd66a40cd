/*
 * anchor.c: the store's anchor, kept outside the database, that tells a
 * current custos.db from an older or damaged one.
 *
 * The consent ledger and the audit chain only grow. After every write
 * transaction that moved either, their heads (sequence number and hash of the
 * newest entry) are written to <dir>/anchor under a MAC keyed by the store's
 * index key. At open, a database whose heads are behind the anchor, or at
 * the same place with another hash, is refused: a custos.db copied back from
 * an older state, or a WAL that lost committed transactions (SQLite drops a
 * frame that fails its checksum and every frame after it).
 *
 * The anchor is written after the commit, in place and not synced: it is
 * never ahead of a durable database, so a crash between the two leaves the
 * database ahead, which opens (and is anchored anew). Two slots are written
 * in turn, so a torn write spoils at most the one being written.
 *
 * ANCHOR FILE (2 slots of 96 bytes, little-endian)
 *
 *   offset  size  field
 *   0       8     magic "CUSTOSAN"
 *   8       8     counter (the valid slot with the higher one is current)
 *   16      8     consent ledger seq
 *   24      8     audit chain seq
 *   32      16    consent ledger head hash (first 16 bytes of BLAKE2b-256)
 *   48      16    audit chain head hash (the same)
 *   64      32    keyed BLAKE2b-256 of bytes 0..63
 *
 * The database remembers that it was anchored (table store_anchor), so that
 * deleting the anchor file is refused too. What a file cannot detect (the
 * whole directory rolled back together, or an attacker who can read the key
 * file) is stated in docs/security.md.
 *
 * A key provider with anchor calls (store.h, version 2) keeps the anchor
 * instead: one slot, replaced atomically by the provider, somewhere the
 * directory's files cannot take back (a hardware monotonic counter, rollback-
 * protected storage). Then a directory restored whole is refused too.
 */
#include "lifecycle/anchor.h"
#include "audit/audit_internal.h"
#include "consent/consent_internal.h"
#include "ground/pack.h"

#include <sodium.h>
#include <string.h>

#define ANCHOR_NAME "anchor"
#define SLOT_LEN 96u
#define MAGIC "CUSTOSAN"

typedef struct heads {
    uint64_t lseq, aseq;
    uint8_t lhash[32], ahash[32];
} heads;

typedef struct custos_anchor {
    char *path;
    uint64_t counter;
    heads last;   /* what the current slot says */
    int to_provider; /* read from the file, to be moved to the key provider */
} custos_anchor;

static int heads_read(custos_t *ctx, heads *h)
{
    int rc = custos_consent__head(ctx, &h->lseq, h->lhash);
    return rc == CUSTOS_OK ? custos__audit_head(ctx, &h->aseq, h->ahash) : rc;
}

static void slot_mac(const custos_t *ctx, uint8_t mac[32], const uint8_t *slot)
{
    uint8_t key[32];
    custos__derive_key(ctx, key, "store anchor");
    crypto_generichash(mac, 32, slot, 64, key, sizeof key);
    custos__wipe(key, sizeof key);
}

static void slot_pack(const custos_t *ctx, uint8_t s[SLOT_LEN], uint64_t counter, const heads *h)
{
    memcpy(s, MAGIC, 8);
    custos__le64_put(s + 8, counter);
    custos__le64_put(s + 16, h->lseq);
    custos__le64_put(s + 24, h->aseq);
    memcpy(s + 32, h->lhash, 16);
    memcpy(s + 48, h->ahash, 16);
    slot_mac(ctx, s + 64, s);
}

/* 1 and *counter, *h filled if the slot is whole and ours. */
static int slot_parse(const custos_t *ctx, const uint8_t *s, uint64_t *counter, heads *h)
{
    uint8_t mac[32];
    slot_mac(ctx, mac, s);
    if (memcmp(s, MAGIC, 8) != 0 || sodium_memcmp(mac, s + 64, 32) != 0)
        return 0;
    *counter = custos__le64_get(s + 8);
    memset(h, 0, sizeof *h); /* not secret */
    h->lseq = custos__le64_get(s + 16);
    h->aseq = custos__le64_get(s + 24);
    memcpy(h->lhash, s + 32, 16);
    memcpy(h->ahash, s + 48, 16);
    return 1;
}

/* The provider's anchor calls, when it has them (version 2 and both set). */
static int provider_anchors(const custos_t *ctx)
{
    const custos_key_provider *kp = ctx->kp;
    return kp->version >= 2 && kp->anchor_store != NULL && kp->anchor_load != NULL;
}

/* Write h as the next slot; the first anchor of a store is written whole. */
static int anchor_write(custos_t *ctx, const heads *h, int fresh)
{
    custos_anchor *a = ctx->anchor;
    uint8_t buf[2 * SLOT_LEN];
    uint64_t counter = a->counter + 1;
    size_t slot = (size_t)(counter & 1u);
    int rc;
    slot_pack(ctx, buf + slot * SLOT_LEN, counter, h);
    if (provider_anchors(ctx)) {
        rc = ctx->kp->anchor_store(ctx->kp->state, buf + slot * SLOT_LEN, SLOT_LEN);
        if (rc != CUSTOS_OK)
            rc = custos__fail(ctx, rc, "the key provider could not store the anchor: %s", custos_strerror(rc));
    } else if (fresh) {
        slot_pack(ctx, buf + (1 - slot) * SLOT_LEN, a->counter, h);
        rc = custos__file_write_atomic(NULL, a->path, buf, sizeof buf, 0600);
    } else {
        rc = custos__file_pwrite(NULL, a->path, slot * SLOT_LEN, buf + slot * SLOT_LEN, SLOT_LEN);
    }
    if (rc == CUSTOS_OK) {
        a->counter = counter;
        a->last = *h;
    }
    return rc;
}

static int same16(const uint8_t *a, const uint8_t *b)
{
    return sodium_memcmp(a, b, 16) == 0;
}

/* Whether the database holds, at the anchored seq, the anchored entry: a
 * database ahead of the anchor (a crash between a commit and its anchor
 * write) must have grown from it. *same = 0 if the entry differs or is gone. */
static int holds(custos_t *ctx, int (*hash_at)(custos_t *, uint64_t, uint8_t *), uint64_t seq,
                 const uint8_t want[16], int *same)
{
    uint8_t h[32];
    *same = 1;
    if (seq == 0) /* anchored empty: any chain grew from it */
        return CUSTOS_OK;
    int rc = hash_at(ctx, seq, h);
    *same = rc == CUSTOS_OK && same16(h, want);
    return rc == CUSTOS_ENOTFOUND ? CUSTOS_OK : rc;
}

/* The database against the anchor: behind, or not grown from the anchored
 * entries, is refused. */
static int compare(custos_t *ctx, const heads *db, const heads *an)
{
    if (db->lseq < an->lseq || db->aseq < an->aseq)
        return custos__fail(ctx, CUSTOS_ECORRUPT,
                            "custos.db is older than the store's anchor (consent ledger at %llu, anchored at %llu; "
                            "audit chain at %llu, anchored at %llu): a database restored from an older copy, or a "
                            "WAL that lost committed transactions; restore the whole directory from one backup",
                            (unsigned long long)db->lseq, (unsigned long long)an->lseq,
                            (unsigned long long)db->aseq, (unsigned long long)an->aseq);
    int ledger = 0, audit = 0;
    int rc = holds(ctx, custos_consent__hash_at, an->lseq, an->lhash, &ledger);
    if (rc == CUSTOS_OK)
        rc = holds(ctx, custos__audit_hash_at, an->aseq, an->ahash, &audit);
    if (rc == CUSTOS_OK && (!ledger || !audit))
        return custos__fail(ctx, CUSTOS_ECORRUPT, "custos.db does not match the store's anchor: its %s at %llu "
                            "is not the one anchored (a replaced database)", ledger ? "audit entry" : "consent event",
                            (unsigned long long)(ledger ? an->aseq : an->lseq));
    return rc;
}

/* A refused open is recorded in the refused database's own audit chain, for
 * whoever examines it; the anchor is not moved, and since the anchored
 * entries are checked at their seq, entries added here never make the
 * database pass. The detail in custos_errmsg is kept. */
static int refuse(custos_t *ctx, int rc, const char *what)
{
    (void)custos_consent__audit_failure(ctx, rc, what);
    return rc;
}

/* Whether this database was anchored before (the mark is made only once the
 * anchor file exists: a crash between the two never locks the store). */
static int was_anchored(custos_t *ctx, int *had)
{
    return custos__db_table_exists(ctx, "store_anchor", had);
}

static int mark_anchored(custos_t *ctx)
{
    return custos__db_mark(ctx, "store_anchor");
}

/* The provider's slot: ENOTFOUND if it holds none, ECORRUPT if it is not ours. */
static int provider_read(custos_t *ctx, heads *out)
{
    uint8_t slot[SLOT_LEN + 32];
    size_t len = 0;
    int rc = ctx->kp->anchor_load(ctx->kp->state, slot, sizeof slot, &len);
    if (rc == CUSTOS_ENOTFOUND)
        return rc;
    if (rc != CUSTOS_OK)
        return custos__fail(ctx, rc == CUSTOS_ERANGE ? CUSTOS_ECORRUPT : rc,
                            "the key provider could not load the anchor: %s", custos_strerror(rc));
    if (len != SLOT_LEN || !slot_parse(ctx, slot, &ctx->anchor->counter, out))
        return custos__fail(ctx, CUSTOS_ECORRUPT, "the anchor kept by the key provider is not this store's");
    return CUSTOS_OK;
}

/* The current slot of the anchor file: ENOTFOUND if there is none, ECORRUPT if none is valid. */
static int anchor_read(custos_t *ctx, heads *out)
{
    custos_anchor *a = ctx->anchor;
    int rc;
    /* Nothing from the provider yet: a store anchored in its file until now. */
    if (provider_anchors(ctx) && (rc = provider_read(ctx, out)) != CUSTOS_ENOTFOUND)
        return rc;
    a->to_provider = provider_anchors(ctx);
    uint8_t *buf = NULL;
    size_t len = 0;
    int found = 0;
    rc = custos__file_read(NULL, a->path, &buf, &len, 4 * SLOT_LEN);
    if (rc == CUSTOS_OK) {
        for (size_t i = 0; i < 2 && (i + 1) * SLOT_LEN <= len; i++) {
            uint64_t c;
            heads h;
            if (slot_parse(ctx, buf + i * SLOT_LEN, &c, &h) && (!found || c > a->counter)) {
                a->counter = c;
                *out = h;
                found = 1;
            }
        }
        rc = found ? CUSTOS_OK
                   : custos__fail(ctx, CUSTOS_ECORRUPT, "the store's anchor file is damaged (no valid slot); "
                                  "restore the whole directory from one backup");
    }
    custos__free(buf);
    return rc;
}

static int anchor_after_commit(custos_t *ctx)
{
    heads h;
    custos_anchor *a = ctx->anchor;
    /* Only what is committed is anchored: some callers run the hooks inside
     * a transaction (to publish the gate early), and a read there that fails
     * (out of memory) would cost the caller its transaction. */
    if (a == NULL || !sqlite3_get_autocommit(ctx->db) || heads_read(ctx, &h) != CUSTOS_OK)
        return CUSTOS_OK;
    if (h.lseq != a->last.lseq || h.aseq != a->last.aseq)
        (void)anchor_write(ctx, &h, 0); /* lost: the database is ahead, which opens */
    return CUSTOS_OK;
}

int custos__anchor_open(custos_t *ctx, int created)
{
    heads db = { 0 }, an = { 0 };
    int had = 0, rc;
    if ((ctx->anchor = custos__calloc(1, sizeof *ctx->anchor)) == NULL ||
        (ctx->anchor->path = custos__path_join(ctx->dir, ANCHOR_NAME)) == NULL)
        return custos__fail(ctx, CUSTOS_ENOMEM, "out of memory");
    if ((rc = was_anchored(ctx, &had)) != CUSTOS_OK || (rc = heads_read(ctx, &db)) != CUSTOS_OK)
        return rc;
    /* A store made by this open: an anchor file there is a failed attempt's. */
    rc = created ? CUSTOS_ENOTFOUND : anchor_read(ctx, &an);
    if (rc == CUSTOS_ENOTFOUND && had && !created)
        return refuse(ctx, custos__fail(ctx, CUSTOS_ECORRUPT, "the store's anchor is missing; restore the whole "
                                        "directory from one backup"), "store anchor: missing");
    if (rc == CUSTOS_ECORRUPT)
        return refuse(ctx, rc, "store anchor: damaged or not this store's");
    if (rc == CUSTOS_ENOTFOUND) { /* a new store, or one of a Custos before anchors */
        if ((rc = anchor_write(ctx, &db, 1)) == CUSTOS_OK)
            rc = mark_anchored(ctx);
    }
    else if (rc == CUSTOS_OK && (rc = compare(ctx, &db, &an)) != CUSTOS_OK) {
        if (rc == CUSTOS_ECORRUPT)
            return refuse(ctx, rc, db.lseq < an.lseq || db.aseq < an.aseq
                                       ? "store anchor: custos.db is older than its anchor"
                                       : "store anchor: custos.db does not match its anchor");
    }
    else if (rc == CUSTOS_OK) {
        ctx->anchor->last = an;
        if (!had) /* the anchor file came with a restored directory of an older Custos */
            rc = mark_anchored(ctx);
        if (rc == CUSTOS_OK && (db.lseq != an.lseq || db.aseq != an.aseq || ctx->anchor->to_provider))
            (void)anchor_write(ctx, &db, 0); /* lost: written again after the next commit, or at the next open */
    }
    if (rc == CUSTOS_OK)
        rc = custos__txn_hook_add(ctx, CUSTOS_TXN_AFTER_COMMIT, anchor_after_commit);
    return rc;
}

void custos__anchor_close(custos_t *ctx)
{
    if (ctx->anchor == NULL)
        return;
    custos__free(ctx->anchor->path);
    custos__free(ctx->anchor);
    ctx->anchor = NULL;
}
