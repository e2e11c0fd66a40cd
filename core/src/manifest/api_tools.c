/* api_tools.c: the public functions of custos/manifest.h that libcustos-tools
 * provides: compile and check a YAML declaration, diff two compiled files.
 * The runtime part (sizes, id, free) is in api.c. */
#include "manifest_private.h"

int custos_manifest_compile(uint8_t **out, size_t *out_len, uint8_t out_id[CUSTOS_HASH_BYTES],
                            const char *yaml, size_t yaml_len, const char *filename,
                            const custos_manifest_compile_options *opts, custos_manifest_error *err)
{
    int rc = custos_manifest__prepare(err);
    if (rc != CUSTOS_OK)
        return rc;
    if (out == NULL || out_len == NULL || (yaml == NULL && yaml_len != 0) ||
        (opts != NULL && opts->version != CUSTOS_MANIFEST_COMPILE_OPTIONS_VERSION))
        return custos_manifest__fail(err, CUSTOS_EINVAL, "custos_manifest_compile: missing output, input or options version");
    *out = NULL;
    *out_len = 0;
    const uint8_t *prev = opts != NULL ? opts->previous : NULL;
    return custos_manifest__compile_yaml(out, out_len, out_id, yaml ? yaml : "", yaml_len, filename, prev,
                           prev ? opts->previous_len : 0, err);
}

int custos_manifest_check(const char *yaml, size_t yaml_len, const char *filename, custos_manifest_error *err)
{
    int rc = custos_manifest__prepare(err);
    if (rc != CUSTOS_OK)
        return rc;
    if (yaml == NULL && yaml_len != 0)
        return custos_manifest__fail(err, CUSTOS_EINVAL, "custos_manifest_check: no input");
    return custos_manifest__compile_yaml(NULL, NULL, NULL, yaml ? yaml : "", yaml_len, filename, NULL, 0, err);
}

/* Decode both versions and diff them; the caller frees *older and *newer. */
static int decode_pair(custos_manifest_pb **older, custos_manifest_pb **newer, uint8_t ids[2][CUSTOS_HASH_BYTES],
                       const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                       custos_purpose_change **changes, size_t *n, custos_manifest_error *err)
{
    custos_manifest_error e;
    *older = *newer = NULL;
    int rc = custos_manifest__decode(a, alen, older, ids[0], &e);
    if (rc != CUSTOS_OK) {
        custos_manifest__fail(err, rc, "the older manifest: %s", e.message);
        return rc;
    }
    if ((rc = custos_manifest__decode(b, blen, newer, ids[1], &e)) != CUSTOS_OK) {
        custos_manifest__fail(err, rc, "the newer manifest: %s", e.message);
        return rc;
    }
    return custos_manifest__diff(*older, *newer, changes, n, err);
}

int custos_manifest_diff(custos_manifest_change **out, size_t *n, const uint8_t *older, size_t older_len,
                         const uint8_t *newer, size_t newer_len, custos_manifest_error *err)
{
    int rc = custos_manifest__prepare(err);
    if (rc != CUSTOS_OK)
        return rc;
    if (out == NULL || n == NULL)
        return custos_manifest__fail(err, CUSTOS_EINVAL, "custos_manifest_diff: no output");
    *out = NULL;
    *n = 0;
    custos_manifest_pb *a, *b;
    uint8_t ids[2][CUSTOS_HASH_BYTES];
    custos_purpose_change *ch = NULL;
    size_t count = 0;
    rc = decode_pair(&a, &b, ids, older, older_len, newer, newer_len, &ch, &count, err);
    custos_manifest_change *v = NULL;
    if (rc == CUSTOS_OK && count != 0 && (v = custos__calloc(count, sizeof *v)) == NULL) {
        rc = CUSTOS_ENOMEM;
        custos_manifest__fail(err, rc, "out of memory while comparing manifests");
    }
    for (size_t i = 0; rc == CUSTOS_OK && i < count; i++) {
        const custos_purpose_pb *p = custos__manifest_purpose(b, ch[i].purpose);
        v[i] = (custos_manifest_change){ ch[i].purpose, ch[i].reasons,
                                         p != NULL && p->legal_basis == CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_CONSENT };
    }
    if (rc == CUSTOS_OK) {
        *out = v;
        *n = count;
    }
    custos__free(ch);
    custos__manifest_free(a);
    custos__manifest_free(b);
    return rc;
}

