/*
 * withdraw.c: the public consent decisions, and the one withdraw-then-erase
 * sequence that they and sync (sync/update.c) share. A withdrawal or
 * revocation erases the purpose's data (DESIGN §6); consent records the
 * decision, erase removes the data, and only this layer knows both.
 */
#include "lifecycle/lifecycle.h"
#include "consent/consent_internal.h"
#include "erase/erase_internal.h"

int custos__withdraw_then_erase(custos_t *ctx, int rc, const custos_withdrawal *pairs, size_t n, const char *what)
{
    if (rc != CUSTOS_OK || n == 0)
        return rc;
    if ((rc = custos__db_commit(ctx)) != CUSTOS_OK)
        return rc;
    for (size_t i = 0; i < n; i++) {
        if ((rc = custos__erase_on_withdraw(ctx, pairs[i].subject, pairs[i].purpose)) != CUSTOS_OK)
            return custos__fail(ctx, rc, "%s applied, but erasing purpose %u's data failed (%s); "
                                "custos_erase_purpose retries it", what, pairs[i].purpose, custos_strerror(rc));
    }
    return CUSTOS_OK;
}

int custos_consent_record(custos_t *ctx, custos_subject subject, uint32_t purpose,
                          custos_consent_status status, const custos_consent_info *info)
{
    if (ctx == NULL)
        return CUSTOS_EINVAL;
    int rc = custos__txn_begin(ctx);
    if (rc != CUSTOS_OK)
        return rc;
    rc = custos_consent__record(ctx, subject, purpose, status, info, NULL, 0);
    int withdraws = status == CUSTOS_CONSENT_WITHDRAWN || status == CUSTOS_CONSENT_REVOKED;
    custos_withdrawal w = { subject, purpose };
    rc = custos__withdraw_then_erase(ctx, rc, &w, withdraws ? 1 : 0, "consent decision");
    return custos__txn_end(ctx, rc);
}

int custos_consent_request(custos_t *ctx, custos_subject subject, uint32_t purpose, const custos_consent_info *info)
{
    return custos_consent_record(ctx, subject, purpose, CUSTOS_CONSENT_REQUESTED, info);
}

int custos_consent_give(custos_t *ctx, custos_subject subject, uint32_t purpose, const custos_consent_info *info)
{
    return custos_consent_record(ctx, subject, purpose, CUSTOS_CONSENT_GIVEN, info);
}

int custos_consent_renew(custos_t *ctx, custos_subject subject, uint32_t purpose, const custos_consent_info *info)
{
    return custos_consent_record(ctx, subject, purpose, CUSTOS_CONSENT_RENEWED, info);
}

int custos_consent_refuse(custos_t *ctx, custos_subject subject, uint32_t purpose, const custos_consent_info *info)
{
    return custos_consent_record(ctx, subject, purpose, CUSTOS_CONSENT_REFUSED, info);
}

int custos_consent_withdraw(custos_t *ctx, custos_subject subject, uint32_t purpose, const custos_consent_info *info)
{
    return custos_consent_record(ctx, subject, purpose, CUSTOS_CONSENT_WITHDRAWN, info);
}

int custos_consent_revoke(custos_t *ctx, custos_subject subject, uint32_t purpose, const custos_consent_info *info)
{
    return custos_consent_record(ctx, subject, purpose, CUSTOS_CONSENT_REVOKED, info);
}
