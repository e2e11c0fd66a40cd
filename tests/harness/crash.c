/*
 * crash.c: run an operation in a child process killed at its k-th I/O point,
 * for k = 1, 2, ... until it completes, and let the parent check the store.
 */
#include "crash.h"
#include "fault_internal.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* Shared with the child: the notes it made before it died. */
typedef struct note_page {
    size_t n;
    uint64_t v[TH_CRASH_MAX_NOTES];
} note_page;

static note_page *notes;

void th_crash_note(uint64_t value)
{
    if (notes != NULL && notes->n < TH_CRASH_MAX_NOTES)
        notes->v[notes->n++] = value;
}

static const char *model_name(int model)
{
    return model == TH_CRASH_DROP ? "drop-unsynced" : model == TH_CRASH_TEAR ? "torn-sectors" : "keep";
}

custos_t *th_crash_reopen(const char *dir)
{
    custos_t *ctx = NULL;
    custos_open_options o = CUSTOS_OPEN_OPTIONS_INIT;
    o.flags = 0;
    int rc = custos_open(&ctx, dir, &o);
    if (rc == CUSTOS_ENOTFOUND)
        return NULL;
    if (rc != CUSTOS_OK)
        fail_msg("after the crash, %s does not open: %s: %s", dir, custos_strerror(rc),
                 custos_last_error());
    th_assert_db_ok(ctx);
    return ctx;
}

/* Fork, arm the crash in the child, run op. Returns 1 if the child died at k. */
static int run_child(const th_crash_loop *l, const char *dir, unsigned long k)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        th__arm_crash(k, l->io_ops != 0 ? l->io_ops : TH_IO_MUTATING, l->model);
        int rc = l->op(dir, l->arg);
        th_fault_clear();
        _exit(rc == 0 ? 0 : 3);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        assert_int_equal(errno, EINTR);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        return 1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status))
        fail_msg("%s (%s) k=%lu: the operation failed in the child (exit %d)",
                 l->name, model_name(l->model), k, WEXITSTATUS(status));
    fail_msg("%s (%s) k=%lu: the child died of signal %d, not at a crash point",
             l->name, model_name(l->model), k, WTERMSIG(status));
    return 0;
}

unsigned long th_crash_run(const th_crash_loop *l)
{
    assert_non_null(l);
    assert_non_null(l->op);
    th_fault_install();
    if (notes == NULL) {
        void *p = mmap(NULL, sizeof *notes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        assert_true(p != MAP_FAILED);
        notes = p;
    }
    /* setup runs once; every k starts from a copy of what it made. */
    char *prepared = NULL;
    if (l->setup != NULL) {
        prepared = th_fast_tmpdir("crash-setup");
        l->setup(prepared, l->arg);
    }
    unsigned long max = l->max_k != 0 ? l->max_k : 100000, k, crashes = 0;
    for (k = 1; k <= max; k++) {
        char *dir = th_fast_tmpdir("crash");
        if (prepared != NULL)
            th_copy_dir(prepared, dir);
        notes->n = 0;
        int crashed = run_child(l, dir, k);
        th_crash_result r = { k, l->model, crashed, notes->n, notes->v };
        if (l->check != NULL)
            l->check(dir, &r, l->arg);
        th_tmpdir_remove(dir);
        if (!crashed)
            break;
        crashes++;
    }
    th_tmpdir_remove(prepared);
    if (k > max)
        fail_msg("%s: still crashing at k=%lu (max_k)", l->name, max);
    print_message("[crash] %-28s %-14s %5lu crash points exercised\n", l->name, model_name(l->model),
                  crashes);
    return crashes;
}

unsigned long th_crash_run_all(const char *name, th_setup_fn setup, th_crash_op_fn op,
                               th_crash_check_fn check, void *arg)
{
    unsigned long total = 0;
    for (int model = TH_CRASH_KEEP; model <= TH_CRASH_TEAR; model++) {
        th_crash_loop l = { .name = name, .model = model, .setup = setup, .op = op,
                            .check = check, .arg = arg };
        total += th_crash_run(&l);
    }
    return total;
}
