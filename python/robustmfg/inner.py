"""Inner problems ``sigma = min_{q in U} q.V``: one (:func:`worst_case`) or many (:func:`worst_case_batch`)."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, Optional, Sequence, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _ffi
from ._library import library
from .errors import InvalidInputError

SetName = Literal["none", "tv", "l1", "linf", "wasserstein", "kl", "chi2", "moment", "polyhedral"]
Method = Literal["closed-form", "lp", "both"]
Relation = Literal["<=", "=", ">="]
Constraints = Union[Sequence[tuple[ArrayLike, str, float]], tuple[ArrayLike, Union[str, Sequence[str]], ArrayLike]]
"""Linear constraints ``c.q (rel) b``: a list of ``(c, rel, b)`` triples, or ``(A, rels, b)`` with
``A`` of shape ``(m, n)``, ``rels`` one relation for every row or ``m`` of them, ``b`` of shape ``(m,)``."""

LP_SETS = ("moment", "polyhedral")
"""The sets without a closed form: solved as linear programs (:func:`worst_case` only)."""
BALLS = ("tv", "l1", "linf", "wasserstein")
"""The balls a moment or polyhedral set may be intersected with (``within``)."""


@dataclass(frozen=True)
class Certificate:
    """Primal-dual certificate: ``primal`` is ``q.V`` of the feasible ``q``, ``dual`` the
    objective of a feasible dual point, ``gap = primal - dual`` (``>= 0`` up to rounding)."""

    primal: float
    dual: float
    gap: float


@dataclass(frozen=True)
class WorstCaseResult:
    """One inner problem's answer (the fields of ``rmfg worst-case --format json``).

    Attributes:
        value: sigma.
        q: the worst-case distribution.
        duals: the dual multipliers by name (closed form: ``lambda``, ``eta``, ...;
            LP: one per constraint row).
        certificate: the primal-dual certificate.
        passed: the certificate checks passed (and, for ``method="both"``, the two
            methods agree within ``1e-9 (1 + max|V|)``).
        method: the method used.
        lp: for ``method="both"``, the LP's ``value``, ``q`` and ``status``.
        json: the whole JSON document.
    """

    value: float
    q: NDArray[np.float64]
    duals: dict[str, float]
    certificate: Certificate
    passed: bool
    method: str
    lp: Optional[dict[str, Any]] = None
    json: dict[str, Any] = field(default_factory=dict, repr=False)


def _set_arguments(set: str, n: int, support: str, cost: Union[ArrayLike, str, None],
                   weights: Optional[ArrayLike]) -> tuple[bytes, bytes, Any, Any, Optional[bytes], list[Any]]:
    """The set's C arguments; ``keep`` holds the arrays alive during the call."""
    w = None if weights is None else _ffi.vector(weights, "weights")
    if w is not None and w.shape[0] != n:
        raise InvalidInputError(f"weights: has {w.shape[0]} entries, expected {n} (one per state)", field="weights")
    c = None
    expression = None
    if isinstance(cost, str):
        expression = _ffi.text(cost, "cost")
    elif cost is not None:
        c = _ffi.matrix(cost, "cost", (n, n))
    keep = [w, c]
    return _ffi.text(set, "set"), _ffi.text(support, "support"), _ffi.pointer(w), _ffi.pointer(c), expression, keep


