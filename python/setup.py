"""Build hook: `pip install ./python` from a RobustMFG checkout builds librobustmfg
(`swift build -c release --product robustmfg` in the checkout) and bundles it into the
package. Set ROBUSTMFG_SKIP_BUILD=1 to skip the build (the package then finds the
library through ROBUSTMFG_LIBRARY or the checkout's .build/release folder)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
CHECKOUT = HERE.parent
NAME = "librobustmfg" + (".dylib" if sys.platform == "darwin" else ".so")


class BuildWithLibrary(build_py):
    """build_py, then the Swift library copied next to the package's modules."""

    def run(self) -> None:
        super().run()
        if os.environ.get("ROBUSTMFG_SKIP_BUILD") == "1" or getattr(self, "editable_mode", False):
            return
        if not (CHECKOUT / "Package.swift").is_file():
            raise SystemExit("robustmfg: no Package.swift above python/; install from a RobustMFG checkout")
        swift = os.environ.get("SWIFT", "swift")
        subprocess.run([swift, "build", "-c", "release", "--product", "robustmfg"], cwd=CHECKOUT, check=True)
        built = CHECKOUT / ".build" / "release" / NAME
        target = Path(self.build_lib) / "robustmfg" / NAME
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built, target)


setup(cmdclass={"build_py": BuildWithLibrary})
