"""Build glue: compiles the cffi extension (API mode) against libcustos.

Where the core is found, in order:
  CUSTOS_INCLUDE_DIR / CUSTOS_LIB_DIR   explicit directories
  CUSTOS_PREFIX                         an install prefix (include/, lib/)
  the source tree two levels up         core/include and build/*/core
The shared library is copied into the package (so a wheel carries it) and
the extension looks for it next to itself first ($ORIGIN).
"""
import os
import sys

from setuptools import setup

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "src"))

setup(cffi_modules=["src/custos/_build.py:ffibuilder"])
