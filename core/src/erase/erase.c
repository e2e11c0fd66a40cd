/*
 * erase.c: erasing one subject, one purpose of one subject, or the expired
 * records, as a sequence of idempotent steps:
 *
 *   intent      sample a record of the scope, write the journal
 *   KEYS        destroy the data keys and rotate the KEK (one transaction,
 *               with the ids of the destroyed keys in erase_state), then
 *               destroy the old KEK generations in the provider
 *   ROWS        try to open the sample (it must fail with CUSTOS_EKEY),
 *               delete the records, forget the subject (one transaction);
 *               then remove the files of the streams deleted (every replay)
 *   CHECKPOINT  PRAGMA wal_checkpoint(TRUNCATE): no old frame survives in the WAL
 *   RECEIPT     sign the receipt and the EraseRequest, store both, audit
 *               (one transaction), then remove the journal
 *
 * erase_state says which transactions committed, so replaying the journal
 * after a crash or a cancellation skips them and finishes the rest.
 */
#include "erase_internal.h"
#include "../vault/vault_internal.h"
#include "../consent/subject_internal.h"
#include "../audit/audit_internal.h"
#include "custos/v1/audit.pb-c.h"

#include <string.h>

int custos_erase__report(const custos_erase_options *opts, custos_erase_step step)
{
    if (opts == NULL || opts->progress == NULL)
        return CUSTOS_OK;
    return opts->progress(opts->progress_user, step, CUSTOS_ERASE_STEPS) == 0 ? CUSTOS_OK : CUSTOS_ECANCELED;
}

/* BEGIN IMMEDIATE, after closing a transaction that a failed ROLLBACK
 * (out of memory) left open on the connection. */
static int begin_tx(custos_t *ctx)
{
    if (!sqlite3_get_autocommit(ctx->db)) /* seen under OOM injection */
        custos__db_rollback(ctx);
    return custos__db_begin(ctx);
}

static int commit_or_rollback(custos_t *ctx, int rc)
{
    /* SQLite rolls a transaction back by itself after some I/O errors; a
     * step that saw success must not then report one. */
    if (rc == CUSTOS_OK && sqlite3_get_autocommit(ctx->db))
        rc = custos__fail(ctx, CUSTOS_EIO, "an erase step was rolled back by the database after an I/O error");
    if (rc == CUSTOS_OK)
        rc = custos__db_commit(ctx);
    if (rc != CUSTOS_OK)
        custos__db_rollback(ctx);
    return rc;
}

static uint32_t vault_purpose(const erase_intent *in)
{
    return in->scope == ERASE_SCOPE_PURPOSE ? in->purpose : CUSTOS_VAULT_ALL_PURPOSES;
}

static int step_keys(custos_t *ctx, const erase_intent *in)
{
    uint8_t (*ids)[8] = NULL;
    size_t n = 0;
    int rc = begin_tx(ctx);
    if (rc != CUSTOS_OK)
        return rc;
    if (in->scope != ERASE_SCOPE_EXPIRED)
        rc = custos__vault_destroy_keys(ctx, in->subject_hash, vault_purpose(in), &ids, &n);
    if (rc == CUSTOS_OK)
        rc = custos_erase__progress_keys(ctx, in->receipt_id, (const uint8_t (*)[8])ids, n);
    /* Re-wrap the surviving keys under a new KEK, so that no stale copy of
     * a destroyed wrapped key (WAL, freelist, backup) can be opened. */
    if (rc == CUSTOS_OK && n > 0)
        rc = custos__vault_rotate_kek(ctx);
    custos__free(ids);
    rc = commit_or_rollback(ctx, rc);
    if (rc == CUSTOS_OK && n > 0)
        rc = custos__vault_rotate_finish(ctx);
    return rc;
}

