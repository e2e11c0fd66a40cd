# Shared by scripts/demo and scripts/test: where things are, and the toolchains.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)
# The Swift toolchain lives under /opt/swift on this kind of machine.
if [ -d /opt/swift/usr/bin ] && ! command -v swift >/dev/null 2>&1; then
  export PATH="/opt/swift/usr/bin:$PATH"
fi
have() { command -v "$1" >/dev/null 2>&1; }
