// Needs CUSTOS_DEVICE_FUZZ_SOURCES (device/fuzz_sources.cmake): device/src/*.c, nanopb runtime, generated consent/sync .pb.c, device/tests/dev_fuzz_port.c.
/*
 * custos_dev_open on arbitrary flash contents: slot framing, CRC, sequence
 * choice and the payload parser (the fuzz port's AEAD is a copy, so the
 * payload bytes are the fuzzer's). The input is the two slots after a
 * control byte. When its bit 0 is set, a valid header and CRC are written
 * over each slot's record, so that the parser behind the CRC is reached:
 * format 1 (firmware before issue 16) when bit 1 is clear, format 2 (commit
 * word, seq/~seq pair, counter pair) when it is set; bit 2 makes format 2's
 * pairs consistent, so the trusted-seq path of a fallback is reached too.
 * Then the gate, the report and an erase run on the loaded state.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "custos_dev.h"
#include "dev_fuzz_port.h"
#include "dev_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Record length for the default configuration (dev_store.c's layout). */
#define FZ_PAYLOAD (32u + 1u + 32u + 4u + 4u + 16u * CUSTOS_DEV_MAX_SUBJECTS + 1u \
                    + 6u * CUSTOS_DEV_MAX_TIMED)
#define FZ_CRC_OFF (12u + 24u + FZ_PAYLOAD + 16u)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t id[16] = { 0 };
    static dev_fuzz_port port;
    static custos_dev_t dev;
    uint8_t out[CUSTOS_DEV_MESSAGE_MAX];
    size_t len;

    if (size == 0)
        return 0;
    dev_fuzz_port_init(&port);
    memcpy(port.flash, data + 1, size - 1 < sizeof port.flash ? size - 1 : sizeof port.flash);
    if (data[0] & 1) {
        const unsigned v2 = (data[0] & 2) != 0;
        for (unsigned s = 0; s < 2; s++) {
            uint8_t *slot = port.flash + s * CUSTOS_DEV_SLOT_SIZE;
            uint8_t *rec = v2 ? slot + 4 : slot; /* format 2: after the commit word */
            if (v2)
                memset(slot, 0, 4);              /* committed */
            memcpy(rec, v2 ? "CDS2" : "CDS1", 4);
            rec[8] = (uint8_t)FZ_PAYLOAD;
            rec[9] = (uint8_t)(FZ_PAYLOAD >> 8);
            rec[10] = v2 ? 2 : 1;
            rec[11] = 0;
            dev_put32(rec + FZ_CRC_OFF, dev_crc32(rec, FZ_CRC_OFF));
            if (v2 && (data[0] & 4)) {
                dev_put32(rec + FZ_CRC_OFF + 4, ~dev_get32(rec + 4));          /* ~seq */
                dev_put32(rec + FZ_CRC_OFF + 12, ~dev_get32(rec + FZ_CRC_OFF + 8)); /* ~counter */
            }
        }
    }
    if (custos_dev_open(&dev, &port.port, id, ~(uint64_t)0) != 0)
        return 0;
    for (unsigned p = 0; p < 64; p++)
        (void)custos_dev_check(&dev, p & 3, p);
    (void)custos_dev_encode_report(&dev, out, sizeof out, &len);
    (void)custos_dev_erase(&dev, out, sizeof out, &len);
    custos_dev_close(&dev);
    return 0;
}
