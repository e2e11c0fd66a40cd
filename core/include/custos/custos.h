/*
 * custos.h: the umbrella header of the Custos core. Include this one.
 *
 *   common.h    error codes, version, allocator hooks, size getters
 *   store.h     open / close a store; key provider, clock and RNG seams
 *
 * Each module's header opens with what it is for and what it must never do.
 */
#ifndef CUSTOS_H
#define CUSTOS_H

#include "common.h"
#include "store.h"

#endif
