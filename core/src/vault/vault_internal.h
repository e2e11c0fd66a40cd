/*
 * vault_internal.h: what erasure, maintenance and the tests need from the
 * vault beyond its public API (custos/vault.h).
 *
 * The vault owns the tables vault_key (wrapped data keys, one per subject
 * and purpose), vault_record (sealed payloads) and vault_stream (which file
 * of streams/ holds a stream record's chunks), and the files of streams/. Every function below runs
 * inside the caller's transaction (BEGIN IMMEDIATE done, ctx->write_lock
 * held): none of them begins, commits or rolls back, so a failure leaves the
 * caller free to roll the whole step back. None of them ever sees a subject
 * id: subjects are passed as their keyed hash (custos__subject_hash).
 */
#ifndef CUSTOS_VAULT_INTERNAL_H
#define CUSTOS_VAULT_INTERNAL_H

#include "ground/internal.h"

#define CUSTOS_VAULT_KEY_ID_BYTES 8u
#define CUSTOS_VAULT_ALL_PURPOSES UINT32_MAX

/* The module hooks (modules.c): create the tables, finish an interrupted
 * KEK rotation; free the state and wipe the key arena. */
int custos__vault_attach(custos_t *ctx);
void custos__vault_detach(custos_t *ctx);

/* *exists = 1 if a data key for (subject_hash, purpose) is stored (no
 * record of that scope can exist without one). */
int custos__vault_has_key(custos_t *ctx, const uint8_t subject_hash[32], uint32_t purpose, int *exists);

/*
 * Delete the wrapped data-key rows of a subject, for one purpose or for
 * every purpose (CUSTOS_VAULT_ALL_PURPOSES), and evict them from memory.
 * *key_ids receives the ids of the keys destroyed (allocated with
 * custos__malloc, NULL when *n_keys is 0; free with custos__free).
 * Destroying no key is not an error (*n_keys = 0).
 */
int custos__vault_destroy_keys(custos_t *ctx, const uint8_t subject_hash[32], uint32_t purpose,
                               uint8_t (**key_ids)[8], size_t *n_keys);

/* Delete the sealed records of a subject (one purpose or all); *removed counts them. */
int custos__vault_delete_records(custos_t *ctx, const uint8_t subject_hash[32], uint32_t purpose,
                                 uint64_t *removed);

/* One record id of that scope (purpose may be CUSTOS_VAULT_ALL_PURPOSES); CUSTOS_ENOTFOUND if none. */
int custos__vault_sample(custos_t *ctx, const uint8_t subject_hash[32], uint32_t purpose,
                         int64_t *record_id);

/* CUSTOS_OK if record_id still decrypts, CUSTOS_EKEY if its key is gone,
 * CUSTOS_ECORRUPT if it is damaged, CUSTOS_ENOTFOUND if there is no such
 * record. The plaintext is wiped, never returned. */
CUSTOS_WARN_UNUSED int custos__vault_try_open(custos_t *ctx, int64_t record_id);

/*
 * KEK rotation, in two steps because a KEK may only be destroyed once the
 * re-wrapped keys are durable:
 *   custos__vault_rotate_kek     (inside the transaction) creates KEK
 *       generation n+1 in the provider, re-wraps every data key under it,
 *       records the new floor generation in vault_meta and appends
 *       AUDIT_KEY_ROTATED;
 *   custos__vault_rotate_finish  (after COMMIT, write_lock still held)
 *       destroys every generation below the floor in the provider.
 * Resumable: a crash before the commit leaves every key under the old KEK
 * (the unused new generation is destroyed by the next rotation); a crash
 * after it leaves old generations that rotate_finish destroys at the next
 * open (the vault's attach hook calls it). Never call rotate_finish after a
 * rollback of rotate_kek: it would destroy nothing (the floor rolled back too).
 * rotate_finish runs its own small transaction (the caller's has ended).
 */
int custos__vault_rotate_kek(custos_t *ctx);
int custos__vault_rotate_finish(custos_t *ctx);

/* Delete every record whose expiry is at or before now; *removed counts them. */
int custos__vault_delete_expired(custos_t *ctx, uint64_t now, uint64_t *removed);

/*
 * Remove every stream file (streams/<id>.cvs) that no record owns any more:
 * call after the commit of a transaction that deleted records (erase), with
 * write_lock held and no transaction open. Idempotent; the next open sweeps
 * too, so a crash before it leaves only ciphertext that the open removes.
 */
int custos__vault_stream_sweep(custos_t *ctx);

/* --- for tests only ----------------------------------------------------- */

/* Copy the unwrapped data key of (subject_hash, purpose) into key (the
 * forensic test searches the files for these bytes). CUSTOS_ENOTFOUND if
 * there is none. Never call outside tests. */
int custos__vault_test_data_key(custos_t *ctx, const uint8_t subject_hash[32], uint32_t purpose,
                                uint8_t key[32]);

/* Tests only: which AEAD a handle opened afterwards may use. 0: detect (AES-256-GCM where
 * the CPU has it); 1: XChaCha20-Poly1305 only, as on a CPU without AES-GCM (fmt-2 records
 * give CUSTOS_EUNSUPPORTED); 2: AES-256-GCM (only if the CPU has it). */
void custos__vault_test_force_aead(int fmt);

/* Tests only: the AES-GCM seals a data key may make before the next put gets a new key (0: restore
 * the default, VT_GCM_KEY_LIMIT). */
void custos__vault_test_key_limit(uint64_t limit);

#endif
