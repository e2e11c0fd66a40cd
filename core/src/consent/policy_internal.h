/*
 * policy_internal.h: the manifest currently loaded into a store, as the
 * other core modules see it.
 *
 * The policy (core/src/consent/policy.c) owns the table `policy` and the
 * decoded current manifest in ctx->ledger. Other modules read it here and
 * never decode the stored bytes themselves.
 */
#ifndef CUSTOS_POLICY_INTERNAL_H
#define CUSTOS_POLICY_INTERNAL_H

#include "ground/internal.h"
#include "manifest/manifest_internal.h"

/*
 * The manifest currently loaded into the store, or NULL if none; out_id
 * (may be NULL) receives its id (zeros when none). The pointer stays valid
 * while the caller holds ctx->write_lock, or until the next manifest load.
 */
const custos_manifest_pb *custos__policy_manifest(const custos_t *ctx, uint8_t out_id[32]);

/* Module hooks (modules.c): the policy table and the loaded manifest. */
int custos__policy_attach(custos_t *ctx);
void custos__policy_detach(custos_t *ctx);

#endif
