/*
 * snapshot.c: building a gate snapshot from the store and the loaded
 * manifest. Runs only in writers (ctx->write_lock held); readers see the
 * result through gate.c.
 */
#include "gate_internal.h"
#include "../consent/policy_internal.h"

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

static int query_int(custos_t *ctx, const char *sql, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = SQLITE_DONE;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "build the gate snapshot");
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

static int fill_subjects(custos_t *ctx, gate_snap *s)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "SELECT id FROM subject", -1, &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        gate_subject *g = &s->subjects[sqlite3_column_int64(st, 0)];
        g->present = 1;
        for (int p = 0; p < 64; p++) {
            g->valid_until[p] = GATE_NO_EXPIRY;
            g->reason[p] = CUSTOS_DENY_NO_CONSENT;
        }
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return custos__sqlite_fail(ctx, rc, "build the gate snapshot");
    rc = sqlite3_prepare_v2(ctx->db, "SELECT subject, purpose, status, valid_until, invalidated FROM consent_state",
                            -1, &st, NULL);
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0), p = sqlite3_column_int64(st, 1);
        int status = sqlite3_column_int(st, 2);
        rc = SQLITE_OK;
        if (id < 0 || id >= (int64_t)s->nsubjects || p < 0 || p > 63 || !s->subjects[id].present)
            continue;
        gate_subject *g = &s->subjects[id];
        if (custos_consent_valid_for_processing((custos_consent_status)status)) {
            uint64_t vu = (uint64_t)sqlite3_column_int64(st, 3);
            g->allowed |= 1ull << p;
            g->valid_until[p] = vu != 0 ? vu : GATE_NO_EXPIRY;
        } else {
            g->reason[p] = (uint8_t)reason_of(status, sqlite3_column_int(st, 4));
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "build the gate snapshot");
}

/* The fast path's mask: purposes the manifest declares that are allowed
 * for a known subject with no valid_until to compare (decide() in gate.c
 * gives the same answer for them). */
static void fold_fast(gate_snap *s, uint64_t *fast)
{
    for (uint32_t i = 0; i < s->nsubjects; i++) {
        gate_subject *g = &s->subjects[i];
        if (!g->present)
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
    int64_t max_id = 0;
    int rc = query_int(ctx, "SELECT coalesce(max(id), 0) FROM subject", &max_id);
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
