/*
 * erase_internal.h: how the erase module's files share work, and the two
 * entry points other parts of the core call.
 *
 * An erase is an intent (written to the journal file before anything is
 * destroyed) plus progress (the erase_state row, committed in the same
 * transactions as the destruction it records). Replaying an intent against
 * its progress finishes the erase: every step is idempotent.
 */
#ifndef CUSTOS_ERASE_INTERNAL_H
#define CUSTOS_ERASE_INTERNAL_H

#include "ground/internal.h"
#include <custos/erase.h>

#define ERASE_JOURNAL_NAME "erase.journal"
#define ERASE_KEY_ID_BYTES 8u
#define ERASE_MAX_KEY_IDS 100u   /* a receipt lists at most this many (fits CUSTOS_ERASE_RECEIPT_MAX) */
#define ERASE_PAYLOAD_MAX 4096u  /* signed receipt + signed request carried by a reset journal */

/* EraseScope of sync.proto. */
enum { ERASE_SCOPE_SUBJECT = 1, ERASE_SCOPE_PURPOSE = 2, ERASE_SCOPE_RESET = 3, ERASE_SCOPE_EXPIRED = 4 };
/* EraseMethod of sync.proto. */
enum { ERASE_METHOD_CRYPTO = 1, ERASE_METHOD_REMOVE = 2, ERASE_METHOD_OVERWRITE = 3 };
/* Phases of a factory reset, kept in its journal. */
enum { RESET_PHASE_INTENT = 0, RESET_PHASE_SIGNED = 1, RESET_PHASE_FILES_DONE = 2 };

/* The intent of one erase, as the journal holds it (journal.c). */
typedef struct erase_intent {
    uint32_t scope;
    uint32_t subject;            /* store-local number (subject scopes) */
    uint32_t purpose;            /* UINT32_MAX: every purpose */
    uint32_t phase;              /* factory reset only */
    uint32_t counter;            /* factory reset: the EraseRequest counter to use */
    int has_sample;
    int64_t sample;              /* a record of the scope, sampled before any key was destroyed */
    uint64_t time;
    uint8_t receipt_id[16];
    uint8_t subject_hash[32];
    uint32_t probe_gen;          /* factory reset: KEK generation the probe is wrapped under */
    uint8_t probe[32 + CUSTOS_WRAP_OVERHEAD]; /* factory reset: a random key wrapped by that KEK */
    uint8_t *payload;            /* factory reset, SIGNED: receipt and request (custos__malloc'd) */
    size_t payload_len;
} erase_intent;

int  custos_erase__journal_path(const char *dir, char **out);
int  custos_erase__journal_write(custos_t *ctx, const char *dir, const erase_intent *in);
/* CUSTOS_ENOTFOUND if there is no journal; CUSTOS_ECORRUPT if it is damaged. */
int  custos_erase__journal_read(custos_t *ctx, const char *dir, erase_intent *out);
int  custos_erase__journal_remove(custos_t *ctx, const char *dir);
void custos_erase__intent_clear(erase_intent *in);

/* What a receipt says (receipt.c). */
typedef struct erase_facts {
    const erase_intent *intent;
    uint32_t method;
    const uint8_t (*key_ids)[ERASE_KEY_ID_BYTES];
    size_t n_keys;
    int verified;
    uint64_t removed;
    const uint32_t *storage;     /* StorageKind values */
    size_t n_storage;
} erase_facts;

/* Sign a receipt / a request with the provider's device key. *out is
 * custos__malloc'd. kp must be open; device_id is the store's. */
int custos_erase__receipt_sign(custos_t *ctx, const custos_key_provider *kp, const uint8_t device_id[16],
                        const erase_facts *f, uint8_t **out, size_t *out_len);
int custos_erase__request_sign(custos_t *ctx, const custos_key_provider *kp, const uint8_t device_id[16],
                        const erase_intent *in, uint32_t counter, uint8_t **out, size_t *out_len);

