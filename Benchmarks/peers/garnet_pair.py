#!/usr/bin/env python3
"""MF-Garnet: rmfg's pair judged on the exact kernel and on Bench-MFG's discretized one.

Bench-MFG's MFGarnet draws the next state by an inverse CDF over 64 noise points, so its kernel
is a discretization of the distribution that Examples/bench-mfg/mf-garnet.yaml keeps exactly
(Docs/Performance.md, "9. Peers: Bench-MFG"). This script reads a pair that `rmfg solve
--format json` wrote and computes, in float64 and outside rmfg:

  - on the exact kernel (scripts/example_reference.py): exploitability sum_s mu(s)(V*(s) - V^pi(s))
    (infinite horizon) and the stationarity residual ||mu K_pi - mu||_1;
  - Bench-MFG's recipe (50 population steps under pi from mu, then a 99-step horizon, V* - V^pi
    weighted by the mean field reached) on the exact kernel and on Bench-MFG's own environment;
  - the residual of the pair on Bench-MFG's kernel.

Usage (needs the peers' virtual environment, which `make peers` creates):
  rmfg solve Examples/bench-mfg/mf-garnet.yaml --temperature 0 --max-iterations 10000 \\
      --quiet --format json > pair.json
  Benchmarks/peers/.venv/bin/python Benchmarks/peers/garnet_pair.py pair.json
"""
import json
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import example_reference as ref  # noqa: E402

GAMMA = 0.9


def recipe(mu, pi, kernel_and_reward):
    """Bench-MFG's exploitability recipe in float64: 50 steps, then a 99-step horizon."""
    def step(nu):
        return nu @ np.einsum("sa,sat->st", pi, kernel_and_reward(nu)[0])
    nu = mu.copy()
    for _ in range(50):
        nu = step(nu)
    fields = [nu]
    for _ in range(99):
        fields.append(step(fields[-1]))
    best = np.zeros(len(mu))
    follow = np.zeros(len(mu))
    for t in reversed(range(99)):
        P, r = kernel_and_reward(fields[t])
        best = (r + GAMMA * P @ best).max(1)
        follow = (pi * (r + GAMMA * P @ follow)).sum(1)
    return float(nu @ (best - follow))


def main():
    pair = json.load(open(sys.argv[1]))
    mu = np.array(pair["meanField"], float)
    pi = np.array(pair["policy"], float)
    n, m = pi.shape
    exact = lambda nu: ref.mf_garnet(nu, None)
    P, r = exact(mu)
    Ppi = np.einsum("sa,sat->st", pi, P)
    Vpi = np.linalg.solve(np.eye(n) - GAMMA * Ppi, (pi * r).sum(1))
    V = np.zeros(n)
    for _ in range(3000):
        V = (r + GAMMA * P @ V).max(1)
    print(f"exact kernel: exploitability {mu @ (V - Vpi):.3g}, residual {np.abs(mu @ Ppi - mu).sum():.3g}, "
          f"Bench-MFG's recipe {recipe(mu, pi, exact):.3g}")
    mixed = {s: np.round(pi[s], 4).tolist() for s in range(n) if (pi[s] > 1e-9).sum() > 1}
    print(f"mixed states: {mixed}")

    from benchmfg.envs.mf_garnet.mf_garnet import MFGarnet, MFGarnetSampling
    support = ref.garnet_arrays()[0]
    env = MFGarnet(n, m, 64, 100, mu, gamma=GAMMA,
                   sampling=MFGarnetSampling(seed=0, branching_factor=support.shape[2]))

    def discretized(nu):
        T = np.array([[[env.transition(mean_field=nu, state=s, action=a, noise=e) for e in range(env.N_noises)]
                       for a in range(m)] for s in range(n)])
        R = np.array([[env.reward(mean_field=nu, state=s, action=a) for a in range(m)] for s in range(n)])
        return ref.kernel_from_noise(T, env.noise_prob, n), R

    Pd, _ = discretized(mu)
    Pdpi = np.einsum("sa,sat->st", pi, Pd)
    print(f"Bench-MFG's kernel: largest entry difference {np.abs(Pd - P).max():.3g}, "
          f"residual {np.abs(mu @ Pdpi - mu).sum():.3g}, Bench-MFG's recipe {recipe(mu, pi, discretized):.3g}")


if __name__ == "__main__":
    main()
