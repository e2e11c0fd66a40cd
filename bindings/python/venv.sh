#!/usr/bin/env bash
# Make (once) the venv under the build tree that the Python and fleet tests
# use, install the test requirements from PyPI, then build and install the
# custos package against this build's libcustos.
# Usage: venv.sh VENV_DIR INCLUDE_DIR LIB_DIR
set -euo pipefail
venv=$1 inc=$2 libdir=$3
here=$(cd "$(dirname "$0")" && pwd)
req="$here/requirements-test.txt"
stamp="$venv/.requirements"
exec 9>"$venv.lock"
flock 9
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$req" "$stamp"; then
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$req"
  cp "$req" "$stamp"
fi
CUSTOS_INCLUDE_DIR=$inc CUSTOS_LIB_DIR=$libdir \
  "$venv/bin/pip" install -q --disable-pip-version-check --no-build-isolation --no-deps \
  --force-reinstall "$here" >"$venv/install.log" 2>&1 || { cat "$venv/install.log" >&2; exit 1; }