static int remove_rows(custos_t *ctx, const erase_intent *in, uint64_t *removed)
{
    if (in->scope == ERASE_SCOPE_EXPIRED)
        return custos__vault_delete_expired(ctx, in->time, removed);
    int rc = custos__vault_delete_records(ctx, in->subject_hash, vault_purpose(in), removed);
    if (rc == CUSTOS_OK && in->scope == ERASE_SCOPE_SUBJECT) {
        rc = custos__subject_forget(ctx, in->subject);
        if (rc == CUSTOS_ENOTFOUND)
            rc = CUSTOS_OK; /* forgotten by an earlier attempt whose commit we could not see */
    }
    return rc;
}

static int step_rows(custos_t *ctx, const erase_intent *in)
{
    int verified = 0;
    uint64_t removed = 0;
    int rc = begin_tx(ctx);
    if (rc != CUSTOS_OK)
        return rc;
    if (in->has_sample) {
        /* EKEY is the verification; an I/O error says nothing, and may have
         * cost the transaction: the step fails and runs again later. */
        int t = custos__vault_try_open(ctx, in->sample);
        verified = t == CUSTOS_EKEY;
        if (t == CUSTOS_EIO || t == CUSTOS_ENOSPC || t == CUSTOS_ENOMEM || t == CUSTOS_EBUSY)
            rc = t;
    }
    if (rc == CUSTOS_OK)
        rc = remove_rows(ctx, in, &removed);
    if (rc == CUSTOS_OK)
        rc = custos_erase__progress_rows(ctx, in->receipt_id, verified, removed);
    rc = commit_or_rollback(ctx, rc);
    if (rc != CUSTOS_OK && in->scope == ERASE_SCOPE_SUBJECT)
        (void)custos__txn_after_commit(ctx); /* the rollback brought the subject back */
    return rc;
}

static int step_checkpoint(custos_t *ctx)
{
    int rc = sqlite3_wal_checkpoint_v2(ctx->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    return rc == SQLITE_OK ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "checkpoint and truncate the WAL");
}

static int audit_erase(custos_t *ctx, const erase_intent *in)
{
    static const char *const detail[] = { "", "erase subject", "erase purpose", "factory reset", "erase expired" };
    int kind = in->scope == ERASE_SCOPE_RESET ? CUSTOS__V1__AUDIT_KIND__AUDIT_FACTORY_RESET
                                              : CUSTOS__V1__AUDIT_KIND__AUDIT_ERASE;
    int subject = in->scope == ERASE_SCOPE_SUBJECT || in->scope == ERASE_SCOPE_PURPOSE;
    return custos__audit_append(ctx, kind, subject ? in->subject_hash : NULL,
                                in->scope == ERASE_SCOPE_PURPOSE ? (int64_t)in->purpose : -1, 0,
                                detail[in->scope]);
}

/* Sign, store and audit the receipt and the request; the caller commits. */
static int record(custos_t *ctx, const erase_intent *in, const erase_progress *p,
                  uint8_t **receipt, size_t *receipt_len)
{
    uint32_t storage[3] = { 1 /* STORAGE_DATABASE */, 2 /* STORAGE_WAL */, 0 };
    size_t n_storage = 2;
    if (p->n_keys > 0)
        storage[n_storage++] = ctx->kp->hardware_backed(ctx->kp->state) ? 6 /* KEYSTORE */ : 3 /* KEY_FILE */;
    erase_facts f = {
        .intent = in, .method = p->n_keys > 0 ? ERASE_METHOD_CRYPTO : ERASE_METHOD_REMOVE,
        .key_ids = (const uint8_t (*)[8])p->key_ids, .n_keys = p->n_keys, .verified = p->verified,
        .removed = p->removed, .storage = storage, .n_storage = n_storage,
    };
    uint8_t *request = NULL;
    size_t request_len = 0;
    uint32_t counter = 0;
    int rc = custos_erase__receipt_sign(ctx, ctx->kp, ctx->device_id, &f, receipt, receipt_len);
    if (rc == CUSTOS_OK)
        rc = custos_erase__next_counter(ctx, &counter);
    if (rc == CUSTOS_OK)
        rc = custos_erase__request_sign(ctx, ctx->kp, ctx->device_id, in, counter, &request, &request_len);
    if (rc == CUSTOS_OK)
        rc = custos_erase__receipt_store(ctx, in->receipt_id, in->time, *receipt, *receipt_len, NULL);
    if (rc == CUSTOS_OK)
        rc = custos_erase__outbox_store(ctx, request, request_len, counter, in->receipt_id);
    if (rc == CUSTOS_OK)
        rc = audit_erase(ctx, in);
    custos__free(request);
    return rc;
}

