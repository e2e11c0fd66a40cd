/*
 * subject_internal.h: what the gate, erasure and the other writers need from
 * the subject registry and the consent state (the consent module's interface
 * to the modules above it).
 *
 * The consent module owns the tables `subject` and `consent_state`; no other
 * module reads them with SQL. The functions below run inside the caller's
 * transaction (BEGIN IMMEDIATE done, ctx->write_lock held) and never begin or
 * commit.
 */
#ifndef CUSTOS_SUBJECT_INTERNAL_H
#define CUSTOS_SUBJECT_INTERNAL_H

#include "ground/internal.h"
#include <custos/consent.h>

/* The keyed hash stored for a registered subject; CUSTOS_ENOTFOUND if none. */
int custos__subject_hash_of(custos_t *ctx, custos_subject subject, uint8_t out[32]);

/*
 * Remove a subject's registration and its consent state (never the signed
 * ledger events, which hold only the keyed hash) inside the caller's
 * transaction, and run the after_commit hooks at once (ground/txn.c), so that
 * the gate publishes a snapshot in which the subject is unknown.
 * CUSTOS_ENOTFOUND if the subject is not registered.
 */
int custos__subject_forget(custos_t *ctx, custos_subject subject);

/* The highest subject number registered (0 if none). */
int custos__subject_max(custos_t *ctx, custos_subject *out);
/* Call fn for every registered subject, in subject order; stops at and returns fn's first failure. */
int custos__subject_foreach(custos_t *ctx, int (*fn)(void *user, custos_subject subject), void *user);

/* One pair's current consent state, as the gate folds it into a snapshot. */
typedef struct custos_consent_row {
    custos_subject subject;
    uint32_t purpose;
    custos_consent_status status;
    uint64_t valid_until;        /* 0: none */
    int invalidated;             /* 1: a material manifest change invalidated it */
} custos_consent_row;
/* Call fn for every row of the consent state; stops at and returns fn's first failure. */
int custos__consent_foreach(custos_t *ctx, int (*fn)(void *user, const custos_consent_row *row), void *user);

/* The state seal (seal.c). *matches = 1 if the sealed tables (consent state,
 * subjects, policy, peers, and those added below) hold exactly what the
 * library wrote. */
int custos_consent__seal_matches(custos_t *ctx, int *matches);

/* A module seals a table of its own (tags and CUSTOS_SEAL_TRIGGERS are in
 * ground/internal.h; a module below consent is handed this function by
 * lifecycle/modules.c): its temporary triggers call custos_seal(tag, col...)
 * for every row that leaves or enters it (inside a transaction), and select
 * (a static string) reads every row with the same columns. tag is one of CUSTOS_SEAL_TAG_*. Call it in the module's
 * attach, before the table is written. fold_existing: the seal was made
 * before this table joined it, so its rows are folded in as found. */
#define CUSTOS_SEAL_EXTRA_MAX 5u
int custos_consent__seal_add(custos_t *ctx, int tag, const char *select, int fold_existing);
/* Check every state row against the signed, latest ledger event it names;
 * call taint for the subject of each row that fails (*blamed counts them). */
int custos_consent__seal_blame(custos_t *ctx, void (*taint)(void *user, custos_subject subject), void *user,
                               size_t *blamed);

/* Module hook (lifecycle/modules.c): subjects, ledger, peers. */
int custos__consent_attach(custos_t *ctx);

#endif
