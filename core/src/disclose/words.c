/*
 * words.c: the localized words of the disclosures, and the mapping of the
 * manifest's enums to DPV, fideslang and plain language. English and
 * Japanese sit side by side so that a translator sees both.
 */
#include "disclose_private.h"

#include <stdlib.h>
#include <string.h>

typedef Custos__V1__LegalBasis basis;

const char *custos_disclose__basis_word(const dc_gen *g, basis b)
{
    switch (b) {
    case CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_CONSENT:
        return custos_disclose__l(g, "Your consent", "あなたの同意");
    case CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_CONTRACT:
        return custos_disclose__l(g, "Contract", "契約の履行");
    case CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_LEGAL_OBLIGATION:
        return custos_disclose__l(g, "Legal obligation", "法令上の義務");
    case CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_VITAL_INTEREST:
        return custos_disclose__l(g, "Vital interest", "生命・身体の保護");
    case CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_PUBLIC_TASK:
        return custos_disclose__l(g, "Public task", "公共の利益のための業務");
    case CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_LEGITIMATE_INTEREST:
        return custos_disclose__l(g, "Legitimate interest", "当社の正当な利益");
    default:
        return custos_disclose__l(g, "Not declared", "未申告");
    }
}

const char *custos_disclose__basis_explain(const dc_gen *g, basis b)
{
    switch (b) {
    case CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_CONSENT:
        return custos_disclose__l(g, "We do this only if you agree. You can change your mind at any time.",
                    "あなたが同意した場合にだけ行います。同意はいつでも撤回できます。");
    case CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_CONTRACT:
        return custos_disclose__l(g, "We need this to provide the product and service you asked for.",
                    "ご利用いただく製品とサービスを提供するために必要です。");
    case CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_LEGAL_OBLIGATION:
        return custos_disclose__l(g, "The law requires us to do this.",
                    "法令により求められているため行います。");
    case CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_VITAL_INTEREST:
        return custos_disclose__l(g, "We do this to protect someone's life or health.",
                    "人の生命や身体を守るために行います。");
    case CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_PUBLIC_TASK:
        return custos_disclose__l(g, "We do this to carry out a task in the public interest.",
                    "公共の利益のための業務として行います。");
    case CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_LEGITIMATE_INTEREST:
        return custos_disclose__l(g, "We do this because we have a legitimate interest in it, which we have weighed "
                       "against your rights. You can object at any time.",
                    "当社の正当な利益のために、あなたの権利と比べて問題がないことを確かめたうえで行います。"
                    "いつでも異議を申し出ることができます。");
    default:
        return "";
    }
}

const char *custos_disclose__basis_dpv(basis b)
{
    switch (b) {
    case CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_CONSENT:             return "dpv:Consent";
    case CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_CONTRACT:            return "dpv:Contract";
    case CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_LEGAL_OBLIGATION:    return "dpv:LegalObligation";
    case CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_VITAL_INTEREST:      return "dpv:VitalInterest";
    case CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_PUBLIC_TASK:         return "dpv:PublicInterest";
    case CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_LEGITIMATE_INTEREST: return "dpv:LegitimateInterest";
    default:                                                       return "dpv:LegalBasis";
    }
}

const char *custos_disclose__basis_fides(basis b)
{
    switch (b) {
    case CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_CONSENT:             return "Consent";
    case CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_CONTRACT:            return "Contract";
    case CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_LEGAL_OBLIGATION:    return "Legal obligations";
    case CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_VITAL_INTEREST:      return "Vital interests";
    case CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_PUBLIC_TASK:         return "Public interest";
    case CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_LEGITIMATE_INTEREST: return "Legitimate interests";
    default:                                                       return NULL;
    }
}

const char *custos_disclose__special_fides(Custos__V1__SpecialCategoryCondition c)
{
    switch (c) {
    case CUSTOS__V1__SPECIAL_CATEGORY_CONDITION__SPECIAL_EXPLICIT_CONSENT:
        return "Explicit consent";
    case CUSTOS__V1__SPECIAL_CATEGORY_CONDITION__SPECIAL_EMPLOYMENT:
        return "Employment, social security and social protection";
    case CUSTOS__V1__SPECIAL_CATEGORY_CONDITION__SPECIAL_VITAL_INTERESTS:
        return "Vital interests";
    case CUSTOS__V1__SPECIAL_CATEGORY_CONDITION__SPECIAL_MANIFESTLY_PUBLIC:
        return "Made public by the data subject";
    case CUSTOS__V1__SPECIAL_CATEGORY_CONDITION__SPECIAL_LEGAL_CLAIMS:
        return "Legal claims or judicial acts";
    case CUSTOS__V1__SPECIAL_CATEGORY_CONDITION__SPECIAL_SUBSTANTIAL_PUBLIC_INTEREST:
        return "Reasons of substantial public interest (with a basis in law)";
    case CUSTOS__V1__SPECIAL_CATEGORY_CONDITION__SPECIAL_HEALTH_CARE:
        return "Health or social care (with a basis in law)";
    default:
        return NULL;
    }
}

