/*
 * compile_items.c: the categories: and purposes: sections, checked against
 * the taxonomy and against each other. A crosswalk value left out takes the
 * taxonomy's default for the key; one written out is checked against the
 * allowed constants (Apple, Google Play, DPV).
 */
#include "compile.h"

#include <stdio.h>
#include <string.h>

#define LANGS(c) ((c)->m->product->languages)
#define NLANGS(c) ((c)->m->product->n_languages)

int custos_manifest__compile_texts(mf_compile *c, yaml_node_t *n, const char *what,
                     Custos__V1__LocalizedText ***out, size_t *count)
{
    mf_yaml *y = &c->y;
    const char *const *langs = (const char *const *)LANGS(c);
    size_t nl = NLANGS(c);
    if (n->type != YAML_MAPPING_NODE)
        return custos_manifest__yerr(y, n, "%s must give one text per language, e.g. {en: ..., ja: ...}", what);
    size_t np = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
    Custos__V1__LocalizedText **v = custos_manifest__arena_alloc(&c->arena, (np ? np : 1) * sizeof *v);
    if (v == NULL)
        return custos_manifest__ynomem(y);
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = yaml_document_get_node(&y->doc, pr->key);
        const char *lang = custos_manifest__yscalar(k);
        size_t i = 0, dup = 0;
        while (lang != NULL && i < nl && strcmp(langs[i], lang) != 0)
            i++;
        for (yaml_node_pair_t *q = n->data.mapping.pairs.start; lang != NULL && q < pr; q++)
            dup |= strcmp(custos_manifest__yscalar(yaml_document_get_node(&y->doc, q->key)), lang) == 0;
        if (lang == NULL || i == nl)
            return custos_manifest__yerr(y, k, "%s has a text in '%s', which is not among product.languages; add the language "
                           "there or remove this text", what, lang ? lang : "?");
        if (dup)
            return custos_manifest__yerr(y, k, "%s gives the '%s' text twice; keep one", what, lang);
    }
    for (size_t i = 0; i < nl; i++) {
        yaml_node_t *t = custos_manifest__yget(y, n, langs[i]);
        if (t == NULL)
            return custos_manifest__yerr(y, n, "%s has no '%s' text, but product.languages declares %s; add %s: with the "
                           "text in that language", what, langs[i], langs[i], langs[i]);
        Custos__V1__LocalizedText *lt = MF_NEW(c, Custos__V1__LocalizedText, CUSTOS__V1__LOCALIZED_TEXT__INIT);
        if (lt == NULL || custos_manifest__ystr(y, t, what, &lt->text) != CUSTOS_OK)
            return y->rc;
        lt->lang = LANGS(c)[i];       /* the languages are sorted, so the texts are too */
        v[i] = lt;
    }
    *out = v;
    *count = nl;
    return y->rc;
}

static int compile_named_texts(mf_compile *c, yaml_node_t *n, const char *field, const char *label,
                               Custos__V1__LocalizedText ***out, size_t *count)
{
    char what[160];
    snprintf(what, sizeof what, "%s of %s", field, label);
    return custos_manifest__compile_texts(c, n, what, out, count);
}

/* A label for messages before the id is checked: "purpose 3", or
 * "purpose #2" (its place in the list) when the id is not a plain value. */
static void early_label(mf_compile *c, yaml_node_t *n, const char *kind, size_t index, char *buf, size_t size)
{
    const char *id = custos_manifest__yscalar(n->type == YAML_MAPPING_NODE ? custos_manifest__yget(&c->y, n, "id") : NULL);
    if (id != NULL && id[0] != '\0' && strlen(id) < 12)
        snprintf(buf, size, "%s %s", kind, id);
    else
        snprintf(buf, size, "%s #%zu", kind, index + 1);
}

/* An optional crosswalk constant: the explicit value if given (checked),
 * else the taxonomy default (which may be NULL). */
