/*
 * consent.c: recording decisions, expiry, and the state and history
 * queries. Every writer runs between custos__txn_begin and custos__txn_end
 * (ground/txn.c): the write lock, one IMMEDIATE transaction, due expiries
 * recorded first (this module's before_write hook), and a new gate snapshot
 * published after the commit (the gate's after_commit hook).
 */
#include "consent_private.h"
#include "../audit/audit_internal.h"
#include "custos/v1/audit.pb-c.h"

#include <string.h>

static const custos_consent_info system_info = {
    CUSTOS_CONSENT_INFO_VERSION, NULL, NULL, CUSTOS_METHOD_SYSTEM, CUSTOS_ACTOR_SYSTEM
};

int custos_consent__state_get(custos_t *ctx, custos_subject subject, uint32_t purpose, custos_consent_state_info *out)
{
    sqlite3_stmt *st = NULL;
    memset(out, 0, sizeof *out); /* not secret */
    int rc = sqlite3_prepare_v2(ctx->db,
                                "SELECT status, valid_until, time, policy_version, seq, invalidated FROM consent_state"
                                " WHERE subject = ?1 AND purpose = ?2", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return custos__sqlite_fail(ctx, rc, "read the consent state");
    sqlite3_bind_int64(st, 1, subject);
    sqlite3_bind_int(st, 2, (int)purpose);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        int status = sqlite3_column_int(st, 0);
        out->status = (custos_consent_status)status;
        out->valid_until = (uint64_t)sqlite3_column_int64(st, 1);
        out->time = (uint64_t)sqlite3_column_int64(st, 2);
        out->policy_version = (uint32_t)sqlite3_column_int64(st, 3);
        out->seq = (uint64_t)sqlite3_column_int64(st, 4);
        out->invalidated = sqlite3_column_int(st, 5);
        rc = (status < CUSTOS_CONSENT_REQUESTED || status > CUSTOS_CONSENT_INVALIDATED) ? SQLITE_CORRUPT : SQLITE_DONE;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_CORRUPT)
        return custos__fail(ctx, CUSTOS_ECORRUPT, "consent state of subject %u purpose %u is malformed", subject, purpose);
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "read the consent state");
}

static int audit_change(custos_t *ctx, const uint8_t hash[32], uint32_t purpose, custos_consent_status status)
{
    return custos__audit_append(ctx, CUSTOS__V1__AUDIT_KIND__AUDIT_CONSENT_CHANGED, hash, purpose, 0,
                                custos_consent_status_str(status));
}

int custos_consent__record_system(custos_t *ctx, custos_subject subject, uint32_t purpose,
                     custos_consent_status status, int invalidated)
{
    uint8_t hash[32];
    custos_role role;
    custos_consent_state_info cur;
    int rc = custos_consent__subject_get(ctx, subject, hash, &role);
    if (rc == CUSTOS_OK)
        rc = custos_consent__state_get(ctx, subject, purpose, &cur);
    if (rc != CUSTOS_OK)
        return rc;
    if (!custos_consent__system_transition_allowed(cur.status, status))
        return custos__fail(ctx, CUSTOS_EINTERNAL, "consent: system transition %s -> %s",
                            custos_consent_status_str(cur.status), custos_consent_status_str(status));
    cs_event_in in = { .subject_hash = hash, .subject = subject, .purpose = purpose, .status = status,
                       .info = &system_info, .role = role, .invalidated = invalidated };
    in.time = custos__now(ctx, &in.confidence);
    rc = custos_consent__event_append(ctx, &in);
    return rc != CUSTOS_OK ? rc : audit_change(ctx, hash, purpose, status);
}

/* Run one "SELECT subject, purpose ... LIMIT 1" until it finds nothing,
 * recording status for each row (each recording removes the row from the
 * query's result). */
static int for_each_pair(custos_t *ctx, sqlite3_stmt *st, custos_consent_status status)
{
    int rc, crc = CUSTOS_OK;
    while (crc == CUSTOS_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        custos_subject s = (custos_subject)sqlite3_column_int64(st, 0);
        uint32_t p = (uint32_t)sqlite3_column_int(st, 1);
        sqlite3_reset(st);
        crc = custos_consent__record_system(ctx, s, p, status, 0);
        if (crc == CUSTOS_OK && status == CUSTOS_CONSENT_INVALIDATED)
            crc = custos_consent__record_system(ctx, s, p, CUSTOS_CONSENT_REQUESTED, 1);
    }
    sqlite3_finalize(st);
    if (crc != CUSTOS_OK)
        return crc;
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "scan the consent state");
}

