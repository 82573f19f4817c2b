#!/usr/bin/env bash
# Makes sure python3 can import numpy and scipy.optimize (HiGHS), which
# Tests/AmbiguityTests/PolyhedralSetTests.swift uses as an independent LP solver
# (scripts/highs_worst_case.py): pip into the python3 on PATH, else Debian's
# python3-numpy + python3-scipy via apt-get. Otherwise: one line saying what to install; the
# comparison is then skipped, the rest of the suite still runs.
set -euo pipefail

if python3 -c "import numpy, scipy.optimize" >/dev/null 2>&1; then
    exit 0
fi

# The python3 on PATH is the one the tests run (TestSupport's pythonWithNumPy), so
# install into it with pip first; Debian's packages only help when that python3 is
# the system one.
if python3 -m pip --version >/dev/null 2>&1; then
    echo "Installing numpy and scipy with python3 -m pip..." >&2
    if python3 -m pip install --quiet numpy scipy >/dev/null 2>&1 \
        && python3 -c "import numpy, scipy.optimize" >/dev/null 2>&1; then
        exit 0
    fi
fi

if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
            echo "warning: scipy is missing (apt-get install python3-numpy python3-scipy as root); the HiGHS comparison will be skipped" >&2
            exit 0
        fi
    fi
    echo "Installing numpy and scipy (python3-numpy, python3-scipy) with apt-get..." >&2
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq >/dev/null
    $SUDO apt-get install -y -qq python3-numpy python3-scipy >/dev/null
else
    echo "warning: scipy is missing (python3 -m pip install numpy scipy); the HiGHS comparison will be skipped" >&2
fi
