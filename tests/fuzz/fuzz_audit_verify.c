/*
 * fuzz_audit_verify: custos_audit_verify_export on arbitrary bytes. An
 * exported audit chain is checked off the device (by an app, a cloud
 * service, an auditor), so every byte of it is attacker-controlled.
 *
 * Input: the device public key (32 bytes) followed by the export. Taking
 * the key from the input lets seeds made from real stores (`custos audit
 * verify` prints the key, `custos audit export` writes the export) reach
 * the signature-checked paths; the fuzzer cannot forge a signature anyway.
 *
 * Expected: CUSTOS_OK with a consistent report, or CUSTOS_ECORRUPT naming a
 * failure (CUSTOS_ENOMEM allowed); never a crash, a leak or another code.
 * Seeds: corpus/fuzz_audit_verify/.
 */
#include <custos/audit.h>

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 32)
        return 0;
    custos_audit_report r = CUSTOS_AUDIT_REPORT_INIT;
    int rc = custos_audit_verify_export(&r, data + 32, size - 32, data);
    if (rc == CUSTOS_OK) {
        if (r.failure != CUSTOS_AUDIT_OK || r.failed_seq != 0 || r.last_checkpoint_seq > r.entries ||
            r.unsigned_tail != r.entries - r.last_checkpoint_seq)
            abort();
    } else if (rc == CUSTOS_ECORRUPT) {
        if (r.failure == CUSTOS_AUDIT_OK)
            abort();
    } else if (rc != CUSTOS_ENOMEM) {
        abort();
    }
    return 0;
}
