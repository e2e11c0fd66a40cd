/*
 * journal.c: the intent journal. It is written before the first destructive
 * step of an erase and removed after the last, so that the next open knows
 * an erase was under way and finishes it.
 *
 * ERASE JOURNAL (<store>/erase.journal, little-endian)
 *
 *   offset  size  field
 *   0       8     magic "CUSTOSEJ"
 *   8       4     version (1)
 *   12      4     scope (EraseScope of sync.proto)
 *   16      4     subject (store-local number; subject scopes)
 *   20      4     purpose (0xFFFFFFFF: every purpose)
 *   24      4     phase (factory reset: 0 intent, 1 receipt signed)
 *   28      4     counter (factory reset: the EraseRequest counter)
 *   32      4     flags (bit 0: a sample record was taken)
 *   36      4     probe KEK generation (factory reset)
 *   40      8     sample record id
 *   48      8     time the erase began, seconds since the epoch
 *   56      16    receipt id
 *   72      32    keyed hash of the subject (zeros when none)
 *   104     72    probe: 32 random bytes wrapped by the KEK (factory reset)
 *   176     4     payload length L (at most 4096)
 *   180     L     payload (factory reset, phase 1): u32 length of the signed
 *                 receipt, the signed receipt, the signed EraseRequest
 *   180+L   32    BLAKE2b-256 of every byte before it
 *
 * The checksum detects a torn or damaged file (CUSTOS_ECORRUPT); it is not
 * a MAC: whoever can write the store directory can delete the store. The
 * journal holds no secret and no subject id: the probe is a key nobody keeps,
 * and the signed payload can be shown to anyone. It is written with
 * custos__file_write_atomic, so a crash leaves the old journal, the new
 * one, or none; never a mix.
 */
#include "erase_internal.h"
#include "ground/pack.h"

#include <sodium.h>
#include <string.h>

#define J_MAGIC "CUSTOSEJ"
#define J_VERSION 1u
#define J_HEAD 180u
#define J_SUM 32u
#define J_PROBE_LEN (32u + CUSTOS_WRAP_OVERHEAD)


int custos_erase__journal_path(const char *dir, char **out)
{
    *out = custos__path_join(dir, ERASE_JOURNAL_NAME);
    return *out == NULL ? CUSTOS_ENOMEM : CUSTOS_OK;
}

static void encode(uint8_t *b, const erase_intent *in)
{
    memcpy(b, J_MAGIC, 8);
    custos__le32_put(b + 8, J_VERSION);
    custos__le32_put(b + 12, in->scope);
    custos__le32_put(b + 16, in->subject);
    custos__le32_put(b + 20, in->purpose);
    custos__le32_put(b + 24, in->phase);
    custos__le32_put(b + 28, in->counter);
    custos__le32_put(b + 32, in->has_sample ? 1u : 0u);
    custos__le32_put(b + 36, in->probe_gen);
    custos__le64_put(b + 40, (uint64_t)in->sample);
    custos__le64_put(b + 48, in->time);
    memcpy(b + 56, in->receipt_id, 16);
    memcpy(b + 72, in->subject_hash, 32);
    memcpy(b + 104, in->probe, J_PROBE_LEN);
    custos__le32_put(b + 176, (uint32_t)in->payload_len);
    if (in->payload_len > 0)
        memcpy(b + J_HEAD, in->payload, in->payload_len);
    crypto_generichash(b + J_HEAD + in->payload_len, J_SUM, b, J_HEAD + in->payload_len, NULL, 0);
}

int custos_erase__journal_write(custos_t *ctx, const char *dir, const erase_intent *in)
{
    if (in->payload_len > ERASE_PAYLOAD_MAX)
        return custos__fail(ctx, CUSTOS_EINTERNAL, "erase journal payload of %zu bytes is too large",
                            in->payload_len);
    size_t len = J_HEAD + in->payload_len + J_SUM;
    uint8_t *b = custos__calloc(1, len);
    char *path = NULL;
    int rc = b == NULL ? CUSTOS_ENOMEM : custos_erase__journal_path(dir, &path);
    if (rc == CUSTOS_OK) {
        encode(b, in);
        rc = custos__file_write_atomic(ctx, path, b, len, 0600);
    } else {
        rc = custos__fail(ctx, CUSTOS_ENOMEM, "out of memory");
    }
    custos__free(b);
    custos__free(path);
    return rc;
}

