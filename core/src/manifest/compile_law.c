/*
 * compile_law.c: the manifest fields a privacy notice legally needs, and the
 * rules that make them required for a jurisdiction.
 *
 *   party       name: and address: as a string or per language; representative:
 *               (APPI Art. 32: 代表者の氏名)
 *   product     eu_representative: (GDPR Art. 27), required under EU-GDPR when the
 *               controller's country is outside the EU; requests: {procedure,
 *               identity_check, fee} (APPI Art. 32(1)(iii), 開示等の請求); security_measures:
 *               (beyond Custos's own). The notice checklists need representative: and
 *               requests: under JP-APPI; the compiler leaves them optional so that a
 *               draft manifest compiles.
 *   category    appi_sensitive: (要配慮個人情報, APPI Art. 2(3)) and appi_identifier:
 *               (個人識別符号, Art. 2(2)), separate from GDPR's special:; the defaults
 *               follow the key (health and medical data is sensitive; biometric data
 *               is an identifier code)
 *   recipient   regime:, measures:, appi_route: (APPI Art. 28), required for a
 *               recipient outside Japan under JP-APPI unless the route is
 *               equivalent_system; gdpr_safeguard: and safeguard_copy: (GDPR Art.
 *               13(1)(f)), required for a recipient outside the EEA under EU-GDPR
 *   purpose     legitimate_interest: (Art. 13(1)(d)), required for a purpose on that
 *               basis under EU-GDPR; automated_decision: (Art. 13(2)(f))
 *
 * Every refusal names the YAML node and says what to add.
 */
#include "compile.h"

#include <string.h>

static int has_jurisdiction(const mf_compile *c, const char *j)
{
    const Custos__V1__Product *p = c->m->product;
    for (size_t i = 0; i < p->n_jurisdictions; i++)
        if (strcmp(p->jurisdictions[i], j) == 0)
            return 1;
    return 0;
}

/* The EU member states, and the EEA (the EU with Iceland, Liechtenstein and Norway). */
static const char eu[] = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK";

static int in_list(const char *list, const char *iso2)
{
    for (const char *s = list; *s; s += s[2] ? 3 : 2)
        if (s[0] == iso2[0] && s[1] == iso2[1])
            return 1;
    return 0;
}

int custos_manifest__in_eu(const char *iso2) { return in_list(eu, iso2); }
int custos_manifest__in_eea(const char *iso2) { return in_list(eu, iso2) || in_list("IS LI NO", iso2); }

/* A text given as a plain string (one text for every language) or as {lang: text}. */
int custos_manifest__compile_text_field(mf_compile *c, yaml_node_t *n, const char *what, char **plain,
                                        Custos__V1__LocalizedText ***out, size_t *count)
{
    if (n->type != YAML_MAPPING_NODE)
        return plain != NULL ? custos_manifest__ystr(&c->y, n, what, plain)
                             : custos_manifest__compile_texts(c, n, what, out, count);
    if (custos_manifest__compile_texts(c, n, what, out, count) != CUSTOS_OK)
        return c->y.rc;
    if (plain != NULL)
        for (size_t i = 0; i < *count; i++)
            if (strcmp((*out)[i]->lang, "en") == 0)
                *plain = (*out)[i]->text;
    return c->y.rc;
}

static int optional_texts(mf_compile *c, yaml_node_t *map, const char *key, const char *what,
                          Custos__V1__LocalizedText ***out, size_t *count)
{
    yaml_node_t *v = custos_manifest__yget(&c->y, map, key);
    return v == NULL ? c->y.rc : custos_manifest__compile_texts(c, v, what, out, count);
}

int custos_manifest__compile_party_law(mf_compile *c, yaml_node_t *n, const char *what, Custos__V1__Party *p)
{
    char label[96];
    snprintf(label, sizeof label, "the representative of %s", what);
    return optional_texts(c, n, "representative", label, &p->representative, &p->n_representative);
}

