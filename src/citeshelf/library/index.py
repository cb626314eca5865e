"""A derived SQLite index of a library, for fast queries over large libraries.

The record files are the source of truth; the index is a cache of what a
query needs (folded words per field, type, year, key, parent, DOI, ISBNs, tags)
and of what ``list`` prints (creators, year, title). It can be deleted at any
time: the next command rebuilds it (``citeshelf reindex`` does so at once).

Where it lives, and its tables: :mod:`.schema` (one SQLite file per library
in the per-user cache folder; nothing is ever written inside the records
folder).

Freshness: before answering, the index compares each record file's size and
modification time (nanoseconds) with what it indexed (:mod:`.scan`: one
``stat`` per file; a digest of the whole listing says at once whether
anything changed), and re-reads only the files that were added, changed or
removed (by citeshelf, an editor, or ``git pull``). Changed files are
validated by the store (:class:`.store.RecordStore`) exactly as other
commands read them. A file modified within a clock tick of the scan is
read again by the next command ("racy" times, as git does). With
``$CITESHELF_INDEX_CHECK=folder`` only the folder's modification time is
checked (see :meth:`Index.refresh`). A chapter is indexed as resolved through
its book (so ``year:2014`` finds a chapter whose date is its book's); when a
book changes, its chapters are re-resolved.

Concurrency: SQLite in WAL mode with a busy timeout; every update happens in
one ``BEGIN IMMEDIATE`` transaction that re-reads the indexed state after taking
the write lock, so two processes updating at once neither corrupt the file nor
index a change twice. An unreadable or outdated index file is deleted and
rebuilt (one that lacks only indexes a later schema added gets them, its rows
kept: ``schema.ADDED_INDEXES``); if no index can be used at all, callers fall
back to reading the record files.

Exported entries: ``export`` keeps each BibTeX and BibLaTeX entry it
writes in the ``entries`` table (:meth:`Index.entries`,
:meth:`Index.put_entries`; what a variant is and when an entry is kept:
:mod:`citeshelf.ops.exporting`). A row is used only while its record's
file, and its book's, have the size and time the ``records`` table holds;
a record read again or removed here drops its rows. An export of every
record also keeps its whole text (:meth:`Index.output`, in a file beside
the index: :mod:`.outputs`), used while the scan's digest of the folder is
the one it was made with.

What a record contributes is read from its JSON data (:mod:`.jsondata`,
:mod:`.terms`; the printed texts from :mod:`citeshelf.model.display`). None of
these modules imports Pydantic or anything else heavy: ``list`` and
``chapters`` answer from an up-to-date index without loading the data model,
which is imported (with the store) only to validate files that changed. Large
builds validate files in forked worker processes.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from operator import itemgetter

from ..errors import InvalidData
from ..model.display import (
    book_line,
    creators_cell,
    full_title,
    short_names,
)
from ..model.display import people as _people
from ..model.display import text as _text
from ..model.display import year as _year
from ..model.fold import fold
from ..model.inherit import inherited
from ..model.keyfiles import file_stem
from ..model.order import TIE_ORDER, chapter_sort_key
from ..progress import NullProgress
from .jsondata import isbns as _isbns
from .jsondata import listed_words, parent_hint
from .jsondata import names_words as _names_words
from .jsondata import str_list as _str_list
from .safeio import file_digest, max_record_bytes, read_regular
from .scan import (
    ENV_INDEX_CHECK,
    SUFFIX,
    Scan,
    listing_id,
    listing_to_keep,
    name_key,
    racy,
    record_name,
)
from .schema import (
    ENV_INDEX_DIR,
    FTS,
    NOFTS,
    SCHEMA_VERSION,
    SECONDARY_INDEXES,
    TABLES,
    TEXT_FIELDS,
    has_fts5,
    index_off,
    index_path,
    index_path_text,
    upgrade_steps,
)
from .terms import norm_doi, norm_tag, tokens

TYPE_CHECKING = False  # typing itself is not imported by a warm ``list``
if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path
    from typing import Any

    from ..progress import Progress, ProgressFactory
    from .outputs import Outputs, OutputWriter
    from .store import RecordStore

__all__ = [
    "Index",
    "IndexProblem",
    "IndexRow",
    "doc_text",
    "extract",
    "extract_own",
    "index_path",  # (the index file's path, from .schema)
    "inheritable",
    "open_index",
    "rebuild_index",
    "Rebuilt",
    "prepare",
    "resolve_doc",
]

# ---------------------------------------------------------------------------
# What a record contributes to the index (from its JSON data, without Pydantic)


def _words(value: object) -> str:
    return " ".join(tokens(_text(value) or ""))


#: How the index stores the fields a chapter can take from its book (which
#: fields those are is the model's rule: ``inherited("index")``).
_INDEXED_INHERITED: dict[str, tuple[str, Callable[[object], Any]]] = {
    "editors": ("editor", _names_words),
    "issued": ("year", _year),
    "publisher": ("publisher", _words),
    "isbn": ("isbn", _isbns),
}
_INHERITED_ROWS = tuple(
    (row.field, *_INDEXED_INHERITED[row.field], row.children)
    for row in inherited("index")
    if row.field in _INDEXED_INHERITED
)


def inheritable(data: Mapping[str, Any]) -> dict[str, Any]:
    """The indexed values a chapter takes from this record when it is its book."""
    return {name: read(data.get(field)) for field, name, read, _ in _INHERITED_ROWS}


def extract(data: Mapping[str, Any], book: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Everything a query can test, from a record's JSON data.

    ``book`` is :func:`inheritable` of the chapter's book: as the model's rule
    says (:mod:`citeshelf.model.inherit`, use "index"), a chapter without
    editors, date, publisher or ISBN takes the book's. Text fields are folded words joined by
    single spaces.
    """
    return resolve_doc(extract_own(data), book)


def _tie_order(data: Mapping[str, Any]) -> str | None:
    """A record's :data:`~citeshelf.model.order.TIE_ORDER`, as JSON, if it has one."""
    extra = data.get("extra")
    keys = extra.get(TIE_ORDER) if isinstance(extra, dict) else None
    if isinstance(keys, list) and all(isinstance(k, str) for k in keys):
        return json.dumps(keys, ensure_ascii=False)
    return None


