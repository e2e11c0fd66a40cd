/* main.c: the custos command-line tool's entry point and command table. */
#include "cli.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("custos %s (store format %u)\n", custos_version(), custos_store_format_version());
    return CLI_OK;
}

static const cli_command commands[] = {
    { "version", "print the version", cmd_version },
    { "manifest", "check, compile, show and diff privacy manifests", cmd_manifest },
    { "audit", "verify, show and export the audit chain; opt out of optional events", cmd_audit },
    { "disclose", "generate privacy notices, store labels and ETSI / JC-STAR evidence", cmd_disclose },
    { "vault", "store, read, list, export and import sealed personal data", cmd_vault },
    { "consent", "load the policy; record, show, verify and export consent", cmd_consent },
    { "erase", "erase a subject's data, or one purpose of it, with a signed receipt", cmd_erase },
    { "factory-reset", "destroy every key and file of the store and start afresh", cmd_factory_reset },
    { "receipt", "verify or show a deletion receipt", cmd_receipt },
};

static void usage(FILE *f)
{
    fprintf(f, "usage: custos COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\nRun 'custos COMMAND --help' for a command's options.\n");
}

int cli_fail(const char *what, int code, const char *detail)
{
    fprintf(stderr, "custos: %s: %s", what, custos_strerror(code));
    if (detail != NULL && detail[0] != '\0')
        fprintf(stderr, ": %s", detail);
    fputc('\n', stderr);
    return CLI_FAIL;
}

int cli_open_store(custos_t **out, const char *dir, int create)
{
    if (dir == NULL)
        dir = getenv("CUSTOS_STORE");
    if (dir == NULL)
        dir = "custos-store";
    custos_open_options opts = CUSTOS_OPEN_OPTIONS_INIT;
    opts.flags = create ? CUSTOS_OPEN_CREATE : 0;
    int rc = custos_open(out, dir, &opts);
    if (rc != CUSTOS_OK)
        return cli_fail(dir, rc, custos_last_error());
    return CLI_OK;
}

int cli_hex32(const char *hex, size_t len, uint8_t out[32])
{
    size_t n = 0;
    if (hex == NULL || len != 64)
        return -1;
    return sodium_hex2bin(out, 32, hex, len, NULL, &n, NULL) == 0 && n == 32 ? 0 : -1;
}

/* The most bytes the tool reads for each kind of input (cli.h). */
static const struct {
    size_t max;
    const char *name;
} limits[] = {
    [CLI_IN_MANIFEST] = { CUSTOS_MANIFEST_MAX_YAML, "a manifest (CUSTOS_MANIFEST_MAX_YAML)" },
    [CLI_IN_PAYLOAD] = { CUSTOS_VAULT_PAYLOAD_MAX, "a payload (CUSTOS_VAULT_PAYLOAD_MAX)" },
    [CLI_IN_RECEIPT] = { CUSTOS_ERASE_RECEIPT_MAX, "a deletion receipt (CUSTOS_ERASE_RECEIPT_MAX)" },
    [CLI_IN_KEYPAIR] = { 256, "a key pair file" },
};

/* A larger buffer holding buf's len bytes; the old one is wiped (it may
 * hold a payload or a key) and freed. NULL when out of memory. */
static unsigned char *grow(unsigned char *buf, size_t len, size_t cap)
{
    unsigned char *nb = malloc(cap);
    if (nb != NULL)
        memcpy(nb, buf, len);
    sodium_memzero(buf, len);
    free(buf);
    return nb;
}

/* Read f into a buffer of at most max + 1 bytes: *len > max means longer. */
static unsigned char *read_bounded(FILE *f, size_t max, size_t *len)
{
    size_t cap = max < 4096 ? max + 1 : 4096;
    unsigned char *buf = malloc(cap);
    *len = 0;
    while (buf != NULL && *len <= max) {
        size_t n = fread(buf + *len, 1, cap - *len, f);
        *len += n;
        if (n == 0)
            break;
        if (*len == cap && *len <= max) {
            size_t next = cap > max / 2 ? max + 1 : cap * 2;
            buf = grow(buf, *len, next);
            cap = next;
        }
    }
    return buf;
}

int cli_read_file(const char *path, cli_input kind, unsigned char **out, size_t *out_len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "custos: %s: %s\n", path, strerror(errno));
        return CLI_FAIL;
    }
    size_t len = 0, max = limits[kind].max;
    unsigned char *buf = read_bounded(f, max, &len);
    int err = ferror(f);
    if (f != stdin)
        fclose(f);
    if (buf == NULL || err || len > max) {
        if (buf == NULL)
            fprintf(stderr, "custos: %s: out of memory\n", path);
        else if (err)
            fprintf(stderr, "custos: %s: read error\n", path);
        else
            fprintf(stderr, "custos: %s: refused: longer than %zu bytes, the limit of %s\n", path, max,
                    limits[kind].name);
        if (buf != NULL)
            sodium_memzero(buf, len);
        free(buf);
        return CLI_FAIL;
    }
    *out = buf;
    *out_len = len;
    return CLI_OK;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "custos: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
