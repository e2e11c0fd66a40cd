/*
 * The flash store (two slots, sequence numbers, CRC), the report and
 * compact state, and the local erase with its receipt.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pb_decode.h>
#include <sodium.h>

#include "dev_format1.h"
#include "dev_internal.h"
#include "dev_test_util.h"

#define GIVEN custos_v1_ConsentStatus_CONSENT_GIVEN
#define REFUSED custos_v1_ConsentStatus_CONSENT_REFUSED
#define WITHDRAWN custos_v1_ConsentStatus_CONSENT_WITHDRAWN

static void apply_one(dt_env *e, uint32_t counter, custos_v1_ConsentChange c)
{
    uint8_t msg[CUSTOS_DEV_MESSAGE_MAX];
    size_t n = dt_update(e, msg, counter, &c, 1);
    assert_int_equal(custos_dev_apply_update(&e->dev, msg, n), 0);
}

static uint32_t slot_seq(const dt_env *e, unsigned slot)
{
    const uint8_t *p = e->port.image + slot * CUSTOS_DEV_SLOT_SIZE + 8; /* format 2 */
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16)
         | ((uint32_t)p[3] << 24);
}

static void test_writes_alternate_slots_with_rising_sequence(void **state)
{
    (void)state;
    dt_env e;
    dt_setup(&e, "alternate");            /* pairing wrote seq 1 to slot 0 */
    assert_int_equal(slot_seq(&e, 0), 1);
    apply_one(&e, 1, dt_change(0, 1, GIVEN, 0));
    assert_int_equal(slot_seq(&e, 1), 2);
    apply_one(&e, 2, dt_change(0, 2, GIVEN, 0));
    assert_int_equal(slot_seq(&e, 0), 3);
    assert_int_equal(e.dev.slot, 0);
    dt_teardown(&e);
}

static void test_mount_takes_the_highest_valid_sequence(void **state)
{
    (void)state;
    dt_env e;
    dt_setup(&e, "highest");
    apply_one(&e, 1, dt_change(0, 1, GIVEN, 0));      /* seq 2, slot 1 */
    dt_reboot(&e);
    assert_int_equal(e.dev.slot, 1);
    assert_int_equal(e.dev.seq, 2);
    assert_int_equal(custos_dev_check(&e.dev, 0, 1), 0);
    dt_teardown(&e);
}

static void test_corrupt_newest_slot_falls_back_to_previous_state(void **state)
{
    (void)state;
    dt_env e;
    dt_setup(&e, "fallback");
    apply_one(&e, 1, dt_change(0, 1, GIVEN, 0));      /* slot 1, seq 2 */
    e.port.image[CUSTOS_DEV_SLOT_SIZE + 40] ^= 0x01;  /* inside its ciphertext */
    dt_flush_image(&e);
    dt_reboot(&e);
    assert_int_equal(e.dev.slot, 0);
    assert_int_equal(e.dev.st.paired, 1);
    assert_int_equal(e.dev.stale, 1);
    assert_int_equal(e.dev.seq, 2);                   /* the damaged record's seq pair */
    assert_int_equal(custos_dev_check(&e.dev, 0, 1), CUSTOS_DEV_ESTALE);
    /* The next write replaces the corrupt record, never the live one, above
     * both sequence numbers, and ends the stale state. */
    apply_one(&e, 2, dt_change(0, 3, GIVEN, 0));
    assert_int_equal(e.dev.slot, 1);
    assert_int_equal(slot_seq(&e, 0), 1);
    assert_int_equal(slot_seq(&e, 1), 3);
    assert_int_equal(custos_dev_check(&e.dev, 0, 3), 0);
    dt_reboot(&e);
    assert_int_equal(e.dev.stale, 0);
    assert_int_equal(custos_dev_check(&e.dev, 0, 3), 0);
    dt_teardown(&e);
}

/* An update the device never received (counter 3: give (0, 2) again) is
 * replayed after the live record (counter 4, the withdrawal) was damaged:
 * the stale state keeps the damaged record's counter, so it is a replay. */
