/*
 * The device layer's error paths: bad arguments, incomplete ports, a port
 * whose flash or crypto fails at a chosen call, records whose framing is
 * damaged, and wire bytes that the walker must refuse with their own code.
 * Every failure must leave the live state (RAM and flash) as it was.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pb_decode.h>
#include <pb_encode.h>
#include <sodium.h>

#include "dev_format1.h"
#include "dev_internal.h"
#include "dev_test_util.h"

#define GIVEN custos_v1_ConsentStatus_CONSENT_GIVEN

/* ---- a port that fails on request, over the POSIX port ---- */

typedef struct fport {
    custos_dev_port port;         /* what the device is given; ctx = this */
    const custos_dev_port *inner;
    long reads, programs, erases; /* calls so far */
    long fail_read_from;          /* 0: never; k: the k-th call and every later one */
    long fail_program_from;
    long fail_erase_from;
    int fail_random, fail_seal, fail_destroy, fail_sign;
    int program_drops;            /* program reports success but writes nothing */
    int erase_noop;               /* erase reports success but erases nothing */
    int destroy_noop;             /* key destroy reports success but keeps the key */
    uint8_t sign_sk[64];
} fport;

static int f_read(void *ctx, uint32_t off, uint8_t *buf, size_t len)
{
    fport *f = ctx;
    if (f->fail_read_from && ++f->reads >= f->fail_read_from)
        return -1;
    return f->inner->flash_read(f->inner->ctx, off, buf, len);
}

static int f_program(void *ctx, uint32_t off, const uint8_t *buf, size_t len)
{
    fport *f = ctx;
    if (f->fail_program_from && ++f->programs >= f->fail_program_from)
        return -1;
    if (f->program_drops)
        return 0;
    return f->inner->flash_program(f->inner->ctx, off, buf, len);
}

static int f_erase(void *ctx, uint32_t page_off)
{
    fport *f = ctx;
    if (f->fail_erase_from && ++f->erases >= f->fail_erase_from)
        return -1;
    if (f->erase_noop)
        return 0;
    return f->inner->flash_erase_page(f->inner->ctx, page_off);
}

static int f_seal(void *ctx, uint8_t *out, const uint8_t *in, size_t len, const uint8_t *ad,
                  size_t ad_len, const uint8_t nonce[24])
{
    fport *f = ctx;
    if (f->fail_seal)
        return -1;
    return f->inner->aead_seal(f->inner->ctx, out, in, len, ad, ad_len, nonce);
}

static int f_open(void *ctx, uint8_t *out, const uint8_t *in, size_t len, const uint8_t *ad,
                  size_t ad_len, const uint8_t nonce[24])
{
    fport *f = ctx;
    return f->inner->aead_open(f->inner->ctx, out, in, len, ad, ad_len, nonce);
}

static int f_destroy(void *ctx)
{
    fport *f = ctx;
    if (f->fail_destroy)
        return -1;
    if (f->destroy_noop)
        return 0;
    return f->inner->key_destroy(f->inner->ctx);
}

static int f_verify(void *ctx, const uint8_t sig[64], const uint8_t *msg, size_t len,
                    const uint8_t pk[32])
{
    fport *f = ctx;
    return f->inner->ed25519_verify(f->inner->ctx, sig, msg, len, pk);
}

static int f_sign(void *ctx, uint8_t sig[64], uint8_t pk[32], const uint8_t *msg, size_t len)
{
    fport *f = ctx;
    if (f->fail_sign)
        return -1;
    memcpy(pk, f->sign_sk + 32, 32);
    return crypto_sign_detached(sig, NULL, msg, len, f->sign_sk);
}

static int f_random(void *ctx, uint8_t *buf, size_t len)
{
    fport *f = ctx;
    if (f->fail_random)
        return -1;
    return f->inner->random(f->inner->ctx, buf, len);
}

static uint64_t f_now(void *ctx)
{
    fport *f = ctx;
    return f->inner->now(f->inner->ctx);
}

/* Wrap e's port; reopen e's device on the wrapper. */
static void fport_attach(fport *f, dt_env *e)
{
    memset(f, 0, sizeof *f);
    f->inner = &e->port.port;
    f->port.ctx = f;
    f->port.page_size = e->port.port.page_size;
    f->port.flash_read = f_read;
    f->port.flash_program = f_program;
    f->port.flash_erase_page = f_erase;
    f->port.aead_seal = f_seal;
    f->port.aead_open = f_open;
    f->port.key_destroy = f_destroy;
    f->port.ed25519_verify = f_verify;
    f->port.random = f_random;
    f->port.now = f_now;
    custos_dev_close(&e->dev);
    assert_int_equal(custos_dev_open(&e->dev, &f->port, e->device_id, e->declared), 0);
}

