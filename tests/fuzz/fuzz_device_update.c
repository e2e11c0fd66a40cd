// Needs CUSTOS_DEVICE_FUZZ_SOURCES (device/fuzz_sources.cmake): device/src/*.c, nanopb runtime, generated consent/sync .pb.c, device/tests/dev_fuzz_port.c.
/*
 * custos_dev_apply_update on arbitrary bytes: the envelope walker, the
 * ConsentUpdate pre-check, nanopb's decoder and the state fold. The fuzz
 * port accepts every signature, so the body decoders are reached. The
 * first byte picks the mode: even, the input is a whole SignedMessage; odd,
 * the rest is a body, wrapped in an envelope from the paired key. Then the
 * report and compact encoders run on whatever state resulted.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "custos_dev.h"
#include "dev_fuzz_port.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t id[16] = { 0 };
    static const uint8_t app[32] = { 0 };
    static dev_fuzz_port port;
    static custos_dev_t dev;
    uint8_t msg[CUSTOS_DEV_MESSAGE_MAX + 64];
    uint8_t out[CUSTOS_DEV_MESSAGE_MAX];
    size_t n = 0, len;

    if (size == 0)
        return 0;
    dev_fuzz_port_init(&port);
    if (custos_dev_open(&dev, &port.port, id, ~(uint64_t)0) != 0
        || custos_dev_pair(&dev, app) != 0)
        __builtin_trap();
    if ((data[0] & 1) == 0) {
        n = size - 1 < sizeof msg ? size - 1 : sizeof msg;
        memcpy(msg, data + 1, n);
    } else if (size - 1 < 128) {
        size_t body = size - 1;
        msg[n++] = 0x08; msg[n++] = 0x01; msg[n++] = 0x12; msg[n++] = (uint8_t)body;
        memcpy(msg + n, data + 1, body); n += body;
        msg[n++] = 0x1a; msg[n++] = 32; memset(msg + n, 0, 32); n += 32;
        msg[n++] = 0x22; msg[n++] = 64; memset(msg + n, 0, 64); n += 64;
    } else {
        return 0;
    }
    (void)custos_dev_apply_update(&dev, msg, n);
    (void)custos_dev_check(&dev, data[0] & 3, (unsigned)(data[size - 1] & 63));
    (void)custos_dev_encode_report(&dev, out, sizeof out, &len);
    (void)custos_dev_encode_compact(&dev, 0, out, sizeof out, &len);
    custos_dev_close(&dev);
    return 0;
}