static void test_stale_state_refuses_updates_the_damaged_record_superseded(void **state)
{
    (void)state;
    dt_env e;
    uint8_t lost[CUSTOS_DEV_MESSAGE_MAX];
    custos_v1_ConsentChange c = dt_change(0, 2, GIVEN, 0);
    dt_setup(&e, "stalereplay");
    apply_one(&e, 1, dt_change(0, 1, GIVEN, 0));       /* slot 1 */
    apply_one(&e, 2, dt_change(0, 2, GIVEN, 0));       /* slot 0 */
    size_t n = dt_update(&e, lost, 3, &c, 1);          /* never delivered */
    apply_one(&e, 4, dt_change(0, 2, WITHDRAWN, 0));   /* slot 1: live */
    e.port.image[CUSTOS_DEV_SLOT_SIZE + 100] ^= 0x04;  /* its ciphertext */
    dt_flush_image(&e);
    dt_reboot(&e);
    assert_int_equal(e.dev.stale, 1);
    assert_int_equal(custos_dev_counter(&e.dev), 4);
    assert_int_equal(custos_dev_apply_update(&e.dev, lost, n), CUSTOS_DEV_EREPLAY);
    assert_int_equal(custos_dev_check(&e.dev, 0, 2), CUSTOS_DEV_ESTALE);
    apply_one(&e, 5, dt_change(0, 1, GIVEN, 0));       /* the app resends */
    assert_int_equal(e.dev.stale, 0);
    assert_int_equal(custos_dev_check(&e.dev, 0, 1), 0);
    assert_int_equal(custos_dev_check(&e.dev, 0, 2), CUSTOS_DEV_EDENIED);
    dt_teardown(&e);
}

/* Pairing (seq 1, slot 0), give (0, 1) (seq 2, slot 1), give (0, 2) (seq 3,
 * slot 0), withdraw (0, 2) (seq 4, slot 1: live). The older slot holds a
 * consent the live one withdrew. */
static void give_then_withdraw(dt_env *e)
{
    apply_one(e, 1, dt_change(0, 1, GIVEN, 0));
    apply_one(e, 2, dt_change(0, 2, GIVEN, 0));
    apply_one(e, 3, dt_change(0, 2, WITHDRAWN, 0));
    assert_int_equal(e->dev.slot, 1);
}

/* Checks answering 0 that the live state of give_then_withdraw denies:
 * only (0, 1) is given there. */
static int allowed_wrongly(const custos_dev_t *dev)
{
    int n = 0;
    for (unsigned s = 0; s < 2; s++)
        for (unsigned p = 0; p < 8; p++) {
            int truth = s == 0 && p == 1;
            n += custos_dev_check(dev, s, p) == 0 && !truth;
        }
    return n;
}

/* Every bit of both slots, one at a time. No flip may make the device allow
 * anything the live state denies; every flip that makes it fall back from
 * the live record must leave it stale. */
static void test_bit_flip_in_either_slot_never_reallows(void **state)
{
    (void)state;
    dt_env e;
    static uint8_t good[2 * CUSTOS_DEV_SLOT_SIZE];
    unsigned wrong = 0, live_fallbacks = 0, live_stale = 0, older_stale = 0, flips = 0;

    dt_setup(&e, "flips");
    give_then_withdraw(&e);
    memcpy(good, e.port.image, sizeof good);
    for (unsigned slot = 0; slot < 2; slot++)
        for (unsigned i = 0; i < CUSTOS_DEV_SLOT_SIZE * 8u; i++) {
            memcpy(e.port.image, good, sizeof good);
            e.port.image[slot * CUSTOS_DEV_SLOT_SIZE + i / 8] ^= (uint8_t)(1u << (i % 8));
            dt_flush_image(&e);
            dt_reboot(&e);
            wrong += (unsigned)allowed_wrongly(&e.dev);
            flips++;
            if (slot == 1 && e.dev.slot == 0) {
                live_fallbacks++;
                live_stale += e.dev.stale;
            }
            if (slot == 0)
                older_stale += e.dev.stale;
        }
    print_message("bit flips: %u, wrongly allowed: %u, fallbacks from the live slot: %u "
                  "(stale: %u), flips in the older slot that made it stale: %u\n",
                  flips, wrong, live_fallbacks, live_stale, older_stale);
    assert_int_equal(flips, 2u * CUSTOS_DEV_SLOT_SIZE * 8u);
    assert_int_equal(wrong, 0);
    assert_true(live_fallbacks > 0);
    assert_int_equal(live_stale, live_fallbacks);
    dt_teardown(&e);
}

