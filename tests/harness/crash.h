/*
 * crash.h: crash tests. A child process (fork) runs an operation and is
 * killed with SIGKILL just before its k-th mutating I/O point (a write,
 * truncate, fsync, rename or unlink, through TH_VFS and the file injector of
 * fault.h); the parent then reopens the store and checks the test's
 * invariants. k runs 1, 2, ... until the child completes without reaching k.
 *
 * What the disk holds at the crash depends on the model, applied by the child
 * to the SQLite files (custos.db, -wal, -journal) just before it dies,
 * following SQLite's crash VFS (src/test6.c):
 *   TH_CRASH_KEEP  every write issued reached the disk (a process crash);
 *   TH_CRASH_DROP  writes since the last xSync of their file are lost
 *                  (a power cut on a disk with a write cache);
 *   TH_CRASH_TEAR  each 512-byte sector written since the last xSync is
 *                  independently kept or lost (torn writes), chosen by a
 *                  generator seeded with k so that a failure replays.
 * Custos's own files are written atomically (temp file, fsync, rename, fsync
 * of the directory); renames not yet made durable by the directory fsync are
 * not rolled back by the model.
 *
 * The child must not use cmocka assertions (it is a copy of the test
 * process): op returns nonzero to report a failure. It may call
 * th_crash_note() after each step the API acknowledged; the parent receives
 * the notes the child made before it died, and checks that none was lost.
 *
 * One line, from a module's crash test:
 *
 *     th_crash_run_all("erase-user", setup, op_erase, check_erase, NULL);
 */
#ifndef CUSTOS_TEST_CRASH_H
#define CUSTOS_TEST_CRASH_H

#include "fault.h"

enum { TH_CRASH_KEEP = 0, TH_CRASH_DROP = 1, TH_CRASH_TEAR = 2 };

#define TH_CRASH_MAX_NOTES 4096

typedef struct th_crash_result {
    unsigned long k;          /* the crash point (1-based) */
    int model;                /* TH_CRASH_* */
    int crashed;              /* 1: the child died at k; 0: it ran to completion */
    size_t n_notes;           /* values passed to th_crash_note() before the crash */
    const uint64_t *notes;
} th_crash_result;

/* Runs in the child. Open stores with th_open_options() so that SQLite's I/O
 * is seen. Return 0 when the operation completed as expected. */
typedef int (*th_crash_op_fn)(const char *dir, void *arg);
/* Runs in the parent after the child ended, no fault armed. Reopen dir
 * (custos_open with flags 0, or th_crash_reopen) and assert the invariants. */
typedef void (*th_crash_check_fn)(const char *dir, const th_crash_result *r, void *arg);

typedef struct th_crash_loop {
    const char *name;         /* printed with the count of crash points */
    int model;                /* TH_CRASH_* */
    unsigned int io_ops;      /* points that count; 0 means TH_IO_MUTATING */
    th_setup_fn setup;        /* in the parent, once; each k starts from a copy (fault.h); may be NULL */
    th_crash_op_fn op;
    th_crash_check_fn check;
    void *arg;
    unsigned long max_k;      /* safety stop; 0 means 100000 */
} th_crash_loop;

/* Run the loop; returns the number of crash points exercised (also printed). */
unsigned long th_crash_run(const th_crash_loop *loop);

/* The one-liner: th_crash_run under KEEP, DROP and TEAR. Returns the total. */
unsigned long th_crash_run_all(const char *name, th_setup_fn setup, th_crash_op_fn op,
                               th_crash_check_fn check, void *arg);

/* In the child: record that a step was acknowledged by the API. */
void th_crash_note(uint64_t value);

/* In the parent: reopen dir without creating it. Returns NULL if no store
 * exists (CUSTOS_ENOTFOUND); fails the test on any other error, then asserts
 * PRAGMA integrity_check. */
custos_t *th_crash_reopen(const char *dir);

#endif
