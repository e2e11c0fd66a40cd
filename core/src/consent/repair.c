/*
 * repair.c: custos_consent_repair, the consent state re-folded from the
 * verified ledger after the seal (seal.c) found it changed.
 *
 * The ledger is verified first (every signature and link); a broken ledger
 * cannot be trusted to repair anything and is refused. Then, for every
 * registered subject, its state rows are replaced by the fold of its events
 * (the last event per purpose, from the subject's registration on), and the
 * seal is recomputed over what the tables now hold. A stored policy that is
 * not the manifest its id names, or not the one the ledger's events under
 * its version were recorded with, is removed: the gate then answers
 * CUSTOS_DENY_NO_MANIFEST until the application loads its manifest again.
 */
#include "consent_private.h"
#include "../audit/audit_internal.h"
#include "custos/v1/audit.pb-c.h"

#include <custos/audit.h>
#include <custos/manifest.h>
#include <stdio.h>
#include <string.h>

typedef struct fold {
    int has[64];
    int64_t status[64], valid_until[64], time[64], policy_version[64], seq[64];
    int invalidated[64];
} fold;

static void fold_event(fold *f, const Custos__V1__ConsentEvent *ev)
{
    uint32_t p = ev->purpose;
    if (p > 63)
        return;
    int before = f->has[p] ? (int)f->status[p] : CUSTOS_CONSENT_UNKNOWN;
    f->has[p] = 1;
    f->status[p] = ev->status;
    f->valid_until[p] = ev->has_valid_until ? (int64_t)ev->valid_until : 0;
    f->time[p] = (int64_t)ev->time;
    f->policy_version[p] = (int64_t)ev->policy_version;
    f->seq[p] = (int64_t)ev->seq;
    int now = (int)ev->status;
    f->invalidated[p] = now == CUSTOS_CONSENT_INVALIDATED ||
                        (now == CUSTOS_CONSENT_REQUESTED && before == CUSTOS_CONSENT_INVALIDATED);
}

/* The fold of one subject's events recorded since it was registered. */
static int fold_subject(custos_t *ctx, const uint8_t hash[32], int64_t created, fold *f)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "SELECT signed FROM consent_event WHERE subject_hash = ?1 ORDER BY seq",
                                -1, &st, NULL);
    int crc = CUSTOS_OK;
    if (rc == SQLITE_OK)
        sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    while (crc == CUSTOS_OK && rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        Custos__V1__SignedEvent *se = NULL;
        Custos__V1__ConsentEvent *ev = NULL;
        rc = SQLITE_OK;
        crc = custos_consent__event_decode(ctx, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), &se, &ev);
        if (crc == CUSTOS_OK && (int64_t)ev->time >= created)
            fold_event(f, ev);
        custos_consent__body_free(ev);
        custos_consent__signed_free(se);
    }
    sqlite3_finalize(st);
    if (crc != CUSTOS_OK)
        return crc;
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "read the consent ledger");
}

static int write_fold(custos_t *ctx, int64_t subject, const fold *f)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "DELETE FROM consent_state WHERE subject = ?1", -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, subject);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(ctx->db, "INSERT INTO consent_state(subject, purpose, status, valid_until, time,"
                                         " policy_version, seq, invalidated) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                                -1, &st, NULL);
    for (int p = 0; rc == SQLITE_OK && p < 64; p++) {
        if (!f->has[p])
            continue;
        const int64_t v[8] = { subject, p, f->status[p], f->valid_until[p], f->time[p], f->policy_version[p],
                               f->seq[p], f->invalidated[p] };
        for (int i = 0; i < 8; i++)
            sqlite3_bind_int64(st, i + 1, v[i]);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? CUSTOS_OK : custos__sqlite_fail(ctx, sqlite3_errcode(ctx->db), "rewrite the consent state");
}

static int refold_all(custos_t *ctx, size_t *subjects)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "SELECT id, hash, created FROM subject ORDER BY id", -1, &st, NULL);
    int crc = CUSTOS_OK;
    while (crc == CUSTOS_OK && rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        if (sqlite3_column_bytes(st, 1) != 32) {
            crc = custos__fail(ctx, CUSTOS_ECORRUPT, "consent repair: subject %lld has a damaged hash",
                               (long long)sqlite3_column_int64(st, 0));
            break;
        }
        fold f;
        memset(&f, 0, sizeof f); /* not secret */
        crc = fold_subject(ctx, sqlite3_column_blob(st, 1), sqlite3_column_int64(st, 2), &f);
        if (crc == CUSTOS_OK)
            crc = write_fold(ctx, sqlite3_column_int64(st, 0), &f);
        (*subjects)++;
    }
    sqlite3_finalize(st);
    if (crc != CUSTOS_OK)
        return crc;
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "read the subjects");
}

/* --- the stored policy against the ledger ----------------------------- */

