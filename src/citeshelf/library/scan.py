"""The freshness scan: what the records folder holds now, cheaply compared
with what the index saw last time.

One ``stat`` per record file (name, modification time in nanoseconds, size);
a digest of the whole listing says at once whether anything changed, and two
scans of the same files are compared block by block. A file modified within a
clock tick of the scan is "racy": the index stores it without its time, so
the next command reads it again (as git does).
"""

from __future__ import annotations

import marshal
import os
import re
from array import array
from pathlib import Path

from ..model.keyfiles import SAFE_KEY, key_of_stem
from .digests import sha1
from .safeio import is_leftover

__all__ = ["ENV_INDEX_CHECK", "RACY_COARSE_NS", "RACY_NS", "SUFFIX", "Scan", "differences", "racy"]

ENV_INDEX_CHECK = "CITESHELF_INDEX_CHECK"
#: Files modified this close before a scan are read again by the next command
#: (a file system's clock ticks every few milliseconds; whole-second time
#: stamps mean a file system that keeps only seconds).
RACY_NS = 50_000_000
RACY_COARSE_NS = 2_000_000_000
SUFFIX = ".json"


#: The file name of a key that is its own file name (most are: SAFE_KEY's
#: pattern without its anchors, then the suffix): a record file's.
_PLAIN_NAME = re.compile(SAFE_KEY.pattern.removeprefix("^").removesuffix("$") + re.escape(SUFFIX))


def record_name(name: str) -> bool:
    """Is ``name`` (a name in the records folder) a record file's (a key's file name)?"""
    return name.endswith(SUFFIX) and name[0] != "." and key_of_stem(name[:-5]) is not None


def name_key(name: str) -> str:
    """The key of the record file ``name`` (one :func:`record_name` accepts)."""
    stem = name[:-5]
    return stem if "%" not in stem else key_of_stem(stem) or stem


def racy(mtime_ns: int, started_ns: int) -> bool:
    """Was a file with this time modified too close to a scan started at ``started_ns``?"""
    tick = RACY_COARSE_NS if mtime_ns % 1_000_000_000 == 0 else RACY_NS
    return mtime_ns >= started_ns - tick


class Scan:
    """What a scan of the records folder saw: file names, times and sizes, in
    the folder's listing order."""

    __slots__ = ("names", "mtimes", "sizes", "_map", "leftovers")

    def __init__(self, names: list[str], mtimes: array[int], sizes: array[int]) -> None:
        self.names, self.mtimes, self.sizes = names, mtimes, sizes
        self._map: dict[str, tuple[int, int]] | None = None
        #: the folder holds a journal, staging folder or temporary file
        self.leftovers = False

    @classmethod
    def of(cls, folder: str | os.PathLike[str]) -> Scan:
        """Name, modification time and size of every record file in ``folder``."""
        mtimes: array[int] = array("q")
        sizes: array[int] = array("q")
        add_mtime, add_size = mtimes.append, sizes.append
        names: list[str] = []
        if os.stat in os.supports_dir_fd and os.listdir in os.supports_fd:
            # listdir + stat relative to the folder: the cheapest way from Python
            fd = os.open(folder, os.O_RDONLY)
            try:
                every = os.listdir(fd)
                plain = _PLAIN_NAME.fullmatch
                listed = [n for n in every if plain(n) or record_name(n)]
                hidden = any(n[0] == "." and is_leftover(n) for n in every)
                stat = os.stat
                for name in listed:
                    try:
                        st = stat(name, dir_fd=fd)
                    except OSError:  # gone meanwhile
                        continue
                    names.append(name)
                    add_mtime(st.st_mtime_ns)
                    add_size(st.st_size)
            finally:
                os.close(fd)
            scan = cls(names, mtimes, sizes)
            scan.leftovers = hidden
            return scan
        with os.scandir(Path(folder)) as it:  # pragma: no cover - e.g. Windows
            for entry in it:
                name = entry.name
                if record_name(name):
                    try:
                        st = entry.stat()
                    except OSError:
                        continue
                    names.append(name)
                    add_mtime(st.st_mtime_ns)
                    add_size(st.st_size)
        return cls(names, mtimes, sizes)

    def keys(self) -> list[str]:
        """The record keys seen, sorted."""
        return sorted(name_key(name) for name in self.names)

    def digest(self) -> str:
        h = sha1("/".join(self.names).encode("utf-8", "surrogateescape"))
        h.update(self.mtimes.tobytes())
        h.update(self.sizes.tobytes())
        return f"{len(self.names)}:{h.hexdigest()}"

    def as_dict(self) -> dict[str, tuple[int, int]]:
        if self._map is None:
            self._map = {
                name_key(name): (m, s) for name, m, s in zip(self.names, self.mtimes, self.sizes)
            }
        return self._map

    def get(self, key: str) -> tuple[int, int] | None:
        return self.as_dict().get(key)

    def changes(
        self, old: Scan | None, stored: dict[str, tuple[int, int]] | None = None
    ) -> tuple[list[str], list[str], dict[str, tuple[int, int]]]:
        """Keys of the files added or changed since ``old`` (or since ``stored``,
        key -> (mtime, size), when there is no old scan), of those removed, and
        what this scan saw of the changed ones (of all, without an old scan of
        the same files)."""
        if old is not None and old.names == self.names:
            # Same files in the same order: compare times and sizes block by
            # block (in C), looking closer only where a block differs.
            positions = differences(old.mtimes, self.mtimes) | differences(old.sizes, self.sizes)
            seen = {
                name_key(self.names[i]): (self.mtimes[i], self.sizes[i]) for i in sorted(positions)
            }
            return sorted(seen), [], seen
        before = old.as_dict() if old is not None else (stored or {})
        scanned = self.as_dict()
        changed = sorted(k for k, v in scanned.items() if before.get(k) != v)
        removed = sorted(k for k in before if k not in scanned)
        return changed, removed, scanned

    def dump(self, unsure: set[str]) -> bytes:
        """The state to store: files in ``unsure`` get no time (read next time)."""
        mtimes = self.mtimes
        if unsure:
            mtimes = array("q", mtimes)
            for i, name in enumerate(self.names):
                if name_key(name) in unsure:
                    mtimes[i] = -1
        return marshal.dumps((1, self.names, mtimes.tobytes(), self.sizes.tobytes()))

    @classmethod
    def load(cls, blob: bytes) -> Scan | None:
        try:
            version, names, mtimes, sizes = marshal.loads(blob)
            if version != 1:
                return None
            m: array[int] = array("q")
            s: array[int] = array("q")
            m.frombytes(mtimes)
            s.frombytes(sizes)
            return cls(names, m, s) if len(m) == len(s) == len(names) else None
        except (ValueError, TypeError, EOFError):
            return None


def differences(old: array[int], new: array[int], block: int = 512) -> set[int]:
    """Positions where two arrays of the same length differ."""
    out: set[int] = set()
    for start in range(0, len(new), block):
        end = start + block
        if old[start:end] != new[start:end]:
            out.update(i for i in range(start, min(end, len(new))) if old[i] != new[i])
    return out
