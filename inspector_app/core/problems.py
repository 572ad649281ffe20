"""Every problem of an input at once, not only the first: the one small collector the validators share (roster
rows, inspection JSON, checklist templates). Each validator keeps its own words and its own way of naming the
place of a problem (a row and column, a path in a JSON file, a template file and item): `make` builds one
problem from what `error`/`warn` are given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

P = TypeVar("P")


def placed(where: str, message: str) -> str:
    """`where: message`, or the message alone for a problem of the whole input."""
    return f"{where}: {message}" if where else message


class Problems(Generic[P]):
    """Errors stop the operation (nothing is written); warnings are reported and do not."""

    def __init__(self, make: Callable[..., P], errors: list[P] | None = None, warnings: list[P] | None = None):
        self.make = make
        self.errors: list[P] = [] if errors is None else errors
        self.warnings: list[P] = [] if warnings is None else warnings

    def error(self, *args) -> None:
        self.errors.append(self.make(*args))

    def warn(self, *args) -> None:
        self.warnings.append(self.make(*args))

    def mark(self) -> int:
        """A point to ask `errors_since` about: did this part of the input add an error?"""
        return len(self.errors)

    def errors_since(self, mark: int) -> bool:
        return len(self.errors) > mark
