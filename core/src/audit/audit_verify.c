/*
 * audit_verify.c: checking a chain, wherever it comes from (the store or an
 * export), and naming the first entry at fault.
 *
 * One pass walks the entries in order and checks, for the entry at position
 * i (expected seq i+1): it decodes, its seq is i+1, its prev_hash is the hash
 * of the entry before it, and, where a valid checkpoint names seq i+1, its
 * hash is the one signed. The first position where a check fails is then
 * diagnosed, assuming the simplest explanation:
 *
 *   seq right, prev_hash wrong  the entry before was changed, unless this
 *                               entry is itself not what its successor (or a
 *                               checkpoint) commits to: then this one was
 *   seq wrong, prev_hash right  this entry's seq field was changed
 *   seq too high, prev wrong    entry i+1 is missing, or (if it appears
 *                               later) out of order
 *   seq too low, prev wrong     an earlier entry moved or repeated here
 *
 * A checkpoint that claims a seq beyond the last entry means the tail was
 * truncated. A checkpoint that fails its signature is reported at the seq it
 * claims, unless an entry failure comes first.
 */
#include "audit_chain.h"

#include <sodium.h>
#include <string.h>

static void *arena_alloc(void *data, size_t size)
{
    audit_arena *a = data;
    size_t at = (a->used + 15u) & ~(size_t)15u;
    if (at > sizeof a->buf || size > sizeof a->buf - at)
        return NULL;
    a->used = at + size;
    return a->buf + at;
}

static void arena_free(void *data, void *p)
{
    (void)data;
    (void)p;
}

void custos__audit_arena_init(audit_arena *a)
{
    a->pbc = (ProtobufCAllocator){ arena_alloc, arena_free, a };
    a->used = 0;
}

Custos__V1__AuditEntry *custos__audit_entry_decode(audit_arena *a, const uint8_t *p, size_t len)
{
    custos__audit_arena_init(a);
    if (len > AUDIT_ENTRY_MAX)
        return NULL;
    Custos__V1__AuditEntry *e = custos__v1__audit_entry__unpack(&a->pbc, len, p);
    if (e == NULL || e->seq == 0 || e->prev_hash.len != 32 ||
        (e->has_subject_hash && e->subject_hash.len != 32))
        return NULL;
    return e;
}

/* What the pass needs of one entry. */
typedef struct peek {
    int ok;
    uint64_t seq;
    uint8_t prev[32];
    uint8_t hash[32];
} peek;

static peek entry_peek(const audit_slice *s)
{
    peek k = { 0 };
    const uint8_t *prev = NULL;
    if (custos__audit_entry_peek(s->p, s->len, &k.seq, &prev) != 0)
        return k;
    k.ok = 1;
    memcpy(k.prev, prev, 32);
    crypto_generichash(k.hash, 32, s->p, s->len, NULL, 0);
    return k;
}

typedef struct cp_entry {
    uint64_t seq;
    uint8_t hash[32];
} cp_entry;

static int memo_cmp(const void *a, const void *b) { return memcmp(a, b, 32); }

static void memo_digest(uint8_t d[32], const uint8_t pk[32], const audit_slice *s)
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    crypto_generichash_update(&st, pk, 32);
    crypto_generichash_update(&st, s->p, s->len);
    crypto_generichash_final(&st, d, 32);
}

static int memo_has(custos_t *ctx, const uint8_t d[32])
{
    if (ctx == NULL || ctx->audit == NULL)
        return 0;
    pthread_mutex_lock(&ctx->write_lock);
    audit_memo *m = &ctx->audit->memo;
    int found = m->n > 0 && bsearch(d, m->v, m->n, 32, memo_cmp) != NULL;
    pthread_mutex_unlock(&ctx->write_lock);
    return found;
}

static void memo_add(custos_t *ctx, const uint8_t d[32])
{
    if (ctx == NULL || ctx->audit == NULL)
        return;
    pthread_mutex_lock(&ctx->write_lock);
    audit_memo *m = &ctx->audit->memo;
    if (m->n == m->cap && m->cap < AUDIT_MEMO_MAX) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        void *nv = custos__realloc(m->v, cap * 32);
        if (nv != NULL) {
            m->v = nv;
            m->cap = cap;
        }
    }
    if (m->n < m->cap) {
        size_t i = 0;
        while (i < m->n && memcmp(m->v[i], d, 32) < 0)
            i++;
        if (i == m->n || memcmp(m->v[i], d, 32) != 0) {
            memmove(m->v[i + 1], m->v[i], (m->n - i) * 32);
            memcpy(m->v[i], d, 32);
            m->n++;
        }
    }
    pthread_mutex_unlock(&ctx->write_lock);
}

