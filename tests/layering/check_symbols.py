#!/usr/bin/env python3
"""check_symbols.py NM LIBRARY: fail on a global symbol outside the naming scheme.

Every global symbol that libcustos.a defines starts with custos_: public
functions custos_<module>_<name>, internal ones custos_<module>__<name> or
custos__<name> (ground), generated protobuf-c code custos__v1__*. A generic
name (doc_begin, vt_open) would collide with an application's symbols.

An instrumented build (ASan, coverage) adds globals of its own: ASan's ODR
indicator __odr_asan.<name> is checked by the <name> it guards; the
runtime's own prefixes are not ours to name.
"""
import subprocess
import sys


INSTRUMENTATION = ("__asan", "__tsan", "__ubsan", "__sanitizer", "__gcov", "__llvm_")
ODR_INDICATOR = "__odr_asan."


def own_name(name):
    """The name to check, or None for a symbol the instrumentation owns."""
    if name.startswith(ODR_INDICATOR):
        return name[len(ODR_INDICATOR):]
    if name.startswith(INSTRUMENTATION):
        return None
    return name


def main():
    if len(sys.argv) != 3:
        print("usage: check_symbols.py NM LIBRARY", file=sys.stderr)
        return 2
    out = subprocess.run([sys.argv[1], "-g", "--defined-only", sys.argv[2]], check=True,
                         capture_output=True, text=True).stdout
    names = [line.split()[2] for line in out.splitlines() if len(line.split()) == 3]
    owned = [n for n in (own_name(n) for n in names) if n is not None]
    bad = sorted({n for n in owned if not n.startswith("custos_")})
    if not names:
        print(f"{sys.argv[2]}: no global symbols read", file=sys.stderr)
        return 1
    for n in bad:
        print(f"{sys.argv[2]}: global symbol {n} is outside the custos_ naming scheme", file=sys.stderr)
    if not bad:
        print(f"symbols: {len(set(names))} global symbols, all named custos_*")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
