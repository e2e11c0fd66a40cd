/*
 * custos/policy.h: the manifest a store enforces.
 *
 * The policy module keeps the compiled manifest (see manifest.h) that is
 * loaded into a store, and decides what a new version means for consents
 * already given: the purposes that changed materially (new category, new
 * recipient, longer retention, changed legal basis, ...) need consent again,
 * so their given consents are invalidated and the subjects are asked again.
 * It owns the `policy` table. It never accepts an older policy version than
 * the loaded one, and never re-interprets an id: a different file is a
 * different manifest.
 */
#ifndef CUSTOS_POLICY_H
#define CUSTOS_POLICY_H

#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Load a compiled manifest (the bytes `custos manifest compile` writes) into
 * the store. The first load sets the policy. A later load must carry a
 * higher policy version (CUSTOS_ESTATE if lower, or equal with a different
 * id; loading the same manifest again is a no-op). For every purpose that
 * changed materially, each subject's valid consent is recorded as
 * INVALIDATED and the subject is back at REQUESTED, in the same transaction.
 * CUSTOS_ECORRUPT: the file is damaged (custos_errmsg says how).
 */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_manifest_load(custos_t *ctx, const uint8_t *compiled, size_t len);

/* The loaded manifest's id (BLAKE2b-256) and policy version;
 * CUSTOS_ENOTFOUND if none is loaded. Either out may be NULL. */
CUSTOS_API int custos_policy_current(custos_t *ctx, uint8_t out_id[32], uint32_t *out_version);

#ifdef __cplusplus
}
#endif
#endif
