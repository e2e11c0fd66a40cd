/*
 * fuzz_store_open: custos_open on a store directory whose STORE header and
 * key file are made of the fuzzer's bytes, next to a valid custos.db.
 *
 * Input: [2 bytes, little-endian: n][n bytes: STORE][the rest: keys]
 * (n is clamped to what is there). The seeds (corpus/fuzz_store_open/) are
 * a real header and key file, and truncations of them.
 *
 * Expected: a clean CUSTOS_E* code or success; never a crash, a leak or
 * undefined behaviour. The store lives on /dev/shm when it exists, so that
 * SQLite's fsyncs cost nothing.
 */
#include <custos/custos.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char store_dir[512];

static void write_file(const char *name, const uint8_t *p, size_t n)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", store_dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        abort();
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            abort();
        p += w;
        n -= (size_t)w;
    }
    close(fd);
}

/* The store holds only files: remove them and the folder at exit. */
static void remove_store(void)
{
    DIR *d = opendir(store_dir);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        char path[800];
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", store_dir, e->d_name);
        unlink(path);
    }
    if (d != NULL)
        closedir(d);
    rmdir(store_dir);
}

/* A real store once per process: its custos.db stays, STORE and keys change. */
static void prepare(void)
{
    struct stat st;
    const char *base = stat("/dev/shm", &st) == 0 ? "/dev/shm" : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    snprintf(store_dir, sizeof store_dir, "%s/custos-fuzz-open-XXXXXX", base);
    if (mkdtemp(store_dir) == NULL)
        abort();
    custos_t *ctx = NULL;
    if (custos_open(&ctx, store_dir, NULL) != CUSTOS_OK)
        abort();
    custos_close(ctx);
    atexit(remove_store);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (store_dir[0] == '\0')
        prepare();
    size_t n = size >= 2 ? (size_t)data[0] | (size_t)data[1] << 8 : 0;
    const uint8_t *rest = size >= 2 ? data + 2 : data;
    size_t rest_len = size >= 2 ? size - 2 : 0;
    if (n > rest_len)
        n = rest_len;
    write_file("STORE", rest, n);
    write_file("keys", rest + n, rest_len - n);

    custos_open_options o = CUSTOS_OPEN_OPTIONS_INIT;
    o.flags = 0;
    custos_t *ctx = NULL;
    int rc = custos_open(&ctx, store_dir, &o);
    if (rc == CUSTOS_OK) {
        uint8_t pk[32];
        if (custos_device_public_key(ctx, pk) != CUSTOS_OK)
            abort();
        custos_close(ctx);
    } else if (ctx != NULL || rc >= 0 || rc <= CUSTOS_E__LAST || custos_last_error()[0] == '\0') {
        abort(); /* a failure must be a known code, with no handle and with a detail */
    }
    return 0;
}
