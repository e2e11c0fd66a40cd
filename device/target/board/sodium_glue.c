/*
 * sodium_glue.c: what libsodium's sources expect from sodium/core.c, which
 * the Cortex-M build leaves out: the misuse handler. On a board it stops
 * the core (libsodium calls it only on a caller's contract violation).
 */
#include "core.h"

void sodium_misuse(void)
{
    __builtin_trap();
}
