/*
 * fault_internal.h: what the harness's fault files share (not for tests).
 * One arming state serves the VFS, the file injector and the allocators, so
 * that "the k-th point" counts across all of them in the order they occur.
 */
#ifndef CUSTOS_TEST_FAULT_INTERNAL_H
#define CUSTOS_TEST_FAULT_INTERNAL_H

#include "fault.h"

#include <stdatomic.h>

enum { TH_ARM_OFF = 0, TH_ARM_IO, TH_ARM_OOM, TH_ARM_CRASH };

typedef struct th_arm_state {
    _Atomic int mode;             /* TH_ARM_* */
    int kind;                     /* TH_FAULT_* for TH_ARM_IO */
    unsigned int ops;             /* TH_IO_* mask */
    unsigned long k;
    int persistent;
    int crash_model;              /* TH_CRASH_* for TH_ARM_CRASH */
    atomic_ulong count;
    atomic_int hit;
} th_arm_state;

extern th_arm_state th__arm;

/* An I/O point of kind op (one TH_IO_* bit) on path: returns 0 to proceed,
 * or EIO / ENOSPC to fail it. In crash mode, does not return at point k. */
int th__io_point(unsigned int op, const char *path);
/* An allocation point: nonzero means fail this allocation. */
int th__oom_point(void);

/* Arm a crash before the k-th point of ops, with model TH_CRASH_*. */
void th__arm_crash(unsigned long k, unsigned int ops, int model);

/* fault_vfs.c */
void th__vfs_register(void);
/* Apply the crash model to every open SQLite file (undo unsynced writes). */
void th__vfs_crash_apply(int model, unsigned long seed);
/* Die now, as a power cut would: apply the model, then SIGKILL. */
_Noreturn void th__crash_now(void);

#endif
