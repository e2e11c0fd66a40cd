/*
 * subject_internal.h: what erasure and the other writers need from the
 * subject registry and the gate.
 *
 * The consent module owns the tables `subject` and `consent_state` and the
 * gate snapshot. The functions below run inside the caller's transaction
 * (BEGIN IMMEDIATE done, ctx->write_lock held) and never begin or commit.
 */
#ifndef CUSTOS_SUBJECT_INTERNAL_H
#define CUSTOS_SUBJECT_INTERNAL_H

#include "../internal.h"
#include <custos/gate.h>

/* The keyed hash stored for a registered subject; CUSTOS_ENOTFOUND if none. */
int custos__subject_hash_of(custos_t *ctx, custos_subject subject, uint8_t out[32]);

/*
 * Remove a subject's registration and its consent state (never the signed
 * ledger events, which hold only the keyed hash) inside the caller's
 * transaction, and publish a gate snapshot in which the subject is unknown.
 * CUSTOS_ENOTFOUND if the subject is not registered.
 */
int custos__subject_forget(custos_t *ctx, custos_subject subject);

/*
 * Rebuild the gate snapshot from the store and publish it. Call with
 * ctx->write_lock held, after any writer's commit (or inside the
 * transaction: the snapshot reads what the transaction sees).
 */
int custos__gate_publish(custos_t *ctx);

/* Module hooks (modules.c): subjects, ledger, peers, and the gate. */
int custos__consent_attach(custos_t *ctx);
void custos__consent_detach(custos_t *ctx);

#endif
