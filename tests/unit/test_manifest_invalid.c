/*
 * Every invalid manifest under tests/data/manifests/invalid/ is refused with
 * exactly the message in its sibling .err file (CUSTOS_EMANIFEST). A
 * NAME.prev.yaml beside NAME.yaml is compiled first and passed as the
 * previous version (custos manifest compile --previous).
 */
#include "harness.h"

#include <custos/manifest.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INVALID_DIR CUSTOS_TEST_DATA "/manifests/invalid"

static int is_case(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".yaml") == 0 && (n < 10 || strcmp(name + n - 10, ".prev.yaml") != 0);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static char **list_cases(size_t *count)
{
    DIR *d = opendir(INVALID_DIR);
    assert_non_null(d);
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!is_case(e->d_name))
            continue;
        names = realloc(names, (n + 1) * sizeof *names);
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    *count = n;
    return names;
}

static uint8_t *read_sibling(const char *name, const char *ext, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%.*s%s", INVALID_DIR, (int)(strlen(name) - 5), name, ext);
    return th_read_file(path, len);
}

/* Compile NAME.prev.yaml if it exists; it must be valid. */
static uint8_t *compile_previous(const char *name, size_t *len)
{
    size_t ylen;
    uint8_t *yaml = read_sibling(name, ".prev.yaml", &ylen);
    if (yaml == NULL)
        return NULL;
    uint8_t *out = NULL;
    custos_manifest_error err;
    int rc = custos_manifest_compile(&out, len, NULL, (const char *)yaml, ylen, "prev.yaml", NULL, &err);
    free(yaml);
    if (rc != CUSTOS_OK)
        fail_msg("%s: the previous version does not compile: %s", name, err.message);
    return out;
}

static void check_case(const char *name)
{
    size_t ylen, elen, plen = 0;
    uint8_t *yaml = read_sibling(name, ".yaml", &ylen);
    char *want = (char *)read_sibling(name, ".err", &elen);
    if (want == NULL)
        fail_msg("%s has no .err file with its expected message", name);
    want[elen] = '\0';
    if (elen > 0 && want[elen - 1] == '\n')
        want[elen - 1] = '\0';
    uint8_t *prev = compile_previous(name, &plen);
    custos_manifest_compile_options o = CUSTOS_MANIFEST_COMPILE_OPTIONS_INIT;
    o.previous = prev;
    o.previous_len = plen;
    uint8_t *out = (uint8_t *)"untouched";
    size_t out_len = 0;
    custos_manifest_error err;
    int rc = custos_manifest_compile(&out, &out_len, NULL, (const char *)yaml, ylen, name, &o, &err);
    if (rc != CUSTOS_EMANIFEST || strcmp(err.message, want) != 0)
        fail_msg("%s:\n  got  %s: %s\n  want CUSTOS_EMANIFEST: %s", name, custos_strerror(rc), err.message, want);
    assert_null(out);
    assert_true(err.line >= 1 && err.column >= 1);
    /* check refuses the same way, when no previous version is involved */
    if (prev == NULL) {
        assert_int_equal(custos_manifest_check((const char *)yaml, ylen, name, &err), CUSTOS_EMANIFEST);
        assert_string_equal(err.message, want);
    }
    custos_manifest_free(prev);
    free(yaml);
    free(want);
}

static void test_every_invalid_manifest_is_refused_with_its_message(void **state)
{
    (void)state;
    size_t n = 0;
    char **names = list_cases(&n);
    assert_true(n >= 30);
    for (size_t i = 0; i < n; i++) {
        check_case(names[i]);
        free(names[i]);
    }
    free(names);
    printf("[          ] %zu invalid manifests refused with their exact message\n", n);
}

