/*
 * show.c: a compiled manifest rendered for people (a summary) or for
 * programs (JSON). Both are produced from the decoded message only.
 */
#include "manifest_private.h"
#include "taxonomy.h"

static const char *enum_name(const custos_tax_value *t, size_t n, int code)
{
    const custos_tax_value *v = custos_manifest__tax_by_proto(t, n, code);
    return v ? v->value : "?";
}

#define NAME(table, code) enum_name(custos__tax_##table, custos__tax_##table##_count, (int)(code))

static void hex(custos__text *b, const uint8_t id[CUSTOS_HASH_BYTES])
{
    for (size_t i = 0; i < CUSTOS_HASH_BYTES; i++)
        custos__text_printf(b, "%02x", id[i]);
}

static void duration_text(custos__text *b, const Custos__V1__Duration *d)
{
    if (d == NULL)
        custos__text_printf(b, "not declared");
    else if (d->until_event != NULL)
        custos__text_printf(b, "until %s", d->until_event);
    else
        custos__text_printf(b, "%s", d->iso8601);
}

static void list_text(custos__text *b, char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        custos__text_printf(b, "%s%s", i ? ", " : "", v[i]);
}

static void party_text(custos__text *b, const char *label, const Custos__V1__Party *p)
{
    if (p == NULL)
        return;
    custos__text_printf(b, "%-16s%s", label, p->name);
    const char *parts[] = { p->address, p->contact, p->country };
    for (size_t i = 0; i < 3; i++)
        if (parts[i] != NULL)
            custos__text_printf(b, "; %s", parts[i]);
    custos__text_printf(b, "\n");
}

static void purpose_text(custos__text *b, const custos_purpose_pb *p)
{
    custos__text_printf(b, "  %2u  %s  \"%s\"\n", p->id, p->key, custos__manifest_text(p->name, p->n_name, "en"));
    custos__text_printf(b, "        %s, %s; categories", NAME(legal_bases, p->legal_basis), NAME(necessity, p->necessity));
    for (size_t i = 0; i < p->n_categories; i++)
        custos__text_printf(b, "%s%u", i ? ", " : " ", p->categories[i]);
    custos__text_printf(b, "; kept on");
    for (size_t i = 0; i < p->n_locations; i++)
        custos__text_printf(b, "%s%s", i ? ", " : " ", NAME(storage_locations, p->locations[i]));
    custos__text_printf(b, "\n        retention ");
    duration_text(b, p->retention);
    if (p->consent_lifetime != NULL) {
        custos__text_printf(b, "; consent lasts ");
        duration_text(b, p->consent_lifetime);
    }
    if (p->has_special_condition)
        custos__text_printf(b, "; special categories under %s", NAME(special_conditions, p->special_condition));
    custos__text_printf(b, "\n");
    for (size_t i = 0; i < p->n_recipients; i++)
        custos__text_printf(b, "        shared with %s (%s%s%s)\n", p->recipients[i]->name, p->recipients[i]->country,
                      p->recipients[i]->role ? ", " : "", p->recipients[i]->role ? p->recipients[i]->role : "");
}

static void summary(custos__text *b, const custos_manifest_pb *m, const uint8_t id[CUSTOS_HASH_BYTES])
{
    const Custos__V1__Product *p = m->product;
    custos__text_printf(b, "%-16s", "manifest id");
    hex(b, id);
    custos__text_printf(b, "\n%-16s%s%s%s%s, policy version %u\n", "product", p->name, p->model ? " (" : "",
                  p->model ? p->model : "", p->model ? ")" : "", p->policy_version);
    party_text(b, "controller", p->controller);
    party_text(b, "privacy contact", p->privacy_contact);
    custos__text_printf(b, "%-16s", "jurisdictions");
    list_text(b, p->jurisdictions, p->n_jurisdictions);
    custos__text_printf(b, "\n%-16s", "languages");
    list_text(b, p->languages, p->n_languages);
    if (p->support_until != NULL)
        custos__text_printf(b, "\n%-16s%s", "supported until", p->support_until);
    custos__text_printf(b, "\n%-16s", "subjects");
    for (size_t i = 0; i < m->n_subject_roles; i++)
        custos__text_printf(b, "%s%s", i ? ", " : "", NAME(subject_roles, m->subject_roles[i]));
    custos__text_printf(b, "\n\ncategories (%zu)\n", m->n_categories);
    for (size_t i = 0; i < m->n_categories; i++) {
        const custos_category_pb *c = m->categories[i];
        custos__text_printf(b, "  %2u  %s  \"%s\"%s\n", c->id, c->key, custos__manifest_text(c->name, c->n_name, "en"),
                      c->special ? "  [special category]" : "");
    }
    custos__text_printf(b, "\npurposes (%zu)\n", m->n_purposes);
    for (size_t i = 0; i < m->n_purposes; i++)
        purpose_text(b, m->purposes[i]);
}

