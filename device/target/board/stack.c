#include "stack.h"

extern uint32_t __stack_top[];

/* At reset the words just below the painter's frame are left alone. */
#define PAINT_GUARD 64u

static uintptr_t current_sp(void)
{
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    return sp;
}

__attribute__((noinline)) static void paint_below(uintptr_t top)
{
    volatile uint32_t *w = __stack_bottom;
    while ((uintptr_t)w + 4u <= top)
        *w++ = STACK_PAINT;
}

void stack_paint_all(void)
{
    paint_below(current_sp() - PAINT_GUARD);
}

uint32_t stack_used_since(uintptr_t mark)
{
    const volatile uint32_t *w = __stack_bottom;
    while ((uintptr_t)w < mark && *w == STACK_PAINT)
        w++;
    return (uintptr_t)w < mark ? (uint32_t)(mark - (uintptr_t)w) : 0u;
}

uint32_t stack_depth_at(uintptr_t mark)
{
    return (uint32_t)((uintptr_t)__stack_top - mark);
}

uint32_t stack_size(void)
{
    return (uint32_t)((uintptr_t)__stack_top - (uintptr_t)__stack_bottom);
}
