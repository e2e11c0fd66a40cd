"""Consent receipts of an example product, read by generic consumers.

Drives the custos tool: compiles the product's manifest, loads it into a
fresh store, registers one subject, gives consent to every consent purpose
(the first without a notice hash, the others with one) and withdraws the
last (with a notice hash), then exports both receipt formats.

Kantara Consent Receipt 1.1: validated with `jsonschema` against
tests/format/schemas/kantara-cr-1.1.schema.json (written from the
specification's field list); a withdrawn purpose is not listed; every
listed purpose has a Kantara purpose category; `sensitive` is true exactly
when a listed purpose uses a special category, and then `spiCat` names
them; `thirdPartyDisclosure` is true exactly when a recipient is not a
processor (the Play Data safety CSV's "shared" rule); `policyUrl` and the
controller's contact fields are filled.

ISO/IEC TS 27560 (JSON-LD with DPV): every mandatory field of the record,
the parties and the events is present (shared/reference/vocabularies.md §4);
after JSON-LD expansion (pyld, no network) every DPV concept is an IRI, never
a string literal; every DPV term is a DPV 2.x term; the receipt id is its
own (no record has it); each record claims the record schema; a record
without a notice hash says so explicitly.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

import jsonschema
import rdflib
from pyld import jsonld

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_dpv import DPV, DPV_CORE, GDPR_NS, LOC, PD, no_network, taxonomy_terms  # noqa: E402
from disclose_common import args, fail, run  # noqa: E402

import yaml  # noqa: E402

DCT = "http://purl.org/dc/terms/"
RECORD_SCHEMA = "https://w3id.org/dpv/schema/dpv-27560#record"
# DPV terms a consent receipt may use beyond check_dpv's (vocabularies.md §3.2-3.6, §4).
DPV_CONSENT = {
    "ConsentRecord", "ConsentReceipt", "ConsentNotice", "Consent", "ExpressedConsent", "ExplicitlyExpressedConsent",
    "WithdrawConsent", "DataSubject", "GuardianOfDataSubject", "IndeterminateDuration",
    "ConsentUnknown", "ConsentRequested", "ConsentRequestDeferred", "ConsentGiven", "RenewedConsentGiven",
    "ConsentRefused", "ConsentWithdrawn", "ConsentRevoked", "ConsentExpired", "ConsentInvalidated",
    "hasNotice", "hasConsentStatus", "hasConsentControl", "isIndicatedAtTime", "isIndicatedBy",
    "hasIndicationMethod", "hasRecordOfActivity", "hasJurisdiction", "hasLocation",
}
# Properties whose values are DPV concepts (or nodes): never a literal.
CONCEPT_PROPS = [DPV + t for t in ("hasPurpose", "hasLegalBasis", "hasPersonalData", "hasDataController",
                                   "hasConsentStatus", "isIndicatedBy", "hasConsentControl", "hasNotice",
                                   "hasDataSubject", "hasStorageCondition", "hasRecipient", "hasDuration",
                                   "hasRecordOfActivity", "hasCountry")] + [DCT + "conformsTo"]
RECORD_FIELDS = ["schema_version", "record_id", "pii_principal_id", "privacy_notice", "language", "purpose",
                 "lawful_basis", "pii_information", "pii_controllers", "storage_locations", "retention_period",
                 "jurisdiction", "recipient_third_parties", "withdrawal_method", "events"]
PARTY_FIELDS = ["party_id", "party_name", "party_address", "party_contact", "party_type"]
EVENT_FIELDS = ["event_time", "validity_duration", "entity_id", "event_type", "event_state"]


def make_store(a, product, tmp):
    src = os.path.join(a.source, "examples", product, "privacy.yaml")
    with open(src, encoding="utf-8") as f:
        manifest = yaml.safe_load(f)
    pb, store = os.path.join(tmp, "privacy.pb"), os.path.join(tmp, "store")
    run([a.custos, "manifest", "compile", src, "-o", pb])
    run([a.custos, "consent", "load-manifest", pb, "--store", store])
    run([a.custos, "consent", "add-subject", "subject-1", "--store", store])
    ids = [p["id"] for p in manifest["purposes"] if p.get("legal_basis") == "consent"]
    if len(ids) < 2:
        fail(f"{product}: the test needs two consent purposes, the manifest has {len(ids)}")
    for n, pid in enumerate(ids):
        cmd = [a.custos, "consent", "give", "subject-1", str(pid), "--store", store, "--method", "app"]
        if n > 0:
            cmd += ["--notice-hash", f"{n:02x}" * 32]
        run(cmd)
    run([a.custos, "consent", "withdraw", "subject-1", str(ids[-1]), "--store", store, "--method", "app",
         "--notice-hash", "ee" * 32])
    out = {}
    for fmt in ("kantara", "iso27560"):
        path = os.path.join(tmp, fmt + ".json")
        run([a.custos, "consent", "receipt", "subject-1", "--format", fmt, "-o", path, "--store", store])
        with open(path, encoding="utf-8") as f:
            out[fmt] = json.load(f)
    return manifest, ids, out


def special_keys(manifest, purpose):
    special = {c["id"]: c["key"] for c in manifest["categories"] if c.get("special")}
    return [special[c] for c in purpose.get("categories", []) if c in special]


def check_kantara(a, manifest, ids, r):
    with open(os.path.join(a.source, "tests", "format", "schemas", "kantara-cr-1.1.schema.json"), encoding="utf-8") as f:
        schema = json.load(f)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(r), key=lambda e: list(e.path))
    if errors:
        fail("Kantara schema: " + "; ".join(f"{'/'.join(map(str, e.path)) or '(top)'}: {e.message}" for e in errors))
    by_key = {p["key"]: p for p in manifest["purposes"]}
    listed = [p["purpose"] for s in r["services"] for p in s["purposes"]]
    withdrawn = [p["key"] for p in manifest["purposes"] if p["id"] == ids[-1]]
    if withdrawn[0] in listed:
        fail(f"Kantara: the withdrawn purpose {withdrawn[0]} is listed as consented")
    if sorted(listed) != sorted(p["key"] for p in manifest["purposes"] if p["id"] in ids[:-1]):
        fail(f"Kantara: consented purposes listed {listed}")
    spi = sorted({k for key in listed for k in special_keys(manifest, by_key[key])})
    if r["sensitive"] != bool(spi) or sorted(r["spiCat"]) != spi:
        fail(f"Kantara: sensitive {r['sensitive']} spiCat {r['spiCat']}, the consented purposes use {spi}")
    for s in r["services"]:
        for p in s["purposes"]:
            shared = [x["name"] for x in by_key[p["purpose"]].get("recipients", []) if x.get("role") != "processor"]
            if p["thirdPartyDisclosure"] != bool(shared) or (shared and p["thirdPartyName"] not in shared):
                fail(f"Kantara: {p['purpose']} thirdPartyDisclosure {p['thirdPartyDisclosure']}, third parties {shared}")
    ctl, want = r["piiControllers"][0], manifest["product"]["controller"]
    name = want["name"]["en"] if isinstance(want["name"], dict) else want["name"]
    if ctl["piiController"] != name or ctl["address"].get("addressCountry") != want.get("country") or \
            ctl["email"] != want.get("contact", ctl["email"]) and "@" in want.get("contact", ""):
        fail(f"Kantara: controller {ctl}")


def need(obj, fields, where):
    missing = [f for f in fields if f not in obj]
    if missing:
        fail(f"ISO 27560 {where}: mandatory fields missing: {missing}")


def literal_concepts(node, bad):
    if isinstance(node, list):
        for x in node:
            literal_concepts(x, bad)
    elif isinstance(node, dict):
        for k, v in node.items():
            if k in CONCEPT_PROPS:
                bad.extend(f"{k} = {x['@value']!r}" for x in v if isinstance(x, dict) and "@value" in x)
            literal_concepts(v, bad)
    return bad


def check_iso_fields(r):
    need(r, ["@context", "schema_version", "receipt_id", "created", "records"], "receipt")
    for rec in r["records"]:
        need(rec, RECORD_FIELDS, "record")
        for c in rec["pii_controllers"]:
            need(c, PARTY_FIELDS, "controller")
        for pii in rec["pii_information"]:
            need(pii, ["pii_type"], "pii_information")
        for ev in rec["events"]:
            need(ev, EVENT_FIELDS, "event")
        if not re.fullmatch(r"[0-9a-f]{64}", rec["pii_principal_id"]) or not isinstance(rec["purpose"], str):
            fail("ISO 27560: pii_principal_id must stay the subject hash in hex and purpose the purpose key "
                 "(the fleet server reads both)")
        if rec["schema_version"] != RECORD_SCHEMA:
            fail(f"ISO 27560: a record claims the schema {rec['schema_version']!r}")
    if r["receipt_id"] in [rec["record_id"] for rec in r["records"]]:
        fail("ISO 27560: the receipt id is a record's id")
    if r["schema_version"] == RECORD_SCHEMA:
        fail("ISO 27560: the receipt claims the record schema")


def check_notice(manifest, ids, r):
    by_key = {p["key"]: p["id"] for p in manifest["purposes"]}
    for rec in r["records"]:
        n = rec["privacy_notice"]
        first = by_key.get(rec["purpose"])
        if not isinstance(n, dict) or n.get("custos:noticeHashRecorded") is not (first != ids[0]):
            fail(f"ISO 27560: record of purpose {first}: privacy_notice {n!r} does not say whether a notice hash "
                 "was recorded")


def check_iso_rdf(a, r):
    doc = {k: v for k, v in r.items() if not k.startswith("custos:")}
    expanded = jsonld.expand(doc, {"documentLoader": no_network})
    bad = literal_concepts(expanded, [])
    if bad:
        fail(f"ISO 27560: DPV concepts written as string literals: {sorted(set(bad))[:8]}")
    g = rdflib.Graph()
    g.parse(data=json.dumps(doc), format="json-ld")
    allowed = {DPV + t for t in DPV_CORE | DPV_CONSENT} | {GDPR_NS + "A6-1-a", GDPR_NS + "A9-2-a"} | taxonomy_terms(a.source)
    used = {str(t) for tr in g for t in tr if isinstance(t, rdflib.URIRef) and str(t).startswith((DPV, PD, GDPR_NS))}
    unknown = sorted(used - allowed)
    if unknown:
        fail(f"ISO 27560: terms outside DPV 2.x: {unknown}")
    return len(g)


def main():
    a = args()
    with tempfile.TemporaryDirectory(prefix="custos-receipt-") as tmp:
        manifest, ids, out = make_store(a, a.product, tmp)
    check_kantara(a, manifest, ids, out["kantara"])
    check_iso_fields(out["iso27560"])
    check_notice(manifest, ids, out["iso27560"])
    n = check_iso_rdf(a, out["iso27560"])
    print(f"{a.product}: Kantara receipt valid against the CR 1.1 schema; ISO 27560 receipt: "
          f"{len(out['iso27560']['records'])} records, {n} triples, every DPV concept an IRI")


if __name__ == "__main__":
    main()