/* A fresh flash file and a device on it, not paired. */
static void setup_unpaired(dt_env *e, const char *tag)
{
    dt_setup(e, tag);
    dt_teardown(e);
    assert_int_equal(custos_posix_open(&e->port, e->path, DT_PAGE), 0);
    assert_int_equal(custos_dev_open(&e->dev, &e->port.port, e->device_id, e->declared), 0);
    assert_int_equal(e->dev.st.paired, 0);
}

/* ---- arguments and ports ---- */

static void test_open_refuses_null_arguments_and_incomplete_ports(void **state)
{
    (void)state;
    dt_env e;
    custos_dev_t dev;
    dt_setup(&e, "openargs");
    const custos_dev_port good = e.port.port;
    assert_int_equal(custos_dev_open(NULL, &good, e.device_id, 1), CUSTOS_DEV_EINVAL);
    assert_int_equal(custos_dev_open(&dev, NULL, e.device_id, 1), CUSTOS_DEV_EINVAL);
    assert_int_equal(custos_dev_open(&dev, &good, NULL, 1), CUSTOS_DEV_EINVAL);
    for (int i = 0; i < 11; i++) {
        custos_dev_port p = good;
        switch (i) {
        case 0: p.flash_read = NULL; break;
        case 1: p.flash_program = NULL; break;
        case 2: p.flash_erase_page = NULL; break;
        case 3: p.aead_seal = NULL; break;
        case 4: p.aead_open = NULL; break;
        case 5: p.key_destroy = NULL; break;
        case 6: p.ed25519_verify = NULL; break;
        case 7: p.random = NULL; break;
        case 8: p.now = NULL; break;
        case 9: p.page_size = 0; break;
        default: p.page_size = 100; break;  /* does not divide the slot */
        }
        assert_int_equal(custos_dev_open(&dev, &p, e.device_id, 1), CUSTOS_DEV_EINVAL);
    }
    dt_teardown(&e);
}

static void test_open_on_unreadable_flash_is_eflash_and_leaves_nothing_open(void **state)
{
    (void)state;
    dt_env e;
    fport f;
    static const uint8_t zero[sizeof(custos_dev_t)];
    dt_setup(&e, "openflash");
    fport_attach(&f, &e);
    custos_dev_close(&e.dev);
    /* Read 1: slot 0's framing; read 3: the newest record again, to open it. */
    for (long k = 1; k <= 3; k += 2) {
        f.reads = 0;
        f.fail_read_from = k;
        assert_int_equal(custos_dev_open(&e.dev, &f.port, e.device_id, e.declared),
                         CUSTOS_DEV_EFLASH);
        assert_memory_equal(&e.dev, zero, sizeof zero);
        assert_int_equal(custos_dev_check(&e.dev, 0, 1), CUSTOS_DEV_EINVAL);
    }
    f.fail_read_from = 0;
    assert_int_equal(custos_dev_open(&e.dev, &f.port, e.device_id, e.declared), 0);
    assert_int_equal(e.dev.st.paired, 1);
    dt_teardown(&e);
}

static void test_pair_and_counter_refuse_missing_or_closed_context(void **state)
{
    (void)state;
    dt_env e;
    uint8_t key[32] = { 1 };
    setup_unpaired(&e, "pairargs");
    assert_int_equal(custos_dev_pair(NULL, key), CUSTOS_DEV_EINVAL);
    assert_int_equal(custos_dev_pair(&e.dev, NULL), CUSTOS_DEV_EINVAL);
    assert_int_equal(custos_dev_counter(NULL), 0);
    custos_dev_close(NULL);               /* harmless */
    custos_dev_close(&e.dev);
    assert_int_equal(custos_dev_pair(&e.dev, key), CUSTOS_DEV_EINVAL);
    assert_int_equal(custos_dev_counter(&e.dev), 0);
    dt_teardown(&e);
}

static void test_apply_update_refuses_missing_message_and_closed_context(void **state)
{
    (void)state;
    dt_env e;
    uint8_t msg[CUSTOS_DEV_MESSAGE_MAX];
    dt_setup(&e, "applyargs");
    custos_v1_ConsentChange c = dt_change(0, 1, GIVEN, 0);
    size_t n = dt_update(&e, msg, 1, &c, 1);
    assert_int_equal(custos_dev_apply_update(NULL, msg, n), CUSTOS_DEV_EINVAL);
    assert_int_equal(custos_dev_apply_update(&e.dev, NULL, 5), CUSTOS_DEV_EINVAL);
    assert_int_equal(custos_dev_apply_update(&e.dev, NULL, 0), CUSTOS_DEV_EDECODE);
    custos_dev_close(&e.dev);
    assert_int_equal(custos_dev_apply_update(&e.dev, msg, n), CUSTOS_DEV_EINVAL);
    dt_teardown(&e);
}

