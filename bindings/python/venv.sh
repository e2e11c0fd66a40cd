#!/usr/bin/env bash
# Make (once) the venv under the build tree that the Python and fleet tests
# use, install the test requirements from PyPI, then build and install the
# custos package against this build's libcustos.
# Usage: venv.sh VENV_DIR INCLUDE_DIR LIB_DIR [run|test]
#   test (the default) installs requirements-test.txt; run, for the demo, only
#   requirements-run.txt (no test tools).
set -euo pipefail
venv=$1 inc=$2 libdir=$3 set=${4:-test}
case "$set" in run|test) ;; *) echo "venv.sh: requirement set must be run or test, not $set" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
req="$here/requirements-$set.txt"
stamp="$venv/.requirements"
exec 9>"$venv.lock"
flock 9
if [ ! -x "$venv/bin/python" ] || ! cat "$here"/requirements-*.txt "$req" | cmp -s - "$stamp"; then
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$req"
  cat "$here"/requirements-*.txt "$req" >"$stamp"
fi
# setuptools keeps its build/ beside the sources and re-links only when a
# source changed, not when the libraries to link did: start it afresh.
rm -rf "$here/build"
CUSTOS_INCLUDE_DIR=$inc CUSTOS_LIB_DIR=$libdir \
  "$venv/bin/pip" install -q --disable-pip-version-check --no-build-isolation --no-deps \
  --force-reinstall "$here" >"$venv/install.log" 2>&1 || { cat "$venv/install.log" >&2; exit 1; }
