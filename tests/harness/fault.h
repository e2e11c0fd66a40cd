/*
 * fault.h: I/O-error and out-of-memory injection, and the loop that drives a
 * public operation through a fault at every possible point (k = 1, 2, ...).
 *
 * Three seams, all counted together:
 *   - the SQLite VFS "th-fault" (TH_VFS), a wrapper over the default unix
 *     VFS: open, read, write/truncate, sync and delete of custos.db, its WAL
 *     and journals. A store uses it when opened with th_open_options().
 *   - the injector of core/src/iofault.h for the files Custos writes itself
 *     (STORE, keys, intent journals, exports): open, write, fsync, rename,
 *     unlink, read.
 *   - the allocator hook (custos_set_allocator) plus SQLite's allocator
 *     (sqlite3_config(SQLITE_CONFIG_MALLOC)), for out-of-memory.
 * libsodium's sodium_malloc is not hooked: its failures are not injected.
 *
 * The one-line use, from a module's test (see docs/testing.md):
 *
 *     th_fault_run_all("withdraw", setup_two_subjects, op_withdraw, check_withdraw, NULL);
 *
 * runs op under EIO and ENOSPC (transient and persistent) and OOM (transient
 * and persistent) at every k until op succeeds without hitting the fault,
 * and at every k asserts: op returned 0 or a clean CUSTOS_E* code of the
 * allowed set; no Custos allocation leaked; the store, reopened without
 * faults, opens, passes PRAGMA integrity_check, and passes check().
 *
 * Everything here runs inside a cmocka test and fails it with cmocka's
 * assertions. The harness is single-threaded: arm faults only while one
 * thread drives the store.
 */
#ifndef CUSTOS_TEST_FAULT_H
#define CUSTOS_TEST_FAULT_H

#include "harness.h"

/* The name of the fault VFS, for custos_open_options.sqlite_vfs. */
#define TH_VFS "th-fault"

/* Kinds of fault. */
enum {
    TH_FAULT_NONE = 0,
    TH_FAULT_EIO,     /* I/O error: errno EIO, SQLITE_IOERR_* through the VFS */
    TH_FAULT_ENOSPC,  /* disk full: errno ENOSPC, SQLITE_FULL on VFS writes */
    TH_FAULT_OOM      /* the k-th allocation returns NULL */
};

/* Which I/O operations count as points (a bit mask). */
enum {
    TH_IO_OPEN   = 1u << 0,
    TH_IO_READ   = 1u << 1,
    TH_IO_WRITE  = 1u << 2,  /* also SQLite's xTruncate */
    TH_IO_FSYNC  = 1u << 3,
    TH_IO_RENAME = 1u << 4,  /* Custos's own files only: SQLite never renames */
    TH_IO_UNLINK = 1u << 5,
    TH_IO_ALL    = 0x3fu,
    /* What can change the disk: the crash points of crash.h. */
    TH_IO_MUTATING = TH_IO_WRITE | TH_IO_FSYNC | TH_IO_RENAME | TH_IO_UNLINK
};

/* --- set-up --- */

/* Register the VFS, the file injector and the counting allocators. Idempotent;
 * every function below and th_tmpdir() call it, so tests rarely need to. */
void th_fault_install(void);

/* Open options that route SQLite through TH_VFS (flags: CUSTOS_OPEN_*). */
custos_open_options th_open_options(unsigned int flags);
/* Open (creating) dir through TH_VFS, asserting success. */
custos_t *th_open_vfs(const char *dir);

/* --- arming by hand --- */

/* Fail the k-th I/O operation of the kinds in ops (TH_IO_*) with kind
 * (TH_FAULT_EIO or TH_FAULT_ENOSPC); persistent: also every later one. */
void th_io_fail_at(unsigned long k, int kind, unsigned int ops, int persistent);
/* Fail the k-th allocation (Custos's and SQLite's); persistent: every later one. */
void th_oom_at(unsigned long k, int persistent);
/* Disarm every fault (counts stop). */
void th_fault_clear(void);
/* Points counted since arming, and whether a fault was injected. */
unsigned long th_fault_count(void);
int th_fault_hit(void);

/* Custos allocations not yet freed (custos__malloc minus custos__free).
 * With every store closed this must be 0. */
long th_alloc_outstanding(void);
/* Bytes SQLite holds (sqlite3_memory_used), for leak checks of SQLite. */
long long th_sqlite_memory(void);

/* Assert that the store in dir opens without faults and passes
 * PRAGMA integrity_check. */
void th_assert_integrity(const char *dir);
/* Run PRAGMA integrity_check on an open store; asserts "ok". */
void th_assert_db_ok(custos_t *ctx);

/* --- the loop --- */

/* Prepare the store the operation starts from (faults off). It runs ONCE per
 * loop, in a directory of its own; every k then starts from a copy of that
 * directory, so setup must leave in arg only what stays true of the copies
 * (ids, keys), and op must not rely on arg being reset. May be NULL. */
typedef void (*th_setup_fn)(const char *dir, void *arg);
/* The operation under test. ctx is the store opened by the loop through
 * TH_VFS (open_store = 1), or NULL (open_store = 0: op opens dir itself with
 * th_open_options() and closes what it opened). Returns 0 or a CUSTOS_E*
 * code; op must not assert on an error it got from Custos. */
typedef int (*th_op_fn)(custos_t *ctx, const char *dir, void *arg);
/* After each k, with the store reopened without faults (flags 0): check that
 * no partial state is visible through the API. op_rc is what op returned
 * (0: the operation must be fully done; an error: fully done or not at all).
 * ctx is NULL only if no store exists in dir, which is a failure unless the
 * test allowed it (th_fault_loop.may_leave_no_store). May be NULL. */
typedef void (*th_check_fn)(custos_t *ctx, const char *dir, int op_rc, void *arg);

typedef struct th_fault_loop {
    const char *name;        /* printed with the count of k */
    int kind;                /* TH_FAULT_EIO, TH_FAULT_ENOSPC or TH_FAULT_OOM */
    int persistent;          /* 0: only the k-th point fails; 1: every point from k on */
    unsigned int io_ops;     /* TH_IO_* counted for I/O faults; 0 means TH_IO_ALL */
    int open_store;          /* 1: the loop opens dir (CUSTOS_OPEN_CREATE) before arming */
    int may_leave_no_store;  /* 1: after a failed op, dir may hold no store (store creation) */
    th_setup_fn setup;
    th_op_fn op;
    th_check_fn check;
    const int *allowed;      /* clean errors, 0-terminated; NULL: EIO, ENOSPC, ENOMEM */
    void *arg;
    unsigned long max_k;     /* safety stop; 0 means 100000 */
} th_fault_loop;
/* Directories of a loop are on /dev/shm (th_fast_tmpdir), and SQLite's fsyncs
 * are modelled rather than performed, so a loop costs CPU, not disk waits. */

/* Run the loop; returns the number of k exercised (also printed). */
unsigned long th_fault_run(const th_fault_loop *loop);

/* The one-liner: op on a store the loop opens, under EIO (every I/O kind),
 * ENOSPC (open, write, fsync, rename: where a full disk shows) and OOM, each
 * transient and persistent. Returns the total number of k. */
unsigned long th_fault_run_all(const char *name, th_setup_fn setup, th_op_fn op,
                               th_check_fn check, void *arg);

#endif
