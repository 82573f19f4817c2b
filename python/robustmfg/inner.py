"""Inner problems ``sigma = min_{q in U} q.V``: one (:func:`worst_case`) or many (:func:`worst_case_batch`)."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, Optional, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _ffi
from ._library import library
from .errors import InvalidInputError

SetName = Literal["none", "tv", "l1", "linf", "wasserstein", "kl", "chi2"]
Method = Literal["closed-form", "lp", "both"]


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


def worst_case(set: SetName, nominal: ArrayLike, values: ArrayLike, radius: float, *,
               support: str = "simplex", cost: Union[ArrayLike, str, None] = None,
               weights: Optional[ArrayLike] = None, method: Method = "closed-form",
               exact: bool = False) -> WorstCaseResult:
    """Solves ``sigma = min_{q in U(p, radius)} q.V`` with a certificate, as ``rmfg worst-case``.

    Args:
        set: the ambiguity set.
        nominal: the nominal distribution ``p`` (sums to 1 within 1e-9; never renormalized).
        values: ``V``, one per state.
        radius: ``rho >= 0`` (tv: half the L1 distance; kl: nats).
        support: ``"simplex"`` or ``"nominal"`` (``q`` only on ``supp p``).
        cost: wasserstein ground cost: an ``(n, n)`` matrix or an expression in ``s``, ``t``
            (default ``"abs(s - t)"``).
        weights: l1 weights ``w_t > 0``.
        method: ``"closed-form"``, ``"lp"`` (GLPK; polyhedral sets) or ``"both"``.
        exact: sigma of the given doubles exactly (the exact row program in rational
            arithmetic, rounded once toward zero; Docs/AmbiguitySets.md, "Exact arithmetic").

    Raises:
        InvalidInputError: bad shapes, NaN, wrong types; the message names the field.
    """
    p = _ffi.vector(nominal, "nominal")
    n = p.shape[0]
    v = _ffi.vector(values, "values", n)
    rho = _number(radius, "radius")
    s, sup, w, c, expr, _keep = _set_arguments(set, n, support, cost, weights)
    lib = library()
    with _ffi.run_result(lib.rmfg_worst_case, s, n, _ffi.pointer(p), _ffi.pointer(v), rho, sup, w, c, expr,
                         _ffi.text(method, "method"), 1 if exact else 0) as r:
        doc = r.json
        q = r.array("distribution")
        lp = None
        if "lp" in doc:
            lp = dict(doc["lp"])
            lp["q"] = r.array("lp.distribution")
    cert = Certificate(**{k: float(doc["certificate"][k]) for k in ("primal", "dual", "gap")})
    duals = {k: float(x) for k, x in doc.get("dual", {}).items()}
    return WorstCaseResult(value=float(doc["value"]), q=q, duals=duals, certificate=cert, passed=bool(doc["passed"]),
                           method=str(doc["method"]), lp=lp, json=doc)


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
    """
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
