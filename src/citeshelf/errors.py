"""Exceptions for user-facing failures (each carries its exit code), and
:func:`closest`, the did-you-mean rule their messages use.

The core raises these; the CLI prints ``str(exc)`` as one line on stderr and
exits with ``exc.exit_code``. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import exitcodes

__all__ = [
    "CiteshelfError",
    "UsageError",
    "NotFound",
    "InvalidData",
    "AlreadyExists",
    "Conflict",
    "Aborted",
    "LibraryBusy",
    "closest",
]


class CiteshelfError(Exception):
    """A failure the user can fix; the message says how."""

    exit_code = exitcodes.ERROR


class UsageError(CiteshelfError, ValueError):
    exit_code = exitcodes.USAGE


class NotFound(CiteshelfError, LookupError):
    exit_code = exitcodes.NOT_FOUND


class InvalidData(CiteshelfError, ValueError):
    exit_code = exitcodes.INVALID_DATA


class Conflict(CiteshelfError):
    exit_code = exitcodes.CONFLICT


class AlreadyExists(Conflict):
    pass


class Aborted(CiteshelfError):
    """The user answered no to a confirmation."""

    exit_code = exitcodes.ABORTED


class LibraryBusy(CiteshelfError):
    """Another process held the library's lock for longer than the timeout."""

    exit_code = exitcodes.BUSY


# -- did you mean ---------------------------------------------------------------------


def closest(wanted: str, candidates: Iterable[str]) -> str | None:
    """The candidate a typo most likely meant, for a did-you-mean hint: one
    that differs only in letter case, else the one that starts with what was
    typed (``Waever1995`` -> ``waever1995securitization``), else the nearest by
    :func:`difflib.get_close_matches`, all compared casefolded; None if none is close."""
    import difflib

    folded: dict[str, str] = {}
    for c in candidates:
        folded.setdefault(c.casefold(), c)
    w = wanted.casefold()
    if not w:
        return None
    if w in folded:
        return folded[w]
    starts = [c for f, c in folded.items() if f.startswith(w)]
    if len(starts) == 1:
        return starts[0]
    pool = list(folded) if not starts else [s.casefold() for s in starts]
    close = difflib.get_close_matches(w, pool, n=1, cutoff=0.6)
    if close:
        return folded[close[0]]
    return min(starts, key=lambda s: (len(s), s)) if starts else None
