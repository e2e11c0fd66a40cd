/*
 * dpv.c: the processing as W3C DPV 2.3 JSON-LD.
 *
 * The document carries its own @context (prefixes only), so a JSON-LD
 * processor expands it without fetching anything, and every property is a
 * compact IRI in a declared prefix, so expansion drops nothing. The graph
 * holds the controller and one dpv:Process per purpose: its purpose class,
 * personal data (with dpv:SpecialCategoryPersonalData when special), legal
 * basis (plus the GDPR article when the manifest names EU-GDPR), necessity,
 * recipients (dpv:DataProcessor or dpv:ThirdParty, with their country from
 * the DPV loc extension), retention as a dpv:Duration, and data subjects.
 * Node ids are URNs under the manifest id, stable across runs.
 */
#include "dc.h"

#include <stdio.h>
#include <string.h>

static void node_id(char *out, size_t n, const dc_gen *g, const char *kind, uint32_t id)
{
    if (kind == NULL)
        snprintf(out, n, "urn:custos:manifest:%s", g->id_hex);
    else
        snprintf(out, n, "urn:custos:manifest:%s#%s-%u", g->id_hex, kind, id);
}

static void context(dc_jw *w)
{
    jw_key(w, "@context");
    jw_obj(w);
    jw_kstr(w, "dpv", "https://w3id.org/dpv#");
    jw_kstr(w, "pd", "https://w3id.org/dpv/pd#");
    jw_kstr(w, "loc", "https://w3id.org/dpv/loc#");
    jw_kstr(w, "eu-gdpr", "https://w3id.org/dpv/legal/eu/gdpr#");
    jw_kstr(w, "dct", "http://purl.org/dc/terms/");
    jw_kstr(w, "rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#");
    jw_kstr(w, "rdfs", "http://www.w3.org/2000/01/rdf-schema#");
    jw_kstr(w, "xsd", "http://www.w3.org/2001/XMLSchema#");
    jw_obj_end(w);
}

static void controller(dc_jw *w, const dc_gen *g)
{
    const Custos__V1__Party *c = g->m->product->controller;
    char id[128];
    node_id(id, sizeof id, g, "controller", 0);
    jw_obj(w);
    jw_kstr(w, "@id", id);
    jw_kstr(w, "@type", "dpv:DataController");
    jw_kstr(w, "dpv:hasName", c->name);
    if (c->address)
        jw_kstr(w, "dpv:hasAddress", c->address);
    if (c->contact)
        jw_kstr(w, "dpv:hasContact", c->contact);
    if (c->country) {
        char loc[32];
        snprintf(loc, sizeof loc, "loc:%s", c->country);
        jw_kid(w, "dpv:hasCountry", loc);
    }
    jw_obj_end(w);
}