/* Decode and check one checkpoint's signature; 0 if valid. *claimed gets
 * the seq it names (0 if it does not even decode). */
static int checkpoint_check(custos_t *ctx, const audit_slice *s, const uint8_t pk[32], cp_entry *out,
                            uint64_t *claimed)
{
    *claimed = 0;
    if (s->len > AUDIT_CHECKPOINT_MAX)
        return -1;
    audit_arena a;
    custos__audit_arena_init(&a);
    Custos__V1__AuditCheckpoint *cp = custos__v1__audit_checkpoint__unpack(&a.pbc, s->len, s->p);
    if (cp == NULL)
        return -1;
    *claimed = cp->seq;
    if (cp->seq == 0 || cp->entry_hash.len != 32 || cp->signature.len != 64)
        return -1;
    uint8_t msg[CUSTOS_AUDIT_CP_MSG_BYTES], d[32];
    custos__audit_checkpoint_message(msg, cp->seq, cp->entry_hash.data);
    memo_digest(d, pk, s);
    if (!memo_has(ctx, d)) {
        if (crypto_sign_verify_detached(cp->signature.data, msg, sizeof msg, pk) != 0)
            return -1;
        memo_add(ctx, d);
    }
    out->seq = cp->seq;
    memcpy(out->hash, cp->entry_hash.data, 32);
    return 0;
}

static int cp_cmp(const void *a, const void *b)
{
    uint64_t x = ((const cp_entry *)a)->seq, y = ((const cp_entry *)b)->seq;
    return (x > y) - (x < y);
}

/* The valid checkpoints sorted by seq, and the lowest seq claimed by an
 * invalid one (0 for one that does not even decode). */
typedef struct cp_table {
    cp_entry *v;
    size_t n;
    int bad;
    uint64_t first_bad;
} cp_table;

static int cp_table_build(custos_t *ctx, cp_table *t, const audit_slice *cps, size_t ncp, const uint8_t pk[32])
{
    t->n = 0;
    t->bad = 0;
    t->first_bad = UINT64_MAX;
    t->v = custos__calloc(ncp ? ncp : 1, sizeof *t->v);
    if (t->v == NULL)
        return CUSTOS_ENOMEM;
    for (size_t i = 0; i < ncp; i++) {
        uint64_t claimed;
        if (checkpoint_check(ctx, &cps[i], pk, &t->v[t->n], &claimed) == 0)
            t->n++;
        else if (!t->bad || claimed < t->first_bad) {
            t->bad = 1;
            t->first_bad = claimed;
        }
    }
    qsort(t->v, t->n, sizeof *t->v, cp_cmp);
    return CUSTOS_OK;
}

/* The signed hash of seq, or NULL if no valid checkpoint names it. */
static const uint8_t *cp_lookup(const cp_table *t, uint64_t seq)
{
    cp_entry key = { .seq = seq };
    const cp_entry *c = bsearch(&key, t->v, t->n, sizeof *t->v, cp_cmp);
    return c != NULL ? c->hash : NULL;
}

/* Is the entry at position i what its successor or a checkpoint commits to?
 * 1 yes, 0 no, -1 nothing commits to it. */
static int committed(const audit_slice *e, size_t n, size_t i, const uint8_t hash[32], const cp_table *t)
{
    const uint8_t *signed_hash = cp_lookup(t, (uint64_t)i + 1);
    if (signed_hash != NULL)
        return sodium_memcmp(signed_hash, hash, 32) == 0;
    if (i + 1 < n) {
        peek next = entry_peek(&e[i + 1]);
        if (next.ok && next.seq == (uint64_t)i + 2)
            return sodium_memcmp(next.prev, hash, 32) == 0;
    }
    return -1;
}

static int seq_appears_after(const audit_slice *e, size_t n, size_t i, uint64_t seq)
{
    for (size_t j = i + 1; j < n; j++) {
        peek k = entry_peek(&e[j]);
        if (k.ok && k.seq == seq)
            return 1;
    }
    return 0;
}

