"""Red cells of the regime matrix (Docs/Solvers.md) that are explained by a proof, checked here.

Coordination (Examples/coordination.yaml) with tv 0.05, worst-case population, tau = 1 and the
default tie rule `index` has no equilibrium: for every mean field the one-step residual of the
best response is at least 0.05. The library's population update and best response are compared
with the closed form derived in Solvers.md ("Still red"), which does not use the library:

    x = mu(right), d = V*(right) - V*(left) = kappa (2x - 1) (the continuation values of both
    states are equal: an action picks the next state deterministically),
    sigma = logistic(gamma (1 - rho) d / tau)        (nature removes rho of the better move),
    Phi(right) = (1 - rho) sigma           if d > 0  (nature sends rho of the right-movers left),
                 sigma + rho (1 - sigma)   if d < 0  (and rho of the left-movers right).

As x -> Phi(right) has slope at most (1 - rho)^2 gamma kappa / (2 tau) = 0.41 < 1, Phi(x) - x is decreasing on
each side and equals -rho/2 and +rho/2 at x = 1/2 from the right and left, so |Phi - x| >= rho/2
everywhere and the residual ||Phi - mu||_1 >= rho: no fixed point. At x = 1/2 the values tie and
the index rule sends nature's rho to the first state (left), giving Phi(right) = 1/2 - rho/2; the
split rule spreads it, giving Phi = mu, the equilibrium that `--ties split` finds.
"""

from __future__ import annotations

import math

import numpy as np

import robustmfg
from conftest import ROOT

GAMMA, KAPPA, TAU, RHO = 0.9, 1.0, 1.0, 0.05


def _closed_form(x: float) -> tuple[float, float]:
    d = KAPPA * (2 * x - 1)
    sigma = 1 / (1 + math.exp(-GAMMA * (1 - RHO) * d / TAU))
    phi = (1 - RHO) * sigma if d > 0 else sigma + RHO * (1 - sigma)
    return sigma, phi


def _evaluate(game: robustmfg.Game, x: float, ties: str) -> robustmfg.Evaluation:
    mu = np.array([1 - x, x])
    flags = dict(set="tv", radius=0.05, population="worst-case", temperature=TAU, ties=ties)
    br = game.evaluate(np.full((2, 2), 0.5), mu, **flags).best_response
    return game.evaluate(br, mu, **flags)


def test_coordination_tv_tau1_has_no_equilibrium_with_index_ties():
    xs = sorted({i / 400 for i in range(401)} | {0.5 - 1e-9, 0.5 + 1e-9, 0.5 - 1e-13, 0.5 + 1e-13})
    with robustmfg.Game.load(ROOT / "Examples" / "coordination.yaml") as game:
        smallest = math.inf
        for x in xs:
            e = _evaluate(game, x, "index")
            smallest = min(smallest, e.residual)
            if x == 0.5:
                assert abs(e.population_update[1] - (0.5 - RHO / 2)) <= 1e-15
                continue
            sigma, phi = _closed_form(x)
            assert abs(e.best_response[0, 1] - sigma) <= 1e-12 + 1e-12 * sigma
            assert abs(e.best_response[1, 1] - sigma) <= 1e-12 + 1e-12 * sigma
            assert abs(e.population_update[1] - phi) <= 1e-12 + 1e-12 * phi
        assert smallest >= RHO - 1e-12
        # the split rule has the fixed point at 1/2
        e = _evaluate(game, 0.5, "split")
        assert e.residual <= 1e-15 and e.exploitability <= 1e-15


def test_kinetic_congestion_best_response_map_is_piecewise_constant(rng):
    """Bench-MFG's kinetic congestion: the reward does not depend on mu and the kernel is a step
    function of mu (success probabilities quantized to 1/100), so the best response and the
    population update do not move under a perturbation of mu that stays inside a step, and the
    undamped best-response iteration ends in a 2-cycle at tau = 1 (Solvers.md, "Still red")."""
    with robustmfg.Game.load(ROOT / "Examples" / "bench-mfg" / "kinetic-congestion.yaml") as game:
        for population in ("nominal", "worst-case"):
            flags = dict(set="tv" if population == "worst-case" else "none", population=population, temperature=1.0)
            if population == "worst-case":
                flags["radius"] = 0.05
            for _ in range(5):
                mu = rng.dirichlet(np.ones(25))
                nudge = rng.normal(size=25) * 1e-11
                mu2 = np.abs(mu + nudge - nudge.mean())
                mu2 /= mu2.sum()
                pi = np.full((25, 5), 0.2)
                a, b = game.evaluate(pi, mu, **flags), game.evaluate(pi, mu2, **flags)
                assert np.array_equal(a.best_response, b.best_response)
        cycle = game.solve(method="fixed-point", damping=1.0, max_iterations=60, temperature=1.0)
        r = cycle.trace["stationarityResidual"]
        assert not cycle.converged
        same = [abs(r[-1 - i] - r[-3 - i]) <= 1e-12 for i in range(20)]
        assert all(same) and abs(r[-1] - r[-2]) > 1e-2 and min(r[-2:]) > 0.1
