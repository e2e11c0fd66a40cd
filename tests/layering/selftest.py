#!/usr/bin/env python3
"""selftest.py DIR: check_layers.py must reject an arrow that points up, a
same-layer include and a foreign _private.h, and accept a downward one."""
import os
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
}


def main():
    with tempfile.TemporaryDirectory() as root:
        for rel, text in CASES.items():
            os.makedirs(os.path.join(root, os.path.dirname(rel)), exist_ok=True)
            with open(os.path.join(root, rel), "w") as f:
                f.write(text)
        errors = check_layers.check(root)
    expect = ["audit/log.c includes gate/gate_internal.h", "sync/a.c includes disclose/d.h",
              "vault/v.c includes consent/consent_private.h"]
    ok = len(errors) == len(expect) and all(any(e.startswith(x) for e in errors) for x in expect)
    for e in errors:
        print(e)
    print("selftest", "passed" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
