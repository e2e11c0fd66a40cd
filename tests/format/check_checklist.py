"""The privacy notices against the legal checklists (tests/format/checklists):
for each jurisdiction the manifest names, every item the checklist requires
for this manifest is in every notice (en and ja, Markdown and HTML), found by
the marker the generator writes before it (<!--custos:ID-->), never by its
prose. A marker no checklist knows, or a required one that is missing, fails.
The Japanese notices use the PPC's terms and say 要配慮個人情報 only where a
category is special care-required information under the APPI."""
import os
import re

from disclose_common import Product, args, fail

EU = set("AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split())
EEA = EU | {"IS", "LI", "NO"}
MARK = re.compile(r"<!--custos:([a-z0-9.]+(?:#[0-9.]+)?)-->")
CHECKLISTS = {"gdpr": ("EU-GDPR", "UK-GDPR"), "appi": ("JP-APPI",)}
WRONG_JA = ("取り消", "取り扱いの", "取り扱いに", "取り扱いを")


def checklist(source, name):
    rows = []
    with open(os.path.join(source, "tests", "format", "checklists", f"{name}.tsv"), encoding="utf-8") as f:
        lines = [l.rstrip("\n") for l in f if l.strip() and not l.startswith("#")]
    head = lines[0].split("\t")
    for line in lines[1:]:
        row = dict(zip(head, line.split("\t")))
        if not row.get("article") or not row.get("requirement"):
            fail(f"{name}.tsv: {row.get('id')} cites no article or requirement")
        rows.append(row)
    return rows


def recipients(pur):
    return sorted(pur.get("recipients", []), key=lambda r: (r["name"], r["country"]))


def appi_sensitive(cat):
    key = cat["key"]
    default = key == "user.health_and_medical" or key.startswith("user.health_and_medical.")
    return cat.get("appi_sensitive", default)


def expected(p, row):
    """The marker ids this manifest requires for one checklist row."""
    prod, purposes, i = p.manifest["product"], p.purposes(), row["id"]
    scope = row["scope"]
    if scope == "product":
        return [i]
    if scope == "product-eu-representative":
        return [i] if prod["controller"]["country"] not in EU else []
    if scope == "product-dpo":
        return [i] if "privacy_contact" in prod else []
    if scope == "product-abroad":
        return [i] if any(r["country"] != "JP" for pur in purposes for r in pur.get("recipients", [])) else []
    if scope == "purpose":
        return [f"{i}#{pur['id']}" for pur in purposes]
    if scope == "purpose-consent":
        return [f"{i}#{pur['id']}" for pur in purposes if pur["legal_basis"] == "consent"]
    if scope == "purpose-legitimate-interest":
        return [f"{i}#{pur['id']}" for pur in purposes if pur["legal_basis"] == "legitimate_interest"]
    if scope.startswith("recipient-"):
        want = {"recipient-outside-eea": lambda r: r["country"] not in EEA,
                "recipient-outside-japan": lambda r: r["country"] != "JP",
                "recipient-third-party": lambda r: r.get("role", "third_party") != "processor"}[scope]
        return [f"{i}#{pur['id']}.{k}" for pur in purposes for k, r in enumerate(recipients(pur), 1) if want(r)]
    if scope == "category-appi-sensitive":
        return [f"{i}#{c['id']}" for c in p.manifest["categories"] if appi_sensitive(c)]
    fail(f"checklist row {i}: unknown scope {scope!r}")


def read(p, name):
    with open(p.file(name), encoding="utf-8") as f:
        return f.read()


def main():
    p = Product(args())
    juris = set(p.manifest["product"]["jurisdictions"])
    lists = {name: checklist(p.source, name) for name in CHECKLISTS}
    known = {row["id"] for rows in lists.values() for row in rows}
    required = []
    for name, rows in lists.items():
        if juris & set(CHECKLISTS[name]):
            required += [(m, row["article"]) for row in rows for m in expected(p, row)]
    for lang in ("en", "ja"):
        for ext in ("md", "html"):
            text = read(p, f"privacy-notice.{lang}.{ext}")
            marks = MARK.findall(text)
            unknown = sorted({m.split("#")[0] for m in marks} - known)
            if unknown:
                fail(f"{lang} {ext} notice: markers {unknown} are in no checklist")
            dup = sorted({m for m in marks if marks.count(m) > 1})
            if dup:
                fail(f"{lang} {ext} notice: markers {dup} written twice")
            missing = [f"{m} ({art})" for m, art in required if m not in marks]
            if missing:
                fail(f"{lang} {ext} notice lacks {missing}")
            if lang == "ja":
                for w in WRONG_JA:
                    if w in text:
                        fail(f"ja {ext} notice uses {w!r}; the PPC's terms are 撤回 and 取扱い")
                sensitive = any(appi_sensitive(c) for c in p.manifest["categories"])
                if ("要配慮個人情報" in text) != sensitive:
                    fail(f"ja {ext} notice {'omits' if sensitive else 'says'} 要配慮個人情報, but the manifest "
                         f"{'has' if sensitive else 'has no'} special care-required category")
    print(f"{p.name}: {len(required)} required items ({', '.join(sorted(n for n in CHECKLISTS if juris & set(CHECKLISTS[n])))}) "
          f"in the en and ja notices, Markdown and HTML")


main()
