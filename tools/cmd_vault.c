/*
 * cmd_vault.c: `custos vault`: store, read, list, export and import a
 * subject's sealed records.
 *
 *   custos vault put --subject ID --purpose N --category N [--in FILE|-] [--store DIR]
 *   custos vault put --subject ID --purpose N --category N --stream FILE|- [--store DIR]
 *   custos vault get --id N [-o FILE|-] [--store DIR]
 *   custos vault get --id N --stream [-o FILE|-] [--store DIR]
 *   custos vault ls --subject ID [--store DIR]
 *   custos vault export --subject ID --to PUBLIC_KEY_HEX -o FILE [--store DIR]
 *   custos vault import --subject ID --key KEYPAIR_FILE --in FILE [--store DIR]
 *   custos vault keygen -o KEYPAIR_FILE
 *
 * --stream stores FILE (any size, e.g. a camera clip) as a sealed stream,
 * read and sealed 64 KiB at a time (custos_vault_stream_*), and get --stream
 * writes a stream back the same way (a stream's record is refused by plain
 * get). ls marks streams with an 's' after their size. A get --stream that
 * fails part-way (a damaged stream, its key erased) removes the output file
 * it created, so no partial payload stays behind.
 *
 * A subject is named by the maker's id for the person (as registered with
 * custos_subject_add). A key pair file holds two lines of 64 hex digits:
 * the X25519 public key, then the secret key (mode 0600).
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct vault_args {
    const char *store, *subject, *in, *out, *to, *key, *stream;
    unsigned long long id, purpose, category;
    int has_id, has_purpose, has_category, get_stream;
} vault_args;

static void vault_usage(FILE *f)
{
    fprintf(f,
            "usage: custos vault put --subject ID --purpose N --category N [--in FILE|-] [--store DIR]\n"
            "       custos vault put --subject ID --purpose N --category N --stream FILE|- [--store DIR]\n"
            "       custos vault get --id N [--stream] [-o FILE|-] [--store DIR]\n"
            "       custos vault ls --subject ID [--store DIR]\n"
            "       custos vault export --subject ID --to PUBLIC_KEY_HEX -o FILE [--store DIR]\n"
            "       custos vault import --subject ID --key KEYPAIR_FILE --in FILE [--store DIR]\n"
            "       custos vault keygen -o KEYPAIR_FILE\n");
}

static int parse_number(const char *opt, const char *val, unsigned long long *out, int *has)
{
    char *end = NULL;
    *out = strtoull(val, &end, 10);
    if (val[0] < '0' || val[0] > '9' || *end != '\0') {
        fprintf(stderr, "custos vault: %s needs a number\n", opt);
        return CLI_USAGE;
    }
    *has = 1;
    return CLI_OK;
}

static int parse_args(int argc, char **argv, vault_args *a)
{
    memset(a, 0, sizeof *a); /* not secret: the parsed options, pointers into argv */
    for (int i = 2; i < argc; i++) {
        const char *opt = argv[i];
        if (strcmp(argv[1], "get") == 0 && strcmp(opt, "--stream") == 0) { /* a flag for get */
            a->get_stream = 1;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "custos vault: %s needs a value\n", opt);
            return CLI_USAGE;
        }
        const char *val = argv[++i];
        int rc = CLI_OK;
        if (strcmp(opt, "--store") == 0) a->store = val;
        else if (strcmp(opt, "--subject") == 0) a->subject = val;
        else if (strcmp(opt, "--in") == 0) a->in = val;
        else if (strcmp(opt, "-o") == 0 || strcmp(opt, "--output") == 0) a->out = val;
        else if (strcmp(opt, "--to") == 0) a->to = val;
        else if (strcmp(opt, "--key") == 0) a->key = val;
        else if (strcmp(opt, "--stream") == 0) a->stream = val;
        else if (strcmp(opt, "--id") == 0) rc = parse_number(opt, val, &a->id, &a->has_id);
        else if (strcmp(opt, "--purpose") == 0) rc = parse_number(opt, val, &a->purpose, &a->has_purpose);
        else if (strcmp(opt, "--category") == 0) rc = parse_number(opt, val, &a->category, &a->has_category);
        else {
            fprintf(stderr, "custos vault: unknown option %s\n", opt);
            rc = CLI_USAGE;
        }
        if (rc != CLI_OK)
            return rc;
    }
    return CLI_OK;
}

static int need(const char *what, int present)
{
    if (!present)
        fprintf(stderr, "custos vault: %s is required\n", what);
    return present ? CLI_OK : CLI_USAGE;
}

