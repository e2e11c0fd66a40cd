"""PrivacyInfo.xcprivacy read by plistlib and checked against Apple's documented
keys and constants (shared/reference/vocabularies.md §6), including the
required-reason API declarations (§6.5): known categories, approved reasons
of that category, one dictionary per category, exactly what the manifest's
stores.apple.accessed_apis declares."""
import csv
import os
import plistlib

import apple_reasons

from disclose_common import Product, args, fail

TOP = {"NSPrivacyTracking", "NSPrivacyTrackingDomains", "NSPrivacyCollectedDataTypes",
       "NSPrivacyAccessedAPITypes"}
ENTRY = {"NSPrivacyCollectedDataType", "NSPrivacyCollectedDataTypeLinked",
         "NSPrivacyCollectedDataTypeTracking", "NSPrivacyCollectedDataTypePurposes"}
TYPES = {"NSPrivacyCollectedDataType" + t for t in (
    "Name EmailAddress PhoneNumber PhysicalAddress OtherUserContactInfo Health Fitness PaymentInfo "
    "CreditInfo OtherFinancialInfo PreciseLocation CoarseLocation SensitiveInfo Contacts "
    "EmailsOrTextMessages PhotosorVideos AudioData GameplayContent CustomerSupport OtherUserContent "
    "BrowsingHistory SearchHistory UserID DeviceID PurchaseHistory ProductInteraction AdvertisingData "
    "OtherUsageData CrashData PerformanceData OtherDiagnosticData EnvironmentScanning Hands Head "
    "OtherDataTypes").split()}
PURPOSES = {"NSPrivacyCollectedDataTypePurpose" + p for p in (
    "ThirdPartyAdvertising DeveloperAdvertising Analytics ProductPersonalization AppFunctionality "
    "Other").split()}


IDENTIFYING = {"NSPrivacyCollectedDataType" + t for t in "Name EmailAddress PhoneNumber PhysicalAddress UserID".split()}


def apple_type_of(p, c):
    """The category's Apple type: its own, or the taxonomy default of the nearest key."""
    if c.get("apple_type"):
        return c["apple_type"]
    with open(os.path.join(p.source, "schemas", "taxonomy", "categories.tsv"), encoding="utf-8") as f:
        own = {r["key"]: r["apple_type"] for r in csv.DictReader(f, delimiter="\t")}
    key = c["key"]
    while key and not own.get(key):
        key = key.rpartition(".")[0]
    return own.get(key, "")


def explicitly_unlinked(p, apple_type):
    """True if every category of the manifest with this Apple type says linked_to_user: false."""
    cats = [c for c in p.manifest["categories"] if apple_type_of(p, c) == apple_type]
    return bool(cats) and all(c.get("linked_to_user") is False for c in cats)


def main():
    assert len(TYPES) == 35 and len(PURPOSES) == 6
    p = Product(args())
    path = p.file("PrivacyInfo.xcprivacy")
    if path is None:
        return
    with open(path, "rb") as f:
        plist = plistlib.load(f)
    if set(plist) != TOP:
        fail(f"top-level keys {sorted(plist)} are not exactly {sorted(TOP)}")
    if not isinstance(plist["NSPrivacyTracking"], bool):
        fail("NSPrivacyTracking is not a Boolean")
    seen = set()
    for e in plist["NSPrivacyCollectedDataTypes"]:
        if set(e) != ENTRY:
            fail(f"collected-data entry keys {sorted(e)} are not exactly {sorted(ENTRY)}")
        t = e["NSPrivacyCollectedDataType"]
        if t not in TYPES:
            fail(f"undocumented data type {t}")
        if t in seen:
            fail(f"data type {t} listed twice")
        seen.add(t)
        if not isinstance(e["NSPrivacyCollectedDataTypeLinked"], bool) or \
                not isinstance(e["NSPrivacyCollectedDataTypeTracking"], bool):
            fail(f"{t}: Linked and Tracking must be Booleans")
        if t in IDENTIFYING and not e["NSPrivacyCollectedDataTypeLinked"] and not explicitly_unlinked(p, t):
            fail(f"{t} identifies the person but is declared not linked (no explicit linked_to_user: false)")
        ps = e["NSPrivacyCollectedDataTypePurposes"]
        if not ps or any(x not in PURPOSES for x in ps):
            fail(f"{t}: purposes {ps} empty or undocumented")
    accessed = plist["NSPrivacyAccessedAPITypes"]
    bad = apple_reasons.problems(accessed, p.source)
    if bad:
        fail("; ".join(bad))
    want = {e["category"]: sorted(e["reasons"])
            for e in ((p.manifest.get("stores") or {}).get("apple") or {}).get("accessed_apis", [])}
    have = {c: sorted(r) for c, r in apple_reasons.declared(accessed).items()}
    if have != want:
        fail(f"required-reason APIs {have} != manifest {want}")
    print(f"{p.name}: xcprivacy valid, {len(seen)} collected data types, {len(have)} required-reason API categories")


main()
