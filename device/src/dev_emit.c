/*
 * dev_emit.c: messages the device sends, in the envelope of sync.proto.
 *
 * With a port signing key the output is a SignedMessage, written by hand in
 * field order (as protobuf-c and nanopb both write it):
 *
 *   08 <body_type>            field 1, varint
 *   12 <len varint> <body>    field 2: the nanopb-encoded body, signed as is
 *   1a 20 <signer[32]>        field 3: the device's Ed25519 public key
 *   22 40 <signature[64]>     field 4: Ed25519 over exactly <body>
 *
 * The body is encoded once, straight into the caller's buffer, and signed
 * where it lies; nothing is re-encoded after signing. Without a signing key
 * the output is the bare body (its own body_type field says what it is).
 */
#include <string.h>

#include <pb_encode.h>

#include "dev_internal.h"

static size_t put_varint(uint8_t *p, uint32_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

int dev_emit(const custos_dev_port *port, uint32_t body_type, const void *fields,
             const void *msg, uint8_t *out, size_t out_size, size_t *out_len)
{
    const pb_msgdesc_t *desc = (const pb_msgdesc_t *)fields;
    uint8_t hdr[8];
    size_t body_len, hdr_len, total;
    pb_ostream_t os;

    *out_len = 0;
    if (!pb_get_encoded_size(&body_len, desc, msg) || body_len > CUSTOS_DEV_BODY_MAX)
        return CUSTOS_DEV_ETOOBIG;
    hdr[0] = 0x08;
    hdr_len = 1 + put_varint(hdr + 1, body_type);
    hdr[hdr_len++] = 0x12;
    hdr_len += put_varint(hdr + hdr_len, (uint32_t)body_len);
    if (port->ed25519_sign == NULL)
        hdr_len = 0;
    total = hdr_len + body_len + (port->ed25519_sign ? 2u + 32u + 2u + 64u : 0u);
    if (out == NULL || total > out_size)
        return CUSTOS_DEV_ENOSPACE;

    memcpy(out, hdr, hdr_len);
    os = pb_ostream_from_buffer(out + hdr_len, body_len);
    if (!pb_encode(&os, desc, msg) || os.bytes_written != body_len)
        return CUSTOS_DEV_ETOOBIG;
    if (port->ed25519_sign != NULL) {
        uint8_t *tail = out + hdr_len + body_len;
        tail[0] = 0x1a;
        tail[1] = 32;
        tail[34] = 0x22;
        tail[35] = 64;
        if (port->ed25519_sign(port->ctx, tail + 36, tail + 2, out + hdr_len, body_len) != 0) {
            custos_dev_wipe(out, total);
            return CUSTOS_DEV_ECRYPTO;
        }
    }
    *out_len = total;
    return 0;
}
