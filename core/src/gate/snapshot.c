/*
 * snapshot.c: building a gate snapshot from the store and the loaded
 * manifest. Runs only in writers (ctx->write_lock held); readers see the
 * result through gate.c.
 */
#include "gate_internal.h"
#include "../consent/policy_internal.h"
#include "../consent/subject_internal.h"

#include <custos/consent.h>
#include <string.h>

static custos_decision reason_of(int status, int invalidated)
{
    switch (status) {
    case CUSTOS_CONSENT_REFUSED:     return CUSTOS_DENY_REFUSED;
    case CUSTOS_CONSENT_WITHDRAWN:   return CUSTOS_DENY_WITHDRAWN;
    case CUSTOS_CONSENT_REVOKED:     return CUSTOS_DENY_REVOKED;
    case CUSTOS_CONSENT_EXPIRED:     return CUSTOS_DENY_EXPIRED;
    case CUSTOS_CONSENT_INVALIDATED: return CUSTOS_DENY_INVALIDATED;
    default: return invalidated ? CUSTOS_DENY_INVALIDATED : CUSTOS_DENY_NO_CONSENT;
    }
}

static void fill_purposes(gate_snap *s, const custos_manifest_pb *m)
{
    uint32_t off = 0;
    s->has_manifest = 1;
    for (size_t i = 0; i < m->n_purposes; i++) {
        const custos_purpose_pb *p = m->purposes[i];
        s->declared |= 1ull << p->id;
        if (p->legal_basis != CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_CONSENT)
            s->nonconsent |= 1ull << p->id;
        s->cat_off[p->id] = off;
        s->cat_n[p->id] = (uint32_t)p->n_categories;
        for (size_t c = 0; c < p->n_categories; c++) {
            s->cats[off++] = p->categories[c];
            if (p->categories[c] < 64)
                s->cat_mask[p->id] |= 1ull << p->categories[c];
        }
    }
}

static int add_subject(void *user, custos_subject id)
{
    gate_snap *s = user;
    if (id >= s->nsubjects)
        return CUSTOS_OK;
    gate_subject *g = &s->subjects[id];
    g->present = 1;
    for (int p = 0; p < 64; p++) {
        g->valid_until[p] = GATE_NO_EXPIRY;
        g->reason[p] = CUSTOS_DENY_NO_CONSENT;
    }
    return CUSTOS_OK;
}

static int add_state(void *user, const custos_consent_row *r)
{
    gate_snap *s = user;
    if (r->subject >= s->nsubjects || r->purpose > 63 || !s->subjects[r->subject].present)
        return CUSTOS_OK;
    gate_subject *g = &s->subjects[r->subject];
    if (custos_consent_valid_for_processing(r->status)) {
        g->allowed |= 1ull << r->purpose;
        g->valid_until[r->purpose] = r->valid_until != 0 ? r->valid_until : GATE_NO_EXPIRY;
    } else {
        g->reason[r->purpose] = (uint8_t)reason_of((int)r->status, r->invalidated);
    }
    return CUSTOS_OK;
}

static void taint(void *user, custos_subject id)
{
    gate_snap *s = user;
    if (id < s->nsubjects)
        s->subjects[id].tainted = 1;
}

/* The consent module's seal over the state, subject and policy tables: on a
 * mismatch the subjects whose rows disagree with the ledger are tainted, or
 * every subject when the change cannot be pinned on rows (a deleted row, a
 * subject's hash or role, the policy, the seal itself). A tainted subject
 * answers CUSTOS_DENY_INTEGRITY for every purpose. */
static int check_seal(custos_t *ctx, gate_snap *s)
{
    int matches = 0;
    size_t blamed = 0;
    int rc = custos_consent__seal_matches(ctx, &matches);
    if (rc != CUSTOS_OK || matches)
        return rc;
    s->integrity = 1;
    if ((rc = custos_consent__seal_blame(ctx, taint, s, &blamed)) != CUSTOS_OK)
        return rc;
    for (uint32_t i = 0; blamed == 0 && i < s->nsubjects; i++)
        s->subjects[i].tainted = 1;
    return CUSTOS_OK;
}

/* The subjects and their consent state, read through the consent module. */
static int fill_subjects(custos_t *ctx, gate_snap *s)
{
    int rc = custos__subject_foreach(ctx, add_subject, s);
    if (rc == CUSTOS_OK)
        rc = custos__consent_foreach(ctx, add_state, s);
    return rc != CUSTOS_OK ? rc : check_seal(ctx, s);
}

/* The fast path's mask: purposes the manifest declares that are allowed
 * for a known subject with no valid_until to compare (decide() in gate.c
 * gives the same answer for them). */
static void fold_fast(gate_snap *s, uint64_t *fast)
{
    for (uint32_t i = 0; i < s->nsubjects; i++) {
        gate_subject *g = &s->subjects[i];
        if (!g->present || g->tainted)
            continue;
        uint64_t timed = 0;
        for (int p = 0; p < 64; p++)
            if (g->valid_until[p] != GATE_NO_EXPIRY)
                timed |= 1ull << p;
        fast[i] = s->declared & (s->nonconsent | (g->allowed & ~timed));
    }
}

int custos_gate__snap_build(custos_t *ctx, gate_snap **out)
{
    const custos_manifest_pb *m = custos__policy_manifest(ctx, NULL);
    custos_subject max_id = 0;
    int rc = custos__subject_max(ctx, &max_id);
    if (rc != CUSTOS_OK)
        return rc;
    size_t ncats = 0;
    for (size_t i = 0; m != NULL && i < m->n_purposes; i++)
        ncats += m->purposes[i]->n_categories;
    size_t nsub = (size_t)max_id + 1;
    size_t size = sizeof(gate_snap) + nsub * (sizeof(gate_subject) + sizeof(uint64_t)) + ncats * sizeof(uint32_t);
    gate_snap *s = custos__calloc(1, size);
    if (s == NULL)
        return custos__fail(ctx, CUSTOS_ENOMEM, "out of memory for the gate snapshot");
    s->nsubjects = (uint32_t)nsub;
    s->subjects = (gate_subject *)(s + 1);
    uint64_t *fast = (uint64_t *)(s->subjects + nsub);
    s->fast = fast;
    s->cats = (uint32_t *)(fast + nsub);
    if (m != NULL)
        fill_purposes(s, m);
    if ((rc = fill_subjects(ctx, s)) != CUSTOS_OK) {
        custos__free(s);
        return rc;
    }
    if (s->has_manifest)
        fold_fast(s, fast);
    *out = s;
    return CUSTOS_OK;
}
