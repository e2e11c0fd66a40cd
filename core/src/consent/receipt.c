/*
 * receipt.c: a subject's consents as an ISO/IEC TS 27560 record in JSON-LD
 * with DPV terms, or as a Kantara Consent Receipt v1.1 JSON, and the
 * verification of either on import.
 *
 * SIGNED RECEIPT LAYOUT (UTF-8 JSON, one object)
 *
 *   { ...the format's own members...,
 *     "custos:events": ["<base64 SignedEvent>", ...],   the subject's ledger events, oldest first
 *     "custos:publicKey": "<base64, 32 bytes>",          the device key that signed everything
 *     "custos:signature": "<base64, 64 bytes>"}\n
 *
 * The signature is Ed25519 by the device key over every byte before
 * `,"custos:signature":"`. Authenticated: the whole receipt except the
 * signature itself, whose bytes are checked by verifying it; the suffix
 * after it must be exactly `"}` and a newline. Each embedded event carries
 * its own device signature (and app signature) and is verified again, and
 * their seq must increase. So any change to any byte is detected.
 */
#include "consent_private.h"
#include "../manifest/manifest_internal.h"
#include "ground/textbuf.h"
#include <custos/manifest.h>
#include "../audit/audit_internal.h"
#include "custos/v1/audit.pb-c.h"

#include <sodium.h>
#include <string.h>
#include <time.h>

#define SIG_NAME ",\"custos:signature\":"
#define KEY_NAME "\"custos:publicKey\":"
#define SIG_MARK SIG_NAME "\""           /* as searched for: name and opening quote */
#define KEY_MARK KEY_NAME "\""
#define EVENTS_MARK "\"custos:events\":["

typedef struct rcpt {
    custos_t *ctx;
    custos__text *b;
    const custos_manifest_pb *m;
    char principal[65];                  /* hex of the subject's keyed hash */
    char manifest[65];                   /* hex of the loaded manifest's id */
    char receipt_id[37];                 /* a fresh UUIDv4: the receipt's own id */
    Custos__V1__SignedEvent **se;
    Custos__V1__ConsentEvent **ev;
    size_t n, cap;
} rcpt;

static void rcpt_free(rcpt *r)
{
    for (size_t i = 0; i < r->n; i++) {
        custos_consent__body_free(r->ev[i]);
        custos_consent__signed_free(r->se[i]);
    }
    custos__free(r->se);
    custos__free(r->ev);
}

static int rcpt_push(rcpt *r, Custos__V1__SignedEvent *se, Custos__V1__ConsentEvent *ev)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        void *a = custos__realloc(r->se, cap * sizeof *r->se), *b = a ? custos__realloc(r->ev, cap * sizeof *r->ev) : NULL;
        if (a != NULL)
            r->se = a;
        if (b == NULL)
            return CUSTOS_ENOMEM;
        r->ev = b;
        r->cap = cap;
    }
    r->se[r->n] = se;
    r->ev[r->n++] = ev;
    return CUSTOS_OK;
}

static int load_events(rcpt *r, const uint8_t hash[32])
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(r->ctx->db, "SELECT signed FROM consent_event WHERE subject_hash = ?1 ORDER BY seq",
                                -1, &st, NULL);
    if (rc != SQLITE_OK)
        return custos__sqlite_fail(r->ctx, rc, "read the consent history");
    sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
    int crc = CUSTOS_OK;
    while (crc == CUSTOS_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        Custos__V1__SignedEvent *se = NULL;
        Custos__V1__ConsentEvent *ev = NULL;
        crc = custos_consent__event_decode(r->ctx, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), &se, &ev);
        if (crc == CUSTOS_OK && rcpt_push(r, se, ev) != CUSTOS_OK)
            crc = custos__fail(r->ctx, CUSTOS_ENOMEM, "out of memory");
        if (crc != CUSTOS_OK) {
            custos_consent__body_free(ev);
            custos_consent__signed_free(se);
        }
    }
    sqlite3_finalize(st);
    if (crc != CUSTOS_OK)
        return crc;
    return rc == SQLITE_DONE ? CUSTOS_OK : custos__sqlite_fail(r->ctx, rc, "read the consent history");
}

/* --- small JSON pieces ------------------------------------------------- */

static void kv(custos__text *b, const char *key, const char *value)
{
    custos__text_json(b, key);
    custos__text_printf(b, ":");
    custos__text_json(b, value != NULL ? value : "");
}

static void iso_time(char out[32], uint64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, 32, "%s", "1970-01-01T00:00:00Z");
}

