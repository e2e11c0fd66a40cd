/*
 * Out of memory at every allocation: compile, show, diff and the consent
 * screen fail with
 * CUSTOS_ENOMEM and leak nothing at each k = 1, 2, ... until they succeed,
 * and the success gives the same manifest id as a run without faults.
 * (libyaml allocates with the C library's malloc and is not counted here;
 * ASan's leak checker watches it.)
 */
#include "harness.h"

#include <custos/manifest.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long fail_at;   /* 0: never fail */
static unsigned long calls;
static long outstanding;

static void *oom_malloc(size_t n, void *u)
{
    (void)u;
    if (fail_at != 0 && ++calls == fail_at)
        return NULL;
    void *p = malloc(n);
    if (p != NULL)
        outstanding++;
    return p;
}

static void *oom_realloc(void *p, size_t n, void *u)
{
    (void)u;
    if (fail_at != 0 && ++calls == fail_at)
        return NULL;
    void *q = realloc(p, n);
    if (q != NULL && p == NULL)
        outstanding++;
    return q;
}

static void oom_free(void *p, void *u)
{
    (void)u;
    if (p != NULL)
        outstanding--;
    free(p);
}

static const custos_allocator failing = { oom_malloc, oom_realloc, oom_free, NULL };

static int setup(void **state)
{
    (void)state;
    fail_at = calls = 0;
    outstanding = 0;
    return custos_set_allocator(&failing) == CUSTOS_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return custos_set_allocator(NULL) == CUSTOS_OK ? 0 : -1;
}

static char *example(size_t *len)
{
    uint8_t *b = th_read_file(CUSTOS_SOURCE_DIR "/examples/smart-camera/privacy.yaml", len);
    assert_non_null(b);
    return (char *)b;
}

typedef int (*op_fn)(void *arg, uint8_t id[CUSTOS_HASH_BYTES]);

/* Run op with the k-th allocation failing, for k = 1, 2, ... until it succeeds. */
static unsigned long fail_each_allocation(const char *name, op_fn op, void *arg, const uint8_t want_id[CUSTOS_HASH_BYTES])
{
    unsigned long k;
    for (k = 1; k < 100000; k++) {
        fail_at = k;
        calls = 0;
        long before = outstanding;
        uint8_t id[CUSTOS_HASH_BYTES] = { 0 };
        int rc = op(arg, id);
        if (outstanding != before)
            fail_msg("%s: k=%lu leaked %ld allocations (rc %s)", name, k, outstanding - before, custos_strerror(rc));
        if (rc == CUSTOS_OK) {
            if (calls >= k)
                fail_msg("%s: k=%lu: an allocation failed but the operation reported success", name, k);
            if (want_id != NULL)
                assert_memory_equal(id, want_id, CUSTOS_HASH_BYTES);
            break;
        }
        if (rc != CUSTOS_ENOMEM)
            fail_msg("%s: k=%lu: %s instead of CUSTOS_ENOMEM", name, k, custos_strerror(rc));
    }
    fail_at = 0;
    printf("[          ] %s: %lu allocation points, each ENOMEM without a leak\n", name, k - 1);
    assert_true(k > 1);
    return k;
}

typedef struct text { const char *yaml; size_t len; const uint8_t *prev; size_t prev_len; } text;

static int op_compile(void *arg, uint8_t id[CUSTOS_HASH_BYTES])
{
    text *t = arg;
    uint8_t *out = NULL;
    size_t len = 0;
    custos_manifest_compile_options o = CUSTOS_MANIFEST_COMPILE_OPTIONS_INIT;
    o.previous = t->prev;
    o.previous_len = t->prev_len;
    custos_manifest_error err;
    int rc = custos_manifest_compile(&out, &len, id, t->yaml, t->len, "camera.yaml", &o, &err);
    if (rc != CUSTOS_OK && out != NULL)
        fail_msg("compile failed but returned a buffer");
    custos_manifest_free(out);
    return rc;
}

static void test_compile_fails_cleanly_at_every_allocation(void **state)
{
    (void)state;
    size_t len;
    char *yaml = example(&len);
    text t = { yaml, len, NULL, 0 };
    uint8_t want[CUSTOS_HASH_BYTES];
    assert_int_equal(op_compile(&t, want), CUSTOS_OK);
    fail_each_allocation("compile", op_compile, &t, want);
    free(yaml);
}

