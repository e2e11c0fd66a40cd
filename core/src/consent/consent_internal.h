/*
 * consent_internal.h: the consent module's interface to the orchestration
 * layer and the applications (sync) above it: recording a decision with an
 * app's signature, reading one pair's state, unpacking sync messages with the
 * project allocator, and auditing a rejected update. The module's own files
 * include consent_private.h, which includes this one.
 */
#ifndef CUSTOS_CONSENT_INTERNAL_H
#define CUSTOS_CONSENT_INTERNAL_H

#include "ground/internal.h"
#include "policy_internal.h"
#include "subject_internal.h"

#include <custos/consent.h>
#include <protobuf-c/protobuf-c.h>

/* The fields of a new event that the caller decides. */
typedef struct cs_event_in {
    const uint8_t *subject_hash;         /* 32 bytes */
    custos_subject subject;
    uint32_t purpose;
    custos_consent_status status;
    const custos_consent_info *info;     /* notice, language, method, actor */
    uint32_t role;                       /* custos_role of the subject */
    uint64_t time;
    custos_time_confidence confidence;
    uint64_t valid_until;
    int invalidated;                     /* state flag: REQUESTED after an invalidation */
    const uint8_t *app_body;             /* the exact ConsentUpdate bytes the app signed, or NULL */
    size_t app_body_len;
    const uint8_t *app_signature;        /* 64 bytes over app_body */
    const uint8_t *app_key;              /* 32 bytes */
} cs_event_in;

/* A caller decision with every check; optional app signature (sync). */
int custos_consent__record(custos_t *ctx, custos_subject subject, uint32_t purpose, custos_consent_status status,
              const custos_consent_info *info, const cs_event_in *app, uint64_t app_time);

/* The current state row; status UNKNOWN with *found = 0 if none. */
int custos_consent__state_get(custos_t *ctx, custos_subject subject, uint32_t purpose, custos_consent_state_info *out);

/* Record a failure in the audit chain in its own transaction (the failed
 * call's was rolled back), keeping the failure's detail text. Call with
 * ctx->write_lock held and no transaction open; returns code. */
int custos_consent__audit_failure(custos_t *ctx, int code, const char *detail);

/* Unpack a protobuf message with the project allocator, telling a failed
 * allocation (CUSTOS_ENOMEM) from bytes that are not such a message
 * (CUSTOS_ECORRUPT, described with what). Free with custos_consent__unpacked_free. */
int custos_consent__unpack(custos_t *ctx, const ProtobufCMessageDescriptor *d, const uint8_t *data, size_t len,
              void **out, const char *what);
void custos_consent__unpacked_free(void *msg);

/* The ledger's newest event: its seq and the BLAKE2b-256 of its signed
 * bytes (0 and zeros for an empty ledger). For the store's anchor. */
int custos_consent__head(custos_t *ctx, uint64_t *seq, uint8_t hash[32]);
/* The BLAKE2b-256 of event seq's signed bytes; CUSTOS_ENOTFOUND (no detail) if there is none. */
int custos_consent__hash_at(custos_t *ctx, uint64_t seq, uint8_t hash[32]);

#endif
