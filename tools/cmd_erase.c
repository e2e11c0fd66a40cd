/*
 * cmd_erase.c: `custos erase`, `custos factory-reset` and `custos receipt`.
 *
 *   custos erase --subject ID [--purpose N] [--receipt FILE] [--store DIR]
 *   custos factory-reset --yes [--receipt FILE] [--store DIR]
 *   custos receipt verify FILE --key PUBLIC_KEY_HEX
 *   custos receipt show FILE
 *
 * A subject is named by the maker's id for the person (as registered with
 * custos_subject_add). Erasing draws a progress bar on stderr, writes the
 * signed receipt (binary SignedMessage) to --receipt if given, and prints its
 * JSON rendering on stdout. `receipt verify` exits 0 only if the receipt was
 * signed by the given device key (custos_device_public_key, hex).
 */
#include "cli.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

typedef struct erase_args {
    const char *store, *subject, *receipt, *key;
    unsigned long long purpose;
    int has_purpose, yes;
} erase_args;

static int parse_args(const char *cmd, int argc, char **argv, int first, erase_args *a)
{
    memset(a, 0, sizeof *a); /* not secret: the parsed options, pointers into argv */
    for (int i = first; i < argc; i++) {
        const char *opt = argv[i];
        if (strcmp(opt, "--yes") == 0) {
            a->yes = 1;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "custos %s: %s needs a value\n", cmd, opt);
            return CLI_USAGE;
        }
        const char *val = argv[++i];
        char *end = NULL;
        if (strcmp(opt, "--store") == 0) a->store = val;
        else if (strcmp(opt, "--subject") == 0) a->subject = val;
        else if (strcmp(opt, "--receipt") == 0) a->receipt = val;
        else if (strcmp(opt, "--key") == 0) a->key = val;
        else if (strcmp(opt, "--purpose") == 0) {
            a->purpose = strtoull(val, &end, 10);
            a->has_purpose = 1;
            if (val[0] < '0' || val[0] > '9' || *end != '\0' || a->purpose >= UINT32_MAX) {
                fprintf(stderr, "custos %s: --purpose needs a purpose id\n", cmd);
                return CLI_USAGE;
            }
        } else {
            fprintf(stderr, "custos %s: unknown option %s\n", cmd, opt);
            return CLI_USAGE;
        }
    }
    return CLI_OK;
}

/* A progress bar on stderr, one cell per step. */
static int draw_progress(void *user, custos_erase_step done, unsigned int total)
{
    static const char *const names[] = { "", "keys destroyed", "rows removed", "WAL truncated", "receipt signed" };
    (void)user;
    unsigned int width = 20, filled = total ? width * (unsigned int)done / total : width;
    fputs("\r[", stderr);
    for (unsigned int i = 0; i < width; i++)
        fputc(i < filled ? '#' : '.', stderr);
    fprintf(stderr, "] %u/%u %-16s", (unsigned int)done, total, done <= 4 ? names[done] : "");
    if ((unsigned int)done == total)
        fputc('\n', stderr);
    return 0;
}

/* Print the receipt as JSON and write it to path if given. */
static int emit_receipt(const uint8_t *r, size_t len, const char *path)
{
    if (len == 0)
        return CLI_OK;
    if (path != NULL && cli_write_file(path, r, len) != CLI_OK)
        return CLI_FAIL;
    char json[4096];
    size_t jlen = 0;
    int rc = custos_receipt_json(json, sizeof json, &jlen, r, len);
    if (rc != CUSTOS_OK)
        return cli_fail("receipt", rc, NULL);
    printf("%s\n", json);
    return CLI_OK;
}

