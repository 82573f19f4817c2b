#!/usr/bin/env python3
"""Bench-MFG next to rmfg on Bench-MFG's own environments (Docs/Performance.md, "Peers").

Runs inside the virtual environment Benchmarks/peers/run.sh creates (bench-mfg-suite 0.1.3
from PyPI). For every environment that Examples/bench-mfg/ translates (Lasry-Lions chain,
SIS epidemic, kinetic congestion, four rooms, MF-Garnet with 20 states), it runs Bench-MFG's
three default solvers as its own runner does (benchmfg.train.run: numpy seed 42, then
create_environment draws the initial policy, then solver.eval(); damped fixed point with the
fictitious-play schedule, OMD, policy iteration; 150 iterations each, JAX on the CPU) and
`rmfg solve` on the translation (the file's solver block at tau = 0), and prints per output:

  wall, CPU  Bench-MFG: the solver.eval() of the 150-iteration run, timed after a 2-iteration
             run of the same solver compiled its JIT functions (CPU = process time of all
             threads); the warm-up's own wall time is a separate column. rmfg: the whole
             `rmfg solve` process (CPU = user + sys of the child).
  E bench    Bench-MFG's exploitability of the returned pair, as its runner reports it (the
             last entry of the solver's history: exploitability_jax(policy, spec,
             initial_mean_field=mean field), 50 population steps from the returned mean field
             under the policy, then a 99-step horizon). For rmfg's pair it is the metric's floor.
  E best it  the lowest value in Bench-MFG's history (an iterate it does not return).
  E rmfg     rmfg's exploitability sum_s mu(s)[V*(s) - V^pi(s)] of the returned pair
             (`rmfg evaluate --temperature 0`: infinite horizon, discount 0.9, at the returned
             mean field).
  resid      rmfg's stationarity residual ||Phi(mu, pi) - mu||_1 of the returned pair.

Usage: Benchmarks/peers/run.sh  (or `make peers`); this script alone:
  Benchmarks/peers/.venv/bin/python Benchmarks/peers/peers.py --rmfg .build/release/rmfg [--markdown]
"""
from __future__ import annotations

import argparse
import json
import logging
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEED = 42  # benchmfg/config/experiment/experiment.yaml: random_seed
WARMUP_ITERATIONS = 2


@dataclass(frozen=True)
class Environment:
    config: str  # Bench-MFG's environment config (benchmfg/config/environment/*.yaml)
    class_name: str  # its class, the key of Bench-MFG's JIT function table
    translation: str  # the game file, relative to the repository root
    overrides: tuple[str, ...] = ()  # Hydra overrides that make Bench-MFG's model the translation's


ENVIRONMENTS = [
    Environment("lasry_lions_chain", "LasryLionsChain", "Examples/bench-mfg/lasry-lions.yaml"),
    Environment("sis_epidemic", "SISEpidemic", "Examples/bench-mfg/sis-epidemic.yaml"),
    Environment("kinetic_congestion", "KineticCongestion", "Examples/bench-mfg/kinetic-congestion.yaml"),
    Environment("four_rooms_obstacles", "FourRoomsAversion2D", "Examples/bench-mfg/four-rooms.yaml"),
    # 20 states instead of the config's 100: the translation's arrays are Bench-MFG's own draws
    # at this size (scripts/bench-mfg-garnet.py); Bench-MFG keeps its 64-point inverse-CDF noise.
    Environment("mf_garnet", "MFGarnet", "Examples/bench-mfg/mf-garnet.yaml", ("environment.num_states=20",)),
]
# (algorithm config, its section in that config, label)
SOLVERS = [("damped_fixed_point", "dampedfp", "FP"), ("omd", "omd", "OMD"), ("pi", "pi", "PI")]
RMFG_FLAGS = ["--temperature", "0", "--max-iterations", "10000"]


@dataclass
class Row:
    environment: str
    solver: str
    wall: float
    cpu: float
    warmup: float | None
    e_bench: float
    e_best: float | None
    e_rmfg: float
    residual: float


