/*
 * vault_private.h: the vault's private parts, shared by the files of core/src/vault/.
 *
 *   vault.c    attach/detach, schema, statement cache, key arena and cache, WAL check
 *   access.c   buffered access audit entries
 *   seal.c     record and data-key sealing (associated data, formats)
 *   keys.c     data keys: create, find, unwrap, destroy, KEK rotation
 *   records.c  put, get, list, foreach, delete, expiry
 *   export.c   secretstream export and import
 *   stream.c   sealed streams: records of any size, in a file of chunks
 *   stream_sweep.c  removing stream files no record owns
 *   migrate.c  forward migration of older store formats
 */
#ifndef CUSTOS_VAULT_PRIVATE_H
#define CUSTOS_VAULT_PRIVATE_H

#include "vault_internal.h"
#include <custos/vault.h>

#include <sodium.h>

#define VT_KEY_BYTES 32u
#define VT_ID_BYTES CUSTOS_VAULT_KEY_ID_BYTES
#define VT_NONCE_BYTES 24u             /* XChaCha20-Poly1305 (fmt 1 and 3); also a nonce pool entry */
#define VT_GCM_NONCE_BYTES 12u         /* AES-256-GCM (fmt 2) */
#define VT_TAG_BYTES 16u               /* both AEADs */
#define VT_RECORD_XCHACHA 1u           /* fmt column and AD: a record sealed with XChaCha20-Poly1305 (seal.c) */
#define VT_RECORD_GCM 2u               /* ... with AES-256-GCM, where the CPU has it */
#define VT_STREAM_FORMAT 3u            /* fmt of a stream's row (stream.c), XChaCha20-Poly1305 */
#define VT_STREAM_CHUNK 65536u         /* plaintext bytes per sealed chunk of a stream */
#define VT_STREAM_DIR "streams"        /* the stream files, next to custos.db (stream.c) */
#define VT_STREAM_HEX 32u              /* hex digits of a stream file's name: its 128-bit random id */
#define VT_ROW_HEAD 36u                /* the row header before each sealed value (seal.c, SEALED ROW) */
#define VT_HEAD_FMT 0                  /* ... its fields' offsets: fmt (1 byte) */
#define VT_HEAD_ADV 1                  /* AD version (1 byte), then 2 zero bytes */
#define VT_HEAD_PURPOSE 4              /* u32 */
#define VT_HEAD_CATEGORY 8             /* u32 */
#define VT_HEAD_KEY_ID 12              /* VT_ID_BYTES */
#define VT_HEAD_CREATED 20             /* u64 */
#define VT_HEAD_EXPIRES 28             /* u64 */
#define VT_AD_COLUMNS 1u               /* row header's AD version: "CVR1", a row migrated from store format <= 2 */
#define VT_AD_HEAD 2u                  /* ... "CVR2", the whole header authenticated (every row written since) */
#define VT_WRAPPED_BYTES (VT_KEY_BYTES + CUSTOS_WRAP_OVERHEAD)
#define VT_GCM_KEY_LIMIT ((1ull << 32) - (1ull << 20)) /* GCM seals per data key (keys.c) */
#define VT_SLOTS 16u                   /* data keys cached per handle (the key cache) */
/* The arena: VT_SLOTS AES-GCM key schedules, then VT_SLOTS keys. Its size is a
 * multiple of 16, so sodium_malloc returns it 16-byte aligned, as the schedules need. */
#define VT_GCM_STATE_BYTES sizeof(crypto_aead_aes256gcm_state)
#define VT_ARENA_BYTES (VT_SLOTS * (VT_GCM_STATE_BYTES + VT_KEY_BYTES))
#define VT_NONCE_POOL 64u              /* nonces drawn from the RNG at once */
#define VT_ACCESS_MAX 64u              /* buffered access entries (access.c) */
#define VT_ACCESS_AGE 1u               /* seconds an access entry may wait */

/* A read's access entry waiting to be appended (access.c). */
typedef struct vt_access {
    uint8_t subject_hash[CUSTOS_HASH_BYTES];
    int64_t purpose;
    const char *detail;        /* a static string */
} vt_access;

/* A data key in the handle's key cache. The key bytes live in the arena.
 * fresh: created inside the current call, whose transaction may still roll
 * back; such a key is evicted when the call ends, and cached only once a
 * later call has found its row. */
