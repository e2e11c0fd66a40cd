/* api.c: the public functions of custos/manifest.h that the runtime (libcustos)
 * provides: sizes, the id of a compiled file, freeing. The YAML compiler and
 * the diff are in api_tools.c (libcustos-tools). */
#include "manifest_private.h"

#include <sodium.h>
#include <string.h>

_Static_assert((unsigned)CUSTOS_MANIFEST_CHANGE_NEW_PURPOSE == (unsigned)CUSTOS_CHANGE_NEW_PURPOSE &&
               (unsigned)CUSTOS_MANIFEST_CHANGE_NEW_CATEGORY == (unsigned)CUSTOS_CHANGE_NEW_CATEGORY &&
               (unsigned)CUSTOS_MANIFEST_CHANGE_NEW_RECIPIENT == (unsigned)CUSTOS_CHANGE_NEW_RECIPIENT &&
               (unsigned)CUSTOS_MANIFEST_CHANGE_LONGER_RETENTION == (unsigned)CUSTOS_CHANGE_LONGER_RETENTION &&
               (unsigned)CUSTOS_MANIFEST_CHANGE_LEGAL_BASIS == (unsigned)CUSTOS_CHANGE_LEGAL_BASIS &&
               (unsigned)CUSTOS_MANIFEST_CHANGE_REMOVED == (unsigned)CUSTOS_CHANGE_REMOVED &&
               (unsigned)CUSTOS_MANIFEST_CHANGE_NEW_LOCATION == (unsigned)CUSTOS_CHANGE_NEW_LOCATION &&
               (unsigned)CUSTOS_MANIFEST_CHANGE_LONGER_CONSENT == (unsigned)CUSTOS_CHANGE_LONGER_CONSENT,
               "public and internal change reasons must agree");

size_t custos_manifest_max_bytes(void) { return 16u + CUSTOS_MANIFEST_MAX_PAYLOAD + 32u; }
uint32_t custos_manifest_max_purpose_id(void) { return CUSTOS_MANIFEST_MAX_PURPOSE_ID; }

void custos_manifest_free(void *p) { custos__free(p); }

const char *custos_manifest_change_str(uint32_t reason) { return custos_manifest__change_word(reason); }

int custos_manifest__prepare(custos_manifest_error *err)
{
    if (err != NULL)
        memset(err, 0, sizeof *err); /* not secret */
    if (sodium_init() < 0)
        return custos_manifest__fail(err, CUSTOS_ECRYPTO, "libsodium failed to initialise");
    return CUSTOS_OK;
}

int custos_manifest_id(uint8_t out_id[CUSTOS_HASH_BYTES], const uint8_t *compiled, size_t len,
                       custos_manifest_error *err)
{
    int rc = custos_manifest__prepare(err);
    if (rc != CUSTOS_OK)
        return rc;
    custos_manifest_pb *m = NULL;
    rc = custos_manifest__decode(compiled, len, &m, out_id, err);
    custos__manifest_free(m);
    return rc;
}