class PeerError(Exception):
    """A failure of one of the two tools, with a one-line explanation."""


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_rmfg_command(arguments: list[str]) -> dict[str, Any]:
    """Runs rmfg with --format json and returns the parsed output; PeerError on failure."""
    out = subprocess.run(arguments + ["--format", "json"], capture_output=True, text=True)
    if out.returncode not in (0, 1):  # 1: not converged, still a result
        message = out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"
        raise PeerError(f"{' '.join(arguments[:2])}: {message}")
    try:
        return json.loads(out.stdout)
    except json.JSONDecodeError as error:
        raise PeerError(f"{' '.join(arguments[:2])}: no JSON on standard output ({error})") from error


def write_csv(path: str, rows: Sequence[Sequence[float]]) -> None:
    with open(path, "w") as f:
        for row in rows:
            f.write(",".join(repr(float(x)) for x in row) + "\n")


def rmfg_metrics(rmfg: str, game: str, policy: Any, mean_field: Any, folder: str) -> tuple[float, float]:
    """`rmfg evaluate --temperature 0` of an outside pair: (exploitability, residual)."""
    # Bench-MFG computes in float32: rows sum to 1 only within ~1e-7, and `rmfg evaluate`
    # refuses sums off by more than 1e-9, so every row is renormalized in float64 first.
    rows = [[float(x) for x in row] for row in policy]
    rows = [[x / sum(row) for x in row] for row in rows]
    mu = [float(x) for x in mean_field]
    total = sum(mu)
    pp, mp = os.path.join(folder, "policy.csv"), os.path.join(folder, "meanfield.csv")
    write_csv(pp, rows)
    write_csv(mp, [[x / total] for x in mu])
    j = run_rmfg_command([rmfg, "evaluate", game, "--policy", pp, "--mean-field", mp, "--temperature", "0"])
    return float(j["exploitability"]), float(j["stationarityResidual"])


def bench_metric(spec: Any, policy: Any, mean_field: Any) -> float:
    """Bench-MFG's exploitability_jax of a pair, called as its solvers call it."""
    import jax.numpy as jnp
    from benchmfg.envs.mfg_model_class_jit import exploitability_jax

    return float(exploitability_jax(jnp.asarray(policy, dtype=jnp.float32), spec,
                                    initial_mean_field=jnp.asarray(mean_field, dtype=jnp.float32)))


def bench_solve(env: Environment, algorithm: str, section: str, iterations: int | None) -> tuple[Any, Any, list[float], float, float]:
    """One Bench-MFG solve as benchmfg.train.run does it: (policy, mean field, history, wall, CPU)."""
    import numpy as np
    from benchmfg.api import load_config, make_solver

    overrides = [f"algorithm={algorithm}", f"environment={env.config}", "device=cpu", *env.overrides]
    if iterations is not None:
        overrides.append(f"algorithm.{section}.num_iterations={iterations}")
    cfg = load_config(overrides)
    np.random.seed(SEED)  # before create_environment, which draws the initial policy
    solver = make_solver(cfg)
    wall, cpu = time.perf_counter(), time.process_time()
    policy, mean_field, history = solver.eval()
    return policy, mean_field, [float(e) for e in history], time.perf_counter() - wall, time.process_time() - cpu


def bench_rows(env: Environment, spec: Any, rmfg: str, game: str, folder: str, report: Callable[[Row], None]) -> None:
    for algorithm, section, label in SOLVERS:
        start = time.perf_counter()
        bench_solve(env, algorithm, section, WARMUP_ITERATIONS)
        warmup = time.perf_counter() - start
        policy, mean_field, history, wall, cpu = bench_solve(env, algorithm, section, None)
        reported = history[-1]
        again = bench_metric(spec, policy, mean_field)
        if not math.isclose(again, reported, rel_tol=1e-4, abs_tol=1e-6):
            print(f"peers: warning: {env.config} {label}: exploitability_jax of the returned pair is {again:.6g}, "
                  f"the solver reported {reported:.6g}", file=sys.stderr)
        try:
            e_rmfg, residual = rmfg_metrics(rmfg, game, policy, mean_field, folder)
        except PeerError as error:
            print(f"peers: {env.config} {label}: {error}", file=sys.stderr)
            e_rmfg, residual = math.nan, math.nan
        report(Row(env.config, f"Bench-MFG {label}", wall, cpu, warmup, reported, min(history), e_rmfg, residual))


