/*
 * fuzz_manifest_decode: the compiled-manifest decoder (custos__manifest_decode)
 * on arbitrary bytes. Firmware and apps read compiled manifests that arrive
 * over the air, so every byte is attacker-controlled.
 *
 * Input: one mode byte, then a compiled manifest file. With an odd mode
 * byte the target first repairs the framing (payload length and BLAKE2b
 * checksum, see core/src/manifest/file.c), so that mutations reach the
 * protobuf decoder and the validator behind the checksum; with an even one
 * the bytes are decoded as they are (the framing checks themselves).
 *
 * Expected: CUSTOS_OK with a manifest whose lookups hold, or a clean error
 * with no output; never a crash, a leak or undefined behaviour.
 * Seeds: corpus/fuzz_manifest_decode/ (files compiled from
 * tests/data/manifests and examples/, with mode byte 1).
 */
#include "manifest/manifest_internal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FRAME_HEADER 16u
#define FRAME_TRAILER 32u

static void repair_framing(uint8_t *f, size_t len)
{
    if (len < FRAME_HEADER + FRAME_TRAILER)
        return;
    size_t n = len - FRAME_HEADER - FRAME_TRAILER;
    for (int i = 0; i < 4; i++)
        f[12 + i] = (uint8_t)(n >> (8 * i));
    crypto_generichash(f + len - FRAME_TRAILER, FRAME_TRAILER, f, len - FRAME_TRAILER, NULL, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t len = size - 1;
    uint8_t *file = malloc(len + 1);
    if (file == NULL)
        return 0;
    memcpy(file, data + 1, len);
    if (data[0] & 1u)
        repair_framing(file, len);
    custos_manifest_pb *m = NULL;
    uint8_t id[CUSTOS_HASH_BYTES];
    int rc = custos__manifest_decode(NULL, file, len, &m, id);
    if (rc == CUSTOS_OK) {
        if (m == NULL)
            abort();
        /* Lookups must hold for every id the decoder accepted. */
        for (size_t i = 0; i < m->n_purposes; i++)
            if (custos__manifest_purpose(m, m->purposes[i]->id) == NULL)
                abort();
        custos__manifest_free(m);
    } else if (m != NULL || rc >= 0) {
        abort();
    }
    free(file);
    return 0;
}
