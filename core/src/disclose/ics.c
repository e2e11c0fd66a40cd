/*
 * ics.c: the ETSI EN 303 645 implementation conformance statement (ICS), in
 * the form of the TS 103 701 pro forma: one row per provision of Annex B
 * Table B.1, columns Reference | Status | Support | Detail, plus the evidence
 * Custos contributes (mechanism, the test that proves it, the IXIT entry).
 *
 * V3 is the default. V2.1.1 (the manufacturer's answers file says
 * "edition: V2.1.1") has 67 provisions: V3's without 5.0-1, 5.1-2A and
 * 6-6 ... 6-8, each A/B pair one provision. Its Status is the level alone
 * (M or R, M where either half of a pair is M); each row names the V3
 * provisions and statuses it corresponds to, since V2.1.1's condition
 * numbering is not V3's.
 *
 * The row list and each status (M, R, C(n), F(x)) are the facts of
 * shared/reference/requirements.md §9.1; tests/format/check_evidence.py
 * derives the same list from that file and compares it with the output.
 *
 * A row is answered "Yes" only where Custos's own mechanism is the whole
 * answer and a test proves it. Where the answer depends on the product
 * (its passwords, update mechanism, interfaces, vulnerability policy), the
 * support is "to be stated by the manufacturer", with Custos's contribution
 * as evidence where it has one. 6-2, 6-3A and 6-3B follow the manifest:
 * without a consent purpose feature y is absent and the rows are N/A.
 */
#include "disclose_private.h"
#include "manifest/manifest_internal.h"

#include <stdio.h>
#include <string.h>

typedef enum { BY_MAKER, BY_CUSTOS, BY_CONSENT } answer;

typedef struct ics_row {
    const char *id, *status;
    answer by;
    const char *detail;      /* what Custos does for it, or why it is the maker's */
    const char *test;        /* the CTest test that proves it, or NULL */
    const char *ixit;        /* the IXIT table, or NULL */
} ics_row;

#define MAKER(id, st, detail) { id, st, BY_MAKER, detail, NULL, NULL }

static const char no_pw[] = "Custos holds no passwords or user authentication values; the product's "
                            "authentication is stated by the manufacturer.";
static const char upd[] = "The product's update mechanism is stated by the manufacturer. Custos's own file "
                          "formats carry versions and algorithm ids and migrate forward.";
static const char surf[] = "The product's interfaces and services are stated by the manufacturer; Custos "
                           "opens no network port and no debug interface.";

