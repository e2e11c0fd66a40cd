/*
 * target_suite.c: the device layer's behaviour on the emulated Cortex-M
 * cores, on the bare-metal port (device/port/baremetal) with libsodium built
 * for the core: open, pair, the gate, updates (and every kind of refused
 * update), the report and the compact state, erase, reboot, and the
 * power-cut matrix over apply, pair and erase. Stack use of each public
 * function is measured by painting and checked against the budget; the
 * host side (device/target/run.py) checks the output and the images.
 *
 * Output (semihosting): "PASS name" / "FAIL name" per test, "STACK fn n"
 * per public function, "RESULT passed total"; the exit status is 0 only
 * when every test passed.
 */
#include <string.h>

#include <pb_decode.h>

#include "crypto_sign_ed25519.h"
#include "semihost.h"
#include "stack.h"
#include "target_util.h"

#define GIVEN custos_v1_ConsentStatus_CONSENT_GIVEN
#define WITHDRAWN custos_v1_ConsentStatus_CONSENT_WITHDRAWN
#define REFUSED custos_v1_ConsentStatus_CONSENT_REFUSED

/* The layer's own budget (device/FOOTPRINT.md) plus what the port's crypto
 * adds below it on the target: libsodium's ref10 Ed25519 verify and
 * XChaCha20-Poly1305. */
#define STACK_BUDGET 4096u

static tt_env E;
static uint8_t msg[CUSTOS_DEV_MESSAGE_MAX];
static uint8_t out[CUSTOS_DEV_MESSAGE_MAX];

static int apply(uint32_t counter, custos_v1_ConsentChange c)
{
    int rc;
    size_t n = tt_update(&E, msg, counter, &c, 1);
    if (n == 0)
        return -1000;
    TT_MEASURE(TS_APPLY, rc, custos_dev_apply_update(&E.dev, msg, n));
    return rc;
}

static int check(unsigned s, unsigned p)
{
    int rc;
    TT_MEASURE(TS_CHECK, rc, custos_dev_check(&E.dev, s, p));
    return rc;
}

static void test_blank_flash_opens_empty_and_unpaired(void)
{
    custos_bm_format(tt_flash, TT_PAGE);
    TT_EQ(custos_bm_open(&E.port, tt_flash, TT_PAGE), 0);
    TT_EQ(custos_dev_open(&E.dev, &E.port.port, E.device_id, TT_DECLARED), 0);
    TT_EQ(E.dev.st.paired, 0);
    TT_EQ(custos_dev_counter(&E.dev), 0);
    TT_EQ(check(0, 1), CUSTOS_DEV_ENOCONSENT);
    crypto_sign_ed25519_keypair(E.app_pk, E.app_sk);
    size_t n = tt_update(&E, msg, 1, (custos_v1_ConsentChange[]){ tt_change(0, 1, GIVEN, 0) }, 1);
    TT_EQ(custos_dev_apply_update(&E.dev, msg, n), CUSTOS_DEV_ENOTPAIRED);
}

static void test_port_refuses_bad_arguments(void)
{
    custos_bm_port p;
    TT_EQ(custos_bm_open(&p, NULL, TT_PAGE), -1);
    TT_EQ(custos_bm_open(&p, tt_flash, 0), -1);
    TT_EQ(custos_bm_open(&p, tt_flash, 100), -1);   /* does not divide the slot */
    TT_EQ(custos_bm_open(&p, tt_flash, 8), -1);     /* below 16 bytes */
    TT_EQ(custos_bm_open(&p, tt_flash, TT_PAGE), 0);
    uint8_t zeros[4] = { 0 }, ones[4] = { 0xFF, 0xFF, 0xFF, 0xFF };
    custos_bm_format(tt_flash, TT_PAGE);
    TT_EQ(p.port.flash_program(p.port.ctx, 2 * TT_PAGE, zeros, 4), 0);
    TT_TRUE(p.port.flash_program(p.port.ctx, 2 * TT_PAGE, ones, 4) != 0); /* no erase */
    TT_TRUE(p.port.flash_program(p.port.ctx, TT_PAGE - 2, zeros, 4) != 0); /* spans pages */
    TT_TRUE(p.port.flash_erase_page(p.port.ctx, 3) != 0);                /* unaligned */
    TT_TRUE(p.port.flash_read(p.port.ctx, 2 * CUSTOS_DEV_SLOT_SIZE, out, 1) != 0);
    custos_bm_close(&p);
}