static void uuid_str(char out[37], const uint8_t id[16])
{
    char hex[33];
    custos_consent__hex(hex, id, 16);
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

/* A random (version 4) UUID. */
static void uuid_v4(const custos_t *ctx, char out[37])
{
    uint8_t id[16];
    custos__random(ctx, id, sizeof id);
    id[6] = (uint8_t)((id[6] & 0x0fu) | 0x40u);
    id[8] = (uint8_t)((id[8] & 0x3fu) | 0x80u);
    uuid_str(out, id);
}

static void b64(custos__text *b, const uint8_t *bin, size_t n)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *s = custos__malloc(cap);
    if (s == NULL) {
        b->failed = 1;
        return;
    }
    sodium_bin2base64(s, cap, bin, n, sodium_base64_VARIANT_ORIGINAL);
    custos__text_printf(b, "\"%s\"", s);
    custos__free(s);
}

static const char *actor_term(int actor)
{
    switch (actor) {
    case CUSTOS_ACTOR_SUBJECT: return "dpv:DataSubject";
    case CUSTOS_ACTOR_GUARDIAN: return "dpv:GuardianOfDataSubject";
    default: return "dpv:DataController";
    }
}

static const char *method_word(int method)
{
    static const char *const words[] = { "unspecified", "companion app", "device button", "voice",
                                         "posted notice", "API", "recorded by the system" };
    return method >= 0 && method <= CUSTOS_METHOD_SYSTEM ? words[method] : "unspecified";
}

static const char *duration_of(const Custos__V1__Duration *d)
{
    if (d == NULL)
        return "dpv:IndeterminateDuration";
    return d->iso8601 != NULL ? d->iso8601 : d->until_event;
}

static const char *location_word(int loc)
{
    static const char *const words[] = { "unspecified", "device", "app", "cloud" };
    return loc >= 0 && loc <= 3 ? words[loc] : "unspecified";
}

/* The purposes the subject has events for, each once, in id order. */
static uint64_t purposes_of(const rcpt *r)
{
    uint64_t set = 0;
    for (size_t i = 0; i < r->n; i++)
        set |= 1ull << r->ev[i]->purpose;
    return set;
}

static const Custos__V1__ConsentEvent *last_event(const rcpt *r, uint32_t purpose)
{
    const Custos__V1__ConsentEvent *last = NULL;
    for (size_t i = 0; i < r->n; i++)
        if (r->ev[i]->purpose == purpose)
            last = r->ev[i];
    return last;
}

/* --- ISO/IEC TS 27560 in JSON-LD ---------------------------------------- */

/* Every term whose value is a DPV concept or a node id is typed @id, so a
 * JSON-LD processor reads an IRI, never a string literal. */
static const char context_27560[] =
    "\"@context\":{\"dpv\":\"https://w3id.org/dpv#\",\"pd\":\"https://w3id.org/dpv/pd#\","
    "\"loc\":\"https://w3id.org/dpv/loc#\",\"dct\":\"http://purl.org/dc/terms/\","
    "\"rdf\":\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\",\"rdfs\":\"http://www.w3.org/2000/01/rdf-schema#\","
    "\"xsd\":\"http://www.w3.org/2001/XMLSchema#\",\"custos\":\"https://w3id.org/custos/ns#\","
    "\"schema_version\":{\"@id\":\"dct:conformsTo\",\"@type\":\"@id\"},"
    "\"receipt_id\":\"dct:identifier\",\"record_id\":\"dct:identifier\","
    "\"created\":{\"@id\":\"dct:created\",\"@type\":\"xsd:dateTime\"},\"records\":\"dpv:hasRecordOfActivity\","
    "\"pii_principal_id\":\"custos:principalId\",\"privacy_notice\":\"dpv:hasNotice\","
    "\"language\":\"dct:language\",\"purpose\":\"custos:purposeKey\","
    "\"purpose_type\":{\"@id\":\"dpv:hasPurpose\",\"@type\":\"@id\"},"
    "\"lawful_basis\":{\"@id\":\"dpv:hasLegalBasis\",\"@type\":\"@id\"},"
    "\"pii_information\":\"dpv:hasPersonalData\",\"pii_type\":\"@type\",\"pii_attribute_id\":\"dct:identifier\","
    "\"pii_controllers\":\"dpv:hasDataController\",\"party_id\":\"dct:identifier\",\"party_name\":\"dpv:hasName\","
    "\"party_address\":\"dpv:hasAddress\",\"party_contact\":\"dpv:hasContact\",\"party_type\":\"@type\","
    "\"storage_locations\":\"dpv:hasStorageCondition\",\"retention_period\":\"dpv:hasStorageCondition\","
    "\"jurisdiction\":\"dpv:hasJurisdiction\",\"recipient_third_parties\":\"dpv:hasRecipient\","
    "\"withdrawal_method\":{\"@id\":\"dpv:hasConsentControl\",\"@type\":\"@id\"},\"events\":\"custos:hasEvent\","
    "\"event_time\":{\"@id\":\"dpv:isIndicatedAtTime\",\"@type\":\"xsd:dateTime\"},"
    "\"validity_duration\":\"dpv:hasDuration\",\"entity_id\":{\"@id\":\"dpv:isIndicatedBy\",\"@type\":\"@id\"},"
    "\"event_type\":\"@type\",\"event_state\":{\"@id\":\"dpv:hasConsentStatus\",\"@type\":\"@id\"},"
    "\"indication_method\":\"dpv:hasIndicationMethod\"}";

