"""The index file: where it lives and its tables.

One SQLite file per library in the per-user cache folder,
``$CITESHELF_INDEX_DIR`` if set, else ``$XDG_CACHE_HOME/citeshelf/index``
(``~/.cache/citeshelf/index``; ``~/Library/Caches/citeshelf/index`` on macOS,
``%LOCALAPPDATA%\\citeshelf\\index`` on Windows), named after the library's
folder and a hash of its absolute path. Nothing is ever written inside the
records folder.
"""

from __future__ import annotations

import os
import re

from ..paths import ENV_INDEX_DIR, index_dir_text, index_off

TYPE_CHECKING = False  # typing itself is not imported at start-up
if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

__all__ = [
    "ADDED_INDEXES",
    "ENV_INDEX_DIR",
    "FREE_FIELDS",
    "FTS",
    "NOFTS",
    "SCHEMA_VERSION",
    "SECONDARY_INDEXES",
    "TABLES",
    "TEXT_FIELDS",
    "has_fts5",
    "index_dir",
    "index_off",
    "index_path",
    "index_path_text",
    "upgrade_steps",
]

#: Bump when the schema or the text folding changes: old index files are
#: rebuilt, unless :data:`ADDED_INDEXES` says how to bring them up to date.
SCHEMA_VERSION = 14

# Fields of the full-text part; bare words search FREE_FIELDS.
TEXT_FIELDS = ("title", "author", "editor", "translator", "abstract", "publisher", "journal", "key")
FREE_FIELDS = ("title", "author", "editor", "translator", "abstract", "key")


def index_dir(env: Mapping[str, str] | None = None) -> Path:
    from pathlib import Path

    return Path(index_dir_text(env))


def index_path(library_path: str | os.PathLike[str], env: Mapping[str, str] | None = None) -> Path:
    """The index file of the library at ``library_path``."""
    from pathlib import Path

    return Path(index_path_text(library_path, env))


def index_path_text(
    library_path: str | os.PathLike[str], env: Mapping[str, str] | None = None
) -> str:
    """:func:`index_path` as text (no pathlib: kept outputs are found with it)."""
    from .digests import sha256

    absolute = os.path.realpath(os.fspath(library_path))
    digest = sha256(absolute.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    # the last two parts of the path ("/" alone: none)
    head, last = os.path.split(absolute)
    parts = [p for p in (os.path.basename(head), last) if p]
    if head == absolute:  # the root folder
        parts = [absolute]
    label = re.sub(r"[^A-Za-z0-9_.-]+", "_", "-".join(parts)).strip("._-")[:60] or "library"
    return os.path.join(index_dir_text(env), f"{label}-{digest}.sqlite3")


#: ``records``: one row per record file (``problem`` set when it could not be
#: read); what a query tests and what ``list``/``chapters`` print. ``vals``:
#: tags (folded, and ``shown`` as the record spells it: what ``tags`` counts),
#: ISBNs, related keys and the words of the names a work is listed under
#: (:func:`.jsondata.listed_words`), one row each. ``meta``: the last scan's state and digest.
#: ``entries``: a record's exported entry as written (``variant``: the code's
#: stamp, the format and the options that change it), valid while the record's
#: file (and its book's, ``pmtime_ns``/``psize``) has the size and time it had
#: when the entry was written (see :mod:`citeshelf.ops.exporting`).
#: (The whole text of an export of every record is kept in a file beside the
#: index, not in it: :mod:`.outputs`.)
TABLES = [
    "CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT)",
    """CREATE TABLE records(
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        mtime_ns INTEGER NOT NULL,
        size INTEGER NOT NULL,
        problem TEXT,
        type TEXT, fkey TEXT, year INTEGER, parent TEXT, doi TEXT,
        creators TEXT, title TEXT, chapter TEXT, authors_short TEXT, pages TEXT, line TEXT,
        inh TEXT, pkey TEXT
    )""",
    "CREATE INDEX records_parent ON records(parent)",
    "CREATE INDEX records_year ON records(year)",
    "CREATE INDEX records_fkey ON records(fkey)",
    # the few unreadable files, without a scan of every record's row (20 ms
    # of a warm `list` at 100,000 records, before it)
    "CREATE INDEX records_problem ON records(key, problem) WHERE problem IS NOT NULL",
    "CREATE TABLE vals(rid INTEGER NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL, shown TEXT)",
    "CREATE INDEX vals_value ON vals(field, value)",
    "CREATE INDEX vals_rid ON vals(rid)",
    """CREATE TABLE entries(
        key TEXT NOT NULL, variant TEXT NOT NULL,
        mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL, pmtime_ns INTEGER, psize INTEGER,
        text TEXT,
        PRIMARY KEY(key, variant)
    )""",
]
#: The indexes of TABLES that are not a table's key: (name, statement). A
#: first indexing of many records builds them after the rows are in (one sort
#: each, instead of a B-tree insertion a row).
SECONDARY_INDEXES = [(t.split()[2], t) for t in TABLES if t.startswith("CREATE INDEX ")]
#: Index files of an older schema whose rows this code reads and writes as
#: they are, and which lack only some of SECONDARY_INDEXES: version -> the
#: names of the indexes the next version added. Such a file is brought up to
#: date on opening (at 100,000 records, the first ``list`` 0.27 s, where
#: building the whole file again took 23 s). A version that
#: changed what a row holds or how text is folded has no entry: every file
#: of that version or older is then built again.
ADDED_INDEXES: dict[int, tuple[str, ...]] = {13: ("records_problem",)}


def upgrade_steps(version: int) -> list[str] | None:
    """The statements that bring an index file of schema ``version`` to
    :data:`SCHEMA_VERSION` (:data:`ADDED_INDEXES`); None when it is to be
    built again (no way up from ``version``, or a newer version)."""
    statements = dict(SECONDARY_INDEXES)
    steps: list[str] = []
    while version < SCHEMA_VERSION:
        if version not in ADDED_INDEXES:
            return None
        steps += [
            statements[name].replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)
            for name in ADDED_INDEXES[version]
        ]
        version += 1
    return steps if version == SCHEMA_VERSION else None


#: The folded words of TEXT_FIELDS, one row per record (rowid = records.id).
FTS = (
    "CREATE VIRTUAL TABLE fts USING fts5("
    + ", ".join(TEXT_FIELDS)
    + ", tokenize='unicode61 remove_diacritics 0', detail=full)"
)
#: Without FTS5 the same words go into a plain table, searched with instr().
NOFTS = (
    "CREATE TABLE fts(rowid INTEGER PRIMARY KEY, "
    + ", ".join(f"{f} TEXT" for f in TEXT_FIELDS)
    + ")"
)


def has_fts5() -> bool:
    """Whether this Python's SQLite has the FTS5 extension."""
    import sqlite3

    try:
        con = sqlite3.connect(":memory:")
        con.execute("CREATE VIRTUAL TABLE t USING fts5(a)")
        con.close()
        return True
    except sqlite3.Error:
        return False
