#!/bin/sh
# fetch-nanopb.sh DEST: unpack Debian's nanopb source package into DEST once.
#
# Debian's libnanopb-dev ships headers and a host library compiled without
# the device layer's PB_* switches, and no .c sources. The device layer must
# compile nanopb's runtime (pb_common.c, pb_encode.c, pb_decode.c) itself,
# with the same switches in every translation unit, for the host and for
# Cortex-M alike; so it takes them from the source package of the very
# version whose generator produced the code (bookworm: 0.4.7).
#
# The result is cached: when DEST/pb_decode.c exists, nothing is done.
set -eu
dest=$1
if [ -f "$dest/pb_decode.c" ]; then
    exit 0
fi
work="$dest.work"
rm -rf "$work"
mkdir -p "$work"

# A deb-src entry for bookworm main, added once if no deb-src is configured.
if ! grep -rqs '^Types:.*deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    if [ "$(id -u)" != 0 ]; then
        echo "fetch-nanopb: no deb-src entry and not root; add one for bookworm main" >&2
        exit 1
    fi
    cat > /etc/apt/sources.list.d/debian-src.sources <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    apt-get update -qq
fi

cd "$work"
if ! apt-get source -qq --download-only nanopb >/dev/null 2>&1; then
    apt-get update -qq
    apt-get source -qq --download-only nanopb >/dev/null
fi
orig=$(ls nanopb_*.orig.tar.* | head -n 1)
mkdir src
tar -xf "$orig" -C src --strip-components=1
for f in pb.h pb_common.h pb_common.c pb_encode.h pb_encode.c pb_decode.h pb_decode.c; do
    test -f "src/$f" || { echo "fetch-nanopb: $f missing from $orig" >&2; exit 1; }
done
mkdir -p "$dest"
cp src/pb.h src/pb_common.h src/pb_common.c src/pb_encode.h src/pb_encode.c \
   src/pb_decode.h src/pb_decode.c "$dest/"
echo "$orig" > "$dest/SOURCE"
cd /
rm -rf "$work"
