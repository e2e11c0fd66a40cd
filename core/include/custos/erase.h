/*
 * custos/erase.h: erasure and decommissioning (DESIGN §6; ETSI EN 303 645
 * 5.11, NIST SP 800-88 cryptographic erase).
 *
 * This module erases one subject's data, one purpose of one subject, the
 * records whose retention has run out, or everything (factory reset). It
 * destroys keys first, so the data is unreadable whatever its volume, and
 * removes the rows afterwards. Every erase is journaled: a crash or a
 * cancellation at any point is finished by the next custos_open(). Every
 * erase yields a deletion receipt signed by the device key, and queues a
 * signed EraseRequest for the associated services (cloud, companion app) in
 * an outbox.
 *
 * It owns the intent journal (<store>/erase.journal), the tables erase_state,
 * erase_receipt, erase_outbox and erase_meta, and the order in which the
 * vault, the consent registry and the key provider are asked to forget. It
 * must never erase anything outside the scope it was given, never report a
 * verification it did not perform, and never put a subject id (only its
 * keyed hash) into a receipt, a request, a journal or an error text.
 */
#ifndef CUSTOS_ERASE_H
#define CUSTOS_ERASE_H

#include "gate.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- Options and progress ------------------------------------------------ */

/* The steps of an erase, in order, as passed to the progress callback. */
typedef enum custos_erase_step {
    CUSTOS_ERASE_STEP_KEYS = 1,        /* data keys destroyed and the KEK rotated */
    CUSTOS_ERASE_STEP_ROWS = 2,        /* verification done and the rows removed */
    CUSTOS_ERASE_STEP_CHECKPOINT = 3,  /* WAL checkpointed and truncated */
    CUSTOS_ERASE_STEP_RECEIPT = 4      /* receipt signed, request queued */
} custos_erase_step;
#define CUSTOS_ERASE_STEPS 4u

/*
 * Called after each step with the step just finished and the total (4).
 * Return 0 to go on, nonzero to stop: the call then returns
 * CUSTOS_ECANCELED with the journal in place, and the erase is finished by
 * the next custos_open() (or the next erase call on this handle). Steps
 * already done are never undone: once STEP_KEYS is reported, the data is
 * unreadable. The callback runs with the store's write lock held; it must
 * not call Custos on the same handle.
 */
typedef int (*custos_erase_progress_fn)(void *user, custos_erase_step done, unsigned int total);

#define CUSTOS_ERASE_OPTIONS_VERSION 1
typedef struct custos_erase_options {
    unsigned int version;              /* CUSTOS_ERASE_OPTIONS_VERSION */
    custos_erase_progress_fn progress; /* may be NULL */
    void *progress_user;
} custos_erase_options;
#define CUSTOS_ERASE_OPTIONS_INIT { CUSTOS_ERASE_OPTIONS_VERSION, NULL, NULL }

/* --- Erasing --------------------------------------------------------------- */

/*
 * The receipt arguments of every erase call: receipt may be NULL (the
 * receipt is kept in the store anyway, see custos_erase_receipt_get);
 * otherwise receipt_size must be at least custos_erase_receipt_max(),
 * checked before anything is erased (CUSTOS_ERANGE, *receipt_len set to the
 * size needed). On success *receipt_len is the receipt's length.
 */
#define CUSTOS_ERASE_RECEIPT_MAX 1536u
CUSTOS_API size_t custos_erase_receipt_max(void);

/*
 * Erase everything held about one subject (ETSI 5.11-1, GDPR Art. 17):
 * destroy its data keys, rotate the KEK, verify that a sampled record no
 * longer opens, delete its records and its registration and consent state,
 * checkpoint and truncate the WAL, sign a receipt and queue an EraseRequest.
 * CUSTOS_ENOTFOUND if the subject is not registered (nothing is erased).
 * opts may be NULL.
 */
CUSTOS_API int custos_erase_subject(custos_t *ctx, uint8_t *receipt, size_t receipt_size, size_t *receipt_len,
                                    custos_subject subject, const custos_erase_options *opts);

/*
 * The same for one purpose of one subject (a withdrawal): only that
 * (subject, purpose) key and its records; the registration stays.
 */
CUSTOS_API int custos_erase_purpose(custos_t *ctx, uint8_t *receipt, size_t receipt_size, size_t *receipt_len,
                                    custos_subject subject, uint32_t purpose, const custos_erase_options *opts);

/*
 * Remove every record whose retention ran out at the store's clock.
 * *removed (may be NULL) counts them. A receipt (method: removal, since the
 * data keys still serve younger records) and a request are produced only if
 * something was removed; otherwise *receipt_len is 0.
 */
CUSTOS_API int custos_erase_expired(custos_t *ctx, uint8_t *receipt, size_t receipt_size, size_t *receipt_len,
                                    uint64_t *removed, const custos_erase_options *opts);