/* The schema each record claims (DPV CG guide, vocabularies.md §4); the
 * receipt around them is Custos's layout and names it. */
#define RECORD_SCHEMA "https://w3id.org/dpv/schema/dpv-27560#record"
#define RECEIPT_SCHEMA "https://w3id.org/custos/ns#receipt-iso27560"

/* A duration as a DPV node: temporal (xsd:duration), until an event, or indeterminate. */
static void duration_node(custos__text *b, const Custos__V1__Duration *d)
{
    if (d == NULL || (d->iso8601 == NULL && d->until_event == NULL)) {
        custos__text_printf(b, "{\"@type\":\"dpv:IndeterminateDuration\"}");
    } else if (d->iso8601 != NULL) {
        custos__text_printf(b, "{\"@type\":\"dpv:TemporalDuration\",\"rdf:value\":{\"@type\":\"xsd:duration\",");
        kv(b, "@value", d->iso8601);
        custos__text_printf(b, "}}");
    } else {
        custos__text_printf(b, "{\"@type\":\"dpv:UntilEventDuration\",");
        kv(b, "rdfs:label", d->until_event);
        custos__text_printf(b, "}");
    }
}

static void controller_27560(custos__text *b, const rcpt *r)
{
    const Custos__V1__Party *c = r->m->product->controller;
    char id[128];
    snprintf(id, sizeof id, "urn:custos:manifest:%s#controller-0", r->manifest);
    custos__text_printf(b, "\"pii_controllers\":[{");
    kv(b, "@id", id);
    custos__text_printf(b, ",");
    kv(b, "party_id", id);
    custos__text_printf(b, ",");
    kv(b, "party_name", c->name);
    custos__text_printf(b, ",");
    kv(b, "party_address", c->address);
    custos__text_printf(b, ",");
    kv(b, "party_contact", c->contact);
    custos__text_printf(b, ",\"party_type\":\"dpv:DataController\"}]");
}

static void event_27560(custos__text *b, const Custos__V1__ConsentEvent *ev, const custos_purpose_pb *p)
{
    char t[32];
    iso_time(t, ev->time);
    custos__text_printf(b, "{");
    kv(b, "event_time", t);
    custos__text_printf(b, ",\"validity_duration\":");
    duration_node(b, p != NULL ? p->consent_lifetime : NULL);
    custos__text_printf(b, ",");
    kv(b, "entity_id", actor_term((int)ev->actor));
    custos__text_printf(b, ",");
    kv(b, "event_type", ev->method == CUSTOS__V1__CONSENT_METHOD__METHOD_POSTED_NOTICE ? "dpv:ExpressedConsent"
                                                                                   : "dpv:ExplicitlyExpressedConsent");
    custos__text_printf(b, ",");
    kv(b, "event_state", custos_consent_status_str((custos_consent_status)ev->status));
    custos__text_printf(b, ",");
    kv(b, "indication_method", method_word((int)ev->method));
    custos__text_printf(b, "}");
}

static void pii_27560(custos__text *b, const rcpt *r, const custos_purpose_pb *p)
{
    custos__text_printf(b, "\"pii_information\":[");
    for (size_t i = 0; p != NULL && i < p->n_categories; i++) {
        const custos_category_pb *c = custos__manifest_category(r->m, p->categories[i]);
        custos__text_printf(b, "%s{", i ? "," : "");
        kv(b, "pii_type", c != NULL && c->dpv != NULL ? c->dpv : "dpv:PersonalData");
        custos__text_printf(b, ",");
        kv(b, "pii_attribute_id", c != NULL ? c->key : "");
        custos__text_printf(b, "}");
    }
    custos__text_printf(b, "]");
}

static void storage_27560(custos__text *b, const custos_purpose_pb *p)
{
    custos__text_printf(b, ",\"storage_locations\":[");
    for (size_t i = 0; p != NULL && i < p->n_locations; i++) {
        custos__text_printf(b, "%s{\"@type\":\"dpv:StorageLocation\",", i ? "," : "");
        kv(b, "rdfs:label", location_word(p->locations[i]));
        custos__text_printf(b, "}");
    }
    custos__text_printf(b, "],\"retention_period\":{\"@type\":\"dpv:StorageDuration\",\"dpv:hasDuration\":");
    duration_node(b, p != NULL ? p->retention : NULL);
    custos__text_printf(b, "}");
}

