/*
 * fault_vfs.c: the SQLite VFS "th-fault", a wrapper over the default (unix)
 * VFS. Every open, read, write, truncate, sync and delete is an I/O point of
 * fault_inject.c, which may fail it or crash the process there.
 *
 * While a crash is armed, each write and truncate of a database, WAL or
 * journal file first saves the bytes it replaces (an undo record); a
 * successful xSync of the file discards its records, since what was synced
 * is durable. At the crash, th__vfs_crash_apply() undoes the unsynced writes
 * (TH_CRASH_DROP: newest first, so the file returns to its state at the last
 * sync) or undoes a random subset of their 512-byte sectors (TH_CRASH_TEAR),
 * which is the outcome of SQLite's crash VFS (src/test6.c) reached by undo
 * instead of by buffering. Files closed before the crash count as durable.
 *
 * It is registered as the default VFS of a test process, and does not pass
 * xSync to the disk (set CUSTOS_TEST_FSYNC=1 to do so): durability is what
 * the crash models simulate, and real fsyncs made the loops slow.
 */
#include "crash.h"
#include "fault_internal.h"

#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SECTOR 512

typedef struct undo_rec {
    sqlite3_int64 off;       /* where the write (or the cut of a truncate) began */
    int len;                 /* bytes saved in old */
    sqlite3_int64 old_size;  /* the file's size before the write */
    unsigned char *old;      /* the bytes the write replaced (zeros past old_size) */
} undo_rec;

typedef struct tv_file {
    sqlite3_file base;
    sqlite3_file *real;      /* the unix VFS's file, allocated right after this struct */
    struct tv_file *next;    /* the list of open files */
    int tracked;             /* a database, WAL or journal: undo records are kept */
    undo_rec *undo;
    size_t n_undo, cap_undo;
} tv_file;

static sqlite3_vfs *orig_vfs;
static tv_file *open_files;

static int io_err(int err, int ioerr)
{
    return err == ENOSPC && ioerr == SQLITE_IOERR_WRITE ? SQLITE_FULL : ioerr;
}

static void undo_clear(tv_file *f)
{
    for (size_t i = 0; i < f->n_undo; i++)
        free(f->undo[i].old);
    free(f->undo);
    f->undo = NULL;
    f->n_undo = f->cap_undo = 0;
}

/* Save what [off, off+len) holds now, before it is overwritten or cut. */
static int undo_save(tv_file *f, sqlite3_int64 off, sqlite3_int64 len)
{
    if (!f->tracked || atomic_load(&th__arm.mode) != TH_ARM_CRASH || len <= 0)
        return SQLITE_OK;
    sqlite3_int64 size = 0;
    int rc = f->real->pMethods->xFileSize(f->real, &size);
    if (rc != SQLITE_OK)
        return rc;
    if (f->n_undo == f->cap_undo) {
        size_t cap = f->cap_undo ? 2 * f->cap_undo : 16;
        undo_rec *u = realloc(f->undo, cap * sizeof *u);
        if (u == NULL)
            return SQLITE_NOMEM;
        f->undo = u;
        f->cap_undo = cap;
    }
    unsigned char *old = calloc(1, (size_t)len);
    if (old == NULL)
        return SQLITE_NOMEM;
    rc = f->real->pMethods->xRead(f->real, old, (int)len, off);
    if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) {
        free(old);
        return rc;
    }
    f->undo[f->n_undo++] = (undo_rec){ off, (int)len, size, old };
    return SQLITE_OK;
}

/* --- io methods --- */

static int tv_close(sqlite3_file *file)
{
    tv_file *f = (tv_file *)file;
    for (tv_file **p = &open_files; *p != NULL; p = &(*p)->next) {
        if (*p == f) {
            *p = f->next;
            break;
        }
    }
    undo_clear(f);
    return f->real->pMethods != NULL ? f->real->pMethods->xClose(f->real) : SQLITE_OK;
}

static int tv_read(sqlite3_file *file, void *buf, int n, sqlite3_int64 off)
{
    tv_file *f = (tv_file *)file;
    int err = th__io_point(TH_IO_READ, NULL);
    if (err != 0)
        return io_err(err, SQLITE_IOERR_READ);
    return f->real->pMethods->xRead(f->real, buf, n, off);
}

static int tv_write(sqlite3_file *file, const void *buf, int n, sqlite3_int64 off)
{
    tv_file *f = (tv_file *)file;
    int err = th__io_point(TH_IO_WRITE, NULL);
    if (err != 0)
        return io_err(err, SQLITE_IOERR_WRITE);
    int rc = undo_save(f, off, n);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xWrite(f->real, buf, n, off);
}

static int tv_truncate(sqlite3_file *file, sqlite3_int64 size)
{
    tv_file *f = (tv_file *)file;
    int err = th__io_point(TH_IO_WRITE, NULL);
    if (err != 0)
        return io_err(err, SQLITE_IOERR_TRUNCATE);
    sqlite3_int64 cur = 0;
    int rc = f->real->pMethods->xFileSize(f->real, &cur);
    if (rc == SQLITE_OK && cur > size)
        rc = undo_save(f, size, cur - size);
    return rc != SQLITE_OK ? rc : f->real->pMethods->xTruncate(f->real, size);
}

