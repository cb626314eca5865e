"""Progress reporting as the core sees it: an object with ``advance(n)`` used
as a context manager. The terminal bar lives in :mod:`citeshelf.render`; the
core only ever needs :class:`NullProgress` when nobody is watching."""

from __future__ import annotations

TYPE_CHECKING = False  # typing itself is not imported by a warm ``list``
if TYPE_CHECKING:
    from .progress_protocol import Progress, ProgressFactory

__all__ = ["NullProgress", "Progress", "ProgressFactory"]


def __getattr__(name: str) -> object:
    # Progress and ProgressFactory are defined in .progress_protocol, loaded
    # when first asked for (PEP 562)
    if name in ("Progress", "ProgressFactory"):
        from . import progress_protocol

        return getattr(progress_protocol, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class NullProgress:
    """A progress bar that shows nothing."""

    def __enter__(self) -> NullProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def advance(self, n: int = 1) -> None:
        return None
