"""The evidence documents, checked against the requirement ids of the
project's regulatory reference (tests/data/reference/requirements.md, a copy
of shared/reference/requirements.md), never against a list written here:

- the ETSI EN 303 645 V3 ICS (JSON and Markdown) has exactly the provisions of
  Annex B Table B.1 (§9.1), in order, each once, with its M/R/C/F status; a row
  answered "Yes" names the test and the IXIT table that prove it;
- the V2.1.1 ICS (an answers file with "edition: V2.1.1") has the 67
  provisions §9.1 describes: V3's without 5.0-1, the A/B splits joined, no
  6-6 ... 6-8; each with the level M/R of its V3 provisions and their ids;
- the IXIT has TS 103 701's 10-SecParam (every column filled), 21-PersData
  (every data category of the manifest) and 25-DelFunc;
- the JC-STAR ★1 sheet has the 16 items, cites only ids the reference marks as
  confirmed (§3.2, §9.2), each confirmed id once, and gives S1.1-15 its
  device-test evidence (factory-reset receipt, forensic scan);
- the EN 18031-2 sheet has one row per mechanism id of §9.3, leaves the
  decision trees to the manufacturer and warns about ACM-3 unless the manifest
  declares a child role;
- the CRA sheet has one row per Annex I Part I (2) item of §4."""
import json
import os
import re
import subprocess
import tempfile

from disclose_common import Product, args, fail

SUPPORT = {"Yes", "N/A", "to be stated by the manufacturer"}
SECPARAM = ("id", "description", "type", "security_guarantees", "protection_scheme", "provisioning_mechanism",
            "secure_communication_mechanisms", "generation_mechanism")


def reference(source):
    with open(os.path.join(source, "tests", "data", "reference", "requirements.md"), encoding="utf-8") as f:
        return f.read()


def section(text, heading):
    start = text.index(heading)
    nxt = re.search(r"^#{2,3} ", text[start + len(heading):], re.M)
    return text[start:start + len(heading) + nxt.start()] if nxt else text[start:]


def table_b1(text):
    """[(id, status)] of §9.1, ranges ("5.6-5 … 5.6-9 R", "5.9-1, 5.9-2, 5.9-3 R") expanded."""
    rows = []
    for line in section(text, "### 9.1").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 2 or not re.match(r"^\d", cells[0]):
            continue
        for part in cells[1].split(";"):
            m = re.match(r"^(.*\S)\s+(\S+)$", part.strip())
            ids, status = m.group(1), m.group(2)
            r = re.match(r"^(\d[\d.]*-)(\d+) … \1(\d+)$", ids)
            if r:
                rows += [(f"{r.group(1)}{n}", status) for n in range(int(r.group(2)), int(r.group(3)) + 1)]
            else:
                rows += [(i.strip(), status) for i in ids.split(",")]
    return rows


def jcstar_confirmed(text):
    ids = set()
    for line in section(text, "### 3.2").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) > 2 and re.match(r"^S1\.1-\d\d$", cells[0]) and cells[2].startswith("**confirmed"):
            ids.add(cells[0])
    ids |= set(re.findall(r"\*\*(S1\.1-\d\d) \(confirmed\)\*\*", section(text, "### 9.2")))
    return ids


def en18031_ids(text):
    """The mechanism ids of §9.3: ACM-1/ACM-2, SSM-1/2/3, SCM-1…4, DLM-1, LGM ..."""
    body = section(text, "### 9.3")
    body = body[body.index("Its mechanisms"):]
    ids = []
    for m in re.finditer(r"\b([A-Z]{3})(?:-(\d)((?:/(?:[A-Z]{3}-)?\d)*)(?:…(\d))?)?\b", body):
        fam, first, more, last = m.groups()
        if not first:
            ids.append(fam)
            continue
        nums = [int(first)] + [int(x[-1]) for x in more.split("/") if x] if more else [int(first)]
        if last:
            nums = list(range(int(first), int(last) + 1))
        ids += [f"{fam}-{n}" for n in nums]
    seen = []
    for i in ids:
        if i not in seen and i not in ("RED",):
            seen.append(i)
    return seen


def cra_items(text):
    return re.findall(r"^\| (\([a-z]\)) \|", section(text, "## 4. EU Cyber Resilience Act"), re.M)