/* One torn write at cut step k of the port (the step is left half done):
 * after the reboot the device holds the last committed state or the new
 * one, is not stale, and takes the next update. Returns 0 once k is past
 * the write's last step; else 1 (old state) or 2 (new state). */
static int torn_write_at(uint32_t page, long k)
{
    dt_env e;
    uint8_t msg[CUSTOS_DEV_MESSAGE_MAX];
    custos_v1_ConsentChange c = dt_change(0, 3, GIVEN, 0);
    size_t n;
    int rc, landed;

    dt_setup_paged(&e, "torn", page);
    give_then_withdraw(&e);          /* the write goes to slot 0, over given (0, 2) */
    n = dt_update(&e, msg, 4, &c, 1);
    custos_posix_cut_at(&e.port, custos_posix_steps(&e.port) + k);
    rc = custos_dev_apply_update(&e.dev, msg, n);
    if (rc == 0) {
        dt_teardown(&e);
        return 0;
    }
    assert_int_equal(rc, CUSTOS_DEV_EFLASH);
    dt_reboot(&e);
    landed = custos_dev_counter(&e.dev) == 4;
    assert_int_equal(custos_dev_counter(&e.dev), landed ? 4 : 3);
    assert_int_equal(e.dev.stale, 0);
    assert_int_equal(custos_dev_check(&e.dev, 0, 1), 0);
    assert_int_equal(custos_dev_check(&e.dev, 0, 2), CUSTOS_DEV_EDENIED);
    assert_int_equal(custos_dev_check(&e.dev, 0, 3), landed ? 0 : CUSTOS_DEV_ENOCONSENT);
    c = dt_change(0, 4, GIVEN, 0);
    n = dt_update(&e, msg, 5, &c, 1);
    assert_int_equal(custos_dev_apply_update(&e.dev, msg, n), 0);
    dt_reboot(&e);
    assert_int_equal(e.dev.stale, 0);
    assert_int_equal(custos_dev_check(&e.dev, 0, 4), 0);
    assert_int_equal(custos_dev_check(&e.dev, 0, 2), CUSTOS_DEV_EDENIED);
    dt_teardown(&e);
    return landed ? 2 : 1;
}

/* A power cut is not damage: at every step of the erase and the program of
 * the non-live slot, for several page sizes. */
static void test_write_cut_at_every_step_keeps_the_last_committed_state(void **state)
{
    (void)state;
    static const uint32_t pages[] = { 16, 32, 64, 128, 256, 512 };
    long cuts = 0, olds = 0, news = 0;
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++)
        for (long k = 0;; k++) {
            int r = torn_write_at(pages[i], k);
            if (r == 0)
                break;
            cuts++;
            olds += r == 1;
            news += r == 2;
        }
    print_message("torn writes: %ld cut points over 6 page sizes (%ld left the last committed "
                  "state, %ld the new one), none stale\n", cuts, olds, news);
    assert_true(cuts > 6 * 3);
}

/* Payload bytes (dev_store.c) of a paired state with (0, 1) given. */
static void payload_given(uint8_t plain[234], const uint8_t app_key[32], uint32_t counter)
{
    memset(plain, 0, 234);
    memcpy(plain, app_key, 32);
    plain[32] = 1;                        /* paired */
    dev_put32(plain + 65, counter);
    plain[73] = 0x02;                     /* given[0]: purpose 1 */
    plain[81] = 0x02;                     /* decided[0] */
}

/* Devices in the field hold format-1 records: they open after the update,
 * and the next write is format 2 in the other slot. */
