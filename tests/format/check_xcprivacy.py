"""PrivacyInfo.xcprivacy read by plistlib and checked against Apple's documented
keys and constants (shared/reference/vocabularies.md §6), including the
required-reason API declarations (§6.5): known categories, approved reasons
of that category, one dictionary per category, exactly what the manifest's
stores.apple.accessed_apis declares."""
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