const char *custos_disclose__location_word(const dc_gen *g, Custos__V1__StorageLocation l)
{
    switch (l) {
    case CUSTOS__V1__STORAGE_LOCATION__STORAGE_LOCATION_DEVICE:
        return custos_disclose__l(g, "on the device itself", "機器本体");
    case CUSTOS__V1__STORAGE_LOCATION__STORAGE_LOCATION_APP:
        return custos_disclose__l(g, "in the app on your phone", "スマートフォンのアプリ内");
    case CUSTOS__V1__STORAGE_LOCATION__STORAGE_LOCATION_CLOUD:
        return custos_disclose__l(g, "on our cloud servers", "当社のクラウドサーバー");
    default:
        return custos_disclose__l(g, "not declared", "未申告");
    }
}

const char *custos_disclose__location_key(Custos__V1__StorageLocation l)
{
    switch (l) {
    case CUSTOS__V1__STORAGE_LOCATION__STORAGE_LOCATION_DEVICE: return "device";
    case CUSTOS__V1__STORAGE_LOCATION__STORAGE_LOCATION_APP:    return "app";
    case CUSTOS__V1__STORAGE_LOCATION__STORAGE_LOCATION_CLOUD:  return "cloud";
    default:                                                    return "unspecified";
    }
}

const char *custos_disclose__role_word(const dc_gen *g, Custos__V1__SubjectRole r)
{
    switch (r) {
    case CUSTOS__V1__SUBJECT_ROLE__SUBJECT_ROLE_OWNER:
        return custos_disclose__l(g, "The owner, who sets up the device", "機器を設定する所有者");
    case CUSTOS__V1__SUBJECT_ROLE__SUBJECT_ROLE_HOUSEHOLD_MEMBER:
        return custos_disclose__l(g, "Other members of the household", "同居するご家族など");
    case CUSTOS__V1__SUBJECT_ROLE__SUBJECT_ROLE_GUEST:
        return custos_disclose__l(g, "Guests and visitors", "来客や訪問者");
    case CUSTOS__V1__SUBJECT_ROLE__SUBJECT_ROLE_CHILD:
        return custos_disclose__l(g, "Children: a parent or guardian makes the choices for them",
                    "お子さま（保護者の方が代わりに選択します）");
    default:
        return custos_disclose__l(g, "Other people", "その他の方");
    }
}

const char *custos_disclose__role_key(Custos__V1__SubjectRole r)
{
    switch (r) {
    case CUSTOS__V1__SUBJECT_ROLE__SUBJECT_ROLE_OWNER:            return "owner";
    case CUSTOS__V1__SUBJECT_ROLE__SUBJECT_ROLE_HOUSEHOLD_MEMBER: return "household_member";
    case CUSTOS__V1__SUBJECT_ROLE__SUBJECT_ROLE_GUEST:            return "guest";
    case CUSTOS__V1__SUBJECT_ROLE__SUBJECT_ROLE_CHILD:            return "child";
    default:                                                      return "unspecified";
    }
}

/* DPV 2.3 data-subject classes (schemas/taxonomy/subject_roles.tsv). */
const char *custos_disclose__role_dpv(Custos__V1__SubjectRole r)
{
    switch (r) {
    case CUSTOS__V1__SUBJECT_ROLE__SUBJECT_ROLE_OWNER:            return "dpv:Customer";
    case CUSTOS__V1__SUBJECT_ROLE__SUBJECT_ROLE_HOUSEHOLD_MEMBER: return "dpv:User";
    case CUSTOS__V1__SUBJECT_ROLE__SUBJECT_ROLE_GUEST:            return "dpv:Visitor";
    case CUSTOS__V1__SUBJECT_ROLE__SUBJECT_ROLE_CHILD:            return "dpv:Child";
    default:                                                      return "dpv:DataSubject";
    }
}

typedef struct country { const char *code, *en, *ja; } country;

static const country countries[] = {
    { "AU", "Australia", "オーストラリア" }, { "BR", "Brazil", "ブラジル" },
    { "CA", "Canada", "カナダ" },            { "CH", "Switzerland", "スイス" },
    { "CN", "China", "中国" },               { "DE", "Germany", "ドイツ" },
    { "DK", "Denmark", "デンマーク" },       { "ES", "Spain", "スペイン" },
    { "FI", "Finland", "フィンランド" },     { "FR", "France", "フランス" },
    { "GB", "United Kingdom", "英国" },      { "IE", "Ireland", "アイルランド" },
    { "IN", "India", "インド" },             { "IT", "Italy", "イタリア" },
    { "JP", "Japan", "日本" },               { "KR", "Republic of Korea", "韓国" },
    { "NL", "Netherlands", "オランダ" },     { "NO", "Norway", "ノルウェー" },
    { "SE", "Sweden", "スウェーデン" },      { "SG", "Singapore", "シンガポール" },
    { "TW", "Taiwan", "台湾" },              { "US", "United States", "米国" },
    { "VN", "Viet Nam", "ベトナム" },
};