static void test_compile_with_previous_fails_cleanly_at_every_allocation(void **state)
{
    (void)state;
    size_t len, len2;
    char *v1 = example(&len);
    uint8_t *prev = NULL;
    size_t prev_len = 0;
    custos_manifest_error err;
    assert_int_equal(custos_manifest_compile(&prev, &prev_len, NULL, v1, len, "v1.yaml", NULL, &err), CUSTOS_OK);
    char *v2 = (char *)th_read_file(CUSTOS_SOURCE_DIR "/examples/smart-camera/privacy-v2.yaml", &len2);
    text t = { v2, len2, prev, prev_len };
    uint8_t want[CUSTOS_HASH_BYTES];
    assert_int_equal(op_compile(&t, want), CUSTOS_OK);
    fail_each_allocation("compile --previous", op_compile, &t, want);
    custos_manifest_free(prev);
    free(v1);
    free(v2);
}

typedef struct pair { uint8_t *a, *b; size_t alen, blen; } pair;

static int op_show_json(void *arg, uint8_t id[CUSTOS_HASH_BYTES])
{
    (void)id;
    pair *p = arg;
    char *out = NULL;
    custos_manifest_error err;
    int rc = custos_manifest_show(&out, p->a, p->alen, CUSTOS_MANIFEST_SHOW_JSON, &err);
    custos_manifest_free(out);
    return rc;
}

static int op_diff_text(void *arg, uint8_t id[CUSTOS_HASH_BYTES])
{
    (void)id;
    pair *p = arg;
    char *out = NULL;
    custos_manifest_error err;
    int rc = custos_manifest_diff_text(&out, p->a, p->alen, p->b, p->blen, CUSTOS_MANIFEST_SHOW_TEXT, &err);
    custos_manifest_free(out);
    return rc;
}

static void test_show_and_diff_fail_cleanly_at_every_allocation(void **state)
{
    (void)state;
    size_t len, len2;
    char *v1 = example(&len);
    char *v2 = (char *)th_read_file(CUSTOS_SOURCE_DIR "/examples/smart-camera/privacy-v2.yaml", &len2);
    pair p = { 0 };
    custos_manifest_error err;
    assert_int_equal(custos_manifest_compile(&p.a, &p.alen, NULL, v1, len, "v1.yaml", NULL, &err), CUSTOS_OK);
    assert_int_equal(custos_manifest_compile(&p.b, &p.blen, NULL, v2, len2, "v2.yaml", NULL, &err), CUSTOS_OK);
    fail_each_allocation("show --json", op_show_json, &p, NULL);
    fail_each_allocation("diff", op_diff_text, &p, NULL);
    custos_manifest_free(p.a);
    custos_manifest_free(p.b);
    free(v1);
    free(v2);
}

static int op_consent_screen(void *arg, uint8_t id[CUSTOS_HASH_BYTES])
{
    pair *p = arg;
    custos_manifest_screen *s = NULL;
    custos_manifest_error err;
    long before = outstanding;
    int rc = custos_manifest_consent_screen(&s, p->a, p->alen, "ja", &err);
    if (rc != CUSTOS_OK && s != NULL)
        fail_msg("consent screen failed but returned a screen");
    if (rc == CUSTOS_OK) {
        if (outstanding - before != 1)
            fail_msg("the consent screen is %ld allocations, not one", outstanding - before);
        memcpy(id, s->manifest_id, CUSTOS_HASH_BYTES);
    }
    custos_manifest_free(s);
    return rc;
}

static void test_consent_screen_fails_cleanly_at_every_allocation(void **state)
{
    (void)state;
    size_t len;
    char *v1 = example(&len);
    pair p = { 0 };
    uint8_t want[CUSTOS_HASH_BYTES];
    custos_manifest_error err;
    assert_int_equal(custos_manifest_compile(&p.a, &p.alen, want, v1, len, "v1.yaml", NULL, &err), CUSTOS_OK);
    fail_each_allocation("consent screen", op_consent_screen, &p, want);
    custos_manifest_free(p.a);
    free(v1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_compile_fails_cleanly_at_every_allocation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compile_with_previous_fails_cleanly_at_every_allocation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_show_and_diff_fail_cleanly_at_every_allocation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_consent_screen_fails_cleanly_at_every_allocation, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
