/*
 * cmd_consent.c: `custos consent`: load the policy, register subjects,
 * record and inspect consent decisions, export and verify receipts.
 *
 *   custos consent load-manifest FILE.pb              load a compiled manifest into the store
 *   custos consent add-subject ID [--role ROLE]       owner | household | guest | child
 *   custos consent give|withdraw|refuse|revoke|request|renew ID PURPOSE
 *                  [--lang TAG] [--method METHOD] [--actor ACTOR] [--notice-hash HEX]
 *   custos consent show ID                            the state of every declared purpose
 *   custos consent history ID                         every event, oldest first
 *   custos consent receipt ID [--format iso27560|kantara] [-o FILE]
 *   custos consent verify                             walk the signed chain
 *   custos consent verify-receipt FILE [--key HEX]    check a receipt off the device
 *
 * Every command takes --store DIR. ID is the maker's identifier for the
 * person; the store keeps only its keyed hash.
 */
#include "cli.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

typedef struct consent_args {
    const char *store, *out, *lang, *key, *format, *notice;
    const char *pos[2];
    int npos;
    custos_role role;
    custos_consent_method method;
    custos_consent_actor actor;
} consent_args;

static void consent_usage(FILE *f)
{
    fprintf(f,
            "usage: custos consent load-manifest FILE.pb [--store DIR]\n"
            "       custos consent add-subject ID [--role owner|household|guest|child] [--store DIR]\n"
            "       custos consent give|withdraw|refuse|revoke|request|renew ID PURPOSE\n"
            "              [--lang TAG] [--method app|button|voice|notice|api]\n"
            "              [--actor subject|guardian|controller] [--notice-hash HEX] [--store DIR]\n"
            "       custos consent show ID [--store DIR]\n"
            "       custos consent history ID [--store DIR]\n"
            "       custos consent receipt ID [--format iso27560|kantara] [-o FILE] [--store DIR]\n"
            "       custos consent verify [--store DIR]\n"
            "       custos consent verify-receipt FILE [--key DEVICE_PUBLIC_KEY_HEX]\n");
}

static int word_index(const char *w, const char *const *words, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(w, words[i]) == 0)
            return i;
    return -1;
}

static int parse_enum(const char *opt, const char *val, consent_args *a)
{
    static const char *const roles[] = { "owner", "household", "guest", "child" };
    static const char *const methods[] = { "app", "button", "voice", "notice", "api" };
    static const char *const actors[] = { "subject", "guardian", "controller" };
    int i;
    if (strcmp(opt, "--role") == 0 && (i = word_index(val, roles, 4)) >= 0)
        a->role = (custos_role)(i + 1);
    else if (strcmp(opt, "--method") == 0 && (i = word_index(val, methods, 5)) >= 0)
        a->method = (custos_consent_method)(i + 1);
    else if (strcmp(opt, "--actor") == 0 && (i = word_index(val, actors, 3)) >= 0)
        a->actor = (custos_consent_actor)(i + 1);
    else
        return CLI_USAGE;
    return CLI_OK;
}

static int parse_args(int argc, char **argv, consent_args *a)
{
    memset(a, 0, sizeof *a); /* not secret: the parsed options, pointers into argv */
    a->role = CUSTOS_ROLE_OWNER;
    a->method = CUSTOS_METHOD_API;
    a->actor = CUSTOS_ACTOR_SUBJECT;
    a->lang = "en";
    for (int i = 2; i < argc; i++) {
        const char *opt = argv[i];
        if (opt[0] != '-' || strcmp(opt, "-") == 0) {
            if (a->npos == 2)
                return CLI_USAGE;
            a->pos[a->npos++] = opt;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "custos consent: %s needs a value\n", opt);
            return CLI_USAGE;
        }
        const char *val = argv[++i];
        if (strcmp(opt, "--store") == 0) a->store = val;
        else if (strcmp(opt, "-o") == 0 || strcmp(opt, "--output") == 0) a->out = val;
        else if (strcmp(opt, "--lang") == 0) a->lang = val;
        else if (strcmp(opt, "--key") == 0) a->key = val;
        else if (strcmp(opt, "--format") == 0) a->format = val;
        else if (strcmp(opt, "--notice-hash") == 0) a->notice = val;
        else if (parse_enum(opt, val, a) != CLI_OK) {
            fprintf(stderr, "custos consent: unknown option or value: %s %s\n", opt, val);
            return CLI_USAGE;
        }
    }
    return CLI_OK;
}

static int find_subject(custos_t *ctx, const char *id, custos_subject *s)
{
    int rc = custos_subject_find(ctx, s, id);
    return rc == CUSTOS_OK ? CLI_OK : cli_fail("subject", rc, custos_errmsg(ctx));
}

