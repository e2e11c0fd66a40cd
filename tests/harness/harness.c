/* harness.c: temporary directories and small file helpers for tests. */
#include "harness.h"
#include "fault.h"

#include <dirent.h>
#include <sqlite3.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *tmpdir_under(const char *base, const char *tag)
{
    th_fault_install(); /* before any store opens: it hooks the allocators */
    char tmpl[4096];
    snprintf(tmpl, sizeof tmpl, "%s/custos-%s-XXXXXX", base != NULL && base[0] != '\0' ? base : "/tmp", tag);
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

char *th_tmpdir(const char *tag) { return tmpdir_under(getenv("TMPDIR"), tag); }

char *th_fast_tmpdir(const char *tag)
{
    const char *base = getenv("CUSTOS_FAULT_TMPDIR");
    if (base == NULL || base[0] == '\0')
        base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    return tmpdir_under(base, tag);
}

void th_copy_dir(const char *from, const char *to)
{
    DIR *dir = opendir(from);
    assert_non_null(dir);
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char src[4096], dst[4096];
        struct stat st;
        snprintf(src, sizeof src, "%s/%s", from, e->d_name);
        snprintf(dst, sizeof dst, "%s/%s", to, e->d_name);
        assert_int_equal(lstat(src, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            assert_int_equal(mkdir(dst, st.st_mode & 07777), 0);
            th_copy_dir(src, dst);
            continue;
        }
        if (!S_ISREG(st.st_mode))
            continue;
        size_t len = 0;
        uint8_t *data = th_read_file(src, &len);
        assert_non_null(data);
        int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, data, len), (ssize_t)len);
        close(fd);
        free(data);
    }
    closedir(dir);
}

static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *dir = opendir(path);
        struct dirent *e;
        while (dir != NULL && (e = readdir(dir)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            remove_tree(sub);
        }
        if (dir != NULL)
            closedir(dir);
        rmdir(path);
    } else {
        unlink(path);
    }
}

void th_tmpdir_remove(char *dir)
{
    if (dir == NULL)
        return;
    remove_tree(dir);
    free(dir);
}

void th_write_file(const char *dir, const char *name, const void *data, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, 0600), 0); /* as the store writes its files: a key file must be */
}

uint8_t *th_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    assert_true(n >= 0);
    uint8_t *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = '\0'; /* so that text files can be searched as strings */
    fclose(f);
    return buf;
}

custos_t *th_open(const char *dir)
{
    custos_t *ctx = NULL;
    int rc = custos_open(&ctx, dir, NULL);
    if (rc != CUSTOS_OK)
        fail_msg("custos_open(%s): %s: %s", dir, custos_strerror(rc), custos_last_error());
    return ctx;
}

int th_db_edit(const char *dir, const char *sql)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/custos.db", dir);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("edit failed: %s (%s)", err != NULL ? err : "?", sql);
    int n = sqlite3_changes(db);
    sqlite3_close(db);
    return n;
}
