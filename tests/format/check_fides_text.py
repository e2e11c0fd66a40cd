"""fideslang output of names the ASCII key cannot spell: two products named
only in Japanese get different fides_keys, and a purpose name holding NEL-free
line separators (U+2028, U+2029, written as YAML escapes in the manifest)
keeps them after a YAML load; fideslang's own models accept the file."""
import os
import subprocess
import sys
import tempfile

import yaml
from fideslang.models import Taxonomy

ANCHOR = "name: Example Smart Plug"
PURPOSE = "name: {en: Switch the plug from the app, ja: アプリからの電源操作}"


def generate(custos, text, tmp, tag):
    y, pb, out = (os.path.join(tmp, f"{tag}.{x}") for x in ("yaml", "pb", "out"))
    with open(y, "w", encoding="utf-8") as f:
        f.write(text)
    for cmd in ([custos, "manifest", "compile", y, "-o", pb],
                [custos, "disclose", "--format", "fideslang", pb, "-o", out]):
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"FAIL: {' '.join(cmd)}: {r.stderr}")
    with open(os.path.join(out, "fideslang-system.yaml"), encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    Taxonomy(**doc)
    return doc


def main():
    custos = sys.argv[sys.argv.index("--custos") + 1]
    source = sys.argv[sys.argv.index("--source") + 1]
    with open(os.path.join(source, "examples", "smart-plug", "privacy.yaml"), encoding="utf-8") as f:
        base = f.read()
    if ANCHOR not in base or PURPOSE not in base:
        sys.exit("FAIL: examples/smart-plug/privacy.yaml changed; update the anchors of check_fides_text.py")
    sep = 'name: {en: "Switch\\u2028the plug\\u2029from the app", ja: アプリからの電源操作}'
    with tempfile.TemporaryDirectory(prefix="custos-fides-") as tmp:
        a = generate(custos, base.replace(ANCHOR, "name: スマートプラグ", 1).replace(PURPOSE, sep, 1), tmp, "a")
        b = generate(custos, base.replace(ANCHOR, "name: スマートカメラ", 1), tmp, "b")
    ka, kb = a["system"][0]["fides_key"], b["system"][0]["fides_key"]
    if ka == kb:
        sys.exit(f"FAIL: two Japanese product names share the fides_key {ka}")
    names = [d["name"] for d in a["system"][0]["privacy_declarations"]]
    if "Switch\u2028the plug\u2029from the app" not in names:
        sys.exit(f"FAIL: U+2028 / U+2029 did not survive the YAML load: {names!r}")
    print(f"fides_keys {ka} and {kb} differ; line separators survive the YAML load")


main()
