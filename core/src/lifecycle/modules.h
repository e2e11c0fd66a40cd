/*
 * modules.h: the modules that attach to an open store, in order. Each attach
 * hook creates its tables (CREATE TABLE IF NOT EXISTS, inside the open
 * transaction), loads its state, and may resume interrupted work; each detach
 * hook frees that state and wipes its secrets. Detach runs in reverse order,
 * also for a module whose attach failed, so detach must accept partial state.
 */
#ifndef CUSTOS_MODULES_H
#define CUSTOS_MODULES_H

#include "ground/internal.h"

typedef struct custos_module {
    const char *name;
    int  (*attach)(custos_t *ctx);
    void (*detach)(custos_t *ctx);
} custos_module;

/* modules.c */
extern const custos_module custos__modules[];
extern const size_t custos__module_count;

#endif
