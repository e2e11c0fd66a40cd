/*
 * play.c: the Google Play Data safety CSV and the Android app-metadata
 * safety labels, both from one per-type summary of the manifest.
 *
 * PLAY CSV (reference §7.4): the whole Play Console template, 783 lines: the
 * header, 22 general rows, 38 type-selection rows and 19 usage rows per
 * type, in the store's own ids (note DATA_USAGE_USER_CONTROL and the two
 * purpose questions have no PSL_ prefix). A selected answer is TRUE. The
 * general answers the categories cannot give (encryption in transit, account
 * creation and deletion, outside accounts, Families policy, deletion URL)
 * come from the manifest's stores.play; when personal data is collected and
 * a required one is missing the form is refused, never written half-filled.
 *
 * ANDROID LABELS (reference §8): the PersistableBundle XML of the
 * app-metadata bundle as Play writes it, top-level version 1 (aslgen's
 * version 2 would require system_app_safety_label and transparency_info,
 * which only system apps have), with safety_labels version 1 holding
 * data_labels {data_collected, data_shared}: per category key, per type key,
 * the integer purposes, the optional flag and ephemeral; then
 * security_labels: is_data_deletable (Custos erases per person, as the CSV
 * answers) and is_data_encrypted (stores.play.encrypted_in_transit, when
 * the manifest gives it).
 */
#include "disclose_private.h"

#include <string.h>

#define N_PP 7 /* Play purposes */
#define STR(buf) ((buf).data ? (buf).data : "")

typedef struct play_usage {
    int selected;        /* collected (leaves the user's devices) */
    int shared;
    int optional;
    int collect_purpose[N_PP];
    int share_purpose[N_PP];
} play_usage;

static void mark_purposes(int *set, const custos_purpose_pb *p)
{
    for (size_t i = 0; i < p->n_play_purposes; i++)
        for (size_t k = 0; k < custos_disclose__play_purpose_count; k++)
            if (strcmp(p->play_purposes[i], custos_disclose__play_purposes[k].id) == 0)
                set[k] = 1;
}

static void usage_of_category(play_usage *u, const custos_manifest_pb *m, const custos_category_pb *c)
{
    u->selected = 1;
    u->shared |= custos_disclose__category_shared(m, c->id);
    for (size_t i = 0; i < m->n_purposes; i++) {
        const custos_purpose_pb *p = m->purposes[i];
        if (!custos__purpose_uses(p, c->id) || !custos_disclose__purpose_collected(p))
            continue;
        mark_purposes(u->collect_purpose, p);
        if (custos_disclose__purpose_shared(p))
            mark_purposes(u->share_purpose, p);
    }
}

/* usage[] has custos_disclose__play_type_count entries, indexed like custos_disclose__play_types. */
static int summarize(dc_gen *g, play_usage *usage)
{
    int rc = custos_disclose__check_play(g);
    if (rc != CUSTOS_OK)
        return rc;
    const custos_manifest_pb *m = g->m;
    for (size_t t = 0; t < custos_disclose__play_type_count; t++) {
        play_usage *u = &usage[t];
        u->optional = 1;
        for (size_t i = 0; i < m->n_categories; i++) {
            const custos_category_pb *c = m->categories[i];
            if (strcmp(c->play_type ? c->play_type : "", custos_disclose__play_types[t].id) != 0 ||
                !custos_disclose__category_collected(m, c->id))
                continue;
            usage_of_category(u, m, c);
            u->optional &= custos_disclose__category_optional(m, c->id);
        }
    }
    return CUSTOS_OK;
}

/* --- CSV --------------------------------------------------------------- */

static void row(custos__text *b, const char *q, const char *r, const char *v, const char *req, const char *label)
{
    custos_disclose__csv(b, q);
    custos__text_put(b, ",");
    custos_disclose__csv(b, r);
    custos__text_put(b, ",");
    custos_disclose__csv(b, v);
    custos__text_put(b, ",");
    custos_disclose__csv(b, req);
    custos__text_put(b, ",");
    custos_disclose__csv(b, label);
    custos__text_put(b, "\r\n");
}

static const char *yes(int v)
{
    return v ? "TRUE" : "";
}

static const char *tf(int v)
{
    return v ? "TRUE" : "FALSE";
}

static int any_selected(const play_usage *usage)
{
    for (size_t t = 0; t < custos_disclose__play_type_count; t++)
        if (usage[t].selected)
            return 1;
    return 0;
}

static const Custos__V1__PlayStore no_play = CUSTOS__V1__PLAY_STORE__INIT;

static const Custos__V1__PlayStore *play_facts(const custos_manifest_pb *m)
{
    return m->stores && m->stores->play ? m->stores->play : &no_play;
}

