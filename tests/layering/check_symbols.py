#!/usr/bin/env python3
"""check_symbols.py NM LIBRARY: fail on a global symbol outside the naming scheme.

Every global symbol that libcustos.a defines starts with custos_: public
functions custos_<module>_<name>, internal ones custos_<module>__<name> or
custos__<name> (ground), generated protobuf-c code custos__v1__*. A generic
name (doc_begin, vt_open) would collide with an application's symbols.
"""
import subprocess
import sys


def main():
    if len(sys.argv) != 3:
        print("usage: check_symbols.py NM LIBRARY", file=sys.stderr)
        return 2
    out = subprocess.run([sys.argv[1], "-g", "--defined-only", sys.argv[2]], check=True,
                         capture_output=True, text=True).stdout
    names = [line.split()[2] for line in out.splitlines() if len(line.split()) == 3]
    bad = sorted({n for n in names if not n.startswith("custos_")})
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
