"""A derived SQLite index of a library, for fast queries over large libraries.

The record files are the source of truth; the index is a cache of what a
query needs (folded words per field, type, year, key, parent, DOI, ISBNs, tags)
and of what ``list`` prints (creators, year, title). It can be deleted at any
time: the next command rebuilds it (``citeshelf reindex`` does so at once).

Where it lives: one SQLite file per library in the per-user cache folder,
``$CITESHELF_INDEX_DIR`` if set, else ``$XDG_CACHE_HOME/citeshelf/index``
(``~/.cache/citeshelf/index``; ``~/Library/Caches/citeshelf/index`` on macOS,
``%LOCALAPPDATA%\\citeshelf\\index`` on Windows), named after the library's
folder and a hash of its absolute path. Nothing is ever written inside the
records folder.

Freshness: before answering, the index compares each record file's size and
modification time (nanoseconds) with what it indexed (one ``stat`` per file;
a digest of the whole listing says at once whether anything changed), and
re-reads only the files that were added, changed or removed (by citeshelf, an
editor, or ``git pull``). Changed files are validated by the store exactly as
other commands read them. A file modified within a clock tick of the scan is
read again by the next command ("racy" times, as git does). With
``$CITESHELF_INDEX_CHECK=folder`` only the folder's modification time is
checked (see :meth:`Index.refresh`). A chapter is indexed as resolved through
its book (so ``year:2014`` finds a chapter whose date is its book's); when a
book changes, its chapters are re-resolved.

Concurrency: SQLite in WAL mode with a busy timeout; every update happens in
one ``BEGIN IMMEDIATE`` transaction that re-reads the indexed state after taking
the write lock, so two processes updating at once neither corrupt the file nor
index a change twice. An unreadable or outdated index file is deleted and
rebuilt; if no index can be used at all, callers fall back to reading the
record files.

This module imports neither Pydantic nor anything else heavy: ``list`` and
``chapters`` answer from an up-to-date index without loading the data model,
which is imported only to validate files that changed. Large builds validate
files in forked worker processes.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import re
import sys
import time
from array import array
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..model.fold import fold
from ..progress import NullProgress

if TYPE_CHECKING:  # pragma: no cover
    from .store import RecordStore

__all__ = [
    "ENV_INDEX_CHECK",
    "ENV_INDEX_DIR",
    "Index",
    "IndexRow",
    "extract",
    "fold",
    "index_dir",
    "index_path",
    "inheritable",
    "norm_doi",
    "norm_isbn",
    "open_index",
    "tokens",
]

ENV_INDEX_DIR = "CITESHELF_INDEX_DIR"
ENV_INDEX_CHECK = "CITESHELF_INDEX_CHECK"
#: Files modified this close before a scan are read again by the next command
#: (a file system's clock ticks every few milliseconds; whole-second time
#: stamps mean a file system that keeps only seconds).
RACY_NS = 50_000_000
RACY_COARSE_NS = 2_000_000_000
SUFFIX = ".json"
#: Bump when the schema or the text folding changes: old index files are rebuilt.
SCHEMA_VERSION = 6

# Fields of the full-text part; bare words search FREE_FIELDS.
TEXT_FIELDS = ("title", "author", "editor", "translator", "abstract", "publisher", "journal", "key")
FREE_FIELDS = ("title", "author", "editor", "translator", "abstract", "key")

# ---------------------------------------------------------------------------
# Folding and words (the same rules for the index and for matching in Python)

_WORD = re.compile(r"[^\W_]+")
_SPACES = re.compile(r"\s+")


def tokens(text: str) -> list[str]:
    """The words of ``text``, folded: letters and digits, everything else separates."""
    return _WORD.findall(fold(text))


def norm_doi(text: str) -> str:
    """A DOI for comparison: no resolver prefix, lower case (DOIs ignore case)."""
    t = text.strip()
    t = re.sub(r"^(?:(?:https?://)?(?:dx\.)?doi\.org/|doi:\s*|info:doi/)", "", t, flags=re.I)
    return t.lower()


def norm_isbn(text: str) -> str:
    """ISBN digits for comparison; a 10-digit ISBN is converted to ISBN-13."""
    t = re.sub(r"[^0-9Xx]", "", text).upper()
    if len(t) == 10 and t[:9].isdigit():
        core = "978" + t[:9]
        check = (10 - sum((1 if i % 2 == 0 else 3) * int(d) for i, d in enumerate(core)) % 10) % 10
        return core + str(check)
    return t


def norm_tag(text: str) -> str:
    return " ".join(fold(text).split())


# ---------------------------------------------------------------------------
# What a record contributes to the index (from its JSON data, without Pydantic)


def _text(value: object) -> str | None:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _people(value: object) -> list[object]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return value
    return []


def _name_text(person: object) -> str:
    """Given-first display text of a name (dict or "Family, Given" string)."""
    if isinstance(person, dict):
        if person.get("literal"):
            return " ".join(str(person["literal"]).split())
        parts = [person.get(k) for k in ("given", "particle", "family", "suffix")]
        return " ".join(" ".join(str(p).split()) for p in parts if p)
    if isinstance(person, str):
        return person.replace("{", "").replace("}", "")
    return ""


def _last(person: object) -> str:
    """The family name with its particle, or the literal (as ``Person.last``)."""
    if isinstance(person, dict):
        if person.get("literal"):
            return " ".join(str(person["literal"]).split())
        parts = [person.get(k) for k in ("particle", "family")]
        return " ".join(" ".join(str(p).split()) for p in parts if p)
    if isinstance(person, str):
        text = person.strip()
        if text.startswith("{") and text.endswith("}"):
            return text[1:-1].strip()
        if "," in text:
            return text.split(",", 1)[0].strip()
        return text.split()[-1] if text.split() else ""
    return ""


def short_names(people: list[object], et_al: bool) -> str:
    """ "Aris", "Galbreath & Seidyusif", "Boin, Ekengren & Rhinard", "Boin et al."."""
    names = [_last(p) for p in people]
    if not names:
        return ""
    if len(names) > 3 or et_al:
        return f"{names[0]} et al."
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " & " + names[-1]


def creators_cell(data: Mapping[str, Any]) -> str:
    """Authors, else editors with "(ed.)"/"(eds.)", from a record's JSON data."""
    authors = _people(data.get("authors"))
    if authors:
        return short_names(authors, bool(data.get("authors_et_al")))
    editors = _people(data.get("editors"))
    if editors:
        label = "ed." if len(editors) == 1 else "eds."
        return f"{short_names(editors, bool(data.get('editors_et_al')))} ({label})"
    return ""