static int find_subject(custos_t *ctx, custos_subject *s, const char *id)
{
    int rc = custos_subject_find(ctx, s, id);
    /* Never echo the subject id: it is personal data. */
    return rc == CUSTOS_OK ? CLI_OK : cli_fail("vault: subject", rc, custos_errmsg(ctx));
}

/* Read fd to its end through a stream of (s, purpose, category); *id receives the
 * record. *read_err is the errno of a failed read (then nothing is stored). */
static int put_stream_fd(custos_t *ctx, custos_record_id *id, custos_subject s, const vault_args *a, int fd,
                         int *read_err)
{
    custos_vault_stream *w = NULL;
    int rc = custos_vault_stream_create(ctx, &w, s, (uint32_t)a->purpose, (uint32_t)a->category);
    static unsigned char buf[64 * 1024];
    *read_err = 0;
    while (rc == CUSTOS_OK) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            *read_err = errno;
        if (n <= 0)
            break;
        rc = custos_vault_stream_write(w, buf, (size_t)n);
    }
    sodium_memzero(buf, sizeof buf);
    if (rc != CUSTOS_OK || *read_err != 0) {
        custos_vault_stream_close(w); /* discarded: nothing stored, its file removed */
        return rc;
    }
    return custos_vault_stream_finish(w, id);
}

static int do_put_stream(custos_t *ctx, const vault_args *a)
{
    custos_subject s;
    if (find_subject(ctx, &s, a->subject) != CLI_OK)
        return CLI_FAIL;
    int fd = strcmp(a->stream, "-") == 0 ? 0 : open(a->stream, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "custos vault put: cannot open %s: %s\n", a->stream, strerror(errno));
        return CLI_FAIL;
    }
    custos_record_id id = 0;
    int read_err = 0;
    int rc = put_stream_fd(ctx, &id, s, a, fd, &read_err);
    if (fd != 0)
        close(fd);
    if (read_err != 0) {
        fprintf(stderr, "custos vault put: cannot read %s: %s; nothing was stored\n", a->stream,
                strerror(read_err));
        return CLI_FAIL;
    }
    if (rc != CUSTOS_OK)
        return cli_fail("vault put", rc, custos_errmsg(ctx));
    printf("%lld\n", (long long)id);
    return CLI_OK;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int do_get_stream(custos_t *ctx, const vault_args *a)
{
    custos_vault_stream *r = NULL;
    int rc = custos_vault_stream_open(ctx, &r, NULL, (custos_record_id)a->id);
    if (rc != CUSTOS_OK)
        return cli_fail("vault get", rc, custos_errmsg(ctx));
    int to_stdout = a->out == NULL || strcmp(a->out, "-") == 0;
    int fd = to_stdout ? 1 : open(a->out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf(stderr, "custos vault get: cannot create %s: %s\n", a->out, strerror(errno));
        custos_vault_stream_close(r);
        return CLI_FAIL;
    }
    static unsigned char buf[64 * 1024];
    int out = CLI_OK;
    for (;;) {
        size_t n = 0;
        if ((rc = custos_vault_stream_read(r, buf, sizeof buf, &n)) != CUSTOS_OK) {
            out = cli_fail("vault get", rc, custos_errmsg(ctx));
            break;
        }
        if (n == 0)
            break;
        if (write_all(fd, buf, n) != 0) {
            fprintf(stderr, "custos vault get: cannot write %s: %s\n", to_stdout ? "stdout" : a->out,
                    strerror(errno));
            out = CLI_FAIL;
            break;
        }
    }
    sodium_memzero(buf, sizeof buf);
    custos_vault_stream_close(r);
    if (!to_stdout && ((fsync(fd) != 0 && out == CLI_OK) || close(fd) != 0) && out == CLI_OK) {
        fprintf(stderr, "custos vault get: cannot write %s: %s\n", a->out, strerror(errno));
        out = CLI_FAIL;
    }
    if (!to_stdout && out != CLI_OK)
        unlink(a->out); /* no partial payload left behind */
    return out;
}

static int do_put(custos_t *ctx, const vault_args *a)
{
    if (a->stream != NULL)
        return do_put_stream(ctx, a);
    custos_subject s;
    unsigned char *data = NULL;
    size_t len = 0;
    if (find_subject(ctx, &s, a->subject) != CLI_OK || cli_read_file(a->in ? a->in : "-", CLI_IN_PAYLOAD, &data, &len) != CLI_OK)
        return CLI_FAIL;
    custos_record_id id = 0;
    int rc = custos_vault_put(ctx, &id, s, (uint32_t)a->purpose, (uint32_t)a->category, data, len);
    sodium_memzero(data, len);
    free(data);
    if (rc != CUSTOS_OK)
        return cli_fail("vault put", rc, custos_errmsg(ctx));
    printf("%lld\n", (long long)id);
    return CLI_OK;
}

