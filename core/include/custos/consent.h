/*
 * custos/consent.h: the consent ledger.
 *
 * Every consent decision is an immutable event (ISO/IEC TS 27560 fields,
 * DPV consent statuses), chained to the one before it with BLAKE2b-256 and
 * signed with Ed25519 by the device key; events that came from the paired
 * companion app also carry the app's signature. The current state of each
 * (subject, purpose) is the fold of its events; the gate (gate.h) answers
 * from a snapshot of it.
 *
 * The ledger owns the tables consent_event and consent_state. It never
 * stores a subject's identifier (only its keyed hash), never edits or
 * deletes an event, and never makes withdrawing harder than giving: both
 * take exactly the same arguments. Transitions that DPV does not allow are
 * refused with CUSTOS_ESTATE (see docs/consent.md for the table).
 */
#ifndef CUSTOS_CONSENT_H
#define CUSTOS_CONSENT_H

#include "subject.h"

#ifdef __cplusplus
extern "C" {
#endif

/* DPV 2.3 consent statuses (values as in consent.proto). */
typedef enum custos_consent_status {
    CUSTOS_CONSENT_UNKNOWN = 0,          /* no event yet */
    CUSTOS_CONSENT_REQUESTED = 1,
    CUSTOS_CONSENT_REQUEST_DEFERRED = 2,
    CUSTOS_CONSENT_GIVEN = 3,
    CUSTOS_CONSENT_RENEWED = 4,          /* dpv:RenewedConsentGiven */
    CUSTOS_CONSENT_REFUSED = 5,
    CUSTOS_CONSENT_WITHDRAWN = 6,        /* by the data subject (or a child's guardian) */
    CUSTOS_CONSENT_REVOKED = 7,          /* by another entity: a guardian, the controller */
    CUSTOS_CONSENT_EXPIRED = 8,          /* recorded by Custos only */
    CUSTOS_CONSENT_INVALIDATED = 9       /* recorded by Custos only */
} custos_consent_status;

/* How the decision was expressed (dpv:hasIndicationMethod). */
typedef enum custos_consent_method {
    CUSTOS_METHOD_UNSPECIFIED = 0,
    CUSTOS_METHOD_COMPANION_APP = 1,
    CUSTOS_METHOD_DEVICE_BUTTON = 2,
    CUSTOS_METHOD_VOICE = 3,
    CUSTOS_METHOD_POSTED_NOTICE = 4,
    CUSTOS_METHOD_API = 5,
    CUSTOS_METHOD_SYSTEM = 6             /* recorded by Custos itself */
} custos_consent_method;

/* Who expressed it (dpv:isIndicatedBy). */
typedef enum custos_consent_actor {
    CUSTOS_ACTOR_UNSPECIFIED = 0,
    CUSTOS_ACTOR_SUBJECT = 1,
    CUSTOS_ACTOR_GUARDIAN = 2,           /* required for a CUSTOS_ROLE_CHILD subject */
    CUSTOS_ACTOR_CONTROLLER = 3,
    CUSTOS_ACTOR_SYSTEM = 4              /* recorded by Custos only */
} custos_consent_actor;

/* What the person saw and how they answered. */
#define CUSTOS_CONSENT_INFO_VERSION 1
typedef struct custos_consent_info {
    unsigned int version;                /* CUSTOS_CONSENT_INFO_VERSION */
    const uint8_t *notice_hash;          /* 32 bytes: BLAKE2b-256 of the notice shown; NULL if none */
    const char *notice_lang;             /* BCP 47 ("en", "ja"); at most 16 characters */
    custos_consent_method method;
    custos_consent_actor actor;
} custos_consent_info;
#define CUSTOS_CONSENT_INFO_INIT { CUSTOS_CONSENT_INFO_VERSION, NULL, "en", CUSTOS_METHOD_API, CUSTOS_ACTOR_SUBJECT }

/*
 * The notice hash for custos_consent_info.notice_hash: BLAKE2b-256 (no key)
 * of exactly the bytes of the notice text the person was shown (UTF-8, as
 * displayed: e.g. the privacy-notice.ja.md that custos_disclose wrote).
 * Receipts name it urn:blake2b256:<hex>, so anyone holding the text can
 * check which notice a decision was made on. text may be NULL when len is
 * 0. CUSTOS_EINVAL for a NULL out or text; CUSTOS_ECRYPTO if libsodium
 * cannot start.
 */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_notice_hash(uint8_t out[CUSTOS_HASH_BYTES], const void *text, size_t len);

/*
 * Record a decision for (subject, purpose). status is one of REQUESTED,
 * REQUEST_DEFERRED, GIVEN, RENEWED, REFUSED, WITHDRAWN, REVOKED (EXPIRED and
 * INVALIDATED are recorded by Custos only: CUSTOS_EINVAL). Errors:
 * CUSTOS_ENOTFOUND unknown subject; CUSTOS_ESTATE no manifest loaded, or a
 * transition DPV does not allow; CUSTOS_EINVAL unknown purpose, a purpose
 * whose legal basis is not consent, an actor that cannot make this decision
 * (a child's consent needs CUSTOS_ACTOR_GUARDIAN; withdrawal is by the
 * subject or guardian, revocation by someone else), a malformed info.
 * Nothing is written on failure. The change is visible to custos_check()
 * when this returns.
 */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_consent_record(custos_t *ctx, custos_subject subject, uint32_t purpose,
                          custos_consent_status status, const custos_consent_info *info);

/* The same, one function per decision. Withdrawing takes the same
 * arguments as giving. A withdrawal or revocation also erases the data kept
 * for that purpose (as custos_erase_purpose does: keys destroyed, records
 * removed, a receipt kept in the store and an EraseRequest queued). The
 * decision is recorded first; if the erase then fails, the call returns its
 * error, the decision stands, and the erase resumes on the next open (or
 * call custos_erase_purpose again). */
CUSTOS_API CUSTOS_WARN_UNUSED int custos_consent_request(custos_t *ctx, custos_subject subject, uint32_t purpose, const custos_consent_info *info);
CUSTOS_API CUSTOS_WARN_UNUSED int custos_consent_give(custos_t *ctx, custos_subject subject, uint32_t purpose, const custos_consent_info *info);
CUSTOS_API CUSTOS_WARN_UNUSED int custos_consent_renew(custos_t *ctx, custos_subject subject, uint32_t purpose, const custos_consent_info *info);
CUSTOS_API CUSTOS_WARN_UNUSED int custos_consent_refuse(custos_t *ctx, custos_subject subject, uint32_t purpose, const custos_consent_info *info);
CUSTOS_API CUSTOS_WARN_UNUSED int custos_consent_withdraw(custos_t *ctx, custos_subject subject, uint32_t purpose, const custos_consent_info *info);
CUSTOS_API CUSTOS_WARN_UNUSED int custos_consent_revoke(custos_t *ctx, custos_subject subject, uint32_t purpose, const custos_consent_info *info);

/* 1 if DPV transition from -> to is allowed for a caller (not Custos
 * itself), else 0. The table is in docs/consent.md. */
CUSTOS_API int custos_consent_transition_allowed(custos_consent_status from, custos_consent_status to);

/* The current state of (subject, purpose). Records an EXPIRED event first
 * if the consent's valid_until has passed. */
typedef struct custos_consent_state_info {
    custos_consent_status status;        /* CUSTOS_CONSENT_UNKNOWN if never decided */
    uint64_t valid_until;                /* 0: no expiry */
    uint64_t time;                       /* when the last event was recorded */
    uint32_t policy_version;             /* of the manifest the last event bound to */
    uint64_t seq;                        /* the last event's position in the ledger; 0 if none */
    int invalidated;                     /* 1: back at REQUESTED after an invalidation */
} custos_consent_state_info;

CUSTOS_API int custos_consent_state(custos_t *ctx, custos_consent_state_info *out,
                                    custos_subject subject, uint32_t purpose);

/* One event of a subject's history. */
typedef struct custos_consent_event_info {
    uint64_t seq;
    uint8_t event_id[16];
    uint32_t purpose;
    custos_consent_status status;
    custos_consent_method method;
    custos_consent_actor actor;
    uint64_t time;
    custos_time_confidence time_confidence;
    uint64_t valid_until;
    uint32_t policy_version;
    uint8_t manifest_id[32];
    int has_notice_hash;
    uint8_t notice_hash[32];
    char notice_lang[17];
    int app_signed;                      /* 1: also signed by the paired app */
} custos_consent_event_info;

/* A subject's events, oldest first, into out[0..out_size). CUSTOS_ERANGE
 * with *out_len = the number needed if out_size is too small. Records due
 * EXPIRED events first. */
CUSTOS_API int custos_consent_history(custos_t *ctx, custos_consent_event_info *out, size_t out_size,
                                      size_t *out_len, custos_subject subject);

/*
 * Walk the whole ledger: every event's device signature (and app signature),
 * its place in the chain and its index columns. 0 if intact; otherwise
 * CUSTOS_ESIGNATURE (a signature does not verify) or CUSTOS_ECORRUPT (an
 * event was removed, reordered, truncated or does not decode), with
 * *out_bad_seq (may be NULL) the first position that is wrong. Then the
 * state: CUSTOS_ECORRUPT if any consent_state row is not exactly the last
 * signed event of its (subject, purpose), or if the state seal (a keyed MAC
 * over the state, subject and policy tables; docs/security.md) does not
 * match what the tables hold; *out_bad_seq is then 0.
 */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_consent_verify(custos_t *ctx, uint64_t *out_bad_seq);

/*
 * Re-fold the consent state from the verified ledger: after the gate
 * answered CUSTOS_DENY_INTEGRITY or custos_consent_verify reported the state
 * changed. The ledger is verified first (CUSTOS_ESIGNATURE / CUSTOS_ECORRUPT:
 * nothing is changed, the state cannot be trusted to any signed record);
 * then every registered subject's state is rebuilt from its events since it
 * was registered, the seal is recomputed, an integrity_violation audit entry
 * records the repair and the gate publishes the repaired state.
 * *out_subjects (may be NULL): how many subjects were re-folded.
 * What the ledger does not record is kept as found: subjects' roles and the
 * stored policy (reload the manifest if it was the table changed).
 */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_consent_repair(custos_t *ctx, size_t *out_subjects);

/* "dpv:ConsentGiven", ... (static); "" for an unknown value. */
CUSTOS_API const char *custos_consent_status_str(custos_consent_status s);
/* 1 for exactly GIVEN and RENEWED (DPV ConsentStatusValidForProcessing). */
CUSTOS_API int custos_consent_valid_for_processing(custos_consent_status s);

/* --- Export and import ---------------------------------------------------- */

typedef enum custos_receipt_format {
    CUSTOS_RECEIPT_ISO27560_JSONLD = 1,  /* ISO/IEC TS 27560 record, JSON-LD with DPV terms */
    CUSTOS_RECEIPT_KANTARA = 2           /* Kantara Consent Receipt v1.1 JSON */
} custos_receipt_format;

/*
 * A subject's consents as a signed receipt (UTF-8 JSON, not NUL-terminated).
 * The receipt embeds the subject's signed ledger events and ends with the
 * device's Ed25519 signature over every byte before it, so that any change
 * is detected by custos_consent_receipt_verify. CUSTOS_ERANGE with *out_len
 * the size needed.
 */
CUSTOS_API int custos_consent_receipt(custos_t *ctx, char *out, size_t out_size, size_t *out_len,
                                      custos_subject subject, custos_receipt_format format);

/*
 * Import side: verify a receipt made by custos_consent_receipt. device_pk
 * (may be NULL to accept the key the receipt names) is the key expected to
 * have signed it. Checks the receipt signature, then every embedded event's
 * signature and their order. CUSTOS_ESIGNATURE or CUSTOS_ECORRUPT on any
 * change; *out_events (may be NULL) receives the number of events.
 */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_consent_receipt_verify(size_t *out_events, const char *receipt, size_t len, const uint8_t device_pk[32]);

#ifdef __cplusplus
}
#endif
#endif
