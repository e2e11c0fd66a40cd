/* The C core as Swift sees it. Swift cannot use function-like macros, so
 * every size the Swift layer needs comes from a getter function. */
#ifndef CCUSTOS_SHIM_H
#define CCUSTOS_SHIM_H
#include <custos/custos.h>
#endif
