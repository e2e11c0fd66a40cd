/*
 * vocab.c: the store vocabularies, spelled exactly as the stores spell them
 * (shared/reference/vocabularies.md §6 Apple, §7 Google Play, §8 Android),
 * and the checks that a manifest can be expressed in them.
 *
 * Play types carry their Android app-metadata keys; PSL_ADDRESS is AOSP's
 * personal/physical_address (the Permission module's DataTypeConstants).
 */
#include "disclose_private.h"

#include <string.h>

const dc_play_type custos_disclose__play_types[DC_PLAY_TYPES] = {
    { "PSL_NAME", "PSL_DATA_TYPES_PERSONAL", "Name", "personal", "name" },
    { "PSL_EMAIL", "PSL_DATA_TYPES_PERSONAL", "Email address", "personal", "email_address" },
    { "PSL_USER_ACCOUNT", "PSL_DATA_TYPES_PERSONAL", "User IDs", "personal", "personal_identifiers" },
    { "PSL_ADDRESS", "PSL_DATA_TYPES_PERSONAL", "Address", "personal", "physical_address" },
    { "PSL_PHONE", "PSL_DATA_TYPES_PERSONAL", "Phone number", "personal", "phone_number" },
    { "PSL_RACE_ETHNICITY", "PSL_DATA_TYPES_PERSONAL", "Race and ethnicity", "personal", "race_ethnicity" },
    { "PSL_POLITICAL_RELIGIOUS", "PSL_DATA_TYPES_PERSONAL", "Political or religious beliefs", "personal",
      "political_or_religious_beliefs" },
    { "PSL_SEXUAL_ORIENTATION_GENDER_IDENTITY", "PSL_DATA_TYPES_PERSONAL", "Sexual orientation or gender identity",
      "personal", "sexual_orientation_or_gender_identity" },
    { "PSL_OTHER_PERSONAL", "PSL_DATA_TYPES_PERSONAL", "Other info", "personal", "other" },
    { "PSL_CREDIT_DEBIT_BANK_ACCOUNT_NUMBER", "PSL_DATA_TYPES_FINANCIAL", "User payment info", "financial",
      "card_bank_account" },
    { "PSL_PURCHASE_HISTORY", "PSL_DATA_TYPES_FINANCIAL", "Purchase history", "financial", "purchase_history" },
    { "PSL_CREDIT_SCORE", "PSL_DATA_TYPES_FINANCIAL", "Credit score", "financial", "credit_score" },
    { "PSL_OTHER", "PSL_DATA_TYPES_FINANCIAL", "Other financial info", "financial", "other" },
    { "PSL_APPROX_LOCATION", "PSL_DATA_TYPES_LOCATION", "Approximate location", "location", "approx_location" },
    { "PSL_PRECISE_LOCATION", "PSL_DATA_TYPES_LOCATION", "Precise location", "location", "precise_location" },
    { "PSL_WEB_BROWSING_HISTORY", "PSL_DATA_TYPES_SEARCH_AND_BROWSING", "Web browsing history",
      "search_and_browsing", "web_browsing_history" },
    { "PSL_EMAILS", "PSL_DATA_TYPES_EMAIL_AND_TEXT", "Emails", "email_text_message", "emails" },
    { "PSL_SMS_CALL_LOG", "PSL_DATA_TYPES_EMAIL_AND_TEXT", "SMS or MMS", "email_text_message", "text_messages" },
    { "PSL_OTHER_MESSAGES", "PSL_DATA_TYPES_EMAIL_AND_TEXT", "Other in-app messages", "email_text_message", "other" },
    { "PSL_PHOTOS", "PSL_DATA_TYPES_PHOTOS_AND_VIDEOS", "Photos", "photo_video", "photos" },
    { "PSL_VIDEOS", "PSL_DATA_TYPES_PHOTOS_AND_VIDEOS", "Videos", "photo_video", "videos" },
    { "PSL_AUDIO", "PSL_DATA_TYPES_AUDIO", "Voice or sound recordings", "audio", "sound_recordings" },
    { "PSL_MUSIC", "PSL_DATA_TYPES_AUDIO", "Music files", "audio", "music_files" },
    { "PSL_OTHER_AUDIO", "PSL_DATA_TYPES_AUDIO", "Other audio files", "audio", "other" },
    { "PSL_HEALTH", "PSL_DATA_TYPES_HEALTH_AND_FITNESS", "Health info", "health_fitness", "health" },
    { "PSL_FITNESS", "PSL_DATA_TYPES_HEALTH_AND_FITNESS", "Fitness info", "health_fitness", "fitness" },
    { "PSL_CONTACTS", "PSL_DATA_TYPES_CONTACTS", "Contacts", "contacts", "contacts" },
    { "PSL_CALENDAR", "PSL_DATA_TYPES_CALENDAR", "Calendar events", "calendar", "calendar" },
    { "PSL_CRASH_LOGS", "PSL_DATA_TYPES_APP_PERFORMANCE", "Crash logs", "app_performance", "crash_logs" },
    { "PSL_PERFORMANCE_DIAGNOSTICS", "PSL_DATA_TYPES_APP_PERFORMANCE", "Diagnostics", "app_performance",
      "performance_diagnostics" },
    { "PSL_OTHER_PERFORMANCE", "PSL_DATA_TYPES_APP_PERFORMANCE", "Other app performance data", "app_performance",
      "other" },
    { "PSL_FILES_AND_DOCS", "PSL_DATA_TYPES_FILES_AND_DOCS", "Files and docs", "storage", "files_docs" },
    { "PSL_USER_INTERACTION", "PSL_DATA_TYPES_APP_ACTIVITY", "App interactions", "actions_in_app",
      "user_interaction" },
    { "PSL_IN_APP_SEARCH_HISTORY", "PSL_DATA_TYPES_APP_ACTIVITY", "In-app search history", "actions_in_app",
      "in_app_search_history" },
    { "PSL_APPS_ON_DEVICE", "PSL_DATA_TYPES_APP_ACTIVITY", "Installed apps", "actions_in_app", "installed_apps" },
    { "PSL_USER_GENERATED_CONTENT", "PSL_DATA_TYPES_APP_ACTIVITY", "Other user-generated content", "actions_in_app",
      "user_generated_content" },
    { "PSL_OTHER_APP_ACTIVITY", "PSL_DATA_TYPES_APP_ACTIVITY", "Other actions", "actions_in_app", "other" },
    { "PSL_DEVICE_ID", "PSL_DATA_TYPES_IDENTIFIERS", "Device or other IDs", "identifiers", "other" },
};
const size_t custos_disclose__play_type_count = sizeof custos_disclose__play_types / sizeof custos_disclose__play_types[0];