static void test_pairing_persists_and_second_pairing_is_refused(void)
{
    int rc;
    tt_setup(&E);
    TT_EQ(tt_failed, 0);
    TT_MEASURE(TS_PAIR, rc, custos_dev_pair(&E.dev, E.app_pk));
    TT_EQ(rc, CUSTOS_DEV_EPAIRED);
    TT_EQ(tt_reboot(&E), 0);
    TT_EQ(E.dev.st.paired, 1);
    TT_EQ(memcmp(E.dev.st.app_key, E.app_pk, 32), 0);
    tt_teardown(&E);
}

static void test_given_consent_allows_only_that_subject_and_purpose(void)
{
    tt_setup(&E);
    TT_EQ(apply(1, tt_change(1, 63, GIVEN, 0)), 0);
    TT_EQ(check(1, 63), 0);
    TT_EQ(check(0, 63), CUSTOS_DEV_ENOCONSENT);
    TT_EQ(check(1, 62), CUSTOS_DEV_ENOCONSENT);
    TT_EQ(check(CUSTOS_DEV_MAX_SUBJECTS, 0), CUSTOS_DEV_ESUBJECT);
    TT_EQ(check(0, 64), CUSTOS_DEV_EPURPOSE);
    TT_EQ(apply(2, tt_change(1, 63, WITHDRAWN, 0)), 0);
    TT_EQ(check(1, 63), CUSTOS_DEV_EDENIED);
    tt_teardown(&E);
}

static void test_state_survives_reboot(void)
{
    tt_setup(&E);
    TT_EQ(apply(7, tt_change(2, 5, GIVEN, 0)), 0);
    TT_EQ(apply(8, tt_change(2, 6, REFUSED, 0)), 0);
    TT_EQ(tt_reboot(&E), 0);
    TT_EQ(custos_dev_counter(&E.dev), 8);
    TT_EQ(check(2, 5), 0);
    TT_EQ(check(2, 6), CUSTOS_DEV_EDENIED);
    tt_teardown(&E);
}

static void test_junk_and_truncated_updates_are_refused_unchanged(void)
{
    tt_setup(&E);
    TT_EQ(apply(1, tt_change(0, 1, GIVEN, 0)), 0);
    size_t n = tt_update(&E, msg, 2, (custos_v1_ConsentChange[]){ tt_change(0, 1, REFUSED, 0) }, 1);
    TT_TRUE(n > 10);
    TT_EQ(custos_dev_apply_update(&E.dev, msg, n - 1), CUSTOS_DEV_EDECODE);
    memset(out, 0x5A, sizeof out);
    TT_EQ(custos_dev_apply_update(&E.dev, out, 64), CUSTOS_DEV_EDECODE);
    TT_EQ(custos_dev_apply_update(&E.dev, msg, CUSTOS_DEV_MESSAGE_MAX + 1), CUSTOS_DEV_ETOOBIG);
    TT_EQ(custos_dev_apply_update(&E.dev, NULL, n), CUSTOS_DEV_EINVAL);
    TT_EQ(custos_dev_counter(&E.dev), 1);
    TT_EQ(check(0, 1), 0);
    tt_teardown(&E);
}

