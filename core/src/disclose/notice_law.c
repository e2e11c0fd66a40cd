/*
 * notice_law.c: the items of the privacy notice that GDPR Art. 13, 14 and 27
 * and APPI Art. 20, 27, 28 and 32-35 require, each after its checklist
 * marker (notice_private.h).
 *
 * Japanese text uses the PPC's terms: 利用目的, 第三者提供, 外国にある第三者,
 * 保有個人データ, 開示等の請求, 同意の撤回, 取扱い. 要配慮個人情報 is said only
 * of a category the manifest marks appi_sensitive; GDPR's special category is
 * said only under GDPR and only of a category marked special.
 */
#include "notice_private.h"

#include <stdio.h>
#include <string.h>

#define L(n, en, ja) custos_disclose__l((n)->g, en, ja)
#define IS(p, b) ((p)->legal_basis == CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_##b)

void custos_disclose__notice_mark(notice *n, const char *id, uint32_t a, uint32_t b)
{
    char buf[96];
    if (a == 0)
        snprintf(buf, sizeof buf, "%s", id);
    else if (b == 0)
        snprintf(buf, sizeof buf, "%s#%u", id, a);
    else
        snprintf(buf, sizeof buf, "%s#%u.%u", id, a, b);
    custos_disclose__doc_mark(&n->d, buf);
}

/* GDPR Art. 13(2)(e): whether providing the data is a statutory or contractual requirement. */
static const char *requirement(const notice *n, const custos_purpose_pb *p)
{
    if (IS(p, LEGAL_OBLIGATION))
        return L(n, "the law requires this data; without it we cannot provide the product.",
                 "法令により必要な情報です。提供がない場合、製品を提供できません。");
    if (IS(p, CONSENT) || p->necessity == CUSTOS__V1__NECESSITY__NECESSITY_OPTIONAL)
        return L(n, "you do not have to provide this data; if you do not, only this function is unavailable.",
                 "この情報の提供は任意です。提供しない場合も、この機能が使えなくなるだけです。");
    if (IS(p, CONTRACT))
        return L(n, "this data is needed for the contract with you; without it the product cannot work.",
                 "この情報は契約の履行に必要です。提供がない場合、製品が動作しません。");
    return L(n, "providing this data is neither a legal nor a contractual requirement, but the product needs it "
                "for this function.",
             "この情報の提供は法令上・契約上の義務ではありませんが、この機能に必要です。");
}

void custos_disclose__notice_purpose_law(notice *n, const custos_purpose_pb *p)
{
    if (IS(p, LEGITIMATE_INTEREST)) {
        const char *li = custos_disclose__text(n->g, p->legitimate_interest, p->n_legitimate_interest);
        if (li[0])
            custos_disclose__notice_item(n, "gdpr.13.1.d", p->id, L(n, "Our legitimate interest", "当社の正当な利益"), li);
    }
    if (n->gdpr) {
        custos_disclose__notice_item(n, "gdpr.13.2.e", p->id, L(n, "Do you have to provide it", "提供の義務"), requirement(n, p));
        const char *ad = custos_disclose__text(n->g, p->automated_decision, p->n_automated_decision);
        custos_disclose__notice_item(n, "gdpr.13.2.f", p->id, L(n, "Automated decisions and profiling", "自動化された意思決定とプロファイリング"),
                    ad[0] ? ad : L(n, "none: no decision about you is made by automated means alone for this purpose.",
                                   "ありません。この目的で、自動化された手段だけであなたに関する決定を行うことはありません。"));
    }
}

static const char *safeguard_word(const notice *n, const Custos__V1__Recipient *r)
{
    const char *s = r->gdpr_safeguard;
    if (strcmp(s, "adequacy") == 0)
        return L(n, "the European Commission has decided that this country ensures an adequate level of protection "
                    "(adequacy decision, GDPR Art. 45).",
                 "欧州委員会がこの国について十分な保護の水準を確保していると決定しています（十分性認定、GDPR第45条）。");
    if (strcmp(s, "dpf") == 0)
        return L(n, "the company is certified under the EU-U.S. Data Privacy Framework (adequacy decision, GDPR Art. 45).",
                 "この事業者はEU-米国データプライバシーフレームワークの認証を受けています（十分性認定、GDPR第45条）。");
    if (strcmp(s, "scc") == 0)
        return L(n, "protected by the European Commission's standard contractual clauses (GDPR Art. 46(2)(c)).",
                 "欧州委員会の標準契約条項により保護しています（GDPR第46条第2項(c)）。");
    return L(n, "protected by binding corporate rules (GDPR Art. 47).", "拘束的企業準則により保護しています（GDPR第47条）。");
}

