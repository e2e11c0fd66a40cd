/*
 * fuzz_sync_decode: the core's decoders of sync messages (protobuf-c) on a
 * store, as a device or an app receives them: custos_sync_apply_update,
 * custos_sync_decode_state_report and custos_sync_decode_manifest_offer.
 *
 * Input: one mode byte, then bytes. Mode & 1 == 0: the bytes are the whole
 * SignedMessage as received (the envelope decoder and the signature check).
 * Mode & 1 == 1: the bytes are the BODY, which the target signs with the
 * paired peer's key and wraps in a SignedMessage, so that mutations reach the
 * body decoders, body_type and counter checks behind the signature.
 * Seeds: corpus/fuzz_sync_decode/ (a consent update from the demo, mode 0).
 *
 * Expected: a clean CUSTOS_E* code or success with counts in range; never a
 * crash, a leak or undefined behaviour. The store lives on /dev/shm when it
 * exists.
 */
#include <custos/custos.h>

#include "custos/v1/sync.pb-c.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static custos_t *ctx;
static uint8_t peer_pk[32], peer_sk[64];
static char store_dir[512];

static void cleanup(void)
{
    custos_close(ctx);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", store_dir);
    if (system(cmd) != 0)
        return;
}

static void prepare(void)
{
    struct stat st;
    const char *base = stat("/dev/shm", &st) == 0 ? "/dev/shm" : (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    snprintf(store_dir, sizeof store_dir, "%s/custos-fuzz-sync-XXXXXX", base);
    if (mkdtemp(store_dir) == NULL || sodium_init() < 0)
        abort();
    uint8_t seed[32] = { 7 };
    crypto_sign_seed_keypair(peer_pk, peer_sk, seed);
    if (custos_open(&ctx, store_dir, NULL) != CUSTOS_OK || custos_pair(ctx, peer_pk, NULL) != CUSTOS_OK)
        abort();
    atexit(cleanup);
}

/* Wrap body in a SignedMessage signed by the peer; returns a malloc'd buffer. */
static uint8_t *sign_body(const uint8_t *body, size_t len, int type, size_t *out_len)
{
    uint8_t sig[64];
    crypto_sign_detached(sig, NULL, body, len, peer_sk);
    Custos__V1__SignedMessage m = CUSTOS__V1__SIGNED_MESSAGE__INIT;
    m.body_type = (Custos__V1__BodyType)type;
    m.body.data = (uint8_t *)body;
    m.body.len = len;
    m.signer.data = peer_pk;
    m.signer.len = 32;
    m.signature.data = sig;
    m.signature.len = 64;
    *out_len = custos__v1__signed_message__get_packed_size(&m);
    uint8_t *out = malloc(*out_len ? *out_len : 1);
    if (out != NULL)
        custos__v1__signed_message__pack(&m, out);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (ctx == NULL)
        prepare();
    if (size < 1)
        return 0;
    uint8_t mode = data[0];
    const uint8_t *msg = data + 1;
    size_t len = size - 1;
    uint8_t *owned = NULL;
    if (mode & 1u) {
        owned = sign_body(msg, len, 1 + (mode >> 1) % 5, &len);
        if (owned == NULL)
            return 0;
        msg = owned;
    }

    size_t applied = 0;
    int rc = custos_sync_apply_update(ctx, &applied, msg, len);
    if (rc > 0 || (rc == CUSTOS_OK && applied > CUSTOS_SYNC_MAX_CHANGES))
        abort();

    custos_compact_state states[CUSTOS_SYNC_MAX_STATES];
    size_t n = 0;
    uint8_t device_id[16];
    uint32_t counter = 0;
    rc = custos_sync_decode_state_report(ctx, states, CUSTOS_SYNC_MAX_STATES, &n, device_id, &counter, msg, len);
    if (rc > 0 || (rc == CUSTOS_OK && n > CUSTOS_SYNC_MAX_STATES))
        abort();

    uint8_t manifest_id[32];
    uint32_t version = 0, reconsent[64];
    rc = custos_sync_decode_manifest_offer(ctx, manifest_id, &version, reconsent, 64, &n, msg, len);
    if (rc > 0 || (rc == CUSTOS_OK && n > 64))
        abort();
    free(owned);
    return 0;
}
