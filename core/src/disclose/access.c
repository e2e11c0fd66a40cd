/*
 * access.c: the per-subject access report (GDPR Art. 15, APPI disclosure
 * requests): what a live store holds about one person, under which purpose
 * and consent state, and until when.
 *
 * It reads the vault (custos_vault_foreach: record metadata only; payloads
 * are never copied out or printed) and the consent state, against the
 * manifest loaded in the store; the caller passes that manifest's compiled
 * bytes and a different one is CUSTOS_ESTATE, so the report can never
 * describe purposes the store does not enforce. It prints no subject
 * identifier: the person asking already knows who they are.
 */
#include "disclose_private.h"

#include <custos/consent.h>
#include <custos/policy.h>
#include <custos/vault.h>
#include <string.h>
#include <time.h>

#define STR(buf) ((buf).data ? (buf).data : "")

typedef struct held {
    size_t records;
    uint64_t bytes;
    uint64_t latest_expiry;  /* 0 if none */
    int open_ended;          /* a record without a time limit */
    uint8_t *category_seen;  /* n_categories flags */
} held;

typedef struct walk {
    const custos_manifest_pb *m;
    held *by_purpose;        /* n_purposes entries */
} walk;

static int visit(void *user, const custos_vault_info *info, const uint8_t *data, size_t len)
{
    (void)data;
    (void)len;
    walk *w = user;
    for (size_t i = 0; i < w->m->n_purposes; i++) {
        if (w->m->purposes[i]->id != info->purpose)
            continue;
        held *h = &w->by_purpose[i];
        h->records++;
        h->bytes += info->size;
        if (info->expires == 0)
            h->open_ended = 1;
        else if (info->expires > h->latest_expiry)
            h->latest_expiry = info->expires;
        for (size_t c = 0; c < w->m->n_categories; c++)
            if (w->m->categories[c]->id == info->category)
                h->category_seen[c] = 1;
    }
    return 0;
}

static void date_of(custos__text *b, uint64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    char s[16] = "?";
    if (gmtime_r(&tt, &tm) != NULL)
        strftime(s, sizeof s, "%Y-%m-%d", &tm);
    custos__text_put(b, s);
}

static const char *status_word(const dc_gen *g, custos_consent_status s)
{
    switch (s) {
    case CUSTOS_CONSENT_GIVEN:            return custos_disclose__l(g, "You agreed", "同意済み");
    case CUSTOS_CONSENT_RENEWED:          return custos_disclose__l(g, "You agreed again", "同意を更新済み");
    case CUSTOS_CONSENT_REQUESTED:        return custos_disclose__l(g, "Asked, no answer yet", "確認中（未回答）");
    case CUSTOS_CONSENT_REQUEST_DEFERRED: return custos_disclose__l(g, "Postponed", "保留中");
    case CUSTOS_CONSENT_REFUSED:          return custos_disclose__l(g, "You declined", "同意しない");
    case CUSTOS_CONSENT_WITHDRAWN:        return custos_disclose__l(g, "You withdrew your consent", "同意を取り消し済み");
    case CUSTOS_CONSENT_REVOKED:          return custos_disclose__l(g, "Consent revoked", "同意は無効化されました");
    case CUSTOS_CONSENT_EXPIRED:          return custos_disclose__l(g, "Consent expired", "同意の有効期限切れ");
    case CUSTOS_CONSENT_INVALIDATED:      return custos_disclose__l(g, "To be asked again after a change",
                                                      "内容の変更により再確認が必要");
    default:                              return custos_disclose__l(g, "Never asked", "未確認");
    }
}

/* "You agreed (until 2027-11-21)", or the legal basis when it is not consent. */
static int state_text(dc_gen *g, custos_t *ctx, custos__text *b, custos_subject subject, const custos_purpose_pb *p)
{
    if (p->legal_basis != CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_CONSENT) {
        custos__text_put(b, custos_disclose__basis_word(g, p->legal_basis));
        return CUSTOS_OK;
    }
    custos_consent_state_info st;
    int rc = custos_consent_state(ctx, &st, subject, p->id);
    if (rc != CUSTOS_OK)
        return rc;
    custos__text_put(b, status_word(g, st.status));
    if (custos_consent_valid_for_processing(st.status) && st.valid_until != 0) {
        custos__text_put(b, custos_disclose__l(g, " (until ", "（"));
        date_of(b, st.valid_until);
        custos__text_put(b, custos_disclose__l(g, ")", "まで）"));
    }
    return CUSTOS_OK;
}

