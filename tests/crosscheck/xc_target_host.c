/*
 * xc_target_host.c: the host side of the cross-checks on the emulated
 * cores (device/target/xc/target_xc.c, run by device/target/run.py).
 *
 *   xc_target_host gen DIR     write DIR/xc_vectors.bin: updates packed and
 *                              signed as the core does (protobuf-c,
 *                              libsodium), each with the result the device
 *                              must give, and the gate checks to make after
 *   xc_target_host check DIR   read DIR/xc_device.bin, written by the
 *                              target: decode the report, the compact state
 *                              and the erase receipt with protobuf-c, check
 *                              their values and signatures, and re-pack
 *                              each with protobuf-c to the same bytes
 *
 * Exit 0 when everything holds; otherwise it names the first difference.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "custos_dev_error.h"
#include "xc_app.h"

#define GIVEN CUSTOS__V1__CONSENT_STATUS__CONSENT_GIVEN
#define REFUSED CUSTOS__V1__CONSENT_STATUS__CONSENT_REFUSED
#define WITHDRAWN CUSTOS__V1__CONSENT_STATUS__CONSENT_WITHDRAWN
#define CLOCK 1760000000u

/* Fixed so that gen and check (two processes) agree; the app key differs
 * per run only through its seed, which gen writes into the vectors. */
static const uint8_t device_id[16] = { 0xD0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

static int die(const char *what)
{
    fprintf(stderr, "xc_target_host: %s\n", what);
    return 1;
}

static uint8_t file[8192];
static size_t file_len;

static void add(const void *p, size_t n)
{
    if (file_len + n > sizeof file)
        exit(die("vector file too big"));
    memcpy(file + file_len, p, n);
    file_len += n;
}

static void add_msg(int want, const uint8_t *m, size_t n)
{
    uint8_t h[3] = { (uint8_t)(int8_t)want, (uint8_t)n, (uint8_t)(n >> 8) };
    add(h, 3);
    add(m, n);
}

static int write_file(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(file, 1, file_len, f) != file_len || fclose(f) != 0)
        return die("cannot write the vector file");
    return 0;
}

static int gen(const char *dir)
{
    uint8_t app_pk[32], app_sk[64], other_pk[32], other_sk[64], dev_seed[32];
    uint8_t m[2048];
    xc_update u;
    size_t n;

    crypto_sign_keypair(app_pk, app_sk);
    crypto_sign_keypair(other_pk, other_sk);
    /* The device's signing seed is derived from the app key, so that check
     * can derive it again from the vectors. */
    crypto_generichash(dev_seed, 32, app_pk, 32, (const uint8_t *)"xc-device", 9);
    add("CXV1", 4);
    add(app_pk, 32);
    add(device_id, 16);
    add(dev_seed, 32);
    uint8_t clock[4] = { (uint8_t)CLOCK, (uint8_t)(CLOCK >> 8), (uint8_t)(CLOCK >> 16),
                         (uint8_t)(CLOCK >> 24) };
    add(clock, 4);
    const int8_t checks[][3] = {
        { 0, 0, CUSTOS_DEV_EDENIED }, { 1, 63, 0 }, { 3, 17, CUSTOS_DEV_EDENIED },
        { 2, 5, CUSTOS_DEV_ENOCONSENT }, { 1, 62, CUSTOS_DEV_EEXPIRED },
    };
    uint8_t nc = (uint8_t)(sizeof checks / sizeof checks[0]);
    add(&nc, 1);
    for (unsigned i = 0; i < nc; i++)
        add(checks[i], 3);
    uint8_t nm = 6;
    add(&nm, 1);

    xc_update_init(&u, device_id, 1);
    xc_update_add(&u, 0, 0, GIVEN, 0);
    xc_update_add(&u, 1, 63, GIVEN, 4000000000u);
    xc_update_add(&u, 1, 62, GIVEN, CLOCK - 1);
    xc_update_add(&u, 3, 17, REFUSED, 0);
    n = xc_signed_update(&u, app_sk, m, sizeof m);
    add_msg(0, m, n);
    add_msg(CUSTOS_DEV_EREPLAY, m, n);             /* the same again */

    xc_update_init(&u, device_id, 2);
    xc_update_add(&u, 0, 0, WITHDRAWN, 0);
    n = xc_signed_update(&u, other_sk, m, sizeof m);
    add_msg(CUSTOS_DEV_ESIGNER, m, n);             /* not the paired app */
    n = xc_signed_update(&u, app_sk, m, sizeof m);
    m[n - 101] ^= 0x04;                            /* last body byte */
    add_msg(CUSTOS_DEV_ESIGNATURE, m, n);
    m[n - 101] ^= 0x04;
    add_msg(0, m, n);

    uint8_t other_id[16];
    memcpy(other_id, device_id, 16);
    other_id[15] ^= 1;
    xc_update_init(&u, other_id, 3);
    xc_update_add(&u, 2, 5, GIVEN, 0);
    n = xc_signed_update(&u, app_sk, m, sizeof m);
    add_msg(CUSTOS_DEV_EDEVICE, m, n);
    sodium_memzero(app_sk, sizeof app_sk);
    sodium_memzero(other_sk, sizeof other_sk);
    return write_file(dir, "xc_vectors.bin");
}

static int read_file(const char *dir, const char *name, uint8_t *buf, size_t cap, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return die("cannot open a file of the run");
    *len = fread(buf, 1, cap, f);
    fclose(f);
    return 0;
}

