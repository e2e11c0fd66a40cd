"""The stores: section of the manifest, refused where it is wrong: each case
takes the smart-plug manifest, changes its stores: block, and expects the
compiler (or `custos disclose --format play-csv`) to fail with the exact
file:line:column and message. Then a manifest without stores.play answers
must not produce a half-filled Play form."""
import os
import re
import subprocess
import sys
import tempfile


CASES = [
    # (what, stores block, expected stderr pattern)
    ("unknown API category",
     "stores:\n  apple:\n    accessed_apis:\n      - category: NSPrivacyAccessedAPICategoryFileTimestmap\n        reasons: [C617.1]\n",
     r":\d+:19: .*NSPrivacyAccessedAPICategoryFileTimestmap.*did you mean 'NSPrivacyAccessedAPICategoryFileTimestamp'"),
    ("unknown reason code",
     "stores:\n  apple:\n    accessed_apis:\n      - category: NSPrivacyAccessedAPICategoryFileTimestamp\n        reasons: [C617.2]\n",
     r":\d+:19: .*C617\.2"),
    ("reason of another category",
     "stores:\n  apple:\n    accessed_apis:\n      - category: NSPrivacyAccessedAPICategoryFileTimestamp\n        reasons: [CA92.1]\n",
     r":\d+:19: reason CA92\.1 belongs to NSPrivacyAccessedAPICategoryUserDefaults, not to "
     r"NSPrivacyAccessedAPICategoryFileTimestamp"),
    ("no reason",
     "stores:\n  apple:\n    accessed_apis:\n      - category: NSPrivacyAccessedAPICategoryDiskSpace\n        reasons: []\n",
     r":\d+:18: reasons is an empty list"),
    ("category twice",
     "stores:\n  apple:\n    accessed_apis:\n      - category: NSPrivacyAccessedAPICategoryDiskSpace\n        reasons: [E174.1]\n"
     "      - category: NSPrivacyAccessedAPICategoryDiskSpace\n        reasons: [85F4.1]\n",
     r":\d+:9: NSPrivacyAccessedAPICategoryDiskSpace is declared twice"),
    ("plain http deletion URL",
     "stores:\n  play:\n    data_deletion_url: http://example.com/delete\n",
     r":\d+:24: stores\.play\.data_deletion_url 'http://example\.com/delete' is not an https URL"),
    ("URL with markup",
     "stores:\n  play:\n    data_deletion_url: 'https://example.com/\"><script>'\n",
     r":\d+:24: stores\.play\.data_deletion_url .* is not an https URL"),
    ("URL without host",
     "stores:\n  play:\n    data_deletion_url: https:///delete\n",
     r":\d+:24: .*is not an https URL"),
    ("unknown account method",
     "stores:\n  play:\n    account_creation: [PSL_ACM_PASSWORD]\n",
     r":\d+:24: .*PSL_ACM_PASSWORD"),
    ("none with a method",
     "stores:\n  play:\n    account_creation: [PSL_ACM_NONE, PSL_ACM_OAUTH]\n    account_deletion_url: https://e.example/x\n",
     r":\d+:23: account_creation lists PSL_ACM_NONE with other methods"),
    ("accounts without deletion URL",
     "stores:\n  play:\n    account_creation: [PSL_ACM_OAUTH]\n",
     r":\d+:5: stores\.play lets users create accounts but has no account_deletion_url"),
    ("other method not described",
     "stores:\n  play:\n    account_creation: [PSL_ACM_OTHER]\n    account_deletion_url: https://e.example/x\n",
     r":\d+:5: stores\.play lists PSL_ACM_OTHER but has no account_creation_other"),
    ("description without other",
     "stores:\n  play:\n    account_creation: [PSL_ACM_NONE]\n    outside_account_other: badge\n",
     r":\d+:28: stores\.play\.outside_account_other is given but PSL_OUTSIDE_APP_ACCOUNT_TYPE_OTHER is not listed"),
    ("not a boolean",
     "stores:\n  play:\n    encrypted_in_transit: sometimes\n",
     r":\d+:27: .*encrypted_in_transit"),
    ("unknown key",
     "stores:\n  play:\n    encrypted_in_transport: true\n",
     r":\d+:5: .*encrypted_in_transport.*did you mean 'encrypted_in_transit'"),
]

PLAY_REFUSALS = [
    ("no stores at all", "", "PSL_DATA_COLLECTION_ENCRYPTED_IN_TRANSIT"),
    ("no account creation", "stores:\n  play:\n    encrypted_in_transit: true\n", "PSL_SUPPORTED_ACCOUNT_CREATION_METHODS"),
]


def base(source):
    with open(os.path.join(source, "examples", "smart-plug", "privacy.yaml"), encoding="utf-8") as f:
        text = f.read()
    cut = text.find("\n# What the store forms ask")
    if cut < 0:
        sys.exit("FAIL: examples/smart-plug/privacy.yaml has no stores: block to replace")
    return text[:cut] + "\n"


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def main():
    custos = sys.argv[sys.argv.index("--custos") + 1]
    source = sys.argv[sys.argv.index("--source") + 1]
    head = base(source)
    bad = []
    with tempfile.TemporaryDirectory(prefix="custos-stores-") as tmp:
        y, pb = os.path.join(tmp, "privacy.yaml"), os.path.join(tmp, "privacy.pb")
        for what, block, pattern in CASES:
            with open(y, "w", encoding="utf-8") as f:
                f.write(head + block)
            r = run([custos, "manifest", "compile", y, "-o", pb])
            if r.returncode == 0 or not re.search(re.escape(y) + pattern, r.stderr):
                bad.append(f"{what}: exit {r.returncode}, stderr {r.stderr.strip()!r} does not match {pattern!r}")
        for what, block, question in PLAY_REFUSALS:
            with open(y, "w", encoding="utf-8") as f:
                f.write(head + block)
            r = run([custos, "manifest", "compile", y, "-o", pb])
            if r.returncode != 0:
                bad.append(f"{what}: the manifest does not compile: {r.stderr}")
                continue
            out = os.path.join(tmp, "out-" + what.replace(" ", "-"))
            r = run([custos, "disclose", "--format", "play-csv", pb, "-o", out])
            if r.returncode == 0 or question not in r.stderr:
                bad.append(f"{what}: play-csv exit {r.returncode}, stderr {r.stderr.strip()!r} does not name {question}")
            if os.path.exists(os.path.join(out, "play-data-safety.csv")):
                bad.append(f"{what}: a half-filled play-data-safety.csv was written")
    if bad:
        sys.exit("FAIL: " + "\n".join(bad))
    print(f"stores: {len(CASES)} bad declarations refused at their place, "
          f"{len(PLAY_REFUSALS)} incomplete Play forms refused")


main()