static int step_receipt(custos_t *ctx, const erase_intent *in, uint8_t **receipt, size_t *receipt_len,
                        uint64_t *removed)
{
    erase_progress p;
    int rc = begin_tx(ctx);
    if (rc != CUSTOS_OK)
        return rc;
    rc = custos_erase__progress_get(ctx, in->receipt_id, &p);
    /* Expiry that found nothing leaves no trace: maintenance runs often. */
    if (rc == CUSTOS_OK && !(in->scope == ERASE_SCOPE_EXPIRED && p.removed == 0))
        rc = record(ctx, in, &p, receipt, receipt_len);
    if (rc == CUSTOS_OK)
        rc = custos_erase__progress_delete(ctx, in->receipt_id);
    *removed = p.removed;
    custos_erase__progress_clear(&p);
    return commit_or_rollback(ctx, rc);
}

/* Copy the receipt out if the caller gave a buffer (sized at entry). */
static void give_receipt(const uint8_t *r, size_t len, uint8_t *out, size_t out_size, size_t *out_len)
{
    if (out_len != NULL)
        *out_len = out != NULL && len <= out_size ? len : 0;
    if (out != NULL && len <= out_size && len > 0)
        memcpy(out, r, len);
}

/* The progress row is part of the consent seal. Under a broken seal it may
 * have been edited to skip a step or to put false facts (records removed,
 * verification) into the signed receipt, so it is dropped and every step
 * runs again: each is idempotent, and the receipt then states only what this
 * run saw (keys destroyed by the earlier attempt are not listed). */
static int trust_progress(custos_t *ctx, const erase_intent *in, int *step)
{
    int matches = 0;
    int rc = custos_consent__seal_matches(ctx, &matches);
    if (rc != CUSTOS_OK || matches)
        return rc;
    *step = 0;
    if ((rc = begin_tx(ctx)) != CUSTOS_OK)
        return rc;
    return commit_or_rollback(ctx, custos_erase__progress_delete(ctx, in->receipt_id));
}

/* Run the steps of an intent that are not yet committed. */
static int drive(custos_t *ctx, const erase_intent *in, const custos_erase_options *opts,
                 uint8_t *out, size_t out_size, size_t *out_len, uint64_t *removed)
{
    erase_progress p;
    int done = 0;
    int rc = custos_erase__receipt_exists(ctx, in->receipt_id, &done);
    if (rc == CUSTOS_OK && done)
        return custos_erase__journal_remove(ctx, ctx->dir);
    if (rc == CUSTOS_OK)
        rc = custos_erase__progress_get(ctx, in->receipt_id, &p);
    if (rc != CUSTOS_OK)
        return rc;
    int step = p.step;
    custos_erase__progress_clear(&p);
    if (step > 0 && (rc = trust_progress(ctx, in, &step)) != CUSTOS_OK)
        return rc;
    if (step < CUSTOS_ERASE_STEP_KEYS && (rc = step_keys(ctx, in)) != CUSTOS_OK)
        return rc;
    if ((rc = custos_erase__report(opts, CUSTOS_ERASE_STEP_KEYS)) != CUSTOS_OK)
        return custos__fail(ctx, rc, "erase canceled after the keys were destroyed; it resumes on next open");
    if (step < CUSTOS_ERASE_STEP_ROWS && (rc = step_rows(ctx, in)) != CUSTOS_OK)
        return rc;
    if ((rc = custos_erase__report(opts, CUSTOS_ERASE_STEP_ROWS)) != CUSTOS_OK)
        return custos__fail(ctx, rc, "erase canceled after the rows were removed; it resumes on next open");
    /* The removed streams' files (ciphertext under destroyed keys); run on every replay. */
    if ((rc = custos__vault_stream_sweep(ctx)) != CUSTOS_OK)
        return rc;
    if ((rc = step_checkpoint(ctx)) != CUSTOS_OK)
        return rc;
    if ((rc = custos_erase__report(opts, CUSTOS_ERASE_STEP_CHECKPOINT)) != CUSTOS_OK)
        return custos__fail(ctx, rc, "erase canceled before its receipt; it resumes on next open");
    uint8_t *receipt = NULL;
    size_t receipt_len = 0;
    uint64_t n_removed = 0;
    rc = step_receipt(ctx, in, &receipt, &receipt_len, &n_removed);
    if (rc == CUSTOS_OK)
        rc = custos_erase__journal_remove(ctx, ctx->dir);
    if (rc == CUSTOS_OK) {
        give_receipt(receipt, receipt_len, out, out_size, out_len);
        if (removed != NULL)
            *removed = n_removed;
        (void)custos_erase__report(opts, CUSTOS_ERASE_STEP_RECEIPT); /* nothing is left to cancel */
    }
    custos__free(receipt);
    return rc;
}

