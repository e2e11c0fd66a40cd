/*
 * notice.c: the notice hash (custos_notice_hash). The ledger stores
 * whatever 32 bytes the caller passes as custos_consent_info.notice_hash;
 * this is the one definition of them the SDK, its bindings and the example
 * companion app share, so that a receipt's urn:blake2b256:<hex> can be
 * recomputed from the notice text alone.
 */
#include "consent_private.h"

#include <sodium.h>

int custos_notice_hash(uint8_t out[CUSTOS_HASH_BYTES], const void *text, size_t len)
{
    if (out == NULL || (text == NULL && len != 0))
        return CUSTOS_EINVAL;
    if (sodium_init() < 0)
        return CUSTOS_ECRYPTO;
    static const uint8_t none[1] = { 0 };
    crypto_generichash(out, CUSTOS_HASH_BYTES, text != NULL ? text : none, len, NULL, 0);
    return CUSTOS_OK;
}
