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
/* Host files (the QEMU process's working directory): open for reading
 * ("rb") or writing ("wb"); a handle, or -1. read/write move exactly len
 * bytes or fail (-1); flen is the file's length or -1. */
long sh_open(const char *path, int write);
long sh_flen(long h);
int sh_read(long h, void *buf, uint32_t len);
int sh_write(long h, const void *buf, uint32_t len);
void sh_close(long h);
/* End the run: QEMU exits 0 when ok, 1 otherwise. */
__attribute__((noreturn)) void sh_exit(int ok);

#endif
