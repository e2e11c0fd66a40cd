"""The SDK's own PrivacyInfo.xcprivacy (mobile/ios/Sources/Custos) against the
calls the core really makes: `nm -u` over the static library lists every
undefined symbol, and each one Apple counts as a required-reason API
("Describing use of required reason API") must have its category declared
with an approved reason. Run on the host's objects: the same C sources are
compiled for iOS, and the calls do not depend on the target."""
import argparse
import plistlib
import re
import subprocess
import sys

import apple_reasons

# Symbol (as nm prints it for C code; glibc's stat64 / __xstat variants
# included) -> the category Apple files it under.
RULES = [
    (r"_?(__)?(f|l)?x?stat(at)?(64)?", "NSPrivacyAccessedAPICategoryFileTimestamp"),
    (r"_?(f)?getattrlist(bulk|at)?", "NSPrivacyAccessedAPICategoryFileTimestamp"),
    (r"_?mach_absolute_time", "NSPrivacyAccessedAPICategorySystemBootTime"),
    (r"_?sysctl(byname)?", "NSPrivacyAccessedAPICategorySystemBootTime"),
    (r"_?f?statv?fs(64)?", "NSPrivacyAccessedAPICategoryDiskSpace"),
    (r".*NSUserDefaults.*", "NSPrivacyAccessedAPICategoryUserDefaults"),
]


def needed(lib):
    r = subprocess.run(["nm", "-u", lib], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"nm -u {lib} failed: {r.stderr}")
    syms = {l.split()[-1] for l in r.stdout.splitlines() if l.strip() and not l.endswith(":")}
    out = {}
    for s in sorted(syms):
        for pat, cat in RULES:
            if re.fullmatch(pat, s):
                out.setdefault(cat, []).append(s)
                break
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--lib", required=True)
    p.add_argument("--manifest", required=True)
    p.add_argument("--source", required=True)
    a = p.parse_args()
    with open(a.manifest, "rb") as f:
        plist = plistlib.load(f)
    accessed = plist.get("NSPrivacyAccessedAPITypes", [])
    bad = apple_reasons.problems(accessed, a.source)
    have = apple_reasons.declared(accessed)
    want = needed(a.lib)
    if not want:
        bad.append(f"nm -u {a.lib} found no required-reason call at all; the scan is broken")
    for cat, syms in want.items():
        if cat not in have:
            bad.append(f"the core calls {', '.join(syms)} but {a.manifest} does not declare {cat} (ITMS-91053)")
    if bad:
        sys.exit("FAIL: " + "\n".join(bad))
    print("SDK manifest declares " + ", ".join(f"{c} ({' '.join(have[c])}) for {' '.join(s)}" for c, s in want.items()))


main()
