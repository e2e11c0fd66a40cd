/*
 * internal.h: what the core's modules share and the public API hides.
 *
 * struct custos is the handle. Each module keeps its own state behind one
 * pointer here and owns the tables it creates; lifecycle/open.c knows only how to
 * open the store, call each module's attach hook, and close it again.
 *
 * This header is the ground layer's interface (core/src/ground/): every
 * module may include it; nothing in ground/ includes a module's header
 * (docs/architecture.md, tests/layering).
 */
#ifndef CUSTOS_INTERNAL_H
#define CUSTOS_INTERNAL_H

#include <custos/common.h>
#include <custos/store.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sqlite3.h>

#if defined(__GNUC__)
#  define CUSTOS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#  define CUSTOS_PRINTF(a, b)
#endif

/* Semi-private (libgit2's word): an internal function that the shared runtime
 * libcustos exports because the tooling library libcustos-tools calls it
 * (docs/architecture.md, "Two libraries"). Not API: no header under
 * include/ declares it, it may change in any release, and custos-tools.pc
 * requires a libcustos of exactly its own version. tests/split lists them. */
#define CUSTOS__FOR_TOOLS CUSTOS_API

struct custos_manifest;
struct custos_ledger;
struct custos_gate;
struct custos_vault;
struct custos_audit;
struct custos_erase;

#define CUSTOS_TXN_HOOKS_MAX 4

struct custos {
    char *dir;
    sqlite3 *db;
    sqlite3_stmt *rollback;          /* "ROLLBACK", prepared at open (db.c) */
    uint64_t txn_serial;              /* counts BEGINs (db.c): names the open write transaction */
    unsigned int flags;
    int lock_fd;                      /* flock on STORE while open */

    custos_key_provider *kp;          /* the provider in use */
    custos_key_provider *kp_owned;    /* set when we created the file provider */
    custos_clock clock;
    custos_rng rng;
    uint8_t device_id[CUSTOS_DEVICE_ID_BYTES];
    uint8_t *index_key;               /* 32 bytes, sodium_malloc'd, read-only when idle */

    pthread_mutex_t write_lock;       /* serialises writers; readers of the gate never take it */
    int (*txn_hooks[3][CUSTOS_TXN_HOOKS_MAX])(custos_t *ctx); /* txn.c, registered at attach */
    unsigned txn_nhooks[3];
    pthread_mutex_t err_lock;
    char errmsg[CUSTOS_ERRMSG_MAX];

    /* Module state, each owned by its module. */
    struct custos_manifest *manifest;
    struct custos_ledger *ledger;
    struct custos_gate *gate;
    struct custos_vault *vault;
    struct custos_audit *audit;
    struct custos_erase *erase;
    struct custos_anchor *anchor;     /* lifecycle/anchor.c */
};

/* --- errors (error.c) --- */
/* Record the detail of a failure on ctx and return code, so that callers
 * can write `return custos__fail(ctx, CUSTOS_EIO, "...", ...)`. */