int custos_consent__expire_due(custos_t *ctx)
{
    if (custos__policy_manifest(ctx, NULL) == NULL)
        return CUSTOS_OK;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db,
                                "SELECT subject, purpose FROM consent_state WHERE status IN (3, 4)"
                                " AND valid_until != 0 AND valid_until <= ?1 LIMIT 1", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return custos__sqlite_fail(ctx, rc, "find expired consents");
    sqlite3_bind_int64(st, 1, (sqlite3_int64)custos__now(ctx, NULL));
    return for_each_pair(ctx, st, CUSTOS_CONSENT_EXPIRED);
}

int custos_consent__invalidate(custos_t *ctx, custos_subject subject, int64_t purpose)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db,
                                "SELECT subject, purpose FROM consent_state WHERE subject = ?1 AND status IN (3, 4)"
                                " AND (?2 < 0 OR purpose = ?2) LIMIT 1", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return custos__sqlite_fail(ctx, rc, "find consents to invalidate");
    sqlite3_bind_int64(st, 1, subject);
    sqlite3_bind_int64(st, 2, purpose);
    return for_each_pair(ctx, st, CUSTOS_CONSENT_INVALIDATED);
}

int custos_consent__audit_failure(custos_t *ctx, int code, const char *detail)
{
    char msg[CUSTOS_ERRMSG_MAX];
    memcpy(msg, custos_errmsg(ctx), sizeof msg);
    if (custos__db_begin(ctx) == CUSTOS_OK) {
        int rc = custos__audit_append(ctx, CUSTOS__V1__AUDIT_KIND__AUDIT_INTEGRITY_VIOLATION, NULL, -1, code, detail);
        if (rc == CUSTOS_OK)
            rc = custos__db_commit(ctx);
        if (rc != CUSTOS_OK)
            custos__db_rollback(ctx);
    }
    return custos__fail(ctx, code, "%s", msg);
}

static int info_ok(custos_t *ctx, const custos_consent_info *info)
{
    if (info == NULL)
        return custos__fail(ctx, CUSTOS_EINVAL, "consent: no info given (use CUSTOS_CONSENT_INFO_INIT)");
    if (info->version != CUSTOS_CONSENT_INFO_VERSION)
        return custos__fail(ctx, CUSTOS_EINVAL, "consent: info version %u, expected %u", info->version,
                            CUSTOS_CONSENT_INFO_VERSION);
    size_t n = info->notice_lang != NULL ? strnlen(info->notice_lang, 17) : 0;
    if (n == 0 || n > 16)
        return custos__fail(ctx, CUSTOS_EINVAL, "consent: notice language must be a BCP 47 tag of 1..16 characters");
    if (info->method < CUSTOS_METHOD_COMPANION_APP || info->method > CUSTOS_METHOD_API)
        return custos__fail(ctx, CUSTOS_EINVAL, "consent: method %d cannot record a decision", (int)info->method);
    return CUSTOS_OK;
}

/* The purpose p of the loaded manifest, checked for a consent decision. */
static int purpose_check(custos_t *ctx, uint32_t purpose, const custos_purpose_pb **out)
{
    const custos_manifest_pb *m = custos__policy_manifest(ctx, NULL);
    if (m == NULL)
        return custos__fail(ctx, CUSTOS_ESTATE, "consent: no manifest is loaded into this store");
    const custos_purpose_pb *p = custos__manifest_purpose(m, purpose);
    if (p == NULL)
        return custos__fail(ctx, CUSTOS_ENOTFOUND, "consent: purpose %u is not declared by the manifest", purpose);
    if (p->legal_basis != CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_CONSENT)
        return custos__fail(ctx, CUSTOS_EINVAL, "consent: purpose %u does not rest on consent", purpose);
    *out = p;
    return CUSTOS_OK;
}

