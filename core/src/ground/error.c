/* error.c: the static names of error codes and the per-handle detail text. */
#include "ground/internal.h"

#include <stdio.h>
#include <string.h>

static const char *const error_names[] = {
    "CUSTOS_OK: success",
    "CUSTOS_EINVAL: invalid argument",
    "CUSTOS_ENOMEM: out of memory",
    "CUSTOS_EIO: input/output error",
    "CUSTOS_ENOSPC: no space left on the storage device",
    "CUSTOS_ECORRUPT: data failed an integrity check",
    "CUSTOS_EVERSION: unsupported format version",
    "CUSTOS_ENOTSTORE: not a Custos store",
    "CUSTOS_EKEY: wrong or missing key",
    "CUSTOS_EDENIED: denied by the consent gate",
    "CUSTOS_ENOTFOUND: not found",
    "CUSTOS_EEXIST: already exists",
    "CUSTOS_ESIGNATURE: signature verification failed",
    "CUSTOS_EREPLAY: message replayed",
    "CUSTOS_EMANIFEST: invalid manifest",
    "CUSTOS_EBUSY: store is busy",
    "CUSTOS_ERANGE: output buffer too small",
    "CUSTOS_ESTATE: not allowed in the current state",
    "CUSTOS_ECRYPTO: cryptographic library failure",
    "CUSTOS_EINTERNAL: internal error",
    "CUSTOS_ECANCELED: canceled by the caller",
};

const char *custos_strerror(int code)
{
    if (code > 0 || code <= CUSTOS_E__LAST)
        return "CUSTOS_E?: unknown error code";
    return error_names[-code];
}

size_t custos_errmsg_max(void) { return CUSTOS_ERRMSG_MAX; }

int custos__failv(custos_t *ctx, int code, const char *fmt, va_list ap)
{
    if (ctx == NULL)
        return code;
    pthread_mutex_lock(&ctx->err_lock);
    vsnprintf(ctx->errmsg, sizeof ctx->errmsg, fmt, ap);
    pthread_mutex_unlock(&ctx->err_lock);
    return code;
}

int custos__fail(custos_t *ctx, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    custos__failv(ctx, code, fmt, ap);
    va_end(ap);
    return code;
}

void custos__clear_error(custos_t *ctx)
{
    if (ctx == NULL)
        return;
    pthread_mutex_lock(&ctx->err_lock);
    ctx->errmsg[0] = '\0';
    pthread_mutex_unlock(&ctx->err_lock);
}

static _Thread_local char tls_errmsg[CUSTOS_ERRMSG_MAX];
static _Thread_local char tls_open_errmsg[CUSTOS_ERRMSG_MAX];

const char *custos_errmsg(const custos_t *ctx)
{
    if (ctx == NULL)
        return "no handle";
    custos_t *mut = (custos_t *)ctx; /* the lock is not part of the logical state */
    pthread_mutex_lock(&mut->err_lock);
    memcpy(tls_errmsg, ctx->errmsg, sizeof tls_errmsg);
    pthread_mutex_unlock(&mut->err_lock);
    return tls_errmsg;
}

int custos__fail_open(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tls_open_errmsg, sizeof tls_open_errmsg, fmt, ap);
    va_end(ap);
    return code;
}

const char *custos_last_open_error(void) { return tls_open_errmsg; }

int custos__sqlite_fail(custos_t *ctx, int rc, const char *what)
{
    int code;
    switch (rc & 0xff) {
    case SQLITE_NOMEM:   code = CUSTOS_ENOMEM; break;
    case SQLITE_FULL:    code = CUSTOS_ENOSPC; break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:  code = CUSTOS_ECORRUPT; break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:  code = CUSTOS_EBUSY; break;
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY: code = CUSTOS_EIO; break;
    default:             code = CUSTOS_EINTERNAL; break;
    }
    const char *detail = (ctx != NULL && ctx->db != NULL) ? sqlite3_errmsg(ctx->db) : sqlite3_errstr(rc);
    return custos__fail(ctx, code, "%s: %s", what, detail);
}
