"""Agreement with scipy's linprog (HiGHS), an independent LP solver, on random instances
of every polyhedral set: tv, l1 (weighted), linf, wasserstein; ties, zeros, radius 0 and
huge radii included."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog

import robustmfg


def highs(set_name, p, v, rho, weights=None, cost=None, support="simplex"):
    """min q.V over the set, as an LP in (q, d) (or the transport plan for wasserstein)."""
    n = len(p)
    bounds_q = [(0, None) if support == "simplex" or p[t] > 0 else (0, 0) for t in range(n)]
    if set_name == "wasserstein":
        # plan x[s, t] >= 0: sum_t x[s, t] = p_s, sum c x <= rho; q_t = sum_s x[s, t]
        c = np.tile(v, n)
        a_eq = np.zeros((n, n * n))
        for s in range(n):
            a_eq[s, s * n:(s + 1) * n] = 1
        bounds = [(0, None) if bounds_q[t][1] is None else (0, 0) for s in range(n) for t in range(n)]
        res = linprog(c, A_ub=cost.reshape(1, -1), b_ub=[rho], A_eq=a_eq, b_eq=p, bounds=bounds, method="highs")
        return res.fun
    # variables q (n), d (n) with d >= |q - p|
    w = np.ones(n) if weights is None else np.asarray(weights)
    c = np.concatenate([v, np.zeros(n)])
    eye = np.eye(n)
    a_ub = [np.hstack([eye, -eye]), np.hstack([-eye, -eye])]
    b_ub = [p, -p]
    if set_name == "tv":
        a_ub.append(np.concatenate([np.zeros(n), np.full(n, 0.5)])[None, :])
        b_ub.append([rho])
    elif set_name == "l1":
        a_ub.append(np.concatenate([np.zeros(n), w])[None, :])
        b_ub.append([rho])
    elif set_name == "linf":
        bounds_d = [(0, rho)] * n
    a_eq = np.concatenate([np.ones(n), np.zeros(n)])[None, :]
    bounds = bounds_q + (bounds_d if set_name == "linf" else [(0, None)] * n)
    res = linprog(c, A_ub=np.vstack(a_ub), b_ub=np.concatenate(b_ub), A_eq=a_eq, b_eq=[1.0], bounds=bounds,
                  method="highs")
    assert res.status == 0, res.message
    return res.fun


def instances(rng, count):
    for k in range(count):
        n = int(rng.integers(1, 9))
        p = rng.dirichlet(np.ones(n))
        if n > 2 and k % 3 == 0:
            p[rng.integers(n)] = 0.0  # zeros
            p = p / p.sum()
        scale = 10.0 ** rng.integers(-6, 7)
        v = rng.normal(size=n) * scale
        if n > 2 and k % 4 == 0:
            v[1] = v[0]  # ties
        if k % 5 == 0:
            v = np.round(v)
        rho = [0.0, 1e-3, 0.1, 0.5, 1e6][k % 5]
        yield p, v, rho, scale


@pytest.mark.parametrize("set_name", ["tv", "l1", "linf", "wasserstein"])
@pytest.mark.parametrize("support", ["simplex", "nominal"])
def test_agrees_with_highs(rng, set_name, support):
    for p, v, rho, scale in instances(rng, 60):
        n = len(p)
        weights = rng.uniform(0.5, 2.0, size=n) if set_name == "l1" else None
        cost = None
        if set_name == "wasserstein":
            cost = np.abs(np.subtract.outer(np.arange(n), np.arange(n))).astype(float)
        r = robustmfg.worst_case(set_name, p, v, rho, weights=weights, cost=cost, support=support)
        # HiGHS's tolerances are absolute: solve on V / max|V| (sigma is positively homogeneous).
        unit = np.abs(v).max() or 1.0
        reference = unit * highs(set_name, p, v / unit, rho, weights=weights, cost=cost, support=support)
        tol = max(1e-9 * (1 + np.abs(v).max()), 1e-7 * np.abs(v).max())  # absolute and relative parts
        assert abs(r.value - reference) <= tol, (set_name, p, v, rho, r.value, reference)
        assert r.passed and abs(r.certificate.gap) <= tol
        assert r.q.sum() == pytest.approx(1.0, abs=1e-9) and (r.q >= 0).all()


@pytest.mark.parametrize("set_name", ["tv", "l1", "linf", "wasserstein", "kl", "chi2", "none"])
def test_batch_equals_single_calls(rng, set_name):
    k, n = 200, 6
    p = rng.dirichlet(np.ones(n), size=k)
    p[::7, 2] = 0
    p = p / p.sum(axis=1, keepdims=True)
    v = rng.normal(size=(k, n))
    v[::5, 1] = v[::5, 0]
    radii = rng.uniform(0, 0.4, size=k)
    batch = robustmfg.worst_case_batch(set_name, p, v, radii, distributions=True, certificates=True)
    fast = robustmfg.worst_case_batch(set_name, p, v, radii)
    for i in range(0, k, 13):
        single = robustmfg.worst_case(set_name, p[i], v[i], radii[i])
        assert batch.value[i] == single.value and (batch.q[i] == single.q).all()
        assert batch.gap[i] == single.certificate.gap
    assert np.allclose(fast.value, batch.value, rtol=0, atol=1e-12)