def _tag_spellings(value: object) -> dict[str, str]:
    """Each folded tag -> the record's first tag that folds so, spaces
    collapsed as the record model stores it."""
    out: dict[str, str] = {}
    for t in _str_list(value):
        out.setdefault(norm_tag(t), " ".join(t.split()))
    return out


def extract_own(data: Mapping[str, Any]) -> dict[str, Any]:
    """The record's own part of :func:`extract` (before resolving a chapter)."""
    key = str(data.get("key") or "")
    shown = _tag_spellings(data.get("tags"))
    return {
        "key": key,
        "fkey": fold(key),
        "words_key": " ".join(tokens(key)),
        "type": fold(str(data.get("type") or "")),
        "parent": fold(_text(data.get("parent")) or "") or None,
        "doi": norm_doi(d) if (d := _text(data.get("doi"))) else None,
        "tag": sorted(shown),
        "tag_shown": shown,
        "related": sorted(
            {
                fold(k)
                for r in data.get("related") or ()
                if isinstance(r, dict) and (k := r.get("key"))
            }
        ),
        "tie": _tie_order(data),
        "title": " ".join(
            w
            for f in ("title", "subtitle", "short_title")
            for w in tokens(_text(data.get(f)) or "")
        ),
        "author": _names_words(data.get("authors")),
        "translator": _names_words(data.get("translators")),
        "abstract": " ".join(tokens(_text(data.get("abstract")) or "")),
        "journal": " ".join(tokens(_text(data.get("journal")) or "")),
        "institution": " ".join(tokens(_text(data.get("institution")) or "")),
        "inh": inheritable(data),
        "listed": listed_words(data),
    }


def resolve_doc(own: Mapping[str, Any], book: Mapping[str, Any] | None) -> dict[str, Any]:
    """:func:`extract_own`'s result completed with the book's data (for a chapter)."""
    inh = dict(own["inh"])
    if book is not None and own["parent"]:
        for _field, name, _read, children in _INHERITED_ROWS:
            if own["type"] in children and not inh[name] and book.get(name):
                inh[name] = book[name]
    doc = dict(own)
    doc["editor"], doc["year"], doc["isbn"] = inh["editor"], inh["year"], inh["isbn"]
    doc["publisher"] = " ".join(p for p in (inh["publisher"], own["institution"]) if p)
    return doc


def doc_text(doc: Mapping[str, Any], field: str) -> str:
    return doc["words_key"] if field == "key" else doc[field]


# ---------------------------------------------------------------------------
# The index


#: An indexed record file as :meth:`Index.files` gives it: (mtime_ns, size,
#: problem, parent key, key).
FileRow = tuple[int, int, "str | None", "str | None", str]


class IndexRow:
    """What ``list`` prints for one record."""

    __slots__ = ("key", "type", "creators", "year", "title")

    def __init__(self, key: str, type_: str, creators: str, year: int | None, title: str) -> None:
        self.key, self.type, self.creators, self.year, self.title = (
            key,
            type_,
            creators,
            year,
            title,
        )


class IndexProblem:
    """A record file the index could not read (same text as the store's problems)."""

    def __init__(self, key: str, path: Path, reason: str) -> None:
        self.key, self.path, self.reason = key, path, reason

    def __str__(self) -> str:
        return self.reason


