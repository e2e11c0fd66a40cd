/*
 * compile.c: YAML manifest -> canonical compiled file.
 *
 * One pass over the document in a fixed order (product, retired ids,
 * categories, purposes, subjects), whatever order the YAML keys come in;
 * the first problem stops the compilation with its place and a sentence.
 * Then the checks against the previous version, the canonical sort of every
 * repeated field, the structural check that every reader repeats, and the
 * encoding. Everything is built in one arena, freed on every path.
 */
#include "compile.h"

#include <stdlib.h>
#include <string.h>

void *custos_manifest__new(mf_compile *c, const void *init, size_t size)
{
    void *p = custos_manifest__arena_alloc(&c->arena, size);
    if (p == NULL) {
        custos_manifest__ynomem(&c->y);
        return NULL;
    }
    memcpy(p, init, size);
    return p;
}

/* --- product -------------------------------------------------------------- */

static int valid_lang(const char *s)
{
    size_t n = 0;
    while (s[n] >= 'a' && s[n] <= 'z')
        n++;
    if (n < 2 || n > 3)
        return 0;
    for (s += n; *s == '-';) {
        size_t k = 1;
        while ((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z') || (s[k] >= '0' && s[k] <= '9'))
            k++;
        if (k == 1 || k > 9)
            return 0;
        s += k;
    }
    return *s == '\0';
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* A list of distinct strings, each accepted by valid(), sorted. */
static int compile_words(mf_compile *c, yaml_node_t *seq, const char *what, int (*valid)(mf_compile *, yaml_node_t *, const char *),
                         char ***out, size_t *count)
{
    mf_yaml *y = &c->y;
    size_t n = 0;
    if (custos_manifest__yseq(y, seq, what, &n) != CUSTOS_OK)
        return y->rc;
    if (n == 0)
        return custos_manifest__yerr(y, seq, "%s is empty; give at least one", what);
    char **v = custos_manifest__arena_alloc(&c->arena, n * sizeof *v);
    if (v == NULL)
        return custos_manifest__ynomem(y);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = custos_manifest__yitem(y, seq, i);
        if (custos_manifest__ystr(y, item, what, &v[i]) != CUSTOS_OK || valid(c, item, v[i]) != CUSTOS_OK)
            return y->rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(v[j], v[i]) == 0)
                return custos_manifest__yerr(y, item, "%s lists '%s' twice; list it once", what, v[i]);
    }
    qsort(v, n, sizeof *v, cmp_str);
    *out = v;
    *count = n;
    return y->rc;
}

static int check_lang(mf_compile *c, yaml_node_t *n, const char *s)
{
    if (!valid_lang(s))
        return custos_manifest__yerr(&c->y, n, "language '%s' is not a BCP 47 language tag such as en, ja or pt-BR", s);
    return c->y.rc;
}

static int check_jurisdiction(mf_compile *c, yaml_node_t *n, const char *s)
{
    size_t i;
    (void)s;
    return custos_manifest__ychoose(&c->y, n, "jurisdiction", MF_TAX(jurisdictions), &i);
}

static int compile_languages(mf_compile *c, yaml_node_t *prod, Custos__V1__Product *p)
{
    yaml_node_t *v = custos_manifest__yneed(&c->y, prod, "languages", "the product", "list the notice languages: at least en and ja");
    if (v == NULL || compile_words(c, v, "product.languages", check_lang, &p->languages, &p->n_languages) != CUSTOS_OK)
        return c->y.rc;
    static const char *const needed[] = { "en", "ja" };
    for (size_t k = 0; k < 2; k++) {
        size_t i = 0;
        while (i < p->n_languages && strcmp(p->languages[i], needed[k]) != 0)
            i++;
        if (i == p->n_languages)
            return custos_manifest__yerr(&c->y, v, "product.languages must include '%s': notices are written at least in "
                           "English (en) and Japanese (ja)", needed[k]);
    }
    return c->y.rc;
}

static int compile_party(mf_compile *c, yaml_node_t *n, const char *what, int full, Custos__V1__Party **out)
{
    static const char *const keys[] = { "name", "address", "contact", "country", "representative", NULL };
    mf_yaml *y = &c->y;
    Custos__V1__Party *p = MF_NEW(c, Custos__V1__Party, CUSTOS__V1__PARTY__INIT);
    if (p == NULL || custos_manifest__ymap(y, n, keys, what) != CUSTOS_OK)
        return y->rc;
    yaml_node_t *v;
    if ((v = custos_manifest__yneed(y, n, "name", what, "give the legal name")) == NULL ||
        custos_manifest__compile_text_field(c, v, "a name", &p->name, &p->name_text, &p->n_name_text) ||
        (v = custos_manifest__yneed(y, n, "contact", what, "give an e-mail address, URL or phone number people can use")) == NULL ||
        custos_manifest__ystr(y, v, "a contact", &p->contact))
        return y->rc;
    if ((v = full ? custos_manifest__yneed(y, n, "address", what, "give the postal address") : custos_manifest__yget(y, n, "address")) != NULL &&
        custos_manifest__compile_text_field(c, v, "an address", &p->address, &p->address_text, &p->n_address_text))
        return y->rc;
    if (custos_manifest__compile_party_law(c, n, what, p) != CUSTOS_OK)
        return y->rc;
    v = full ? custos_manifest__yneed(y, n, "country", what, "give its ISO 3166-1 code, e.g. JP") : custos_manifest__yget(y, n, "country");
    if (v != NULL && custos_manifest__ystr(y, v, "a country", &p->country) == CUSTOS_OK &&
        !custos_manifest__is_country(p->country))
        return custos_manifest__yerr(y, v, "country '%s' must be a two-letter ISO 3166-1 code in capitals, e.g. JP", p->country);
    *out = p;
    return y->rc;
}

int custos_manifest__is_country(const char *s)
{
    return strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

static int valid_date(const char *s)
{
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    for (int i = 0; i < 10; i++)
        if ((i == 4 || i == 7) ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
            return 0;
    if (s[10] != '\0')
        return 0;
    int y = 0, m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    for (int i = 0; i < 4; i++)
        y = y * 10 + (s[i] - '0');
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m >= 1 && m <= 12 && d >= 1 && d <= mdays[m - 1] && (m != 2 || d < 29 || leap);
}

static int compile_product(mf_compile *c, yaml_node_t *n)
{
    static const char *const keys[] = { "name", "model", "controller", "privacy_contact", "jurisdictions",
                                        "support_until", "policy_version", "languages", "eu_representative",
                                        "requests", "security_measures", NULL };
    mf_yaml *y = &c->y;
    Custos__V1__Product *p = MF_NEW(c, Custos__V1__Product, CUSTOS__V1__PRODUCT__INIT);
    if (p == NULL || custos_manifest__ymap(y, n, keys, "the product") != CUSTOS_OK)
        return y->rc;
    c->m->product = p;
    yaml_node_t *v;
    if ((v = custos_manifest__yneed(y, n, "name", "the product", "give the product's name")) == NULL ||
        custos_manifest__ystr(y, v, "product.name", &p->name) ||
        (v = custos_manifest__yneed(y, n, "policy_version", "the product", "start at 1 and raise it with every change")) == NULL ||
        custos_manifest__yuint(y, v, "product.policy_version", 1, UINT32_MAX, &p->policy_version) ||
        compile_languages(c, n, p) ||
        (v = custos_manifest__yneed(y, n, "controller", "the product", "name the maker as controller: name, address, contact, country")) == NULL ||
        compile_party(c, v, "product.controller", 1, &p->controller) ||
        (v = custos_manifest__yneed(y, n, "jurisdictions", "the product", "list the laws it is sold under, e.g. [JP-APPI, EU-GDPR]")) == NULL ||
        compile_words(c, v, "product.jurisdictions", check_jurisdiction, &p->jurisdictions, &p->n_jurisdictions))
        return y->rc;
    if ((v = custos_manifest__yget(y, n, "model")) != NULL && custos_manifest__ystr(y, v, "product.model", &p->model))
        return y->rc;
    if ((v = custos_manifest__yget(y, n, "privacy_contact")) != NULL && compile_party(c, v, "product.privacy_contact", 0, &p->privacy_contact))
        return y->rc;
    if ((v = custos_manifest__yget(y, n, "support_until")) != NULL && custos_manifest__ystr(y, v, "product.support_until", &p->support_until) == CUSTOS_OK &&
        !valid_date(p->support_until))
        return custos_manifest__yerr(y, v, "product.support_until '%s' is not a date written YYYY-MM-DD", p->support_until);
    return custos_manifest__compile_product_law(c, n, p, compile_party);
}

/* --- subjects and retired ids --------------------------------------------- */

static int compile_subjects(mf_compile *c, yaml_node_t *n)
{
    mf_yaml *y = &c->y;
    size_t cnt = 0;
    if (custos_manifest__yseq(y, n, "subjects", &cnt) != CUSTOS_OK)
        return y->rc;
    if (cnt == 0)
        return custos_manifest__yerr(y, n, "subjects: is empty; list the people the product serves: owner, household_member, "
                       "guest, child");
    Custos__V1__SubjectRole *v = custos_manifest__arena_alloc(&c->arena, cnt * sizeof *v);
    if (v == NULL)
        return custos_manifest__ynomem(y);
    int seen[8] = { 0 };
    for (size_t i = 0; i < cnt; i++) {
        yaml_node_t *item = custos_manifest__yitem(y, n, i);
        size_t k;
        if (custos_manifest__ychoose(y, item, "subject role", MF_TAX(subject_roles), &k) != CUSTOS_OK)
            return y->rc;
        v[i] = (Custos__V1__SubjectRole)custos__tax_subject_roles[k].proto;
        if (seen[v[i] & 7]++)
            return custos_manifest__yerr(y, item, "subjects lists '%s' twice; list it once", custos__tax_subject_roles[k].value);
    }
    if (seen[CUSTOS__V1__SUBJECT_ROLE__SUBJECT_ROLE_CHILD] && !seen[CUSTOS__V1__SUBJECT_ROLE__SUBJECT_ROLE_OWNER] &&
        !seen[CUSTOS__V1__SUBJECT_ROLE__SUBJECT_ROLE_HOUSEHOLD_MEMBER])
        return custos_manifest__yerr(y, n, "subjects lists child, whose consent is given by a guardian, but no owner or "
                       "household_member who can be that guardian; add one");
    c->m->subject_roles = v;
    c->m->n_subject_roles = cnt;
    return y->rc;
}

static int compile_retired_list(mf_compile *c, yaml_node_t *seq, const char *what, uint32_t max,
                                Custos__V1__RetiredId ***out, size_t *count)
{
    static const char *const keys[] = { "id", "key", NULL };
    mf_yaml *y = &c->y;
    size_t n = 0;
    if (custos_manifest__yseq(y, seq, what, &n) != CUSTOS_OK || n == 0)
        return y->rc;
    Custos__V1__RetiredId **v = custos_manifest__arena_alloc(&c->arena, n * sizeof *v);
    if (v == NULL)
        return custos_manifest__ynomem(y);
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = custos_manifest__yitem(y, seq, i), *id, *key;
        Custos__V1__RetiredId *r = MF_NEW(c, Custos__V1__RetiredId, CUSTOS__V1__RETIRED_ID__INIT);
        if (r == NULL || custos_manifest__ymap(y, item, keys, what) ||
            (id = custos_manifest__yneed(y, item, "id", what, "give the id that is no longer used")) == NULL ||
            (key = custos_manifest__yneed(y, item, "key", what, "give the key it had, so it is never reused for another")) == NULL ||
            custos_manifest__yuint(y, id, "a retired id", 1, max, &r->id) || custos_manifest__ystr(y, key, "a retired key", &r->key))
            return y->rc;
        for (size_t j = 0; j < i; j++)
            if (v[j]->id == r->id)
                return custos_manifest__yerr(y, id, "%s lists id %u twice; list it once", what, r->id);
        v[i] = r;
    }
    *out = v;
    *count = n;
    return y->rc;
}

static int compile_retired(mf_compile *c, yaml_node_t *n)
{
    static const char *const keys[] = { "categories", "purposes", NULL };
    yaml_node_t *v;
    if (custos_manifest__ymap(&c->y, n, keys, "retired:") != CUSTOS_OK)
        return c->y.rc;
    if ((v = custos_manifest__yget(&c->y, n, "categories")) != NULL &&
        compile_retired_list(c, v, "retired.categories", CUSTOS_MANIFEST_MAX_CATEGORY_ID, &c->m->retired_categories,
                             &c->m->n_retired_categories))
        return c->y.rc;
    if ((v = custos_manifest__yget(&c->y, n, "purposes")) != NULL)
        compile_retired_list(c, v, "retired.purposes", CUSTOS_MANIFEST_MAX_PURPOSE_ID, &c->m->retired_purposes,
                             &c->m->n_retired_purposes);
    return c->y.rc;
}

/* --- the previous version ------------------------------------------------- */

/* The key an id had in the previous version (declared or retired), or NULL;
 * *retired tells which. Works for categories (kind 0) and purposes (kind 1). */
static const char *prev_key(const custos_manifest_pb *m, int kind, uint32_t id, int *retired)
{
    const char *key = NULL;
    if (kind == 0) {
        const custos_category_pb *cat = custos__manifest_category(m, id);
        key = cat ? cat->key : NULL;
    } else {
        const custos_purpose_pb *p = custos__manifest_purpose(m, id);
        key = p ? p->key : NULL;
    }
    *retired = 0;
    Custos__V1__RetiredId *const *r = kind == 0 ? m->retired_categories : m->retired_purposes;
    size_t n = kind == 0 ? m->n_retired_categories : m->n_retired_purposes;
    for (size_t i = 0; key == NULL && i < n; i++)
        if (r[i]->id == id)
            key = r[i]->key, *retired = 1;
    return key;
}

static int check_declared(mf_compile *c, int kind, uint32_t id, const char *key, yaml_node_t *at)
{
    const char *what = kind == 0 ? "category" : "purpose";
    int retired;
    const char *old = prev_key(c->prev, kind, id, &retired);
    if (old != NULL && retired)
        return custos_manifest__yerr(&c->y, at, "%s id %u was retired in policy version %u (it was '%s'); a retired id is "
                       "never used again: choose a new id", what, id, c->prev->product->policy_version, old);
    if (old != NULL && strcmp(old, key) != 0)
        return custos_manifest__yerr(&c->y, at, "%s id %u was '%s' in policy version %u and is now '%s'; an id never changes "
                       "meaning: give '%s' a new id and list %u under retired:", what, id, old,
                       c->prev->product->policy_version, key, key, id);
    return c->y.rc;
}

static int present(mf_compile *c, int kind, uint32_t id, const char *key, yaml_node_t *at)
{
    const char *what = kind == 0 ? "category" : "purpose";
    Custos__V1__RetiredId *const *r = kind == 0 ? c->m->retired_categories : c->m->retired_purposes;
    size_t n = kind == 0 ? c->m->n_retired_categories : c->m->n_retired_purposes;
    for (size_t i = 0; i < n; i++) {
        if (r[i]->id != id)
            continue;
        if (strcmp(r[i]->key, key) != 0)
            return custos_manifest__yerr(&c->y, at, "retired %s id %u had the key '%s' in policy version %u, not '%s'", what, id,
                           key, c->prev->product->policy_version, r[i]->key);
        return 1;
    }
    size_t nd = kind == 0 ? c->m->n_categories : c->m->n_purposes;
    for (size_t i = 0; i < nd; i++)
        if ((kind == 0 ? c->m->categories[i]->id : c->m->purposes[i]->id) == id)
            return 1;
    return 0;
}

static int check_kept(mf_compile *c, int kind, uint32_t id, const char *key, yaml_node_t *at)
{
    int rc = present(c, kind, id, key, at);
    if (c->y.rc != CUSTOS_OK || rc == 1)
        return c->y.rc;
    return custos_manifest__yerr(&c->y, at, "%s %u ('%s') of policy version %u is gone; ids are never reused, so keep it or "
                   "list it under retired: as {id: %u, key: %s}", kind == 0 ? "category" : "purpose", id, key,
                   c->prev->product->policy_version, id, key);
}

static int check_previous(mf_compile *c, yaml_node_t *root)
{
    const custos_manifest_pb *p = c->prev, *m = c->m;
    for (size_t i = 0; i < m->n_categories && c->y.rc == CUSTOS_OK; i++)
        check_declared(c, 0, m->categories[i]->id, m->categories[i]->key, custos_manifest__yget(&c->y, c->cat_nodes[i], "id"));
    for (size_t i = 0; i < m->n_purposes && c->y.rc == CUSTOS_OK; i++)
        check_declared(c, 1, m->purposes[i]->id, m->purposes[i]->key, custos_manifest__yget(&c->y, c->purpose_nodes[i], "id"));
    yaml_node_t *cats = custos_manifest__yget(&c->y, root, "categories"), *purs = custos_manifest__yget(&c->y, root, "purposes");
    for (size_t i = 0; i < p->n_categories && c->y.rc == CUSTOS_OK; i++)
        check_kept(c, 0, p->categories[i]->id, p->categories[i]->key, cats);
    for (size_t i = 0; i < p->n_retired_categories && c->y.rc == CUSTOS_OK; i++)
        check_kept(c, 0, p->retired_categories[i]->id, p->retired_categories[i]->key, cats);
    for (size_t i = 0; i < p->n_purposes && c->y.rc == CUSTOS_OK; i++)
        check_kept(c, 1, p->purposes[i]->id, p->purposes[i]->key, purs);
    for (size_t i = 0; i < p->n_retired_purposes && c->y.rc == CUSTOS_OK; i++)
        check_kept(c, 1, p->retired_purposes[i]->id, p->retired_purposes[i]->key, purs);
    return c->y.rc;
}

/* --- canonical order -------------------------------------------------------- */

static int cmp_category(const void *a, const void *b)
{
    uint32_t x = (*(custos_category_pb *const *)a)->id, y = (*(custos_category_pb *const *)b)->id;
    return (x > y) - (x < y);
}

static int cmp_purpose(const void *a, const void *b)
{
    uint32_t x = (*(custos_purpose_pb *const *)a)->id, y = (*(custos_purpose_pb *const *)b)->id;
    return (x > y) - (x < y);
}

static int cmp_retired(const void *a, const void *b)
{
    uint32_t x = (*(Custos__V1__RetiredId *const *)a)->id, y = (*(Custos__V1__RetiredId *const *)b)->id;
    return (x > y) - (x < y);
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_enum(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int cmp_recipient(const void *a, const void *b)
{
    const Custos__V1__Recipient *x = *(Custos__V1__Recipient *const *)a, *y = *(Custos__V1__Recipient *const *)b;
    int c = strcmp(x->name, y->name);
    return c != 0 ? c : strcmp(x->country, y->country);
}

#define SORT(v, n, cmp) do { if ((n) > 1) qsort((v), (n), sizeof *(v), (cmp)); } while (0)

static void canonical_order(custos_manifest_pb *m)
{
    SORT(m->categories, m->n_categories, cmp_category);
    SORT(m->purposes, m->n_purposes, cmp_purpose);
    SORT(m->subject_roles, m->n_subject_roles, cmp_enum);
    SORT(m->retired_categories, m->n_retired_categories, cmp_retired);
    SORT(m->retired_purposes, m->n_retired_purposes, cmp_retired);
    for (size_t i = 0; i < m->n_purposes; i++) {
        custos_purpose_pb *p = m->purposes[i];
        SORT(p->categories, p->n_categories, cmp_u32);
        SORT(p->recipients, p->n_recipients, cmp_recipient);
        SORT(p->locations, p->n_locations, cmp_enum);
        SORT(p->apple_purposes, p->n_apple_purposes, cmp_str);
        SORT(p->play_purposes, p->n_play_purposes, cmp_str);
    }
}

/* --- the whole file ----------------------------------------------------------- */

/* Offset of the first byte that is not UTF-8 or starts a forbidden code
 * point (*why then says which), or len if there is none. */
static size_t clean_prefix(const unsigned char *s, size_t len, const char **why, uint32_t *bad_cp)
{
    size_t i = 0;
    *why = NULL;
    while (i < len) {
        unsigned char b = s[i];
        size_t n = b < 0x80 ? 0 : (b & 0xE0) == 0xC0 ? 1 : (b & 0xF0) == 0xE0 ? 2 : (b & 0xF8) == 0xF0 ? 3 : 4;
        if (n == 4 || n >= len - i + (n == 0))
            return i;
        uint32_t cp = n == 0 ? b : b & (0x3Fu >> n);
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
            cp = cp << 6 | (s[i + k] & 0x3Fu);
        }
        static const uint32_t least[] = { 0, 0x80, 0x800, 0x10000 };
        if (cp < least[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return i;
        if ((*why = custos_manifest__forbidden(cp)) != NULL) {
            *bad_cp = cp;
            return i;
        }
        i += n + 1;
    }
    return len;
}

static int check_text(mf_compile *c, const char *text, size_t len)
{
    if (len > CUSTOS_MANIFEST_MAX_YAML)
        return c->y.rc = custos_manifest__fail(c->y.err, CUSTOS_EMANIFEST, "%s: the file is %zu bytes; a manifest is at most %u",
                                 c->y.file, len, CUSTOS_MANIFEST_MAX_YAML);
    const char *why;
    uint32_t cp = 0;
    size_t bad = clean_prefix((const unsigned char *)text, len, &why, &cp), line = 1, col = 1;
    if (bad == len)
        return CUSTOS_OK;
    for (size_t i = 0; i < bad; i++) {
        if (text[i] == '\n')
            line++, col = 1;
        else if (((unsigned char)text[i] & 0xC0) != 0x80)
            col++;
    }
    if (why != NULL)
        c->y.rc = custos_manifest__fail(c->y.err, CUSTOS_EMANIFEST, "%s:%zu:%zu: U+%04X is %s; remove it",
                          c->y.file, line, col, (unsigned)cp, why);
    else
        c->y.rc = custos_manifest__fail(c->y.err, CUSTOS_EMANIFEST, "%s:%zu:%zu: byte 0x%02X is not UTF-8; save the file as UTF-8",
                          c->y.file, line, col, (unsigned char)text[bad]);
    if (c->y.err != NULL)
        c->y.err->line = (uint32_t)line, c->y.err->column = (uint32_t)col;
    return c->y.rc;
}

static int compile_root(mf_compile *c)
{
    static const char *const keys[] = { "custos", "product", "retired", "categories", "purposes", "subjects", "stores", NULL };
    mf_yaml *y = &c->y;
    yaml_node_t *root = custos_manifest__yaml_root(y), *v;
    if (root == NULL)
        return custos_manifest__yerr(y, NULL, "the manifest is empty; start with 'custos: 1', then declare product:, "
                       "categories:, purposes: and subjects: (see docs/manifest.md)");
    uint32_t version;
    if ((c->m = MF_NEW(c, custos_manifest_pb, CUSTOS__V1__MANIFEST__INIT)) == NULL ||
        custos_manifest__ymap(y, root, keys, "the manifest") ||
        (v = custos_manifest__yneed(y, root, "custos", "the manifest", "start the file with 'custos: 1' (the format version)")) == NULL ||
        custos_manifest__yuint(y, v, "custos (the format version)", 1, UINT32_MAX, &version))
        return y->rc;
    if (version != CUSTOS_MANIFEST_FORMAT_VERSION)
        return custos_manifest__yerr(y, v, "custos: %u names a manifest format this build does not know; it reads format %u",
                       version, CUSTOS_MANIFEST_FORMAT_VERSION);
    if ((v = custos_manifest__yneed(y, root, "product", "the manifest", "describe the product and its maker under product:")) == NULL ||
        compile_product(c, v))
        return y->rc;
    c->m->format_version = version;
    if ((v = custos_manifest__yget(y, root, "retired")) != NULL && compile_retired(c, v))
        return y->rc;
    if ((v = custos_manifest__yneed(y, root, "categories", "the manifest", "list the personal data the product handles")) == NULL ||
        custos_manifest__compile_categories(c, v) ||
        (v = custos_manifest__yneed(y, root, "purposes", "the manifest", "list why the product processes that data")) == NULL ||
        custos_manifest__compile_purposes(c, v) ||
        (v = custos_manifest__yneed(y, root, "subjects", "the manifest", "list the people it serves, e.g. [owner, guest]")) == NULL ||
        compile_subjects(c, v))
        return y->rc;
    if ((v = custos_manifest__yget(y, root, "stores")) != NULL && custos_manifest__compile_stores(c, v))
        return y->rc;
    if (c->prev != NULL)
        check_previous(c, root);
    return y->rc;
}

/* After encoding: a changed declaration needs a higher policy version. */
static int check_policy_version(mf_compile *c, const uint8_t id[CUSTOS_HASH_BYTES], const uint8_t prev_id[CUSTOS_HASH_BYTES])
{
    uint32_t now = c->m->product->policy_version, before = c->prev->product->policy_version;
    if (memcmp(id, prev_id, CUSTOS_HASH_BYTES) == 0 || now > before)
        return CUSTOS_OK;
    yaml_node_t *v = custos_manifest__yget(&c->y, custos_manifest__yget(&c->y, custos_manifest__yaml_root(&c->y), "product"), "policy_version");
    return custos_manifest__yerr(&c->y, v, "product.policy_version is %u, but this manifest differs from the previous one "
                   "(policy version %u); raise it to %u", now, before, before + 1);
}

/* Check, sort, verify and encode the compiled tree; then the policy-version rule. */
static int finish(mf_compile *c, uint8_t **file, size_t *file_len, uint8_t id[CUSTOS_HASH_BYTES],
                  const uint8_t prev_id[CUSTOS_HASH_BYTES])
{
    canonical_order(c->m);
    custos_manifest_error serr;
    if (custos_manifest__check_structure(c->m, &serr) != CUSTOS_OK)
        return c->y.rc = custos_manifest__fail(c->y.err, CUSTOS_EINTERNAL, "the compiled manifest failed its own check: %s",
                                 serr.message);
    int rc = custos_manifest__encode(file, file_len, c->m, id);
    if (rc == CUSTOS_ENOMEM)
        return custos_manifest__ynomem(&c->y);
    if (rc == CUSTOS_ERANGE)
        return c->y.rc = custos_manifest__fail(c->y.err, CUSTOS_EMANIFEST, "%s: the compiled manifest would exceed %u bytes",
                                 c->y.file, CUSTOS_MANIFEST_MAX_PAYLOAD);
    if (c->prev != NULL && check_policy_version(c, id, prev_id) != CUSTOS_OK) {
        custos__free(*file);
        *file = NULL;
    }
    return c->y.rc;
}

int custos_manifest__compile_yaml(uint8_t **out, size_t *out_len, uint8_t out_id[CUSTOS_HASH_BYTES], const char *text, size_t len,
                    const char *file, const uint8_t *prev, size_t prev_len, custos_manifest_error *err)
{
    mf_compile c = { .y = { .file = file ? file : "manifest.yaml", .err = err } };
    c.y.arena = &c.arena;
    custos_manifest_pb *previous = NULL;
    uint8_t prev_id[CUSTOS_HASH_BYTES], id[CUSTOS_HASH_BYTES];
    uint8_t *bytes = NULL;
    size_t nbytes = 0;
    if (prev != NULL) {
        custos_manifest_error perr;
        int rc = custos_manifest__decode(prev, prev_len, &previous, prev_id, &perr);
        if (rc != CUSTOS_OK)
            return custos_manifest__fail(err, rc, "the previous manifest: %s", perr.message);
        c.prev = previous;
    }
    if (check_text(&c, text, len) == CUSTOS_OK && custos_manifest__yaml_load(&c.y, text, len) == CUSTOS_OK &&
        compile_root(&c) == CUSTOS_OK && finish(&c, &bytes, &nbytes, id, prev_id) == CUSTOS_OK) {
        if (out_id != NULL)
            memcpy(out_id, id, sizeof id);
        if (out != NULL) {
            *out = bytes;
            *out_len = nbytes;
            bytes = NULL;
        }
    }
    custos__free(bytes);
    custos_manifest__yaml_unload(&c.y);
    custos_manifest__arena_free(&c.arena);
    custos__manifest_free(previous);
    return c.y.rc;
}