static void appi_abroad(notice *n, const custos_purpose_pb *p, const Custos__V1__Recipient *r, uint32_t k)
{
    dc_doc *d = &n->d;
    const char *country = custos_disclose__country(n->g, r->country);
    const char *measures = custos_disclose__text(n->g, r->measures, r->n_measures);
    custos_disclose__notice_mark(n, "appi.28", p->id, k);
    custos_disclose__doc_text(d, L(n, " Provision to a third party in a foreign country (APPI Art. 28): the company is in ",
                                   "外国にある第三者への提供（個人情報保護法第28条）：この事業者は"));
    custos_disclose__doc_text(d, country);
    if (r->appi_route != NULL && strcmp(r->appi_route, "equivalent_system") == 0) {
        custos_disclose__doc_text(d, L(n, " and maintains a system that meets the PPC's standards (基準適合体制). Its measures: ",
                                       "にあり、個人情報保護委員会規則で定める基準に適合する体制（基準適合体制）を整備しています。その措置："));
        custos_disclose__doc_text(d, measures);
        custos_disclose__doc_text(d, L(n, " On request we give you the information the APPI requires about it.",
                                       "求めに応じて、法令で定める情報を提供します。"));
        return;
    }
    custos_disclose__doc_text(d, L(n, ". That country's system for protecting personal information: ",
                                   "にあります。"));
    if (n->g->ja) {
        custos_disclose__doc_text(d, country);
        custos_disclose__doc_text(d, "の個人情報の保護に関する制度：");
    }
    custos_disclose__doc_text(d, custos_disclose__text(n->g, r->regime, r->n_regime));
    custos_disclose__doc_text(d, L(n, " The measures the company takes to protect personal information: ",
                                   "この事業者が講ずる個人情報の保護のための措置："));
    custos_disclose__doc_text(d, measures);
}

void custos_disclose__notice_recipient_law(notice *n, const custos_purpose_pb *p, size_t index)
{
    const Custos__V1__Recipient *r = p->recipients[index];
    dc_doc *d = &n->d;
    uint32_t k = (uint32_t)index + 1;
    if (n->appi && !custos_disclose__recipient_is_processor(r)) {
        custos_disclose__notice_mark(n, "appi.27", p->id, k);
        custos_disclose__doc_text(d, IS(p, CONSENT) ? L(n, " We provide the data to it only with your consent (APPI Art. 27).",
                                                        "この第三者提供は、あなたの同意を得て行います（個人情報保護法第27条）。")
                                                    : L(n, " This is a provision to a third party (APPI Art. 27).",
                                                        "これは第三者提供に当たります（個人情報保護法第27条）。"));
    }
    if (n->appi && strcmp(r->country, "JP") != 0 && r->n_measures > 0)
        appi_abroad(n, p, r, k);
    if (n->gdpr && r->gdpr_safeguard != NULL) {
        custos_disclose__notice_mark(n, "gdpr.13.1.f", p->id, k);
        custos_disclose__doc_text(d, L(n, " Transfer outside the EEA: ", "EEA域外への移転："));
        custos_disclose__doc_text(d, safeguard_word(n, r));
        const char *copy = custos_disclose__text(n->g, r->safeguard_copy, r->n_safeguard_copy);
        if (copy[0]) {
            custos_disclose__doc_text(d, L(n, " ", ""));
            custos_disclose__doc_text(d, copy);
        }
    }
}

/* The foreign countries the data goes to, in the order of first mention: "United States, Germany". */
static void foreign_countries(const notice *n, custos__text *b)
{
    const char *seen[64];
    size_t ns = 0;
    for (size_t i = 0; i < n->m->n_purposes; i++)
        for (size_t j = 0; j < n->m->purposes[i]->n_recipients; j++) {
            const char *c = n->m->purposes[i]->recipients[j]->country;
            size_t k = 0;
            while (k < ns && strcmp(seen[k], c) != 0)
                k++;
            if (strcmp(c, "JP") == 0 || k < ns || ns == sizeof seen / sizeof seen[0])
                continue;
            seen[ns++] = c;
            if (ns > 1)
                custos__text_put(b, L(n, ", ", "、"));
            custos__text_put(b, custos_disclose__country(n->g, c));
        }
}

