"""The regime matrix's cell crowd-grid tv 0.05 at tau = 0.01 (Docs/Solvers.md, "Turned green by the
bridge's eighth of a decade"), checked without the library.

The default `auto` solves Examples/crowd-grid.yaml (384 states) with tv 0.05 on the nominal support, a
worst-case population, tau = 0.01 and tolerance 1e-9. Its pair is evaluated here from the game's header
formulas (the kernel and reward of scripts/example_reference.py, written from the header, not from the
game file): nature's tv worst case moves rho = 0.05 of each row to its lowest-valued successor, taken
from the highest-valued ones first (ties by index); V^pi is the fixed point of the entropy-regularized
robust policy evaluation, V* of the soft robust Bellman operator tau log sum exp(Q / tau), each with
nature against its own values. The exploitability sum mu (V* - V^pi) and the residual ||mu P - mu||_1
(P the policy's chain under nature's kernel against V^pi) must be at most 1e-8, the matrix's green
threshold. About 5 CPU seconds (the solve, 1427 iterations of a 384-state game, takes 3.5 of them); the
cell is the reason for the bridge's smallest ratio and the stages' tolerance in `auto`.
"""

from __future__ import annotations

import numpy as np

from conftest import example_reference, run_cli, tv_index_row

RHO, GAMMA, TAU = 0.05, 0.9, 0.01


def _nature(kernel: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Every row's tv worst case against `values` on the row's support (lowest value first, ties by index)."""
    n, m, _ = kernel.shape
    return np.array([[tv_index_row(kernel[s, a], values, RHO) for a in range(m)] for s in range(n)])


def _fixed_point(step, start: np.ndarray, kernel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Iterates v <- step(v, nature(v)) (nature refreshed every 25 steps) until it moves by 1e-15."""
    v = start
    for i in range(5000):
        if i % 25 == 0:
            q = _nature(kernel, v)
        new = step(v, q)
        if np.abs(new - v).max() <= 1e-15 and i % 25 != 0:
            q_new = _nature(kernel, new)
            if np.array_equal(q_new, q):
                return new, q
        v = new
    raise AssertionError("no fixed point")


def test_crowd_grid_tv_tau001_pair_checked_by_numpy(rmfg):
    r = run_cli(rmfg, ["solve", "Examples/crowd-grid.yaml", "--method", "auto", "--set", "tv", "--radius", "0.05",
                       "--population", "worst-case", "--temperature", "0.01", "--tolerance", "1e-9",
                       "--max-iterations", "100000", "--quiet", "--format", "json"])
    assert r["converged"] and "through the bridge stages" in r["message"], r["message"]
    mu = np.array(r["meanField"])
    policy = np.array(r["policy"]).reshape(384, 5)
    kernel, reward = example_reference().crowd_grid(mu, {})
    entropy = np.sum(np.where(policy > 0, policy * np.log(np.where(policy > 0, policy, 1)), 0), axis=1)
    c = np.sum(policy * reward, axis=1) - TAU * entropy

    def evaluate(v, q):
        return c + GAMMA * np.einsum("sa,sat,t->s", policy, q, v)

    def soft_bellman(v, q):
        qa = reward + GAMMA * np.einsum("sat,t->sa", q, v)
        top = qa.max(axis=1)
        return top + TAU * np.log(np.exp((qa - top[:, None]) / TAU).sum(axis=1))

    v_pi, q_pi = _fixed_point(evaluate, np.zeros(384), kernel)
    v_star, _ = _fixed_point(soft_bellman, v_pi, kernel)
    exploitability = mu @ (v_star - v_pi)
    residual = np.abs(mu @ np.einsum("sa,sat->st", policy, q_pi) - mu).sum()
    assert abs(exploitability) <= 1e-8, exploitability
    assert residual <= 1e-8, residual
    # The library's own numbers agree with this evaluation (absolute 1e-12, relative 1e-6).
    assert abs(residual - r["stationarityResidual"]) <= 1e-12 + 1e-6 * residual
    assert abs(exploitability - r["exploitability"]) <= 1e-12