def md_rows(md, first_header):
    """The first cells of the Markdown table whose header starts with first_header."""
    lines = md.splitlines()
    start = next(i for i, l in enumerate(lines) if l.startswith(f"| {first_header} |"))
    rows = []
    for l in lines[start + 2:]:
        if not l.startswith("|"):
            break
        rows.append([c.strip() for c in re.split(r"(?<!\\)\|", l.strip())[1:-1]])
    return rows


def once_each(what, got, want):
    dup = sorted({x for x in got if got.count(x) > 1})
    if dup:
        fail(f"{what}: duplicated rows {dup}")
    if got != want:
        fail(f"{what}: missing {[x for x in want if x not in got]}, extra {[x for x in got if x not in want]}, "
             f"or out of order")


def read(p, name):
    with open(p.file(name), encoding="utf-8") as f:
        return f.read()


def check_ics(p, ref):
    b1 = table_b1(ref)
    ics = json.loads(read(p, "etsi-ics.json"))
    ixit = json.loads(read(p, "etsi-ixit.json"))
    once_each("ICS (JSON)", [x["reference"] for x in ics["provisions"]], [i for i, _ in b1])
    status = dict(b1)
    consent = any(pur["legal_basis"] == "consent" for pur in p.purposes())
    for x in ics["provisions"]:
        if x["status"] != status[x["reference"]]:
            fail(f"ICS {x['reference']}: status {x['status']}, Table B.1 says {status[x['reference']]}")
        if x["support"] not in SUPPORT or not x.get("detail"):
            fail(f"ICS {x['reference']}: support {x['support']!r} or no detail")
        if x["support"] == "Yes":
            ev = x.get("evidence") or {}
            if not ev.get("test") or ev.get("ixit") not in ixit:
                fail(f"ICS {x['reference']} is supported without a test and an IXIT table: {ev}")
        if x["reference"] in ("6-2", "6-3A", "6-3B") and (x["support"] == "Yes") != consent:
            fail(f"ICS {x['reference']} is {x['support']} but the manifest {'has' if consent else 'has no'} "
                 "consent purpose")
    md = read(p, "etsi-ics.md").replace("\\", "")
    once_each("ICS (Markdown)", [r[0] for r in md_rows(md, "Reference")], [i for i, _ in b1])
    return len(b1)


def check_ixit(p):
    ixit = json.loads(read(p, "etsi-ixit.json"))
    for k in ixit["10-SecParam"]:
        if any(not k.get(c) for c in SECPARAM) or not re.match(r"^(critical|public)", k["type"]):
            fail(f"IXIT 10-SecParam row incomplete: {k}")
    names = {k["id"] for k in ixit["10-SecParam"]}
    if not {"KEK", "data key", "device signing key", "device index key"} <= names:
        fail(f"10-SecParam {names} lacks a key Custos holds")
    if [c["id"] for c in ixit["21-PersData"]] != sorted(c["id"] for c in p.manifest["categories"]):
        fail("IXIT 21-PersData differs from the manifest's categories")
    if not ixit["25-DelFunc"] or not ixit["storage_locations"]:
        fail("IXIT has no 25-DelFunc or storage locations")


def check_jcstar(p, ref):
    confirmed = jcstar_confirmed(ref)
    sheet = read(p, "jcstar-star1.md")
    rows = md_rows(sheet, "Requirement")
    if len(rows) != 16:
        fail(f"JC-STAR sheet has {len(rows)} items, not 16")
    cited = re.findall(r"S1\.1-\d\d", sheet)
    if not set(cited) <= confirmed:
        fail(f"JC-STAR sheet cites unconfirmed ids {sorted(set(cited) - confirmed)}")
    first = [r[0] for r in rows]
    for n, cell in enumerate(first, 1):
        want = f"S1.1-{n:02d}"
        if want in confirmed and cell != want:
            fail(f"JC-STAR item {n} is {cell!r}, not the confirmed {want}")
        if want not in confirmed and not re.match(rf"item {n} of 16 .*ETSI EN 303 645 \d", cell):
            fail(f"JC-STAR item {n} ({cell!r}) is not cited by its ETSI clause")
    s15 = next(r for r in rows if r[0] == "S1.1-15").__str__().replace("\\", "")
    for need in ("document and device test", "factory-reset", "test_erase_reset", "forensic scan",
                 "test_forensic_erase"):
        if need not in s15:
            fail(f"JC-STAR S1.1-15 lacks {need!r}")
    return len(confirmed)


