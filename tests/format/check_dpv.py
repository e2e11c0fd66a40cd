"""The DPV JSON-LD expanded by pyld (a JSON-LD 1.1 processor) with no network:
the document carries its @context inline, and a document loader that refuses
every URL proves nothing is fetched. Every property and type of the compact
document must survive expansion as an absolute IRI (no term dropped)."""
import json

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
    processes = [n for n in expanded[0]["@graph"] if dpv + "Process" in n.get("@type", [])]
    if len(processes) != len(p.purposes()):
        fail(f"{len(processes)} processes for {len(p.purposes())} purposes")
    for proc in processes:
        for prop in ("hasPurpose", "hasPersonalData", "hasLegalBasis", "hasDataController"):
            if dpv + prop not in proc:
                fail(f"{proc['@id']} has no dpv:{prop}")
    print(f"{p.name}: DPV JSON-LD expands with all {after} terms, {len(processes)} processes")


main()
