"""Shared by the format validators: compile an example product's manifest with
the custos tool, run `custos disclose --format all`, and report what was
written and what was refused.

A format the tool refuses for a product (for example a purpose with no Google
Play purpose) must be listed, with its exact message, in the product's golden
REFUSED.txt; a validator treats any other missing file as a failure.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import yaml



def args():
    p = argparse.ArgumentParser()
    p.add_argument("--custos", required=True, help="the custos tool")
    p.add_argument("--source", required=True, help="the source tree")
    p.add_argument("--product", required=True, help="examples/<product>")
    p.add_argument("--update", action="store_true", help="rewrite golden files (check_golden only)")
    return p.parse_args()


class Product:
    def __init__(self, a):
        self.name = a.product
        self.source = a.source
        self.yaml_path = os.path.join(a.source, "examples", a.product, "privacy.yaml")
        self.golden = os.path.join(a.source, "tests", "data", "golden", a.product)
        with open(self.yaml_path, encoding="utf-8") as f:
            self.manifest = yaml.safe_load(f)
        self.tmp = tempfile.TemporaryDirectory(prefix="custos-format-")
        self.out = os.path.join(self.tmp.name, "out")
        pb = os.path.join(self.tmp.name, "privacy.pb")
        run([a.custos, "manifest", "compile", self.yaml_path, "-o", pb])
        r = subprocess.run([a.custos, "disclose", "--format", "all", pb, "-o", self.out],
                           capture_output=True, text=True)
        self.refused = sorted(l for l in r.stderr.splitlines() if l.strip())
        if r.returncode not in (0, 1):
            sys.exit(f"custos disclose failed with exit {r.returncode}: {r.stderr}")

    def expected_refusals(self):
        path = os.path.join(self.golden, "REFUSED.txt")
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as f:
            return sorted(l for l in f.read().splitlines() if l.strip())

    def file(self, name):
        """The generated file's path, or None if the tool refused that format
        as the golden REFUSED.txt expects (the caller then skips it)."""
        path = os.path.join(self.out, name)
        if os.path.exists(path):
            return path
        if any(f": {fmt_of(name)}: " in l for l in self.expected_refusals()):
            print(f"{self.name}: {name} refused as expected")
            return None
        sys.exit(f"{self.name}: {name} was not generated: {self.refused}")

    def purposes(self):
        return self.manifest.get("purposes", [])


FILE_FORMAT = {
    "PrivacyInfo.xcprivacy": "xcprivacy",
    "play-data-safety.csv": "play-csv",
    "app-metadata.xml": "android-labels",
    "processing.dpv.jsonld": "dpv",
    "fideslang-system.yaml": "fideslang",
}


def fmt_of(name):
    return FILE_FORMAT.get(name, name)


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr}")
    return r


def fail(msg):
    sys.exit("FAIL: " + msg)
