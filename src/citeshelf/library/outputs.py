"""Whole outputs kept beside the index: one file per variant.

Public API::

    Outputs(folder).read(variant, digest) -> iterator of parts | None
    Outputs(folder).writer(variant, digest) -> OutputWriter
        writer.add(part); writer.finish() -> bool; writer.discard()
    Outputs(folder).sweep(prefix)   # drop the outputs of other code
    Outputs(folder).clear()
    Outputs(folder).kept() -> [(variant, digest, [part, ...])]   # the whole ones

An export of every record and a reference list of a whole library keep
their whole text for the next run, valid while the scan of the folder gives
the digest they were made under (:mod:`citeshelf.ops.exporting`,
:mod:`citeshelf.ops.bibliomemo`). Tens of megabytes at 100,000 records: a
plain file costs a few milliseconds to write and read where SQLite, which
writes a blob twice (its log, then the database) and reads it into memory
whole, takes over half a second for each.

A file holds a header line (``citeshelf-output 1`` and the variant and
digest as JSON), the parts, each after a line with its length, and a
trailer of fixed width with the number of parts and where the trailer
starts. It is written under a temporary name and renamed into place, so a
reader sees a whole file or the one before; one without its trailer (a
crash while it was written, a file cut short) is never read. Two processes
writing the same variant at once each rename a whole file; the last stays.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO

__all__ = ["OutputWriter", "Outputs"]

_MAGIC = b"citeshelf-output 1 "
_TRAILER = b"end %012d %012d\n"  # parts, offset of the trailer
_TRAILER_SIZE = len(_TRAILER % (0, 0))
_SUFFIX = ".out"


def _name(variant: str) -> str:
    from .digests import blake2b

    return blake2b(variant.encode("utf-8"), digest_size=16).hexdigest() + _SUFFIX


class Outputs:
    """The whole outputs kept in ``folder`` (created when one is written)."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def read(self, variant: str, digest: str) -> Iterator[bytes] | None:
        """The parts of ``variant``'s output made under ``digest``, read as
        they are iterated; None if there is none, or it is not whole."""
        try:
            f = open(self.folder / _name(variant), "rb")  # noqa: SIM115 - closed by _parts
        except OSError:
            return None
        try:
            parts = _check(f, variant, digest)
        except (OSError, ValueError):
            parts = None
        if parts is None:
            f.close()
            return None
        return _parts(f, parts)

    def writer(self, variant: str, digest: str) -> OutputWriter:
        return OutputWriter(self.folder, variant, digest)

    def sweep(self, prefix: str) -> None:
        """Remove the outputs whose variant does not start with ``prefix``
        (made by other code), and temporary files left by a crash."""
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        for name in names:
            path = self.folder / name
            if name.startswith("."):
                if name.endswith(".part") and _pid_gone(name):
                    _unlink(path)
                continue
            if not name.endswith(_SUFFIX):
                continue
            try:
                with open(path, "rb") as f:
                    variant = _header(f)[0]
            except (OSError, ValueError):
                variant = ""
            if not variant.startswith(prefix):
                _unlink(path)

    def kept(self) -> list[tuple[str, str, list[bytes]]]:
        """Every whole output kept: (variant, digest, parts), by variant."""
        found = []
        try:
            names = sorted(os.listdir(self.folder))
        except OSError:
            return []
        for name in names:
            if name.startswith(".") or not name.endswith(_SUFFIX):
                continue
            try:
                with open(self.folder / name, "rb") as f:
                    variant, digest = _header(f)
            except (OSError, ValueError):
                continue
            parts = self.read(variant, digest)
            if parts is not None:
                found.append((variant, digest, list(parts)))
        return sorted(found)

    def clear(self) -> None:
        """Remove every kept output."""
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        for name in names:
            if name.endswith(_SUFFIX):
                _unlink(self.folder / name)


class OutputWriter:
    """One output being written: its parts go to a temporary file, renamed
    into place by :meth:`finish`. A folder that cannot be written keeps
    nothing (it is only a cache)."""

    def __init__(self, folder: Path, variant: str, digest: str) -> None:
        self.path = folder / _name(variant)
        self.temp = folder / f".{self.path.name}.{os.getpid()}.{os.urandom(4).hex()}.part"
        self.parts = 0
        self.file: IO[bytes] | None = None
        self.finished = False
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.file = open(self.temp, "xb")  # noqa: SIM115 - closed by finish/discard
            head = json.dumps([variant, digest], ensure_ascii=True).encode("ascii")
            self.file.write(_MAGIC + head + b"\n")
        except OSError:
            self.discard()

    @property
    def open(self) -> bool:
        return self.file is not None

    def add(self, part: bytes) -> bool:
        """Append ``part``; False once the output cannot be kept."""
        if self.file is None:
            return False
        try:
            self.file.write(b"%d\n" % len(part))
            self.file.write(part)
        except OSError:
            self.discard()
            return False
        self.parts += 1
        return True

    def finish(self) -> bool:
        """Make the parts written the kept output; False if it was not kept."""
        f = self.file
        if f is None:
            return False
        try:
            f.write(_TRAILER % (self.parts, f.tell()))
            f.close()
            self.file = None
            os.replace(self.temp, self.path)
            self.finished = True
            return True
        except OSError:
            self.discard()
            return False

    def discard(self) -> None:
        """Keep nothing of this output (once finished: nothing to do)."""
        if self.finished:
            return
        if self.file is not None:
            try:
                self.file.close()
            except OSError:
                pass
            self.file = None
        _unlink(self.temp)


def _header(f: IO[bytes]) -> tuple[str, str]:
    line = f.readline(1 << 16)
    if not line.startswith(_MAGIC) or not line.endswith(b"\n"):
        raise ValueError("not a kept output")
    head = json.loads(line[len(_MAGIC) :])
    if not (isinstance(head, list) and len(head) == 2 and all(isinstance(h, str) for h in head)):
        raise ValueError("not a kept output")
    return head[0], head[1]


def _check(f: IO[bytes], variant: str, digest: str) -> int | None:
    """The number of parts of the whole output in ``f`` for ``variant`` and
    ``digest``, ``f`` left at the first; None if it is another or not whole."""
    if _header(f) != (variant, digest):
        return None
    start = f.tell()
    size = os.fstat(f.fileno()).st_size
    if size - _TRAILER_SIZE < start:
        return None
    f.seek(size - _TRAILER_SIZE)
    tail = f.read(_TRAILER_SIZE).split()
    if len(tail) != 3 or tail[0] != b"end" or int(tail[2]) != size - _TRAILER_SIZE:
        return None
    f.seek(start)
    return int(tail[1])


def _parts(f: IO[bytes], count: int) -> Iterator[bytes]:
    with f:
        for _ in range(count):
            size = int(f.readline(32))
            data = f.read(size)
            if len(data) != size:  # pragma: no cover - the trailer said it was whole
                raise OSError("a kept output was cut short")
            yield data


def _pid_gone(name: str) -> bool:
    """Whether the process that named this temporary file is gone."""
    try:
        pid = int(name.split(".")[-3])
        os.kill(pid, 0)
    except (ValueError, IndexError):
        return True
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
