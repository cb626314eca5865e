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

from ..model.keyfiles import SAFE_KEY, key_of_stem
from .digests import sha1
from .safeio import is_leftover

__all__ = [
    "ENV_INDEX_CHECK",
    "FORK_MIN",
    "RACY_COARSE_NS",
    "RACY_NS",
    "SUFFIX",
    "Scan",
    "differences",
    "listing_id",
    "listing_to_keep",
    "racy",
    "stat_names",
]

ENV_INDEX_CHECK = "CITESHELF_INDEX_CHECK"
#: Files modified this close before a scan are read again by the next command
#: (a file system's clock ticks every few milliseconds; whole-second time
#: stamps mean a file system that keeps only seconds).
RACY_NS = 50_000_000
RACY_COARSE_NS = 2_000_000_000
SUFFIX = ".json"


#: The file name of a key that is its own file name (most are: SAFE_KEY's
#: pattern without its anchors, then the suffix): a record file's.
_PLAIN = SAFE_KEY.pattern.removeprefix("^").removesuffix("$") + re.escape(SUFFIX)
_PLAIN_NAME = re.compile(_PLAIN)
#: A listing of such names only, joined by NULs (no name holds one): tested
#: in one pass, three times faster than name by name.
_ALL_PLAIN = re.compile(f"(?:{_PLAIN}\0)*{_PLAIN}")


def record_name(name: str) -> bool:
    """Is ``name`` (a name in the records folder) a record file's (a key's file name)?"""
    return name.endswith(SUFFIX) and name[0] != "." and key_of_stem(name[:-5]) is not None


def name_key(name: str) -> str:
    """The key of the record file ``name`` (one :func:`record_name` accepts)."""
    stem = name[:-5]
    return stem if "%" not in stem else key_of_stem(stem) or stem


def _record_positions(every: list[str]) -> list[int] | None:
    """Where the record files' names are in a listing of the folder; None
    when every entry is one, as in most folders (at 100,000 files, 8 ms
    instead of 19 ms, and the caller keeps the listing as it is)."""
    if every and _ALL_PLAIN.fullmatch("\0".join(every)):
        return None
    plain = _PLAIN_NAME.fullmatch
    return [i for i, n in enumerate(every) if plain(n) or record_name(n)]


def _leftovers(every: list[str]) -> bool:
    """Whether a listing of the folder holds a journal, staging folder or temporary file."""
    return any(n[0] == "." and is_leftover(n) for n in every)


def listing_id(st: os.stat_result) -> str:
    """What says that a folder's entries are still those an earlier listing
    saw (``st``: the folder's ``stat``): its device, inode, modification and
    change times. Adding, removing or renaming an entry sets both times; the
    change time cannot be set back (``touch -d`` and ``rsync -t`` set the
    modification time), and a folder put in the place of another has another
    inode. Only as good as the listing it was taken before, and only when
    neither time is :func:`racy` against that listing's start."""
    return f"{st.st_dev}:{st.st_ino}:{st.st_mtime_ns}:{st.st_ctime_ns}"


def listing_to_keep(st: os.stat_result, started_ns: int) -> str:
    """The :func:`listing_id` to keep with a listing begun at ``started_ns``
    after the folder's ``stat`` ``st``; "" (keep none) when the folder changed
    within a clock tick of it, as a change just after the listing could leave
    its times as they were (the change time is the later of the two)."""
    return "" if racy(st.st_ctime_ns, started_ns) else listing_id(st)


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
    def of(cls, folder: str | os.PathLike[str], names: list[str] | None = None) -> Scan:
        """Name, modification time and size of every record file in ``folder``.

        ``names``: the record files' names, in order, as an earlier scan
        listed them, when the caller knows the folder's entries are the same
        (its :func:`listing_id` is the one taken before that listing): only
        those files are statted, the folder is not listed again (at 100,000
        files, listing and sorting out the names costs about 65 ms of 270)."""
        if os.stat in os.supports_dir_fd and os.listdir in os.supports_fd:
            # listdir + stat relative to the folder: the cheapest way from Python
            fd = os.open(folder, os.O_RDONLY)
            try:
                # (a listing with leftovers is never given back as ``names``,
                # and one of record files only holds none)
                leftovers = False
                if names is not None:
                    listed = names
                else:
                    every = os.listdir(fd)
                    at = _record_positions(every)
                    if at is None:
                        listed = every
                    else:
                        listed = [every[i] for i in at]
                        leftovers = _leftovers(every)
                # (a file gone meanwhile is left out)
                found, mtimes, sizes = stat_names(fd, listed)
            finally:
                os.close(fd)
            scan = cls(found, mtimes, sizes)
            scan.leftovers = leftovers
            return scan
        mtimes = array("q")  # pragma: no cover - e.g. Windows
        sizes = array("q")
        add_mtime, add_size = mtimes.append, sizes.append
        names = []
        with os.scandir(folder) as it:  # pragma: no cover - e.g. Windows
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

    @classmethod
    def of_listing(cls, every: list[str], mtimes: array[int], sizes: array[int]) -> Scan:
        """The scan of the record files among a listing of the folder made
        by other means (``every`` entry's name, time and size, as listed)."""
        at = _record_positions(every)
        if at is None:  # (no leftover either: a record file's name is not hidden)
            return cls(every, mtimes, sizes)
        scan = cls(
            [every[i] for i in at],
            array("q", [mtimes[i] for i in at]),
            array("q", [sizes[i] for i in at]),
        )
        scan.leftovers = _leftovers(every)
        return scan

    def same(self, other: Scan) -> bool:
        """Whether ``other`` saw the same files with the same times and sizes."""
        return (
            self.names == other.names and self.mtimes == other.mtimes and self.sizes == other.sizes
        )

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


