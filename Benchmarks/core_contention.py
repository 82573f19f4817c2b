#!/usr/bin/env python3
"""How much slower one core runs while the other is busy: serial LP solves alone and side by side.

The LP path's two-core ratio at 200 states (Docs/Performance.md, section 6) stays well below
what the instruction counts of its threads allow. One reason can be that each virtual core
runs slower while the other one is busy (shared caches and memory bandwidth, or the host
placing both virtual cores on one physical core), which no count inside the guest shows.
This script measures it directly: per round, GarnetSolve `--execution serial` (one thread,
no hand-offs) runs alone, then twice at once, pinned to cores 0 and 1 (`taskset`). The
same work on the same binary, so the ratio of the fastest solve side by side to the fastest
solve alone is the slowdown `s` of a core whose neighbour is busy (interference only adds
time, so the fastest solves estimate the undisturbed times). Two cores then give at most
`2 / s` on perfectly split work, and the two-core ratio of `lp_two_cores.py` can be compared
with that instead of with 2.

    python3 Benchmarks/core_contention.py [--states 200] [--rounds 10] [--repeat 3]
                                         [--solver Benchmarks/.build/release/GarnetSolve]

Run it on a quiet machine only (it prints the load average before and after): under load the
"alone" solves are not alone. Garnets as in lp_two_cores.py (4 actions, branching 10, tv
radius 0.1, tau 0.2, tolerance 1e-9, seed 1, `--inner lp`).
"""
import argparse
import json
import os
import statistics
import subprocess


def command(args, core=None):
    cmd = [args.solver, "--states", str(args.states), "--actions", "4", "--branching", "10", "--radius", "0.1",
           "--temperature", "0.2", "--tolerance", "1e-9", "--inner", "lp", "--execution", "serial",
           "--repeat", str(args.repeat)]
    return cmd if core is None else ["taskset", "-c", str(core)] + cmd


def solves(process):
    out, _ = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"solver failed with exit code {process.returncode}")
    result = json.loads(out)
    return result.get("allSeconds", [result["seconds"]]), result["exploitability"]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--solver", default=os.path.join(here, ".build", "release", "GarnetSolve"))
    ap.add_argument("--states", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}, cores: {os.cpu_count()}")
    alone, side = [], []
    answers = set()
    for _ in range(args.rounds):
        times, e = solves(subprocess.Popen(command(args, 0), stdout=subprocess.PIPE, text=True))
        alone.extend(times)
        answers.add(e)
        pair = [subprocess.Popen(command(args, core), stdout=subprocess.PIPE, text=True) for core in (0, 1)]
        for p in pair:
            times, e = solves(p)
            side.extend(times)
            answers.add(e)
    slowdown = min(side) / min(alone)
    print(f"garnet {args.states} states x 4 actions, --inner lp --execution serial, "
          f"{args.rounds} rounds x {args.repeat} solves")
    print(f"  alone:        fastest {min(alone):.4f} s, median {statistics.median(alone):.4f} s")
    print(f"  side by side: fastest {min(side):.4f} s, median {statistics.median(side):.4f} s")
    print(f"  slowdown of a core whose neighbour is busy (fastest / fastest): {slowdown:.3f}; "
          f"two cores give at most {2 / slowdown:.2f}x on perfectly split work")
    print(f"  same exploitability in every run: {len(answers) == 1}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
