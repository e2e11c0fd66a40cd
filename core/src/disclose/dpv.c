/*
 * dpv.c: the processing as W3C DPV 2.3 JSON-LD.
 *
 * The document carries its own @context (prefixes only), so a JSON-LD
 * processor expands it without fetching anything, and every property is a
 * compact IRI in a declared prefix, so expansion drops nothing. Everything
 * is in the default graph (a top-level @graph beside only @context): the
 * record node (title, manifest id, date), the controller and one
 * dpv:Process per purpose: its purpose class, personal data (with
 * dpv:SpecialCategoryPersonalData when special), legal basis (plus the GDPR
 * article when the manifest names EU-GDPR), necessity, the processing
 * operations (dpv:Collect; dpv:Store when kept; dpv:Share to a third party;
 * dpv:Transfer to a recipient in another country than the controller's),
 * recipients (dpv:DataProcessor or dpv:ThirdParty, with their country from
 * the DPV loc extension), storage conditions (dpv:StorageDuration with its
 * dpv:hasDuration, one dpv:StorageLocation per location), and data subjects.
 * Node ids are URNs under the manifest id, stable across runs.
 */
#include "disclose_private.h"

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
    custos_disclose__json_key(w, "@context");
    custos_disclose__json_obj(w);
    custos_disclose__json_kstr(w, "dpv", "https://w3id.org/dpv#");
    custos_disclose__json_kstr(w, "pd", "https://w3id.org/dpv/pd#");
    custos_disclose__json_kstr(w, "loc", "https://w3id.org/dpv/loc#");
    custos_disclose__json_kstr(w, "eu-gdpr", "https://w3id.org/dpv/legal/eu/gdpr#");
    custos_disclose__json_kstr(w, "dct", "http://purl.org/dc/terms/");
    custos_disclose__json_kstr(w, "rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#");
    custos_disclose__json_kstr(w, "rdfs", "http://www.w3.org/2000/01/rdf-schema#");
    custos_disclose__json_kstr(w, "xsd", "http://www.w3.org/2001/XMLSchema#");
    custos_disclose__json_obj_end(w);
}

static void controller(dc_jw *w, const dc_gen *g)
{
    const Custos__V1__Party *c = g->m->product->controller;
    char id[128];
    node_id(id, sizeof id, g, "controller", 0);
    custos_disclose__json_obj(w);
    custos_disclose__json_kstr(w, "@id", id);
    custos_disclose__json_kstr(w, "@type", "dpv:DataController");
    custos_disclose__json_kstr(w, "dpv:hasName", c->name);
    if (c->address)
        custos_disclose__json_kstr(w, "dpv:hasAddress", c->address);
    if (c->contact)
        custos_disclose__json_kstr(w, "dpv:hasContact", c->contact);
    if (c->country) {
        char loc[32];
        snprintf(loc, sizeof loc, "loc:%s", c->country);
        custos_disclose__json_kid(w, "dpv:hasCountry", loc);
    }
    custos_disclose__json_obj_end(w);
}

static void personal_data(dc_jw *w, const dc_gen *g, const custos_purpose_pb *p)
{
    custos_disclose__json_key(w, "dpv:hasPersonalData");
    custos_disclose__json_arr(w);
    for (size_t i = 0; i < p->n_categories; i++) {
        const custos_category_pb *c = custos__manifest_category(g->m, p->categories[i]);
        if (c == NULL)
            continue;
        char id[128];
        node_id(id, sizeof id, g, "category", c->id);
        custos_disclose__json_obj(w);
        custos_disclose__json_kstr(w, "@id", id);
        custos_disclose__json_key(w, "@type");
        custos_disclose__json_arr(w);
        custos_disclose__json_str(w, c->dpv ? c->dpv : "dpv:PersonalData");
        if (c->has_special && c->special)
            custos_disclose__json_str(w, "dpv:SpecialCategoryPersonalData");
        custos_disclose__json_arr_end(w);
        custos_disclose__json_kstr(w, "rdfs:label", c->key);
        custos_disclose__json_obj_end(w);
    }
    custos_disclose__json_arr_end(w);
}