class Index:
    """The index of one library. Use :func:`open_index`."""

    def __init__(
        self, library_path: str | os.PathLike[str], path: str | os.PathLike[str] | None = None
    ) -> None:
        # as text: a warm ``list`` does not import pathlib (about 3 ms)
        self.library_text = os.fspath(library_path)
        self.path_text = os.fspath(path) if path is not None else index_path_text(library_path)
        self.con: Any = None
        self.fts5 = True
        self.stats = {"read": 0, "removed": 0, "resolved": 0}
        self._records: RecordStore | None = None
        self._started = 0
        self._racy_keys: set[str] = set()
        self._seen: dict[str, tuple[int, int]] = {}
        self._racy = 0
        self._fresh = False
        #: the id the next new record takes (found by the first write of an update)
        self._next_id: int | None = None
        #: rows made by :meth:`_store`, not yet written
        self._pending: list[tuple[tuple[Any, ...], tuple[str, ...] | None, list[Any]]] = []

    @property
    def library_path(self) -> Path:
        from pathlib import Path

        return Path(self.library_text)

    @property
    def path(self) -> Path:
        """The index file."""
        from pathlib import Path

        return Path(self.path_text)

    # -- opening ----------------------------------------------------------------

    def open(self) -> Index:
        import sqlite3

        try:
            self._connect()
        except sqlite3.DatabaseError:
            # Not a database, or damaged: it is only a cache, start afresh.
            self.close()
            self.delete_files()
            self._connect()
        return self

    def _connect(self) -> None:
        import sqlite3

        folder = os.path.dirname(self.path_text)
        if folder:
            os.makedirs(folder, exist_ok=True)
        con = sqlite3.connect(self.path_text, timeout=60, isolation_level=None)
        self.con = con
        try:
            con.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError:  # pragma: no cover - e.g. a file system without shm
            pass
        con.execute("PRAGMA synchronous=NORMAL")
        version = con.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            self._create()
        else:
            row = con.execute("SELECT value FROM meta WHERE name='fts5'").fetchone()
            self.fts5 = bool(row and row[0] == "1")

    def _create(self) -> None:
        con = self.con
        con.execute("BEGIN IMMEDIATE")
        try:
            version = con.execute("PRAGMA user_version").fetchone()[0]
            steps = upgrade_steps(version)
            if steps is not None:
                # the same schema (another process created it or brought it
                # up to date meanwhile), or one that lacks only indexes
                for stmt in steps:
                    con.execute(stmt)
                if steps:
                    con.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                con.execute("COMMIT")
                row = con.execute("SELECT value FROM meta WHERE name='fts5'").fetchone()
                self.fts5 = bool(row and row[0] == "1")
                return
            for (name,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name IN "
                "('meta','records','vals','fts','entries','outputs')"  # outputs: before 12
            ).fetchall():
                con.execute(f"DROP TABLE IF EXISTS {name}")
            for stmt in TABLES:
                con.execute(stmt)
            self.outputs.clear()  # kept under the old schema
            self.fts5 = has_fts5()
            con.execute(FTS if self.fts5 else NOFTS)
            con.execute("INSERT INTO meta VALUES ('fts5', ?)", ("1" if self.fts5 else "0",))
            con.execute(
                "INSERT INTO meta VALUES ('library', ?)", (os.path.realpath(self.library_text),)
            )
            con.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            con.execute("COMMIT")
        except BaseException:
            _rollback(con)
            raise

    def close(self) -> None:
        if self.con is not None:
            try:
                self.con.close()
            except Exception:  # pragma: no cover
                pass
            self.con = None

    def delete_files(self) -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            try:
                os.unlink(self.path_text + suffix)
            except OSError:
                pass
        self.outputs.clear()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- keeping it fresh ---------------------------------------------------

    def scan(self, names: list[str] | None = None) -> Scan:
        """Name, modification time and size of every record file (one stat each).

        A commit a crashed process left is completed first, and what
        interrupted writes left is removed (by the store). ``names``: as
        :meth:`Scan.of` (the folder is known not to have changed since a
        listing without leftovers)."""
        scan = Scan.of(self.library_text, names)
        if scan.leftovers:
            store = self._library()
            store.recover()
            if store.clean_leftovers(wait=False) or store.cleaned:
                scan = Scan.of(self.library_text)
        return scan

    def refresh(
        self,
        *,
        full: bool = False,
        progress: ProgressFactory | None = None,
        files: bool = False,
        written: Mapping[str, bytes] | None = None,
        scanned: tuple[Scan, int] | None = None,
    ) -> dict[str, int]:
        """Bring the index up to date with the record files; ``full`` re-reads all.

        How changes are found depends on ``$CITESHELF_INDEX_CHECK``: ``files``
        (the default) compares every record file's size and modification time
        with what was indexed; ``folder`` looks at the folder's modification
        time only, and scans the files when it changed (files added, removed
        or replaced, as citeshelf, git and most editors do), which misses a
        file edited in place -- much faster for very large libraries.

        ``progress``, if given, is called with the number of files to read and
        returns a context manager with ``advance(n)`` (``render.progress``).
        ``files`` compares every file whatever ``$CITESHELF_INDEX_CHECK`` says
        (``export``, which writes kept entries only for unchanged files).
        ``written`` maps keys to the :func:`file_digest` of the text a
        citeshelf command has just written to their files from records it
        holds (an import): a file that still holds exactly that text is
        indexed without being validated again. ``scanned``: a scan of the
        folder the caller made (``(scan, started)``: :meth:`Scan.of` begun at
        ``started``, a time in ns, with no leftovers of interrupted writes),
        used instead of scanning again unless the folder's time says a file
        was added or removed since (with ``$CITESHELF_INDEX_CHECK=folder``
        the folder's time decides first, as without it).
        Returns counts: files read, rows removed, chapters re-resolved.
        """
        con = self.con
        none = {"read": 0, "removed": 0, "resolved": 0}
        st = os.stat(self.library_text)
        folder = str(st.st_mtime_ns)
        # (taken before the folder is listed: see ``listing`` below)
        listed = listing_id(st)
        # (not the last scan's state, which is large: read only to compare
        # with a new one, or for its names when the folder is as it was)
        meta = dict(con.execute("SELECT name, value FROM meta WHERE name != 'state'"))
        by_folder = not files and os.environ.get(ENV_INDEX_CHECK, "files").lower() == "folder"
        if not full and by_folder and meta.get("folder") == folder and meta.get("digest"):
            return none
        old: Scan | None = None
        old_digest = ""
        if (
            scanned is not None
            and not scanned[0].leftovers
            # (a file added or removed since the scan changed the folder's time)
            and not racy(int(folder), scanned[1])
        ):
            scan, started = scanned
        else:
            started = time.time_ns()
            if not full and meta.get("listing") == listed:
                # The folder's entries are those the last update listed:
                # stat the files it saw, without listing the folder.
                old, old_digest = self._listed_scan(listed)
            scan = self.scan(old.names if old is not None else None)
        if old is not None and old_digest and scan.same(old):
            # (what the last update saw, which was clean: nothing to do)
            return none
        digest = scan.digest()
        # (the folder as it was before this scan listed it: while it stays so,
        # the next update need not list it; not when the listing held
        # leftovers of an interrupted write, which are to be seen and cleaned,
        # nor when the folder changed within a clock tick of the scan, as a
        # change just after it could leave its times as they are)
        listing = "" if scan.leftovers else listing_to_keep(st, started)
        if not full and meta.get("digest") == digest:
            if by_folder and meta.get("folder") != folder:
                con.execute("INSERT OR REPLACE INTO meta VALUES ('folder', ?)", (folder,))
            if listing and meta.get("listing") != listing:
                self._note_listing(listing, digest)
            return none
        con.execute("BEGIN IMMEDIATE")
        try:
            stats = self._apply(scan, full, progress, started, written or {})
            # A file modified moments before the scan may change again within
            # the file system's timestamp granularity: such ("racy") files are
            # stored without their time, so the next command reads them again.
            unsure = self._racy_keys
            clean = not unsure
            stats.pop("racy")
            con.execute("INSERT OR REPLACE INTO meta VALUES ('state', ?)", (scan.dump(unsure),))
            con.execute(
                "INSERT OR REPLACE INTO meta VALUES ('digest', ?)", (digest if clean else "",)
            )
            con.execute(
                "INSERT OR REPLACE INTO meta VALUES ('folder', ?)", (folder if clean else "",)
            )
            con.execute("INSERT OR REPLACE INTO meta VALUES ('listing', ?)", (listing,))
            con.execute("COMMIT")
        except BaseException:
            _rollback(con)
            raise
        self.stats = stats
        return stats

    def _apply(
        self,
        scan: Scan,
        full: bool,
        progress: ProgressFactory | None,
        started: int,
        written: Mapping[str, bytes],
    ) -> dict[str, int]:
        con = self.con
        self._started = started
        self._racy = 0
        self._racy_keys = set()
        self._next_id = None
        if full:
            changed = scan.keys()
            self._seen = scan.as_dict()
            removed: list[str] = []
            for table in ("records", "vals", "fts", "entries"):
                con.execute(f"DELETE FROM {table}")
            self.outputs.clear()
            self._fresh = True
        else:
            changed, removed, self._seen = self._diff(scan)
            self._delete(removed)
            # no record indexed yet (a library's first import): every row is new
            self._fresh = con.execute("SELECT 1 FROM records LIMIT 1").fetchone() is None
            if self._fresh:
                for table in ("vals", "fts"):  # (rows of no record: none, but never kept)
                    con.execute(f"DELETE FROM {table}")
        # Many rows into empty tables: their indexes are built once the rows
        # are in, and no row is looked for (indexing a first import of 100,000
        # records: 11.2 s -> 9.7 s, of 10,000: 1.32 s -> 1.19 s).
        bulk = self._fresh and len(changed) >= BULK_MIN
        if bulk:
            for name, _sql in SECONDARY_INDEXES:
                con.execute(f"DROP INDEX IF EXISTS {name}")
        fresh = self._fresh
        # Pass 1: every changed file, a chapter resolved through its book when
        # the book is not itself still to be read in this pass.
        # key -> inheritable data as the JSON text stored (None: unreadable),
        # text rather than dicts: at 100k records the dicts alone were 50 MB
        known: dict[str, str | None] = {}
        if written:
            # the order a command wrote them in (an import writes books
            # first): a chapter then finds its book read before it
            order = {k: i for i, k in enumerate(written)}
            changed = sorted(changed, key=lambda k: order.get(k, len(order)))
        pending = set(changed)
        deferred: list[Prepared] = []
        items = self._prepare_all(changed, written)
        bar: Progress = progress(len(changed)) if progress is not None else NullProgress()
        try:
            with bar:
                for item in items:
                    key, parent = item[0], item[4]
                    pending.discard(key)
                    known[key] = item[3]
                    bar.advance(1)
                    if item[6] is not None and parent in pending:
                        deferred.append(item)  # (a chapter before its book)
                        continue
                    self._store(item, self._book_of(item, known))
                for item in deferred:
                    self._store(item, self._book_of(item, known))
                self._flush()
        finally:
            self._pending = []
            self._fresh = False
        if bulk:
            for _name, sql in SECONDARY_INDEXES:
                con.execute(sql)
        # Pass 2 (an update): the unchanged chapters of every book that changed
        # or went away (none when nothing was indexed before).
        again: set[str] = set()
        if not fresh:
            touched = sorted(set(changed) | set(removed))
            for batch in _batches(touched, 500):
                marks = ",".join("?" * len(batch))
                again.update(
                    k
                    for (k,) in con.execute(
                        f"SELECT key FROM records WHERE parent IN ({marks})",
                        [fold(b) for b in batch],
                    )
                )
            again -= set(changed)
        for key in sorted(again):
            item = prepare(self._library(), key)
            self._store(item, self._book_of(item, known))
        self._flush()
        return {
            "read": len(changed),
            "removed": len(removed),
            "resolved": len(deferred) + len(again),
            "racy": self._racy,
        }

    def _stored_scan(self) -> Scan | None:
        """The scan the last update stored (None if none, or unreadable)."""
        row = self.con.execute("SELECT value FROM meta WHERE name = 'state'").fetchone()
        return Scan.load(row[0]) if row else None

    def _note_listing(self, listing: str, digest: str) -> None:
        """Note ``listing`` as what the folder was when the stored state was
        listed, if that state is still the one of ``digest`` (one statement:
        an update committed meanwhile keeps its own). Only a saving: skipped
        when another process is writing, or the index cannot be written."""
        import sqlite3

        con = self.con
        con.execute("PRAGMA busy_timeout = 0")
        try:
            con.execute(
                "INSERT OR REPLACE INTO meta SELECT 'listing', ? "
                "WHERE (SELECT value FROM meta WHERE name = 'digest') = ?",
                (listing, digest),
            )
        except sqlite3.OperationalError:
            pass
        finally:
            con.execute("PRAGMA busy_timeout = 60000")

    def _listed_scan(self, listed: str) -> tuple[Scan | None, str]:
        """The scan the last update stored and its digest ("" when some file
        was to be read again), if the folder's :func:`listing_id` is still
        ``listed``, the one it was listed under; read together (an update
        committed meanwhile may be of an older listing)."""
        con = self.con
        con.execute("BEGIN")
        try:
            rows = dict(
                con.execute(
                    "SELECT name, value FROM meta WHERE name IN ('listing', 'state', 'digest')"
                )
            )
        finally:
            con.execute("COMMIT")
        if rows.get("listing") != listed or "state" not in rows:
            return None, ""
        return Scan.load(rows["state"]), rows.get("digest") or ""

    def _diff(self, scan: Scan) -> tuple[list[str], list[str], dict[str, tuple[int, int]]]:
        """Keys of the files added or changed, of those removed, and what the
        scan saw of the changed ones, against the state stored by the last
        update (read under the write lock)."""
        old = self._stored_scan()
        stored = None
        if old is None:
            stored = {
                k: (m, s) for k, m, s in self.con.execute("SELECT key, mtime_ns, size FROM records")
            }
        return scan.changes(old, stored)

    def _prepare_all(
        self, keys: list[str], written: Mapping[str, bytes] | None = None
    ) -> Iterator[Prepared]:
        """:func:`prepare` for each key, in order; in worker processes for many keys.

        The workers are forked here, at once, before any progress bar thread
        starts; they only read record files, never touch the inherited SQLite
        connection, and leave with ``os._exit`` (no finalisers run).
        """
        workers = min(os.cpu_count() or 1, 4)
        pool = None
        if len(keys) >= PARALLEL_MIN and workers >= 2:
            import multiprocessing

            if "fork" in multiprocessing.get_all_start_methods():
                pool = multiprocessing.get_context("fork").Pool(workers)
        written = written or {}
        if pool is None:
            library = self._library()
            return (prepare(library, key, written.get(key)) for key in keys)
        jobs = (
            (self.library_text, b, [written.get(k) for k in b])
            for b in _batches(keys, PREPARE_BATCH)
        )

        def results() -> Iterator[Prepared]:
            # At most IN_FLIGHT batches asked for and not yet taken: the
            # workers prepare faster than the index stores, and ``imap`` would
            # keep every batch they finish (100 MB at 100,000 records).
            from collections import deque

            asked: deque = deque()
            try:
                for job in jobs:
                    asked.append(pool.apply_async(_prepare_batch, (job,)))
                    if len(asked) >= IN_FLIGHT:
                        yield from asked.popleft().get()
                while asked:
                    yield from asked.popleft().get()
                pool.close()
            finally:
                pool.terminate()
                pool.join()

        return results()

    def _book_of(self, item: Prepared, known: dict[str, str | None]) -> dict[str, Any] | None:
        """The book's inheritable data of a record prepared without it (None for the others)."""
        parent = item[4]
        return self._book(parent, known) if item[6] is not None and parent else None

    def _book(self, parent: str, known: dict[str, str | None]) -> dict[str, Any] | None:
        """The inheritable data of the book ``parent``: read in this pass, or indexed."""
        if parent in known:
            text = known[parent]
        else:
            row = self.con.execute("SELECT inh FROM records WHERE key = ?", (parent,)).fetchone()
            text = known[parent] = row[0] if row and row[0] else None
        return json.loads(text) if text else None

    def _library(self) -> RecordStore:
        """The store, to validate changed files exactly as every other command
        does (this is the only place the index loads the data model)."""
        if self._records is None:
            from .store import RecordStore

            self._records = RecordStore(self.library_path)
        return self._records

    def _delete(self, keys: list[str]) -> None:
        """Remove the rows of the records of ``keys``."""
        con = self.con
        for batch in _batches(keys, 500):
            marks = ",".join("?" * len(batch))
            found = dict(con.execute(f"SELECT key, id FROM records WHERE key IN ({marks})", batch))
            rids = self._drop_rows(found)
            con.executemany("DELETE FROM records WHERE id = ?", rids)

    def _drop_rows(self, ids: Mapping[str, int]) -> list[tuple[int]]:
        """Delete the word rows, values and kept entries of the records of
        ``ids`` (key -> id); their ids, sorted. Word rows go in id order:
        SQLite's FTS5 writes out the words it holds for a transaction whenever
        a row's id is not above the last one's, which made deleting the words
        of 100 records in random order from an index of 100,000 take
        110-150 ms, 1-6 ms in order."""
        con = self.con
        rids = [(rid,) for rid in sorted(ids.values())]
        con.executemany("DELETE FROM fts WHERE rowid = ?", rids)
        con.executemany("DELETE FROM vals WHERE rid = ?", rids)
        con.executemany("DELETE FROM entries WHERE key = ?", [(k,) for k in ids])
        return rids

    def _store(self, item: Prepared, book: dict[str, Any] | None) -> None:
        """Write one prepared record's rows (in a batch of :data:`STORE_BATCH`:
        :meth:`_flush` writes them); ``book``: the inheritable data of the
        book of a record prepared without it."""
        key, stat, problem, _inh, parent, parts, unresolved = item
        seen = self._seen.get(key, stat)
        if racy(stat[0], self._started) or stat != seen:
            # racy, or changed again between the scan and the read: read it next time
            stat = (-1, stat[1])
            self._racy += 1
            self._racy_keys.add(key)
        if unresolved is not None:
            parts = row_parts(*unresolved, book, parent)
        if parts is None:
            # the parent named by a file that fails validation, if it has one,
            # so that ``chapters`` can report it
            values: tuple[Any, ...] = (
                key,
                stat[0],
                stat[1],
                problem,
                None,
                fold(key),
                None,
                fold(parent) if parent else None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
            )
            self._pending.append((values, None, []))
        else:
            tail, words, vals = parts
            self._pending.append(((key, stat[0], stat[1], None, *tail), words, vals))
        if len(self._pending) >= STORE_BATCH:
            self._flush()

    def _flush(self) -> None:
        """Write the rows :meth:`_store` made: a record already indexed
        loses its old rows and keeps its id, a new one takes the next ids."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        con = self.con
        ids: dict[str, int] = {}
        if not self._fresh:
            keys = [values[0] for values, _, _ in pending]
            marks = ",".join("?" * len(keys))
            ids = dict(con.execute(f"SELECT key, id FROM records WHERE key IN ({marks})", keys))
        if ids:
            self._drop_rows(ids)  # (in id order, as the word rows are added below)
        if self._next_id is None:
            (last,) = con.execute("SELECT max(id) FROM records").fetchone()
            self._next_id = (last or 0) + 1
        nxt = self._next_id
        inserts: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        fts: list[tuple[Any, ...]] = []
        rows: list[tuple[int, str, str, str | None]] = []
        for values, words, vals in pending:
            rid = ids.get(values[0])
            if rid is None:
                rid, nxt = nxt, nxt + 1
                inserts.append((rid, *values))
            else:
                updates.append((*values, rid))
            if words is not None:
                fts.append((rid, *words))
                rows += [(rid, *v) for v in vals]
        self._next_id = nxt
        if inserts:
            con.executemany(
                "INSERT INTO records(id, key, mtime_ns, size, problem, type, fkey, year, parent, "
                "doi, creators, title, chapter, authors_short, pages, line, inh, pkey) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                inserts,
            )
        if updates:
            con.executemany(
                "UPDATE records SET key=?, mtime_ns=?, size=?, problem=?, type=?, fkey=?, year=?, "
                "parent=?, doi=?, creators=?, title=?, chapter=?, authors_short=?, pages=?, "
                "line=?, inh=?, pkey=? WHERE id=?",
                updates,
            )
        if fts:
            fts.sort(key=lambda row: row[0])
            con.executemany(
                f"INSERT INTO fts(rowid, {', '.join(TEXT_FIELDS)}) "
                f"VALUES (?{',?' * len(TEXT_FIELDS)})",
                fts,
            )
        if rows:
            con.executemany("INSERT INTO vals(rid, field, value, shown) VALUES (?,?,?,?)", rows)

    # -- asking -------------------------------------------------------------

    def search(self, where: str = "", params: Iterable[Any] = ()) -> list[IndexRow]:
        """Readable records matching an SQL condition over ``r`` (see ``query.Query.sql``)."""
        rows = self._readable("key, type, creators, year, title", where, params)
        return [IndexRow(*row) for row in rows]

    def search_keys(self, where: str = "", params: Iterable[Any] = ()) -> list[str]:
        """The keys of :meth:`search`'s records, in order (nothing else is read)."""
        return [key for (key,) in self._readable("key", where, params)]

    def _readable(self, columns: str, where: str, params: Iterable[Any]) -> Any:
        sql = f"SELECT {columns} FROM records r WHERE problem IS NULL"
        if where:
            sql += f" AND ({where})"
        return self.con.execute(sql + " ORDER BY key", list(params))

    def tags(self) -> list[tuple[str, str]]:
        """(folded tag, tag as written) of every readable record, in key order
        (one row per record and folded tag)."""
        return list(
            self.con.execute(
                "SELECT v.value, v.shown FROM vals v JOIN records r ON r.id = v.rid "
                "WHERE v.field = 'tag' AND r.problem IS NULL ORDER BY r.key, v.value"
            )
        )

    def tie_orders(self) -> list[list[str]]:
        """The source orders readable records note of the records they tie
        with (:data:`citeshelf.model.order.TIE_ORDER`), each once."""
        rows = self.con.execute(
            "SELECT DISTINCT v.value FROM vals v JOIN records r ON r.id = v.rid "
            "WHERE v.field = 'tie' AND r.problem IS NULL ORDER BY v.value"
        )
        return [json.loads(value) for (value,) in rows]

    def problems(self) -> list[IndexProblem]:
        """The files that could not be read, in key order (the rows of the
        index ``records_problem``, which holds them alone)."""
        rows = self.con.execute(
            "SELECT key, problem FROM records WHERE problem IS NOT NULL ORDER BY key"
        )
        return [IndexProblem(k, self.library_path / f"{file_stem(k)}{SUFFIX}", p) for k, p in rows]

    def children(self, book_key: str) -> list[str]:
        """Keys of the records whose parent is ``book_key`` (in key order)."""
        return [
            k
            for (k,) in self.con.execute(
                "SELECT key FROM records WHERE parent = ? ORDER BY key", (fold(book_key),)
            )
        ]

    def linked(self, key: str) -> list[str]:
        """Keys of the records whose parent is ``key`` or that name it in a
        relation (in key order)."""
        return [
            k
            for (k,) in self.con.execute(
                "SELECT key FROM records WHERE parent = ? UNION SELECT r.key FROM vals v "
                "JOIN records r ON r.id = v.rid WHERE v.field = 'related' AND v.value = ? "
                "ORDER BY 1",
                (fold(key), fold(key)),
            )
        ]

    def tied(self, key: str) -> list[str]:
        """Keys of the records whose tie order
        (:data:`citeshelf.model.order.TIE_ORDER`) names ``key`` (in key order)."""
        rows = self.con.execute(
            "SELECT r.key, v.value FROM vals v JOIN records r ON r.id = v.rid "
            "WHERE v.field = 'tie' AND r.problem IS NULL ORDER BY r.key"
        )
        return [k for k, value in rows if key in json.loads(value)]

    def chapter_rows(self, book_key: str) -> tuple[list[tuple[str, ...]], list[str]]:
        """The chapters of ``book_key`` as ``chapters`` prints them, in order
        (number, then first page, then key), and the problems of unreadable
        files that name it as their parent."""
        rows: list[tuple[str, ...]] = []
        problems: list[str] = []
        for key, _type, chapter, authors, title, pages, problem in self.con.execute(
            "SELECT key, type, chapter, authors_short, title, pages, problem FROM records "
            "WHERE parent = ? ORDER BY key",
            (fold(book_key),),
        ):
            if problem is not None:
                problems.append(problem)
            else:
                rows.append((chapter or "", authors or "", title or "", pages or "", key))
        rows.sort(key=lambda r: chapter_sort_key(r[0], r[3], r[4]))
        return rows, problems

    def book(self, key: str) -> tuple[str, str] | None:
        """(type, book line) of a readable record, or None."""
        row = self.con.execute(
            "SELECT type, line FROM records WHERE key = ? AND problem IS NULL", (key,)
        ).fetchone()
        return (row[0], row[1] or "") if row else None

    def count(self) -> int:
        return self.con.execute("SELECT count(*) FROM records").fetchone()[0]

    # -- the cache of exported entries ----------------------------------------

    def files(self) -> dict[str, FileRow]:
        """Every indexed record file, in key order: key -> (mtime_ns, size,
        problem, parent key as the record spells it (None for a file that
        could not be read), key). SQLite orders keys as Python does (by code
        point). (The rows as SQLite gives them, each keyed by its last item:
        no tuple made per row, 175 -> 120 ms at 100k records.)"""
        rows = self.con.execute(
            "SELECT mtime_ns, size, problem, pkey, key FROM records ORDER BY key"
        ).fetchall()
        return dict(zip(map(itemgetter(4), rows), rows))

    def snapshot(self) -> tuple[dict[str, FileRow], str]:
        """:meth:`files` and the digest of the scan they are from ("" when
        some file is to be read again), read together."""
        con = self.con
        con.execute("BEGIN")
        try:
            files = self.files()
            row = con.execute("SELECT value FROM meta WHERE name = 'digest'").fetchone()
        finally:
            con.execute("COMMIT")
        return files, (row[0] if row and row[0] else "")

    @property
    def outputs(self) -> Outputs:
        """The whole outputs kept beside the index (:mod:`.outputs`)."""
        from .outputs import Outputs

        return Outputs(self.path.with_suffix(".outputs"))

    def output(self, variant: str, digest: str) -> Iterator[bytes] | None:
        """The kept whole output of ``variant`` made from the files as the
        scan's ``digest`` describes them, as its parts (read as they are
        iterated); None if there is none."""
        return self.outputs.read(variant, digest)

    def output_writer(self, variant: str, digest: str) -> OutputWriter:
        """A whole output of ``variant`` for ``digest``, to write in parts:
        it replaces the kept one when finished."""
        return self.outputs.writer(variant, digest)

    def entries(
        self,
        variant: str,
        keys: list[str],
        files: Mapping[str, FileRow],
        span: tuple[str, str] | None = None,
    ) -> dict[str, str]:
        """The cached entries of ``variant`` for ``keys`` (at most a few
        hundred) that are still valid: key -> text. ``files`` is what
        :meth:`files` returned; with ``span`` (the first and last key, in
        order) the entries between them are read as one range of the table
        (cheaper when ``keys`` are most of the keys in it), those of ``keys`` kept.

        An entry is valid while its record's file, and its book's if it has
        one, have the size and time the index saw when it was written (never
        a file stored without its time, i.e. read again by the next command)."""
        sql = "SELECT key, mtime_ns, size, pmtime_ns, psize, text FROM entries WHERE variant = ? "
        if span is not None:
            rows = self.con.execute(sql + "AND key >= ? AND key <= ?", (variant, *span))
            wanted: Any = set(keys)
        else:
            marks = ",".join("?" * len(keys))
            rows = self.con.execute(sql + f"AND key IN ({marks})", (variant, *keys))
            wanted = None
        out: dict[str, str] = {}
        get = files.get
        for key, mtime, size, pmtime, psize, text in rows:
            row = get(key)
            # (compared item by item: no tuple is made per row)
            if row is None or row[0] != mtime or row[1] != size or row[2] is not None:
                continue
            if mtime < 0 or (wanted is not None and key not in wanted):
                continue
            if row[3] is not None:
                book = files.get(row[3])
                if book is None or book[2] is not None or book[0] < 0:
                    continue
                if book[:2] != (pmtime, psize):
                    continue
            if isinstance(text, str):
                out[key] = text
        return out

    def put_entries(
        self,
        variant: str,
        stamp: str | None,
        rows: list[tuple[str, int, int, int | None, int | None, str]],
    ) -> None:
        """Store entries of ``variant``: (key, mtime_ns, size, book's mtime_ns,
        book's size, text); with ``stamp``, entries written by other code
        (whose variant does not start with ``stamp``) are dropped, and their
        whole outputs. Waits at most a second for another process's write:
        it is only a cache."""
        self._write(self._put_entries, variant, stamp, rows)
        if stamp is not None:
            self.outputs.sweep(stamp)

    def _write(self, step: Callable[..., None], *args: Any) -> None:
        con = self.con
        con.execute("PRAGMA busy_timeout = 1000")
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                step(*args)
                con.execute("COMMIT")
            except BaseException:
                _rollback(con)
                raise
        finally:
            con.execute("PRAGMA busy_timeout = 60000")

    def _put_entries(
        self,
        variant: str,
        stamp: str | None,
        rows: list[tuple[str, int, int, int | None, int | None, str]],
    ) -> None:
        con = self.con
        if stamp is not None:
            # once per code: the table is not scanned again while the last
            # sweep was this code's (at 100k records, 0.1-0.2 s each time)
            swept = con.execute("SELECT value FROM meta WHERE name = 'entries_code'").fetchone()
            if swept is None or swept[0] != stamp:
                con.execute(
                    "DELETE FROM entries WHERE substr(variant, 1, ?) != ?", (len(stamp), stamp)
                )
                con.execute("INSERT OR REPLACE INTO meta VALUES ('entries_code', ?)", (stamp,))
        con.executemany(
            "INSERT OR REPLACE INTO entries(key, variant, mtime_ns, size, pmtime_ns, psize, "
            "text) VALUES (?,?,?,?,?,?,?)",
            [(k, variant, m, s, pm, ps, t) for k, m, s, pm, ps, t in rows],
        )