static void test_check_refuses_purpose_the_product_does_not_declare(void **state)
{
    (void)state;
    dt_env e;
    dt_setup(&e, "declared");
    custos_dev_close(&e.dev);
    e.declared = 0x6;                     /* purposes 1 and 2 only */
    assert_int_equal(custos_dev_open(&e.dev, &e.port.port, e.device_id, e.declared), 0);
    assert_int_equal(custos_dev_check(&e.dev, 0, 0), CUSTOS_DEV_EPURPOSE);
    assert_int_equal(custos_dev_check(&e.dev, 0, 3), CUSTOS_DEV_EPURPOSE);
    assert_int_equal(custos_dev_check(&e.dev, 0, 1), CUSTOS_DEV_ENOCONSENT);
    dt_teardown(&e);
}

static void test_expiry_beyond_32_bits_is_clamped_to_the_last_second(void **state)
{
    (void)state;
    dt_env e;
    uint8_t msg[CUSTOS_DEV_MESSAGE_MAX];
    dt_setup(&e, "clamp");
    custos_v1_ConsentChange c = dt_change(0, 1, GIVEN, (uint64_t)1 << 40);
    size_t n = dt_update(&e, msg, 1, &c, 1);
    assert_int_equal(custos_dev_apply_update(&e.dev, msg, n), 0);
    assert_int_equal(e.dev.st.timed_count, 1);
    assert_int_equal(e.dev.st.timed[0].until, 0xFFFFFFFFu);
    custos_posix_set_clock(&e.port, 0xFFFFFFFEu);
    assert_int_equal(custos_dev_check(&e.dev, 0, 1), 0);
    custos_posix_set_clock(&e.port, 0xFFFFFFFFu);
    assert_int_equal(custos_dev_check(&e.dev, 0, 1), CUSTOS_DEV_EEXPIRED);
    dt_teardown(&e);
}

/* ---- failing writes ---- */

/* Pairing through a port failing as configured by arm() gives want, and
 * the device stays unpaired in RAM; durable: and after a reboot (not so
 * when only the read-back failed: the record may then be whole). */
static void expect_pair_fails(void (*arm)(fport *), int want, int durable, const char *tag)
{
    dt_env e;
    fport f;
    setup_unpaired(&e, tag);
    fport_attach(&f, &e);
    arm(&f);
    uint32_t seq = e.dev.seq;
    assert_int_equal(custos_dev_pair(&e.dev, e.app_pk), want);
    assert_int_equal(e.dev.st.paired, 0);
    assert_int_equal(e.dev.seq, seq);
    dt_reboot(&e);
    if (durable)
        assert_int_equal(e.dev.st.paired, 0);
    dt_teardown(&e);
}

static void arm_random(fport *f) { f->fail_random = 1; }
static void arm_seal(fport *f) { f->fail_seal = 1; }
static void arm_erase(fport *f) { f->fail_erase_from = 2; }
static void arm_program(fport *f) { f->fail_program_from = 1; }
static void arm_crc_program(fport *f) { f->fail_program_from = 4; } /* 3 record pages, then the CRC */
static void arm_readback(fport *f) { f->fail_read_from = 1; }
static void arm_drop(fport *f) { f->program_drops = 1; }

static void test_write_failing_in_crypto_is_ecrypto_and_state_unchanged(void **state)
{
    (void)state;
    expect_pair_fails(arm_random, CUSTOS_DEV_ECRYPTO, 1, "wrandom");
    expect_pair_fails(arm_seal, CUSTOS_DEV_ECRYPTO, 1, "wseal");
}

static void test_write_failing_in_flash_is_eflash_and_state_unchanged(void **state)
{
    (void)state;
    expect_pair_fails(arm_erase, CUSTOS_DEV_EFLASH, 1, "werase");
    expect_pair_fails(arm_program, CUSTOS_DEV_EFLASH, 1, "wprog");
    expect_pair_fails(arm_crc_program, CUSTOS_DEV_EFLASH, 1, "wcrc");
    expect_pair_fails(arm_readback, CUSTOS_DEV_EFLASH, 0, "wback");
}

static void test_write_that_does_not_read_back_is_eflash(void **state)
{
    (void)state;
    expect_pair_fails(arm_drop, CUSTOS_DEV_EFLASH, 1, "wdrop");
}

/* ---- damaged records ---- */

