"""robustmfg: robust mean-field equilibria and certified inner problems, from Python.

A thin ctypes layer over librobustmfg, the C ABI of the RobustMFG Swift libraries
(``include/robustmfg.h``). numpy arrays in and out; errors are :class:`RobustMFGError`
subclasses carrying the CLI's one-line message and the field it names.

The package imports without the library; the first call then raises
:class:`LibraryNotFoundError`, whose message says how to build it (``make python``).
"""

from __future__ import annotations

from ._library import ABI_VERSION, candidate_paths, library
from .errors import (ComputationError, InvalidInputError, LibraryNotFoundError, OutOfRangeError,
                     RobustMFGError)
from .game import OVERRIDES, Equilibrium, Evaluation, Game, SweepResult
from .inner import BatchResult, Certificate, WorstCaseResult, worst_case, worst_case_batch

__version__ = "0.3.0"


def library_version() -> str:
    """The loaded library's version (``rmfg_version()``)."""
    return library().rmfg_version().decode()


__all__ = [
    "ABI_VERSION", "BatchResult", "Certificate", "ComputationError", "Equilibrium", "Evaluation", "Game",
    "InvalidInputError", "LibraryNotFoundError", "OVERRIDES", "OutOfRangeError", "RobustMFGError", "SweepResult",
    "WorstCaseResult", "candidate_paths", "library", "library_version", "worst_case", "worst_case_batch",
]
