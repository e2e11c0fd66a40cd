/*
 * sign_update.c: the smallest app side for the camera: make the companion
 * app's key pair, and write a signed consent update for one camera. The
 * real companion app (examples/smart-camera/app, the core's sync codec)
 * produces the same bytes; this tool lets the firmware be driven on its
 * own, and is what the firmware's test uses.
 *
 *   camera-sign-update keygen APP_KEY APP_PUB
 *   camera-sign-update sign APP_KEY DEVICE_ID_HEX COUNTER OUT CHANGE...
 *
 * CHANGE is subject:purpose:status[:valid_until], status one of given,
 * renewed, refused, withdrawn, revoked, expired, invalidated, requested.
 * Keys are raw bytes (APP_KEY: libsodium's 64-byte secret key).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pb_encode.h>
#include <sodium.h>

#include "custos/v1/sync.pb.h"
#include "custos_dev.h"

static const struct { const char *name; custos_v1_ConsentStatus status; } statuses[] = {
    { "given", custos_v1_ConsentStatus_CONSENT_GIVEN },
    { "renewed", custos_v1_ConsentStatus_CONSENT_RENEWED },
    { "refused", custos_v1_ConsentStatus_CONSENT_REFUSED },
    { "withdrawn", custos_v1_ConsentStatus_CONSENT_WITHDRAWN },
    { "revoked", custos_v1_ConsentStatus_CONSENT_REVOKED },
    { "expired", custos_v1_ConsentStatus_CONSENT_EXPIRED },
    { "invalidated", custos_v1_ConsentStatus_CONSENT_INVALIDATED },
    { "requested", custos_v1_ConsentStatus_CONSENT_REQUESTED },
};

static int write_file(const char *path, const uint8_t *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return -1;
    int ok = fwrite(buf, 1, len, f) == len;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

static int parse_change(const char *s, custos_v1_ConsentChange *c)
{
    char name[32];
    unsigned subject, purpose;
    unsigned long long until = 0;
    if (sscanf(s, "%u:%u:%31[a-z]:%llu", &subject, &purpose, name, &until) < 3
        || subject > 255 || purpose > 255)
        return -1;
    memset(c, 0, sizeof *c); /* not secret */
    c->subject = (uint8_t)subject;
    c->purpose = (uint8_t)purpose;
    c->has_valid_until = until != 0;
    c->valid_until = until;
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        if (!strcmp(name, statuses[i].name)) {
            c->status = statuses[i].status;
            return 0;
        }
    return -1;
}

static int keygen(const char *sk_path, const char *pk_path)
{
    uint8_t pk[32], sk[64];
    crypto_sign_keypair(pk, sk);
    int rc = write_file(sk_path, sk, sizeof sk) | write_file(pk_path, pk, sizeof pk);
    sodium_memzero(sk, sizeof sk);
    return rc;
}

static int sign(int argc, char **argv)
{
    static custos_v1_ConsentUpdate u;
    static custos_v1_SignedMessage m;
    uint8_t sk[64], out[CUSTOS_DEV_MESSAGE_MAX];
    FILE *f = fopen(argv[2], "rb");
    int ok = f != NULL && fread(sk, 1, sizeof sk, f) == sizeof sk;
    if (f)
        fclose(f);
    if (!ok || strlen(argv[3]) != 32 || argc - 6 > 16)
        return -1;
    u.body_type = custos_v1_BodyType_BODY_CONSENT_UPDATE;
    for (int i = 0; i < 16; i++) {
        unsigned b;
        if (sscanf(argv[3] + 2 * i, "%2x", &b) != 1)
            return -1;
        u.device_id[i] = (uint8_t)b;
    }
    u.counter = (uint32_t)strtoul(argv[4], NULL, 10);
    crypto_generichash(u.manifest_id, 32, (const uint8_t *)"smart-camera", 12, NULL, 0);
    u.policy_version = 1;
    u.has_time = true;
    u.time = (uint64_t)time(NULL);
    for (int i = 6; i < argc; i++)
        if (parse_change(argv[i], &u.changes[u.changes_count++]) != 0)
            return -1;
    pb_ostream_t os = pb_ostream_from_buffer(m.body.bytes, sizeof m.body.bytes);
    if (!pb_encode(&os, custos_v1_ConsentUpdate_fields, &u))
        return -1;
    m.body.size = (pb_size_t)os.bytes_written;
    m.body_type = custos_v1_BodyType_BODY_CONSENT_UPDATE;
    memcpy(m.signer, sk + 32, 32);
    crypto_sign_detached(m.signature, NULL, m.body.bytes, m.body.size, sk);
    sodium_memzero(sk, sizeof sk);
    os = pb_ostream_from_buffer(out, sizeof out);
    if (!pb_encode(&os, custos_v1_SignedMessage_fields, &m))
        return -1;
    return write_file(argv[5], out, os.bytes_written);
}

int main(int argc, char **argv)
{
    int rc = -1;
    if (sodium_init() < 0)
        return 1;
    if (argc == 4 && !strcmp(argv[1], "keygen"))
        rc = keygen(argv[2], argv[3]);
    else if (argc >= 6 && !strcmp(argv[1], "sign"))
        rc = sign(argc, argv);
    else {
        fprintf(stderr, "usage: camera-sign-update keygen APP_KEY APP_PUB\n"
                        "       camera-sign-update sign APP_KEY DEVICE_ID_HEX COUNTER OUT "
                        "subject:purpose:status[:valid_until]...\n");
        return 64;
    }
    if (rc != 0)
        fprintf(stderr, "camera-sign-update: failed\n");
    return rc == 0 ? 0 : 1;
}
