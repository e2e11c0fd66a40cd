"""Every file the custos tool writes on request goes through one writer
(tools/output.c): for each command with an output file,

- a path that is a symbolic link is refused (exit 1) and its target is
  unchanged;
- under umask 022 a key, receipt, export or payload is created 0600, and an
  existing 0644 file at the path is replaced by a 0600 one (a new inode: the
  old bytes are never overwritten in place); a published document (compiled
  manifest, disclosure) is 0644;
- no temporary file is left beside the output;
- /dev/null, an existing device, is written in place.
"""
import argparse
import os
import stat
import subprocess
import sys
import tempfile


def run(custos, *args, ok=True):
    r = subprocess.run([custos, *args], capture_output=True, text=True)
    if ok and r.returncode != 0:
        sys.exit(f"FAIL: custos {' '.join(args)}: exit {r.returncode}: {r.stderr}")
    return r


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def check_one(custos, work, name, make, want_mode):
    """make(path) runs the command that writes path."""
    out = os.path.join(work, name)
    bait = os.path.join(work, name + ".bait")
    with open(bait, "w", encoding="utf-8") as f:
        f.write("untouched")
    os.symlink(bait, out)
    r = make(out, ok=False)
    if r.returncode != 1 or ("symbolic link" not in r.stderr and "not a regular file" not in r.stderr):
        sys.exit(f"FAIL: {name}: a symlinked output gave exit {r.returncode}: {r.stderr}")
    with open(bait, encoding="utf-8") as f:
        if f.read() != "untouched":
            sys.exit(f"FAIL: {name}: the symlink's target was written")
    os.unlink(out)
    with open(out, "w", encoding="utf-8") as f:
        f.write("old")
    os.chmod(out, 0o644)
    before = os.stat(out).st_ino
    make(out)
    if mode(out) != want_mode:
        sys.exit(f"FAIL: {name}: mode {mode(out):o}, expected {want_mode:o}")
    if os.stat(out).st_ino == before:
        sys.exit(f"FAIL: {name}: the old file was overwritten in place, not replaced")
    with open(out, "rb") as f:
        if f.read() == b"old":
            sys.exit(f"FAIL: {name}: not written")
    left = [n for n in os.listdir(work) if ".tmp-" in n]
    if left:
        sys.exit(f"FAIL: {name}: temporary files left: {left}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--custos", required=True)
    p.add_argument("--source", required=True)
    a = p.parse_args()
    c = a.custos
    os.umask(0o022)
    with tempfile.TemporaryDirectory(prefix="custos-out-") as work:
        store = os.path.join(work, "store")
        yaml = os.path.join(a.source, "examples", "smart-camera", "privacy.yaml")
        pb = os.path.join(work, "m.pb")
        run(c, "manifest", "compile", yaml, "-o", pb)
        run(c, "consent", "load-manifest", pb, "--store", store)
        run(c, "consent", "add-subject", "alice", "--store", store)
        run(c, "consent", "give", "alice", "2", "--store", store)
        rec = subprocess.run([c, "vault", "put", "--subject", "alice", "--purpose", "2", "--category", "1",
                              "--store", store], input=b"clip", capture_output=True)
        if rec.returncode != 0:
            sys.exit(f"FAIL: vault put: {rec.stderr}")
        rid = rec.stdout.decode().split()[0]
        keys = os.path.join(work, "keys")
        run(c, "vault", "keygen", "-o", keys)
        with open(keys, encoding="utf-8") as f:
            pub = f.readline().strip()
        cases = [
            ("manifest.pb", lambda o, ok=True: run(c, "manifest", "compile", yaml, "-o", o, ok=ok), 0o644),
            ("keypair", lambda o, ok=True: run(c, "vault", "keygen", "-o", o, ok=ok), 0o600),
            ("payload", lambda o, ok=True: run(c, "vault", "get", "--id", rid, "-o", o, "--store", store, ok=ok),
             0o600),
            ("export", lambda o, ok=True: run(c, "vault", "export", "--subject", "alice", "--to", pub, "-o", o,
                                              "--store", store, ok=ok), 0o600),
            ("receipt.json", lambda o, ok=True: run(c, "consent", "receipt", "alice", "-o", o, "--store", store,
                                                    ok=ok), 0o600),
            ("audit.export", lambda o, ok=True: run(c, "audit", "export", "-o", o, "--store", store, ok=ok), 0o600),
        ]
        for name, make, want in cases:
            check_one(c, work, name, make, want)
        # erase writes its receipt once: a fresh subject each time.
        n = [0]

        def erase(o, ok=True):
            n[0] += 1
            run(c, "consent", "add-subject", f"bob{n[0]}", "--store", store)
            return run(c, "erase", "--subject", f"bob{n[0]}", "--receipt", o, "--store", store, ok=ok)
        check_one(c, work, "erase.receipt", erase, 0o600)
        run(c, "vault", "keygen", "-o", "/dev/null")
        if not stat.S_ISCHR(os.stat("/dev/null").st_mode):
            sys.exit("FAIL: /dev/null was replaced")
        out = os.path.join(work, "docs")
        run(c, "disclose", "--format", "notice-md", pb, "-o", out)
        for f in os.listdir(out):
            if mode(os.path.join(out, f)) != 0o644:
                sys.exit(f"FAIL: disclosure {f} is {mode(os.path.join(out, f)):o}, expected 644")
    print(f"custos writes {len(cases) + 2} kinds of output atomically, never through a symlink, with their modes")


main()
