/*
 * custos/audit.h: the audit chain (DESIGN §7).
 *
 * The audit module keeps an append-only record of security-relevant events:
 * consent changes, erasures, factory resets, exports, key failures, integrity
 * violations, store creation, manifest loads, key rotations, pairings,
 * settings changes and (optionally) accesses to personal data. Each entry is
 * hash-chained to the one before it with BLAKE2b-256, and the device key
 * signs a checkpoint over the newest entry every
 * CUSTOS_AUDIT_CHECKPOINT_INTERVAL entries, on close and on demand, so that
 * editing, removing, reordering or truncating entries is detected and named.
 *
 * It owns the tables audit_entry, audit_checkpoint and audit_setting. It
 * never records personal data: subjects appear only as keyed hashes, and
 * details come from a fixed vocabulary. It never rewrites or deletes an
 * entry; only a factory reset removes the chain, with the whole store.
 *
 * The other modules append through core/src/audit/audit_internal.h inside
 * their own transactions. See docs/audit.md for the format and the events.
 */
#ifndef CUSTOS_AUDIT_H
#define CUSTOS_AUDIT_H

#include "store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Event kinds: the values of custos.v1.AuditKind (schemas/custos/v1/audit.proto). */
typedef enum custos_audit_kind {
    CUSTOS_AUDIT_STORE_CREATED       = 1,
    CUSTOS_AUDIT_CONSENT_CHANGED     = 2,
    CUSTOS_AUDIT_ERASE               = 3,
    CUSTOS_AUDIT_FACTORY_RESET       = 4,
    CUSTOS_AUDIT_EXPORT              = 5,
    CUSTOS_AUDIT_KEY_FAILURE         = 6,
    CUSTOS_AUDIT_INTEGRITY_VIOLATION = 7,
    CUSTOS_AUDIT_MANIFEST_LOADED     = 8,
    CUSTOS_AUDIT_KEY_ROTATED         = 9,
    CUSTOS_AUDIT_PAIRING             = 10,
    CUSTOS_AUDIT_SETTINGS_CHANGED    = 11,
    CUSTOS_AUDIT_ACCESS              = 12  /* optional: the user may switch it off */
} custos_audit_kind;

/* "consent_changed", ...; "unknown" for a value outside the list. */
CUSTOS_API const char *custos_audit_kind_name(custos_audit_kind kind);
/* 1 if the kind is always recorded, 0 if the user may switch it off, -1 if unknown. */
CUSTOS_API int custos_audit_kind_is_mandatory(custos_audit_kind kind);

/* A checkpoint is signed after every this many entries (and on close). */
#define CUSTOS_AUDIT_CHECKPOINT_INTERVAL 1024u
CUSTOS_API unsigned int custos_audit_checkpoint_interval(void);

/* Longest detail string an entry may carry, without its NUL. */
#define CUSTOS_AUDIT_DETAIL_MAX 64u
CUSTOS_API size_t custos_audit_detail_max(void);

/* --- Opt-out (CRA Annex I (2)(l)) -------------------------------------- */

/*
 * Record optional events (enabled = 1, the default) or not (0). The setting
 * is persisted in the store, survives reopening, and returns to 1 on a
 * factory reset. Mandatory events are always recorded; the change itself is
 * recorded as a settings_changed entry.
 */
CUSTOS_API int custos_audit_set_optional(custos_t *ctx, int enabled);
CUSTOS_API int custos_audit_get_optional(custos_t *ctx, int *out_enabled);

/* --- Checkpoints -------------------------------------------------------- */

/* Sign a checkpoint over the newest entry now (nothing to do if it already
 * has one). CUSTOS_EKEY if the key provider cannot sign. */
CUSTOS_API int custos_audit_checkpoint(custos_t *ctx);

/* --- Verification ------------------------------------------------------- */

