/*
 * audit_chain.h: what the files of the audit module share (private to
 * core/src/audit/).
 *
 * THE CHAIN ON DISK (tables of custos.db)
 *
 *   audit_entry(seq INTEGER PRIMARY KEY, bytes BLOB)
 *     bytes = the encoded custos.v1.AuditEntry, exactly as hashed:
 *       seq (1, 2, ...), kind, time, [subject_hash: 32-byte keyed hash],
 *       [purpose], [code], [detail: fixed vocabulary], prev_hash (32 bytes)
 *     hash(n)       = BLAKE2b-256(bytes n), unkeyed
 *     prev_hash(1)  = 32 zero bytes; prev_hash(n+1) = hash(n)
 *
 *   audit_checkpoint(seq INTEGER PRIMARY KEY, bytes BLOB)
 *     bytes = the encoded custos.v1.AuditCheckpoint:
 *       seq, entry_hash = hash(seq), signature = Ed25519 by the device key
 *       over seq (8 bytes, little-endian) || entry_hash (40 bytes in all)
 *
 *   audit_setting(name TEXT PRIMARY KEY, value INTEGER)
 *     "optional" = 1 (record optional events, the default) or 0 (opted out)
 *
 * The chain alone is not authenticated: anyone who can write the database can
 * recompute it. A checkpoint's signature authenticates its entry and, through
 * the chain, every entry before it. Entries after the newest checkpoint are
 * chained but unsigned (see docs/audit.md for what that tail proves).
 */
#ifndef CUSTOS_AUDIT_CHAIN_H
#define CUSTOS_AUDIT_CHAIN_H

#include "audit_internal.h"

#include <custos/audit.h>
#include "custos/v1/audit.pb-c.h"

#include <protobuf-c/protobuf-c.h>

/* No entry the module writes is larger; anything larger is malformed. */
#define AUDIT_ENTRY_MAX 256u
#define AUDIT_CHECKPOINT_MAX 160u

/*
 * Checkpoints whose signature already verified on this handle, as
 * BLAKE2b-256(device public key || checkpoint bytes), sorted. Verifying a
 * store again then checks only new checkpoints' signatures. Sound because
 * the digest covers the exact bytes, signature included, and the key: a
 * forged or altered checkpoint is never in it. Guarded by ctx->write_lock.
 */
typedef struct audit_memo {
    uint8_t (*v)[32];
    size_t n, cap;
} audit_memo;

#define AUDIT_MEMO_MAX 65536u

struct custos_audit {
    int optional;            /* record optional events */
    sqlite3_stmt *last;      /* SELECT seq, bytes ... ORDER BY seq DESC LIMIT 1 */
    sqlite3_stmt *insert;    /* INSERT INTO audit_entry */
    /* The entry this handle appended last, valid only inside the write
     * transaction that appended it (txn_serial): a batch of entries reads
     * the chain head from the table once. Not secret. */
    uint64_t head_txn;
    uint64_t head_seq;
    uint8_t head_hash[32];
    audit_memo memo;
    custos__audit_pending_fn pending; /* see custos__audit_set_pending */
};

/* A byte range inside a buffer someone else owns. */
typedef struct audit_slice {
    const uint8_t *p;
    size_t len;
} audit_slice;

/* A bump allocator on the stack, so decoding an entry costs no malloc. */
typedef struct audit_arena {
    ProtobufCAllocator pbc;
    size_t used;
    _Alignas(16) uint8_t buf[64 * AUDIT_ENTRY_MAX]; /* protobuf-c needs ~40 bytes per field; an entry has at most 128 */
} audit_arena;

void custos__audit_arena_init(audit_arena *a);

/* Decode and check the shape of an entry (prev_hash 32 bytes, seq >= 1,
 * subject_hash 32 bytes if present); NULL if it is malformed. The result
 * lives in the arena: it is gone at the next arena init. */
Custos__V1__AuditEntry *custos__audit_entry_decode(audit_arena *a, const uint8_t *p, size_t len);

/* The zero-copy wire reader (audit_wire.c). */
typedef struct audit_wire {
    const uint8_t *p, *end;
} audit_wire;

typedef struct audit_field {
    uint32_t number;
    int wire_type;
    uint64_t value;          /* wire type 0 */
    audit_slice bytes;       /* wire type 2, inside the input */
} audit_field;

/* The next field: 1 if read, 0 at the end, -1 if malformed. */
int custos__audit_wire_next(audit_wire *w, audit_field *f);

/* Read seq and prev_hash (32 bytes, inside p) of an encoded entry, checking
 * its shape as custos__audit_entry_decode does; 0 or -1 if malformed. */
int custos__audit_entry_peek(const uint8_t *p, size_t len, uint64_t *seq, const uint8_t **prev);

/* Split an encoded AuditExport into slices of its entries and checkpoints
 * (inside p; the two arrays are custos__malloc'd). CUSTOS_ECORRUPT if it is
 * not well formed. */
int custos__audit_export_split(const uint8_t *p, size_t len, audit_slice **entries, size_t *ne,
                               audit_slice **checkpoints, size_t *nc);

/* The 40-byte message a checkpoint signs. */
/* What a checkpoint signs: a 16-byte domain tag (so that no other message
 * the device key signs can pass for a checkpoint), seq (8 bytes LE), hash. */
#define CUSTOS_AUDIT_CP_TAG "CUSTOS-AUDIT-CP1"
#define CUSTOS_AUDIT_CP_MSG_BYTES 56u
void custos__audit_checkpoint_message(uint8_t msg[CUSTOS_AUDIT_CP_MSG_BYTES], uint64_t seq, const uint8_t hash[32]);

/*
 * Verify entries (seq 1..n in order) and checkpoints against pk; fills r and
 * returns a custos_audit_failure, or -1 if out of memory. Touches no store;
 * ctx (may be NULL) only lends its memo of verified checkpoints.
 */
int custos__audit_verify_chain(custos_t *ctx, const audit_slice *entries, size_t n,
                               const audit_slice *checkpoints, size_t ncp,
                               const uint8_t pk[32], custos_audit_report *r);

/* Describe a failed report in words (no personal data: only seq numbers). */
int custos__audit_report_fail(custos_t *ctx, const custos_audit_report *r);

/* Write a checkpoint over the newest entry, inside the caller's transaction;
 * nothing to do if it already has one or the chain is empty. */
int custos__audit_write_checkpoint(custos_t *ctx);

#endif