static void test_format_1_record_of_older_firmware_still_opens(void **state)
{
    (void)state;
    dt_env e;
    uint8_t plain[234];
    dt_setup(&e, "format1");              /* pairing: slot 0, seq 1 */
    payload_given(plain, e.app_pk, 5);
    dt_plant_format1(&e, 1, 9, plain, sizeof plain);
    dt_reboot(&e);
    assert_int_equal(e.dev.slot, 1);
    assert_int_equal(e.dev.seq, 9);
    assert_int_equal(e.dev.stale, 0);
    assert_int_equal(custos_dev_counter(&e.dev), 5);
    assert_int_equal(custos_dev_check(&e.dev, 0, 1), 0);
    apply_one(&e, 6, dt_change(0, 2, GIVEN, 0));
    assert_int_equal(e.dev.slot, 0);
    assert_int_equal(slot_seq(&e, 0), 10);
    dt_reboot(&e);
    assert_int_equal(e.dev.slot, 0);
    assert_int_equal(e.dev.stale, 0);
    assert_int_equal(custos_dev_check(&e.dev, 0, 1), 0);
    assert_int_equal(custos_dev_check(&e.dev, 0, 2), 0);
    dt_teardown(&e);
}

/* A damaged format-1 live record has no commit word or seq pair to prove
 * it older: the fallback is stale. */
static void test_damaged_format_1_record_makes_the_fallback_stale(void **state)
{
    (void)state;
    dt_env e;
    uint8_t plain[234];
    dt_setup(&e, "format1bad");
    payload_given(plain, e.app_pk, 5);
    dt_plant_format1(&e, 1, 9, plain, sizeof plain);
    e.port.image[CUSTOS_DEV_SLOT_SIZE + 100] ^= 0x10;
    dt_flush_image(&e);
    dt_reboot(&e);
    assert_int_equal(e.dev.slot, 0);
    assert_int_equal(e.dev.stale, 1);
    assert_int_equal(custos_dev_check(&e.dev, 0, 1), CUSTOS_DEV_ESTALE);
    dt_teardown(&e);
}

/* Found by fuzz_device_store: a record that opens (right key) but names a
 * subject or purpose outside the configuration must not be loaded. */
static void test_authentic_record_with_out_of_range_expiry_is_ignored(void **state)
{
    (void)state;
    dt_env e;
    uint8_t plain[234];
    dt_setup(&e, "badtimed");             /* pairing: slot 0, seq 1 */
    memset(plain, 0, sizeof plain);
    plain[32] = 1;                        /* paired */
    plain[73 + 16 * CUSTOS_DEV_MAX_SUBJECTS] = 1;                 /* timed_count */
    plain[73 + 16 * CUSTOS_DEV_MAX_SUBJECTS + 1 + 4] = 200;       /* subject 200 */
    dt_plant_format1(&e, 1, 9, plain, sizeof plain);
    dt_reboot(&e);
    assert_int_equal(e.dev.slot, 0);      /* the older, sane record */
    assert_int_equal(e.dev.st.timed_count, 0);
    assert_int_equal(e.dev.seq, 9);
    dt_teardown(&e);
}

static void test_record_written_without_erase_is_reported_by_the_flash(void **state)
{
    (void)state;
    dt_env e;
    uint8_t zeros[4] = { 0 }, ones[4] = { 0xFF, 0xFF, 0xFF, 0xFF };
    dt_setup(&e, "nor");
    assert_int_equal(e.port.port.flash_program(e.port.port.ctx, 2 * DT_PAGE, zeros, 4), 0);
    assert_int_not_equal(e.port.port.flash_program(e.port.port.ctx, 2 * DT_PAGE, ones, 4), 0);
    assert_int_equal(e.port.image[2 * DT_PAGE], 0);
    dt_teardown(&e);
}

