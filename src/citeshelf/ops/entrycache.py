"""The entries the index keeps of each record, for the commands that write
one text per record: ``export`` (a BibTeX entry) and ``bibliography`` (its
sort data and its reference-list entry).

An entry is kept under a *variant* that starts with the code's stamp
(:func:`code_stamp_hex`) and names what else it depends on (the format and
options, the style and edition), with the size and time of the record's file
and of its book's file as the index saw them. It is used while both files
have them still; it is kept only if the files were not modified within a
clock tick of the command's start (as the index treats "racy" files). A
record whose entry depends on other records (a reprint's original, a book's
own parent) is not kept by the callers.
"""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any, TypeVar

from ..library.scan import racy

if TYPE_CHECKING:
    from ..library.index import FileRow

__all__ = ["EntryCache", "code_stamp_hex"]

_C = TypeVar("_C", bound="EntryCache")
#: a record file's time and size and its book's (None, None without one)
Seen = tuple[int, int, "int | None", "int | None"]


class EntryCache:
    """The index's record files and kept entries, for one command (see the
    module docstring)."""

    def __init__(self, library: Any, index: Any, started: int) -> None:
        """``index`` brought up to date at ``started`` (every file compared)."""
        self.library, self.index, self.started = library, index, started
        self.files: dict[str, FileRow]
        #: the scan's digest of the files ``files`` describes ("": some are racy)
        self.digest: str
        self.files, self.digest = index.snapshot()
        self.rows: list[tuple[str, int, int, int | None, int | None, str]] = []
        #: every entry written so far is valid for the scan: a kept one, or one
        #: made from its file as the scan saw it (a whole output may be kept)
        self.complete = True
        self.swept = False
        self._sorted: list[str] | None = None  # the keys, in order

    @classmethod
    def open(cls: type[_C], library: Any) -> _C | None:
        """The cache of ``library``'s index, brought up to date; None without
        an index (``$CITESHELF_INDEX_DIR=off``, no SQLite, an unwritable cache)."""
        import sqlite3

        path = getattr(library, "path", None)
        if path is None or not hasattr(library, "path_for"):
            return None
        from ..library.index import open_index

        started = time.time_ns()
        index = open_index(path, refresh=False)
        if index is None:
            return None
        try:
            # every file's size and time, even with $CITESHELF_INDEX_CHECK=folder
            # (which misses a file edited in place): a kept entry must be current
            index.refresh(files=True)
            return cls(library, index, started)
        except (OSError, sqlite3.Error):
            index.close()
            return None

    def close(self) -> None:
        self.index.close()

    def keys(self) -> list[str]:
        """Every record key, sorted: the index's, which its refresh has just
        compared with the folder (the store would list the folder again)."""
        if self._sorted is None:
            self._sorted = list(self.files)
        return list(self._sorted)

    def readable(self, key: str) -> bool:
        row = self.files.get(key)
        return row is not None and row[2] is None

    def parent(self, key: str) -> tuple[bool, str | None]:
        """Whether the index read ``key``'s file, and the record's parent key
        (None: it has none)."""
        row = self.files.get(key)
        if row is None or row[2] is not None:
            return False, None
        return True, row[3]

    def entries(self, variant: str, keys: list[str]) -> dict[str, str]:
        """The valid kept entries of ``keys``: read as a range of the table
        when they are most of the keys between the first and the last."""
        import sqlite3
        from bisect import bisect_left, bisect_right

        span = None
        if keys == sorted(keys):
            if self._sorted is None:
                self._sorted = list(self.files)
            first, last = keys[0], keys[-1]
            inside = bisect_right(self._sorted, last) - bisect_left(self._sorted, first)
            if inside <= 2 * len(keys):
                span = (first, last)
        try:
            return self.index.entries(variant, keys, self.files, span)
        except sqlite3.Error:
            return {}

    def _unchanged(self, key: str) -> tuple[int, int] | None:
        """The size and time the index saw of ``key``'s file, if the file has
        them still and was not modified within a clock tick of the start."""
        row = self.files.get(key)
        if row is None or row[2] is not None or row[0] < 0:
            return None
        try:
            st = os.stat(self.library.path_for(key))
        except OSError:
            return None
        if (st.st_mtime_ns, st.st_size) != row[:2] or racy(st.st_mtime_ns, self.started):
            return None
        return row[0], row[1]

    def keep(self, key: str, parent: str | None, text: str, *, alone: bool = True) -> None:
        """Keep ``key``'s entry, written from its file (and its book ``parent``'s);
        not ``alone``: it depends on the other entries written too (a repeated
        ``crossref``), so it is not kept (a whole output, which the scan's
        digest of every file covers, still is). An entry that cannot be kept
        (its file changed since the scan, or was modified too recently to
        trust its time) leaves ``complete`` false: no whole output is kept."""
        if alone:
            self.keep_seen(key, text, self.seen(key, parent))

    def seen(self, key: str, parent: str | None) -> Seen | None:
        """The size and time of ``key``'s file and of its book's as the scan
        saw them, if they have them still (checked once the files were read
        for an entry: the entry is made from them); None: not to be kept."""
        row = self.files.get(key)
        if row is None or row[3] != (parent or None):
            return None
        own = self._unchanged(key)
        if own is None:
            return None
        book: tuple[int | None, int | None] = (None, None)
        if parent:
            seen = self._unchanged(parent)
            if seen is None:
                return None
            book = seen
        return (*own, *book)

    def keep_seen(self, key: str, text: str, seen: Seen | None) -> None:
        """Keep ``key``'s entry made from files :meth:`seen` vouched for."""
        if seen is None:
            self.complete = False
            return
        self.rows.append((key, *seen, text))

    def save(self, variant: str) -> None:
        """Store the entries kept since the last call (the first time, those
        of other code go)."""
        if self.rows:
            self._put(variant)

    def _put(self, variant: str) -> bool:
        """Store the entries kept since the last call
        (:meth:`~citeshelf.library.index.Index.put_entries`); False if the
        index would not take them (only a cache: a locked or read-only index
        keeps none)."""
        import sqlite3

        try:
            # the first time, entries of other code go
            stamp = None if self.swept else code_stamp_hex() + "|"
            self.index.put_entries(variant, stamp, self.rows)
            self.swept = True
            return True
        except sqlite3.Error:
            return False
        finally:
            self.rows = []


def code_stamp_hex() -> str:
    """The code an entry was written by (:func:`.showmemo.code_stamp`): an
    entry kept by other code is never used."""
    from .showmemo import code_stamp

    return code_stamp().hex()