static void lists_27560(custos__text *b, const rcpt *r, const custos_purpose_pb *p)
{
    storage_27560(b, p);
    custos__text_printf(b, ",\"jurisdiction\":[");
    for (size_t i = 0; i < r->m->product->n_jurisdictions; i++) {
        custos__text_printf(b, "%s", i ? "," : "");
        custos__text_json(b, r->m->product->jurisdictions[i]);
    }
    custos__text_printf(b, "],\"recipient_third_parties\":[");
    for (size_t i = 0; p != NULL && i < p->n_recipients; i++) {
        const Custos__V1__Recipient *x = p->recipients[i];
        int processor = x->role != NULL && strcmp(x->role, "processor") == 0;
        char loc[32];
        snprintf(loc, sizeof loc, "loc:%s", x->country);
        custos__text_printf(b, "%s{\"@type\":\"%s\",", i ? "," : "", processor ? "dpv:DataProcessor" : "dpv:ThirdParty");
        kv(b, "party_name", x->name);
        custos__text_printf(b, ",\"dpv:hasCountry\":{");
        kv(b, "@id", loc);
        custos__text_printf(b, "}}");
    }
    custos__text_printf(b, "]");
}

/* The notice the consent was given under: its hash as the node id, or an
 * explicit statement that none was recorded. */
static void notice_27560(custos__text *b, const Custos__V1__ConsentEvent *last)
{
    custos__text_printf(b, "\"privacy_notice\":{\"@type\":\"dpv:ConsentNotice\",");
    if (last->has_notice_hash) {
        char hex[65];
        custos_consent__hex(hex, last->notice_hash.data, 32);
        custos__text_printf(b, "\"@id\":\"urn:blake2b256:%s\",\"custos:noticeHashRecorded\":true}", hex);
    } else {
        custos__text_printf(b, "\"custos:noticeHashRecorded\":false,"
                               "\"rdfs:comment\":\"no notice hash was recorded with this consent\"}");
    }
}

/* The subject: its keyed hash as pii_principal_id (what the fleet server
 * reads) and as a dpv:DataSubject node. */
static void principal_27560(custos__text *b, const rcpt *r)
{
    custos__text_printf(b, "\"pii_principal_id\":\"%s\",\"dpv:hasDataSubject\":"
                           "{\"@id\":\"urn:custos:subject:%s\",\"@type\":\"dpv:DataSubject\"},",
                        r->principal, r->principal);
}

static void events_27560(custos__text *b, const rcpt *r, uint32_t purpose, const custos_purpose_pb *p)
{
    custos__text_printf(b, ",\"events\":[");
    int first = 1;
    for (size_t i = 0; i < r->n; i++) {
        if (r->ev[i]->purpose != purpose)
            continue;
        custos__text_printf(b, "%s", first ? "" : ",");
        event_27560(b, r->ev[i], p);
        first = 0;
    }
    custos__text_printf(b, "]}");
}

static void record_27560(const rcpt *r, uint32_t purpose)
{
    custos__text *b = r->b;
    const custos_purpose_pb *p = custos__manifest_purpose(r->m, purpose);
    const Custos__V1__ConsentEvent *last = last_event(r, purpose);
    char id[37];
    uuid_str(id, last->event_id.data);
    custos__text_printf(b, "{\"@type\":\"dpv:ConsentRecord\",\"schema_version\":\"" RECORD_SCHEMA "\",");
    kv(b, "record_id", id);
    custos__text_printf(b, ",");
    principal_27560(b, r);
    notice_27560(b, last);
    custos__text_printf(b, ",");
    kv(b, "language", last->notice_lang != NULL ? last->notice_lang : "und");
    custos__text_printf(b, ",");
    kv(b, "purpose", p != NULL ? p->key : "withdrawn-from-manifest");
    custos__text_printf(b, ",");
    kv(b, "purpose_type", p != NULL && p->dpv != NULL ? p->dpv : "dpv:Purpose");
    custos__text_printf(b, ",\"lawful_basis\":\"dpv:Consent\",");
    pii_27560(b, r, p);
    custos__text_printf(b, ",");
    controller_27560(b, r);
    lists_27560(b, r, p);
    custos__text_printf(b, ",\"withdrawal_method\":\"dpv:WithdrawConsent\"");
    events_27560(b, r, purpose, p);
}

static void body_27560(const rcpt *r)
{
    char t[32];
    iso_time(t, r->n ? r->ev[r->n - 1]->time : 0);
    custos__text *b = r->b;
    custos__text_printf(b, "{%s,\"@type\":\"dpv:ConsentReceipt\",\"schema_version\":\"" RECEIPT_SCHEMA "\",",
                        context_27560);
    kv(b, "receipt_id", r->receipt_id);
    custos__text_printf(b, ",");
    kv(b, "created", t);
    custos__text_printf(b, ",\"records\":[");
    uint64_t set = purposes_of(r);
    int first = 1;
    for (uint32_t p = 0; p < 64; p++) {
        if (!((set >> p) & 1u))
            continue;
        custos__text_printf(b, "%s", first ? "" : ",");
        record_27560(r, p);
        first = 0;
    }
    custos__text_printf(b, "]");
}

