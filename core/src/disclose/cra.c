/*
 * cra.c: the EU Cyber Resilience Act (Regulation (EU) 2024/2847) Annex I
 * Part I (2) mapping, in the style of the other evidence sheets: for each
 * item of shared/reference/requirements.md §4 what Custos provides, the test
 * that shows it, and what the manufacturer must still state. Dates from §9.4.
 */
#include "disclose_private.h"

typedef struct cra_row { const char *item, *requirement, *custos, *test, *maker; } cra_row;

static const cra_row rows[] = {
    { "(b)", "Secure-by-default configuration, including the possibility to reset the product to its original "
      "state", "Factory reset returns Custos to fresh keys and default settings (MI-RSET test).",
      "test_erase_reset", "The product's other defaults and its reset function." },
    { "(d)", "Protection from unauthorised access, and report on possible unauthorised access",
      "The gate fails closed; key-use failures and integrity violations are audit events.",
      "test_gate, test_audit_chain", "The product's authentication and access management." },
    { "(e)", "Confidentiality of stored, transmitted or processed data, e.g. by encrypting relevant data at rest",
      "Per-record AES-256-GCM (on CPUs with AES instructions) or XChaCha20-Poly1305 under per-(subject, "
      "purpose) keys wrapped by the KEK.",
      "test_vault, test_vault_forensic", "Data the product keeps outside Custos; its transport." },
    { "(f)", "Integrity of stored data, commands, programs and configuration, and report on corruptions",
      "AEAD tags on every record and wrapped key; hash-chained audit; CUSTOS_ECORRUPT and integrity-violation "
      "events.", "test_vault, test_audit_chain", "Integrity of the product's software and configuration." },
    { "(g)", "Data minimisation: only data adequate, relevant and limited to the intended purpose",
      "Purpose registry: the gate denies every category not declared for a purpose; records expire with their "
      "purpose's retention.", "test_gate, test_vault", "That each declared category is necessary." },
    { "(h)", "Availability of essential and basic functions, also after an incident",
      "Crash-safe, journaled multi-step operations.", "test_crash_erase_reset, test_crash_vault",
      "The product's resilience and denial-of-service mitigation." },
    { "(l)", "Recording and monitoring of relevant internal activity, with an opt-out for the user",
      "PII-free hash-chained audit log; optional events can be switched off by the user.",
      "test_audit_chain, test_audit_optout", "Logging of the product's other functions." },
    { "(m)", "Users can securely and easily remove on a permanent basis all data and settings; transfers to other "
      "products are secure", "Per-user erase, factory reset, crypto-erase with a signed receipt; exports "
      "encrypted to a recipient key (crypto_secretstream).",
      "test_erase, test_erase_reset, test_forensic_erase, test_vault_export",
      "How the user reaches the reset; the product's data outside Custos." },
};
#define N_ROWS (sizeof rows / sizeof rows[0])

int custos_disclose__cra(dc_gen *g)
{
    dc_doc d = { &g->out, 0, 0 };
    static const char *const head[] = { "Annex I Part I (2)", "Requirement", "What Custos provides", "Test",
                                        "The manufacturer states" };
    custos_disclose__doc_begin(&d, "en", "Cyber Resilience Act Annex I Part I mapping");
    custos_disclose__ics_product_md(&d, g);
    custos_disclose__doc_p(&d);
    custos_disclose__doc_text(&d, "Regulation (EU) 2024/2847. Reporting obligations (Art. 14) apply from "
                              "2026-09-11, also to products already on the market; full application from "
                              "2027-12-11. The requirements are paraphrased; Custos's mechanisms are evidence "
                              "for the parts they serve.");
    custos_disclose__doc_p_end(&d);
    custos_disclose__doc_table(&d, head, 5);
    for (size_t i = 0; i < N_ROWS; i++) {
        custos_disclose__doc_tr(&d);
        custos_disclose__doc_td(&d, rows[i].item);
        custos_disclose__doc_td(&d, rows[i].requirement);
        custos_disclose__doc_td(&d, rows[i].custos);
        custos_disclose__doc_td(&d, rows[i].test);
        custos_disclose__doc_td(&d, rows[i].maker);
        custos_disclose__doc_tr_end(&d);
    }
    custos_disclose__doc_table_end(&d);
    custos_disclose__doc_end(&d);
    return CUSTOS_OK;
}
