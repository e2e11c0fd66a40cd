#!/usr/bin/env bash
# Install Custos into a temporary prefix, then build and run a consumer
# against it both ways: find_package(Custos) (shared and static) and pkg-config;
# the same for a tool on the tooling library (custos-tools), which brings the
# runtime; and the runtime's pkg-config file must not pull in libyaml.
set -euo pipefail
src=$1; build=$2; version=$3
work=$(mktemp -d "${TMPDIR:-/tmp}/custos-install-XXXXXX")
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null

cmake -S "$src/tests/install/consumer" -B "$work/cm" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/cm" >/dev/null
LD_LIBRARY_PATH=$(dirname "$(find "$prefix" -name libcustos.so | head -n1)") "$work/cm/consumer_shared" "$work/store1"
"$work/cm/consumer_static" "$work/store2"
LD_LIBRARY_PATH=$(dirname "$(find "$prefix" -name libcustos.so | head -n1)") "$work/cm/tools_consumer_shared"
"$work/cm/tools_consumer_static"

export PKG_CONFIG_PATH=$(dirname "$(find "$prefix" -name custos.pc | head -n1)")
libdir=$(pkg-config --variable=libdir custos)
cc -std=c11 -DCUSTOS_EXPECTED_VERSION="\"$version\"" "$src/tests/install/consumer/main.c" \
   $(pkg-config --cflags --libs custos) -o "$work/consumer_pc"
LD_LIBRARY_PATH=$libdir "$work/consumer_pc" "$work/store3"
cc -std=c11 -DCUSTOS_EXPECTED_VERSION="\"$version\"" "$src/tests/install/consumer/main.c" \
   $(pkg-config --cflags --static custos) -o "$work/consumer_pc_static" \
   "$libdir/libcustos.a" $(pkg-config --libs --static custos | sed 's/-lcustos//')
"$work/consumer_pc_static" "$work/store4"
if pkg-config --libs --static custos | grep -q yaml; then
  echo "install: custos.pc (the runtime) pulls in libyaml: $(pkg-config --libs --static custos)" >&2
  exit 1
fi
cc -std=c11 -DCUSTOS_EXPECTED_VERSION="\"$version\"" "$src/tests/install/consumer/tools_main.c" \
   $(pkg-config --cflags --libs custos-tools) -o "$work/tools_consumer_pc"
LD_LIBRARY_PATH=$libdir "$work/tools_consumer_pc"
cc -std=c11 -DCUSTOS_EXPECTED_VERSION="\"$version\"" "$src/tests/install/consumer/tools_main.c" \
   $(pkg-config --cflags --static custos-tools) -o "$work/tools_consumer_pc_static" \
   "$libdir/libcustos-tools.a" "$libdir/libcustos.a" \
   $(pkg-config --libs --static custos-tools | sed 's/-lcustos-tools//; s/-lcustos\b//')
"$work/tools_consumer_pc_static"
echo "install: find_package shared+static and pkg-config shared+static all work, runtime and tooling"
