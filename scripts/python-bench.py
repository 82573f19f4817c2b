"""Docs/Performance.md, section "Python": worst_case_batch against a scipy linprog loop and
against a loop over `rmfg worst-case`; Game.solve against `rmfg solve` on the 200-state
garnet. Run with the venv of `make python`, after `make build`:

    .venv-python/bin/python scripts/python-bench.py
    .venv-python/bin/python scripts/python-bench.py --batch [ROWS]

Prints wall and CPU seconds (medians of the repeats). With ``--batch``, only the target
of issue 20: ``worst_case_batch("tv", P, V, 0.1)`` on ROWS (default 10^5) rows of n = 100,
9 calls, their median and fastest wall time, the median CPU time and the load average
before and after (also the call callgrind profiles, with ROWS = 10^4)."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.optimize import linprog

import robustmfg

ROOT = Path(__file__).resolve().parents[1]
RMFG = ROOT / ".build" / "release" / "rmfg"


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(fn, repeats):
    walls, cpus = [], []
    for _ in range(repeats):
        w, c, cc = time.perf_counter(), time.process_time(), children_cpu()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c + children_cpu() - cc)
    return statistics.median(walls), statistics.median(cpus)


def tv_linprog(p, v, rho):
    n = len(p)
    eye = np.eye(n)
    c = np.concatenate([v, np.zeros(n)])
    a_ub = np.vstack([np.hstack([eye, -eye]), np.hstack([-eye, -eye]), np.concatenate([np.zeros(n), np.full(n, 0.5)])])
    b_ub = np.concatenate([p, -p, [rho]])
    a_eq = np.concatenate([np.ones(n), np.zeros(n)])[None, :]
    return linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=[1.0], bounds=[(0, None)] * (2 * n), method="highs").fun


def batch_target(k: int) -> None:
    rng = np.random.default_rng(1)
    p = rng.dirichlet(np.ones(100), size=k)
    v = rng.normal(size=(k, 100))
    robustmfg.worst_case_batch("tv", p, v, 0.1)  # loads the library, starts the threads
    print(f"load average before {os.getloadavg()}")
    walls, cpus = [], []
    for _ in range(9):
        w, c = time.perf_counter(), time.process_time()
        robustmfg.worst_case_batch("tv", p, v, 0.1)
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    print(f"worst_case_batch tv k={k} n=100 rho=0.1, 9 calls: wall median {statistics.median(walls):.4f} s, "
          f"min {min(walls):.4f} s; cpu median {statistics.median(cpus):.4f} s")
    print(f"load average after {os.getloadavg()}")


def main() -> None:
    if sys.argv[1:2] == ["--batch"]:
        return batch_target(int(sys.argv[2]) if len(sys.argv) > 2 else 100_000)
    rng = np.random.default_rng(1)
    k, n = 100_000, 100
    p = rng.dirichlet(np.ones(n), size=k)
    v = rng.normal(size=(k, n))
    print(f"load average {os.getloadavg()}")
    for threads in (1, 2):
        wall, cpu = timed(lambda: robustmfg.worst_case_batch("tv", p, v, 0.1, threads=threads), 5)
        print(f"worst_case_batch tv k={k} n={n} threads={threads}: wall {wall:.3f} s, cpu {cpu:.3f} s")
    wall, cpu = timed(lambda: robustmfg.worst_case_batch("tv", p, v, 0.1, distributions=True, certificates=True), 3)
    print(f"worst_case_batch with q and gaps: wall {wall:.3f} s, cpu {cpu:.3f} s")
    m = 200
    wall, cpu = timed(lambda: [tv_linprog(p[i], v[i], 0.1) for i in range(m)], 3)
    print(f"scipy linprog (HiGHS) loop: {m} instances wall {wall:.3f} s ({wall / m * 1e3:.2f} ms each; "
          f"{wall / m * k:.0f} s for {k})")
    check = np.array([tv_linprog(p[i], v[i], 0.1) for i in range(20)])
    print(f"  largest |linprog - batch| on 20 rows: {np.abs(check - robustmfg.worst_case_batch('tv', p[:20], v[:20], 0.1).value).max():.1e}")
    if RMFG.is_file():
        m = 30

        def cli_loop():
            for i in range(m):
                subprocess.run([str(RMFG), "worst-case", "--set", "tv", "--radius", "0.1", "--nominal",
                                ",".join(repr(float(x)) for x in p[i]), "--values", ",".join(repr(float(x)) for x in v[i]),
                                "--format", "json"], check=True, capture_output=True)
        wall, cpu = timed(cli_loop, 3)
        print(f"rmfg worst-case loop: {m} instances wall {wall:.3f} s ({wall / m * 1e3:.1f} ms each; {wall / m * k:.0f} s for {k})")
        garnet(rng)


def garnet(rng) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "garnet-200.json"
        subprocess.run([str(RMFG), "generate", "garnet", "--states", "200", "--actions", "5", "--branching", "10", "--output", str(path)], check=True,
                       capture_output=True)
        cli = lambda: subprocess.run([str(RMFG), "solve", str(path), "--quiet", "--format", "json"], check=True,
                                     capture_output=True)
        py = lambda: robustmfg.Game.load(path).solve()
        cli()
        py()
        for _ in range(2):  # interleaved, so both see the same machine load
            cw, cc = timed(cli, 5)
            pw, pc = timed(py, 5)
            print(f"garnet 200 states: rmfg solve wall {cw:.3f} s (cpu {cc:.3f}); Game.load + solve wall {pw:.3f} s "
                  f"(cpu {pc:.3f}); ratio {pw / cw:.3f}")


if __name__ == "__main__":
    sys.exit(main())
