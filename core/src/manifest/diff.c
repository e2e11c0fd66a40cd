/*
 * diff.c: what changed materially between two versions of a manifest, so
 * that only the purposes whose meaning for the person changed ask for
 * consent again (DESIGN §3, §4). A change is material when the person would
 * reasonably decide differently: more data (a new category, or one that
 * became special), more people (a new recipient or a recipient in a new
 * country), more time (longer retention or consent lifetime), a different
 * legal basis, a new place (device -> cloud). Shorter retention, fewer
 * recipients and text-only edits are not material.
 *
 * Ids are stable: an id present in both versions with a different key is a
 * reuse with a new meaning and makes the whole diff fail (CUSTOS_EMANIFEST).
 */
#include "manifest_private.h"

#include <string.h>

static int rank(const Custos__V1__Duration *d)
{
    if (d == NULL)
        return 3;                 /* not declared: no end is promised */
    if (d->until_event != NULL)
        return 2;                 /* until an event: no fixed bound */
    return 1;
}

int custos_manifest__duration_cmp(const Custos__V1__Duration *a, const Custos__V1__Duration *b)
{
    int ra = rank(a), rb = rank(b);
    if (ra != rb)
        return ra < rb ? 1 : -1;
    if (ra == 1)
        return a->seconds < b->seconds ? 1 : a->seconds > b->seconds ? -1 : 0;
    if (ra == 2 && strcmp(a->until_event, b->until_event) != 0)
        return 1;                 /* a different event is not bounded by the old one */
    return 0;
}

const char *custos_manifest__change_word(uint32_t bit)
{
    switch (bit) {
    case CUSTOS_CHANGE_NEW_PURPOSE:      return "new purpose";
    case CUSTOS_CHANGE_NEW_CATEGORY:     return "new category";
    case CUSTOS_CHANGE_NEW_RECIPIENT:    return "new recipient";
    case CUSTOS_CHANGE_LONGER_RETENTION: return "longer retention";
    case CUSTOS_CHANGE_LEGAL_BASIS:      return "changed legal basis";
    case CUSTOS_CHANGE_REMOVED:          return "purpose removed";
    case CUSTOS_CHANGE_NEW_LOCATION:     return "new storage location";
    case CUSTOS_CHANGE_LONGER_CONSENT:   return "longer consent lifetime";
    default:                             return "unknown change";
    }
}

static int has_u32(const uint32_t *v, size_t n, uint32_t x)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] == x)
            return 1;
    return 0;
}

static int has_location(const custos_purpose_pb *p, Custos__V1__StorageLocation l)
{
    for (size_t i = 0; i < p->n_locations; i++)
        if (p->locations[i] == l)
            return 1;
    return 0;
}

static int has_recipient(const custos_purpose_pb *p, const Custos__V1__Recipient *r)
{
    for (size_t i = 0; i < p->n_recipients; i++)
        if (strcmp(p->recipients[i]->name, r->name) == 0 && strcmp(p->recipients[i]->country, r->country) == 0)
            return 1;
    return 0;
}

static int became_special(const custos_manifest_pb *older, const custos_manifest_pb *newer, uint32_t id)
{
    const custos_category_pb *o = custos__manifest_category(older, id);
    const custos_category_pb *n = custos__manifest_category(newer, id);
    return n != NULL && n->special && (o == NULL || !o->special);
}

static uint32_t reasons(const custos_manifest_pb *older, const custos_manifest_pb *newer,
                        const custos_purpose_pb *o, const custos_purpose_pb *n)
{
    uint32_t r = 0;
    for (size_t i = 0; i < n->n_categories; i++)
        if (!has_u32(o->categories, o->n_categories, n->categories[i]) || became_special(older, newer, n->categories[i]))
            r |= CUSTOS_CHANGE_NEW_CATEGORY;
    for (size_t i = 0; i < n->n_recipients; i++)
        if (!has_recipient(o, n->recipients[i]))
            r |= CUSTOS_CHANGE_NEW_RECIPIENT;
    if (custos_manifest__duration_cmp(o->retention, n->retention) > 0)
        r |= CUSTOS_CHANGE_LONGER_RETENTION;
    if (o->legal_basis != n->legal_basis)
        r |= CUSTOS_CHANGE_LEGAL_BASIS;
    for (size_t i = 0; i < n->n_locations; i++)
        if (!has_location(o, n->locations[i]))
            r |= CUSTOS_CHANGE_NEW_LOCATION;
    if (custos_manifest__duration_cmp(o->consent_lifetime, n->consent_lifetime) > 0)
        r |= CUSTOS_CHANGE_LONGER_CONSENT;
    return r;
}