typedef struct vt_slot {
    int used;
    int fresh;
    int gcm_ready;             /* its AES-GCM key schedule is computed (seal.c, on first use) */
    int for_put;               /* the scope's newest key (highest seq): new records may use it */
    int64_t seq;               /* its vault_key.seq */
    uint8_t subject_hash[CUSTOS_HASH_BYTES];
    uint32_t purpose;
    uint8_t key_id[VT_ID_BYTES];
} vt_slot;

/* Cached prepared statements, by index. */
enum {
    VT_ST_KEY_BY_SCOPE, VT_ST_KEY_BY_ID, VT_ST_KEY_INSERT, VT_ST_KEY_COUNT, VT_ST_NEXT_ID,
    VT_ST_RECORD_INSERT, VT_ST_RECORD_GET, VT_ST_RECORD_LIST, VT_ST_RECORD_WALK, VT_ST_RECORD_DELETE,
    VT_ST_JOURNAL, VT_ST_STREAM_INSERT, VT_ST_STREAM_FILE, VT_ST_STREAM_ALIVE, VT_ST_STREAM_NAMED, VT_ST__COUNT
};

struct custos_vault {
    uint8_t *arena;             /* sodium_malloc'd: VT_ARENA_BYTES; no access outside a call if noaccess */
    int noaccess;               /* CUSTOS_OPEN_KEYS_NOACCESS: mprotect the arena between calls */
    int gcm;                    /* AES-256-GCM usable: new records are fmt 2, fmt-2 records open */
    vt_slot slots[VT_SLOTS];
    unsigned next_victim;
    uint32_t data_version;      /* the pager's data version when the cache was last valid */
    int version_known;
    int cache_checked;          /* custos_vault__cache_check ran in this call */
    uint64_t evictions;         /* custos_vault__cache_evict calls: open streams re-check their key */
    unsigned arena_depth;       /* nesting of custos_vault__arena_open; 0: outside a call */
    unsigned last_hit;          /* the slot slot_by_id found last (keys.c): tried first */
    /* Per call only (reset by the outermost custos_vault__arena_close): the next record
     * id inside the open transaction, and a pool of fresh random nonces so
     * that a batch asks the RNG once. Neither is secret; both are forgotten
     * when the call returns, so no nonce can be handed out twice (not even
     * to a forked child). */
    int64_t next_id;
    uint8_t nonces[VT_NONCE_POOL * VT_NONCE_BYTES];
    unsigned nonces_left;
    sqlite3_stmt *st[VT_ST__COUNT];
    vt_access access[VT_ACCESS_MAX];
    unsigned access_n;
    uint64_t access_since;      /* when the oldest buffered entry was read */
};

/* vault.c */
int custos_vault__stmt(custos_t *ctx, sqlite3_stmt **out, int which);
/* Take write_lock and open the arena (custos_vault__enter); wipe it, close it, unlock (custos_vault__leave). */
void custos_vault__enter(custos_t *ctx);
void custos_vault__leave(custos_t *ctx);
/* The arena is readable only between custos_vault__arena_open and the matching
 * custos_vault__arena_close (they nest); the outermost close wipes every slot. */
void custos_vault__arena_open(custos_t *ctx);
void custos_vault__arena_close(custos_t *ctx);
/* Slot i's key bytes and AES-GCM key schedule in the arena. */
uint8_t *custos_vault__slot_key(custos_t *ctx, unsigned i);
crypto_aead_aes256gcm_state *custos_vault__slot_gcm(custos_t *ctx, unsigned i);
/* Wipe slot i's key and key schedule (not its vt_slot). */
void custos_vault__slot_wipe(custos_t *ctx, unsigned i);
/* Wipe every cached data key (erase, KEK rotation, a change to the database). */
void custos_vault__cache_evict(custos_t *ctx);
/* Evict the cache if the database changed since it was filled; call after
 * the call's first statement ran (vault.c, KEY CACHE). */
void custos_vault__cache_check(custos_t *ctx);
int custos_vault__require_wal(custos_t *ctx);
int custos_vault__meta_get(custos_t *ctx, const char *name, int64_t *value, int64_t dflt);
int custos_vault__meta_set(custos_t *ctx, const char *name, int64_t value);
/* Record a key failure or integrity violation in the audit chain, inside
 * the caller's transaction if one is open, else in its own. */