static void test_forged_updates_are_refused_by_cause(void)
{
    uint8_t pk[32], sk[64];
    tt_setup(&E);
    custos_v1_ConsentChange c = tt_change(0, 3, GIVEN, 0);
    size_t n = tt_update(&E, msg, 5, &c, 1);
    TT_TRUE(n > 0);
    msg[n - 101] ^= 0x01; /* the body's last byte (signer and signature follow) */
    TT_EQ(custos_dev_apply_update(&E.dev, msg, n), CUSTOS_DEV_ESIGNATURE);

    crypto_sign_ed25519_keypair(pk, sk);
    memcpy(E.app_sk, sk, 64); /* signed by a key the device never paired */
    n = tt_update(&E, msg, 5, &c, 1);
    TT_EQ(custos_dev_apply_update(&E.dev, msg, n), CUSTOS_DEV_ESIGNER);
    TT_EQ(check(0, 3), CUSTOS_DEV_ENOCONSENT);
    custos_dev_wipe(sk, sizeof sk);
    tt_teardown(&E);
}

static void test_replay_other_device_and_undeclared_purpose_are_refused(void)
{
    tt_setup(&E);
    TT_EQ(apply(4, tt_change(0, 1, GIVEN, 0)), 0);
    TT_EQ(apply(4, tt_change(0, 2, GIVEN, 0)), CUSTOS_DEV_EREPLAY);
    TT_EQ(apply(3, tt_change(0, 2, GIVEN, 0)), CUSTOS_DEV_EREPLAY);
    E.device_id[0] ^= 1;
    TT_EQ(apply(5, tt_change(0, 2, GIVEN, 0)), CUSTOS_DEV_EDEVICE);
    E.device_id[0] ^= 1;
    custos_dev_close(&E.dev);
    TT_EQ(custos_dev_open(&E.dev, &E.port.port, E.device_id, 0x7ull), 0);
    TT_EQ(apply(5, tt_change(0, 9, GIVEN, 0)), CUSTOS_DEV_EPURPOSE);
    TT_EQ(apply(5, tt_change(CUSTOS_DEV_MAX_SUBJECTS, 1, GIVEN, 0)), CUSTOS_DEV_ESUBJECT);
    TT_EQ(apply(5, tt_change(0, 1, (custos_v1_ConsentStatus)99, 0)), CUSTOS_DEV_ESTATUS);
    TT_EQ(custos_dev_counter(&E.dev), 4);
    tt_teardown(&E);
}

static void test_expiry_follows_the_port_clock(void)
{
    tt_setup(&E);
    custos_bm_set_clock(&E.port, 1000);
    TT_EQ(apply(1, tt_change(0, 4, GIVEN, 2000)), 0);
    TT_EQ(check(0, 4), 0);
    custos_bm_set_clock(&E.port, 2000);
    TT_EQ(check(0, 4), CUSTOS_DEV_EEXPIRED);
    custos_bm_set_clock(&E.port, 0);   /* clock unknown: fails closed */
    TT_EQ(check(0, 4), CUSTOS_DEV_EEXPIRED);
    tt_teardown(&E);
}

static void test_compact_state_decodes_to_the_bits(void)
{
    int rc;
    size_t len = 0;
    custos_v1_CompactConsentState s = custos_v1_CompactConsentState_init_zero;
    tt_setup(&E);
    TT_EQ(apply(9, tt_change(1, 0, GIVEN, 0)), 0);
    TT_EQ(apply(10, tt_change(1, 63, REFUSED, 0)), 0);
    TT_MEASURE(TS_COMPACT, rc, custos_dev_encode_compact(&E.dev, 1, out, sizeof out, &len));
    TT_EQ(rc, 0);
    TT_TRUE(len <= 32);
    pb_istream_t is = pb_istream_from_buffer(out, len);
    TT_TRUE(pb_decode(&is, custos_v1_CompactConsentState_fields, &s));
    TT_TRUE(s.given == 1ull);
    TT_TRUE(s.decided == (1ull | (1ull << 63)));
    TT_EQ(s.counter, 10);
    TT_EQ(custos_dev_encode_compact(&E.dev, 1, out, 4, &len), CUSTOS_DEV_ENOSPACE);
    TT_EQ(custos_dev_encode_compact(&E.dev, CUSTOS_DEV_MAX_SUBJECTS, out, sizeof out, &len),
          CUSTOS_DEV_ESUBJECT);
    tt_teardown(&E);
}