static int real_fsync = -1; /* $CUSTOS_TEST_FSYNC=1: really sync */

static int tv_sync(sqlite3_file *file, int flags)
{
    tv_file *f = (tv_file *)file;
    int err = th__io_point(TH_IO_FSYNC, NULL);
    if (err != 0)
        return io_err(err, SQLITE_IOERR_FSYNC);
    /* Durability is modelled (undo records, crash.h), not asked of the
     * disk: a test's fsync would only cost time. */
    int rc = real_fsync ? f->real->pMethods->xSync(f->real, flags) : SQLITE_OK;
    if (rc == SQLITE_OK)
        undo_clear(f);
    return rc;
}

static int tv_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
    tv_file *f = (tv_file *)file;
    return f->real->pMethods->xFileSize(f->real, size);
}

static int tv_lock(sqlite3_file *file, int lock)
{
    tv_file *f = (tv_file *)file;
    return f->real->pMethods->xLock(f->real, lock);
}

static int tv_unlock(sqlite3_file *file, int lock)
{
    tv_file *f = (tv_file *)file;
    return f->real->pMethods->xUnlock(f->real, lock);
}

static int tv_check_reserved(sqlite3_file *file, int *out)
{
    tv_file *f = (tv_file *)file;
    return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int tv_file_control(sqlite3_file *file, int op, void *arg)
{
    tv_file *f = (tv_file *)file;
    return f->real->pMethods->xFileControl(f->real, op, arg);
}

static int tv_sector_size(sqlite3_file *file)
{
    tv_file *f = (tv_file *)file;
    return f->real->pMethods->xSectorSize(f->real);
}

static int tv_device_characteristics(sqlite3_file *file)
{
    tv_file *f = (tv_file *)file;
    /* Claim nothing (no atomic or safe-append writes): the crash model may
     * then tear any unsynced sector, which SQLite must survive. */
    return f->real->pMethods->xDeviceCharacteristics(f->real) &
           ~(SQLITE_IOCAP_ATOMIC | SQLITE_IOCAP_ATOMIC512 | SQLITE_IOCAP_ATOMIC1K |
             SQLITE_IOCAP_ATOMIC2K | SQLITE_IOCAP_ATOMIC4K | SQLITE_IOCAP_ATOMIC8K |
             SQLITE_IOCAP_ATOMIC16K | SQLITE_IOCAP_ATOMIC32K | SQLITE_IOCAP_ATOMIC64K |
             SQLITE_IOCAP_SAFE_APPEND | SQLITE_IOCAP_SEQUENTIAL | SQLITE_IOCAP_POWERSAFE_OVERWRITE);
}

static int tv_shm_map(sqlite3_file *file, int region, int size, int extend, void volatile **out)
{
    tv_file *f = (tv_file *)file;
    return f->real->pMethods->xShmMap(f->real, region, size, extend, out);
}

static int tv_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
    tv_file *f = (tv_file *)file;
    return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

static void tv_shm_barrier(sqlite3_file *file)
{
    tv_file *f = (tv_file *)file;
    f->real->pMethods->xShmBarrier(f->real);
}

static int tv_shm_unmap(sqlite3_file *file, int del)
{
    tv_file *f = (tv_file *)file;
    return f->real->pMethods->xShmUnmap(f->real, del);
}

/* Version 2: no xFetch, so SQLite never reads through a memory map and every
 * byte it reads passes tv_read. */
static const sqlite3_io_methods tv_io = {
    2, tv_close, tv_read, tv_write, tv_truncate, tv_sync, tv_file_size, tv_lock, tv_unlock,
    tv_check_reserved, tv_file_control, tv_sector_size, tv_device_characteristics,
    tv_shm_map, tv_shm_lock, tv_shm_barrier, tv_shm_unmap, NULL, NULL,
};

/* --- vfs methods --- */

static int tv_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
    (void)vfs;
    tv_file *f = (tv_file *)file;
    memset(f, 0, sizeof *f);
    f->real = (sqlite3_file *)(f + 1);
    int err = th__io_point(TH_IO_OPEN, name);
    if (err != 0)
        return err == ENOSPC ? SQLITE_FULL : SQLITE_CANTOPEN;
    int rc = orig_vfs->xOpen(orig_vfs, name, f->real, flags, out_flags);
    if (f->real->pMethods == NULL)
        return rc;
    f->base.pMethods = &tv_io;
    f->tracked = (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL |
                           SQLITE_OPEN_SUPER_JOURNAL)) != 0;
    f->next = open_files;
    open_files = f;
    return rc;
}

static int tv_delete(sqlite3_vfs *vfs, const char *name, int sync_dir)
{
    (void)vfs;
    int err = th__io_point(TH_IO_UNLINK, name);
    if (err != 0)
        return SQLITE_IOERR_DELETE;
    return orig_vfs->xDelete(orig_vfs, name, sync_dir);
}

static int tv_access(sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
    (void)vfs;
    return orig_vfs->xAccess(orig_vfs, name, flags, out);
}

