"""The package imports without the library; the first call says how to build it."""

from __future__ import annotations

import shutil
import subprocess
import sys

from conftest import ROOT


def test_import_without_library(tmp_path):
    copy = tmp_path / "site" / "robustmfg"
    shutil.copytree(ROOT / "python" / "robustmfg", copy, ignore=shutil.ignore_patterns("*.so", "*.dylib", "__pycache__"))
    script = (
        "import sys; sys.path.insert(0, %r)\n"
        "import robustmfg\n"
        "try:\n"
        "    robustmfg.worst_case('tv', [0.5, 0.5], [1, 2], 0.1)\n"
        "except robustmfg.LibraryNotFoundError as e:\n"
        "    print(e.field); print(e.message)\n" % str(tmp_path / "site"))
    env = {"PATH": "/usr/bin:/bin", "ROBUSTMFG_LIBRARY": str(tmp_path / "nowhere.so")}
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    field, message = proc.stdout.strip().split("\n", 1)
    assert field == "library"
    assert "make python" in message and "nowhere.so (missing)" in message
