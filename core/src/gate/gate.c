/*
 * gate.c: custos_check() and the publication of snapshots.
 *
 * Readers take no lock, allocate nothing and perform no atomic
 * read-modify-write. Each thread owns a hazard slot (claimed on its first
 * check, released when the thread exits). A reader loads the current
 * snapshot, names it in its slot, loads the current snapshot again and
 * starts over if it changed; it then decides from the snapshot and clears
 * its slot.
 *
 * A writer (ctx->write_lock held) swaps in a new snapshot, retires the old
 * one, and makes every reader's slot store visible with one asymmetric
 * barrier: membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) runs a full memory
 * barrier on every running thread of the process. After it, each reader has
 * either published its slot (the writer sees it and keeps that snapshot)
 * or not yet reloaded the current pointer (it will see the new one and
 * start over). The writer then frees every retired snapshot that no slot
 * names; the others stay retired until a later publication or custos_close.
 * A slot names at most one snapshot, so at most GATE_SLOTS snapshots can
 * stay retired: the retired list is a fixed array and publishing never
 * allocates beyond the new snapshot.
 *
 * Where the asymmetric barrier is unavailable (not Linux, a kernel before
 * 4.14, a seccomp filter, Valgrind), readers make their slot store
 * sequentially consistent instead (a full fence on x86 and Arm): correct
 * everywhere, a few nanoseconds slower. A thread that finds all GATE_SLOTS slots owned by live threads
 * checks under the gate's overflow mutex, which writers take only to free.
 *
 * Fast path: a snapshot folds, per subject, the purposes that are allowed
 * with no expiry to consult into one 64-bit mask, and, per purpose, its
 * categories below 64 into another; an allowed check is two bit tests.
 * Everything else (denials and their reasons, consents with a valid_until,
 * category ids from 64) goes through decide().
 *
 * Expiry: a consent with a valid_until is compared with a coarse clock only
 * when its purpose is otherwise allowed. With the system clock that is
 * CLOCK_REALTIME_COARSE (vDSO, no system call; resolution one kernel tick,
 * 1 to 4 ms), so a consent stops being allowed at most one tick after its
 * valid_until second begins. With a clock seam (custos_open_options.clock),
 * that clock is called instead, so tests and devices decide time.
 */
#define _GNU_SOURCE
#include "gate_internal.h"
#include "../consent/subject_internal.h"
#include "../audit/audit_internal.h"
#include "custos/v1/audit.pb-c.h"
#include <custos/audit.h>

#include "gate_platform.h"

#include <pthread.h>

/* ---- hazard slots, shared by every context of the process ---- */

struct gate_slot {
    _Alignas(64) _Atomic(const gate_snap *) hazard;
    atomic_int owned;
};

static struct gate_slot slots[GATE_SLOTS];
static atomic_uint slots_high;               /* slots[0 .. slots_high) have been claimed at some time */
static unsigned slots_limit = GATE_SLOTS;    /* lowered by tests only */
static pthread_key_t slot_key;
static atomic_int slot_key_ok;
static pthread_once_t gate_once = PTHREAD_ONCE_INIT;
static int reader_fence;                     /* 1: no asymmetric barrier, readers fence */
static int force_reader_fence;               /* set by tests before the first open */

static GATE_TLS struct gate_slot *tls_slot;

static void release_slot(void *v)
{
    struct gate_slot *s = v;
    tls_slot = NULL; /* a later check in another destructor claims afresh */
    atomic_store_explicit(&s->hazard, NULL, memory_order_release);
    atomic_store_explicit(&s->owned, 0, memory_order_release);
}

static void gate_global_init(void)
{
    atomic_store(&slot_key_ok, pthread_key_create(&slot_key, release_slot) == 0);
    reader_fence = force_reader_fence || !gate_membarrier_register();
}

/* When the library is unloaded (dlclose) while threads live, their
 * thread-exit release must not call into unmapped code: drop the key. Later
 * checks (at process exit, say) take the overflow path. */
__attribute__((destructor)) static void gate_global_fini(void)
{
    if (atomic_exchange(&slot_key_ok, 0))
        pthread_key_delete(slot_key);
}