/* --- JSON ------------------------------------------------------------------- */

static void jkey(custos__text *b, const char *k, const char *v, int comma)
{
    if (v == NULL)
        return;
    custos__text_printf(b, "%s\"%s\":", comma ? "," : "", k);
    custos__text_json(b, v);
}

static void jstrings(custos__text *b, const char *k, char *const *v, size_t n)
{
    custos__text_printf(b, ",\"%s\":[", k);
    for (size_t i = 0; i < n; i++) {
        custos__text_printf(b, "%s", i ? "," : "");
        custos__text_json(b, v[i]);
    }
    custos__text_printf(b, "]");
}

static void jtexts(custos__text *b, const char *k, Custos__V1__LocalizedText *const *t, size_t n)
{
    custos__text_printf(b, ",\"%s\":{", k);
    for (size_t i = 0; i < n; i++) {
        custos__text_printf(b, "%s", i ? "," : "");
        custos__text_json(b, t[i]->lang);
        custos__text_printf(b, ":");
        custos__text_json(b, t[i]->text);
    }
    custos__text_printf(b, "}");
}

static void jparty(custos__text *b, const char *k, const Custos__V1__Party *p)
{
    if (p == NULL)
        return;
    custos__text_printf(b, ",\"%s\":{", k);
    jkey(b, "name", p->name, 0);
    jkey(b, "address", p->address, 1);
    jkey(b, "contact", p->contact, 1);
    jkey(b, "country", p->country, 1);
    custos__text_printf(b, "}");
}

static void jduration(custos__text *b, const char *k, const Custos__V1__Duration *d)
{
    if (d == NULL)
        return;
    custos__text_printf(b, ",\"%s\":{", k);
    if (d->until_event != NULL)
        jkey(b, "until", d->until_event, 0);
    else
        custos__text_printf(b, "\"iso8601\":\"%s\",\"seconds\":%llu", d->iso8601, (unsigned long long)d->seconds);
    custos__text_printf(b, "}");
}

static void jcategory(custos__text *b, const custos_category_pb *c)
{
    custos__text_printf(b, "{\"id\":%u", c->id);
    jkey(b, "key", c->key, 1);
    jtexts(b, "name", c->name, c->n_name);
    jtexts(b, "description", c->description, c->n_description);
    custos__text_printf(b, ",\"special\":%s,\"linked_to_user\":%s,\"tracking\":%s", c->special ? "true" : "false",
                  c->linked_to_user ? "true" : "false", c->tracking ? "true" : "false");
    jkey(b, "dpv", c->dpv, 1);
    jkey(b, "apple_type", c->apple_type, 1);
    jkey(b, "play_type", c->play_type, 1);
    custos__text_printf(b, "}");
}

static void jpurpose(custos__text *b, const custos_purpose_pb *p)
{
    custos__text_printf(b, "{\"id\":%u", p->id);
    jkey(b, "key", p->key, 1);
    jtexts(b, "name", p->name, p->n_name);
    jtexts(b, "description", p->description, p->n_description);
    jkey(b, "legal_basis", NAME(legal_bases, p->legal_basis), 1);
    jkey(b, "necessity", NAME(necessity, p->necessity), 1);
    custos__text_printf(b, ",\"categories\":[");
    for (size_t i = 0; i < p->n_categories; i++)
        custos__text_printf(b, "%s%u", i ? "," : "", p->categories[i]);
    custos__text_printf(b, "]");
    jduration(b, "retention", p->retention);
    jduration(b, "consent_lifetime", p->consent_lifetime);
    custos__text_printf(b, ",\"recipients\":[");
    for (size_t i = 0; i < p->n_recipients; i++) {
        custos__text_printf(b, "%s{", i ? "," : "");
        jkey(b, "name", p->recipients[i]->name, 0);
        jkey(b, "country", p->recipients[i]->country, 1);
        jkey(b, "role", p->recipients[i]->role, 1);
        custos__text_printf(b, "}");
    }
    custos__text_printf(b, "],\"locations\":[");
    for (size_t i = 0; i < p->n_locations; i++)
        custos__text_printf(b, "%s\"%s\"", i ? "," : "", NAME(storage_locations, p->locations[i]));
    custos__text_printf(b, "]");
    if (p->has_special_condition)
        jkey(b, "special_condition", NAME(special_conditions, p->special_condition), 1);
    jstrings(b, "apple_purposes", p->apple_purposes, p->n_apple_purposes);
    jstrings(b, "play_purposes", p->play_purposes, p->n_play_purposes);
    jkey(b, "dpv", p->dpv, 1);
    custos__text_printf(b, "}");
}