static const ics_row rows[] = {
    MAKER("5.0-1", "M", "The product's reporting of its implementation is stated by the manufacturer."),
    MAKER("5.1-1", "MF(a)", no_pw), MAKER("5.1-2", "MF(b)", no_pw), MAKER("5.1-2A", "R", no_pw),
    MAKER("5.1-3", "MF(c)", no_pw), MAKER("5.1-4", "MF(d)", no_pw), MAKER("5.1-5", "MCF(14,e)", no_pw),
    MAKER("5.2-1", "M", "The vulnerability disclosure policy is the manufacturer's."),
    MAKER("5.2-2", "R", "Vulnerability handling is the manufacturer's."),
    MAKER("5.2-3", "R", "Vulnerability handling is the manufacturer's."),
    MAKER("5.3-1", "RF(f)", upd), MAKER("5.3-2", "MC(15)", upd), MAKER("5.3-3", "MF(g)", upd),
    MAKER("5.3-4A", "RF(g)", upd), MAKER("5.3-4B", "RF(h)", upd), MAKER("5.3-5", "RF(g)", upd),
    MAKER("5.3-6A", "RF(h)", upd), MAKER("5.3-6B", "RF(i)", upd), MAKER("5.3-7", "MF(g)", upd),
    MAKER("5.3-8", "MC(12)", upd), MAKER("5.3-9", "RF(g)", upd), MAKER("5.3-10", "MF(j)", upd),
    MAKER("5.3-11", "RC(12)", upd), MAKER("5.3-12", "RC(12)", upd),
    MAKER("5.3-13", "M", "The support period is published by the manufacturer; the manifest's support_until "
                         "is printed in the privacy notice and the JC-STAR sheet."),
    MAKER("5.3-14", "RC(3)", upd), MAKER("5.3-15A", "RC(3)", upd), MAKER("5.3-15B", "RC(3)", upd),
    MAKER("5.3-16", "M", "The model number is shown by the product; the manifest's model is printed in the "
                         "privacy notice."),
    { "5.4-1", "MF(k)", BY_CUSTOS, "For the parameters in IXIT 10-SecParam: keys only through the key provider; "
      "data keys wrapped by the KEK; records sealed with "
      "AES-256-GCM (on CPUs with AES instructions) or XChaCha20-Poly1305. The product's other parameters "
      "are stated by the manufacturer.", "test_vault, test_vault_forensic", "10-SecParam" },
    MAKER("5.4-2", "MF(l)", "Custos uses no hard-coded identity: its device id and keys are generated at first "
                            "open. Other identities are the manufacturer's."),
    { "5.4-3", "M", BY_CUSTOS, "Custos's source holds no key constant; every key in IXIT 10-SecParam is drawn "
      "from the RNG at first open or first use.", "test_vault, test_erase_reset", "10-SecParam" },
    { "5.4-4", "MF(m)", BY_CUSTOS, "The device signing key that authenticates erase requests and receipts for "
      "associated services is generated per device.", "test_erase_receipt, test_erase_reset", "10-SecParam" },
    MAKER("5.5-1", "M", "Transport security is the product's. Custos signs what it syncs (Ed25519) and encrypts "
                        "what it exports (crypto_secretstream)."),
    MAKER("5.5-2", "R", "Custos's cryptography is libsodium's; the product's other security functions are "
                        "stated by the manufacturer."),
    MAKER("5.5-3", "R", "Custos's formats name their algorithms and versions; the product's are stated by the "
                        "manufacturer."),
    MAKER("5.5-4", "R", surf),
    MAKER("5.5-5", "MF(n)", "Custos applies consent updates only when signed by the paired app key; the "
                            "product's other configuration interfaces are stated by the manufacturer."),
    MAKER("5.5-6", "RF(o)", "Custos sends no key; the product's parameters are stated by the manufacturer."),
    MAKER("5.5-7", "MF(o)", "Custos sends no key; the product's parameters are stated by the manufacturer."),
    MAKER("5.5-8", "MC(16)", "IXIT 10-SecParam describes the life of every key Custos holds; the product's "
                             "management process is stated by the manufacturer."),
    MAKER("5.6-1", "MF(p)", surf), MAKER("5.6-2", "M", surf), MAKER("5.6-3", "R", surf),
    MAKER("5.6-4A", "MF(q)", surf), MAKER("5.6-4B", "RF(r)", surf), MAKER("5.6-5", "R", surf),
    MAKER("5.6-6", "R", surf), MAKER("5.6-7", "R", surf), MAKER("5.6-8", "R", surf), MAKER("5.6-9", "R", surf),
    MAKER("5.7-1", "R", "Secure boot is the platform's; Custos verifies its stored data (AEAD tags)."),
    MAKER("5.7-2", "RF(s)", "Software integrity is the platform's; Custos reports stored-data corruption as "
                            "CUSTOS_ECORRUPT and records it in its audit chain."),
    MAKER("5.8-1", "RF(t)", "The product's transport is the manufacturer's; Custos's exports are encrypted to a "
                            "recipient key and its sync messages signed."),
    MAKER("5.8-2", "MF(u)", "As 5.8-1; the manifest flags the sensitive categories (IXIT 21-PersData)."),
    { "5.8-3", "MF(v)", BY_CUSTOS, "The privacy notice generated from the manifest lists every data category, "
      "each sensor included, with its purposes.", "format_notice_*", "21-PersData" },
    MAKER("5.9-1", "R", "Custos's multi-step operations are journaled and resume after a power cut; the "
                        "product's resilience is stated by the manufacturer."),
    MAKER("5.9-2", "R", "Resilience of the product's network functions is the manufacturer's."),
    MAKER("5.9-3", "R", "Resilience of the product's network functions is the manufacturer's."),
    MAKER("5.10-1", "RF(w)", "Telemetry analysis is the manufacturer's; Custos's audit chain records key failures "
                             "and integrity violations."),
    { "5.11-1", "M", BY_CUSTOS, "Per-subject and per-purpose crypto-erase and factory reset, journaled so that a "
      "power cut ends in the erase completed.", "test_erase, test_erase_reset, test_forensic_erase",
      "25-DelFunc" },
    { "5.11-2", "RF(x)", BY_CUSTOS, "Every erase queues an authenticated EraseRequest for the associated service; "
      "a replayed request is recognised.", "test_erase, test_sync", "25-DelFunc" },
    { "5.11-3", "R", BY_CUSTOS, "The generated privacy notice tells users how to erase their data, in English and "
      "Japanese.", "format_notice_*", "25-DelFunc" },
    { "5.11-4", "R", BY_CUSTOS, "Every erase produces a signed deletion receipt: scope, method, keys destroyed, "
      "verification.", "test_erase_receipt", "25-DelFunc" },
    MAKER("5.12-1", "R", "Installation and maintenance are the manufacturer's."),
    MAKER("5.12-2", "R", "Installation and maintenance are the manufacturer's."),
    MAKER("5.12-3", "R", "Installation and maintenance are the manufacturer's."),
    MAKER("5.13-1A", "M", "Custos validates every input it decodes (manifest, sync messages, imports); the "
                          "product's other inputs are stated by the manufacturer."),
    MAKER("5.13-1B", "M", "As 5.13-1A."),
    { "6-1", "M", BY_CUSTOS, "Privacy notice, app-store labels and DPV record are generated from the manifest: "
      "purposes, categories, legal bases, retention, recipients and their countries.", "format_notice_*",
      "21-PersData" },
    { "6-2", "MF(y)", BY_CONSENT, "The consent ledger records each decision with the notice hash and version, "
      "method, actor and time, signed and hash-chained.", "test_consent", "21-PersData" },
    { "6-3A", "MF(y)", BY_CONSENT, "Withdrawal is one call, effective in the same transaction; the gate denies "
      "from then on.", "test_withdraw_erases, test_gate", "21-PersData" },
    { "6-3B", "MF(y)", BY_CONSENT, "Withdrawal erases that purpose's data (crypto-erase of the data key).",
      "test_withdraw_erases", "25-DelFunc" },
    MAKER("6-4", "RF(w)", "The gate denies every category not declared for a purpose; which telemetry the product "
                          "needs is stated by the manufacturer."),
    MAKER("6-5", "MF(w)", "The notice lists every declared purpose with its data and recipients; the product's "
                          "telemetry is stated by the manufacturer."),
    MAKER("6-6", "MF(z)", "Stated by the manufacturer; the manifest and the privacy notice are the evidence "
                          "Custos provides (IXIT 21-PersData)."),
    MAKER("6-7", "RF(aa)", "Stated by the manufacturer."),
    MAKER("6-8", "RF(z)", "Stated by the manufacturer; the manifest and the privacy notice are the evidence "
                          "Custos provides (IXIT 21-PersData)."),
};
#define N_ROWS (sizeof rows / sizeof rows[0])