/* 1 if some event recorded under policy version v names another manifest. */
static int contradicted(custos_t *ctx, int64_t version, const uint8_t id[32], int *out)
{
    sqlite3_stmt *st = NULL;
    *out = 0;
    int rc = sqlite3_prepare_v2(ctx->db, "SELECT signed FROM consent_event", -1, &st, NULL);
    int crc = CUSTOS_OK;
    while (crc == CUSTOS_OK && !*out && rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        Custos__V1__SignedEvent *se = NULL;
        Custos__V1__ConsentEvent *ev = NULL;
        rc = SQLITE_OK;
        crc = custos_consent__event_decode(ctx, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), &se, &ev);
        if (crc == CUSTOS_OK && (int64_t)ev->policy_version == version)
            *out = ev->manifest_id.len != 32 || memcmp(ev->manifest_id.data, id, 32) != 0;
        custos_consent__body_free(ev);
        custos_consent__signed_free(se);
    }
    sqlite3_finalize(st);
    if (crc != CUSTOS_OK)
        return crc;
    return rc == SQLITE_DONE || rc == SQLITE_OK ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "read the consent ledger");
}

/* 1 if the policy row is not the manifest its id names, or not the one the
 * ledger's events under its version were recorded with. */
static int policy_row_bad(custos_t *ctx, sqlite3_stmt *st, int *bad)
{
    uint8_t id[32];
    custos_manifest_error err;
    *bad = 1;
    if (sqlite3_column_bytes(st, 1) != 32 ||
        custos_manifest_id(id, sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2), &err) != CUSTOS_OK ||
        memcmp(id, sqlite3_column_blob(st, 1), 32) != 0)
        return CUSTOS_OK;
    return contradicted(ctx, sqlite3_column_int64(st, 0), id, bad);
}

/* Remove every policy row the ledger contradicts; *removed counts them. */
static int drop_bad_policies(custos_t *ctx, size_t *removed)
{
    sqlite3_stmt *st = NULL, *del = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "SELECT version, manifest_id, compiled FROM policy", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(ctx->db, "DELETE FROM policy WHERE version = ?1", -1, &del, NULL);
    int crc = CUSTOS_OK;
    while (crc == CUSTOS_OK && rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int bad = 0;
        rc = SQLITE_OK;
        if ((crc = policy_row_bad(ctx, st, &bad)) != CUSTOS_OK || !bad)
            continue;
        sqlite3_bind_int64(del, 1, sqlite3_column_int64(st, 0));
        if (sqlite3_step(del) != SQLITE_DONE)
            crc = custos__sqlite_fail(ctx, sqlite3_errcode(ctx->db), "remove a damaged policy");
        sqlite3_reset(del);
        (*removed)++;
    }
    sqlite3_finalize(st);
    sqlite3_finalize(del);
    if (crc != CUSTOS_OK)
        return crc;
    if (rc != SQLITE_DONE)
        return custos__sqlite_fail(ctx, rc, "read the policy");
    return *removed != 0 ? custos_consent__policy_reload(ctx) : CUSTOS_OK;
}

/* The paired keys cannot be re-derived from the ledger: after a broken
 * seal none of them is trusted, and every peer must pair again. */
static int unpair_all(custos_t *ctx, int *unpaired)
{
    int rc = custos__db_exec(ctx, "DELETE FROM peer;");
    *unpaired = rc == CUSTOS_OK ? sqlite3_changes(ctx->db) : 0;
    return rc;
}

int custos_consent_repair(custos_t *ctx, size_t *out_subjects)
{
    if (ctx == NULL)
        return CUSTOS_EINVAL;
    size_t n = 0;
    int rc = custos__txn_begin(ctx);
    if (rc != CUSTOS_OK)
        return rc;
    uint64_t bad = 0, last = 0;
    rc = custos_consent__verify_chain(ctx, &bad, &last);
    size_t dropped = 0;
    int sealed = 1, unpaired = 0;
    if (rc == CUSTOS_OK)
        rc = custos_consent__seal_matches(ctx, &sealed);
    int setting = 0;
    if (rc == CUSTOS_OK && !sealed)
        rc = unpair_all(ctx, &unpaired);
    if (rc == CUSTOS_OK && !sealed)
        rc = custos__audit_setting_restore(ctx, &setting);
    if (rc == CUSTOS_OK)
        rc = drop_bad_policies(ctx, &dropped);
    if (rc == CUSTOS_OK)
        rc = refold_all(ctx, &n);
    if (rc == CUSTOS_OK)
        rc = custos_consent__seal_reset(ctx);
    char detail[CUSTOS_AUDIT_DETAIL_MAX + 1];
    if (unpaired == 0 && !setting)
        snprintf(detail, sizeof detail, "consent state re-folded from the verified ledger");
    else
        snprintf(detail, sizeof detail, "state re-folded; %d peer(s) unpaired%s", unpaired,
                 setting ? "; audit opt-out restored" : "");
    if (rc == CUSTOS_OK)
        rc = custos__audit_append(ctx, CUSTOS__V1__AUDIT_KIND__AUDIT_INTEGRITY_VIOLATION, NULL, -1, 0, detail);
    rc = custos__txn_end(ctx, rc);
    if (rc == CUSTOS_OK && out_subjects != NULL)
        *out_subjects = n;
    return rc;
}
