/*
 * etsi.c: the ETSI EN 303 645 implementation conformance statement (ICS)
 * and the implementation extra information for testing (IXIT, TS 103 701),
 * in JSON for tools and Markdown for people.
 *
 * Provision ids and wording follow shared/reference/requirements.md §1
 * (V2.1.1 as quoted there). Each provision has a status (supported,
 * not-applicable with its justification, not-supported), a scope (custos:
 * the SDK meets it; maker: it concerns parts of the product Custos does not
 * implement, and the maker must state it) and the evidence Custos provides.
 * The clause 5 groups the reference does not enumerate provision by
 * provision are listed for the maker to complete from the standard. The
 * statuses of 6-2 and 6-3 follow the manifest: without a consent-based
 * purpose there is no consent to obtain or withdraw.
 */
#include "disclose_private.h"

#include <string.h>

typedef enum { ST_SUPPORTED, ST_NA, ST_NOT } status;

typedef struct provision {
    const char *id, *level, *requirement;
    status st;
    const char *scope;
    const char *text;   /* evidence (supported) or justification */
} provision;

static const provision provisions[] = {
    { "5.1-1", "shall", "Passwords, where used, are unique per device or defined by the user", ST_NA, "maker",
      "Custos uses no passwords; its secrets are keys generated per device on first open. The maker states this "
      "provision for the product's own authentication." },
    { "5.1-2", "shall", "Pre-installed unique per-device passwords resist automated attacks", ST_NA, "maker",
      "Custos installs no passwords; its keys come from a CSPRNG at provisioning." },
    { "5.1-3", "shall", "User authentication against the device uses best-practice cryptography", ST_NA, "maker",
      "Custos does not authenticate users; the product does." },
    { "5.1-4", "shall", "The user has a simple mechanism to change the authentication value", ST_NA, "maker",
      "Custos holds no user authentication value." },
    { "5.1-5", "shall", "Brute-force attacks on network authentication are impracticable", ST_NA, "maker",
      "Custos exposes no network interface." },
    { "5.4-1", "shall", "Sensitive security parameters in persistent storage are stored securely", ST_SUPPORTED,
      "custos", "Keys are reachable only through the key-provider interface (custos/store.h); personal data is "
      "sealed with XChaCha20-Poly1305 under a data key per (subject, purpose), wrapped by the KEK (custos/vault.h)." },
    { "5.4-2", "shall", "A hard-coded per-device identity used for security resists tampering", ST_NA, "maker",
      "Custos uses no hard-coded identity: the device id and keys are generated at first open." },
    { "5.4-3", "shall", "No hard-coded critical security parameters in device software source code", ST_SUPPORTED,
      "custos", "The library contains no key constants; every key is drawn from the RNG at provisioning." },
    { "5.4-4", "shall", "Critical security parameters for updates and associated services are unique per device",
      ST_SUPPORTED, "custos", "The device signing key (Ed25519) that signs consent events, deletion receipts and "
      "erase requests for associated services is generated per device." },
    { "5.5-1", "shall", "The device uses best-practice cryptography to communicate securely", ST_NOT, "maker",
      "Transport security is the product's. Custos signs what it syncs (Ed25519) and encrypts what it exports "
      "(crypto_secretstream), but does not provide the channel." },
    { "5.5-2", "should", "Reviewed or evaluated implementations are used for security functions", ST_SUPPORTED,
      "custos", "All cryptography is libsodium's; Custos implements no primitive." },
    { "5.5-3", "should", "Cryptographic algorithms and primitives are updateable", ST_SUPPORTED, "custos",
      "Every file carries a format header with algorithm ids and a version; older versions migrate forward." },
    { "5.5-4", "should", "Network access to device functionality requires authentication", ST_NA, "maker",
      "Custos exposes no network interface." },
    { "5.5-5", "shall", "Security-relevant configuration over a network requires authentication", ST_NA, "maker",
      "Custos exposes no network interface; consent updates from the app are verified against the paired app key." },
    { "5.5-6", "should", "Critical security parameters are encrypted in transit", ST_SUPPORTED, "custos",
      "Keys never leave the key provider in clear; exports are encrypted to a recipient key." },
    { "5.5-7", "shall", "Critical security parameters sent over remote interfaces are kept confidential",
      ST_SUPPORTED, "custos", "Custos never sends a key; the KEK never leaves the key provider." },
    { "5.5-8", "shall", "Secure management processes for critical security parameters", ST_SUPPORTED, "custos",
      "The IXIT key inventory lists every key, where it lives, how it is made and destroyed." },
    { "5.7-1", "should", "The device verifies its software using secure boot", ST_NA, "maker",
      "Secure boot is the platform's; Custos verifies the integrity of its own stored data (AEAD tags, checksums)." },
    { "5.7-2", "should", "Unauthorised software change is detected and reported", ST_NA, "maker",
      "Software integrity is the platform's; Custos reports stored-data integrity failures as CUSTOS_ECORRUPT and "
      "records them in its audit chain." },
    { "5.8-1", "should", "Personal data in transit to associated services is protected with best-practice "
      "cryptography", ST_SUPPORTED, "custos", "Data exports use crypto_secretstream_xchacha20poly1305 to a "
      "recipient key; sync messages are signed. The product's own transport remains the maker's." },
    { "5.8-2", "shall", "Sensitive personal data communicated to associated services is protected "
      "cryptographically", ST_SUPPORTED, "custos", "The same mechanisms as 5.8-1; special-category data is "
      "flagged in the manifest and sealed like all personal data." },
    { "5.8-3", "shall", "External sensing capabilities are documented clearly for the user", ST_SUPPORTED,
      "custos", "The privacy notice generated from the manifest lists every data category, including every "
      "sensor category, with its purposes." },
    { "5.10-1", "should", "Telemetry data, if collected, is examined for security anomalies", ST_NA, "maker",
      "Telemetry analysis is the maker's service; Custos's audit chain records key failures and integrity "
      "violations for it." },
    { "5.11-1", "shall", "User data can be erased from the device in a simple manner", ST_SUPPORTED, "custos",
      "Per-subject and per-purpose crypto-erase and factory reset, resumable after power loss." },
    { "5.11-2", "should", "Personal data can be removed from associated services from the device", ST_SUPPORTED,
      "custos", "Every erase queues an authenticated EraseRequest for the cloud; a replayed request is recognised." },
    { "5.11-3", "should", "Users get clear instructions on how to delete their personal data", ST_SUPPORTED,
      "custos", "The generated privacy notice has a section on erasing data, in English and Japanese." },
    { "5.11-4", "should", "Users get clear confirmation that personal data has been deleted", ST_SUPPORTED,
      "custos", "Every erase produces a signed deletion receipt (scope, method, keys destroyed, verification)." },
    { "6-1", "shall", "Consumers get clear information on what personal data is processed, how, by whom and why",
      ST_SUPPORTED, "custos", "Privacy notice, app-store labels and DPV record generated from the manifest "
      "(purposes, categories, legal bases, retention, recipients and their countries)." },
    { "6-2", "shall", "Consent, where it is the basis, is obtained in a valid way", ST_SUPPORTED, "custos",
      "The consent ledger records each decision with the notice hash and version, method, actor and time, signed "
      "and hash-chained." },
    { "6-3", "shall", "Consumers who gave consent can withdraw it at any time", ST_SUPPORTED, "custos",
      "Withdrawal is one call, effective in the same transaction; the gate denies from then on." },
    { "6-4", "should", "Telemetry processing of personal data is kept to the minimum necessary", ST_SUPPORTED,
      "custos", "The gate denies any category not declared for the purpose." },
    { "6-5", "shall", "Consumers get information on what telemetry data is collected, how, by whom and why",
      ST_SUPPORTED, "custos", "The privacy notice lists every purpose with its data and recipients." },
};
#define N_PROVISIONS (sizeof provisions / sizeof provisions[0])

