/* Exporting the chain and verifying the export off the device. */
#include "test_audit_helpers.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

typedef struct fixture {
    char *dir;
    custos_t *ctx;
    uint8_t pk[32];
    uint8_t *x;
    size_t len;
} fixture;

static void export_into(fixture *f)
{
    free(f->x);
    assert_int_equal(custos_audit_export(f->ctx, NULL, 0, &f->len), CUSTOS_ERANGE);
    f->x = malloc(f->len);
    assert_int_equal(custos_audit_export(f->ctx, f->x, f->len, &f->len), CUSTOS_OK);
}

/* 8 entries, checkpoints at 4 and 8. */
static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = th_tmpdir("audit-export");
    f->ctx = th_open(f->dir);
    ta_sql(f->ctx, "PRAGMA synchronous=OFF");
    for (int i = 0; i < 3; i++)
        ta_append(f->ctx, CUSTOS_AUDIT_CONSENT_CHANGED, NULL, i, "given");
    assert_int_equal(custos_audit_checkpoint(f->ctx), CUSTOS_OK);
    for (int i = 0; i < 4; i++)
        ta_append(f->ctx, CUSTOS_AUDIT_ERASE, NULL, i, "subject");
    assert_int_equal(custos_audit_checkpoint(f->ctx), CUSTOS_OK);
    assert_int_equal(custos_device_public_key(f->ctx, f->pk), CUSTOS_OK);
    export_into(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    custos_close(f->ctx);
    th_tmpdir_remove(f->dir);
    free(f->x);
    free(f);
    return 0;
}

static int verify_bytes(const fixture *f, const uint8_t *x, size_t len, custos_audit_report *r)
{
    *r = (custos_audit_report)CUSTOS_AUDIT_REPORT_INIT;
    return custos_audit_verify_export(r, x, len, f->pk);
}

static void test_export_verifies_with_the_device_key(void **state)
{
    fixture *f = *state;
    custos_audit_report r;
    assert_int_equal(verify_bytes(f, f->x, f->len, &r), CUSTOS_OK);
    assert_int_equal(r.entries, 8);
    assert_int_equal(r.checkpoints, 2);
    assert_int_equal(r.last_checkpoint_seq, 8);
    assert_int_equal(r.unsigned_tail, 0);
}

static void test_export_is_an_audit_export_message(void **state)
{
    fixture *f = *state;
    Custos__V1__AuditExport *x = custos__v1__audit_export__unpack(NULL, f->len, f->x);
    assert_non_null(x);
    assert_int_equal(x->n_entries, 8);
    assert_int_equal(x->n_checkpoints, 2);
    size_t len = 0;
    uint8_t *row = ta_row(f->ctx, "audit_entry", 5, &len);
    assert_int_equal(x->entries[4].len, len);
    assert_memory_equal(x->entries[4].data, row, len);
    uint8_t id[16];
    assert_int_equal(custos_device_id(f->ctx, id), CUSTOS_OK);
    assert_memory_equal(x->device_id.data, id, 16);
    free(row);
    custos__v1__audit_export__free_unpacked(x, NULL);
}

static void test_export_into_small_buffer_is_erange_with_size(void **state)
{
    fixture *f = *state;
    uint8_t small[16];
    size_t need = 0;
    assert_int_equal(custos_audit_export(f->ctx, small, sizeof small, &need), CUSTOS_ERANGE);
    assert_int_equal(need, f->len);
    assert_non_null(strstr(custos_errmsg(f->ctx), "needs"));
    assert_int_equal(custos_audit_export(f->ctx, small, sizeof small, NULL), CUSTOS_EINVAL);
    assert_int_equal(custos_audit_export(NULL, small, sizeof small, &need), CUSTOS_EINVAL);
}

static void test_export_with_another_key_fails_on_the_first_checkpoint(void **state)
{
    fixture *f = *state;
    uint8_t sk[64];
    crypto_sign_keypair(f->pk, sk);
    custos_audit_report r;
    assert_int_equal(verify_bytes(f, f->x, f->len, &r), CUSTOS_ECORRUPT);
    assert_int_equal(r.failure, CUSTOS_AUDIT_CHECKPOINT_INVALID);
    assert_int_equal(r.failed_seq, 4);
    char want[128];
    snprintf(want, sizeof want, "%s at entry 4", custos_audit_failure_name(CUSTOS_AUDIT_CHECKPOINT_INVALID));
    assert_non_null(strstr(custos_last_error(), want));
}

static void test_garbage_export_is_export_malformed(void **state)
{
    fixture *f = *state;
    static const uint8_t junk[] = { 0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2 };
    custos_audit_report r;
    assert_int_equal(verify_bytes(f, junk, sizeof junk, &r), CUSTOS_ECORRUPT);
    assert_int_equal(r.failure, CUSTOS_AUDIT_EXPORT_MALFORMED);
}

