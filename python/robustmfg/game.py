"""Games: :class:`Game` (load, from_dict, solve, evaluate, sweep) and their results."""

from __future__ import annotations

import ctypes
import json
import math
import os
import threading
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _ffi
from ._library import library
from .errors import InvalidInputError

OVERRIDES = ("set", "radius", "support", "temperature", "method", "damping", "learning_rate", "tolerance",
             "max_iterations", "population", "inner", "ties")
"""The keyword overrides of :meth:`Game.solve`, :meth:`Game.evaluate` and :meth:`Game.sweep`
(the flags of ``rmfg solve``, with underscores)."""


@dataclass(frozen=True)
class Equilibrium:
    """A solved equilibrium (the fields of ``rmfg solve --format json``).

    Attributes:
        mean_field: ``mu*`` (n,).
        policy: ``pi*`` (n, m).
        values: ``V^pi`` (n,), the robust value of each state.
        optimal_values: ``V*`` (n,).
        exploitability: ``sum_s mu(s) [V*(s) - V^pi(s)]``.
        residual: the stationarity residual ``||Phi(mu, pi) - mu||_1``.
        converged: both are below the tolerance.
        iterations: outer iterations.
        trace: per iteration: ``exploitability``, ``stationarityResidual``, ``meanFieldChange``, ``seconds``,
            ``temperature`` (the requested tau, or a larger one in a continuation stage of ``auto``).
        json: the whole JSON document.
    """

    mean_field: NDArray[np.float64]
    policy: NDArray[np.float64]
    values: NDArray[np.float64]
    optimal_values: NDArray[np.float64]
    exploitability: float
    residual: float
    converged: bool
    iterations: int
    trace: dict[str, NDArray[np.float64]]
    json: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Evaluation:
    """An outside pair evaluated (the fields of ``rmfg evaluate --format json``)."""

    exploitability: float
    residual: float
    values: NDArray[np.float64]
    optimal_values: NDArray[np.float64]
    best_response: NDArray[np.float64]
    population_update: NDArray[np.float64]
    json: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class SweepResult:
    """A robustness sweep (the fields of ``rmfg sweep --format json``): ``rows`` is one dict
    per cell (set, radius, converged, price, protection, worstCase, ...), ``columns`` the
    numeric figures as arrays over the cells."""

    rows: list[dict[str, Any]]
    nominal: dict[str, Any]
    converged: bool
    columns: dict[str, NDArray[np.float64]]
    json: dict[str, Any] = field(default_factory=dict, repr=False)


def _overrides(kwargs: Mapping[str, Any]) -> Optional[bytes]:
    lines = []
    for key, value in kwargs.items():
        if key not in OVERRIDES:
            raise InvalidInputError(f"{key}: unknown override, expected one of {', '.join(OVERRIDES)}", field=key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int, float, np.integer, np.floating)):
            raise InvalidInputError(f"{key}: {value!r}, expected a string or a number", field=key)
        text = repr(float(value)) if isinstance(value, (float, np.floating)) else str(value)
        if "\n" in text or "\x00" in text:
            raise InvalidInputError(f"{key}: {text!r} contains a line break", field=key)
        lines.append(f"{key}={text}")
    return "\n".join(lines).encode() if lines else None


def _jsonable(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, (np.floating, np.integer)):
        return x.item()
    if isinstance(x, Mapping):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        raise InvalidInputError(f"game: {x} is not a finite number (JSON has no NaN or infinity)", field="game")
    return x


def _param_text(name: Any, value: Any) -> str:
    """``NAME=VALUE`` as ``--param`` takes it (numbers in round-trip form)."""
    if not isinstance(name, str) or not name or any(ch in name for ch in "=\n\x00"):
        raise InvalidInputError(f"params: name {name!r}, expected a parameter name (a non-empty string without '=')",
                                field="params")
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool) or value is None:
        raise InvalidInputError(f"params: {name}: {value!r}, expected a number or an array of numbers", field="params")
    elif isinstance(value, (int, np.integer)):
        text = str(int(value))
    else:
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise InvalidInputError(f"params: {name}: {value!r}, expected a number or an array of numbers",
                                    field="params") from None
        # repr of a float reads back exactly; NaN and infinity become NaN / Infinity, which
        # --param refuses with its own message.
        text = repr(float(arr)) if arr.ndim == 0 else json.dumps(arr.tolist())
    if "\n" in text or "\x00" in text:
        raise InvalidInputError(f"params: {name}: value contains a line break", field="params")
    return f"{name}={text}"


