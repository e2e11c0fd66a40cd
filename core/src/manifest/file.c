/*
 * file.c: the compiled manifest file (what `custos manifest compile` writes
 * and what firmware and apps embed).
 *
 * COMPILED MANIFEST LAYOUT (little-endian)
 *
 *   offset   size  field
 *   0        8     magic "CUSTOSMF"
 *   8        4     file format version (1)
 *   12       4     payload length N (at most CUSTOS_MANIFEST_MAX_PAYLOAD)
 *   16       N     payload: custos.v1.Manifest, canonical protobuf
 *   16+N     32    checksum: BLAKE2b-256 of bytes 0 .. 16+N-1
 *
 * The manifest id is BLAKE2b-256 of the payload alone (not of the framing),
 * so the id names the declaration, whatever file carries it.
 *
 * Canonical payload: the message packed by protobuf-c (fields in field-number
 * order), every repeated field sorted as manifest.proto says, no unknown
 * fields, optional flags present only when true. The reader re-packs what it
 * unpacked and refuses any payload that does not come back byte for byte, so
 * one declaration has exactly one id.
 *
 * What it protects against: truncation, appended bytes, and accidental or
 * casual alteration (every single-bit change is detected by the checksum).
 * It is not a signature: anyone can write a valid file. Consent events bind
 * to the id, so a different file is a different manifest, never a silently
 * reinterpreted one.
 */
#include "manifest_private.h"
#include "ground/pack.h"

#include <protobuf-c/protobuf-c.h>
#include <sodium.h>
#include <string.h>

#define MF_MAGIC "CUSTOSMF"
#define MF_HEADER 16u
#define MF_TRAILER 32u

int custos_manifest__frame(uint8_t **out, size_t *out_len, const uint8_t *payload, size_t payload_len)
{
    if (payload_len > CUSTOS_MANIFEST_MAX_PAYLOAD)
        return CUSTOS_ERANGE;
    size_t total = MF_HEADER + payload_len + MF_TRAILER;
    uint8_t *f = custos__malloc(total);
    if (f == NULL)
        return CUSTOS_ENOMEM;
    memcpy(f, MF_MAGIC, 8);
    custos__le32_put(f + 8, CUSTOS_MANIFEST_FORMAT_VERSION);
    custos__le32_put(f + 12, (uint32_t)payload_len);
    memcpy(f + MF_HEADER, payload, payload_len);
    crypto_generichash(f + MF_HEADER + payload_len, MF_TRAILER, f, MF_HEADER + payload_len, NULL, 0);
    *out = f;
    *out_len = total;
    return CUSTOS_OK;
}

int custos_manifest__encode(uint8_t **out, size_t *out_len, const custos_manifest_pb *m, uint8_t out_id[CUSTOS_HASH_BYTES])
{
    size_t n = custos__v1__manifest__get_packed_size(m);
    if (n > CUSTOS_MANIFEST_MAX_PAYLOAD)
        return CUSTOS_ERANGE;
    uint8_t *payload = custos__malloc(n);
    if (payload == NULL)
        return CUSTOS_ENOMEM;
    custos__v1__manifest__pack(m, payload);
    if (out_id != NULL)
        crypto_generichash(out_id, CUSTOS_HASH_BYTES, payload, n, NULL, 0);
    int rc = custos_manifest__frame(out, out_len, payload, n);
    custos__free(payload);
    return rc;
}