static void test_report_is_signed_on_the_target(void)
{
    static custos_v1_SignedMessage m;
    static custos_v1_ConsentStateReport r;
    uint8_t pk[32], sk[64];
    size_t len = 0;
    int rc;
    tt_setup(&E);
    crypto_sign_ed25519_keypair(pk, sk);
    custos_bm_set_signing_key(&E.port, sk);
    TT_EQ(apply(4, tt_change(3, 0, GIVEN, 0)), 0);
    TT_EQ(apply(5, tt_change(3, 1, REFUSED, 0)), 0);
    TT_MEASURE(TS_REPORT, rc, custos_dev_encode_report(&E.dev, out, sizeof out, &len));
    TT_EQ(rc, 0);
    memset(&m, 0, sizeof m);
    memset(&r, 0, sizeof r);
    pb_istream_t is = pb_istream_from_buffer(out, len);
    TT_TRUE(pb_decode(&is, custos_v1_SignedMessage_fields, &m));
    TT_EQ(m.body_type, custos_v1_BodyType_BODY_CONSENT_STATE);
    TT_EQ(memcmp(m.signer, pk, 32), 0);
    TT_EQ(crypto_sign_ed25519_verify_detached(m.signature, m.body.bytes, m.body.size, pk), 0);
    is = pb_istream_from_buffer(m.body.bytes, m.body.size);
    TT_TRUE(pb_decode(&is, custos_v1_ConsentStateReport_fields, &r));
    TT_EQ(r.counter, 5);
    TT_EQ(r.states_count, CUSTOS_DEV_MAX_SUBJECTS);
    TT_TRUE(r.states[3].given == 1 && r.states[3].decided == 3);
    TT_EQ(custos_dev_encode_report(&E.dev, out, 16, &len), CUSTOS_DEV_ENOSPACE);
    custos_dev_wipe(sk, sizeof sk);
    tt_teardown(&E);
}

static void test_erase_destroys_the_key_and_unpairs(void)
{
    static custos_v1_SignedMessage m;
    static custos_v1_DeletionReceipt d;
    uint8_t pk[32], sk[64];
    size_t len = 0;
    int rc;
    tt_setup(&E);
    crypto_sign_ed25519_keypair(pk, sk);
    custos_bm_set_signing_key(&E.port, sk);
    TT_EQ(apply(3, tt_change(0, 2, GIVEN, 0)), 0);
    TT_EQ(custos_dev_erase(&E.dev, out, CUSTOS_DEV_MESSAGE_MAX - 1, &len), CUSTOS_DEV_ENOSPACE);
    TT_EQ(check(0, 2), 0);                      /* nothing erased without its receipt */
    TT_MEASURE(TS_ERASE, rc, custos_dev_erase(&E.dev, out, sizeof out, &len));
    TT_EQ(rc, 0);
    memset(&m, 0, sizeof m);
    memset(&d, 0, sizeof d);
    pb_istream_t is = pb_istream_from_buffer(out, len);
    TT_TRUE(pb_decode(&is, custos_v1_SignedMessage_fields, &m));
    TT_EQ(m.body_type, custos_v1_BodyType_BODY_DELETION_RECEIPT);
    TT_EQ(crypto_sign_ed25519_verify_detached(m.signature, m.body.bytes, m.body.size, pk), 0);
    is = pb_istream_from_buffer(m.body.bytes, m.body.size);
    TT_TRUE(pb_decode(&is, custos_v1_DeletionReceipt_fields, &d));
    TT_EQ(d.scope, custos_v1_EraseScope_ERASE_FACTORY_RESET);
    TT_TRUE(d.verified);
    TT_EQ(memcmp(d.device_id, E.device_id, 16), 0);
    for (uint32_t i = 0; i < 2u * CUSTOS_DEV_SLOT_SIZE + TT_PAGE; i++)
        TT_EQ(tt_flash[i], 0xFF);                /* slots and key page blank */
    TT_EQ(tt_reboot(&E), 0);
    TT_EQ(E.dev.st.paired, 0);
    TT_EQ(check(0, 2), CUSTOS_DEV_ENOCONSENT);
    custos_dev_wipe(sk, sizeof sk);
    tt_teardown(&E);
}