def _load_arguments(params: Optional[Mapping[str, Any]], initial: Any) -> tuple[Optional[bytes], Optional[NDArray[np.float64]], Optional[bytes]]:
    """The C arguments of ``rmfg_game_load_with``: params text, initial numbers, initial path."""
    text = None
    if params is not None:
        if not isinstance(params, Mapping):
            raise InvalidInputError(f"params: {type(params).__name__}, expected a dict of name -> value", field="params")
        text = "\n".join(_param_text(k, v) for k, v in params.items()).encode() or None
    numbers, path = None, None
    if isinstance(initial, (str, os.PathLike)):
        path = _ffi.text(os.fspath(initial), "initial")
    elif initial is not None:
        numbers = _ffi.vector(initial, "initial")
    return text, numbers, path


class Game:
    """A game file (Docs/Format.md), read and validated once; safe to use from several threads."""

    def __init__(self, handle: ctypes.c_void_p, name: str) -> None:
        self._handle = handle
        self.name = name
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: Union[str, os.PathLike[str]], *, params: Optional[Mapping[str, Any]] = None,
             initial: Union[ArrayLike, str, os.PathLike[str], None] = None) -> "Game":
        """Reads a game file (YAML, or JSON for ``.json``), as ``rmfg solve GAME`` does.

        Args:
            path: the game file.
            params: parameters replaced for this game, as ``--param NAME=VALUE``: a number or
                an array (nested lists or numpy, any rank) per name; each name must be one the
                file declares under ``parameters``, and the value is checked like the file's.
                A string value is passed on as the text after ``=``.
            initial: the starting mean field in place of the file's ``initial``, as
                ``--initial``: ``n`` probabilities (a numpy array or a list), or the path of
                a ``.npy``, CSV or JSON file (an array, or an object with ``meanField``).

        Raises:
            InvalidInputError: the CLI's message (``... --param: ...``, ``... --initial: ...``)
                with field ``params`` or ``initial``, or the game file's field.
        """
        handle = ctypes.c_void_p()
        text = _ffi.text(os.fspath(path), "path")
        if params is None and initial is None:
            _ffi.call(library().rmfg_game_load, text, ctypes.byref(handle))
        else:
            p, numbers, file = _load_arguments(params, initial)
            _ffi.call(_ffi.require("rmfg_game_load_with").rmfg_game_load_with, text, p, _ffi.pointer(numbers),
                      0 if numbers is None else numbers.shape[0], file, ctypes.byref(handle))
        return cls(handle, os.fspath(path))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], name: str = "<dict>", *, params: Optional[Mapping[str, Any]] = None,
                  initial: Union[ArrayLike, str, os.PathLike[str], None] = None) -> "Game":
        """A game from a dict following the game-file schema; numpy arrays are allowed
        wherever the schema has arrays. Converted to JSON text and parsed by the library;
        ``params`` and ``initial`` as in :meth:`load`."""
        if not isinstance(d, Mapping):
            raise InvalidInputError(f"game: {type(d).__name__}, expected a dict", field="game")
        try:
            text = json.dumps(_jsonable(d), allow_nan=False)
        except (TypeError, ValueError) as error:
            raise InvalidInputError(f"game: {error}", field="game") from None
        return cls.from_text(text, name=name, json=True, params=params, initial=initial)

    @classmethod
    def from_text(cls, text: str, name: str = "<text>", json: bool = False, *,
                  params: Optional[Mapping[str, Any]] = None,
                  initial: Union[ArrayLike, str, os.PathLike[str], None] = None) -> "Game":
        """A game from YAML (or JSON) text; ``params`` and ``initial`` as in :meth:`load`."""
        handle = ctypes.c_void_p()
        args = (_ffi.text(text, "text"), _ffi.text(name, "name"), 1 if json else 0)
        if params is None and initial is None:
            _ffi.call(library().rmfg_game_parse, *args, ctypes.byref(handle))
        else:
            p, numbers, file = _load_arguments(params, initial)
            _ffi.call(_ffi.require("rmfg_game_parse_with").rmfg_game_parse_with, *args, p, _ffi.pointer(numbers),
                      0 if numbers is None else numbers.shape[0], file, ctypes.byref(handle))
        return cls(handle, name)

    def _live(self) -> ctypes.c_void_p:
        if not self._handle:
            raise InvalidInputError("game: closed", field="game")
        return self._handle

    def solve(self, *, verify: bool = False, coarse_start: bool = False, coarsest_states: Optional[int] = None,
              **overrides: Any) -> Equilibrium:
        """The stationary robust mean-field equilibrium (``rmfg solve``); keyword
        overrides replace the file's values (:data:`OVERRIDES`).

        Args:
            coarse_start: ``rmfg solve --coarse-start``: for a grid game whose sides are
                parameters (``states: {grid: [width, height]}``), solve it first on coarser
                grids (sides halved while a level has more than ``coarsest_states`` states),
                each started from the one below spread over 2x2 blocks, and start from the
                last one spread over the grid. The levels are in ``json["coarseStart"]``. Not
                with a game loaded with ``initial``.
            coarsest_states: ``--coarsest-states`` (default 4096); only with ``coarse_start``.
        """
        if coarsest_states is not None:
            if not coarse_start:
                raise InvalidInputError("coarsest_states: needs coarse_start=True", field="coarsest_states")
            if isinstance(coarsest_states, bool) or not isinstance(coarsest_states, (int, np.integer)) \
                    or not 1 <= coarsest_states < 2**63:
                raise InvalidInputError(f"coarsest_states: {coarsest_states!r}, expected a whole number >= 1",
                                        field="coarsest_states")
        fn, extra = library().rmfg_game_solve, ()
        if coarse_start:
            fn = _ffi.require("rmfg_game_solve_coarse").rmfg_game_solve_coarse
            extra = (4096 if coarsest_states is None else int(coarsest_states),)
        with _ffi.run_result(fn, self._live(), _overrides(overrides), 1 if verify else 0, *extra) as r:
            doc = r.json
            n, m = len(doc["states"]), len(doc["actions"])
            trace = {k: r.array("trace." + k) for k in ("exploitability", "stationarityResidual", "meanFieldChange", "seconds", "temperature")}
            return Equilibrium(mean_field=r.array("meanField"), policy=r.array("policy").reshape(n, m),
                               values=r.array("value"), optimal_values=r.array("optimalValue"),
                               exploitability=float(doc["exploitability"]), residual=float(doc["stationarityResidual"]),
                               converged=bool(doc["converged"]), iterations=int(doc["iterations"]), trace=trace, json=doc)

    def evaluate(self, policy: ArrayLike, mean_field: ArrayLike, **overrides: Any) -> Evaluation:
        """Evaluates an outside pair ``(pi, mu)`` (``rmfg evaluate``): policy ``(n, m)``, mean field ``(n,)``."""
        pi = _ffi.matrix(policy, "policy")
        mu = _ffi.vector(mean_field, "meanField")
        n, m = pi.shape
        with _ffi.run_result(library().rmfg_game_evaluate, self._live(), _ffi.pointer(pi), n, m, _ffi.pointer(mu),
                             mu.shape[0], _overrides(overrides)) as r:
            doc = r.json
            return Evaluation(exploitability=float(doc["exploitability"]), residual=float(doc["stationarityResidual"]),
                              values=r.array("value"), optimal_values=r.array("optimalValue"),
                              best_response=r.array("bestResponse").reshape(n, m),
                              population_update=r.array("populationUpdate"), json=doc)

    def sweep(self, sets: Union[str, Sequence[str]], radii: ArrayLike, *, test_radius: Optional[float] = None,
              samples: int = 32, seed: int = 1, **overrides: Any) -> SweepResult:
        """Price and protection of robust equilibria over ``sets x radii`` (``rmfg sweep``)."""
        names = sets if isinstance(sets, str) else ",".join(sets)
        r = _ffi.vector(radii, "radii")
        if not isinstance(samples, (int, np.integer)) or isinstance(samples, bool):
            raise InvalidInputError(f"samples: {samples!r}, expected an integer", field="samples")
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or not 0 <= seed < 2**64:
            raise InvalidInputError(f"seed: {seed!r}, expected an integer from 0 to 2^64 - 1", field="seed")
        if not -2**63 < samples < 2**63:
            raise InvalidInputError(f"samples: {samples}, out of range", field="samples")
        t = math.nan if test_radius is None else float(test_radius)
        with _ffi.run_result(library().rmfg_game_sweep, self._live(), _ffi.text(names, "sets"), _ffi.pointer(r),
                             r.shape[0], t, int(samples), int(seed), _overrides(overrides)) as res:
            doc = res.json
        rows = list(doc["rows"])
        numeric = [k for k, v in (rows[0].items() if rows else []) if isinstance(v, (int, float)) and not isinstance(v, bool)]
        columns = {k: np.array([np.nan if row[k] is None else row[k] for row in rows], dtype=np.float64) for k in numeric}
        return SweepResult(rows=rows, nominal=dict(doc["nominal"]), converged=bool(doc["converged"]), columns=columns,
                           json=doc)

    def close(self) -> None:
        """Frees the library's game (also done when the object is garbage-collected)."""
        with self._lock:
            handle, self._handle = self._handle, ctypes.c_void_p()
        if handle:
            library().rmfg_game_free(handle)

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self) -> "Game":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Game({self.name!r})"
