"""Re-checks an rmfg solve of the crowd grid with the numpy model of crowd_outer.py:

  rmfg solve Examples/crowd-grid.yaml --param width=W --param height=H --quiet --format json > out.json
  python3 Benchmarks/crowd_outer_check.py out.json W H

prints the exploitability and the one-step residual of the returned pair, recomputed from scratch.
"""
import json, sys, numpy as np
sys.path.insert(0, __import__('os').path.dirname(__file__))
from crowd_outer import Grid, TAU
d = json.load(open(sys.argv[1])); W = int(sys.argv[2]); H = int(sys.argv[3])
g = Grid(W, H)
mu = np.array(d['meanField'], dtype=float)
pi = np.array(d['policy'], dtype=float).reshape(g.n, 5)
r = g.reward(mu); go = g.go(mu)
Vs, Q = g.optimal(r, go, np.zeros(g.n), 1e-12)
Vpi = g.policy_values(r, pi, go, Vs, 1e-12)
q = g.worst(go, Vpi)
phi = g.step(mu, pi, q)
print(f"numpy recheck: E {mu @ (Vs - Vpi):.3e} residual {np.abs(phi - mu).sum():.3e} (rmfg: E {d['exploitability']:.3e} r {d['stationarityResidual']:.3e}); max|V - value| {np.abs(Vpi - np.array(d['value'])).max():.2e}")