#: (creators, title, chapter, authors, pages, book line) as ``list`` and ``chapters`` print them
Display = tuple[str, str, "str | None", str, "str | None", "str | None"]
#: A record's rows as :func:`row_parts` makes them: its ``records`` row after
#: key, time, size and problem; its words (:data:`TEXT_FIELDS`); its ``vals`` rows.
RowParts = tuple["tuple[Any, ...]", tuple[str, ...], list[tuple[str, str, "str | None"]]]
#: (key, (mtime_ns, size), problem, inheritable data as the JSON text stored,
#:  parent key, the rows (:data:`RowParts`) of a record that needs no book,
#:  (own document, display) of one that does). A file that fails validation
#:  has a problem and neither rows nor document; its parent key is the one it
#:  seems to name. The rows of most records are made where they are prepared
#:  (a worker, for many files), and what crosses to the process that writes
#:  them is small.
Prepared = tuple[
    str,
    tuple[int, int],
    "str | None",
    "str | None",
    "str | None",
    "RowParts | None",
    "tuple[dict[str, Any], Display] | None",
]
#: Records whose rows are written at once (:meth:`Index._store`).
STORE_BATCH = 500
#: From this many records indexed at once into empty tables on, the tables'
#: own indexes are made after their rows (:data:`~.schema.SECONDARY_INDEXES`).
BULK_MIN = 2000
#: From this many files to read on, worker processes validate them.
PARALLEL_MIN = 3000
#: keys a worker prepares at a time
PREPARE_BATCH = 250
#: batches of :func:`_prepare_batch` asked of the workers ahead of the one being stored
IN_FLIGHT = 8