static void held_text(const dc_gen *g, custos__text *b, const held *h)
{
    if (h->records == 0) {
        custos__text_put(b, custos_disclose__l(g, "Nothing stored", "保存しているデータはありません"));
        return;
    }
    const custos_manifest_pb *m = g->m;
    int first = 1;
    for (size_t c = 0; c < m->n_categories; c++) {
        if (!h->category_seen[c])
            continue;
        const char *name = custos__manifest_text(m->categories[c]->name, m->categories[c]->n_name, g->lang);
        custos__text_put(b, first ? "" : custos_disclose__l(g, ", ", "、"));
        custos__text_put(b, name[0] ? name : m->categories[c]->key);
        first = 0;
    }
    custos__text_printf(b, "%s%zu%s", custos_disclose__l(g, " (", "（"), h->records, custos_disclose__l(g, h->records == 1 ? " record)" : " records)", "件）"));
}

static void until_text(const dc_gen *g, custos__text *b, const held *h, const custos_purpose_pb *p)
{
    if (h->records == 0)
        custos__text_put(b, "-");
    else if (h->open_ended || h->latest_expiry == 0)
        custos_disclose__duration(g, b, p->retention);
    else
        date_of(b, h->latest_expiry);
}

static int write_report(dc_gen *g, custos_t *ctx, custos_subject subject, const held *by_purpose, int html)
{
    dc_doc d = { &g->out, html, 0 };
    static const char *const head_en[] = { "Purpose", "Your choice", "What we hold", "Kept until" };
    static const char *const head_ja[] = { "目的", "あなたの選択", "保存しているデータ", "保存期限" };
    custos__text title = { 0 };
    custos__text_put(&title, g->m->product->name);
    custos__text_put(&title, custos_disclose__l(g, ": the data we hold about you", " あなたについて保存しているデータ"));
    custos_disclose__doc_begin(&d, g->lang, STR(title));
    custos__text_discard(&title);
    custos_disclose__doc_p(&d);
    custos_disclose__doc_text(&d, custos_disclose__l(g, "This report lists, purpose by purpose, the personal data this product holds about "
                         "you, whether you agreed to it, and until when it is kept. It does not repeat the data "
                         "itself; ask for a copy in the app if you want it.",
                      "このレポートは、この製品があなたについて保存している個人データを目的ごとに示し、"
                      "同意の状況と保存期限をお知らせします。データの中身そのものは記載していません。"
                      "写しが必要な場合はアプリから請求してください。"));
    if (g->date) {
        custos_disclose__doc_text(&d, custos_disclose__l(g, " As of ", "（"));
        custos_disclose__doc_text(&d, g->date);
        custos_disclose__doc_text(&d, custos_disclose__l(g, ".", "時点）"));
    }
    custos_disclose__doc_p_end(&d);
    custos_disclose__doc_table(&d, g->ja ? head_ja : head_en, 4);
    for (size_t i = 0; i < g->m->n_purposes; i++) {
        const custos_purpose_pb *p = g->m->purposes[i];
        custos__text state = { 0 }, what = { 0 }, until = { 0 };
        int rc = state_text(g, ctx, &state, subject, p);
        held_text(g, &what, &by_purpose[i]);
        until_text(g, &until, &by_purpose[i], p);
        const char *name = custos__manifest_text(p->name, p->n_name, g->lang);
        custos_disclose__doc_tr(&d);
        custos_disclose__doc_td(&d, name[0] ? name : p->key);
        custos_disclose__doc_td(&d, STR(state));
        custos_disclose__doc_td(&d, STR(what));
        custos_disclose__doc_td(&d, STR(until));
        custos_disclose__doc_tr_end(&d);
        g->out.failed |= state.failed | what.failed | until.failed;
        custos__text_discard(&state);
        custos__text_discard(&what);
        custos__text_discard(&until);
        if (rc != CUSTOS_OK)
            return rc;
    }
    custos_disclose__doc_table_end(&d);
    custos_disclose__doc_p(&d);
    custos_disclose__doc_text(&d, custos_disclose__l(g, "To withdraw a consent or erase your data, use the privacy settings in the app.",
                      "同意の取り消しやデータの消去は、アプリのプライバシー設定から行えます。"));
    custos_disclose__doc_p_end(&d);
    custos_disclose__doc_end(&d);
    return CUSTOS_OK;
}

