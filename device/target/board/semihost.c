#include "semihost.h"

static uint32_t sh_call(uint32_t op, const void *arg)
{
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void sh_puts(const char *s)
{
    (void)sh_call(0x04u, s); /* SYS_WRITE0 */
}

void sh_putu(uint32_t v)
{
    char b[11];
    int i = 10;
    b[i] = 0;
    do {
        b[--i] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0);
    sh_puts(b + i);
}

void sh_puti(long v)
{
    if (v < 0) {
        sh_puts("-");
        sh_putu((uint32_t)(-(v + 1)) + 1u);
    } else {
        sh_putu((uint32_t)v);
    }
}

void sh_puthex(const uint8_t *p, uint32_t len)
{
    static const char hx[] = "0123456789abcdef";
    char b[3] = { 0, 0, 0 };
    for (uint32_t i = 0; i < len; i++) {
        b[0] = hx[p[i] >> 4];
        b[1] = hx[p[i] & 15u];
        sh_puts(b);
    }
}

long sh_open(const char *path, int write)
{
    uint32_t n = 0;
    while (path[n] != 0)
        n++;
    uint32_t a[3] = { (uint32_t)(uintptr_t)path, write ? 5u : 1u, n }; /* "wb" / "rb" */
    return (long)(int32_t)sh_call(0x01u, a); /* SYS_OPEN */
}

long sh_flen(long h)
{
    uint32_t a[1] = { (uint32_t)h };
    return (long)(int32_t)sh_call(0x0Cu, a); /* SYS_FLEN */
}

int sh_read(long h, void *buf, uint32_t len)
{
    uint32_t a[3] = { (uint32_t)h, (uint32_t)(uintptr_t)buf, len };
    return sh_call(0x06u, a) == 0 ? 0 : -1; /* SYS_READ: bytes not read */
}

int sh_write(long h, const void *buf, uint32_t len)
{
    uint32_t a[3] = { (uint32_t)h, (uint32_t)(uintptr_t)buf, len };
    return sh_call(0x05u, a) == 0 ? 0 : -1; /* SYS_WRITE: bytes not written */
}

void sh_close(long h)
{
    uint32_t a[1] = { (uint32_t)h };
    (void)sh_call(0x02u, a); /* SYS_CLOSE */
}

void sh_exit(int ok)
{
    /* SYS_EXIT; on AArch32 the argument is the reason itself:
     * ADP_Stopped_ApplicationExit (0x20026) is a clean exit, anything else
     * (ADP_Stopped_RunTimeErrorUnknown, 0x20023) an error. */
    (void)sh_call(0x18u, (const void *)(uintptr_t)(ok ? 0x20026u : 0x20023u));
    for (;;) {
    }
}