/* Play refuses an import that leaves a required answer blank: so does Custos,
 * naming the question and the manifest key that answers it. */
static int check_required_answers(dc_gen *g, const play_usage *usage)
{
    const Custos__V1__PlayStore *p = play_facts(g->m);
    if (!any_selected(usage))
        return CUSTOS_OK;
    if (!p->has_encrypted_in_transit)
        return custos_disclose__fail(g, CUSTOS_EMANIFEST, "Play Data safety: PSL_DATA_COLLECTION_ENCRYPTED_IN_TRANSIT "
                       "must be answered when personal data is collected; declare stores.play.encrypted_in_transit");
    if (p->n_account_creation == 0)
        return custos_disclose__fail(g, CUSTOS_EMANIFEST, "Play Data safety: PSL_SUPPORTED_ACCOUNT_CREATION_METHODS "
                       "must be answered when personal data is collected; declare stores.play.account_creation "
                       "(PSL_ACM_NONE if the app creates no accounts)");
    return CUSTOS_OK;
}

static int listed(char **list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

static const char *opt_bool(protobuf_c_boolean has, protobuf_c_boolean v)
{
    return has ? tf(v) : "";
}

static void general_rows(custos__text *b, const custos_manifest_pb *m, const play_usage *usage)
{
    static const char *const acm[] = { "PSL_ACM_USER_ID_PASSWORD", "PSL_ACM_USER_ID_OTHER_AUTH",
        "PSL_ACM_USER_ID_PASSWORD_OTHER_AUTH", "PSL_ACM_OAUTH", "PSL_ACM_OTHER", "PSL_ACM_NONE" };
    static const char *const outside[] = { "PSL_LOGIN_WITH_OUTSIDE_APP_ID",
        "PSL_LOGIN_THROUGH_EMPLOYMENT_OR_ENTERPRISE_ACCOUNT", "PSL_OUTSIDE_APP_ACCOUNT_TYPE_OTHER" };
    const Custos__V1__PlayStore *p = play_facts(m);
    int collects = any_selected(usage);
    row(b, "PSL_DATA_COLLECTION_COLLECTS_PERSONAL_DATA", "", tf(collects), "REQUIRED",
        "Does your app collect or share any of the required user data types?");
    row(b, "PSL_DATA_COLLECTION_ENCRYPTED_IN_TRANSIT", "", collects ? opt_bool(p->has_encrypted_in_transit, p->encrypted_in_transit) : "",
        "MAYBE_REQUIRED", "Is all of the user data collected by your app encrypted in transit?");
    for (size_t i = 0; i < sizeof acm / sizeof acm[0]; i++)
        row(b, "PSL_SUPPORTED_ACCOUNT_CREATION_METHODS", acm[i],
            collects ? yes(listed(p->account_creation, p->n_account_creation, acm[i])) : "", "MULTIPLE_CHOICE",
            "Which of the following methods of account creation does your app support?");
    row(b, "PSL_ACM_SPECIFY", "", p->account_creation_other ? p->account_creation_other : "", "MAYBE_REQUIRED",
        "Other account creation method");
    row(b, "PSL_ACCOUNT_DELETION_URL", "", p->account_deletion_url ? p->account_deletion_url : "", "MAYBE_REQUIRED",
        "Account deletion URL");
    /* Custos erases one person's data on request (custos erase), so users can ask. */
    row(b, "PSL_SUPPORT_DATA_DELETION_BY_USER", "DATA_DELETION_YES", "TRUE", "SINGLE_CHOICE",
        "Do you provide a way for users to request that some or all of their data is deleted?");
    row(b, "PSL_SUPPORT_DATA_DELETION_BY_USER", "DATA_DELETION_NO", "", "SINGLE_CHOICE",
        "Do you provide a way for users to request that some or all of their data is deleted?");
    row(b, "PSL_SUPPORT_DATA_DELETION_BY_USER", "DATA_DELETION_NO_AUTO_DELETED", "", "SINGLE_CHOICE",
        "Do you provide a way for users to request that some or all of their data is deleted?");
    row(b, "PSL_DATA_DELETION_URL", "", p->data_deletion_url ? p->data_deletion_url : "", "MAYBE_REQUIRED",
        "Data deletion URL");
    row(b, "PSL_DATA_COLLECTION_COMPLIES_FAMILY_POLICY", "", opt_bool(p->has_family_policy, p->family_policy), "OPTIONAL",
        "Do you comply with the Families policy?");
    row(b, "PSL_INDEPENDENTLY_VALIDATED", "", "", "OPTIONAL",
        "Has your app been independently validated against a global security standard?");
    row(b, "PSL_UPI_BADGE_OPT_IN", "", "", "OPTIONAL", "UPI badge");
    row(b, "PSL_HAS_OUTSIDE_APP_ACCOUNTS", "", m->stores && m->stores->play ? tf(p->n_outside_accounts > 0) : "", "OPTIONAL",
        "Can users log in to your app with accounts created outside of the app?");
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++)
        row(b, "PSL_OUTSIDE_APP_ACCOUNT_TYPES", outside[i], yes(listed(p->outside_accounts, p->n_outside_accounts, outside[i])),
            "MULTIPLE_CHOICE", "Which types of outside accounts can users log in with?");
    row(b, "PSL_OUTSIDE_APP_ACCOUNT_TYPE_SPECIFY", "", p->outside_account_other ? p->outside_account_other : "",
        "MAYBE_REQUIRED", "Other outside account type");
}

