#!/usr/bin/env python3
"""check_layers.py CORE_SRC: fail when an #include in core/src points up a layer.

The layers of core/src, lowest first (docs/architecture.md). A file may include
headers of its own module and of modules in lower layers only; two modules of
one layer do not include each other. X_private.h is for module X's own files;
other modules include X_internal.h (or X's other *_internal.h headers).
A module runs SQL only on the tables it creates (CREATE TABLE in its files).
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
CREATE = re.compile(r'CREATE TABLE (?:IF NOT EXISTS )?([a-z_]+)')
USE = re.compile(r'\b(?:FROM|JOIN|INTO|UPDATE)\s+([a-z_]+)')
# Known, written-down exceptions (table, module using it): the pairing table
# is created with the ledger's and read by sync's pairing code
# (docs/architecture.md says so).
SQL_EXCEPTIONS = {("peer", "sync")}


def module_of(path, root):
    rel = os.path.relpath(path, root)
    top = rel.split(os.sep)[0]
    return top if top in RANK else None


def sources(root):
    for dirpath, _, names in os.walk(root):
        for name in sorted(names):
            if name.endswith((".c", ".h")):
                yield dirpath, os.path.join(dirpath, name)


def check_sql(root):
    """Every table used outside the module that creates it."""
    owner, uses = {}, []
    for _, src in sources(root):
        mod = module_of(src, root)
        with open(src, encoding="utf-8") as f:
            text = f.read()
        for t in CREATE.findall(text):
            owner.setdefault(t, mod)
        uses += [(os.path.relpath(src, root), mod, t) for t in USE.findall(text)]
    errors = []
    for rel, mod, t in uses:
        o = owner.get(t)
        if o is not None and o != mod and (t, mod) not in SQL_EXCEPTIONS:
            errors.append(f"{rel}: runs SQL on table {t}, which belongs to {o}")
    return sorted(set(errors))


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
    errors = check(root) + check_sql(root)
    for e in errors:
        print(e, file=sys.stderr)
    if not errors:
        print(f"layering: every #include under {root} points down; every module's SQL is on its own tables")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
