/*
 * screen.c: what a consent screen shows (custos_manifest_consent_screen):
 * every purpose of a compiled manifest with its texts in one language.
 *
 * SCREEN LAYOUT: one allocation, freed with custos_manifest_free
 *
 *   custos_manifest_screen                        the header
 *   custos_manifest_screen_purpose[n_purposes]    in id order
 *   custos_manifest_screen_category[...]          every purpose's, one purpose after another
 *   custos_manifest_screen_recipient[...]         likewise
 *   char[...]                                     every string, NUL-terminated
 *
 * Each section starts on a max_align_t boundary. The block is built in two
 * passes of the same code over the decoded manifest: the first only counts
 * entries and string bytes (its cursors are NULL), the second writes them,
 * so the sizes cannot disagree with what is written.
 */
#include "manifest_private.h"
#include "taxonomy.h"

#include <stdio.h>
#include <string.h>

#define DAY 86400ull

typedef struct screen_block {
    custos_manifest_screen_category *cat;   /* next entry to write; NULL while counting */
    custos_manifest_screen_recipient *rcp;  /* likewise */
    char *str;                              /* likewise */
    size_t n_cat, n_rcp, str_bytes;         /* totals so far */
} screen_block;

static const char *put(screen_block *b, const char *s)
{
    if (s == NULL)
        return NULL;
    size_t n = strlen(s) + 1;
    b->str_bytes += n;
    if (b->str == NULL)
        return NULL;
    char *at = memcpy(b->str, s, n);
    b->str += n;
    return at;
}

static void put_categories(screen_block *b, const custos_manifest_pb *m, const custos_purpose_pb *p,
                           const char *lang, custos_manifest_screen_purpose *o)
{
    o->categories = b->cat;
    o->n_categories = p->n_categories;
    b->n_cat += p->n_categories;
    for (size_t i = 0; i < p->n_categories; i++) {
        /* check.c refuses a manifest whose purpose names an undeclared category */
        const custos_category_pb *c = custos__manifest_category(m, p->categories[i]);
        custos_manifest_screen_category e = { c->id, put(b, c->key), put(b, custos__manifest_text(c->name, c->n_name, lang)) };
        if (b->cat != NULL)
            *b->cat++ = e;
    }
}

static void put_recipients(screen_block *b, const custos_purpose_pb *p, custos_manifest_screen_purpose *o)
{
    o->recipients = b->rcp;
    o->n_recipients = p->n_recipients;
    b->n_rcp += p->n_recipients;
    for (size_t i = 0; i < p->n_recipients; i++) {
        const Custos__V1__Recipient *r = p->recipients[i];
        custos_manifest_screen_recipient e = { put(b, r->name), put(b, r->country), put(b, r->role) };
        if (b->rcp != NULL)
            *b->rcp++ = e;
    }
}

static void put_purpose(screen_block *b, const custos_manifest_pb *m, const custos_purpose_pb *p, const char *lang,
                        custos_manifest_screen_purpose *o)
{
    const custos_tax_value *basis = custos_manifest__tax_by_proto(MF_TAB(legal_bases), (int)p->legal_basis);
    const Custos__V1__Duration *d = p->retention;
    o->id = p->id;
    o->required = p->necessity == CUSTOS__V1__NECESSITY__NECESSITY_REQUIRED;
    o->key = put(b, p->key);
    o->title = put(b, custos__manifest_text(p->name, p->n_name, lang));
    o->description = put(b, custos__manifest_text(p->description, p->n_description, lang));
    o->legal_basis = put(b, basis != NULL ? basis->value : "?"); /* check.c allows only known bases */
    put_categories(b, m, p, lang, o);
    put_recipients(b, p, o);
    o->retention = put(b, d != NULL ? d->iso8601 : NULL);
    o->retention_days = d != NULL && d->has_seconds ? d->seconds / DAY + (d->seconds % DAY != 0) : 0;
    o->retention_until = put(b, d != NULL ? d->until_event : NULL);
}

