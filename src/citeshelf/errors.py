"""Exceptions for user-facing failures. Each carries its exit code.

The core raises these; the CLI prints ``str(exc)`` as one line on stderr and
exits with ``exc.exit_code``. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

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
