/*
 * audit_wire.c: a zero-copy reader of the protobuf wire format, for the two
 * hot paths of verification: reading seq and prev_hash out of every entry,
 * and splitting an AuditExport into its entries and checkpoints.
 *
 * protobuf-c's unpack allocates and copies every bytes field; over a chain
 * of 200 000 entries that alone cost more than hashing them. This reader
 * only walks the bytes in place. It is at least as strict as protobuf-c:
 * whatever it accepts, protobuf-c decodes too, to the same seq and
 * prev_hash (tests/unit/test_audit_wire.c checks this differentially), so
 * `custos audit show` can read every entry verification accepted. It refuses
 * varints longer than 10 bytes, lengths beyond the buffer, field numbers 0 and
 * above 2^29-1, group wire types, and a known field with the wrong wire type;
 * it skips unknown fields and keeps the last value of a repeated field, as
 * protobuf-c does. Whatever it accepts is still hashed whole, so a change it
 * tolerates is caught by the chain.
 */
#include "audit_chain.h"

#include <string.h>

static inline int read_varint(audit_wire *w, uint64_t *v)
{
    if (w->p < w->end && *w->p < 0x80) { /* most varints of an entry are one byte */
        *v = *w->p++;
        return 0;
    }
    uint64_t x = 0;
    for (unsigned shift = 0; shift < 70; shift += 7) {
        if (w->p >= w->end)
            return -1;
        uint8_t b = *w->p++;
        x |= (uint64_t)(b & 0x7f) << shift; /* bits beyond 64 are dropped, as protobuf-c does */
        if ((b & 0x80) == 0) {
            *v = x;
            return 0;
        }
    }
    return -1;
}

static int skip(audit_wire *w, size_t n)
{
    if ((size_t)(w->end - w->p) < n)
        return -1;
    w->p += n;
    return 0;
}

int custos__audit_wire_next(audit_wire *w, audit_field *f)
{
    if (w->p >= w->end)
        return 0;
    uint64_t key, len;
    if (read_varint(w, &key) != 0 || (key >> 3) == 0 || (key >> 3) > 0x1fffffffu)
        return -1;
    f->number = (uint32_t)(key >> 3);
    f->wire_type = (int)(key & 7);
    f->value = 0;
    f->bytes = (audit_slice){ NULL, 0 };
    switch (f->wire_type) {
    case 0:
        return read_varint(w, &f->value) == 0 ? 1 : -1;
    case 1:
        return skip(w, 8) == 0 ? 1 : -1;
    case 5:
        return skip(w, 4) == 0 ? 1 : -1;
    case 2:
        if (read_varint(w, &len) != 0 || len > (uint64_t)(w->end - w->p))
            return -1;
        f->bytes = (audit_slice){ w->p, (size_t)len };
        w->p += len;
        return 1;
    default:
        return -1; /* groups (3, 4) and the unused types 6, 7 */
    }
}

/* Field numbers and wire types of AuditEntry (schemas/custos/v1/audit.proto). */
static const int entry_wire_type[] = { -1, 0, 0, 0, 2, 0, 0, 2, 2 };

int custos__audit_entry_peek(const uint8_t *p, size_t len, uint64_t *seq, const uint8_t **prev)
{
    audit_wire w = { p, p + len };
    audit_field f;
    unsigned seen = 0;
    int rc;
    if (len > AUDIT_ENTRY_MAX)
        return -1;
    audit_slice subject = { NULL, 0 }, prev_hash = { NULL, 0 };
    while ((rc = custos__audit_wire_next(&w, &f)) == 1) {
        if (f.number >= sizeof entry_wire_type / sizeof entry_wire_type[0])
            continue;
        if (f.wire_type != entry_wire_type[f.number])
            return -1;
        seen |= 1u << f.number;
        if (f.number == 1)
            *seq = f.value;
        else if (f.number == 4)
            subject = f.bytes;
        else if (f.number == 8)
            prev_hash = f.bytes;
    }
    const unsigned required = 1u << 1 | 1u << 2 | 1u << 3 | 1u << 8;
    int has_subject = (seen >> 4) & 1u;
    if (rc != 0 || (seen & required) != required || *seq == 0 || prev_hash.len != 32 ||
        (has_subject && subject.len != 32))
        return -1;
    *prev = prev_hash.p;
    return 0;
}

/* Count (out == NULL) or collect the bytes fields numbered `number`. */
static int export_fields(const uint8_t *p, size_t len, uint32_t number, audit_slice *out, size_t *n)
{
    audit_wire w = { p, p + len };
    audit_field f;
    int rc;
    *n = 0;
    while ((rc = custos__audit_wire_next(&w, &f)) == 1) {
        if (f.number > 3)
            continue;
        if (f.wire_type != 2)
            return -1;
        if (f.number == number && out != NULL)
            out[*n] = f.bytes;
        *n += f.number == number;
    }
    return rc;
}

int custos__audit_export_split(const uint8_t *p, size_t len, audit_slice **entries, size_t *ne,
                               audit_slice **checkpoints, size_t *nc)
{
    *entries = *checkpoints = NULL;
    if (export_fields(p, len, 1, NULL, ne) != 0 || export_fields(p, len, 2, NULL, nc) != 0)
        return CUSTOS_ECORRUPT;
    *entries = custos__calloc(*ne ? *ne : 1, sizeof **entries);
    *checkpoints = custos__calloc(*nc ? *nc : 1, sizeof **checkpoints);
    if (*entries == NULL || *checkpoints == NULL) {
        custos__free(*entries);
        custos__free(*checkpoints);
        *entries = *checkpoints = NULL;
        return CUSTOS_ENOMEM;
    }
    (void)export_fields(p, len, 1, *entries, ne);
    (void)export_fields(p, len, 2, *checkpoints, nc);
    return CUSTOS_OK;
}