static int do_get(custos_t *ctx, const vault_args *a)
{
    if (a->get_stream)
        return do_get_stream(ctx, a);
    size_t len = 0;
    int rc = custos_vault_get(ctx, NULL, 0, &len, NULL, (custos_record_id)a->id);
    if (rc != CUSTOS_OK && rc != CUSTOS_ERANGE)
        return cli_fail("vault get", rc, custos_errmsg(ctx));
    uint8_t *buf = malloc(len > 0 ? len : 1);
    if (buf == NULL)
        return cli_fail("vault get", CUSTOS_ENOMEM, "");
    rc = custos_vault_get(ctx, buf, len, &len, NULL, (custos_record_id)a->id);
    int out = rc == CUSTOS_OK ? cli_write_file(a->out ? a->out : "-", buf, len)
                              : cli_fail("vault get", rc, custos_errmsg(ctx));
    sodium_memzero(buf, len);
    free(buf);
    return out;
}

static int do_ls(custos_t *ctx, const vault_args *a)
{
    custos_subject s;
    if (find_subject(ctx, &s, a->subject) != CLI_OK)
        return CLI_FAIL;
    size_t n = 0;
    int rc = custos_vault_list(ctx, NULL, 0, &n, s);
    custos_record_id *ids = malloc((n > 0 ? n : 1) * sizeof *ids);
    if (ids == NULL)
        return cli_fail("vault ls", CUSTOS_ENOMEM, "");
    if (rc == CUSTOS_ERANGE || rc == CUSTOS_OK)
        rc = custos_vault_list(ctx, ids, n, &n, s);
    printf("%-10s %-8s %-8s %-10s %-20s %s\n", "id", "purpose", "category", "bytes", "created", "expires");
    char sizebuf[32];
    for (size_t i = 0; rc == CUSTOS_OK && i < n; i++) {
        custos_vault_info info;
        size_t len;
        int grc = custos_vault_get(ctx, NULL, 0, &len, &info, ids[i]);
        if (grc == CUSTOS_ERANGE || (grc == CUSTOS_OK && len == 0)) {
            uint8_t *buf = malloc(len > 0 ? len : 1);
            grc = buf == NULL ? CUSTOS_ENOMEM : custos_vault_get(ctx, buf, len, &len, &info, ids[i]);
            if (buf != NULL)
                sodium_memzero(buf, len);
            free(buf);
        }
        const char *kind = "";
        if (grc == CUSTOS_ESTATE) { /* a stream: its info comes with opening it */
            custos_vault_stream *r = NULL;
            grc = custos_vault_stream_open(ctx, &r, &info, ids[i]);
            custos_vault_stream_close(r);
            kind = "s";
        }
        if (grc != CUSTOS_OK)
            printf("%-10lld %s\n", (long long)ids[i], custos_strerror(grc));
        else if (kind[0] != '\0')
            printf("%-10lld %-8u %-8u %-10s %-20llu %llu\n", (long long)ids[i], info.purpose, info.category,
                   (snprintf(sizebuf, sizeof sizebuf, "%zus", info.size), sizebuf),
                   (unsigned long long)info.created, (unsigned long long)info.expires);
        else
            printf("%-10lld %-8u %-8u %-10zu %-20llu %llu\n", (long long)ids[i], info.purpose, info.category,
                   info.size, (unsigned long long)info.created, (unsigned long long)info.expires);
    }
    free(ids);
    return rc == CUSTOS_OK ? CLI_OK : cli_fail("vault ls", rc, custos_errmsg(ctx));
}

static int do_export(custos_t *ctx, const vault_args *a)
{
    uint8_t pk[32];
    if (a->to == NULL || cli_hex32(a->to, strlen(a->to), pk) != 0) {
        fprintf(stderr, "custos vault export: --to needs the recipient's X25519 public key as 64 hex digits\n");
        return CLI_USAGE;
    }
    custos_subject s;
    if (find_subject(ctx, &s, a->subject) != CLI_OK)
        return CLI_FAIL;
    int rc = custos_vault_export(ctx, a->out, s, pk);
    return rc == CUSTOS_OK ? CLI_OK : cli_fail("vault export", rc, custos_errmsg(ctx));
}

