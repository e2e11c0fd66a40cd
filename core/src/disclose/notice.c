/*
 * notice.c: the privacy notice a person reads before choosing, in Markdown
 * or HTML, in English or Japanese.
 *
 * Layered (DPV LayeredNotice): a short table first (every purpose, its data,
 * the person's choice, how long), then a section per purpose (why, legal
 * basis, how long, where it is kept, who else receives it and in which
 * country, how to withdraw), then the data explained, the people who share
 * the device, how to erase, security, requests, rights, contact and
 * changes. Every sentence comes from the manifest, from words.c or from
 * notice_law.c (the items the law requires, each after its checklist
 * marker); nothing depends on the time.
 */
#include "notice_private.h"

#include <string.h>

static const char *cat_name(const notice *n, const custos_category_pb *c)
{
    const char *s = DC_TEXT(n->g, c, name);
    return s[0] ? s : c->key;
}

static const char *purpose_name(const notice *n, const custos_purpose_pb *p)
{
    const char *s = DC_TEXT(n->g, p, name);
    return s[0] ? s : p->key;
}

/* "Video, Audio" / "映像、音声" */
static void category_list(const notice *n, custos__text *b, const custos_purpose_pb *p)
{
    for (size_t i = 0; i < p->n_categories; i++) {
        const custos_category_pb *c = custos__manifest_category(n->m, p->categories[i]);
        if (c == NULL)
            continue;
        if (i > 0)
            custos__text_put(b, custos_disclose__l(n->g, ", ", "、"));
        custos__text_put(b, cat_name(n, c));
    }
}

static const char *choice_word(const notice *n, const custos_purpose_pb *p)
{
    if (p->legal_basis == CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_CONSENT)
        return custos_disclose__l(n->g, "Only if you agree (off until then)", "同意した場合のみ（同意するまでオフ）");
    if (p->necessity == CUSTOS__V1__NECESSITY__NECESSITY_OPTIONAL)
        return custos_disclose__l(n->g, "Optional: you can turn it off", "任意（オフにできます）");
    return custos_disclose__l(n->g, "Needed for the product to work", "製品の動作に必要");
}

static void recipients_short(const notice *n, custos__text *b, const custos_purpose_pb *p)
{
    if (p->n_recipients == 0) {
        custos__text_put(b, custos_disclose__l(n->g, "Nobody", "なし"));
        return;
    }
    for (size_t i = 0; i < p->n_recipients; i++) {
        if (i > 0)
            custos__text_put(b, custos_disclose__l(n->g, ", ", "、"));
        custos__text_put(b, p->recipients[i]->name);
        custos__text_put(b, custos_disclose__l(n->g, " (", "（"));
        custos__text_put(b, custos_disclose__country(n->g, p->recipients[i]->country));
        custos__text_put(b, custos_disclose__l(n->g, ")", "）"));
    }
}

static void intro(notice *n)
{
    const Custos__V1__Product *pr = n->m->product;
    dc_doc *d = &n->d;
    custos_disclose__doc_p(d);
    if (n->g->ja) {
        custos_disclose__doc_text(d, "このお知らせでは、");
        custos_disclose__doc_text(d, pr->name);
        if (pr->model) {
            custos_disclose__doc_text(d, "（型番 ");
            custos_disclose__doc_text(d, pr->model);
            custos_disclose__doc_text(d, "）");
        }
        custos_disclose__doc_text(d, "とそのアプリが、どのような個人データを、何のために扱うのか、"
                    "そしてあなたが何を選べるのかを説明します。このお知らせは");
        custos_disclose__doc_text(d, custos_disclose__party_name(n->g, pr->controller));
        custos_disclose__doc_text(d, "が提供しています。");
    } else {
        custos_disclose__doc_text(d, "This notice explains what personal data ");
        custos_disclose__doc_text(d, pr->name);
        if (pr->model) {
            custos_disclose__doc_text(d, " (model ");
            custos_disclose__doc_text(d, pr->model);
            custos_disclose__doc_text(d, ")");
        }
        custos_disclose__doc_text(d, " and its app use, what for, and what you can choose. It is provided by ");
        custos_disclose__doc_text(d, pr->controller->name);
        size_t len = strlen(pr->controller->name);
        if (len == 0 || pr->controller->name[len - 1] != '.')
            custos_disclose__doc_text(d, ".");
    }
    custos_disclose__doc_p_end(d);
}

