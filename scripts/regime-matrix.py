#!/usr/bin/env python3
"""The regime matrix of Docs/Solvers.md: every bundled example and every Bench-MFG
translation, solved by the default method (`--method auto`) at
tau in {0, 0.001, 0.01, 0.1, 1} for two populations:

  nominal  the classical game (`--set none`, the population moves under the nominal kernel)
  tv 0.05  `--set tv --radius 0.05 --population worst-case`

Each cell prints iterations, wall seconds and CPU seconds (user + sys of the solve, from
getrusage; the machine may be loaded) and is green (`ok`) when the solve converged with
exploitability and stationarity residual <= 1e-8 within 10 s of wall time
(`--tolerance 1e-9`, the default). Usage:

  swift build -c release            # or debug; the script uses --rmfg or .build/{release,debug}/rmfg
  python3 scripts/regime-matrix.py [--rmfg PATH] [--markdown] [--timeout S] [--ties index|split]
                                   [--population nominal|tv] [--tau T ...] [--load] [FILE ...]

`--ties split` solves the tv column with `--ties split` (nature's mass spread symmetrically
over tied states; Docs/AmbiguitySets.md, "Ties"); `--population` runs one column group only,
`--tau` (repeatable) only the given temperatures; `--load` prints the load average after each row.
`--budget cpu` applies the 10 s limit to the CPU time of the solve instead of its wall time
(on a loaded machine wall time measures the other jobs); the solve is then stopped by
RLIMIT_CPU after 11 CPU seconds (`cpu>11s`).
"""
import argparse, json, os, resource, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = ["beach-bar.yaml", "congestion.yaml", "coordination.yaml", "crowd-grid-small.yaml", "four-rooms.yaml",
            "lasry-lions.yaml", "rock-paper-scissors.yaml", "sis-epidemic.yaml", "two-state.json",
            "guide/restaurants.yaml", "bench-mfg/lasry-lions.yaml", "bench-mfg/sis-epidemic.yaml",
            "bench-mfg/kinetic-congestion.yaml", "bench-mfg/four-rooms.yaml", "bench-mfg/mf-garnet.yaml",
            "crowd-grid.yaml"]
TAUS = ["0", "0.001", "0.01", "0.1", "1"]
POPULATIONS = [("nominal", ["--set", "none", "--population", "nominal"]),
               ("tv 0.05", ["--set", "tv", "--radius", "0.05", "--population", "worst-case"])]
GOAL, LIMIT = 1e-8, 10.0


def find_rmfg():
    for sub in ("release", "debug"):
        path = os.path.join(ROOT, ".build", sub, "rmfg")
        if os.path.exists(path):
            return path
    sys.exit("regime-matrix: build rmfg first (swift build -c release)")


def cell(rmfg, game, tau, flags, timeout, budget):
    cmd = [rmfg, "solve", game, "--method", "auto", "--temperature", tau, "--tolerance", "1e-9",
           "--max-iterations", "100000", "--quiet", "--format", "json"] + flags
    start = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    # --budget cpu: the kernel stops the solve after LIMIT + 1 s of CPU time (SIGXCPU).
    limit = (lambda: resource.setrlimit(resource.RLIMIT_CPU, (int(LIMIT) + 1, int(LIMIT) + 2))) if budget == "cpu" else None
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, preexec_fn=limit)
    except subprocess.TimeoutExpired:
        return {"text": f"timeout>{timeout:g}s", "ok": False}
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if out.returncode < 0 and budget == "cpu":
        return {"text": f"cpu>{LIMIT + 1:g}s", "ok": False}
    if out.returncode == 2 or not out.stdout.strip():
        return {"text": "error: " + out.stderr.strip().splitlines()[-1][:60], "ok": False}
    r = json.loads(out.stdout)
    ok = r["exploitability"] <= GOAL and r["stationarityResidual"] <= GOAL and (cpu if budget == "cpu" else wall) <= LIMIT
    text = f"{r['iterations']} it {wall:.2f}s cpu {cpu:.2f}s"
    if not ok:
        text += f" E={r['exploitability']:.1e} r={r['stationarityResidual']:.1e}"
    return {"text": text, "ok": ok, "method": r["method"]}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rmfg")
    p.add_argument("--markdown", action="store_true", help="print a Markdown table")
    p.add_argument("--timeout", type=float, help="wall seconds before a cell is stopped (11; 600 with --budget cpu)")
    p.add_argument("--budget", choices=["wall", "cpu"], default="wall",
                   help="what the 10 s limit applies to (cpu: user + sys of the solve, for a loaded machine)")
    p.add_argument("--ties", choices=["index", "split"], default="index")
    p.add_argument("--population", choices=["nominal", "tv"])
    p.add_argument("--tau", action="append", choices=TAUS)
    p.add_argument("--load", action="store_true", help="print the load average after each row")
    p.add_argument("files", nargs="*")
    a = p.parse_args()
    populations = [(name, flags + (["--ties", a.ties] if name != "nominal" else []))
                   for name, flags in POPULATIONS if a.population is None or name.startswith(a.population)]
    taus = a.tau or TAUS
    rmfg = a.rmfg or find_rmfg()
    files = a.files or [os.path.join(ROOT, "Examples", f) for f in EXAMPLES]
    header = ["game"] + [f"τ={t} {name}" for name, _ in populations for t in taus]
    if a.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
    bad = 0
    for f in files:
        row = [os.path.relpath(f, os.path.join(ROOT, "Examples"))]
        for _, flags in populations:
            for t in taus:
                c = cell(rmfg, f, t, flags, a.timeout or (600 if a.budget == "cpu" else 11), a.budget)
                bad += not c["ok"]
                row.append(("" if c["ok"] else "**") + c["text"] + ("" if c["ok"] else "**"))
        print(("| " + " | ".join(row) + " |") if a.markdown else "  ".join(row), flush=True)
        if a.load:
            print("load average %.2f %.2f %.2f" % os.getloadavg(), file=sys.stderr, flush=True)
    print(f"{bad} cell(s) not green", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