/* The manifest given must be the one the store enforces. */
static int check_loaded(custos_t *ctx, const uint8_t *compiled, size_t len, uint8_t id[CUSTOS_HASH_BYTES])
{
    custos_manifest_error err;
    int rc = custos_manifest_id(id, compiled, len, &err);
    if (rc != CUSTOS_OK)
        return custos__fail(ctx, rc, "%s", err.message);
    uint8_t loaded[CUSTOS_HASH_BYTES];
    uint32_t version = 0;
    rc = custos_policy_current(ctx, loaded, &version);
    if (rc != CUSTOS_OK)
        return custos__fail(ctx, rc, "no manifest is loaded in this store");
    if (memcmp(id, loaded, sizeof loaded) != 0)
        return custos__fail(ctx, CUSTOS_ESTATE, "the manifest given is not the one loaded in this store "
                            "(policy version %u): pass the loaded manifest", version);
    return CUSTOS_OK;
}

static int report(dc_gen *g, custos_t *ctx, custos_subject subject, int html)
{
    const custos_manifest_pb *m = g->m;
    held *by = custos__calloc(m->n_purposes ? m->n_purposes : 1, sizeof *by);
    uint8_t *seen = custos__calloc((m->n_purposes ? m->n_purposes : 1) * (m->n_categories ? m->n_categories : 1), 1);
    int rc = CUSTOS_ENOMEM;
    if (by != NULL && seen != NULL) {
        for (size_t i = 0; i < m->n_purposes; i++)
            by[i].category_seen = seen + i * (m->n_categories ? m->n_categories : 1);
        walk w = { m, by };
        rc = custos_vault_foreach(ctx, subject, visit, &w);
        if (rc == CUSTOS_OK)
            rc = write_report(g, ctx, subject, by, html);
    } else
        custos__fail(ctx, rc, "out of memory while writing the access report");
    custos__free(by);
    custos__free(seen);
    return rc;
}

int custos_disclose_access_report(custos_t *ctx, char **out, size_t *out_len, custos_subject subject,
                                  const uint8_t *compiled, size_t compiled_len, custos_disclose_format format,
                                  const custos_disclose_options *opts)
{
    if (out == NULL || out_len == NULL || ctx == NULL || compiled == NULL)
        return custos__fail(ctx, CUSTOS_EINVAL, "custos_disclose_access_report: a required argument is NULL");
    *out = NULL;
    *out_len = 0;
    if (format != CUSTOS_DISCLOSE_NOTICE_MD && format != CUSTOS_DISCLOSE_NOTICE_HTML)
        return custos__fail(ctx, CUSTOS_EINVAL, "the access report is written as notice-md or notice-html");
    custos_manifest_error err;
    int rc = custos_disclose__check_options(opts, &err);
    if (rc != CUSTOS_OK)
        return custos__fail(ctx, rc, "%s", err.message);
    const char *lang = opts && opts->lang ? opts->lang : "en";
    uint8_t id[CUSTOS_HASH_BYTES];
    rc = check_loaded(ctx, compiled, compiled_len, id);
    if (rc != CUSTOS_OK)
        return rc;
    custos_manifest_pb *m = NULL;
    rc = custos__manifest_decode(ctx, compiled, compiled_len, &m, NULL);
    if (rc != CUSTOS_OK)
        return rc;
    dc_gen g = { .m = m, .lang = lang, .ja = strcmp(lang, "ja") == 0, .date = opts ? opts->date : NULL };
    rc = report(&g, ctx, subject, format == CUSTOS_DISCLOSE_NOTICE_HTML);
    custos__manifest_free(m);
    if (rc == CUSTOS_OK)
        rc = custos__text_finish(&g.out, out, out_len);
    else
        custos__text_discard(&g.out);
    if (rc == CUSTOS_ENOMEM)
        custos__fail(ctx, rc, "out of memory while writing the access report");
    return rc;
}
