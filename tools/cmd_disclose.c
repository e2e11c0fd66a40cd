/*
 * cmd_disclose.c: `custos disclose`, every disclosure from a compiled manifest.
 *
 *   custos disclose --format F [--lang en|ja] [--date YYYY-MM-DD] [--ics-answers FILE.yaml] MANIFEST.pb -o DIR
 *
 *   custos disclose access --subject ID [--store DIR] [--html] [--lang en|ja] MANIFEST.pb -o DIR
 *
 * F is one format name (custos_disclose_format_name) or "all". A localized
 * format (the notices) without --lang is written in English and Japanese.
 * Files get their conventional names in DIR (created if absent); "-o -"
 * writes a single output to stdout.
 */
#include "cli.h"

#include <custos/disclose.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const langs[] = { "en", "ja" };

static void usage(FILE *f)
{
    fprintf(f, "usage: custos disclose --format FORMAT [--lang en|ja] [--date YYYY-MM-DD] [--ics-answers FILE.yaml]\n"
               "                       MANIFEST.pb -o DIR\n\n"
               "formats: all");
    for (int i = CUSTOS_DISCLOSE_FORMAT_FIRST; i <= CUSTOS_DISCLOSE_FORMAT_LAST; i++)
        fprintf(f, ", %s", custos_disclose_format_name((custos_disclose_format)i));
    fprintf(f, "\n       custos disclose access --subject ID [--store DIR] [--html] [--lang en|ja] MANIFEST.pb -o DIR\n"
               "       (the access report of one person, from a store where MANIFEST.pb is loaded)");
    fprintf(f, "\n\nThe notices are written in every language unless --lang names one.\n"
               "--ics-answers merges the manufacturer's answers into the ICS rows Custos cannot know;\n"
               "  its 'edition: V2.1.1' writes the ICS of EN 303 645 V2.1.1 instead of V3.\n"
               "Nothing depends on the clock: --date is printed only when given.\n");
}

typedef struct job {
    const unsigned char *manifest;
    size_t len;
    const char *lang;   /* NULL: every language for the notices */
    const char *date;
    const char *dir;    /* "-" for stdout */
    const unsigned char *answers;  /* --ics-answers, or NULL */
    size_t answers_len;
} job;

static int write_one(const job *j, custos_disclose_format f, const char *lang)
{
    custos_disclose_options opts = CUSTOS_DISCLOSE_OPTIONS_INIT;
    opts.lang = lang;
    opts.date = j->date;
    opts.ics_answers = (const char *)j->answers;
    opts.ics_answers_len = j->answers_len;
    custos_manifest_error err = { { 0 }, 0, 0 };
    char *text = NULL;
    size_t len = 0;
    int rc = custos_disclose(&text, &len, j->manifest, j->len, f, &opts, &err);
    if (rc != CUSTOS_OK)
        return cli_fail(custos_disclose_format_name(f), rc, err.message);
    char name[128];
    size_t name_len = 0;
    rc = custos_disclose_file_name(name, sizeof name, &name_len, f, lang);
    if (rc == CUSTOS_OK && strcmp(j->dir, "-") == 0)
        rc = cli_write_public("-", text, len) == CLI_OK ? CUSTOS_OK : CUSTOS_EIO;
    else if (rc == CUSTOS_OK) {
        size_t n = strlen(j->dir) + 1 + name_len;
        char *path = malloc(n);
        if (path == NULL)
            rc = CUSTOS_ENOMEM;
        else {
            snprintf(path, n, "%s/%s", j->dir, name);
            rc = cli_write_public(path, text, len) == CLI_OK ? CUSTOS_OK : CUSTOS_EIO;
            free(path);
        }
    }
    custos_disclose_free(text);
    return rc == CUSTOS_OK ? CLI_OK : CLI_FAIL;
}

static int run_format(const job *j, custos_disclose_format f)
{
    if (!custos_disclose_format_localized(f) || j->lang != NULL)
        return write_one(j, f, j->lang ? j->lang : "en");
    for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++)
        if (write_one(j, f, langs[i]) != CLI_OK)
            return CLI_FAIL;
    return CLI_OK;
}

/* Every format; one that cannot be generated is reported and the rest still written. */
static int run_all(const job *j)
{
    int rc = CLI_OK;
    for (int i = CUSTOS_DISCLOSE_FORMAT_FIRST; i <= CUSTOS_DISCLOSE_FORMAT_LAST; i++)
        if (run_format(j, (custos_disclose_format)i) != CLI_OK)
            rc = CLI_FAIL;
    return rc;
}

static int make_dir(const char *dir)
{
    if (strcmp(dir, "-") == 0 || mkdir(dir, 0755) == 0 || errno == EEXIST)
        return CLI_OK;
    fprintf(stderr, "custos: %s: %s\n", dir, strerror(errno));
    return CLI_FAIL;
}

typedef struct args {
    const char *format, *lang, *date, *out, *input, *store, *subject, *answers;
    int html;
} args;

