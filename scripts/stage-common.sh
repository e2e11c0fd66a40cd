# Sourced by the scripts/stage-* that build a tree of their own.
#   stage_configure DIR DEVICE [cmake args...]   configure SRC into DIR quietly
#   stage_build DIR [targets...]                  build, showing the tail on failure
#   stage_ctest DIR LABEL_REGEX                   run ctest on those labels
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)
SECONDS=0

stage_configure() {
  local dir=$1 device=$2
  shift 2
  mkdir -p "$dir"
  cmake -S "$src" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCUSTOS_BUILD_DEVICE="$device" \
    -DCUSTOS_CI_STAGES=OFF -DCUSTOS_BUILD_FUZZ=OFF -DCUSTOS_BUILD_BENCH=OFF \
    -DCUSTOS_BUILD_JNI=OFF -DCUSTOS_BUILD_SWIFT=OFF -DCUSTOS_DEVICE_TARGET=OFF "$@" \
    >"$dir/stage-configure.log" 2>&1 \
    || { cat "$dir/stage-configure.log"; return 1; }
}

stage_build() {
  local dir=$1
  shift
  local t=()
  for x in "$@"; do t+=(--target "$x"); done
  cmake --build "$dir" -j"$jobs" "${t[@]}" >"$dir/stage-build.log" 2>&1 \
    || { grep -E 'error|Error' "$dir/stage-build.log" | head -n 40; return 1; }
}

stage_ctest() {
  ctest --test-dir "$1" -L "$2" --output-on-failure -j"$jobs" --timeout 900
}

stage_done() { echo "stage $1: passed in ${SECONDS}s"; }
