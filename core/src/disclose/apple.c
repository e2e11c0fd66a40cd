/*
 * apple.c: PrivacyInfo.xcprivacy, an XML property list with exactly the four
 * top-level keys Apple defines (reference §6.1), one collected-data-type
 * dictionary per Apple data type with all four of its keys (§6.2), and only
 * the documented type and purpose constants (custos_disclose__check_apple refuses others).
 *
 * Several categories may map to one Apple type: their entries merge (linked
 * or tracking if any of them is; a name, e-mail, phone number, address or
 * user id is linked unless the manifest explicitly says otherwise; the union of their purposes, in Apple's
 * order). Only collected data appears (facts.c). NSPrivacyAccessedAPITypes
 * holds one dictionary per required-reason API category of the manifest's
 * stores.apple.accessed_apis, with its reason codes (the compiler checked
 * both against schemas/taxonomy); the array is empty when none is declared.
 */
#include "disclose_private.h"

#include <string.h>

static const char *const purpose_order[] = {
    "NSPrivacyCollectedDataTypePurposeThirdPartyAdvertising",
    "NSPrivacyCollectedDataTypePurposeDeveloperAdvertising",
    "NSPrivacyCollectedDataTypePurposeAnalytics",
    "NSPrivacyCollectedDataTypePurposeProductPersonalization",
    "NSPrivacyCollectedDataTypePurposeAppFunctionality",
    "NSPrivacyCollectedDataTypePurposeOther",
};
#define N_PURPOSES (sizeof purpose_order / sizeof purpose_order[0])

/* 1 if an earlier collected category already has this Apple type. */
static int seen_before(const custos_manifest_pb *m, size_t upto, const char *type)
{
    for (size_t i = 0; i < upto; i++) {
        const custos_category_pb *c = m->categories[i];
        if (c->apple_type && strcmp(c->apple_type, type) == 0 && custos_disclose__category_collected(m, c->id))
            return 1;
    }
    return 0;
}

/* Types that identify the person by themselves: collected, they are linked
 * to the user's identity (Apple's definition) unless the manifest says
 * linked_to_user: false explicitly, its override for data made unlinkable
 * (for example hashed before it leaves the device). */
static const char *const identifying[] = {
    "NSPrivacyCollectedDataTypeName", "NSPrivacyCollectedDataTypeEmailAddress",
    "NSPrivacyCollectedDataTypePhoneNumber", "NSPrivacyCollectedDataTypePhysicalAddress",
    "NSPrivacyCollectedDataTypeUserID",
};

static int linked(const custos_category_pb *c)
{
    if (c->has_linked_to_user)
        return c->linked_to_user;
    for (size_t i = 0; i < sizeof identifying / sizeof identifying[0]; i++)
        if (strcmp(c->apple_type, identifying[i]) == 0)
            return 1;
    return 0;
}

typedef struct apple_entry {
    int linked, tracking;
    int purposes[N_PURPOSES];
} apple_entry;

static void add_purposes(apple_entry *e, const custos_manifest_pb *m, uint32_t category)
{
    for (size_t i = 0; i < m->n_purposes; i++) {
        const custos_purpose_pb *p = m->purposes[i];
        if (!custos__purpose_uses(p, category) || !custos_disclose__purpose_collected(p))
            continue;
        for (size_t j = 0; j < p->n_apple_purposes; j++)
            for (size_t k = 0; k < N_PURPOSES; k++)
                if (strcmp(p->apple_purposes[j], purpose_order[k]) == 0)
                    e->purposes[k] = 1;
    }
}

static apple_entry merge(const custos_manifest_pb *m, const char *type)
{
    apple_entry e = { 0 };
    for (size_t i = 0; i < m->n_categories; i++) {
        const custos_category_pb *c = m->categories[i];
        if (!c->apple_type || strcmp(c->apple_type, type) != 0 || !custos_disclose__category_collected(m, c->id))
            continue;
        e.linked |= linked(c);
        e.tracking |= c->has_tracking && c->tracking;
        add_purposes(&e, m, c->id);
    }
    return e;
}

