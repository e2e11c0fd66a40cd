"""The Google Play Data safety CSV read with the csv module and checked against
the Play Console question and response ids and answer rules
(shared/reference/vocabularies.md §7; the Android labels are check_android.py's).
The data types marked collected must be exactly those the manifest sends off the device."""
import csv
import os
import re

from disclose_common import Product, args, fail

HEADER = ["Question ID (machine readable)", "Response ID (machine readable)", "Response value",
          "Answer requirement", "Human-friendly question label"]
TYPES = {
    "PERSONAL": "NAME EMAIL USER_ACCOUNT ADDRESS PHONE RACE_ETHNICITY POLITICAL_RELIGIOUS "
                "SEXUAL_ORIENTATION_GENDER_IDENTITY OTHER_PERSONAL",
    "FINANCIAL": "CREDIT_DEBIT_BANK_ACCOUNT_NUMBER PURCHASE_HISTORY CREDIT_SCORE OTHER",
    "LOCATION": "APPROX_LOCATION PRECISE_LOCATION",
    "SEARCH_AND_BROWSING": "WEB_BROWSING_HISTORY",
    "EMAIL_AND_TEXT": "EMAILS SMS_CALL_LOG OTHER_MESSAGES",
    "PHOTOS_AND_VIDEOS": "PHOTOS VIDEOS",
    "AUDIO": "AUDIO MUSIC OTHER_AUDIO",
    "HEALTH_AND_FITNESS": "HEALTH FITNESS",
    "CONTACTS": "CONTACTS",
    "CALENDAR": "CALENDAR",
    "APP_PERFORMANCE": "CRASH_LOGS PERFORMANCE_DIAGNOSTICS OTHER_PERFORMANCE",
    "FILES_AND_DOCS": "FILES_AND_DOCS",
    "APP_ACTIVITY": "USER_INTERACTION IN_APP_SEARCH_HISTORY APPS_ON_DEVICE USER_GENERATED_CONTENT "
                    "OTHER_APP_ACTIVITY",
    "IDENTIFIERS": "DEVICE_ID",
}
TYPE_CATEGORY = {"PSL_" + t: "PSL_DATA_TYPES_" + c for c, ts in TYPES.items() for t in ts.split()}
PURPOSES = ["PSL_APP_FUNCTIONALITY", "PSL_ANALYTICS", "PSL_DEVELOPER_COMMUNICATIONS",
            "PSL_FRAUD_PREVENTION_SECURITY", "PSL_ADVERTISING", "PSL_PERSONALIZATION", "PSL_ACCOUNT_MANAGEMENT"]
