/* The zero-copy wire reader behind verification: whatever it accepts,
 * protobuf-c must decode to the same seq and prev_hash (so `show` can read
 * every verified entry); it may be stricter (it refuses huge field numbers
 * that protobuf-c truncates), never laxer. */
#include "test_audit_helpers.h"
#include "audit/audit_chain.h"

#include <sodium.h>

static size_t sample_entry(uint8_t *out, uint64_t seq)
{
    static uint8_t subject[32] = { 1, 2, 3 }, prev[32] = { 9, 8, 7 };
    Custos__V1__AuditEntry e = CUSTOS__V1__AUDIT_ENTRY__INIT;
    e.seq = seq;
    e.kind = CUSTOS__V1__AUDIT_KIND__AUDIT_CONSENT_CHANGED;
    e.time = 1700000000;
    e.has_subject_hash = 1;
    e.subject_hash = (ProtobufCBinaryData){ 32, subject };
    e.has_purpose = 1;
    e.purpose = 300;
    e.has_code = 1;
    e.code = CUSTOS_EKEY;
    e.detail = (char *)"given";
    e.prev_hash = (ProtobufCBinaryData){ 32, prev };
    return custos__v1__audit_entry__pack(&e, out);
}

/* 1 and the fields if protobuf-c decodes it with the shape verification needs. */
static int pbc_decode(const uint8_t *p, size_t len, uint64_t *seq, uint8_t prev[32])
{
    audit_arena a;
    Custos__V1__AuditEntry *e = custos__audit_entry_decode(&a, p, len);
    if (e == NULL)
        return 0;
    *seq = e->seq;
    memcpy(prev, e->prev_hash.data, 32);
    return 1;
}

/* Returns 1 if the wire reader accepted. */
static int check_agreement(const uint8_t *p, size_t len)
{
    uint64_t s1 = 0, s2 = 0;
    const uint8_t *prev = NULL;
    uint8_t prev2[32];
    int ours = custos__audit_entry_peek(p, len, &s1, &prev) == 0;
    int theirs = pbc_decode(p, len, &s2, prev2);
    if (ours && !theirs)
        fail_msg("the wire reader accepted %zu bytes that protobuf-c refuses", len);
    if (ours) {
        assert_int_equal(s1, s2);
        assert_memory_equal(prev, prev2, 32);
    }
    return ours;
}

static void test_peek_reads_seq_and_prev_hash(void **state)
{
    (void)state;
    uint8_t b[256];
    size_t n = sample_entry(b, 77);
    uint64_t seq = 0;
    const uint8_t *prev = NULL;
    assert_int_equal(custos__audit_entry_peek(b, n, &seq, &prev), 0);
    assert_int_equal(seq, 77);
    assert_int_equal(prev[0], 9);
}

static void test_peek_accepts_no_bit_flip_protobuf_c_refuses(void **state)
{
    (void)state;
    uint8_t b[256], m[256];
    size_t n = sample_entry(b, 300);
    for (size_t bit = 0; bit < n * 8; bit++) {
        memcpy(m, b, n);
        m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        check_agreement(m, n);
    }
}

static void test_peek_accepts_no_truncation_protobuf_c_refuses(void **state)
{
    (void)state;
    uint8_t b[256];
    size_t n = sample_entry(b, 5);
    size_t accepted = 0;
    for (size_t len = 0; len <= n; len++)
        accepted += (size_t)check_agreement(b, len);
    assert_int_equal(accepted, 1); /* only the whole entry */
}

static void test_peek_accepts_no_random_damage_protobuf_c_refuses(void **state)
{
    (void)state;
    uint8_t b[256], m[256];
    size_t n = sample_entry(b, 5);
    for (int round = 0; round < 20000; round++) {
        memcpy(m, b, n);
        uint32_t r = randombytes_uniform(4);
        for (uint32_t k = 0; k <= r; k++)
            m[randombytes_uniform((uint32_t)n)] = (uint8_t)randombytes_uniform(256);
        check_agreement(m, n);
    }
}