static void usage_rows(custos__text *b, const dc_play_type *t, const play_usage *u)
{
    custos__text q = { 0 }, label = { 0 };
    const char *qs = "PSL_DATA_USAGE_RESPONSES:";
#define QUESTION(suffix, text)                                              \
    do {                                                                    \
        q.len = 0; label.len = 0;                                           \
        custos__text_printf(&q, "%s%s:%s", qs, t->id, suffix);                        \
        custos__text_printf(&label, "%s: %s", t->label, text);                        \
    } while (0)
    QUESTION("PSL_DATA_USAGE_COLLECTION_AND_SHARING", "Is this data collected, shared, or both?");
    row(b, STR(q), "PSL_DATA_USAGE_ONLY_COLLECTED", yes(u->selected), "MULTIPLE_CHOICE", STR(label));
    row(b, STR(q), "PSL_DATA_USAGE_ONLY_SHARED", yes(u->shared), "MULTIPLE_CHOICE", STR(label));
    QUESTION("PSL_DATA_USAGE_EPHEMERAL", "Is this data processed ephemerally?");
    row(b, STR(q), "", u->selected ? "FALSE" : "", "MAYBE_REQUIRED", STR(label));
    QUESTION("DATA_USAGE_USER_CONTROL", "Is this data required for your app, or can users choose whether it's collected?");
    row(b, STR(q), "PSL_DATA_USAGE_USER_CONTROL_OPTIONAL", yes(u->selected && u->optional), "SINGLE_CHOICE", STR(label));
    row(b, STR(q), "PSL_DATA_USAGE_USER_CONTROL_REQUIRED", yes(u->selected && !u->optional), "SINGLE_CHOICE", STR(label));
    QUESTION("DATA_USAGE_COLLECTION_PURPOSE", "Why is this user data collected?");
    for (size_t k = 0; k < custos_disclose__play_purpose_count; k++)
        row(b, STR(q), custos_disclose__play_purposes[k].id, yes(u->collect_purpose[k]), "MULTIPLE_CHOICE", STR(label));
    QUESTION("DATA_USAGE_SHARING_PURPOSE", "Why is this user data shared?");
    for (size_t k = 0; k < custos_disclose__play_purpose_count; k++)
        row(b, STR(q), custos_disclose__play_purposes[k].id, yes(u->share_purpose[k]), "MULTIPLE_CHOICE", STR(label));
#undef QUESTION
    b->failed |= q.failed | label.failed;
    custos__text_discard(&q);
    custos__text_discard(&label);
}

int custos_disclose__play_csv(dc_gen *g)
{
    play_usage usage[DC_PLAY_TYPES] = { { 0 } };
    int rc = summarize(g, usage);
    if (rc == CUSTOS_OK)
        rc = check_required_answers(g, usage);
    if (rc != CUSTOS_OK)
        return rc;
    custos__text *b = &g->out;
    custos__text_put(b, "Question ID (machine readable),Response ID (machine readable),Response value,"
              "Answer requirement,Human-friendly question label\r\n");
    general_rows(b, g->m, usage);
    for (size_t t = 0; t < custos_disclose__play_type_count; t++)
        row(b, custos_disclose__play_types[t].category, custos_disclose__play_types[t].id, yes(usage[t].selected), "MULTIPLE_CHOICE",
            custos_disclose__play_types[t].label);
    for (size_t t = 0; t < custos_disclose__play_type_count; t++)
        usage_rows(b, &custos_disclose__play_types[t], &usage[t]);
    return CUSTOS_OK;
}

/* --- Android app-metadata ---------------------------------------------- */