const dc_play_purpose custos_disclose__play_purposes[] = {
    { "PSL_APP_FUNCTIONALITY", "App functionality", 1 },
    { "PSL_ANALYTICS", "Analytics", 2 },
    { "PSL_DEVELOPER_COMMUNICATIONS", "Developer communications", 3 },
    { "PSL_FRAUD_PREVENTION_SECURITY", "Fraud prevention, security, and compliance", 4 },
    { "PSL_ADVERTISING", "Advertising or marketing", 5 },
    { "PSL_PERSONALIZATION", "Personalization", 6 },
    { "PSL_ACCOUNT_MANAGEMENT", "Account management", 7 },
};
const size_t custos_disclose__play_purpose_count = sizeof custos_disclose__play_purposes / sizeof custos_disclose__play_purposes[0];

static const char *const apple_types[] = {
    "NSPrivacyCollectedDataTypeName", "NSPrivacyCollectedDataTypeEmailAddress",
    "NSPrivacyCollectedDataTypePhoneNumber", "NSPrivacyCollectedDataTypePhysicalAddress",
    "NSPrivacyCollectedDataTypeOtherUserContactInfo", "NSPrivacyCollectedDataTypeHealth",
    "NSPrivacyCollectedDataTypeFitness", "NSPrivacyCollectedDataTypePaymentInfo",
    "NSPrivacyCollectedDataTypeCreditInfo", "NSPrivacyCollectedDataTypeOtherFinancialInfo",
    "NSPrivacyCollectedDataTypePreciseLocation", "NSPrivacyCollectedDataTypeCoarseLocation",
    "NSPrivacyCollectedDataTypeSensitiveInfo", "NSPrivacyCollectedDataTypeContacts",
    "NSPrivacyCollectedDataTypeEmailsOrTextMessages", "NSPrivacyCollectedDataTypePhotosorVideos",
    "NSPrivacyCollectedDataTypeAudioData", "NSPrivacyCollectedDataTypeGameplayContent",
    "NSPrivacyCollectedDataTypeCustomerSupport", "NSPrivacyCollectedDataTypeOtherUserContent",
    "NSPrivacyCollectedDataTypeBrowsingHistory", "NSPrivacyCollectedDataTypeSearchHistory",
    "NSPrivacyCollectedDataTypeUserID", "NSPrivacyCollectedDataTypeDeviceID",
    "NSPrivacyCollectedDataTypePurchaseHistory", "NSPrivacyCollectedDataTypeProductInteraction",
    "NSPrivacyCollectedDataTypeAdvertisingData", "NSPrivacyCollectedDataTypeOtherUsageData",
    "NSPrivacyCollectedDataTypeCrashData", "NSPrivacyCollectedDataTypePerformanceData",
    "NSPrivacyCollectedDataTypeOtherDiagnosticData", "NSPrivacyCollectedDataTypeEnvironmentScanning",
    "NSPrivacyCollectedDataTypeHands", "NSPrivacyCollectedDataTypeHead",
    "NSPrivacyCollectedDataTypeOtherDataTypes",
};

static const char *const apple_purposes[] = {
    "NSPrivacyCollectedDataTypePurposeThirdPartyAdvertising",
    "NSPrivacyCollectedDataTypePurposeDeveloperAdvertising",
    "NSPrivacyCollectedDataTypePurposeAnalytics",
    "NSPrivacyCollectedDataTypePurposeProductPersonalization",
    "NSPrivacyCollectedDataTypePurposeAppFunctionality",
    "NSPrivacyCollectedDataTypePurposeOther",
};