void custos_vault__audit_failure(custos_t *ctx, int kind, const uint8_t *subject_hash, int64_t purpose,
                      int code, const char *detail);
void custos_vault__put32(uint8_t *p, uint32_t v);
void custos_vault__put64(uint8_t *p, uint64_t v);
uint32_t custos_vault__get32(const uint8_t *p);
uint64_t custos_vault__get64(const uint8_t *p);

/* access.c: a read of personal data (CUSTOS_AUDIT_ACCESS, optional) is
 * buffered (write_lock held, no transaction open); best effort, a failure
 * to record it never fails the read. access_append appends the buffer
 * inside the caller's transaction and returns how many it appended; the
 * caller drops them with access_committed once its commit succeeded.
 * access_flush writes them in a transaction of its own; access_tick does so
 * if the oldest is VT_ACCESS_AGE old. */
void custos_vault__audit_access(custos_t *ctx, const uint8_t subject_hash[32], int64_t purpose, const char *detail);
unsigned custos_vault__access_append(custos_t *ctx);
void custos_vault__access_committed(custos_t *ctx, unsigned n);
void custos_vault__access_flush(custos_t *ctx);
void custos_vault__access_tick(custos_t *ctx);

/* keys.c: a data key for new records (created if none), or for an existing one. gcm_seals: how
 * many AES-GCM seals the caller will make with it, counted in its row (the count rolls back with
 * the caller's transaction); a key that would pass VT_GCM_KEY_LIMIT is retired for a new one. */
int custos_vault__key_for_put(custos_t *ctx, const uint8_t subject_hash[32], uint32_t purpose, uint32_t gcm_seals,
                   const uint8_t **key, uint8_t key_id[VT_ID_BYTES]);
int custos_vault__key_by_id(custos_t *ctx, const uint8_t key_id[VT_ID_BYTES], const uint8_t **key);
int custos_vault__kek_cleanup(custos_t *ctx);

/* seal.c */
typedef struct vt_record_ad {
    int64_t id;
    const uint8_t *subject_hash;
    uint32_t purpose;
    uint32_t category;
    const uint8_t *key_id;
    uint32_t fmt;
    uint32_t adv;              /* VT_AD_HEAD or VT_AD_COLUMNS (set by row_head and row_parse) */
    const uint8_t *head;       /* the row header (VT_ROW_HEAD bytes), authenticated whole under VT_AD_HEAD */
} vt_record_ad;
/* Write a row's header from ad (fmt, purpose, category, key id), created and
 * expires (0: none) with AD version adv, and point ad->head at it. */
void custos_vault__row_head(uint8_t head[VT_ROW_HEAD], vt_record_ad *ad, uint32_t adv, uint64_t created,
                            uint64_t expires);
/* Read a sealed column (header, then the sealed value): fills ad (ad->id and
 * ad->subject_hash are the caller's) and info, and points sealed past the
 * header. CUSTOS_ECORRUPT if the header cannot be a real one,
 * CUSTOS_EUNSUPPORTED for AES-GCM on a handle without it. */
int custos_vault__row_parse(custos_t *ctx, const uint8_t *row, size_t row_len, vt_record_ad *ad,
                            custos_vault_info *info, const uint8_t **sealed, size_t *sealed_len);
/* At attach: may this handle use AES-256-GCM (the CPU has it, no test forbids it)? */
int custos_vault__gcm_usable(void);
/* The fmt a new record is sealed with on this handle (VT_RECORD_GCM or VT_RECORD_XCHACHA). */
uint32_t custos_vault__record_fmt(custos_t *ctx);
/* Bytes a sealed value of format fmt adds to its plaintext (nonce and tag). */
size_t custos_vault__seal_overhead(uint32_t fmt);
size_t custos_vault__sealed_len(uint32_t fmt, size_t plain_len);
/* Seal with the AEAD of ad->fmt. key is a key returned by custos_vault__key_for_put
 * or custos_vault__key_by_id (its slot's cached AES-GCM schedule is used). */
void custos_vault__seal(custos_t *ctx, uint8_t *out, const uint8_t *plain, size_t len,
             const vt_record_ad *ad, const uint8_t key[32]);
