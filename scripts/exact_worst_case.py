#!/usr/bin/env python3
"""Independent exact reference for rmfg's `worst-case --exact`: sigma in rational arithmetic.

Reads a JSON list of instances on standard input and prints a JSON list, one entry per
instance: {"numerator": "...", "denominator": "...", "bits": "B"} with sigma = numerator /
denominator exactly and B the IEEE-754 bit pattern of sigma rounded once toward zero to a
double (as GMP's mpq_get_d, through which glp_exact reports its exact values). Used by
Tests/AmbiguityTests/ExactReferenceTests.swift; needs only the standard library.

Every number of an instance is given by its double's bit pattern (an unsigned 64-bit
integer, as a decimal string), so the reference sees exactly the doubles rmfg sees:
  nominal      p, n doubles (bits)
  values       V, n doubles (bits)
  kind         "tv", "l1", "linf" or "none"
  radius       rho (bits)
  weights      l1: n doubles (bits), default all 1
  support      "simplex" or "nominal"
  constraints  optional [{"c": [n doubles (bits)], "rel": "<=" | "=" | ">=", "b": bits}]

The set is the one rmfg defines for given doubles (Docs/AmbiguitySets.md): q >= 0,
sum q = sum p (mass moves, so a p whose doubles do not sum to exactly 1 still has
itself in its set), q_t = 0 off supp p with support "nominal", the ball
  tv: 1/2 sum |q_t - p_t| <= rho, l1: sum w_t |q_t - p_t| <= rho, linf: |q_t - p_t| <= rho,
and the linear constraints. It is written here in the textbook form with d_t >= |q_t - p_t|
(not rmfg's mass-moving columns) and solved by a dense two-phase simplex with Bland's rule
over fractions.Fraction: a different formulation and a different solver, both exact.

  python3 scripts/exact_worst_case.py < instances.json
  python3 scripts/exact_worst_case.py --cli RMFG [TRIALS]   # RMFG worst-case --exact against it
"""
import json
import math
import struct
import sys
from fractions import Fraction

import rational_pivot


def exact(bits):
    """The double with this bit pattern (a decimal string or an int), as an exact Fraction."""
    return Fraction(struct.unpack("<d", struct.pack("<Q", int(bits)))[0])