static void test_record_with_damaged_framing_is_not_mounted(void **state)
{
    (void)state;
    static const unsigned offsets[] = { 4, 12, 13, 14, 15 }; /* magic, length, version */
    for (unsigned i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        dt_env e;
        dt_setup(&e, "framing");          /* the only record: slot 0 */
        e.port.image[offsets[i]] ^= 0x40;
        dt_flush_image(&e);
        dt_reboot(&e);
        assert_int_equal(e.dev.st.paired, 0);
        assert_int_equal(e.dev.seq, 1);   /* its seq pair: the next write is newer */
        dt_teardown(&e);
    }
}

#define PAYLOAD (73u + 16u * CUSTOS_DEV_MAX_SUBJECTS + 1u + 6u * CUSTOS_DEV_MAX_TIMED)
#define TIMED_OFF (73u + 16u * CUSTOS_DEV_MAX_SUBJECTS)

static void test_authentic_record_with_impossible_values_is_ignored(void **state)
{
    (void)state;
    for (int variant = 0; variant < 2; variant++) {
        dt_env e;
        uint8_t plain[PAYLOAD];
        dt_setup(&e, "impossible");       /* pairing: slot 0, seq 1 */
        memset(plain, 0, sizeof plain);
        plain[32] = 1;
        if (variant == 0) {
            plain[TIMED_OFF] = CUSTOS_DEV_MAX_TIMED + 1;  /* more expiries than fit */
        } else {
            plain[TIMED_OFF] = 1;
            plain[TIMED_OFF + 1 + 4] = 0;                 /* subject 0 ... */
            plain[TIMED_OFF + 1 + 5] = CUSTOS_DEV_MAX_PURPOSES;  /* ... purpose 64 */
        }
        dt_plant_format1(&e, 1, 9, plain, sizeof plain);  /* authentic, format 1 */
        dt_reboot(&e);
        assert_int_equal(e.dev.slot, 0);  /* the older, sane record */
        assert_int_equal(e.dev.seq, 9);
        assert_int_equal(e.dev.st.paired, 1);
        assert_int_equal(e.dev.st.timed_count, 0);
        dt_teardown(&e);
    }
}

/* ---- report and compact state ---- */

static void test_report_and_compact_refuse_bad_arguments(void **state)
{
    (void)state;
    dt_env e;
    uint8_t out[CUSTOS_DEV_MESSAGE_MAX];
    size_t len = 99;
    dt_setup(&e, "reportargs");
    assert_int_equal(custos_dev_encode_report(NULL, out, sizeof out, &len), CUSTOS_DEV_EINVAL);
    assert_int_equal(custos_dev_encode_report(&e.dev, out, sizeof out, NULL), CUSTOS_DEV_EINVAL);
    assert_int_equal(custos_dev_encode_report(&e.dev, NULL, 0, &len), CUSTOS_DEV_ENOSPACE);
    assert_int_equal(len, 0);
    assert_int_equal(custos_dev_encode_compact(NULL, 0, out, sizeof out, &len), CUSTOS_DEV_EINVAL);
    assert_int_equal(custos_dev_encode_compact(&e.dev, 0, NULL, sizeof out, &len), CUSTOS_DEV_EINVAL);
    assert_int_equal(custos_dev_encode_compact(&e.dev, 0, out, sizeof out, NULL), CUSTOS_DEV_EINVAL);
    len = 99;
    assert_int_equal(custos_dev_encode_compact(&e.dev, CUSTOS_DEV_MAX_SUBJECTS, out, sizeof out, &len),
                     CUSTOS_DEV_ESUBJECT);
    assert_int_equal(len, 0);
    assert_int_equal(custos_dev_encode_compact(&e.dev, 0, out, 2, &len), CUSTOS_DEV_ENOSPACE);
    assert_int_equal(len, 0);
    custos_dev_close(&e.dev);
    assert_int_equal(custos_dev_encode_report(&e.dev, out, sizeof out, &len), CUSTOS_DEV_EINVAL);
    assert_int_equal(custos_dev_encode_compact(&e.dev, 0, out, sizeof out, &len), CUSTOS_DEV_EINVAL);
    dt_teardown(&e);
}

static void test_report_whose_signing_fails_is_ecrypto_and_wiped(void **state)
{
    (void)state;
    dt_env e;
    fport f;
    uint8_t out[CUSTOS_DEV_MESSAGE_MAX], pk[32];
    size_t len = 99;
    dt_setup(&e, "signfail");
    fport_attach(&f, &e);
    crypto_sign_keypair(pk, f.sign_sk);
    f.port.ed25519_sign = f_sign;
    f.fail_sign = 1;
    memset(out, 0x5A, sizeof out);
    assert_int_equal(custos_dev_encode_report(&e.dev, out, sizeof out, &len), CUSTOS_DEV_ECRYPTO);
    assert_int_equal(len, 0);
    assert_int_equal(out[0], 0);          /* nothing unsigned is left behind */
    f.fail_sign = 0;
    assert_int_equal(custos_dev_encode_report(&e.dev, out, sizeof out, &len), 0);
    assert_int_equal(out[0], 0x08);
    dt_teardown(&e);
}

