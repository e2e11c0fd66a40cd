/*
 * custos/vault.h: personal data encrypted at rest (DESIGN §5).
 *
 * The vault stores payloads a product collects about a person ("records"),
 * each sealed with XChaCha20-Poly1305 under a data key that belongs to one
 * subject and one purpose, so that erasing that person or that purpose is
 * the destruction of a 32-byte key. Data keys are wrapped by the key
 * provider's KEK (store.h) and are unwrapped only into guarded memory,
 * where a handle keeps the last few for its life (wiped on close, erase,
 * withdrawal and KEK rotation). The vault owns the tables vault_key, vault_record
 * and vault_meta.
 *
 * It must never write personal data in the clear: subjects appear on disk
 * only as keyed hashes, payloads only sealed, and error texts never quote
 * either. It must never store data for a purpose the gate (gate.h) denies.
 *
 * Every function returns 0 or a negative CUSTOS_E* code, with the detail in
 * custos_errmsg(ctx). Reading a record that fails authentication is
 * CUSTOS_ECORRUPT for that record only; one whose key was destroyed is
 * CUSTOS_EKEY. Nothing ever returns unauthenticated bytes.
 */
#ifndef CUSTOS_VAULT_H
#define CUSTOS_VAULT_H

#include "gate.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A record's id: positive, unique in the store, never reused. */
typedef int64_t custos_record_id;

/* Largest payload of one record (16 MiB). */
#define CUSTOS_VAULT_PAYLOAD_MAX (16u * 1024u * 1024u)
CUSTOS_API size_t custos_vault_payload_max(void);

/* What the vault knows about a record besides its payload. */
typedef struct custos_vault_info {
    custos_record_id id;
    uint32_t purpose;
    uint32_t category;
    uint64_t created;   /* seconds since the epoch */
    uint64_t expires;   /* seconds since the epoch; 0: no time limit (until an event) */
    size_t size;        /* payload bytes (of a stream: its whole length) */
    uint32_t flags;     /* CUSTOS_VAULT_STREAMED: read it with custos_vault_stream_open */
} custos_vault_info;

/* custos_vault_info.flags: the record is a sealed stream (below). */
#define CUSTOS_VAULT_STREAMED 1u

/*
 * Store one payload for (subject, purpose, category). The gate is asked
 * first: if it denies, nothing is written, the result is CUSTOS_EDENIED and
 * custos_errmsg() names the reason (custos_decision_str); CUSTOS_ECORRUPT
 * when the gate denies with CUSTOS_DENY_INTEGRITY (the consent state was
 * changed outside the library: custos_consent_repair). The record expires
 * after its purpose's retention (manifest); custos_maintain() removes it.
 * len may be 0; at most CUSTOS_VAULT_PAYLOAD_MAX.
 * CUSTOS_ESTATE if the database left WAL journal mode (the vault refuses to
 * write where deleted data would survive in a journal).
 */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_vault_put(custos_t *ctx, custos_record_id *out_id, custos_subject subject,
                     uint32_t purpose, uint32_t category, const void *data, size_t len);

/* One payload of a batch for custos_vault_put_many. */
typedef struct custos_vault_item {
    uint32_t purpose;
    uint32_t category;
    const void *data;
    size_t len;
} custos_vault_item;

/* Store n payloads of one subject in one transaction: all or none.
 * out_ids (n entries) receives their ids. */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_vault_put_many(custos_t *ctx, custos_record_id *out_ids, custos_subject subject,
                          const custos_vault_item *items, size_t n);

/*
 * Read one payload into out. If out_size is too small, CUSTOS_ERANGE with
 * *out_len set to the size needed (nothing else is written). info may be
 * NULL. CUSTOS_ENOTFOUND (no such record), CUSTOS_EKEY (its key was
 * destroyed or cannot be unwrapped), CUSTOS_ECORRUPT (it failed
 * authentication: altered, or moved from another row).
 */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_vault_get(custos_t *ctx, uint8_t *out, size_t out_size, size_t *out_len,
                     custos_vault_info *info, custos_record_id id);

/* The ids of a subject's records, oldest first. If ids_size is too small,
 * CUSTOS_ERANGE with *n set to the count. An unknown subject is CUSTOS_ENOTFOUND. */
CUSTOS_API int custos_vault_list(custos_t *ctx, custos_record_id *ids, size_t ids_size, size_t *n,
                                 custos_subject subject);

/*
 * Call fn for each of a subject's records, oldest first, with the opened
 * payload. data is valid only during the call and wiped after it. A nonzero
 * return from fn stops the walk with CUSTOS_ECANCELED. A record that fails
 * to open stops the walk with its code (CUSTOS_EKEY, CUSTOS_ECORRUPT).
 */
typedef int (*custos_vault_visit_fn)(void *user, const custos_vault_info *info,
                                     const uint8_t *data, size_t len);
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_vault_foreach(custos_t *ctx, custos_subject subject, custos_vault_visit_fn fn, void *user);

/* Delete one record (secure_delete overwrites its cells). CUSTOS_ENOTFOUND if absent. */
CUSTOS_API int custos_vault_delete(custos_t *ctx, custos_record_id id);

/* Store maintenance: remove every record whose retention has expired.
 * *removed (may be NULL) receives how many. */
CUSTOS_API int custos_maintain(custos_t *ctx, uint64_t *removed);

