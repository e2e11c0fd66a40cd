#!/usr/bin/env python3
"""Run one board's target image under QEMU and check it (CTest, label
device-target; see device/target.cmake).

  run.py --qemu qemu-system-arm --machine microbit --dir <board build dir>
         --timeout 300 [--nm arm-none-eabi-nm]

Runs dev_target_suite.elf and the two whole images (dev_target_image*.elf) with semihosting, each
under a timeout; passes when every suite test passed (the "RESULT n n"
line, exit status 0), the image ran, and no heap symbol is linked into
either image. Prints the output and the STACK lines for device/FOOTPRINT.md.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

HEAP = ("malloc", "free", "calloc", "realloc", "_sbrk", "_malloc_r", "_free_r", "_sbrk_r")


def run(qemu, machine, elf, timeout):
    cmd = [qemu, "-M", machine, "-nographic", "-monitor", "none", "-serial", "none",
           "-semihosting-config", "enable=on,target=native", "-kernel", elf]
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout, check=False)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        return None, out
    return p.returncode, p.stdout.decode("utf-8", "replace")


def heap_symbols(nm, elf):
    out = subprocess.run([nm, elf], stdout=subprocess.PIPE, check=True).stdout.decode()
    names = {line.split()[-1] for line in out.splitlines() if line.strip()}
    return sorted(names.intersection(HEAP))


def cross_check(a):
    """Host packs (protobuf-c) -> target applies -> host decodes and re-packs."""
    work = os.path.join(a.dir, "xc-run")
    os.makedirs(work, exist_ok=True)
    for f in ("xc_vectors.bin", "xc_device.bin"):
        if os.path.exists(os.path.join(work, f)):
            os.remove(os.path.join(work, f))
    elf = os.path.join(a.dir, "dev_target_xc.elf")
    if heap_symbols(a.nm, elf):
        print("dev_target_xc.elf: heap symbols linked")
        return False
    if subprocess.run([a.xc_host, "gen", work], check=False).returncode != 0:
        print("cross-check: the host could not write the vectors")
        return False
    cmd = [a.qemu, "-M", a.machine, "-nographic", "-monitor", "none", "-serial", "none",
           "-semihosting-config", "enable=on,target=native", "-kernel", elf]
    try:
        p = subprocess.run(cmd, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=a.timeout, check=False)
    except subprocess.TimeoutExpired:
        print(f"dev_target_xc.elf: no result within {a.timeout} s on {a.machine}")
        return False
    out = p.stdout.decode("utf-8", "replace")
    sys.stdout.write(out)
    if p.returncode != 0 or "XC RESULT ok" not in out:
        print(f"cross-check: the target run failed on {a.machine} (exit {p.returncode})")
        return False
    if subprocess.run([a.xc_host, "check", work], check=False).returncode != 0:
        print(f"cross-check: the host refused what {a.machine} encoded")
        return False
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qemu", required=True)
    ap.add_argument("--machine", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--nm", default="arm-none-eabi-nm")
    ap.add_argument("--xc-host", help="tests/crosscheck's xc_target_host: run the cross-checks")
    ap.add_argument("--xc-only", action="store_true", help="only the cross-checks")
    a = ap.parse_args()
    if shutil.which(a.qemu) is None:
        print(f"{a.qemu} is not installed: run scripts/deps (Debian package qemu-system-arm)")
        return 1
    ok = True
    images = () if a.xc_only else ("dev_target_suite.elf", "dev_target_image.elf",
                                   "dev_target_image_verify.elf")
    for name in images:
        elf = os.path.join(a.dir, name)
        if not os.path.isfile(elf):
            print(f"{elf} missing: build the device-target-{a.machine} target")
            return 1
        heap = heap_symbols(a.nm, elf)
        if heap:
            print(f"{name}: heap symbols linked: {', '.join(heap)}")
            ok = False
        rc, out = run(a.qemu, a.machine, elf, a.timeout)
        sys.stdout.write(out)
        if rc is None:
            print(f"{name}: no result within {a.timeout} s on {a.machine}")
            ok = False
            continue
        if name == "dev_target_suite.elf":
            with open(os.path.join(a.dir, "stack.txt"), "w") as f:
                f.write("".join(l + "\n" for l in out.splitlines() if l.startswith("STACK ")))
            m = re.search(r"^RESULT (\d+) (\d+)$", out, re.M)
            if rc != 0 or m is None or m.group(1) != m.group(2) or int(m.group(2)) == 0:
                print(f"{name}: suite failed on {a.machine} (exit {rc})")
                ok = False
        elif rc != 0 or "image: ok" not in out:
            print(f"{name}: image run failed on {a.machine} (exit {rc})")
            ok = False
    if a.xc_host:
        ok = cross_check(a) and ok
    print(f"{a.machine}: {'ok' if ok else 'FAILED'}; heap symbols checked absent from every image")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