/* The calling thread's slot, claimed on its first check; NULL if every
 * slot is owned by a live thread (or thread-exit release is unavailable). */
static struct gate_slot *claim_slot(void)
{
    if (!atomic_load(&slot_key_ok))
        return NULL;
    for (unsigned i = 0; i < slots_limit; i++) {
        int free_ = 0;
        if (atomic_load_explicit(&slots[i].owned, memory_order_relaxed) == 0 &&
            atomic_compare_exchange_strong_explicit(&slots[i].owned, &free_, 1, memory_order_acquire,
                                                    memory_order_relaxed)) {
            if (pthread_setspecific(slot_key, &slots[i]) != 0) {
                atomic_store_explicit(&slots[i].owned, 0, memory_order_release);
                return NULL;
            }
            unsigned high = atomic_load_explicit(&slots_high, memory_order_relaxed);
            while (high < i + 1u &&
                   !atomic_compare_exchange_weak_explicit(&slots_high, &high, i + 1u, memory_order_release,
                                                          memory_order_relaxed))
                ;
            tls_slot = &slots[i];
            return tls_slot;
        }
    }
    return NULL;
}

/* Make every reader's earlier slot store visible to the caller. With
 * reader fences there is nothing to do: the readers' slot stores and
 * reloads, the writer's swap and its slot loads are all sequentially
 * consistent, so one of each pair sees the other. */
static void asymmetric_barrier(void)
{
    if (!reader_fence)
        gate_membarrier();
}

static int hazarded(const gate_snap *s)
{
    unsigned high = atomic_load_explicit(&slots_high, memory_order_acquire);
    for (unsigned i = 0; i < high; i++)
        if (atomic_load_explicit(&slots[i].hazard, memory_order_seq_cst) == s)
            return 1;
    return 0;
}

/* ---- one context's gate ---- */

struct custos_gate {
    _Atomic(const gate_snap *) cur;
    int system_clock;            /* 1: ctx->clock is the default system clock */
    pthread_mutex_t overflow;    /* readers without a slot; writers while they free */
    unsigned nretired;
    gate_snap *retired[GATE_SLOTS + 1];
};

static uint64_t gate_now(const custos_t *ctx)
{
    if (ctx->gate->system_clock) {
        return gate_coarse_seconds();
    }
    return ctx->clock.now(ctx->clock.state, NULL);
}

static int uses_category(const gate_snap *s, uint32_t purpose, uint32_t category)
{
    const uint32_t *c = s->cats + s->cat_off[purpose];
    for (uint32_t i = 0; i < s->cat_n[purpose]; i++)
        if (c[i] == category)
            return 1;
    return 0;
}

static custos_decision decide(const custos_t *ctx, const gate_snap *s, custos_subject subject,
                              uint32_t purpose, uint32_t category)
{
    if (!s->has_manifest)
        return s->failed ? CUSTOS_DENY_ERROR : CUSTOS_DENY_NO_MANIFEST;
    if (purpose > 63 || !((s->declared >> purpose) & 1u))
        return CUSTOS_DENY_UNKNOWN_PURPOSE;
    if (subject >= s->nsubjects || !s->subjects[subject].present)
        return CUSTOS_DENY_UNKNOWN_SUBJECT;
    if (!uses_category(s, purpose, category))
        return CUSTOS_DENY_CATEGORY_NOT_DECLARED;
    const gate_subject *g = &s->subjects[subject];
    if (g->tainted)
        return CUSTOS_DENY_INTEGRITY;
    if ((s->nonconsent >> purpose) & 1u)
        return CUSTOS_ALLOW;
    if (!((g->allowed >> purpose) & 1u))
        return (custos_decision)g->reason[purpose];
    if (g->valid_until[purpose] != GATE_NO_EXPIRY && gate_now(ctx) >= g->valid_until[purpose])
        return CUSTOS_DENY_EXPIRED;
    return CUSTOS_ALLOW;
}

/* Published when a snapshot cannot be built (out of memory, a failed
 * read): the store may have changed, so the gate denies everything
 * (CUSTOS_DENY_ERROR) until the next successful publication. */
static gate_snap fail_closed = { .failed = 1 };

