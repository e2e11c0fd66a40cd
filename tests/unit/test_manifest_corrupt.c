/*
 * A compiled manifest that is truncated, extended or altered in any single
 * bit is refused with CUSTOS_ECORRUPT and never half-read; payloads that
 * pass the checksum but break the canonical rules are refused too.
 */
#include "harness.h"
#include "manifest/manifest_private.h"

#include <protobuf-c/protobuf-c.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint8_t *fixture(size_t *len)
{
    size_t ylen;
    uint8_t *yaml = th_read_file(CUSTOS_TEST_DATA "/manifests/valid/minimal.yaml", &ylen);
    assert_non_null(yaml);
    uint8_t *out = NULL;
    custos_manifest_error err;
    int rc = custos_manifest_compile(&out, len, NULL, (const char *)yaml, ylen, "minimal.yaml", NULL, &err);
    if (rc != CUSTOS_OK)
        fail_msg("%s", err.message);
    free(yaml);
    return out;
}

static int decode_rc(const uint8_t *b, size_t len)
{
    custos_manifest_pb *m = (custos_manifest_pb *)(uintptr_t)1;
    int rc = custos__manifest_decode(NULL, b, len, &m, NULL);
    if (rc != CUSTOS_OK)
        assert_null(m);
    custos__manifest_free(rc == CUSTOS_OK ? m : NULL);
    return rc;
}

static void test_every_truncation_is_ecorrupt(void **state)
{
    (void)state;
    size_t len;
    uint8_t *f = fixture(&len);
    for (size_t n = 0; n < len; n++) {
        uint8_t *copy = malloc(n ? n : 1); /* exact size, so ASan sees any over-read */
        memcpy(copy, f, n);
        if (decode_rc(copy, n) != CUSTOS_ECORRUPT)
            fail_msg("truncation to %zu of %zu bytes was not ECORRUPT", n, len);
        free(copy);
    }
    custos_manifest_free(f);
}

static void test_every_single_bit_flip_is_ecorrupt(void **state)
{
    (void)state;
    size_t len;
    uint8_t *f = fixture(&len);
    uint8_t *copy = malloc(len);
    for (size_t bit = 0; bit < len * 8; bit++) {
        memcpy(copy, f, len);
        copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        if (decode_rc(copy, len) != CUSTOS_ECORRUPT)
            fail_msg("flipping bit %zu of %zu was not ECORRUPT", bit, len * 8);
    }
    printf("[          ] %zu truncations and %zu bit flips refused\n", len, len * 8);
    free(copy);
    custos_manifest_free(f);
}

static void test_appended_bytes_are_ecorrupt(void **state)
{
    (void)state;
    size_t len;
    uint8_t *f = fixture(&len);
    uint8_t *longer = calloc(1, len + 1);
    memcpy(longer, f, len);
    assert_int_equal(decode_rc(longer, len + 1), CUSTOS_ECORRUPT);
    free(longer);
    custos_manifest_free(f);
}

/* Frame a payload with a correct checksum: what a buggy or hostile writer could make. */
static int decode_framed(const uint8_t *payload, size_t n, custos_manifest_error *err)
{
    uint8_t *file = NULL;
    size_t len = 0;
    assert_int_equal(custos_manifest__frame(&file, &len, payload, n), CUSTOS_OK);
    custos_manifest_pb *m = NULL;
    int rc = custos_manifest__decode(file, len, &m, NULL, err);
    custos__manifest_free(m);
    custos_manifest_free(file);
    return rc;
}

static void test_garbage_payload_with_valid_checksum_is_ecorrupt(void **state)
{
    (void)state;
    const uint8_t junk[] = { 0xff, 0xff, 0xff, 0x0f, 0x01 };
    custos_manifest_error err;
    assert_int_equal(decode_framed(junk, sizeof junk, &err), CUSTOS_ECORRUPT);
    assert_string_equal(err.message, "compiled manifest payload is not a valid custos.v1.Manifest");
}

/* Decode the fixture, let mutate() break one rule, re-pack it and frame it. */
static int decode_mutated(void (*mutate)(custos_manifest_pb *), custos_manifest_error *err)
{
    size_t len;
    uint8_t *f = fixture(&len);
    custos_manifest_pb *m = NULL;
    assert_int_equal(custos__manifest_decode(NULL, f, len, &m, NULL), CUSTOS_OK);
    mutate(m);
    size_t n = custos__v1__manifest__get_packed_size(m);
    uint8_t *payload = malloc(n);
    custos__v1__manifest__pack(m, payload);
    int rc = decode_framed(payload, n, err);
    free(payload);
    custos__manifest_free(m);
    custos_manifest_free(f);
    return rc;
}