/* The check at position i failed: say why, and which seq is at fault. */
static int diagnose(const audit_slice *e, size_t n, size_t i, const peek *k,
                    const uint8_t prev[32], const cp_table *t, uint64_t *seq_out)
{
    uint64_t want = (uint64_t)i + 1;
    int prev_ok = sodium_memcmp(k->prev, prev, 32) == 0;
    *seq_out = want;
    if (k->seq == want) {
        if (prev_ok) /* only the checkpoint disagrees: this entry changed */
            return CUSTOS_AUDIT_ENTRY_CHANGED;
        if (i > 0 && committed(e, n, i, k->hash, t) != 0)
            *seq_out = want - 1;
        return CUSTOS_AUDIT_ENTRY_CHANGED;
    }
    if (prev_ok)
        return CUSTOS_AUDIT_ENTRY_CHANGED;
    if (k->seq < want)
        return CUSTOS_AUDIT_ENTRY_REORDERED;
    return seq_appears_after(e, n, i, want) ? CUSTOS_AUDIT_ENTRY_REORDERED : CUSTOS_AUDIT_ENTRY_REMOVED;
}

/* The single pass; returns a failure and sets *at, or OK. */
static int walk(const audit_slice *e, size_t n, const cp_table *t, uint64_t *at)
{
    uint8_t prev[32] = { 0 };
    for (size_t i = 0; i < n; i++) {
        peek k = entry_peek(&e[i]);
        if (!k.ok) {
            *at = (uint64_t)i + 1;
            return CUSTOS_AUDIT_ENTRY_MALFORMED;
        }
        const uint8_t *signed_hash = cp_lookup(t, (uint64_t)i + 1);
        if (k.seq != (uint64_t)i + 1 || sodium_memcmp(k.prev, prev, 32) != 0 ||
            (signed_hash != NULL && sodium_memcmp(signed_hash, k.hash, 32) != 0))
            return diagnose(e, n, i, &k, prev, t, at);
        memcpy(prev, k.hash, 32);
    }
    if (t->n > 0 && t->v[t->n - 1].seq > n) {
        *at = (uint64_t)n + 1;
        return CUSTOS_AUDIT_TAIL_TRUNCATED;
    }
    return CUSTOS_AUDIT_OK;
}

int custos__audit_verify_chain(custos_t *ctx, const audit_slice *entries, size_t n,
                               const audit_slice *checkpoints, size_t ncp,
                               const uint8_t pk[32], custos_audit_report *r)
{
    cp_table t;
    if (cp_table_build(ctx, &t, checkpoints, ncp, pk) != CUSTOS_OK)
        return -1;
    uint64_t at = 0;
    int failure = walk(entries, n, &t, &at);
    if (t.bad && (failure == CUSTOS_AUDIT_OK || t.first_bad < at)) {
        failure = CUSTOS_AUDIT_CHECKPOINT_INVALID;
        at = t.first_bad;
    }
    r->failure = failure;
    r->failed_seq = at;
    r->entries = n;
    r->last_seq = n;
    r->checkpoints = t.n;
    r->last_checkpoint_seq = t.n > 0 ? t.v[t.n - 1].seq : 0;
    r->unsigned_tail = r->last_checkpoint_seq < n ? n - r->last_checkpoint_seq : 0;
    custos__free(t.v);
    return failure;
}

const char *custos_audit_failure_name(custos_audit_failure failure)
{
    static const char *const names[] = {
        "ok", "entry malformed", "entry changed", "entry removed", "entry reordered",
        "tail truncated", "checkpoint invalid", "export malformed",
    };
    const int i = (int)failure; /* any int may arrive from a binding */
    if (i < 0 || (size_t)i >= sizeof names / sizeof names[0])
        return "unknown";
    return names[i];
}

int custos__audit_report_fail(custos_t *ctx, const custos_audit_report *r)
{
    return custos__fail(ctx, CUSTOS_ECORRUPT, "audit chain: %s at seq %llu (%llu entries, last checkpoint %llu)",
                        custos_audit_failure_name(r->failure), (unsigned long long)r->failed_seq,
                        (unsigned long long)r->entries, (unsigned long long)r->last_checkpoint_seq);
}
