"""Reading files that may be hostile: never blocking, never unbounded.

* :func:`read_regular` reads only regular files (a named pipe, a device, a
  socket or a symbolic link out of the library is refused without being
  opened for a blocking read), up to a size limit.
* :func:`loads_limited` is ``json.loads`` with limits on nesting, integer
  length and lone surrogates, which raise ``ValueError`` (the callers say
  "invalid data"), never ``RecursionError`` or a later ``UnicodeEncodeError``.

Light on purpose (the standard library only): the index uses it too.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from collections.abc import Iterable

from ..errors import InvalidData, UsageError

__all__ = [
    "JOURNAL",
    "is_leftover",
    "ENV_MAX_RECORD",
    "MAX_DEPTH",
    "byte_limit",
    "check_shape",
    "loads_limited",
    "max_record_bytes",
    "read_regular",
]

#: hidden names in the records folder: the journal of a commit, staging
#: folders, temporary files of single writes (see :mod:`.store`)
JOURNAL = ".journal"
STAGING_PREFIX = ".staging-"
TEMP_PREFIX = ".tmp-"
TEMP_SUFFIX = ".json.part"


def is_leftover(name: str) -> bool:
    """A hidden name of a write in progress (or of one that never finished)."""
    return (
        (name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX))
        or name.startswith(STAGING_PREFIX)
        or name == JOURNAL + ".part"
    )


#: the largest record file read, in bytes (``$CITESHELF_MAX_RECORD_BYTES``)
ENV_MAX_RECORD = "CITESHELF_MAX_RECORD_BYTES"
DEFAULT_MAX_RECORD = 8 * 1024 * 1024
#: how deep lists and objects may nest in a record file
MAX_DEPTH = 64
#: the most digits of an integer in a record file
MAX_INT_DIGITS = 30


def byte_limit(env: str, default: int) -> int:
    """A size limit in bytes from the environment variable ``env``."""
    raw = os.environ.get(env, "")
    if not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise UsageError(f"${env} must be a number of bytes, not {raw!r}") from None
    return value if value > 0 else default


def max_record_bytes() -> int:
    return byte_limit(ENV_MAX_RECORD, DEFAULT_MAX_RECORD)


_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_regular(
    path: str | os.PathLike[str],
    root: str | os.PathLike[str] | None,
    limit: int,
    *,
    what: str = "file",
    env: str = ENV_MAX_RECORD,
) -> tuple[bytes, os.stat_result]:
    """The bytes of a regular file and its status, never blocking on a special file.

    A symbolic link is followed only to a place inside ``root`` (when given);
    a named pipe, device or socket, and a file over ``limit`` bytes,
    are refused with :class:`InvalidData` saying which. ``FileNotFoundError``
    and other ``OSError`` pass through."""
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode) and root is not None:
        real = os.path.realpath(path)
        base = os.path.realpath(root)
        if os.path.commonpath([real, base]) != base:
            raise InvalidData(f"{path}: a symbolic link to {real}, outside {root}: not read")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(st.st_mode):
            kind = next((k for test, k in _KINDS if test(st.st_mode)), "not a regular file")
            raise InvalidData(f"{path}: {kind}, not a regular file: not read")
        if st.st_size > limit:
            raise InvalidData(_too_big(path, st.st_size, limit, what, env))
        chunks = []
        size = 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise InvalidData(_too_big(path, size, limit, what, env))
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks), st


def _too_big(path: object, size: int, limit: int, what: str, env: str) -> str:
    return (
        f"{path}: {size:,} bytes or more, over the limit of {limit:,} bytes for a {what} "
        f"(${env} raises it)"
    )


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"an integer of {len(digits):,} digits (the limit is {MAX_INT_DIGITS})")
    return int(digits)


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def loads_limited(text: str) -> object:
    """``json.loads`` with limits: nesting deeper than :data:`MAX_DEPTH`, an
    integer longer than :data:`MAX_INT_DIGITS` digits or a lone surrogate
    (``"\\ud800"``: text no file can hold) raise ``ValueError``."""
    try:
        data = json.loads(text, parse_int=_bounded_int)
    except RecursionError:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels") from None
    surrogates = _SURROGATE_ESCAPE.search(text) is not None
    if surrogates or text.count("[") + text.count("{") > MAX_DEPTH:
        check_shape(data, surrogates=surrogates)
    return data


def check_shape(data: object, *, surrogates: bool = True) -> None:
    """``ValueError`` if ``data`` nests deeper than :data:`MAX_DEPTH` or (with
    ``surrogates``) holds a string that is not valid Unicode text."""
    stack: list[tuple[object, int]] = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if surrogates:
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError as exc:
                    raise ValueError(
                        f"a lone surrogate (U+{ord(item[exc.start]):04X}) in {item[:40]!r}: "
                        "not Unicode text"
                    ) from None
            continue
        if isinstance(item, dict):
            children: Iterable[object] = [*item.keys(), *item.values()]
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth >= MAX_DEPTH:
            raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
        stack.extend((c, depth + 1) for c in children)