/* The slow path: clears the caller's hazard slot once decided (so that
 * custos_check can tail-call it and keep its own fast path free of
 * register saves). */
static __attribute__((noinline)) custos_decision decide_and_leave(const custos_t *ctx, const gate_snap *s,
                                                                  struct gate_slot *me, custos_subject subject,
                                                                  uint32_t purpose, uint32_t category)
{
    custos_decision d = decide(ctx, s, subject, purpose, category);
    if (me != NULL)
        atomic_store_explicit(&me->hazard, NULL, memory_order_release);
    return d;
}

static int fast_allow(const gate_snap *s, custos_subject subject, uint32_t purpose, uint32_t category)
{
    return subject < s->nsubjects && (purpose | category) < 64 &&
           ((s->fast[subject] >> purpose) & (s->cat_mask[purpose] >> category) & 1u);
}

/* A thread without a slot: claim one, or check under the overflow mutex. */
static __attribute__((noinline)) custos_decision check_unslotted(const custos_t *ctx, custos_subject subject,
                                                                 uint32_t purpose, uint32_t category)
{
    if (claim_slot() != NULL)
        return custos_check(ctx, subject, purpose, category);
    struct custos_gate *g = ctx->gate;
    if (pthread_mutex_lock(&g->overflow) != 0)
        return CUSTOS_DENY_ERROR;
    const gate_snap *s = atomic_load_explicit(&g->cur, memory_order_acquire);
    custos_decision d = fast_allow(s, subject, purpose, category) ? CUSTOS_ALLOW
                                                                   : decide_and_leave(ctx, s, NULL, subject, purpose, category);
    pthread_mutex_unlock(&g->overflow);
    return d;
}

custos_decision custos_check(const custos_t *ctx, custos_subject subject, uint32_t purpose, uint32_t category)
{
    if (ctx == NULL || ctx->gate == NULL)
        return CUSTOS_DENY_ERROR;
    struct custos_gate *g = ctx->gate;
    struct gate_slot *me = tls_slot;
    if (me == NULL)
        return check_unslotted(ctx, subject, purpose, category);
    const gate_snap *s = atomic_load_explicit(&g->cur, memory_order_acquire), *again;
    for (;;) {
        if (reader_fence) {
            atomic_store_explicit(&me->hazard, s, memory_order_seq_cst);
        } else {
            atomic_store_explicit(&me->hazard, s, memory_order_release);
            atomic_signal_fence(memory_order_seq_cst);
        }
        if ((again = atomic_load_explicit(&g->cur, memory_order_seq_cst)) == s)
            break;
        s = again;
    }
    if (fast_allow(s, subject, purpose, category)) {
        atomic_store_explicit(&me->hazard, NULL, memory_order_release);
        return CUSTOS_ALLOW;
    }
    return decide_and_leave(ctx, s, me, subject, purpose, category);
}

/* Free every retired snapshot no reader names. */
static void reclaim(struct custos_gate *g)
{
    asymmetric_barrier();
    pthread_mutex_lock(&g->overflow);
    unsigned keep = 0;
    for (unsigned i = 0; i < g->nretired; i++) {
        if (hazarded(g->retired[i]))
            g->retired[keep++] = g->retired[i];
        else
            custos__free(g->retired[i]);
    }
    g->nretired = keep;
    pthread_mutex_unlock(&g->overflow);
}

/* Swap in s; the snapshot it replaces is freed once no reader holds it. */
static void publish(struct custos_gate *g, gate_snap *s)
{
    gate_snap *old = (gate_snap *)atomic_exchange_explicit(&g->cur, s, memory_order_seq_cst);
    if (old != &fail_closed)
        g->retired[g->nretired++] = old;
    reclaim(g);
}

/* The first snapshot that finds the consent seal broken records it: one
 * integrity_violation audit entry (in the writer's transaction when one is
 * open, at open; else in one of its own) and the detail in custos_errmsg. */