/* CUSTOS_EMANIFEST if an id present in both versions changed its key. */
static int check_ids_kept_meaning(custos_manifest_error *err, const custos_manifest_pb *older, const custos_manifest_pb *newer)
{
    for (size_t i = 0; i < newer->n_categories; i++) {
        const custos_category_pb *n = newer->categories[i];
        const custos_category_pb *o = custos__manifest_category(older, n->id);
        if (o != NULL && strcmp(o->key, n->key) != 0)
            return custos_manifest__fail(err, CUSTOS_EMANIFEST,
                                "category %u was '%s' and is now '%s': an id is never reused for another "
                                "meaning; give the new category a new id", n->id, o->key, n->key);
    }
    for (size_t i = 0; i < newer->n_purposes; i++) {
        const custos_purpose_pb *n = newer->purposes[i];
        const custos_purpose_pb *o = custos__manifest_purpose(older, n->id);
        if (o != NULL && strcmp(o->key, n->key) != 0)
            return custos_manifest__fail(err, CUSTOS_EMANIFEST,
                                "purpose %u was '%s' and is now '%s': an id is never reused for another "
                                "meaning; give the new purpose a new id", n->id, o->key, n->key);
    }
    return CUSTOS_OK;
}

int custos_manifest__diff(const custos_manifest_pb *older, const custos_manifest_pb *newer, custos_purpose_change **out,
            size_t *n, custos_manifest_error *err)
{
    *out = NULL;
    *n = 0;
    int rc = check_ids_kept_meaning(err, older, newer);
    if (rc != CUSTOS_OK)
        return rc;
    /* At most one entry per purpose id of either version. */
    size_t cap = older->n_purposes + newer->n_purposes;
    custos_purpose_change *v = cap ? custos__calloc(cap, sizeof *v) : NULL;
    if (cap != 0 && v == NULL)
        return custos_manifest__fail(err, CUSTOS_ENOMEM, "out of memory while comparing manifests");
    size_t count = 0, i = 0, j = 0;
    while (i < older->n_purposes || j < newer->n_purposes) {
        const custos_purpose_pb *o = i < older->n_purposes ? older->purposes[i] : NULL;
        const custos_purpose_pb *p = j < newer->n_purposes ? newer->purposes[j] : NULL;
        if (v == NULL || (o == NULL && p == NULL)) /* cap != 0 here; protobuf-c arrays hold no NULL */
            break;
        uint32_t id, r;
        if (p == NULL || (o != NULL && o->id < p->id)) {
            id = o->id, r = CUSTOS_CHANGE_REMOVED, i++;
        } else if (o == NULL || p->id < o->id) {
            id = p->id, r = CUSTOS_CHANGE_NEW_PURPOSE, j++;
        } else {
            id = p->id, r = reasons(older, newer, o, p), i++, j++;
        }
        if (r != 0)
            v[count++] = (custos_purpose_change){ id, r };
    }
    if (count == 0) {
        custos__free(v);
        v = NULL;
    }
    *out = v;
    *n = count;
    return CUSTOS_OK;
}

int custos__manifest_diff(custos_t *ctx, const custos_manifest_pb *older, const custos_manifest_pb *newer,
                          custos_purpose_change **out, size_t *n)
{
    custos_manifest_error err;
    int rc = custos_manifest__diff(older, newer, out, n, &err);
    return rc == CUSTOS_OK ? rc : custos__fail(ctx, rc, "%s", err.message);
}