static void test_expired_and_clockless_consents_are_reported_as_not_given(void **state)
{
    (void)state;
    dt_env e;
    uint8_t msg[CUSTOS_DEV_MESSAGE_MAX], out[64];
    size_t len;
    custos_v1_ConsentChange c[2] = { dt_change(1, 1, GIVEN, 1000), dt_change(0, 2, GIVEN, 1000) };
    dt_setup(&e, "compactclock");
    size_t n = dt_update(&e, msg, 1, c, 2);
    assert_int_equal(custos_dev_apply_update(&e.dev, msg, n), 0);
    for (int unknown = 0; unknown < 2; unknown++) {
        custos_v1_CompactConsentState s = custos_v1_CompactConsentState_init_zero;
        custos_posix_set_clock(&e.port, unknown ? 0 : 999);
        assert_int_equal(custos_dev_encode_compact(&e.dev, 1, out, sizeof out, &len), 0);
        pb_istream_t is = pb_istream_from_buffer(out, len);
        assert_true(pb_decode(&is, custos_v1_CompactConsentState_fields, &s));
        assert_int_equal(s.given, unknown ? 0 : 2);
        assert_int_equal(s.decided, 2);
    }
    dt_teardown(&e);
}

/* ---- erase ---- */

static void test_erase_refuses_missing_arguments(void **state)
{
    (void)state;
    dt_env e;
    uint8_t out[CUSTOS_DEV_MESSAGE_MAX];
    size_t len;
    dt_setup(&e, "eraseargs");
    assert_int_equal(custos_dev_erase(NULL, out, sizeof out, &len), CUSTOS_DEV_EINVAL);
    assert_int_equal(custos_dev_erase(&e.dev, NULL, sizeof out, &len), CUSTOS_DEV_EINVAL);
    assert_int_equal(custos_dev_erase(&e.dev, out, sizeof out, NULL), CUSTOS_DEV_EINVAL);
    assert_int_equal(e.dev.st.paired, 1);
    custos_dev_close(&e.dev);
    assert_int_equal(custos_dev_erase(&e.dev, out, sizeof out, &len), CUSTOS_DEV_EINVAL);
    dt_teardown(&e);
}

static void arm_destroy(fport *f) { f->fail_destroy = 1; }
static void arm_count_before(fport *f) { f->fail_read_from = 1; }
static void arm_count_after(fport *f) { f->fail_read_from = 3; }
static void arm_blank_check(fport *f) { f->fail_read_from = 5; }
static void arm_erase_second_slot(fport *f) { f->fail_erase_from = 1 + CUSTOS_DEV_SLOT_SIZE / DT_PAGE; }

/* Erasing through a port failing as arm() says gives want; the receipt
 * length stays 0. keeps: the state in RAM is still paired (nothing done). */
static void expect_erase_fails(void (*arm)(fport *), int want, int keeps, const char *tag)
{
    dt_env e;
    fport f;
    uint8_t out[CUSTOS_DEV_MESSAGE_MAX];
    size_t len = 99;
    dt_setup(&e, tag);
    fport_attach(&f, &e);
    arm(&f);
    assert_int_equal(custos_dev_erase(&e.dev, out, sizeof out, &len), want);
    assert_int_equal(len, 0);
    if (keeps)
        assert_int_equal(e.dev.st.paired, 1);
    dt_teardown(&e);
}

static void test_erase_failing_in_the_port_names_the_cause(void **state)
{
    (void)state;
    expect_erase_fails(arm_random, CUSTOS_DEV_ECRYPTO, 1, "erand");
    expect_erase_fails(arm_destroy, CUSTOS_DEV_ECRYPTO, 1, "edestroy");
    expect_erase_fails(arm_count_before, CUSTOS_DEV_EFLASH, 1, "ebefore");
    expect_erase_fails(arm_count_after, CUSTOS_DEV_EFLASH, 1, "eafter");
    expect_erase_fails(arm_erase, CUSTOS_DEV_EFLASH, 1, "epage");
    expect_erase_fails(arm_erase_second_slot, CUSTOS_DEV_EFLASH, 1, "eslot1");
    expect_erase_fails(arm_blank_check, CUSTOS_DEV_EFLASH, 1, "eblank");
}

/* A port that claims success but leaves the key (or the pages) in place:
 * the receipt must not claim the erasure was verified. */
