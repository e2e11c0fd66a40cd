/*
 * startup.c: reset and fault handlers for every board of device/target.
 * Reset copies .data, clears .bss, paints the stack (see stack.h), runs
 * main() and reports its result through semihosting. A fault ends the run
 * as a failure, naming the fault.
 */
#include <stdint.h>
#include <string.h>

#include "semihost.h"
#include "stack.h"

extern uint32_t __data_load[], __data_start[], __data_end[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __stack_bottom[], __stack_top[];

int main(void);

__attribute__((noreturn)) void reset_handler(void);
__attribute__((noreturn)) static void fault(const char *what)
{
    sh_puts("FAULT: ");
    sh_puts(what);
    sh_puts("\n");
    sh_exit(0);
}

static void hard_fault(void) { fault("HardFault"); }
static void mem_fault(void) { fault("MemManage"); }
static void bus_fault(void) { fault("BusFault"); }
static void usage_fault(void) { fault("UsageFault"); }
static void nmi(void) { fault("NMI"); }
static void other(void) { fault("unexpected exception"); }

typedef void (*vector)(void);
__attribute__((section(".vectors"), used))
const vector vector_table[16] = {
    (vector)(uintptr_t)__stack_top, reset_handler, nmi, hard_fault, mem_fault, bus_fault,
    usage_fault, other, other, other, other, other, other, other, other, other,
};

void reset_handler(void)
{
    uint32_t *s = __data_load, *d = __data_start;
    while (d < __data_end)
        *d++ = *s++;
    for (d = __bss_start; d < __bss_end; d++)
        *d = 0;
#if defined(__ARM_FP)
    /* CPACR: full access to CP10/CP11, so libgcc and compiler-generated
     * FPU code cannot fault on the M4F / M33 boards. */
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb");
#endif
    stack_paint_all();
    int rc = main();
    sh_exit(rc == 0);
}
