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

The four-rooms tests check what is established about the two red four-rooms cells at tau = 0 (tv 0.05):
the bundled game has an equilibrium (at a full tie of its open values; a pair built from it passes the
evaluation), and Bench-MFG's symmetric equilibrium exists with split ties but not with index ties.
"""

from __future__ import annotations

import math

import numpy as np

import robustmfg
from conftest import ROOT, example_reference, run_cli, tv_index_row

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


def _kinetic_levels():
    """scripts/kinetic-levels.py: the game as a map on quantization levels and the level-box search, written
    from scripts/example_reference.py and the contract (numpy and scipy only, not the library)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("kinetic_levels", ROOT / "scripts" / "kinetic-levels.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_kinetic_congestion_level_map_matches_the_library(rng):
    """The level model of scripts/kinetic-levels.py is the game: at mean fields inside a level band its best
    response and population update equal the library's (tau 1 and 0.1, nominal and tv 0.05 worst-case), and
    its level count equals the game file's rule (e + 0.5)/100 < 1 - mu/0.18 in floating point."""
    kl = _kinetic_levels()
    for _ in range(2000):
        m = rng.uniform(0, 0.2)
        rolls = int(np.sum((np.arange(100) + 0.5) / 100 < 1 - min(1.0, m / 0.18)))
        assert kl.level_of(m) == rolls or kl.margin(np.array([m]))[0] <= 1e-15
    with robustmfg.Game.load(ROOT / "Examples" / "bench-mfg" / "kinetic-congestion.yaml") as game:
        for tau in (1.0, 0.1):
            for robust in (False, True):
                flags = dict(set="tv", radius=0.05, population="worst-case") if robust else dict(set="none", population="nominal")
                for _ in range(3):
                    mu = rng.dirichlet(np.full(25, 0.7))
                    assert kl.margin(mu).min() > 1e-12
                    pi, chain, _ = kl.image(kl.levels(mu), tau, robust)
                    e = game.evaluate(pi, mu, temperature=tau, **flags)
                    assert np.abs(e.best_response - pi).max() <= 1e-9
                    assert abs(e.exploitability) <= 1e-9
                    assert np.abs(e.population_update - mu @ chain).max() <= 1e-12


def test_kinetic_congestion_tau1_nominal_no_equilibrium_near_the_relaxation():
    """Bench-MFG's kinetic congestion, nominal, tau = 1 (Solvers.md, "Still red"). The continuous relaxation
    (success probability 1 - mu/0.18, not quantized) has its equilibrium with the target's real level
    100 - mu/0.0018 = 10.49: the quantized target flips between 10 and 11, and the best-response iteration on
    levels ends in a 2-cycle. The level-box search proves that no equilibrium has its 25 levels within
    [floor, ceil] of the relaxation's real levels (2^25 level vectors; the documented run widens this box
    by 6 levels on each side)."""
    kl = _kinetic_levels()
    path, first = kl.cycle(1.0, False)
    assert len(path) - first == 2
    mu, lo, hi = kl.relaxation_box(1.0, False, 0)
    assert abs((100 - mu[24] / 0.0018) - 10.49) <= 0.01
    assert (lo[24], hi[24]) == (10, 11) and int((hi - lo).sum()) == 25
    survivors, boxes = kl.branch_and_bound(lo, hi, 1.0, False)
    assert all(not eq for _, eq in survivors)
    # every level vector the search left (if any) was checked exactly and none is an equilibrium
    for lv in ([int(x) for x in lo], [int(x) for x in hi]):
        assert kl.check(np.array(lv), 1.0, False) == []


def test_kinetic_congestion_box_search_keeps_the_solvers_equilibrium(rmfg):
    """Soundness of the level-box LP against an equilibrium found by the solver: the green cell nominal
    tau = 0.1 converges (E, r <= 1e-8) to a pair whose target is full (level 0) and every other level is 81.
    No exact equilibrium has a level 0 at tau > 0 (Solvers.md: nothing enters the cell and its agents leave
    with positive probability), and the exact check finds no stationary law with these levels; the pair is an
    eps-equilibrium (the leak from the target is below 1e-8). The LP with eps = 1e-8 must keep the box of its
    levels."""
    kl = _kinetic_levels()
    out = run_cli(rmfg, ["solve", "Examples/bench-mfg/kinetic-congestion.yaml", "--method", "auto", "--temperature", "0.1",
                         "--set", "none", "--population", "nominal", "--tolerance", "1e-9", "--format", "json", "--quiet"])
    assert out["converged"]
    mu = np.array(out["meanField"])
    lv = kl.levels(mu)
    assert kl.margin(mu).min() > 1e-6 and lv[24] == 0 and set(lv[:24].tolist()) == {81}
    assert kl.check(lv, 0.1, False) == []
    assert kl.contract(lv.copy(), lv.copy(), 0.1, False, eps=1e-8) is not None


def _bench_four_rooms_reference():
    """The nominal kernel P[s, a, t] of Bench-MFG's four rooms from scripts/example_reference.py (written from
    Bench-MFG's environment class, not from the game file)."""
    kernel, _ = example_reference().four_rooms(np.full(121, 1 / 121), {})
    return kernel


def test_bench_four_rooms_tv_tau0_symmetric_equilibrium_needs_split_ties():
    """Bench-MFG's four rooms, tv 0.05, worst-case population, tau = 0 (Solvers.md, "Still red").

    Independent part (numpy, the reference kernel): under the uniform policy the chain restricted to the
    104 free cells is symmetric (a displacement a + e and its opposite are equally likely, a blocked move
    stays) and never enters a wall, so mu = 1/104 on the free cells is stationary; every free cell then has
    the same reward c = log 104 and, as no row from a free cell reaches a wall, the same value c / (1 - gamma)
    under any kernel supported on the free cells, so every action is optimal. With `ties: split` every free
    value ties: nature's tie class holds the whole support of each row and the receiver, the class keeps
    its mass, and its projection gives q = p: the worst case is the nominal kernel and the pair is an
    exact equilibrium (what `rmfg solve --ties split` finds, in 27 mirror-descent iterations). With
    `index` the same tie sends nature's rho of every row to one free cell (the first by (V, t)), which is
    not stationary: the residual is at least rho."""
    kernel = _bench_four_rooms_reference()
    n = 121
    entered = kernel.sum(axis=(0, 1)) - np.einsum("sas->s", kernel)
    free = entered > 0
    assert free.sum() == 104
    chain = kernel.mean(axis=1)
    block = chain[np.ix_(free, free)]
    assert np.abs(block - block.T).max() <= 1e-15
    assert np.abs(chain[np.ix_(free, ~free)]).max() == 0
    mu = np.where(free, 1 / 104, 0.0)
    assert np.abs(mu @ chain - mu).sum() <= 1e-15
    pi = np.full((n, 5), 0.2)
    flags = dict(set="tv", radius=0.05, population="worst-case", temperature=0.0)
    with robustmfg.Game.load(ROOT / "Examples" / "bench-mfg" / "four-rooms.yaml") as game:
        split = game.evaluate(pi, mu, ties="split", **flags)
        assert abs(split.exploitability) <= 1e-10 and split.residual <= 1e-12
        value = math.log(104) / (1 - 0.9)
        assert np.abs(split.values[free] - value).max() <= 1e-9 * value
        assert np.abs(split.population_update - mu).max() <= 1e-15
        index = game.evaluate(pi, mu, ties="index", **flags)
        assert index.residual >= 0.05
        sink = int(np.argmax(index.population_update))
        assert free[sink] and index.population_update[sink] >= mu[sink] + 0.05 * (1 - 1 / 104) - 1e-12


def _bundled_four_rooms():
    """Examples/four-rooms.yaml written from its header (not from its expressions): the nominal kernel
    P[s, a, t] (the chosen move with 1 - slip, each of the four moves with slip / 4, a move into a wall or
    off the grid stays; wall cells go to `start`), the wall mask and the Manhattan distance to the goal."""
    rows = [
        "#############", "#.....#.....#", "#.....#.....#", "#...........#", "#.....#.....#", "#.....#.....#",
        "##.####.....#", "#.....###.###", "#.....#.....#", "#...........#", "#.....#.....#", "#.....#.....#",
        "#############",
    ]
    wall = np.array([[c == "#" for c in line] for line in rows])
    moves = [(-1, 0), (1, 0), (0, -1), (0, 1), (0, 0)]  # up, down, left, right, stay
    n, m = 121, 5
    kernel = np.zeros((n, m, n))
    walls = np.zeros(n, dtype=bool)

    def destination(s: int, d: int) -> int:
        r, c = divmod(s, 11)
        return s if wall[r + 1 + moves[d][0], c + 1 + moves[d][1]] else s + 11 * moves[d][0] + moves[d][1]

    for s in range(n):
        if wall[s // 11 + 1, s % 11 + 1]:
            walls[s] = True
            kernel[s, :, 12] = 1
            continue
        for a in range(m):
            kernel[s, a, destination(s, a)] += 0.8
            for d in range(4):
                kernel[s, a, destination(s, d)] += 0.05
    distance = np.array([abs(s // 11 - 9) + abs(s % 11 - 9) for s in range(n)], dtype=float)
    return kernel, walls, distance


def test_bundled_four_rooms_tv_tau0_equilibrium_at_a_full_tie():
    """The bundled four rooms, tv 0.05 on the nominal support, worst-case population, tau = 0 and index ties
    (Solvers.md, "Still red"): an equilibrium exists, and it sits where all 104 open values tie.

    If every open cell has the value c, every row's worst case is worth c whatever nature does (a row from an
    open cell never reaches a wall), so V(s) = r(s) + gamma c: r(s) = (1 - gamma) c on every open cell, i.e.
    mu*(s) = exp(-k - 0.1 d(s)) - 1e-12 with k fixed by sum mu* = 1, and every action is optimal. Under `index`
    the tie gives each row's rho to its lowest-numbered successor, taken from its highest-numbered one; an LP
    (scipy's HiGHS) finds a policy under which mu* is stationary with that kernel: an exact equilibrium. It
    cannot be handed to the evaluation as it is (which of 104 values that tie is lowest is decided by their
    rounding), so the values are planted in index order: V = c + eta phi(s) with phi(s) = 2 row + col
    (increasing along s - 11, s - 1, s, s + 1, s + 11, so it orders every row like the indices), eta = 3e-11,
    by the reward r(s) = V(s) - gamma sum_a pi(a|s) q(s, a) . V, i.e. mu(s) = exp(-r(s) - 0.1 d(s)) - 1e-12.
    The library's evaluation of that pair has exploitability and residual below 1e-9."""
    from scipy.optimize import brentq, linprog

    kernel, walls, distance = _bundled_four_rooms()
    n, m, gamma = 121, 5, 0.9
    open_ = ~walls
    k = brentq(lambda k: (np.exp(-k - 0.1 * distance[open_]) - 1e-12).sum() - 1, -10, 20)
    tied = np.where(open_, np.exp(-k - 0.1 * distance) - 1e-12, 0.0)
    phi = np.array([2 * (s // 11) + s % 11 for s in range(n)], dtype=float)
    nature = np.array([[tv_index_row(kernel[s, a], phi) for a in range(m)] for s in range(n)])
    # the order of phi is the index order inside every row from an open cell
    for s in np.nonzero(open_)[0]:
        support = np.unique(np.nonzero(kernel[s])[1])
        assert np.all(np.diff(phi[support]) > 0)
    cells = np.nonzero(open_)[0]
    equalities = [np.kron(np.eye(len(cells))[i], np.ones(m)) for i in range(len(cells))]
    equalities += [nature[cells, :, t].ravel() for t in range(n)]
    lp = linprog(np.zeros(len(cells) * m), A_eq=np.array(equalities), b_eq=np.concatenate([tied[cells], tied]),
                 bounds=(0, None), method="highs")
    assert lp.status == 0
    flow = lp.x.reshape(len(cells), m)
    policy = np.full((n, m), 1 / m)
    policy[cells] = flow / flow.sum(axis=1, keepdims=True)
    chain = np.einsum("sa,sat->st", policy, nature)
    assert np.abs(tied @ chain - tied).sum() <= 1e-14
    drift = phi - gamma * chain @ phi
    eta = 3e-11
    c = brentq(lambda c: (np.exp(-(1 - gamma) * c - eta * drift[open_] - 0.1 * distance[open_]) - 1e-12).sum() - 1, -100, 100)
    mu = np.where(open_, np.exp(-(1 - gamma) * c - eta * drift - 0.1 * distance) - 1e-12, 0.0)
    flags = dict(set="tv", radius=0.05, population="worst-case", temperature=0.0)
    with robustmfg.Game.load(ROOT / "Examples" / "four-rooms.yaml") as game:
        planted = game.evaluate(policy, mu, ties="index", **flags)
        assert abs(planted.exploitability) <= 1e-9 and planted.residual <= 1e-9
        assert np.ptp(planted.values[open_]) <= 1e-8
        # the same equilibrium with its values tied by rounding only: nature's choices are the rounding's
        bare = game.evaluate(policy, tied, ties="index", **flags)
        assert bare.residual > 1e-6


def test_bundled_four_rooms_tv_tau0_solved_by_the_tie_candidate(rmfg):
    """The default `auto` now solves the bundled four rooms, tv 0.05, worst-case population, tau = 0, index
    ties (Solvers.md, "The tie candidate"). Its pair is checked here without the library's evaluation, from
    the game's header (`_bundled_four_rooms`): the reward r(s) = -0.1 d(s) - log(mu(s) + 1e-12) on open cells
    (0 on walls), nature's tv worst case on the nominal support (`tv_index_row`, ties by index like `index`).

    V^pi is the fixed point of V = r_pi + gamma Q_V V where Q_V is nature's kernel against V itself (iterated
    until the kernel's order no longer changes; a plain linear solve per order). Then epsilon =
    max_s max_a [r(s) + gamma q_V(s, a) . V - V(s)] bounds V* - V^pi by epsilon / (1 - gamma) (T is a monotone
    gamma-contraction and T V^pi <= V^pi + epsilon), so the exploitability sum mu (V* - V^pi) is at most
    epsilon / (1 - gamma). The stationarity residual is ||mu P - mu||_1 with P from pi and that kernel. The
    pair is also the tie: its open-cell rewards agree to 1e-8 (the planted steps are of order 1e-9)."""
    r = run_cli(rmfg, ["solve", "Examples/four-rooms.yaml", "--method", "auto", "--set", "tv", "--radius", "0.05",
                       "--population", "worst-case", "--temperature", "0", "--tolerance", "1e-9",
                       "--max-iterations", "100000", "--quiet", "--format", "json"])
    assert r["converged"] and "tie candidate" in r["message"], r["message"]
    kernel, walls, distance = _bundled_four_rooms()
    n, m, gamma = 121, 5, 0.9
    mu, policy = np.array(r["meanField"]), np.array(r["policy"])
    assert np.all(mu[walls] == 0)
    reward = np.where(walls, 0.0, -0.1 * distance - np.log(mu + 1e-12))
    assert np.ptp(reward[~walls]) <= 1e-8

    def nature(v: np.ndarray) -> np.ndarray:
        return np.array([[tv_index_row(kernel[s, a], v) for a in range(m)] for s in range(n)])

    values = np.zeros(n)
    for _ in range(20):
        q = nature(values)
        chain = np.einsum("sa,sat->st", policy, q)
        new = np.linalg.solve(np.eye(n) - gamma * chain, reward)
        if np.array_equal(np.argsort(new, kind="stable"), np.argsort(values, kind="stable")):
            values = new
            break
        values = new
    q = nature(values)
    chain = np.einsum("sa,sat->st", policy, q)
    assert np.abs(values - (reward + gamma * chain @ values)).max() <= 1e-11  # V^pi with nature's kernel against it
    epsilon = (reward[:, None] + gamma * q @ values - values[:, None]).max()
    assert epsilon / (1 - gamma) <= 1e-8
    assert np.abs(mu @ chain - mu).sum() <= 1e-9
