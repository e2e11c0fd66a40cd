"""Apple's required-reason API categories and reason codes, read from
schemas/taxonomy (apple_api_categories.tsv, apple_api_reasons.tsv: the exact
strings of shared/reference/vocabularies.md §6.5), and the rules App Store
Connect applies to NSPrivacyAccessedAPITypes."""
import csv
import os


def load(source):
    tdir = os.path.join(source, "schemas", "taxonomy")
    with open(os.path.join(tdir, "apple_api_categories.tsv"), encoding="utf-8") as f:
        cats = [r["constant"] for r in csv.DictReader(f, delimiter="\t")]
    with open(os.path.join(tdir, "apple_api_reasons.tsv"), encoding="utf-8") as f:
        reasons = {r["reason"]: r["category"] for r in csv.DictReader(f, delimiter="\t")}
    assert len(cats) == 5 and len(reasons) == 17, "the taxonomy lost an Apple constant"
    return cats, reasons


def problems(accessed, source):
    """What App Store Connect would refuse in an NSPrivacyAccessedAPITypes array."""
    cats, reasons = load(source)
    out, seen = [], set()
    if not isinstance(accessed, list):
        return ["NSPrivacyAccessedAPITypes is not an array"]
    for e in accessed:
        if not isinstance(e, dict) or set(e) != {"NSPrivacyAccessedAPIType", "NSPrivacyAccessedAPITypeReasons"}:
            out.append(f"accessed-API entry {e!r} does not have exactly NSPrivacyAccessedAPIType and "
                       "NSPrivacyAccessedAPITypeReasons")
            continue
        c, rs = e["NSPrivacyAccessedAPIType"], e["NSPrivacyAccessedAPITypeReasons"]
        if c not in cats:
            out.append(f"undocumented required-reason API category {c}")
        if c in seen:
            out.append(f"category {c} declared twice (one dictionary per category)")
        seen.add(c)
        if not isinstance(rs, list) or not rs:
            out.append(f"{c}: no reason code (ITMS-91053)")
            continue
        for r in rs:
            if reasons.get(r) != c:
                out.append(f"{c}: reason {r} is not one of its approved codes")
    return out


def declared(accessed):
    return {e["NSPrivacyAccessedAPIType"]: e["NSPrivacyAccessedAPITypeReasons"] for e in accessed
            if isinstance(e, dict) and "NSPrivacyAccessedAPIType" in e}