/* The worst case for the decoder's stack arena: a maximal entry padded with
 * the most (two-byte) unknown fields that fit. */
static void test_entry_full_of_unknown_fields_is_read_by_both(void **state)
{
    (void)state;
    uint8_t b[AUDIT_ENTRY_MAX];
    size_t n = sample_entry(b, 9);
    while (n + 2 <= sizeof b) {
        b[n++] = 0x48; /* field 9, varint */
        b[n++] = 0x01;
    }
    assert_int_equal(check_agreement(b, n), 1);
    uint64_t seq = 0;
    uint8_t prev[32];
    assert_int_equal(pbc_decode(b, n, &seq, prev), 1);
}

static void expect_peek_refuses(const uint8_t *p, size_t len)
{
    uint64_t seq = 0;
    const uint8_t *prev = NULL;
    assert_int_equal(custos__audit_entry_peek(p, len, &seq, &prev), -1);
}

static void test_peek_refuses_missing_required_fields(void **state)
{
    (void)state;
    uint8_t b[256];
    size_t n = sample_entry(b, 5);
    expect_peek_refuses(b, 0);
    /* drop the trailing prev_hash field (tag, length, 32 bytes) */
    expect_peek_refuses(b, n - 34);
}

static void test_peek_refuses_seq_zero_and_short_hashes(void **state)
{
    (void)state;
    static const uint8_t seq0[] = { 0x08, 0x00, 0x10, 0x01, 0x18, 0x01, 0x42, 0x20,
                                    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    expect_peek_refuses(seq0, sizeof seq0);
    static const uint8_t short_prev[] = { 0x08, 0x01, 0x10, 0x01, 0x18, 0x01, 0x42, 0x02, 0, 0 };
    expect_peek_refuses(short_prev, sizeof short_prev);
}

static void test_wire_refuses_overlong_varint_groups_and_field_zero(void **state)
{
    (void)state;
    audit_field f;
    static const uint8_t overlong[] = { 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
    audit_wire w = { overlong, overlong + sizeof overlong };
    assert_int_equal(custos__audit_wire_next(&w, &f), -1);
    static const uint8_t group[] = { 0x0b };
    w = (audit_wire){ group, group + 1 };
    assert_int_equal(custos__audit_wire_next(&w, &f), -1);
    static const uint8_t zero[] = { 0x02, 0x00 };
    w = (audit_wire){ zero, zero + 2 };
    assert_int_equal(custos__audit_wire_next(&w, &f), -1);
    static const uint8_t too_long[] = { 0x0a, 0x05, 1, 2 };
    w = (audit_wire){ too_long, too_long + sizeof too_long };
    assert_int_equal(custos__audit_wire_next(&w, &f), -1);
    w = (audit_wire){ too_long, too_long };
    assert_int_equal(custos__audit_wire_next(&w, &f), 0);
}

static void test_export_split_refuses_wrong_wire_type(void **state)
{
    (void)state;
    static const uint8_t varint_entry[] = { 0x08, 0x01 };
    audit_slice *e = NULL, *c = NULL;
    size_t ne = 0, nc = 0;
    assert_int_equal(custos__audit_export_split(varint_entry, sizeof varint_entry, &e, &ne, &c, &nc),
                     CUSTOS_ECORRUPT);
    assert_null(e);
    assert_null(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_peek_reads_seq_and_prev_hash),
        cmocka_unit_test(test_peek_accepts_no_bit_flip_protobuf_c_refuses),
        cmocka_unit_test(test_peek_accepts_no_truncation_protobuf_c_refuses),
        cmocka_unit_test(test_peek_accepts_no_random_damage_protobuf_c_refuses),
        cmocka_unit_test(test_entry_full_of_unknown_fields_is_read_by_both),
        cmocka_unit_test(test_peek_refuses_missing_required_fields),
        cmocka_unit_test(test_peek_refuses_seq_zero_and_short_hashes),
        cmocka_unit_test(test_wire_refuses_overlong_varint_groups_and_field_zero),
        cmocka_unit_test(test_export_split_refuses_wrong_wire_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
