/*
 * gen_vectors.c: writes the sync vectors the device layer checks with
 * nanopb (see CMakeLists.txt beside it), or with --check DIR reads them
 * back with the core's own decoder and verifies every expectation.
 *
 * Keys come from fixed seeds (crypto_sign_seed_keypair), so every byte is
 * the same on every machine and every run.
 */
#include "sync/sync_internal.h"

#include <errno.h>
#include <protobuf-c/protobuf-c.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define APP_SEED_TEXT "custos test vectors: app key"
#define DEV_SEED_TEXT "custos test vectors: device key"
#define MANIFEST_TEXT "custos test vectors: manifest"
#define TIME0 1700000000u

typedef struct keys {
    uint8_t app_seed[32], app_pk[32], app_sk[64];
    uint8_t dev_seed[32], dev_pk[32], dev_sk[64];
    uint8_t device_id[16], manifest_id[32];
} keys;

static void make_keys(keys *k)
{
    crypto_generichash(k->app_seed, 32, (const uint8_t *)APP_SEED_TEXT, strlen(APP_SEED_TEXT), NULL, 0);
    crypto_generichash(k->dev_seed, 32, (const uint8_t *)DEV_SEED_TEXT, strlen(DEV_SEED_TEXT), NULL, 0);
    crypto_generichash(k->manifest_id, 32, (const uint8_t *)MANIFEST_TEXT, strlen(MANIFEST_TEXT), NULL, 0);
    crypto_sign_seed_keypair(k->app_pk, k->app_sk, k->app_seed);
    crypto_sign_seed_keypair(k->dev_pk, k->dev_sk, k->dev_seed);
    for (int i = 0; i < 16; i++)
        k->device_id[i] = (uint8_t)(0xd0 + i);
}

static const custos_consent_change valid_changes[3] = {
    { 1, 1, CUSTOS_CONSENT_GIVEN, 0 },
    { 1, 5, CUSTOS_CONSENT_REFUSED, 0 },
    { 2, 2, CUSTOS_CONSENT_GIVEN, TIME0 + 3600 },
};

/* One signed ConsentUpdate. */
typedef struct update_case {
    const char *file;
    const char *expect;          /* what a device must answer */
    uint32_t counter;
    const custos_consent_change *changes;
    size_t n;
    int wrong_device, flip_signature, truncate;
} update_case;

static uint8_t msg[4096];

static size_t sealed(const keys *k, int body_type, const uint8_t *body, size_t blen, const uint8_t *pk,
                     const uint8_t *sk, int flip)
{
    uint8_t sig[64];
    size_t len = 0;
    crypto_sign_detached(sig, NULL, body, blen, sk);
    if (flip)
        sig[17] ^= 0x04;
    (void)k;
    if (custos_sync__envelope(msg, sizeof msg, &len, body_type, body, blen, pk, sig) != CUSTOS_OK)
        exit(1);
    return len;
}

