/*
 * etsi.c: the implementation extra information for testing (IXIT) of ETSI
 * TS 103 701 for the EN 303 645 ICS (ics.c), in JSON for tools and Markdown
 * for people, in the tables a test laboratory reads: 10-SecParam (every key
 * Custos holds), 21-PersData (the manifest's data categories), 25-DelFunc
 * (the deletion functions), with the storage locations beside them. The
 * product block is shared with the ICS.
 */
#include "disclose_private.h"

#include <string.h>

void custos_disclose__ics_product_json(dc_jw *w, const dc_gen *g)
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

void custos_disclose__ics_product_md(dc_doc *d, const dc_gen *g)
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

/* ---------------------------------------------------------------- IXIT */

/* IXIT 10-SecParam: one row per security parameter Custos holds. */
typedef struct key_row {
    const char *id, *description, *type, *guarantees, *protection, *provisioning, *communication, *generation;
} key_row;

static const key_row keys[] = {
    { "KEK", "256-bit key-encryption key, by generation; wraps every data key", "critical",
      "confidentiality, integrity",
      "never leaves the key provider: default <store>/keys (mode 0600); Android Keystore, iOS Keychain or a "
      "secure element through the bridges and the device port",
      "created by the key provider on first open; a new generation after every per-subject erase, the old one "
      "destroyed; all destroyed at factory reset",
      "never communicated", "CSPRNG (libsodium randombytes or the device port's RNG)" },
    { "data key", "256-bit key per (subject, purpose); seals that pair's records with "
      "AES-256-GCM (on CPUs with AES instructions) or XChaCha20-Poly1305",
      "critical", "confidentiality, integrity",
      "stored only wrapped by the KEK (vault_key table of custos.db); in clear only in guarded memory, cached "
      "per open store and wiped on close, erase and KEK rotation",
      "created when the first record of that subject and purpose is stored; destroyed on erase of the subject "
      "or purpose and on withdrawal, before the records are removed",
      "never communicated; an export is re-encrypted to a recipient key (crypto_secretstream)", "CSPRNG" },
    { "device signing key", "Ed25519 key pair; signs consent events, deletion receipts, erase requests and audit "
      "checkpoints", "critical (private part), public (public part)", "integrity, authenticity",
      "private part never leaves the key provider", "created on first open, per device; destroyed at factory reset",
      "the public part is given to the paired app and the maker's back end to verify signatures", "CSPRNG" },
    { "device index key", "256-bit key for keyed BLAKE2b hashes of subject ids, so no subject id is stored in clear",
      "critical", "confidentiality", "never leaves the key provider", "created on first open; destroyed at factory reset",
      "never communicated", "CSPRNG" },
    { "paired app key", "Ed25519 public key of the companion app; verifies consent updates synced to the device",
      "public", "integrity, authenticity", "stored with the pairing; a changed key is a new pairing",
      "set at pairing", "received over the product's pairing channel (stated by the manufacturer)",
      "generated by the app's key provider" },
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
    custos_disclose__json_key(w, "21-PersData");
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
    custos_disclose__ics_product_json(&w, g);
    categories_json(&w, g);
    purposes_json(&w, g);
    storage_json(&w, g);
    custos_disclose__json_key(&w, "10-SecParam");
    custos_disclose__json_arr(&w);
    for (size_t i = 0; i < N_KEYS; i++) {
        custos_disclose__json_obj(&w);
        custos_disclose__json_kstr(&w, "id", keys[i].id);
        custos_disclose__json_kstr(&w, "description", keys[i].description);
        custos_disclose__json_kstr(&w, "type", keys[i].type);
        custos_disclose__json_kstr(&w, "security_guarantees", keys[i].guarantees);
        custos_disclose__json_kstr(&w, "protection_scheme", keys[i].protection);
        custos_disclose__json_kstr(&w, "provisioning_mechanism", keys[i].provisioning);
        custos_disclose__json_kstr(&w, "secure_communication_mechanisms", keys[i].communication);
        custos_disclose__json_kstr(&w, "generation_mechanism", keys[i].generation);
        custos_disclose__json_obj_end(&w);
    }
    custos_disclose__json_arr_end(&w);
    custos_disclose__json_key(&w, "25-DelFunc");
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
    custos_disclose__doc_h(d, 2, "IXIT 21-PersData: personal data");
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
    static const char *const khead[] = { "ID", "Description", "Type", "Security guarantees", "Protection scheme",
                                         "Provisioning mechanism", "Secure communication mechanisms",
                                         "Generation mechanism" };
    static const char *const dhead[] = { "Scope", "Mechanism" };
    custos_disclose__doc_begin(&d, "en", "ETSI TS 103 701 IXIT: implementation extra information");
    custos_disclose__ics_product_md(&d, g);
    categories_md(&d, g);
    storage_md(&d, g);
    custos_disclose__doc_h(&d, 2, "IXIT 10-SecParam: security parameters");
    custos_disclose__doc_table(&d, khead, 8);
    for (size_t i = 0; i < N_KEYS; i++) {
        const key_row *k = &keys[i];
        const char *cells[] = { k->id, k->description, k->type, k->guarantees, k->protection, k->provisioning,
                                k->communication, k->generation };
        custos_disclose__doc_tr(&d);
        for (size_t c = 0; c < sizeof cells / sizeof cells[0]; c++)
            custos_disclose__doc_td(&d, cells[c]);
        custos_disclose__doc_tr_end(&d);
    }
    custos_disclose__doc_table_end(&d);
    custos_disclose__doc_h(&d, 2, "IXIT 25-DelFunc: deletion functions");
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
