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
    "CUSTOS_EUNSUPPORTED: not supported on this machine",
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
static _Thread_local char tls_last_error[CUSTOS_ERRMSG_MAX];

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

int custos__fail_noctxv(int code, const char *fmt, va_list ap)
{
    vsnprintf(tls_last_error, sizeof tls_last_error, fmt, ap);
    return code;
}

int custos__fail_noctx(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    custos__fail_noctxv(code, fmt, ap);
    va_end(ap);
    return code;
}

const char *custos_last_error(void) { return tls_last_error; }

/* SQLite's words for a schema that is not the one Custos made: our SQL is
 * fixed, so on an open store these mean the file was altered. */
static int schema_damaged(int rc, const char *detail)
{
    static const char *const signs[] = { "no such table", "no such column", "malformed database schema",
                                         "has no column named", "no such index", "no such function" };
    if ((rc & 0xff) != SQLITE_ERROR || detail == NULL)
        return 0;
    for (size_t i = 0; i < sizeof signs / sizeof signs[0]; i++)
        if (strstr(detail, signs[i]) != NULL)
            return 1;
    return 0;
}

/* Copy src into out as printable ASCII: any other byte becomes \xNN, so that
 * a name read from a damaged file never reaches a log or a terminal raw. */
static void escape_into(char *out, size_t size, const char *src)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)src; *p != '\0' && o + 5 < size; p++) {
        if (*p >= 0x20 && *p < 0x7f && *p != '\\')
            out[o++] = (char)*p;
        else
            o += (size_t)snprintf(out + o, size - o, "\\x%02x", *p);
    }
    out[o < size ? o : size - 1] = '\0';
}

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
    char safe[CUSTOS_ERRMSG_MAX];
    escape_into(safe, sizeof safe, detail != NULL ? detail : "?");
    if (schema_damaged(rc, detail))
        return custos__fail(ctx, CUSTOS_ECORRUPT, "%s: the store's schema is damaged (%s)", what, safe);
    return custos__fail(ctx, code, "%s: %s", what, safe);
}