static int tv_full_pathname(sqlite3_vfs *vfs, const char *name, int n, char *out)
{
    (void)vfs;
    return orig_vfs->xFullPathname(orig_vfs, name, n, out);
}

static void *tv_dlopen(sqlite3_vfs *vfs, const char *name) { (void)vfs; return orig_vfs->xDlOpen(orig_vfs, name); }
static void tv_dlerror(sqlite3_vfs *vfs, int n, char *out) { (void)vfs; orig_vfs->xDlError(orig_vfs, n, out); }
static void (*tv_dlsym(sqlite3_vfs *vfs, void *h, const char *sym))(void)
{
    (void)vfs;
    return orig_vfs->xDlSym(orig_vfs, h, sym);
}
static void tv_dlclose(sqlite3_vfs *vfs, void *h) { (void)vfs; orig_vfs->xDlClose(orig_vfs, h); }
static int tv_randomness(sqlite3_vfs *vfs, int n, char *out) { (void)vfs; return orig_vfs->xRandomness(orig_vfs, n, out); }
static int tv_sleep(sqlite3_vfs *vfs, int us) { (void)vfs; return orig_vfs->xSleep(orig_vfs, us); }
static int tv_current_time(sqlite3_vfs *vfs, double *out) { (void)vfs; return orig_vfs->xCurrentTime(orig_vfs, out); }
static int tv_last_error(sqlite3_vfs *vfs, int n, char *out) { (void)vfs; return orig_vfs->xGetLastError(orig_vfs, n, out); }
static int tv_current_time64(sqlite3_vfs *vfs, sqlite3_int64 *out)
{
    (void)vfs;
    return orig_vfs->xCurrentTimeInt64(orig_vfs, out);
}

static sqlite3_vfs tv_vfs;

void th__vfs_register(void)
{
    orig_vfs = sqlite3_vfs_find(NULL);
    if (orig_vfs == NULL)
        return;
    tv_vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)sizeof(tv_file) + orig_vfs->szOsFile,
        .mxPathname = orig_vfs->mxPathname,
        .zName = TH_VFS,
        .xOpen = tv_open, .xDelete = tv_delete, .xAccess = tv_access,
        .xFullPathname = tv_full_pathname, .xDlOpen = tv_dlopen, .xDlError = tv_dlerror,
        .xDlSym = tv_dlsym, .xDlClose = tv_dlclose, .xRandomness = tv_randomness,
        .xSleep = tv_sleep, .xCurrentTime = tv_current_time, .xGetLastError = tv_last_error,
        .xCurrentTimeInt64 = tv_current_time64,
    };
    const char *env = getenv("CUSTOS_TEST_FSYNC");
    real_fsync = env != NULL && strcmp(env, "1") == 0;
    /* The default VFS of every test process: stores opened with default
     * options are seen by the fault seams too, and skip real fsyncs. */
    sqlite3_vfs_register(&tv_vfs, 1);
}

/* --- the crash --- */

/* xorshift64*, seeded with k: a failing crash point replays exactly. */
static unsigned long long rng_next(unsigned long long *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

/* Put back the saved bytes of r that lie in [from, to). */
static void restore_range(tv_file *f, const undo_rec *r, sqlite3_int64 from, sqlite3_int64 to)
{
    if (to > from)
        f->real->pMethods->xWrite(f->real, r->old + (from - r->off), (int)(to - from), from);
}

static void undo_file(tv_file *f, int model, unsigned long long *seed)
{
    for (size_t i = f->n_undo; i-- > 0;) {
        const undo_rec *r = &f->undo[i];
        sqlite3_int64 end = r->off + r->len;
        if (model == TH_CRASH_DROP) {
            restore_range(f, r, r->off, end < r->old_size ? end : r->old_size);
            sqlite3_int64 size = 0;
            if (f->real->pMethods->xFileSize(f->real, &size) == SQLITE_OK && size > r->old_size)
                f->real->pMethods->xTruncate(f->real, r->old_size);
            continue;
        }
        /* TEAR: each sector the write touched independently keeps the new
         * bytes or gets the old ones back; the file keeps its new size. */
        for (sqlite3_int64 s = r->off - r->off % SECTOR; s < end; s += SECTOR) {
            if ((rng_next(seed) & 1u) == 0)
                continue;
            sqlite3_int64 from = s > r->off ? s : r->off;
            sqlite3_int64 to = s + SECTOR < end ? s + SECTOR : end;
            restore_range(f, r, from, to);
        }
    }
}

void th__vfs_crash_apply(int model, unsigned long seed)
{
    if (model == TH_CRASH_KEEP)
        return;
    unsigned long long s = 0x9e3779b97f4a7c15ull ^ (unsigned long long)seed;
    if (s == 0)
        s = 1;
    for (tv_file *f = open_files; f != NULL; f = f->next)
        if (f->tracked)
            undo_file(f, model, &s);
}

_Noreturn void th__crash_now(void)
{
    th__vfs_crash_apply(th__arm.crash_model, th__arm.k);
    raise(SIGKILL);
    _exit(125); /* not reached: SIGKILL cannot be caught */
}