def worst_case(set: SetName, nominal: ArrayLike, values: ArrayLike, radius: Union[float, ArrayLike, None] = None, *,
               support: str = "simplex", cost: Union[ArrayLike, str, None] = None,
               weights: Optional[ArrayLike] = None, method: Optional[Method] = None,
               exact: bool = False, features: Optional[ArrayLike] = None,
               constraints: Optional[Constraints] = None,
               within: Optional[tuple[str, float]] = None) -> WorstCaseResult:
    """Solves ``sigma = min_{q in U} q.V`` with a certificate, as ``rmfg worst-case``.

    Args:
        set: the ambiguity set: a ball (``none``, ``tv``, ``l1``, ``linf``, ``wasserstein``,
            ``kl``, ``chi2``) of radius ``radius`` around ``p``, or ``moment`` / ``polyhedral``
            (linear programs; see below).
        nominal: the nominal distribution ``p`` (sums to 1 within 1e-9; never renormalized).
        values: ``V``, one per state.
        radius: balls: ``rho >= 0`` (tv: half the L1 distance; kl: nats). ``moment``: ``eps``,
            one number for every feature or one per feature. Not for ``polyhedral``.
        support: ``"simplex"`` or ``"nominal"`` (``q`` only on ``supp p``).
        cost: wasserstein ground cost: an ``(n, n)`` matrix or an expression in ``s``, ``t``
            (default ``"abs(s - t)"``).
        weights: l1 weights ``w_t > 0``.
        method: ``"closed-form"`` (default for balls), ``"lp"`` (GLPK; polyhedral balls, and
            the only method of ``moment`` and ``polyhedral``) or ``"both"``.
        exact: solve the LP in exact rational arithmetic.
        features: ``moment``: ``F`` of shape ``(k, n)`` (or ``(n,)`` for one feature); the set
            is ``{q : |F (q - p)| <= eps}`` row by row (rows ``moment1_low``, ``moment1_high``, ...).
        constraints: ``polyhedral``: ``[(c, rel, b), ...]`` or ``(A, rels, b)`` with ``rel`` one
            of ``"<="``, ``"="``, ``">="``; the set is ``{q in the simplex : A q (rel) b}``
            (rows named ``c1``, ``c2``, ...). ``p`` must lie in it.
        within: ``moment`` / ``polyhedral``: a ball ``(name, radius)`` to intersect with:
            ``tv``, ``l1``, ``linf`` or ``wasserstein`` (ground cost ``|s - t| / n``, as a
            constraints file's ``within``).

    For ``moment`` and ``polyhedral`` the result is the LP's: ``duals`` holds the row duals
    by row name, ``method`` is ``"lp"``, and ``json`` has the fields of
    ``rmfg worst-case --set polyhedral --format json``.

    Raises:
        InvalidInputError: bad shapes, NaN, wrong types, ``p`` outside the set; the message
            names the field.
    """
    p = _ffi.vector(nominal, "nominal")
    n = p.shape[0]
    v = _ffi.vector(values, "values", n)
    if set in LP_SETS:
        return _worst_case_lp(set, p, v, radius, support=support, cost=cost, weights=weights, method=method,
                              exact=exact, features=features, constraints=constraints, within=within)
    for name, given in (("features", features), ("constraints", constraints), ("within", within)):
        if given is not None:
            raise InvalidInputError(f"{name}: only for set moment or polyhedral", field=name)
    if radius is None:
        raise InvalidInputError("radius: missing, expected a number >= 0", field="radius")
    rho = _number(radius, "radius")
    s, sup, w, c, expr, _keep = _set_arguments(set, n, support, cost, weights)
    lib = library()
    with _ffi.run_result(lib.rmfg_worst_case, s, n, _ffi.pointer(p), _ffi.pointer(v), rho, sup, w, c, expr,
                         _ffi.text(method or "closed-form", "method"), 1 if exact else 0) as r:
        doc = r.json
        q = r.array("distribution")
        lp = None
        if "lp" in doc:
            lp = dict(doc["lp"])
            lp["q"] = r.array("lp.distribution")
    return _result(doc, q, lp)


def _result(doc: dict[str, Any], q: NDArray[np.float64], lp: Optional[dict[str, Any]]) -> WorstCaseResult:
    cert = Certificate(**{k: float(doc["certificate"][k]) for k in ("primal", "dual", "gap")})
    duals = {k: float(x) for k, x in doc.get("dual", {}).items()}
    return WorstCaseResult(value=float(doc["value"]), q=q, duals=duals, certificate=cert, passed=bool(doc["passed"]),
                           method=str(doc["method"]), lp=lp, json=doc)