/* --- Kantara Consent Receipt v1.1 ---------------------------------------- */

static int is_email(const char *s) { return strchr(s, '@') != NULL && strchr(s, ':') == NULL; }
static int is_phone(const char *s) { return s[0] == '+'; }
static int is_https(const char *s) { return strncmp(s, "https://", 8) == 0; }

/* The first contact of the controller, then of the privacy contact, that
 * looks like `is` wants, or "" (the manifest has one contact per party). */
static const char *contact_of(const custos_manifest_pb *m, int (*is)(const char *))
{
    const Custos__V1__Party *parties[2] = { m->product->controller, m->product->privacy_contact };
    for (size_t i = 0; i < 2; i++)
        if (parties[i] != NULL && parties[i]->contact != NULL && is(parties[i]->contact))
            return parties[i]->contact;
    return "";
}

static void controller_kantara(custos__text *b, const custos_manifest_pb *m)
{
    const Custos__V1__Party *c = m->product->controller, *dpo = m->product->privacy_contact;
    const char *url = contact_of(m, is_https);
    custos__text_printf(b, "\"piiControllers\":[{");
    kv(b, "piiController", c->name);
    custos__text_printf(b, ",\"onBehalf\":false,");
    kv(b, "contact", dpo != NULL ? dpo->name : c->contact != NULL ? c->contact : c->name);
    custos__text_printf(b, ",\"address\":{");
    kv(b, "streetAddress", c->address);
    custos__text_printf(b, ",");
    kv(b, "addressCountry", c->country);
    custos__text_printf(b, "},");
    kv(b, "email", contact_of(m, is_email));
    custos__text_printf(b, ",");
    kv(b, "phone", contact_of(m, is_phone));
    if (url[0] != '\0') {
        custos__text_printf(b, ",");
        kv(b, "piiControllerUrl", url);
    }
    custos__text_printf(b, "}]");
}

/* Kantara purpose category (vocabularies.md §5.3) by the first segment of
 * the purpose key (fideslang data uses); anything else is a core function. */
static const char *purpose_category(const char *key)
{
    static const struct { const char *prefix, *category; } map[] = {
        { "essential", "1 - Core Function" },          { "functional", "2 - Contracted Service" },
        { "personalize", "5 - Personalized Experience" }, { "marketing", "6 - Marketing" },
        { "advertising", "6 - Marketing" },            { "analytics", "16 - Improve Performance" },
        { "improve", "16 - Improve Performance" },     { "train_ai_system", "16 - Improve Performance" },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        size_t n = strlen(map[i].prefix);
        if (strncmp(key, map[i].prefix, n) == 0 && (key[n] == '\0' || key[n] == '.'))
            return map[i].category;
    }
    return "1 - Core Function";
}

/* The first recipient that is not a processor (the Play CSV's "shared"). */
static const char *third_party(const custos_purpose_pb *p)
{
    for (size_t i = 0; i < p->n_recipients; i++)
        if (p->recipients[i]->role == NULL || strcmp(p->recipients[i]->role, "processor") != 0)
            return p->recipients[i]->name;
    return NULL;
}

static void purpose_kantara(const rcpt *r, const custos_purpose_pb *p, const Custos__V1__ConsentEvent *last)
{
    custos__text *b = r->b;
    char term[96];
    const char *until = duration_of(p->consent_lifetime), *shared = third_party(p);
    snprintf(term, sizeof term, "consent lasts %s; withdraw at any time", until);
    custos__text_printf(b, "{");
    kv(b, "purpose", p->key);
    custos__text_printf(b, ",\"purposeCategory\":[");
    custos__text_json(b, purpose_category(p->key));
    custos__text_printf(b, "],\"consentType\":\"EXPLICIT\",\"piiCategory\":[");
    for (size_t i = 0; i < p->n_categories; i++) {
        const custos_category_pb *c = custos__manifest_category(r->m, p->categories[i]);
        custos__text_printf(b, "%s", i ? "," : "");
        custos__text_json(b, c != NULL ? c->key : "");
    }
    custos__text_printf(b, "],\"primaryPurpose\":%s,",
                  p->necessity == CUSTOS__V1__NECESSITY__NECESSITY_REQUIRED ? "true" : "false");
    kv(b, "termination", term);
    custos__text_printf(b, ",\"thirdPartyDisclosure\":%s", shared != NULL ? "true" : "false");
    if (shared != NULL) {
        custos__text_printf(b, ",");
        kv(b, "thirdPartyName", shared);
    }
    custos__text_printf(b, ",");
    kv(b, "custos:state", custos_consent_status_str((custos_consent_status)last->status));
    custos__text_printf(b, "}");
}

