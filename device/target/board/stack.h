/*
 * stack.h: stack use measured by painting. Every word between the stack's
 * lowest address and a little below the current stack pointer is set to a
 * pattern; after the call under test, the lowest word that no longer holds
 * it is as deep as the call went (the callee's frames, its callees', and
 * anything an interrupt pushed meanwhile: none on these boards).
 */
#ifndef CUSTOS_STACK_H
#define CUSTOS_STACK_H

#include <stdint.h>

#define STACK_PAINT 0xC57AC0DEu

/* At reset: paint the whole stack but what reset itself uses. */
void stack_paint_all(void);
extern uint32_t __stack_bottom[];

/* Paint from the caller's stack pointer down, with no call of its own (so
 * no frame of its own below that pointer); returns the stack pointer (the
 * measure's zero). Memory below the stack pointer is free by the AAPCS. */
__attribute__((always_inline)) static inline uintptr_t stack_paint(void)
{
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    for (volatile uint32_t *w = __stack_bottom; (uintptr_t)w < sp; w++)
        *w = STACK_PAINT;
    return sp;
}
/* Bytes below mark that were written since stack_paint(). */
uint32_t stack_used_since(uintptr_t mark);
/* Bytes from the stack's top down to mark. */
uint32_t stack_depth_at(uintptr_t mark);
/* Bytes of stack the linker script reserves. */
uint32_t stack_size(void);

#endif
