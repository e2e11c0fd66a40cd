/*
 * jcstar.c: the JC-STAR ★1 evidence sheet.
 *
 * It cites a ★1 requirement id (S1.1-xx) only where
 * shared/reference/requirements.md §3.2 marks that id as confirmed; an item
 * whose id is only inferred is cited by its ETSI EN 303 645 clause instead,
 * so the sheet never asserts an id that IPA's checklist may number
 * differently. For each item it says what Custos provides as evidence and
 * what the maker must show.
 */
#include "disclose_private.h"

#include <string.h>

typedef struct item {
    const char *cite;      /* a confirmed id, or "ETSI EN 303 645 x" */
    const char *topic;
    const char *custos;    /* the evidence Custos provides, or "" */
    const char *maker;     /* what the maker must provide */
} item;

static const item items[] = {
    { "S1.1-01", "Access control over IP communication", "",
      "Describe the authentication of every network interface." },
    { "S1.1-02", "No universal default passwords",
      "Custos holds no passwords; its keys are generated per device on first open.",
      "Describe the product's default credentials." },
    { "S1.1-03", "Authentication values can be changed", "", "Describe how users change authentication values." },
    { "S1.1-04", "Brute-force attacks on network authentication are made difficult", "",
      "Device test of the product's authentication." },
    { "S1.1-05", "Published vulnerability disclosure policy", "", "Publish the policy with contact and timelines." },
    { "S1.1-06", "Software components included in the IoT product (the item's text is confirmed only in its opening)",
      "Custos's file formats carry versions and algorithm ids; older versions migrate forward, newer ones are refused.",
      "Describe how the product's software is updated." },
    { "S1.1-07", "The update procedure is stated clearly to users", "", "State the update procedure." },
    { "ETSI EN 303 645 5.3", "Integrity, authenticity and timeliness of software updates (★1 item ids not confirmed)",
      "", "Describe the update mechanism." },
    { "S1.1-10", "The product model number is provided to users",
      "The generated privacy notice names the product and its model number.", "" },
    { "ETSI EN 303 645 5.4-1", "Secure storage of sensitive security parameters (★1 item id not confirmed)",
      "Keys only through the key provider; personal data sealed with XChaCha20-Poly1305 under per-(subject, "
      "purpose) keys wrapped by the KEK (see the IXIT key inventory).",
      "Name the key provider used on the product (file, secure element, Keystore, Keychain)." },
    { "S1.1-12", "Information sent over the network is protected from eavesdropping",
      "Custos exports are encrypted (crypto_secretstream) and sync messages signed.",
      "Describe the product's TLS configuration and its ciphers (CRYPTREC list)." },
    { "ETSI EN 303 645 5.6", "Minimised attack surface (★1 item id not confirmed)", "Custos opens no network port.",
      "Describe the product's interfaces and services." },
    { "ETSI EN 303 645 5.9", "Resilience (★1 item id not confirmed)",
      "Multi-step operations are journaled: a power cut never leaves an erase half done.", "" },
    { "ETSI EN 303 645 5.11-1", "Deletion of user data at disposal or resale (★1 item id not confirmed)",
      "Per-subject crypto-erase and factory reset, each with a signed deletion receipt; the notice tells users how.",
      "" },
    { "S1.1-16", "Product information provided to users", "", "Publish the product information page." },
};
#define N_ITEMS (sizeof items / sizeof items[0])

int custos_disclose__jcstar(dc_gen *g)
{
    const Custos__V1__Product *pr = g->m->product;
    dc_doc d = { &g->out, 0, 0 };
    static const char *const head[] = { "Requirement", "Topic", "Evidence from Custos", "The maker provides" };
    custos_disclose__doc_begin(&d, "ja", "JC-STAR ★1 evidence sheet (適合評価エビデンスシート)");
    custos_disclose__doc_ul(&d);
    custos_disclose__doc_li(&d); custos_disclose__doc_strong(&d, "Product:"); custos_disclose__doc_text(&d, " "); custos_disclose__doc_text(&d, pr->name);
    if (pr->model) {
        custos_disclose__doc_text(&d, ", model ");
        custos_disclose__doc_text(&d, pr->model);
    }
    custos_disclose__doc_li_end(&d);
    custos_disclose__doc_li(&d); custos_disclose__doc_strong(&d, "Manufacturer:"); custos_disclose__doc_text(&d, " "); custos_disclose__doc_text(&d, pr->controller->name); custos_disclose__doc_li_end(&d);
    if (pr->support_until) {
        custos_disclose__doc_li(&d); custos_disclose__doc_strong(&d, "Security support until (S1.1-16):"); custos_disclose__doc_text(&d, " ");
        custos_disclose__doc_text(&d, pr->support_until); custos_disclose__doc_li_end(&d);
    }
    custos_disclose__doc_li(&d); custos_disclose__doc_strong(&d, "Manifest id:"); custos_disclose__doc_text(&d, " "); custos_disclose__doc_code(&d, g->id_hex); custos_disclose__doc_li_end(&d);
    if (g->date) {
        custos_disclose__doc_li(&d); custos_disclose__doc_strong(&d, "Date:"); custos_disclose__doc_text(&d, " "); custos_disclose__doc_text(&d, g->date); custos_disclose__doc_li_end(&d);
    }
    custos_disclose__doc_ul_end(&d);
    custos_disclose__doc_p(&d);
    custos_disclose__doc_text(&d, "Requirement ids are those of IPA's ★1 criteria (version 1.1, December 2024) where the id is "
                 "confirmed; the other items are cited by their ETSI EN 303 645 clause until their ids are "
                 "confirmed against IPA's checklist.");
    custos_disclose__doc_p_end(&d);
    custos_disclose__doc_table(&d, head, 4);
    for (size_t i = 0; i < N_ITEMS; i++) {
        custos_disclose__doc_tr(&d);
        custos_disclose__doc_td(&d, items[i].cite);
        custos_disclose__doc_td(&d, items[i].topic);
        custos_disclose__doc_td(&d, items[i].custos[0] ? items[i].custos : "-");
        custos_disclose__doc_td(&d, items[i].maker[0] ? items[i].maker : "-");
        custos_disclose__doc_tr_end(&d);
    }
    custos_disclose__doc_table_end(&d);
    custos_disclose__doc_end(&d);
    return CUSTOS_OK;
}