static int crosswalk(mf_compile *c, yaml_node_t *map, const char *key, const char *what,
                     const custos_tax_value *table, size_t n, const char *dflt, char **out)
{
    yaml_node_t *v = custos_manifest__yget(&c->y, map, key);
    size_t i;
    *out = (char *)dflt;
    if (v == NULL)
        return c->y.rc;
    if (custos_manifest__ychoose(&c->y, v, what, table, n, sizeof table[0], &i) == CUSTOS_OK)
        *out = (char *)table[i].value;
    return c->y.rc;
}

static yaml_node_t *node_of_category(mf_compile *c, uint32_t id)
{
    for (size_t i = 0; i < c->m->n_categories; i++)
        if (c->m->categories[i]->id == id)
            return c->cat_nodes[i];
    return NULL;
}

static int category_flags(mf_compile *c, yaml_node_t *n, custos_category_pb *cat,
                          const custos_tax_category *tax, const char *label)
{
    mf_yaml *y = &c->y;
    int special = tax->special, flag;
    yaml_node_t *v = custos_manifest__yget(y, n, "special");
    if (v != NULL && custos_manifest__ybool(y, v, "special", &special) == CUSTOS_OK && tax->special && !special)
        return custos_manifest__yerr(y, v, "%s is a special category under GDPR Art. 9 and APPI (special-care-required "
                       "information); it cannot be declared special: false", label);
    cat->has_special = cat->special = special != 0;
    if ((v = custos_manifest__yget(y, n, "linked_to_user")) != NULL && custos_manifest__ybool(y, v, "linked_to_user", &flag) == CUSTOS_OK)
        cat->has_linked_to_user = cat->linked_to_user = flag != 0;
    if ((v = custos_manifest__yget(y, n, "tracking")) != NULL && custos_manifest__ybool(y, v, "tracking", &flag) == CUSTOS_OK)
        cat->has_tracking = cat->tracking = flag != 0;
    return y->rc == CUSTOS_OK ? custos_manifest__compile_category_law(c, n, cat) : y->rc;
}