void custos_disclose__notice_security(notice *n)
{
    dc_doc *d = &n->d;
    const char *more = custos_disclose__text(n->g, n->m->product->security_measures, n->m->product->n_security_measures);
    custos_disclose__doc_h(d, 2, L(n, "How we protect your data", "安全管理のために講じた措置"));
    custos_disclose__doc_ul(d);
    custos_disclose__doc_li(d);
    custos_disclose__notice_mark(n, "appi.32.1.4.security", 0, 0);
    custos_disclose__doc_text(d, L(n, "Personal data kept on the device and in the app is encrypted under a separate key for "
                                      "each person and each purpose; the keys are held by the device's key store; data is "
                                      "erased when its retention ends or when you withdraw consent; every consent "
                                      "decision and erasure is recorded in a tamper-evident log without personal data.",
                                   "機器とアプリに保存する個人データは、人ごと・目的ごとに別々の鍵で暗号化し、鍵は機器の鍵"
                                   "保管領域で管理します。保存期間が過ぎたとき、または同意が撤回されたときにデータを消去します。"
                                   "同意の記録と消去の記録は、個人データを含まない改ざん検知可能なログに残します。"));
    if (more[0]) {
        custos_disclose__doc_text(d, " ");
        custos_disclose__doc_text(d, more);
    }
    custos_disclose__doc_li_end(d);
    custos__text c = { 0 };
    foreign_countries(n, &c);
    if (c.len > 0) {
        custos_disclose__doc_li(d);
        custos_disclose__notice_mark(n, "appi.32.1.4.external", 0, 0);
        custos_disclose__doc_strong(d, L(n, "Understanding the external environment", "外的環境の把握"));
        custos_disclose__doc_text(d, L(n, ": we handle personal data in the following countries outside Japan and take our "
                                          "security measures knowing their systems for protecting personal information: ",
                                       "：当社は、次の外国において個人データを取り扱っており、当該国の個人情報の保護に関する"
                                       "制度を把握したうえで安全管理措置を講じています："));
        custos_disclose__doc_text(d, STR(c));
        custos_disclose__doc_text(d, L(n, ".", "。"));
        custos_disclose__doc_li_end(d);
    }
    d->b->failed |= c.failed;
    custos__text_discard(&c);
    custos_disclose__doc_ul_end(d);
}

void custos_disclose__notice_requests(notice *n)
{
    const Custos__V1__RightsRequests *r = n->m->product->requests;
    if (r == NULL)
        return;
    custos_disclose__doc_h(&n->d, 2, L(n, "How to make a request", "開示等の請求の手続"));
    custos_disclose__doc_ul(&n->d);
    custos_disclose__notice_item(n, "appi.32.1.3", 0, L(n, "Where and how", "請求の方法"),
                custos_disclose__text(n->g, r->procedure, r->n_procedure));
    custos_disclose__notice_item(n, "appi.32.1.3.identity", 0, L(n, "How we check your identity", "本人確認の方法"),
                custos_disclose__text(n->g, r->identity_check, r->n_identity_check));
    custos_disclose__notice_item(n, "appi.32.1.3.fee", 0, L(n, "Fee", "手数料"), custos_disclose__text(n->g, r->fee, r->n_fee));
    custos_disclose__doc_ul_end(&n->d);
}

static void para(notice *n, const char *id, const char *en, const char *ja)
{
    custos_disclose__doc_p(&n->d);
    if (id != NULL)
        custos_disclose__notice_mark(n, id, 0, 0);
    custos_disclose__doc_text(&n->d, L(n, en, ja));
    custos_disclose__doc_p_end(&n->d);
}