static const char to_state[] = "to be stated by the manufacturer";
static const char no_consent[] = "N/A: no purpose in this manifest relies on consent (feature y absent).";

/* One edition's rows; a V2.1.1 row keeps its id, status and V3 origin here. */
typedef struct ics_table {
    const char *name, *title;
    size_t n;
    ics_row rows[N_ROWS];
    const char *ids[N_ROWS];
    int by_maker[N_ROWS];
    char id[N_ROWS][12], status[N_ROWS][2], v3[N_ROWS][48];
} ics_table;

static void table_v3(ics_table *t)
{
    t->name = "V3";
    t->title = "V3 (Annex B, Table B.1)";
    t->n = N_ROWS;
    for (size_t i = 0; i < N_ROWS; i++) {
        t->rows[i] = rows[i];
        t->v3[i][0] = '\0';
    }
}

/* V3 provisions that V2.1.1 does not have. */
static int v3_only(const char *id)
{
    static const char *const added[] = { "5.0-1", "5.1-2A", "6-6", "6-7", "6-8" };
    for (size_t i = 0; i < sizeof added / sizeof added[0]; i++)
        if (strcmp(id, added[i]) == 0)
            return 1;
    return 0;
}

static void table_v2(ics_table *t)
{
    t->name = "V2.1.1";
    t->title = "V2.1.1 (Annex B, Table B.1)";
    t->n = 0;
    for (size_t i = 0; i < N_ROWS; i++) {
        const ics_row *r = &rows[i];
        size_t len = strlen(r->id);
        char half = r->id[len - 1];
        if (v3_only(r->id))
            continue;
        if (half == 'B') {  /* the second half of the pair begun by the previous row */
            size_t k = t->n - 1;
            if (r->status[0] == 'M')
                t->status[k][0] = 'M';
            size_t used = strlen(t->v3[k]);
            snprintf(t->v3[k] + used, sizeof t->v3[k] - used, "; %s %s", r->id, r->status);
            continue;
        }
        size_t k = t->n++;
        snprintf(t->id[k], sizeof t->id[k], "%.*s", (int)(half == 'A' ? len - 1 : len), r->id);
        t->status[k][0] = r->status[0];
        t->status[k][1] = '\0';
        snprintf(t->v3[k], sizeof t->v3[k], "%s %s", r->id, r->status);
        t->rows[k] = *r;
        t->rows[k].id = t->id[k];
    }
    for (size_t k = 0; k < t->n; k++)
        t->rows[k].status = t->status[k];
}

