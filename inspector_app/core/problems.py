"""Every problem of an input at once, not only the first: the one small collector the validators share (roster
rows, inspection JSON, checklist templates, draw rules, a sync bundle's records). Each validator keeps its own
words and its own way of naming the place of a problem (a row and column, a path in a JSON file, a template
file and item, a bundle member): `make` builds one problem from what `error`/`warn` are given (`str` for a
plain message).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

P = TypeVar("P")


def placed(where: str, message: str) -> str:
    """`where: message`, or the message alone for a problem of the whole input."""
    return f"{where}: {message}" if where else message


class Problems(Generic[P]):
    """Errors stop the operation (nothing is written); warnings are reported and do not."""

    def __init__(
        self,
        make: Callable[..., P],
        errors: list[P] | None = None,
        warnings: list[P] | None = None,
        *,
        limit: int | None = None,
    ):
        """`errors`/`warnings`: lists to add to (a report's own), new ones if not given. `limit`: errors kept at
        most (an input with many bad parts is refused with the first ones, not a message of megabytes)."""
        self.make = make
        self.errors: list[P] = [] if errors is None else errors
        self.warnings: list[P] = [] if warnings is None else warnings
        self.limit = limit

    def error(self, *args) -> None:
        if self.limit is None or len(self.errors) < self.limit:
            self.errors.append(self.make(*args))

    def extend(self, errors: Iterable[P]) -> None:
        """Errors another check has made (a list it returns, or the problems of a refusal it raised)."""
        for e in errors:
            if self.limit is None or len(self.errors) < self.limit:
                self.errors.append(e)

    def warn(self, *args) -> None:
        self.warnings.append(self.make(*args))

    def mark(self) -> int:
        """A point to ask `errors_since` about: did this part of the input add an error? (Not for use with a
        `limit`: errors past it are not kept.)"""
        return len(self.errors)

    def errors_since(self, mark: int) -> bool:
        return len(self.errors) > mark