/* Power cut at every flash step k of an update: after the reboot the state
 * is the old one or the new one, never a third, and the update then
 * applies (or is a replay, when it had landed). */
static void test_power_cut_matrix_apply(void)
{
    long k, cuts = 0;
    for (k = 0;; k++) {
        tt_setup(&E);
        TT_EQ(apply(1, tt_change(0, 1, GIVEN, 0)), 0);
        custos_v1_ConsentChange c[2] = { tt_change(0, 1, WITHDRAWN, 0), tt_change(1, 2, GIVEN, 0) };
        size_t n = tt_update(&E, msg, 2, c, 2);
        custos_bm_cut_at(&E.port, custos_bm_steps(&E.port) + k);
        int rc = custos_dev_apply_update(&E.dev, msg, n);
        if (rc == 0 && E.port.powered) {
            tt_teardown(&E);
            break;                                  /* k passed the last step */
        }
        cuts++;
        TT_EQ(tt_reboot(&E), 0);
        uint32_t ctr = custos_dev_counter(&E.dev);
        TT_TRUE(ctr == 1 || ctr == 2);
        if (ctr == 1) {
            TT_EQ(check(0, 1), 0);
            TT_EQ(check(1, 2), CUSTOS_DEV_ENOCONSENT);
            TT_EQ(custos_dev_apply_update(&E.dev, msg, n), 0);
        } else {
            TT_EQ(custos_dev_apply_update(&E.dev, msg, n), CUSTOS_DEV_EREPLAY);
        }
        TT_EQ(check(0, 1), CUSTOS_DEV_EDENIED);
        TT_EQ(check(1, 2), 0);
        tt_teardown(&E);
    }
    TT_TRUE(cuts >= 2);
    sh_puts("  apply: cut at each of ");
    sh_putu((uint32_t)cuts);
    sh_puts(" flash steps\n");
}

/* Power cut at every flash step of erase: the old state or the erased one. */
static void test_power_cut_matrix_erase(void)
{
    long k, cuts = 0;
    size_t len;
    for (k = 0;; k++) {
        tt_setup(&E);
        TT_EQ(apply(1, tt_change(0, 1, GIVEN, 0)), 0);
        custos_bm_cut_at(&E.port, custos_bm_steps(&E.port) + k);
        int rc = custos_dev_erase(&E.dev, out, sizeof out, &len);
        if (rc == 0 && E.port.powered) {
            tt_teardown(&E);
            break;
        }
        cuts++;
        TT_EQ(tt_reboot(&E), 0);
        if (E.dev.st.paired) {
            TT_EQ(custos_dev_counter(&E.dev), 1);
            TT_EQ(check(0, 1), 0);
            TT_EQ(custos_dev_erase(&E.dev, out, sizeof out, &len), 0);   /* erase again */
            TT_EQ(tt_reboot(&E), 0);
        }
        TT_EQ(E.dev.st.paired, 0);
        TT_EQ(check(0, 1), CUSTOS_DEV_ENOCONSENT);
        tt_teardown(&E);
    }
    TT_TRUE(cuts >= 2);
    sh_puts("  erase: cut at each of ");
    sh_putu((uint32_t)cuts);
    sh_puts(" flash steps\n");
}

