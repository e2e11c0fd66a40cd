/*
 * camera.c: the smart camera's firmware side, on the POSIX port.
 *
 * The camera has five collection points, each behind the Custos gate:
 * video, audio and presence for cloud recording (purpose 2 of
 * examples/smart-camera/privacy.yaml), telemetry for analytics (purpose 3)
 * and clips for AI training (purpose 4). It keeps its consent state
 * in (simulated) flash, applies the consent update file the companion app
 * produced, and prints, for every subject slot, what it collects and what it
 * refuses, with the reason. The end-to-end demo drives it:
 *
 *   camera-firmware --flash cam.flash (--device-id <32 hex> | --identity DIR) \
 *       [--pair app.pub] [--update update.bin] [--device-key device.key] \
 *       [--report report.bin] [--erase receipt.bin]
 *
 * --identity DIR is the camera's factory state: on first boot the camera
 * makes its own Ed25519 key pair and 16-byte id there (device.key,
 * device.pub, device.id), so no two cameras share a secret; later boots read
 * them back. (A production camera keeps the key in its secure element; the
 * POSIX port uses libsodium.)
 *
 * Keys are files of raw bytes or of hex (app.pub: 32-byte Ed25519 public
 * key; device.key: libsodium's 64-byte secret key, to sign reports and
 * receipts). Output lines, one per fact:
 *
 *   pair: ok
 *   update: applied (counter 3)
 *   update: rejected: replayed or stale update counter (-8)
 *   subject 0 video: COLLECT
 *   subject 0 audio: REFUSE (consent refused or withdrawn)
 *
 * Exit status: 0, or 2 when the update or a requested step was rejected.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "custos_dev.h"
#include "custos_dev_posix.h"

/* Purpose ids of the camera's manifest (examples/smart-camera/privacy.yaml)
 * that rest on consent; the contract purposes (device operation, safety
 * alerts, firmware update) need no consent and are not gated here. */
enum { PURPOSE_CLOUD_RECORDING = 2, PURPOSE_ANALYTICS = 3, PURPOSE_AI_TRAINING = 4 };

static const struct collection_point {
    const char *name;
    unsigned purpose;
} points[] = {
    { "video", PURPOSE_CLOUD_RECORDING },
    { "audio", PURPOSE_CLOUD_RECORDING },
    { "presence", PURPOSE_CLOUD_RECORDING },
    { "analytics", PURPOSE_ANALYTICS },
    { "ai-training", PURPOSE_AI_TRAINING },
};

#define DECLARED ((1u << PURPOSE_CLOUD_RECORDING) | (1u << PURPOSE_ANALYTICS) | (1u << PURPOSE_AI_TRAINING))
#define FLASH_PAGE 128u