/* evidence: 1 Custos's test and IXIT table; 2 the manufacturer's evidence (maker). */
typedef struct answer_text { const char *support, *detail, *maker; int evidence; } answer_text;

static answer_text answer_of(const dc_gen *g, const ics_row *r, const dc_answer *ans)
{
    answer_text a = { to_state, r->detail, NULL, 0 };
    if (ans != NULL && ans->support != NULL) {
        a.support = ans->support;
        a.detail = ans->detail ? ans->detail : r->detail;
        a.maker = ans->evidence;
        a.evidence = ans->evidence ? 2 : 0;
    } else if (r->by == BY_CUSTOS)
        a = (answer_text){ "Yes", r->detail, NULL, 1 };
    else if (r->by == BY_CONSENT) {
        if (custos_disclose__has_basis(g->m, CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_CONSENT))
            a = (answer_text){ "Yes", r->detail, NULL, 1 };
        else
            a = (answer_text){ "N/A", no_consent, NULL, 0 };
    }
    return a;
}

static void ics_json(dc_gen *g, const ics_table *t, const dc_answer *ans)
{
    dc_jw w = { .b = &g->out };
    custos_disclose__json_obj(&w);
    custos_disclose__json_kstr(&w, "document", "ETSI EN 303 645 implementation conformance statement");
    custos_disclose__json_kstr(&w, "edition", t->title);
    custos_disclose__ics_product_json(&w, g);
    custos_disclose__json_key(&w, "provisions");
    custos_disclose__json_arr(&w);
    for (size_t i = 0; i < t->n; i++) {
        const ics_row *r = &t->rows[i];
        answer_text a = answer_of(g, r, &ans[i]);
        custos_disclose__json_obj(&w);
        custos_disclose__json_kstr(&w, "reference", r->id);
        custos_disclose__json_kstr(&w, "status", r->status);
        if (t->v3[i][0] != '\0')
            custos_disclose__json_kstr(&w, "v3", t->v3[i]);
        custos_disclose__json_kstr(&w, "support", a.support);
        custos_disclose__json_kstr(&w, "detail", a.detail);
        if (a.evidence) {
            custos_disclose__json_key(&w, "evidence");
            custos_disclose__json_obj(&w);
            if (a.evidence == 2)
                custos_disclose__json_kstr(&w, "manufacturer", a.maker);
            else {
                custos_disclose__json_kstr(&w, "test", r->test);
                custos_disclose__json_kstr(&w, "ixit", r->ixit);
            }
            custos_disclose__json_obj_end(&w);
        }
        custos_disclose__json_obj_end(&w);
    }
    custos_disclose__json_arr_end(&w);
    custos_disclose__json_obj_end(&w);
}

