/*
 * gate_internal.h: the gate's snapshot, shared by gate.c (readers and
 * publication) and snapshot.c (building one from the store).
 *
 * A snapshot is one immutable block: the purposes the manifest declares
 * (with their categories and whether their legal basis is consent) and, per
 * subject number, a bitset of the purposes it may be processed for, each
 * one's valid_until, and the reason for each purpose it may not. Readers
 * never write to it; writers build a new one and publish it.
 */
#ifndef CUSTOS_GATE_INTERNAL_H
#define CUSTOS_GATE_INTERNAL_H

#include "ground/internal.h"
#include <custos/gate.h>

#define GATE_NO_EXPIRY UINT64_MAX

typedef struct gate_subject {
    uint64_t allowed;            /* bit p: consent valid for processing (given, renewed) */
    uint64_t valid_until[64];    /* GATE_NO_EXPIRY, or seconds since the epoch */
    uint8_t present;             /* 1: a registered subject */
    uint8_t tainted;             /* 1: its state fails the seal or the ledger: CUSTOS_DENY_INTEGRITY */
    uint8_t reason[64];          /* custos_decision for p when not allowed */
} gate_subject;

typedef struct gate_snap {
    int has_manifest;
    int failed;                  /* 1: the fail-closed snapshot (a rebuild failed): deny everything */
    int integrity;               /* 1: the consent seal failed (some or every subject tainted) */
    uint64_t declared;           /* bit p: the manifest declares purpose p */
    uint64_t nonconsent;         /* bit p: its legal basis is not consent */
    uint64_t cat_mask[64];       /* bit c: p declares category c (c < 64; larger ids only in cats) */
    uint32_t cat_off[64];        /* categories of p: cats[cat_off[p] .. + cat_n[p]] */
    uint32_t cat_n[64];
    uint32_t nsubjects;          /* subjects[] and fast[] are indexed by subject number */
    const uint64_t *fast;        /* bit p: allowed now without consulting a clock (gate.c's fast path) */
    gate_subject *subjects;
    uint32_t *cats;
} gate_snap;

/* Hazard slots for reader threads (process-wide; see gate.c). */
#define GATE_SLOTS 256u

/* Build a snapshot from the store (the caller's transaction view and the
 * loaded manifest). Free with custos__free (one block). */
int custos_gate__snap_build(custos_t *ctx, gate_snap **out);

/* Module hooks (lifecycle/modules.c): the gate's state, its after_commit
 * hook (publication), and the first snapshot. */
int custos__gate_attach(custos_t *ctx);
void custos__gate_detach(custos_t *ctx);

/* Rebuild the snapshot from the store (through the consent module's
 * functions) and publish it; the after_commit hook. Call with
 * ctx->write_lock held: after a writer's commit, or inside the transaction
 * (the snapshot reads what the transaction sees). */
int custos__gate_publish(custos_t *ctx);

/* 1 if readers fence (no asymmetric barrier in this process). */
int custos__gate_reader_fence(void);
/* The decision without the fast path (tests compare the two; single-threaded use only). */
custos_decision custos__gate_check_slow(const custos_t *ctx, custos_subject subject, uint32_t purpose,
                                       uint32_t category);
/* Hazard slots owned by live threads now (tests). */
unsigned custos__gate_slots_owned(void);
/* Tests only, before the first store is opened in the process: force the
 * reader-fence mode, and/or use only max_slots hazard slots (0: all). */
void custos__gate_test_config(int force_fence, unsigned max_slots);

#endif
