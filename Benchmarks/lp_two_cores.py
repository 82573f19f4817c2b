#!/usr/bin/env python3
"""Two-core speed-up of the LP inner path (issue 22's target: >= 1.7x on 2 cores).

For each garnet size it runs GarnetSolve (this folder's Sources/GarnetSolve, release
build) with `--inner lp`, once with `--execution serial` (every row on the calling thread,
serial sweeps) and once with the default (`automatic`: one share of the rows per core, the
calling thread's and one worker thread's per further core), alternating,
ROUNDS times each, so the ratio comes from the same run. GarnetSolve times each solve
itself (`--repeat`, median; building the garnet excluded), so process start-up and game
loading do not enter. It prints, per size: medians of the solve's wall time, the
process's CPU time (user + system), the serial/parallel ratio, the LP path's counters,
and the load average before and after (a ratio measured under load is not a measurement).

On a shared virtual machine the speed of one core can swing by 2x within seconds (the
same Python loop took 0.28 to 0.54 CPU s in one minute on 2026-12-03). Medians then mix
fast and slow spells, and a median ratio can even exceed 2x. So the script also prints
the ratio of the fastest solves (best of all rounds x repeats: interference only adds
time, so the minimum estimates the undisturbed time) and the quartiles of the per-round
paired ratios (serial and parallel run back to back).

  make bench-lp-cores                      # builds GarnetSolve, then runs this
  python3 Benchmarks/lp_two_cores.py [--states 200,1000] [--rounds 5] [--repeat 3]
                                     [--solver Benchmarks/.build/release/GarnetSolve]

Garnets: `--actions 4 --branching 10 --radius 0.1 --temperature 0.2 --tolerance 1e-9`,
seed 1 (Sources/Garnet, tv ball).
"""
import argparse
import json
import os
import statistics
import subprocess


def run(cmd):
    before = os.times()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    return cpu, json.loads(out.stdout)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--solver", default=os.path.join(here, ".build", "release", "GarnetSolve"))
    ap.add_argument("--states", default="200,1000")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}, cores: {os.cpu_count()}")
    for n in [int(x) for x in args.states.split(",")]:
        base = [args.solver, "--states", str(n), "--actions", "4", "--branching", "10", "--radius", "0.1",
                "--temperature", "0.2", "--tolerance", "1e-9", "--inner", "lp", "--repeat", str(args.repeat)]
        modes = {"serial": base + ["--execution", "serial"], "parallel": base}
        wall = {m: [] for m in modes}
        every = {m: [] for m in modes}
        cpu = {m: [] for m in modes}
        last = {}
        for _ in range(args.rounds):
            for mode, cmd in modes.items():
                c, result = run(cmd)
                wall[mode].append(result["seconds"])
                every[mode].extend(result.get("allSeconds", [result["seconds"]]))
                cpu[mode].append(c)
                last[mode] = result
        print(f"garnet {n} states x 4 actions, branching 10, --inner lp "
              f"({args.rounds} rounds x {args.repeat} solves, medians)")
        for mode in modes:
            res = last[mode]
            lp = res.get("lpPath", {})
            print(f"  {mode:9s} solve {statistics.median(wall[mode]):8.4f} s   process cpu {statistics.median(cpu[mode]):8.3f} s"
                  f"   iterations {res['iterations']}   pivots/warm re-solve {lp.get('pivotsPerWarmSolve', 0):.3f}")
        ratio = statistics.median(wall["serial"]) / statistics.median(wall["parallel"])
        same = last["serial"]["exploitability"] == last["parallel"]["exploitability"]
        print(f"  serial / parallel = {ratio:.2f}x (target >= 1.7x); same exploitability: {same}")
        best = min(every["serial"]) / min(every["parallel"])
        paired = sorted(s / p for s, p in zip(wall["serial"], wall["parallel"]))
        q = statistics.quantiles(paired, n=4) if len(paired) >= 2 else [paired[0]] * 3
        print(f"  fastest solves: serial {min(every['serial']):.4f} s, parallel {min(every['parallel']):.4f} s,"
              f" ratio {best:.2f}x; paired per-round ratios: median {q[1]:.2f}x, quartiles {q[0]:.2f}-{q[2]:.2f}x")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
