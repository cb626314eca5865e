"""Progress reporting as the core sees it: an object with ``advance(n)`` used
as a context manager. The terminal bar lives in :mod:`citeshelf.render`; the
core only ever needs :class:`NullProgress` when nobody is watching."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

__all__ = ["NullProgress", "Progress", "ProgressFactory"]


class Progress(Protocol):
    def __enter__(self) -> Progress: ...

    def __exit__(self, *exc: object) -> None: ...

    def advance(self, n: int = 1) -> None: ...


#: Makes a progress bar for a given number of steps.
ProgressFactory = Callable[[int], Progress]


class NullProgress:
    """A progress bar that shows nothing."""

    def __enter__(self) -> NullProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def advance(self, n: int = 1) -> None:
        return None
