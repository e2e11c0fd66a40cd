#!/usr/bin/env python3
"""check_split.py: the runtime library stands alone (docs/architecture.md, "Two libraries").

libcustos is what an app links; libcustos-tools (the YAML manifest compiler,
check, diff, show, the taxonomy, the disclosures) is tooling on top of it.
This test fails, with the offending names, unless:

1. libcustos.so has no undefined custos_ symbol, no libyaml in its NEEDED
   entries, and defines none of the tooling API nor any yaml_ function;
2. the whole runtime archive libcustos.a links as a shared object with
   -Wl,--no-undefined against the runtime's dependencies alone (sodium,
   SQLite, protobuf-c, threads);
3. libcustos-tools.so needs libcustos.so, and every semi-private symbol the
   runtime exports (CUSTOS__FOR_TOOLS, the manifest protobuf descriptors) is
   one the tooling uses: none is exported for nothing;
4. runtime_only.c, a program on the runtime API only, links against
   libcustos.so alone (-Wl,--no-undefined) and against libcustos.a with the
   runtime's dependencies, and both run on a manifest the custos tool
   compiled.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

TOOLING_API = re.compile(r"^(custos_manifest_(compile|check|diff|diff_text|show)|custos_disclose\w*)$")
PUBLIC_DECL = re.compile(r"\b(custos_\w+)\s*\(")


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit("FAIL: %s\n%s%s" % (" ".join(cmd), r.stdout, r.stderr))
    return r.stdout


def dyn(a, lib, which):
    out = run([a.nm, "-D", which, lib])
    return {l.split()[-1].split("@")[0] for l in out.splitlines() if l.split()}


def needed(a, path):
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", run([a.readelf, "-d", path]))


def public_names(include):
    names = set()
    d = os.path.join(include, "custos")
    for f in os.listdir(d):
        with open(os.path.join(d, f), encoding="utf-8") as h:
            names |= set(PUBLIC_DECL.findall(h.read()))
    return names


def main():
    p = argparse.ArgumentParser()
    for opt in ("cc", "nm", "readelf", "include", "runtime-so", "runtime-a", "tools-so", "cli", "manifest",
                "source", "work"):
        p.add_argument("--" + opt, required=True)
    # Lists separated by ";" (a CMake list), given as --libs=...: their items start with "-".
    p.add_argument("--libs", default="", help="the runtime's dependencies, for the static links")
    p.add_argument("--ldflags", default="", help="instrumentation flags of this build")
    a = p.parse_args()
    a.libs = [x for x in a.libs.split(";") if x]
    a.ldflags = [x for x in a.ldflags.split(";") if x]
    bad = []
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)

    # 1. The runtime shared library.
    undef = sorted(n for n in dyn(a, a.runtime_so, "--undefined-only") if n.startswith("custos_"))
    bad += ["libcustos.so: undefined %s" % n for n in undef]
    bad += ["libcustos.so: NEEDED %s" % n for n in needed(a, a.runtime_so) if "yaml" in n]
    exported = dyn(a, a.runtime_so, "--defined-only")
    bad += ["libcustos.so: defines tooling %s" % n for n in sorted(exported)
            if TOOLING_API.match(n) or n.startswith("yaml_")]

    # 2. The runtime archive, whole, as a shared object with --no-undefined.
    r = subprocess.run([a.cc, "-shared", "-o", os.path.join(a.work, "relinked.so"), "-Wl,--no-undefined",
                        "-Wl,--whole-archive", a.runtime_a, "-Wl,--no-whole-archive"] + a.libs + a.ldflags,
                       capture_output=True, text=True)
    if r.returncode != 0:
        bad.append("libcustos.a does not link alone with --no-undefined:\n" + r.stderr[-4000:])

    # 3. The tooling library on top of the runtime.
    soname = os.path.basename(os.path.realpath(a.runtime_so)).split(".so")[0] + ".so"
    if not any(n.startswith(soname) for n in needed(a, a.tools_so)):
        bad.append("libcustos-tools.so: does not need %s (NEEDED %s)" % (soname, needed(a, a.tools_so)))
    tools_undef = {n for n in dyn(a, a.tools_so, "--undefined-only") if n.startswith("custos_")}
    public = public_names(a.include)
    semi = {n for n in exported if n.startswith("custos_") and n not in public}
    bad += ["libcustos.so: exports %s, which libcustos-tools does not use" % n
            for n in sorted(semi - tools_undef) if not n.startswith("custos__v1__")]
    bad += ["libcustos-tools.so: needs %s, which libcustos.so does not export" % n
            for n in sorted(tools_undef - exported)]
    bad += ["libcustos-tools.so: defines runtime %s" % n for n in sorted(dyn(a, a.tools_so, "--defined-only"))
            if n in ("custos_open", "custos_check", "custos_manifest_load", "custos_manifest_free")]
    if bad:
        print("\n".join("FAIL: " + b for b in bad))
        return 1

    # 4. A program on the runtime API, against the runtime alone.
    compiled = os.path.join(a.work, "manifest.pb")
    run([a.cli, "manifest", "compile", a.manifest, "-o", compiled])
    libdir = os.path.dirname(os.path.abspath(a.runtime_so))
    shared_exe = os.path.join(a.work, "runtime_only_shared")
    static_exe = os.path.join(a.work, "runtime_only_static")
    run([a.cc, "-std=c11", "-I", a.include, a.source, "-o", shared_exe, "-L", libdir, "-lcustos",
         "-Wl,--no-undefined", "-Wl,-rpath," + libdir] + a.ldflags)
    run([a.cc, "-std=c11", "-I", a.include, a.source, "-o", static_exe, a.runtime_a] + a.libs + a.ldflags)
    for exe in (shared_exe, static_exe):
        libs = needed(a, exe)
        if any("custos-tools" in n or "yaml" in n for n in libs):
            print("FAIL: %s: NEEDED %s" % (exe, libs))
            return 1
        store = exe + ".store"
        print(run([exe, store, compiled]).strip())
    semi_fn = sorted(n for n in semi if not n.startswith("custos__v1__"))
    print("ok: runtime stands alone; it exports %d semi-private symbols for the tooling (%s)"
          % (len(semi_fn), " ".join(semi_fn)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
