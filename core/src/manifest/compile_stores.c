/*
 * compile_stores.c: the stores: section, the answers the app-store forms ask
 * for that no category or purpose can give.
 *
 *   stores:
 *     apple:
 *       accessed_apis:                 # required-reason APIs (Apple, ITMS-91053)
 *         - category: NSPrivacyAccessedAPICategoryFileTimestamp
 *           reasons: [C617.1]
 *     play:
 *       encrypted_in_transit: true
 *       account_creation: [PSL_ACM_NONE]
 *       account_creation_other: text   # with PSL_ACM_OTHER
 *       account_deletion_url: https://...   # when accounts can be created
 *       data_deletion_url: https://...
 *       family_policy: false
 *       outside_accounts: [PSL_LOGIN_WITH_OUTSIDE_APP_ID]
 *       outside_account_other: text    # with PSL_OUTSIDE_APP_ACCOUNT_TYPE_OTHER
 *
 * Every constant is checked against schemas/taxonomy (apple_api_categories,
 * apple_api_reasons, play_account_methods, play_outside_accounts); a reason
 * code of another category is refused at its place. Lists are stored sorted.
 */
#include "compile.h"
#include "manifest_private.h"

#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int cmp_api(const void *a, const void *b)
{
    return strcmp((*(Custos__V1__AccessedApi *const *)a)->category, (*(Custos__V1__AccessedApi *const *)b)->category);
}

int custos_manifest__is_https_url(const char *s)
{
    if (strncmp(s, "https://", 8) != 0)
        return 0;
    const char *host = s + 8;
    size_t hl = strcspn(host, "/?#");
    if (hl == 0 || host[0] == '.' || host[0] == '-' || memchr(host, '@', hl) != NULL)
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p == 0x7F || *p >= 0x80 || *p == '"' || *p == '\'' || *p == '<' || *p == '>' ||
            *p == '\\' || *p == '`' || *p == '{' || *p == '}' || *p == '|' || *p == '^')
            return 0;
    return 1;
}

static int compile_url(mf_compile *c, yaml_node_t *n, const char *key, const char *what, char **out)
{
    yaml_node_t *v = custos_manifest__yget(&c->y, n, key);
    if (v == NULL || custos_manifest__ystr(&c->y, v, what, out) != CUSTOS_OK)
        return c->y.rc;
    if (!custos_manifest__is_https_url(*out))
        return custos_manifest__yerr(&c->y, v, "%s '%s' is not an https URL with a host (no spaces, quotes or markup); "
                                     "the stores accept only https links", what, *out);
    return c->y.rc;
}

static int compile_api(mf_compile *c, yaml_node_t *n, Custos__V1__AccessedApi **out)
{
    static const char *const keys[] = { "category", "reasons", NULL };
    mf_yaml *y = &c->y;
    Custos__V1__AccessedApi *a = MF_NEW(c, Custos__V1__AccessedApi, CUSTOS__V1__ACCESSED_API__INIT);
    if (a == NULL)
        return custos_manifest__ynomem(y);
    yaml_node_t *v, *r;
    size_t idx;
    if (custos_manifest__ymap(y, n, keys, "stores.apple.accessed_apis entry") ||
        (v = custos_manifest__yneed(y, n, "category", "stores.apple.accessed_apis entry",
                                    "name the API category, e.g. NSPrivacyAccessedAPICategoryFileTimestamp")) == NULL ||
        custos_manifest__ychoose(y, v, "required-reason API category", MF_TAX(apple_api_categories), &idx) ||
        (r = custos_manifest__yneed(y, n, "reasons", "stores.apple.accessed_apis entry",
                                    "give Apple's approved reason codes, e.g. [C617.1]")) == NULL ||
        custos_manifest__compile_choices(c, r, "reasons", "required-reason code", MF_TAB(apple_api_reasons), 0,
                                         (void **)&a->reasons, &a->n_reasons))
        return y->rc;
    a->category = (char *)custos__tax_apple_api_categories[idx].value;
    for (size_t k = 0; k < a->n_reasons; k++)
        for (size_t t = 0; t < custos__tax_apple_api_reasons_count; t++)
            if (strcmp(custos__tax_apple_api_reasons[t].value, a->reasons[k]) == 0 &&
                strcmp(custos__tax_apple_api_reasons[t].extra, a->category) != 0)
                return custos_manifest__yerr(y, custos_manifest__yitem(y, r, k),
                                             "reason %s belongs to %s, not to %s; give a reason of %s",
                                             a->reasons[k], custos__tax_apple_api_reasons[t].extra, a->category, a->category);
    qsort(a->reasons, a->n_reasons, sizeof a->reasons[0], cmp_str);
    *out = a;
    return y->rc;
}

