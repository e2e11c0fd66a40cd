#!/usr/bin/env bash
# The stripped sizes of the shared libraries (docs/BENCHMARKS.md, "Library
# sizes"): configure SOURCE_DIR into WORK as a release build of the core only,
# build libcustos.so and, where the tree has it, libcustos-tools.so, and print
# each one's size after `strip --strip-unneeded` (on a copy).
#
#   bench/library_sizes.sh SOURCE_DIR WORK [BUILD_TYPE [cmake args...]]
#
# BUILD_TYPE: Release (default), MinSizeRel, RelWithDebInfo. For arm64, pass the cross
# toolchain of the aarch64 stage:
#   bench/library_sizes.sh . build/sizes-arm64 Release -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
# SOURCE_DIR may be an older tree (git worktree or `git archive`), to compare.
set -euo pipefail
[ $# -ge 2 ] || { sed -n '2,12p' "$0" >&2; exit 2; }
src=$(cd "$1" && pwd) work=$2 type=${3:-Release}
shift $(( $# >= 3 ? 3 : 2 ))
mkdir -p "$work"
cmake -S "$src" -B "$work" -DCMAKE_BUILD_TYPE="$type" -DCUSTOS_BUILD_TESTS=OFF -DCUSTOS_BUILD_DEVICE=OFF \
  -DCUSTOS_BUILD_TOOLS=OFF -DCUSTOS_BUILD_BENCH=OFF -DCUSTOS_BUILD_JNI=OFF -DCUSTOS_BUILD_SWIFT=OFF \
  -DCUSTOS_CI_STAGES=OFF "$@" >"$work/sizes-configure.log" 2>&1 \
  || { cat "$work/sizes-configure.log" >&2; exit 1; }
targets=(custos)
help=$(cmake --build "$work" --target help)
grep -qw custos_tools <<<"$help" && targets+=(custos_tools)
t=(); for x in "${targets[@]}"; do t+=(--target "$x"); done
cmake --build "$work" -j"$(nproc 2>/dev/null || echo 2)" "${t[@]}" >"$work/sizes-build.log" 2>&1 \
  || { tail -n 30 "$work/sizes-build.log" >&2; exit 1; }
arch=$(readelf -hW "$work/core/libcustos.so" | sed -n 's/^ *Machine: *//p' |
  sed 's/^Advanced Micro Devices X86-64$/x86-64/; s/^AArch64$/arm64/')
# The strip of the library's machine (STRIP overrides): binutils for arm64 is
# Debian's binutils-aarch64-linux-gnu, which the aarch64 stage installs.
strip=${STRIP:-strip}
[ -z "${STRIP:-}" ] && [ "$arch" = arm64 ] && [ "$(uname -m)" != aarch64 ] && strip=aarch64-linux-gnu-strip
for lib in libcustos.so libcustos-tools.so; do
  [ -f "$work/core/$lib" ] || continue
  cp -L "$work/core/$lib" "$work/$lib.stripped"
  "$strip" --strip-unneeded "$work/$lib.stripped"
  bytes=$(stat -c %s "$work/$lib.stripped")
  printf '%s\t%s\t%s\t%d bytes\t%d KB\n' "$arch" "$type" "$lib" "$bytes" $(( (bytes + 1023) / 1024 ))
done
