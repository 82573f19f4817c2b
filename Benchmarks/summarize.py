#!/usr/bin/env python3
"""Reads `swift package benchmark` text output (stdin) and prints one line per benchmark:
target, name, median (p50) wall clock, p25–p75, mallocs per call, samples; then the
fast-vs-LP (n = 100), parallel-vs-serial and shared-vs-per-row Wasserstein envelope
ratios of that same run.

    cd Benchmarks && swift package benchmark --no-progress | python3 summarize.py
"""
import re
import sys

UNITS = {"ns": 1e-9, "μs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}
SCALE = {"": 1, "K": 1e3, "M": 1e6, "G": 1e9}


def main():
    target, name, rows = None, None, {}
    current = {}
    lines = sys.stdin.read().splitlines()
    for i, line in enumerate(lines):
        if i + 1 < len(lines) and set(lines[i + 1]) == {"="} and line.strip() and not line.startswith("Baseline"):
            target = line.strip()
            continue
        if re.match(r"^[\w-]+(/[\w=.-]+)+$", line.strip()) and target:
            name = line.strip()
            current = rows.setdefault((target, name), {})
            continue
        m = re.match(r"│ (Time \(wall clock\)|Malloc \(total\)) \(?(\w*)\)?.*?│(.*)", line)
        if m and name:
            cells = [c.strip() for c in m.group(3).split("│") if c.strip()]
            unit = re.search(r"\((ns|μs|us|ms|s|K|M|G)\)", line)
            u = unit.group(1) if unit else ""
            vals = [float(c) for c in cells[:7]]
            samples = int(cells[7])
            if m.group(1).startswith("Time"):
                f = UNITS.get(u, 1.0)
                current["p50"] = vals[2] * f
                current["p25"] = vals[1] * f
                current["p75"] = vals[3] * f
                current["samples"] = samples
            else:
                current["mallocs"] = vals[2] * SCALE.get(u, 1)

    def fmt(t):
        for unit, f in (("s", 1), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)):
            if t >= f:
                return f"{t / f:.3g} {unit}"
        return f"{t:.3g} s"

    print(f"{'target':14} {'benchmark':40} {'median':>10} {'p25–p75':>22} {'mallocs':>9} {'n':>6}")
    for (t, n), r in sorted(rows.items()):
        if "p50" not in r:
            continue
        print(f"{t:14} {n:40} {fmt(r['p50']):>10} {fmt(r['p25']) + ' – ' + fmt(r['p75']):>22} "
              f"{r.get('mallocs', float('nan')):>9.0f} {r['samples']:>6}")
    print()
    by = {n: r for (t, n), r in rows.items() if "p50" in r}
    for kind in ("tv", "l1", "linf", "wasserstein"):
        for n in (10, 100, 200, 1000):
            f, l = by.get(f"{kind}/fast/n={n}"), by.get(f"{kind}/lp/n={n}")
            if f and l:
                print(f"{kind:12} n={n:<5} LP {fmt(l['p50']):>10} / fast {fmt(f['p50']):>10} = {l['p50'] / f['p50']:10.0f}x")
    for n, r in by.items():
        if n.endswith("/serial") and n.replace("/serial", "/parallel") in by:
            p = by[n.replace("/serial", "/parallel")]
            print(f"{n.replace('/serial', ''):32} serial {fmt(r['p50']):>10} / parallel {fmt(p['p50']):>10} = "
                  f"{r['p50'] / p['p50']:.2f}x")
    w, b = by.get("bellman/wasserstein-sparse/S=1000/serial"), by.get("wasserstein-rows/S=1000/per-row-envelopes")
    if w and b:
        print(f"wasserstein S=1000 sweep: per-row envelopes {fmt(b['p50']):>10} / shared envelopes {fmt(w['p50']):>10} = "
              f"{b['p50'] / w['p50']:.2f}x")


if __name__ == "__main__":
    main()