static int compile_apple(mf_compile *c, yaml_node_t *n, Custos__V1__AppleStore **out)
{
    static const char *const keys[] = { "accessed_apis", NULL };
    mf_yaml *y = &c->y;
    Custos__V1__AppleStore *a = MF_NEW(c, Custos__V1__AppleStore, CUSTOS__V1__APPLE_STORE__INIT);
    yaml_node_t *seq;
    size_t cnt = 0;
    if (a == NULL)
        return custos_manifest__ynomem(y);
    if (custos_manifest__ymap(y, n, keys, "stores.apple") ||
        (seq = custos_manifest__yneed(y, n, "accessed_apis", "stores.apple", "list the required-reason APIs the app calls")) == NULL ||
        custos_manifest__yseq(y, seq, "stores.apple.accessed_apis", &cnt))
        return y->rc;
    if ((a->accessed_apis = custos_manifest__arena_alloc(&c->arena, (cnt ? cnt : 1) * sizeof *a->accessed_apis)) == NULL)
        return custos_manifest__ynomem(y);
    for (size_t i = 0; i < cnt; i++) {
        yaml_node_t *item = custos_manifest__yitem(y, seq, i);
        if (compile_api(c, item, &a->accessed_apis[i]) != CUSTOS_OK)
            return y->rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(a->accessed_apis[j]->category, a->accessed_apis[i]->category) == 0)
                return custos_manifest__yerr(y, item, "%s is declared twice; Apple wants one entry per category with all "
                                             "its reasons", a->accessed_apis[i]->category);
    }
    a->n_accessed_apis = cnt;
    qsort(a->accessed_apis, cnt, sizeof a->accessed_apis[0], cmp_api);
    *out = a;
    return y->rc;
}

