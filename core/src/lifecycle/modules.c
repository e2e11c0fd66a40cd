/* modules.c: the list of modules attached at open, in dependency order. */
#include "lifecycle/modules.h"
#include "audit/audit_internal.h"
#include "consent/policy_internal.h"
#include "consent/subject_internal.h"
#include "gate/gate_internal.h"
#include "vault/vault_internal.h"
#include "erase/erase_internal.h"

/* The audit module sits below consent, whose seal its opt-out row joins. */
static int audit_seal_attach(custos_t *ctx)
{
    return custos__audit_seal_setting(ctx, custos_consent__seal_add);
}

const custos_module custos__modules[] = {
    { "none", NULL, NULL }, /* keeps the array non-empty until modules register */
    { "policy", custos__policy_attach, custos__policy_detach },
    { "audit", custos__audit_attach, custos__audit_detach },
    { "consent", custos__consent_attach, NULL },
    { "audit-seal", audit_seal_attach, NULL },           /* after consent: its seal exists */
    { "gate", custos__gate_attach, custos__gate_detach },  /* after consent: publishes what it holds */
    { "vault", custos__vault_attach, custos__vault_detach },
    { "erase", custos__erase_attach, NULL },           /* last: resumes interrupted erases */
};

const size_t custos__module_count = sizeof custos__modules / sizeof custos__modules[0];
