/*
 * transition.c: which DPV consent transitions a caller may make, and who may
 * make them. The table is documented in docs/consent.md; the tests walk
 * every cell of it.
 */
#include "consent_private.h"

enum { NSTATES = 10 };
#define B(s) (1u << CUSTOS_CONSENT_##s)

/* to-state -> the set of from-states a caller may leave for it. */
static const unsigned caller_from[NSTATES] = {
    [CUSTOS_CONSENT_REQUESTED] = B(UNKNOWN) | B(REQUEST_DEFERRED) | B(REFUSED) | B(WITHDRAWN) |
                                 B(REVOKED) | B(EXPIRED) | B(INVALIDATED),
    [CUSTOS_CONSENT_REQUEST_DEFERRED] = B(REQUESTED),
    [CUSTOS_CONSENT_GIVEN] = B(UNKNOWN) | B(REQUESTED) | B(REQUEST_DEFERRED) | B(REFUSED) |
                             B(WITHDRAWN) | B(REVOKED) | B(EXPIRED) | B(INVALIDATED),
    [CUSTOS_CONSENT_RENEWED] = B(GIVEN) | B(RENEWED) | B(EXPIRED),
    [CUSTOS_CONSENT_REFUSED] = B(UNKNOWN) | B(REQUESTED) | B(REQUEST_DEFERRED) | B(EXPIRED) | B(INVALIDATED),
    [CUSTOS_CONSENT_WITHDRAWN] = B(GIVEN) | B(RENEWED),
    [CUSTOS_CONSENT_REVOKED] = B(GIVEN) | B(RENEWED),
};

/* What Custos itself records: expiry and invalidation of a valid consent,
 * and asking again after an invalidation. */
static const unsigned system_from[NSTATES] = {
    [CUSTOS_CONSENT_EXPIRED] = B(GIVEN) | B(RENEWED),
    [CUSTOS_CONSENT_INVALIDATED] = B(GIVEN) | B(RENEWED) | B(REQUESTED) | B(REQUEST_DEFERRED),
    [CUSTOS_CONSENT_REQUESTED] = B(INVALIDATED),
};

static int in_table(const unsigned *table, custos_consent_status from, custos_consent_status to)
{
    if ((unsigned)from >= NSTATES || (unsigned)to >= NSTATES)
        return 0;
    return (table[to] >> from) & 1u;
}

int custos_consent_transition_allowed(custos_consent_status from, custos_consent_status to)
{
    return in_table(caller_from, from, to);
}

int custos_consent__system_transition_allowed(custos_consent_status from, custos_consent_status to)
{
    return in_table(system_from, from, to);
}

int custos_consent__actor_check(custos_t *ctx, custos_role role, custos_consent_status to, custos_consent_actor actor)
{
    if (actor < CUSTOS_ACTOR_SUBJECT || actor > CUSTOS_ACTOR_CONTROLLER)
        return custos__fail(ctx, CUSTOS_EINVAL, "consent: actor %d cannot record a decision", (int)actor);
    if (to == CUSTOS_CONSENT_REVOKED)
        return actor == CUSTOS_ACTOR_SUBJECT
                   ? custos__fail(ctx, CUSTOS_EINVAL, "consent: a subject withdraws; revocation is by a guardian or the controller")
                   : CUSTOS_OK;
    if (role == CUSTOS_ROLE_CHILD && actor != CUSTOS_ACTOR_GUARDIAN && to != CUSTOS_CONSENT_REQUESTED &&
        to != CUSTOS_CONSENT_REQUEST_DEFERRED)
        return custos__fail(ctx, CUSTOS_EINVAL, "consent: a child's decision must be made by a guardian (actor GUARDIAN)");
    if (actor == CUSTOS_ACTOR_CONTROLLER && to != CUSTOS_CONSENT_REQUESTED && to != CUSTOS_CONSENT_REQUEST_DEFERRED)
        return custos__fail(ctx, CUSTOS_EINVAL, "consent: the controller may only request consent or revoke it");
    return CUSTOS_OK;
}

static const char *const status_terms[NSTATES] = {
    "dpv:ConsentUnknown", "dpv:ConsentRequested", "dpv:ConsentRequestDeferred", "dpv:ConsentGiven",
    "dpv:RenewedConsentGiven", "dpv:ConsentRefused", "dpv:ConsentWithdrawn", "dpv:ConsentRevoked",
    "dpv:ConsentExpired", "dpv:ConsentInvalidated",
};

const char *custos_consent_status_str(custos_consent_status s)
{
    return (unsigned)s < NSTATES ? status_terms[s] : "";
}

int custos_consent_valid_for_processing(custos_consent_status s)
{
    return s == CUSTOS_CONSENT_GIVEN || s == CUSTOS_CONSENT_RENEWED;
}
