/*
 * lifecycle.h: the orchestration layer's interface to the applications of
 * the core (sync). Orchestration sits above every store module: it opens and
 * closes the handle (open.c), wires the modules (modules.c), resets the store
 * (reset.c), and owns the one sequence that crosses consent and erase:
 * commit a withdrawal, then erase the data it covers (withdraw.c).
 */
#ifndef CUSTOS_LIFECYCLE_H
#define CUSTOS_LIFECYCLE_H

#include "ground/internal.h"
#include <custos/consent.h>

/* One (subject, purpose) pair whose consent was withdrawn or revoked. */
typedef struct custos_withdrawal {
    custos_subject subject;
    uint32_t purpose;
} custos_withdrawal;

/*
 * Inside a writer transaction (custos__txn_begin) whose work returned rc:
 * when rc is CUSTOS_OK and n > 0, commit the decisions first, so that they
 * stand whatever happens to the erase, then erase each pair's data (journaled:
 * an erase cut short resumes on the next open). A failed erase is reported
 * as "<what> applied, but erasing purpose P's data failed". Returns the rc
 * to hand to custos__txn_end.
 */
int custos__withdraw_then_erase(custos_t *ctx, int rc, const custos_withdrawal *pairs, size_t n, const char *what);

#endif
