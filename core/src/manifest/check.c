/*
 * check.c: the structural rules every decoded manifest obeys, whoever wrote
 * it. The compiler enforces them with precise messages about the YAML; this
 * file enforces them again on the bytes, so that a reader never acts on a
 * manifest whose references dangle or whose lists are out of order.
 */
#include "manifest_private.h"

#include <string.h>

#define BAD(...) custos_manifest__fail(err, CUSTOS_ECORRUPT, __VA_ARGS__)

static int strings_sorted(char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i] == NULL || v[i][0] == '\0')
            return 0;
        if (i > 0 && strcmp(v[i - 1], v[i]) >= 0)
            return 0;
    }
    return 1;
}

static int texts_sorted(Custos__V1__LocalizedText *const *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (i > 0 && strcmp(t[i - 1]->lang, t[i]->lang) >= 0)
            return 0;
    return 1;
}

/* Optional flags are written only when true, so that one meaning has one encoding. */
static int flag_ok(protobuf_c_boolean has, protobuf_c_boolean v) { return !has || v; }

static int check_product(const Custos__V1__Product *p, custos_manifest_error *err)
{
    if (p->name[0] == '\0' || p->controller->name[0] == '\0')
        return BAD("compiled manifest: product or controller without a name");
    if (p->policy_version == 0)
        return BAD("compiled manifest: policy version 0");
    if (!strings_sorted(p->jurisdictions, p->n_jurisdictions) || !strings_sorted(p->languages, p->n_languages))
        return BAD("compiled manifest: jurisdictions or languages not sorted and unique");
    return CUSTOS_OK;
}

static int check_category(const custos_category_pb *c, uint32_t prev_id, custos_manifest_error *err)
{
    if (c->id == 0 || c->id <= prev_id || c->id > CUSTOS_MANIFEST_MAX_CATEGORY_ID)
        return BAD("compiled manifest: category ids not sorted, unique and in 1..%u", CUSTOS_MANIFEST_MAX_CATEGORY_ID);
    if (c->key[0] == '\0' || !texts_sorted(c->name, c->n_name) || !texts_sorted(c->description, c->n_description))
        return BAD("compiled manifest: category %u has no key or unsorted texts", c->id);
    if (!flag_ok(c->has_special, c->special) || !flag_ok(c->has_linked_to_user, c->linked_to_user) ||
        !flag_ok(c->has_tracking, c->tracking))
        return BAD("compiled manifest: category %u carries a false flag", c->id);
    return CUSTOS_OK;
}

static int durations_ok(const Custos__V1__Duration *d)
{
    if (d == NULL)
        return 1;
    int fixed = d->iso8601 != NULL && d->has_seconds;
    int event = d->until_event != NULL && d->until_event[0] != '\0';
    return fixed != event && (fixed || (d->iso8601 == NULL && !d->has_seconds));
}

static int check_recipients(const custos_purpose_pb *p, custos_manifest_error *err)
{
    for (size_t i = 0; i < p->n_recipients; i++) {
        const Custos__V1__Recipient *r = p->recipients[i];
        if (r->name[0] == '\0' || strlen(r->country) != 2)
            return BAD("compiled manifest: purpose %u has a recipient without a name or country", p->id);
        if (i > 0) {
            const Custos__V1__Recipient *q = p->recipients[i - 1];
            int c = strcmp(q->name, r->name);
            if (c > 0 || (c == 0 && strcmp(q->country, r->country) >= 0))
                return BAD("compiled manifest: purpose %u recipients not sorted and unique", p->id);
        }
    }
    return CUSTOS_OK;
}

