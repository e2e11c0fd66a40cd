"""app-metadata.xml checked with the rules of both AOSP readers, each rule
saying where it comes from:

  [perm]   the Permission module's on-device parser
           (packages/modules/Permission, SafetyLabel/: SafetyLabel, DataLabel,
           DataCategory, DataType and their *Constants classes), which
           PackageManager feeds the bundle to on Android 14+;
  [aslgen] build/make/tools/aslgen's asllib, the tool that converts and checks
           app-metadata bundles (AndroidSafetyLabelFactory, SafetyLabelsFactory,
           DataLabelsFactory, DataTypeFactory, SecurityLabelsFactory, XmlUtils).

The constants are facts restated here, not code taken from either. Also
checked: the labels say what the manifest (via the Play CSV's types) says."""
import xml.etree.ElementTree as ET

from disclose_common import Product, args, fail

# [perm] DataCategoryConstants and DataTypeConstants: category -> valid type keys.
TYPES = {
    "personal": {"name", "email_address", "physical_address", "phone_number", "race_ethnicity",
                 "political_or_religious_beliefs", "sexual_orientation_or_gender_identity",
                 "personal_identifiers", "other"},
    "financial": {"card_bank_account", "purchase_history", "credit_score", "other"},
    "location": {"approx_location", "precise_location"},
    "email_text_message": {"emails", "text_messages", "other"},
    "photo_video": {"photos", "videos"},
    "audio": {"sound_recordings", "music_files", "other"},
    "storage": {"files_docs"},
    "health_fitness": {"health", "fitness"},
    "contacts": {"contacts"},
    "calendar": {"calendar"},
    "identifiers": {"other"},
    "app_performance": {"crash_logs", "performance_diagnostics", "other"},
    "actions_in_app": {"user_interaction", "in_app_search_history", "installed_apps",
                       "user_generated_content", "other"},
    "search_and_browsing": {"web_browsing_history"},
}
PURPOSES = set(range(1, 8))  # [perm] DataPurposeConstants: 1-7; 8 and 9 reserved
# [aslgen] AndroidSafetyLabelFactory: recognised and required top-level names per version.
TOP_RECOGNISED = {"version", "safety_labels", "system_app_safety_label", "transparency_info"}
TOP_REQUIRED = {1: {"version"}, 2: {"version", "system_app_safety_label", "transparency_info"}}
# [aslgen] XmlUtils on-device element names under safety_labels.
SAFETY_CHILDREN = {"version", "data_labels", "security_labels", "third_party_verification"}
SECURITY_FLAGS = {"is_data_deletable", "is_data_encrypted"}


def named(el):
    return {c.get("name"): c for c in el}


def long_value(el, name, where, rule):
    c = named(el).get(name)
    if c is None or c.tag != "long":
        fail(f"{rule} {where} has no <long name=\"{name}\">")
    try:
        return int(c.get("value"))
    except (TypeError, ValueError):
        fail(f"{rule} {where}: {name} {c.get('value')!r} is not a long")


def check_bool(c, where):
    if c.tag != "boolean" or c.get("value") not in ("true", "false"):
        fail(f"[aslgen] XmlUtils.getOdBoolEle: {where} is not a <boolean> true/false")
    return c.get("value") == "true"


def check_type(typ, cat, section):
    where = f"{section}/{cat}/{typ.get('name')}"
    if typ.tag != "pbundle_as_map":
        fail(f"[perm] DataType: {where} is not a bundle")
    if typ.get("name") not in TYPES[cat]:
        fail(f"[perm] DataTypeConstants: {typ.get('name')} is not a type of {cat}; the parser drops it")
    kids = named(typ)
    arr = kids.get("purposes")
    if arr is None or arr.tag != "int-array":
        fail(f"[perm]/[aslgen] DataType: {where} has no purposes int-array")
    items = [int(i.get("value")) for i in arr]
    if int(arr.get("num", "-1")) != len(items):
        fail(f"[aslgen] XmlUtils.getOdIntArray: {where}: num={arr.get('num')} but {len(items)} items")
    if not items:
        fail(f"[aslgen] DataTypeFactory: found no purpose in {where}")
    if len(set(items)) != len(items):
        fail(f"[aslgen] DataTypeFactory: non-unique purposes in {where}")
    if not set(items) & PURPOSES or set(items) - PURPOSES:
        fail(f"[perm] DataPurposeConstants: {where}: purposes {items} outside 1-7")
    flag = "is_collection_optional" if section == "data_collected" else "is_sharing_optional"
    for name, c in kids.items():
        if name not in ("purposes", "is_collection_optional", "is_sharing_optional", "ephemeral"):
            fail(f"[aslgen] DataType: unknown key {name} in {where}")
        if name != "purposes":
            check_bool(c, f"{where}/{name}")
    if flag not in kids or "ephemeral" not in kids:
        fail(f"{where}: {flag} and ephemeral must be given (Play's form answers both)")
    return {i for i in items}


