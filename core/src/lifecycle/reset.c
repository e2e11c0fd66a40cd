/*
 * reset.c: custos_factory_reset, the handle's side of a factory reset: write
 * the intent journal on the open store, close the handle, run the erase
 * module's reset phases with the store closed (erase/reset.c has the
 * journal's layout), and open the store again with fresh keys; the erase
 * module's attach hook then records the receipt. Orchestration: it is the
 * only place outside open.c that calls custos_open and custos_close.
 */
#include "lifecycle/lifecycle.h"
#include "erase/erase_internal.h"

#include <string.h>

/* What is needed to reopen the store after the old handle is gone. */
typedef struct reopen_params {
    char *dir;
    uint8_t device_id[16];
    custos_key_provider *user_kp;   /* the caller's provider, or NULL for the file provider */
    custos_clock clock;
    custos_rng rng;
    const char *vfs;                /* SQLite VFS of the old handle (registered, static name) */
} reopen_params;

static int finish(reopen_params *p, erase_intent *in, const custos_erase_options *opts, custos_t **out)
{
    custos_key_provider *kp = p->user_kp;
    int rc = kp == NULL ? custos_key_provider_file(&kp) : CUSTOS_OK;
    if (rc == CUSTOS_OK)
        rc = custos_erase__reset_run(kp, p->dir, p->device_id, in, opts);
    if (kp != p->user_kp)
        custos_key_provider_free(kp);
    if (rc != CUSTOS_OK)
        return rc;
    custos_open_options o = CUSTOS_OPEN_OPTIONS_INIT;
    o.key_provider = p->user_kp;
    o.clock = &p->clock;
    o.rng = &p->rng;
    o.sqlite_vfs = p->vfs;
    return custos_open(out, p->dir, &o); /* its attach hook records the receipt and removes the journal */
}

int custos_factory_reset(custos_t **pctx, uint8_t *receipt, size_t receipt_size, size_t *receipt_len,
                         const custos_erase_options *opts)
{
    if (pctx == NULL)
        return CUSTOS_EINVAL;
    int rc = custos_erase__check_args(*pctx, opts, receipt, receipt_size, receipt_len);
    if (rc != CUSTOS_OK)
        return rc;
    custos_t *ctx = *pctx;
    reopen_params p = { .user_kp = ctx->kp_owned != NULL ? NULL : ctx->kp, .clock = ctx->clock, .rng = ctx->rng };
    memcpy(p.device_id, ctx->device_id, 16);
    sqlite3_vfs *vfs = NULL;
    if (sqlite3_file_control(ctx->db, "main", SQLITE_FCNTL_VFS_POINTER, &vfs) == SQLITE_OK && vfs != NULL)
        p.vfs = vfs->zName;
    if ((p.dir = custos__strdup(ctx->dir)) == NULL)
        return custos__fail(ctx, CUSTOS_ENOMEM, "out of memory");
    erase_intent in;
    pthread_mutex_lock(&ctx->write_lock);
    rc = custos_erase__reset_begin(ctx, &in);
    pthread_mutex_unlock(&ctx->write_lock);
    if (rc != CUSTOS_OK) {
        custos_erase__intent_clear(&in);
        custos__free(p.dir);
        return rc; /* nothing was destroyed: the handle stays usable */
    }
    custos_close(ctx);
    *pctx = NULL;
    custos__fail_noctx(CUSTOS_OK, "%s", "");
    rc = finish(&p, &in, opts, pctx);
    if (rc == CUSTOS_OK && receipt != NULL)
        custos_erase__reset_receipt(&in, receipt, receipt_len);
    if (rc == CUSTOS_OK) { /* nothing is left to cancel: the returns are ignored */
        (void)custos_erase__report(opts, CUSTOS_ERASE_STEP_CHECKPOINT);
        (void)custos_erase__report(opts, CUSTOS_ERASE_STEP_RECEIPT);
    }
    custos_erase__intent_clear(&in);
    custos__free(p.dir);
    return rc;
}