/* Read "PKHEX\nSKHEX\n" into pk and sk. */
static int read_keypair(const char *path, uint8_t pk[32], uint8_t sk[32])
{
    unsigned char *text = NULL;
    size_t len = 0;
    if (cli_read_file(path, CLI_IN_KEYPAIR, &text, &len) != CLI_OK)
        return CLI_FAIL;
    int ok = len >= 129 && text[64] == '\n' &&
             cli_hex32((const char *)text, 64, pk) == 0 && cli_hex32((const char *)text + 65, 64, sk) == 0;
    sodium_memzero(text, len);
    free(text);
    if (!ok)
        fprintf(stderr, "custos vault: %s is not a key pair file (two lines of 64 hex digits)\n", path);
    return ok ? CLI_OK : CLI_FAIL;
}

static int do_import(custos_t *ctx, const vault_args *a)
{
    uint8_t pk[32], sk[32];
    custos_subject s;
    if (read_keypair(a->key, pk, sk) != CLI_OK || find_subject(ctx, &s, a->subject) != CLI_OK) {
        sodium_memzero(sk, sizeof sk);
        return CLI_FAIL;
    }
    size_t n = 0;
    int rc = custos_vault_import(ctx, &n, a->in, s, pk, sk);
    sodium_memzero(sk, sizeof sk);
    if (rc != CUSTOS_OK)
        return cli_fail("vault import", rc, custos_errmsg(ctx));
    printf("imported %zu records\n", n);
    return CLI_OK;
}

static int do_keygen(const vault_args *a)
{
    uint8_t pk[32], sk[32];
    char text[130];
    if (custos_export_keypair(pk, sk) != CUSTOS_OK)
        return cli_fail("vault keygen", CUSTOS_ECRYPTO, "");
    sodium_bin2hex(text, 65, pk, 32);
    text[64] = '\n';
    sodium_bin2hex(text + 65, 65, sk, 32);
    text[129] = '\n';
    int rc = cli_write_file(a->out, text, sizeof text); /* 0600 */
    if (rc == CLI_OK)
        printf("%.64s\n", text); /* the public key, for --to */
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(text, sizeof text);
    return rc;
}

static int run(custos_t *ctx, const char *sub, const vault_args *a)
{
    if (strcmp(sub, "put") == 0)
        return do_put(ctx, a);
    if (strcmp(sub, "get") == 0)
        return do_get(ctx, a);
    if (strcmp(sub, "ls") == 0)
        return do_ls(ctx, a);
    if (strcmp(sub, "export") == 0)
        return do_export(ctx, a);
    return do_import(ctx, a);
}

/* The options each subcommand needs; CLI_USAGE names the first missing one. */
static int check_args(const char *sub, const vault_args *a)
{
    int subj = a->subject != NULL;
    int ok;
    if (strcmp(sub, "put") == 0)
        ok = !need("--subject", subj) && !need("--purpose", a->has_purpose) && !need("--category", a->has_category);
    else if (strcmp(sub, "get") == 0)
        ok = !need("--id", a->has_id);
    else if (strcmp(sub, "ls") == 0)
        ok = !need("--subject", subj);
    else if (strcmp(sub, "export") == 0)
        ok = !need("--subject", subj) && !need("--to", a->to != NULL) && !need("-o", a->out != NULL);
    else if (strcmp(sub, "import") == 0)
        ok = !need("--subject", subj) && !need("--key", a->key != NULL) && !need("--in", a->in != NULL);
    else if (strcmp(sub, "keygen") == 0)
        ok = !need("-o", a->out != NULL);
    else {
        fprintf(stderr, "custos vault: unknown subcommand '%s'\n", sub);
        ok = 0;
    }
    if (ok && a->stream != NULL && a->in != NULL) {
        fprintf(stderr, "custos vault: --stream FILE and --in are two ways to give the payload; use one\n");
        ok = 0;
    }
    return ok ? CLI_OK : CLI_USAGE;
}

int cmd_vault(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        vault_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_USAGE : CLI_OK;
    }
    vault_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc == CLI_OK && (rc = check_args(argv[1], &a)) != CLI_OK)
        vault_usage(stderr);
    if (rc != CLI_OK)
        return rc;
    if (sodium_init() < 0)
        return cli_fail("vault", CUSTOS_ECRYPTO, "libsodium failed to initialise");
    if (strcmp(argv[1], "keygen") == 0)
        return do_keygen(&a);
    custos_t *ctx = NULL;
    if (cli_open_store(&ctx, a.store, 0) != CLI_OK)
        return CLI_FAIL;
    rc = run(ctx, argv[1], &a);
    custos_close(ctx);
    return rc;
}
