/*
 * fault_loop.c: drive an operation through a fault at k = 1, 2, ... until it
 * succeeds without meeting the fault (SQLite's FAULTSIM loops), checking
 * after every k that the result is clean, nothing leaked and the store is
 * whole.
 */
#include "fault_internal.h"

#include "ground/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int default_allowed[] = { CUSTOS_EIO, CUSTOS_ENOSPC, CUSTOS_ENOMEM, 0 };

static const char *kind_name(int kind)
{
    switch (kind) {
    case TH_FAULT_EIO: return "EIO";
    case TH_FAULT_ENOSPC: return "ENOSPC";
    case TH_FAULT_OOM: return "OOM";
    default: return "?";
    }
}

static int is_allowed(const int *allowed, int rc)
{
    for (const int *a = allowed; *a != 0; a++)
        if (*a == rc)
            return 1;
    return 0;
}

void th_assert_db_ok(custos_t *ctx)
{
    assert_non_null(ctx);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(ctx->db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    int rc = sqlite3_step(st);
    const char *res = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    if (res == NULL || strcmp(res, "ok") != 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", res != NULL ? res : sqlite3_errmsg(ctx->db));
        sqlite3_finalize(st);
        fail_msg("PRAGMA integrity_check of %s: %s", ctx->dir, msg);
    }
    sqlite3_finalize(st);
}

void th_assert_integrity(const char *dir)
{
    custos_t *ctx = NULL;
    custos_open_options o = CUSTOS_OPEN_OPTIONS_INIT;
    o.flags = 0;
    int rc = custos_open(&ctx, dir, &o);
    if (rc != CUSTOS_OK)
        fail_msg("reopen of %s failed: %s: %s", dir, custos_strerror(rc), custos_last_error());
    th_assert_db_ok(ctx);
    custos_close(ctx);
}

/* Reopen without faults and run the integrity check and the test's check. */
static void verify(const th_fault_loop *l, const char *dir, int op_rc, unsigned long k)
{
    custos_t *ctx = NULL;
    custos_open_options o = CUSTOS_OPEN_OPTIONS_INIT;
    o.flags = 0;
    int rc = custos_open(&ctx, dir, &o);
    if (rc == CUSTOS_ENOTFOUND && l->may_leave_no_store && op_rc != CUSTOS_OK) {
        if (l->check != NULL)
            l->check(NULL, dir, op_rc, l->arg);
        return;
    }
    if (rc != CUSTOS_OK)
        fail_msg("%s, %s at k=%lu (op returned %s): the store does not reopen: %s: %s",
                 l->name, kind_name(l->kind), k, custos_strerror(op_rc), custos_strerror(rc),
                 custos_last_error());
    th_assert_db_ok(ctx);
    if (l->check != NULL)
        l->check(ctx, dir, op_rc, l->arg);
    custos_close(ctx);
}

/* One k: a copy of the prepared store, arm, op, disarm, check. Returns
 * whether the fault fired. */
static int run_one(const th_fault_loop *l, const char *prepared, unsigned long k)
{
    char *dir = th_fast_tmpdir("fault");
    if (prepared != NULL)
        th_copy_dir(prepared, dir);
    long base = th_alloc_outstanding();
    custos_t *ctx = l->open_store ? th_open_vfs(dir) : NULL;

    if (l->kind == TH_FAULT_OOM)
        th_oom_at(k, l->persistent);
    else
        th_io_fail_at(k, l->kind, l->io_ops, l->persistent);
    int rc = l->op(ctx, dir, l->arg);
    int hit = th_fault_hit();
    th_fault_clear();

    const int *allowed = l->allowed != NULL ? l->allowed : default_allowed;
    if (rc != CUSTOS_OK && !is_allowed(allowed, rc))
        fail_msg("%s, %s %s at k=%lu: op returned %s (%s), not an allowed error",
                 l->name, l->persistent ? "persistent" : "transient", kind_name(l->kind), k,
                 custos_strerror(rc), ctx != NULL ? custos_errmsg(ctx) : custos_last_error());
    if (rc != CUSTOS_OK && !hit)
        fail_msg("%s at k=%lu: op failed with %s although no fault was injected",
                 l->name, k, custos_strerror(rc));
    custos_close(ctx);
    long leaked = th_alloc_outstanding() - base;
    if (leaked != 0)
        fail_msg("%s, %s at k=%lu: %ld allocation(s) leaked (op returned %s)",
                 l->name, kind_name(l->kind), k, leaked, custos_strerror(rc));
    verify(l, dir, rc, k);
    th_tmpdir_remove(dir);
    return hit;
}

/* OOM loops reach thousands of k (SQLite's allocations count). The slow
 * stages (sanitizers, coverage) may set CUSTOS_FAULT_STRIDE=n: every k up to
 * STRIDE_FROM, then every n-th. The plain test run always tries every k. */
#define STRIDE_FROM 64

static unsigned long oom_stride(const th_fault_loop *l)
{
    const char *env = getenv("CUSTOS_FAULT_STRIDE");
    if (l->kind != TH_FAULT_OOM || env == NULL)
        return 1;
    char *end = NULL;
    unsigned long n = strtoul(env, &end, 10);
    return end != env && *end == '\0' && n > 1 ? n : 1;
}

unsigned long th_fault_run(const th_fault_loop *l)
{
    assert_non_null(l);
    assert_non_null(l->op);
    th_fault_install();
    unsigned long max = l->max_k != 0 ? l->max_k : 100000;
    /* setup runs once; every k starts from a copy of what it made. */
    char *prepared = NULL;
    if (l->setup != NULL) {
        prepared = th_fast_tmpdir("fault-setup");
        l->setup(prepared, l->arg);
    }
    unsigned long stride = oom_stride(l), k, n = 0;
    for (k = 1; k <= max; k += k < STRIDE_FROM ? 1 : stride) {
        n++;
        if (!run_one(l, prepared, k))
            break;
    }
    th_tmpdir_remove(prepared);
    if (k > max)
        fail_msg("%s: still meeting the fault at k=%lu (max_k)", l->name, max);
    if (stride == 1)
        print_message("[fault] %-28s %-6s %-10s %5lu k exercised\n", l->name, kind_name(l->kind),
                      l->persistent ? "persistent" : "transient", n);
    else
        print_message("[fault] %-28s %-6s %-10s %5lu k exercised (every k to %d, then every %luth, to %lu)\n",
                      l->name, kind_name(l->kind), l->persistent ? "persistent" : "transient", n,
                      STRIDE_FROM, stride, k);
    return n;
}

unsigned long th_fault_run_all(const char *name, th_setup_fn setup, th_op_fn op,
                               th_check_fn check, void *arg)
{
    static const int kinds[] = { TH_FAULT_EIO, TH_FAULT_ENOSPC, TH_FAULT_OOM };
    unsigned long total = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        for (int persistent = 0; persistent <= 1; persistent++) {
            th_fault_loop l = {
                .name = name, .kind = kinds[i], .persistent = persistent,
                .io_ops = kinds[i] == TH_FAULT_ENOSPC ? TH_IO_OPEN | TH_IO_WRITE | TH_IO_FSYNC | TH_IO_RENAME
                                                      : TH_IO_ALL,
                .open_store = 1, .setup = setup, .op = op, .check = check, .arg = arg,
            };
            total += th_fault_run(&l);
        }
    }
    return total;
}
