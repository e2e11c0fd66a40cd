/*
 * fileio.c: the files Custos writes itself. Every write is atomic (temp file,
 * fsync, rename, fsync of the directory), so a crash leaves the old file or
 * the new one, never a mix. Each step passes through the fault seam of
 * iofault.h so the reliability harness can fail or crash at it.
 */
#define _GNU_SOURCE
#include "ground/internal.h"
#include "ground/iofault.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static _Atomic(custos_io_injector) injector;
static void *injector_user;

void custos__io_set_injector(custos_io_injector fn, void *user)
{
    injector_user = user;
    atomic_store(&injector, fn);
}

int custos__io_check(custos_io_op op, const char *path)
{
    custos_io_injector fn = atomic_load_explicit(&injector, memory_order_relaxed);
    return fn == NULL ? 0 : fn(op, path, injector_user);
}

static int errno_code(int err)
{
    return err == ENOSPC || err == EDQUOT ? CUSTOS_ENOSPC : CUSTOS_EIO;
}

static int io_fail(custos_t *ctx, int err, const char *what, const char *path)
{
    if (ctx == NULL)
        return custos__fail_noctx(errno_code(err), "%s %s: %s", what, path, strerror(err));
    return custos__fail(ctx, errno_code(err), "%s %s: %s", what, path, strerror(err));
}

char *custos__path_join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = custos__malloc(a + b + 2);
    if (p == NULL)
        return NULL;
    memcpy(p, dir, a);
    p[a] = '/';
    memcpy(p + a + 1, name, b + 1);
    return p;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int custos__fsync_dir(custos_t *ctx, const char *dir)
{
    int err = custos__io_check(CUSTOS_IO_FSYNC, dir);
    if (err != 0)
        return io_fail(ctx, err, "sync directory", dir);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return io_fail(ctx, errno, "open directory", dir);
    if (fsync(fd) != 0) {
        err = errno;
        close(fd);
        return io_fail(ctx, err, "sync directory", dir);
    }
    close(fd);
    return CUSTOS_OK;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return custos__strdup(".");
    if (slash == path)
        return custos__strdup("/");
    size_t n = (size_t)(slash - path);
    char *d = custos__malloc(n + 1);
    if (d == NULL)
        return NULL;
    memcpy(d, path, n);
    d[n] = '\0';
    return d;
}

int custos__file_write_atomic(custos_t *ctx, const char *path, const void *data, size_t len, int mode)
{
    size_t plen = strlen(path);
    char *tmp = custos__malloc(plen + 5);
    char *dir = dir_of(path);
    int rc = CUSTOS_OK, err, fd = -1;
    if (tmp == NULL || dir == NULL) {
        rc = ctx ? custos__fail(ctx, CUSTOS_ENOMEM, "out of memory") : CUSTOS_ENOMEM;
        goto out;
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);

    /* Only ever replace a regular file: renaming onto a device node, a FIFO
     * or a directory entry of another kind would destroy it. */
    struct stat st;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        rc = ctx ? custos__fail(ctx, CUSTOS_EINVAL, "%s exists and is not a regular file; not replacing it", path)
                 : custos__fail_noctx(CUSTOS_EINVAL, "%s exists and is not a regular file; not replacing it", path);
        goto out;
    }

    if ((err = custos__io_check(CUSTOS_IO_OPEN, tmp)) != 0) {
        rc = io_fail(ctx, err, "create", tmp);
        goto out;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0) {
        rc = io_fail(ctx, errno, "create", tmp);
        goto out;
    }
    if ((err = custos__io_check(CUSTOS_IO_WRITE, tmp)) != 0 || (err = write_all(fd, data, len)) != 0) {
        rc = io_fail(ctx, err, "write", tmp);
        goto out_unlink;
    }
    if ((err = custos__io_check(CUSTOS_IO_FSYNC, tmp)) != 0 || (fsync(fd) != 0 && (err = errno) != 0)) {
        rc = io_fail(ctx, err, "sync", tmp);
        goto out_unlink;
    }
    close(fd);
    fd = -1;
    if ((err = custos__io_check(CUSTOS_IO_RENAME, path)) != 0 || (rename(tmp, path) != 0 && (err = errno) != 0)) {
        rc = io_fail(ctx, err, "rename onto", path);
        goto out_unlink;
    }
    rc = custos__fsync_dir(ctx, dir);
    goto out;