/* CUSTOS_ECORRUPT if it fails authentication (nothing set on ctx);
 * CUSTOS_EUNSUPPORTED (with its detail) for fmt 2 on a handle without AES-GCM. */
CUSTOS_WARN_UNUSED int custos_vault__open(custos_t *ctx, uint8_t *out, const uint8_t *sealed, size_t sealed_len,
                               const vt_record_ad *ad, const uint8_t key[32]);
/* custos_vault__open's CUSTOS_EUNSUPPORTED, for callers that check before opening. */
int custos_vault__unsupported(custos_t *ctx, int64_t record_id);
int custos_vault__wrap_key(custos_t *ctx, uint8_t out[VT_WRAPPED_BYTES], uint32_t gen, const uint8_t key[32],
                const uint8_t subject_hash[32], uint32_t purpose, const uint8_t key_id[VT_ID_BYTES]);
CUSTOS_WARN_UNUSED int custos_vault__unwrap_key(custos_t *ctx, uint8_t key[32], uint32_t gen, const uint8_t *wrapped,
                                     size_t wrapped_len, const uint8_t subject_hash[32], uint32_t purpose,
                                     const uint8_t key_id[VT_ID_BYTES]);

/* records.c: the subject hash of a registered subject. */
int custos_vault__subject_hash(custos_t *ctx, custos_subject subject, uint8_t out[32]);
int custos_vault__next_id(custos_t *ctx, int64_t *id);
/* Insert a record row whose sealed column (row header, then sealed value) is made; the other
 * columns come from ad and the header (created, expires). */
int custos_vault__insert_row(custos_t *ctx, const vt_record_ad *ad, const uint8_t *row, size_t row_len);
/* The columns of a VT_ST_RECORD_GET row (record or stream), checked as get checks them. */
int custos_vault__row_columns(custos_t *ctx, sqlite3_stmt *st, int64_t id, vt_record_ad *ad,
                              custos_vault_info *info, const uint8_t **sealed, size_t *sealed_len);
int custos_vault__insert_sealed(custos_t *ctx, custos_record_id *out_id, const uint8_t subject_hash[32],
                     uint32_t purpose, uint32_t category, uint64_t created, uint64_t expires,
                     const uint8_t *data, size_t len);
/* Open each record of a subject, oldest first, and hand it to fn (see custos_vault_foreach). */
int custos_vault__walk(custos_t *ctx, const uint8_t hash[32], custos_vault_visit_fn fn, void *user);
int custos_vault__expiry(custos_t *ctx, uint32_t purpose, uint64_t now, uint64_t *expires);

/* stream.c: open a stream row's sealed metadata (CUSTOS_EKEY, CUSTOS_ECORRUPT); *length is
 * the stream's length; meta_out (may be NULL) receives the 68 bytes of plaintext. Remove
 * the files of streams/ that no record owns (and, if parts, every unfinished .part file). */
int custos_vault__stream_meta(custos_t *ctx, const vt_record_ad *ad, const uint8_t *sealed, size_t sealed_len,
                              uint64_t *length, uint8_t *meta_out);
int custos_vault__stream_sweep(custos_t *ctx, int parts);
/* <store>/streams (malloc'd; NULL: out of memory), and a failed I/O call on a stream file as
 * CUSTOS_ENOSPC or CUSTOS_EIO with its detail ("cannot WHAT a stream file: ..."). */
char *custos_vault__stream_dir(custos_t *ctx);
int custos_vault__stream_io_fail(custos_t *ctx, int err, const char *what);
/* With write_lock held (export, import): open a stream and read it; stage a whole stream
 * as a sealed file (the gate asked; nothing visible), insert its rows in the caller's
 * transaction, then unstage it (stored: keep its file; else remove it). */
int custos_vault__stream_open_locked(custos_t *ctx, custos_vault_stream **out, custos_record_id id);
int custos_vault__stream_read_locked(custos_vault_stream *s, uint8_t *buf, size_t size, size_t *n);
int custos_vault__stream_stage(custos_t *ctx, custos_vault_stream **out, custos_subject subject, uint32_t purpose,
                               uint32_t category, const uint8_t *data, size_t len);
int custos_vault__stream_stage_rows(custos_vault_stream *s, const uint8_t hash[32], uint64_t created,
                                    uint64_t expires, custos_record_id *id);
void custos_vault__stream_unstage(custos_vault_stream *s, int stored);

#endif
