#!/usr/bin/env python3
"""Exact Cesàro limits of Markov chains, in rational arithmetic: the independent
reference of Tests/MeanFieldTests/StationaryReferenceTests.swift.

Reads a JSON list of {"P": [[p_st]], "initial": [mu_s]} on stdin (every float is
converted exactly with fractions.Fraction) and writes a JSON list of limits
lim_K (1/K) sum_{k<K} initial P^k, rounded to the nearest double at the end.
Each diagonal entry is replaced by one minus its row's off-diagonal sum.

Method (not the one of TransitionMatrix.stationaryDistribution): the recurrent
classes are the states whose reachable set reaches back to them; the stationary law
of each class solves pi (I - P_CC) = 0, sum pi = 1 by exact Gauss-Jordan
elimination (numpy's float eig/nullspace loses about eps/gap, i.e. all digits at
gap 1e-12); the absorption probabilities of the transient states solve
(I - Q_TT) h = P_{T,C} 1, again exactly. Limit = sum_C (initial(C) + initial_T h_C) pi_C.
"""
import json
import sys
from fractions import Fraction

from rational_pivot import pivot


def solve(a, b):
    """Exact Gauss-Jordan: returns x with a x = b (a square, nonsingular)."""
    n = len(a)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for k in range(n):
        p = next(i for i in range(k, n) if m[i][k] != 0)
        m[k], m[p] = m[p], m[k]
        pivot(m, k, k)
    return [m[i][n] for i in range(n)]


def reach(p, n):
    out = []
    for s in range(n):
        seen = {s}
        stack = [s]
        while stack:
            u = stack.pop()
            for t in range(n):
                if p[u][t] > 0 and t not in seen:
                    seen.add(t)
                    stack.append(t)
        out.append(seen)
    return out


def limit(p, initial):
    n = len(p)
    r = reach(p, n)
    recurrent = [s for s in range(n) if all(s in r[t] for t in r[s])]
    classes = []
    for s in recurrent:
        if not any(s in c for c in classes):
            classes.append(sorted(r[s]))
    transient = [s for s in range(n) if not any(s in c for c in classes)]
    nu = [Fraction(0)] * n
    for c in classes:
        k = len(c)
        # pi (I - P_CC) = 0 with the last equation replaced by sum pi = 1: (I - P_CC)^T pi = e_last.
        a = [[(1 if i == j else 0) - p[c[j]][c[i]] for j in range(k)] for i in range(k)]
        a[k - 1] = [Fraction(1)] * k
        pi = solve(a, [Fraction(0)] * (k - 1) + [Fraction(1)])
        mass = sum(initial[s] for s in c)
        if transient:
            t = len(transient)
            q = [[(1 if i == j else 0) - p[transient[i]][transient[j]] for j in range(t)] for i in range(t)]
            into = [sum(p[s][u] for u in c) for s in transient]
            h = solve(q, into)
            mass += sum(initial[s] * h[i] for i, s in enumerate(transient))
        for i, s in enumerate(c):
            nu[s] += mass * pi[i]
    return [float(x) for x in nu]


def main():
    requests = json.load(sys.stdin)
    answers = []
    for req in requests:
        p = [[Fraction(x) for x in row] for row in req["P"]]
        # The diagonal is 1 - (the off-diagonal sum), exactly: the chain whose
        # off-diagonal entries are the given doubles (a row sum of 1 + 1e-16 would move
        # the limit of a chain with gap 1e-12 by 1e-4).
        for s, row in enumerate(p):
            row[s] = 1 - sum(x for t, x in enumerate(row) if t != s)
        initial = [Fraction(x) for x in req["initial"]]
        total = sum(initial)
        initial = [x / total for x in initial]
        answers.append(limit(p, initial))
    json.dump(answers, sys.stdout)


if __name__ == "__main__":
    main()