static void note_integrity(custos_t *ctx, const gate_snap *old, const gate_snap *s)
{
    static const char what[] = "consent state seal mismatch: run custos_consent_repair";
    _Static_assert(sizeof what - 1 <= CUSTOS_AUDIT_DETAIL_MAX, "an audit detail is at most 64 bytes");
    if (!s->integrity || old->integrity)
        return;
    const int kind = CUSTOS__V1__AUDIT_KIND__AUDIT_INTEGRITY_VIOLATION;
    int own = sqlite3_get_autocommit(ctx->db); /* after a commit: the write lock is still held */
    if (own && custos__db_begin(ctx) != CUSTOS_OK)
        own = -1;
    if (own >= 0) {
        int rc = custos__audit_append(ctx, kind, NULL, -1, CUSTOS_ECORRUPT, what);
        if (own && (rc != CUSTOS_OK || custos__db_commit(ctx) != CUSTOS_OK))
            custos__db_rollback(ctx);
    }
    (void)custos__fail(ctx, CUSTOS_ECORRUPT, "%s", what);
}

int custos__gate_publish(custos_t *ctx)
{
    gate_snap *s = NULL;
    int rc = custos_gate__snap_build(ctx, &s);
    const gate_snap *old = atomic_load(&ctx->gate->cur);
    if (rc == CUSTOS_OK)
        note_integrity(ctx, old, s);
    publish(ctx->gate, rc == CUSTOS_OK ? s : &fail_closed);
    return rc;
}

static int gate_init(custos_t *ctx)
{
    if (pthread_once(&gate_once, gate_global_init) != 0)
        return custos__fail(ctx, CUSTOS_EINTERNAL, "gate: one-time initialisation failed");
    struct custos_gate *g = custos__calloc(1, sizeof *g);
    if (g == NULL)
        return custos__fail(ctx, CUSTOS_ENOMEM, "out of memory");
    if (pthread_mutex_init(&g->overflow, NULL) != 0) {
        custos__free(g);
        return custos__fail(ctx, CUSTOS_EINTERNAL, "gate: cannot create a mutex");
    }
    atomic_init(&g->cur, &fail_closed); /* until the first publication */
    g->system_clock = custos__clock_is_system(ctx);
    ctx->gate = g;
    return CUSTOS_OK;
}

int custos__gate_attach(custos_t *ctx)
{
    int rc = gate_init(ctx);
    if (rc == CUSTOS_OK)
        rc = custos__txn_hook_add(ctx, CUSTOS_TXN_AFTER_COMMIT, custos__gate_publish);
    return rc != CUSTOS_OK ? rc : custos__gate_publish(ctx);
}

void custos__gate_detach(custos_t *ctx)
{
    struct custos_gate *g = ctx->gate;
    if (g == NULL)
        return;
    gate_snap *s = (gate_snap *)atomic_load(&g->cur);
    if (s != &fail_closed)
        custos__free(s);
    for (unsigned i = 0; i < g->nretired; i++)
        custos__free(g->retired[i]);
    pthread_mutex_destroy(&g->overflow);
    custos__free(g);
    ctx->gate = NULL;
}

int custos__gate_reader_fence(void)
{
    return reader_fence;
}

custos_decision custos__gate_check_slow(const custos_t *ctx, custos_subject subject, uint32_t purpose,
                                       uint32_t category)
{
    return decide(ctx, atomic_load(&ctx->gate->cur), subject, purpose, category);
}

unsigned custos__gate_slots_owned(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < GATE_SLOTS; i++)
        n += atomic_load_explicit(&slots[i].owned, memory_order_acquire) != 0;
    return n;
}

void custos__gate_test_config(int force_fence, unsigned max_slots)
{
    force_reader_fence = force_fence;
    slots_limit = max_slots == 0 || max_slots > GATE_SLOTS ? GATE_SLOTS : max_slots;
}

const char *custos_decision_str(custos_decision d)
{
    static const char *const words[] = {
        "allow", "deny: no manifest loaded", "deny: unknown subject", "deny: unknown purpose",
        "deny: category not declared for this purpose", "deny: no consent", "deny: consent refused",
        "deny: consent withdrawn", "deny: consent revoked", "deny: consent expired",
        "deny: consent invalidated", "deny: error", "deny: consent state failed its integrity check",
    };
    return (unsigned)d < sizeof words / sizeof words[0] ? words[d] : "deny: unknown decision";
}