typedef struct group { const char *clause, *title; } group;

static const group maker_groups[] = {
    { "5.2", "Implement a means to manage reports of vulnerabilities" },
    { "5.3", "Keep software updated" },
    { "5.6", "Minimize exposed attack surfaces" },
    { "5.9", "Make systems resilient to outages" },
    { "5.12", "Make installation and maintenance of devices easy" },
    { "5.13", "Validate input data" },
};
#define N_GROUPS (sizeof maker_groups / sizeof maker_groups[0])

static const char *status_word(status s)
{
    return s == ST_SUPPORTED ? "supported" : s == ST_NA ? "not-applicable" : "not-supported";
}

static const char no_consent[] =
    "No purpose in this manifest relies on consent, so there is no consent to obtain or withdraw.";

/* The provision as this manifest makes it: 6-2 and 6-3 need a consent purpose. */
static provision effective(const dc_gen *g, const provision *p)
{
    provision e = *p;
    if ((strcmp(p->id, "6-2") == 0 || strcmp(p->id, "6-3") == 0) &&
        !custos_disclose__has_basis(g->m, CUSTOS__V1__LEGAL_BASIS__LEGAL_BASIS_CONSENT)) {
        e.st = ST_NA;
        e.text = no_consent;
    }
    return e;
}

static void product_json(dc_jw *w, const dc_gen *g)
{
    const Custos__V1__Product *pr = g->m->product;
    custos_disclose__json_key(w, "product");
    custos_disclose__json_obj(w);
    custos_disclose__json_kstr(w, "name", pr->name);
    if (pr->model)
        custos_disclose__json_kstr(w, "model", pr->model);
    custos_disclose__json_kstr(w, "manufacturer", pr->controller->name);
    if (pr->support_until)
        custos_disclose__json_kstr(w, "support_until", pr->support_until);
    custos_disclose__json_key(w, "policy_version");
    custos_disclose__json_uint(w, pr->policy_version);
    custos_disclose__json_kstr(w, "manifest_id", g->id_hex);
    custos_disclose__json_obj_end(w);
    if (g->date)
        custos_disclose__json_kstr(w, "date", g->date);
}