static void reasons_text(custos__text *b, uint32_t r, int json)
{
    int first = 1;
    for (uint32_t bit = 1; bit != 0 && bit <= r; bit <<= 1) {
        if ((r & bit) == 0)
            continue;
        custos__text_printf(b, json ? "%s\"%s\"" : "%s%s", first ? "" : ", ", custos_manifest__change_word(bit));
        first = 0;
    }
}

static void diff_report(custos__text *b, const custos_manifest_pb *a, const custos_manifest_pb *m,
                        const custos_purpose_change *ch, size_t n, int json)
{
    if (json) {
        custos__text_printf(b, "{\"older_policy_version\":%u,\"newer_policy_version\":%u,\"changes\":[",
                      a->product->policy_version, m->product->policy_version);
    } else {
        custos__text_printf(b, "policy version %u -> %u\n", a->product->policy_version, m->product->policy_version);
        if (n == 0)
            custos__text_printf(b, "no material change: no purpose needs consent again\n");
    }
    for (size_t i = 0; i < n; i++) {
        const custos_purpose_pb *p = custos__manifest_purpose(m, ch[i].purpose);
        const custos_purpose_pb *old = custos__manifest_purpose(a, ch[i].purpose);
        const char *key = p ? p->key : old->key;
        int consent = p != NULL && p->legal_basis == CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_CONSENT;
        if (json) {
            custos__text_printf(b, "%s{\"purpose\":%u,\"key\":", i ? "," : "", ch[i].purpose);
            custos__text_json(b, key);
            custos__text_printf(b, ",\"needs_consent\":%s,\"reasons\":[", consent ? "true" : "false");
            reasons_text(b, ch[i].reasons, 1);
            custos__text_printf(b, "]}");
        } else {
            custos__text_printf(b, "purpose %u %s: %s: ", ch[i].purpose, key,
                          consent ? "asks for consent again" : p ? "changed (not consent-based: disclosed, not asked)"
                                                                 : "no longer processed");
            reasons_text(b, ch[i].reasons, 0);
            custos__text_printf(b, "\n");
        }
    }
    if (json)
        custos__text_printf(b, "]}\n");
}

int custos_manifest_diff_text(char **out, const uint8_t *older, size_t older_len, const uint8_t *newer,
                              size_t newer_len, custos_manifest_show_format format, custos_manifest_error *err)
{
    int rc = custos_manifest__prepare(err);
    if (rc != CUSTOS_OK)
        return rc;
    if (out == NULL || (format != CUSTOS_MANIFEST_SHOW_TEXT && format != CUSTOS_MANIFEST_SHOW_JSON))
        return custos_manifest__fail(err, CUSTOS_EINVAL, "custos_manifest_diff_text: no output or unknown format %d", format);
    *out = NULL;
    custos_manifest_pb *a, *b;
    uint8_t ids[2][CUSTOS_HASH_BYTES];
    custos_purpose_change *ch = NULL;
    size_t n = 0;
    rc = decode_pair(&a, &b, ids, older, older_len, newer, newer_len, &ch, &n, err);
    if (rc == CUSTOS_OK) {
        custos__text buf = { 0 };
        diff_report(&buf, a, b, ch, n, format == CUSTOS_MANIFEST_SHOW_JSON);
        if ((rc = custos__text_finish(&buf, out, NULL)) != CUSTOS_OK)
            custos_manifest__fail(err, rc, "out of memory while writing the diff");
    }
    custos__free(ch);
    custos__manifest_free(a);
    custos__manifest_free(b);
    return rc;
}
