#!/usr/bin/env python3
"""Independent numpy check of a pair (pi, mu) of a second-edition example with a total-variation
worst case: the exploitability and the stationarity residual recomputed from the model's own
kernel and reward (scripts/example_reference.py) and the closed form of the TV inner problem,
without the library. Used by Tests/rmfgTests/RegimeMatrixTests.swift for the cell that the piece
Newton stage turns green (crowd-grid, tv 0.05, worst-case population, tau = 0.01).

  python3 scripts/tv_pair_check.py MODEL POLICY.csv MEANFIELD.csv --radius R --temperature T
                                   [--support nominal|simplex] [--population worst-case|nominal]

POLICY.csv and MEANFIELD.csv are the files `rmfg solve --output` writes (one header line).
Prints a JSON object {"exploitability": E, "stationarityResidual": r, "switchMargin": m}, where m is
the smallest |p_donor - rho| over the rows that move mass (how close the pair is to a switch of
nature's worst case between taking rho and emptying the donor).

Nature (ties broken by index, Docs/AmbiguitySets.md): order states by (V_t, t) ascending; the
receiver is the first allowed state (support nominal: supp(p)); delta = min(rho, 1 - p(receiver))
is taken from the states of supp(p) with the highest rank first.
Values: V*(s) = tau log sum_a exp(Q*(s, a)/tau) (tau > 0) or max_a Q*(s, a), and
V^pi(s) = sum_a pi(a|s) [r - tau log pi(a|s) + gamma sigma(V^pi)], both by value iteration to 1e-14.
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import example_reference  # noqa: E402

GAMMA = 0.9  # every second-edition example has discount 0.9


def worst_case(P, V, rho, support):
    """Nature's worst-case kernel of every row of P (rows x n) against V."""
    n = P.shape[1]
    order = np.lexsort((np.arange(n), V))          # ascending (V_t, t)
    rank = np.empty(n, dtype=int)
    rank[order] = np.arange(n)
    allowed = P > 0 if support == "nominal" else np.ones_like(P, dtype=bool)
    masked = np.where(allowed, rank[None, :], n)
    receiver = order[np.minimum(masked.min(axis=1), n - 1)]
    rows = np.arange(P.shape[0])
    delta = np.minimum(rho, 1 - P[rows, receiver])
    desc = order[::-1]                             # highest rank first
    Ps = P[:, desc]
    before = np.cumsum(Ps, axis=1) - Ps
    take = np.clip(delta[:, None] - before, 0, Ps)
    Q = P.copy()
    Q[:, desc] -= take
    Q[rows, receiver] += delta  # the receiver is ranked below every donor, so it gives nothing
    return Q


def values(P, r, rho, tau, support, policy=None):
    n, m = r.shape
    Pf = P.reshape(n * m, n)
    V = np.zeros(n)
    entropy = 0.0
    if policy is not None and tau > 0:
        with np.errstate(divide="ignore", invalid="ignore"):
            entropy = -tau * np.where(policy > 0, policy * np.log(policy), 0.0).sum(axis=1)
    for _ in range(100000):
        K = worst_case(Pf, V, rho, support)
        Q = r + GAMMA * (K @ V).reshape(n, m)
        if policy is not None:
            W = (policy * Q).sum(axis=1) + entropy
        elif tau > 0:
            top = Q.max(axis=1)
            W = top + tau * np.log(np.exp((Q - top[:, None]) / tau).sum(axis=1))
        else:
            W = Q.max(axis=1)
        move = np.abs(W - V).max()
        V = W
        if move <= 1e-14 * (1 + np.abs(V).max()):
            break
    return V, worst_case(Pf, V, rho, support).reshape(n, m, n)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("model")
    p.add_argument("policy")
    p.add_argument("meanfield")
    p.add_argument("--radius", type=float, required=True)
    p.add_argument("--temperature", type=float, required=True)
    p.add_argument("--support", choices=["nominal", "simplex"], default="nominal")
    p.add_argument("--population", choices=["worst-case", "nominal"], default="worst-case")
    a = p.parse_args()
    pi = np.loadtxt(a.policy, delimiter=",", skiprows=1, ndmin=2)
    mu = np.loadtxt(a.meanfield, delimiter=",", skiprows=1, ndmin=2)
    mu = mu[:, -1]
    P, r = example_reference.MODELS[a.model](mu, None)
    n, m, _ = P.shape
    pi = pi[:, -m:]
    vstar, _ = values(P, r, a.radius, a.temperature, a.support)
    vpi, K = values(P, r, a.radius, a.temperature, a.support, policy=pi)
    chain = K if a.population == "worst-case" else P
    phi = np.einsum("s,sa,sat->t", mu, pi, chain)
    moved = (K != P).any(axis=2)
    donor = np.where(K < P, P, np.inf).min(axis=2)
    margin = float(np.abs(donor[moved & np.isfinite(donor)] - a.radius).min()) if moved.any() else float("inf")
    print(json.dumps({"exploitability": float(mu @ (vstar - vpi)),
                      "stationarityResidual": float(np.abs(phi - mu).sum()), "switchMargin": margin}))


if __name__ == "__main__":
    main()