/*
 * Re-wrap every data key under a new KEK generation and destroy the old
 * one, so that a stale copy of a wrapped key (in the WAL, a backup, free
 * pages) no longer opens. Records AUDIT_KEY_ROTATED.
 */
CUSTOS_API int custos_vault_rotate_kek(custos_t *ctx);

/* --- Sealed streams: one record of any size (video clips) -------------- */

/*
 * A stream is one record whose payload is written and read in pieces, with
 * constant memory whatever its size. It is sealed in chunks under the same
 * data key as every record of its (subject, purpose), kept in a file the
 * store owns (next to custos.db), and is a record like any other: it has an
 * id, appears in custos_vault_list, expires with its purpose's retention,
 * and is made unreadable by crypto-erase of its subject or purpose the
 * moment the key is gone (its file is then removed). custos_vault_get on a
 * stream is CUSTOS_ESTATE; custos_vault_foreach visits it with data NULL,
 * len 0, info->flags CUSTOS_VAULT_STREAMED and info->size its length.
 *
 * A stream handle belongs to the custos_t it came from (close it before
 * custos_close) and to one thread at a time; other calls on that custos_t
 * may run between its calls. Errors are in custos_errmsg(ctx).
 */
typedef struct custos_vault_stream custos_vault_stream;

/*
 * Begin writing a stream for (subject, purpose, category). The gate is asked
 * now, before any byte is accepted (CUSTOS_EDENIED, CUSTOS_ECORRUPT as for
 * custos_vault_put). Nothing is visible until custos_vault_stream_finish.
 */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_vault_stream_create(custos_t *ctx, custos_vault_stream **out, custos_subject subject,
                               uint32_t purpose, uint32_t category);

/*
 * Append len bytes to a stream being written. Each call asks the gate again
 * and checks that the stream's data key still exists: once consent is
 * withdrawn or expired (or the subject erased) it is CUSTOS_EDENIED, once the
 * key is destroyed (an erase of the scope) CUSTOS_EKEY. Either ends the
 * stream there: its bytes are wiped, its file removed, and later calls on it
 * are CUSTOS_ESTATE; only custos_vault_stream_close remains.
 */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_vault_stream_write(custos_vault_stream *s, const void *data, size_t len);

/*
 * Seal the last chunk, make the file durable and store the record: *out_id
 * receives its id. The gate is asked again (a purpose withdrawn while the
 * stream was written stores nothing: CUSTOS_EDENIED). s is freed whatever
 * the result; on failure nothing is stored and the file is removed.
 */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_vault_stream_finish(custos_vault_stream *s, custos_record_id *out_id);

/*
 * Open a stream record for reading; info (may be NULL) receives what
 * custos_vault_get would. CUSTOS_ENOTFOUND, CUSTOS_EKEY (its key was
 * destroyed), CUSTOS_ESTATE (the record is not a stream), CUSTOS_ECORRUPT.
 */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_vault_stream_open(custos_t *ctx, custos_vault_stream **out, custos_vault_info *info,
                             custos_record_id id);

/*
 * Read up to size bytes of a stream opened for reading into buf; *n receives
 * how many. *n is 0 only at the end, and only after the final chunk has
 * authenticated: a truncated, reordered or altered stream is CUSTOS_ECORRUPT,
 * never a short read. Once the stream's key is destroyed (by any handle) the
 * next read is CUSTOS_EKEY.
 */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_vault_stream_read(custos_vault_stream *s, uint8_t *buf, size_t size, size_t *n);

/* Free a stream handle and wipe its state. A stream being written and not
 * finished is discarded (nothing stored, its file removed). NULL is a no-op. */
CUSTOS_API void custos_vault_stream_close(custos_vault_stream *s);

/* --- Export and import (GDPR Art. 20, APPI disclosure) ----------------- */

/* X25519 key sizes for export recipients. */
#define CUSTOS_EXPORT_PUBLIC_KEY_BYTES 32u
#define CUSTOS_EXPORT_SECRET_KEY_BYTES 32u
CUSTOS_API size_t custos_export_public_key_bytes(void);
CUSTOS_API size_t custos_export_secret_key_bytes(void);

/* A recipient key pair (X25519) for exports. */
CUSTOS_API int custos_export_keypair(uint8_t pk[32], uint8_t sk[32]);

/*
 * Write every record of subject to path, encrypted to recipient_pk, as a
 * crypto_secretstream file (the layout is described in vault/export.c).
 * The file appears whole or not at all (temporary file, then rename).
 * Records AUDIT_EXPORT. A record that cannot be opened fails the export.
 */
CUSTOS_API int custos_vault_export(custos_t *ctx, const char *path, custos_subject subject,
                                   const uint8_t recipient_pk[32]);

/*
 * Read an export made for the key pair (recipient_pk, recipient_sk) and
 * store its records for subject in this store, sealed under this store's
 * keys, through the gate. All or nothing: a truncated (no final tag),
 * reordered, altered or foreign file is CUSTOS_ECORRUPT (CUSTOS_EKEY if it
 * was made for another recipient) and nothing is stored; a denied purpose
 * is CUSTOS_EDENIED and nothing is stored. *n_imported (may be NULL)
 * receives the number of records stored.
 */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_vault_import(custos_t *ctx, size_t *n_imported, const char *path, custos_subject subject,
                        const uint8_t recipient_pk[32], const uint8_t recipient_sk[32]);

#ifdef __cplusplus
}
#endif
#endif