def prepare(library: RecordStore, key: str, written: bytes | None = None) -> Prepared:
    """Read, validate and extract one record file.

    The file is validated by the store,
    so ``list`` reports exactly the problems the other commands report, and the
    data indexed is the record's normalised JSON form (what ``Query.matches``
    sees). A file whose bytes have the digest ``written`` (the text the store
    made of a record it held, which is that form already: see
    :meth:`Index.refresh`) is not validated again.
    """
    path = library.path_for(key)
    try:
        raw, st = read_regular(path, library.path, max_record_bytes(), what="record file")
    except OSError as exc:
        return key, (0, -1), f"{path}: cannot read ({exc.strerror})", None, None, None, None
    except InvalidData as exc:  # a special file, a link out of the library, too big
        return key, (0, -1), str(exc), None, None, None, None
    stat = (st.st_mtime_ns, st.st_size)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return (
            key,
            stat,
            f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})",
            None,
            None,
            None,
            None,
        )
    if written is not None and file_digest(raw) == written:
        data = json.loads(text)
    else:
        try:
            record = library.parse_text(key, text)
        except ValueError as exc:  # InvalidData: the store's own words
            return key, stat, str(exc), None, parent_hint(text), None, None
        data = record.to_json_dict()
    parent = None
    if _text(data.get("parent")):
        parent = str(data["parent"]).strip()
    authors = _people(data.get("authors"))
    display = (
        creators_cell(data),
        full_title(data),
        _text(data.get("chapter")),
        short_names(authors, bool(data.get("authors_et_al"))),
        _text(data.get("pages")),
        book_line(data) if parent is None or data.get("type") == "book" else None,
    )
    own = extract_own(data)
    # (as the index stores it: made here, in a worker for many files, not by
    # the process that writes the rows)
    own["inh_text"] = inh = json.dumps(own["inh"], ensure_ascii=False)
    if own["parent"]:
        return key, stat, None, inh, parent, None, (own, display)
    return key, stat, None, inh, parent, row_parts(own, display, None, parent), None


