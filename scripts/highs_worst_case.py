#!/usr/bin/env python3
"""Independent reference for rmfg's polyhedral ambiguity sets: scipy's HiGHS.

Reads a JSON list of instances on standard input and prints a JSON list of
sigma = min_{q in U} q.V, one per instance, solved by scipy.optimize.linprog
(method="highs"). Used by Tests/AmbiguityTests/PolyhedralSetTests.swift.

Instance fields:
  nominal      p, n probabilities
  values       V, n numbers
  constraints  [{"c": [n numbers], "rel": "<=" | "=" | ">=", "b": number}, ...]
  ball         null, or {"kind": "tv" | "l1" | "linf", "radius": rho}
  support      "simplex" or "nominal"

Variables: q (n), plus d (n) with d >= |q - p| for the tv/l1 balls. V is scaled
to max|V| = 1 before solving (sigma is positively homogeneous) and sigma scaled back.
"""
import json
import sys

import numpy as np
from scipy.optimize import linprog


def solve(inst):
    p = np.array(inst["nominal"], dtype=float)
    v = np.array(inst["values"], dtype=float)
    # sigma is positively homogeneous in V: solve on V / max|V| (HiGHS rejects costs
    # near 1e150) and scale back.
    scale = float(np.max(np.abs(v))) if len(v) else 0.0
    if scale > 0:
        v = v / scale
    else:
        scale = 1.0
    n = len(p)
    ball = inst.get("ball")
    with_d = ball is not None and ball["kind"] in ("tv", "l1")
    m = 2 * n if with_d else n
    cost = np.zeros(m)
    cost[:n] = v
    a_ub, b_ub, a_eq, b_eq = [], [], [], []
    row = np.zeros(m)
    row[:n] = 1
    a_eq.append(row)
    b_eq.append(1.0)
    for con in inst["constraints"]:
        row = np.zeros(m)
        row[:n] = con["c"]
        if con["rel"] == "<=":
            a_ub.append(row); b_ub.append(con["b"])
        elif con["rel"] == ">=":
            a_ub.append(-row); b_ub.append(-con["b"])
        else:
            a_eq.append(row); b_eq.append(con["b"])
    bounds = []
    for t in range(n):
        upper = 0.0 if inst.get("support") == "nominal" and p[t] == 0 else None
        lo = 0.0
        if ball is not None and ball["kind"] == "linf":
            lo = max(0.0, p[t] - ball["radius"])
            upper = min(1.0, p[t] + ball["radius"]) if upper is None else upper
        bounds.append((lo, upper))
    if with_d:
        bounds += [(0.0, None)] * n
        weight = 0.5 if ball["kind"] == "tv" else 1.0
        for t in range(n):
            up = np.zeros(m); up[t] = 1; up[n + t] = -1      # q_t - d_t <= p_t
            a_ub.append(up); b_ub.append(p[t])
            dn = np.zeros(m); dn[t] = -1; dn[n + t] = -1     # -q_t - d_t <= -p_t
            a_ub.append(dn); b_ub.append(-p[t])
        budget = np.zeros(m); budget[n:] = weight
        a_ub.append(budget); b_ub.append(ball["radius"])
    res = linprog(cost, A_ub=np.array(a_ub) if a_ub else None, b_ub=b_ub if b_ub else None,
                  A_eq=np.array(a_eq), b_eq=b_eq, bounds=bounds, method="highs",
                  options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10})
    if res.status != 0:
        return None
    return float(res.fun) * scale


def main():
    instances = json.load(sys.stdin)
    print(json.dumps([solve(inst) for inst in instances]))


if __name__ == "__main__":
    main()