CUSTOS__FOR_TOOLS int custos__fail(custos_t *ctx, int code, const char *fmt, ...) CUSTOS_PRINTF(3, 4);
int custos__failv(custos_t *ctx, int code, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
/* Map an SQLite result code to a CUSTOS_E* code, recording its message. */
int custos__sqlite_fail(custos_t *ctx, int rc, const char *what);
void custos__clear_error(custos_t *ctx);
/* Detail for failures of calls without a handle (custos_last_error). */
CUSTOS__FOR_TOOLS int custos__fail_noctx(int code, const char *fmt, ...) CUSTOS_PRINTF(2, 3);
CUSTOS__FOR_TOOLS int custos__fail_noctxv(int code, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* --- memory (alloc.c) --- */
CUSTOS__FOR_TOOLS void *custos__malloc(size_t n);
CUSTOS__FOR_TOOLS void *custos__calloc(size_t count, size_t size);
void *custos__realloc(void *p, size_t n);
CUSTOS__FOR_TOOLS void  custos__free(void *p);
char *custos__strdup(const char *s);
/* Wipe n bytes; the one wipe routine of the project (sodium_memzero). */
void  custos__wipe(void *p, size_t n);
/* The protobuf-c allocator that routes through the hooks above. */
struct ProtobufCAllocator;
struct ProtobufCAllocator *custos__pbc_allocator(void);
/* Unpack a protobuf-c message through the hooks, telling a failed allocation
 * (CUSTOS_ENOMEM) from bytes that are not such a message (CUSTOS_ECORRUPT);
 * records no detail (the caller knows what it decoded). Free the message with
 * protobuf_c_message_free_unpacked(msg, custos__pbc_allocator()). */
struct ProtobufCMessageDescriptor;
int custos__pbc_unpack(const struct ProtobufCMessageDescriptor *d, const uint8_t *data, size_t len, void **out);
/* Nonzero while at least one store is open (allocator hooks are then frozen). */
void custos__stores_opened(int delta);

/* --- files the SDK writes itself (fileio.c) --- */
/* Write data to path atomically: temp file, fsync, rename, fsync dir. */
int custos__file_write_atomic(custos_t *ctx, const char *path, const void *data, size_t len, int mode);
/* Read a whole file (at most max bytes) into a new buffer. */
int custos__file_read(custos_t *ctx, const char *path, uint8_t **out, size_t *out_len, size_t max);
/* Overwrite a file's bytes with zeros, fsync, and unlink it. */
int custos__file_shred(custos_t *ctx, const char *path);
int custos__file_unlink(custos_t *ctx, const char *path);
/* Write len bytes at offset of an existing regular file, in place and not
 * synced (never follows a symlink): for records that tolerate being lost. */
int custos__file_pwrite(custos_t *ctx, const char *path, uint64_t offset, const void *data, size_t len);
int custos__fsync_dir(custos_t *ctx, const char *dir);
/* path = dir + "/" + name; caller frees. */
char *custos__path_join(const char *dir, const char *name);

/* --- the environment (env.c): clock, randomness, subject hash, identity --- */
/* Install the caller's clock and RNG, or the system ones when NULL (custos_open). */
void custos__env_init(custos_t *ctx, const custos_clock *clock, const custos_rng *rng);
uint64_t custos__now(const custos_t *ctx, custos_time_confidence *confidence);
void custos__random(const custos_t *ctx, uint8_t *buf, size_t len);
/* 1 if ctx reads the default system clock (the gate then uses a coarse clock). */
int custos__clock_is_system(const custos_t *ctx);

/* Keyed BLAKE2b-256 of an identifier with the device index key. */
/* A 32-byte key for one purpose of the library, derived from the provider's
 * index key (keyed BLAKE2b-256 of "custos.v1 " label): never stored. */
void custos__derive_key(const custos_t *ctx, uint8_t out[32], const char *label);
int custos__subject_hash(const custos_t *ctx, uint8_t out[CUSTOS_HASH_BYTES],
                         const char *subject_id);

/* --- SQLite helpers (db.c) --- */
int custos__db_exec(custos_t *ctx, const char *sql);
/* *out = 1 if custos.db has a table of that name (a module's schema marks). */
int custos__db_table_exists(custos_t *ctx, const char *name, int *out);
/* Make the mark `name` (an empty one-row table; name is a literal identifier). */
int custos__db_mark(custos_t *ctx, const char *name);
int custos__db_begin(custos_t *ctx);   /* BEGIN IMMEDIATE */
int custos__db_commit(custos_t *ctx);
void custos__db_rollback(custos_t *ctx);

/* --- the consent seal's other tables (consent/seal.c) ---
 * A module's table joins the seal through custos_consent__seal_add (consent
 * module); its temporary triggers fold each row that leaves or enters it.
 * The tags and the trigger text are here so that a module below consent
 * (audit) can write its own triggers. */
/* The three temporary triggers that fold table's rows into the seal; t is
 * the tag as a number literal. */
#define CUSTOS_SEAL_TRIGGERS(name, table, cols_new, cols_old, t)                                                   \
    "CREATE TEMP TRIGGER IF NOT EXISTS cs_seal_" name "_i AFTER INSERT ON main." table " BEGIN"         \
    " SELECT custos_seal(" #t ", " cols_new "); END;"                                                   \
    "CREATE TEMP TRIGGER IF NOT EXISTS cs_seal_" name "_d AFTER DELETE ON main." table " BEGIN"         \
    " SELECT custos_seal(" #t ", " cols_old "); END;"                                                   \
    "CREATE TEMP TRIGGER IF NOT EXISTS cs_seal_" name "_u AFTER UPDATE ON main." table " BEGIN"         \
    " SELECT custos_seal(" #t ", " cols_old "), custos_seal(" #t ", " cols_new "); END;"

enum {
    CUSTOS_SEAL_TAG_ERASE_RECEIPT = 16,
    CUSTOS_SEAL_TAG_ERASE_OUTBOX = 17,
    CUSTOS_SEAL_TAG_ERASE_META = 18,
    CUSTOS_SEAL_TAG_ERASE_STATE = 19,
    CUSTOS_SEAL_TAG_AUDIT_SETTING = 20
};
/* custos_consent__seal_add's shape, for a module that cannot include consent. */
typedef int (*custos__seal_add_fn)(custos_t *ctx, int tag, const char *select, int fold_existing);

/* --- the writer transaction (txn.c) --- */
typedef enum custos_txn_when {
    CUSTOS_TXN_BEFORE_WRITE = 0,  /* inside the transaction, before the writer's work */
    CUSTOS_TXN_AFTER_COMMIT = 1,  /* after it ended (commit or rollback), lock still held */
    CUSTOS_TXN_BEFORE_COMMIT = 2  /* in custos__db_commit, before COMMIT: a failure rolls back */
} custos_txn_when;
typedef int (*custos_txn_hook)(custos_t *ctx);
/* Register a hook (a module's attach does this); at most CUSTOS_TXN_HOOKS_MAX per kind. */
int custos__txn_hook_add(custos_t *ctx, custos_txn_when when, custos_txn_hook fn);
/* Write lock, BEGIN IMMEDIATE, the before_write hooks; on failure nothing is held. */
int custos__txn_begin(custos_t *ctx);
/* Commit when rc is CUSTOS_OK (else roll back), run the after_commit hooks,
 * release the lock. Returns rc, or the first hook's failure. */
int custos__txn_end(custos_t *ctx, int rc);
/* Run one kind of hook now, inside a writer (the open transaction, an erase
 * step that has just changed what readers may see). */
int custos__txn_before_write(custos_t *ctx);
int custos__txn_after_commit(custos_t *ctx);
int custos__txn_before_commit(custos_t *ctx);

#endif