static void test_unknown_key_suggests_the_closest_key(void **state)
{
    (void)state;
    const char *yaml = "custos: 1\nprodcut: {}\n";
    custos_manifest_error err;
    assert_int_equal(custos_manifest_check(yaml, strlen(yaml), "typo.yaml", &err), CUSTOS_EMANIFEST);
    assert_string_equal(err.message, "typo.yaml:2:1: unknown key 'prodcut' in the manifest; did you mean 'product'?");
}

static void test_missing_file_name_defaults_in_messages(void **state)
{
    (void)state;
    custos_manifest_error err;
    assert_int_equal(custos_manifest_check("", 0, NULL, &err), CUSTOS_EMANIFEST);
    assert_string_equal(err.message, "manifest.yaml:1:1: the manifest is empty; start with 'custos: 1', then declare "
                                     "product:, categories:, purposes: and subjects: (see docs/manifest.md)");
}

static void test_truncated_utf8_at_the_end_is_refused(void **state)
{
    (void)state;
    const char yaml[] = "custos: 1\n# \xe3\x81";
    custos_manifest_error err;
    assert_int_equal(custos_manifest_check(yaml, sizeof yaml - 1, "t.yaml", &err), CUSTOS_EMANIFEST);
    assert_string_equal(err.message, "t.yaml:2:3: byte 0xE3 is not UTF-8; save the file as UTF-8");
}

static void test_nul_inside_a_quoted_string_is_refused(void **state)
{
    (void)state;
    const char *yaml = "custos: 1\nproduct:\n  name: \"a\\0b\"\n";
    custos_manifest_error err;
    assert_int_equal(custos_manifest_check(yaml, strlen(yaml), "nul.yaml", &err), CUSTOS_EMANIFEST);
    assert_string_equal(err.message, "nul.yaml:3:9: product.name contains a NUL character");
}

/* 100,000 nested lists in 200 KB: refused at the 65th level, before
 * libyaml builds the document (which took over 10 s at this depth). */
static char *nested(size_t levels)
{
    size_t head = strlen("custos: 1\nx: ");
    char *yaml = malloc(head + 2 * levels + 2);
    assert_non_null(yaml);
    memcpy(yaml, "custos: 1\nx: ", head);
    memset(yaml + head, '[', levels); /* not secret */
    memset(yaml + head + levels, ']', levels); /* not secret */
    yaml[head + 2 * levels] = '\n';
    yaml[head + 2 * levels + 1] = '\0';
    return yaml;
}

static void test_deep_nesting_is_refused_with_its_place(void **state)
{
    (void)state;
    char *yaml = nested(100000);
    custos_manifest_error err;
    assert_int_equal(custos_manifest_check(yaml, strlen(yaml), "deep.yaml", &err), CUSTOS_EMANIFEST);
    assert_string_equal(err.message, "deep.yaml:2:67: the document nests mappings and lists more than 64 levels "
                                     "deep; a manifest needs fewer than 10");
    assert_int_equal(err.line, 2);
    assert_int_equal(err.column, 67);
    free(yaml);
}

static void test_nesting_at_the_limit_is_not_refused_for_depth(void **state)
{
    (void)state;
    char *yaml = nested(CUSTOS_MANIFEST_MAX_DEPTH - 1);
    custos_manifest_error err;
    assert_int_equal(custos_manifest_check(yaml, strlen(yaml), "ok.yaml", &err), CUSTOS_EMANIFEST);
    assert_null(strstr(err.message, "levels deep"));
    assert_non_null(strstr(err.message, "unknown key 'x'"));
    free(yaml);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_invalid_manifest_is_refused_with_its_message),
        cmocka_unit_test(test_unknown_key_suggests_the_closest_key),
        cmocka_unit_test(test_missing_file_name_defaults_in_messages),
        cmocka_unit_test(test_truncated_utf8_at_the_end_is_refused),
        cmocka_unit_test(test_nul_inside_a_quoted_string_is_refused),
        cmocka_unit_test(test_deep_nesting_is_refused_with_its_place),
        cmocka_unit_test(test_nesting_at_the_limit_is_not_refused_for_depth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