/* Record i of xc_device.bin. */
static const uint8_t *record(const uint8_t *d, size_t len, unsigned i, size_t *rlen)
{
    size_t at = 0;
    for (unsigned k = 0;; k++) {
        if (at + 2 > len)
            return NULL;
        size_t n = (size_t)d[at] | (size_t)d[at + 1] << 8;
        if (at + 2 + n > len)
            return NULL;
        if (k == i) {
            *rlen = n;
            return d + at + 2;
        }
        at += 2 + n;
    }
}

static int same_bytes(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    return an == bn && memcmp(a, b, an) == 0;
}

static int check(const char *dir)
{
    static uint8_t dev[4096], again[4096];
    uint8_t dev_seed[32], dpk[32], dsk[64];
    size_t len, vlen, rn;
    const uint8_t *r;

    if (read_file(dir, "xc_vectors.bin", file, sizeof file, &vlen)
        || read_file(dir, "xc_device.bin", dev, sizeof dev, &len))
        return 1;
    if (vlen < 88)
        return die("vector file truncated");
    crypto_generichash(dev_seed, 32, file + 4, 32, (const uint8_t *)"xc-device", 9);
    if (memcmp(dev_seed, file + 52, 32) != 0)
        return die("vector file altered");
    crypto_sign_seed_keypair(dpk, dsk, dev_seed);
    sodium_memzero(dsk, sizeof dsk);

    /* The signed report. */
    if ((r = record(dev, len, 0, &rn)) == NULL)
        return die("no report record");
    Custos__V1__SignedMessage *m = custos__v1__signed_message__unpack(NULL, rn, r);
    if (m == NULL || m->body_type != CUSTOS__V1__BODY_TYPE__BODY_CONSENT_STATE
        || m->signer.len != 32 || memcmp(m->signer.data, dpk, 32) != 0 || m->signature.len != 64
        || crypto_sign_verify_detached(m->signature.data, m->body.data, m->body.len, dpk) != 0)
        return die("report envelope: not a SignedMessage(CONSENT_STATE) signed by the device");
    if (!same_bytes(again, custos__v1__signed_message__pack(m, again), r, rn))
        return die("report envelope re-packs to other bytes in protobuf-c");
    Custos__V1__ConsentStateReport *st =
        custos__v1__consent_state_report__unpack(NULL, m->body.len, m->body.data);
    if (st == NULL || st->counter != 2 || st->n_states != 4 || st->device_id.len != 16
        || memcmp(st->device_id.data, device_id, 16) != 0)
        return die("report body: wrong counter, device id or slot count");
    if (st->states[0]->given != 0 || st->states[0]->decided != 1
        || st->states[1]->given != ((uint64_t)1 << 63)  /* 62 expired: reported not given */
        || st->states[1]->decided != ((uint64_t)3 << 62)
        || st->states[3]->given != 0 || st->states[3]->decided != ((uint64_t)1 << 17)
        || st->states[2]->decided != 0)
        return die("report body: consent bits differ from the updates applied");
    if (!same_bytes(again, custos__v1__consent_state_report__pack(st, again), m->body.data,
                    m->body.len))
        return die("report body re-packs to other bytes in protobuf-c");
    custos__v1__consent_state_report__free_unpacked(st, NULL);
    custos__v1__signed_message__free_unpacked(m, NULL);

    /* The compact state of subject 1. */
    if ((r = record(dev, len, 1, &rn)) == NULL)
        return die("no compact record");
    Custos__V1__CompactConsentState *c = custos__v1__compact_consent_state__unpack(NULL, rn, r);
    if (c == NULL || c->subject != 1 || c->given != ((uint64_t)1 << 63) || !c->has_decided
        || c->decided != ((uint64_t)3 << 62) || rn > 32)
        return die("compact state: wrong subject or bits, or over 32 bytes");
    if (!same_bytes(again, custos__v1__compact_consent_state__pack(c, again), r, rn))
        return die("compact state re-packs to other bytes in protobuf-c");
    custos__v1__compact_consent_state__free_unpacked(c, NULL);

    /* The erase receipt. */
    if ((r = record(dev, len, 2, &rn)) == NULL)
        return die("no receipt record");
    m = custos__v1__signed_message__unpack(NULL, rn, r);
    if (m == NULL || m->body_type != CUSTOS__V1__BODY_TYPE__BODY_DELETION_RECEIPT
        || m->signature.len != 64
        || crypto_sign_verify_detached(m->signature.data, m->body.data, m->body.len, dpk) != 0)
        return die("receipt envelope: not a SignedMessage(DELETION_RECEIPT) signed by the device");
    if (!same_bytes(again, custos__v1__signed_message__pack(m, again), r, rn))
        return die("receipt envelope re-packs to other bytes in protobuf-c");
    Custos__V1__DeletionReceipt *d =
        custos__v1__deletion_receipt__unpack(NULL, m->body.len, m->body.data);
    if (d == NULL || d->scope != CUSTOS__V1__ERASE_SCOPE__ERASE_FACTORY_RESET || !d->verified
        || d->device_id.len != 16 || memcmp(d->device_id.data, device_id, 16) != 0)
        return die("receipt body: wrong scope, device id, or not verified");
    if (!same_bytes(again, custos__v1__deletion_receipt__pack(d, again), m->body.data,
                    m->body.len))
        return die("receipt body re-packs to other bytes in protobuf-c");
    custos__v1__deletion_receipt__free_unpacked(d, NULL);
    custos__v1__signed_message__free_unpacked(m, NULL);
    printf("xc_target_host: report, compact state and receipt decode and re-pack identically\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0)
        return die("sodium_init failed");
    if (argc == 3 && strcmp(argv[1], "gen") == 0)
        return gen(argv[2]);
    if (argc == 3 && strcmp(argv[1], "check") == 0)
        return check(argv[2]);
    fprintf(stderr, "usage: xc_target_host gen|check DIR\n");
    return 2;
}