static void bool_el(custos__text *b, int v)
{
    custos__text_put(b, v ? "<true/>\n" : "<false/>\n");
}

static void write_entry(custos__text *b, const char *type, const apple_entry *e)
{
    custos__text_put(b, "\t\t<dict>\n\t\t\t<key>NSPrivacyCollectedDataType</key>\n\t\t\t<string>");
    custos_disclose__xml(b, type);
    custos__text_put(b, "</string>\n\t\t\t<key>NSPrivacyCollectedDataTypeLinked</key>\n\t\t\t");
    bool_el(b, e->linked);
    custos__text_put(b, "\t\t\t<key>NSPrivacyCollectedDataTypeTracking</key>\n\t\t\t");
    bool_el(b, e->tracking);
    custos__text_put(b, "\t\t\t<key>NSPrivacyCollectedDataTypePurposes</key>\n\t\t\t<array>\n");
    for (size_t k = 0; k < N_PURPOSES; k++)
        if (e->purposes[k])
            custos__text_printf(b, "\t\t\t\t<string>%s</string>\n", purpose_order[k]);
    custos__text_put(b, "\t\t\t</array>\n\t\t</dict>\n");
}

static void write_accessed_apis(custos__text *b, const Custos__V1__AppleStore *a)
{
    custos__text_put(b, "\t<key>NSPrivacyAccessedAPITypes</key>\n");
    if (a == NULL || a->n_accessed_apis == 0) {
        custos__text_put(b, "\t<array/>\n");
        return;
    }
    custos__text_put(b, "\t<array>\n");
    for (size_t i = 0; i < a->n_accessed_apis; i++) {
        const Custos__V1__AccessedApi *api = a->accessed_apis[i];
        custos__text_put(b, "\t\t<dict>\n\t\t\t<key>NSPrivacyAccessedAPIType</key>\n\t\t\t<string>");
        custos_disclose__xml(b, api->category);
        custos__text_put(b, "</string>\n\t\t\t<key>NSPrivacyAccessedAPITypeReasons</key>\n\t\t\t<array>\n");
        for (size_t k = 0; k < api->n_reasons; k++) {
            custos__text_put(b, "\t\t\t\t<string>");
            custos_disclose__xml(b, api->reasons[k]);
            custos__text_put(b, "</string>\n");
        }
        custos__text_put(b, "\t\t\t</array>\n\t\t</dict>\n");
    }
    custos__text_put(b, "\t</array>\n");
}

int custos_disclose__xcprivacy(dc_gen *g)
{
    int rc = custos_disclose__check_apple(g);
    if (rc != CUSTOS_OK)
        return rc;
    const custos_manifest_pb *m = g->m;
    custos__text *b = &g->out;
    int tracking = 0;
    custos__text entries = { 0 };
    for (size_t i = 0; i < m->n_categories; i++) {
        const custos_category_pb *c = m->categories[i];
        /* custos_disclose__check_apple() has checked that every collected category has an apple_type. */
        if (c->apple_type == NULL || !custos_disclose__category_collected(m, c->id) || seen_before(m, i, c->apple_type))
            continue;
        apple_entry e = merge(m, c->apple_type);
        tracking |= e.tracking;
        write_entry(&entries, c->apple_type, &e);
    }
    custos__text_put(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
              "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
              "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
              "<plist version=\"1.0\">\n<dict>\n\t<key>NSPrivacyTracking</key>\n\t");
    bool_el(b, tracking);
    custos__text_put(b, "\t<key>NSPrivacyTrackingDomains</key>\n\t<array/>\n"
              "\t<key>NSPrivacyCollectedDataTypes</key>\n");
    if (entries.len == 0 && !entries.failed)
        custos__text_put(b, "\t<array/>\n");
    else {
        custos__text_put(b, "\t<array>\n");
        custos__text_put(b, entries.data ? entries.data : "");
        custos__text_put(b, "\t</array>\n");
    }
    b->failed |= entries.failed;
    custos__text_discard(&entries);
    write_accessed_apis(b, m->stores ? m->stores->apple : NULL);
    custos__text_put(b, "</dict>\n</plist>\n");
    return CUSTOS_OK;
}
