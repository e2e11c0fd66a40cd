#!/usr/bin/env python3
"""check_api_order.py INCLUDE_DIR: every public function keeps the argument
order of CONTRIBUTING's "Public API conventions": the handle first, then
out-parameters, then inputs; a custos_manifest_error comes last; a callback
type takes its user pointer first; a parameter named for an enum (kind,
format, status, ...) has the enum's type. Prints each declaration that breaks it
and exits 1. `check_api_order.py --selftest` shows that it rejects each kind
of break.

An out-parameter is a pointer (or array) to non-const data other than a
callback's user pointer; a size directly after one (out_size, receipt_size,
max) belongs to it. A handle is custos_t * / custos_t ** / const custos_t *.
"""
import glob
import os
import re
import sys

DECL = re.compile(r"CUSTOS_API\s+(?:CUSTOS_WARN_UNUSED\s+)?[\w\s\*]+?\b(custos_\w+)\s*\(([^;]*?)\)\s*;", re.S)
CALLBACK = re.compile(r"typedef\s+[\w\s\*]+\(\s*\*\s*(custos_\w+_fn)\s*\)\s*\(([^;]*?)\)\s*;", re.S)
SIZES = re.compile(r"^size_t\s+(\w*_size|max|size|cap)$")
# A parameter with one of these names stands for an enum, so it has the enum's type.
ENUM_NAMES = re.compile(r"^(?:const\s+)?(?:int|unsigned|unsigned int|uint32_t)\s+(kind|format|failure|status|scope|role|"
                        r"method|actor|step|decision)$")  # not reasons: bit flags


def split_params(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
            continue
        depth += ch in "([" and 1 or ch in ")]" and -1 or 0
        cur += ch
    if cur.strip():
        out.append(cur.strip())
    return [" ".join(p.split()) for p in out if p.strip() != "void"]


def kind(p):
    if re.match(r"^(const\s+)?custos_t\s*\*", p):
        return "handle"
    if p.startswith("custos_manifest_error"):
        return "err"
    if re.search(r"_fn\s+\w+$", p) or re.match(r"^void\s*\*\s*\w*user\w*$", p):
        return "callback"
    pointer = "*" in p or re.search(r"\[[^\]]*\]$", p)
    if pointer and not p.startswith("const ") and not re.search(r"\bconst\s*\*", p):
        return "out"
    return "in"


def problems_of(name, params):
    kinds = [kind(p) for p in params]
    for i, p in enumerate(params):  # a size right after an out-parameter is part of it
        if kinds[i] == "in" and i > 0 and kinds[i - 1] == "out" and SIZES.match(p):
            kinds[i] = "out"
    found = []
    if "handle" in kinds and kinds.index("handle") != 0:
        found.append("the handle is not the first argument")
    if "err" in kinds and kinds.index("err") != len(kinds) - 1:
        found.append("custos_manifest_error is not the last argument")
    for p in params:
        if ENUM_NAMES.match(p):
            found.append(f"'{p}' stands for an enum: give it the enum's type")
    first_in = next((i for i, k in enumerate(kinds) if k == "in"), None)
    if first_in is not None:
        late = [params[i] for i in range(first_in, len(kinds)) if kinds[i] == "out"]
        if late:
            found.append("out-parameter after an input: " + ", ".join(late))
    return found


def check_text(text):
    bad = []
    for m in DECL.finditer(text):
        for why in problems_of(m.group(1), split_params(m.group(2))):
            bad.append(f"{m.group(1)}: {why}")
    for m in CALLBACK.finditer(text):
        params = split_params(m.group(2))
        if not params or not re.match(r"^void\s*\*\s*\w*user\w*$", params[0]):
            bad.append(f"{m.group(1)}: the user pointer is not the callback's first argument")
    return bad


def selftest():
    cases = {
        "int custos_erase_subject(custos_t *ctx, custos_subject s, uint8_t *receipt, size_t n, size_t *len);": 1,
        "int custos_x_report(char **out, size_t *out_len, custos_t *ctx, int s);": 1,
        "int custos_x_verify(const uint8_t *b, size_t len, custos_audit_report *report);": 1,
        "int custos_m_check(custos_manifest_error *err, const char *yaml);": 1,
        "const char *custos_a_kind_name(int kind);": 1,
        "typedef int (*custos_a_visit_fn)(const custos_entry *e, void *user);": 1,
        "int custos_x_get(custos_t *ctx, uint8_t *out, size_t out_size, size_t *out_len, uint64_t seq);": 0,
        "int custos_x_each(custos_t *ctx, uint64_t from, custos_a_visit_fn fn, void *user);": 0,
        "int custos_m_id(uint8_t out_id[32], const uint8_t *c, size_t len, custos_manifest_error *err);": 0,
        "typedef int (*custos_b_fn)(void *user, const custos_entry *e);": 0,
    }
    ok = True
    for decl, want in cases.items():
        text = decl if decl.startswith("typedef") else "CUSTOS_API " + decl
        got = len(check_text(text))
        if (got > 0) != (want > 0):
            print(f"selftest: {decl!r}: {'rejected' if got else 'accepted'}, expected the opposite", file=sys.stderr)
            ok = False
    return 0 if ok else 1


def main():
    if sys.argv[1:] == ["--selftest"]:
        return selftest()
    bad = []
    headers = sorted(glob.glob(os.path.join(sys.argv[1], "custos", "*.h")))
    for h in headers:
        with open(h, encoding="utf-8") as f:
            bad += [f"{os.path.basename(h)}: {b}" for b in check_text(f.read())]
    for b in bad:
        print(b, file=sys.stderr)
    n = sum(len(DECL.findall(open(h, encoding="utf-8").read())) for h in headers)
    print(f"{n} public functions in {len(headers)} headers, {len(bad)} out of order")
    return 1 if bad or n < 100 else 0


if __name__ == "__main__":
    sys.exit(main())