out_unlink:
    if (fd >= 0)
        close(fd);
    fd = -1;
    unlink(tmp);
out:
    if (fd >= 0)
        close(fd);
    custos__free(tmp);
    custos__free(dir);
    return rc;
}

int custos__file_read(custos_t *ctx, const char *path, uint8_t **out, size_t *out_len, size_t max)
{
    *out = NULL;
    *out_len = 0;
    int err = custos__io_check(CUSTOS_IO_READ, path);
    if (err != 0)
        return io_fail(ctx, err, "read", path);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT)
            return ctx ? custos__fail(ctx, CUSTOS_ENOTFOUND, "%s does not exist", path)
                       : custos__fail_noctx(CUSTOS_ENOTFOUND, "%s does not exist", path);
        return io_fail(ctx, errno, "open", path);
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        err = errno;
        close(fd);
        return io_fail(ctx, err, "stat", path);
    }
    if ((size_t)st.st_size > max) {
        close(fd);
        return ctx ? custos__fail(ctx, CUSTOS_ECORRUPT, "%s is larger than %zu bytes", path, max)
                   : custos__fail_noctx(CUSTOS_ECORRUPT, "%s is larger than %zu bytes", path, max);
    }
    size_t cap = (size_t)st.st_size;
    uint8_t *buf = custos__malloc(cap);
    if (buf == NULL) {
        close(fd);
        return ctx ? custos__fail(ctx, CUSTOS_ENOMEM, "out of memory") : CUSTOS_ENOMEM;
    }
    size_t got = 0;
    while (got < cap) {
        ssize_t n = read(fd, buf + got, cap - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            err = errno;
            close(fd);
            custos__wipe(buf, cap);
            custos__free(buf);
            return io_fail(ctx, err, "read", path);
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    *out = buf;
    *out_len = got;
    return CUSTOS_OK;
}

int custos__file_unlink(custos_t *ctx, const char *path)
{
    int err = custos__io_check(CUSTOS_IO_UNLINK, path);
    if (err != 0)
        return io_fail(ctx, err, "remove", path);
    if (unlink(path) != 0 && errno != ENOENT)
        return io_fail(ctx, errno, "remove", path);
    return CUSTOS_OK;
}

int custos__file_shred(custos_t *ctx, const char *path)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return errno == ENOENT ? CUSTOS_OK : io_fail(ctx, errno, "open", path);
    struct stat st;
    int err = 0;
    if (fstat(fd, &st) != 0) {
        err = errno;
    } else {
        static const uint8_t zeros[4096];
        off_t left = st.st_size;
        while (left > 0 && err == 0) {
            size_t n = left > (off_t)sizeof zeros ? sizeof zeros : (size_t)left;
            if ((err = custos__io_check(CUSTOS_IO_WRITE, path)) == 0)
                err = write_all(fd, zeros, n);
            left -= (off_t)n;
        }
        if (err == 0 && (err = custos__io_check(CUSTOS_IO_FSYNC, path)) == 0 && fsync(fd) != 0)
            err = errno;
    }
    close(fd);
    if (err != 0)
        return io_fail(ctx, err, "overwrite", path);
    return custos__file_unlink(ctx, path);
}

int custos__file_pwrite(custos_t *ctx, const char *path, uint64_t offset, const void *data, size_t len)
{
    int err = custos__io_check(CUSTOS_IO_OPEN, path);
    int fd = err != 0 ? -1 : open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return io_fail(ctx, err != 0 ? err : errno, "open", path);
    const uint8_t *p = data;
    size_t done = 0;
    if ((err = custos__io_check(CUSTOS_IO_WRITE, path)) == 0)
        while (done < len) {
            ssize_t n = pwrite(fd, p + done, len - done, (off_t)(offset + done));
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                err = n < 0 ? errno : EIO;
                break;
            }
            done += (size_t)n;
        }
    close(fd);
    return err != 0 ? io_fail(ctx, err, "write", path) : CUSTOS_OK;
}
