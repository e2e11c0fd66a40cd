/*
 * txn.c: the writer transaction. Every call that writes the store runs
 * between custos__txn_begin and custos__txn_end: the write lock, one
 * IMMEDIATE transaction, and the hooks the modules registered at attach.
 *
 *   before_write  run inside the new transaction, before the caller's work
 *                 (consent records the expiries that fell due)
 *   before_commit run by custos__db_commit, for every transaction (these and
 *                 the ones modules and the lifecycle open themselves), just
 *                 before COMMIT: a failure rolls it back (consent folds
 *                 the transaction's changes into the state seal)
 *   after_commit  run once the transaction has ended, committed or rolled
 *                 back, before the lock is released (the gate publishes a
 *                 snapshot of what the store now holds)
 *
 * Ground layer: this file calls the hooks, it never names a module. A lower
 * layer that must cause work above it registers a hook here; the modules
 * list (lifecycle/modules.c) decides the order in which they attach.
 */
#include "ground/internal.h"

int custos__txn_hook_add(custos_t *ctx, custos_txn_when when, custos_txn_hook fn)
{
    if ((unsigned)when > CUSTOS_TXN_BEFORE_COMMIT || fn == NULL)
        return custos__fail(ctx, CUSTOS_EINTERNAL, "txn: bad hook");
    unsigned *n = &ctx->txn_nhooks[when];
    if (*n == CUSTOS_TXN_HOOKS_MAX)
        return custos__fail(ctx, CUSTOS_EINTERNAL, "txn: more than %d hooks", CUSTOS_TXN_HOOKS_MAX);
    ctx->txn_hooks[when][(*n)++] = fn;
    return CUSTOS_OK;
}

static int run(custos_t *ctx, custos_txn_when when)
{
    int first = CUSTOS_OK;
    for (unsigned i = 0; i < ctx->txn_nhooks[when]; i++) {
        int rc = ctx->txn_hooks[when][i](ctx);
        if (first == CUSTOS_OK)
            first = rc;
        if (rc != CUSTOS_OK && when != CUSTOS_TXN_AFTER_COMMIT)
            break;
    }
    return first;
}

int custos__txn_before_write(custos_t *ctx) { return run(ctx, CUSTOS_TXN_BEFORE_WRITE); }
int custos__txn_after_commit(custos_t *ctx) { return run(ctx, CUSTOS_TXN_AFTER_COMMIT); }
int custos__txn_before_commit(custos_t *ctx) { return run(ctx, CUSTOS_TXN_BEFORE_COMMIT); }

int custos__txn_begin(custos_t *ctx)
{
    pthread_mutex_lock(&ctx->write_lock);
    int rc = custos__db_begin(ctx);
    if (rc == CUSTOS_OK)
        rc = custos__txn_before_write(ctx);
    if (rc != CUSTOS_OK) {
        custos__db_rollback(ctx);
        pthread_mutex_unlock(&ctx->write_lock);
    }
    return rc;
}

int custos__txn_end(custos_t *ctx, int rc)
{
    if (rc == CUSTOS_OK && !sqlite3_get_autocommit(ctx->db))
        rc = custos__db_commit(ctx);
    if (rc != CUSTOS_OK)
        custos__db_rollback(ctx);
    int hrc = custos__txn_after_commit(ctx);
    pthread_mutex_unlock(&ctx->write_lock);
    return rc != CUSTOS_OK ? rc : hrc;
}
