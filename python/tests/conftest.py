"""Shared fixtures: the project root and the rmfg binary the results are compared with."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def rmfg_binary() -> Path | None:
    """$RMFG_BINARY (`make test` sets it to the build its Swift suites ran), else the
    build of `make test`, else the debug build of `swift build`, else the release build."""
    env = os.environ.get("RMFG_BINARY")
    candidates = [Path(env)] if env else []
    candidates += [
        ROOT / ".build-test" / "release" / "rmfg",
        ROOT / ".build" / "debug" / "rmfg",
        ROOT / ".build" / "release" / "rmfg",
    ]
    return next((p for p in candidates if p.is_file()), None)


@pytest.fixture(scope="session")
def rmfg() -> Path:
    path = rmfg_binary()
    if path is None:
        pytest.skip("no rmfg binary (run `swift build` or `make build`)")
    return path


def run_cli(binary: Path, args: Sequence[str], expect: int = 0) -> Any:
    """Runs `rmfg ARGS` in the project root: the parsed JSON for exit status 0 or 1 (both
    print a result; 1 = not converged or a check failed), stderr for `expect=2`."""
    proc = subprocess.run([str(binary), *args], cwd=ROOT, capture_output=True, text=True, timeout=600)
    if expect == 2:
        assert proc.returncode == 2, proc.stdout
        return proc.stderr
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def example_reference() -> Any:
    """scripts/example_reference.py: the bundled games' kernels and rewards written from their
    headers and from Bench-MFG's environments (numpy only, not the library)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("example_reference", ROOT / "scripts" / "example_reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tv_index_row(p: np.ndarray, values: np.ndarray, rho: float = 0.05) -> np.ndarray:
    """Nature's tv worst case of the row `p` on its support against `values` (ties by index): `rho`
    (at most `1 - p` of the lowest state) moves to the lowest-valued state of the support, taken
    from the highest-valued ones first."""
    support = np.nonzero(p)[0]
    ranked = support[np.argsort(values[support], kind="stable")]
    q = p.copy()
    delta = min(rho, 1 - p[ranked[0]])
    q[ranked[0]] += delta
    for t in ranked[:0:-1]:
        if delta <= 0:
            break
        take = min(q[t], delta)
        q[t] -= take
        delta -= take
    return q


def numbers(x: np.ndarray) -> str:
    """A vector as the CLI's comma-separated list, every double exact (repr round-trips)."""
    return ",".join(repr(float(t)) for t in x)


@pytest.fixture()
def rng() -> np.random.Generator:
    seed = int(os.environ.get("RMFG_TEST_SEED", "20261202"))
    return np.random.default_rng(seed)