static void summary(notice *n)
{
    dc_doc *d = &n->d;
    const char *const head_en[] = { "Purpose", "Data used", "Your choice", "Kept for", "Who else receives it" };
    const char *const head_ja[] = { "目的", "使うデータ", "あなたの選択", "保存期間", "受け取る事業者" };
    custos_disclose__doc_h(d, 2, custos_disclose__l(n->g, "At a glance", "概要"));
    custos_disclose__doc_table(d, n->g->ja ? head_ja : head_en, 5);
    for (size_t i = 0; i < n->m->n_purposes; i++) {
        const custos_purpose_pb *p = n->m->purposes[i];
        custos__text cats = { 0 }, keep = { 0 }, to = { 0 };
        category_list(n, &cats, p);
        custos_disclose__duration(n->g, &keep, p->retention);
        recipients_short(n, &to, p);
        custos_disclose__doc_tr(d);
        custos_disclose__doc_td(d, purpose_name(n, p));
        custos_disclose__doc_td(d, STR(cats));
        custos_disclose__doc_td(d, choice_word(n, p));
        custos_disclose__doc_td(d, STR(keep));
        custos_disclose__doc_td(d, STR(to));
        custos_disclose__doc_tr_end(d);
        d->b->failed |= cats.failed | keep.failed | to.failed;
        custos__text_discard(&cats);
        custos__text_discard(&keep);
        custos__text_discard(&to);
    }
    custos_disclose__doc_table_end(d);
}

void custos_disclose__notice_item(notice *n, const char *id, uint32_t a, const char *label, const char *text)
{
    custos_disclose__doc_li(&n->d);
    if (id != NULL)
        custos_disclose__notice_mark(n, id, a, 0);
    /* The colon stays outside the emphasis: CommonMark does not close
     * ** after a full-width colon followed by a letter. */
    custos_disclose__doc_strong(&n->d, label);
    custos_disclose__doc_text(&n->d, custos_disclose__l(n->g, ": ", "："));
    custos_disclose__doc_text(&n->d, text);
    custos_disclose__doc_li_end(&n->d);
}

static void places(notice *n, const custos_purpose_pb *p)
{
    custos__text b = { 0 };
    for (size_t i = 0; i < p->n_locations; i++) {
        if (i > 0)
            custos__text_put(&b, custos_disclose__l(n->g, ", ", "、"));
        custos__text_put(&b, custos_disclose__location_word(n->g, p->locations[i]));
    }
    if (p->n_locations == 0)
        custos__text_put(&b, custos_disclose__l(n->g, "not declared", "未申告"));
    custos_disclose__notice_item(n, NULL, 0, custos_disclose__l(n->g, "Where it is kept", "保存場所"), STR(b));
    n->d.b->failed |= b.failed;
    custos__text_discard(&b);
}

static void one_recipient(notice *n, const custos_purpose_pb *p, size_t index)
{
    const Custos__V1__Recipient *r = p->recipients[index];
    dc_doc *d = &n->d;
    custos_disclose__doc_li(d);
    custos_disclose__doc_strong(d, r->name);
    custos_disclose__doc_text(d, custos_disclose__l(n->g, " (", "（"));
    custos_disclose__doc_text(d, custos_disclose__country(n->g, r->country));
    custos_disclose__doc_text(d, custos_disclose__l(n->g, "): ", "）："));
    if (custos_disclose__recipient_is_processor(r))
        custos_disclose__doc_text(d, custos_disclose__l(n->g, "handles the data on our behalf and only on our instructions.",
                         "当社の委託を受け、当社の指示の範囲でのみデータを取り扱います。"));
    else
        custos_disclose__doc_text(d, custos_disclose__l(n->g, "receives the data as a separate company (a third party).",
                         "第三者として、データの提供を受けます。"));
    custos_disclose__notice_recipient_law(n, p, index);
    custos_disclose__doc_li_end(d);
}