static void legal_bases(dc_jw *w, const dc_gen *g, const custos_purpose_pb *p)
{
    int gdpr = custos_disclose__has_jurisdiction(g->m, "EU-GDPR");
    custos_disclose__json_key(w, "dpv:hasLegalBasis");
    custos_disclose__json_arr(w);
    custos_disclose__json_obj(w);
    custos_disclose__json_kstr(w, "@id", custos_disclose__basis_dpv(p->legal_basis));
    custos_disclose__json_obj_end(w);
    if (gdpr && p->legal_basis == CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_CONSENT) {
        custos_disclose__json_obj(w);
        custos_disclose__json_kstr(w, "@id", "eu-gdpr:A6-1-a");
        custos_disclose__json_obj_end(w);
    }
    if (gdpr && p->has_special_condition &&
        p->special_condition == CUSTOS__V1__SPECIAL_CATEGORY_CONDITION__SPECIAL_EXPLICIT_CONSENT) {
        custos_disclose__json_obj(w);
        custos_disclose__json_kstr(w, "@id", "eu-gdpr:A9-2-a");
        custos_disclose__json_obj_end(w);
    }
    custos_disclose__json_arr_end(w);
}

static void recipients(dc_jw *w, const dc_gen *g, const custos_purpose_pb *p)
{
    if (p->n_recipients == 0)
        return;
    custos_disclose__json_key(w, "dpv:hasRecipient");
    custos_disclose__json_arr(w);
    for (size_t i = 0; i < p->n_recipients; i++) {
        const Custos__V1__Recipient *r = p->recipients[i];
        char id[160], loc[32];
        snprintf(id, sizeof id, "urn:custos:manifest:%s#purpose-%u-recipient-%zu", g->id_hex, p->id, i + 1);
        snprintf(loc, sizeof loc, "loc:%s", r->country);
        custos_disclose__json_obj(w);
        custos_disclose__json_kstr(w, "@id", id);
        custos_disclose__json_kstr(w, "@type", custos_disclose__recipient_is_processor(r) ? "dpv:DataProcessor" : "dpv:ThirdParty");
        custos_disclose__json_kstr(w, "dpv:hasName", r->name);
        custos_disclose__json_kid(w, "dpv:hasCountry", loc);
        custos_disclose__json_obj_end(w);
    }
    custos_disclose__json_arr_end(w);
}

static void duration(dc_jw *w, const Custos__V1__Duration *d)
{
    custos_disclose__json_key(w, "dpv:hasDuration");
    custos_disclose__json_obj(w);
    if (d->until_event) {
        custos_disclose__json_kstr(w, "@type", "dpv:UntilEventDuration");
        custos_disclose__json_kstr(w, "rdfs:label", d->until_event);
    } else {
        custos_disclose__json_kstr(w, "@type", "dpv:TemporalDuration");
        custos_disclose__json_key(w, "rdf:value");
        custos_disclose__json_obj(w);
        custos_disclose__json_kstr(w, "@value", d->iso8601 ? d->iso8601 : "");
        custos_disclose__json_kstr(w, "@type", "xsd:duration");
        custos_disclose__json_obj_end(w);
    }
    custos_disclose__json_obj_end(w);
}

/* How long and where the data is kept. */
static void storage(dc_jw *w, const custos_purpose_pb *p)
{
    if (p->retention == NULL && p->n_locations == 0)
        return;
    custos_disclose__json_key(w, "dpv:hasStorageCondition");
    custos_disclose__json_arr(w);
    if (p->retention != NULL) {
        custos_disclose__json_obj(w);
        custos_disclose__json_kstr(w, "@type", "dpv:StorageDuration");
        duration(w, p->retention);
        custos_disclose__json_obj_end(w);
    }
    for (size_t i = 0; i < p->n_locations; i++) {
        custos_disclose__json_obj(w);
        custos_disclose__json_kstr(w, "@type", "dpv:StorageLocation");
        custos_disclose__json_kstr(w, "rdfs:label", custos_disclose__location_key(p->locations[i]));
        custos_disclose__json_obj_end(w);
    }
    custos_disclose__json_arr_end(w);
}

/* 1 if a recipient is outside the controller's country. */
static int abroad(const dc_gen *g, const custos_purpose_pb *p)
{
    const char *home = g->m->product->controller->country;
    for (size_t i = 0; i < p->n_recipients; i++)
        if (home == NULL || strcmp(p->recipients[i]->country, home) != 0)
            return 1;
    return 0;
}