static int compile_requests(mf_compile *c, yaml_node_t *n, Custos__V1__Product *p)
{
    static const char *const keys[] = { "procedure", "identity_check", "fee", NULL };
    static const char *const hints[] = { "say where and how to send a request",
                                         "say how the requester's identity is checked",
                                         "give the fee, or say there is none" };
    mf_yaml *y = &c->y;
    Custos__V1__RightsRequests *r = MF_NEW(c, Custos__V1__RightsRequests, CUSTOS__V1__RIGHTS_REQUESTS__INIT);
    if (r == NULL || custos_manifest__ymap(y, n, keys, "product.requests") != CUSTOS_OK)
        return y->rc;
    Custos__V1__LocalizedText ***out[] = { &r->procedure, &r->identity_check, &r->fee };
    size_t *cnt[] = { &r->n_procedure, &r->n_identity_check, &r->n_fee };
    for (size_t i = 0; i < 3; i++) {
        char what[64];
        snprintf(what, sizeof what, "product.requests.%s", keys[i]);
        yaml_node_t *v = custos_manifest__yneed(y, n, keys[i], "product.requests", hints[i]);
        if (v == NULL || custos_manifest__compile_texts(c, v, what, out[i], cnt[i]) != CUSTOS_OK)
            return y->rc;
    }
    p->requests = r;
    return y->rc;
}

int custos_manifest__compile_product_law(mf_compile *c, yaml_node_t *n, Custos__V1__Product *p,
                                         int (*party)(mf_compile *, yaml_node_t *, const char *, int, Custos__V1__Party **))
{
    mf_yaml *y = &c->y;
    yaml_node_t *v, *ctl = custos_manifest__yget(y, n, "controller");
    if ((v = custos_manifest__yget(y, n, "eu_representative")) != NULL &&
        party(c, v, "product.eu_representative", 1, &p->eu_representative) != CUSTOS_OK)
        return y->rc;
    if ((v = custos_manifest__yget(y, n, "requests")) != NULL && compile_requests(c, v, p) != CUSTOS_OK)
        return y->rc;
    if (optional_texts(c, n, "security_measures", "product.security_measures", &p->security_measures,
                       &p->n_security_measures) != CUSTOS_OK)
        return y->rc;
    if (has_jurisdiction(c, "EU-GDPR") && !custos_manifest__in_eu(p->controller->country) && p->eu_representative == NULL)
        return custos_manifest__yerr(y, ctl, "the controller is in %s, outside the EU, and the product is sold under "
                                     "EU-GDPR: add product.eu_representative: {name, address, contact, country} "
                                     "(GDPR Art. 27)", p->controller->country);
    return y->rc;
}

static int key_under(const char *key, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(key, prefix, n) == 0 && (key[n] == '\0' || key[n] == '.');
}

int custos_manifest__compile_category_law(mf_compile *c, yaml_node_t *n, custos_category_pb *cat)
{
    mf_yaml *y = &c->y;
    int sensitive = key_under(cat->key, "user.health_and_medical");
    int identifier = key_under(cat->key, "user.biometric") || key_under(cat->key, "user.authorization.biometric");
    yaml_node_t *v;
    if ((v = custos_manifest__yget(y, n, "appi_sensitive")) != NULL &&
        custos_manifest__ybool(y, v, "appi_sensitive", &sensitive) != CUSTOS_OK)
        return y->rc;
    if ((v = custos_manifest__yget(y, n, "appi_identifier")) != NULL &&
        custos_manifest__ybool(y, v, "appi_identifier", &identifier) != CUSTOS_OK)
        return y->rc;
    cat->has_appi_sensitive = cat->appi_sensitive = sensitive != 0;
    cat->has_appi_identifier = cat->appi_identifier = identifier != 0;
    return y->rc;
}

