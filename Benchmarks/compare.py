#!/usr/bin/env python3
"""Peer comparison: RobustMFG (Swift) against a vectorized numpy reference.

Both sides build the *same* garnet (SplitMix64, construction order of
Sources/Randomness/Garnet.swift, behind `rmfg generate garnet` too): checked by a checksum computed in the same order
and by the agreement of the two equilibria (max |Δμ|).

The numpy reference solves the robust MFG of Docs/Theory.md (sections 1 and 2):
  * TV inner problem by the sorted closed form on all rows at once (V sorted
    once per sweep, per-row cumulative sums over the successors ranked by V);
  * robust soft value iteration (τ > 0: V = τ log Σ_a exp(Q/τ)), warm-started,
    stopping when ‖TV − V‖∞·γ/(1−γ) ≤ 1e-12 (rmfg's default value tolerance);
  * softmax best response; robust policy evaluation V^π (nature re-optimizes);
  * population update Φ(μ, π) = μ P with P(s,·) = Σ_a π(a|s) K(·|s,a), K the
    worst-case kernel against V^π (population: worst-case);
  * damped fixed point μ ← (1−α)μ + α Stat(BR(μ)), Stat by one dense linear
    solve of (I − P)ᵀν = 0 with Σν = 1;
  * stop when exploitability Σ μ (V* − V^π) and ‖Φ − μ‖₁ are both ≤ tolerance.

Usage (from Benchmarks/; builds GarnetSolve in release first unless --no-build):
  python3 compare.py                 # 200-state garnet, 5 alternating timing rounds
  python3 compare.py --rounds 7
  python3 compare.py --large         # also: 10,000-state garnet to 1e-8 under /usr/bin/time -v
"""

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

MASK = (1 << 64) - 1
HERE = os.path.dirname(os.path.abspath(__file__))
SOLVER = os.path.join(HERE, ".build", "release", "GarnetSolve")
RMFG = os.path.join(HERE, "..", ".build", "release", "rmfg")


# ---------------------------------------------------------------- garnet ----

class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def next_double(self):
        return (self.next() >> 11) * 2.0 ** -53


def garnet(states, actions, branching, seed):
    """(idx, prob, R): idx/prob of shape (S·A, k), rows s·A + a; R of shape (S, A).

    The construction of Sources/Randomness/Garnet.swift (`GarnetGenerator`), draw for draw:
    per row the reward, then a partial Fisher–Yates shuffle of a pool kept between rows,
    then k − 1 sorted cut points whose gaps are the probabilities of the sorted successors.
    """
    rng = SplitMix64(seed)
    k = min(max(1, branching), states)
    idx = np.zeros((states * actions, k), dtype=np.int64)
    prob = np.zeros((states * actions, k))
    R = np.zeros((states, actions))
    pool = list(range(states))
    for s in range(states):
        for a in range(actions):
            R[s, a] = rng.next_double()
            for i in range(k):
                j = i + rng.next() % (states - i)
                pool[i], pool[j] = pool[j], pool[i]
            succ = sorted(pool[:k])
            cuts = sorted(rng.next_double() for _ in range(k - 1)) + [1.0]
            previous = 0.0
            p = []
            for c in cuts:
                p.append(c - previous)
                previous = c
            idx[s * actions + a] = succ
            prob[s * actions + a] = p
    return idx, prob, R


