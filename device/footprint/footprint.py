#!/usr/bin/env python3
"""Cross-build the device layer for Cortex-M0+ and Cortex-M4 and hold it to
its budget (reference/platforms.md section 11.4).

For each CPU: compile device/src, nanopb's runtime (from Debian's source
package) and the generated consent/sync descriptors with arm-none-eabi-gcc
-Os -mthumb -ffunction-sections -fdata-sections -fstack-usage
-fcallgraph-info=su; link them with footprint_main.c (calls every public
function) and a do-nothing port, --gc-sections, newlib-nano (and libnosys, so that a heap
user links and is caught by nm rather than by a link error); then read
  * flash (.text + .rodata) and static RAM (.data + .bss) per object from
    the linker map, counting only input sections kept in the image;
  * the worst stack of every public function from the call graphs, nanopb's
    submessage recursion followed once (the schemas nest one level);
  * heap symbols (malloc, free, calloc, realloc, _sbrk) with nm: any is a
    failure.
Prints the table (Markdown), optionally writes it, and exits 1 when over
budget, 77 (CTest's skip code) when arm-none-eabi-gcc is missing.
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys

CPUS = [("cortex-m0plus", "Cortex-M0+"), ("cortex-m4", "Cortex-M4")]
BUDGET_FLASH = 12 * 1024      # device + nanopb + descriptors, Cortex-M0+
BUDGET_RAM = 1024             # .data + .bss owned by the layer
BUDGET_STACK = 2560           # worst stack of any public function
HEAP_SYMBOLS = ("malloc", "free", "calloc", "realloc", "_sbrk", "_sbrk_r", "_malloc_r")
DEFINES = ["-DPB_NO_ERRMSG", "-DPB_BUFFER_ONLY", "-DPB_ENCODE_ARRAYS_UNPACKED"]
CC = "arm-none-eabi-gcc"


def run(cmd):
    subprocess.run(cmd, check=True)


def compile_all(args, cpu, out):
    os.makedirs(out, exist_ok=True)
    groups = {
        "device": sorted(glob.glob(os.path.join(args.device, "src", "*.c"))),
        "nanopb": [os.path.join(args.nanopb, f) for f in ("pb_common.c", "pb_encode.c", "pb_decode.c")],
        "descriptors": sorted(glob.glob(os.path.join(args.gen, "custos", "v1", "*.pb.c"))),
        "harness": [os.path.join(args.device, "footprint", "footprint_main.c"),
                    os.path.join(args.device, "footprint", "footprint_port.c")],
    }
    common = ["-mcpu=" + cpu, "-mthumb", "-Os", "-std=c99", "-ffunction-sections",
              "-fdata-sections", "-fstack-usage", "-fcallgraph-info=su"] + DEFINES + [
              "-I" + os.path.join(args.device, "include"), "-I" + args.nanopb, "-I" + args.gen]
    objs = {}
    for group, srcs in groups.items():
        for src in srcs:
            name = os.path.basename(src)[:-2]
            obj = os.path.join(out, name + ".o")
            warn = ["-Wall", "-Wextra", "-Werror"] if group in ("device", "harness") else ["-w"]
            run([CC] + common + warn + ["-c", src, "-o", obj])
            objs[obj] = group
    return objs


def link(objs, cpu, out):
    elf = os.path.join(out, "device.elf")
    mapf = os.path.join(out, "device.map")
    run([CC, "-mcpu=" + cpu, "-mthumb", "-nostartfiles", "--specs=nano.specs", "--specs=nosys.specs",
         "-Wl,--gc-sections", "-Wl,-e,fp_entry", "-Wl,-Map=" + mapf, "-o", elf] + list(objs))
    return elf, mapf


SECTION = re.compile(r"^ (\.[\w.$]+|COMMON)\s*(?:0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*))?$")
CONT = re.compile(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")


def kind(name):
    for prefix, k in ((".text", "text"), (".rodata", "rodata"), (".data", "data"),
                      (".bss", "bss"), ("COMMON", "bss")):
        if name.startswith(prefix):
            return k
    return None


def map_sizes(mapf):
    """{object basename or library: {text, rodata, data, bss}} of kept sections."""
    sizes = {}
    lines = open(mapf).read().split("Linker script and memory map", 1)[1].splitlines()
    pending = None
    for line in lines:
        m = SECTION.match(line)
        if m:
            if m.group(2):
                add(sizes, m.group(1), int(m.group(3), 16), m.group(4))
                pending = None
            else:
                pending = m.group(1)
            continue
        c = CONT.match(line)
        if pending and c:
            add(sizes, pending, int(c.group(2), 16), c.group(3))
        pending = None
    return sizes


def add(sizes, section, size, origin):
    k = kind(section)
    if k is None or size == 0:
        return
    origin = origin.strip()
    lib = re.match(r".*/(lib[\w+-]+\.a)\((.*)\)$", origin)
    key = lib.group(1) if lib else os.path.basename(origin)
    d = sizes.setdefault(key, {"text": 0, "rodata": 0, "data": 0, "bss": 0})
    d[k] += size


NODE = re.compile(r'node: \{ title: "([^"]+)" label: "([^"]*)"')
EDGE = re.compile(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"')
STACK = re.compile(r"\\n(\d+) bytes \((\w+)")


def call_graph(out):
    frames, calls, local = {}, {}, {}
    for ci in glob.glob(os.path.join(out, "*.ci")):
        unit = os.path.basename(ci)
        text = open(ci).read()
        defined = set()
        for name, label in NODE.findall(text):
            s = STACK.search(label)
            if s:
                defined.add(name)
                frames[(unit, name)] = (int(s.group(1)), s.group(2))
        local[unit] = defined
        for src, dst in EDGE.findall(text):
            calls.setdefault((unit, src), []).append(dst)
    glob_def = {}
    for (unit, name) in frames:
        glob_def.setdefault(name, (unit, name))
    return frames, calls, local, glob_def


def worst_stack(fn, frames, calls, local, glob_def):
    """Worst path from fn, each function at most twice on a path."""
    notes = set()
    unresolved = set()

    def resolve(unit, name):
        if name in local.get(unit, ()):
            return (unit, name)
        return glob_def.get(name)

    def walk(key, path):
        size, qual = frames[key]
        if qual != "static":
            notes.add("%s: %s" % (key[1], qual))
        best = 0
        for dst in calls.get(key, []):
            if dst == "__indirect_call":
                notes.add("the port callbacks (indirect calls)")
                continue
            k = resolve(key[0], dst)
            if k is None:
                unresolved.add(dst)
                continue
            if path.count(k) >= 2:
                continue
            best = max(best, walk(k, path + [k]))
        return size + best

    start = glob_def[fn]
    total = walk(start, [start])
    notes |= {"leaf:" + n for n in unresolved}
    return total, notes


def heap_symbols(elf):
    nm = subprocess.run(["arm-none-eabi-nm", elf], check=True, capture_output=True, text=True)
    names = {line.split()[-1] for line in nm.stdout.splitlines() if line.strip()}
    return sorted(n for n in HEAP_SYMBOLS if n in names)


def context_size(args, cpu, out):
    """sizeof(custos_dev_t) on this CPU, read back from a one-line object."""
    src = os.path.join(out, "ctx_size.c")
    obj = os.path.join(out, "ctx_size.o")
    with open(src, "w") as f:
        f.write('#include "custos_dev.h"\nchar custos_dev_ctx_size[sizeof(custos_dev_t)];\n')
    run([CC, "-mcpu=" + cpu, "-mthumb", "-Os", "-c", src, "-o", obj] + DEFINES +
        ["-I" + os.path.join(args.device, "include")])
    nm = subprocess.run(["arm-none-eabi-nm", "-S", obj], check=True, capture_output=True,
                        text=True)
    return int(nm.stdout.split()[1], 16)


def gcc_version():
    r = subprocess.run([CC, "--version"], capture_output=True, text=True, check=True)
    return r.stdout.splitlines()[0]


def tcf_chars_for(purposes):
    """TC string carrying consent for `purposes` purposes (vocabularies.md 9.2/9.3):
    minimum core (259 bits, 24 purposes) plus a PublisherTC segment with the
    rest as custom purposes (3 + 24 + 24 + 6 + 2n bits), each segment padded
    to whole bytes, base64url without padding, joined by '.'."""
    def chars(bits):
        nbytes = (bits + 7) // 8
        return (nbytes * 8 + 5) // 6
    custom = max(0, purposes - 24)
    core = chars(259)
    if custom == 0:
        return core
    return core + 1 + chars(3 + 24 + 24 + 6 + 2 * custom)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--device", required=True)
    ap.add_argument("--nanopb", required=True)
    ap.add_argument("--gen", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--write")
    args = ap.parse_args()
    if shutil.which(CC) is None:
        print("device footprint: %s not found (apt-get install gcc-arm-none-eabi "
              "libnewlib-arm-none-eabi); skipped" % CC)
        return 77

    results, failures = {}, []
    public = None
    for cpu, label in CPUS:
        out = os.path.join(args.out, cpu)
        shutil.rmtree(out, ignore_errors=True)
        objs = compile_all(args, cpu, out)
        elf, mapf = link(objs, cpu, out)
        sizes = map_sizes(mapf)
        frames, calls, local, glob_def = call_graph(out)
        if public is None:
            public = sorted(n for n in glob_def if n.startswith("custos_dev_"))
        stacks = {fn: worst_stack(fn, frames, calls, local, glob_def) for fn in public}
        verify_depth = frames[glob_def["custos_dev_apply_update"]][0]
        heap = heap_symbols(elf)
        groups = {os.path.basename(o): g for o, g in objs.items()}
        ctx = context_size(args, cpu, out)
        results[cpu] = (sizes, groups, stacks, heap, verify_depth, ctx)
        counted = sum(v["text"] + v["rodata"] for k, v in sizes.items()
                      if groups.get(k) in ("device", "nanopb", "descriptors"))
        ram = sum(v["data"] + v["bss"] for k, v in sizes.items()
                  if groups.get(k) in ("device", "nanopb", "descriptors"))
        if cpu == "cortex-m0plus" and counted > BUDGET_FLASH:
            failures.append("%s flash %d > %d" % (label, counted, BUDGET_FLASH))
        if ram > BUDGET_RAM:
            failures.append("%s static RAM %d > %d" % (label, ram, BUDGET_RAM))
        for fn, (st, _) in stacks.items():
            if st > BUDGET_STACK:
                failures.append("%s stack of %s %d > %d" % (label, fn, st, BUDGET_STACK))
        if heap:
            failures.append("%s links heap symbols: %s" % (label, ", ".join(heap)))

    text = report(results, public, failures)
    print(text)
    if args.write:
        with open(args.write, "w") as f:
            f.write(text)
    if failures:
        print("device footprint: OVER BUDGET: " + "; ".join(failures), file=sys.stderr)
        return 1
    return 0


def notes_text(notes):
    leaves = sorted(n[5:] for n in notes if n.startswith("leaf:"))
    other = sorted(n for n in notes if not n.startswith("leaf:"))
    if leaves:
        other.append("newlib/libgcc leaf routines, a few words of stack each (%s)"
                     % ", ".join(leaves))
    return "; ".join(other) or "nothing"


def report(results, public, failures):
    cpus = [c for c, _ in CPUS]
    labels = dict(CPUS)
    L = []
    L.append("# Device layer footprint\n")
    L.append("Written by the `device-footprint` target (device/footprint/footprint.py) "
             "from a measured run; CTest runs the same check (`device_footprint`, label "
             "`device`).\n")
    L.append("* Toolchain: `%s`, `-mthumb -Os -std=c99 -ffunction-sections -fdata-sections`, "
             "linked with `--gc-sections` and newlib-nano." % gcc_version())
    L.append("* nanopb 0.4.7 runtime from Debian's source package, compiled with `%s` "
             "(not `PB_WITHOUT_64BIT`: the schema's consent bitsets are `fixed64`, see "
             "include/custos_dev_config.h)." % " ".join(d[2:] for d in DEFINES))
    L.append("* Configuration: default custos_dev_config.h (4 subjects, 64 purposes, "
             "16 timed consents, 512-byte slots).")
    L.append("* Image: every public function called once (footprint_main.c); the port's "
             "callbacks are stubs, so crypto and the flash driver are excluded.\n")
    L.append("## Flash and static RAM per object (bytes kept in the linked image)\n")
    L.append("| object | group | " + " | ".join(
        "%s flash | %s RAM" % (labels[c], labels[c]) for c in cpus) + " |")
    L.append("|---|---|" + "---:|---:|" * len(cpus))
    names = set()
    for c in cpus:
        names |= set(results[c][0])
    order = {"device": 0, "nanopb": 1, "descriptors": 2, "harness": 3}
    groups = results[cpus[0]][1]
    rows = sorted(names, key=lambda n: (order.get(groups.get(n), 4), n))
    totals = {c: [0, 0] for c in cpus}
    for n in rows:
        g = groups.get(n, "libc/libgcc")
        cells = []
        for c in cpus:
            v = results[c][0].get(n, {"text": 0, "rodata": 0, "data": 0, "bss": 0})
            fl, ram = v["text"] + v["rodata"], v["data"] + v["bss"]
            cells.append("%d | %d" % (fl, ram))
            if g in ("device", "nanopb", "descriptors"):
                totals[c][0] += fl
                totals[c][1] += ram
        L.append("| %s | %s | %s |" % (n, g, " | ".join(cells)))
    L.append("| **device + nanopb + descriptors** | counted | " + " | ".join(
        "**%d** | **%d**" % (totals[c][0], totals[c][1]) for c in cpus) + " |")
    L.append("")
    L.append("Budget: counted flash on Cortex-M0+ <= %d (12 KiB); counted static RAM <= %d; "
             "harness and libc/libgcc rows are shown, not counted. The layer owns no static RAM: "
             "the caller places the context, `custos_dev_t`, %s bytes (4 subjects, 16 timed "
             "consents), where it likes; the harness RAM is that context, a 512-byte message "
             "buffer and two volatile sinks.\n"
             % (BUDGET_FLASH, BUDGET_RAM, " / ".join("%s %d" % (labels[c], results[c][5])
                                                    for c in cpus)))
    L.append("## Worst stack per public function (bytes)\n")
    L.append("| function | " + " | ".join(labels[c] for c in cpus) + " |")
    L.append("|---|" + "---:|" * len(cpus))
    notes = set()
    for fn in public:
        L.append("| %s | %s |" % (fn, " | ".join(str(results[c][2][fn][0]) for c in cpus)))
        for c in cpus:
            notes |= results[c][2][fn][1]
    L.append("")
    L.append("From `-fcallgraph-info=su`, deepest path; nanopb's submessage recursion "
             "followed once (ConsentUpdate > ConsentChange, ConsentStateReport > "
             "CompactConsentState are the only nestings). Budget <= %d. The port's callbacks "
             "run on top of the layer's frames. The deepest, Ed25519 verify (Monocypher's "
             "`crypto_ed25519_check`: 1,664 B, reference/platforms.md section 11.3), is called "
             "from `custos_dev_apply_update` with only its own frame below it (%s bytes), "
             "before the message structs are on the stack: %s bytes with Monocypher. "
             "Not counted: %s.\n" % (BUDGET_STACK,
                                " / ".join("%s %d" % (labels[c], results[c][4]) for c in cpus),
                                " / ".join("%s %d" % (labels[c], results[c][4] + 1664) for c in cpus),
                                notes_text(notes)))
    L.append("## Heap\n")
    for c in cpus:
        heap = results[c][3]
        L.append("* %s: `arm-none-eabi-nm` finds %s." % (
            labels[c], ("**" + ", ".join(heap) + "**") if heap else
            "none of malloc, free, calloc, realloc, _sbrk"))
    L.append("")
    L.append("## Compact consent state on the wire\n")
    L.append("| encoding | 64 purposes, one subject |")
    L.append("|---|---:|")
    L.append("| `CompactConsentState` (given + decided bitsets, policy version, counter; "
             "worst case: all bits set, both 32-bit fields at 2^32-1) | **32 bytes** "
             "(2 + 9 + 9 + 6 + 6; checked by test_compact_state_of_64_purposes_fits_32_bytes) |")
    L.append("| IAB TCF v2.2 TC string, same consent bits: minimum core segment (259 bits, "
             "24 purposes) + PublisherTC segment with 40 custom purposes (137 bits), "
             "vocabularies.md section 9.2-9.3 | **%d characters** (%d + 1 + %d), consent only, "
             "no decided bits |" % (tcf_chars_for(64), tcf_chars_for(24),
                                    tcf_chars_for(64) - tcf_chars_for(24) - 1))
    L.append("")
    L.append("## Result\n")
    L.append("**OVER BUDGET**: " + "; ".join(failures) if failures else "Within budget.")
    L.append("")
    return "\n".join(L)


if __name__ == "__main__":
    sys.exit(main())