struct options {
    const char *flash, *device_id, *identity, *pair, *update, *device_key, *report, *erase;
};

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int parse_hex(const char *s, size_t slen, uint8_t *out, size_t n)
{
    if (slen != 2 * n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

static long read_file(const char *path, uint8_t *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    size_t n = fread(buf, 1, cap, f);
    int more = fgetc(f) != EOF;
    fclose(f);
    return more ? -1 : (long)n;
}

static int write_file(const char *path, const uint8_t *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return -1;
    int ok = fwrite(buf, 1, len, f) == len;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

/* A key file: exactly n raw bytes, or 2n hex digits (and a newline). */
static int read_key(const char *path, uint8_t *key, size_t n)
{
    uint8_t buf[256];
    long len = read_file(path, buf, sizeof buf);
    if (len == (long)n) {
        memcpy(key, buf, n);
        return 0;
    }
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        len--;
    return len > 0 ? parse_hex((const char *)buf, (size_t)len, key, n) : -1;
}

static int parse_args(int argc, char **argv, struct options *o)
{
    memset(o, 0, sizeof *o); /* not secret */
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--flash")) o->flash = v;
        else if (!strcmp(k, "--device-id")) o->device_id = v;
        else if (!strcmp(k, "--identity")) o->identity = v;
        else if (!strcmp(k, "--pair")) o->pair = v;
        else if (!strcmp(k, "--update")) o->update = v;
        else if (!strcmp(k, "--device-key")) o->device_key = v;
        else if (!strcmp(k, "--report")) o->report = v;
        else if (!strcmp(k, "--erase")) o->erase = v;
        else return -1;
    }
    return (argc % 2 == 1 && o->flash && (o->device_id != NULL) != (o->identity != NULL)) ? 0 : -1;
}

/* The camera's main loop, once: every collection point asks the gate. */
static void collect(const custos_dev_t *dev)
{
    for (unsigned s = 0; s < custos_dev_max_subjects(); s++) {
        for (size_t i = 0; i < sizeof points / sizeof points[0]; i++) {
            int rc = custos_dev_check(dev, s, points[i].purpose);
            if (rc == 0)
                printf("subject %u %s: COLLECT\n", s, points[i].name);
            else
                printf("subject %u %s: REFUSE (%s)\n", s, points[i].name,
                       custos_dev_strerror(rc));
        }
    }
}

static int apply_update(custos_dev_t *dev, const char *path)
{
    uint8_t msg[CUSTOS_DEV_MESSAGE_MAX + 1];   /* one byte more: oversize is seen */
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        printf("update: cannot read %s\n", path);
        return 2;
    }
    size_t n = fread(msg, 1, sizeof msg, f);
    fclose(f);
    int rc = custos_dev_apply_update(dev, msg, n);
    if (rc == 0) {
        printf("update: applied (counter %lu)\n", (unsigned long)custos_dev_counter(dev));
        return 0;
    }
    printf("update: rejected: %s (%d)\n", custos_dev_strerror(rc), rc);
    return 2;
}

static int emit(const char *what, const char *path, int rc, const uint8_t *buf, size_t len)
{
    if (rc == 0 && write_file(path, buf, len) == 0) {
        printf("%s: %zu bytes written to %s\n", what, len, path);
        return 0;
    }
    printf("%s: failed: %s\n", what, rc ? custos_dev_strerror(rc) : "cannot write file");
    return 2;
}

static int identity_file(char *path, size_t size, const char *dir, const char *name)
{
    return snprintf(path, size, "%s/%s", dir, name) < (int)size ? 0 : -1;
}

/* Read the camera's identity from dir, making it on first boot. */
static int load_identity(const char *dir, uint8_t id[16], uint8_t sk[64])
{
    char kp[512], pp[512], ip[512];
    uint8_t pk[32];
    if (identity_file(kp, sizeof kp, dir, "device.key") || identity_file(pp, sizeof pp, dir, "device.pub")
        || identity_file(ip, sizeof ip, dir, "device.id"))
        return -1;
    if (read_file(kp, sk, 64) == 64 && read_file(ip, id, 16) == 16)
        return 0;
    if (sodium_init() < 0)
        return -1;
    crypto_sign_keypair(pk, sk);
    randombytes_buf(id, 16);
    if (write_file(kp, sk, 64) || write_file(pp, pk, 32) || write_file(ip, id, 16))
        return -1;
    printf("first boot: generated this camera's own device key and id\n");
    return 0;
}

int main(int argc, char **argv)
{
    static custos_posix_port port;
    static custos_dev_t dev;
    struct options o;
    uint8_t id[16], key[64], out[CUSTOS_DEV_MESSAGE_MAX];
    size_t len = 0;
    int status = 0, rc;

    if (parse_args(argc, argv, &o) != 0
        || (o.device_id && parse_hex(o.device_id, strlen(o.device_id), id, sizeof id) != 0)) {
        fprintf(stderr, "usage: camera-firmware --flash FILE (--device-id HEX32 | --identity DIR)"
                        " [--pair APP_PUB] [--update FILE] [--device-key KEY] [--report OUT] [--erase OUT]\n");
        return 64;
    }
    if (custos_posix_open(&port, o.flash, FLASH_PAGE) != 0) {
        fprintf(stderr, "camera: cannot open flash %s\n", o.flash);
        return 1;
    }
    if (o.identity) {
        if (load_identity(o.identity, id, key) != 0) {
            fprintf(stderr, "camera: cannot read or create the identity in %s\n", o.identity);
            return 1;
        }
        custos_posix_set_signing_key(&port, key);
        custos_dev_wipe(key, sizeof key);
    }
    if (o.device_key) {
        if (read_key(o.device_key, key, 64) != 0) {
            fprintf(stderr, "camera: bad device key %s\n", o.device_key);
            return 1;
        }
        custos_posix_set_signing_key(&port, key);
        custos_dev_wipe(key, sizeof key);
    }
    if ((rc = custos_dev_open(&dev, &port.port, id, DECLARED)) != 0) {
        fprintf(stderr, "camera: %s\n", custos_dev_strerror(rc));
        return 1;
    }
    if (o.pair) {
        rc = read_key(o.pair, key, 32) == 0 ? custos_dev_pair(&dev, key) : CUSTOS_DEV_EINVAL;
        printf("pair: %s\n", rc == 0 ? "ok" : custos_dev_strerror(rc));
        if (rc != 0 && rc != CUSTOS_DEV_EPAIRED)
            status = 2;
    }
    if (o.update && apply_update(&dev, o.update) != 0)
        status = 2;
    collect(&dev);
    if (o.report) {
        rc = custos_dev_encode_report(&dev, out, sizeof out, &len);
        status |= emit("report", o.report, rc, out, len);
    }
    if (o.erase) {
        rc = custos_dev_erase(&dev, out, sizeof out, &len);
        status |= emit("erase receipt", o.erase, rc, out, len);
    }
    custos_dev_close(&dev);
    custos_posix_close(&port);
    return status;
}
