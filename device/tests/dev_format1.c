/*
 * dev_format1.c: see dev_format1.h.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "dev_format1.h"
#include "dev_internal.h"

/* Format 1: magic "CDS1", seq, length, version 1, nonce, AEAD (AD = the
 * first 12 bytes), CRC-32 of everything before it. */
void dt_plant_format1(dt_env *e, unsigned slot, uint32_t seq, const uint8_t *plain,
                      size_t plen)
{
    uint8_t key[32], rec[CUSTOS_DEV_SLOT_SIZE];
    uint8_t *at = e->port.image + slot * CUSTOS_DEV_SLOT_SIZE;
    FILE *f = fopen(e->port.key_path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(key, 1, 32, f), 32);
    fclose(f);
    assert_true(36 + plen + 16 + 4 <= sizeof rec);
    memcpy(rec, "CDS1", 4);
    dev_put32(rec + 4, seq);
    rec[8] = (uint8_t)plen;
    rec[9] = (uint8_t)(plen >> 8);
    rec[10] = 1;
    rec[11] = 0;
    randombytes_buf(rec + 12, 24);
    crypto_aead_xchacha20poly1305_ietf_encrypt(rec + 36, NULL, plain, plen, rec, 12, NULL,
                                               rec + 12, key);
    dev_put32(rec + 36 + plen + 16, dev_crc32(rec, 36 + plen + 16));
    memset(at, 0xFF, CUSTOS_DEV_SLOT_SIZE); /* not secret */
    memcpy(at, rec, 36 + plen + 16 + 4);
    dt_flush_image(e);
    sodium_memzero(key, sizeof key);
}
