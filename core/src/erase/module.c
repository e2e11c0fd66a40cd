/*
 * module.c: the erase module's hooks at open and close. It is attached
 * last, so that an erase interrupted by a crash or a cancellation is
 * finished with every other module (vault, consent, audit) ready.
 */
#include "erase_internal.h"

/*
 * Called inside the open transaction. A reset journal is recorded in that
 * transaction; any other erase needs transactions of its own, so the open
 * transaction is committed first (every module before this one has
 * attached) and a new one begun for custos_open() to commit.
 */
int custos__erase_attach(custos_t *ctx)
{
    erase_intent in;
    int rc = custos_erase__tables_create(ctx);
    if (rc != CUSTOS_OK)
        return rc;
    rc = custos_erase__journal_read(ctx, ctx->dir, &in);
    if (rc == CUSTOS_ENOTFOUND) {
        custos__clear_error(ctx);
        return CUSTOS_OK;
    }
    if (rc != CUSTOS_OK)
        return rc;
    if (in.scope == ERASE_SCOPE_RESET) {
        rc = custos_erase__reset_record(ctx, &in);
    } else if ((rc = custos__db_commit(ctx)) == CUSTOS_OK) {
        pthread_mutex_lock(&ctx->write_lock);
        rc = custos_erase__resume(ctx, NULL, NULL, 0, NULL);
        pthread_mutex_unlock(&ctx->write_lock);
        if (rc == CUSTOS_OK)
            rc = custos__db_begin(ctx);
    }
    custos_erase__intent_clear(&in);
    return rc;
}
