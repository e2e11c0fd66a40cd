#!/bin/sh
# fetch-libsodium.sh DEST: unpack Debian's libsodium source package, with
# Debian's patches applied (dpkg-source -x), into DEST once.
#
# The Cortex-M images (device/target) compile the handful of libsodium
# files the device port needs (XChaCha20-Poly1305, Ed25519, SHA-512, the
# helpers) with the cross compiler; libsodium-dev ships only host objects.
# bookworm: 1.0.18-1+deb12u1. Cached: when DEST/src/libsodium exists,
# nothing is done. Needs a deb-src entry, which fetch-nanopb.sh adds.
set -eu
dest=$1
mkdir -p "$(dirname "$dest")"
dest=$(cd "$(dirname "$dest")" && pwd)/$(basename "$dest")
if [ -d "$dest/src/libsodium" ]; then
    exit 0
fi
here=$(cd "$(dirname "$0")" && pwd)
# The deb-src entry (and apt-get update) as for nanopb.
if ! grep -rqs '^Types:.*deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    sh "$here/fetch-nanopb.sh" "$dest.nanopb-probe" >/dev/null
    rm -rf "$dest.nanopb-probe"
fi
work="$dest.work"
rm -rf "$work"
mkdir -p "$work"
cd "$work"
if ! apt-get source -qq --download-only libsodium >/dev/null 2>&1; then
    apt-get update -qq
    apt-get source -qq --download-only libsodium >/dev/null
fi
dsc=$(ls libsodium_*.dsc | head -n 1)
dpkg-source -q -x --no-check "$dsc" tree >/dev/null
test -f tree/src/libsodium/crypto_sign/ed25519/ref10/open.c || {
    echo "fetch-libsodium: unexpected layout in $dsc" >&2; exit 1; }
rm -rf "$dest"
mkdir -p "$dest"
cp -R tree/src tree/LICENSE "$dest/"
echo "$dsc" > "$dest/SOURCE"
cd /
rm -rf "$work"