static void write_file(const char *dir, const char *name, const uint8_t *data, size_t len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        fprintf(stderr, "gen_vectors: %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

static void hex(FILE *f, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%02x", b[i]);
}

static size_t update_bytes(const keys *k, const update_case *c)
{
    uint8_t other[16] = { 0 };
    sync_update_fields fl = { c->wrong_device ? other : k->device_id, c->counter, k->manifest_id, 1, TIME0,
                              c->changes, c->n, NULL };
    uint8_t *body = NULL;
    size_t blen = 0;
    if (custos_sync__update_body(&body, &blen, &fl) != CUSTOS_OK)
        exit(1);
    size_t len = sealed(k, CUSTOS__V1__BODY_TYPE__BODY_CONSENT_UPDATE, body, blen, k->app_pk, k->app_sk,
                        c->flip_signature);
    custos__free(body);
    return c->truncate ? len - 10 : len;
}

static custos_consent_change many[17];
static const custos_consent_change withdraw[1] = { { 1, 1, CUSTOS_CONSENT_WITHDRAWN, 0 } };

static const update_case cases[] = {
    { "update_valid.bin", "OK", 1, valid_changes, 3, 0, 0, 0 },
    { "update_valid_2.bin", "OK (after update_valid.bin)", 2, withdraw, 1, 0, 0, 0 },
    { "update_replayed.bin", "EREPLAY (after update_valid.bin): counter 1 again, validly signed", 1, withdraw, 1, 0, 0, 0 },
    { "update_bad_signature.bin", "ESIGNATURE: signature byte 17 flipped", 3, withdraw, 1, 0, 1, 0 },
    { "update_truncated.bin", "ECORRUPT: last 10 bytes cut", 3, withdraw, 1, 0, 0, 1 },
    { "update_too_many_changes.bin", "ERANGE: 17 changes, at most 16", 3, many, 17, 0, 0, 0 },
    { "update_wrong_device.bin", "EINVAL: device_id is 16 zero bytes", 3, withdraw, 1, 1, 0, 0 },
};

static void list_update(FILE *t, const keys *k, const update_case *c, size_t len)
{
    fprintf(t, "\nfile %s\n  bytes %zu\n  expect %s\n  envelope body_type=1 signer=app_pk\n", c->file, len, c->expect);
    fprintf(t, "  body_type 1\n  device_id ");
    if (c->wrong_device)
        fprintf(t, "00000000000000000000000000000000");
    else
        hex(t, k->device_id, 16);
    fprintf(t, "\n  counter %u\n  manifest_id ", c->counter);
    hex(t, k->manifest_id, 32);
    fprintf(t, "\n  policy_version 1\n  time %u\n  changes %zu\n", TIME0, c->n);
    for (size_t i = 0; i < c->n; i++)
        fprintf(t, "  change %zu subject=%u purpose=%u status=%d valid_until=%llu\n", i, c->changes[i].subject,
                c->changes[i].purpose, (int)c->changes[i].status, (unsigned long long)c->changes[i].valid_until);
}

static const custos_compact_state report_states[2] = {
    { 1, 1ull << 1, (1ull << 1) | (1ull << 5), 1, 2 },
    { 2, 1ull << 2, 1ull << 2, 1, 2 },
};

static void write_report(const char *dir, FILE *t, const keys *k)
{
    uint8_t *body = NULL;
    size_t blen = 0;
    if (custos_sync__report_body(&body, &blen, k->device_id, 2, report_states, 2) != CUSTOS_OK)
        exit(1);
    size_t len = sealed(k, CUSTOS__V1__BODY_TYPE__BODY_CONSENT_STATE, body, blen, k->dev_pk, k->dev_sk, 0);
    custos__free(body);
    write_file(dir, "state_report.bin", msg, len);
    fprintf(t, "\nfile state_report.bin\n  bytes %zu\n  expect OK\n  envelope body_type=2 signer=device_pk\n"
               "  body_type 2\n  device_id ", len);
    hex(t, k->device_id, 16);
    fprintf(t, "\n  counter 2\n  states 2\n");
    for (int i = 0; i < 2; i++)
        fprintf(t, "  state %d subject=%u given=0x%016llx decided=0x%016llx policy_version=%u counter=%u\n", i,
                report_states[i].subject, (unsigned long long)report_states[i].given,
                (unsigned long long)report_states[i].decided, report_states[i].policy_version,
                report_states[i].counter);
}

static void write_offer(const char *dir, FILE *t, const keys *k)
{
    uint32_t re[2] = { 2, 5 };
    Custos__V1__ManifestOffer o = CUSTOS__V1__MANIFEST_OFFER__INIT;
    o.body_type = CUSTOS__V1__BODY_TYPE__BODY_MANIFEST_OFFER;
    o.manifest_id = (ProtobufCBinaryData){ 32, (uint8_t *)k->manifest_id };
    o.policy_version = 2;
    o.n_reconsent_purposes = 2;
    o.reconsent_purposes = re;
    uint8_t body[256];
    size_t blen = custos__v1__manifest_offer__pack(&o, body);
    size_t len = sealed(k, CUSTOS__V1__BODY_TYPE__BODY_MANIFEST_OFFER, body, blen, k->app_pk, k->app_sk, 0);
    write_file(dir, "manifest_offer.bin", msg, len);
    fprintf(t, "\nfile manifest_offer.bin\n  bytes %zu\n  expect OK\n  envelope body_type=5 signer=app_pk\n"
               "  body_type 5\n  manifest_id ", len);
    hex(t, k->manifest_id, 32);
    fprintf(t, "\n  policy_version 2\n  reconsent_purposes 2 5\n");
}

static void generate(const char *dir)
{
    keys k;
    make_keys(&k);
    mkdir(dir, 0755);
    for (int i = 0; i < 17; i++)
        many[i] = (custos_consent_change){ 1, (uint32_t)(i % 4) + 1, CUSTOS_CONSENT_GIVEN, 0 };
    write_file(dir, "app_seed.bin", k.app_seed, 32);
    write_file(dir, "app_pk.bin", k.app_pk, 32);
    write_file(dir, "device_seed.bin", k.dev_seed, 32);
    write_file(dir, "device_pk.bin", k.dev_pk, 32);
    write_file(dir, "device_id.bin", k.device_id, 16);
    write_file(dir, "manifest_id.bin", k.manifest_id, 32);
    char path[4096];
    snprintf(path, sizeof path, "%s/vectors.txt", dir);
    FILE *t = fopen(path, "w");
    if (t == NULL)
        exit(1);
    fprintf(t, "# Custos sync vectors, written by tests/vectors/gen_vectors.c (deterministic).\n"
               "# Status numbers: consent.proto ConsentStatus. A device paired with app_pk, with\n"
               "# device_id and manifest_id (policy version 1) and no update applied yet, applies\n"
               "# the files in this order and must answer each 'expect'.\n");
    fprintf(t, "\nkey app_seed.bin ");
    hex(t, k.app_seed, 32);
    fprintf(t, "\nkey app_pk.bin ");
    hex(t, k.app_pk, 32);
    fprintf(t, "\nkey device_seed.bin ");
    hex(t, k.dev_seed, 32);
    fprintf(t, "\nkey device_pk.bin ");
    hex(t, k.dev_pk, 32);
    fprintf(t, "\nkey device_id.bin ");
    hex(t, k.device_id, 16);
    fprintf(t, "\nkey manifest_id.bin ");
    hex(t, k.manifest_id, 32);
    fprintf(t, "\n");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = update_bytes(&k, &cases[i]);
        write_file(dir, cases[i].file, msg, len);
        list_update(t, &k, &cases[i], len);
    }
    write_report(dir, t, &k);
    write_offer(dir, t, &k);
    if (fclose(t) != 0)
        exit(1);
}

/* --- --check: the core decodes its own vectors ---------------------------- */

static int fails;
#define CHECK(cond)                                                              \
    do {                                                                         \
        if (!(cond)) {                                                           \
            fprintf(stderr, "vectors: %s:%d: %s\n", __FILE__, __LINE__, #cond);  \
            fails++;                                                             \
        }                                                                        \
    } while (0)

static size_t read_file(const char *dir, const char *name, uint8_t *out, size_t max)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    size_t n = f != NULL ? fread(out, 1, max, f) : 0;
    if (f != NULL)
        fclose(f);
    CHECK(n > 0);
    return n;
}

/* Decode and verify one update file; 0 if every check a device makes passes. */
static int check_update(const keys *k, const uint8_t *m, size_t len, const update_case *c)
{
    Custos__V1__SignedMessage *e = custos__v1__signed_message__unpack(NULL, len, m);
    if (e == NULL)
        return CUSTOS_ECORRUPT;
    int rc = CUSTOS_OK;
    if (e->signer.len != 32 || memcmp(e->signer.data, k->app_pk, 32) != 0 || e->signature.len != 64 ||
        crypto_sign_verify_detached(e->signature.data, e->body.data, e->body.len, k->app_pk) != 0)
        rc = CUSTOS_ESIGNATURE;
    Custos__V1__ConsentUpdate *u = rc == CUSTOS_OK ? custos__v1__consent_update__unpack(NULL, e->body.len, e->body.data) : NULL;
    if (rc == CUSTOS_OK && u == NULL)
        rc = CUSTOS_ECORRUPT;
    if (rc == CUSTOS_OK && u->n_changes > CUSTOS_SYNC_MAX_CHANGES)
        rc = CUSTOS_ERANGE;
    if (rc == CUSTOS_OK && memcmp(u->device_id.data, k->device_id, 16) != 0)
        rc = CUSTOS_EINVAL;
    if (rc == CUSTOS_OK) {
        CHECK(u->counter == c->counter);
        CHECK(u->n_changes == c->n);
        for (size_t i = 0; i < u->n_changes && i < c->n; i++)
            CHECK(u->changes[i]->subject == c->changes[i].subject && u->changes[i]->purpose == c->changes[i].purpose &&
                  (int)u->changes[i]->status == (int)c->changes[i].status);
    }
    if (u != NULL)
        custos__v1__consent_update__free_unpacked(u, NULL);
    custos__v1__signed_message__free_unpacked(e, NULL);
    return rc;
}

static int check(const char *dir)
{
    keys k;
    make_keys(&k);
    uint8_t buf[4096];
    for (int i = 0; i < 17; i++)
        many[i] = (custos_consent_change){ 1, (uint32_t)(i % 4) + 1, CUSTOS_CONSENT_GIVEN, 0 };
    static const int expect[] = { CUSTOS_OK, CUSTOS_OK, CUSTOS_OK /* replay is a device-state check */,
                                  CUSTOS_ESIGNATURE, CUSTOS_ECORRUPT, CUSTOS_ERANGE, CUSTOS_EINVAL };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = read_file(dir, cases[i].file, buf, sizeof buf);
        int rc = check_update(&k, buf, n, &cases[i]);
        if (rc != expect[i]) {
            fprintf(stderr, "vectors: %s: got %s\n", cases[i].file, custos_strerror(rc));
            fails++;
        }
    }
    uint8_t pk[32];
    read_file(dir, "app_pk.bin", pk, sizeof pk);
    CHECK(memcmp(pk, k.app_pk, 32) == 0);
    printf("vectors: %s\n", fails ? "FAILED" : "ok");
    return fails ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0)
        return 1;
    if (argc == 3 && strcmp(argv[1], "--check") == 0)
        return check(argv[2]);
    if (argc != 2) {
        fprintf(stderr, "usage: gen_vectors DIR | gen_vectors --check DIR\n");
        return 2;
    }
    generate(argv[1]);
    return 0;
}
