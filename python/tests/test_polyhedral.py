"""moment and polyhedral sets in :func:`robustmfg.worst_case`: agreement with scipy's linprog
(HiGHS) on random instances, with the linf closed form where the set reduces to a box, with
the CLI's JSON, and the error paths."""

from __future__ import annotations

import ctypes
import gc
import json
import math

import numpy as np
import pytest
from scipy.optimize import linprog

import robustmfg
from conftest import numbers, run_cli


def tolerance(v):
    """Absolute and relative parts: GLPK and HiGHS both solve to about 1e-9 relative."""
    m = float(np.abs(v).max())
    return max(1e-9 * (1 + m), 1e-7 * m)


def highs(p, v, a, rels, b, within=None, support="simplex"):
    """min q.V over {q in the simplex : A q (rel) b} (intersected with a ball), by HiGHS."""
    n = len(p)
    allowed = [support == "simplex" or p[t] > 0 for t in range(n)]
    a = np.asarray(a, dtype=float).reshape(-1, n)
    ub = [a[k] if r == "<=" else -a[k] for k, r in enumerate(rels) if r != "="]
    b_ub = [b[k] if r == "<=" else -b[k] for k, r in enumerate(rels) if r != "="]
    eq = [a[k] for k, r in enumerate(rels) if r == "="]
    b_eq = [b[k] for k, r in enumerate(rels) if r == "="]
    if within is not None and within[0] == "wasserstein":
        # transport plan x[s, t] >= 0 with rows p, cost |s - t| / n, q = column sums
        to_q = np.zeros((n, n * n))
        for s in range(n):
            to_q[:, s * n:(s + 1) * n] = np.eye(n)
        marginals = np.kron(np.eye(n), np.ones(n))
        cost = np.abs(np.subtract.outer(np.arange(n), np.arange(n))).ravel() / n
        a_ub = np.vstack([np.array(ub).reshape(-1, n) @ to_q, cost[None, :]])
        a_eq = np.vstack([np.array(eq).reshape(-1, n) @ to_q, marginals])
        bounds = [(0, None) if allowed[t] else (0, 0) for s in range(n) for t in range(n)]
        res = linprog(v @ to_q, A_ub=a_ub, b_ub=list(b_ub) + [within[1]], A_eq=a_eq, b_eq=list(b_eq) + list(p),
                      bounds=bounds, method="highs")
        assert res.status == 0, res.message
        return res.fun
    # variables (q, d), d >= |q - p| for the ball
    zero = np.zeros((0, 2 * n))
    rows_ub = [np.hstack([np.array(ub).reshape(-1, n), np.zeros((len(ub), n))])]
    rhs_ub = list(b_ub)
    bounds_d = [(0, 0)] * n
    if within is not None:
        eye = np.eye(n)
        rows_ub += [np.hstack([eye, -eye]), np.hstack([-eye, -eye])]
        rhs_ub += list(p) + list(-p)
        name, rho = within
        bounds_d = [(0, rho if name == "linf" else None)] * n
        if name in ("tv", "l1"):
            rows_ub.append(np.concatenate([np.zeros(n), np.full(n, 0.5 if name == "tv" else 1.0)])[None, :])
            rhs_ub.append(rho)
    a_eq = np.vstack([np.hstack([np.array(eq).reshape(-1, n), np.zeros((len(eq), n))]),
                      np.concatenate([np.ones(n), np.zeros(n)])[None, :]])
    bounds = [(0, None) if allowed[t] else (0, 0) for t in range(n)] + bounds_d
    a_ub = np.vstack(rows_ub) if rhs_ub else zero
    res = linprog(np.concatenate([v, np.zeros(n)]), A_ub=a_ub if rhs_ub else None, b_ub=rhs_ub or None, A_eq=a_eq,
                  b_eq=list(b_eq) + [1.0], bounds=bounds, method="highs")
    assert res.status == 0, res.message
    return res.fun


def random_problem(rng, k):
    n = int(rng.integers(2, 9))
    p = rng.dirichlet(np.ones(n))
    if n > 2 and k % 3 == 0:
        p[rng.integers(n)] = 0.0
        p = p / p.sum()
    v = rng.normal(size=n) * 10.0 ** rng.integers(-4, 5)
    if n > 2 and k % 4 == 0:
        v[1] = v[0]  # ties
    return p, v


def random_constraints(rng, p, k):
    """Rows that hold at p: some tight, some slack, some equalities; integer or real coefficients."""
    n, m = len(p), int(rng.integers(1, 5))
    a = rng.normal(size=(m, n))
    if k % 2 == 0:
        a = np.round(a * 2)
    rels = [["<=", ">=", "="][int(rng.integers(0, 3))] if k % 5 else "<=" for _ in range(m)]
    slack = np.where(rng.random(m) < 0.3, 0.0, rng.uniform(0, 0.5, size=m))
    b = a @ p + np.array([s if r == "<=" else -s if r == ">=" else 0.0 for s, r in zip(slack, rels)])
    return a, rels, b