static void test_verify_export_bad_arguments(void **state)
{
    fixture *f = *state;
    custos_audit_report r = CUSTOS_AUDIT_REPORT_INIT;
    assert_int_equal(custos_audit_verify_export(&r, NULL, 5, f->pk), CUSTOS_EINVAL);
    assert_int_equal(custos_audit_verify_export(&r, f->x, f->len, NULL), CUSTOS_EINVAL);
    assert_int_equal(custos_audit_verify_export(NULL, f->x, f->len, f->pk), CUSTOS_EINVAL);
    r.version = 0;
    assert_int_equal(custos_audit_verify_export(&r, f->x, f->len, f->pk), CUSTOS_EVERSION);
    assert_non_null(strstr(custos_last_error(), "another version"));
}

static void test_empty_export_verifies_as_empty_chain(void **state)
{
    fixture *f = *state;
    custos_audit_report r;
    assert_int_equal(verify_bytes(f, (const uint8_t *)"", 0, &r), CUSTOS_OK);
    assert_int_equal(r.entries, 0);
    assert_int_equal(r.checkpoints, 0);
}

/* The device_id field (tag, length, 16 bytes) comes last and is not
 * authenticated: it is informative only. */
#define DEVICE_ID_FIELD 18u

/* Cutting the export short never yields a chain that looks fully signed:
 * either it fails, or it reports fewer signed entries, or only the
 * unauthenticated device_id was cut. */
static void test_every_truncation_of_the_export_is_detected_or_unsigned(void **state)
{
    fixture *f = *state;
    for (size_t len = 0; len < f->len; len++) {
        custos_audit_report r;
        int rc = verify_bytes(f, f->x, len, &r);
        if (rc == CUSTOS_OK && len < f->len - DEVICE_ID_FIELD)
            assert_true(r.last_checkpoint_seq < 8);
        else if (rc != CUSTOS_OK)
            assert_int_equal(rc, CUSTOS_ECORRUPT);
    }
}

/* 1 if x holds exactly the entries of the original export. */
static int same_entries(const fixture *f, const uint8_t *x, size_t len)
{
    Custos__V1__AuditExport *a = custos__v1__audit_export__unpack(NULL, f->len, f->x);
    Custos__V1__AuditExport *b = custos__v1__audit_export__unpack(NULL, len, x);
    int same = a != NULL && b != NULL && a->n_entries == b->n_entries;
    for (size_t i = 0; same && i < a->n_entries; i++)
        same = a->entries[i].len == b->entries[i].len &&
               memcmp(a->entries[i].data, b->entries[i].data, a->entries[i].len) == 0;
    custos__v1__audit_export__free_unpacked(a, NULL);
    if (b != NULL)
        custos__v1__audit_export__free_unpacked(b, NULL);
    return same;
}

/* A flipped bit is either detected, or leaves a chain with fewer signed
 * entries, or touched only what is not evidence (device_id, a redundant
 * earlier checkpoint): the entries a verifier accepts as signed never differ.
 * One bit per byte (a different one in each byte), since each check costs
 * two signature verifications; test_audit_chain flips every bit of every
 * stored entry exhaustively. */
static void test_a_bit_flip_in_every_byte_of_the_export_is_detected(void **state)
{
    fixture *f = *state;
    uint8_t *m = malloc(f->len);
    size_t tried = 0, detected = 0;
    for (size_t bit = 0; bit < f->len * 8; bit += 9) {
        memcpy(m, f->x, f->len);
        m[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        custos_audit_report r;
        int rc = verify_bytes(f, m, f->len, &r);
        if (bit / 8 < f->len - DEVICE_ID_FIELD) {
            tried++;
            detected += rc != CUSTOS_OK;
        }
        if (rc == CUSTOS_OK && r.last_checkpoint_seq == 8 && !same_entries(f, m, f->len))
            fail_msg("flipping bit %zu of the export changed a signed entry unnoticed", bit);
    }
    free(m);
    assert_true(detected * 10 > tried * 9); /* the rest touched only framing that is no evidence */
}

static void test_export_of_a_tampered_store_names_the_same_entry(void **state)
{
    fixture *f = *state;
    ta_sql(f->ctx, "DELETE FROM audit_entry WHERE seq = 3");
    custos_audit_report in_store = CUSTOS_AUDIT_REPORT_INIT, exported;
    assert_int_equal(custos_audit_verify(f->ctx, &in_store), CUSTOS_ECORRUPT);
    export_into(f);
    assert_int_equal(verify_bytes(f, f->x, f->len, &exported), CUSTOS_ECORRUPT);
    assert_int_equal(in_store.failure, CUSTOS_AUDIT_ENTRY_REMOVED);
    assert_int_equal(exported.failure, in_store.failure);
    assert_int_equal(exported.failed_seq, 3);
    assert_int_equal(in_store.failed_seq, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_export_verifies_with_the_device_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_is_an_audit_export_message, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_into_small_buffer_is_erange_with_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_with_another_key_fails_on_the_first_checkpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_export_is_export_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_export_bad_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_export_verifies_as_empty_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_truncation_of_the_export_is_detected_or_unsigned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_bit_flip_in_every_byte_of_the_export_is_detected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_of_a_tampered_store_names_the_same_entry, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