static void recipients(notice *n, const custos_purpose_pb *p)
{
    dc_doc *d = &n->d;
    if (p->n_recipients == 0) {
        custos_disclose__notice_item(n, "gdpr.13.1.e", p->id, custos_disclose__l(n->g, "Who else receives it", "データを受け取る事業者"),
             custos_disclose__l(n->g, "Nobody. Only we use this data.", "ありません。このデータを使うのは当社だけです。"));
        return;
    }
    custos_disclose__doc_li(d);
    custos_disclose__notice_mark(n, "gdpr.13.1.e", p->id, 0);
    custos_disclose__doc_strong(d, custos_disclose__l(n->g, "Who else receives it", "データを受け取る事業者"));
    custos_disclose__doc_text(d, custos_disclose__l(n->g, ":", "："));
    custos_disclose__doc_ul(d);
    for (size_t i = 0; i < p->n_recipients; i++)
        one_recipient(n, p, i);
    custos_disclose__doc_ul_end(d);
    custos_disclose__doc_li_end(d);
}

static void withdrawal(notice *n, const custos_purpose_pb *p)
{
    if (p->legal_basis == CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_CONSENT) {
        custos_disclose__notice_item(n, "gdpr.13.2.c", p->id, custos_disclose__l(n->g, "To withdraw your consent", "同意の撤回"),
             custos_disclose__l(n->g, "turn this purpose off in the app's privacy settings at any time. Collection stops "
                        "at once, and the data kept for this purpose is erased.",
                  "アプリのプライバシー設定で、いつでもこの目的をオフにできます。収集はすぐに止まり、"
                  "この目的のために保存していたデータは消去されます。"));
        if (p->consent_lifetime != NULL) {
            custos__text b = { 0 };
            custos_disclose__duration(n->g, &b, p->consent_lifetime);
            custos__text_put(&b, custos_disclose__l(n->g, ". After that we ask you again.", "です。期間が過ぎたら、あらためて確認します。"));
            custos_disclose__notice_item(n, NULL, 0, custos_disclose__l(n->g, "Your consent lasts", "同意の有効期間"), STR(b));
            n->d.b->failed |= b.failed;
            custos__text_discard(&b);
        }
    } else if (p->legal_basis == CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_LEGITIMATE_INTEREST) {
        custos_disclose__notice_item(n, NULL, 0, custos_disclose__l(n->g, "To object", "異議の申出"),
             custos_disclose__l(n->g, "contact us (see below). We stop unless we have compelling reasons that the law accepts.",
                  "下記の窓口までご連絡ください。法令上認められるやむを得ない理由がない限り、取扱いを停止します。"));
    } else if (p->necessity == CUSTOS__V1__NECESSITY__NECESSITY_OPTIONAL) {
        custos_disclose__notice_item(n, NULL, 0, custos_disclose__l(n->g, "To stop it", "停止するには"),
             custos_disclose__l(n->g, "turn this purpose off in the app's privacy settings.",
                  "アプリのプライバシー設定でこの目的をオフにしてください。"));
    }
}

/* 1 if the purpose uses a category marked special (GDPR Art. 9). */
static int purpose_uses_special(const notice *n, const custos_purpose_pb *p)
{
    for (size_t i = 0; i < p->n_categories; i++) {
        const custos_category_pb *c = custos__manifest_category(n->m, p->categories[i]);
        if (c != NULL && c->has_special && c->special)
            return 1;
    }
    return 0;
}