/* Merge every Play type that maps to this Android (category, type) pair. */
static play_usage android_usage(const play_usage *usage, const char *cat, const char *type)
{
    play_usage a = { 0 };
    a.optional = 1;
    for (size_t t = 0; t < custos_disclose__play_type_count; t++) {
        if (!usage[t].selected || strcmp(custos_disclose__play_types[t].android_category, cat) != 0 ||
            strcmp(custos_disclose__play_types[t].android_type, type) != 0)
            continue;
        a.selected = 1;
        a.shared |= usage[t].shared;
        a.optional &= usage[t].optional;
        for (size_t k = 0; k < N_PP; k++) {
            a.collect_purpose[k] |= usage[t].collect_purpose[k];
            a.share_purpose[k] |= usage[t].share_purpose[k];
        }
    }
    return a;
}

/* 1 if an earlier Play type has the same Android (category[, type]). */
static int android_seen(size_t t, int with_type)
{
    for (size_t i = 0; i < t; i++)
        if (strcmp(custos_disclose__play_types[i].android_category, custos_disclose__play_types[t].android_category) == 0 &&
            (!with_type || strcmp(custos_disclose__play_types[i].android_type, custos_disclose__play_types[t].android_type) == 0))
            return 1;
    return 0;
}

static void int_array(custos__text *b, const char *indent, const int *set)
{
    int n = 0;
    for (size_t k = 0; k < N_PP; k++)
        n += set[k];
    custos__text_printf(b, "%s<int-array name=\"purposes\" num=\"%d\">\n", indent, n);
    for (size_t k = 0; k < N_PP; k++)
        if (set[k])
            custos__text_printf(b, "%s    <item value=\"%d\" />\n", indent, custos_disclose__play_purposes[k].android);
    custos__text_printf(b, "%s</int-array>\n", indent);
}

static void android_type(custos__text *b, const char *type, const play_usage *a, int shared)
{
    const char *in = "                        ";
    custos__text_printf(b, "                    <pbundle_as_map name=\"%s\">\n", type);
    int_array(b, in, shared ? a->share_purpose : a->collect_purpose);
    custos__text_printf(b, "%s<boolean name=\"%s\" value=\"%s\" />\n", in,
              shared ? "is_sharing_optional" : "is_collection_optional", a->optional ? "true" : "false");
    custos__text_printf(b, "%s<boolean name=\"ephemeral\" value=\"false\" />\n", in);
    custos__text_put(b, "                    </pbundle_as_map>\n");
}

/* One data_collected or data_shared map: categories, then their types. */
static void android_section(custos__text *b, const play_usage *usage, int shared)
{
    custos__text_printf(b, "            <pbundle_as_map name=\"%s\">\n", shared ? "data_shared" : "data_collected");
    for (size_t t = 0; t < custos_disclose__play_type_count; t++) {
        const char *cat = custos_disclose__play_types[t].android_category;
        if (android_seen(t, 0))
            continue;
        int opened = 0;
        for (size_t u = t; u < custos_disclose__play_type_count; u++) {
            if (strcmp(custos_disclose__play_types[u].android_category, cat) != 0 || android_seen(u, 1))
                continue;
            play_usage a = android_usage(usage, cat, custos_disclose__play_types[u].android_type);
            if (!a.selected || (shared && !a.shared))
                continue;
            if (!opened)
                custos__text_printf(b, "                <pbundle_as_map name=\"%s\">\n", cat);
            opened = 1;
            android_type(b, custos_disclose__play_types[u].android_type, &a, shared);
        }
        if (opened)
            custos__text_put(b, "                </pbundle_as_map>\n");
    }
    custos__text_put(b, "            </pbundle_as_map>\n");
}

int custos_disclose__android_labels(dc_gen *g)
{
    play_usage usage[DC_PLAY_TYPES] = { { 0 } };
    int rc = summarize(g, usage);
    if (rc != CUSTOS_OK)
        return rc;
    custos__text *b = &g->out;
    custos__text_put(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<bundle>\n"
              "    <long name=\"version\" value=\"1\" />\n"
              "    <pbundle_as_map name=\"safety_labels\">\n"
              "        <long name=\"version\" value=\"1\" />\n"
              "        <pbundle_as_map name=\"data_labels\">\n");
    android_section(b, usage, 0);
    android_section(b, usage, 1);
    const Custos__V1__PlayStore *p = play_facts(g->m);
    custos__text_put(b, "        </pbundle_as_map>\n"
              "        <pbundle_as_map name=\"security_labels\">\n"
              "            <boolean name=\"is_data_deletable\" value=\"true\" />\n");
    if (p->has_encrypted_in_transit)
        custos__text_printf(b, "            <boolean name=\"is_data_encrypted\" value=\"%s\" />\n",
                            p->encrypted_in_transit ? "true" : "false");
    custos__text_put(b, "        </pbundle_as_map>\n    </pbundle_as_map>\n</bundle>\n");
    return CUSTOS_OK;
}
