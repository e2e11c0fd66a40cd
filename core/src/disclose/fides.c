/*
 * fides.c: a fideslang system description (YAML), the shape fides and the
 * fideslang models load: one system with a privacy declaration per purpose.
 *
 * Keys the manifest uses that are not in fideslang's default taxonomy (the
 * Custos IoT extensions, e.g. user.sensor.video) are declared in the same
 * file as data_use / data_category entries with their parent key, so a
 * fideslang consumer can resolve every key. fideslang has no household or
 * child subject: owners, household members and children are "customer",
 * guests "visitor". Scalars are double-quoted (JSON escapes are valid YAML).
 */
#include "disclose_private.h"

#include <sodium.h>
#include <string.h>

/* fideslang's default taxonomy (reference §2.2 and §2.3; 56 uses, 85 categories). */
static const char *const fides_uses[] = {
    "analytics", "analytics.reporting", "analytics.reporting.ad_performance",
    "analytics.reporting.content_performance", "analytics.reporting.campaign_insights",
    "analytics.reporting.system", "analytics.reporting.system.performance", "collect", "employment",
    "employment.recruitment", "essential", "essential.fraud_detection", "essential.legal_obligation",
    "essential.service", "essential.service.authentication", "essential.service.notifications",
    "essential.service.notifications.email", "essential.service.notifications.sms",
    "essential.service.operations", "essential.service.operations.support",
    "essential.service.operations.improve", "essential.service.payment_processing",
    "essential.service.security", "essential.service.upgrades", "finance", "functional", "functional.storage",
    "functional.storage.privacy_preferences", "functional.service", "functional.service.improve", "marketing",
    "marketing.advertising", "marketing.advertising.first_party",
    "marketing.advertising.first_party.contextual", "marketing.advertising.first_party.targeted",
    "marketing.advertising.frequency_capping", "marketing.advertising.negative_targeting",
    "marketing.advertising.profiling", "marketing.advertising.serving", "marketing.advertising.third_party",
    "marketing.advertising.third_party.targeted", "marketing.communications",
    "marketing.communications.email", "marketing.communications.sms", "operations", "personalize",
    "personalize.content", "personalize.content.limited", "personalize.content.profiling",
    "personalize.content.profiled", "personalize.profiling", "personalize.system", "sales",
    "third_party_sharing", "third_party_sharing.legal_obligation", "train_ai_system",
};
static const char *const fides_categories[] = {
    "user", "user.account", "user.account.settings", "user.account.username", "user.authorization",
    "user.authorization.credentials", "user.authorization.biometric", "user.authorization.password",
    "user.behavior", "user.behavior.browsing_history", "user.behavior.media_consumption",
    "user.behavior.purchase_history", "user.behavior.search_history", "user.biometric",
    "user.biometric.fingerprint", "user.biometric.retinal", "user.biometric.voice", "user.biometric.health",
    "user.childrens", "user.contact", "user.contact.address", "user.contact.address.city",
    "user.contact.address.country", "user.contact.address.postal_code", "user.contact.address.state",
    "user.contact.address.street", "user.contact.email", "user.contact.phone_number", "user.contact.url",
    "user.contact.fax_number", "user.contact.organization", "user.content", "user.content.private",
    "user.content.public", "user.content.self_image", "user.demographic", "user.demographic.age_range",
    "user.demographic.date_of_birth", "user.demographic.gender", "user.demographic.language",
    "user.demographic.marital_status", "user.demographic.political_opinion", "user.demographic.profile",
    "user.demographic.race_ethnicity", "user.demographic.religious_belief",
    "user.demographic.sexual_orientation", "user.location", "user.location.imprecise",
    "user.location.precise", "user.device", "user.device.cookie", "user.device.cookie_id",
    "user.device.device_id", "user.device.ip_address", "user.payment", "user.social", "user.unique_id",
    "user.unique_id.pseudonymous", "user.telemetry", "user.user_sensor", "user.sensor", "user.workplace",
    "user.financial", "user.financial.bank_account", "user.financial.credit_card", "user.government_id",
    "user.government_id.birth_certificate", "user.government_id.drivers_license_number",
    "user.government_id.immigration", "user.government_id.national_identification_number",
    "user.government_id.passport_number", "user.government_id.vehicle_registration",
    "user.health_and_medical", "user.health_and_medical.genetic",
    "user.health_and_medical.insurance_beneficiary_id", "user.health_and_medical.record_id", "user.name",
    "user.name.first", "user.name.last", "user.criminal_history", "user.privacy_preferences",
    "user.job_title", "system", "system.authentication", "system.operations",
};

static int in(const char *key, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], key) == 0)
            return 1;
    return 0;
}

