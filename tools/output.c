/*
 * output.c: how the custos tool writes a file it was asked to produce.
 *
 * A regular file is replaced atomically: the bytes go to a new file beside it
 * (created exclusively, so never through a planted link), are synced, and
 * the new file is renamed over the old one; a reader sees the old file or
 * the whole new one, never a part. A path that is a symbolic link is refused:
 * the tool never writes through one. An existing device or FIFO (/dev/null,
 * a pipe) is written in place. "-" is standard output.
 *
 * Keys, receipts, vault payloads and exports are created 0600 whatever the
 * umask; documents meant to be published (disclosures, compiled manifests)
 * 0644 less the umask.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int to_stdout(const void *data, size_t len)
{
    if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
        fprintf(stderr, "custos: -: write error\n");
        return CLI_FAIL;
    }
    return CLI_OK;
}

/* An existing device or FIFO: written where it is, never created. */
static int to_special(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    int ok = fd >= 0 && write_all(fd, data, len) == 0;
    int saved = errno;
    if (fd >= 0 && close(fd) != 0)
        ok = 0;
    if (!ok) {
        fprintf(stderr, "custos: %s: %s\n", path, strerror(saved));
        return CLI_FAIL;
    }
    return CLI_OK;
}

/* The directory part of path ("." for a bare name) into dir. */
static int dir_of(const char *path, char *dir, size_t size)
{
    const char *slash = strrchr(path, '/');
    int n = slash == NULL ? snprintf(dir, size, ".")
                          : snprintf(dir, size, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    return n > 0 && (size_t)n < size ? 0 : -1;
}

static int sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static int to_regular(const char *path, const void *data, size_t len, mode_t mode)
{
    char dir[4096], tmp[4200];
    if (dir_of(path, dir, sizeof dir) != 0 || snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path) >= (int)sizeof tmp) {
        fprintf(stderr, "custos: %s: path too long\n", path);
        return CLI_FAIL;
    }
    int fd = mkstemp(tmp); /* O_CREAT | O_EXCL, mode 0600 */
    int ok = fd >= 0 && fchmod(fd, mode) == 0 && write_all(fd, data, len) == 0 && fsync(fd) == 0;
    int saved = errno;
    if (fd >= 0 && close(fd) != 0 && ok) {
        ok = 0;
        saved = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = 0;
        saved = errno;
    }
    if (!ok) {
        if (fd >= 0)
            unlink(tmp);
        fprintf(stderr, "custos: %s: %s\n", path, strerror(saved));
        return CLI_FAIL;
    }
    if (sync_dir(dir) != 0) {
        fprintf(stderr, "custos: %s: written, but its directory could not be synced: %s\n", path, strerror(errno));
        return CLI_FAIL;
    }
    return CLI_OK;
}

static int write_out(const char *path, const void *data, size_t len, mode_t mode)
{
    struct stat st;
    if (strcmp(path, "-") == 0)
        return to_stdout(data, len);
    if (lstat(path, &st) == 0) {
        if (S_ISLNK(st.st_mode)) {
            fprintf(stderr, "custos: %s: is a symbolic link; the tool does not write through one (give the "
                            "path it points to)\n", path);
            return CLI_FAIL;
        }
        if (S_ISDIR(st.st_mode)) {
            fprintf(stderr, "custos: %s: is a directory\n", path);
            return CLI_FAIL;
        }
        if (!S_ISREG(st.st_mode))
            return to_special(path, data, len);
    }
    return to_regular(path, data, len, mode);
}

int cli_write_file(const char *path, const void *data, size_t len)
{
    return write_out(path, data, len, 0600);
}

int cli_write_public(const char *path, const void *data, size_t len)
{
    mode_t mask = umask(077);
    umask(mask);
    return write_out(path, data, len, 0644 & ~mask);
}
