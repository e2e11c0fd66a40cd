#!/usr/bin/env python3
"""The whole-image footprint of the device layer on each board, from the
linker maps of dev_target_image.elf and dev_target_image_verify.elf
(device/target/image/image_main.c: the layer, nanopb, the libsodium subset,
the bare-metal port and startup), and the stack figures the suite measured
(stack.txt, saved by run.py).

  footprint.py --build <host build dir>/device [--write FILE]

Prints (or writes) the Markdown table device/FOOTPRINT.md carries: flash
(.text, .rodata, .data initialisers) and RAM (.data, .bss, the emulated
flash region) per group and board, counted from the input sections the
linker kept; the stack is reported from the painting, not the reservation.
"""
import argparse
import os
import re
import sys

BOARDS = [("microbit", "Cortex-M0"), ("mps2-an385", "Cortex-M3"),
          ("mps2-an386", "Cortex-M4F"), ("mps2-an505", "Cortex-M33")]
GROUPS = ["device", "nanopb", "descriptors", "libsodium", "port", "startup+app", "libc/libgcc"]
LINE1 = re.compile(r"^ (\.\S+|COMMON)\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")
NAME = re.compile(r"^ (\.\S+|COMMON)$")
CONT = re.compile(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")


def group(path):
    if "libdevice_cm" in path:
        return "device"
    if "libnanopb_cm" in path:
        return "descriptors" if ".pb.c" in path else "nanopb"
    if "libsodium_cm" in path:
        return "libsodium"
    if "libport_cm" in path:
        return "port"
    if "libboard_cm" in path or "image_main" in path:
        return "startup+app"
    return "libc/libgcc"


def parse(mapfile):
    flash = {g: 0 for g in GROUPS}
    ram = {g: 0 for g in GROUPS}
    with open(mapfile) as f:
        lines = f.read().split("Linker script and memory map", 1)[1].splitlines()
    pending = None
    for ln in lines:
        m = LINE1.match(ln)
        if m:
            sec, addr, size, path = m.group(1), int(m.group(2), 16), int(m.group(3), 16), m.group(4)
        elif pending and CONT.match(ln):
            c = CONT.match(ln)
            sec, addr, size, path = pending, int(c.group(1), 16), int(c.group(2), 16), c.group(3)
        else:
            n = NAME.match(ln)
            pending = n.group(1) if n else None
            continue
        pending = None
        if size == 0 or path.startswith("load address"):
            continue
        g = group(path)
        if sec.startswith((".text", ".rodata", ".vectors", ".ARM.exidx", ".ARM.extab")):
            flash[g] += size
        elif sec.startswith(".data"):
            flash[g] += size
            ram[g] += size
        elif sec.startswith((".bss", "COMMON", ".custos_flash")):
            ram[g] += size
    return flash, ram


def stack_reservation(mapfile):
    with open(mapfile) as f:
        m = re.search(r"0x([0-9a-f]+)\s+__stack_size = ", f.read())
    return int(m.group(1), 16) if m else 0


def table(build, image):
    rows = []
    head = "| group | " + " | ".join(f"{c} flash | {c} RAM" for _, c in BOARDS) + " |"
    rows.append(head)
    rows.append("|---|" + "---:|" * (2 * len(BOARDS)))
    data = []
    for b, _ in BOARDS:
        mp = os.path.join(build, f"target-{b}", f"{image}.map")
        if not os.path.isfile(mp):
            raise SystemExit(f"{mp} missing: build the device-target target first")
        data.append(parse(mp))
    for g in GROUPS:
        rows.append(f"| {g} | " + " | ".join(f"{fl[g]} | {rm[g]}" for fl, rm in data) + " |")
    tot = [(sum(fl.values()), sum(rm.values())) for fl, rm in data]
    rows.append("| **whole image** | " + " | ".join(f"**{f}** | **{r}**" for f, r in tot) + " |")
    return "\n".join(rows) + "\n"


def stack_table(build):
    """The STACK lines run.py saved from each board's suite run."""
    per = {}
    for b, _ in BOARDS:
        p = os.path.join(build, f"target-{b}", "stack.txt")
        if not os.path.isfile(p):
            raise SystemExit(f"{p} missing: run ctest -L device-target first")
        with open(p) as f:
            for ln in f:
                parts = ln.split()
                if len(parts) >= 3 and parts[1] != "deepest":
                    per.setdefault(parts[1], {})[b] = parts[2]
                elif len(parts) >= 3:
                    per.setdefault("deepest point of any call (from the stack top)", {})[b] = parts[2]
    rows = ["| function | " + " | ".join(c for _, c in BOARDS) + " |",
            "|---|" + "---:|" * len(BOARDS)]
    for fn, v in per.items():
        rows.append(f"| {fn} | " + " | ".join(v.get(b, "-") for b, _ in BOARDS) + " |")
    return "\n".join(rows) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--write")
    a = ap.parse_args()
    text = ("### dev_target_image (reports and receipts signed: Ed25519 sign and verify)\n\n"
            + table(a.build, "dev_target_image")
            + "\n### dev_target_image_verify (unsigned reports: Ed25519 verify only)\n\n"
            + table(a.build, "dev_target_image_verify")
            + "\n### Stack measured on the target by painting (bytes, deepest call seen by the"
              " suite, port crypto included)\n\n" + stack_table(a.build))
    if a.write:
        with open(a.write, "w") as f:
            f.write(text)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