/* The declared purposes whose newest event is valid for processing: the
 * ones a Kantara receipt lists as consented. */
static uint64_t consented_of(const rcpt *r)
{
    uint64_t set = purposes_of(r), out = 0;
    for (uint32_t p = 0; p < 64; p++)
        if (((set >> p) & 1u) && custos__manifest_purpose(r->m, p) != NULL &&
            custos_consent_valid_for_processing((custos_consent_status)last_event(r, p)->status))
            out |= 1ull << p;
    return out;
}

/* The special categories the purposes in set use, each once, as a JSON
 * array of category keys; 1 if there is any. */
static int spi_categories(custos__text *b, const rcpt *r, uint64_t set)
{
    int n = 0;
    custos__text_printf(b, "[");
    for (size_t k = 0; k < r->m->n_categories; k++) {
        const custos_category_pb *c = r->m->categories[k];
        int used = 0;
        for (uint32_t p = 0; c->special && !used && p < 64; p++) {
            const custos_purpose_pb *pp = ((set >> p) & 1u) ? custos__manifest_purpose(r->m, p) : NULL;
            for (size_t i = 0; pp != NULL && i < pp->n_categories; i++)
                used |= pp->categories[i] == c->id;
        }
        if (used) {
            custos__text_printf(b, "%s", n++ ? "," : "");
            custos__text_json(b, c->key);
        }
    }
    custos__text_printf(b, "]");
    return n > 0;
}

static void services_kantara(const rcpt *r, uint64_t set)
{
    custos__text *b = r->b;
    custos__text_printf(b, ",\"services\":[{");
    kv(b, "service", r->m->product->name);
    custos__text_printf(b, ",\"purposes\":[");
    int first = 1;
    for (uint32_t p = 0; p < 64; p++) {
        if (!((set >> p) & 1u))
            continue;
        custos__text_printf(b, "%s", first ? "" : ",");
        purpose_kantara(r, custos__manifest_purpose(r->m, p), last_event(r, p));
        first = 0;
    }
    custos__text_printf(b, "]}]");
}

static void body_kantara(const rcpt *r)
{
    custos__text *b = r->b;
    const Custos__V1__ConsentEvent *newest = r->n ? r->ev[r->n - 1] : NULL;
    const Custos__V1__Party *c = r->m->product->controller;
    char policy[96];
    snprintf(policy, sizeof policy, "urn:custos:manifest:%s", r->manifest);
    custos__text_printf(b, "{\"version\":\"KI-CR-v1.1.0\",");
    kv(b, "jurisdiction", c->country != NULL ? c->country : "");
    custos__text_printf(b, ",\"consentTimestamp\":%llu,", (unsigned long long)(newest ? newest->time : 0));
    kv(b, "collectionMethod", method_word(newest ? (int)newest->method : 0));
    custos__text_printf(b, ",");
    kv(b, "consentReceiptID", r->receipt_id);
    custos__text_printf(b, ",");
    kv(b, "language", newest != NULL && newest->notice_lang != NULL ? newest->notice_lang : "en");
    custos__text_printf(b, ",");
    kv(b, "piiPrincipalId", r->principal);
    custos__text_printf(b, ",");
    controller_kantara(b, r->m);
    custos__text_printf(b, ",");
    kv(b, "policyUrl", policy);
    uint64_t set = consented_of(r);
    services_kantara(r, set);
    custos__text spi = { 0 };
    int sensitive = spi_categories(&spi, r, set);
    custos__text_printf(b, ",\"sensitive\":%s,\"spiCat\":", sensitive ? "true" : "false");
    b->failed |= spi.failed;
    if (spi.data != NULL)
        custos__text_printf(b, "%.*s", (int)spi.len, spi.data);
    custos__text_discard(&spi);
}

/* --- signing and the public calls ---------------------------------------- */

static void proof(const rcpt *r, const uint8_t pk[32])
{
    custos__text *b = r->b;
    custos__text_printf(b, "," EVENTS_MARK);
    for (size_t i = 0; i < r->n; i++) {
        size_t len = custos__v1__signed_event__get_packed_size(r->se[i]);
        uint8_t *buf = custos__malloc(len);
        if (buf == NULL) {
            b->failed = 1;
            return;
        }
        custos__v1__signed_event__pack(r->se[i], buf);
        custos__text_printf(b, "%s", i ? "," : "");
        b64(b, buf, len);
        custos__free(buf);
    }
    custos__text_printf(b, "]," KEY_NAME);
    b64(b, pk, 32);
}