GENERAL = {
    "PSL_DATA_COLLECTION_COLLECTS_PERSONAL_DATA": [""],
    "PSL_DATA_COLLECTION_ENCRYPTED_IN_TRANSIT": [""],
    "PSL_SUPPORTED_ACCOUNT_CREATION_METHODS": ["PSL_ACM_USER_ID_PASSWORD", "PSL_ACM_USER_ID_OTHER_AUTH",
        "PSL_ACM_USER_ID_PASSWORD_OTHER_AUTH", "PSL_ACM_OAUTH", "PSL_ACM_OTHER", "PSL_ACM_NONE"],
    "PSL_ACM_SPECIFY": [""],
    "PSL_ACCOUNT_DELETION_URL": [""],
    "PSL_SUPPORT_DATA_DELETION_BY_USER": ["DATA_DELETION_YES", "DATA_DELETION_NO", "DATA_DELETION_NO_AUTO_DELETED"],
    "PSL_DATA_DELETION_URL": [""],
    "PSL_DATA_COLLECTION_COMPLIES_FAMILY_POLICY": [""],
    "PSL_INDEPENDENTLY_VALIDATED": [""],
    "PSL_UPI_BADGE_OPT_IN": [""],
    "PSL_HAS_OUTSIDE_APP_ACCOUNTS": [""],
    "PSL_OUTSIDE_APP_ACCOUNT_TYPES": ["PSL_LOGIN_WITH_OUTSIDE_APP_ID",
        "PSL_LOGIN_THROUGH_EMPLOYMENT_OR_ENTERPRISE_ACCOUNT", "PSL_OUTSIDE_APP_ACCOUNT_TYPE_OTHER"],
    "PSL_OUTSIDE_APP_ACCOUNT_TYPE_SPECIFY": [""],
}
USAGE = {
    "PSL_DATA_USAGE_COLLECTION_AND_SHARING": ["PSL_DATA_USAGE_ONLY_COLLECTED", "PSL_DATA_USAGE_ONLY_SHARED"],
    "PSL_DATA_USAGE_EPHEMERAL": [""],
    "DATA_USAGE_USER_CONTROL": ["PSL_DATA_USAGE_USER_CONTROL_OPTIONAL", "PSL_DATA_USAGE_USER_CONTROL_REQUIRED"],
    "DATA_USAGE_COLLECTION_PURPOSE": PURPOSES,
    "DATA_USAGE_SHARING_PURPOSE": PURPOSES,
}
# The answer requirement of each general question in Play's own export.
GENERAL_REQUIREMENT = {
    "PSL_DATA_COLLECTION_COLLECTS_PERSONAL_DATA": "REQUIRED",
    "PSL_DATA_COLLECTION_ENCRYPTED_IN_TRANSIT": "MAYBE_REQUIRED",
    "PSL_SUPPORTED_ACCOUNT_CREATION_METHODS": "MULTIPLE_CHOICE",
    "PSL_ACM_SPECIFY": "MAYBE_REQUIRED",
    "PSL_ACCOUNT_DELETION_URL": "MAYBE_REQUIRED",
    "PSL_SUPPORT_DATA_DELETION_BY_USER": "SINGLE_CHOICE",
    "PSL_DATA_DELETION_URL": "MAYBE_REQUIRED",
    "PSL_DATA_COLLECTION_COMPLIES_FAMILY_POLICY": "OPTIONAL",
    "PSL_INDEPENDENTLY_VALIDATED": "OPTIONAL",
    "PSL_UPI_BADGE_OPT_IN": "OPTIONAL",
    "PSL_HAS_OUTSIDE_APP_ACCOUNTS": "OPTIONAL",
    "PSL_OUTSIDE_APP_ACCOUNT_TYPES": "MULTIPLE_CHOICE",
    "PSL_OUTSIDE_APP_ACCOUNT_TYPE_SPECIFY": "MAYBE_REQUIRED",
}
URL = re.compile(r"https://[A-Za-z0-9][A-Za-z0-9.-]*(:[0-9]+)?(/[A-Za-z0-9._~!$&()*+,;=:@%/-]*)?(\?[^\s<>\"'`]*)?")
REQUIREMENTS = {"REQUIRED", "MAYBE_REQUIRED", "OPTIONAL", "MULTIPLE_CHOICE", "SINGLE_CHOICE"}


def expected_rows():
    rows = [(q, r) for q, rs in GENERAL.items() for r in rs]
    rows += [(c, t) for t, c in TYPE_CATEGORY.items()]
    for t in TYPE_CATEGORY:
        rows += [(f"PSL_DATA_USAGE_RESPONSES:{t}:{q}", r) for q, rs in USAGE.items() for r in rs]
    return rows


def default_play_types(source):
    """Each taxonomy category's default Play type (schemas/taxonomy/categories.tsv),
    inherited from the nearest ancestor key that has one, as the compiler does."""
    with open(os.path.join(source, "schemas", "taxonomy", "categories.tsv"), encoding="utf-8") as f:
        own = {r["key"]: r["play_type"] for r in csv.DictReader(f, delimiter="\t")}

    def resolve(key):
        while key and not own.get(key):
            key = key.rpartition(".")[0]
        return own.get(key, "")
    return {k: resolve(k) for k in own}


def collected_types(p):
    defaults = default_play_types(p.source)
    out = set()
    cats = {c["id"]: c for c in p.manifest["categories"]}
    for pur in p.purposes():
        if "cloud" in pur.get("locations", []) or pur.get("recipients"):
            for cid in pur["categories"]:
                c = cats[cid]
                out.add(c.get("play_type") or defaults[c["key"]])
    return out


