/*
 * anchor.h: the store's anchor outside the database (anchor.c), checked at
 * open and moved after every commit that grows the consent ledger or the
 * audit chain.
 */
#ifndef CUSTOS_ANCHOR_H
#define CUSTOS_ANCHOR_H

#include "ground/internal.h"

/* After the modules are attached and before anything is prepared for good:
 * refuse a database behind its anchor (CUSTOS_ECORRUPT), anchor a new one,
 * and register the hook that keeps the anchor current. created: this open
 * made the store (or finished its creation or a factory reset). */
int custos__anchor_open(custos_t *ctx, int created);
void custos__anchor_close(custos_t *ctx);

#endif