int custos_manifest__compile_recipient_law(mf_compile *c, yaml_node_t *n, Custos__V1__Recipient *r, const char *label)
{
    static const char *const routes[] = { "consent", "equivalent_system" };
    static const char *const safeguards[] = { "adequacy", "bcr", "dpf", "scc" };
    mf_yaml *y = &c->y;
    char what[160];
    size_t k;
    yaml_node_t *v;
    snprintf(what, sizeof what, "the regime of recipient '%.48s' of %s", r->name, label);
    if (optional_texts(c, n, "regime", what, &r->regime, &r->n_regime) != CUSTOS_OK)
        return y->rc;
    snprintf(what, sizeof what, "the measures of recipient '%.48s' of %s", r->name, label);
    if (optional_texts(c, n, "measures", what, &r->measures, &r->n_measures) != CUSTOS_OK)
        return y->rc;
    snprintf(what, sizeof what, "the safeguard copy of recipient '%.48s' of %s", r->name, label);
    if (optional_texts(c, n, "safeguard_copy", what, &r->safeguard_copy, &r->n_safeguard_copy) != CUSTOS_OK)
        return y->rc;
    if ((v = custos_manifest__yget(y, n, "appi_route")) != NULL) {
        if (custos_manifest__ychoose(y, v, "appi_route", routes, 2, sizeof routes[0], &k) != CUSTOS_OK)
            return y->rc;
        r->appi_route = (char *)routes[k];
    }
    if ((v = custos_manifest__yget(y, n, "gdpr_safeguard")) != NULL) {
        if (custos_manifest__ychoose(y, v, "gdpr_safeguard", safeguards, 4, sizeof safeguards[0], &k) != CUSTOS_OK)
            return y->rc;
        r->gdpr_safeguard = (char *)safeguards[k];
    }
    int equivalent = r->appi_route != NULL && strcmp(r->appi_route, "equivalent_system") == 0;
    if (has_jurisdiction(c, "JP-APPI") && strcmp(r->country, "JP") != 0) {
        if (!equivalent && (r->n_regime == 0 || r->n_measures == 0))
            return custos_manifest__yerr(y, n, "recipient '%s' of %s is outside Japan (%s): JP-APPI Art. 28 requires "
                                         "that country's system for protecting personal information and the "
                                         "recipient's measures before consent; add regime: and measures: {en, ja}, "
                                         "or appi_route: equivalent_system", r->name, label, r->country);
        if (equivalent && r->n_measures == 0)
            return custos_manifest__yerr(y, n, "recipient '%s' of %s relies on an equivalent system (基準適合体制): "
                                         "add measures: {en, ja} describing it", r->name, label);
    }
    if (has_jurisdiction(c, "EU-GDPR") && !custos_manifest__in_eea(r->country)) {
        if (r->gdpr_safeguard == NULL)
            return custos_manifest__yerr(y, n, "recipient '%s' of %s is outside the EEA (%s): EU-GDPR Art. 13(1)(f) "
                                         "requires the transfer safeguard; add gdpr_safeguard: adequacy, scc, dpf "
                                         "or bcr", r->name, label, r->country);
        /* adequacy and the DPF (an adequacy decision) need no copy; SCCs and BCRs do (Art. 46, 47). */
        int art46 = strcmp(r->gdpr_safeguard, "scc") == 0 || strcmp(r->gdpr_safeguard, "bcr") == 0;
        if (art46 && r->n_safeguard_copy == 0)
            return custos_manifest__yerr(y, n, "recipient '%s' of %s transfers under %s: add safeguard_copy: {en, ja} "
                                         "saying how to obtain a copy (GDPR Art. 13(1)(f))", r->name, label,
                                         r->gdpr_safeguard);
    }
    return y->rc;
}

int custos_manifest__compile_purpose_law(mf_compile *c, yaml_node_t *n, custos_purpose_pb *p, const char *label)
{
    mf_yaml *y = &c->y;
    char what[160];
    snprintf(what, sizeof what, "the legitimate interest of %s", label);
    if (optional_texts(c, n, "legitimate_interest", what, &p->legitimate_interest, &p->n_legitimate_interest))
        return y->rc;
    snprintf(what, sizeof what, "the automated decision of %s", label);
    if (optional_texts(c, n, "automated_decision", what, &p->automated_decision, &p->n_automated_decision))
        return y->rc;
    if (p->legal_basis == CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_LEGITIMATE_INTEREST && has_jurisdiction(c, "EU-GDPR") &&
        p->n_legitimate_interest == 0)
        return custos_manifest__yerr(y, n, "%s relies on a legitimate interest under EU-GDPR: add legitimate_interest: "
                                     "{en, ja} saying what the interest is (Art. 13(1)(d))", label);
    if (p->legal_basis != CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_LEGITIMATE_INTEREST && p->n_legitimate_interest > 0)
        return custos_manifest__yerr(y, custos_manifest__yget(y, n, "legitimate_interest"),
                                     "%s gives a legitimate_interest but its legal_basis is not legitimate_interest; "
                                     "remove it", label);
    return y->rc;
}
