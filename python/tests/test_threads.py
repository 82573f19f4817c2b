"""Concurrent calls from a ThreadPoolExecutor give the serial results (ctypes releases
the GIL, so the library really runs them at once; GLPK calls stay within one call)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

import robustmfg
from conftest import ROOT


def test_concurrent_worst_cases_and_solves(rng):
    problems = []
    for k in range(64):
        n = int(rng.integers(2, 12))
        problems.append((["tv", "l1", "linf", "wasserstein"][k % 4], rng.dirichlet(np.ones(n)), rng.normal(size=n),
                         float(rng.uniform(0, 0.5))))

    def one(problem):
        s, p, v, rho = problem
        r = robustmfg.worst_case(s, p, v, rho, method="both")  # closed form and GLPK
        return r.value, r.lp["value"], r.q.tobytes()

    serial = [one(x) for x in problems]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(one, problems))
    assert parallel == serial

    game = robustmfg.Game.load(ROOT / "Examples/two-state.json")
    reference = game.solve(inner="lp", radius=0.1)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda r: game.solve(inner="lp", radius=r), [0.1] * 4))
    for eq in results:  # one game handle, solved by four threads at once (GLPK inside each)
        np.testing.assert_array_equal(eq.mean_field, reference.mean_field)
        np.testing.assert_array_equal(eq.policy, reference.policy)


def test_concurrent_batches(rng):
    p = rng.dirichlet(np.ones(30), size=2000)
    v = rng.normal(size=(2000, 30))
    serial = robustmfg.worst_case_batch("tv", p, v, 0.2, threads=1).value
    with ThreadPoolExecutor(max_workers=4) as pool:
        outs = list(pool.map(lambda _: robustmfg.worst_case_batch("tv", p, v, 0.2).value, range(8)))
    for out in outs:
        np.testing.assert_array_equal(out, serial)


def test_concurrent_polyhedral_and_moment_sets(rng):
    """The LP-only sets from eight threads at once: each call its own GLPK problem."""
    problems = []
    for k in range(48):
        n = int(rng.integers(2, 10))
        p, v = rng.dirichlet(np.ones(n)), rng.normal(size=n)
        features = rng.normal(size=(2, n))
        problems.append((k, p, v, features))

    def one(problem):
        k, p, v, f = problem
        if k % 2:
            r = robustmfg.worst_case("moment", p, v, 0.1, features=f, within=("tv", 0.2))
        else:
            r = robustmfg.worst_case("polyhedral", p, v, constraints=(f, "<=", f @ p + 0.05), within=("l1", 0.3))
        return r.value, r.q.tobytes(), r.passed

    serial = [one(x) for x in problems]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(one, problems))
    assert parallel == serial and all(passed for _, _, passed in serial)
