/* fail.c: the detail of a manifest failure, for callers without a store. */
#include "manifest_private.h"

#include <stdarg.h>
#include <stdio.h>

int custos_manifest__fail(custos_manifest_error *err, int code, const char *fmt, ...)
{
    if (err == NULL)
        return code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    err->line = 0;
    err->column = 0;
    return code;
}