static void erase_unverified(int keep_key, const char *tag)
{
    dt_env e;
    fport f;
    uint8_t out[CUSTOS_DEV_MESSAGE_MAX];
    size_t len;
    custos_v1_DeletionReceipt d = custos_v1_DeletionReceipt_init_zero;
    dt_setup(&e, tag);
    fport_attach(&f, &e);
    if (keep_key)
        f.destroy_noop = 1;
    else
        f.erase_noop = 1;
    assert_int_equal(custos_dev_erase(&e.dev, out, sizeof out, &len), 0);
    pb_istream_t is = pb_istream_from_buffer(out, len);
    assert_true(pb_decode(&is, custos_v1_DeletionReceipt_fields, &d));
    assert_false(d.verified);
    assert_int_equal(d.records_removed, 1);
    dt_teardown(&e);
}

static void test_erase_that_leaves_key_or_pages_is_not_verified(void **state)
{
    (void)state;
    erase_unverified(1, "keepkey");
    erase_unverified(0, "keeppages");
}

/* ---- the wire walker ---- */

static void test_envelope_walker_refuses_malformed_fields(void **state)
{
    (void)state;
    static const struct { uint8_t b[16]; size_t n; int want; } cases[] = {
        { { 0x80 }, 1, CUSTOS_DEV_EDECODE },                               /* key cut short */
        { { 0x00, 0x00 }, 2, CUSTOS_DEV_EDECODE },                         /* tag 0 */
        { { 0x80, 0x80, 0x80, 0x80, 0x10, 0x00 }, 6, CUSTOS_DEV_EDECODE }, /* tag above 2^29-1 */
        { { 0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02 }, 11,
          CUSTOS_DEV_EDECODE },                                            /* varint beyond 64 bits */
        { { 0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 }, 12,
          CUSTOS_DEV_EDECODE },                                            /* 11-byte varint */
        { { 0x0B }, 1, CUSTOS_DEV_EDECODE },                               /* group (wire type 3) */
        { { 0x0E }, 1, CUSTOS_DEV_EDECODE },                               /* wire type 6 */
        { { 0x49, 1, 2, 3 }, 4, CUSTOS_DEV_EDECODE },                      /* fixed64 cut short */
        { { 0x0A, 0x00 }, 2, CUSTOS_DEV_EDECODE },                         /* body_type as bytes */
        { { 0x10, 0x01 }, 2, CUSTOS_DEV_EDECODE },                         /* body as varint */
        { { 0x18, 0x01 }, 2, CUSTOS_DEV_EDECODE },                         /* signer as varint */
        { { 0x1A, 0x01, 0x00 }, 3, CUSTOS_DEV_EDECODE },                   /* signer too short */
        { { 0x08, 0x01, 0x08, 0x01 }, 4, CUSTOS_DEV_EDECODE },             /* body_type twice */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dev_envelope env;
        assert_int_equal(dev_wire_envelope(cases[i].b, cases[i].n, &env), cases[i].want);
    }
}

static void test_envelope_walker_refuses_oversize_signer(void **state)
{
    (void)state;
    uint8_t b[40] = { 0x1A, 33 };
    dev_envelope env;
    assert_int_equal(dev_wire_envelope(b, 35, &env), CUSTOS_DEV_ETOOBIG);
}

static void test_envelope_walker_skips_unknown_fields_and_clamps_body_type(void **state)
{
    (void)state;
    uint8_t m[160];
    size_t n = 0;
    dev_envelope env;
    /* body_type 2^33 (beyond uint32) */
    static const uint8_t bt[] = { 0x08, 0x80, 0x80, 0x80, 0x80, 0x20 };
    memcpy(m + n, bt, sizeof bt); n += sizeof bt;
    m[n++] = 0x49;                        /* field 9, fixed64 */
    memset(m + n, 7, 8); n += 8;
    m[n++] = 0x55;                        /* field 10, fixed32 */
    memset(m + n, 7, 4); n += 4;
    m[n++] = 0x58; m[n++] = 0x05;         /* field 11, varint */
    m[n++] = 0x12; m[n++] = 0x02; m[n++] = 0xAA; m[n++] = 0xBB;   /* body */
    m[n++] = 0x1A; m[n++] = 32; memset(m + n, 0x11, 32); n += 32;  /* signer */
    m[n++] = 0x22; m[n++] = 64; memset(m + n, 0x22, 64); n += 64;  /* signature */
    assert_int_equal(dev_wire_envelope(m, n, &env), 0);
    assert_int_equal(env.body_type, 0xFFFFFFFFu);
    assert_int_equal(env.body_len, 2);
    assert_int_equal(env.body[0], 0xAA);
    assert_int_equal(env.signer[0], 0x11);
    assert_int_equal(env.signature[63], 0x22);
}

