"""Finding and loading librobustmfg, and the ctypes signatures of include/robustmfg.h."""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from pathlib import Path
from typing import Optional

from .errors import LibraryNotFoundError

ABI_VERSION = 1
"""The RMFG_ABI_VERSION this package was written for."""

_SUFFIX = ".dylib" if sys.platform == "darwin" else ".so"
LIBRARY_NAME = "librobustmfg" + _SUFFIX

_lock = threading.Lock()
_library: Optional[ctypes.CDLL] = None


def candidate_paths() -> list[Path]:
    """Where the library is looked for, in order: ``$ROBUSTMFG_LIBRARY``, the package
    folder, then the project's release build folder (``.build/release``)."""
    paths: list[Path] = []
    env = os.environ.get("ROBUSTMFG_LIBRARY")
    if env:
        paths.append(Path(env))
    here = Path(__file__).resolve().parent
    paths.append(here / LIBRARY_NAME)
    paths.append(here.parent.parent / ".build" / "release" / LIBRARY_NAME)
    return paths


def _declare(lib: ctypes.CDLL) -> None:
    c_double_p = ctypes.POINTER(ctypes.c_double)
    vp = ctypes.c_void_p
    vpp = ctypes.POINTER(ctypes.c_void_p)
    s = ctypes.c_char_p
    i32, i64 = ctypes.c_int32, ctypes.c_int64
    sig = {
        "rmfg_version": (s, []),
        "rmfg_abi_version": (i32, []),
        "rmfg_error_status": (i32, [vp]),
        "rmfg_error_message": (s, [vp]),
        "rmfg_error_field": (s, [vp]),
        "rmfg_error_free": (None, [vp]),
        "rmfg_result_json": (s, [vp]),
        "rmfg_result_length": (i64, [vp, s]),
        "rmfg_result_copy": (i32, [vp, s, c_double_p, i64, vpp]),
        "rmfg_result_free": (None, [vp]),
        "rmfg_live_handles": (i64, []),
        "rmfg_worst_case": (i32, [s, i64, c_double_p, c_double_p, ctypes.c_double, s, c_double_p, c_double_p, s, s,
                                  i32, vpp, vpp]),
        "rmfg_worst_case_batch": (i32, [s, i64, i64, c_double_p, c_double_p, c_double_p, i64, s, c_double_p,
                                        c_double_p, s, i32, c_double_p, c_double_p, c_double_p, vpp]),
        "rmfg_game_load": (i32, [s, vpp, vpp]),
        "rmfg_game_parse": (i32, [s, s, i32, vpp, vpp]),
        "rmfg_game_free": (None, [vp]),
        "rmfg_game_solve": (i32, [vp, s, i32, vpp, vpp]),
        "rmfg_game_evaluate": (i32, [vp, c_double_p, i64, i64, c_double_p, i64, s, vpp, vpp]),
        "rmfg_game_sweep": (i32, [vp, s, c_double_p, i64, ctypes.c_double, i64, ctypes.c_uint64, s, vpp, vpp]),
        # Since 0.2 (a library of minor version 1 lacks them: require() says so).
        "rmfg_worst_case_polyhedral": (i32, [s, i64, c_double_p, c_double_p, i64, c_double_p, s, c_double_p, i64, s,
                                             ctypes.c_double, s, i32, vpp, vpp]),
        "rmfg_game_load_with": (i32, [s, s, c_double_p, i64, s, vpp, vpp]),
        "rmfg_game_parse_with": (i32, [s, s, i32, s, c_double_p, i64, s, vpp, vpp]),
        # Since 0.3.
        "rmfg_game_solve_coarse": (i32, [vp, s, i32, i64, vpp, vpp]),
    }
    for name, (restype, argtypes) in sig.items():
        fn = getattr(lib, name, None)
        if fn is None and name in ADDED:
            continue
        if fn is None:
            raise AttributeError(name)
        fn.restype = restype
        fn.argtypes = argtypes


SINCE_0_2 = ("rmfg_worst_case_polyhedral", "rmfg_game_load_with", "rmfg_game_parse_with")
"""Functions added in version 0.2 of the header (RMFG_VERSION_MINOR 2)."""
SINCE_0_3 = ("rmfg_game_solve_coarse",)
"""Functions added in version 0.3 of the header (RMFG_VERSION_MINOR 3)."""
ADDED = {**{name: "0.2" for name in SINCE_0_2}, **{name: "0.3" for name in SINCE_0_3}}
"""Every function added after 0.1, with the version that added it."""


def require(name: str) -> ctypes.CDLL:
    """The library, checked to export ``name`` (a function added after version 0.1).

    Raises:
        LibraryNotFoundError: the loaded library is older; the message says to rebuild it.
    """
    lib = library()
    if not hasattr(lib, name):
        raise LibraryNotFoundError(
            f"library: librobustmfg {lib.rmfg_version().decode()} has no {name} (added in {ADDED.get(name, 'a later version')}); rebuild it with "
            "`make python` in the RobustMFG checkout")
    return lib


def library() -> ctypes.CDLL:
    """The loaded library (loaded once, on first use).

    Raises:
        LibraryNotFoundError: no candidate path holds a loadable library; the message
            lists the paths tried and says how to build it (``make python``).
    """
    global _library
    with _lock:
        if _library is not None:
            return _library
        tried: list[str] = []
        for path in candidate_paths():
            if not path.is_file():
                tried.append(f"{path} (missing)")
                continue
            try:
                lib = ctypes.CDLL(str(path))
            except OSError as error:
                tried.append(f"{path} ({error})")
                continue
            _declare(lib)
            abi = lib.rmfg_abi_version()
            if abi != ABI_VERSION:
                tried.append(f"{path} (ABI version {abi}, expected {ABI_VERSION})")
                continue
            _library = lib
            return lib
        raise LibraryNotFoundError(
            "library: librobustmfg not found or not loadable; build it with `make python` in the RobustMFG "
            "checkout (or `swift build -c release --product robustmfg`), or set ROBUSTMFG_LIBRARY to its path. "
            "Tried: " + "; ".join(tried))