static void test_report_is_signed_and_decodes_with_nanopb(void **state)
{
    (void)state;
    dt_env e;
    uint8_t out[CUSTOS_DEV_MESSAGE_MAX], pk[32], sk[64];
    size_t len;
    custos_v1_SignedMessage m = custos_v1_SignedMessage_init_zero;
    custos_v1_ConsentStateReport r = custos_v1_ConsentStateReport_init_zero;
    dt_setup(&e, "report");
    crypto_sign_keypair(pk, sk);
    custos_posix_set_signing_key(&e.port, sk);
    apply_one(&e, 4, dt_change(3, 0, GIVEN, 0));
    apply_one(&e, 5, dt_change(3, 1, REFUSED, 0));
    assert_int_equal(custos_dev_encode_report(&e.dev, out, sizeof out, &len), 0);

    pb_istream_t is = pb_istream_from_buffer(out, len);
    assert_true(pb_decode(&is, custos_v1_SignedMessage_fields, &m));
    assert_int_equal(m.body_type, custos_v1_BodyType_BODY_CONSENT_STATE);
    assert_memory_equal(m.signer, pk, 32);
    assert_int_equal(crypto_sign_verify_detached(m.signature, m.body.bytes, m.body.size, pk), 0);
    is = pb_istream_from_buffer(m.body.bytes, m.body.size);
    assert_true(pb_decode(&is, custos_v1_ConsentStateReport_fields, &r));
    assert_memory_equal(r.device_id, e.device_id, 16);
    assert_int_equal(r.counter, 5);
    assert_int_equal(r.states_count, CUSTOS_DEV_MAX_SUBJECTS);
    assert_int_equal(r.states[3].given, 1);
    assert_int_equal(r.states[3].decided, 3);
    dt_teardown(&e);
}

static void test_report_without_signing_key_is_the_bare_body(void **state)
{
    (void)state;
    dt_env e;
    uint8_t out[CUSTOS_DEV_MESSAGE_MAX];
    size_t len;
    custos_v1_ConsentStateReport r = custos_v1_ConsentStateReport_init_zero;
    dt_setup(&e, "unsigned");
    assert_int_equal(custos_dev_encode_report(&e.dev, out, sizeof out, &len), 0);
    pb_istream_t is = pb_istream_from_buffer(out, len);
    assert_true(pb_decode(&is, custos_v1_ConsentStateReport_fields, &r));
    assert_int_equal(r.body_type, custos_v1_BodyType_BODY_CONSENT_STATE);
    dt_teardown(&e);
}

static void test_report_into_small_buffer_is_enospace(void **state)
{
    (void)state;
    dt_env e;
    uint8_t out[16];
    size_t len = 99;
    dt_setup(&e, "small");
    assert_int_equal(custos_dev_encode_report(&e.dev, out, sizeof out, &len), CUSTOS_DEV_ENOSPACE);
    assert_int_equal(len, 0);
    dt_teardown(&e);
}

static void test_compact_state_of_64_purposes_fits_32_bytes(void **state)
{
    (void)state;
    dt_env e;
    uint8_t out[64];
    size_t len;
    dt_setup(&e, "compact");
    e.dev.st.given[CUSTOS_DEV_MAX_SUBJECTS - 1] = ~(uint64_t)0;
    e.dev.st.decided[CUSTOS_DEV_MAX_SUBJECTS - 1] = ~(uint64_t)0;
    e.dev.st.counter = 0xFFFFFFFFu;
    e.dev.st.policy_version = 0xFFFFFFFFu;
    assert_int_equal(custos_dev_encode_compact(&e.dev, CUSTOS_DEV_MAX_SUBJECTS - 1, out,
                                               sizeof out, &len), 0);
    assert_true(len <= 32);
    custos_v1_CompactConsentState c = custos_v1_CompactConsentState_init_zero;
    pb_istream_t is = pb_istream_from_buffer(out, len);
    assert_true(pb_decode(&is, custos_v1_CompactConsentState_fields, &c));
    assert_true(c.given == ~(uint64_t)0);
    dt_teardown(&e);
}

static void test_expired_consent_is_reported_as_not_given(void **state)
{
    (void)state;
    dt_env e;
    uint8_t out[64];
    size_t len;
    custos_v1_CompactConsentState c = custos_v1_CompactConsentState_init_zero;
    dt_setup(&e, "repexp");
    custos_posix_set_clock(&e.port, 100);
    apply_one(&e, 1, dt_change(0, 6, GIVEN, 50));
    assert_int_equal(custos_dev_encode_compact(&e.dev, 0, out, sizeof out, &len), 0);
    pb_istream_t is = pb_istream_from_buffer(out, len);
    assert_true(pb_decode(&is, custos_v1_CompactConsentState_fields, &c));
    assert_true(c.given == 0);
    assert_true(c.decided == (uint64_t)1 << 6);
    dt_teardown(&e);
}

