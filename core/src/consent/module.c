/*
 * module.c: the consent module's tables and its attach/detach hooks.
 *
 * Two entries in the module table (modules.c): "policy" (first: the
 * manifest the store enforces) and "consent" (after audit: subjects,
 * ledger, peers, and the gate's first snapshot).
 */
#include "consent_private.h"

#include <string.h>

static const char policy_schema[] =
    "CREATE TABLE IF NOT EXISTS policy("
    " version INTEGER PRIMARY KEY,"            /* policy version, monotonic */
    " manifest_id BLOB NOT NULL,"
    " compiled BLOB NOT NULL,"                 /* the compiled manifest file as loaded */
    " loaded_at INTEGER NOT NULL);";

static const char consent_schema[] =
    "CREATE TABLE IF NOT EXISTS subject("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"   /* never reused */
    " hash BLOB NOT NULL UNIQUE,"              /* keyed BLAKE2b-256 of the maker's identifier */
    " role INTEGER NOT NULL,"
    " created INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS consent_event("
    " seq INTEGER PRIMARY KEY,"
    " subject_hash BLOB NOT NULL,"
    " purpose INTEGER NOT NULL,"
    " signed BLOB NOT NULL);"                  /* custos.v1.SignedEvent (event.c) */
    "CREATE INDEX IF NOT EXISTS consent_event_by_subject ON consent_event(subject_hash, seq);"
    "CREATE TABLE IF NOT EXISTS consent_state("
    " subject INTEGER NOT NULL, purpose INTEGER NOT NULL, status INTEGER NOT NULL,"
    " valid_until INTEGER NOT NULL, time INTEGER NOT NULL, policy_version INTEGER NOT NULL,"
    " seq INTEGER NOT NULL, invalidated INTEGER NOT NULL,"
    " PRIMARY KEY(subject, purpose)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS peer("
    " pk BLOB PRIMARY KEY,"                    /* the peer's Ed25519 public key */
    " device_id BLOB,"                         /* set when the peer is a device */
    " last_in INTEGER NOT NULL DEFAULT 0,"     /* highest update counter applied from it */
    " last_out INTEGER NOT NULL DEFAULT 0,"    /* highest counter we sent to it */
    " paired_at INTEGER NOT NULL);";

/* Load the newest stored manifest into ctx->ledger (none: no manifest). */
int custos_consent__policy_reload(custos_t *ctx)
{
    custos__manifest_free(ctx->ledger->manifest);
    ctx->ledger->manifest = NULL;
    memset(ctx->ledger->manifest_id, 0, sizeof ctx->ledger->manifest_id); /* not secret */
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctx->db, "SELECT compiled FROM policy ORDER BY version DESC LIMIT 1", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return custos__sqlite_fail(ctx, rc, "read the policy");
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        rc = custos__manifest_decode(ctx, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
                                     &ctx->ledger->manifest, ctx->ledger->manifest_id);
        sqlite3_finalize(st);
        return rc;
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(ctx, rc, "read the policy");
}

int custos__policy_attach(custos_t *ctx)
{
    ctx->ledger = custos__calloc(1, sizeof *ctx->ledger);
    if (ctx->ledger == NULL)
        return custos__fail(ctx, CUSTOS_ENOMEM, "out of memory");
    int rc = custos__db_exec(ctx, policy_schema);
    return rc != CUSTOS_OK ? rc : custos_consent__policy_reload(ctx);
}

void custos__policy_detach(custos_t *ctx)
{
    if (ctx->ledger == NULL)
        return;
    custos__manifest_free(ctx->ledger->manifest);
    sqlite3_finalize(ctx->ledger->head);
    sqlite3_finalize(ctx->ledger->subject_get);
    custos_consent__seal_detach(ctx);
    custos__free(ctx->ledger);
    ctx->ledger = NULL;
}

int custos__consent_attach(custos_t *ctx)
{
    int rc = custos__db_exec(ctx, consent_schema);
    if (rc == CUSTOS_OK)
        rc = custos_consent__seal_attach(ctx);
    if (rc == CUSTOS_OK)
        rc = custos__txn_hook_add(ctx, CUSTOS_TXN_BEFORE_WRITE, custos_consent__expire_due);
    return rc != CUSTOS_OK ? rc : custos_consent__expire_due(ctx);
}

const custos_manifest_pb *custos__policy_manifest(const custos_t *ctx, uint8_t out_id[32])
{
    const struct custos_ledger *l = ctx->ledger;
    if (out_id != NULL) {
        for (int i = 0; i < 32; i++)
            out_id[i] = (l != NULL && l->manifest != NULL) ? l->manifest_id[i] : 0;
    }
    return l != NULL ? l->manifest : NULL;
}

void custos_consent__hex(char *out, const uint8_t *in, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}