def row_parts(
    own: Mapping[str, Any], display: Display, book: Mapping[str, Any] | None, parent: str | None
) -> RowParts:
    """The rows of a record of document ``own`` (:func:`extract_own`, with
    its ``inh_text``) and ``display``, a chapter completed with ``book``
    (:func:`resolve_doc`); ``parent``: its parent key as written."""
    doc = resolve_doc(own, book)
    tail = (
        doc["type"],
        doc["fkey"],
        doc["year"],
        doc["parent"],
        doc["doi"],
        *display,
        own["inh_text"],
        parent,
    )
    shown = doc["tag_shown"]
    vals: list[tuple[str, str, str | None]] = [("tag", t, shown[t]) for t in doc["tag"]]
    vals += [("isbn", i, None) for i in doc["isbn"]]
    vals += [("related", k, None) for k in doc.get("related", ())]
    vals += [("listed", w, None) for w in doc["listed"]]
    if doc.get("tie"):
        vals.append(("tie", doc["tie"], None))
    return tail, tuple(doc_text(doc, f) for f in TEXT_FIELDS), vals


_WORKER_LIBRARY: list[RecordStore] = []


def _prepare_batch(job: tuple[str, list[str], list[bytes | None]]) -> list[Prepared]:
    path, keys, written = job
    if not _WORKER_LIBRARY:
        from .store import RecordStore

        _WORKER_LIBRARY.append(RecordStore(path))
    return [prepare(_WORKER_LIBRARY[0], key, w) for key, w in zip(keys, written, strict=True)]