static void special(notice *n, const custos_purpose_pb *p)
{
    if (!n->gdpr || !purpose_uses_special(n, p))
        return;
    int explicit_consent = p->has_special_condition &&
                           p->special_condition == CUSTOS__V1__SPECIAL_CATEGORY_CONDITION__SPECIAL_EXPLICIT_CONSENT;
    custos_disclose__notice_item(n, NULL, 0, custos_disclose__l(n->g, "Special category data", "特別な種類の個人データ"),
        explicit_consent ? custos_disclose__l(n->g, "some of this data is a special category under the GDPR (Art. 9). We use "
                                                    "it only with your explicit consent.",
                                              "このデータには、GDPR第9条の特別な種類の個人データが含まれます。"
                                              "あなたの明示的な同意を得た場合にだけ使います。")
                         : custos_disclose__l(n->g, "some of this data is a special category under the GDPR (Art. 9); we use "
                                                    "it only under a condition of Art. 9(2).",
                                              "このデータには、GDPR第9条の特別な種類の個人データが含まれます。"
                                              "同条第2項の条件に基づいてだけ使います。"));
}

static void purpose_section(notice *n, const custos_purpose_pb *p)
{
    dc_doc *d = &n->d;
    custos_disclose__doc_h(d, 3, purpose_name(n, p));
    const char *desc = DC_TEXT(n->g, p, description);
    if (desc[0] || n->appi) {
        custos_disclose__doc_p(d);
        if (n->appi)  /* 利用目的 (APPI Art. 21, 32(1)(ii)): the heading and this paragraph */
            custos_disclose__notice_mark(n, "appi.32.1.2", p->id, 0);
        custos_disclose__doc_text(d, desc[0] ? desc : purpose_name(n, p));
        custos_disclose__doc_p_end(d);
    }
    custos_disclose__doc_ul(d);
    custos__text b = { 0 };
    category_list(n, &b, p);
    custos_disclose__notice_item(n, NULL, 0, custos_disclose__l(n->g, "Data we use", "使うデータ"), STR(b));
    special(n, p);
    b.len = 0;
    custos__text_put(&b, custos_disclose__basis_word(n->g, p->legal_basis));
    custos__text_put(&b, custos_disclose__l(n->g, ". ", "。"));
    custos__text_put(&b, custos_disclose__basis_explain(n->g, p->legal_basis));
    custos_disclose__notice_item(n, "gdpr.13.1.c", p->id, custos_disclose__l(n->g, "Legal basis", "取扱いの根拠"), STR(b));
    custos_disclose__notice_item(n, NULL, 0, custos_disclose__l(n->g, "Your choice", "あなたの選択"), choice_word(n, p));
    b.len = 0;
    custos_disclose__duration(n->g, &b, p->retention);
    custos_disclose__notice_item(n, "gdpr.13.2.a", p->id, custos_disclose__l(n->g, "How long we keep it", "保存期間"), STR(b));
    places(n, p);
    recipients(n, p);
    withdrawal(n, p);
    custos_disclose__notice_purpose_law(n, p);
    custos_disclose__doc_ul_end(d);
    d->b->failed |= b.failed;
    custos__text_discard(&b);
}

static int category_used(const custos_manifest_pb *m, uint32_t id)
{
    for (size_t i = 0; i < m->n_purposes; i++)
        if (custos__purpose_uses(m->purposes[i], id))
            return 1;
    return 0;
}