const char *custos_disclose__country(const dc_gen *g, const char *iso2)
{
    for (size_t i = 0; i < sizeof countries / sizeof countries[0]; i++)
        if (strcmp(countries[i].code, iso2) == 0)
            return custos_disclose__l(g, countries[i].en, countries[i].ja);
    return iso2;  /* the ISO code itself is still exact */
}

/* Known retention events, as manifests name them ({until: device_reset}). */
typedef struct event_word { const char *key, *en, *ja; } event_word;

static const event_word events[] = {
    { "account_deletion",   "until you delete your account", "アカウントを削除するまで" },
    { "consent_withdrawal", "until you withdraw your consent", "同意を撤回するまで" },
    { "decommissioning",    "until the device is taken out of use", "機器の使用を終えるまで" },
    { "device_reset",       "until the device is reset", "機器を初期化するまで" },
    { "end_of_support",     "until security support for the product ends", "製品のセキュリティサポートが終了するまで" },
    { "key_revoked",        "until the digital key is revoked", "デジタルキーが無効にされるまで" },
    { "ownership_transfer", "until the device passes to a new owner", "機器の所有者が変わるまで" },
    { "unpairing",          "until you remove the device from the app", "アプリから機器を削除するまで" },
};

/* 1 if a and b are equal, counting '-' and '_' as the same. */
static int event_eq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;
        if (x != y)
            return 0;
    }
    return *a == *b;
}

static void event_text(const dc_gen *g, custos__text *b, const char *ev)
{
    for (size_t i = 0; i < sizeof events / sizeof events[0]; i++)
        if (event_eq(events[i].key, ev)) {
            custos__text_put(b, custos_disclose__l(g, events[i].en, events[i].ja));
            return;
        }
    /* An event we have no words for: its name, readable. */
    custos__text_put(b, custos_disclose__l(g, "until: ", "次の時点まで："));
    for (const char *p = ev; *p; p++)
        custos__text_put(b, *p == '_' || *p == '-' ? " " : (char[2]){ *p, 0 });
}

typedef struct unit { char c; int time; const char *en, *ja; } unit;

static const unit units[] = {
    { 'Y', 0, "year", "年" }, { 'M', 0, "month", "か月" }, { 'W', 0, "week", "週間" },
    { 'D', 0, "day", "日" },  { 'H', 1, "hour", "時間" },  { 'M', 1, "minute", "分" },
    { 'S', 1, "second", "秒" },
};

static const unit *find_unit(char c, int time)
{
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (units[i].c == c && units[i].time == time)
            return &units[i];
    return NULL;
}

/* "P1Y6M" -> "1 year and 6 months" / "1年6か月間". 0 if not understood. */
static int iso_text(const dc_gen *g, custos__text *b, const char *s)
{
    if (s[0] != 'P' || s[1] == '\0')
        return 0;
    custos__text t = { 0 };
    int time = 0, parts = 0;
    const unit *last = NULL;
    const char *p = s + 1;
    while (*p) {
        if (*p == 'T') {
            time = 1;
            p++;
            continue;
        }
        char *end;
        unsigned long n = strtoul(p, &end, 10);
        const unit *u = end != p ? find_unit(*end, time) : NULL;
        if (u == NULL) {
            custos__text_discard(&t);
            return 0;
        }
        if (g->ja)
            custos__text_printf(&t, "%lu%s", n, u->ja);
        else
            custos__text_printf(&t, "%s%lu %s%s", parts ? " and " : "", n, u->en, n == 1 ? "" : "s");
        parts++;
        last = u;
        p = end + 1;
    }
    /* A period in Japanese: 30日間, 6か月間, 1年間 (週間 and 時間 already are). */
    if (g->ja && last != NULL && !last->time && last->c != 'W')
        custos__text_put(&t, "間");
    int ok = !t.failed && parts > 0;
    if (ok)
        custos__text_put(b, t.data);
    b->failed |= t.failed;  /* out of memory is never "not understood" */
    custos__text_discard(&t);
    return ok;
}

void custos_disclose__duration(const dc_gen *g, custos__text *b, const Custos__V1__Duration *d)
{
    if (d != NULL && d->until_event != NULL) {
        event_text(g, b, d->until_event);
        return;
    }
    if (d != NULL && d->iso8601 != NULL) {
        if (!iso_text(g, b, d->iso8601))
            custos__text_put(b, d->iso8601);
        return;
    }
    custos__text_put(b, custos_disclose__l(g, "no fixed period declared", "期間の定めなし"));
}

const char *custos_disclose__text(const dc_gen *g, Custos__V1__LocalizedText *const *t, size_t n)
{
    return custos__manifest_text(t, n, g->lang);
}

const char *custos_disclose__party_name(const dc_gen *g, const Custos__V1__Party *p)
{
    const char *s = custos__manifest_text(p->name_text, p->n_name_text, g->lang);
    return s[0] ? s : p->name;
}

const char *custos_disclose__party_address(const dc_gen *g, const Custos__V1__Party *p)
{
    const char *s = custos__manifest_text(p->address_text, p->n_address_text, g->lang);
    return s[0] ? s : p->address;
}