static void ics_json(dc_gen *g)
{
    dc_jw w = { .b = &g->out };
    custos_disclose__json_obj(&w);
    custos_disclose__json_kstr(&w, "document", "ETSI EN 303 645 implementation conformance statement");
    custos_disclose__json_kstr(&w, "provision_text", "ETSI EN 303 645 V2.1.1; check the numbering against V3.1.3");
    product_json(&w, g);
    custos_disclose__json_key(&w, "provisions");
    custos_disclose__json_arr(&w);
    for (size_t i = 0; i < N_PROVISIONS; i++) {
        provision p = effective(g, &provisions[i]);
        custos_disclose__json_obj(&w);
        custos_disclose__json_kstr(&w, "id", p.id);
        custos_disclose__json_kstr(&w, "level", p.level);
        custos_disclose__json_kstr(&w, "requirement", p.requirement);
        custos_disclose__json_kstr(&w, "status", status_word(p.st));
        custos_disclose__json_kstr(&w, "scope", p.scope);
        custos_disclose__json_kstr(&w, p.st == ST_SUPPORTED ? "evidence" : "justification", p.text);
        custos_disclose__json_obj_end(&w);
    }
    custos_disclose__json_arr_end(&w);
    custos_disclose__json_key(&w, "maker_clauses");
    custos_disclose__json_arr(&w);
    for (size_t i = 0; i < N_GROUPS; i++) {
        custos_disclose__json_obj(&w);
        custos_disclose__json_kstr(&w, "clause", maker_groups[i].clause);
        custos_disclose__json_kstr(&w, "title", maker_groups[i].title);
        custos_disclose__json_kstr(&w, "status", "to be stated by the maker");
        custos_disclose__json_obj_end(&w);
    }
    custos_disclose__json_arr_end(&w);
    custos_disclose__json_obj_end(&w);
}