def check_en18031(p, ref):
    ids = en18031_ids(ref)
    md = read(p, "en18031-2.md").replace("\\", "")
    rows = md_rows(md, "Mechanism")
    once_each("EN 18031-2", [r[0] for r in rows], ids)
    for r in rows:
        if r[4] != "to be stated by the manufacturer":
            fail(f"EN 18031-2 {r[0]}: decision tree answered by the generator: {r[4]!r}")
    acm3 = next(r for r in rows if r[0] == "ACM-3")
    child = "child" in p.manifest.get("subjects", [])
    if child != ("test_consent" in acm3[3]) or ("WARNING" in md) == child:
        fail(f"EN 18031-2 ACM-3 for a manifest {'with' if child else 'without'} a child role: {acm3}")
    return len(ids)


def table_v2(b1, ref):
    """[(id, level, v3 ids)] of V2.1.1 by §9.1's rule: no 5.0-1, no A/B splits, no 6-6 … 6-8."""
    m = re.search(r"V2\.1\.1 has (\d+) provisions \(no ([\d.-]+), no A/B splits, no (\d-\d) … (\d-\d)\)", ref)
    want, absent, first, last = int(m.group(1)), m.group(2), m.group(3), m.group(4)
    dropped = {absent} | {f"6-{n}" for n in range(int(first[2:]), int(last[2:]) + 1)}
    rows = {}
    for i, st in b1:
        if i in dropped or (i.endswith("A") and not any(j == i[:-1] + "B" for j, _ in b1)):
            continue  # a V3 addition (5.1-2A has no B: it is new, not a split)
        base = i[:-1] if i[-1] in "AB" else i
        lvl, ids = rows.get(base, ("R", []))
        rows[base] = ("M" if "M" in (lvl, st[0]) else "R", ids + [f"{i} {st}"])
    if len(rows) != want:
        fail(f"the V2.1.1 rule of §9.1 gives {len(rows)} provisions, the reference says {want}")
    return [(i, lvl, "; ".join(ids)) for i, (lvl, ids) in rows.items()]


def check_ics_v2(p, ref, custos):
    v2 = table_v2(table_b1(ref), ref)
    with tempfile.TemporaryDirectory(prefix="custos-v2-") as tmp:
        answers, out = os.path.join(tmp, "answers.yaml"), os.path.join(tmp, "out")
        with open(answers, "w", encoding="utf-8") as f:
            f.write("edition: V2.1.1\n")
        pb = os.path.join(p.tmp.name, "privacy.pb")
        subprocess.run([custos, "disclose", "--format", "ics-json", "--ics-answers", answers, pb, "-o", out],
                       check=True)
        with open(os.path.join(out, "etsi-ics.json"), encoding="utf-8") as f:
            ics = json.load(f)
    if not ics["edition"].startswith("V2.1.1"):
        fail(f"ICS V2.1.1: edition {ics['edition']!r}")
    once_each("ICS V2.1.1", [x["reference"] for x in ics["provisions"]], [i for i, _, _ in v2])
    for x, (i, lvl, ids) in zip(ics["provisions"], v2):
        if x["status"] != lvl or x.get("v3") != ids:
            fail(f"ICS V2.1.1 {i}: status {x['status']} from {x.get('v3')}, expected {lvl} from {ids}")
    return len(v2)


def check_cra(p, ref):
    items = cra_items(ref)
    md = read(p, "cra-annex1.md").replace("\\", "")
    rows = md_rows(md, "Annex I Part I (2)")
    once_each("CRA", [r[0] for r in rows], items)
    for r in rows:
        if not r[2] or not r[3].startswith("test_"):
            fail(f"CRA {r[0]} has no Custos evidence or test: {r}")
    return len(items)


def main():
    a = args()
    p = Product(a)
    ref = reference(p.source)
    p.file("etsi-ixit.md")
    n_ics = check_ics(p, ref)
    n_v2 = check_ics_v2(p, ref, a.custos)
    check_ixit(p)
    n_conf = check_jcstar(p, ref)
    n_en = check_en18031(p, ref)
    n_cra = check_cra(p, ref)
    print(f"{p.name}: ICS {n_ics} provisions (V2.1.1 {n_v2}), IXIT, JC-STAR 16 items ({n_conf} confirmed ids), "
          f"EN 18031-2 {n_en} mechanisms, CRA {n_cra} items valid")


main()