def main():
    p = Product(args())
    path = p.file("app-metadata.xml")
    if path is None:
        return
    root = ET.parse(path).getroot()
    if root.tag != "bundle":
        fail(f"[aslgen] the on-device root element is <{root.tag}>, not <bundle>")
    top = named(root)
    if set(top) - TOP_RECOGNISED:
        fail(f"[aslgen] AndroidSafetyLabelFactory: unrecognised top-level {sorted(set(top) - TOP_RECOGNISED)}")
    version = long_value(root, "version", "the bundle", "[perm] SafetyLabel / [aslgen]")
    if version <= 0:
        fail(f"[perm] SafetyLabel.getSafetyLabelFromMetadata: top-level version {version} <= 0")
    if version not in TOP_REQUIRED:
        fail(f"[aslgen] AndroidSafetyLabelFactory: version {version} is not 1 or 2")
    missing = TOP_REQUIRED[version] - set(top)
    if missing:
        fail(f"[aslgen] AndroidSafetyLabelFactory: version {version} requires {sorted(missing)}")
    labels = top.get("safety_labels")
    if labels is None or labels.tag != "pbundle_as_map":
        fail("[perm] SafetyLabel: no safety_labels bundle; Android shows no label")
    sl = named(labels)
    if set(sl) - SAFETY_CHILDREN:
        fail(f"[aslgen] SafetyLabelsFactory: unknown {sorted(set(sl) - SAFETY_CHILDREN)} in safety_labels")
    if long_value(labels, "version", "safety_labels", "[perm] SafetyLabel / [aslgen] SafetyLabelsFactory") <= 0:
        fail("[perm] SafetyLabel: safety_labels version <= 0")
    data = sl.get("data_labels")
    if data is None:
        fail("[perm] DataLabel.getDataLabel: no data_labels; the label is dropped")
    types = {}
    for section in ("data_collected", "data_shared"):
        sec = named(data).get(section)
        if sec is None:
            continue
        for cat in sec:
            if cat.get("name") not in TYPES:
                fail(f"[perm] DataCategoryConstants: unknown category {cat.get('name')} in {section}")
            for typ in cat:
                types[(section, cat.get("name"), typ.get("name"))] = check_type(typ, cat.get("name"), section)
    sec = sl.get("security_labels")
    if sec is None:
        fail("security_labels missing: the Play CSV answers deletion and encryption, so the labels must too")
    for name, c in named(sec).items():
        if name not in SECURITY_FLAGS:
            fail(f"[aslgen] SecurityLabelsFactory: unknown {name} in security_labels")
        check_bool(c, f"security_labels/{name}")
    flags = {n: c.get("value") == "true" for n, c in named(sec).items()}
    if flags.get("is_data_deletable") is not True:
        fail("security_labels/is_data_deletable must be true (the Play CSV answers DATA_DELETION_YES)")
    play = (p.manifest.get("stores") or {}).get("play") or {}
    if "encrypted_in_transit" in play and flags.get("is_data_encrypted") != bool(play["encrypted_in_transit"]):
        fail(f"security_labels/is_data_encrypted {flags.get('is_data_encrypted')} != manifest "
             f"encrypted_in_transit {play['encrypted_in_transit']}")
    addresses = [c for c in p.manifest["categories"] if c.get("play_type") == "PSL_ADDRESS"
                 or (c.get("key", "").startswith("user.contact.address"))]
    if addresses and any(k[1] == "personal" and k[2] == "other" for k in types) and \
            not any(k[2] == "physical_address" for k in types):
        fail("an address is labelled personal/other; AOSP defines personal/physical_address")
    print(f"{p.name}: app-metadata valid for both AOSP readers (version {version}, {len(types)} type entries)")


main()
