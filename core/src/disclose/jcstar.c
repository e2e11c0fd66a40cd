/*
 * jcstar.c: the JC-STAR ★1 evidence sheet: all 16 items, in IPA's order.
 *
 * An item whose id shared/reference/requirements.md (§3.2, §9.2) marks as
 * confirmed is cited by that id (S1.1-xx). The others (09, 11, 13, 14) are
 * cited by their ETSI EN 303 645 clause and their position among the 16,
 * never by an id IPA's checklist may number differently. For each item the
 * sheet says how it is assessed, what Custos provides as evidence and what
 * the maker must show. S1.1-15 (deletion after disposal or transfer) is
 * assessed by document and device test: its device-test evidence is the
 * signed factory-reset receipt and the forensic scan of the store.
 */
#include "disclose_private.h"

#include <string.h>

typedef struct item {
    const char *cite;      /* a confirmed id, or "item n: ETSI EN 303 645 x" */
    const char *topic;
    const char *assessed;  /* document, device test, or both; "-" where the reference does not say */
    const char *custos;    /* the evidence Custos provides, or "" */
    const char *maker;     /* what the maker must provide */
} item;

static const item items[] = {
    { "S1.1-01", "Access control over IP communication based on appropriate authentication", "document", "",
      "Describe the authentication of every network interface." },
    { "S1.1-02", "No universal default passwords", "document",
      "Custos holds no passwords; its keys are generated per device on first open.",
      "Describe the product's default credentials." },
    { "S1.1-03", "Authentication values can be changed", "document", "",
      "Describe how users change authentication values." },
    { "S1.1-04", "Brute-force attacks on network authentication are made difficult", "device test", "",
      "Device test of the product's authentication." },
    { "S1.1-05", "Published vulnerability disclosure policy", "document", "",
      "Publish the policy with contact point and timelines." },
    { "S1.1-06", "Software components included in the IoT product (the item's text is confirmed only in its "
      "opening)", "-",
      "Custos's file formats carry versions and algorithm ids; older versions migrate forward, newer ones are refused.",
      "Describe how the product's software is updated." },
    { "S1.1-07", "The update procedure is stated clearly to users", "document", "", "State the update procedure." },
    { "S1.1-08", "Updates delivered over a network are checked for integrity and authenticity before they are "
      "applied, and protected from eavesdropping in transit", "-", "",
      "Describe the update mechanism's signature check and transport." },
    { "item 9 of 16 (id not confirmed): ETSI EN 303 645 5.3", "Software updates (timeliness, notification)", "-",
      "", "Describe the update policy." },
    { "S1.1-10", "The product model number is provided to users", "-",
      "The generated privacy notice names the product and its model number.", "" },
    { "item 11 of 16 (id not confirmed): ETSI EN 303 645 5.4-1",
      "Secure storage of sensitive security parameters", "-",
      "Keys only through the key provider; personal data sealed with "
      "AES-256-GCM (on CPUs with AES instructions) or XChaCha20-Poly1305 under per-(subject, "
      "purpose) keys wrapped by the KEK (IXIT 10-SecParam; test_vault, test_vault_forensic).",
      "Name the key provider used on the product (file, secure element, Keystore, Keychain)." },
    { "S1.1-12", "Information sent over the network is protected from eavesdropping", "-",
      "Custos exports are encrypted (crypto_secretstream) and sync messages signed.",
      "Describe the product's TLS configuration and its ciphers (CRYPTREC list)." },
    { "item 13 of 16 (id not confirmed): ETSI EN 303 645 5.6", "Minimised attack surface", "-",
      "Custos opens no network port.", "Describe the product's interfaces and services." },
    { "item 14 of 16 (id not confirmed): ETSI EN 303 645 5.9", "Resilience", "-",
      "Multi-step operations are journaled: a power cut never leaves an erase half done (test_crash_erase_reset).",
      "" },
    { "S1.1-15", "User data is not recoverable after disposal or transfer: personal data, logs, user settings, "
      "passwords and authentication values, keys and signatures acquired in use; the application stays",
      "document and device test",
      "Document: factory reset destroys the KEK and the device keys, overwrites and removes every file Custos "
      "owns, starts again with fresh keys (IXIT 25-DelFunc). Device test: the signed factory-reset deletion "
      "receipt (scope, method, keys destroyed, verification; test_erase_reset) and the forensic scan of the "
      "store after the erase, which finds no record, key or subject id (custos_scan; test_forensic_erase).",
      "Run the reset on the device, keep its receipt and the scan result; state how the product's own data "
      "outside Custos is reset." },
    { "S1.1-16", "Product information provided to users", "-", "", "Publish the product information page." },
};
#define N_ITEMS (sizeof items / sizeof items[0])

int custos_disclose__jcstar(dc_gen *g)
{
    const Custos__V1__Product *pr = g->m->product;
    dc_doc d = { &g->out, 0, 0 };
    static const char *const head[] = { "Requirement", "Topic", "Assessed by", "Evidence from Custos",
                                         "The maker provides" };
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
    custos_disclose__doc_text(&d, "All 16 items of IPA's ★1 criteria (version 1.1, December 2024), in order. "
                 "Items whose id is confirmed are cited by it; the others are cited by their position and their "
                 "ETSI EN 303 645 clause until their ids are confirmed against IPA's checklist.");
    custos_disclose__doc_p_end(&d);
    custos_disclose__doc_table(&d, head, 5);
    for (size_t i = 0; i < N_ITEMS; i++) {
        custos_disclose__doc_tr(&d);
        custos_disclose__doc_td(&d, items[i].cite);
        custos_disclose__doc_td(&d, items[i].topic);
        custos_disclose__doc_td(&d, items[i].assessed);
        custos_disclose__doc_td(&d, items[i].custos[0] ? items[i].custos : "-");
        custos_disclose__doc_td(&d, items[i].maker[0] ? items[i].maker : "-");
        custos_disclose__doc_tr_end(&d);
    }
    custos_disclose__doc_table_end(&d);
    custos_disclose__doc_end(&d);
    return CUSTOS_OK;
}