static void processing(dc_jw *w, const dc_gen *g, const custos_purpose_pb *p)
{
    custos_disclose__json_key(w, "dpv:hasProcessing");
    custos_disclose__json_arr(w);
    custos_disclose__json_obj(w);
    custos_disclose__json_kstr(w, "@id", "dpv:Collect");
    custos_disclose__json_obj_end(w);
    if (p->retention != NULL || p->n_locations > 0) {
        custos_disclose__json_obj(w);
        custos_disclose__json_kstr(w, "@id", "dpv:Store");
        custos_disclose__json_obj_end(w);
    }
    if (custos_disclose__purpose_shared(p)) {
        custos_disclose__json_obj(w);
        custos_disclose__json_kstr(w, "@id", "dpv:Share");
        custos_disclose__json_obj_end(w);
    }
    if (abroad(g, p)) {
        custos_disclose__json_obj(w);
        custos_disclose__json_kstr(w, "@id", "dpv:Transfer");
        custos_disclose__json_obj_end(w);
    }
    custos_disclose__json_arr_end(w);
}

static void subjects(dc_jw *w, const dc_gen *g)
{
    if (g->m->n_subject_roles == 0)
        return;
    custos_disclose__json_key(w, "dpv:hasDataSubject");
    custos_disclose__json_arr(w);
    for (size_t i = 0; i < g->m->n_subject_roles; i++) {
        custos_disclose__json_obj(w);
        custos_disclose__json_kstr(w, "@type", custos_disclose__role_dpv(g->m->subject_roles[i]));
        custos_disclose__json_kstr(w, "rdfs:label", custos_disclose__role_key(g->m->subject_roles[i]));
        custos_disclose__json_obj_end(w);
    }
    custos_disclose__json_arr_end(w);
}

static void process(dc_jw *w, const dc_gen *g, const custos_purpose_pb *p)
{
    char id[128], ctl[128], pid[140];
    node_id(id, sizeof id, g, "purpose", p->id);
    node_id(ctl, sizeof ctl, g, "controller", 0);
    snprintf(pid, sizeof pid, "%s-purpose", id);
    custos_disclose__json_obj(w);
    custos_disclose__json_kstr(w, "@id", id);
    custos_disclose__json_kstr(w, "@type", "dpv:Process");
    custos_disclose__json_kstr(w, "rdfs:label", custos__manifest_text(p->name, p->n_name, "en"));
    const char *desc = custos__manifest_text(p->description, p->n_description, "en");
    if (desc[0])
        custos_disclose__json_kstr(w, "dct:description", desc);
    custos_disclose__json_kid(w, "dpv:hasDataController", ctl);
    custos_disclose__json_key(w, "dpv:hasPurpose");
    custos_disclose__json_obj(w);
    custos_disclose__json_kstr(w, "@id", pid);
    custos_disclose__json_kstr(w, "@type", p->dpv ? p->dpv : "dpv:Purpose");
    custos_disclose__json_kstr(w, "rdfs:label", p->key);
    custos_disclose__json_obj_end(w);
    personal_data(w, g, p);
    legal_bases(w, g, p);
    custos_disclose__json_kid(w, "dpv:hasNecessity", p->necessity == CUSTOS__V1__NECESSITY__NECESSITY_OPTIONAL
                                      ? "dpv:Optional" : "dpv:Required");
    processing(w, g, p);
    recipients(w, g, p);
    storage(w, p);
    subjects(w, g);
    custos_disclose__json_obj_end(w);
}

int custos_disclose__dpv(dc_gen *g)
{
    dc_jw w = { .b = &g->out };
    char root[128];
    node_id(root, sizeof root, g, NULL, 0);
    custos_disclose__json_obj(&w);
    context(&w);
    /* No @id beside @graph: that would make the graph a named graph, and
     * an RDF reader would see the processes outside the default graph. */
    custos_disclose__json_key(&w, "@graph");
    custos_disclose__json_arr(&w);
    custos_disclose__json_obj(&w);
    custos_disclose__json_kstr(&w, "@id", root);
    custos_disclose__json_kstr(&w, "dct:title", g->m->product->name);
    custos_disclose__json_kstr(&w, "dct:identifier", g->id_hex);
    if (g->date)
        custos_disclose__json_kstr(&w, "dct:created", g->date);
    custos_disclose__json_obj_end(&w);
    controller(&w, g);
    for (size_t i = 0; i < g->m->n_purposes; i++)
        process(&w, g, g->m->purposes[i]);
    custos_disclose__json_arr_end(&w);
    custos_disclose__json_obj_end(&w);
    return CUSTOS_OK;
}