static void jretired(custos__text *b, const char *k, Custos__V1__RetiredId *const *r, size_t n)
{
    custos__text_printf(b, ",\"%s\":[", k);
    for (size_t i = 0; i < n; i++) {
        custos__text_printf(b, "%s{\"id\":%u", i ? "," : "", r[i]->id);
        jkey(b, "key", r[i]->key, 1);
        custos__text_printf(b, "}");
    }
    custos__text_printf(b, "]");
}

static void json(custos__text *b, const custos_manifest_pb *m, const uint8_t id[CUSTOS_HASH_BYTES])
{
    const Custos__V1__Product *p = m->product;
    custos__text_printf(b, "{\"manifest_id\":\"");
    hex(b, id);
    custos__text_printf(b, "\",\"format_version\":%u,\"product\":{", m->format_version);
    jkey(b, "name", p->name, 0);
    jkey(b, "model", p->model, 1);
    custos__text_printf(b, ",\"policy_version\":%u", p->policy_version);
    jparty(b, "controller", p->controller);
    jparty(b, "privacy_contact", p->privacy_contact);
    jstrings(b, "jurisdictions", p->jurisdictions, p->n_jurisdictions);
    jkey(b, "support_until", p->support_until, 1);
    jstrings(b, "languages", p->languages, p->n_languages);
    custos__text_printf(b, "},\"subjects\":[");
    for (size_t i = 0; i < m->n_subject_roles; i++)
        custos__text_printf(b, "%s\"%s\"", i ? "," : "", NAME(subject_roles, m->subject_roles[i]));
    custos__text_printf(b, "],\"categories\":[");
    for (size_t i = 0; i < m->n_categories; i++) {
        custos__text_printf(b, "%s", i ? "," : "");
        jcategory(b, m->categories[i]);
    }
    custos__text_printf(b, "],\"purposes\":[");
    for (size_t i = 0; i < m->n_purposes; i++) {
        custos__text_printf(b, "%s", i ? "," : "");
        jpurpose(b, m->purposes[i]);
    }
    custos__text_printf(b, "]");
    jretired(b, "retired_categories", m->retired_categories, m->n_retired_categories);
    jretired(b, "retired_purposes", m->retired_purposes, m->n_retired_purposes);
    custos__text_printf(b, "}\n");
}

int custos_manifest_show(char **out, const uint8_t *compiled, size_t len, custos_manifest_show_format format,
                         custos_manifest_error *err)
{
    if (out == NULL || (format != CUSTOS_MANIFEST_SHOW_TEXT && format != CUSTOS_MANIFEST_SHOW_JSON))
        return custos_manifest__fail(err, CUSTOS_EINVAL, "custos_manifest_show: no output or unknown format %d", format);
    *out = NULL;
    custos_manifest_pb *m = NULL;
    uint8_t id[CUSTOS_HASH_BYTES];
    int rc = custos_manifest__decode(compiled, len, &m, id, err);
    if (rc != CUSTOS_OK)
        return rc;
    custos__text b = { 0 };
    if (format == CUSTOS_MANIFEST_SHOW_JSON)
        json(&b, m, id);
    else
        summary(&b, m, id);
    custos__manifest_free(m);
    rc = custos__text_finish(&b, out, NULL);
    return rc == CUSTOS_OK ? rc : custos_manifest__fail(err, rc, "out of memory while rendering the manifest");
}