/*
 * Factory reset (EN 304 6xx MI-RSET): destroy every KEK (so no data key can
 * be unwrapped again) and verify it, sign the receipt and the EraseRequest
 * with the old device key (its public key is in the receipt), destroy every
 * key in the provider, overwrite and remove every file of the store except
 * its STORE header (which keeps the device id), and reopen the store empty,
 * with fresh keys and default settings.
 *
 * *pctx is replaced: on success the old handle is closed and *pctx is a new
 * handle on the reset store, opened with the same key provider, clock and
 * RNG and SQLite VFS. The receipt and the request are the first
 * entries of the new store's receipt list and outbox. If the call fails
 * before the reset began (CUSTOS_EINVAL, CUSTOS_ERANGE), *pctx is untouched;
 * if it fails after (CUSTOS_EIO, CUSTOS_ECANCELED, ...), the old handle is
 * closed, *pctx is NULL, and the next custos_open() of the directory
 * finishes the reset. Another process may open the store in the instant
 * between the close and the reopen.
 */
CUSTOS_API int custos_factory_reset(custos_t **pctx, uint8_t *receipt, size_t receipt_size, size_t *receipt_len,
                                    const custos_erase_options *opts);

/* --- Receipts ---------------------------------------------------------------- */

/*
 * Verify a receipt (a SignedMessage holding a DeletionReceipt, sync.proto)
 * against the device public key that should have signed it:
 * CUSTOS_ESIGNATURE if another key signed it or the signature fails,
 * CUSTOS_ECORRUPT if it is not a well-formed receipt, CUSTOS_EINVAL on NULL.
 */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_receipt_verify(const uint8_t *receipt, size_t len, const uint8_t public_key[32]);

/*
 * Render a receipt as one JSON object (UTF-8, NUL-terminated; *out_len
 * excludes the NUL): scope, subject_hash, purpose, method, key ids,
 * storage, verified, records_removed, time, signer, signature. It does not
 * verify: call custos_receipt_verify first. CUSTOS_ECORRUPT if malformed.
 */
CUSTOS_API int custos_receipt_json(char *out, size_t out_size, size_t *out_len,
                                   const uint8_t *receipt, size_t len);

/*
 * The receipts kept in the store, oldest first: list up to max sequence
 * numbers into seqs (*n receives how many exist in all), then fetch one.
 * CUSTOS_ENOTFOUND for an unknown seq.
 */
CUSTOS_API int custos_erase_receipt_list(custos_t *ctx, uint64_t *seqs, size_t max, size_t *n);
CUSTOS_API int custos_erase_receipt_get(custos_t *ctx, uint8_t *out, size_t out_size, size_t *out_len, uint64_t seq);

/* --- Outbox of EraseRequests for associated services (ETSI 5.11-2) --------- */

/*
 * Each erase queues one EraseRequest (sync.proto) in a SignedMessage signed
 * by the device key, with a fresh 16-byte request id and a per-device
 * counter that only grows. The application sends them to its services and
 * acknowledges each once the service confirmed; acknowledged entries are
 * removed. The same list/get shape as the receipts.
 */
CUSTOS_API int custos_erase_outbox_list(custos_t *ctx, uint64_t *seqs, size_t max, size_t *n);
CUSTOS_API int custos_erase_outbox_get(custos_t *ctx, uint8_t *out, size_t out_size, size_t *out_len, uint64_t seq);
CUSTOS_API int custos_erase_outbox_ack(custos_t *ctx, uint64_t seq);

/* --- Receiving an EraseRequest (service side) ------------------------------- */

/*
 * What a receiving service remembers per device to recognise replays. Keep
 * one per device public key, zero-initialised, and persist it between
 * calls (it holds no secret).
 */
#define CUSTOS_ERASE_REPLAY_IDS 8u
typedef struct custos_erase_replay_state {
    uint32_t last_counter;                          /* highest accepted; 0: none yet */
    uint32_t n_ids;                                 /* ids held, <= CUSTOS_ERASE_REPLAY_IDS */
    uint8_t ids[CUSTOS_ERASE_REPLAY_IDS][16];       /* the most recently accepted request ids */
} custos_erase_replay_state;

typedef struct custos_erase_request_info {
    uint8_t device_id[16];
    uint8_t request_id[16];
    uint32_t counter;
    int scope;                 /* EraseScope of sync.proto: 1 subject, 2 subject+purpose, 3 reset, 4 expired */
    int has_subject_hash;
    uint8_t subject_hash[32];  /* keyed hash of the subject, as the device knows it */
    int has_purpose;
    uint32_t purpose;
    uint64_t time;
} custos_erase_request_info;

/*
 * Verify a signed EraseRequest with the device's public key and accept it
 * once: CUSTOS_ESIGNATURE (wrong signer or bad signature), CUSTOS_ECORRUPT
 * (malformed), CUSTOS_EREPLAY (its request id was seen, or its counter is not
 * above state->last_counter). On success *out describes it and state is
 * updated; on failure state is unchanged.
 */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_erase_request_accept(custos_erase_request_info *out, custos_erase_replay_state *state,
                                const uint8_t *msg, size_t len, const uint8_t device_public_key[32]);

#ifdef __cplusplus
}
#endif
#endif