int custos_erase__resume(custos_t *ctx, const custos_erase_options *opts,
                  uint8_t *receipt, size_t receipt_size, size_t *receipt_len)
{
    erase_intent in;
    int rc = custos_erase__journal_read(ctx, ctx->dir, &in);
    if (rc == CUSTOS_ENOTFOUND) {
        custos__clear_error(ctx);
        return CUSTOS_OK;
    }
    if (rc != CUSTOS_OK)
        return rc;
    if (in.scope == ERASE_SCOPE_RESET)
        rc = custos__fail(ctx, CUSTOS_ESTATE, "a factory reset is pending: reopen the store to finish it");
    else
        rc = drive(ctx, &in, opts, receipt, receipt_size, receipt_len, NULL);
    custos_erase__intent_clear(&in);
    return rc;
}

/* Fill an intent for a new erase of the given scope and write its journal. */
static int begin(custos_t *ctx, erase_intent *in, uint32_t scope, custos_subject subject, uint32_t purpose)
{
    custos__wipe(in, sizeof *in);
    in->scope = scope;
    in->subject = subject;
    in->purpose = purpose;
    in->time = custos__now(ctx, NULL);
    custos__random(ctx, in->receipt_id, sizeof in->receipt_id);
    if (scope != ERASE_SCOPE_EXPIRED) {
        int rc = begin_tx(ctx);
        if (rc != CUSTOS_OK)
            return rc;
        rc = custos__subject_hash_of(ctx, subject, in->subject_hash);
        if (rc == CUSTOS_OK) {
            int s = custos__vault_sample(ctx, in->subject_hash, vault_purpose(in), &in->sample);
            in->has_sample = s == CUSTOS_OK;
            rc = s == CUSTOS_ENOTFOUND ? CUSTOS_OK : s;
        } else if (rc == CUSTOS_ENOTFOUND) {
            rc = custos__fail(ctx, CUSTOS_ENOTFOUND, "subject %u is not registered", subject);
        }
        custos__db_rollback(ctx);
        if (rc != CUSTOS_OK)
            return rc;
    }
    return custos_erase__journal_write(ctx, ctx->dir, in);
}

int custos_erase__check_args(custos_t *ctx, const custos_erase_options *opts,
                      uint8_t *receipt, size_t receipt_size, size_t *receipt_len)
{
    if (ctx == NULL)
        return CUSTOS_EINVAL;
    if (opts != NULL && opts->version != CUSTOS_ERASE_OPTIONS_VERSION)
        return custos__fail(ctx, CUSTOS_EVERSION, "erase options version %u, expected %u",
                            opts->version, CUSTOS_ERASE_OPTIONS_VERSION);
    if (receipt != NULL && receipt_len == NULL)
        return custos__fail(ctx, CUSTOS_EINVAL, "a receipt buffer needs receipt_len");
    if (receipt != NULL && receipt_size < CUSTOS_ERASE_RECEIPT_MAX) {
        *receipt_len = CUSTOS_ERASE_RECEIPT_MAX;
        return custos__fail(ctx, CUSTOS_ERANGE, "the receipt buffer needs %u bytes", CUSTOS_ERASE_RECEIPT_MAX);
    }
    if (receipt_len != NULL)
        *receipt_len = 0;
    return CUSTOS_OK;
}

