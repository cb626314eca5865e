"""The type of a progress bar (:data:`citeshelf.progress.Progress`) and of
what makes one (:data:`citeshelf.progress.ProgressFactory`), for type
checkers and for callers that build their own: a module of its own, as a
``typing.Protocol`` needs typing, which a warm ``list`` does not import."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

__all__ = ["Progress", "ProgressFactory"]


class Progress(Protocol):
    def __enter__(self) -> Progress: ...

    def __exit__(self, *exc: object) -> None: ...

    def advance(self, n: int = 1) -> None: ...


#: Makes a progress bar for a given number of steps.
ProgressFactory = Callable[[int], Progress]