/* Check magic, length and checksum; on success *payload and *plen point into file. */
static int unframe(const uint8_t *file, size_t len, const uint8_t **payload, size_t *plen,
                   custos_manifest_error *err)
{
    if (len < MF_HEADER + MF_TRAILER || memcmp(file, MF_MAGIC, 8) != 0)
        return custos_manifest__fail(err, CUSTOS_ECORRUPT, "not a compiled Custos manifest (no CUSTOSMF header); "
                       "compile the YAML with 'custos manifest compile'");
    uint32_t n = custos__le32_get(file + 12);
    if (n > CUSTOS_MANIFEST_MAX_PAYLOAD || (size_t)n + MF_HEADER + MF_TRAILER != len)
        return custos_manifest__fail(err, CUSTOS_ECORRUPT, "compiled manifest is %zu bytes but its header announces %zu: "
                       "the file is truncated or has bytes appended", len,
                       (size_t)n + MF_HEADER + MF_TRAILER);
    uint8_t sum[MF_TRAILER];
    crypto_generichash(sum, sizeof sum, file, MF_HEADER + n, NULL, 0);
    if (sodium_memcmp(sum, file + MF_HEADER + n, sizeof sum) != 0)
        return custos_manifest__fail(err, CUSTOS_ECORRUPT, "compiled manifest checksum does not match: the file was altered");
    uint32_t version = custos__le32_get(file + 8);
    if (version != CUSTOS_MANIFEST_FORMAT_VERSION)
        return custos_manifest__fail(err, CUSTOS_EVERSION, "compiled manifest format %u is not supported by this build (it reads %u)",
                       version, CUSTOS_MANIFEST_FORMAT_VERSION);
    *payload = file + MF_HEADER;
    *plen = n;
    return CUSTOS_OK;
}

/* 0 if packing m gives back exactly payload (checked without a second buffer). */
typedef struct cmp_buffer {
    ProtobufCBuffer base;
    const uint8_t *expect;
    size_t len, pos;
    int differs;
} cmp_buffer;

static void cmp_append(ProtobufCBuffer *b, size_t n, const uint8_t *data)
{
    cmp_buffer *c = (cmp_buffer *)b;
    if (c->differs || n > c->len - c->pos || memcmp(c->expect + c->pos, data, n) != 0) {
        c->differs = 1;
        return;
    }
    c->pos += n;
}

static int is_canonical(const custos_manifest_pb *m, const uint8_t *payload, size_t n)
{
    if (m->base.n_unknown_fields != 0)
        return 0;
    cmp_buffer c = { { cmp_append }, payload, n, 0, 0 };
    custos__v1__manifest__pack_to_buffer(m, &c.base);
    return !c.differs && c.pos == n;
}

int custos_manifest__decode(const uint8_t *file, size_t len, custos_manifest_pb **out,
              uint8_t out_id[CUSTOS_HASH_BYTES], custos_manifest_error *err)
{
    if (file == NULL || out == NULL)
        return custos_manifest__fail(err, CUSTOS_EINVAL, "no compiled manifest given");
    *out = NULL;
    const uint8_t *payload = NULL;
    size_t n = 0;
    int rc = unframe(file, len, &payload, &n, err);
    if (rc != CUSTOS_OK)
        return rc;
    custos_manifest_pb *m = NULL;
    rc = custos__pbc_unpack(&custos__v1__manifest__descriptor, payload, n, (void **)&m);
    if (rc == CUSTOS_ENOMEM)
        return custos_manifest__fail(err, CUSTOS_ENOMEM, "out of memory while decoding the manifest");
    if (rc != CUSTOS_OK)
        return custos_manifest__fail(err, CUSTOS_ECORRUPT, "compiled manifest payload is not a valid custos.v1.Manifest");
    if (!is_canonical(m, payload, n)) {
        custos__manifest_free(m);
        return custos_manifest__fail(err, CUSTOS_ECORRUPT, "compiled manifest payload is not in canonical form");
    }
    rc = custos_manifest__check_structure(m, err);
    if (rc != CUSTOS_OK) {
        custos__manifest_free(m);
        return rc;
    }
    if (out_id != NULL)
        crypto_generichash(out_id, CUSTOS_HASH_BYTES, payload, n, NULL, 0);
    *out = m;
    return CUSTOS_OK;
}

int custos__manifest_decode(custos_t *ctx, const uint8_t *file, size_t len,
                            custos_manifest_pb **out, uint8_t out_id[CUSTOS_HASH_BYTES])
{
    custos_manifest_error err;
    int rc = custos_manifest__decode(file, len, out, out_id, &err);
    if (rc != CUSTOS_OK)
        return custos__fail(ctx, rc, "%s", err.message);
    return CUSTOS_OK;
}

void custos__manifest_free(custos_manifest_pb *m)
{
    if (m != NULL)
        custos__v1__manifest__free_unpacked(m, custos__pbc_allocator());
}
