"""Set up the Python environment of the fideslang validator: a virtual
environment under the build tree with the fideslang release pinned below
(from PyPI, through pip). Kept between runs: when the venv already imports
that version, nothing is downloaded. Usage: setup_venv.py VENV_DIR"""
import os
import subprocess
import sys
import venv

FIDESLANG = "3.1.4"


def has_fideslang(py):
    r = subprocess.run([py, "-c", "import fideslang, yaml; print(fideslang.__version__)"],
                       capture_output=True, text=True)
    return r.returncode == 0 and r.stdout.strip() == FIDESLANG


def main():
    root = sys.argv[1]
    py = os.path.join(root, "bin", "python")
    if os.path.exists(py) and has_fideslang(py):
        print(f"fideslang {FIDESLANG} already in {root}")
        return
    venv.create(root, with_pip=True, clear=True)
    r = subprocess.run([py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        f"fideslang=={FIDESLANG}", "pyyaml"], capture_output=True, text=True)
    if r.returncode != 0 or not has_fideslang(py):
        sys.exit(f"FAIL: could not install fideslang {FIDESLANG} into {root}: {r.stderr[-800:]}")
    print(f"fideslang {FIDESLANG} installed in {root}")


main()
