/*
 * iofault.h: the seam through which tests fail the I/O that Custos performs
 * on its own files (keys, header, intent journal, exports). SQLite's own I/O
 * is failed through a VFS wrapper (tests/harness). Production code never sets
 * an injector; with none set each check is one relaxed atomic load.
 */
#ifndef CUSTOS_IOFAULT_H
#define CUSTOS_IOFAULT_H

typedef enum custos_io_op {
    CUSTOS_IO_OPEN = 0,
    CUSTOS_IO_WRITE,
    CUSTOS_IO_FSYNC,
    CUSTOS_IO_RENAME,
    CUSTOS_IO_UNLINK,
    CUSTOS_IO_READ,
    CUSTOS_IO__COUNT
} custos_io_op;

/* Returns 0 to let the operation proceed, or an errno value (EIO, ENOSPC)
 * to fail it. May also not return (a crash test kills the process). */
typedef int (*custos_io_injector)(custos_io_op op, const char *path, void *user);

void custos__io_set_injector(custos_io_injector fn, void *user);
/* Called by fileio.c before each operation; returns 0 or an errno value. */
int custos__io_check(custos_io_op op, const char *path);

#endif