static void data_explained(notice *n)
{
    dc_doc *d = &n->d;
    custos_disclose__doc_h(d, 2, custos_disclose__l(n->g, "The data, explained", "データの説明"));
    custos_disclose__doc_p(d);
    custos_disclose__notice_mark(n, "gdpr.14.1.d", 0, 0);
    custos_disclose__doc_text(d, custos_disclose__l(n->g, "These are the kinds of personal data the product handles. ",
                                                    "製品が取り扱う個人データの種類は次のとおりです。"));
    custos_disclose__notice_mark(n, "gdpr.14.2.f", 0, 0);
    custos_disclose__doc_text(d, custos_disclose__l(n->g, "All of it comes from the device and the app: from what you enter "
                                                          "and from what the device's sensors record, which can include "
                                                          "other people in the home.",
                                                    "いずれも機器とアプリから取得します。あなたが入力した情報と、機器の"
                                                    "センサーが記録する情報で、ご家庭のほかの方の情報を含むことがあります。"));
    custos_disclose__doc_p_end(d);
    custos_disclose__doc_ul(d);
    for (size_t i = 0; i < n->m->n_categories; i++) {
        const custos_category_pb *c = n->m->categories[i];
        if (!category_used(n->m, c->id))
            continue;
        custos_disclose__doc_li(d);
        custos_disclose__doc_strong(d, cat_name(n, c));
        const char *desc = DC_TEXT(n->g, c, description);
        if (desc[0]) {
            custos_disclose__doc_text(d, custos_disclose__l(n->g, ": ", "："));
            custos_disclose__doc_text(d, desc);
        }
        if (n->gdpr && c->has_special && c->special)
            custos_disclose__doc_text(d, custos_disclose__l(n->g, " (a special category under GDPR Art. 9)",
                                                            "（GDPR第9条の特別な種類の個人データ）"));
        if (n->appi && c->has_appi_identifier && c->appi_identifier)
            custos_disclose__doc_text(d, custos_disclose__l(n->g, " (an individual identification code under the APPI, Art. 2(2))",
                                                            "（個人識別符号。個人情報保護法第2条第2項）"));
        if (n->appi && c->has_appi_sensitive && c->appi_sensitive) {
            custos_disclose__doc_text(d, " ");
            custos_disclose__notice_mark(n, "appi.20.2", c->id, 0);
            custos_disclose__doc_text(d, custos_disclose__l(n->g, "(special care-required personal information under the APPI, "
                                                                  "Art. 2(3): we obtain it only with your consent, Art. 20(2))",
                                                            "（要配慮個人情報。個人情報保護法第2条第3項。取得には、あなたの同意を"
                                                            "得ます。同法第20条第2項）"));
        }
        custos_disclose__doc_li_end(d);
    }
    custos_disclose__doc_ul_end(d);
}

static void people(notice *n)
{
    if (n->m->n_subject_roles == 0)
        return;
    dc_doc *d = &n->d;
    custos_disclose__doc_h(d, 2, custos_disclose__l(n->g, "If other people use the device", "機器を複数の人で使う場合"));
    custos_disclose__doc_p(d);
    custos_disclose__doc_text(d, custos_disclose__l(n->g, "Each person's choices and data are kept separately. Everyone can see, withdraw "
                           "and erase their own data without affecting the others, and without resetting "
                           "the device. This notice concerns:",
                     "選択とデータは一人ひとり別々に管理します。ほかの人に影響を与えず、機器を初期化することもなく、"
                     "自分のデータの確認、同意の撤回、消去ができます。このお知らせの対象は次の方です。"));
    custos_disclose__doc_p_end(d);
    custos_disclose__doc_ul(d);
    for (size_t i = 0; i < n->m->n_subject_roles; i++) {
        custos_disclose__doc_li(d);
        custos_disclose__doc_text(d, custos_disclose__role_word(n->g, n->m->subject_roles[i]));
        custos_disclose__doc_li_end(d);
    }
    custos_disclose__doc_ul_end(d);
}

static void erase(notice *n)
{
    dc_doc *d = &n->d;
    custos_disclose__doc_h(d, 2, custos_disclose__l(n->g, "How to erase your data", "データの消去"));
    custos_disclose__doc_ul(d);
    custos_disclose__doc_li(d);
    custos_disclose__doc_text(d, custos_disclose__l(n->g, "To erase your own data, use the privacy settings in the app. Your data is "
                           "erased from the device and the app; other people's data stays.",
                     "自分のデータを消去するには、アプリのプライバシー設定を使ってください。"
                     "機器とアプリからあなたのデータが消去されます。ほかの人のデータはそのまま残ります。"));
    custos_disclose__doc_li_end(d);
    custos_disclose__doc_li(d);
    custos_disclose__doc_text(d, custos_disclose__l(n->g, "To erase everything before you sell, give away or dispose of the device, reset "
                           "it to its factory settings.",
                     "機器を譲渡・売却・廃棄する前には、工場出荷時の状態に初期化すると、すべてのデータが消去されます。"));
    custos_disclose__doc_li_end(d);
    if (custos_disclose__has_location(n->m, CUSTOS__V1__STORAGE_LOCATION__STORAGE_LOCATION_CLOUD)) {
        custos_disclose__doc_li(d);
        custos_disclose__doc_text(d, custos_disclose__l(n->g, "When you erase your data, the app also asks our cloud service to erase its copy.",
                         "データを消去すると、アプリから当社のクラウドサービスにも、保存しているデータの消去を依頼します。"));
        custos_disclose__doc_li_end(d);
    }
    custos_disclose__doc_li(d);
    custos_disclose__doc_text(d, custos_disclose__l(n->g, "Erased data cannot be read again: its encryption keys are destroyed first, then "
                           "the data itself is removed. You get a confirmation that the erasure is complete.",
                     "消去したデータは二度と読み出せません。まず暗号鍵を破棄し、そのうえでデータそのものを削除します。"
                     "消去が完了すると、その確認をお知らせします。"));
    custos_disclose__doc_li_end(d);
    custos_disclose__doc_ul_end(d);
}

