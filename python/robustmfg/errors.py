"""Exceptions raised by robustmfg. Each carries the field it names and the one-line
message ``rmfg`` prints after ``rmfg: error:`` for the same input."""

from __future__ import annotations


class RobustMFGError(Exception):
    """An error from the library.

    Attributes:
        field: the field named, e.g. ``"nominal"`` or ``"ambiguity.radius"``.
        message: the one-line message (the CLI's error text).
        status: the C status code (1 failed, 2 invalid input, 3 out of range).
    """

    def __init__(self, message: str, field: str = "", status: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


class InvalidInputError(RobustMFGError, ValueError):
    """Invalid input (status 2): a bad shape, a NaN, a wrong type, an invalid game file."""


class ComputationError(RobustMFGError, RuntimeError):
    """The computation ran but failed (status 1: a solver failed numerically, an LP was not optimal)."""


class OutOfRangeError(RobustMFGError, ArithmeticError):
    """A quantity to report is beyond the double range (status 3)."""


class LibraryNotFoundError(RobustMFGError, ImportError):
    """librobustmfg could not be found or loaded; the message says how to build it (``make python``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="library", status=-1)


def error_for(status: int, field: str, message: str) -> RobustMFGError:
    """The exception class for a C status."""
    cls = {1: ComputationError, 2: InvalidInputError, 3: OutOfRangeError}.get(status, RobustMFGError)
    return cls(message, field=field, status=status)