WITHIN = [None, ("tv", 0.1), ("l1", 0.3), ("linf", 0.05), ("wasserstein", 0.2), None]


def test_polyhedral_agrees_with_highs(rng):
    for k in range(240):
        p, v = random_problem(rng, k)
        a, rels, b = random_constraints(rng, p, k)
        within = WITHIN[k % len(WITHIN)]
        support = "nominal" if k % 7 == 3 else "simplex"
        # both forms of the constraints
        form = (a, rels, b) if k % 2 else [(a[i], rels[i], b[i]) for i in range(len(b))]
        r = robustmfg.worst_case("polyhedral", p, v, constraints=form, within=within, support=support)
        unit = float(np.abs(v).max()) or 1.0
        reference = unit * highs(p, v / unit, a, rels, b, within=within, support=support)
        assert abs(r.value - reference) <= tolerance(v), (k, p, v, a, rels, b, within, r.value, reference)
        assert r.passed and r.method == "lp" and abs(r.certificate.gap) <= tolerance(v)
        assert r.q.sum() == pytest.approx(1.0, abs=1e-9) and (r.q >= -1e-12).all()
        assert set(r.duals) >= {f"c{i + 1}" for i in range(len(b))}


def test_moment_agrees_with_highs(rng):
    for k in range(120):
        p, v = random_problem(rng, k)
        n = len(p)
        features = rng.normal(size=(int(rng.integers(1, 4)), n))
        if k % 3 == 0:
            features[0] = np.arange(n)  # the mean
        eps = rng.uniform(0, 0.5, size=features.shape[0]) * (k % 4 != 0)  # eps = 0 included
        radius = eps if k % 2 else float(eps[0])
        within = WITHIN[k % len(WITHIN)]
        r = robustmfg.worst_case("moment", p, v, radius, features=features, within=within)
        e = np.broadcast_to(radius, (features.shape[0],))
        mean = features @ p
        a = np.vstack([features, features])
        rels = [">="] * len(e) + ["<="] * len(e)
        b = np.concatenate([mean - e, mean + e])
        unit = float(np.abs(v).max()) or 1.0
        reference = unit * highs(p, v / unit, a, rels, b, within=within)
        assert abs(r.value - reference) <= tolerance(v), (k, r.value, reference)
        assert r.passed and "moment1_low" in r.duals and "moment1_high" in r.duals


def test_box_constraints_equal_linf(rng):
    """|q_t - p_t| <= rho for every t, written as a polyhedral set, as a moment set with the
    unit features, and as a linf ball within a trivial set, is the linf ball."""
    for k in range(120):
        p, v = random_problem(rng, k)
        n = len(p)
        rho = [0.0, 1e-3, 0.05, 0.2, 1.0][k % 5]
        linf = robustmfg.worst_case("linf", p, v, rho)
        box = robustmfg.worst_case("polyhedral", p, v,
                                   constraints=(np.vstack([np.eye(n), np.eye(n)]), ["<="] * n + [">="] * n,
                                                np.concatenate([p + rho, p - rho])))
        moment = robustmfg.worst_case("moment", p, v, rho, features=np.eye(n))
        ball = robustmfg.worst_case("polyhedral", p, v, constraints=[(np.zeros(n), "<=", 1.0)], within=("linf", rho))
        for r in (box, moment, ball):
            assert abs(r.value - linf.value) <= tolerance(v), (k, p, v, rho, r.value, linf.value)
        tv = robustmfg.worst_case("tv", p, v, rho)
        tv_within = robustmfg.worst_case("polyhedral", p, v, constraints=[(np.ones(n), "=", 1.0)], within=("tv", rho))
        assert abs(tv_within.value - tv.value) <= tolerance(v)


def test_polyhedral_matches_cli(rmfg, tmp_path):
    p, v = np.array([0.1, 0.2, 0.3, 0.25, 0.15]), np.array([3.0, -1.0, 2.0, 0.5, -2.5])
    spec = {"set": "polyhedral",
            "constraints": [{"coefficients": "t", "relation": "<=", "bound": 2.5},
                            {"coefficients": "t == 2", "relation": ">=", "bound": 0.2}],
            "within": {"set": "tv", "radius": 0.2}}
    (tmp_path / "c.json").write_text(json.dumps(spec))
    t = np.arange(5.0)
    for exact in (False, True):
        cli = run_cli(rmfg, ["worst-case", "--set", "polyhedral", "--constraints", str(tmp_path / "c.json"),
                             "--radius", "file", "--nominal", numbers(p), "--values", numbers(v), "--format", "json"]
                      + (["--exact"] if exact else []))
        py = robustmfg.worst_case("polyhedral", p, v, constraints=[(t, "<=", 2.5), ((t == 2).astype(float), ">=", 0.2)],
                                  within=("tv", 0.2), exact=exact)
        assert py.json == cli and py.passed
        assert list(py.q) == cli["distribution"]