def checksum(idx, prob, R):
    """Σ_row (row+1)·(R + Σ_j (t_j+1) p_j), summed in GarnetSolve's order (plain floats)."""
    S, A = R.shape
    total = 0.0
    for row in range(S * A):
        acc = float(R[row // A, row % A])
        for t, p in zip(idx[row].tolist(), prob[row].tolist()):
            acc += (t + 1) * p
        total += (row + 1) * acc
    return total


# ------------------------------------------------------- numpy reference ----

class NumpyRobustMFG:
    def __init__(self, idx, prob, R, radius=0.1, discount=0.9, temperature=0.2, congestion=0.5):
        self.idx, self.prob, self.R = idx, prob, R
        self.S, self.A = R.shape
        self.rho, self.gamma, self.tau, self.c = radius, discount, temperature, congestion
        self.rows = np.arange(self.S * self.A)[:, None]

    def tv(self, V, want_kernel=False):
        """σ(V) for every row (sorted closed form); optionally the dense worst-case kernel."""
        n = self.S
        order = np.lexsort((np.arange(n), V))          # (V_t, t) ascending
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n)
        istar = order[0]
        vstar = V[istar]
        is_star = self.idx == istar
        pstar = (self.prob * is_star).sum(axis=1)
        budget = np.minimum(self.rho, 1.0 - pstar)
        perm = np.argsort(-rank[self.idx], axis=1)       # highest (V, t) first
        idx_s = np.take_along_axis(self.idx, perm, axis=1)
        p_s = np.take_along_axis(self.prob, perm, axis=1)
        donor = np.where(idx_s == istar, 0.0, p_s)
        before = np.cumsum(donor, axis=1) - donor
        take = np.clip(budget[:, None] - before, 0.0, donor)
        q_s = p_s - take
        moved = take.sum(axis=1)
        value = (q_s * V[idx_s]).sum(axis=1) + moved * vstar
        if not want_kernel:
            return value, None
        K = np.zeros((self.S * self.A, n))
        K[self.rows, idx_s] = q_s
        K[:, istar] += moved
        return value, K

    def soft(self, Q):
        M = Q.max(axis=1)
        return M + self.tau * np.log(np.exp((Q - M[:, None]) / self.tau).sum(axis=1))

    def optimal(self, r, V, tol=1e-12):
        """Robust soft value iteration to ‖TV − V‖∞·γ/(1−γ) ≤ tol; returns (TV, Q)."""
        factor = self.gamma / (1 - self.gamma)
        while True:
            sigma, _ = self.tv(V)
            Q = r + self.gamma * sigma.reshape(self.S, self.A)
            TV = self.soft(Q)
            res = np.abs(TV - V).max()
            V = TV
            if res * factor <= tol:
                return TV, Q

    def policy_values(self, r, pi, V, tol=1e-12):
        """V^π (nature re-optimizes every sweep); returns (T^π V, worst-case kernel at the last V)."""
        factor = self.gamma / (1 - self.gamma)
        bonus = (pi * (r - self.tau * np.log(pi))).sum(axis=1)
        while True:
            sigma, _ = self.tv(V)
            TV = bonus + self.gamma * (pi * sigma.reshape(self.S, self.A)).sum(axis=1)
            res = np.abs(TV - V).max()
            if res * factor <= tol:
                _, K = self.tv(V, want_kernel=True)
                return TV, K
            V = TV

    def solve(self, tolerance=1e-9, damping=0.5, max_iterations=1000):
        S = self.S
        mu = np.full(S, 1.0 / S)
        V = np.zeros(S)
        for it in range(1, max_iterations + 1):
            r = self.R - self.c * mu[:, None]
            Vstar, Q = self.optimal(r, V)
            V = Vstar
            Z = np.exp((Q - Q.max(axis=1, keepdims=True)) / self.tau)
            pi = Z / Z.sum(axis=1, keepdims=True)
            Vpi, K = self.policy_values(r, pi, Vstar)
            P = (pi.reshape(S * self.A, 1) * K).reshape(S, self.A, S).sum(axis=1)
            phi = mu @ P
            residual = np.abs(phi - mu).sum()
            exploit = mu @ (Vstar - Vpi)
            if exploit <= tolerance and residual <= tolerance:
                return dict(meanField=mu, iterations=it, exploitability=exploit, stationarityResidual=residual)
            M = (np.eye(S) - P).T
            M[-1, :] = 1.0
            b = np.zeros(S)
            b[-1] = 1.0
            nu = np.linalg.solve(M, b)
            mu = (1 - damping) * mu + damping * nu
            mu = np.maximum(mu, 0.0)
            mu /= mu.sum()
        return dict(meanField=mu, iterations=max_iterations, exploitability=exploit, stationarityResidual=residual)


# ------------------------------------------------------------------ swift ----

def timed_process(cmd):
    """Runs cmd to completion; (wall seconds, CPU seconds user + system of the child, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), out

def swift(args):
    out = subprocess.run([SOLVER] + args, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--states", type=int, default=200)
    ap.add_argument("--actions", type=int, default=5)
    ap.add_argument("--branching", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--tolerance", type=float, default=1e-9)
    ap.add_argument("--damping", type=float, default=0.5)
    ap.add_argument("--rounds", type=int, default=5, help="alternating timing rounds")
    ap.add_argument("--swift-repeat", type=int, default=3, help="solves per GarnetSolve process (median)")
    ap.add_argument("--large", action="store_true", help="also run the 10,000-state check")
    ap.add_argument("--cli", action="store_true",
                    help="also time `rmfg solve` of the same garnet (JSON file) as a whole process")
    ap.add_argument("--rmfg", default=RMFG, help="the rmfg binary of --cli (default ../.build/release/rmfg)")
    ap.add_argument("--no-build", action="store_true")
    opts = ap.parse_args()

    if not opts.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "GarnetSolve"], cwd=HERE, check=True,
                       stdout=subprocess.DEVNULL)

    print(f"numpy {np.__version__}, python {sys.version.split()[0]}, "
          f"OPENBLAS_* = {{{', '.join(f'{k}={v}' for k, v in os.environ.items() if k.startswith('OPENBLAS'))}}}")
    game = ["--states", str(opts.states), "--actions", str(opts.actions), "--branching", str(opts.branching),
            "--seed", str(opts.seed), "--tolerance", repr(opts.tolerance)]

    # 1. The same garnet on both sides.
    idx, prob, R = garnet(opts.states, opts.actions, opts.branching, opts.seed)
    ref = NumpyRobustMFG(idx, prob, R)
    ours = checksum(idx, prob, R)
    auto = swift(game + ["--mean-field"])
    fixed = swift(game + ["--method", "fixed-point", "--damping", repr(opts.damping), "--mean-field"])
    print(f"garnet S={opts.states} A={opts.actions} k={opts.branching} seed={opts.seed}: checksum numpy {ours!r} "
          f"swift {auto['garnetChecksum']!r} -> {'identical' if ours == auto['garnetChecksum'] else 'DIFFERENT'}")

    # 2. The same equilibrium.
    t0 = time.perf_counter()
    sol = ref.solve(tolerance=opts.tolerance, damping=opts.damping)
    print(f"numpy fixed point: {sol['iterations']} iterations, exploitability {sol['exploitability']:.3e}, "
          f"residual {sol['stationarityResidual']:.3e} ({time.perf_counter() - t0:.3f} s)")
    for name, s in (("auto (anderson)", auto), ("fixed-point", fixed)):
        d = np.abs(np.array(s["meanField"]) - sol["meanField"]).max()
        print(f"swift {name}: {s['iterations']} iterations, converged {s['converged']}, "
              f"exploitability {s['exploitability']:.3e}, residual {s['stationarityResidual']:.3e}; "
              f"max |Δμ| vs numpy = {d:.3e}")

    # 3. Alternating timings (solve only; garnet construction excluded on both sides).
    if opts.cli:
        game_file = os.path.join(HERE, ".build", f"garnet-{opts.states}x{opts.actions}-b{opts.branching}-seed{opts.seed}.json")
        subprocess.run([opts.rmfg, "generate", "garnet", "--states", str(opts.states), "--actions", str(opts.actions),
                        "--branching", str(opts.branching), "--seed", str(opts.seed), "--tolerance", repr(opts.tolerance),
                        "--output", game_file], check=True)
        cli = json.loads(timed_process([opts.rmfg, "solve", game_file, "--quiet", "--format", "json"])[2])
        d = np.abs(np.array(cli["meanField"]) - sol["meanField"]).max()
        print(f"rmfg solve {os.path.basename(game_file)}: {cli['iterations']} iterations, converged {cli['converged']}; "
              f"max |Δμ| vs numpy = {d:.3e}")
        cli_wall, cli_cpu = [], []
    t_np, t_auto, t_fixed = [], [], []
    for r in range(opts.rounds):
        t0 = time.perf_counter()
        ref.solve(tolerance=opts.tolerance, damping=opts.damping)
        t_np.append(time.perf_counter() - t0)
        t_auto.append(swift(game + ["--repeat", str(opts.swift_repeat)])["seconds"])
        t_fixed.append(swift(game + ["--method", "fixed-point", "--damping", repr(opts.damping),
                                     "--repeat", str(opts.swift_repeat)])["seconds"])
        print(f"round {r + 1}: numpy {t_np[-1]:.4f} s, swift auto {t_auto[-1]:.4f} s, "
              f"swift fixed-point {t_fixed[-1]:.4f} s")
        if opts.cli:  # five whole processes per round, text output as a user sees it
            for _ in range(5):
                wall, cpu, _ = timed_process([opts.rmfg, "solve", game_file, "--quiet"])
                cli_wall.append(wall)
                cli_cpu.append(cpu)
            print(f"         rmfg solve (process) wall median {statistics.median(cli_wall[-5:]):.4f} s, "
                  f"CPU median {statistics.median(cli_cpu[-5:]):.4f} s")
    m_np, m_auto, m_fixed = (statistics.median(x) for x in (t_np, t_auto, t_fixed))
    print(f"median numpy {m_np:.4f} s | swift auto {m_auto:.4f} s ({m_np / m_auto:.1f}x faster) | "
          f"swift fixed-point (alpha={opts.damping}) {m_fixed:.4f} s ({m_np / m_fixed:.1f}x faster)")
    for label, ratio in (("auto", m_np / m_auto), ("fixed-point", m_np / m_fixed)):
        print(f"  {label}: issue 4 target >= 30x {'MET' if ratio >= 30 else 'MISSED'}, "
              f"issue 8 target >= 100x {'MET' if ratio >= 100 else 'MISSED'}")
    if opts.cli:
        m_wall, m_cpu = statistics.median(cli_wall), statistics.median(cli_cpu)
        print(f"rmfg solve end to end: wall median {m_wall:.4f} s ({m_np / m_wall:.1f}x faster than numpy), "
              f"CPU median {m_cpu:.4f} s; issue 16 target >= 100x end to end "
              f"{'MET' if m_np / m_wall >= 100 else 'MISSED'} (wall; meaningful only on a quiet machine)")

    # 4. The 10,000-state garnet: wall time and peak memory of one solve to 1e-8.
    if opts.large:
        cmd = ["/usr/bin/time", "-v", SOLVER, "--states", "10000", "--actions", str(opts.actions),
               "--branching", str(opts.branching), "--seed", str(opts.seed), "--tolerance", "1e-8"]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
        res = json.loads(proc.stdout)
        rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
        wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", proc.stderr).group(1)
        print(f"10,000-state garnet to 1e-8: converged {res['converged']} in {res['iterations']} iterations, "
              f"solve {res['seconds']:.2f} s, process wall {wall}, peak RSS {rss_kb / 1024:.0f} MiB "
              f"(targets: <= 60 s {'MET' if res['seconds'] <= 60 else 'MISSED'}, "
              f"< 2 GB {'MET' if rss_kb * 1024 < 2e9 else 'MISSED'})")


if __name__ == "__main__":
    main()