static int run_load(custos_t *ctx, const consent_args *a)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    if (cli_read_file(a->pos[0], CLI_IN_MANIFEST, &buf, &len) != CLI_OK)
        return CLI_FAIL;
    int rc = custos_manifest_load(ctx, buf, len);
    free(buf);
    if (rc != CUSTOS_OK)
        return cli_fail(a->pos[0], rc, custos_errmsg(ctx));
    uint32_t version = 0;
    uint8_t id[32];
    char hex[65];
    if (custos_policy_current(ctx, id, &version) != CUSTOS_OK)
        return cli_fail("policy", CUSTOS_EINTERNAL, custos_errmsg(ctx));
    sodium_bin2hex(hex, sizeof hex, id, 32);
    printf("loaded manifest %s (policy version %u)\n", hex, version);
    return CLI_OK;
}

static int run_add(custos_t *ctx, const consent_args *a)
{
    custos_subject s;
    int rc = custos_subject_add(ctx, &s, a->pos[0], a->role);
    if (rc != CUSTOS_OK)
        return cli_fail("add-subject", rc, custos_errmsg(ctx));
    printf("subject %u\n", s);
    return CLI_OK;
}

static int run_decision(custos_t *ctx, const consent_args *a, custos_consent_status status)
{
    char *end = NULL;
    unsigned long purpose = strtoul(a->pos[1], &end, 10);
    uint8_t notice[32];
    if (a->pos[1][0] < '0' || a->pos[1][0] > '9' || *end != '\0' || purpose > UINT32_MAX ||
        (a->notice != NULL && cli_hex32(a->notice, strlen(a->notice), notice) != 0)) {
        fprintf(stderr, "custos consent: PURPOSE is a number; --notice-hash is 64 hex digits\n");
        return CLI_USAGE;
    }
    custos_subject s;
    if (find_subject(ctx, a->pos[0], &s) != CLI_OK)
        return CLI_FAIL;
    custos_consent_info info = { CUSTOS_CONSENT_INFO_VERSION, a->notice ? notice : NULL, a->lang, a->method, a->actor };
    int rc = custos_consent_record(ctx, s, (uint32_t)purpose, status, &info);
    if (rc != CUSTOS_OK)
        return cli_fail(custos_consent_status_str(status), rc, custos_errmsg(ctx));
    printf("purpose %lu: %s\n", purpose, custos_consent_status_str(status));
    return CLI_OK;
}

static int run_show(custos_t *ctx, const consent_args *a)
{
    custos_subject s;
    if (find_subject(ctx, a->pos[0], &s) != CLI_OK)
        return CLI_FAIL;
    for (uint32_t p = 0; p < 64; p++) {
        custos_consent_state_info st;
        int rc = custos_consent_state(ctx, &st, s, p);
        if (rc == CUSTOS_ENOTFOUND)
            continue;
        if (rc != CUSTOS_OK)
            return cli_fail("show", rc, custos_errmsg(ctx));
        printf("purpose %2u  %-26s valid_until %-11llu policy %u%s\n", p, custos_consent_status_str(st.status),
               (unsigned long long)st.valid_until, st.policy_version, st.invalidated ? "  (asked again)" : "");
    }
    return CLI_OK;
}

static int run_history(custos_t *ctx, const consent_args *a)
{
    custos_subject s;
    size_t n = 0;
    if (find_subject(ctx, a->pos[0], &s) != CLI_OK)
        return CLI_FAIL;
    int rc = custos_consent_history(ctx, NULL, 0, &n, s);
    if (rc != CUSTOS_OK && rc != CUSTOS_ERANGE)
        return cli_fail("history", rc, custos_errmsg(ctx));
    custos_consent_event_info *ev = calloc(n ? n : 1, sizeof *ev);
    if (ev == NULL || (rc = custos_consent_history(ctx, ev, n, &n, s)) != CUSTOS_OK) {
        free(ev);
        return cli_fail("history", ev == NULL ? CUSTOS_ENOMEM : rc, ev == NULL ? "" : custos_errmsg(ctx));
    }
    for (size_t i = 0; i < n; i++)
        printf("#%-6llu %llu  purpose %2u  %-26s method %d actor %d lang %s%s\n", (unsigned long long)ev[i].seq,
               (unsigned long long)ev[i].time, ev[i].purpose, custos_consent_status_str(ev[i].status),
               (int)ev[i].method, (int)ev[i].actor, ev[i].notice_lang, ev[i].app_signed ? "  app-signed" : "");
    free(ev);
    return CLI_OK;
}

