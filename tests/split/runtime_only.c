/*
 * runtime_only.c: an app that uses only the runtime API, linked against the
 * runtime library alone (tests/split/check_split.py links it against
 * libcustos.so and against libcustos.a with the runtime's dependencies, no
 * libcustos-tools, no libyaml). It does what an app does with a manifest
 * compiled at build time: check its id, load it into a store, show its
 * consent screen, register a subject and ask the gate.
 *
 *   runtime_only STORE_DIR COMPILED_MANIFEST
 */
#include <custos/custos.h>

#include <stdio.h>
#include <stdlib.h>

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = custos_manifest_max_bytes();
    uint8_t *buf = malloc(cap);
    *len = buf != NULL ? fread(buf, 1, cap, f) : 0;
    fclose(f);
    return buf;
}

static int fail(const char *what, int rc, custos_t *ctx)
{
    fprintf(stderr, "runtime_only: %s: %s: %s\n", what, custos_strerror(rc), ctx ? custos_errmsg(ctx) : "");
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: runtime_only STORE_DIR COMPILED_MANIFEST\n");
        return 2;
    }
    size_t len = 0;
    uint8_t *m = read_file(argv[2], &len);
    if (m == NULL || len == 0)
        return fprintf(stderr, "runtime_only: cannot read %s\n", argv[2]), 1;
    uint8_t id[CUSTOS_HASH_BYTES];
    custos_manifest_error err;
    int rc = custos_manifest_id(id, m, len, &err);
    if (rc != CUSTOS_OK)
        return fprintf(stderr, "runtime_only: id: %s\n", err.message), 1;
    custos_manifest_screen *screen = NULL;
    if ((rc = custos_manifest_consent_screen(&screen, m, len, "en", &err)) != CUSTOS_OK || screen->n_purposes == 0)
        return fprintf(stderr, "runtime_only: consent screen: %s\n", err.message), 1;

    custos_t *ctx = NULL;
    if ((rc = custos_open(&ctx, argv[1], NULL)) != CUSTOS_OK)
        return fprintf(stderr, "runtime_only: open: %s\n", custos_last_error()), 1;
    custos_subject s;
    if ((rc = custos_manifest_load(ctx, m, len)) != CUSTOS_OK)
        return fail("load", rc, ctx);
    if ((rc = custos_subject_add(ctx, &s, "owner", CUSTOS_ROLE_OWNER)) != CUSTOS_OK)
        return fail("subject", rc, ctx);
    const custos_manifest_screen_purpose *p = &screen->purposes[0];
    uint32_t category = p->n_categories != 0 ? p->categories[0].id : 0;
    custos_decision d = custos_check(ctx, s, p->id, category);
    printf("runtime_only ok: custos %s, %zu purposes, purpose %u (%s, %s): %s\n", custos_version(),
           screen->n_purposes, p->id, p->key, p->legal_basis, custos_decision_str(d));
    custos_close(ctx);
    custos_manifest_free(screen);
    free(m);
    return 0;
}
