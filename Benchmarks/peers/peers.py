#!/usr/bin/env python3
"""Bench-MFG next to rmfg on Bench-MFG's own environments (Docs/Performance.md, "Peers").

Runs inside the virtual environment Benchmarks/peers/run.sh creates (bench-mfg-suite 0.1.3
from PyPI). For every environment that Examples/bench-mfg/ translates one to one, it runs
Bench-MFG's three default solvers (damped fixed point with the fictitious-play schedule,
online mirror descent, policy iteration; 150 iterations each, as configured in the package)
and `rmfg solve` (the default `auto`, tau = 0, nominal population) on the translation, and
prints for every output:

  wall     wall time of the solve: Bench-MFG cold (first call, with JIT compilation) and
           warm (a second, fresh solver in the same process); rmfg: the whole process
  E bench  Bench-MFG's own exploitability function (exploitability_jax: 50 population steps
           from the returned mean field, a 99-step horizon; its floor is what it reports for
           rmfg's exact equilibrium)
  E rmfg   rmfg's exploitability sum_s mu(s)[V*(s) - V^pi(s)] of the returned pair
           (`rmfg evaluate`: infinite horizon, discount 0.9, at the returned mean field)
  resid    rmfg's stationarity residual ||Phi(mu, pi) - mu||_1 of the returned pair

Usage: Benchmarks/peers/run.sh  (or `make peers`); this script alone:
  Benchmarks/peers/.venv/bin/python Benchmarks/peers/peers.py --rmfg .build/release/rmfg [--markdown]
"""
import argparse, json, logging, os, subprocess, sys, tempfile, time

os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("JAX_PLATFORMS", "cpu")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# (Bench-MFG environment config, its class name, the translation)
ENVIRONMENTS = [
    ("lasry_lions_chain", "LasryLionsChain", "Examples/bench-mfg/lasry-lions.yaml"),
    ("sis_epidemic", "SISEpidemic", "Examples/bench-mfg/sis-epidemic.yaml"),
    ("kinetic_congestion", "KineticCongestion", "Examples/bench-mfg/kinetic-congestion.yaml"),
    ("four_rooms_obstacles", "FourRoomsAversion2D", "Examples/bench-mfg/four-rooms.yaml"),
]
SOLVERS = [("damped_fixed_point", "FP"), ("omd", "OMD"), ("pi", "PI")]


def write_csv(path, rows):
    with open(path, "w") as f:
        for row in rows:
            f.write(",".join(repr(float(x)) for x in (row if hasattr(row, "__len__") else [row])) + "\n")


def rmfg_metrics(rmfg, game, policy, mean_field, folder):
    """`rmfg evaluate` of a pair: (exploitability, residual)."""
    # Bench-MFG computes in float32: rows sum to 1 only within ~1e-7, and `rmfg evaluate`
    # refuses sums off by more than 1e-9, so every row is renormalized in float64 first.
    policy = [[float(x) / sum(float(y) for y in row) for x in row] for row in policy]
    total = sum(float(x) for x in mean_field)
    mean_field = [float(x) / total for x in mean_field]
    pp, mp = os.path.join(folder, "policy.csv"), os.path.join(folder, "meanfield.csv")
    write_csv(pp, policy)
    write_csv(mp, [[x] for x in mean_field])
    out = subprocess.run([rmfg, "evaluate", game, "--policy", pp, "--mean-field", mp, "--format", "json"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        return float("nan"), float("nan")
    j = json.loads(out.stdout)
    return j["exploitability"], j["stationarityResidual"]


def bench_metric(spec, policy, mean_field):
    import jax.numpy as jnp
    from benchmfg.envs.mfg_model_class_jit import exploitability_jax
    return float(exploitability_jax(jnp.asarray(policy, dtype=jnp.float32), spec,
                                    initial_mean_field=jnp.asarray(mean_field, dtype=jnp.float32)))


def run_bench(env_name, algorithm):
    """One Bench-MFG solve: (policy, mean field, seconds)."""
    from benchmfg.api import load_config, make_solver
    cfg = load_config([f"algorithm={algorithm}", f"environment={env_name}", "device=cpu"])
    solver = make_solver(cfg)
    start = time.perf_counter()
    policy, mean_field, _ = solver.eval()
    return policy, mean_field, time.perf_counter() - start


def run_rmfg(rmfg, game, folder):
    start = time.perf_counter()
    out = subprocess.run([rmfg, "solve", game, "--quiet", "--format", "json", "--output", folder],
                         capture_output=True, text=True)
    seconds = time.perf_counter() - start
    j = json.loads(out.stdout)
    return j, seconds


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rmfg", default=os.path.join(ROOT, ".build", "release", "rmfg"))
    p.add_argument("--markdown", action="store_true")
    p.add_argument("--environments", help="comma-separated Bench-MFG environment names (default: all four)")
    args = p.parse_args()
    wanted = args.environments.split(",") if args.environments else [e[0] for e in ENVIRONMENTS]
    logging.disable(logging.WARNING)
    from benchmfg.api import load_config, make_environment
    from benchmfg.utility.create_solver import get_env_spec
    rows = []
    for env_name, class_name, translation in ENVIRONMENTS:
        if env_name not in wanted:
            continue
        game = os.path.join(ROOT, translation)
        environment, _ = make_environment(load_config([f"environment={env_name}", "device=cpu"]))
        spec = get_env_spec(environment, class_name)
        with tempfile.TemporaryDirectory() as folder:
            j, seconds = run_rmfg(args.rmfg, game, os.path.join(folder, "out"))
            e, r = j["exploitability"], j["stationarityResidual"]
            floor = bench_metric(spec, j["policy"], j["meanField"])
            rows.append((env_name, f"rmfg {j['method']} ({j['iterations']} it)", f"{seconds:.3f}", "",
                         floor, e, r))
            print("peers: " + " | ".join(str(x) for x in rows[-1]), file=sys.stderr, flush=True)
            for algorithm, label in SOLVERS:
                _, _, cold = run_bench(env_name, algorithm)
                policy, mean_field, warm = run_bench(env_name, algorithm)
                eb = bench_metric(spec, policy, mean_field)
                er, rr = rmfg_metrics(args.rmfg, game, policy.tolist(), mean_field.tolist(), folder)
                rows.append((env_name, f"Bench-MFG {label}", f"{warm:.3f}", f"{cold:.3f}", eb, er, rr))
                print("peers: " + " | ".join(str(x) for x in rows[-1]), file=sys.stderr, flush=True)
        print(f"peers: {env_name} done", file=sys.stderr)
    header = ("environment", "solver", "wall s (warm)", "wall s (cold, JIT)", "E Bench-MFG metric", "E rmfg metric", "residual")
    fmt = lambda x: f"{x:.1e}" if isinstance(x, float) else x
    table = [header] + [tuple(fmt(x) for x in row) for row in rows]
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for row in table[1:]:
            print("| " + " | ".join(row) + " |")
    else:
        widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
        for row in table:
            print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)))


if __name__ == "__main__":
    main()
