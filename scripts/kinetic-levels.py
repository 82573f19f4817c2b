#!/usr/bin/env python3
"""Bench-MFG's kinetic congestion as a map on quantization levels, and an exact search for its equilibria.

Examples/bench-mfg/kinetic-congestion.yaml: a move into cell n succeeds for the rolls e = 0..99 with
(e + 0.5)/100 < 1 - mu(n)/0.18, so the success probability is l(n)/100 with the *level*

    l(n) = #{e : mu(n) < T_e},   T_e = 0.0018 (99.5 - e)     (l = 100 below 0.0009, 0 from 0.1791),

and the reward does not depend on mu. The game therefore depends on mu only through the level vector
l in {0..100}^25, and a pair (pi, mu) is an equilibrium iff mu is stationary for pi under the kernel of
the levels l(mu) (nature's worst case for the tv population) and pi is a best response to that kernel.
At tau > 0 the best response is unique, so the equilibria are the fixed points of
F(l) = levels(Stat(BR(K_l), K_l)) (one per closed class of the chain).

Written from scripts/example_reference.py (Bench-MFG's kernel and reward; the kernel of a level vector
is the reference kernel at the mean field 0.0018 (100 - l), the middle of each level's band) and from the
contract (Docs/AmbiguitySets.md: tv on the simplex, index ties); it does not use the library.

  python3 scripts/kinetic-levels.py cycle --tau 1 --population nominal
        the best-response iteration on levels from the uniform mean field, until a level vector repeats
  python3 scripts/kinetic-levels.py relax --tau 1 --population nominal
        the equilibrium of the continuous relaxation (success probability 1 - mu(n)/0.18, not quantized),
        by a damped iteration; prints its real levels 100 - mu/0.0018
  python3 scripts/kinetic-levels.py box --tau 1 --population nominal --width 2
        branch and bound over the level box [floor(r) - W, ceil(r) + W] around the relaxation's real levels r:
        every equilibrium with levels in the box survives; prints the surviving level vectors, each checked
        exactly (empty: no equilibrium in the box)

The branch and bound is a relaxation proof. For a box B of levels: (1) bounds V_lo <= V*_l <= V_hi for
every l in B, as the fixed points of the monotone gamma-contractions that take the min / max over B of
each row's sigma (sigma is piecewise linear in a row's success probability with kinks only at 5/100 and
95/100, so the min / max over the integer levels of B is attained at the box ends or a kink); (2) bounds
on the best response (tau > 0: softmax bounds from Q_lo, Q_hi; tau = 0: the actions whose Q_hi reaches
max Q_lo, any mixture allowed); (3) every row K(.|s,a) possible in B (each box end and kink, each
possible argmin of V and order of the row's two states); (4) a linear program in (mu, mu(s)pi(a|s),
flows), whose feasible set contains every stationary law of every chain whose rows are mixtures of (3)
with policy weights in (2), restricted to the mean-field band of B (widened by 1e-6). Minimizing and
maximizing each mu(n) shrinks B; an infeasible LP removes it; otherwise the box is split (cells
nearest the target first). LPs by scipy's HiGHS in floating point, hence the 1e-6 widening.
"""
import argparse
import importlib.util
import os
import sys
import time

import numpy as np
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GAMMA, RHO, CAP, TARGET = 0.9, 0.05, 0.18, 24
THR = 0.0018 * (99.5 - np.arange(100))      # roll e succeeds iff mu < THR[e]
PAD = 1e-6                                  # widening of the LP's mean-field bands and bounds


