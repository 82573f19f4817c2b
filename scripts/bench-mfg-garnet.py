#!/usr/bin/env python3
"""Writes the arrays of Examples/bench-mfg/mf-garnet.yaml with Bench-MFG's own sampler.

Needs the PyPI package bench-mfg-suite 0.1.3 (and its dependencies) in the Python that runs it:

  python3 -m venv .venv && .venv/bin/pip install bench-mfg-suite==0.1.3
  .venv/bin/python scripts/bench-mfg-garnet.py [--states 20] [--actions 6] [--out Examples/bench-mfg/mf-garnet]

It builds benchmfg.envs.mf_garnet.MFGarnet with the settings of Bench-MFG's
config/environment/mf_garnet.yaml (seed 0, branching factor 6, additive dynamics,
additive potential reward, reward scale 1) except the size (Bench-MFG's default is
100 states and 6 actions; the coupling tensor C then has 6·10^6 entries, 24 MB) and writes:

  P0.npy            the base kernel P0[s, a, t] (float64), as Bench-MFG builds it
                    (base[support] += prob: a successor drawn twice keeps one weight)
  support.npy       Bench-MFG's P0_support[s, a, k] (int64), for the independent check
  prob.npy          Bench-MFG's P0_prob[s, a, k] (float64), for the independent check
  C.npy             the coupling tensor C[s, a, t, y] (float32, as Bench-MFG stores it)
  R0.npy            the base reward R0[s, a] (float64)
  M.npy             the symmetric interaction matrix M[s, y] (float64)
  coefficients.csv  cp, rho_p, cr, rho_r (drawn by the sampler from Uniform[0, 1])
"""
import argparse
import os

import numpy as np
from benchmfg.envs.mf_garnet.mf_garnet import MFGarnet, MFGarnetSampling


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--states", type=int, default=20)
    p.add_argument("--actions", type=int, default=6)
    p.add_argument("--out", default=os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                                 "Examples", "bench-mfg", "mf-garnet"))
    args = p.parse_args()
    n, m = args.states, args.actions
    env = MFGarnet(N_states=n, N_actions=m, N_noises=64, horizon=100, mean_field=np.full(n, 1.0 / n), gamma=0.9,
                   sampling=MFGarnetSampling(seed=0, branching_factor=6, dynamics_structure="additive",
                                             reward_structure="additive", game_type="potential",
                                             reward_scale=1.0, eps=1e-12, relu_eps=0.0))
    os.makedirs(args.out, exist_ok=True)
    np.save(os.path.join(args.out, "P0.npy"), np.ascontiguousarray(env.P0_dense, dtype="<f8"))
    np.save(os.path.join(args.out, "support.npy"), np.ascontiguousarray(env.P0_support, dtype="<i8"))
    np.save(os.path.join(args.out, "prob.npy"), np.ascontiguousarray(env.P0_prob, dtype="<f8"))
    np.save(os.path.join(args.out, "C.npy"), np.ascontiguousarray(env.C, dtype="<f4"))
    np.save(os.path.join(args.out, "R0.npy"), np.ascontiguousarray(env.R0, dtype="<f8"))
    np.save(os.path.join(args.out, "M.npy"), np.ascontiguousarray(env.M, dtype="<f8"))
    c = env.cfg
    with open(os.path.join(args.out, "coefficients.csv"), "w") as f:
        f.write("# cp, rho_p, cr, rho_r of Bench-MFG's MFGarnet (seed 0), drawn from Uniform[0, 1]\n")
        f.write(",".join(repr(float(x)) for x in (c.cp, c.rho_p, c.cr, c.rho_r)) + "\n")
    print(f"wrote {args.out}: {n} states, {m} actions, C {env.C.shape}")


if __name__ == "__main__":
    main()