static void test_update_walker_refuses_fields_of_the_wrong_wire_type(void **state)
{
    (void)state;
    static const struct { uint8_t b[8]; size_t n; int want; } cases[] = {
        { { 0x38, 0x01 }, 2, CUSTOS_DEV_EDECODE },                   /* changes as varint */
        { { 0x0A, 0x00 }, 2, CUSTOS_DEV_EDECODE },                   /* body_type as bytes */
        { { 0x2A, 0x00 }, 2, CUSTOS_DEV_EDECODE },                   /* counter as bytes */
        { { 0x3A, 0x02, 0x0A, 0x00 }, 4, CUSTOS_DEV_EDECODE },       /* change subject as bytes */
        { { 0x3A, 0x02, 0x1A, 0x00 }, 4, CUSTOS_DEV_EDECODE },       /* change status as bytes */
        { { 0x3A, 0x01, 0x80 }, 3, CUSTOS_DEV_EDECODE },             /* change cut short */
        { { 0x12, 0x11 }, 2, CUSTOS_DEV_EDECODE },                   /* device id past the end */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(dev_wire_check_update(cases[i].b, cases[i].n), cases[i].want);
    /* Unknown fields, in the body and in a change, are skipped. */
    static const uint8_t ok[] = { 0x48, 0x01, 0x3A, 0x06, 0x08, 0x01, 0x10, 0x02, 0x32, 0x00 };
    assert_int_equal(dev_wire_check_update(ok, sizeof ok), 0);
}

/* ---- the emitter ---- */

static void test_emit_writes_multibyte_lengths_and_signs_the_body(void **state)
{
    (void)state;
    dt_env e;
    fport f;
    uint8_t out[CUSTOS_DEV_MESSAGE_MAX], pk[32];
    size_t len, body_len;
    custos_v1_ConsentUpdate u = custos_v1_ConsentUpdate_init_zero;
    dt_setup(&e, "emit");
    fport_attach(&f, &e);
    crypto_sign_keypair(pk, f.sign_sk);
    f.port.ed25519_sign = f_sign;
    u.body_type = custos_v1_BodyType_BODY_CONSENT_UPDATE;
    u.changes_count = 16;
    for (unsigned i = 0; i < 16; i++)
        u.changes[i] = dt_change(i % 4, i, GIVEN, 1700000000u);
    assert_true(pb_get_encoded_size(&body_len, custos_v1_ConsentUpdate_fields, &u));
    assert_true(body_len >= 128 && body_len <= CUSTOS_DEV_BODY_MAX);
    assert_int_equal(dev_emit(&f.port, 300, custos_v1_ConsentUpdate_fields, &u, out, sizeof out, &len), 0);
    assert_int_equal(out[0], 0x08);
    assert_int_equal(out[1], 0xAC);       /* 300, two varint bytes */
    assert_int_equal(out[2], 0x02);
    assert_int_equal(out[3], 0x12);
    assert_int_equal(out[4], (uint8_t)(body_len | 0x80));
    assert_int_equal(out[5], (uint8_t)(body_len >> 7));
    assert_int_equal(len, 6 + body_len + 2 + 32 + 2 + 64);
    assert_memory_equal(out + 6 + body_len + 2, pk, 32);
    assert_int_equal(crypto_sign_verify_detached(out + 6 + body_len + 36, out + 6, body_len, pk), 0);
    dt_teardown(&e);
}

static void test_emit_refuses_a_body_over_the_limit(void **state)
{
    (void)state;
    dt_env e;
    uint8_t out[CUSTOS_DEV_MESSAGE_MAX];
    size_t len = 99, body_len;
    custos_v1_SignedMessage m = custos_v1_SignedMessage_init_zero;
    dt_setup(&e, "emitbig");
    m.body.size = CUSTOS_DEV_BODY_MAX;
    memset(m.body.bytes, 1, CUSTOS_DEV_BODY_MAX);
    assert_true(pb_get_encoded_size(&body_len, custos_v1_SignedMessage_fields, &m));
    assert_true(body_len > CUSTOS_DEV_BODY_MAX);
    assert_int_equal(dev_emit(&e.port.port, 1, custos_v1_SignedMessage_fields, &m, out, sizeof out, &len),
                     CUSTOS_DEV_ETOOBIG);
    assert_int_equal(len, 0);
    dt_teardown(&e);
}

/* ---- the POSIX port ---- */

static void test_posix_port_refuses_bad_geometry_and_paths(void **state)
{
    (void)state;
    custos_posix_port p;
    char longpath[600];
    assert_int_equal(custos_posix_open(&p, "/tmp/x.flash", 0), -1);
    assert_int_equal(custos_posix_open(&p, "/tmp/x.flash", 100), -1);
    memset(longpath, 'a', sizeof longpath - 1);
    longpath[sizeof longpath - 1] = '\0';
    assert_int_equal(custos_posix_open(&p, longpath, DT_PAGE), -1);
    assert_int_equal(custos_posix_open(&p, "/nonexistent-dir/x.flash", DT_PAGE), -1);
    assert_int_equal(p.fd, -1);
    custos_posix_close(&p);               /* harmless after a failed open */
}

static void test_posix_flash_refuses_out_of_range_and_misaligned_access(void **state)
{
    (void)state;
    dt_env e;
    uint8_t buf[8] = { 0 };
    dt_setup(&e, "pxrange");
    const custos_dev_port *p = &e.port.port;
    uint32_t size = 2 * CUSTOS_DEV_SLOT_SIZE;
    long steps = custos_posix_steps(&e.port);
    assert_int_equal(p->flash_read(p->ctx, size + 1, buf, 1), -1);
    assert_int_equal(p->flash_read(p->ctx, size - 4, buf, 8), -1);
    assert_int_equal(p->flash_program(p->ctx, size + 1, buf, 1), -1);
    assert_int_equal(p->flash_program(p->ctx, size - 4, buf, 8), -1);
    assert_int_equal(p->flash_program(p->ctx, DT_PAGE - 4, buf, 8), -1);  /* crosses a page */
    assert_int_equal(p->flash_erase_page(p->ctx, 3), -1);
    assert_int_equal(p->flash_erase_page(p->ctx, size), -1);
    assert_int_equal(custos_posix_steps(&e.port), steps);  /* refused before any step */
    dt_teardown(&e);
}

static void test_posix_key_destroy_without_key_is_done(void **state)
{
    (void)state;
    dt_env e;
    dt_setup(&e, "pxdestroy");
    const custos_dev_port *p = &e.port.port;
    assert_int_equal(p->key_destroy(p->ctx), 0);
    assert_int_equal(access(e.port.key_path, F_OK), -1);
    assert_int_equal(p->key_destroy(p->ctx), 0);
    dt_teardown(&e);
}

static void test_truncated_key_file_opens_nothing(void **state)
{
    (void)state;
    dt_env e;
    dt_setup(&e, "pxshortkey");
    FILE *f = fopen(e.port.key_path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite("short", 1, 5, f), 5);
    fclose(f);
    dt_reboot(&e);
    assert_int_equal(e.dev.st.paired, 0);
    /* Nor can anything be sealed with it. */
    assert_int_equal(custos_dev_pair(&e.dev, e.app_pk), CUSTOS_DEV_ECRYPTO);
    dt_teardown(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_refuses_null_arguments_and_incomplete_ports),
        cmocka_unit_test(test_open_on_unreadable_flash_is_eflash_and_leaves_nothing_open),
        cmocka_unit_test(test_pair_and_counter_refuse_missing_or_closed_context),
        cmocka_unit_test(test_apply_update_refuses_missing_message_and_closed_context),
        cmocka_unit_test(test_check_refuses_purpose_the_product_does_not_declare),
        cmocka_unit_test(test_expiry_beyond_32_bits_is_clamped_to_the_last_second),
        cmocka_unit_test(test_write_failing_in_crypto_is_ecrypto_and_state_unchanged),
        cmocka_unit_test(test_write_failing_in_flash_is_eflash_and_state_unchanged),
        cmocka_unit_test(test_write_that_does_not_read_back_is_eflash),
        cmocka_unit_test(test_record_with_damaged_framing_is_not_mounted),
        cmocka_unit_test(test_authentic_record_with_impossible_values_is_ignored),
        cmocka_unit_test(test_report_and_compact_refuse_bad_arguments),
        cmocka_unit_test(test_report_whose_signing_fails_is_ecrypto_and_wiped),
        cmocka_unit_test(test_expired_and_clockless_consents_are_reported_as_not_given),
        cmocka_unit_test(test_erase_refuses_missing_arguments),
        cmocka_unit_test(test_erase_failing_in_the_port_names_the_cause),
        cmocka_unit_test(test_erase_that_leaves_key_or_pages_is_not_verified),
        cmocka_unit_test(test_envelope_walker_refuses_malformed_fields),
        cmocka_unit_test(test_envelope_walker_refuses_oversize_signer),
        cmocka_unit_test(test_envelope_walker_skips_unknown_fields_and_clamps_body_type),
        cmocka_unit_test(test_update_walker_refuses_fields_of_the_wrong_wire_type),
        cmocka_unit_test(test_emit_writes_multibyte_lengths_and_signs_the_body),
        cmocka_unit_test(test_emit_refuses_a_body_over_the_limit),
        cmocka_unit_test(test_posix_port_refuses_bad_geometry_and_paths),
        cmocka_unit_test(test_posix_flash_refuses_out_of_range_and_misaligned_access),
        cmocka_unit_test(test_posix_key_destroy_without_key_is_done),
        cmocka_unit_test(test_truncated_key_file_opens_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
