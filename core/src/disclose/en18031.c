/*
 * en18031.c: the EN 18031-2 evidence sheet (RED delegated act 2022/30,
 * harmonised by Implementing Decision (EU) 2025/138, applicable since
 * 2025-08-01) for radio equipment that processes personal, traffic or
 * location data, and childcare, toy and wearable radio equipment.
 *
 * One row per mechanism id of shared/reference/requirements.md §9.3, never
 * another. Each requirement of the standard is a decision tree and "not
 * applicable" needs a written justification: the sheet states what Custos
 * provides and the test that shows it, and leaves every decision-tree
 * answer to the manufacturer. It warns where presumption of conformity is
 * lost (a password the user may skip; childcare or toy equipment without
 * guardian control) and gives the manifest's child role and guardian
 * consent as the evidence for ACM-3 when the manifest declares them.
 */
#include "disclose_private.h"

#include <string.h>

typedef struct mech { const char *id, *concerns, *custos, *test; } mech;

static const mech mechs[] = {
    { "ACM-1", "access control to privacy assets", "The gate answers every read and store of personal data per "
      "(subject, purpose, category) and fails closed; the vault stores nothing the gate denies.",
      "test_gate, test_vault" },
    { "ACM-2", "access control to privacy assets", "Records are sealed under a key per (subject, purpose); one "
      "subject's key does not open another's records.", "test_vault" },
    { "ACM-3", "parental or guardian control", "", "test_consent" },
    { "AUM", "authentication", "", "" },
    { "SSM-1", "secure storage", "Personal data and keys stored by Custos are sealed "
      "with AES-256-GCM (on CPUs with AES instructions) or XChaCha20-Poly1305, or held by the key provider "
      "(IXIT 10-SecParam).", "test_vault, test_vault_forensic" },
    { "SSM-2", "secure storage", "A changed record, wrapped key or audit entry is detected (AEAD tags, hash chain) "
      "and reported.", "test_vault, test_audit_chain" },
    { "SSM-3", "confidentiality of stored confidential personal information", "Every record is sealed under its "
      "(subject, purpose) data key wrapped by the KEK; searched columns hold keyed hashes, no subject id is stored "
      "in clear.", "test_vault, test_vault_forensic" },
    { "SCM-1", "secure communication", "Sync messages are signed (Ed25519) over the exact bytes sent.",
      "test_sync" },
    { "SCM-2", "secure communication: integrity", "A sync message or export that was altered is refused.",
      "test_sync, test_vault_export" },
    { "SCM-3", "secure communication: confidentiality", "Exports are encrypted to a recipient key "
      "(crypto_secretstream); the product's transport is the manufacturer's.", "test_vault_export" },
    { "SCM-4", "secure communication: replay", "Consent updates carry a monotonic counter; a replayed update or "
      "erase request is recognised.", "test_sync" },
    { "DLM-1", "deletion of privacy assets stored persistently on the equipment", "Per-subject, per-purpose and "
      "full crypto-erase with a signed deletion receipt; factory reset removes every file Custos owns.",
      "test_erase, test_erase_reset, test_forensic_erase" },
    { "UNM-1", "user notification", "The privacy notice generated from the manifest states every category, "
      "purpose, recipient and retention before consent.", "format_notice_*" },
    { "LGM", "logging", "A hash-chained audit log without personal data records consent changes, erasures, key "
      "failures and integrity violations; optional events can be switched off by the user.",
      "test_audit_chain, test_audit_optout" },
    { "CCK", "confidential keys", "No key constant in the library; every key is generated per device from the "
      "RNG (IXIT 10-SecParam).", "test_vault, test_erase_reset" },
    { "CRY", "best-practice cryptography", "libsodium only: AES-256-GCM, XChaCha20-Poly1305, Ed25519, BLAKE2b, "
      "Argon2id; files name their algorithms.", "test_vault_format" },
    { "GEC", "general capabilities", "", "" },
    { "SUM", "secure update", "", "" },
};
#define N_MECHS (sizeof mechs / sizeof mechs[0])

static int has_child(const custos_manifest_pb *m)
{
    for (size_t i = 0; i < m->n_subject_roles; i++)
        if (m->subject_roles[i] == CUSTOS__V1__SUBJECT_ROLE__SUBJECT_ROLE_CHILD)
            return 1;
    return 0;
}

static const char acm3_child[] = "The manifest declares the child role: a child's consent is given by a "
                                 "guardian (the consent ledger records the guardian as actor and refuses a "
                                 "child's own consent).";
static const char acm3_none[] = "The manifest declares no child role, so Custos records no guardian control.";

static void warnings(dc_doc *d, int child)
{
    custos_disclose__doc_h(d, 2, "Where presumption of conformity is lost");
    custos_disclose__doc_ul(d);
    custos_disclose__doc_li(d);
    custos_disclose__doc_strong(d, "AUM:");
    custos_disclose__doc_text(d, " if the user may skip setting a password, the harmonised standard gives no "
                              "presumption of conformity and a notified body is needed.");
    custos_disclose__doc_li_end(d);
    custos_disclose__doc_li(d);
    custos_disclose__doc_strong(d, "ACM-3:");
    custos_disclose__doc_text(d, child ? " for childcare or toy equipment, guardian control is the condition; "
                                         "the manifest's child role and guardian consent are its evidence."
                                       : " WARNING: for childcare or toy equipment without parental or guardian "
                                         "access control, presumption of conformity is lost. This manifest "
                                         "declares no child role.");
    custos_disclose__doc_li_end(d);
    custos_disclose__doc_ul_end(d);
}

int custos_disclose__en18031(dc_gen *g)
{
    dc_doc d = { &g->out, 0, 0 };
    static const char *const head[] = { "Mechanism", "Concerns", "What Custos provides", "Test",
                                        "Decision-tree answers" };
    int child = has_child(g->m);
    custos_disclose__doc_begin(&d, "en", "EN 18031-2 evidence sheet (RED Art. 3(3)(e), privacy)");
    custos_disclose__ics_product_md(&d, g);
    custos_disclose__doc_p(&d);
    custos_disclose__doc_text(&d, "EN 18031-2 applies since 2025-08-01 to internet-connected radio equipment "
                              "that processes personal, traffic or location data, and to childcare, toy and "
                              "wearable radio equipment. Each requirement is a decision tree; \"not "
                              "applicable\" needs a written justification. Custos's mechanisms are evidence "
                              "for the rows they serve; every decision-tree answer is the manufacturer's.");
    custos_disclose__doc_p_end(&d);
    custos_disclose__doc_table(&d, head, 5);
    for (size_t i = 0; i < N_MECHS; i++) {
        const mech *x = &mechs[i];
        const char *custos = x->custos;
        if (strcmp(x->id, "ACM-3") == 0)
            custos = child ? acm3_child : acm3_none;
        custos_disclose__doc_tr(&d);
        custos_disclose__doc_td(&d, x->id);
        custos_disclose__doc_td(&d, x->concerns);
        custos_disclose__doc_td(&d, custos[0] ? custos : "-");
        custos_disclose__doc_td(&d, custos[0] && x->test[0] && custos != acm3_none ? x->test : "-");
        custos_disclose__doc_td(&d, "to be stated by the manufacturer");
        custos_disclose__doc_tr_end(&d);
    }
    custos_disclose__doc_table_end(&d);
    warnings(&d, child);
    custos_disclose__doc_end(&d);
    return CUSTOS_OK;
}