static int decode(custos_t *ctx, const uint8_t *b, size_t len, erase_intent *out)
{
    if (len < J_HEAD + J_SUM || memcmp(b, J_MAGIC, 8) != 0)
        return custos__fail(ctx, CUSTOS_ECORRUPT, "the erase journal is truncated or foreign");
    if (custos__le32_get(b + 8) != J_VERSION)
        return custos__fail(ctx, CUSTOS_EVERSION, "the erase journal is version %u; this Custos reads %u",
                            custos__le32_get(b + 8), J_VERSION);
    uint32_t plen = custos__le32_get(b + 176);
    if (plen > ERASE_PAYLOAD_MAX || len != J_HEAD + plen + J_SUM)
        return custos__fail(ctx, CUSTOS_ECORRUPT, "the erase journal has a bad length");
    uint8_t sum[J_SUM];
    crypto_generichash(sum, J_SUM, b, J_HEAD + plen, NULL, 0);
    if (sodium_memcmp(sum, b + J_HEAD + plen, J_SUM) != 0)
        return custos__fail(ctx, CUSTOS_ECORRUPT, "the erase journal failed its checksum");
    uint32_t scope = custos__le32_get(b + 12);
    if (scope < ERASE_SCOPE_SUBJECT || scope > ERASE_SCOPE_EXPIRED)
        return custos__fail(ctx, CUSTOS_ECORRUPT, "the erase journal names an unknown scope %u", scope);
    custos__wipe(out, sizeof *out);
    out->scope = scope;
    out->subject = custos__le32_get(b + 16);
    out->purpose = custos__le32_get(b + 20);
    out->phase = custos__le32_get(b + 24);
    out->counter = custos__le32_get(b + 28);
    out->has_sample = (custos__le32_get(b + 32) & 1u) != 0;
    out->probe_gen = custos__le32_get(b + 36);
    out->sample = (int64_t)custos__le64_get(b + 40);
    out->time = custos__le64_get(b + 48);
    memcpy(out->receipt_id, b + 56, 16);
    memcpy(out->subject_hash, b + 72, 32);
    memcpy(out->probe, b + 104, J_PROBE_LEN);
    if (plen > 0) {
        if ((out->payload = custos__malloc(plen)) == NULL)
            return custos__fail(ctx, CUSTOS_ENOMEM, "out of memory");
        memcpy(out->payload, b + J_HEAD, plen);
        out->payload_len = plen;
    }
    return CUSTOS_OK;
}

int custos_erase__journal_read(custos_t *ctx, const char *dir, erase_intent *out)
{
    char *path = NULL;
    uint8_t *b = NULL;
    size_t len = 0;
    custos__wipe(out, sizeof *out); /* safe to clear whatever happens */
    int rc = custos_erase__journal_path(dir, &path);
    if (rc == CUSTOS_OK)
        rc = custos__file_read(ctx, path, &b, &len, J_HEAD + ERASE_PAYLOAD_MAX + J_SUM);
    if (rc == CUSTOS_OK)
        rc = decode(ctx, b, len, out);
    custos__free(b);
    custos__free(path);
    return rc;
}

int custos_erase__journal_remove(custos_t *ctx, const char *dir)
{
    char *path = NULL;
    int rc = custos_erase__journal_path(dir, &path);
    if (rc == CUSTOS_OK)
        rc = custos__file_unlink(ctx, path);
    if (rc == CUSTOS_OK)
        rc = custos__fsync_dir(ctx, dir);
    custos__free(path);
    return rc;
}

void custos_erase__intent_clear(erase_intent *in)
{
    custos__free(in->payload);
    custos__wipe(in, sizeof *in);
}
