/*
 * fuzz_manifest_compile: the manifest YAML compiler (custos_manifest_compile)
 * on arbitrary text. Manufacturers' build systems feed it files written by
 * hand, so every malformed document must end in a clean CUSTOS_EMANIFEST
 * naming a place, never in a crash, a leak or undefined behaviour.
 *
 * Checked for any input: a failure gives no output and a message; a success
 * gives a compiled file that the decoder accepts with the same manifest id.
 * Seeds: corpus/fuzz_manifest_compile/ (tests/data/manifests and examples/).
 */
#include "manifest/manifest_internal.h"

#include <custos/manifest.h>

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *out = NULL;
    size_t out_len = 0;
    uint8_t id[CUSTOS_HASH_BYTES];
    custos_manifest_error err;
    int rc = custos_manifest_compile(&out, &out_len, id, (const char *)data, size, "fuzz.yaml", NULL, &err);
    if (rc != CUSTOS_OK) {
        if (out != NULL || rc >= 0 || rc <= CUSTOS_E__LAST || err.message[0] == '\0')
            abort();
        return 0;
    }
    custos_manifest_pb *m = NULL;
    uint8_t id2[CUSTOS_HASH_BYTES];
    if (custos__manifest_decode(NULL, out, out_len, &m, id2) != CUSTOS_OK || memcmp(id, id2, sizeof id) != 0)
        abort(); /* what the compiler writes, the decoder must read back */
    custos__manifest_free(m);
    custos_manifest_free(out);
    return 0;
}