static void personal_data(dc_jw *w, const dc_gen *g, const custos_purpose_pb *p)
{
    jw_key(w, "dpv:hasPersonalData");
    jw_arr(w);
    for (size_t i = 0; i < p->n_categories; i++) {
        const custos_category_pb *c = custos__manifest_category(g->m, p->categories[i]);
        if (c == NULL)
            continue;
        char id[128];
        node_id(id, sizeof id, g, "category", c->id);
        jw_obj(w);
        jw_kstr(w, "@id", id);
        jw_key(w, "@type");
        jw_arr(w);
        jw_str(w, c->dpv ? c->dpv : "dpv:PersonalData");
        if (c->has_special && c->special)
            jw_str(w, "dpv:SpecialCategoryPersonalData");
        jw_arr_end(w);
        jw_kstr(w, "rdfs:label", c->key);
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

static void legal_bases(dc_jw *w, const dc_gen *g, const custos_purpose_pb *p)
{
    int gdpr = dc_has_jurisdiction(g->m, "EU-GDPR");
    jw_key(w, "dpv:hasLegalBasis");
    jw_arr(w);
    jw_obj(w);
    jw_kstr(w, "@id", dc_basis_dpv(p->legal_basis));
    jw_obj_end(w);
    if (gdpr && p->legal_basis == CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_CONSENT) {
        jw_obj(w);
        jw_kstr(w, "@id", "eu-gdpr:A6-1-a");
        jw_obj_end(w);
    }
    if (gdpr && p->has_special_condition &&
        p->special_condition == CUSTOS__V1__SPECIAL_CATEGORY_CONDITION__SPECIAL_EXPLICIT_CONSENT) {
        jw_obj(w);
        jw_kstr(w, "@id", "eu-gdpr:A9-2-a");
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

static void recipients(dc_jw *w, const dc_gen *g, const custos_purpose_pb *p)
{
    if (p->n_recipients == 0)
        return;
    jw_key(w, "dpv:hasRecipient");
    jw_arr(w);
    for (size_t i = 0; i < p->n_recipients; i++) {
        const Custos__V1__Recipient *r = p->recipients[i];
        char id[160], loc[32];
        snprintf(id, sizeof id, "urn:custos:manifest:%s#purpose-%u-recipient-%zu", g->id_hex, p->id, i + 1);
        snprintf(loc, sizeof loc, "loc:%s", r->country);
        jw_obj(w);
        jw_kstr(w, "@id", id);
        jw_kstr(w, "@type", dc_recipient_is_processor(r) ? "dpv:DataProcessor" : "dpv:ThirdParty");
        jw_kstr(w, "dpv:hasName", r->name);
        jw_kid(w, "dpv:hasCountry", loc);
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

static void duration(dc_jw *w, const Custos__V1__Duration *d)
{
    if (d == NULL)
        return;
    jw_key(w, "dpv:hasDuration");
    jw_obj(w);
    if (d->until_event) {
        jw_kstr(w, "@type", "dpv:UntilEventDuration");
        jw_kstr(w, "rdfs:label", d->until_event);
    } else {
        jw_kstr(w, "@type", "dpv:TemporalDuration");
        jw_key(w, "rdf:value");
        jw_obj(w);
        jw_kstr(w, "@value", d->iso8601 ? d->iso8601 : "");
        jw_kstr(w, "@type", "xsd:duration");
        jw_obj_end(w);
    }
    jw_obj_end(w);
}

static void subjects(dc_jw *w, const dc_gen *g)
{
    if (g->m->n_subject_roles == 0)
        return;
    jw_key(w, "dpv:hasDataSubject");
    jw_arr(w);
    for (size_t i = 0; i < g->m->n_subject_roles; i++) {
        jw_obj(w);
        jw_kstr(w, "@type", dc_role_dpv(g->m->subject_roles[i]));
        jw_kstr(w, "rdfs:label", dc_role_key(g->m->subject_roles[i]));
        jw_obj_end(w);
    }
    jw_arr_end(w);
}

static void process(dc_jw *w, const dc_gen *g, const custos_purpose_pb *p)
{
    char id[128], ctl[128], pid[140];
    node_id(id, sizeof id, g, "purpose", p->id);
    node_id(ctl, sizeof ctl, g, "controller", 0);
    snprintf(pid, sizeof pid, "%s-purpose", id);
    jw_obj(w);
    jw_kstr(w, "@id", id);
    jw_kstr(w, "@type", "dpv:Process");
    jw_kstr(w, "rdfs:label", custos__manifest_text(p->name, p->n_name, "en"));
    const char *desc = custos__manifest_text(p->description, p->n_description, "en");
    if (desc[0])
        jw_kstr(w, "dct:description", desc);
    jw_kid(w, "dpv:hasDataController", ctl);
    jw_key(w, "dpv:hasPurpose");
    jw_obj(w);
    jw_kstr(w, "@id", pid);
    jw_kstr(w, "@type", p->dpv ? p->dpv : "dpv:Purpose");
    jw_kstr(w, "rdfs:label", p->key);
    jw_obj_end(w);
    personal_data(w, g, p);
    legal_bases(w, g, p);
    jw_kid(w, "dpv:hasNecessity", p->necessity == CUSTOS__V1__NECESSITY__NECESSITY_OPTIONAL
                                      ? "dpv:Optional" : "dpv:Required");
    recipients(w, g, p);
    duration(w, p->retention);
    subjects(w, g);
    jw_obj_end(w);
}

int dc_dpv(dc_gen *g)
{
    dc_jw w = { .b = &g->out };
    char root[128];
    node_id(root, sizeof root, g, NULL, 0);
    jw_obj(&w);
    context(&w);
    jw_kstr(&w, "@id", root);
    jw_kstr(&w, "dct:title", g->m->product->name);
    jw_kstr(&w, "dct:identifier", g->id_hex);
    if (g->date)
        jw_kstr(&w, "dct:created", g->date);
    jw_key(&w, "@graph");
    jw_arr(&w);
    controller(&w, g);
    for (size_t i = 0; i < g->m->n_purposes; i++)
        process(&w, g, g->m->purposes[i]);
    jw_arr_end(&w);
    jw_obj_end(&w);
    return CUSTOS_OK;
}
