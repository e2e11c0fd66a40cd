#!/usr/bin/env bash
# Build or test the Swift package against the libcustos of a CMake build.
#   run-swift.sh build SRC BUILD          install the core into BUILD/swift-prefix, build package + tests
#   run-swift.sh test  SRC BUILD FILTER   run the XCTest cases matching FILTER (no rebuild)
set -euo pipefail
mode=$1 src=$2 build=$3
prefix=$build/swift-prefix
scratch=$build/swift-build
[ -d /opt/swift/usr/bin ] && export PATH="/opt/swift/usr/bin:$PATH"
export PKG_CONFIG_PATH=$(dirname "$(find "$prefix" -name custos.pc 2>/dev/null | head -n1)" 2>/dev/null || true)
libdir=$(dirname "$(find "$prefix" -name 'libcustos.so' 2>/dev/null | head -n1)" 2>/dev/null || true)
export LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
case "$mode" in
  build)
    cmake --install "$build" --prefix "$prefix" >/dev/null
    export PKG_CONFIG_PATH=$(dirname "$(find "$prefix" -name custos.pc | head -n1)")
    export LD_LIBRARY_PATH=$(dirname "$(find "$prefix" -name 'libcustos.so' | head -n1)")
    swift build --build-tests --package-path "$src/mobile/ios" --scratch-path "$scratch" -Xlinker -rpath -Xlinker "$LD_LIBRARY_PATH"
    ;;
  test)
    swift test --skip-build --package-path "$src/mobile/ios" --scratch-path "$scratch" --filter "$4"
    ;;
  *) echo "usage: run-swift.sh build|test SRC BUILD [FILTER]" >&2; exit 2 ;;
esac
