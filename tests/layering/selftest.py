#!/usr/bin/env python3
"""selftest.py DIR: check_layers.py must reject an arrow that points up, a
same-layer include and a foreign _private.h, and accept a downward one;
check_symbols.py must reject a global symbol outside the custos_ scheme."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, sys.argv[1])
import check_layers  # noqa: E402

CASES = {
    "ground/internal.h": "",
    "consent/consent_private.h": '#include "ground/internal.h"\n',
    "consent/consent_internal.h": "",
    "gate/gate.c": '#include "../consent/consent_internal.h"\n',             # down: fine
    "audit/log.c": '#include "../gate/gate_internal.h"\n',                    # up
    "gate/gate_internal.h": "",
    "sync/a.c": '#include "disclose/d.h"\n',                                  # same layer
    "disclose/d.h": "",
    "vault/v.c": '#include "consent/consent_private.h"\n',                    # private of another
    "consent/module.c": '"CREATE TABLE IF NOT EXISTS subject(id)"\n',
    "gate/snap.c": '"SELECT id FROM subject"\n',                             # another's table
}


def symbols_selftest(here):
    """A fake nm that lists one generic name among custos_ ones."""
    with tempfile.TemporaryDirectory() as d:
        nm = os.path.join(d, "nm")
        with open(nm, "w") as f:
            f.write("#!/bin/sh\nprintf 'a.o:\\n0000 T custos_open\\n0000 T doc_begin\\n0000 D custos__v1__x\\n'"
                    "'0000 B __odr_asan.custos__modules\\n0000 B __odr_asan.vt_open\\n0000 T __asan_report\\n'\n")
        os.chmod(nm, 0o755)
        r = subprocess.run([sys.executable, os.path.join(here, "check_symbols.py"), nm, "libfake.a"],
                           capture_output=True, text=True)
    caught = (r.returncode == 1 and "doc_begin" in r.stderr and "vt_open" in r.stderr
              and "custos_open" not in r.stderr and "custos__modules" not in r.stderr
              and "__asan_report" not in r.stderr)
    print("symbols selftest:", r.stderr.strip() or r.stdout.strip())
    return caught


def main():
    with tempfile.TemporaryDirectory() as root:
        for rel, text in CASES.items():
            os.makedirs(os.path.join(root, os.path.dirname(rel)), exist_ok=True)
            with open(os.path.join(root, rel), "w") as f:
                f.write(text)
        errors = check_layers.check(root) + check_layers.check_sql(root)
    expect = ["audit/log.c includes gate/gate_internal.h", "sync/a.c includes disclose/d.h",
              "vault/v.c includes consent/consent_private.h",
              "gate/snap.c: runs SQL on table subject, which belongs to consent"]
    ok = len(errors) == len(expect) and all(any(e.startswith(x) for e in errors) for x in expect)
    for e in errors:
        print(e)
    ok = symbols_selftest(sys.argv[1]) and ok
    print("selftest", "passed" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
