#!/usr/bin/env bash
# The smart camera demo, given a build tree: examples/demo.sh BUILD OUT
# (scripts/demo builds first and then runs this).
set -euo pipefail
build=$1 out=$2
src=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"
mkdir -p "$out"
exec "$build/bin/camera-companion" \
  --firmware "$build/examples/smart-camera/firmware/camera-firmware" \
  --examples "$src/smart-camera" --out "$out"
