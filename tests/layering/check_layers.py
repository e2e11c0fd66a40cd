#!/usr/bin/env python3
"""check_layers.py CORE_SRC: fail when an #include in core/src points up a layer.

The layers of core/src, lowest first (docs/architecture.md). A file may include
headers of its own module and of modules in lower layers only; two modules of
one layer do not include each other. X_private.h is for module X's own files;
other modules include X_internal.h (or X's other *_internal.h headers).
"""
import os
import re
import sys

LAYERS = [
    ["ground"],
    ["manifest", "keyprov"],
    ["audit"],
    ["consent"],
    ["gate"],
    ["vault"],
    ["erase"],
    ["lifecycle"],
    ["sync", "disclose"],
]
RANK = {m: i for i, layer in enumerate(LAYERS) for m in layer}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def module_of(path, root):
    rel = os.path.relpath(path, root)
    top = rel.split(os.sep)[0]
    return top if top in RANK else None


def check(root):
    errors = []
    for dirpath, _, names in os.walk(root):
        for name in sorted(names):
            if not name.endswith((".c", ".h")):
                continue
            src = os.path.join(dirpath, name)
            rel = os.path.relpath(src, root)
            mod = module_of(src, root)
            if mod is None:
                errors.append(f"{rel}: not in a layer (add its folder to tests/layering/check_layers.py)")
                continue
            with open(src, encoding="utf-8") as f:
                text = f.read()
            for inc in INCLUDE.findall(text):
                target = None
                for base in (dirpath, root):
                    cand = os.path.normpath(os.path.join(base, inc))
                    if os.path.exists(cand):
                        target = cand
                        break
                if target is None or not target.startswith(os.path.abspath(root) + os.sep):
                    continue  # generated (protobuf-c, taxonomy tables) or outside core/src
                tmod = module_of(target, root)
                if tmod is None or tmod == mod:
                    continue
                trel = os.path.relpath(target, root)
                if RANK[tmod] > RANK[mod]:
                    errors.append(f"{rel} includes {trel}: {mod} (layer {RANK[mod]}) may not include "
                                  f"{tmod} (layer {RANK[tmod]}), an arrow that points up")
                elif RANK[tmod] == RANK[mod]:
                    errors.append(f"{rel} includes {trel}: {mod} and {tmod} share layer {RANK[mod]}")
                if os.path.basename(target).endswith("_private.h"):
                    errors.append(f"{rel} includes {trel}: a module's _private.h is for its own files")
    return errors


def main():
    if len(sys.argv) != 2:
        print("usage: check_layers.py CORE_SRC", file=sys.stderr)
        return 2
    root = os.path.abspath(sys.argv[1])
    errors = check(root)
    for e in errors:
        print(e, file=sys.stderr)
    if not errors:
        print(f"layering: every #include under {root} points down")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