static int has(char **list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

/* A free-text answer that must be present exactly when its "other" choice is. */
static int compile_other(mf_compile *c, yaml_node_t *n, const char *key, int wanted, const char *choice, char **out)
{
    yaml_node_t *v = custos_manifest__yget(&c->y, n, key);
    if (wanted && v == NULL)
        return custos_manifest__yerr(&c->y, n, "stores.play lists %s but has no %s: describe it", choice, key);
    if (!wanted && v != NULL)
        return custos_manifest__yerr(&c->y, v, "stores.play.%s is given but %s is not listed; remove it or list %s",
                                     key, choice, choice);
    return v == NULL ? c->y.rc : custos_manifest__ystr(&c->y, v, key, out);
}

static int compile_play_accounts(mf_compile *c, yaml_node_t *n, Custos__V1__PlayStore *p)
{
    mf_yaml *y = &c->y;
    yaml_node_t *v;
    if ((v = custos_manifest__yget(y, n, "account_creation")) != NULL &&
        custos_manifest__compile_choices(c, v, "account_creation", "Play account creation method", MF_TAB(play_account_methods), 0,
                                         (void **)&p->account_creation, &p->n_account_creation))
        return y->rc;
    if (has(p->account_creation, p->n_account_creation, "PSL_ACM_NONE") && p->n_account_creation > 1)
        return custos_manifest__yerr(y, v, "account_creation lists PSL_ACM_NONE with other methods; choose one or the other");
    if (compile_other(c, n, "account_creation_other", has(p->account_creation, p->n_account_creation, "PSL_ACM_OTHER"),
                      "PSL_ACM_OTHER", &p->account_creation_other) ||
        compile_url(c, n, "account_deletion_url", "stores.play.account_deletion_url", &p->account_deletion_url))
        return y->rc;
    if (p->n_account_creation > 0 && !has(p->account_creation, 1, "PSL_ACM_NONE") && p->account_deletion_url == NULL)
        return custos_manifest__yerr(y, n, "stores.play lets users create accounts but has no account_deletion_url: "
                                     "Play requires an https link where they can delete them");
    if ((v = custos_manifest__yget(y, n, "outside_accounts")) != NULL &&
        custos_manifest__compile_choices(c, v, "outside_accounts", "Play outside-account type", MF_TAB(play_outside_accounts), 0,
                                         (void **)&p->outside_accounts, &p->n_outside_accounts))
        return y->rc;
    if (compile_other(c, n, "outside_account_other",
                      has(p->outside_accounts, p->n_outside_accounts, "PSL_OUTSIDE_APP_ACCOUNT_TYPE_OTHER"),
                      "PSL_OUTSIDE_APP_ACCOUNT_TYPE_OTHER", &p->outside_account_other))
        return y->rc;
    if (p->n_account_creation > 0) /* qsort's base must not be NULL, even for 0 items */
        qsort(p->account_creation, p->n_account_creation, sizeof(char *), cmp_str);
    if (p->n_outside_accounts > 0)
        qsort(p->outside_accounts, p->n_outside_accounts, sizeof(char *), cmp_str);
    return y->rc;
}

static int compile_play(mf_compile *c, yaml_node_t *n, Custos__V1__PlayStore **out)
{
    static const char *const keys[] = { "encrypted_in_transit", "account_creation", "account_creation_other",
                                        "account_deletion_url", "data_deletion_url", "family_policy",
                                        "outside_accounts", "outside_account_other", NULL };
    mf_yaml *y = &c->y;
    Custos__V1__PlayStore *p = MF_NEW(c, Custos__V1__PlayStore, CUSTOS__V1__PLAY_STORE__INIT);
    if (p == NULL)
        return custos_manifest__ynomem(y);
    yaml_node_t *v;
    int b;
    if (custos_manifest__ymap(y, n, keys, "stores.play"))
        return y->rc;
    if ((v = custos_manifest__yget(y, n, "encrypted_in_transit")) != NULL) {
        if (custos_manifest__ybool(y, v, "stores.play.encrypted_in_transit", &b))
            return y->rc;
        p->has_encrypted_in_transit = 1, p->encrypted_in_transit = b != 0;
    }
    if ((v = custos_manifest__yget(y, n, "family_policy")) != NULL) {
        if (custos_manifest__ybool(y, v, "stores.play.family_policy", &b))
            return y->rc;
        p->has_family_policy = 1, p->family_policy = b != 0;
    }
    if (compile_play_accounts(c, n, p) ||
        compile_url(c, n, "data_deletion_url", "stores.play.data_deletion_url", &p->data_deletion_url))
        return y->rc;
    *out = p;
    return y->rc;
}

int custos_manifest__compile_stores(mf_compile *c, yaml_node_t *n)
{
    static const char *const keys[] = { "apple", "play", NULL };
    mf_yaml *y = &c->y;
    Custos__V1__Stores *s = MF_NEW(c, Custos__V1__Stores, CUSTOS__V1__STORES__INIT);
    if (s == NULL)
        return custos_manifest__ynomem(y);
    yaml_node_t *v;
    if (custos_manifest__ymap(y, n, keys, "stores"))
        return y->rc;
    if ((v = custos_manifest__yget(y, n, "apple")) != NULL && compile_apple(c, v, &s->apple))
        return y->rc;
    if ((v = custos_manifest__yget(y, n, "play")) != NULL && compile_play(c, v, &s->play))
        return y->rc;
    c->m->stores = s;
    return y->rc;
}