static int parse(args *a, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char **slot = NULL;
        if (strcmp(argv[i], "--format") == 0)
            slot = &a->format;
        else if (strcmp(argv[i], "--lang") == 0)
            slot = &a->lang;
        else if (strcmp(argv[i], "--date") == 0)
            slot = &a->date;
        else if (strcmp(argv[i], "-o") == 0 || strcmp(argv[i], "--output") == 0)
            slot = &a->out;
        else if (strcmp(argv[i], "--store") == 0)
            slot = &a->store;
        else if (strcmp(argv[i], "--subject") == 0)
            slot = &a->subject;
        else if (strcmp(argv[i], "--ics-answers") == 0)
            slot = &a->answers;
        else if (strcmp(argv[i], "--html") == 0) {
            a->html = 1;
            continue;
        }
        else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "custos disclose: unknown option '%s'\n\n", argv[i]);
            return CLI_USAGE;
        } else if (a->input == NULL) {
            a->input = argv[i];
            continue;
        } else {
            fprintf(stderr, "custos disclose: more than one manifest given\n\n");
            return CLI_USAGE;
        }
        if (++i >= argc) {
            fprintf(stderr, "custos disclose: %s needs a value\n\n", argv[i - 1]);
            return CLI_USAGE;
        }
        *slot = argv[i];
    }
    if ((a->format == NULL && a->subject == NULL) || a->input == NULL || a->out == NULL) {
        fprintf(stderr, "custos disclose: --format (or access --subject), a manifest and -o are required\n\n");
        return CLI_USAGE;
    }
    return CLI_OK;
}

/* The access report of one subject, from an open store. */
static int run_access(const args *a, const unsigned char *manifest, size_t len)
{
    custos_t *ctx = NULL;
    if (cli_open_store(&ctx, a->store, 0) != CLI_OK)
        return CLI_FAIL;
    custos_subject subject = 0;
    int rc = custos_subject_find(ctx, &subject, a->subject);
    custos_disclose_options opts = CUSTOS_DISCLOSE_OPTIONS_INIT;
    opts.lang = a->lang;
    opts.date = a->date;
    char *text = NULL;
    size_t text_len = 0;
    if (rc == CUSTOS_OK)
        rc = custos_disclose_access_report(ctx, &text, &text_len, subject, manifest, len,
                                           a->html ? CUSTOS_DISCLOSE_NOTICE_HTML : CUSTOS_DISCLOSE_NOTICE_MD, &opts);
    if (rc != CUSTOS_OK) {
        int out = cli_fail("access report", rc, custos_errmsg(ctx));
        custos_close(ctx);
        return out;
    }
    custos_close(ctx);
    char name[64];
    snprintf(name, sizeof name, "access-report.%s.%s", a->lang ? a->lang : "en", a->html ? "html" : "md");
    int out = CLI_FAIL;
    if (strcmp(a->out, "-") == 0)
        out = cli_write_file("-", text, text_len); /* one person's data: 0600 */
    else {
        size_t n = strlen(a->out) + 1 + strlen(name) + 1;
        char *path = malloc(n);
        if (path != NULL) {
            snprintf(path, n, "%s/%s", a->out, name);
            out = cli_write_file(path, text, text_len);
            free(path);
        }
    }
    custos_disclose_free(text);
    return out;
}

int cmd_disclose(int argc, char **argv)
{
    args a = { 0 };
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return CLI_OK;
        }
    int access = argc > 1 && strcmp(argv[1], "access") == 0;
    int rc = access ? parse(&a, argc - 1, argv + 1) : parse(&a, argc, argv);
    if (rc == CLI_OK && access != (a.subject != NULL)) {
        fprintf(stderr, "custos disclose: --subject goes with 'access', and 'access' needs --subject\n\n");
        rc = CLI_USAGE;
    }
    if (rc != CLI_OK) {
        usage(stderr);
        return rc;
    }
    if (access) {
        unsigned char *bytes = NULL;
        size_t n = 0;
        if (cli_read_file(a.input, CLI_IN_MANIFEST, &bytes, &n) != CLI_OK)
            return CLI_FAIL;
        rc = make_dir(a.out) == CLI_OK ? run_access(&a, bytes, n) : CLI_FAIL;
        free(bytes);
        return rc;
    }
    custos_disclose_format f = CUSTOS_DISCLOSE_NOTICE_MD;
    custos_manifest_error err = { { 0 }, 0, 0 };
    int all = strcmp(a.format, "all") == 0;
    if (!all && custos_disclose_format_parse(&f, a.format, &err) != CUSTOS_OK) {
        fprintf(stderr, "custos disclose: %s, all\n", err.message);
        return CLI_USAGE;
    }
    if (strcmp(a.out, "-") == 0 && (all || (custos_disclose_format_localized(f) && a.lang == NULL))) {
        fprintf(stderr, "custos disclose: -o - writes one file: name one format (and --lang for a notice)\n");
        return CLI_USAGE;
    }
    unsigned char *manifest = NULL;
    size_t len = 0;
    if (cli_read_file(a.input, CLI_IN_MANIFEST, &manifest, &len) != CLI_OK)
        return CLI_FAIL;
    unsigned char *answers = NULL;
    size_t answers_len = 0;
    if (a.answers != NULL && cli_read_file(a.answers, CLI_IN_MANIFEST, &answers, &answers_len) != CLI_OK) {
        free(manifest);
        return CLI_FAIL;
    }
    job j = { manifest, len, a.lang, a.date, a.out, answers, answers_len };
    rc = make_dir(a.out);
    if (rc == CLI_OK)
        rc = all ? run_all(&j) : run_format(&j, f);
    free(manifest);
    free(answers);
    return rc;
}