static int sign_receipt(custos_t *ctx, custos__text *b)
{
    uint8_t sig[64];
    if (b->failed)
        return custos__fail(ctx, CUSTOS_ENOMEM, "out of memory");
    int rc = ctx->kp->sign(ctx->kp->state, sig, (const uint8_t *)b->data, b->len);
    if (rc != CUSTOS_OK)
        return custos__fail(ctx, rc, "receipt: the key provider could not sign");
    custos__text_printf(b, SIG_NAME);
    b64(b, sig, 64);
    custos__text_printf(b, "}\n");
    return b->failed ? custos__fail(ctx, CUSTOS_ENOMEM, "out of memory") : CUSTOS_OK;
}

static int receipt_locked(custos_t *ctx, custos__text *b, custos_subject subject, custos_receipt_format format)
{
    uint8_t hash[32], pk[32], mid[32];
    rcpt r = { .ctx = ctx, .b = b, .m = custos__policy_manifest(ctx, mid) };
    if (r.m == NULL)
        return custos__fail(ctx, CUSTOS_ESTATE, "receipt: no manifest is loaded into this store");
    int rc = custos_consent__subject_get(ctx, subject, hash, NULL);
    if (rc == CUSTOS_OK)
        rc = custos_device_public_key(ctx, pk);
    if (rc == CUSTOS_OK)
        rc = load_events(&r, hash);
    if (rc == CUSTOS_OK) {
        custos_consent__hex(r.principal, hash, 32);
        custos_consent__hex(r.manifest, mid, 32);
        uuid_v4(ctx, r.receipt_id);
        if (format == CUSTOS_RECEIPT_KANTARA)
            body_kantara(&r);
        else
            body_27560(&r);
        proof(&r, pk);
        rc = sign_receipt(ctx, b);
    }
    if (rc == CUSTOS_OK) {
        const char *what = format == CUSTOS_RECEIPT_KANTARA ? "consent receipt (Kantara 1.1)"
                                                            : "consent receipt (ISO/IEC TS 27560)";
        rc = custos__audit_append(ctx, CUSTOS__V1__AUDIT_KIND__AUDIT_EXPORT, hash, -1, 0, what);
    }
    rcpt_free(&r);
    return rc;
}

int custos_consent_receipt(custos_t *ctx, char *out, size_t out_size, size_t *out_len, custos_subject subject,
                           custos_receipt_format format)
{
    if (ctx == NULL || out_len == NULL || (out == NULL && out_size != 0))
        return custos__fail(ctx, CUSTOS_EINVAL, "receipt: NULL argument");
    if (format != CUSTOS_RECEIPT_ISO27560_JSONLD && format != CUSTOS_RECEIPT_KANTARA)
        return custos__fail(ctx, CUSTOS_EINVAL, "receipt: unknown format %d", (int)format);
    custos__text b = { 0 };
    int rc = custos__txn_begin(ctx);
    if (rc != CUSTOS_OK)
        return rc;
    rc = custos__txn_end(ctx, receipt_locked(ctx, &b, subject, format));
    char *text = NULL;
    size_t len = 0;
    int frc = custos__text_finish(&b, &text, &len);
    if (rc == CUSTOS_OK && frc != CUSTOS_OK)
        rc = custos__fail(ctx, frc, "out of memory");
    if (rc == CUSTOS_OK) {
        *out_len = len;
        if (len > out_size)
            rc = custos__fail(ctx, CUSTOS_ERANGE, "receipt: %zu bytes needed, the buffer holds %zu", len, out_size);
        else if (len > 0)
            memcpy(out, text, len);
    }
    custos__free(text);
    return rc;
}

/* --- verification ------------------------------------------------------------ */

/* 1 if text[0..len) is exactly the canonical base64 of bin[0..n): a decoder
 * may accept other spellings (unused padding bits, odd characters). */
static int b64_canonical(const char *text, size_t len, const uint8_t *bin, size_t n)
{
    size_t cap = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *again = custos__malloc(cap);
    int ok = again != NULL && cap == len + 1;
    if (ok) {
        sodium_bin2base64(again, cap, bin, n, sodium_base64_VARIANT_ORIGINAL);
        ok = memcmp(again, text, len) == 0;
    }
    custos__free(again);
    return ok;
}

/* Decode the base64 string starting at s (after its opening quote) up to
 * the closing quote; *end points after that quote. */