/* Power cut at every flash step of pairing: unpaired or paired. */
static void test_power_cut_matrix_pair(void)
{
    long k, cuts = 0;
    for (k = 0;; k++) {
        tt_setup(&E);
        TT_EQ(custos_dev_erase(&E.dev, out, sizeof out, &(size_t){ 0 }), 0);
        custos_bm_cut_at(&E.port, custos_bm_steps(&E.port) + k);
        int rc = custos_dev_pair(&E.dev, E.app_pk);
        if (rc == 0 && E.port.powered) {
            tt_teardown(&E);
            break;
        }
        cuts++;
        TT_EQ(tt_reboot(&E), 0);
        if (!E.dev.st.paired)
            TT_EQ(custos_dev_pair(&E.dev, E.app_pk), 0);
        TT_EQ(apply(1, tt_change(0, 1, GIVEN, 0)), 0);
        tt_teardown(&E);
    }
    TT_TRUE(cuts >= 1);
    sh_puts("  pair: cut at each of ");
    sh_putu((uint32_t)cuts);
    sh_puts(" flash steps\n");
}

static void test_stack_of_each_public_function_is_within_budget(void)
{
    for (int i = 0; i < TS_COUNT; i++) {
        sh_puts("STACK ");
        sh_puts(tt_stack_name[i]);
        sh_puts(" ");
        sh_putu(tt_stack[i]);
        sh_puts("\n");
        if (i != TS_CLOSE)
            TT_TRUE(tt_stack[i] > 0);     /* measured, not missed */
        TT_TRUE(tt_stack[i] <= STACK_BUDGET);
    }
    sh_puts("STACK deepest ");
    sh_putu(tt_stack_deepest);
    sh_puts(" of ");
    sh_putu(stack_size());
    sh_puts("\n");
    TT_TRUE(tt_stack_deepest < stack_size());
}

typedef struct {
    const char *name;
    void (*fn)(void);
} tt_case;

#define CASE(f) { #f, f }
static const tt_case cases[] = {
    CASE(test_blank_flash_opens_empty_and_unpaired),
    CASE(test_port_refuses_bad_arguments),
    CASE(test_pairing_persists_and_second_pairing_is_refused),
    CASE(test_given_consent_allows_only_that_subject_and_purpose),
    CASE(test_state_survives_reboot),
    CASE(test_junk_and_truncated_updates_are_refused_unchanged),
    CASE(test_forged_updates_are_refused_by_cause),
    CASE(test_replay_other_device_and_undeclared_purpose_are_refused),
    CASE(test_expiry_follows_the_port_clock),
    CASE(test_compact_state_decodes_to_the_bits),
    CASE(test_report_is_signed_on_the_target),
    CASE(test_erase_destroys_the_key_and_unpairs),
    CASE(test_power_cut_matrix_apply),
    CASE(test_power_cut_matrix_erase),
    CASE(test_power_cut_matrix_pair),
    CASE(test_stack_of_each_public_function_is_within_budget),  /* last: reads the others */
};

int main(void)
{
    static const uint8_t seed[32] = { 'c', 'u', 's', 't', 'o', 's', '-', 'q', 'e', 'm', 'u' };
    unsigned passed = 0, total = (unsigned)(sizeof cases / sizeof cases[0]);
    custos_bm_rng_seed(seed);
    sh_puts("custos device target suite, seed ");
    sh_puthex(seed, sizeof seed);
    sh_puts("\n");
    for (unsigned i = 0; i < total; i++) {
        tt_failed = 0;
        cases[i].fn();
        sh_puts(tt_failed ? "FAIL " : "PASS ");
        sh_puts(cases[i].name);
        sh_puts("\n");
        passed += tt_failed ? 0u : 1u;
        custos_dev_wipe(&E, sizeof E);
    }
    sh_puts("RESULT ");
    sh_putu(passed);
    sh_puts(" ");
    sh_putu(total);
    sh_puts("\n");
    return passed == total ? 0 : 1;
}