/* Progress of one erase, committed with the destruction it records (store.c). */
typedef struct erase_progress {
    int step;                    /* 0 none, CUSTOS_ERASE_STEP_KEYS, CUSTOS_ERASE_STEP_ROWS */
    uint8_t (*key_ids)[ERASE_KEY_ID_BYTES]; /* custos__malloc'd */
    size_t n_keys;
    int verified;
    uint64_t removed;
} erase_progress;

/* The erase tables (store.c). Each runs inside the caller's transaction. */
int custos_erase__tables_create(custos_t *ctx);
int custos_erase__progress_get(custos_t *ctx, const uint8_t receipt_id[16], erase_progress *out);
int custos_erase__progress_keys(custos_t *ctx, const uint8_t receipt_id[16],
                         const uint8_t (*ids)[ERASE_KEY_ID_BYTES], size_t n);
int custos_erase__progress_rows(custos_t *ctx, const uint8_t receipt_id[16], int verified, uint64_t removed);
int custos_erase__progress_delete(custos_t *ctx, const uint8_t receipt_id[16]);
void custos_erase__progress_clear(erase_progress *p);
int custos_erase__next_counter(custos_t *ctx, uint32_t *out);
int custos_erase__receipt_store(custos_t *ctx, const uint8_t receipt_id[16], uint64_t time,
                         const uint8_t *signed_receipt, size_t len, int *was_new);
int custos_erase__outbox_store(custos_t *ctx, const uint8_t *signed_request, size_t len, uint32_t counter,
                        const uint8_t request_id[16]);
int custos_erase__receipt_exists(custos_t *ctx, const uint8_t receipt_id[16], int *exists);

/* Validate the common arguments of the public erase calls (erase.c):
 * CUSTOS_EINVAL, CUSTOS_EVERSION, CUSTOS_ERANGE before anything is erased. */
int custos_erase__check_args(custos_t *ctx, const custos_erase_options *opts,
                      uint8_t *receipt, size_t receipt_size, size_t *receipt_len);
/* Tell the progress callback a step is done: CUSTOS_ECANCELED if it asks to stop. */
int custos_erase__report(const custos_erase_options *opts, custos_erase_step step);

/* Subject, purpose and expiry erases (erase.c). Call with write_lock held
 * and no transaction open. */
int custos_erase__resume(custos_t *ctx, const custos_erase_options *opts,
                  uint8_t *receipt, size_t receipt_size, size_t *receipt_len);

/* Factory reset (reset.c). In the attach hook: store the receipt and the
 * request a finished reset carries into the fresh store. */
int custos_erase__reset_record(custos_t *ctx, const erase_intent *in);
/* The steps of custos_factory_reset (lifecycle/reset.c): write the INTENT
 * journal of the open store ctx; run the phases with the store closed (the
 * key provider kp, not yet opened, and the directory); copy the signed
 * receipt a finished reset's journal carries into out (out_len set). */
int custos_erase__reset_begin(custos_t *ctx, erase_intent *in);
int custos_erase__reset_run(const custos_key_provider *kp, const char *dir, const uint8_t device_id[16],
                            erase_intent *in, const custos_erase_options *opts);
void custos_erase__reset_receipt(const erase_intent *in, uint8_t *out, size_t *out_len);

/* The module's attach hook (module.c); it has no state to detach. */
int custos__erase_attach(custos_t *ctx);

/*
 * Called by custos_open() after the key provider is chosen and before it is
 * opened: if a factory reset was interrupted, finish destroying its keys and
 * files, and set *fresh_keys so that the provider creates new keys.
 */
int custos__erase_before_open(custos_t *ctx, int *fresh_keys);

/*
 * For the consent module: erase the data of (subject, purpose) after a
 * withdrawal of a consent-based purpose. Call after the withdrawal is
 * committed, with ctx->write_lock held and no transaction open. No receipt
 * is returned to the caller; it is kept in the store.
 */
int custos__erase_on_withdraw(custos_t *ctx, custos_subject s, uint32_t purpose);

#endif