#: From this many files on, forked processes stat shares of them while this
#: one stats its own: a ``stat`` from Python costs about 2.5 µs, most of it
#: in Python (threads take turns at the interpreter lock and gain nothing),
#: a fork of a small process a few milliseconds. At 100,000 files on a
#: 2-core machine, 270 ms -> 135 ms.
FORK_MIN = 8_000
#: At most this many processes share the files (this one included).
FORK_MAX = 4


def stat_names(fd: int, names: list[str]) -> tuple[list[str], array[int], array[int]]:
    """The modification time (ns) and size of each file of ``names`` in the
    folder open as ``fd``: (the names of the files still there, in order,
    their times, their sizes). With :data:`FORK_MIN` files or more, shared
    with forked processes, one per core (at most :data:`FORK_MAX` in all),
    when this process may fork (on Linux, with no other thread running);
    the same result."""
    parts = _processes() if len(names) >= FORK_MIN else 1
    if parts < 2:
        return _stat_here(fd, names)
    size = -(-len(names) // parts)
    shares = [names[i : i + size] for i in range(0, len(names), size)]
    forked: list[_Forked | None] = []
    try:
        for share in shares[1:]:
            forked.append(_stat_forked(fd, share))
        got = [_stat_here(fd, shares[0])]
        for share, child in zip(shares[1:], forked):
            done = child.result() if child is not None else None
            got.append(done if done is not None else _stat_here(fd, share))
    finally:
        for child in forked:
            if child is not None:
                child.close()
    out_names: list[str] = []
    mtimes: array[int] = array("q")
    sizes: array[int] = array("q")
    for part_names, part_mtimes, part_sizes in got:
        out_names += part_names
        mtimes += part_mtimes
        sizes += part_sizes
    return out_names, mtimes, sizes


def _stat_here(fd: int, names: list[str]) -> tuple[list[str], array[int], array[int]]:
    return _kept(names, *_stat_marked(fd, names))


def _stat_marked(fd: int, names: list[str]) -> tuple[array[int], array[int]]:
    """The time and size of each of ``names``, in order; size -1 for a file gone meanwhile."""
    mtimes: array[int] = array("q")
    sizes: array[int] = array("q")
    add_mtime, add_size = mtimes.append, sizes.append
    stat = os.stat
    for name in names:
        try:
            st = stat(name, dir_fd=fd)
        except OSError:
            add_mtime(0)
            add_size(-1)
            continue
        add_mtime(st.st_mtime_ns)
        add_size(st.st_size)
    return mtimes, sizes


def _kept(
    names: list[str], mtimes: array[int], sizes: array[int]
) -> tuple[list[str], array[int], array[int]]:
    """:func:`_stat_marked`'s result without the files gone meanwhile."""
    if min(sizes, default=0) >= 0:
        return names, mtimes, sizes
    there = [i for i, size in enumerate(sizes) if size >= 0]
    return (
        [names[i] for i in there],
        array("q", (mtimes[i] for i in there)),
        array("q", (sizes[i] for i in there)),
    )


def _processes() -> int:
    """How many processes may share a scan: the cores this process may run
    on, at most :data:`FORK_MAX`; 1 where it may not fork."""
    import sys

    # Linux only: a fork there is cheap and safe for what the copy does (macOS
    # libraries may not survive one, which is why multiprocessing spawns there)
    if not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return 1
    try:
        # one thread, this one: a copy of a process with other threads (a
        # file watcher's, say, which Python's threading module does not
        # count) may find a lock held forever
        if len(os.listdir("/proc/self/task")) != 1:
            return 1
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return 1
    return min(cores, FORK_MAX)


class _Forked:
    """A forked process statting ``names``: :meth:`result` reads what it
    sent; :meth:`close` (always) closes the pipe and waits for it."""

    def __init__(self, pid: int, fd: int, names: list[str]) -> None:
        self.pid, self.fd, self.names = pid, fd, names
        self.status: int | None = None

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if self.status is None:
            _, self.status = os.waitpid(self.pid, 0)

    def result(self) -> tuple[list[str], array[int], array[int]] | None:
        """The names still there, their times and sizes; None if the process failed."""
        chunks = []
        while True:
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        self.close()
        data = b"".join(chunks)
        n = len(self.names)
        if self.status != 0 or len(data) != 16 * n:
            return None
        mtimes: array[int] = array("q")
        sizes: array[int] = array("q")
        mtimes.frombytes(data[: 8 * n])
        sizes.frombytes(data[8 * n :])
        return _kept(self.names, mtimes, sizes)


def _stat_forked(fd: int, names: list[str]) -> _Forked | None:
    """A process forked to stat ``names`` (in the folder open as ``fd``),
    writing their times and sizes to a pipe (size -1: gone); None if it
    cannot be forked."""
    try:
        r, w = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(r)
        os.close(w)
        return None
    if pid == 0:  # pragma: no cover - the child (its coverage is not collected)
        code = 1
        try:
            os.close(r)
            mtimes, sizes = _stat_marked(fd, names)
            view = memoryview(mtimes.tobytes() + sizes.tobytes())
            while view:
                view = view[os.write(w, view) :]
            code = 0
        finally:
            # never back into the caller's code: this is a copy of its process
            os._exit(code)
    os.close(w)
    return _Forked(pid, r, names)


def differences(old: array[int], new: array[int], block: int = 512) -> set[int]:
    """Positions where two arrays of the same length differ."""
    out: set[int] = set()
    for start in range(0, len(new), block):
        end = start + block
        if old[start:end] != new[start:end]:
            out.update(i for i in range(start, min(end, len(new))) if old[i] != new[i])
    return out
