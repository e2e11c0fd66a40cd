/*
 * cmd_audit.c: `custos audit`: verify, show and export the audit chain, and
 * switch optional events off and on.
 *
 *   custos audit verify [--store DIR]
 *   custos audit verify --file EXPORT --key HEX     (off the device)
 *   custos audit show [--store DIR] [--from SEQ]
 *   custos audit export -o FILE [--store DIR]
 *   custos audit checkpoint [--store DIR]
 *   custos audit opt-out|opt-in [--store DIR]
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct audit_args {
    const char *store;
    const char *out;
    const char *file;
    const char *key;
    unsigned long long from;
} audit_args;

static void audit_usage(FILE *f)
{
    fprintf(f,
            "usage: custos audit verify [--store DIR]\n"
            "       custos audit verify --file EXPORT --key PUBLIC_KEY_HEX\n"
            "       custos audit show [--store DIR] [--from SEQ]\n"
            "       custos audit export -o FILE [--store DIR]\n"
            "       custos audit checkpoint [--store DIR]\n"
            "       custos audit opt-out | opt-in [--store DIR]\n");
}

/* Parse the options after the subcommand; CLI_USAGE on anything unknown. */
static int parse_args(int argc, char **argv, audit_args *a)
{
    memset(a, 0, sizeof *a); /* not secret: the parsed options, pointers into argv */
    a->from = 1;
    for (int i = 2; i < argc; i++) {
        const char *opt = argv[i];
        if (i + 1 >= argc) {
            fprintf(stderr, "custos audit: %s needs a value\n", opt);
            return CLI_USAGE;
        }
        const char *val = argv[++i];
        char *end = NULL;
        if (strcmp(opt, "--store") == 0)
            a->store = val;
        else if (strcmp(opt, "-o") == 0 || strcmp(opt, "--output") == 0)
            a->out = val;
        else if (strcmp(opt, "--file") == 0)
            a->file = val;
        else if (strcmp(opt, "--key") == 0)
            a->key = val;
        else if (strcmp(opt, "--from") == 0) {
            a->from = strtoull(val, &end, 10);
            if (val[0] < '0' || val[0] > '9' || *end != '\0') {
                fprintf(stderr, "custos audit: --from needs a sequence number\n");
                return CLI_USAGE;
            }
        } else {
            fprintf(stderr, "custos audit: unknown or malformed option %s\n", opt);
            return CLI_USAGE;
        }
    }
    return CLI_OK;
}

static void print_report(const custos_audit_report *r)
{
    printf("entries: %llu\ncheckpoints: %llu (last covers seq %llu)\nunsigned tail: %llu\n",
           (unsigned long long)r->entries, (unsigned long long)r->checkpoints,
           (unsigned long long)r->last_checkpoint_seq, (unsigned long long)r->unsigned_tail);
    if (r->failure != CUSTOS_AUDIT_OK)
        printf("FAILED: %s at seq %llu\n", custos_audit_failure_name(r->failure),
               (unsigned long long)r->failed_seq);
    else
        printf("ok\n");
}

static int verify_file(const audit_args *a)
{
    uint8_t pk[32];
    if (cli_hex32(a->key, a->key != NULL ? strlen(a->key) : 0, pk) != 0) {
        fprintf(stderr, "custos audit verify: --key needs the device public key as 64 hex digits\n");
        return CLI_USAGE;
    }
    unsigned char *bytes = NULL;
    size_t len = 0;
    if (cli_read_file(a->file, CLI_IN_PAYLOAD, &bytes, &len) != CLI_OK)
        return CLI_FAIL;
    custos_audit_report r = CUSTOS_AUDIT_REPORT_INIT;
    int rc = custos_audit_verify_export(&r, bytes, len, pk);
    free(bytes);
    print_report(&r);
    return rc == CUSTOS_OK ? CLI_OK : cli_fail("audit verify", rc, custos_audit_failure_name(r.failure));
}