def _worst_case_lp(set: str, p: NDArray[np.float64], v: NDArray[np.float64], radius: Any, *, support: str,
                   cost: Any, weights: Any, method: Optional[str], exact: bool, features: Any, constraints: Any,
                   within: Any) -> WorstCaseResult:
    """``moment`` and ``polyhedral``: checked arguments, then ``rmfg_worst_case_polyhedral``."""
    n = p.shape[0]
    if method not in (None, "lp"):
        raise InvalidInputError(f"method: '{set}' has no closed form to compare with; use method 'lp' (the default "
                                f"for this set)", field="method")
    if weights is not None or cost is not None:
        raise InvalidInputError(f"weights/cost: not for set {set} (a ball goes in within)", field="weights" if
                                weights is not None else "cost")
    if set == "moment":
        if constraints is not None:
            raise InvalidInputError("constraints: only for set polyhedral (moment takes features)", field="constraints")
        if features is None:
            raise InvalidInputError("features: missing, expected an array of shape (k, n) for set moment",
                                    field="features")
        if radius is None:
            raise InvalidInputError("radius: missing, expected one radius per feature (or one for all)", field="radius")
        matrix = _rows(features, n, "features")
        bounds = np.ascontiguousarray(np.atleast_1d(_ffi.floats(radius, "radius")), dtype=np.float64)
        if bounds.ndim != 1:
            raise InvalidInputError(f"radius: shape {_ffi.shape_text(bounds.shape)}, expected a number or a vector",
                                    field="radius")
        relations = None
    else:
        if features is not None:
            raise InvalidInputError("features: only for set moment (polyhedral takes constraints)", field="features")
        if radius is not None:
            raise InvalidInputError("radius: not for set polyhedral (the constraints give the set; a ball goes in "
                                    "within)", field="radius")
        if constraints is None:
            raise InvalidInputError("constraints: missing, expected [(c, rel, b), ...] or (A, rels, b) for set "
                                    "polyhedral", field="constraints")
        matrix, relations, bounds = _constraints(constraints, n)
    ball, ball_radius = _within(within)
    lib = _ffi.require("rmfg_worst_case_polyhedral")
    with _ffi.run_result(lib.rmfg_worst_case_polyhedral, _ffi.text(set, "set"), n, _ffi.pointer(p), _ffi.pointer(v),
                         matrix.shape[0], _ffi.pointer(matrix), relations, _ffi.pointer(bounds), bounds.shape[0], ball,
                         ball_radius, _ffi.text(support, "support"), 1 if exact else 0) as r:
        return _result(r.json, r.array("distribution"), None)


def _rows(x: Any, n: int, field: str) -> NDArray[np.float64]:
    """A ``(k, n)`` matrix (a vector is one row)."""
    arr = _ffi.floats(x, field)
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    if arr.ndim != 2 or arr.shape[1] != n:
        raise InvalidInputError(f"{field}: shape {_ffi.shape_text(arr.shape)}, expected k x {n} (one column per state)",
                                field=field)
    return np.ascontiguousarray(arr)


def _is_relations(x: Any) -> bool:
    if isinstance(x, str):
        return True
    return isinstance(x, (list, tuple)) and len(x) > 0 and all(isinstance(r, str) for r in x)


def _constraints(constraints: Any, n: int) -> tuple[NDArray[np.float64], bytes, NDArray[np.float64]]:
    """``(A, relations, b)`` from either form of :data:`Constraints`."""
    if isinstance(constraints, tuple) and len(constraints) == 3 and _is_relations(constraints[1]):
        a = _rows(constraints[0], n, "constraints")
        rels = constraints[1]
        relations = [rels] * a.shape[0] if isinstance(rels, str) else list(rels)
        b = np.ascontiguousarray(np.atleast_1d(_ffi.floats(constraints[2], "bounds")), dtype=np.float64)
        if b.ndim != 1:
            raise InvalidInputError(f"bounds: shape {_ffi.shape_text(b.shape)}, expected a vector", field="bounds")
    else:
        try:
            rows = list(constraints)
        except TypeError:
            raise InvalidInputError(f"constraints: {type(constraints).__name__}, expected [(c, rel, b), ...] or "
                                    f"(A, rels, b)", field="constraints") from None
        if not rows:
            raise InvalidInputError("constraints: empty, expected at least one (c, rel, b)", field="constraints")
        for k, row in enumerate(rows):
            if not (isinstance(row, (tuple, list)) and len(row) == 3 and isinstance(row[1], str)):
                raise InvalidInputError(f"constraints: entry {k} is {row!r}, expected a triple (c, rel, b)",
                                        field="constraints")
        coefficients = [_ffi.vector(row[0], "constraints") for row in rows]
        for k, c in enumerate(coefficients):
            if c.shape[0] != n:
                raise InvalidInputError(f"constraints: entry {k} has {c.shape[0]} coefficients, expected {n} (one per "
                                        f"state)", field="constraints")
        a = np.ascontiguousarray(np.array(coefficients, dtype=np.float64))
        relations = [row[1] for row in rows]
        b = np.array([_number(row[2], "bounds") for row in rows], dtype=np.float64)
    if any("," in r or "\x00" in r for r in relations):
        raise InvalidInputError(f"relations: {relations!r}, expected each of <=, =, >=", field="relations")
    return a, ",".join(relations).encode(), b


