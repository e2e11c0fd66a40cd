/*
 * fuzz_receipt_import: everything Custos accepts from outside as proof of an
 * erase or a consent: a signed deletion receipt (custos_receipt_verify, and
 * custos_receipt_json, which decodes without verifying), a signed
 * EraseRequest at a receiving service (custos_erase_request_accept), and an
 * exported consent receipt (custos_consent_receipt_verify, JSON).
 *
 * Input: any bytes; each function sees all of them. The seeds
 * (corpus/fuzz_receipt_import/) are a subject-erase receipt, a factory-reset
 * receipt and an erase request made by the smart-camera demo.
 *
 * Expected: a clean CUSTOS_E* code (never success: no fuzzer finds an
 * Ed25519 signature by the fixed key below), and for the JSON rendering either
 * a NUL-terminated text or a clean error; never a crash, a leak or undefined
 * behaviour.
 */
#include <custos/custos.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An Ed25519 public key no one holds the secret of (the point for seed 1...). */
static const uint8_t device_pk[32] = {
    0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
    0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (custos_receipt_verify(data, size, device_pk) >= 0)
        abort();

    static char json[4 * CUSTOS_ERASE_RECEIPT_MAX + 4096];
    size_t jlen = 0;
    int rc = custos_receipt_json(json, sizeof json, &jlen, data, size);
    if (rc == CUSTOS_OK && (jlen >= sizeof json || json[jlen] != '\0' || strlen(json) != jlen))
        abort();

    custos_erase_replay_state state;
    memset(&state, 0, sizeof state); /* not secret */
    custos_erase_request_info info;
    if (custos_erase_request_accept(&info, &state, data, size, device_pk) >= 0 || state.n_ids != 0)
        abort();

    size_t events = 0;
    if (custos_consent_receipt_verify(&events, (const char *)data, size, device_pk) >= 0)
        abort();
    return 0;
}