static int run_receipt(custos_t *ctx, const consent_args *a)
{
    custos_receipt_format fmt = CUSTOS_RECEIPT_ISO27560_JSONLD;
    if (a->format != NULL && strcmp(a->format, "kantara") == 0)
        fmt = CUSTOS_RECEIPT_KANTARA;
    else if (a->format != NULL && strcmp(a->format, "iso27560") != 0)
        return CLI_USAGE;
    custos_subject s;
    size_t n = 0;
    if (find_subject(ctx, a->pos[0], &s) != CLI_OK)
        return CLI_FAIL;
    int rc = custos_consent_receipt(ctx, NULL, 0, &n, s, fmt);
    char *buf = rc == CUSTOS_ERANGE ? malloc(n) : NULL;
    if (buf == NULL)
        return cli_fail("receipt", rc == CUSTOS_ERANGE ? CUSTOS_ENOMEM : rc, custos_errmsg(ctx));
    rc = custos_consent_receipt(ctx, buf, n, &n, s, fmt);
    int out = rc == CUSTOS_OK ? cli_write_file(a->out ? a->out : "-", buf, n) : cli_fail("receipt", rc, custos_errmsg(ctx));
    free(buf);
    return out;
}

static int run_verify(custos_t *ctx)
{
    uint64_t bad = 0;
    int rc = custos_consent_verify(ctx, &bad);
    if (rc != CUSTOS_OK)
        return cli_fail("verify", rc, custos_errmsg(ctx));
    printf("consent ledger intact\n");
    return CLI_OK;
}

static int run_verify_receipt(const consent_args *a)
{
    unsigned char *buf = NULL;
    size_t len = 0, n = 0;
    uint8_t pk[32];
    if (a->key != NULL && cli_hex32(a->key, strlen(a->key), pk) != 0) {
        fprintf(stderr, "custos consent verify-receipt: --key is 64 hex digits\n");
        return CLI_USAGE;
    }
    if (cli_read_file(a->pos[0], CLI_IN_PAYLOAD, &buf, &len) != CLI_OK)
        return CLI_FAIL;
    int rc = custos_consent_receipt_verify(&n, (const char *)buf, len, a->key ? pk : NULL);
    free(buf);
    if (rc != CUSTOS_OK)
        return cli_fail(a->pos[0], rc, "the receipt was altered or signed by another key");
    printf("receipt intact: %zu signed events%s\n", n, a->key ? "" : " (key not checked: pass --key)");
    return CLI_OK;
}

static int run_verify_ledger(custos_t *ctx, const consent_args *a)
{
    (void)a;
    return run_verify(ctx);
}

/* A subcommand: positional arguments, and either a runner or a decision. */
typedef struct sub {
    const char *name;
    int npos;
    int (*run)(custos_t *ctx, const consent_args *a);
    int status;
} sub;

static const sub subs[] = {
    { "load-manifest", 1, run_load, 0 }, { "add-subject", 1, run_add, 0 }, { "show", 1, run_show, 0 },
    { "history", 1, run_history, 0 }, { "receipt", 1, run_receipt, 0 }, { "verify", 0, run_verify_ledger, 0 },
    { "verify-receipt", 1, NULL, 0 },
    { "give", 2, NULL, CUSTOS_CONSENT_GIVEN }, { "withdraw", 2, NULL, CUSTOS_CONSENT_WITHDRAWN },
    { "refuse", 2, NULL, CUSTOS_CONSENT_REFUSED }, { "revoke", 2, NULL, CUSTOS_CONSENT_REVOKED },
    { "request", 2, NULL, CUSTOS_CONSENT_REQUESTED }, { "renew", 2, NULL, CUSTOS_CONSENT_RENEWED },
};

static int dispatch(custos_t *ctx, const sub *s, const consent_args *a)
{
    return s->run != NULL ? s->run(ctx, a) : run_decision(ctx, a, (custos_consent_status)s->status);
}

int cmd_consent(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        consent_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    consent_args a;
    const sub *s = NULL;
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (strcmp(argv[1], subs[i].name) == 0)
            s = &subs[i];
    if (s == NULL || parse_args(argc, argv, &a) != CLI_OK || a.npos != s->npos) {
        consent_usage(stderr);
        return CLI_USAGE;
    }
    if (strcmp(s->name, "verify-receipt") == 0)
        return run_verify_receipt(&a);
    custos_t *ctx = NULL;
    if (cli_open_store(&ctx, a.store, strcmp(s->name, "load-manifest") == 0) != CLI_OK)
        return CLI_FAIL;
    int rc = dispatch(ctx, s, &a);
    custos_close(ctx);
    return rc;
}
