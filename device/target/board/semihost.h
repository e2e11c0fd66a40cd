/*
 * semihost.h: the few ARM semihosting calls the target images use (console
 * output and exit), issued with BKPT 0xAB; QEMU serves them with
 * -semihosting-config enable=on,target=native. No heap, no newlib stdio.
 */
#ifndef CUSTOS_SEMIHOST_H
#define CUSTOS_SEMIHOST_H

#include <stdint.h>

void sh_puts(const char *s);
void sh_putu(uint32_t v);
void sh_puti(long v);
void sh_puthex(const uint8_t *p, uint32_t len);
/* End the run: QEMU exits 0 when ok, 1 otherwise. */
__attribute__((noreturn)) void sh_exit(int ok);

#endif
