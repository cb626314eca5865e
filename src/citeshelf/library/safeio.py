"""Reading files that may be hostile: never blocking, never unbounded.

* :func:`read_regular` reads only regular files (a named pipe, a device, a
  socket or a symbolic link out of the library is refused without being
  opened for a blocking read), up to a size limit.
* :func:`loads_limited` is ``json.loads`` with limits on nesting, integer
  length and lone surrogates, which raise ``ValueError`` (the callers say
  "invalid data"), never ``RecursionError`` or a later ``UnicodeEncodeError``.
  It and the limits live in :mod:`citeshelf.limits`, shared with the import
  formats, and are re-exported here.

Light on purpose (the standard library only): the index uses it too.
"""

from __future__ import annotations

import errno
import os
import stat

from ..errors import InvalidData
from ..limits import (
    ENV_MAX_RECORD,
    MAX_DEPTH,
    MAX_INT_DIGITS,
    byte_limit,
    check_shape,
    loads_limited,
    max_record_bytes,
)
from ..limits import too_big as _too_big
from .digests import blake2b

__all__ = [
    "JOURNAL",
    "is_leftover",
    "ENV_MAX_RECORD",
    "MAX_DEPTH",
    "MAX_INT_DIGITS",
    "byte_limit",
    "check_shape",
    "file_digest",
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


def file_digest(data: bytes) -> bytes:
    """A digest of a file's bytes: the store notes it for each record file it
    writes, and the index compares it with what the file holds
    (:meth:`citeshelf.library.index.Index.refresh`)."""
    return blake2b(data, digest_size=16).digest()


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
