#!/usr/bin/env bash
# `make python`: the Python package robustmfg in a virtual environment inside the
# project (.venv-python, ignored by git), with numpy, scipy, pytest and matplotlib, and
# the package installed in editable mode. The venv sees the packages of the python3 it is
# made from (--system-site-packages: `make scipy` has usually installed numpy and scipy
# there, which saves minutes in CI); whatever is missing comes from PyPI. The library is built by the
# Makefile first (swift build -c release --product robustmfg); the editable package
# finds it in .build/release (Docs/Python.md, "Finding the library").
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv-python}
PYTHON=${PYTHON:-python3}

if [ ! -x "$VENV/bin/python" ]; then
    echo "Creating $VENV with $($PYTHON --version 2>&1)..." >&2
    "$PYTHON" -m venv --system-site-packages "$VENV"
fi
if ! "$VENV/bin/python" -c "import numpy, scipy.optimize, pytest, matplotlib" >/dev/null 2>&1; then
    echo "Installing numpy, scipy, pytest and matplotlib into $VENV..." >&2
    "$VENV/bin/python" -m pip install --quiet numpy scipy pytest matplotlib
fi
if ! "$VENV/bin/python" -c "import robustmfg" >/dev/null 2>&1 \
    || [ "$("$VENV/bin/python" -c 'import robustmfg, pathlib; print(pathlib.Path(robustmfg.__file__).resolve().parent.parent)')" != "$(pwd)/python" ]; then
    echo "Installing robustmfg (editable) into $VENV..." >&2
    ROBUSTMFG_SKIP_BUILD=1 "$VENV/bin/python" -m pip install --quiet -e ./python
fi
"$VENV/bin/python" -c "import robustmfg; print('robustmfg', robustmfg.__version__, 'with librobustmfg', robustmfg.library_version(), 'in $VENV')"