static void product_md(dc_doc *d, const dc_gen *g)
{
    const Custos__V1__Product *pr = g->m->product;
    custos_disclose__doc_ul(d);
    custos_disclose__doc_li(d); custos_disclose__doc_strong(d, "Product:"); custos_disclose__doc_text(d, " "); custos_disclose__doc_text(d, pr->name);
    if (pr->model) {
        custos_disclose__doc_text(d, ", model ");
        custos_disclose__doc_text(d, pr->model);
    }
    custos_disclose__doc_li_end(d);
    custos_disclose__doc_li(d); custos_disclose__doc_strong(d, "Manufacturer:"); custos_disclose__doc_text(d, " "); custos_disclose__doc_text(d, pr->controller->name); custos_disclose__doc_li_end(d);
    if (pr->support_until) {
        custos_disclose__doc_li(d); custos_disclose__doc_strong(d, "Security support until:"); custos_disclose__doc_text(d, " ");
        custos_disclose__doc_text(d, pr->support_until); custos_disclose__doc_li_end(d);
    }
    custos_disclose__doc_li(d); custos_disclose__doc_strong(d, "Manifest id:"); custos_disclose__doc_text(d, " "); custos_disclose__doc_code(d, g->id_hex); custos_disclose__doc_li_end(d);
    if (g->date) {
        custos_disclose__doc_li(d); custos_disclose__doc_strong(d, "Date:"); custos_disclose__doc_text(d, " "); custos_disclose__doc_text(d, g->date); custos_disclose__doc_li_end(d);
    }
    custos_disclose__doc_ul_end(d);
}

static void ics_md(dc_gen *g)
{
    dc_doc d = { &g->out, 0, 0 };
    static const char *const head[] = { "Provision", "Level", "Status", "Scope", "Evidence or justification" };
    custos_disclose__doc_begin(&d, "en", "ETSI EN 303 645 implementation conformance statement");
    product_md(&d, g);
    custos_disclose__doc_p(&d);
    custos_disclose__doc_text(&d, "Provision wording from ETSI EN 303 645 V2.1.1; check the numbering against V3.1.3. "
                 "Scope \"maker\" marks provisions about parts of the product that Custos does not implement: "
                 "the maker states them before submission.");
    custos_disclose__doc_p_end(&d);
    custos_disclose__doc_h(&d, 2, "Provisions");
    custos_disclose__doc_table(&d, head, 5);
    for (size_t i = 0; i < N_PROVISIONS; i++) {
        provision p = effective(g, &provisions[i]);
        custos_disclose__doc_tr(&d);
        custos_disclose__doc_td(&d, p.id);
        custos_disclose__doc_td(&d, p.level);
        custos_disclose__doc_td(&d, status_word(p.st));
        custos_disclose__doc_td(&d, p.scope);
        custos_disclose__doc_td(&d, p.text);
        custos_disclose__doc_tr_end(&d);
    }
    custos_disclose__doc_table_end(&d);
    custos_disclose__doc_h(&d, 2, "Clauses the maker states");
    custos_disclose__doc_ul(&d);
    for (size_t i = 0; i < N_GROUPS; i++) {
        custos_disclose__doc_li(&d);
        custos_disclose__doc_strong(&d, maker_groups[i].clause);
        custos_disclose__doc_text(&d, " ");
        custos_disclose__doc_text(&d, maker_groups[i].title);
        custos_disclose__doc_li_end(&d);
    }
    custos_disclose__doc_ul_end(&d);
    custos_disclose__doc_end(&d);
}

int custos_disclose__ics(dc_gen *g, int json)
{
    if (json)
        ics_json(g);
    else
        ics_md(g);
    return CUSTOS_OK;
}

/* ---------------------------------------------------------------- IXIT */

typedef struct key_row { const char *name, *kind, *where, *made, *use, *destroyed; } key_row;

static const key_row keys[] = {
    { "KEK", "256-bit symmetric key-encryption key, by generation",
      "key provider: default <store>/keys (mode 0600); Android Keystore, iOS Keychain or a secure element "
      "through the bridges and the device port",
      "on first open, from the RNG", "wraps every data key (XChaCha20-Poly1305)",
      "old generation destroyed after every per-subject erase (rotation); all destroyed at factory reset" },
    { "data key", "256-bit symmetric key, one per (subject, purpose)",
      "vault_key table of custos.db, wrapped by the KEK; in clear only in guarded memory, cached per open store and wiped on close, erase and KEK rotation",
      "when the first record of that subject and purpose is stored, from the RNG",
      "seals records with XChaCha20-Poly1305; associated data binds record, subject, purpose, category and key id",
      "destroyed on erase of the subject or purpose and on withdrawal, before the records are removed" },
    { "device signing key", "Ed25519 key pair", "key provider (default <store>/keys)",
      "on first open, from the RNG", "signs consent events, deletion receipts, erase requests and audit checkpoints",
      "factory reset" },
    { "device index key", "256-bit key", "key provider (default <store>/keys)", "on first open, from the RNG",
      "keyed BLAKE2b hashes of subject ids, so no subject id is stored in clear", "factory reset" },
};
#define N_KEYS (sizeof keys / sizeof keys[0])

