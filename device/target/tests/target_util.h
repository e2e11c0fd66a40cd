/*
 * target_util.h: the target suite's harness (no heap, no stdio: results go
 * out through semihosting) and its device environment: a device on the
 * bare-metal port, paired with an app key made on the target, and the app's
 * side of an update (nanopb + libsodium on the target).
 */
#ifndef CUSTOS_TARGET_UTIL_H
#define CUSTOS_TARGET_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "custos/v1/sync.pb.h"
#include "custos_dev.h"
#include "custos_dev_baremetal.h"

#define TT_PAGE 128u
#define TT_DECLARED 0xFFFFFFFFFFFFFFFFull

/* A failed check ends the current test (it returns) and marks it failed. */
extern int tt_failed;
void tt_fail(const char *file, int line, const char *expr, long got, long want);
#define TT_TRUE(c)                                                                     \
    do {                                                                               \
        if (!(c)) {                                                                    \
            tt_fail(__FILE__, __LINE__, #c, 0, 1);                                     \
            return;                                                                    \
        }                                                                              \
    } while (0)
#define TT_EQ(a, b)                                                                    \
    do {                                                                               \
        long tt_a_ = (long)(a), tt_b_ = (long)(b);                                     \
        if (tt_a_ != tt_b_) {                                                          \
            tt_fail(__FILE__, __LINE__, #a " == " #b, tt_a_, tt_b_);                    \
            return;                                                                    \
        }                                                                              \
    } while (0)

/* Stack use of the public functions, by painting (board/stack.h). */
enum {
    TS_OPEN, TS_PAIR, TS_CHECK, TS_APPLY, TS_REPORT, TS_COMPACT, TS_ERASE, TS_CLOSE,
    TS_COUNT
};
extern uint32_t tt_stack[TS_COUNT];
/* Deepest point of any measured call, bytes from the stack's top. */
extern uint32_t tt_stack_deepest;
extern const char *const tt_stack_name[TS_COUNT];
#define TT_MEASURE(slot, rc, call)                                                     \
    do {                                                                               \
        uintptr_t tt_m_ = stack_paint();                                               \
        (rc) = (call);                                                                 \
        uint32_t tt_u_ = stack_used_since(tt_m_);                                      \
        if (tt_u_ > tt_stack[slot])                                                    \
            tt_stack[slot] = tt_u_;                                                    \
        if (stack_depth_at(tt_m_) + tt_u_ > tt_stack_deepest)                           \
            tt_stack_deepest = stack_depth_at(tt_m_) + tt_u_;                          \
    } while (0)

typedef struct tt_env {
    custos_bm_port port;
    custos_dev_t dev;
    uint8_t app_pk[32], app_sk[64];
    uint8_t device_id[16];
} tt_env;

/* The port's flash region (board memory, section .custos_flash). */
extern uint8_t tt_flash[CUSTOS_BM_REGION_SIZE(TT_PAGE)];

/* Blank flash, a device opened on it and paired with a new app key. */
void tt_setup(tt_env *e);
/* Port and device opened again on the same flash: a reboot. 0 or the
 * failing call's result. */
int tt_reboot(tt_env *e);
void tt_teardown(tt_env *e);

size_t tt_update(const tt_env *e, uint8_t out[CUSTOS_DEV_MESSAGE_MAX], uint32_t counter,
                 const custos_v1_ConsentChange *changes, size_t n);
size_t tt_envelope(const uint8_t sk[64], uint32_t body_type, const uint8_t *body, size_t len,
                   uint8_t out[CUSTOS_DEV_MESSAGE_MAX]);
custos_v1_ConsentChange tt_change(unsigned subject, unsigned purpose,
                                  custos_v1_ConsentStatus status, uint64_t valid_until);

#endif