def check_general(p, value):
    """The answers Play requires once personal data is collected, and that they
    are the manifest's stores.play facts."""
    play = (p.manifest.get("stores") or {}).get("play") or {}
    if value[("PSL_DATA_COLLECTION_COLLECTS_PERSONAL_DATA", "")] != "TRUE":
        return
    enc = value[("PSL_DATA_COLLECTION_ENCRYPTED_IN_TRANSIT", "")]
    if enc not in ("TRUE", "FALSE"):
        fail("PSL_DATA_COLLECTION_ENCRYPTED_IN_TRANSIT is blank although personal data is collected")
    if enc != ("TRUE" if play.get("encrypted_in_transit") else "FALSE"):
        fail(f"PSL_DATA_COLLECTION_ENCRYPTED_IN_TRANSIT {enc} contradicts the manifest")
    acm = {r for r in GENERAL["PSL_SUPPORTED_ACCOUNT_CREATION_METHODS"]
           if value[("PSL_SUPPORTED_ACCOUNT_CREATION_METHODS", r)] == "TRUE"}
    if not acm:
        fail("PSL_SUPPORTED_ACCOUNT_CREATION_METHODS has no method selected although personal data is collected")
    if acm != set(play.get("account_creation", [])):
        fail(f"account creation methods {sorted(acm)} != manifest {play.get('account_creation')}")
    if "PSL_ACM_NONE" in acm and len(acm) > 1:
        fail("PSL_ACM_NONE selected together with account creation methods")
    if "PSL_ACM_OTHER" in acm and not value[("PSL_ACM_SPECIFY", "")]:
        fail("PSL_ACM_OTHER selected but PSL_ACM_SPECIFY is blank")
    if "PSL_ACM_NONE" not in acm and not value[("PSL_ACCOUNT_DELETION_URL", "")]:
        fail("accounts can be created but PSL_ACCOUNT_DELETION_URL is blank")
    for q in ("PSL_ACCOUNT_DELETION_URL", "PSL_DATA_DELETION_URL"):
        v = value[(q, "")]
        if v and not URL.fullmatch(v):
            fail(f"{q} {v!r} is not a plain https URL")
        if v != play.get(q[4:].lower(), ""):
            fail(f"{q} {v!r} != manifest {play.get(q[4:].lower())!r}")


def check_csv(p, path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    if rows[0] != HEADER:
        fail(f"header {rows[0]} is not the Play Console header")
    body = rows[1:]
    if len(rows) != 783:
        fail(f"{len(rows)} lines, the template has 783")
    if [(r[0], r[1]) for r in body] != expected_rows():
        fail("question / response ids differ from the Play Console template")
    for r in body:
        if len(r) != 5 or r[3] not in REQUIREMENTS:
            fail(f"bad row {r}")
        if r[2] not in ("TRUE", "FALSE", "") and not r[2].startswith("https://"):
            fail(f"bad response value in {r}")
    for r in body:
        if r[0] in GENERAL_REQUIREMENT and r[3] != GENERAL_REQUIREMENT[r[0]]:
            fail(f"{r[0]}: answer requirement {r[3]}, Play's export says {GENERAL_REQUIREMENT[r[0]]}")
    value = {(r[0], r[1]): r[2] for r in body}
    check_general(p, value)
    selected = {t for t, c in TYPE_CATEGORY.items() if value[(c, t)] == "TRUE"}
    if selected != collected_types(p):
        fail(f"types marked collected {sorted(selected)} != manifest {sorted(collected_types(p))}")
    for t in selected:
        q = f"PSL_DATA_USAGE_RESPONSES:{t}:"
        if value[(q + "PSL_DATA_USAGE_COLLECTION_AND_SHARING", "PSL_DATA_USAGE_ONLY_COLLECTED")] != "TRUE":
            fail(f"{t} selected but not collected")
        control = [value[(q + "DATA_USAGE_USER_CONTROL", r)] for r in USAGE["DATA_USAGE_USER_CONTROL"]]
        if control.count("TRUE") != 1:
            fail(f"{t}: user control must be exactly one of optional / required")
        if not any(value[(q + "DATA_USAGE_COLLECTION_PURPOSE", x)] == "TRUE" for x in PURPOSES):
            fail(f"{t}: no collection purpose")
    print(f"{p.name}: Play CSV valid, {len(selected)} data types collected")


def main():
    p = Product(args())
    path = p.file("play-data-safety.csv")
    if path is not None:
        check_csv(p, path)


main()