static int verify(custos_t *ctx)
{
    custos_audit_report r = CUSTOS_AUDIT_REPORT_INIT;
    uint8_t pk[32];
    int rc = custos_audit_verify(ctx, &r);
    if (custos_device_public_key(ctx, pk) == CUSTOS_OK) {
        printf("device public key: ");
        for (int i = 0; i < 32; i++)
            printf("%02x", pk[i]);
        putchar('\n');
    }
    print_report(&r);
    return rc == CUSTOS_OK ? CLI_OK : cli_fail("audit verify", rc, custos_errmsg(ctx));
}

static int show_entry(void *user, const custos_audit_entry *e)
{
    (void)user;
    char when[32] = "?";
    time_t t = (time_t)e->time;
    struct tm tm;
    if (gmtime_r(&t, &tm) != NULL)
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    printf("%6llu  %s  %s", (unsigned long long)e->seq, when, custos_audit_kind_name(e->kind));
    if (e->has_subject)
        printf("  subject=%02x%02x%02x%02x..", e->subject_hash[0], e->subject_hash[1],
               e->subject_hash[2], e->subject_hash[3]);
    if (e->purpose >= 0)
        printf("  purpose=%lld", (long long)e->purpose);
    if (e->code != 0)
        printf("  code=%s", custos_strerror(e->code));
    if (e->detail[0] != '\0')
        printf("  %s", e->detail);
    putchar('\n');
    return 0;
}

static int export_to(custos_t *ctx, const char *path)
{
    size_t len = 0;
    int rc = custos_audit_export(ctx, NULL, 0, &len);
    if (rc != CUSTOS_ERANGE)
        return cli_fail("audit export", rc, custos_errmsg(ctx));
    unsigned char *buf = malloc(len ? len : 1);
    if (buf == NULL)
        return cli_fail("audit export", CUSTOS_ENOMEM, "");
    rc = custos_audit_export(ctx, buf, len, &len);
    int out = rc == CUSTOS_OK ? cli_write_file(path, buf, len) : cli_fail("audit export", rc, custos_errmsg(ctx));
    free(buf);
    return out;
}

static int run_on_store(const char *sub, const audit_args *a, custos_t *ctx)
{
    int rc;
    if (strcmp(sub, "verify") == 0)
        return verify(ctx);
    if (strcmp(sub, "show") == 0) {
        rc = custos_audit_foreach(ctx, a->from, show_entry, NULL);
        return rc == CUSTOS_OK ? CLI_OK : cli_fail("audit show", rc, custos_errmsg(ctx));
    }
    if (strcmp(sub, "export") == 0)
        return export_to(ctx, a->out);
    if (strcmp(sub, "checkpoint") == 0) {
        rc = custos_audit_checkpoint(ctx);
        return rc == CUSTOS_OK ? CLI_OK : cli_fail("audit checkpoint", rc, custos_errmsg(ctx));
    }
    rc = custos_audit_set_optional(ctx, strcmp(sub, "opt-in") == 0);
    if (rc != CUSTOS_OK)
        return cli_fail(sub, rc, custos_errmsg(ctx));
    printf("optional audit events: %s\n", strcmp(sub, "opt-in") == 0 ? "recorded" : "not recorded");
    return CLI_OK;
}

int cmd_audit(int argc, char **argv)
{
    static const char *const subs[] = { "verify", "show", "export", "checkpoint", "opt-out", "opt-in" };
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        audit_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    const char *sub = argv[1];
    int known = 0;
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        known |= strcmp(sub, subs[i]) == 0;
    audit_args a;
    if (!known || parse_args(argc, argv, &a) != CLI_OK) {
        audit_usage(stderr);
        return CLI_USAGE;
    }
    if (strcmp(sub, "export") == 0 && a.out == NULL) {
        fprintf(stderr, "custos audit export: -o FILE is required\n");
        return CLI_USAGE;
    }
    if (strcmp(sub, "verify") == 0 && (a.file != NULL || a.key != NULL)) {
        if (a.file == NULL || a.key == NULL || a.store != NULL) {
            fprintf(stderr, "custos audit verify: --file and --key go together, without --store\n");
            return CLI_USAGE;
        }
        return verify_file(&a);
    }
    custos_t *ctx = NULL;
    if (cli_open_store(&ctx, a.store, 0) != CLI_OK)
        return CLI_FAIL;
    int rc = run_on_store(sub, &a, ctx);
    custos_close(ctx);
    return rc;
}
