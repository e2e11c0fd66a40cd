"""The DPV JSON-LD expanded by pyld (a JSON-LD 1.1 processor) with no network:
the document carries its @context inline, and a document loader that refuses
every URL proves nothing is fetched. Every property and type of the compact
document must survive expansion as an absolute IRI (no term dropped).

Then rdflib loads it as RDF and SPARQL queries the default graph: one
dpv:Process per purpose, each with its purpose, personal data, legal basis,
controller and dpv:hasProcessing; retention as dpv:hasStorageCondition /
dpv:StorageDuration / dpv:hasDuration; one dpv:StorageLocation per declared
location; dpv:Transfer exactly for purposes with a recipient abroad. Every
dpv:, pd: and eu-gdpr: term used must be a DPV 2.x term (the core terms below,
and the DPV classes of schemas/taxonomy)."""
import csv
import json
import os

import rdflib

from pyld import jsonld

from disclose_common import Product, args, fail


def no_network(url, options=None):
    raise jsonld.JsonLdError(f"refusing to fetch {url}", "loading document failed")


def count_terms(node):
    """Properties (not keywords) and @type values in a compact or expanded document."""
    n = 0
    if isinstance(node, list):
        return sum(count_terms(x) for x in node)
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "@context":
                continue
            if k == "@type":
                n += len(v) if isinstance(v, list) else 1
                continue
            if not k.startswith("@"):
                n += 1
            n += count_terms(v)
    return n


def iris(node, out):
    if isinstance(node, list):
        for x in node:
            iris(x, out)
    elif isinstance(node, dict):
        for k, v in node.items():
            if not k.startswith("@"):
                out.append(k)
            if k == "@type":
                out.extend(v if isinstance(v, list) else [v])
            iris(v, out)
    return out


# DPV 2.x core terms the generator may write (w3id.org/dpv, DPV 2.3).
DPV_CORE = {
    "Process", "DataController", "DataProcessor", "ThirdParty", "PersonalData", "SpecialCategoryPersonalData",
    "Purpose", "Optional", "Required", "Collect", "Store", "Share", "Transfer", "StorageDuration",
    "StorageLocation", "TemporalDuration", "UntilEventDuration",
    "hasName", "hasAddress", "hasContact", "hasCountry", "hasDataController", "hasPurpose", "hasPersonalData",
    "hasLegalBasis", "hasNecessity", "hasProcessing", "hasRecipient", "hasStorageCondition", "hasDuration",
    "hasDataSubject",
}
GDPR = {"A6-1-a", "A6-1-b", "A6-1-c", "A6-1-d", "A6-1-e", "A6-1-f", "A9-2-a"}
DPV, PD, LOC = "https://w3id.org/dpv#", "https://w3id.org/dpv/pd#", "https://w3id.org/dpv/loc#"
GDPR_NS = "https://w3id.org/dpv/legal/eu/gdpr#"


def taxonomy_terms(source):
    out = set()
    tdir = os.path.join(source, "schemas", "taxonomy")
    for name, col in (("dpv_purposes.tsv", None), ("dpv_personal_data.tsv", None), ("legal_bases.tsv", "dpv"),
                      ("subject_roles.tsv", "dpv")):
        with open(os.path.join(tdir, name), encoding="utf-8") as f:
            for r in csv.DictReader(f, delimiter="\t"):
                v = r[col] if col else list(r.values())[0]
                if v:
                    out.add(v.replace("dpv:", DPV).replace("pd:", PD))
    return out


def check_rdf(p, path):
    g = rdflib.Graph()
    g.parse(path, format="json-ld")
    q = lambda text: list(g.query(text, initNs={"dpv": rdflib.Namespace(DPV)}))
    procs = q("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a dpv:Process }")[0][0].toPython()
    if procs != len(p.purposes()):
        fail(f"SPARQL on the default graph finds {procs} dpv:Process for {len(p.purposes())} purposes "
             f"({len(g)} triples)")
    for prop in ("hasPurpose", "hasPersonalData", "hasLegalBasis", "hasDataController", "hasProcessing"):
        n = q(f"SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p a dpv:Process ; dpv:{prop} ?x }}")[0][0].toPython()
        if n != procs:
            fail(f"{procs - n} processes without dpv:{prop}")
    kept = [x for x in p.purposes() if x.get("retention")]
    n = q("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a dpv:Process ; dpv:hasStorageCondition ?s . "
          "?s a dpv:StorageDuration ; dpv:hasDuration ?d }")[0][0].toPython()
    if n != len(kept):
        fail(f"{n} processes with a dpv:StorageDuration, {len(kept)} purposes with a retention")
    locs = sum(len(x.get("locations", [])) for x in p.purposes())
    n = q("SELECT (COUNT(?s) AS ?n) WHERE { ?p a dpv:Process ; dpv:hasStorageCondition ?s . "
          "?s a dpv:StorageLocation }")[0][0].toPython()
    if n != locs:
        fail(f"{n} dpv:StorageLocation, {locs} declared locations")
    home = p.manifest["product"]["controller"]["country"]
    abroad = [x for x in p.purposes() if any(r["country"] != home for r in x.get("recipients", []))]
    n = q("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a dpv:Process ; dpv:hasProcessing dpv:Transfer }")[0][0].toPython()
    if n != len(abroad):
        fail(f"{n} processes with dpv:Transfer, {len(abroad)} purposes with a recipient abroad")
    allowed = {DPV + t for t in DPV_CORE} | {GDPR_NS + a for a in GDPR} | taxonomy_terms(p.source)
    used = set()
    for s_, p_, o in g:
        for t in (p_, o):
            if isinstance(t, rdflib.URIRef) and str(t).startswith((DPV, PD, GDPR_NS)):
                used.add(str(t))
    unknown = sorted(used - allowed)
    if unknown:
        fail(f"terms outside DPV 2.x: {unknown}")
    return len(g)


def main():
    p = Product(args())
    path = p.file("processing.dpv.jsonld")
    if path is None:
        return
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    jsonld.set_document_loader(no_network)
    expanded = jsonld.expand(doc)
    before, after = count_terms(doc), count_terms(expanded)
    if before != after:
        fail(f"expansion dropped terms: {before} in the document, {after} after expansion")
    bad = [i for i in iris(expanded, []) if not i.startswith(("https://", "http://"))]
    if bad:
        fail(f"terms that did not expand to IRIs: {sorted(set(bad))}")
    dpv = "https://w3id.org/dpv#"
    if any("@graph" in n for n in expanded):
        fail("the document is a named graph (@id beside @graph): RDF readers see no processes in the default graph")
    processes = [n for n in expanded if dpv + "Process" in n.get("@type", [])]
    if len(processes) != len(p.purposes()):
        fail(f"{len(processes)} processes for {len(p.purposes())} purposes")
    for proc in processes:
        for prop in ("hasPurpose", "hasPersonalData", "hasLegalBasis", "hasDataController"):
            if dpv + prop not in proc:
                fail(f"{proc['@id']} has no dpv:{prop}")
    n = check_rdf(p, path)
    print(f"{p.name}: DPV JSON-LD expands with all {after} terms, {len(processes)} processes; "
          f"rdflib reads {n} triples in the default graph")


if __name__ == "__main__":
    main()