static int caller_status(custos_consent_status s)
{
    return s >= CUSTOS_CONSENT_REQUESTED && s <= CUSTOS_CONSENT_REVOKED;
}

/* valid_until of a new given consent: the purpose's lifetime, capped by the app's. */
static uint64_t valid_until_of(const custos_purpose_pb *p, custos_consent_status s, uint64_t now, uint64_t app)
{
    if (!custos_consent_valid_for_processing(s))
        return 0;
    uint64_t own = 0;
    if (p->consent_lifetime != NULL && p->consent_lifetime->has_seconds && p->consent_lifetime->seconds > 0)
        own = now + p->consent_lifetime->seconds;
    if (app != 0 && (own == 0 || app < own))
        return app;
    return own;
}

int custos_consent__record(custos_t *ctx, custos_subject subject, uint32_t purpose, custos_consent_status status,
              const custos_consent_info *info, const cs_event_in *app, uint64_t app_time)
{
    if (!caller_status(status))
        return custos__fail(ctx, CUSTOS_EINVAL, "consent: %s is recorded by Custos only",
                            custos_consent_status_str(status));
    const custos_purpose_pb *p = NULL;
    uint8_t hash[32];
    custos_role role;
    custos_consent_state_info cur;
    int rc = info_ok(ctx, info);
    if (rc == CUSTOS_OK)
        rc = purpose_check(ctx, purpose, &p);
    if (rc == CUSTOS_OK)
        rc = custos_consent__subject_get(ctx, subject, hash, &role);
    if (rc == CUSTOS_OK)
        rc = custos_consent__actor_check(ctx, role, status, info->actor);
    if (rc == CUSTOS_OK)
        rc = custos_consent__state_get(ctx, subject, purpose, &cur);
    if (rc != CUSTOS_OK)
        return rc;
    if (p == NULL) /* purpose_check sets it whenever it succeeds */
        return custos__fail(ctx, CUSTOS_EINTERNAL, "consent: purpose %u was not resolved", purpose);
    if (!custos_consent_transition_allowed(cur.status, status))
        return custos__fail(ctx, CUSTOS_ESTATE, "consent: %s -> %s is not an allowed transition",
                            custos_consent_status_str(cur.status), custos_consent_status_str(status));
    cs_event_in in = { .subject_hash = hash, .subject = subject, .purpose = purpose, .status = status,
                       .info = info, .role = (uint32_t)role };
    if (app != NULL) {
        in.app_body = app->app_body;
        in.app_body_len = app->app_body_len;
        in.app_signature = app->app_signature;
        in.app_key = app->app_key;
    }
    in.time = custos__now(ctx, &in.confidence);
    if (app_time != 0 && in.confidence < CUSTOS_TIME_APP_SIGNED) {
        in.time = app_time;
        in.confidence = CUSTOS_TIME_APP_SIGNED;
    }
    in.valid_until = valid_until_of(p, status, in.time, app != NULL ? app->valid_until : 0);
    rc = custos_consent__event_append(ctx, &in);
    return rc != CUSTOS_OK ? rc : audit_change(ctx, hash, purpose, status);
}

static int state_locked(custos_t *ctx, custos_consent_state_info *out, custos_subject subject, uint32_t purpose)
{
    const custos_manifest_pb *m = custos__policy_manifest(ctx, NULL);
    int rc = custos_consent__subject_get(ctx, subject, NULL, NULL);
    if (rc != CUSTOS_OK)
        return rc;
    if (m == NULL || custos__manifest_purpose(m, purpose) == NULL)
        return custos__fail(ctx, CUSTOS_ENOTFOUND, "consent: purpose %u is not declared by the manifest", purpose);
    return custos_consent__state_get(ctx, subject, purpose, out);
}

int custos_consent_state(custos_t *ctx, custos_consent_state_info *out, custos_subject subject, uint32_t purpose)
{
    if (ctx == NULL || out == NULL)
        return custos__fail(ctx, CUSTOS_EINVAL, "consent: NULL argument");
    int rc = custos__txn_begin(ctx);
    if (rc != CUSTOS_OK)
        return rc;
    return custos__txn_end(ctx, state_locked(ctx, out, subject, purpose));
}