/* The common body of the public erase calls; write_lock held. */
static int erase_locked(custos_t *ctx, uint32_t scope, custos_subject subject, uint32_t purpose,
                        const custos_erase_options *opts, uint8_t *receipt, size_t receipt_size,
                        size_t *receipt_len, uint64_t *removed)
{
    erase_intent in;
    int rc = custos_erase__resume(ctx, NULL, NULL, 0, NULL); /* finish an erase left pending */
    if (rc != CUSTOS_OK)
        return rc;
    if ((rc = begin(ctx, &in, scope, subject, purpose)) == CUSTOS_OK)
        rc = drive(ctx, &in, opts, receipt, receipt_size, receipt_len, removed);
    custos_erase__intent_clear(&in);
    return rc;
}

static int erase_public(custos_t *ctx, uint32_t scope, custos_subject subject, uint32_t purpose,
                        const custos_erase_options *opts, uint8_t *receipt, size_t receipt_size,
                        size_t *receipt_len, uint64_t *removed)
{
    int rc = custos_erase__check_args(ctx, opts, receipt, receipt_size, receipt_len);
    if (rc != CUSTOS_OK)
        return rc;
    pthread_mutex_lock(&ctx->write_lock);
    rc = erase_locked(ctx, scope, subject, purpose, opts, receipt, receipt_size, receipt_len, removed);
    pthread_mutex_unlock(&ctx->write_lock);
    return rc;
}

int custos_erase_subject(custos_t *ctx, uint8_t *receipt, size_t receipt_size, size_t *receipt_len,
                         custos_subject subject, const custos_erase_options *opts)
{
    return erase_public(ctx, ERASE_SCOPE_SUBJECT, subject, CUSTOS_VAULT_ALL_PURPOSES, opts,
                        receipt, receipt_size, receipt_len, NULL);
}

int custos_erase_purpose(custos_t *ctx, uint8_t *receipt, size_t receipt_size, size_t *receipt_len,
                         custos_subject subject, uint32_t purpose, const custos_erase_options *opts)
{
    if (ctx != NULL && purpose == CUSTOS_VAULT_ALL_PURPOSES)
        return custos__fail(ctx, CUSTOS_EINVAL, "purpose %u is not a purpose id: use custos_erase_subject",
                            purpose);
    return erase_public(ctx, ERASE_SCOPE_PURPOSE, subject, purpose, opts, receipt, receipt_size, receipt_len,
                        NULL);
}

int custos_erase_expired(custos_t *ctx, uint8_t *receipt, size_t receipt_size, size_t *receipt_len, uint64_t *removed,
                         const custos_erase_options *opts)
{
    if (removed != NULL)
        *removed = 0;
    return erase_public(ctx, ERASE_SCOPE_EXPIRED, 0, CUSTOS_VAULT_ALL_PURPOSES, opts,
                        receipt, receipt_size, receipt_len, removed);
}

int custos__erase_on_withdraw(custos_t *ctx, custos_subject s, uint32_t purpose)
{
    /* The vault seals a purpose's data only under its data key: with no key
     * there is nothing to erase, and the journal, the receipt and the KEK
     * rotation of a crypto-erase are skipped (a withdrawal is then one
     * transaction). */
    uint8_t hash[32];
    int exists = 1;
    int rc = custos__subject_hash_of(ctx, s, hash);
    if (rc == CUSTOS_OK)
        rc = custos__vault_has_key(ctx, hash, purpose, &exists);
    if (rc != CUSTOS_OK || !exists)
        return rc;
    return erase_locked(ctx, ERASE_SCOPE_PURPOSE, s, purpose, NULL, NULL, 0, NULL, NULL);
}

size_t custos_erase_receipt_max(void) { return CUSTOS_ERASE_RECEIPT_MAX; }