typedef struct deletion_row { const char *what, *how; } deletion_row;

static const deletion_row deletion[] = {
    { "one subject", "destroy the subject's data keys, rotate the KEK, delete the rows, checkpoint and truncate "
      "the WAL; journaled, so a power cut ends in the erase completed" },
    { "one purpose of one subject", "the same on the (subject, purpose) data key; runs on consent withdrawal" },
    { "factory reset", "destroy the KEK and the device keys in the provider, overwrite and remove every file the "
      "SDK owns, start again with fresh keys" },
    { "expiry", "each record carries the expiry of its purpose's retention; maintenance removes expired records" },
    { "confirmation", "a signed deletion receipt: scope, method, key ids destroyed, storage touched, verification" },
    { "associated services", "an authenticated EraseRequest is queued for the cloud; replays are recognised" },
};
#define N_DELETION (sizeof deletion / sizeof deletion[0])

static void purposes_of(dc_jw *w, const custos_manifest_pb *m, uint32_t cat)
{
    custos_disclose__json_key(w, "purposes");
    custos_disclose__json_arr(w);
    for (size_t i = 0; i < m->n_purposes; i++)
        if (custos__purpose_uses(m->purposes[i], cat))
            custos_disclose__json_str(w, m->purposes[i]->key);
    custos_disclose__json_arr_end(w);
}

static void locations_of(dc_jw *w, const custos_manifest_pb *m, uint32_t cat)
{
    custos_disclose__json_key(w, "storage");
    custos_disclose__json_arr(w);
    for (int loc = 1; loc <= 3; loc++) {
        int used = 0;
        for (size_t i = 0; i < m->n_purposes && !used; i++) {
            const custos_purpose_pb *p = m->purposes[i];
            for (size_t j = 0; custos__purpose_uses(p, cat) && j < p->n_locations; j++)
                used |= (int)p->locations[j] == loc;
        }
        if (used)
            custos_disclose__json_str(w, custos_disclose__location_key((Custos__V1__StorageLocation)loc));
    }
    custos_disclose__json_arr_end(w);
}

static void categories_json(dc_jw *w, const dc_gen *g)
{
    const custos_manifest_pb *m = g->m;
    custos_disclose__json_key(w, "data_categories");
    custos_disclose__json_arr(w);
    for (size_t i = 0; i < m->n_categories; i++) {
        const custos_category_pb *c = m->categories[i];
        custos_disclose__json_obj(w);
        custos_disclose__json_key(w, "id");
        custos_disclose__json_uint(w, c->id);
        custos_disclose__json_kstr(w, "key", c->key);
        custos_disclose__json_kstr(w, "name", custos__manifest_text(c->name, c->n_name, "en"));
        custos_disclose__json_kbool(w, "special", c->has_special && c->special);
        custos_disclose__json_kbool(w, "leaves_the_device", custos_disclose__category_collected(m, c->id));
        purposes_of(w, m, c->id);
        locations_of(w, m, c->id);
        custos_disclose__json_obj_end(w);
    }
    custos_disclose__json_arr_end(w);
}

static void purposes_json(dc_jw *w, const dc_gen *g)
{
    dc_gen en = *g;
    en.ja = 0;
    custos_disclose__json_key(w, "purposes");
    custos_disclose__json_arr(w);
    for (size_t i = 0; i < g->m->n_purposes; i++) {
        const custos_purpose_pb *p = g->m->purposes[i];
        custos__text keep = { 0 };
        custos_disclose__duration(&en, &keep, p->retention);
        custos_disclose__json_obj(w);
        custos_disclose__json_key(w, "id");
        custos_disclose__json_uint(w, p->id);
        custos_disclose__json_kstr(w, "key", p->key);
        custos_disclose__json_kstr(w, "legal_basis", custos_disclose__basis_dpv(p->legal_basis));
        custos_disclose__json_kstr(w, "retention", keep.data ? keep.data : "");
        custos_disclose__json_key(w, "recipients");
        custos_disclose__json_arr(w);
        for (size_t j = 0; j < p->n_recipients; j++) {
            custos_disclose__json_obj(w);
            custos_disclose__json_kstr(w, "name", p->recipients[j]->name);
            custos_disclose__json_kstr(w, "country", p->recipients[j]->country);
            custos_disclose__json_kstr(w, "role", custos_disclose__recipient_is_processor(p->recipients[j]) ? "processor" : "third-party");
            custos_disclose__json_obj_end(w);
        }
        custos_disclose__json_arr_end(w);
        custos_disclose__json_obj_end(w);
        w->b->failed |= keep.failed;
        custos__text_discard(&keep);
    }
    custos_disclose__json_arr_end(w);
}

