"""The ETSI EN 303 645 ICS and IXIT (JSON read by the json module) and the
JC-STAR ★1 sheet: every provision of the reference listed once with a valid
status and its evidence or justification; the IXIT covering every data
category, the key inventory and the deletion mechanism; the sheet citing only
★1 ids the reference marks as confirmed (shared/reference/requirements.md)."""
import json
import re

from disclose_common import Product, args, fail

PROVISIONS = (["5.1-%d" % i for i in range(1, 6)] + ["5.4-%d" % i for i in range(1, 5)] +
              ["5.5-%d" % i for i in range(1, 9)] + ["5.7-1", "5.7-2"] + ["5.8-%d" % i for i in range(1, 4)] +
              ["5.10-1"] + ["5.11-%d" % i for i in range(1, 5)] + ["6-%d" % i for i in range(1, 6)])
STATUS = {"supported", "not-applicable", "not-supported"}
CONFIRMED = {"S1.1-%02d" % i for i in (1, 2, 3, 4, 5, 6, 7, 10, 12, 16)}


def load(p, name):
    with open(p.file(name), encoding="utf-8") as f:
        return json.load(f)


def check_ics(p):
    ics = load(p, "etsi-ics.json")
    ids = [x["id"] for x in ics["provisions"]]
    if ids != PROVISIONS:
        fail(f"ICS provisions {ids} != the reference's {PROVISIONS}")
    for x in ics["provisions"]:
        if x["status"] not in STATUS or x["scope"] not in ("custos", "maker"):
            fail(f"{x['id']}: status {x['status']} / scope {x['scope']}")
        key = "evidence" if x["status"] == "supported" else "justification"
        if not x.get(key):
            fail(f"{x['id']} ({x['status']}) has no {key}")
    consent = any(pur["legal_basis"] == "consent" for pur in p.purposes())
    for x in ics["provisions"]:
        if x["id"] in ("6-2", "6-3") and (x["status"] == "supported") != consent:
            fail(f"{x['id']} is {x['status']} but the manifest {'has' if consent else 'has no'} consent purpose")


def check_ixit(p):
    ixit = load(p, "etsi-ixit.json")
    if [c["id"] for c in ixit["data_categories"]] != sorted(c["id"] for c in p.manifest["categories"]):
        fail("IXIT data categories differ from the manifest")
    names = {k["name"] for k in ixit["key_inventory"]}
    if not {"KEK", "data key", "device signing key", "device index key"} <= names:
        fail(f"key inventory {names} incomplete")
    if not ixit["deletion"] or not ixit["storage_locations"]:
        fail("IXIT has no deletion mechanism or storage locations")


def check_jcstar(p):
    with open(p.file("jcstar-star1.md"), encoding="utf-8") as f:
        sheet = f.read()
    cited = set(re.findall(r"S1\.1-\d\d", sheet))
    if not cited <= CONFIRMED:
        fail(f"JC-STAR sheet cites unconfirmed ids {sorted(cited - CONFIRMED)}")
    for clause in ("5.4-1", "5.11-1"):
        if f"ETSI EN 303 645 {clause}" not in sheet:
            fail(f"JC-STAR sheet does not cite ETSI {clause} for its unconfirmed item")


def main():
    p = Product(args())
    for name in ("etsi-ics.md", "etsi-ixit.md"):
        p.file(name)
    check_ics(p)
    check_ixit(p)
    check_jcstar(p)
    print(f"{p.name}: ICS ({len(PROVISIONS)} provisions), IXIT and JC-STAR sheet valid")


main()
