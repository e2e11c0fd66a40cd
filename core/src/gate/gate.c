/*
 * gate.c: custos_check() and the publication of snapshots.
 *
 * Readers take no lock and allocate nothing. A reader announces itself in a
 * counter of the current epoch's parity (striped over cache lines so that
 * readers on different threads do not share one), loads the current
 * snapshot, decides, and leaves. A writer (ctx->write_lock held) swaps in
 * the new snapshot, then flips the epoch twice, each time waiting for the
 * readers of the parity it left to drain; after both, no reader can still
 * hold the old snapshot, which it frees. A reader that announced itself
 * after the writer looked at its counter necessarily loads the new
 * snapshot (the counter update and the pointer load are sequentially
 * consistent), so the wait is never too short.
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

#include <sched.h>
#include <time.h>

#define GATE_STRIPES 16u

struct gate_counter {
    _Alignas(64) atomic_long n;
};

struct custos_gate {
    _Atomic(gate_snap *) cur;
    _Alignas(64) atomic_uint epoch;
    struct gate_counter readers[2][GATE_STRIPES];
    int system_clock;            /* 1: ctx->clock is the default system clock */
};

static atomic_uint stripe_next;
static _Thread_local unsigned tls_stripe __attribute__((tls_model("initial-exec")));

static unsigned my_stripe(void)
{
    unsigned s = tls_stripe;
    if (s == 0) {
        s = 1u + atomic_fetch_add_explicit(&stripe_next, 1, memory_order_relaxed) % GATE_STRIPES;
        tls_stripe = s;
    }
    return s - 1u;
}

static uint64_t gate_now(const custos_t *ctx)
{
    if (ctx->gate->system_clock) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME_COARSE, &ts);
        return (uint64_t)ts.tv_sec;
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
    if ((s->nonconsent >> purpose) & 1u)
        return CUSTOS_ALLOW;
    const gate_subject *g = &s->subjects[subject];
    if (!((g->allowed >> purpose) & 1u))
        return (custos_decision)g->reason[purpose];
    if (g->valid_until[purpose] != GATE_NO_EXPIRY && gate_now(ctx) >= g->valid_until[purpose])
        return CUSTOS_DENY_EXPIRED;
    return CUSTOS_ALLOW;
}

custos_decision custos_check(const custos_t *ctx, custos_subject subject, uint32_t purpose, uint32_t category)
{
    if (ctx == NULL || ctx->gate == NULL)
        return CUSTOS_DENY_ERROR;
    struct custos_gate *g = ctx->gate;
    unsigned e = atomic_load_explicit(&g->epoch, memory_order_acquire) & 1u;
    atomic_long *mine = &g->readers[e][my_stripe()].n;
    atomic_fetch_add_explicit(mine, 1, memory_order_seq_cst);
    const gate_snap *s = atomic_load_explicit(&g->cur, memory_order_seq_cst);
    custos_decision d = s != NULL ? decide(ctx, s, subject, purpose, category) : CUSTOS_DENY_ERROR;
    atomic_fetch_sub_explicit(mine, 1, memory_order_release);
    return d;
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Wait until no reader announced under parity remains. A reader stays a
 * few nanoseconds, so spin first; yield only if a reader was descheduled
 * inside its check. */
static void drain(struct custos_gate *g, unsigned parity)
{
    for (unsigned spins = 0;; spins++) {
        long sum = 0;
        for (unsigned i = 0; i < GATE_STRIPES; i++)
            sum += atomic_load_explicit(&g->readers[parity][i].n, memory_order_seq_cst);
        if (sum == 0)
            return;
        if (spins < 1000)
            cpu_relax();
        else
            sched_yield();
    }
}

/* Published when a snapshot cannot be built (out of memory, a failed
 * read): the store may have changed, so the gate denies everything
 * (CUSTOS_DENY_ERROR) until the next successful publication. */
static gate_snap fail_closed = { .failed = 1 };

/* Swap in s and free the snapshot it replaces once no reader holds it. */
static void publish(struct custos_gate *g, gate_snap *s)
{
    gate_snap *old = atomic_exchange_explicit(&g->cur, s, memory_order_seq_cst);
    for (int i = 0; i < 2; i++)
        drain(g, atomic_fetch_add_explicit(&g->epoch, 1, memory_order_seq_cst) & 1u);
    if (old != &fail_closed)
        custos__free(old);
}

int custos__gate_publish(custos_t *ctx)
{
    gate_snap *s = NULL;
    int rc = gate_snap_build(ctx, &s);
    publish(ctx->gate, rc == CUSTOS_OK ? s : &fail_closed);
    return rc;
}

int custos__gate_init(custos_t *ctx)
{
    struct custos_gate *g = custos__calloc(1, sizeof *g);
    if (g == NULL)
        return custos__fail(ctx, CUSTOS_ENOMEM, "out of memory");
    atomic_init(&g->cur, NULL);
    atomic_init(&g->epoch, 0);
    for (unsigned p = 0; p < 2; p++)
        for (unsigned i = 0; i < GATE_STRIPES; i++)
            atomic_init(&g->readers[p][i].n, 0);
    g->system_clock = custos__clock_is_system(ctx);
    ctx->gate = g;
    return CUSTOS_OK;
}

void custos__gate_free(custos_t *ctx)
{
    if (ctx->gate == NULL)
        return;
    gate_snap *s = atomic_load(&ctx->gate->cur);
    if (s != &fail_closed)
        custos__free(s);
    custos__free(ctx->gate);
    ctx->gate = NULL;
}

const char *custos_decision_str(custos_decision d)
{
    static const char *const words[] = {
        "allow", "deny: no manifest loaded", "deny: unknown subject", "deny: unknown purpose",
        "deny: category not declared for this purpose", "deny: no consent", "deny: consent refused",
        "deny: consent withdrawn", "deny: consent revoked", "deny: consent expired",
        "deny: consent invalidated", "deny: error",
    };
    return (unsigned)d < sizeof words / sizeof words[0] ? words[d] : "deny: unknown decision";
}
