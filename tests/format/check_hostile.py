"""Hostile text in a manifest is refused by the compiler at its
file:line:column: C0 and C1 control characters (NEL among them) and the
bidirectional embedding / override / isolate controls U+202A-U+202E and
U+2066-U+2069, whether written raw or as a YAML escape in a quoted string
(a product or purpose name that renders as another text would spoof every
notice, label and store listing generated from it)."""
import os
import re
import subprocess
import sys
import tempfile

CONTROLS = [0x01, 0x07, 0x08, 0x0B, 0x0C, 0x1B, 0x7F, 0x80, 0x85, 0x9F]
BIDI = list(range(0x202A, 0x202F)) + list(range(0x2066, 0x206A))
ANCHOR = "name: Example Smart Plug"


def main():
    custos = sys.argv[sys.argv.index("--custos") + 1]
    source = sys.argv[sys.argv.index("--source") + 1]
    with open(os.path.join(source, "examples", "smart-plug", "privacy.yaml"), encoding="utf-8") as f:
        base = f.read()
    if ANCHOR not in base:
        sys.exit(f"FAIL: examples/smart-plug/privacy.yaml has no '{ANCHOR}' line to alter")
    line = base[:base.index(ANCHOR)].count("\n") + 1
    col = base[:base.index(ANCHOR)].split("\n")[-1].__len__() + len("name: Example ") + 1
    bad = []
    with tempfile.TemporaryDirectory(prefix="custos-hostile-") as tmp:
        y, pb = os.path.join(tmp, "privacy.yaml"), os.path.join(tmp, "privacy.pb")
        for cp in CONTROLS + BIDI:
            for form in ("raw", "escaped"):
                if form == "raw":
                    text = base.replace(ANCHOR, f"name: Example {chr(cp)}Smart Plug", 1)
                    want = rf"{re.escape(y)}:{line}:{col}: U\+{cp:04X} is "
                else:
                    text = base.replace(ANCHOR, f'name: "Example \\u{cp:04X}Smart Plug"', 1)
                    want = rf"{re.escape(y)}:{line}:\d+: product\.name contains U\+{cp:04X}, "
                with open(y, "w", encoding="utf-8", newline="") as f:
                    f.write(text)
                r = subprocess.run([custos, "manifest", "compile", y, "-o", pb], capture_output=True, text=True)
                if r.returncode == 0 or not re.search(want, r.stderr):
                    bad.append(f"U+{cp:04X} {form}: exit {r.returncode}, {r.stderr.strip()!r} does not match {want!r}")
        # Ordinary text, tabs and Japanese still compile.
        with open(y, "w", encoding="utf-8") as f:
            f.write(base.replace(ANCHOR, "name: Example Smart Plug スマートプラグ", 1))
        r = subprocess.run([custos, "manifest", "compile", y, "-o", pb], capture_output=True, text=True)
        if r.returncode != 0:
            bad.append(f"ordinary Japanese text refused: {r.stderr}")
    if bad:
        sys.exit("FAIL: " + "\n".join(bad))
    print(f"{len(CONTROLS) + len(BIDI)} hostile code points refused raw and escaped, at their place")


main()
