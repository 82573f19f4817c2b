#!/usr/bin/env python3
"""End-to-end timings of the LP inner path (Docs/Performance.md, "LP inner path").

For each garnet (`rmfg generate garnet --states N --actions 4 --branching 10`, seed 1)
it runs `rmfg solve FILE --format json` with the closed forms, with `--inner lp` on
every core, and with `--inner lp` pinned to one core (`taskset -c 0`), ROUNDS times
each in turn (so the ratios come from the same run), and prints medians of wall and
user time, the same-run ratios and the LP path's pivot counters.

  python3 Benchmarks/lp_inner.py [--rmfg .build/release/rmfg] [--rounds 3]
                                 [--states 100,200,1000] [--baseline OLD_RMFG]

`--baseline` adds an older binary's `--inner lp` up to 200 states (one round: it is slow).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time


def run(cmd):
    start = time.perf_counter()
    before = os.times()
    out = subprocess.run(cmd, check=False, capture_output=True, text=True)
    after = os.times()
    wall = time.perf_counter() - start
    user = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    if out.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed: {out.stderr.strip()}")
    return wall, user, json.loads(out.stdout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rmfg", default=".build/release/rmfg")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--states", default="100,200,1000")
    ap.add_argument("--baseline")
    args = ap.parse_args()
    rmfg = os.path.abspath(args.rmfg)
    pin = ["taskset", "-c", "0"] if shutil.which("taskset") else None
    folder = tempfile.mkdtemp(prefix="rmfg-lp-bench-")
    for n in [int(x) for x in args.states.split(",")]:
        game = os.path.join(folder, f"garnet{n}.yaml")
        subprocess.run([rmfg, "generate", "garnet", "--states", str(n), "--actions", "4", "--branching", "10",
                        "--output", game], check=True)
        modes = {"closed-form": [rmfg, "solve", game, "--format", "json"],
                 "lp": [rmfg, "solve", game, "--inner", "lp", "--format", "json"]}
        if pin:
            modes["lp, 1 core"] = pin + modes["lp"]
        times = {m: [] for m in modes}
        last = {}
        for _ in range(args.rounds if n < 1000 else 1):
            for mode, cmd in modes.items():
                wall, user, result = run(cmd)
                times[mode].append((wall, user))
                last[mode] = result
        print(f"garnet {n} states x 4 actions, branching 10")
        med = {}
        for mode, samples in times.items():
            wall = statistics.median(s[0] for s in samples)
            user = statistics.median(s[1] for s in samples)
            med[mode] = wall
            res = last[mode]
            print(f"  {mode:12s} wall {wall:8.3f} s  cpu {user:8.3f} s  iterations {res['iterations']}  "
                  f"exploitability {res['exploitability']:.2e}")
            if "lpPath" in res:
                lp = res["lpPath"]
                print(f"               {lp['solves']} row solves ({lp['warmSolves']} warm), "
                      f"{lp['pivotsPerWarmSolve']:.3f} pivots per warm re-solve (max {lp['maxWarmPivots']}), "
                      f"{lp.get('reusedBases', 0)} reused bases, {lp['builds']} builds")
        mu = [abs(a - b) for a, b in zip(last["closed-form"]["meanField"], last["lp"]["meanField"])]
        print(f"  max |mu_lp - mu_closed| = {max(mu):.1e}")
        print(f"  lp / closed-form = {med['lp'] / med['closed-form']:.1f}x", end="")
        if pin:
            print(f";  lp 1 core / lp all cores = {med['lp, 1 core'] / med['lp']:.2f}x", end="")
        print()
        if args.baseline and n <= 200:
            wall, user, _ = run([os.path.abspath(args.baseline), "solve", game, "--inner", "lp", "--format", "json"])
            print(f"  baseline lp  wall {wall:8.3f} s  cpu {user:8.3f} s  -> speed-up {wall / med['lp']:.1f}x wall, "
                  f"{user / max(1e-9, statistics.median(s[1] for s in times['lp'])):.1f}x cpu")
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