typedef struct storage_row {
    Custos__V1__StorageLocation where;
    const char *contents, *protection;
} storage_row;

/* The device row is always present: the Custos store itself lives there. */
static const storage_row storage[] = {
    { CUSTOS__V1__STORAGE_LOCATION__STORAGE_LOCATION_DEVICE,
      "the Custos store directory: STORE (format header), custos.db with -wal and -shm (SQLite, WAL, "
      "secure_delete), keys (default key provider, mode 0600), and an intent journal during multi-step erasures",
      "records sealed per (subject, purpose); subjects only as keyed hashes" },
    { CUSTOS__V1__STORAGE_LOCATION__STORAGE_LOCATION_APP,
      "a Custos store inside the companion app's private storage",
      "as on the device; keys in Android Keystore or iOS Keychain through the bridges" },
    { CUSTOS__V1__STORAGE_LOCATION__STORAGE_LOCATION_CLOUD, "the maker's associated service",
      "to be described by the maker; it receives authenticated erase requests" },
};
#define N_STORAGE (sizeof storage / sizeof storage[0])

static int storage_used(const dc_gen *g, const storage_row *r)
{
    return r->where == CUSTOS__V1__STORAGE_LOCATION__STORAGE_LOCATION_DEVICE || custos_disclose__has_location(g->m, r->where);
}

static void storage_json(dc_jw *w, const dc_gen *g)
{
    custos_disclose__json_key(w, "storage_locations");
    custos_disclose__json_arr(w);
    for (size_t i = 0; i < N_STORAGE; i++) {
        if (!storage_used(g, &storage[i]))
            continue;
        custos_disclose__json_obj(w);
        custos_disclose__json_kstr(w, "location", custos_disclose__location_key(storage[i].where));
        custos_disclose__json_kstr(w, "contents", storage[i].contents);
        custos_disclose__json_kstr(w, "protection", storage[i].protection);
        custos_disclose__json_obj_end(w);
    }
    custos_disclose__json_arr_end(w);
}

static void storage_md(dc_doc *d, const dc_gen *g)
{
    static const char *const head[] = { "Location", "Contents", "Protection" };
    custos_disclose__doc_h(d, 2, "Storage locations");
    custos_disclose__doc_table(d, head, 3);
    for (size_t i = 0; i < N_STORAGE; i++) {
        if (!storage_used(g, &storage[i]))
            continue;
        custos_disclose__doc_tr(d);
        custos_disclose__doc_td(d, custos_disclose__location_key(storage[i].where));
        custos_disclose__doc_td(d, storage[i].contents);
        custos_disclose__doc_td(d, storage[i].protection);
        custos_disclose__doc_tr_end(d);
    }
    custos_disclose__doc_table_end(d);
}

static void ixit_json(dc_gen *g)
{
    dc_jw w = { .b = &g->out };
    custos_disclose__json_obj(&w);
    custos_disclose__json_kstr(&w, "document", "ETSI TS 103 701 implementation extra information for testing (IXIT)");
    product_json(&w, g);
    categories_json(&w, g);
    purposes_json(&w, g);
    storage_json(&w, g);
    custos_disclose__json_key(&w, "key_inventory");
    custos_disclose__json_arr(&w);
    for (size_t i = 0; i < N_KEYS; i++) {
        custos_disclose__json_obj(&w);
        custos_disclose__json_kstr(&w, "name", keys[i].name);
        custos_disclose__json_kstr(&w, "kind", keys[i].kind);
        custos_disclose__json_kstr(&w, "where", keys[i].where);
        custos_disclose__json_kstr(&w, "generated", keys[i].made);
        custos_disclose__json_kstr(&w, "use", keys[i].use);
        custos_disclose__json_kstr(&w, "destroyed", keys[i].destroyed);
        custos_disclose__json_obj_end(&w);
    }
    custos_disclose__json_arr_end(&w);
    custos_disclose__json_key(&w, "deletion");
    custos_disclose__json_arr(&w);
    for (size_t i = 0; i < N_DELETION; i++) {
        custos_disclose__json_obj(&w);
        custos_disclose__json_kstr(&w, "scope", deletion[i].what);
        custos_disclose__json_kstr(&w, "mechanism", deletion[i].how);
        custos_disclose__json_obj_end(&w);
    }
    custos_disclose__json_arr_end(&w);
    custos_disclose__json_obj_end(&w);
}