static int default_use(const char *k)
{
    return in(k, fides_uses, sizeof fides_uses / sizeof fides_uses[0]);
}

static int default_category(const char *k)
{
    return in(k, fides_categories, sizeof fides_categories / sizeof fides_categories[0]);
}

/* A YAML double-quoted scalar. JSON escaping covers the C0 controls; YAML
 * also breaks lines at NEL, LS and PS (U+0085, U+2028, U+2029), even inside
 * quotes, so those are written as escapes and the value survives a load. */
static void yaml_str(custos__text *b, const char *value)
{
    custos__text t = { 0 };
    custos__text_json(&t, value);
    const char *s = t.data ? t.data : "\"\"";
    for (size_t i = 0; s[i]; i++) {
        const unsigned char *u = (const unsigned char *)s + i;
        if (u[0] == 0xC2 && u[1] == 0x85) {
            custos__text_put(b, "\\u0085");
            i += 1;
        } else if (u[0] == 0xE2 && u[1] == 0x80 && (u[2] == 0xA8 || u[2] == 0xA9)) {
            custos__text_put(b, u[2] == 0xA8 ? "\\u2028" : "\\u2029");
            i += 2;
        } else
            custos__text_putn(b, s + i, 1);
    }
    b->failed |= t.failed;
    custos__text_discard(&t);
}

static void kv(custos__text *b, const char *indent, const char *key, const char *value)
{
    custos__text_printf(b, "%s%s: ", indent, key);
    yaml_str(b, value);
    custos__text_put(b, "\n");
}

/* A FidesKey from a product name: [a-z0-9_] only. Every non-ASCII byte
 * becomes '_', so two names in another script would collide: such a key
 * ends with the first 8 bytes of the name's BLAKE2b in hex. */
static void fides_key(custos__text *b, const char *name)
{
    int ascii = 1;
    custos__text_put(b, "custos_");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        char c = (char)*p;
        ascii &= *p < 0x80;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            c = '_';
        custos__text_putn(b, &c, 1);
    }
    if (!ascii) {
        unsigned char h[crypto_generichash_BYTES_MIN];
        if (crypto_generichash(h, sizeof h, (const unsigned char *)name, strlen(name), NULL, 0) != 0) {
            b->failed = 1;
            return;
        }
        custos__text_put(b, "_");
        for (size_t i = 0; i < 8; i++)
            custos__text_printf(b, "%02x", h[i]);
    }
}

static void parent_of(custos__text *b, const char *key)
{
    const char *dot = strrchr(key, '.');
    if (dot != NULL)
        custos__text_putn(b, key, (size_t)(dot - key));
}

static void taxonomy_entry(custos__text *b, const char *key, const char *name)
{
    custos__text parent = { 0 };
    parent_of(&parent, key);
    kv(b, "  - ", "fides_key", key);
    kv(b, "    ", "name", name[0] ? name : key);
    kv(b, "    ", "parent_key", parent.data ? parent.data : "");
    kv(b, "    ", "organization_fides_key", "default_organization");
    b->failed |= parent.failed;
    custos__text_discard(&parent);
}

static void custom_taxonomy(custos__text *b, const custos_manifest_pb *m)
{
    int any = 0;
    for (size_t i = 0; i < m->n_purposes; i++) {
        const custos_purpose_pb *p = m->purposes[i];
        if (default_use(p->key))
            continue;
        if (!any++)
            custos__text_put(b, "data_use:\n");
        taxonomy_entry(b, p->key, custos__manifest_text(p->name, p->n_name, "en"));
    }
    any = 0;
    for (size_t i = 0; i < m->n_categories; i++) {
        const custos_category_pb *c = m->categories[i];
        if (default_category(c->key))
            continue;
        if (!any++)
            custos__text_put(b, "data_category:\n");
        taxonomy_entry(b, c->key, custos__manifest_text(c->name, c->n_name, "en"));
    }
}

static void subjects(custos__text *b, const custos_manifest_pb *m)
{
    int customer = m->n_subject_roles == 0, visitor = 0;
    for (size_t i = 0; i < m->n_subject_roles; i++) {
        if (m->subject_roles[i] == CUSTOS__V1__SUBJECT_ROLE__SUBJECT_ROLE_GUEST)
            visitor = 1;
        else
            customer = 1;
    }
    custos__text_put(b, "        data_subjects:\n");
    if (customer)
        custos__text_put(b, "          - \"customer\"\n");
    if (visitor)
        custos__text_put(b, "          - \"visitor\"\n");
}

static void retention(custos__text *b, const Custos__V1__Duration *d)
{
    if (d == NULL)
        return;
    custos__text t = { 0 };
    if (d->until_event) {
        custos__text_put(&t, "until ");
        custos__text_put(&t, d->until_event);
    } else if (d->iso8601)
        custos__text_put(&t, d->iso8601);
    kv(b, "        ", "retention_period", t.data ? t.data : "");
    b->failed |= t.failed;
    custos__text_discard(&t);
}

