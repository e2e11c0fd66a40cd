/*
 * audit_internal.h: how the other modules of the core record an event in the
 * audit chain (DESIGN §7).
 *
 * The audit module owns the tables audit_entry, audit_checkpoint and
 * audit_setting. Writers call custos__audit_append() inside their own open
 * transaction so the entry commits or rolls back with the change it records.
 * It must never receive personal data: subjects only as keyed hashes
 * (custos__subject_hash), details only from a fixed vocabulary.
 */
#ifndef CUSTOS_AUDIT_INTERNAL_H
#define CUSTOS_AUDIT_INTERNAL_H

#include "ground/internal.h"

/*
 * Append one entry to the chain. Call with BEGIN IMMEDIATE already done and
 * ctx->write_lock held: this function neither begins nor commits.
 *   kind          a Custos__V1__AuditKind (schemas/custos/v1/audit.proto)
 *   subject_hash  32 bytes (custos__subject_hash) or NULL
 *   purpose       purpose number, or -1 for none
 *   code          a CUSTOS_E* code where relevant, else 0
 *   detail        a fixed vocabulary string, never personal data; may be NULL
 * An optional kind while the user has opted out is skipped and returns 0.
 */
int custos__audit_append(custos_t *ctx, int kind, const uint8_t *subject_hash,
                         int64_t purpose, int code, const char *detail);

/*
 * Record an event from outside any transaction, typically a reader that hit a
 * key or integrity failure: takes ctx->write_lock, appends in a transaction
 * of its own and commits. Call it WITHOUT the write lock held and with no
 * transaction open (inside a writer's transaction use custos__audit_append,
 * so the entry shares the writer's fate). Keeps the failure detail already
 * recorded on ctx, so that `return custos__audit_record(...)`-style callers
 * report their own error, not the audit write's. Returns the append's result.
 */
int custos__audit_record(custos_t *ctx, int kind, const uint8_t *subject_hash,
                         int64_t purpose, int code, const char *detail);

/*
 * Entries a module holds back to write in bulk (the vault's buffered
 * `access` entries): fn is called with ctx->write_lock held and no
 * transaction open before this handle reads the chain and before the
 * opt-out setting changes, so that readers see every event recorded so far.
 * NULL removes it.
 */
typedef void (*custos__audit_pending_fn)(custos_t *ctx);
void custos__audit_set_pending(custos_t *ctx, custos__audit_pending_fn fn);
void custos__audit_flush_pending(custos_t *ctx);

/* Module hooks (modules.c): create the tables and load the opt-out setting;
 * on close, sign a checkpoint over any entries not yet covered by one. */
/* 1 if optional events (CUSTOS_AUDIT_ACCESS) are being recorded. */
int custos__audit_optional(const custos_t *ctx);

int custos__audit_attach(custos_t *ctx);
/* After the consent module's attach (lifecycle/modules.c): the opt-out row
 * joins the consent seal through seal_add (custos_consent__seal_add). */
int custos__audit_seal_setting(custos_t *ctx, custos__seal_add_fn seal_add);
/* Repair, inside its transaction: set the opt-out to what the chain last
 * recorded (*changed = 1 if the row said otherwise). */
int custos__audit_setting_restore(custos_t *ctx, int *changed);
/* The newest entry's seq and BLAKE2b-256 (0 and zeros for an empty chain). */
int custos__audit_head(custos_t *ctx, uint64_t *seq, uint8_t hash[32]);
/* The BLAKE2b-256 of entry seq; CUSTOS_ENOTFOUND (no detail) if there is none. */
int custos__audit_hash_at(custos_t *ctx, uint64_t seq, uint8_t hash[32]);
void custos__audit_detach(custos_t *ctx);

#endif