static void test_erase_forgets_state_and_pairing_and_signs_receipt(void **state)
{
    (void)state;
    dt_env e;
    uint8_t out[CUSTOS_DEV_MESSAGE_MAX], pk[32], sk[64];
    size_t len;
    custos_v1_SignedMessage m = custos_v1_SignedMessage_init_zero;
    custos_v1_DeletionReceipt d = custos_v1_DeletionReceipt_init_zero;
    dt_setup(&e, "erase");
    crypto_sign_keypair(pk, sk);
    custos_posix_set_signing_key(&e.port, sk);
    custos_posix_set_clock(&e.port, 1234);
    apply_one(&e, 1, dt_change(0, 1, GIVEN, 0));
    assert_int_equal(custos_dev_erase(&e.dev, out, sizeof out, &len), 0);
    assert_int_equal(custos_dev_check(&e.dev, 0, 1), CUSTOS_DEV_ENOCONSENT);
    for (unsigned i = 0; i < 2 * CUSTOS_DEV_SLOT_SIZE; i++)
        assert_int_equal(e.port.image[i], 0xFF);
    assert_int_equal(access(e.port.key_path, F_OK), -1);

    pb_istream_t is = pb_istream_from_buffer(out, len);
    assert_true(pb_decode(&is, custos_v1_SignedMessage_fields, &m));
    assert_int_equal(m.body_type, custos_v1_BodyType_BODY_DELETION_RECEIPT);
    assert_int_equal(crypto_sign_verify_detached(m.signature, m.body.bytes, m.body.size, pk), 0);
    is = pb_istream_from_buffer(m.body.bytes, m.body.size);
    assert_true(pb_decode(&is, custos_v1_DeletionReceipt_fields, &d));
    assert_int_equal(d.scope, custos_v1_EraseScope_ERASE_FACTORY_RESET);
    assert_int_equal(d.method, custos_v1_EraseMethod_ERASE_METHOD_CRYPTO_THEN_REMOVE);
    assert_true(d.verified);
    assert_int_equal(d.records_removed, 2);
    assert_int_equal(d.time, 1234);
    assert_memory_equal(d.device_id, e.device_id, 16);

    dt_reboot(&e);
    assert_int_equal(e.dev.st.paired, 0);
    assert_int_equal(custos_dev_pair(&e.dev, e.app_pk), 0);
    dt_teardown(&e);
}

static void test_erase_needs_room_for_its_receipt_first(void **state)
{
    (void)state;
    dt_env e;
    uint8_t out[100];
    size_t len;
    dt_setup(&e, "erasesmall");
    assert_int_equal(custos_dev_erase(&e.dev, out, sizeof out, &len), CUSTOS_DEV_ENOSPACE);
    assert_int_equal(e.dev.st.paired, 1);
    dt_teardown(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writes_alternate_slots_with_rising_sequence),
        cmocka_unit_test(test_mount_takes_the_highest_valid_sequence),
        cmocka_unit_test(test_corrupt_newest_slot_falls_back_to_previous_state),
        cmocka_unit_test(test_stale_state_refuses_updates_the_damaged_record_superseded),
        cmocka_unit_test(test_bit_flip_in_either_slot_never_reallows),
        cmocka_unit_test(test_write_cut_at_every_step_keeps_the_last_committed_state),
        cmocka_unit_test(test_format_1_record_of_older_firmware_still_opens),
        cmocka_unit_test(test_damaged_format_1_record_makes_the_fallback_stale),
        cmocka_unit_test(test_authentic_record_with_out_of_range_expiry_is_ignored),
        cmocka_unit_test(test_record_written_without_erase_is_reported_by_the_flash),
        cmocka_unit_test(test_report_is_signed_and_decodes_with_nanopb),
        cmocka_unit_test(test_report_without_signing_key_is_the_bare_body),
        cmocka_unit_test(test_report_into_small_buffer_is_enospace),
        cmocka_unit_test(test_compact_state_of_64_purposes_fits_32_bytes),
        cmocka_unit_test(test_expired_consent_is_reported_as_not_given),
        cmocka_unit_test(test_erase_forgets_state_and_pairing_and_signs_receipt),
        cmocka_unit_test(test_erase_needs_room_for_its_receipt_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
