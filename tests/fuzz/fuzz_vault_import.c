/*
 * fuzz_vault_import: importing a subject's data export (the
 * crypto_secretstream file of custos_vault_export) into a store, with the
 * right recipient key: custos_vault_import on arbitrary file contents.
 *
 * Input: the export file's bytes. No seed is committed: an export is
 * encrypted to a recipient key, so a seed would only reach the first chunk
 * with that key; the target exercises the header, the sealed stream key and
 * the refusal of truncated, reordered or altered streams.
 *
 * Expected: a clean CUSTOS_E* code, and nothing imported on failure (the
 * store holds no record afterwards); never a crash, a leak or undefined
 * behaviour. The store lives on /dev/shm when it exists.
 */
#include <custos/custos.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static custos_t *ctx;
static custos_subject subject;
static uint8_t pk[32], sk[32];
static char dir[512], file[600];

static void cleanup(void)
{
    custos_close(ctx);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        return;
}

static void prepare(void)
{
    struct stat st;
    const char *base = stat("/dev/shm", &st) == 0 ? "/dev/shm" : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    snprintf(dir, sizeof dir, "%s/custos-fuzz-import-XXXXXX", base);
    if (mkdtemp(dir) == NULL)
        abort();
    char store[600];
    snprintf(store, sizeof store, "%s/store", dir);
    snprintf(file, sizeof file, "%s/export.bin", dir);
    if (custos_open(&ctx, store, NULL) != CUSTOS_OK || custos_export_keypair(pk, sk) != CUSTOS_OK
        || custos_subject_add(ctx, &subject, "fuzz-subject", CUSTOS_ROLE_OWNER) != CUSTOS_OK)
        abort();
    atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (ctx == NULL)
        prepare();
    int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || (size > 0 && write(fd, data, size) != (ssize_t)size) || close(fd) != 0)
        abort();
    size_t n = 0;
    int rc = custos_vault_import(ctx, &n, file, subject, pk, sk);
    if (rc > 0 || (rc != CUSTOS_OK && n != 0))
        abort();
    custos_record_id ids[4];
    size_t have = 0;
    if (rc != CUSTOS_OK && custos_vault_list(ctx, ids, 4, &have, subject) == CUSTOS_OK && have != 0)
        abort(); /* a refused import must leave nothing behind */
    return 0;
}