static void ics_md_intro(dc_doc *d, const ics_table *t)
{
    custos_disclose__doc_p(d);
    custos_disclose__doc_text(d, "One row per provision of ETSI EN 303 645 ");
    custos_disclose__doc_text(d, t->title);
    if (t->v3[0][0] == '\0')
        custos_disclose__doc_text(d, ". Status: M mandatory, R recommended, C(n) condition, F(x) feature.");
    else
        custos_disclose__doc_text(d, ". Status: M mandatory, R recommended; the conditions are those of V2.1.1 "
                                     "Table B.1, and column V3 names the V3 provisions and statuses each row "
                                     "corresponds to.");
    custos_disclose__doc_text(d, " Support \"Yes\" is given only where Custos's mechanism is the whole answer and "
                                 "a test proves it; every other row is to be stated by the manufacturer before "
                                 "submission.");
    custos_disclose__doc_p_end(d);
}

static void ics_md(dc_gen *g, const ics_table *t, const dc_answer *ans)
{
    dc_doc d = { &g->out, 0, 0 };
    static const char *const head[] = { "Reference", "Status", "Support", "Detail", "Test", "IXIT", "V3" };
    int with_v3 = t->v3[0][0] != '\0';
    custos_disclose__doc_begin(&d, "en", "ETSI EN 303 645 implementation conformance statement");
    custos_disclose__ics_product_md(&d, g);
    ics_md_intro(&d, t);
    custos_disclose__doc_table(&d, head, with_v3 ? 7 : 6);
    for (size_t i = 0; i < t->n; i++) {
        const ics_row *r = &t->rows[i];
        answer_text a = answer_of(g, r, &ans[i]);
        custos_disclose__doc_tr(&d);
        custos_disclose__doc_td(&d, r->id);
        custos_disclose__doc_td(&d, r->status);
        custos_disclose__doc_td(&d, a.support);
        custos_disclose__doc_td(&d, a.detail);
        custos_disclose__doc_td(&d, a.evidence == 2 ? a.maker : a.evidence ? r->test : "-");
        custos_disclose__doc_td(&d, a.evidence == 1 ? r->ixit : "-");
        if (with_v3)
            custos_disclose__doc_td(&d, t->v3[i]);
        custos_disclose__doc_tr_end(&d);
    }
    custos_disclose__doc_table_end(&d);
    custos_disclose__doc_end(&d);
}

/* Parse the maker's answers (if any) into ans, choosing the edition they name. */
static int read_answers(dc_gen *g, ics_table *tabs, ics_table **t, dc_answer *ans, mf_arena *arena)
{
    dc_edition eds[2];
    size_t which = 0;
    table_v3(&tabs[0]);
    table_v2(&tabs[1]);
    for (size_t e = 0; e < 2; e++) {
        for (size_t i = 0; i < tabs[e].n; i++) {
            tabs[e].ids[i] = tabs[e].rows[i].id;
            tabs[e].by_maker[i] = tabs[e].rows[i].by == BY_MAKER;
        }
        eds[e] = (dc_edition){ tabs[e].name, tabs[e].ids, tabs[e].by_maker, tabs[e].n };
    }
    int rc = g->answers ? custos_disclose__ics_answers(g, eds, 2, &which, ans, arena) : CUSTOS_OK;
    *t = &tabs[which];
    return rc;
}

int custos_disclose__ics(dc_gen *g, int json)
{
    ics_table *tabs = custos__calloc(2, sizeof *tabs), *t = NULL;  /* ~20 KiB: not on the stack */
    dc_answer ans[N_ROWS];
    if (tabs == NULL)
        return CUSTOS_ENOMEM;
    memset(ans, 0, sizeof ans); /* not secret: ICS answer slots */
    mf_arena arena = { 0 };
    int rc = read_answers(g, tabs, &t, ans, &arena);
    if (rc == CUSTOS_OK && json)
        ics_json(g, t, ans);
    else if (rc == CUSTOS_OK)
        ics_md(g, t, ans);
    custos_manifest__arena_free(&arena);
    custos__free(tabs);
    return rc;
}
