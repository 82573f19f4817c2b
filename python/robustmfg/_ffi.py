"""Calls into librobustmfg: status checks, results, array conversion."""

from __future__ import annotations

import ctypes
import json
from typing import Any, Callable, Optional

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._library import library, require
from .errors import InvalidInputError, error_for

c_double_p = ctypes.POINTER(ctypes.c_double)


def call(fn: Callable[..., int], *args: Any) -> None:
    """Calls a status-returning function (its last argument is the error out-pointer);
    raises the matching exception on failure and frees the error handle."""
    lib = library()
    err = ctypes.c_void_p()
    status = fn(*args, ctypes.byref(err))
    if status != 0:
        if err.value:
            message = (lib.rmfg_error_message(err) or b"").decode("utf-8", "replace")
            field = (lib.rmfg_error_field(err) or b"").decode("utf-8", "replace")
            lib.rmfg_error_free(err)
        else:
            message, field = f"status {status}", ""
        raise error_for(status, field, message)


class Result:
    """A result handle's JSON and arrays, read once and freed."""

    def __init__(self, handle: ctypes.c_void_p) -> None:
        lib = library()
        try:
            raw = lib.rmfg_result_json(handle)
            self.json: dict[str, Any] = json.loads(raw.decode("utf-8")) if raw else {}
            self._handle = handle
            self._arrays: dict[str, NDArray[np.float64]] = {}
        except BaseException:
            lib.rmfg_result_free(handle)
            raise

    def array(self, name: str) -> NDArray[np.float64]:
        """A copy of the result's array ``name`` (exact doubles, not via JSON text)."""
        lib = library()
        n = lib.rmfg_result_length(self._handle, name.encode())
        if n < 0:
            raise KeyError(name)
        out = np.empty(n, dtype=np.float64)
        call(lib.rmfg_result_copy, self._handle, name.encode(), out.ctypes.data_as(c_double_p), n)
        return out

    def close(self) -> None:
        if self._handle:
            library().rmfg_result_free(self._handle)
            self._handle = ctypes.c_void_p()

    def __enter__(self) -> "Result":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run_result(fn: Callable[..., int], *args: Any) -> Result:
    """Calls a function whose last two arguments are (result out, error out)."""
    handle = ctypes.c_void_p()
    call(fn, *args, ctypes.byref(handle))
    return Result(handle)


def vector(x: ArrayLike, field: str, length: Optional[int] = None) -> NDArray[np.float64]:
    """``x`` as a contiguous 1-D float64 array (a copy when needed), checked."""
    arr = floats(x, field)
    if arr.ndim != 1:
        raise InvalidInputError(f"{field}: shape {shape_text(arr.shape)}, expected a vector", field=field)
    if length is not None and arr.shape[0] != length:
        raise InvalidInputError(f"{field}: has {arr.shape[0]} entries, expected {length} (one per state of nominal)",
                                field=field)
    return arr


def matrix(x: ArrayLike, field: str, shape: Optional[tuple[int, int]] = None) -> NDArray[np.float64]:
    """``x`` as a contiguous 2-D float64 array, checked against ``shape``."""
    arr = floats(x, field)
    if arr.ndim != 2 or (shape is not None and arr.shape != shape):
        want = f"{shape[0]} x {shape[1]}" if shape else "a matrix"
        raise InvalidInputError(f"{field}: shape {shape_text(arr.shape)}, expected {want}", field=field)
    return arr


def floats(x: ArrayLike, field: str) -> NDArray[np.float64]:
    try:
        arr = np.ascontiguousarray(x, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InvalidInputError(f"{field}: {error}, expected numbers", field=field) from None
    if arr.size == 0:
        raise InvalidInputError(f"{field}: empty, expected at least one entry", field=field)
    return arr


def shape_text(shape: tuple[int, ...]) -> str:
    return "a single number" if not shape else " x ".join(str(s) for s in shape)


def pointer(arr: Optional[NDArray[np.float64]]) -> Any:
    return None if arr is None else arr.ctypes.data_as(c_double_p)


def text(value: Any, field: str) -> bytes:
    if not isinstance(value, str):
        raise InvalidInputError(f"{field}: {value!r}, expected a string", field=field)
    if "\x00" in value:
        raise InvalidInputError(f"{field}: contains a NUL character", field=field)
    return value.encode("utf-8")