static int in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; s != NULL && i < n; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

int custos_disclose__apple_type_valid(const char *s)
{
    return in_list(s, apple_types, sizeof apple_types / sizeof apple_types[0]);
}

int custos_disclose__apple_purpose_valid(const char *s)
{
    return in_list(s, apple_purposes, sizeof apple_purposes / sizeof apple_purposes[0]);
}

const dc_play_type *custos_disclose__play_type_find(const char *id)
{
    for (size_t i = 0; id != NULL && i < custos_disclose__play_type_count; i++)
        if (strcmp(custos_disclose__play_types[i].id, id) == 0)
            return &custos_disclose__play_types[i];
    return NULL;
}

const dc_play_purpose *custos_disclose__play_purpose_find(const char *id)
{
    for (size_t i = 0; id != NULL && i < custos_disclose__play_purpose_count; i++)
        if (strcmp(custos_disclose__play_purposes[i].id, id) == 0)
            return &custos_disclose__play_purposes[i];
    return NULL;
}

/* The store checks below look only at collected data: what never leaves the
 * user's devices needs no store label, so needs no mapping. */

static int check_apple_purposes(dc_gen *g, const custos_purpose_pb *p)
{
    if (p->n_apple_purposes == 0)
        return custos_disclose__fail(g, CUSTOS_EMANIFEST, "purpose %u '%s' sends data off the device but declares no "
                       "Apple purpose: add apple_purposes (for example NSPrivacyCollectedDataTypePurposeOther)",
                       p->id, p->key);
    for (size_t i = 0; i < p->n_apple_purposes; i++)
        if (!custos_disclose__apple_purpose_valid(p->apple_purposes[i]))
            return custos_disclose__fail(g, CUSTOS_EMANIFEST, "purpose %u '%s': '%s' is not an Apple "
                           "NSPrivacyCollectedDataTypePurposes constant", p->id, p->key, p->apple_purposes[i]);
    return CUSTOS_OK;
}

int custos_disclose__check_apple(dc_gen *g)
{
    const custos_manifest_pb *m = g->m;
    for (size_t i = 0; i < m->n_categories; i++) {
        const custos_category_pb *c = m->categories[i];
        if (!custos_disclose__category_collected(m, c->id))
            continue;
        if (c->apple_type == NULL)
            return custos_disclose__fail(g, CUSTOS_EMANIFEST, "category %u '%s' is sent off the device but has no Apple "
                           "data type: declare apple_type (NSPrivacyCollectedDataTypeOtherDataTypes if no "
                           "other type fits)", c->id, c->key);
        if (!custos_disclose__apple_type_valid(c->apple_type))
            return custos_disclose__fail(g, CUSTOS_EMANIFEST, "category %u '%s': '%s' is not an Apple "
                           "NSPrivacyCollectedDataType constant", c->id, c->key, c->apple_type);
    }
    for (size_t i = 0; i < m->n_purposes; i++) {
        if (!custos_disclose__purpose_collected(m->purposes[i]))
            continue;
        int rc = check_apple_purposes(g, m->purposes[i]);
        if (rc != CUSTOS_OK)
            return rc;
    }
    return CUSTOS_OK;
}

static int check_play_purposes(dc_gen *g, const custos_purpose_pb *p)
{
    if (p->n_play_purposes == 0)
        return custos_disclose__fail(g, CUSTOS_EMANIFEST, "purpose %u '%s' sends data off the device but declares no "
                       "Google Play purpose: add play_purposes (for example PSL_APP_FUNCTIONALITY)",
                       p->id, p->key);
    for (size_t i = 0; i < p->n_play_purposes; i++)
        if (custos_disclose__play_purpose_find(p->play_purposes[i]) == NULL)
            return custos_disclose__fail(g, CUSTOS_EMANIFEST, "purpose %u '%s': '%s' is not a Google Play Data safety "
                           "purpose id", p->id, p->key, p->play_purposes[i]);
    return CUSTOS_OK;
}

int custos_disclose__check_play(dc_gen *g)
{
    const custos_manifest_pb *m = g->m;
    for (size_t i = 0; i < m->n_categories; i++) {
        const custos_category_pb *c = m->categories[i];
        if (!custos_disclose__category_collected(m, c->id))
            continue;
        if (c->play_type == NULL)
            return custos_disclose__fail(g, CUSTOS_EMANIFEST, "category %u '%s' is sent off the device but has no Google "
                           "Play data type: declare play_type (PSL_OTHER_PERSONAL or another PSL_* type)",
                           c->id, c->key);
        if (custos_disclose__play_type_find(c->play_type) == NULL)
            return custos_disclose__fail(g, CUSTOS_EMANIFEST, "category %u '%s': '%s' is not a Google Play Data safety "
                           "data type id", c->id, c->key, c->play_type);
    }
    for (size_t i = 0; i < m->n_purposes; i++) {
        if (!custos_disclose__purpose_collected(m->purposes[i]))
            continue;
        int rc = check_play_purposes(g, m->purposes[i]);
        if (rc != CUSTOS_OK)
            return rc;
    }
    return CUSTOS_OK;
}