void custos_disclose__notice_rights(notice *n)
{
    custos_disclose__doc_h(&n->d, 2, L(n, "Your rights", "あなたの権利"));
    if (n->appi) {
        para(n, "appi.33", "About the retained personal data we hold on you, you can ask us to tell you its purposes of "
                           "use and to disclose it to you, also in electronic form, and to disclose our records of "
                           "providing it to third parties (APPI Art. 32, 33).",
             "当社が保有するあなたの保有個人データについて、利用目的の通知、開示（電磁的記録による提供を含みます）、"
             "第三者提供記録の開示を請求できます（個人情報保護法第32条、第33条）。");
        para(n, "appi.34", "You can ask us to correct, add to or delete it where it is wrong (APPI Art. 34).",
             "内容が事実でない場合は、訂正、追加または削除（訂正等）を請求できます（同法第34条）。");
        para(n, "appi.35", "You can ask us to stop using it or to erase it, and to stop providing it to third parties "
                           "(APPI Art. 35).",
             "利用の停止または消去（利用停止等）、第三者提供の停止を請求できます（同法第35条）。");
    }
    if (n->gdpr)
        para(n, "gdpr.13.2.b", "If you are in the EU, the EEA or the United Kingdom, you have the right to access your "
                               "data, to have it rectified or erased, to restrict its processing, to object to processing "
                               "based on a legitimate interest, and to receive it in a portable format (GDPR Art. 15-21).",
             "EU・EEA・英国にお住まいの方は、アクセス、訂正、消去、取扱いの制限、正当な利益に基づく取扱いへの異議、"
             "持ち運び可能な形式でのデータの受取り（データポータビリティ）の権利があります（GDPR第15条～第21条）。");
    if (!n->appi && !n->gdpr)
        para(n, NULL, "You can ask us to show you the data we hold about you, to correct it, to erase it and to stop "
                      "using it.",
             "当社が保有するあなたのデータについて、開示、訂正、消去、利用の停止を求めることができます。");
    para(n, NULL, "You can withdraw any consent at any time; this does not affect what we did before.",
         "同意はいつでも撤回できます。撤回する前に行った取扱いには影響しません。");
    if (n->gdpr)
        para(n, "gdpr.13.2.d", "You have the right to lodge a complaint with a supervisory authority, in particular in "
                               "the EU member state where you live or work or where you think the law was broken "
                               "(GDPR Art. 77).",
             "監督機関、特にあなたの居住地・勤務地または違反があったと考える場所のEU加盟国の監督機関に苦情を申し立てる"
             "権利があります（GDPR第77条）。");
    if (n->appi)
        para(n, NULL, "In Japan, you can also consult the Personal Information Protection Commission.",
             "日本では、個人情報保護委員会に相談することもできます。");
}

static void party(notice *n, const char *id, const char *label, const Custos__V1__Party *p)
{
    dc_doc *d = &n->d;
    custos_disclose__doc_li(d);
    if (id != NULL)
        custos_disclose__notice_mark(n, id, 0, 0);
    custos_disclose__doc_strong(d, label);
    custos_disclose__doc_text(d, L(n, ": ", "："));
    custos_disclose__doc_text(d, custos_disclose__party_name(n->g, p));
    if (p->address) {
        custos_disclose__doc_text(d, L(n, ", ", "、"));
        custos_disclose__doc_text(d, custos_disclose__party_address(n->g, p));
    }
    if (p->contact) {
        custos_disclose__doc_text(d, L(n, ", ", "、"));
        custos_disclose__doc_text(d, p->contact);
    }
    custos_disclose__doc_li_end(d);
}

void custos_disclose__notice_contact(notice *n)
{
    const Custos__V1__Product *pr = n->m->product;
    const Custos__V1__Party *ctl = pr->controller;
    const char *rep = custos_disclose__text(n->g, ctl->representative, ctl->n_representative);
    custos_disclose__doc_h(&n->d, 2, L(n, "Contact", "お問い合わせ"));
    custos_disclose__doc_ul(&n->d);
    party(n, "gdpr.13.1.a", L(n, "Responsible for your data (the controller)", "個人情報取扱事業者"), ctl);
    if (rep[0])
        custos_disclose__notice_item(n, "appi.32.1.1", 0, L(n, "Its representative", "代表者"), rep);
    if (pr->eu_representative)
        party(n, "gdpr.27", L(n, "Our representative in the EU (GDPR Art. 27)", "EU域内の代理人（GDPR第27条）"),
              pr->eu_representative);
    if (pr->privacy_contact)
        party(n, "gdpr.13.1.b", L(n, "Data protection officer and privacy questions", "データ保護責任者・プライバシーに関するお問い合わせ窓口"),
              pr->privacy_contact);
    if (n->appi)
        party(n, "appi.32.1.4.complaint", L(n, "Complaints about how we handle personal information",
                                             "個人情報の取扱いに関する苦情の申出先"),
              pr->privacy_contact ? pr->privacy_contact : ctl);
    custos_disclose__doc_ul_end(&n->d);
}