static void swap_categories(custos_manifest_pb *m)
{
    custos_category_pb *t = m->categories[0];
    m->categories[0] = m->categories[1];
    m->categories[1] = t;
}

static void dangle_reference(custos_manifest_pb *m) { m->purposes[1]->categories[0] = 9; }
static void purpose_id_64(custos_manifest_pb *m) { m->purposes[1]->id = 64; }
static void false_flag(custos_manifest_pb *m)
{
    m->categories[0]->has_special = 1;
    m->categories[0]->special = 0;
}
static void bad_enum(custos_manifest_pb *m) { m->purposes[0]->legal_basis = (Custos__V1__LegalBasis)42; }
static void format_2(custos_manifest_pb *m) { m->format_version = 2; }

static void test_payload_breaking_the_canonical_rules_is_ecorrupt(void **state)
{
    (void)state;
    custos_manifest_error err;
    assert_int_equal(decode_mutated(swap_categories, &err), CUSTOS_ECORRUPT);
    assert_string_equal(err.message, "compiled manifest: category ids not sorted, unique and in 1..65535");
    assert_int_equal(decode_mutated(dangle_reference, &err), CUSTOS_ECORRUPT);
    assert_string_equal(err.message, "compiled manifest: purpose 2 refers to categories that are unsorted or undeclared");
    assert_int_equal(decode_mutated(purpose_id_64, &err), CUSTOS_ECORRUPT);
    assert_string_equal(err.message, "compiled manifest: purpose ids not sorted, unique and in 1..63");
    assert_int_equal(decode_mutated(false_flag, &err), CUSTOS_ECORRUPT);
    assert_string_equal(err.message, "compiled manifest: category 1 carries a false flag");
    assert_int_equal(decode_mutated(bad_enum, &err), CUSTOS_ECORRUPT);
    assert_string_equal(err.message, "compiled manifest: purpose 1 has an unknown legal basis or necessity");
    assert_int_equal(decode_mutated(format_2, &err), CUSTOS_ECORRUPT);
    assert_string_equal(err.message, "compiled manifest: payload format 2, expected 1");
}

static void test_unknown_fields_are_not_canonical(void **state)
{
    (void)state;
    size_t len;
    uint8_t *f = fixture(&len);
    size_t n = len - 48;
    uint8_t *payload = malloc(n + 2);
    memcpy(payload, f + 16, n);
    payload[n] = 0x78; /* key of field 15, varint: a field Manifest does not have */
    payload[n + 1] = 1;
    custos_manifest_error err;
    assert_int_equal(decode_framed(payload, n + 2, &err), CUSTOS_ECORRUPT);
    assert_string_equal(err.message, "compiled manifest payload is not in canonical form");
    free(payload);
    custos_manifest_free(f);
}

static void test_newer_file_format_with_valid_checksum_is_eversion(void **state)
{
    (void)state;
    size_t len;
    uint8_t *f = fixture(&len);
    f[8] = 2;
    crypto_generichash(f + len - 32, 32, f, len - 32, NULL, 0);
    custos_manifest_error err;
    uint8_t id[CUSTOS_HASH_BYTES];
    assert_int_equal(custos_manifest_id(id, f, len, &err), CUSTOS_EVERSION);
    assert_string_equal(err.message, "compiled manifest format 2 is not supported by this build (it reads 1)");
    custos_manifest_free(f);
}

static void test_yaml_given_as_compiled_file_is_ecorrupt_with_a_hint(void **state)
{
    (void)state;
    const char *yaml = "custos: 1\nproduct: {}\n this is long enough to look like a file......\n";
    custos_manifest_error err;
    char *out = NULL;
    assert_int_equal(custos_manifest_show(&out, (const uint8_t *)yaml, strlen(yaml), CUSTOS_MANIFEST_SHOW_TEXT, &err),
                     CUSTOS_ECORRUPT);
    assert_null(out);
    assert_string_equal(err.message, "not a compiled Custos manifest (no CUSTOSMF header); compile the YAML with "
                                     "'custos manifest compile'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_truncation_is_ecorrupt),
        cmocka_unit_test(test_every_single_bit_flip_is_ecorrupt),
        cmocka_unit_test(test_appended_bytes_are_ecorrupt),
        cmocka_unit_test(test_garbage_payload_with_valid_checksum_is_ecorrupt),
        cmocka_unit_test(test_payload_breaking_the_canonical_rules_is_ecorrupt),
        cmocka_unit_test(test_unknown_fields_are_not_canonical),
        cmocka_unit_test(test_newer_file_format_with_valid_checksum_is_eversion),
        cmocka_unit_test(test_yaml_given_as_compiled_file_is_ecorrupt_with_a_hint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