static void changes(notice *n)
{
    dc_doc *d = &n->d;
    custos_disclose__doc_h(d, 2, custos_disclose__l(n->g, "Changes to this notice", "このお知らせの変更"));
    custos_disclose__doc_p(d);
    custos_disclose__doc_text(d, custos_disclose__l(n->g, "If we change a purpose in a way that matters to you (new kinds of data, a new "
                           "recipient, keeping data longer, or a different legal basis), we ask for your "
                           "consent again before the change applies to you.",
                     "利用目的の内容を大きく変える場合（新しい種類のデータ、新しい提供先、保存期間の延長、取扱いの根拠の変更）は、"
                     "変更を適用する前にあらためて同意をお願いします。"));
    custos_disclose__doc_p_end(d);
    custos_disclose__doc_p(d);
    custos__text b = { 0 };
    custos__text_printf(&b, "%s%u", custos_disclose__l(n->g, "Policy version ", "ポリシーバージョン "), n->m->product->policy_version);
    if (n->g->date)
        custos__text_printf(&b, "%s%s%s", custos_disclose__l(n->g, ", dated ", "（"), n->g->date, custos_disclose__l(n->g, "", "付）"));
    custos__text_put(&b, custos_disclose__l(n->g, ". Manifest id: ", "。マニフェストID："));
    custos_disclose__doc_text(d, STR(b));
    custos_disclose__doc_code(d, n->g->id_hex);
    custos_disclose__doc_p_end(d);
    d->b->failed |= b.failed;
    custos__text_discard(&b);
}

int custos_disclose__notice(dc_gen *g, int html)
{
    notice n = { .g = g, .d = { &g->out, html, 0 }, .m = g->m,
                 .gdpr = custos_disclose__has_jurisdiction(g->m, "EU-GDPR") ||
                         custos_disclose__has_jurisdiction(g->m, "UK-GDPR"),
                 .appi = custos_disclose__has_jurisdiction(g->m, "JP-APPI") };
    custos__text title = { 0 };
    custos__text_put(&title, g->m->product->name);
    custos__text_put(&title, custos_disclose__l(g, ": privacy notice", " プライバシーに関するお知らせ"));
    custos_disclose__doc_begin(&n.d, g->lang, STR(title));
    g->out.failed |= title.failed;
    custos__text_discard(&title);
    intro(&n);
    summary(&n);
    custos_disclose__doc_h(&n.d, 2, custos_disclose__l(g, "What we do with your data, purpose by purpose", "目的ごとの詳しい説明"));
    for (size_t i = 0; i < g->m->n_purposes; i++)
        purpose_section(&n, g->m->purposes[i]);
    data_explained(&n);
    people(&n);
    erase(&n);
    custos_disclose__notice_security(&n);
    custos_disclose__notice_requests(&n);
    custos_disclose__notice_rights(&n);
    custos_disclose__notice_contact(&n);
    changes(&n);
    custos_disclose__doc_end(&n.d);
    return CUSTOS_OK;
}