static int uses_special(const custos_manifest_pb *m, const custos_purpose_pb *p)
{
    for (size_t i = 0; i < p->n_categories; i++) {
        const custos_category_pb *c = custos__manifest_category(m, p->categories[i]);
        if (c != NULL && c->has_special && c->special)
            return 1;
    }
    return 0;
}

static void sharing(custos__text *b, const custos_purpose_pb *p)
{
    int shared = custos_disclose__purpose_shared(p);
    custos__text_printf(b, "        data_shared_with_third_parties: %s\n", shared ? "true" : "false");
    if (!shared)
        return;
    custos__text t = { 0 };
    for (size_t i = 0; i < p->n_recipients; i++) {
        if (custos_disclose__recipient_is_processor(p->recipients[i]))
            continue;
        if (t.len > 0)
            custos__text_put(&t, ", ");
        custos__text_printf(&t, "%s (%s)", p->recipients[i]->name, p->recipients[i]->country);
    }
    kv(b, "        ", "third_parties", t.data ? t.data : "");
    b->failed |= t.failed;
    custos__text_discard(&t);
}

static void declaration(const dc_gen *g, custos__text *b, const custos_purpose_pb *p)
{
    const custos_manifest_pb *m = g->m;
    kv(b, "      - ", "name", custos__manifest_text(p->name, p->n_name, "en"));
    kv(b, "        ", "data_use", p->key);
    custos__text_put(b, "        data_categories:\n");
    for (size_t i = 0; i < p->n_categories; i++) {
        const custos_category_pb *c = custos__manifest_category(m, p->categories[i]);
        if (c == NULL)
            continue;
        custos__text_put(b, "          - ");
        custos__text_json(b, c->key);
        custos__text_put(b, "\n");
    }
    subjects(b, m);
    const char *basis = custos_disclose__basis_fides(p->legal_basis);
    if (basis)
        kv(b, "        ", "legal_basis_for_processing", basis);
    custos__text_put(b, "        flexible_legal_basis_for_processing: false\n");
    retention(b, p->retention);
    int special = uses_special(m, p);
    custos__text_printf(b, "        processes_special_category_data: %s\n", special ? "true" : "false");
    const char *cond = p->has_special_condition ? custos_disclose__special_fides(p->special_condition) : NULL;
    if (special && cond)
        kv(b, "        ", "special_category_legal_basis", cond);
    sharing(b, p);
}

static int international(const custos_manifest_pb *m)
{
    const char *home = m->product->controller->country;
    for (size_t i = 0; i < m->n_purposes; i++)
        for (size_t j = 0; j < m->purposes[i]->n_recipients; j++)
            if (home == NULL || strcmp(m->purposes[i]->recipients[j]->country, home) != 0)
                return 1;
    return 0;
}

int custos_disclose__fideslang(dc_gen *g)
{
    const custos_manifest_pb *m = g->m;
    const Custos__V1__Product *pr = m->product;
    custos__text *b = &g->out;
    custos__text key = { 0 };
    fides_key(&key, pr->name);
    custom_taxonomy(b, m);
    custos__text_put(b, "system:\n");
    kv(b, "  - ", "fides_key", key.data ? key.data : "custos_system");
    kv(b, "    ", "name", pr->name);
    custos__text desc = { 0 };
    custos__text_printf(&desc, "%s%s%s: personal data processing declared in Custos manifest %s",
              pr->name, pr->model ? " " : "", pr->model ? pr->model : "", g->id_hex);
    kv(b, "    ", "description", desc.data ? desc.data : "");
    kv(b, "    ", "organization_fides_key", "default_organization");
    kv(b, "    ", "system_type", "Device");
    kv(b, "    ", "legal_name", pr->controller->name);
    if (pr->controller->address)
        kv(b, "    ", "legal_address", pr->controller->address);
    custos__text_put(b, "    responsibility:\n      - \"Controller\"\n");
    if (pr->privacy_contact && pr->privacy_contact->contact)
        kv(b, "    ", "dpo", pr->privacy_contact->contact);
    custos__text_put(b, "    processes_personal_data: true\n");
    custos__text_printf(b, "    does_international_transfers: %s\n", international(m) ? "true" : "false");
    custos__text_put(b, "    privacy_declarations:\n");
    for (size_t i = 0; i < m->n_purposes; i++)
        declaration(g, b, m->purposes[i]);
    b->failed |= key.failed | desc.failed;
    custos__text_discard(&key);
    custos__text_discard(&desc);
    return CUSTOS_OK;
}
