/*
 * gate_platform.h: what the gate needs from the operating system, in one
 * place: the thread-local slot pointer's TLS model, the asymmetric barrier
 * (Linux membarrier) and the coarse wall clock.
 *
 * TLS model. The library is loaded with dlopen (System.loadLibrary on
 * Android, a JVM, a Python extension), so its thread-local variables use the
 * model every dynamic loader accepts: the compiler's default for
 * position-independent code (global- or local-dynamic, TLSDESC on arm64).
 * initial-exec would mark the object STATIC_TLS with a TPOFF relocation,
 * which bionic refuses in a dlopen'd library and glibc accepts only while
 * its small static-TLS reserve lasts. tests/stages/check-static-tls fails
 * the build if any SDK shared object carries either.
 *
 * Asymmetric barrier. gate_membarrier_register() returns 1 only if this
 * process may use MEMBARRIER_CMD_PRIVATE_EXPEDITED. A refusal of any kind
 * (ENOSYS on old kernels and non-Linux systems, EPERM or EINVAL from a
 * seccomp filter or a container, SIGSYS from a seccomp filter whose action
 * is TRAP, as Android's app filter uses) returns 0 and the gate falls back
 * to reader fences. It runs once per process, from pthread_once.
 */
#ifndef CUSTOS_GATE_PLATFORM_H
#define CUSTOS_GATE_PLATFORM_H

#include <stdint.h>
#include <time.h>

#define GATE_TLS _Thread_local

#if defined(__linux__)
#include <linux/membarrier.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#if defined(__linux__) && defined(SYS_membarrier)
static volatile sig_atomic_t gate_sigsys_seen;

static void gate_on_sigsys(int sig)
{
    (void)sig;
    gate_sigsys_seen = 1;
}

/* Registration under a temporary SIGSYS handler: a seccomp TRAP turns into a
 * refusal instead of killing the process. The previous handler is restored
 * at once; a SIGSYS another thread raises in that window is counted as ours
 * (it can only make the gate take the slower, always-correct mode). */
static int gate_membarrier_register(void)
{
    struct sigaction on, old;
    memset(&on, 0, sizeof on); /* not secret: a sigaction being filled in */
    on.sa_handler = gate_on_sigsys;
    sigemptyset(&on.sa_mask);
    if (sigaction(SIGSYS, &on, &old) != 0)
        return 0;
    gate_sigsys_seen = 0;
    long rc = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    int ok = !gate_sigsys_seen && rc > 0 && (rc & MEMBARRIER_CMD_PRIVATE_EXPEDITED) != 0 &&
             syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0) == 0 && !gate_sigsys_seen;
    (void)sigaction(SIGSYS, &old, NULL);
    return ok;
}

static void gate_membarrier(void)
{
    (void)syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
}
#else
static int gate_membarrier_register(void)
{
    return 0;
}

static void gate_membarrier(void)
{
}
#endif

/* Seconds since the epoch from the cheapest wall clock: Linux's coarse clock
 * (vDSO, one tick of resolution), else CLOCK_REALTIME (on Darwin a commpage
 * read, no system call either). */
static inline uint64_t gate_coarse_seconds(void)
{
    struct timespec ts;
#if defined(CLOCK_REALTIME_COARSE)
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
#else
    clock_gettime(CLOCK_REALTIME, &ts);
#endif
    return (uint64_t)ts.tv_sec;
}

#endif