def _batches(items: list[str], n: int) -> Iterator[list[str]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def record_keys(library_path: str | os.PathLike[str], prefix: str = "") -> list[str]:
    """The keys of the library's record files that start with ``prefix``,
    sorted: one listing of the folder, no file read, no Pydantic (for shell
    completion). Nothing for a folder that does not exist."""
    try:
        names = os.listdir(library_path)
    except OSError:
        return []
    return sorted(
        key for key in (name_key(n) for n in names if record_name(n)) if key.startswith(prefix)
    )


def _rollback(con: Any) -> None:
    """Roll back, unless the error already ended the transaction (a damaged
    or unwritable file): the first error is the one to report."""
    import sqlite3

    try:
        con.execute("ROLLBACK")
    except sqlite3.Error:
        pass


class Rebuilt:
    """What :func:`rebuild_index` did."""

    __slots__ = ("path", "stats", "count", "problems")

    def __init__(
        self, path: Path, stats: dict[str, int], count: int, problems: list[IndexProblem]
    ) -> None:
        self.path, self.stats, self.count, self.problems = path, stats, count, problems


def rebuild_index(
    library_path: str | os.PathLike[str], *, progress: ProgressFactory | None = None
) -> Rebuilt:
    """Build the library's index again from every record file (``reindex``).

    A damaged index (not a database, truncated) is deleted and built afresh:
    it is only a cache. One that cannot be written (an unwritable folder or
    file, a directory in its place) is a one-line :class:`CiteshelfError`
    naming it, never a traceback."""
    import sqlite3

    from ..errors import CiteshelfError

    index = Index(library_path)
    for attempt in (1, 2):
        try:
            index.open()
            stats = index.refresh(full=True, progress=progress)
            return Rebuilt(index.path, stats, index.count(), index.problems())
        except sqlite3.DatabaseError as exc:
            damaged = not isinstance(exc, sqlite3.OperationalError) or "malformed" in str(exc)
            index.close()
            if attempt == 1 and damaged and index.path.is_file():
                index.delete_files()
                continue
            reason = str(exc)
        except OSError as exc:
            reason = exc.strerror or str(exc)
        finally:
            index.close()
        if index.path.is_dir():
            reason = "a folder is in its place"
        elif index.path.parent.exists() and not index.path.parent.is_dir():
            reason = f"{index.path.parent} is not a folder"
        raise CiteshelfError(
            f"cannot write the index {index.path}: {reason}: remove it (it is only a cache, "
            f"built again from the record files) or set ${ENV_INDEX_DIR} to another folder"
        )
    raise AssertionError("unreachable")  # pragma: no cover


def open_index(
    library_path: str | os.PathLike[str],
    *,
    refresh: bool = True,
    progress: ProgressFactory | None = None,
    scanned: tuple[Scan, int] | None = None,
) -> Index | None:
    """The library's index, brought up to date (from ``scanned``, if given:
    see :meth:`Index.refresh`); None if no index can be used here (no
    SQLite, an unwritable cache folder, a lock held too long): callers then
    read the record files instead."""
    try:
        import sqlite3
    except ImportError:  # pragma: no cover - Python built without SQLite
        return None
    if index_off():
        return None
    index = Index(library_path)
    try:
        index.open()
        if refresh:
            index.refresh(progress=progress, scanned=scanned)
    except (OSError, sqlite3.Error):
        index.close()
        return None
    return index