def _reference():
    spec = importlib.util.spec_from_file_location("example_reference", os.path.join(ROOT, "scripts", "example_reference.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.kinetic_congestion


def band_centre(levels):
    """A mean field whose levels are `levels` (the middle of each band; 0.18 for level 0)."""
    return 0.0018 * (100 - np.asarray(levels, dtype=float))


REF = _reference()
P_FULL, REWARD = REF(np.zeros(25), {})
N, M = REWARD.shape
# the cell each action aims at (the off-diagonal successor at level 100, else the cell itself)
NB = np.array([[next((t for t in range(N) if t != s and P_FULL[s, a, t] > 0), s) for a in range(M)] for s in range(N)])
S_IDX = np.repeat(np.arange(N), M)
NBF = NB.reshape(-1)
MOVE = NBF != S_IDX
DIST = np.array([abs(s % 5 - TARGET % 5) + abs(s // 5 - TARGET // 5) for s in range(N)])


def level_of(m):
    """#{e : m < THR[e]} (exact for the real number m)."""
    return int(np.sum(m < THR))


def levels(mu):
    return np.array([level_of(m) for m in mu])


def margin(mu):
    """Distance of each mu(n) to the nearest threshold: the levels are those of every mean field this close."""
    return np.min(np.abs(np.asarray(mu)[:, None] - THR[None, :]), axis=1)


def kernel(lv):
    return REF(band_centre(lv), {})[0]


def worst_row(p, V):
    """tv radius RHO on the simplex, index ties (Docs/AmbiguitySets.md): delta to the first state in (V, t)
    order, taken from the support's highest (V, t) states first."""
    q = p.copy()
    order = np.lexsort((np.arange(len(V)), V))
    i = order[0]
    delta = min(RHO, 1 - p[i])
    q[i] += delta
    rest = delta
    for t in order[::-1]:
        if rest <= 0:
            break
        if t == i or p[t] == 0:
            continue
        take = min(q[t], rest)
        q[t] -= take
        rest -= take
    return q


def soft_max(Q, tau):
    if tau == 0:
        return Q.max(1)
    m = Q.max(1)
    return m + tau * np.log(np.exp((Q - m[:, None]) / tau).sum(1))


def sigma_rows(V, p, robust):
    """sigma of every row (s, a) for success probabilities p (N*M, C), at the point V (vectorized worst_row)."""
    Vn, Vs = V[NBF][:, None], V[S_IDX][:, None]
    pn = np.where(MOVE[:, None], p, 0.0)
    ps = 1 - pn
    base = pn * Vn + ps * Vs
    if not robust:
        return base
    i = int(np.argmin(V))
    n, s = NBF[:, None], S_IDX[:, None]
    same = n == s
    mi = np.where(same, np.where(s == i, 1.0, 0.0), np.where(n == i, pn, 0) + np.where(s == i, ps, 0))
    delta = np.minimum(RHO, 1 - mi)
    n_high = (Vn > Vs) | ((Vn == Vs) & (n > s))
    hV, lV = np.where(n_high, Vn, Vs), np.where(n_high, Vs, Vn)
    hm = np.where(np.where(n_high, n == i, s == i), 0, np.where(n_high, pn, ps))
    lm = np.where(np.where(n_high, s == i, n == i), 0, np.where(n_high, ps, pn))
    hm = np.where(same, np.where(s == i, 0, 1.0), hm)
    lm = np.where(same, 0, lm)
    hV = np.where(same, Vs, hV)
    t1 = np.minimum(hm, delta)
    t2 = np.minimum(lm, delta - t1)
    return base + delta * V[i] - t1 * hV - t2 * lV


def fixed_values(p, tau, robust, side=None, tol=1e-13):
    """The fixed point of V -> soft_max(r + gamma sigma(V)), sigma taken at p (side None: one column),
    or its min (side 0) / max (side 1) over the columns of p; returns V and the last step."""
    r = REWARD.reshape(-1)
    V = np.zeros(N)
    for _ in range(5000):
        sg = sigma_rows(V, p, robust)
        sg = sg[:, 0] if side is None else (sg.min(1) if side == 0 else sg.max(1))
        Vn = soft_max((r + GAMMA * sg).reshape(N, M), tau)
        step = np.abs(Vn - V).max()
        V = Vn
        if step < tol:
            break
    return V, step


def best_response(Q, tau):
    if tau > 0:
        e = np.exp((Q - Q.max(1)[:, None]) / tau)
        return e / e.sum(1)[:, None]
    pi = np.zeros_like(Q)
    for s in range(N):
        top = Q[s].max()
        pi[s, int(np.argmax(Q[s] >= top - 1e-12 * (1 + abs(top))))] = 1
    return pi


def stationary_laws(chain):
    """One stationary law per closed class of the chain (all stationary laws are their mixtures)."""
    count, label = connected_components(chain > 0, directed=True, connection="strong")
    laws = []
    for c in range(count):
        idx = np.where(label == c)[0]
        if chain[np.ix_(idx, np.setdiff1d(np.arange(N), idx))].sum() > 0:
            continue
        k = len(idx)
        A = np.vstack([chain[np.ix_(idx, idx)].T - np.eye(k), np.ones(k)])
        b = np.zeros(k + 1)
        b[-1] = 1
        mu = np.zeros(N)
        mu[idx] = np.linalg.lstsq(A, b, rcond=None)[0]
        laws.append(mu)
    return laws


def image(lv, tau, robust, mu=None):
    """BR and the population kernel of the levels lv; the stationary laws of the chain; and, for a mean
    field mu, its one-step update and the exploitability of (BR, mu) (0: BR is the best response)."""
    P = kernel(lv)
    p = np.where(MOVE, np.array(lv)[NBF] / 100, 0.0)[:, None]
    V, _ = fixed_values(p, tau, robust)
    K = np.array([[worst_row(P[s, a], V) for a in range(M)] for s in range(N)]) if robust else P
    Q = REWARD + GAMMA * np.einsum("sat,t->sa", K, V)
    pi = best_response(Q, tau)
    chain = np.einsum("sa,sat->st", pi, K)
    return pi, chain, stationary_laws(chain)


def check(lv, tau, robust):
    """Exact check of a level vector: the stationary laws of its chain whose levels are lv again, each with
    its smallest distance to a threshold (an equilibrium when that margin is far above rounding)."""
    pi, chain, laws = image(lv, tau, robust)
    out = []
    for mu in laws:
        if np.array_equal(levels(mu), lv):
            out.append((mu, pi, float(margin(mu).min()), float(np.abs(mu @ chain - mu).sum())))
    return out


def cycle(tau, robust, start=None, limit=400):
    """Best-response iteration on levels (first closed class) until a level vector repeats."""
    lv = levels(np.full(N, 1 / N) if start is None else start)
    seen, path = {}, []
    while tuple(lv) not in seen and len(path) < limit:
        seen[tuple(lv)] = len(path)
        path.append(lv)
        lv = levels(image(lv, tau, robust)[2][0])
    first = seen.get(tuple(lv))
    return path, first


def relaxation(tau, robust, damping=0.05, tol=1e-7, limit=4000):
    """Equilibrium of the continuous relaxation: success probability max(0, 1 - mu(n)/0.18)."""
    mu = np.full(N, 1 / N)
    for it in range(limit):
        prob = np.clip(1 - mu / CAP, 0, 1)
        P = np.zeros((N, M, N))
        for s in range(N):
            for a in range(M):
                n = NB[s, a]
                P[s, a, s] = 1.0 if n == s else 1 - prob[n]
                if n != s:
                    P[s, a, n] = prob[n]
        p = np.where(MOVE, prob[NBF], 0.0)[:, None]
        V, _ = fixed_values(p, tau, robust)
        K = np.array([[worst_row(P[s, a], V) for a in range(M)] for s in range(N)]) if robust else P
        pi = best_response(REWARD + GAMMA * np.einsum("sat,t->sa", K, V), tau)
        new = stationary_laws(np.einsum("sa,sat->st", pi, K))[0]
        res = np.abs(new - mu).sum()
        mu = mu + damping * (new - mu)
        if res < tol:
            return mu, it, res
    return mu, limit, res


# --- branch and bound on level boxes ---------------------------------------------------------------------
def box_probabilities(lo, hi):
    """Per row: the box ends and the kinks 5, 95 clipped into the box, as success probabilities (N*M, 4)."""
    l, h = lo[NBF].astype(float), hi[NBF].astype(float)
    cs = np.stack([l, h, np.clip(5, l, h), np.clip(95, l, h)], 1) / 100
    cs[~MOVE] = 0
    return cs


def box_values(lo, hi, tau, robust):
    p = box_probabilities(lo, hi)
    out = []
    for side in (0, 1):
        V, step = fixed_values(p, tau, robust, side)
        pad = step * GAMMA / (1 - GAMMA) + 1e-11
        out.append(V - pad if side == 0 else V + pad)
    Ql = (REWARD.reshape(-1) + GAMMA * sigma_rows(out[0], p, robust).min(1)).reshape(N, M)
    Qh = (REWARD.reshape(-1) + GAMMA * sigma_rows(out[1], p, robust).max(1)).reshape(N, M)
    return out[0], out[1], Ql, Qh


def box_policy(Ql, Qh, tau):
    if tau == 0:
        possible = Qh >= Ql.max(1)[:, None] - 1e-9
        return np.zeros((N, M)), np.where(possible, 1.0, 0.0)
    top = Qh.max(1)[:, None]
    eh, el = np.exp((Qh - top) / tau), np.exp((Ql - top) / tau)
    pl = el / (el + eh.sum(1)[:, None] - eh) * (1 - 1e-9)
    ph = np.minimum(1.0, eh / (eh + el.sum(1)[:, None] - el) * (1 + 1e-9))
    return pl, ph


def box_rows(s, a, lo, hi, Vl, Vh, robust):
    """Every row K(.|s,a) possible for levels in the box (its convex hull's generators)."""
    n = NB[s, a]
    ps = [0.0] if n == s else sorted({k / 100 for k in (lo[n], hi[n], 5, 95) if lo[n] <= k <= hi[n]})
    def nominal(p):
        q = np.zeros(N)
        q[n] += p
        q[s] += 1 - p
        return q
    if not robust:
        return [nominal(p) for p in ps]
    rows = []
    for i in [t for t in range(N) if Vl[t] <= Vh.min()]:
        if n == s:
            orders = [True]
        elif Vh[n] < Vl[s] or Vh[s] < Vl[n]:
            orders = [bool(Vl[n] > Vh[s])]
        else:
            orders = [True, False]
        for n_high in orders:
            V = np.full(N, 1e6)         # a representative V: i lowest, the row's two states in the given order
            high, low = (n, s) if n_high else (s, n)
            if n == s:
                V[s] = 1.0
            else:
                V[high], V[low] = 2.0, 1.0
            V[i] = -1e6
            rows += [worst_row(nominal(p), V) for p in ps]
    unique = []
    for q in rows:
        if not any(np.array_equal(q, u) for u in unique):
            unique.append(q)
    return unique


def box_lp(lo, hi, tau, robust, eps=0.0):
    """The LP of a box. eps > 0 (nominal population, tau > 0 only) admits eps-equilibria: a residual
    ||mu K - mu||_1 <= eps, and a policy pi with exploitability <= eps, which is within
    sum_s mu(s) ||pi(.|s) - BR(.|s)||_1 <= sqrt(2 eps / tau) of the best response (V* - V^pi >= tau KL(pi || BR)
    at every state, then Pinsker and Jensen)."""
    if eps > 0 and (robust or tau == 0):
        raise ValueError("kinetic-levels: eps-equilibria only for the nominal population at tau > 0")
    Vl, Vh, Ql, Qh = box_values(lo, hi, tau, robust)
    pl, ph = box_policy(Ql, Qh, tau)
    options = [(s, a, q) for s in range(N) for a in range(M) if ph[s, a] > 0 for q in box_rows(s, a, lo, hi, Vl, Vh, robust)]
    ny, nw = N * M, len(options)
    nv = N + ny + nw
    slack = nv                                   # then u+ (N), u- (N), v (ny), v' (ny)
    total_vars = nv + 2 * N + 2 * ny
    balance = np.zeros((N, total_vars))
    balance[:, :N] = np.eye(N)
    balance[:, slack:slack + N] = -np.eye(N)
    balance[:, slack + N:slack + 2 * N] = np.eye(N)
    split = np.zeros((N, total_vars))
    flows = np.zeros((ny, total_vars))
    flows[np.arange(ny), N + np.arange(ny)] = -1
    for s in range(N):
        split[s, s] = -1
        split[s, N + s * M:N + s * M + M] = 1
    for k, (s, a, q) in enumerate(options):
        balance[:, N + ny + k] -= q
        flows[s * M + a, N + ny + k] = 1
    total = np.zeros((1, total_vars))
    total[0, :N] = 1
    Aeq = np.vstack([balance, split, flows, total])
    beq = np.concatenate([np.zeros(N + N + ny), [1.0]])
    Aub = np.zeros((2 * ny + 2, total_vars))
    v = slack + 2 * N
    for s in range(N):
        for a in range(M):
            k = s * M + a
            Aub[2 * k, [s, N + k, v + k]] = pl[s, a], -1, -1                # pl mu(s) - v <= y(s, a)
            Aub[2 * k + 1, [s, N + k, v + ny + k]] = -ph[s, a], 1, -1      # y(s, a) <= ph mu(s) + v'
    Aub[2 * ny, slack:slack + 2 * N] = 1
    Aub[2 * ny + 1, v:v + 2 * ny] = 1
    bub = np.concatenate([np.zeros(2 * ny), [eps, np.sqrt(2 * eps / tau) if eps > 0 else 0.0]])
    bounds = []
    for n in range(N):
        a_ = 0.0 if hi[n] == 100 else THR[hi[n]]
        b_ = 1.0 if lo[n] == 0 else THR[lo[n] - 1]
        bounds.append((max(0.0, a_ - PAD), min(1.0, b_ + PAD)))
    bounds += [(0, None)] * (ny + nw) + [(0, None if eps > 0 else 0)] * (2 * N + 2 * ny)
    return dict(c=None, A_ub=Aub, b_ub=bub, A_eq=Aeq, b_eq=beq, bounds=bounds, method="highs"), total_vars


def contract(lo, hi, tau, robust, eps=0.0):
    """One round: the smallest box of levels holding every stationary law the LP allows, or None."""
    lp, nv = box_lp(lo, hi, tau, robust, eps)
    nlo, nhi = lo.copy(), hi.copy()
    for n in np.argsort(DIST, kind="stable"):
        ends = []
        for sign in (1, -1):
            c = np.zeros(nv)
            c[n] = sign
            res = linprog(**dict(lp, c=c))
            if res.status == 2:
                return None
            # HiGHS without an answer (numerical trouble): this end is not tightened
            ends.append(sign * res.fun if res.status == 0 else (0.0 if sign == 1 else 1.0))
        nhi[n] = min(hi[n], level_of(max(0.0, ends[0] - PAD)))
        nlo[n] = max(lo[n], level_of(min(1.0, ends[1] + PAD)))
        if nlo[n] > nhi[n]:
            return None
    return nlo, nhi


def branch_and_bound(lo, hi, tau, robust, log=None, eps=0.0):
    """Every level vector in [lo, hi] that survives, each checked exactly; and the number of boxes."""
    stack, survivors, boxes = [(np.array(lo), np.array(hi))], [], 0
    while stack:
        lo, hi = stack.pop()
        boxes += 1
        while True:
            shrunk = contract(lo, hi, tau, robust, eps)
            if shrunk is None or (np.array_equal(shrunk[0], lo) and np.array_equal(shrunk[1], hi)):
                break
            lo, hi = shrunk
        if log:
            log(boxes, None if shrunk is None else int((hi - lo).sum()), len(stack))
        if shrunk is None:
            continue
        width = hi - lo
        if width.max() == 0:
            survivors.append((lo.copy(), check(lo, tau, robust)))
            continue
        open_ = np.where(width > 0)[0]
        d = int(open_[np.lexsort((-width[open_], DIST[open_]))[0]])
        mid = (lo[d] + hi[d]) // 2
        upper, lower = hi.copy(), lo.copy()
        upper[d], lower[d] = mid, mid + 1
        stack += [(lo, upper), (lower, hi)]
    return survivors, boxes


def relaxation_box(tau, robust, width):
    mu, _, _ = relaxation(tau, robust)
    real = 100 - mu / 0.0018
    lo = np.clip(np.floor(real).astype(int) - width, 0, 100)
    hi = np.clip(np.ceil(real).astype(int) + width, 0, 100)
    return mu, lo, hi


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("command", choices=["cycle", "relax", "box"])
    ap.add_argument("--tau", type=float, required=True)
    ap.add_argument("--population", choices=["nominal", "tv"], required=True)
    ap.add_argument("--width", type=int, default=2)
    ap.add_argument("--eps", type=float, default=0.0, help="box: also exclude eps-equilibria (nominal, tau > 0)")
    args = ap.parse_args()
    robust = args.population == "tv"
    np.set_printoptions(linewidth=160, precision=4, suppress=True)
    start = time.process_time()
    if args.command == "cycle":
        path, first = cycle(args.tau, robust)
        loop = np.array(path[first:])
        print(f"cycle of length {len(loop)} after {first} steps; levels (rows: the cycle's level vectors):")
        print(loop)
    elif args.command == "relax":
        mu, it, res = relaxation(args.tau, robust)
        print(f"relaxation: {it} iterations, residual {res:.2e}\nmu (row 4 = top):\n{mu.reshape(5, 5)[::-1]}")
        print(f"real levels 100 - mu/0.0018:\n{(100 - mu / 0.0018).reshape(5, 5)[::-1]}")
    else:
        mu, lo, hi = relaxation_box(args.tau, robust, args.width)
        print(f"box around the relaxation: lo {lo.tolist()}\n                           hi {hi.tolist()}")
        survivors, boxes = branch_and_bound(lo, hi, args.tau, robust, eps=args.eps)
        print(f"{boxes} boxes; surviving level vectors: {len(survivors)}")
        for lv, eq in survivors:
            print(f"  {lv.tolist()}: " + ("no stationary law with these levels" if not eq else
                  "; ".join(f"EQUILIBRIUM margin {m:.3g} residual {r:.2g}" for _, _, m, r in eq)))
    print(f"CPU {time.process_time() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