static int b64_field(const char *s, const char *limit, uint8_t *out, size_t max, size_t *n, const char **end)
{
    const char *q = memchr(s, '"', (size_t)(limit - s));
    if (q == NULL || sodium_base642bin(out, max, s, (size_t)(q - s), NULL, n, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        !b64_canonical(s, (size_t)(q - s), out, *n))
        return CUSTOS_ECORRUPT;
    *end = q + 1;
    return CUSTOS_OK;
}

static const char *find_last(const char *s, size_t len, const char *needle)
{
    size_t nl = strlen(needle);
    for (size_t i = len >= nl ? len - nl + 1 : 0; i-- > 0;)
        if (memcmp(s + i, needle, nl) == 0)
            return s + i;
    return NULL;
}

/* The receipt's own signature and key: the signed prefix is [receipt, *signed_end). */
static int check_signature(const char *s, size_t len, const uint8_t *expect, uint8_t pk[32], size_t *signed_len)
{
    const char *mark = find_last(s, len, SIG_MARK), *end = s + len, *after = NULL;
    const char *key = mark != NULL ? find_last(s, (size_t)(mark - s), KEY_MARK) : NULL;
    uint8_t sig[64];
    size_t n = 0;
    if (key == NULL || b64_field(key + strlen(KEY_MARK), mark, pk, 32, &n, &after) != CUSTOS_OK || n != 32 ||
        after != mark)
        return CUSTOS_ECORRUPT;
    if (b64_field(mark + strlen(SIG_MARK), end, sig, 64, &n, &after) != CUSTOS_OK || n != 64 ||
        (size_t)(end - after) != 2 || memcmp(after, "}\n", 2) != 0)
        return CUSTOS_ECORRUPT;
    if (expect != NULL && sodium_memcmp(expect, pk, 32) != 0)
        return CUSTOS_ESIGNATURE;
    *signed_len = (size_t)(mark - s);
    return crypto_sign_verify_detached(sig, (const uint8_t *)s, *signed_len, pk) == 0 ? CUSTOS_OK : CUSTOS_ESIGNATURE;
}

static int check_event(const uint8_t *blob, size_t n, const uint8_t pk[32], uint64_t *last_seq)
{
    Custos__V1__SignedEvent *se = NULL;
    Custos__V1__ConsentEvent *ev = NULL;
    int rc = custos_consent__event_decode(NULL, blob, n, &se, &ev);
    if (rc == CUSTOS_OK &&
        crypto_sign_verify_detached(se->device_signature.data, se->body.data, se->body.len, pk) != 0)
        rc = CUSTOS_ESIGNATURE;
    if (rc == CUSTOS_OK && se->has_app_signature &&
        crypto_sign_verify_detached(se->app_signature.data, se->app_body.data, se->app_body.len, se->app_key.data) != 0)
        rc = CUSTOS_ESIGNATURE;
    if (rc == CUSTOS_OK && ev->seq <= *last_seq)
        rc = CUSTOS_ECORRUPT;
    if (rc == CUSTOS_OK)
        *last_seq = ev->seq;
    custos_consent__body_free(ev);
    custos_consent__signed_free(se);
    return rc;
}

static int check_events(const char *s, size_t signed_len, const uint8_t pk[32], size_t *count)
{
    const char *p = find_last(s, signed_len, EVENTS_MARK), *end = s + signed_len;
    if (p == NULL)
        return CUSTOS_ECORRUPT;
    p += strlen(EVENTS_MARK);
    uint8_t *blob = custos__malloc(CS_MAX_EVENT);
    if (blob == NULL)
        return CUSTOS_ENOMEM;
    uint64_t last = 0;
    int rc = CUSTOS_OK;
    *count = 0;
    while (rc == CUSTOS_OK && p < end && *p == '"') {
        size_t n = 0;
        rc = b64_field(p + 1, end, blob, CS_MAX_EVENT, &n, &p);
        if (rc == CUSTOS_OK)
            rc = check_event(blob, n, pk, &last);
        *count += rc == CUSTOS_OK;
        if (rc == CUSTOS_OK && p < end && *p == ',')
            p++;
    }
    custos__free(blob);
    if (rc == CUSTOS_OK && (p >= end || *p != ']'))
        rc = CUSTOS_ECORRUPT;
    return rc;
}

int custos_consent_receipt_verify(size_t *out_events, const char *receipt, size_t len, const uint8_t device_pk[32])
{
    if (receipt == NULL || len == 0)
        return custos__fail_noctx(CUSTOS_EINVAL, "custos_consent_receipt_verify: no receipt");
    if (sodium_init() < 0)
        return custos__fail_noctx(CUSTOS_ECRYPTO, "libsodium failed to initialise");
    uint8_t pk[32];
    size_t signed_len = 0, count = 0;
    int rc = check_signature(receipt, len, device_pk, pk, &signed_len);
    if (rc != CUSTOS_OK)
        return custos__fail_noctx(rc, "the receipt's own signature: %s", custos_strerror(rc));
    if ((rc = check_events(receipt, signed_len, pk, &count)) != CUSTOS_OK)
        return custos__fail_noctx(rc, "embedded event %zu: %s", count + 1, custos_strerror(rc));
    if (out_events != NULL)
        *out_events = count;
    return rc;
}