static void categories_md(dc_doc *d, const dc_gen *g)
{
    static const char *const head[] = { "Id", "Key", "Name", "Special", "Leaves the device", "Purposes" };
    const custos_manifest_pb *m = g->m;
    custos_disclose__doc_h(d, 2, "Data categories");
    custos_disclose__doc_table(d, head, 6);
    for (size_t i = 0; i < m->n_categories; i++) {
        const custos_category_pb *c = m->categories[i];
        custos__text id = { 0 }, ps = { 0 };
        custos__text_printf(&id, "%u", c->id);
        for (size_t j = 0; j < m->n_purposes; j++)
            if (custos__purpose_uses(m->purposes[j], c->id))
                custos__text_printf(&ps, "%s%s", ps.len ? ", " : "", m->purposes[j]->key);
        custos_disclose__doc_tr(d);
        custos_disclose__doc_td(d, id.data ? id.data : "");
        custos_disclose__doc_td(d, c->key);
        custos_disclose__doc_td(d, custos__manifest_text(c->name, c->n_name, "en"));
        custos_disclose__doc_td(d, c->has_special && c->special ? "yes" : "no");
        custos_disclose__doc_td(d, custos_disclose__category_collected(m, c->id) ? "yes" : "no");
        custos_disclose__doc_td(d, ps.data ? ps.data : "");
        custos_disclose__doc_tr_end(d);
        d->b->failed |= id.failed | ps.failed;
        custos__text_discard(&id);
        custos__text_discard(&ps);
    }
    custos_disclose__doc_table_end(d);
}

static void ixit_md(dc_gen *g)
{
    dc_doc d = { &g->out, 0, 0 };
    static const char *const khead[] = { "Key", "Kind", "Where", "Generated", "Use", "Destroyed" };
    static const char *const dhead[] = { "Scope", "Mechanism" };
    custos_disclose__doc_begin(&d, "en", "ETSI TS 103 701 IXIT: implementation extra information");
    product_md(&d, g);
    categories_md(&d, g);
    storage_md(&d, g);
    custos_disclose__doc_h(&d, 2, "Key inventory");
    custos_disclose__doc_table(&d, khead, 6);
    for (size_t i = 0; i < N_KEYS; i++) {
        custos_disclose__doc_tr(&d);
        custos_disclose__doc_td(&d, keys[i].name);
        custos_disclose__doc_td(&d, keys[i].kind);
        custos_disclose__doc_td(&d, keys[i].where);
        custos_disclose__doc_td(&d, keys[i].made);
        custos_disclose__doc_td(&d, keys[i].use);
        custos_disclose__doc_td(&d, keys[i].destroyed);
        custos_disclose__doc_tr_end(&d);
    }
    custos_disclose__doc_table_end(&d);
    custos_disclose__doc_h(&d, 2, "Deletion mechanism");
    custos_disclose__doc_table(&d, dhead, 2);
    for (size_t i = 0; i < N_DELETION; i++) {
        custos_disclose__doc_tr(&d);
        custos_disclose__doc_td(&d, deletion[i].what);
        custos_disclose__doc_td(&d, deletion[i].how);
        custos_disclose__doc_tr_end(&d);
    }
    custos_disclose__doc_table_end(&d);
    custos_disclose__doc_end(&d);
}

int custos_disclose__ixit(dc_gen *g, int json)
{
    if (json)
        ixit_json(g);
    else
        ixit_md(g);
    return CUSTOS_OK;
}