/* Every purpose through b; out is NULL while counting. */
static void put_screen(screen_block *b, const custos_manifest_pb *m, const char *lang, custos_manifest_screen_purpose *out)
{
    for (size_t i = 0; i < m->n_purposes; i++) {
        custos_manifest_screen_purpose scratch;
        put_purpose(b, m, m->purposes[i], lang, out != NULL ? &out[i] : &scratch);
    }
}

static size_t align_up(size_t n)
{
    size_t a = _Alignof(max_align_t);
    return (n + a - 1) / a * a;
}

static int lang_declared(const custos_manifest_pb *m, const char *lang, custos_manifest_error *err)
{
    const Custos__V1__Product *p = m->product;
    char list[128] = "";
    for (size_t i = 0; i < p->n_languages; i++) {
        if (strcmp(p->languages[i], lang) == 0)
            return CUSTOS_OK;
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", p->languages[i]);
    }
    return custos_manifest__fail(err, CUSTOS_EINVAL, "custos_manifest_consent_screen: language '%.32s' is not among "
                                 "the manifest's languages (%s)", lang, list);
}

/* Count, allocate, write. */
static int build(custos_manifest_screen **out, const custos_manifest_pb *m, const uint8_t id[CUSTOS_HASH_BYTES],
                 const char *lang, custos_manifest_error *err)
{
    screen_block count = { 0 };
    put(&count, lang);
    put_screen(&count, m, lang, NULL);
    size_t at_purposes = align_up(sizeof(custos_manifest_screen));
    size_t at_cat = at_purposes + align_up(m->n_purposes * sizeof(custos_manifest_screen_purpose));
    size_t at_rcp = at_cat + align_up(count.n_cat * sizeof(custos_manifest_screen_category));
    size_t at_str = at_rcp + align_up(count.n_rcp * sizeof(custos_manifest_screen_recipient));
    uint8_t *base = custos__calloc(1, at_str + count.str_bytes);
    if (base == NULL)
        return custos_manifest__fail(err, CUSTOS_ENOMEM, "out of memory while building the consent screen");
    custos_manifest_screen *s = (custos_manifest_screen *)(void *)base;
    custos_manifest_screen_purpose *purposes = (custos_manifest_screen_purpose *)(void *)(base + at_purposes);
    screen_block b = { (custos_manifest_screen_category *)(void *)(base + at_cat),
                       (custos_manifest_screen_recipient *)(void *)(base + at_rcp), (char *)base + at_str, 0, 0, 0 };
    s->lang = put(&b, lang);
    s->policy_version = m->product->policy_version;
    memcpy(s->manifest_id, id, CUSTOS_HASH_BYTES);
    s->purposes = m->n_purposes != 0 ? purposes : NULL;
    s->n_purposes = m->n_purposes;
    put_screen(&b, m, lang, purposes);
    *out = s;
    return CUSTOS_OK;
}

int custos_manifest_consent_screen(custos_manifest_screen **out, const uint8_t *compiled, size_t len,
                                   const char *lang, custos_manifest_error *err)
{
    if (err != NULL)
        memset(err, 0, sizeof *err); /* not secret */
    if (out != NULL)
        *out = NULL;
    if (out == NULL || compiled == NULL)
        return custos_manifest__fail(err, CUSTOS_EINVAL, "custos_manifest_consent_screen: no output or no compiled manifest");
    if (lang == NULL)
        lang = "en";
    custos_manifest_pb *m = NULL;
    uint8_t id[CUSTOS_HASH_BYTES];
    int rc = custos_manifest__decode(compiled, len, &m, id, err);
    if (rc == CUSTOS_OK && (rc = lang_declared(m, lang, err)) == CUSTOS_OK)
        rc = build(out, m, id, lang, err);
    custos__manifest_free(m);
    return rc;
}
