/*
 * custos/gate.h: the question every collection point asks before it
 * collects: may this subject's data of this category be processed for this
 * purpose, now?
 *
 * custos_check() reads an immutable snapshot of the consent state: it takes
 * no lock, allocates nothing and makes no system call. It fails closed: every
 * unknown (subject, purpose, category, no manifest loaded) is a denial with a
 * reason a program can act on. A change made by a consent call is visible to
 * the next check once that call has returned. Any number of threads may
 * check at once, while other threads write; a thread's first check claims
 * one of 256 per-process reader slots, given back when the thread exits
 * (docs/consent.md, "The gate"). Not for use in a signal handler.
 *
 * Purposes whose legal basis is not consent are allowed for every known
 * subject (and disclosed as such in the notices).
 */
#ifndef CUSTOS_GATE_H
#define CUSTOS_GATE_H

#include "store.h"
#include "subject.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum custos_decision {
    CUSTOS_ALLOW = 0,
    CUSTOS_DENY_NO_MANIFEST = 1,         /* no manifest loaded into the store */
    CUSTOS_DENY_UNKNOWN_SUBJECT = 2,
    CUSTOS_DENY_UNKNOWN_PURPOSE = 3,
    CUSTOS_DENY_CATEGORY_NOT_DECLARED = 4, /* the purpose does not declare this category */
    CUSTOS_DENY_NO_CONSENT = 5,          /* never asked, or asked and not yet answered */
    CUSTOS_DENY_REFUSED = 6,
    CUSTOS_DENY_WITHDRAWN = 7,
    CUSTOS_DENY_REVOKED = 8,
    CUSTOS_DENY_EXPIRED = 9,
    CUSTOS_DENY_INVALIDATED = 10,        /* given to a materially older manifest, or ownership changed */
    CUSTOS_DENY_ERROR = 11,              /* NULL handle or internal failure: fail closed */
    CUSTOS_DENY_INTEGRITY = 12           /* the subject's consent state (or the policy) fails its seal
                                            or its ledger check: custos_consent_repair */
} custos_decision;

CUSTOS_API CUSTOS_WARN_UNUSED
custos_decision custos_check(const custos_t *ctx, custos_subject subject,
                             uint32_t purpose, uint32_t category);

/* "allow", "deny: consent withdrawn", ... (static strings). */
CUSTOS_API const char *custos_decision_str(custos_decision d);

#ifdef __cplusplus
}
#endif
#endif
