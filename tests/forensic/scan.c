/* scan.c: the forensic scanner (see scan.h). */
#define _GNU_SOURCE
#include "scan.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { FORMS = 4 };

static size_t count_in(const uint8_t *buf, size_t len, const uint8_t *pat, size_t plen)
{
    size_t hits = 0;
    const uint8_t *p = buf, *end = buf + len;
    while (plen > 0 && (size_t)(end - p) >= plen) {
        const uint8_t *m = memmem(p, (size_t)(end - p), pat, plen);
        if (m == NULL)
            break;
        hits++;
        p = m + 1;
    }
    return hits;
}

static size_t to_hex(char *out, const uint8_t *in, size_t len, const char *digits)
{
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    return 2 * len;
}

/* Base64 of in, dropping the last character when it encodes a partial group. */
static size_t to_base64(char *out, const uint8_t *in, size_t len)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0, i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        for (int k = 3; k >= 0; k--)
            out[o++] = tab[(v >> (6 * k)) & 63];
    }
    if (len - i == 1) {
        out[o++] = tab[in[i] >> 2];
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)in[i] << 8 | in[i + 1];
        out[o++] = tab[v >> 10];
        out[o++] = tab[(v >> 4) & 63];
    }
    return o;
}

size_t scan_buffer(const uint8_t *buf, size_t len, const scan_needle *needles, size_t n, size_t *counts)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t nl = needles[i].len;
        char *form = malloc(2 * nl + 4);
        if (form == NULL)
            abort();
        size_t hits = count_in(buf, len, needles[i].bytes, nl);
        hits += count_in(buf, len, (uint8_t *)form, to_hex(form, needles[i].bytes, nl, "0123456789abcdef"));
        hits += count_in(buf, len, (uint8_t *)form, to_hex(form, needles[i].bytes, nl, "0123456789ABCDEF"));
        hits += count_in(buf, len, (uint8_t *)form, to_base64(form, needles[i].bytes, nl));
        free(form);
        if (counts != NULL)
            counts[i] += hits;
        total += hits;
    }
    return total;
}

static uint8_t *read_all(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    uint8_t *buf = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (buf != NULL && got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    *len = got;
    return buf;
}

static size_t scan_file(const char *path, const scan_needle *needles, size_t n, size_t *counts, FILE *report)
{
    size_t len = 0;
    uint8_t *buf = read_all(path, &len);
    if (buf == NULL)
        return 0;
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t c = scan_buffer(buf, len, &needles[i], 1, NULL);
        if (c > 0 && report != NULL)
            fprintf(report, "%s: %s x%zu\n", path, needles[i].label ? needles[i].label : "needle", c);
        if (counts != NULL)
            counts[i] += c;
        total += c;
    }
    free(buf);
    return total;
}

size_t scan_path(const char *path, const scan_needle *needles, size_t n, size_t *counts, FILE *report)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return 0;
    if (S_ISREG(st.st_mode))
        return scan_file(path, needles, n, counts, report);
    if (!S_ISDIR(st.st_mode))
        return 0;
    DIR *d = opendir(path);
    size_t total = 0;
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        size_t plen = strlen(path) + strlen(e->d_name) + 2;
        char *sub = malloc(plen);
        if (sub == NULL)
            abort();
        snprintf(sub, plen, "%s/%s", path, e->d_name);
        total += scan_path(sub, needles, n, counts, report);
        free(sub);
    }
    if (d != NULL)
        closedir(d);
    return total;
}

/* Copy [start, end) of /proc/self/mem to out; unreadable pages are skipped. */
static long dump_range(int mem, int out, unsigned long start, unsigned long end)
{
    static uint8_t chunk[65536];
    long written = 0;
    for (unsigned long a = start; a < end;) {
        size_t want = end - a < sizeof chunk ? end - a : sizeof chunk;
        ssize_t r = pread(mem, chunk, want, (off_t)a);
        if (r <= 0) {
            a += 4096;
            continue;
        }
        if (write(out, chunk, (size_t)r) != r)
            return -1;
        written += r;
        a += (unsigned long)r;
    }
    return written;
}

long scan_dump_self(const char *path)
{
    FILE *maps = fopen("/proc/self/maps", "r");
    int mem = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
    int out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    long total = 0;
    char line[512];
    while (maps != NULL && mem >= 0 && out >= 0 && total >= 0 && fgets(line, sizeof line, maps) != NULL) {
        unsigned long start, end;
        char perms[8] = "";
        if (sscanf(line, "%lx-%lx %7s", &start, &end, perms) != 3 || perms[0] != 'r')
            continue;
        if (strstr(line, "[vvar]") != NULL || strstr(line, "[vsyscall]") != NULL)
            continue;
        /* Sanitizer shadow memory spans terabytes of reserved zero pages. */
        if (end - start > SCAN_DUMP_MAX_MAPPING)
            continue;
        long w = dump_range(mem, out, start, end);
        total = w < 0 ? -1 : total + w;
    }
    if (maps != NULL)
        fclose(maps);
    if (mem >= 0)
        close(mem);
    if (out >= 0)
        close(out);
    return maps == NULL || mem < 0 || out < 0 ? -1 : total;
}