def bits_of(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def toward_zero(x):
    """x (a Fraction) rounded once toward zero to a double, as GMP's mpq_get_d does
    (which is how glp_exact hands out its exact values)."""
    f = float(x)  # correctly rounded to nearest
    if abs(Fraction(f)) > abs(x):
        f = math.nextafter(f, 0.0)
    return f


def simplex(cost, rows, rhs):
    """min cost.x s.t. rows x = rhs, x >= 0 (dense Fractions). Two phases, Bland's rule.

    Returns the optimum, or raises ValueError for an infeasible or unbounded program."""
    m, n = len(rows), len(cost)
    a = [list(r) for r in rows]
    b = list(rhs)
    for i in range(m):
        if b[i] < 0:
            a[i] = [-x for x in a[i]]
            b[i] = -b[i]
    # Tableau with artificials n..n+m-1 as the starting basis.
    t = [a[i] + [Fraction(int(i == k)) for k in range(m)] + [b[i]] for i in range(m)]
    basis = [n + i for i in range(m)]

    def pivot(r, c):
        rational_pivot.pivot(t, r, c)
        basis[r] = c

    def run(obj, allowed):
        while True:
            # Reduced costs d_j = obj_j - sum_i obj_{basis_i} t_ij; entering: lowest index with d_j < 0.
            enter = None
            for j in allowed:
                if j in basis:
                    continue
                d = obj[j] - sum(obj[basis[i]] * t[i][j] for i in range(m))
                if d < 0:
                    enter = j
                    break
            if enter is None:
                return
            ratios = [(t[i][-1] / t[i][enter], basis[i], i) for i in range(m) if t[i][enter] > 0]
            if not ratios:
                raise ValueError("unbounded")
            _, _, leave = min(ratios)
            pivot(leave, enter)

    phase1 = [Fraction(0)] * n + [Fraction(1)] * m
    run(phase1, range(n + m))
    if sum(t[i][-1] for i in range(m) if basis[i] >= n) != 0:
        raise ValueError("infeasible")
    # Drive artificials at zero out of the basis where possible.
    for i in range(m):
        if basis[i] >= n:
            for j in range(n):
                if t[i][j] != 0:
                    pivot(i, j)
                    break
    full = list(cost) + [Fraction(0)] * m
    run(full, [j for j in range(n)])
    return sum(full[basis[i]] * t[i][-1] for i in range(m))


def sigma(inst):
    p = [exact(x) for x in inst["nominal"]]
    v = [exact(x) for x in inst["values"]]
    n = len(p)
    kind = inst["kind"]
    rho = exact(inst["radius"])
    w = [exact(x) for x in inst["weights"]] if inst.get("weights") else [Fraction(1)] * n
    if kind == "tv":
        w = [Fraction(1, 2)] * n
    allowed = [t for t in range(n) if inst.get("support", "simplex") == "simplex" or p[t] > 0]
    columns = {}  # name -> index

    def col(name):
        columns[name] = len(columns)
        return columns[name]

    for t in allowed:
        col(("q", t))
    if kind in ("tv", "l1"):
        for t in allowed:
            col(("d", t))
    equalities = []  # (coefficients dict, rhs): slack columns added below for inequalities
    inequalities = []  # (coefficients dict, "<=" | ">=", rhs)
    equalities.append(({("q", t): Fraction(1) for t in allowed}, sum(p)))
    fixed = kind == "none" or rho == 0
    for t in allowed:
        if fixed:
            equalities.append(({("q", t): Fraction(1)}, p[t]))
        elif kind in ("tv", "l1"):
            inequalities.append(({("q", t): Fraction(1), ("d", t): Fraction(-1)}, "<=", p[t]))
            inequalities.append(({("q", t): Fraction(1), ("d", t): Fraction(1)}, ">=", p[t]))
        elif kind == "linf":
            inequalities.append(({("q", t): Fraction(1)}, "<=", p[t] + rho))
            inequalities.append(({("q", t): Fraction(1)}, ">=", p[t] - rho))
    if not fixed and kind in ("tv", "l1"):
        inequalities.append(({("d", t): w[t] for t in allowed}, "<=", rho))
    for c in inst.get("constraints", []):
        coef = {("q", t): exact(c["c"][t]) for t in allowed if c["c"][t] != 0}
        if c["rel"] == "=":
            equalities.append((coef, exact(c["b"])))
        else:
            inequalities.append((coef, c["rel"], exact(c["b"])))
    for k, _ in enumerate(inequalities):
        col(("slack", k))
    nvar = len(columns)
    rows, rhs = [], []
    for coef, b in equalities:
        row = [Fraction(0)] * nvar
        for key, x in coef.items():
            row[columns[key]] = x
        rows.append(row)
        rhs.append(b)
    for k, (coef, rel, b) in enumerate(inequalities):
        row = [Fraction(0)] * nvar
        for key, x in coef.items():
            row[columns[key]] = x
        row[columns[("slack", k)]] = Fraction(1) if rel == "<=" else Fraction(-1)
        rows.append(row)
        rhs.append(b)
    cost = [Fraction(0)] * nvar
    for t in allowed:
        cost[columns[("q", t)]] = v[t]
    return simplex(cost, rows, rhs)


def cli_comparison(rmfg, trials):
    """Runs `RMFG worst-case --method lp --exact` on random non-dyadic instances (seeded)
    and prints how far its value is from the exact sigma rounded once toward zero."""
    import random
    import subprocess

    rng = random.Random(22)
    worst, mismatches, count, failures = 0.0, 0, 0, 0
    for trial in range(trials):
        n = 3 + trial % 3
        counts = [rng.randint(0, 4) for _ in range(n)]
        counts[0] = counts[0] or 1
        p = [k / sum(counts) for k in counts]
        v = [rng.randint(-9, 9) / (3.0 if trial % 2 == 0 else 10.0) for _ in range(n)]
        radius = [0.1, 1 / 3, 0.05, 0.3, 0.7][trial % 5]
        weights = [rng.randint(1, 9) / 10 for _ in range(n)]
        if trial % 4 == 3:  # arbitrary doubles: no short fraction is near them
            raw = [rng.random() for _ in range(n)]
            p = [x / sum(raw) for x in raw]
            v = [rng.uniform(-5, 5) for _ in range(n)]
            radius = rng.uniform(0, 0.5)
        for kind in ("tv", "l1", "linf", "none"):
            inst = {"nominal": [bits_of(x) for x in p], "values": [bits_of(x) for x in v], "kind": kind,
                    "radius": bits_of(radius), "support": "simplex"}
            cmd = [rmfg, "worst-case", "--set", kind, "--radius", repr(radius), "--nominal", ",".join(map(repr, p)),
                   "--values", ",".join(map(repr, v)), "--method", "lp", "--exact", "--format", "json"]
            if kind == "l1":
                inst["weights"] = [bits_of(x) for x in weights]
                cmd += ["--weights", ",".join(map(repr, weights))]
            out = subprocess.run(cmd, capture_output=True, text=True)
            exact_sigma = toward_zero(sigma(inst))
            if out.returncode not in (0, 1):
                print(f"{kind} p={p} v={v} rho={radius}: {out.stderr.strip()}")
                failures += 1
                continue
            value = json.loads(out.stdout)["value"]
            count += 1
            worst = max(worst, abs(value - exact_sigma))
            mismatches += value != exact_sigma
    print(f"{count + failures} instances through {rmfg}: {failures} refused, {mismatches} of {count} differ from "
          f"the exact sigma rounded once toward zero, max |value - exact| = {worst:.3g}")


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "--cli":
        cli_comparison(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 40)
        return
    out = []
    for inst in json.load(sys.stdin):
        s = sigma(inst)
        out.append({"numerator": str(s.numerator), "denominator": str(s.denominator), "bits": str(bits_of(toward_zero(s)))})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