/* Why a chain failed verification. */
typedef enum custos_audit_failure {
    CUSTOS_AUDIT_OK = 0,
    CUSTOS_AUDIT_ENTRY_MALFORMED    = 1, /* an entry's bytes do not decode as an AuditEntry */
    CUSTOS_AUDIT_ENTRY_CHANGED      = 2, /* an entry differs from what the chain or a checkpoint commits to */
    CUSTOS_AUDIT_ENTRY_REMOVED      = 3, /* an entry is missing from the middle of the chain */
    CUSTOS_AUDIT_ENTRY_REORDERED    = 4, /* an entry is out of its place (moved, swapped, repeated) */
    CUSTOS_AUDIT_TAIL_TRUNCATED     = 5, /* a signed checkpoint covers entries that are gone */
    CUSTOS_AUDIT_CHECKPOINT_INVALID = 6, /* a checkpoint is malformed or its signature does not verify */
    CUSTOS_AUDIT_EXPORT_MALFORMED   = 7  /* an exported chain is not a well-formed AuditExport */
} custos_audit_failure;

/* "entry_changed", ...; "unknown" for a value outside the list. The
 * failure and kind fields of the structs below stay int (the size of an
 * enum is the compiler's choice in C; the bindings read those fields as
 * 32-bit integers). */
CUSTOS_API const char *custos_audit_failure_name(custos_audit_failure failure);

#define CUSTOS_AUDIT_REPORT_VERSION 1

typedef struct custos_audit_report {
    unsigned int version;          /* in: CUSTOS_AUDIT_REPORT_VERSION */
    int failure;                   /* CUSTOS_AUDIT_OK or a custos_audit_failure */
    uint64_t failed_seq;           /* sequence number of the first entry changed, removed or
                                      reordered (for a bad checkpoint: the seq it claims); 0 if none */
    uint64_t entries;              /* entries present */
    uint64_t last_seq;             /* sequence number of the newest entry (0: empty chain) */
    uint64_t checkpoints;          /* checkpoints whose signature verified */
    uint64_t last_checkpoint_seq;  /* newest entry covered by a valid checkpoint (0: none) */
    uint64_t unsigned_tail;        /* entries after last_checkpoint_seq: chained but not signed */
} custos_audit_report;

#define CUSTOS_AUDIT_REPORT_INIT { CUSTOS_AUDIT_REPORT_VERSION, 0, 0, 0, 0, 0, 0, 0 }

/*
 * Verify the store's chain and checkpoints against the device public key.
 * 0 if intact; CUSTOS_ECORRUPT if not, with report->failure and
 * report->failed_seq naming the first entry at fault and custos_errmsg()
 * saying the same in words. The report is filled in either case.
 * Verification only reads; the caller decides what to do with a failure.
 */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_audit_verify(custos_t *ctx, custos_audit_report *report);

/*
 * Export the chain (every entry and checkpoint, as stored) into a
 * caller-owned buffer: an encoded custos.v1.AuditExport. CUSTOS_ERANGE with
 * *out_len set to the size needed if out_size is too small (out may then be
 * NULL).
 */
CUSTOS_API int custos_audit_export(custos_t *ctx, uint8_t *out, size_t out_size, size_t *out_len);

/*
 * Verify an exported chain off the device, trusting only device_public_key.
 * Same results as custos_audit_verify; a buffer that is not an AuditExport is
 * CUSTOS_ECORRUPT with CUSTOS_AUDIT_EXPORT_MALFORMED.
 */
CUSTOS_API CUSTOS_WARN_UNUSED
int custos_audit_verify_export(custos_audit_report *report, const uint8_t *bytes, size_t len,
                               const uint8_t device_public_key[32]);

/* --- Reading ------------------------------------------------------------ */

/* One decoded entry, valid only during the callback. */
typedef struct custos_audit_entry {
    uint64_t seq;
    int kind;                        /* custos_audit_kind */
    uint64_t time;                   /* seconds since the epoch */
    int has_subject;
    uint8_t subject_hash[32];        /* keyed hash, when has_subject */
    int64_t purpose;                 /* -1: none */
    int code;                        /* CUSTOS_E* or 0 */
    const char *detail;              /* "" if none */
    uint8_t hash[32];                /* BLAKE2b-256 of the stored bytes */
} custos_audit_entry;

/* Return nonzero from the callback to stop; that value is then returned. */
typedef int (*custos_audit_visit_fn)(void *user, const custos_audit_entry *entry);

/*
 * Call fn for each entry from seq `from` on (1: the whole chain), in order.
 * An entry that does not decode stops the walk with CUSTOS_ECORRUPT.
 */
CUSTOS_API int custos_audit_foreach(custos_t *ctx, uint64_t from, custos_audit_visit_fn fn, void *user);

#ifdef __cplusplus
}
#endif
#endif