def full_title(data: Mapping[str, Any]) -> str:
    title, subtitle = _text(data.get("title")), _text(data.get("subtitle"))
    if title and subtitle:
        return f"{title}: {subtitle}"
    return title or ""


_YEAR = re.compile(r"^\s*(-?\d{1,4})(?:-|\s*$)")


def _year(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        m = _YEAR.match(value)
        return int(m.group(1)) if m else None
    if isinstance(value, dict):
        return _year(value.get("year"))
    return None


def _str_list(value: object) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        return [str(v) for v in value if str(v).strip()]
    return []


def _isbns(value: object) -> list[str]:
    if isinstance(value, str):
        value = [v for v in re.split(r"[;,]|\s+(?=\d{9})", value) if v.strip()]
    out: list[str] = []
    for v in _str_list(value):
        n = norm_isbn(v)
        if n and n not in out:
            out.append(n)
    return out


def _names_words(value: object) -> str:
    return " ".join(w for p in _people(value) for w in tokens(_name_text(p)))


def inheritable(data: Mapping[str, Any]) -> dict[str, Any]:
    """The indexed values a chapter takes from this record when it is its book."""
    return {
        "editor": _names_words(data.get("editors")),
        "year": _year(data.get("issued")),
        "publisher": " ".join(tokens(_text(data.get("publisher")) or "")),
        "isbn": _isbns(data.get("isbn")),
    }


def extract(data: Mapping[str, Any], book: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Everything a query can test, from a record's JSON data.

    ``book`` is :func:`inheritable` of the chapter's book: as in
    ``library.parents.merge_parent``, a chapter without editors, date,
    publisher or ISBN takes the book's. Text fields are folded words joined by
    single spaces.
    """
    return resolve_doc(extract_own(data), book)


def extract_own(data: Mapping[str, Any]) -> dict[str, Any]:
    """The record's own part of :func:`extract` (before resolving a chapter)."""
    key = str(data.get("key") or "")
    return {
        "key": key,
        "fkey": fold(key),
        "words_key": " ".join(tokens(key)),
        "type": fold(str(data.get("type") or "")),
        "parent": fold(_text(data.get("parent")) or "") or None,
        "doi": norm_doi(d) if (d := _text(data.get("doi"))) else None,
        "tag": sorted({norm_tag(t) for t in _str_list(data.get("tags"))}),
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
    }


def resolve_doc(own: Mapping[str, Any], book: Mapping[str, Any] | None) -> dict[str, Any]:
    """:func:`extract_own`'s result completed with the book's data (for a chapter)."""
    inh = dict(own["inh"])
    if book is not None and own["type"] == "chapter" and own["parent"]:
        for name in ("editor", "year", "publisher", "isbn"):
            if not inh[name] and book.get(name):
                inh[name] = book[name]
    doc = dict(own)
    doc["editor"], doc["year"], doc["isbn"] = inh["editor"], inh["year"], inh["isbn"]
    doc["publisher"] = " ".join(p for p in (inh["publisher"], own["institution"]) if p)
    return doc


_ROMAN = re.compile(
    r"^(?=[ivxlcdm]+$)m{0,4}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$", re.I
)
_PAGE_SEP = re.compile(r"\s*(?:--|-|–|—|‐|‑|−)\s*")


def _roman(text: str) -> int | None:
    if not text or not _ROMAN.match(text):
        return None
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
    total = prev = 0
    for ch in reversed(text.lower()):
        v = values[ch]
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return total


def chapter_sort_key(chapter: str, pages: str, key: str) -> tuple[Any, ...]:
    """Numbered chapters by number, then unnumbered ones by first page (roman
    front matter, then arabic, then other), then key: as ``chapters`` orders them."""
    if chapter:
        m = re.match(r"\d+", chapter)
        num_key: tuple[Any, ...] = (0, int(m.group()) if m else 0, chapter)
    else:
        num_key = (1, 0, "")
    if pages:
        start = _PAGE_SEP.split(pages)[0]
        roman = _roman(start)
        if roman is not None:
            page_key: tuple[Any, ...] = (0, roman, start)
        elif start.isdigit():
            page_key = (1, int(start), start)
        else:
            page_key = (2, 0, start)
    else:
        page_key = (9, 0, "")
    return (num_key, page_key, key)


def display_name(person: object) -> str:
    """Given-first form of a name, as ``Person.display``."""
    if isinstance(person, dict):
        if person.get("literal"):
            return " ".join(str(person["literal"]).split())
        text = " ".join(
            " ".join(str(person[k]).split())
            for k in ("given", "particle", "family")
            if person.get(k)
        )
        return f"{text}, {person['suffix']}" if person.get("suffix") else text
    return _name_text(person)


def book_line(data: Mapping[str, Any]) -> str:
    """ "Title, ed. Name (Publisher, year)" from a book record's JSON data."""

    def _and(items: list[str]) -> str:
        if len(items) <= 2:
            return " and ".join(items)
        return ", ".join(items[:-1]) + ", and " + items[-1]

    text = full_title(data) or "(untitled)"
    editors, authors = _people(data.get("editors")), _people(data.get("authors"))
    if editors:
        label = "ed." if len(editors) == 1 else "eds."
        text += f", {label} " + _and([display_name(p) for p in editors])
    elif authors:
        text += ", by " + _and([display_name(p) for p in authors])
    year = _year(data.get("issued"))
    where = ", ".join(str(x) for x in (_text(data.get("publisher")), year) if x)
    if where:
        text += f" ({where})"
    return text


def doc_text(doc: Mapping[str, Any], field: str) -> str:
    return doc["words_key"] if field == "key" else doc[field]


# ---------------------------------------------------------------------------
# Where the index lives


def index_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    if env.get(ENV_INDEX_DIR):
        return Path(env[ENV_INDEX_DIR])
    if sys.platform == "win32":  # pragma: no cover
        base = Path(env.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":  # pragma: no cover
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "citeshelf" / "index"


def index_path(library_path: str | os.PathLike[str], env: Mapping[str, str] | None = None) -> Path:
    """The index file of the library at ``library_path``."""
    absolute = os.path.realpath(os.fspath(library_path))
    digest = hashlib.sha256(absolute.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    parts = Path(absolute).parts[-2:]
    label = re.sub(r"[^A-Za-z0-9_.-]+", "_", "-".join(parts)).strip("._-")[:60] or "library"
    return index_dir(env) / f"{label}-{digest}.sqlite3"


# ---------------------------------------------------------------------------
# The index

_SCHEMA = [
    "CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT)",
    """CREATE TABLE records(
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        mtime_ns INTEGER NOT NULL,
        size INTEGER NOT NULL,
        problem TEXT,
        type TEXT, fkey TEXT, year INTEGER, parent TEXT, doi TEXT,
        creators TEXT, title TEXT, chapter TEXT, authors_short TEXT, pages TEXT, line TEXT,
        inh TEXT
    )""",
    "CREATE INDEX records_parent ON records(parent)",
    "CREATE INDEX records_year ON records(year)",
    "CREATE INDEX records_fkey ON records(fkey)",
    "CREATE TABLE vals(rid INTEGER NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL)",
    "CREATE INDEX vals_value ON vals(field, value)",
    "CREATE INDEX vals_rid ON vals(rid)",
]
_FTS = (
    "CREATE VIRTUAL TABLE fts USING fts5("
    + ", ".join(TEXT_FIELDS)
    + ", tokenize='unicode61 remove_diacritics 0', detail=full)"
)
# Without FTS5 the same words go into a plain table, searched with instr().
_NOFTS = (
    "CREATE TABLE fts(rowid INTEGER PRIMARY KEY, "
    + ", ".join(f"{f} TEXT" for f in TEXT_FIELDS)
    + ")"
)


class Scan:
    """What a scan of the records folder saw: file names, times and sizes, in
    the folder's listing order."""

    __slots__ = ("names", "mtimes", "sizes", "_map")

    def __init__(self, names: list[str], mtimes: array, sizes: array) -> None:  # type: ignore[type-arg]
        self.names, self.mtimes, self.sizes = names, mtimes, sizes
        self._map: dict[str, tuple[int, int]] | None = None

    def digest(self) -> str:
        h = hashlib.sha1("/".join(self.names).encode("utf-8", "surrogateescape"))
        h.update(self.mtimes.tobytes())
        h.update(self.sizes.tobytes())
        return f"{len(self.names)}:{h.hexdigest()}"

    def as_dict(self) -> dict[str, tuple[int, int]]:
        if self._map is None:
            n = len(SUFFIX)
            self._map = {
                name[:-n]: (m, s) for name, m, s in zip(self.names, self.mtimes, self.sizes)
            }
        return self._map

    def get(self, key: str) -> tuple[int, int] | None:
        return self.as_dict().get(key)

    def dump(self, unsure: set[str]) -> bytes:
        """The state to store: files in ``unsure`` get no time (read next time)."""
        mtimes = self.mtimes
        if unsure:
            mtimes = array("q", mtimes)
            n = len(SUFFIX)
            for i, name in enumerate(self.names):
                if name[:-n] in unsure:
                    mtimes[i] = -1
        return marshal.dumps((1, self.names, mtimes.tobytes(), self.sizes.tobytes()))

    @classmethod
    def load(cls, blob: object) -> Scan | None:
        try:
            version, names, mtimes, sizes = marshal.loads(blob)  # type: ignore[arg-type]
            if version != 1:
                return None
            m, s = array("q"), array("q")
            m.frombytes(mtimes)
            s.frombytes(sizes)
            return cls(names, m, s) if len(m) == len(s) == len(names) else None
        except (ValueError, TypeError, EOFError):
            return None


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


def has_fts5() -> bool:
    import sqlite3

    try:
        con = sqlite3.connect(":memory:")
        con.execute("CREATE VIRTUAL TABLE t USING fts5(a)")
        con.close()
        return True
    except sqlite3.Error:
        return False


class Index:
    """The index of one library. Use :func:`open_index`."""

    def __init__(self, library_path: str | os.PathLike[str], path: Path | None = None) -> None:
        self.library_path = Path(library_path)
        self.path = Path(path) if path is not None else index_path(library_path)
        self.con: Any = None
        self.fts5 = True
        self.stats = {"read": 0, "removed": 0, "resolved": 0}
        self._records: RecordStore | None = None
        self._started = 0
        self._racy_keys: set[str] = set()
        self._seen: dict[str, tuple[int, int]] = {}
        self._racy = 0
        self._fresh = False

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

        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(str(self.path), timeout=60, isolation_level=None)
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
            if con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
                con.execute("COMMIT")  # another process created it meanwhile
                row = con.execute("SELECT value FROM meta WHERE name='fts5'").fetchone()
                self.fts5 = bool(row and row[0] == "1")
                return
            for (name,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name IN "
                "('meta','records','vals','fts')"
            ).fetchall():
                con.execute(f"DROP TABLE IF EXISTS {name}")
            for stmt in _SCHEMA:
                con.execute(stmt)
            self.fts5 = has_fts5()
            con.execute(_FTS if self.fts5 else _NOFTS)
            con.execute("INSERT INTO meta VALUES ('fts5', ?)", ("1" if self.fts5 else "0",))
            con.execute(
                "INSERT INTO meta VALUES ('library', ?)", (os.path.realpath(self.library_path),)
            )
            con.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
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
                os.unlink(str(self.path) + suffix)
            except OSError:
                pass

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- keeping it fresh ---------------------------------------------------

    def scan(self) -> Scan:
        """Name, modification time and size of every record file (one stat each)."""
        mtimes = array("q")
        sizes = array("q")
        add_mtime, add_size = mtimes.append, sizes.append
        if os.stat in os.supports_dir_fd and os.listdir in os.supports_fd:
            # listdir + stat relative to the folder: the cheapest way from Python
            fd = os.open(self.library_path, os.O_RDONLY)
            try:
                listed = [n for n in os.listdir(fd) if n.endswith(SUFFIX) and n[0] != "."]
                names: list[str] = []
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
            return Scan(names, mtimes, sizes)
        names = []
        with os.scandir(self.library_path) as it:  # pragma: no cover - e.g. Windows
            for entry in it:
                name = entry.name
                if name.endswith(SUFFIX) and name[0] != ".":
                    try:
                        st = entry.stat()
                    except OSError:
                        continue
                    names.append(name)
                    add_mtime(st.st_mtime_ns)
                    add_size(st.st_size)
        return Scan(names, mtimes, sizes)

    def refresh(self, *, full: bool = False, progress: Any = None) -> dict[str, int]:
        """Bring the index up to date with the record files; ``full`` re-reads all.

        How changes are found depends on ``$CITESHELF_INDEX_CHECK``: ``files``
        (the default) compares every record file's size and modification time
        with what was indexed; ``folder`` looks at the folder's modification
        time only, and scans the files when it changed (files added, removed
        or replaced, as citeshelf, git and most editors do), which misses a
        file edited in place -- much faster for very large libraries.

        ``progress``, if given, is called with the number of files to read and
        returns a context manager with ``advance(n)`` (``render.progress``).
        Returns counts: files read, rows removed, chapters re-resolved.
        """
        con = self.con
        none = {"read": 0, "removed": 0, "resolved": 0}
        folder = str(os.stat(self.library_path).st_mtime_ns)
        meta = dict(con.execute("SELECT name, value FROM meta"))
        by_folder = os.environ.get(ENV_INDEX_CHECK, "files").lower() == "folder"
        if not full and by_folder and meta.get("folder") == folder and meta.get("digest"):
            return none
        started = time.time_ns()
        scanned = self.scan()
        digest = scanned.digest()
        if not full and meta.get("digest") == digest:
            if by_folder and meta.get("folder") != folder:
                con.execute("INSERT OR REPLACE INTO meta VALUES ('folder', ?)", (folder,))
            return none
        con.execute("BEGIN IMMEDIATE")
        try:
            stats = self._apply(scanned, full, progress, started)
            # A file modified moments before the scan may change again within
            # the file system's timestamp granularity: such ("racy") files are
            # stored without their time, so the next command reads them again.
            racy = self._racy_keys
            clean = not racy
            stats.pop("racy")
            con.execute("INSERT OR REPLACE INTO meta VALUES ('state', ?)", (scanned.dump(racy),))
            con.execute(
                "INSERT OR REPLACE INTO meta VALUES ('digest', ?)", (digest if clean else "",)
            )
            con.execute(
                "INSERT OR REPLACE INTO meta VALUES ('folder', ?)", (folder if clean else "",)
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        self.stats = stats
        return stats

    def _apply(self, scan: Scan, full: bool, progress: Any, started: int) -> dict[str, int]:
        con = self.con
        self._started = started
        self._racy = 0
        self._racy_keys = set()
        if full:
            changed = sorted(n[: -len(SUFFIX)] for n in scan.names)
            self._seen = scan.as_dict()
            removed: list[str] = []
            for table in ("records", "vals", "fts"):
                con.execute(f"DELETE FROM {table}")
            self._fresh = True
        else:
            changed, removed, self._seen = self._diff(scan)
            for key in removed:
                self._delete(key)
        # Pass 1: every changed file, a chapter resolved through its book when
        # the book is not itself still to be read in this pass.
        known: dict[str, dict[str, Any] | None] = {}  # key -> inheritable data (None: unreadable)
        pending = set(changed)
        deferred: list[Prepared] = []
        items = self._prepare_all(changed)
        bar = progress(len(changed)) if progress is not None else NullProgress()
        try:
            with bar:
                for item in items:
                    key, _stat, _problem, own, _display, parent = item
                    pending.discard(key)
                    known[key] = own["inh"] if own is not None else None
                    bar.advance(1)
                    if parent is not None and parent in pending:
                        deferred.append(item)
                        continue
                    self._store(item, self._book(parent, known) if parent else None)
                for item in deferred:
                    self._store(item, self._book(item[5], known) if item[5] else None)
        finally:
            self._fresh = False
        # Pass 2 (an update): the unchanged chapters of every book that changed
        # or went away.
        again: set[str] = set()
        if not full:
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
            self._store(item, self._book(item[5], known) if item[5] else None)
        return {
            "read": len(changed),
            "removed": len(removed),
            "resolved": len(deferred) + len(again),
            "racy": self._racy,
        }

    def _diff(self, scan: Scan) -> tuple[list[str], list[str], dict[str, tuple[int, int]]]:
        """Keys of the files added or changed, of those removed, and what the
        scan saw of the changed ones, against the state stored by the last
        update (read under the write lock)."""
        n = len(SUFFIX)
        row = self.con.execute("SELECT value FROM meta WHERE name = 'state'").fetchone()
        old = Scan.load(row[0]) if row else None
        if old is not None and old.names == scan.names:
            # Same files in the same order: compare times and sizes block by
            # block (in C), looking closer only where a block differs.
            positions = _differences(old.mtimes, scan.mtimes) | _differences(old.sizes, scan.sizes)
            seen = {scan.names[i][:-n]: (scan.mtimes[i], scan.sizes[i]) for i in sorted(positions)}
            return sorted(seen), [], seen
        if old is not None:
            stored = old.as_dict()
        else:
            stored = {
                k: (m, s) for k, m, s in self.con.execute("SELECT key, mtime_ns, size FROM records")
            }
        scanned = scan.as_dict()
        changed = sorted(k for k, v in scanned.items() if stored.get(k) != v)
        removed = sorted(k for k in stored if k not in scanned)
        return changed, removed, scanned

    def _prepare_all(self, keys: list[str]) -> Iterator[Prepared]:
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
        if pool is None:
            library = self._library()
            return (prepare(library, key) for key in keys)
        jobs = [(str(self.library_path), b) for b in _batches(keys, 250)]

        def results() -> Iterator[Prepared]:
            try:
                for batch in pool.imap(_prepare_batch, jobs):
                    yield from batch
                pool.close()
            finally:
                pool.terminate()
                pool.join()

        return results()

    def _book(self, parent: str, known: dict[str, dict[str, Any] | None]) -> dict[str, Any] | None:
        """The inheritable data of the book ``parent``: read in this pass, or indexed."""
        if parent in known:
            return known[parent]
        row = self.con.execute("SELECT inh FROM records WHERE key = ?", (parent,)).fetchone()
        value = json.loads(row[0]) if row and row[0] else None
        known[parent] = value
        return value

    def _library(self) -> RecordStore:
        """The store, to validate changed files exactly as every other command
        does (this is the only place the index loads the data model)."""
        if self._records is None:
            from .store import RecordStore

            self._records = RecordStore(self.library_path)
        return self._records

    def _delete(self, key: str) -> None:
        con = self.con
        row = con.execute("SELECT id FROM records WHERE key = ?", (key,)).fetchone()
        if row is None:
            return
        rid = row[0]
        con.execute("DELETE FROM fts WHERE rowid = ?", (rid,))
        con.execute("DELETE FROM vals WHERE rid = ?", (rid,))
        con.execute("DELETE FROM records WHERE id = ?", (rid,))

    def _store(self, item: Prepared, book: dict[str, Any] | None) -> None:
        key, stat, problem, own, display, _parent = item
        con = self.con
        racy = stat[0] >= self._started - (
            RACY_COARSE_NS if stat[0] % 1_000_000_000 == 0 else RACY_NS
        )
        seen = self._seen.get(key, stat)
        if racy or stat != seen:
            # racy, or changed again between the scan and the read: read it next time
            stat = (-1, stat[1])
            self._racy += 1
            self._racy_keys.add(key)
        row = None
        if not self._fresh:
            row = con.execute("SELECT id FROM records WHERE key = ?", (key,)).fetchone()
        if row is not None:
            rid = row[0]
            con.execute("DELETE FROM fts WHERE rowid = ?", (rid,))
            con.execute("DELETE FROM vals WHERE rid = ?", (rid,))
        if own is None:
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
                fold(_parent) if _parent else None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                None,
            )
        else:
            doc = resolve_doc(own, book)
            values = (
                key,
                stat[0],
                stat[1],
                None,
                doc["type"],
                doc["fkey"],
                doc["year"],
                doc["parent"],
                doc["doi"],
                *display,
                json.dumps(own["inh"], ensure_ascii=False),
            )
        if row is None:
            cur = con.execute(
                "INSERT INTO records(key, mtime_ns, size, problem, type, fkey, year, parent, doi, "
                "creators, title, chapter, authors_short, pages, line, inh) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                values,
            )
            rid = cur.lastrowid
        else:
            con.execute(
                "UPDATE records SET key=?, mtime_ns=?, size=?, problem=?, type=?, fkey=?, year=?, "
                "parent=?, doi=?, creators=?, title=?, chapter=?, authors_short=?, pages=?, line=?, inh=? "
                "WHERE id=?",
                (*values, rid),
            )
        if own is None:
            return
        con.execute(
            f"INSERT INTO fts(rowid, {', '.join(TEXT_FIELDS)}) VALUES (?{',?' * len(TEXT_FIELDS)})",
            (rid, *(doc_text(doc, f) for f in TEXT_FIELDS)),
        )
        vals = [(rid, "tag", t) for t in doc["tag"]] + [(rid, "isbn", i) for i in doc["isbn"]]
        if vals:
            con.executemany("INSERT INTO vals(rid, field, value) VALUES (?,?,?)", vals)

    # -- asking -------------------------------------------------------------

    def search(self, where: str = "", params: Iterable[Any] = ()) -> list[IndexRow]:
        """Readable records matching an SQL condition over ``r`` (see ``query.Query.sql``)."""
        sql = "SELECT key, type, creators, year, title FROM records r WHERE problem IS NULL"
        if where:
            sql += f" AND ({where})"
        sql += " ORDER BY key"
        return [IndexRow(*row) for row in self.con.execute(sql, list(params))]

    def problems(self) -> list[IndexProblem]:
        return [
            IndexProblem(k, self.library_path / f"{k}{SUFFIX}", p)
            for k, p in self.con.execute(
                "SELECT key, problem FROM records WHERE problem IS NOT NULL ORDER BY key"
            )
        ]

    def children(self, book_key: str) -> list[str]:
        """Keys of the records whose parent is ``book_key`` (in key order)."""
        return [
            k
            for (k,) in self.con.execute(
                "SELECT key FROM records WHERE parent = ? ORDER BY key", (fold(book_key),)
            )
        ]

    def chapter_rows(self, book_key: str) -> tuple[list[tuple[str, ...]], list[str]]:
        """The chapters of ``book_key`` as ``chapters`` prints them, in order
        (number, then first page, then key), and the problems of unreadable
        files that name it as their parent."""
        rows = []
        problems = []
        for key, type_, chapter, authors, title, pages, problem in self.con.execute(
            "SELECT key, type, chapter, authors_short, title, pages, problem FROM records "
            "WHERE parent = ? ORDER BY key",
            (fold(book_key),),
        ):
            if problem is not None:
                problems.append(problem)
            elif type_ == "chapter":
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


#: (key, (mtime_ns, size), problem, own document,
#:  (creators, title, chapter, authors, pages, book line) as printed, parent key)
Prepared = tuple[
    str,
    tuple[int, int],
    "str | None",
    "dict[str, Any] | None",
    "tuple[str, str, str | None] | None",
    "str | None",
]
#: From this many files to read on, worker processes validate them.
PARALLEL_MIN = 3000


def prepare(library: RecordStore, key: str) -> Prepared:
    """Read, validate and extract one record file.

    The file is validated by the store,
    so ``list`` reports exactly the problems the other commands report, and the
    data indexed is the record's normalised JSON form (what ``Query.matches``
    sees).
    """
    path = library.path / f"{key}{SUFFIX}"
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            raw = fh.read()
    except OSError as exc:
        return key, (0, -1), f"{path}: cannot read ({exc.strerror})", None, None, None
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
        )
    try:
        record = library.parse_text(key, text)
    except ValueError as exc:  # InvalidData: the store's own words
        return key, stat, str(exc), None, None, _parent_hint(text)
    data = record.to_json_dict()
    parent = None
    if data.get("type") == "chapter" and _text(data.get("parent")):
        parent = str(data["parent"]).strip()
    authors = _people(data.get("authors"))
    display = (
        creators_cell(data),
        full_title(data),
        _text(data.get("chapter")),
        short_names(authors, bool(data.get("authors_et_al"))),
        _text(data.get("pages")),
        book_line(data) if parent is None else None,
    )
    return key, stat, None, extract_own(data), display, parent


def _parent_hint(text: str) -> str | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    parent = data.get("parent") if isinstance(data, dict) else None
    return parent.strip() or None if isinstance(parent, str) else None


_WORKER_LIBRARY: list[RecordStore] = []


def _prepare_batch(job: tuple[str, list[str]]) -> list[Prepared]:
    path, keys = job
    if not _WORKER_LIBRARY:
        from .store import RecordStore

        _WORKER_LIBRARY.append(RecordStore(path))
    return [prepare(_WORKER_LIBRARY[0], key) for key in keys]


def _differences(old: array, new: array, block: int = 512) -> set[int]:  # type: ignore[type-arg]
    """Positions where two arrays of the same length differ."""
    out: set[int] = set()
    for start in range(0, len(new), block):
        end = start + block
        if old[start:end] != new[start:end]:
            out.update(i for i in range(start, min(end, len(new))) if old[i] != new[i])
    return out


def _batches(items: list[str], n: int) -> Iterator[list[str]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def open_index(
    library_path: str | os.PathLike[str], *, refresh: bool = True, progress: Any = None
) -> Index | None:
    """The library's index, brought up to date; None if no index can be used here
    (no SQLite, an unwritable cache folder, a lock held too long): callers then
    read the record files instead."""
    try:
        import sqlite3
    except ImportError:  # pragma: no cover - Python built without SQLite
        return None
    if os.environ.get(ENV_INDEX_DIR, "").lower() == "off":
        return None
    index = Index(library_path)
    try:
        index.open()
        if refresh:
            index.refresh(progress=progress)
    except (OSError, sqlite3.Error):
        index.close()
        return None
    return index