def rmfg_row(env: Environment, spec: Any, rmfg: str, game: str) -> Row:
    before, start = children_cpu(), time.perf_counter()
    j = run_rmfg_command([rmfg, "solve", game, "--quiet", *RMFG_FLAGS])
    wall, cpu = time.perf_counter() - start, children_cpu() - before
    if not j.get("converged", False):
        print(f"peers: {env.config}: rmfg solve did not converge", file=sys.stderr)
    floor = bench_metric(spec, j["policy"], j["meanField"])
    label = f"rmfg {j['method']} ({j['iterations']} it)"
    return Row(env.config, label, wall, cpu, None, floor, None, float(j["exploitability"]), float(j["stationarityResidual"]))


def run_environment(env: Environment, rmfg: str, report: Callable[[Row], None]) -> None:
    from benchmfg.api import load_config, make_environment
    from benchmfg.utility.create_solver import get_env_spec

    game = os.path.join(ROOT, env.translation)
    environment, _ = make_environment(load_config([f"environment={env.config}", "device=cpu", *env.overrides]))
    spec = get_env_spec(environment, env.class_name)
    with tempfile.TemporaryDirectory() as folder:
        report(rmfg_row(env, spec, rmfg, game))
        bench_rows(env, spec, rmfg, game, folder, report)


HEADER = ("environment", "solver", "wall s", "CPU s", "JIT warm-up wall s", "E Bench-MFG metric",
          "E best iterate", "E rmfg metric", "residual")


def cells(row: Row) -> tuple[str, ...]:
    def number(x: float | None) -> str:
        return "" if x is None else f"{x:.1e}"

    def seconds(x: float | None) -> str:
        return "" if x is None else f"{x:.2f}"

    return (row.environment, row.solver, seconds(row.wall), seconds(row.cpu), seconds(row.warmup),
            number(row.e_bench), number(row.e_best), number(row.e_rmfg), number(row.residual))


def print_table(rows: list[Row], markdown: bool) -> None:
    table = [HEADER] + [cells(row) for row in rows]
    if markdown:
        print("| " + " | ".join(HEADER) + " |")
        print("|" + "---|" * len(HEADER))
        for line in table[1:]:
            print("| " + " | ".join(line) + " |")
        return
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADER))]
    for line in table:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths)))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rmfg", default=os.path.join(ROOT, ".build", "release", "rmfg"))
    p.add_argument("--markdown", action="store_true")
    p.add_argument("--environments", help="comma-separated Bench-MFG environment configs (default: all five)")
    args = p.parse_args()
    known = [env.config for env in ENVIRONMENTS]
    wanted = args.environments.split(",") if args.environments else known
    unknown = [name for name in wanted if name not in known]
    if unknown:
        p.error(f"--environments: unknown {', '.join(unknown)} (known: {', '.join(known)})")
    if not os.access(args.rmfg, os.X_OK):
        p.error(f"--rmfg: {args.rmfg} is not an executable (build it: swift build -c release --product rmfg)")
    try:
        import benchmfg  # noqa: F401
    except ImportError:
        sys.exit("peers: the package benchmfg is missing; run Benchmarks/peers/run.sh (it installs bench-mfg-suite==0.1.3)")
    logging.disable(logging.WARNING)
    rows: list[Row] = []
    print(f"peers: started {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", file=sys.stderr, flush=True)

    def report(row: Row) -> None:
        rows.append(row)
        print("peers: " + " | ".join(cells(row)), file=sys.stderr, flush=True)

    for env in ENVIRONMENTS:
        if env.config in wanted:
            try:
                run_environment(env, args.rmfg, report)
            except PeerError as error:
                sys.exit(f"peers: {env.config}: {error}")
    print(f"peers: finished {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", file=sys.stderr, flush=True)
    print_table(rows, args.markdown)


if __name__ == "__main__":
    main()
