/* `custos vault put --stream` and `get --stream`: the command line over a copy of the format-1 fixture store. */
#include "test_vault_helpers.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>

static char *store_copy(void)
{
    char *dir = th_tmpdir("vscli");
    static const char *const files[] = { "STORE", "custos.db", "keys" };
    for (int i = 0; i < 3; i++) {
        char path[4096];
        snprintf(path, sizeof path, CUSTOS_TEST_DATA "/stores/format1/%s", files[i]);
        size_t len;
        uint8_t *b = th_read_file(path, &len);
        assert_non_null(b);
        th_write_file(dir, files[i], b, len);
        free(b);
    }
    return dir;
}

/* Run `custos vault ARGS`; returns its exit status, stdout in out. */
static int run(char *out, size_t out_size, const char *args)
{
    const char *bin = getenv("CUSTOS_BIN");
    assert_non_null(bin);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "'%s' vault %s 2>/dev/null", bin, args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, out_size - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A clip larger than one record may be (CUSTOS_VAULT_PAYLOAD_MAX). */
#define CLIP_LEN (CUSTOS_VAULT_PAYLOAD_MAX + 1000003u)

static void write_clip(const char *dir)
{
    uint8_t *b = malloc(CLIP_LEN);
    assert_non_null(b);
    for (size_t i = 0; i < CLIP_LEN; i++)
        b[i] = (uint8_t)(i * 2654435761u >> 13);
    th_write_file(dir, "clip.bin", b, CLIP_LEN);
    free(b);
}

static int same_files(const char *a, const char *b)
{
    size_t la = 0, lb = 0;
    uint8_t *x = th_read_file(a, &la), *y = th_read_file(b, &lb);
    int same = x != NULL && y != NULL && la == lb && memcmp(x, y, la) == 0;
    free(x);
    free(y);
    return same;
}

static void test_cli_stream_put_then_get_round_trips_a_clip_over_the_record_limit(void **state)
{
    (void)state;
    char *dir = store_copy();
    write_clip(dir);
    char out[4096], args[8192], clip[4096], back[4096];
    snprintf(clip, sizeof clip, "%s/clip.bin", dir);
    snprintf(back, sizeof back, "%s/back.bin", dir);
    snprintf(args, sizeof args, "put --store %s --subject %s --purpose 1 --category 1 --stream %s", dir,
             TV_ALICE_ID, clip);
    assert_int_equal(run(out, sizeof out, args), 0);
    long id = strtol(out, NULL, 10);
    assert_true(id > 0);
    snprintf(args, sizeof args, "get --store %s --id %ld --stream -o %s", dir, id, back);
    assert_int_equal(run(out, sizeof out, args), 0);
    assert_true(same_files(clip, back));
    struct stat st;
    assert_int_equal(stat(back, &st), 0);
    assert_int_equal(st.st_mode & 077, 0); /* personal data: owner only */
    /* ls marks it a stream of its length */
    snprintf(args, sizeof args, "ls --store %s --subject %s", dir, TV_ALICE_ID);
    assert_int_equal(run(out, sizeof out, args), 0);
    char want[64];
    snprintf(want, sizeof want, " %us ", CLIP_LEN);
    assert_non_null(strstr(out, want));
    /* a plain get of a stream, and a stream get of a plain record, are refused (exit 1, no file) */
    snprintf(args, sizeof args, "get --store %s --id %ld", dir, id);
    assert_int_equal(run(out, sizeof out, args), 1);
    unlink(back);
    snprintf(args, sizeof args, "get --store %s --id 1 --stream -o %s", dir, back);
    assert_int_equal(run(out, sizeof out, args), 1);
    assert_int_not_equal(stat(back, &st), 0);
    th_tmpdir_remove(dir);
}

static void test_cli_stream_get_of_a_damaged_stream_exits_1_and_leaves_no_output(void **state)
{
    (void)state;
    char *dir = store_copy();
    write_clip(dir);
    char out[4096], args[8192], back[4096];
    snprintf(back, sizeof back, "%s/back.bin", dir);
    snprintf(args, sizeof args, "put --store %s --subject %s --purpose 1 --category 1 --stream %s/clip.bin", dir,
             TV_ALICE_ID, dir);
    assert_int_equal(run(out, sizeof out, args), 0);
    long id = strtol(out, NULL, 10);
    /* flip a byte near the end of its file: the first chunks read, then the damage is found */
    char sdir[4096], name[300] = "";
    snprintf(sdir, sizeof sdir, "%s/streams", dir);
    DIR *d = opendir(sdir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".cvs") != NULL)
            snprintf(name, sizeof name, "%s", e->d_name);
    closedir(d);
    char file[4500];
    snprintf(file, sizeof file, "%s/%s", sdir, name);
    size_t flen = 0;
    uint8_t *b = th_read_file(file, &flen);
    assert_non_null(b);
    b[flen - 100] ^= 0x20;
    th_write_file(sdir, name, b, flen);
    free(b);
    snprintf(args, sizeof args, "get --store %s --id %ld --stream -o %s", dir, id, back);
    assert_int_equal(run(out, sizeof out, args), 1);
    struct stat st;
    assert_int_not_equal(stat(back, &st), 0);
    th_tmpdir_remove(dir);
}

static void test_cli_stream_bad_usage_exits_2_and_denied_exits_1(void **state)
{
    (void)state;
    char *dir = store_copy();
    char out[4096], args[8192];
    th_write_file(dir, "small", "abc", 3);
    snprintf(args, sizeof args, "put --store %s --subject %s --purpose 1 --category 1 --stream %s/small --in %s/small",
             dir, TV_ALICE_ID, dir, dir);
    assert_int_equal(run(out, sizeof out, args), 2);
    snprintf(args, sizeof args, "put --store %s --subject %s --purpose 1 --category 1 --stream", dir, TV_ALICE_ID);
    assert_int_equal(run(out, sizeof out, args), 2);
    snprintf(args, sizeof args, "put --store %s --subject %s --purpose 2 --category 2 --stream %s/small", dir,
             TV_BOB_ID, dir);
    assert_int_equal(run(out, sizeof out, args), 1);
    snprintf(args, sizeof args, "put --store %s --subject %s --purpose 1 --category 1 --stream %s/missing", dir,
             TV_ALICE_ID, dir);
    assert_int_equal(run(out, sizeof out, args), 1);
    snprintf(args, sizeof args, "get --store %s --id 99999 --stream", dir);
    assert_int_equal(run(out, sizeof out, args), 1);
    char sdir[4096];
    snprintf(sdir, sizeof sdir, "%s/streams", dir);
    DIR *d = opendir(sdir);
    if (d != NULL) { /* nothing was stored: no stream file */
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            assert_true(e->d_name[0] == '.');
        closedir(d);
    }
    th_tmpdir_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_stream_put_then_get_round_trips_a_clip_over_the_record_limit),
        cmocka_unit_test(test_cli_stream_get_of_a_damaged_stream_exits_1_and_leaves_no_output),
        cmocka_unit_test(test_cli_stream_bad_usage_exits_2_and_denied_exits_1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
