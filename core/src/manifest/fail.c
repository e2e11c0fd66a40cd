/* fail.c: the detail of a manifest failure, for callers without a store. */
#include "manifest_private.h"

#include <stdarg.h>
#include <stdio.h>

/* The text goes to the caller's err (when given) and to custos_last_error(). */
int custos_manifest__fail(custos_manifest_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    custos__fail_noctxv(code, fmt, ap);
    va_end(ap);
    if (err != NULL) {
        snprintf(err->message, sizeof err->message, "%s", custos_last_error());
        err->line = 0;
        err->column = 0;
    }
    return code;
}
