/*
 * sodium_glue.c: the two things libsodium's sources expect from the parts
 * of libsodium the Cortex-M build leaves out (sodium/core.c): the misuse
 * handler, which on a board stops the core, and the "initialised" query.
 */
#include "core.h"

void sodium_misuse(void)
{
    __builtin_trap();
}