static int check_purpose(const custos_manifest_pb *m, const custos_purpose_pb *p, uint32_t prev_id,
                         custos_manifest_error *err)
{
    if (p->id == 0 || p->id <= prev_id || p->id > CUSTOS_MANIFEST_MAX_PURPOSE_ID)
        return BAD("compiled manifest: purpose ids not sorted, unique and in 1..%u", CUSTOS_MANIFEST_MAX_PURPOSE_ID);
    if (p->key[0] == '\0' || !texts_sorted(p->name, p->n_name) || !texts_sorted(p->description, p->n_description))
        return BAD("compiled manifest: purpose %u has no key or unsorted texts", p->id);
    if (p->legal_basis < CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_CONSENT ||
        p->legal_basis > CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_LEGITIMATE_INTEREST ||
        p->necessity < CUSTOS__V1__NECESSITY__NECESSITY_REQUIRED || p->necessity > CUSTOS__V1__NECESSITY__NECESSITY_OPTIONAL)
        return BAD("compiled manifest: purpose %u has an unknown legal basis or necessity", p->id);
    if (p->has_special_condition && (p->special_condition <= CUSTOS__V1__SPECIAL_CATEGORY_CONDITION__SPECIAL_NONE ||
                                     p->special_condition > CUSTOS__V1__SPECIAL_CATEGORY_CONDITION__SPECIAL_HEALTH_CARE))
        return BAD("compiled manifest: purpose %u has an unknown special-category condition", p->id);
    for (size_t i = 0; i < p->n_categories; i++) {
        if ((i > 0 && p->categories[i - 1] >= p->categories[i]) || custos__manifest_category(m, p->categories[i]) == NULL)
            return BAD("compiled manifest: purpose %u refers to categories that are unsorted or undeclared", p->id);
    }
    for (size_t i = 0; i < p->n_locations; i++) {
        if (p->locations[i] < CUSTOS__V1__STORAGE_LOCATION__STORAGE_LOCATION_DEVICE ||
            p->locations[i] > CUSTOS__V1__STORAGE_LOCATION__STORAGE_LOCATION_CLOUD ||
            (i > 0 && p->locations[i - 1] >= p->locations[i]))
            return BAD("compiled manifest: purpose %u has unknown or unsorted storage locations", p->id);
    }
    if (!durations_ok(p->retention) || !durations_ok(p->consent_lifetime))
        return BAD("compiled manifest: purpose %u has a malformed duration", p->id);
    if (!strings_sorted(p->apple_purposes, p->n_apple_purposes) || !strings_sorted(p->play_purposes, p->n_play_purposes))
        return BAD("compiled manifest: purpose %u store purposes not sorted and unique", p->id);
    return check_recipients(p, err);
}

static int retired_ok(Custos__V1__RetiredId *const *r, size_t n, uint32_t max)
{
    for (size_t i = 0; i < n; i++)
        if (r[i]->id == 0 || r[i]->id > max || r[i]->key[0] == '\0' || (i > 0 && r[i - 1]->id >= r[i]->id))
            return 0;
    return 1;
}

int custos_manifest__check_structure(const custos_manifest_pb *m, custos_manifest_error *err)
{
    if (m->format_version != CUSTOS_MANIFEST_FORMAT_VERSION)
        return BAD("compiled manifest: payload format %u, expected %u", m->format_version, CUSTOS_MANIFEST_FORMAT_VERSION);
    int rc = check_product(m->product, err);
    for (size_t i = 0; rc == CUSTOS_OK && i < m->n_categories; i++)
        rc = check_category(m->categories[i], i ? m->categories[i - 1]->id : 0, err);
    for (size_t i = 0; rc == CUSTOS_OK && i < m->n_purposes; i++)
        rc = check_purpose(m, m->purposes[i], i ? m->purposes[i - 1]->id : 0, err);
    for (size_t i = 0; rc == CUSTOS_OK && i < m->n_subject_roles; i++) {
        if (m->subject_roles[i] < CUSTOS__V1__SUBJECT_ROLE__SUBJECT_ROLE_OWNER ||
            m->subject_roles[i] > CUSTOS__V1__SUBJECT_ROLE__SUBJECT_ROLE_CHILD ||
            (i > 0 && m->subject_roles[i - 1] >= m->subject_roles[i]))
            rc = BAD("compiled manifest: unknown or unsorted subject roles");
    }
    if (rc == CUSTOS_OK && (!retired_ok(m->retired_categories, m->n_retired_categories, CUSTOS_MANIFEST_MAX_CATEGORY_ID) ||
                            !retired_ok(m->retired_purposes, m->n_retired_purposes, CUSTOS_MANIFEST_MAX_PURPOSE_ID)))
        rc = BAD("compiled manifest: retired ids not sorted, unique and in range");
    for (size_t i = 0; rc == CUSTOS_OK && i < m->n_retired_purposes; i++)
        if (custos__manifest_purpose(m, m->retired_purposes[i]->id) != NULL)
            rc = BAD("compiled manifest: purpose %u is both declared and retired", m->retired_purposes[i]->id);
    for (size_t i = 0; rc == CUSTOS_OK && i < m->n_retired_categories; i++)
        if (custos__manifest_category(m, m->retired_categories[i]->id) != NULL)
            rc = BAD("compiled manifest: category %u is both declared and retired", m->retired_categories[i]->id);
    return rc;
}
