/*
 * dev_wire.c: a bounds-checked walk over protobuf wire bytes, used before
 * anything trusts them.
 *
 * The envelope (SignedMessage) is split here without copying: the body, the
 * signer and the signature stay in the caller's buffer, so the signature is
 * verified over the exact bytes received and no 400-byte copy sits on the
 * stack while the port verifies. The ConsentUpdate body is walked once more
 * before nanopb decodes it, to turn "too long", "too many", "unknown
 * subject" and "unknown purpose" into their own error codes (nanopb built
 * with PB_NO_ERRMSG only says "failed").
 *
 * Accepted: fields in any order, unknown fields (skipped, for newer app
 * schemas), varints of up to 10 bytes. Rejected: wire types 3, 4 (groups)
 * and 6, 7, lengths beyond the buffer, and a repeated envelope field (two
 * bodies or two signatures would make "the bytes that were signed"
 * ambiguous).
 */
#include <string.h>

#include "dev_internal.h"

typedef struct wire_field {
    uint32_t tag;
    uint32_t wt;
    uint64_t value;         /* wire type 0 */
    const uint8_t *data;    /* wire types 1, 2, 5 */
    size_t len;
} wire_field;

static int read_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    *v = 0;
    for (unsigned shift = 0; shift < 70; shift += 7) {
        if (*p == end)
            return CUSTOS_DEV_EDECODE;
        uint8_t b = *(*p)++;
        if (shift == 63 && (b & 0x7E) != 0)
            return CUSTOS_DEV_EDECODE;
        *v |= (uint64_t)(b & 0x7F) << shift;
        if ((b & 0x80) == 0)
            return 0;
    }
    return CUSTOS_DEV_EDECODE;
}

/* Next field: 1 and f filled, 0 at the end, or a negative code. */
static int next_field(const uint8_t **p, const uint8_t *end, wire_field *f)
{
    uint64_t key;
    int rc;

    if (*p == end)
        return 0;
    if ((rc = read_varint(p, end, &key)) != 0)
        return rc;
    f->tag = (uint32_t)(key >> 3);
    f->wt = (uint32_t)(key & 7);
    if (f->tag == 0 || (key >> 3) > 0x1FFFFFFFu)
        return CUSTOS_DEV_EDECODE;
    f->data = NULL;
    f->len = 0;
    switch (f->wt) {
    case 0:
        return read_varint(p, end, &f->value) == 0 ? 1 : CUSTOS_DEV_EDECODE;
    case 1:
    case 5:
        f->len = f->wt == 1 ? 8u : 4u;
        break;
    case 2:
        if (read_varint(p, end, &key) != 0)
            return CUSTOS_DEV_EDECODE;
        if (key > (uint64_t)(end - *p))
            return CUSTOS_DEV_EDECODE;
        f->len = (size_t)key;
        break;
    default:
        return CUSTOS_DEV_EDECODE;
    }
    if (f->len > (size_t)(end - *p))
        return CUSTOS_DEV_EDECODE;
    f->data = *p;
    *p += f->len;
    return 1;
}

/* A fixed-size bytes field: longer is "too big", shorter is malformed. */
static int check_fixed(const wire_field *f, size_t n)
{
    if (f->wt != 2)
        return CUSTOS_DEV_EDECODE;
    if (f->len > n)
        return CUSTOS_DEV_ETOOBIG;
    return f->len == n ? 0 : CUSTOS_DEV_EDECODE;
}

int dev_wire_envelope(const uint8_t *msg, size_t len, dev_envelope *env)
{
    const uint8_t *p = msg, *end = msg + len;
    unsigned seen = 0;
    wire_field f;
    int rc;

    memset(env, 0, sizeof *env); /* not secret */
    if (len > CUSTOS_DEV_MESSAGE_MAX)
        return CUSTOS_DEV_ETOOBIG;
    while ((rc = next_field(&p, end, &f)) == 1) {
        if (f.tag >= 1 && f.tag <= 4) {
            if (seen & (1u << f.tag))
                return CUSTOS_DEV_EDECODE;
            seen |= 1u << f.tag;
        }
        switch (f.tag) {
        case 1:
            if (f.wt != 0)
                return CUSTOS_DEV_EDECODE;
            env->body_type = f.value > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)f.value;
            break;
        case 2:
            if (f.wt != 2)
                return CUSTOS_DEV_EDECODE;
            if (f.len > CUSTOS_DEV_BODY_MAX)
                return CUSTOS_DEV_ETOOBIG;
            env->body = f.data;
            env->body_len = f.len;
            break;
        case 3:
            if ((rc = check_fixed(&f, 32)) != 0)
                return rc;
            env->signer = f.data;
            break;
        case 4:
            if ((rc = check_fixed(&f, 64)) != 0)
                return rc;
            env->signature = f.data;
            break;
        default:
            break;
        }
    }
    if (rc < 0)
        return rc;
    return seen == 0x1Eu ? 0 : CUSTOS_DEV_EDECODE;
}

static int check_change(const uint8_t *p, const uint8_t *end)
{
    wire_field f = { 0 }; /* filled by next_field() whenever it returns 1 */
    int rc;

    while ((rc = next_field(&p, end, &f)) == 1) {
        if ((f.tag >= 1 && f.tag <= 4) && f.wt != 0)
            return CUSTOS_DEV_EDECODE;
        if (f.tag == 1 && f.value >= CUSTOS_DEV_MAX_SUBJECTS)
            return CUSTOS_DEV_ESUBJECT;
        if (f.tag == 2 && f.value >= CUSTOS_DEV_MAX_PURPOSES)
            return CUSTOS_DEV_EPURPOSE;
    }
    return rc;
}

int dev_wire_check_update(const uint8_t *body, size_t len)
{
    const uint8_t *p = body, *end = body + len;
    unsigned changes = 0;
    wire_field f;
    int rc;

    while ((rc = next_field(&p, end, &f)) == 1) {
        switch (f.tag) {
        case 2:
            rc = check_fixed(&f, 16);
            break;
        case 4:
            rc = check_fixed(&f, 32);
            break;
        case 7:
            if (f.wt != 2)
                return CUSTOS_DEV_EDECODE;
            if (++changes > 16)
                return CUSTOS_DEV_ETOOBIG;
            rc = check_change(f.data, f.data + f.len);
            break;
        case 1: case 3: case 5: case 6:
            rc = f.wt == 0 ? 0 : CUSTOS_DEV_EDECODE;
            break;
        default:
            rc = 0;
            break;
        }
        if (rc != 0)
            return rc;
    }
    return rc;
}