def test_moment_matches_cli(rmfg):
    p, v = np.array([0.1, 0.2, 0.3, 0.25, 0.15]), np.array([3.0, -1.0, 2.0, 0.5, -2.5])
    t = np.arange(5.0)
    cli = run_cli(rmfg, ["worst-case", "--set", "moment", "--features", "t,t^2", "--radius", "0.1,0.5",
                         "--nominal", numbers(p), "--values", numbers(v), "--format", "json"])
    py = robustmfg.worst_case("moment", p, v, [0.1, 0.5], features=np.vstack([t, t ** 2]))
    assert py.json == cli
    cli = run_cli(rmfg, ["worst-case", "--set", "moment", "--features", "t", "--radius", "0.3", "--support", "nominal",
                         "--nominal", "0.5,0,0.5", "--values", "1,-4,2", "--format", "json"])
    assert robustmfg.worst_case("moment", [0.5, 0, 0.5], [1, -4, 2], 0.3, features=[0, 1, 2], support="nominal").json == cli


P, V = [0.2, 0.3, 0.5], [1.0, 2.0, 3.0]
E0 = [1.0, 0.0, 0.0]

ERRORS = [
    # the nominal outside the set; an empty set (p cannot lie in it)
    (dict(constraints=[(E0, "<=", 0.1)]), "nominal", "nominal: p is outside the set: constraint c1"),
    (dict(constraints=[(E0, ">=", 0.6), (E0, "<=", 0.4)]), "nominal", "nominal: p is outside the set"),
    (dict(constraints=[([1.0, 1, 1], "<=", 0.5)]), "nominal", "nominal: p is outside the set"),
    # NaN and infinity
    (dict(constraints=[([1.0, math.nan, 0], "<=", 1)]), "constraints", "c1: coefficient of state 1 is nan"),
    (dict(constraints=[(E0, "<=", math.inf)]), "constraints", "c1: bound is inf"),
    (dict(nominal=[math.nan, 0.5, 0.5], constraints=[(E0, "<=", 1)]), "nominal", "nominal: entry 0 is nan"),
    (dict(values=[1, math.nan, 2], constraints=[(E0, "<=", 1)]), "values", "values: entry 1 is nan"),
    (dict(set="moment", radius=0.1, features=[[0, math.nan, 1]]), "features", "feature 1 at state 1 is nan"),
    (dict(set="moment", radius=math.nan, features=[0, 1, 2]), "radius", "is nan"),
    (dict(set="moment", radius=-0.1, features=[0, 1, 2]), "radius", "is -0.1"),
    # shapes
    (dict(constraints=(np.ones((2, 4)), "<=", [1, 1])), "constraints", "constraints: shape 2 x 4, expected k x 3"),
    (dict(constraints=(np.ones((2, 3)), "<=", [1, 1, 1])), "bounds", "bounds: 3 entries, expected 2"),
    (dict(constraints=(np.ones((2, 3)), ["<="], [1, 1])), "relations", "relations: 1 entries, expected 2"),
    (dict(constraints=[([1.0, 0], "<=", 1)]), "constraints", "constraints: entry 0 has 2 coefficients, expected 3"),
    (dict(constraints=[(E0, "<", 1)]), "relations", "relations: entry 0 is '<', expected one of: <=, =, >="),
    (dict(constraints=[(E0, 1)]), "constraints", "constraints: entry 0 is"),
    (dict(constraints=[]), "constraints", "constraints: empty"),
    (dict(constraints=5), "constraints", "constraints: int, expected"),
    (dict(set="moment", radius=[0.1, 0.2, 0.3], features=np.ones((2, 3))), "radius", "3 radii for 2 features"),
    (dict(set="moment", radius=0.1, features=np.ones((2, 2))), "features", "features: shape 2 x 2, expected k x 3"),
    # the choices
    (dict(constraints=[(E0, "<=", 1)], within=("kl", 0.1)), "within", "within: 'kl', expected one of: tv, l1, linf"),
    (dict(constraints=[(E0, "<=", 1)], within=("tv", -0.1)), "within.radius", "within.radius: is -0.1"),
    (dict(constraints=[(E0, "<=", 1)], within="tv"), "within", "within: 'tv', expected (name, radius)"),
    (dict(constraints=[(E0, "<=", 1)], method="both"), "method", "has no closed form to compare with"),
    (dict(constraints=[(E0, "<=", 1)], radius=0.1), "radius", "radius: not for set polyhedral"),
    (dict(constraints=[(E0, "<=", 1)], weights=[1, 1, 1]), "weights", "not for set polyhedral"),
    (dict(constraints=[(E0, "<=", 1)], support="everywhere"), "support", "support: 'everywhere'"),
    (dict(), "constraints", "constraints: missing"),
    (dict(set="moment", radius=0.1), "features", "features: missing"),
    (dict(set="moment", features=[0, 1, 2]), "radius", "radius: missing"),
    (dict(set="tv", radius=0.1, features=[0, 1, 2]), "features", "features: only for set moment or polyhedral"),
    (dict(set="tv"), "radius", "radius: missing"),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_errors_name_the_field(index):
    kwargs, field, text = ERRORS[index]
    kwargs = dict(kwargs)
    args = (kwargs.pop("set", "polyhedral"), kwargs.pop("nominal", P), kwargs.pop("values", V))
    with pytest.raises(robustmfg.InvalidInputError) as info:
        robustmfg.worst_case(*args, **kwargs)
    assert info.value.field == field, info.value.message
    assert text in info.value.message and "\n" not in info.value.message


def test_c_entry_point_refuses_null_and_bad_lengths():
    """The C function itself, past the Python checks: errors, never a crash, no leaked handle."""
    lib = robustmfg.library()
    gc.collect()
    before = lib.rmfg_live_handles()
    dp = ctypes.POINTER(ctypes.c_double)
    p = np.array(P)
    ok = (p.ctypes.data_as(dp), np.array(V).ctypes.data_as(dp))
    a = np.array(E0)
    b = np.array([1.0])
    calls = [
        ((None, 3, *ok, 1, a.ctypes.data_as(dp), b"<=", b.ctypes.data_as(dp), 1, None, 0.0, None, 0), "set"),
        ((b"polyhedral", 0, *ok, 1, a.ctypes.data_as(dp), b"<=", b.ctypes.data_as(dp), 1, None, 0.0, None, 0), "n"),
        ((b"polyhedral", 3, None, ok[1], 1, a.ctypes.data_as(dp), b"<=", b.ctypes.data_as(dp), 1, None, 0.0, None, 0),
         "nominal"),
        ((b"polyhedral", 3, *ok, 1, None, b"<=", b.ctypes.data_as(dp), 1, None, 0.0, None, 0), "constraints"),
        ((b"polyhedral", 3, *ok, -1, a.ctypes.data_as(dp), b"<=", b.ctypes.data_as(dp), 1, None, 0.0, None, 0),
         "constraints"),
        ((b"polyhedral", 3, *ok, 1, a.ctypes.data_as(dp), None, b.ctypes.data_as(dp), 1, None, 0.0, None, 0),
         "relations"),
        ((b"polyhedral", 3, *ok, 1, a.ctypes.data_as(dp), b"<=", None, 1, None, 0.0, None, 0), "bounds"),
        ((b"moment", 3, *ok, 1, a.ctypes.data_as(dp), b"<=", b.ctypes.data_as(dp), 1, None, 0.0, None, 0), "relations"),
        ((b"box", 3, *ok, 1, a.ctypes.data_as(dp), b"<=", b.ctypes.data_as(dp), 1, None, 0.0, None, 0), "set"),
    ]
    for args, field in calls:
        result, error = ctypes.c_void_p(), ctypes.c_void_p()
        status = lib.rmfg_worst_case_polyhedral(*args, ctypes.byref(result), ctypes.byref(error))
        assert status == 2 and not result.value
        assert lib.rmfg_error_field(error).decode() == field, lib.rmfg_error_message(error)
        lib.rmfg_error_free(error)
    error = ctypes.c_void_p()
    args = (b"polyhedral", 3, *ok, 1, a.ctypes.data_as(dp), b"<=", b.ctypes.data_as(dp), 1, None, 0.0, None, 0)
    assert lib.rmfg_worst_case_polyhedral(*args, None, ctypes.byref(error)) == 2
    lib.rmfg_error_free(error)
    assert lib.rmfg_live_handles() == before


def test_a_library_without_the_function_asks_for_a_rebuild():
    from robustmfg import _library
    with pytest.raises(robustmfg.LibraryNotFoundError, match="make python"):
        _library.require("rmfg_function_of_a_later_version")
    assert _library.require("rmfg_worst_case_polyhedral") is robustmfg.library()


def test_batch_refuses_the_lp_sets():
    with pytest.raises(robustmfg.InvalidInputError, match="no batch path") as info:
        robustmfg.worst_case_batch("polyhedral", [P, P], [V, V], 0.1)
    assert info.value.field == "set"