static int compile_category(mf_compile *c, yaml_node_t *n, size_t index)
{
    static const char *const keys[] = { "id", "key", "name", "description", "special", "dpv", "apple_type",
                                        "play_type", "linked_to_user", "tracking", "appi_sensitive",
                                        "appi_identifier", NULL };
    mf_yaml *y = &c->y;
    char label[96];
    early_label(c, n, "category", index, label, sizeof label);
    custos_category_pb *cat = MF_NEW(c, custos_category_pb, CUSTOS__V1__DATA_CATEGORY__INIT);
    if (cat == NULL || custos_manifest__ymap(y, n, keys, label) != CUSTOS_OK)
        return y->rc;
    yaml_node_t *id = custos_manifest__yneed(y, n, "id", label, "give it a small number that it keeps forever");
    yaml_node_t *key = custos_manifest__yneed(y, n, "key", label, "give its taxonomy key, e.g. user.sensor.video");
    if (id == NULL || key == NULL ||
        custos_manifest__yuint(y, id, "a category id", 1, CUSTOS_MANIFEST_MAX_CATEGORY_ID, &cat->id) != CUSTOS_OK ||
        custos_manifest__ystr(y, key, "a category key", &cat->key) != CUSTOS_OK)
        return y->rc;
    snprintf(label, sizeof label, "category %u '%.64s'", cat->id, cat->key);
    for (size_t i = 0; i < index; i++) {
        if (c->m->categories[i]->id == cat->id)
            return custos_manifest__yerr(y, id, "category id %u is declared twice (first on line %zu); every category "
                           "needs its own id", cat->id, c->cat_nodes[i]->start_mark.line + 1);
        if (strcmp(c->m->categories[i]->key, cat->key) == 0)
            return custos_manifest__yerr(y, key, "category key '%s' is declared twice (first on line %zu); declare each "
                           "kind of data once and use its id in every purpose", cat->key,
                           c->cat_nodes[i]->start_mark.line + 1);
    }
    for (size_t i = 0; i < c->m->n_retired_categories; i++)
        if (c->m->retired_categories[i]->id == cat->id)
            return custos_manifest__yerr(y, id, "category id %u is listed under retired:; a retired id is never used "
                           "again: choose a new id", cat->id);
    const custos_tax_category *tax = custos_manifest__tax_category(cat->key);
    if (tax == NULL) {
        const char *near = custos_manifest__closest(cat->key, MF_TAX(categories));
        return custos_manifest__yerr(y, key, "'%s' is not a data category of the taxonomy (schemas/taxonomy/categories.tsv)%s%s%s",
                       cat->key, near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
    }
    if (category_flags(c, n, cat, tax, label) != CUSTOS_OK ||
        crosswalk(c, n, "dpv", "the DPV personal-data class", MF_TAB(dpv_personal_data), tax->dpv, &cat->dpv) ||
        crosswalk(c, n, "apple_type", "the Apple data type", MF_TAB(apple_data_types), tax->apple, &cat->apple_type) ||
        crosswalk(c, n, "play_type", "the Google Play data type", MF_TAB(play_data_types), tax->play, &cat->play_type))
        return y->rc;
    yaml_node_t *t = custos_manifest__yneed(y, n, "name", label, "give its name in each notice language, e.g. {en: ..., ja: ...}");
    if (t == NULL || compile_named_texts(c, t, "the name", label, &cat->name, &cat->n_name) != CUSTOS_OK)
        return y->rc;
    if ((t = custos_manifest__yget(y, n, "description")) != NULL)
        compile_named_texts(c, t, "the description", label, &cat->description, &cat->n_description);
    c->m->categories[index] = cat;
    c->cat_nodes[index] = n;
    c->m->n_categories = index + 1;
    return y->rc;
}

int custos_manifest__compile_categories(mf_compile *c, yaml_node_t *seq)
{
    size_t n = 0;
    if (custos_manifest__yseq(&c->y, seq, "categories", &n) != CUSTOS_OK)
        return c->y.rc;
    if (n == 0)
        return custos_manifest__yerr(&c->y, seq, "categories: is empty; declare each kind of personal data the product handles");
    c->m->categories = custos_manifest__arena_alloc(&c->arena, n * sizeof *c->m->categories);
    c->cat_nodes = custos_manifest__arena_alloc(&c->arena, n * sizeof *c->cat_nodes);
    if (c->m->categories == NULL || c->cat_nodes == NULL)
        return custos_manifest__ynomem(&c->y);
    for (size_t i = 0; i < n && c->y.rc == CUSTOS_OK; i++)
        compile_category(c, custos_manifest__yitem(&c->y, seq, i), i);
    return c->y.rc;
}

/* --- purposes ----------------------------------------------------------- */

static int compile_uses(mf_compile *c, yaml_node_t *n, custos_purpose_pb *p, const char *label)
{
    mf_yaml *y = &c->y;
    size_t cnt = 0;
    yaml_node_t *seq = custos_manifest__yneed(y, n, "categories", label, "list the ids of the categories it uses");
    if (seq == NULL || custos_manifest__yseq(y, seq, "categories", &cnt) != CUSTOS_OK)
        return y->rc;
    if (cnt == 0)
        return custos_manifest__yerr(y, seq, "%s uses no category; list the ids of the data it uses, or remove the purpose", label);
    if ((p->categories = custos_manifest__arena_alloc(&c->arena, cnt * sizeof *p->categories)) == NULL)
        return custos_manifest__ynomem(y);
    for (size_t i = 0; i < cnt; i++) {
        yaml_node_t *item = custos_manifest__yitem(y, seq, i);
        uint32_t id;
        if (custos_manifest__yuint(y, item, "a category id", 1, CUSTOS_MANIFEST_MAX_CATEGORY_ID, &id) != CUSTOS_OK)
            return y->rc;
        if (node_of_category(c, id) == NULL)
            return custos_manifest__yerr(y, item, "%s uses category %u, which is not declared; declare it under categories: "
                           "or remove it", label, id);
        for (size_t j = 0; j < i; j++)
            if (p->categories[j] == id)
                return custos_manifest__yerr(y, item, "%s lists category %u twice; list it once", label, id);
        p->categories[i] = id;
    }
    p->n_categories = cnt;
    return y->rc;
}

static int first_special(mf_compile *c, const custos_purpose_pb *p, uint32_t *id)
{
    for (size_t i = 0; i < p->n_categories; i++) {
        for (size_t j = 0; j < c->m->n_categories; j++) {
            const custos_category_pb *cat = c->m->categories[j];
            if (cat->id == p->categories[i] && cat->special) {
                *id = cat->id;
                return 1;
            }
        }
    }
    return 0;
}

static int compile_special(mf_compile *c, yaml_node_t *n, custos_purpose_pb *p, const char *label)
{
    mf_yaml *y = &c->y;
    uint32_t sid = 0;
    int uses_special = first_special(c, p, &sid);
    yaml_node_t *v = custos_manifest__yget(y, n, "special_condition");
    if (v == NULL) {
        if (uses_special)
            return custos_manifest__yerr(y, n, "%s uses category %u, a special category (GDPR Art. 9, APPI special-care-required "
                           "information), but gives no Art. 9(2) condition; add special_condition: (e.g. "
                           "explicit_consent)", label, sid);
        return y->rc;
    }
    size_t i;
    if (custos_manifest__ychoose(y, v, "special_condition", MF_TAX(special_conditions), &i) != CUSTOS_OK)
        return y->rc;
    if (!uses_special)
        return custos_manifest__yerr(y, v, "%s gives a special_condition but uses no special category; remove it", label);
    p->has_special_condition = 1;
    p->special_condition = (Custos__V1__SpecialCategoryCondition)custos__tax_special_conditions[i].proto;
    if (p->special_condition == CUSTOS__V1__SPECIAL_CATEGORY_CONDITION__SPECIAL_EXPLICIT_CONSENT &&
        p->legal_basis != CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_CONSENT)
        return custos_manifest__yerr(y, v, "%s relies on explicit consent for special categories, so its legal_basis must be "
                       "consent", label);
    return y->rc;
}

static int compile_recipient(mf_compile *c, yaml_node_t *n, custos_purpose_pb *p, size_t i, const char *label)
{
    static const char *const keys[] = { "name", "country", "role", "regime", "measures", "appi_route",
                                        "gdpr_safeguard", "safeguard_copy", NULL };
    static const char *const roles[] = { "processor", "third_party" };
    mf_yaml *y = &c->y;
    Custos__V1__Recipient *r = MF_NEW(c, Custos__V1__Recipient, CUSTOS__V1__RECIPIENT__INIT);
    if (r == NULL || custos_manifest__ymap(y, n, keys, "a recipient") != CUSTOS_OK)
        return y->rc;
    yaml_node_t *name = custos_manifest__yneed(y, n, "name", "a recipient", "name the company that receives the data");
    if (name == NULL || custos_manifest__ystr(y, name, "a recipient name", &r->name) != CUSTOS_OK)
        return y->rc;
    yaml_node_t *country = custos_manifest__yget(y, n, "country");
    if (country == NULL)
        return custos_manifest__yerr(y, n, "recipient '%s' of %s has no country; APPI (cross-border provision) and GDPR "
                       "(transfers) require telling the person where the data goes: add country: with its "
                       "ISO 3166-1 code, e.g. US", r->name, label);
    if (custos_manifest__ystr(y, country, "a recipient country", &r->country) != CUSTOS_OK)
        return y->rc;
    if (!custos_manifest__is_country(r->country))
        return custos_manifest__yerr(y, country, "country '%s' of recipient '%s' must be a two-letter ISO 3166-1 code in "
                       "capitals, e.g. JP, US, DE", r->country, r->name);
    yaml_node_t *role = custos_manifest__yget(y, n, "role");
    size_t k;
    if (role != NULL && custos_manifest__ychoose(y, role, "recipient role", roles, 2, sizeof roles[0], &k) == CUSTOS_OK)
        r->role = (char *)roles[k];
    for (size_t j = 0; j < i && y->rc == CUSTOS_OK; j++)
        if (strcmp(p->recipients[j]->name, r->name) == 0 && strcmp(p->recipients[j]->country, r->country) == 0)
            return custos_manifest__yerr(y, name, "recipient '%s' (%s) is listed twice for %s", r->name, r->country, label);
    if (y->rc != CUSTOS_OK || custos_manifest__compile_recipient_law(c, n, r, label) != CUSTOS_OK)
        return y->rc;
    p->recipients[i] = r;
    return y->rc;
}

static int compile_recipients(mf_compile *c, yaml_node_t *n, custos_purpose_pb *p, const char *label)
{
    yaml_node_t *seq = custos_manifest__yget(&c->y, n, "recipients");
    size_t cnt = 0;
    if (seq == NULL || custos_manifest__yseq(&c->y, seq, "recipients", &cnt) != CUSTOS_OK || cnt == 0)
        return c->y.rc;
    if ((p->recipients = custos_manifest__arena_alloc(&c->arena, cnt * sizeof *p->recipients)) == NULL)
        return custos_manifest__ynomem(&c->y);
    for (size_t i = 0; i < cnt && c->y.rc == CUSTOS_OK; i++)
        compile_recipient(c, custos_manifest__yitem(&c->y, seq, i), p, i, label);
    p->n_recipients = cnt;
    return c->y.rc;
}

/* A list of values from a table (locations, store purposes), without repeats.
 * out receives either the proto codes (as int) or the constant strings. */
int custos_manifest__compile_choices(mf_compile *c, yaml_node_t *seq, const char *what, const char *item_what,
                           const custos_tax_value *table, size_t n, int as_codes, void **out, size_t *count)
{
    mf_yaml *y = &c->y;
    size_t cnt = 0;
    if (custos_manifest__yseq(y, seq, what, &cnt) != CUSTOS_OK)
        return y->rc;
    if (cnt == 0)
        return custos_manifest__yerr(y, seq, "%s is an empty list; give at least one value or leave the key out", what);
    size_t *idx = custos_manifest__arena_alloc(&c->arena, cnt * sizeof *idx);
    void *v = custos_manifest__arena_alloc(&c->arena, cnt * (as_codes ? sizeof(int) : sizeof(char *)));
    if (idx == NULL || v == NULL)
        return custos_manifest__ynomem(y);
    for (size_t i = 0; i < cnt; i++) {
        yaml_node_t *item = custos_manifest__yitem(y, seq, i);
        if (custos_manifest__ychoose(y, item, item_what, table, n, sizeof table[0], &idx[i]) != CUSTOS_OK)
            return y->rc;
        for (size_t j = 0; j < i; j++)
            if (idx[j] == idx[i])
                return custos_manifest__yerr(y, item, "%s lists '%s' twice; list it once", what, table[idx[i]].value);
        if (as_codes)
            ((int *)v)[i] = table[idx[i]].proto;
        else
            ((const char **)v)[i] = table[idx[i]].value;
    }
    *out = v;
    *count = cnt;
    return y->rc;
}

/* The explicit list, or the taxonomy default for the purpose's key. */
static int store_purposes(mf_compile *c, yaml_node_t *n, const char *key, const char *item_what,
                          const custos_tax_value *table, size_t tn, const char *dflt, char ***out, size_t *count)
{
    yaml_node_t *v = custos_manifest__yget(&c->y, n, key);
    if (v != NULL)
        return custos_manifest__compile_choices(c, v, key, item_what, table, tn, 0, (void **)out, count);
    if (dflt == NULL)
        return c->y.rc;
    if ((*out = custos_manifest__arena_alloc(&c->arena, sizeof **out)) == NULL)
        return custos_manifest__ynomem(&c->y);
    (*out)[0] = (char *)dflt;
    *count = 1;
    return c->y.rc;
}

static int compile_basis(mf_compile *c, yaml_node_t *n, custos_purpose_pb *p, const char *label)
{
    mf_yaml *y = &c->y;
    size_t i;
    yaml_node_t *lb = custos_manifest__yneed(y, n, "legal_basis", label, "say why it is lawful: consent, contract, "
                               "legal_obligation, legitimate_interest, vital_interest or public_task");
    if (lb == NULL || custos_manifest__ychoose(y, lb, "legal_basis", MF_TAX(legal_bases), &i) != CUSTOS_OK)
        return y->rc;
    p->legal_basis = (Custos__V1__LegalBasis)custos__tax_legal_bases[i].proto;
    yaml_node_t *ne = custos_manifest__yneed(y, n, "necessity", label, "say whether the person can refuse it: required or optional");
    if (ne == NULL || custos_manifest__ychoose(y, ne, "necessity", MF_TAX(necessity), &i) != CUSTOS_OK)
        return y->rc;
    p->necessity = (Custos__V1__Necessity)custos__tax_necessity[i].proto;
    if (p->legal_basis == CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_CONSENT &&
        p->necessity == CUSTOS__V1__NECESSITY__NECESSITY_REQUIRED)
        return custos_manifest__yerr(y, ne, "%s rests on consent but is required; consent that cannot be refused is not "
                       "freely given (GDPR Art. 7(4)): make it optional or choose another legal basis", label);
    return y->rc;
}

static int compile_times(mf_compile *c, yaml_node_t *n, custos_purpose_pb *p, const char *label)
{
    mf_yaml *y = &c->y;
    int consent = p->legal_basis == CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_CONSENT;
    yaml_node_t *v = custos_manifest__yget(y, n, "retention");
    if (v == NULL && consent)
        return custos_manifest__yerr(y, n, "%s rests on consent but says nothing about retention; add retention: with an "
                       "ISO 8601 duration (e.g. P30D) or {until: event}", label);
    if (v != NULL && custos_manifest__compile_duration(c, v, "retention", 1, &p->retention) != CUSTOS_OK)
        return y->rc;
    if ((v = custos_manifest__yget(y, n, "consent_lifetime")) == NULL)
        return y->rc;
    if (!consent)
        return custos_manifest__yerr(y, v, "%s has a consent_lifetime but its legal basis is not consent; remove it", label);
    return custos_manifest__compile_duration(c, v, "consent_lifetime", 0, &p->consent_lifetime);
}

static int purpose_key(mf_compile *c, yaml_node_t *key, custos_purpose_pb *p, const custos_tax_use **tax)
{
    mf_yaml *y = &c->y;
    *tax = custos_manifest__tax_use(p->key);
    if (*tax == NULL) {
        const char *near = custos_manifest__closest(p->key, MF_TAX(uses));
        return custos_manifest__yerr(y, key, "'%s' is not a purpose (data use) of the taxonomy (schemas/taxonomy/purposes.tsv)%s%s%s",
                       p->key, near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
    }
    if ((*tax)->replaced_by != NULL)
        return custos_manifest__yerr(y, key, "purpose key '%s' is deprecated in fideslang; use '%s'", p->key, (*tax)->replaced_by);
    return y->rc;
}

static int purpose_id(mf_compile *c, yaml_node_t *id, custos_purpose_pb *p, size_t index)
{
    mf_yaml *y = &c->y;
    if (custos_manifest__yuint(y, id, "a purpose id", 0, UINT32_MAX, &p->id) != CUSTOS_OK)
        return y->rc;
    if (p->id == 0 || p->id > CUSTOS_MANIFEST_MAX_PURPOSE_ID)
        return custos_manifest__yerr(y, id, "purpose id %u is out of range: devices keep consent as a 64-bit set, so purpose "
                       "ids run from 1 to %u; choose a free id in that range", p->id, CUSTOS_MANIFEST_MAX_PURPOSE_ID);
    for (size_t i = 0; i < index; i++)
        if (c->m->purposes[i]->id == p->id)
            return custos_manifest__yerr(y, id, "purpose id %u is declared twice (first on line %zu); every purpose needs "
                           "its own id", p->id, c->purpose_nodes[i]->start_mark.line + 1);
    for (size_t i = 0; i < c->m->n_retired_purposes; i++)
        if (c->m->retired_purposes[i]->id == p->id)
            return custos_manifest__yerr(y, id, "purpose id %u is listed under retired:; a retired id is never used again: "
                           "choose a new id", p->id);
    return y->rc;
}

static int compile_purpose(mf_compile *c, yaml_node_t *n, size_t index)
{
    static const char *const keys[] = { "id", "key", "name", "description", "legal_basis", "necessity",
                                        "categories", "retention", "recipients", "locations", "consent_lifetime",
                                        "special_condition", "apple_purposes", "play_purposes", "dpv",
                                        "legitimate_interest", "automated_decision", NULL };
    mf_yaml *y = &c->y;
    char label[96];
    early_label(c, n, "purpose", index, label, sizeof label);
    custos_purpose_pb *p = MF_NEW(c, custos_purpose_pb, CUSTOS__V1__PURPOSE__INIT);
    if (p == NULL || custos_manifest__ymap(y, n, keys, label) != CUSTOS_OK)
        return y->rc;
    yaml_node_t *id = custos_manifest__yneed(y, n, "id", label, "give it a number from 1 to 63 that it keeps forever");
    yaml_node_t *key = custos_manifest__yneed(y, n, "key", label, "give its taxonomy key, e.g. analytics.reporting.system.performance");
    const custos_tax_use *tax = NULL;
    if (id == NULL || key == NULL || purpose_id(c, id, p, index) != CUSTOS_OK ||
        custos_manifest__ystr(y, key, "a purpose key", &p->key) != CUSTOS_OK || purpose_key(c, key, p, &tax) != CUSTOS_OK)
        return y->rc;
    snprintf(label, sizeof label, "purpose %u '%.64s'", p->id, p->key);
    yaml_node_t *t = custos_manifest__yneed(y, n, "name", label, "give its name in each notice language, e.g. {en: ..., ja: ...}");
    if (t == NULL || compile_named_texts(c, t, "the name", label, &p->name, &p->n_name) != CUSTOS_OK)
        return y->rc;
    if ((t = custos_manifest__yget(y, n, "description")) != NULL &&
        compile_named_texts(c, t, "the description", label, &p->description, &p->n_description) != CUSTOS_OK)
        return y->rc;
    if (compile_basis(c, n, p, label) || compile_uses(c, n, p, label) || compile_special(c, n, p, label) ||
        compile_times(c, n, p, label) || compile_recipients(c, n, p, label) ||
        custos_manifest__compile_purpose_law(c, n, p, label))
        return y->rc;
    yaml_node_t *loc = custos_manifest__yneed(y, n, "locations", label, "say where the data is kept: device, app and/or cloud");
    if (loc == NULL ||
        custos_manifest__compile_choices(c, loc, "locations", "storage location", MF_TAB(storage_locations), 1, (void **)&p->locations, &p->n_locations) ||
        store_purposes(c, n, "apple_purposes", "the Apple purpose", MF_TAB(apple_purposes), tax->apple,
                       &p->apple_purposes, &p->n_apple_purposes) ||
        store_purposes(c, n, "play_purposes", "the Google Play purpose", MF_TAB(play_purposes), tax->play,
                       &p->play_purposes, &p->n_play_purposes) ||
        crosswalk(c, n, "dpv", "the DPV purpose", MF_TAB(dpv_purposes), tax->dpv, &p->dpv))
        return y->rc;
    c->m->purposes[index] = p;
    c->purpose_nodes[index] = n;
    c->m->n_purposes = index + 1;
    return y->rc;
}

int custos_manifest__compile_purposes(mf_compile *c, yaml_node_t *seq)
{
    size_t n = 0;
    if (custos_manifest__yseq(&c->y, seq, "purposes", &n) != CUSTOS_OK)
        return c->y.rc;
    if (n == 0)
        return custos_manifest__yerr(&c->y, seq, "purposes: is empty; declare why the product processes each kind of data");
    c->m->purposes = custos_manifest__arena_alloc(&c->arena, n * sizeof *c->m->purposes);
    c->purpose_nodes = custos_manifest__arena_alloc(&c->arena, n * sizeof *c->purpose_nodes);
    if (c->m->purposes == NULL || c->purpose_nodes == NULL)
        return custos_manifest__ynomem(&c->y);
    for (size_t i = 0; i < n && c->y.rc == CUSTOS_OK; i++)
        compile_purpose(c, custos_manifest__yitem(&c->y, seq, i), i);
    return c->y.rc;
}
