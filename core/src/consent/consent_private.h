/*
 * consent_private.h: what the files of the consent module (policy, subjects, ledger,
 * receipts) and the sync codec share, and nothing else sees.
 *
 *   module.c      attach/detach: tables, loading the policy
 *   policy.c      custos_manifest_load and the invalidation of changed purposes
 *   subject.c     the subject registry (subject.h, subject_internal.h)
 *   transition.c  the DPV transition table
 *   event.c       building, signing, chaining and storing one event
 *   consent.c     the public record / state / history calls, expiry
 *   verify.c      reading the chain: history and verification
 *   receipt.c     ISO 27560 JSON-LD and Kantara 1.1 receipts
 *   notice.c      the notice hash an event records
 *
 * Every function named cs_* that writes runs inside the caller's
 * transaction with ctx->write_lock held.
 */
#ifndef CUSTOS_CONSENT_PRIVATE_H
#define CUSTOS_CONSENT_PRIVATE_H

#include "consent_internal.h"
#include "policy_internal.h"
#include "subject_internal.h"
#include "custos/v1/consent.pb-c.h"

#include <custos/consent.h>
#include <custos/policy.h>

struct custos_ledger {
    custos_manifest_pb *manifest;        /* the loaded manifest, or NULL */
    uint8_t manifest_id[CUSTOS_HASH_BYTES];
    uint64_t tip_seq;                    /* last event's seq (0: empty chain) */
    uint8_t tip_hash[CUSTOS_HASH_BYTES]; /* its chain hash (zeros: empty chain) */
    uint8_t *seal_key;                   /* seal.c: 32 bytes, sodium_malloc'd, no access when idle */
    uint8_t acc[32];                     /* seal.c: this transaction's changes to the seal */
    struct { int tag; const char *select; } extra[CUSTOS_SEAL_EXTRA_MAX]; /* seal.c: other modules' tables */
    unsigned n_extra;
    sqlite3_stmt *head;                  /* verify.c: the newest event, for the anchor; prepared once */
    sqlite3_stmt *subject_get;           /* subject.c: a subject's hash and role; prepared once */
};

/* Longest stored SignedEvent we accept (an event with an app update is < 1 KiB). */
#define CS_MAX_EVENT 4096u


/* --- transition.c --- */
/* 1 if Custos itself may record from -> to (EXPIRED, INVALIDATED, REQUESTED). */
int custos_consent__system_transition_allowed(custos_consent_status from, custos_consent_status to);
/* 0 if actor may make this decision for a subject of role, else CUSTOS_EINVAL. */
int custos_consent__actor_check(custos_t *ctx, custos_role role, custos_consent_status to, custos_consent_actor actor);

/* --- event.c --- */
/* Build, sign, chain and store one event and set (subject, purpose)'s state. */
int custos_consent__event_append(custos_t *ctx, const cs_event_in *in);
/* Decode a stored SignedEvent, or its body, and check field sizes:
 * CUSTOS_ECORRUPT or CUSTOS_ENOMEM. Free with custos_consent__signed_free / custos_consent__body_free. */
int custos_consent__signed_decode(custos_t *ctx, const uint8_t *blob, size_t len, Custos__V1__SignedEvent **out);
void custos_consent__signed_free(Custos__V1__SignedEvent *se);
int custos_consent__body_decode(custos_t *ctx, const Custos__V1__SignedEvent *se, Custos__V1__ConsentEvent **out);
void custos_consent__body_free(Custos__V1__ConsentEvent *ev);
/* Both at once; on failure both *se and *ev are NULL. */
int custos_consent__event_decode(custos_t *ctx, const uint8_t *blob, size_t len, Custos__V1__SignedEvent **se,
                    Custos__V1__ConsentEvent **ev);
/* BLAKE2b-256(body || device_signature). */
void custos_consent__chain_hash(uint8_t out[32], const Custos__V1__SignedEvent *se);

/* --- consent.c --- */
/* Record EXPIRED for every given consent whose valid_until has passed. */
int custos_consent__expire_due(custos_t *ctx);
/* Record a system decision (EXPIRED, INVALIDATED, REQUESTED) for one pair. */
int custos_consent__record_system(custos_t *ctx, custos_subject subject, uint32_t purpose,
                     custos_consent_status status, int invalidated);
/* Invalidate every valid consent of subject (purpose < 0: all purposes). */
int custos_consent__invalidate(custos_t *ctx, custos_subject subject, int64_t purpose);

/* --- module.c --- */
/* Load the newest stored manifest into ctx->ledger (none stored: none loaded). */
int custos_consent__policy_reload(custos_t *ctx);

/* --- verify.c --- */
/* Every link and signature of the chain (not the state); *out_bad names the
 * first bad event, *out_last is the last good one's seq. */
int custos_consent__verify_chain(custos_t *ctx, uint64_t *out_bad, uint64_t *out_last);

/* --- seal.c --- */
/* Inside the open transaction, after the tables exist. */
int custos_consent__seal_attach(custos_t *ctx);
void custos_consent__seal_detach(custos_t *ctx);
/* Recompute the stored seal from the rows as they are (repair). */
int custos_consent__seal_reset(custos_t *ctx);

/* --- subject.c --- */
int custos_consent__subject_get(custos_t *ctx, custos_subject subject, uint8_t hash[32], custos_role *role);

/* --- shared formatting --- */
void custos_consent__hex(char *out, const uint8_t *in, size_t n);   /* out holds 2n+1 */

#endif
