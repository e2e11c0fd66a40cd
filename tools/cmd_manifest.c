/*
 * cmd_manifest.c: `custos manifest check|compile|show|diff|id`, a thin
 * client of custos/manifest.h. Errors print "custos: manifest <sub>:
 * CUSTOS_E...: file:line:col: ..." and exit 1; a wrong command line exits 2.
 */
#include "cli.h"

#include <custos/manifest.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    fprintf(stderr,
            "usage: custos manifest check FILE.yaml\n"
            "       custos manifest compile FILE.yaml -o OUT.pb [--previous OLD.pb]\n"
            "       custos manifest show FILE.pb [--json]\n"
            "       custos manifest diff OLD.pb NEW.pb [--json]\n"
            "       custos manifest id FILE.pb\n");
    return CLI_USAGE;
}

static void print_id(FILE *f, const uint8_t id[CUSTOS_HASH_BYTES])
{
    for (size_t i = 0; i < CUSTOS_HASH_BYTES; i++)
        fprintf(f, "%02x", id[i]);
}

static int check(int argc, char **argv)
{
    if (argc != 2)
        return usage();
    unsigned char *yaml = NULL;
    size_t len = 0;
    if (cli_read_file(argv[1], CLI_IN_MANIFEST, &yaml, &len) != CLI_OK)
        return CLI_FAIL;
    custos_manifest_error err;
    int rc = custos_manifest_check((const char *)yaml, len, argv[1], &err);
    free(yaml);
    if (rc != CUSTOS_OK)
        return cli_fail("manifest check", rc, err.message);
    printf("%s: valid manifest\n", argv[1]);
    return CLI_OK;
}

static int print_diff(const uint8_t *old, size_t old_len, const uint8_t *cur, size_t cur_len, int json)
{
    char *text = NULL;
    custos_manifest_error err;
    int rc = custos_manifest_diff_text(&text, old, old_len, cur, cur_len,
                                       json ? CUSTOS_MANIFEST_SHOW_JSON : CUSTOS_MANIFEST_SHOW_TEXT, &err);
    if (rc != CUSTOS_OK)
        return cli_fail("manifest diff", rc, err.message);
    fputs(text, stdout);
    custos_manifest_free(text);
    return CLI_OK;
}

static int compile(int argc, char **argv)
{
    const char *in = NULL, *out = NULL, *prev_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--previous") == 0 && i + 1 < argc)
            prev_path = argv[++i];
        else if (argv[i][0] != '-' && in == NULL)
            in = argv[i];
        else
            return usage();
    }
    if (in == NULL || out == NULL)
        return usage();
    unsigned char *yaml = NULL, *prev = NULL;
    size_t len = 0, prev_len = 0;
    if (cli_read_file(in, CLI_IN_MANIFEST, &yaml, &len) != CLI_OK)
        return CLI_FAIL;
    if (prev_path != NULL && cli_read_file(prev_path, CLI_IN_MANIFEST, &prev, &prev_len) != CLI_OK) {
        free(yaml);
        return CLI_FAIL;
    }
    custos_manifest_compile_options opts = CUSTOS_MANIFEST_COMPILE_OPTIONS_INIT;
    opts.previous = prev;
    opts.previous_len = prev_len;
    custos_manifest_error err;
    uint8_t *file = NULL, id[CUSTOS_HASH_BYTES];
    size_t file_len = 0;
    int rc = custos_manifest_compile(&file, &file_len, id, (const char *)yaml, len, in, &opts, &err);
    free(yaml);
    int status = rc == CUSTOS_OK ? cli_write_public(out, file, file_len) : cli_fail("manifest compile", rc, err.message);
    if (status == CLI_OK) {
        fprintf(stderr, "%s: %zu bytes, manifest id ", out, file_len);
        print_id(stderr, id);
        fputc('\n', stderr);
        if (prev != NULL)
            status = print_diff(prev, prev_len, file, file_len, 0);
    }
    custos_manifest_free(file);
    free(prev);
    return status;
}

static int show(int argc, char **argv)
{
    int json = argc == 3 && strcmp(argv[2], "--json") == 0;
    if (argc != 2 && !json)
        return usage();
    unsigned char *file = NULL;
    size_t len = 0;
    if (cli_read_file(argv[1], CLI_IN_MANIFEST, &file, &len) != CLI_OK)
        return CLI_FAIL;
    char *text = NULL;
    custos_manifest_error err;
    int rc = custos_manifest_show(&text, file, len, json ? CUSTOS_MANIFEST_SHOW_JSON : CUSTOS_MANIFEST_SHOW_TEXT, &err);
    free(file);
    if (rc != CUSTOS_OK)
        return cli_fail("manifest show", rc, err.message);
    fputs(text, stdout);
    custos_manifest_free(text);
    return CLI_OK;
}

static int diff(int argc, char **argv)
{
    int json = argc == 4 && strcmp(argv[3], "--json") == 0;
    if (argc != 3 && !json)
        return usage();
    unsigned char *old = NULL, *cur = NULL;
    size_t old_len = 0, cur_len = 0;
    if (cli_read_file(argv[1], CLI_IN_MANIFEST, &old, &old_len) != CLI_OK)
        return CLI_FAIL;
    int status = cli_read_file(argv[2], CLI_IN_MANIFEST, &cur, &cur_len);
    if (status == CLI_OK)
        status = print_diff(old, old_len, cur, cur_len, json);
    free(old);
    free(cur);
    return status;
}

static int id(int argc, char **argv)
{
    if (argc != 2)
        return usage();
    unsigned char *file = NULL;
    size_t len = 0;
    if (cli_read_file(argv[1], CLI_IN_MANIFEST, &file, &len) != CLI_OK)
        return CLI_FAIL;
    uint8_t out[CUSTOS_HASH_BYTES];
    custos_manifest_error err;
    int rc = custos_manifest_id(out, file, len, &err);
    free(file);
    if (rc != CUSTOS_OK)
        return cli_fail("manifest id", rc, err.message);
    print_id(stdout, out);
    fputc('\n', stdout);
    return CLI_OK;
}

int cmd_manifest(int argc, char **argv)
{
    static const cli_command subs[] = {
        { "check", "validate a YAML manifest", check },
        { "compile", "compile YAML to the canonical binary form", compile },
        { "show", "print a compiled manifest (--json for JSON)", show },
        { "diff", "which purposes changed materially between two versions", diff },
        { "id", "print the manifest id of a compiled manifest", id },
    };
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage();
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (strcmp(argv[1], subs[i].name) == 0)
            return subs[i].run(argc - 1, argv + 1);
    fprintf(stderr, "custos: manifest: unknown subcommand '%s'\n", argv[1]);
    return usage();
}
