/*
 * fault_inject.c: the arming state shared by every seam, the file injector
 * of core/src/iofault.h, and the counting allocators (Custos's hook and
 * SQLite's SQLITE_CONFIG_MALLOC) that fail the k-th allocation.
 */
#include "fault_internal.h"

#include "ground/iofault.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

th_arm_state th__arm;

static atomic_long outstanding;

/* --- points --- */

static int point_reached(void)
{
    unsigned long n = atomic_fetch_add(&th__arm.count, 1) + 1;
    if (n < th__arm.k || (n > th__arm.k && !th__arm.persistent))
        return 0;
    atomic_store(&th__arm.hit, 1);
    return 1;
}

int th__io_point(unsigned int op, const char *path)
{
    (void)path;
    int mode = atomic_load(&th__arm.mode);
    if ((mode != TH_ARM_IO && mode != TH_ARM_CRASH) || (th__arm.ops & op) == 0)
        return 0;
    if (!point_reached())
        return 0;
    if (mode == TH_ARM_CRASH)
        th__crash_now();
    return th__arm.kind == TH_FAULT_ENOSPC ? ENOSPC : EIO;
}

int th__oom_point(void)
{
    if (atomic_load(&th__arm.mode) != TH_ARM_OOM)
        return 0;
    return point_reached();
}

/* --- the injector for Custos's own files --- */

static int file_injector(custos_io_op op, const char *path, void *user)
{
    (void)user;
    static const unsigned int bits[CUSTOS_IO__COUNT] = {
        [CUSTOS_IO_OPEN] = TH_IO_OPEN,     [CUSTOS_IO_WRITE] = TH_IO_WRITE,
        [CUSTOS_IO_FSYNC] = TH_IO_FSYNC,   [CUSTOS_IO_RENAME] = TH_IO_RENAME,
        [CUSTOS_IO_UNLINK] = TH_IO_UNLINK, [CUSTOS_IO_READ] = TH_IO_READ,
    };
    if ((unsigned int)op >= CUSTOS_IO__COUNT)
        return 0;
    return th__io_point(bits[op], path);
}

/* --- Custos's allocator hook --- */

static void *th_malloc(size_t n, void *user)
{
    (void)user;
    if (th__oom_point())
        return NULL;
    void *p = malloc(n);
    if (p != NULL)
        atomic_fetch_add(&outstanding, 1);
    return p;
}

static void *th_realloc(void *p, size_t n, void *user)
{
    (void)user;
    if (th__oom_point())
        return NULL;
    void *q = realloc(p, n);
    if (q != NULL && p == NULL)
        atomic_fetch_add(&outstanding, 1);
    return q;
}

static void th_free(void *p, void *user)
{
    (void)user;
    if (p == NULL)
        return;
    atomic_fetch_sub(&outstanding, 1);
    free(p);
}

static const custos_allocator counting_allocator = { th_malloc, th_realloc, th_free, NULL };

/* --- SQLite's allocator, wrapped so that its allocations fail at k too --- */

static sqlite3_mem_methods sqlite_orig;

static void *sq_malloc(int n) { return th__oom_point() ? NULL : sqlite_orig.xMalloc(n); }
static void sq_free(void *p) { sqlite_orig.xFree(p); }
static void *sq_realloc(void *p, int n) { return th__oom_point() ? NULL : sqlite_orig.xRealloc(p, n); }
static int sq_size(void *p) { return sqlite_orig.xSize(p); }
static int sq_roundup(int n) { return sqlite_orig.xRoundup(n); }
static int sq_init(void *app) { (void)app; return sqlite_orig.xInit(sqlite_orig.pAppData); }
static void sq_shutdown(void *app) { (void)app; sqlite_orig.xShutdown(sqlite_orig.pAppData); }

static int sqlite_hooked;

static void hook_sqlite_allocator(void)
{
    /* Must precede sqlite3_initialize(); if SQLite is already up (a test
     * opened a store before calling into the harness) its allocations are
     * simply not counted. */
    if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sqlite_orig) != SQLITE_OK)
        return;
    static sqlite3_mem_methods m;
    m = (sqlite3_mem_methods){ sq_malloc, sq_free, sq_realloc, sq_size, sq_roundup,
                               sq_init, sq_shutdown, NULL };
    sqlite_hooked = sqlite3_config(SQLITE_CONFIG_MALLOC, &m) == SQLITE_OK;
}

/* --- installation --- */

static pthread_once_t install_once = PTHREAD_ONCE_INIT;

static void install(void)
{
    hook_sqlite_allocator();
    th__vfs_register();
    custos__io_set_injector(file_injector, NULL);
}

void th_fault_install(void)
{
    pthread_once(&install_once, install);
    /* Another test may have set its own allocator and restored the C
     * library's: take the hook back whenever no store is open. */
    (void)custos_set_allocator(&counting_allocator);
}

custos_open_options th_open_options(unsigned int flags)
{
    th_fault_install();
    custos_open_options o = CUSTOS_OPEN_OPTIONS_INIT;
    o.flags = flags;
    o.sqlite_vfs = TH_VFS;
    return o;
}

custos_t *th_open_vfs(const char *dir)
{
    custos_open_options o = th_open_options(CUSTOS_OPEN_CREATE);
    custos_t *ctx = NULL;
    int rc = custos_open(&ctx, dir, &o);
    if (rc != CUSTOS_OK)
        fail_msg("custos_open(%s) through %s: %s: %s", dir, TH_VFS, custos_strerror(rc),
                 custos_last_error());
    return ctx;
}

static void arm(int mode, unsigned long k, int kind, unsigned int ops, int persistent)
{
    th_fault_install();
    atomic_store(&th__arm.mode, TH_ARM_OFF);
    th__arm.kind = kind;
    th__arm.ops = ops == 0 ? TH_IO_ALL : ops;
    th__arm.k = k;
    th__arm.persistent = persistent;
    atomic_store(&th__arm.count, 0);
    atomic_store(&th__arm.hit, 0);
    atomic_store(&th__arm.mode, mode);
}

void th_io_fail_at(unsigned long k, int kind, unsigned int ops, int persistent)
{
    assert_true(kind == TH_FAULT_EIO || kind == TH_FAULT_ENOSPC);
    arm(TH_ARM_IO, k, kind, ops, persistent);
}

void th_oom_at(unsigned long k, int persistent)
{
    arm(TH_ARM_OOM, k, TH_FAULT_OOM, 0, persistent);
}

void th__arm_crash(unsigned long k, unsigned int ops, int model)
{
    th__arm.crash_model = model;
    arm(TH_ARM_CRASH, k, TH_FAULT_NONE, ops, 0);
}

void th_fault_clear(void) { atomic_store(&th__arm.mode, TH_ARM_OFF); }
unsigned long th_fault_count(void) { return atomic_load(&th__arm.count); }
int th_fault_hit(void) { return atomic_load(&th__arm.hit); }
long th_alloc_outstanding(void) { return atomic_load(&outstanding); }
long long th_sqlite_memory(void) { return (long long)sqlite3_memory_used(); }