def _within(within: Any) -> tuple[Optional[bytes], float]:
    """``(name, radius)`` of the ball, or ``(None, 0)``."""
    if within is None:
        return None, 0.0
    if not (isinstance(within, (tuple, list)) and len(within) == 2 and isinstance(within[0], str)):
        raise InvalidInputError(f"within: {within!r}, expected (name, radius) with name one of {', '.join(BALLS)}",
                                field="within")
    return _ffi.text(within[0], "within"), _number(within[1], "within.radius")


class BatchResult(NamedTuple):
    """:func:`worst_case_batch`'s arrays: ``value`` (k,), ``q`` (k, n) or None, ``gap`` (k,) or None."""

    value: NDArray[np.float64]
    q: Optional[NDArray[np.float64]]
    gap: Optional[NDArray[np.float64]]


def worst_case_batch(set: SetName, nominal: ArrayLike, values: ArrayLike, radius: Union[float, ArrayLike], *,
                     support: str = "simplex", cost: Union[ArrayLike, str, None] = None,
                     weights: Optional[ArrayLike] = None, distributions: bool = False,
                     certificates: bool = False, threads: int = 0) -> BatchResult:
    """Solves ``k`` inner problems of one set in one library call, on several threads.

    Args:
        set, support, cost, weights: as :func:`worst_case` (shared by every row).
        nominal: ``(k, n)``, one nominal distribution per row.
        values: ``(k, n)``.
        radius: one radius for every row, or ``(k,)``.
        distributions: also return the worst-case ``q`` of each row (certified path).
        certificates: also return each row's certificate gap (certified path).
        threads: threads to use (0: every core).

    Without ``distributions`` and ``certificates`` each row takes the library's
    allocation-light value path (the one Bellman sweeps use); every row is validated
    either way, and the error names the lowest invalid row.

    ``moment`` and ``polyhedral`` sets have no batch path: each of their rows is a linear
    program of its own (its constraints depend on the row's ``p``, which must lie in the
    set), solved by GLPK in about as long as a :func:`worst_case` call takes, so a batch
    would save nothing; call :func:`worst_case` per row.
    """
    if set in LP_SETS:
        raise InvalidInputError(f"set: '{set}' has no batch path (each row is a linear program); call worst_case "
                                f"per row", field="set")
    p = _ffi.matrix(nominal, "nominal")
    k, n = p.shape
    v = _ffi.matrix(values, "values", (k, n))
    r = np.ascontiguousarray(np.atleast_1d(_ffi.floats(radius, "radius")), dtype=np.float64)
    if r.ndim != 1 or r.shape[0] not in (1, k):
        raise InvalidInputError(f"radius: shape {_ffi.shape_text(r.shape)}, expected a number or {k} numbers", field="radius")
    if not isinstance(threads, (int, np.integer)) or isinstance(threads, bool) or not 0 <= threads <= 1024:
        raise InvalidInputError(f"threads: {threads!r}, expected an integer from 0 to 1024", field="threads")
    s, sup, w, c, expr, _keep = _set_arguments(set, n, support, cost, weights)
    out = np.empty(k, dtype=np.float64)
    q = np.empty((k, n), dtype=np.float64) if distributions else None
    gap = np.empty(k, dtype=np.float64) if certificates else None
    lib = library()
    _ffi.call(lib.rmfg_worst_case_batch, s, k, n, _ffi.pointer(p), _ffi.pointer(v), _ffi.pointer(r), r.shape[0], sup,
              w, c, expr, int(threads), _ffi.pointer(out), _ffi.pointer(q), _ffi.pointer(gap))
    return BatchResult(out, q, gap)


def _number(x: Any, field: str) -> float:
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise InvalidInputError(f"{field}: {x!r}, expected a number", field=field)
    return float(x)