int cmd_erase(int argc, char **argv)
{
    erase_args a;
    int rc = parse_args("erase", argc, argv, 1, &a);
    if (rc != CLI_OK || a.subject == NULL) {
        fprintf(stderr, "usage: custos erase --subject ID [--purpose N] [--receipt FILE] [--store DIR]\n");
        return CLI_USAGE;
    }
    custos_t *ctx = NULL;
    if ((rc = cli_open_store(&ctx, a.store, 0)) != CLI_OK)
        return rc;
    custos_subject s;
    uint8_t receipt[CUSTOS_ERASE_RECEIPT_MAX];
    size_t len = 0;
    custos_erase_options o = CUSTOS_ERASE_OPTIONS_INIT;
    o.progress = draw_progress;
    int code = custos_subject_find(ctx, &s, a.subject);
    if (code == CUSTOS_OK)
        code = a.has_purpose ? custos_erase_purpose(ctx, receipt, sizeof receipt, &len, s, (uint32_t)a.purpose, &o)
                             : custos_erase_subject(ctx, receipt, sizeof receipt, &len, s, &o);
    rc = code == CUSTOS_OK ? emit_receipt(receipt, len, a.receipt) : cli_fail("erase", code, custos_errmsg(ctx));
    uint8_t pk[32];
    char pk_hex[65];
    if (rc == CLI_OK && custos_device_public_key(ctx, pk) == CUSTOS_OK) {
        sodium_bin2hex(pk_hex, sizeof pk_hex, pk, sizeof pk);
        fprintf(stderr, "custos: erased; the receipt verifies with the device key %s\n", pk_hex);
    }
    custos_close(ctx);
    return rc;
}

int cmd_factory_reset(int argc, char **argv)
{
    erase_args a;
    int rc = parse_args("factory-reset", argc, argv, 1, &a);
    if (rc != CLI_OK || !a.yes) {
        fprintf(stderr, "usage: custos factory-reset --yes [--receipt FILE] [--store DIR]\n"
                        "Destroys every key and every file of the store; --yes confirms.\n");
        return CLI_USAGE;
    }
    custos_t *ctx = NULL;
    if ((rc = cli_open_store(&ctx, a.store, 0)) != CLI_OK)
        return rc;
    uint8_t receipt[CUSTOS_ERASE_RECEIPT_MAX], pk[32];
    char pk_hex[65];
    size_t len = 0;
    custos_erase_options o = CUSTOS_ERASE_OPTIONS_INIT;
    o.progress = draw_progress;
    (void)custos_device_public_key(ctx, pk);
    sodium_bin2hex(pk_hex, sizeof pk_hex, pk, sizeof pk);
    int code = custos_factory_reset(&ctx, receipt, sizeof receipt, &len, &o);
    if (code != CUSTOS_OK) {
        rc = cli_fail("factory-reset", code, ctx != NULL ? custos_errmsg(ctx) : custos_last_error());
    } else {
        fprintf(stderr, "custos: factory reset done; the receipt verifies with the old device key %s\n", pk_hex);
        rc = emit_receipt(receipt, len, a.receipt);
    }
    custos_close(ctx);
    return rc;
}

static int receipt_usage(void)
{
    fprintf(stderr, "usage: custos receipt verify FILE --key PUBLIC_KEY_HEX\n"
                    "       custos receipt show FILE\n");
    return CLI_USAGE;
}

int cmd_receipt(int argc, char **argv)
{
    erase_args a;
    if (argc < 3 || parse_args("receipt", argc, argv, 3, &a) != CLI_OK)
        return receipt_usage();
    int verify = strcmp(argv[1], "verify") == 0;
    if (!verify && strcmp(argv[1], "show") != 0)
        return receipt_usage();
    uint8_t pk[32];
    if (verify && (a.key == NULL || cli_hex32(a.key, strlen(a.key), pk) != 0)) {
        fprintf(stderr, "custos receipt: --key needs the device public key as 64 hex digits\n");
        return CLI_USAGE;
    }
    unsigned char *r = NULL;
    size_t len = 0;
    if (cli_read_file(argv[2], CLI_IN_RECEIPT, &r, &len) != CLI_OK)
        return CLI_FAIL;
    int code = verify ? custos_receipt_verify(r, len, pk) : CUSTOS_OK;
    int rc = code == CUSTOS_OK ? emit_receipt(r, len, NULL) : cli_fail(argv[2], code, "the receipt does not verify");
    if (rc == CLI_OK && verify)
        fprintf(stderr, "custos: receipt signature valid\n");
    free(r);
    return rc;
}
