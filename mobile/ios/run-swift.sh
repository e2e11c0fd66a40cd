#!/usr/bin/env bash
# Build or test the Swift package against the libcustos of a CMake build.
#   run-swift.sh build SRC BUILD          install the core into BUILD/swift-prefix, build package + tests
#   run-swift.sh test  SRC BUILD FILTER   run the XCTest cases matching FILTER (no rebuild)
#   run-swift.sh xcprivacy SRC BUILD      regenerate the SDK's PrivacyInfo.xcprivacy from
#                                         privacy-sdk.yaml; fail if the committed one differs
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
  xcprivacy)
    out=$build/swift-xcprivacy
    rm -rf "$out" && mkdir -p "$out"
    "$build/bin/custos" manifest compile "$src/mobile/ios/privacy-sdk.yaml" -o "$out/privacy-sdk.pb"
    "$build/bin/custos" disclose --format xcprivacy "$out/privacy-sdk.pb" -o "$out"
    if ! diff -u "$src/mobile/ios/Sources/Custos/PrivacyInfo.xcprivacy" "$out/PrivacyInfo.xcprivacy"; then
      echo "mobile/ios/Sources/Custos/PrivacyInfo.xcprivacy is stale: copy $out/PrivacyInfo.xcprivacy over it" >&2
      exit 1
    fi
    ;;
  *) echo "usage: run-swift.sh build|test|xcprivacy SRC BUILD [FILTER]" >&2; exit 2 ;;
esac
