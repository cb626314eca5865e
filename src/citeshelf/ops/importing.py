"""Running an import: duplicates, parents, invalid entries, all or nothing.

Public API::

    import_files(library, files, *, fmt=None, on_duplicate="skip",
                 link_parents=False, dry_run=False, progress=None) -> ImportResult
        Read and check every entry of ``files`` and stage the new records;
        nothing is visible yet. Then ``commit_import(result, progress=None)``
        makes them appear (unless ``result.dry_run``), or ``result.discard()``
        drops them; ``with import_files(...) as result:`` discards whatever
        is left at the end. ``result.refusal(on_duplicate, skip_invalid)`` is
        the error that stops the import (duplicates with "error", invalid
        entries without ``skip_invalid``), or None; ``result.to_json()`` what
        ``import --json`` prints.
    read_entries(path, fmt=None, *, key_formula=None) -> EntryStream
        One input file (BibTeX, CSL-JSON, RIS or a Zotero library: BBT JSON,
        Zotero RDF, zotero.sqlite; the format from ``fmt``, the file name or
        its start) as batches of entries with their invalid entries and
        warnings (``EntryStream.batches()``; ``EntryStream.total`` entries).
        Keys made up for RIS and CSL-JSON entries without an id follow
        ``key_formula`` (import passes the library's configured formula).
        A .bib file is read a batch at a time, never whole.
    Existing.from_library(library) -> Existing
        What duplicate checks need of the records already present (keys, DOIs,
        book ISBNs, title signatures), read from the record files as plain JSON.
    Importer(library, existing, *, on_duplicate="skip", link_parents=False,
             dry_run=False).add(entries) ... .finish() -> ImportResult
        Decides entry by entry and writes each new record under a temporary
        name as it goes (``Library.stage``), keeping only keys and the few
        links that still need checking in memory; ``ImportResult.commit()``
        makes them all appear at once (``Library.commit_staged``) and
        ``ImportResult.discard()`` removes them.

Duplicates. An incoming entry duplicates an existing record of the library by
the rule of :mod:`citeshelf.ops.duplicates` (the one ``add`` and ``check`` use):
same key in any letter case, same DOI, for a book the same ISBN with the same
edition and volume, or the same title signature. Within
one import only keys, DOIs and book ISBNs count: entries with distinct keys are
distinct records even if their titles, years and authors are the same (two
chapters "Introduction" by their editor). ``on_duplicate``: ``skip`` (report it;
chapters that name it as parent are linked to the existing record), ``rename``
(import it under a free key), ``update`` (the entry's fields replace the
record's; fields only the record has, such as its tags and note, are kept, and
so are its key and ``added`` date), ``error`` (the import fails).

Every entry of the input is accounted for: imported, updated, skipped as
duplicate (with the record it duplicates and why) or invalid (with file, line
and reason).
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CiteshelfError, InvalidData
from ..formats.entries import Issue, ReadEntry
from ..model.keys import free_key, unique_key
from ..model.order import TIE_ORDER, tie_signature
from ..progress import NullProgress, ProgressFactory
from .duplicates import Existing, _norm_title
from .options import ON_DUPLICATE

__all__ = [
    "Entry",
    "Issue",
    "FileRead",
    "EntryStream",
    "Existing",
    "Importer",
    "ImportResult",
    "commit_import",
    "import_files",
    "read_entries",
]

#: One entry read from an input file (what every format's reader produces).
Entry = ReadEntry


@dataclass
class FileRead:
    entries: list[Entry] = field(default_factory=list)
    invalid: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    #: BibTeX @preamble values (kept in the library's preamble.bib)
    preambles: list[str] = field(default_factory=list)
    #: BibTeX @string definitions (kept there too)
    strings: list[tuple[str, str]] = field(default_factory=list)


class EntryStream:
    """The entries of one file, in batches (see :func:`read_entries`)."""

    def __init__(self, total: int, batches: Callable[[], Iterator[FileRead]]) -> None:
        self.total = total
        self._batches = batches

    def batches(self) -> Iterator[FileRead]:
        return self._batches()


def detect_format(path: Path, text: str | None = None) -> str | None:
    from ..formats import guess_format

    fmt = guess_format(path.name)
    if text is not None and fmt in (None, "csl-json", "zotero-rdf"):
        from ..formats.zotero import sniff_format

        fmt = sniff_format(text) or fmt
    if fmt is None and text is not None:
        head = text.lstrip()[:200]
        if head.startswith("@") or re.search(r"^\s*@\w+\s*[{(]", text, re.MULTILINE):
            return "bibtex"
        if head.startswith("[") or head.startswith("{"):
            return "csl-json"
        if re.match(r"^TY  - ", head):
            return "ris"
    return fmt


def read_entries(
    path: str | Path, fmt: str | None = None, *, key_formula: str | None = None
) -> EntryStream:
    from ..errors import NotFound, UsageError
    from ..formats import IMPORT_FORMATS as FORMATS

    p = Path(path)
    if not p.is_file():
        raise NotFound(f"{p}: no such file")
    from ..limits import check_import_size

    check_import_size(p)  # $CITESHELF_MAX_IMPORT_BYTES
    if fmt is None:
        fmt = detect_format(p, _peek(p))
        if fmt is None:
            raise UsageError(f"{p}: cannot tell the format: give --format {'|'.join(FORMATS)}")
    if fmt == "bibtex":
        from ..formats.bibtex import BibReader

        reader = BibReader(p, formula=key_formula)

        def bib_batches() -> Iterator[FileRead]:
            for part in reader.batches():
                yield FileRead(
                    part.entries, part.invalid, part.warnings, part.preambles, part.strings
                )

        return EntryStream(reader.total, bib_batches)
    if fmt == "csl-json":
        return EntryStream(0, lambda: _csl_batches(p, key_formula))
    if fmt == "ris":
        from ..formats.ris import iter_ris

        def ris_batches() -> Iterator[FileRead]:
            for parsed in iter_ris(p, formula=key_formula):
                yield FileRead(parsed.entries, parsed.invalid, parsed.warnings)

        return EntryStream(0, ris_batches)
    if fmt in ("bbt-json", "zotero-rdf", "zotero-sqlite"):
        from ..formats.zotero import read_zotero

        def zotero_batches() -> Iterator[FileRead]:
            read = read_zotero(p, fmt)
            yield FileRead(read.entries, read.invalid, read.warnings)

        return EntryStream(0, zotero_batches)
    raise UsageError(f"unknown format {fmt!r}: use {', '.join(FORMATS)}")


#: CSL-JSON items turned into records at a time.
CSL_BATCH = 500
_CHUNK = 1 << 20


def _csl_items(p: Path) -> Iterator[Any]:
    """The items of a CSL-JSON file: an array is read a chunk at a time and
    decoded item by item (the file is never held whole); anything else is
    read whole. An error is reported as reading the whole file reports it."""
    from ..errors import InvalidData
    from ..limits import item_decoder

    decoder = item_decoder()  # an item over the limits is invalid, not the file
    ws = re.compile(r"[ \t\n\r]*")
    try:
        with p.open("r", encoding="utf-8") as fh:
            buf = ""
            pos = 0
            eof = False

            size = _CHUNK

            def more() -> bool:
                # each read doubles what is pending, so an item of any size
                # is decoded a bounded number of times (never quadratic)
                nonlocal buf, pos, eof, size
                if eof:
                    return False
                size = max(_CHUNK, len(buf) - pos)
                chunk = fh.read(size)
                if not chunk:
                    eof = True
                    return False
                buf, pos = buf[pos:] + chunk, 0
                return True

            def skip_ws() -> None:
                nonlocal pos
                while True:
                    m = ws.match(buf, pos)
                    assert m is not None  # [ \t\n\r]* matches anywhere
                    pos = m.end()
                    if pos < len(buf) or not more():
                        return

            skip_ws()
            if buf[pos : pos + 1] != "[":
                yield from _csl_whole(p)
                return
            pos += 1
            skip_ws()
            if buf[pos : pos + 1] == "]":
                pos += 1
            else:
                while True:
                    while True:
                        try:
                            item, end = decoder.raw_decode(buf, pos)
                        except json.JSONDecodeError:
                            if more():  # the item goes on in the next chunk
                                continue
                            raise
                        if end == len(buf) and more():  # a number may go on
                            continue
                        break
                    pos = end
                    yield item
                    skip_ws()
                    c = buf[pos : pos + 1]
                    if c == "]":
                        pos += 1
                        break
                    if c != ",":
                        raise ValueError("expected , or ]")
                    pos += 1
                    skip_ws()
            skip_ws()
            if pos < len(buf):
                raise ValueError("extra data")
    except (ValueError, RecursionError):  # JSONDecodeError, UnicodeDecodeError too
        for _ in _csl_whole(p):  # raises with the whole file's line and column
            pass
        raise InvalidData(f"{p}: not valid JSON") from None


def _csl_whole(p: Path) -> Iterator[Any]:
    from ..errors import InvalidData
    from ..formats.csljson import read_json_file

    data = read_json_file(p)
    if isinstance(data, dict) and ("type" in data or "id" in data):
        data = [data]
    if not isinstance(data, list):
        raise InvalidData(f"{p}: expected a JSON array of CSL items")
    yield from data


def _strings(data: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    """(variable, text) for every string in a CSL item (names' parts too)."""
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _strings(v, where or str(k))
    elif isinstance(data, list):
        for v in data:
            yield from _strings(v, where)
    elif isinstance(data, str):
        yield where, data


def _csl_batches(p: Path, formula: str | None = None) -> Iterator[FileRead]:
    from ..errors import InvalidData
    from ..formats.csljson import record_from_csl
    from ..limits import oversize_field
    from ..model.keys import base_key

    out = FileRead()
    used: set[str] = set()
    for i, item in enumerate(_csl_items(p)):
        label = f"item {i + 1}"
        try:
            too_big = oversize_field(_strings(item))
            if too_big:
                raise InvalidData(too_big)
            kept: list[str] = []
            record = record_from_csl(item, where=f"{p}: {label}", warnings=kept)
            generated = "csl_id" in record.extra or not (
                isinstance(item, dict) and item.get("id") not in (None, "")
            )
            if generated:
                # no usable id: a key from the key formula
                base = base_key(record, formula)
                key, n = base, 0
                while key.casefold() in used:
                    n += 1
                    key = f"{base}-{n}"
                record = record.model_copy(update={"key": key})
            used.add(record.key.casefold())
            out.entries.append(Entry(record, str(p), None, generated))
            out.warnings.extend(Issue(str(p), None, record.key, f"{label}: {w}") for w in kept)
        except InvalidData as exc:
            msg = str(exc).removeprefix(f"{p}: {label}: ").removeprefix(f"{p}: {label}")
            item_id = item.get("id") if isinstance(item, dict) else None
            out.invalid.append(
                Issue(
                    str(p), None, str(item_id) if item_id is not None else None, f"{label}: {msg}"
                )
            )
        if len(out.entries) + len(out.invalid) >= CSL_BATCH:
            yield out
            out = FileRead()
    yield out


def _peek(p: Path) -> str:
    try:
        with p.open("rb") as fh:
            return fh.read(4096).decode("utf-8", errors="replace")
    except OSError:
        return ""


# --------------------------------------------------------------------------
# the import


@dataclass
class Duplicate:
    key: str
    existing: str
    why: str
    source: str
    line: int | None
    updated: bool = False
    #: the fields the record kept took from this one, which it lacked
    filled: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    """What an import did (or, dry run / not committed yet, would do)."""

    created: list[str] = field(default_factory=list)  # in commit order: books first
    updated: list[str] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    invalid: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    books_created: list[str] = field(default_factory=list)
    entries: int = 0  # entries read (valid or not)
    #: the @preamble values of the BibTeX files read (added to preamble.bib)
    preambles: list[str] = field(default_factory=list)
    #: the @string definitions of the BibTeX files read (added to preamble.bib)
    strings: list[tuple[str, str]] = field(default_factory=list)
    #: nothing is written: the records are staged in a temporary folder
    dry_run: bool = False
    _staged: list[tuple[str, str]] = field(default_factory=list, repr=False)
    #: the replacing records of --on-duplicate update, one JSON line each
    #: (kept on disk until the commit, not in memory)
    _updates: Any = field(default=None, repr=False)
    _stage: Any = field(default=None, repr=False)

    @property
    def skipped_duplicates(self) -> list[Duplicate]:
        return [d for d in self.duplicates if not d.updated]

    @property
    def imported(self) -> list[str]:
        """The keys of the new records made from entries (not the books
        made for chapters: they are in ``books_created``)."""
        made = set(self.books_created)
        return [k for k in self.created if k not in made]

    def __enter__(self) -> ImportResult:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()

    def refusal(self, on_duplicate: str, skip_invalid: bool) -> CiteshelfError | None:
        """The error that stops this import before anything is written: a
        duplicate with ``on_duplicate="error"``, else an invalid entry unless
        ``skip_invalid``; None if it can go on."""
        from ..errors import Conflict, InvalidData

        if on_duplicate == "error" and self.duplicates:
            n = len(self.duplicates)
            return Conflict(
                f"{n} entr{'ies' if n != 1 else 'y'} duplicate existing records (listed above); "
                "nothing was imported: choose --on-duplicate skip, rename or update"
            )
        if self.invalid and not skip_invalid:
            n = len(self.invalid)
            return InvalidData(
                f"{n} invalid entr{'ies' if n != 1 else 'y'} (listed above); nothing was "
                "imported: fix them, or import the rest with --skip-invalid"
            )
        return None

    def to_json(self, *, refused: bool = False) -> dict[str, Any]:
        """What ``import --json`` prints; ``refused``: nothing was imported."""
        return {
            "dry_run": self.dry_run,
            "imported": [] if refused else self.imported,
            "updated": [] if refused else list(self.updated),
            "duplicates": [
                {
                    "key": d.key,
                    "existing": d.existing,
                    "reason": d.why,
                    "file": d.source,
                    "line": d.line,
                    "filled": list(d.filled),
                }
                for d in self.skipped_duplicates
            ],
            "renamed": [] if refused else [{"from": a, "to": b} for a, b in self.renamed],
            "invalid": [
                {"file": i.source, "line": i.line, "key": i.key, "reason": i.message}
                for i in self.invalid
            ],
            "books_created": [] if refused else list(self.books_created),
            "warnings": [
                {"file": w.source, "line": w.line, "key": w.key, "message": w.message}
                for w in self.warnings
            ],
        }

    def commit(self, bar: Any = None) -> list[str]:
        """Make the new records appear and apply the updates, all at once (one
        journalled commit under the library's lock); the keys written, in
        order. An update is re-applied to the record as it is now if another
        process changed it since it was read (its changes are kept). On
        failure nothing is written (``exc.written`` is an empty list)."""
        from ..model import now_utc, parse_record

        written: list[str] = []
        library = self._stage.library
        replaced: list[tuple[str, str]] = []
        try:
            with library.locked():
                if self._updates is not None:
                    self._updates.seek(0)
                    for line in self._updates:
                        new, base = json.loads(line)
                        current = library.get(new["key"]).to_json_dict()
                        if base is not None and current != base:
                            new = rebase(base, new, current)
                        record = parse_record(new).model_copy(update={"modified": now_utc()})
                        replaced.append((library.stage(record), record.key))
                staged, self._staged = self._staged, []
                library.commit_staged(staged, replace=replaced)
                if self.preambles or self.strings:
                    _keep_preambles(library, self.preambles, self.strings)
                written = [k for _, k in staged] + [k for _, k in replaced]
            if bar is not None:
                bar.advance(len(written))
        except BaseException as exc:
            library.discard_staged([t for t, _ in replaced])
            self.discard()
            exc.written = []  # type: ignore[attr-defined]
            raise
        self.discard()
        _index_written(library)
        return written

    def add_update(self, record: Any, base: Any = None) -> None:
        """Record an update; ``base`` is the record as it was read."""
        if self._updates is None:
            # open until commit() or discard()
            self._updates = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        line = [record.to_json_dict(), None if base is None else base.to_json_dict()]
        self._updates.write(json.dumps(line, ensure_ascii=False) + "\n")
        self.updated.append(record.key)

    def discard(self) -> None:
        """Remove whatever is still staged (it does not become visible)."""
        if self._stage is not None:
            self._stage.drop([t for t, _ in self._staged])
            self._stage.close()
        self._staged = []
        if self._updates is not None:
            self._updates.close()
            self._updates = None


class _LibraryStage:
    """New records staged in the library folder (``Library.stage``)."""

    def __init__(self, library: Any) -> None:
        self.library = self._store = library
        library.check_exists()

    def put(self, record: Any, data: dict[str, Any] | None = None) -> str:
        return self.library.stage(record, data=data)

    def get(self, handle: str) -> Any:
        from ..model import parse_record

        self._store.flush_staged()  # (written by a thread of the store's)
        with open(handle, encoding="utf-8") as fh:
            return parse_record(json.load(fh))

    def drop(self, handles: Iterable[str]) -> None:
        self.library.discard_staged(handles)

    def commit(self, staged: list[tuple[str, str]]) -> None:
        self.library.commit_staged(staged)

    def close(self) -> None:
        pass


class _DryStage(_LibraryStage):
    """A dry run stages in a private temporary folder: the library is untouched."""

    def __init__(self, library: Any) -> None:
        from ..library import Library

        self.library = library
        self._tmp = tempfile.TemporaryDirectory(prefix="citeshelf-dry-")
        self._lib = self._store = Library(self._tmp.name)

    def put(self, record: Any, data: dict[str, Any] | None = None) -> str:
        return self._lib.stage(record, data=data)

    def drop(self, handles: Iterable[str]) -> None:
        self._lib.discard_staged(handles)

    def commit(self, staged: list[tuple[str, str]]) -> None:  # pragma: no cover - never called
        raise RuntimeError("a dry run writes nothing")

    def close(self) -> None:
        self._lib.flush_staged(check=False, end=True)
        self._tmp.cleanup()


_BOOK_FIELDS = (
    "editors",
    "publisher",
    "place",
    "issued",
    "edition",
    "volume",
    "series",
    "isbn",
    "language",
)


class Importer:
    """Decides entry by entry (see the module docstring); new records are
    staged as they are accepted, so memory holds keys, not records."""

    def __init__(
        self,
        library: Any,
        existing: Existing,
        *,
        on_duplicate: str = "skip",
        link_parents: bool = False,
        dry_run: bool = False,
        make_key: Callable[[Any, Callable[[str], bool]], str] | None = None,
        get_existing: Callable[[str], Any] | None = None,
    ) -> None:
        if on_duplicate not in ON_DUPLICATE:
            raise ValueError(on_duplicate)
        self.library = library
        self.existing = existing
        self.on_duplicate = on_duplicate
        self.link_parents = link_parents
        self.make_key = make_key
        self.get_existing = get_existing
        self.result = ImportResult()
        self.result._stage = self._stage = (_DryStage if dry_run else _LibraryStage)(library)
        self.batch = Existing()  # what this import creates, for in-import duplicates
        #: the library has something to match (an empty one has no duplicates)
        self._existing_any = bool(
            existing.keys or existing.sig or existing.dois or existing.isbn_ev
        )
        #: incoming key -> key the record ends up under, where they differ
        self.alias: dict[str, str] = {}
        #: key of a new record -> the keys of its duplicates in the import
        self.aliases: dict[str, list[str]] = {}
        #: key of a new record -> its duplicates in the import, which may
        #: hold fields it lacks (:func:`.merging.fill_missing`)
        self.fills: dict[str, list[tuple[Any, Duplicate]]] = {}
        #: what a bibliography sorts by (:func:`citeshelf.model.order.tie_signature`) -> the new
        #: keys that give it, in input order (one key: a plain string)
        self.ties: dict[int, str | list[str]] = {}
        self.handles: dict[str, str] = {}  # new key -> staged file
        self.book_keys: set[str] = set()  # new books (committed first)
        self.order: list[str] = []  # new keys in input order
        #: accepted chapters whose parent link is checked at the end:
        #: (key, parent, has a container title, source, line)
        self.links: list[tuple[str, str, bool, str, int | None]] = []
        self.files: dict[str, int] = {}  # input files in the order read
        #: accepted chapters without parent but with a book title (--link-parents)
        self.unlinked: list[str] = []

    def abort(self) -> None:
        """Remove everything staged so far (after an error while reading)."""
        self._stage.drop(list(self.handles.values()))
        self.handles = {}
        self._stage.close()

    def taken(self, key: str) -> bool:
        folded = key.casefold()
        return folded in self.existing.keys or folded in self.batch.keys

    def add_read(self, read: FileRead) -> None:
        """One batch of entries (from one file, in file order)."""
        for item in read.entries[:1] + read.invalid[:1]:
            self.files.setdefault(item.source, len(self.files))
        self.result.entries += len(read.entries) + len(read.invalid)
        self.result.invalid.extend(read.invalid)
        self.result.warnings.extend(read.warnings)
        self.result.preambles.extend(read.preambles)
        self.result.strings.extend(read.strings)
        for entry in read.entries:
            self.add(entry)

    def _accept(self, record: Any, entry: Entry) -> None:
        try:
            handle = self._stage.put(record, entry.json_data(record))
        except InvalidData as exc:  # too large for a record file
            self.result.invalid.append(Issue(entry.source, entry.line, record.key, str(exc)))
            return
        self.batch.add(record)
        if record.key != entry.record.key:
            self.alias[entry.record.key] = record.key
        self.handles[record.key] = handle
        if record.type == "book":
            self.book_keys.add(record.key)
        self.order.append(record.key)
        if record.parent:  # a chapter's book, a paper's proceedings, a volume's set
            self.links.append(
                (
                    record.key,
                    record.parent,
                    bool(getattr(record, "container_title", None)) or record.type != "chapter",
                    entry.source,
                    entry.line,
                )
            )
        elif self.link_parents:
            from ..model import Chapter

            if isinstance(record, Chapter) and record.container_title:
                self.unlinked.append(record.key)
        sig = tie_signature(record)
        same = self.ties.get(sig)
        if same is None:
            self.ties[sig] = record.key
        elif isinstance(same, str):
            self.ties[sig] = [same, record.key]
        else:
            same.append(record.key)

    def add(self, entry: Entry) -> None:
        res = self.result
        record = entry.record
        full = entry.full or record
        hit = self.existing.match(full, entry.book) if self._existing_any else None
        where = "library"
        if hit is None:
            hit = self.batch.match(full, signature=False)
            where = "import"
        if hit is None:
            self._accept(record, entry)
            return
        other, why = hit
        if why == "same key" and entry.generated_key:
            # a key citeshelf made up is taken: take the next free one
            moved = record.model_copy(update={"key": free_key(record.key, self.taken)})
            hit = self.existing.match(moved) or self.batch.match(moved, signature=False)
            if hit is None:
                self._accept(moved, entry)
                return
            other, why = hit
        dup = Duplicate(record.key, other, why, entry.source, entry.line)
        if self.on_duplicate in ("skip", "error") or (
            where == "import" and self.on_duplicate == "update"
        ):
            res.duplicates.append(dup)
            if self.on_duplicate != "error":
                self.alias.setdefault(record.key, other)
                if where == "import" and record.key != other:
                    # the same work under two keys in the import: the second
                    # key stays an alias of the record kept (export --cited-in,
                    # show, biblatex ids)
                    self.aliases.setdefault(other, []).append(record.key)
                    self.fills.setdefault(other, []).append((record, dup))
            return
        if self.on_duplicate == "rename":
            new_key = free_key(record.key, self.taken) if self.taken(record.key) else record.key
            if new_key != record.key:
                res.renamed.append((record.key, new_key))
                record = record.model_copy(update={"key": new_key})
            self._accept(record, entry)
            return
        # update: the entry's fields replace the record's; fields only the
        # record has (a note, tags, a parent ...) are kept; key and added stay.
        old = self.get_existing(other) if self.get_existing else None
        update: dict[str, Any] = {"key": other}
        if old is not None and getattr(old, "added", None):
            update["added"] = old.added
        if old is not None and old.type == record.type:
            record = merge_update(old, record)
        if old is not None and old.type != record.type:
            res.invalid.append(
                Issue(
                    entry.source,
                    entry.line,
                    record.key,
                    f"would update '{other}' ({why}) but it is a {old.type}, this entry a "
                    f"{record.type}: import with --on-duplicate rename or skip",
                )
            )
            return
        self.alias[record.key] = other
        res.add_update(record.model_copy(update=update), base=old)
        dup.updated = True
        res.duplicates.append(dup)

    # -- the end ------------------------------------------------------------

    def finish(self) -> ImportResult:
        """Check the parent links (now that every entry is known), make the
        books --link-parents needs, and put the new records in commit order."""
        res = self.result
        dropped: set[str] = set()
        for key, olds in self.aliases.items():
            if key in self.handles:
                from .merging import FORMER_KEYS, fill_missing

                record = self._stage.get(self.handles[key])
                for twin, dup in self.fills.get(key, ()):
                    record, dup.filled = fill_missing(record, twin)
                extra = dict(record.extra)
                former = [str(k) for k in extra.get(FORMER_KEYS) or []]
                extra[FORMER_KEYS] = list(dict.fromkeys([*former, *olds]))
                self._restage(record.model_copy(update={"extra": extra}))
        self.aliases = {}
        self.fills = {}
        for group in self.ties.values():
            if isinstance(group, list):
                self._note_tie(group)
        self.ties = {}
        for key, parent, has_container, source, line in self.links:
            target = self.alias.get(parent)
            if target is None:
                target = self.batch.keys.get(parent.casefold()) or self.existing.keys.get(
                    parent.casefold()
                )
            if target == parent:
                continue
            if target is None and not has_container:
                res.invalid.append(
                    Issue(
                        source,
                        line,
                        key,
                        f"crossref '{parent}' is neither in the import nor in the "
                        "library: import the book too, or add a booktitle",
                    )
                )
                dropped.add(key)
                continue
            record = self._stage.get(self.handles[key])
            if target is None:
                extra = dict(record.extra)
                extra["crossref"] = record.parent
                res.warnings.append(
                    Issue(
                        source,
                        line,
                        key,
                        f"crossref '{record.parent}' is neither in the import nor in the "
                        "library: imported without a parent link (kept in extra.crossref)",
                    )
                )
                record = record.model_copy(update={"parent": None, "extra": extra})
                if self.link_parents:
                    self.unlinked.append(key)
            else:
                record = record.model_copy(update={"parent": target})
            self._restage(record)
        self.links = []
        for key in dropped:
            self._stage.drop([self.handles.pop(key)])
        if self.unlinked:
            order = {k: i for i, k in enumerate(self.order)}
            self.unlinked.sort(key=order.__getitem__)
            self._link_all()
        new = [k for k in self.order if k in self.handles]
        books = [k for k in new if k in self.book_keys]
        rest = [k for k in new if k not in self.book_keys]
        res.created = books + rest
        res._staged = [(self.handles[k], k) for k in res.created]
        files = self.files
        res.invalid.sort(key=lambda i: (files.get(i.source, len(files)), i.line or 0))
        return res

    def _note_tie(self, group: list[str]) -> None:
        """Records a bibliography sorts alike (same names, title, year and
        volume) whose keys do not sort in input order: each notes the input
        order (``extra.tie_order``), which exports keep, so that biber and
        citeproc, which print such a tie in file order, print it as the
        source did."""
        keys = [k for k in group if k in self.handles]
        if len(keys) < 2 or keys == sorted(keys):
            return
        for key in keys:
            record = self._stage.get(self.handles[key])
            extra = {**(record.extra or {}), TIE_ORDER: keys}
            self._restage(record.model_copy(update={"extra": extra}))

    def _restage(self, record: Any) -> None:
        old = self.handles[record.key]
        self.handles[record.key] = self._stage.put(record)
        self._stage.drop([old])

    def _link_all(self) -> None:
        """--link-parents: each chapter without parent is linked to the book its
        fields describe (by ISBN, else title and year), made if there is none."""
        from ..model import Book

        made: dict[tuple[str, str], Any] = {}
        for key in self.unlinked:
            record = self._stage.get(self.handles[key])
            target = None
            for i in record.isbn:
                target = self.batch.book_with_isbn(i) or self.existing.book_with_isbn(i)
                if target:
                    break
            sig = (_norm_title(record.container_title), str(record.year or ""))
            book = None
            if target is None and sig in made:
                book = made[sig]
                target = book.key
            if target is None:
                target = self.existing.books.get(sig) or self.batch.books.get(sig)
            for b in made.values():
                if b.key == target:
                    book = b
            if target is None:
                data: dict[str, Any] = {
                    "type": "book",
                    "key": "tmp-book",
                    "title": record.container_title,
                }
                for name in _BOOK_FIELDS:
                    value = getattr(record, name)
                    if value:
                        data[name] = value
                if record.container_authors:
                    data["authors"] = record.container_authors
                notes = _field_notes(record.extra or {}, "container_title", "title")
                if notes:
                    data["extra"] = notes
                book = Book.model_validate(data)
                make_key = self.make_key or unique_key
                book = book.model_copy(update={"key": make_key(book, self.taken)})
                made[sig] = book
                target = book.key
                self.batch.add(book)
                self.handles[book.key] = self._stage.put(book)
                self.book_keys.add(book.key)
                self.order.append(book.key)
                self.result.books_created.append(book.key)
            update: dict[str, Any] = {"parent": target}
            if book is not None:
                # What the chapter says the same as the book it is now linked
                # to, it takes from the book.
                if book.title == record.container_title:
                    update["container_title"] = None
                    extra = _without_field_notes(record.extra or {}, "container_title")
                    if extra != (record.extra or {}):
                        update["extra"] = extra
                if book.authors == record.container_authors:
                    update["container_authors"] = []
                for name in _BOOK_FIELDS:
                    if getattr(book, name) == getattr(record, name):
                        update[name] = [] if name in ("editors", "isbn") else None
            self._restage(record.model_copy(update=update))
        self.unlinked = []


#: extra's tables of notes on a field's text, keyed by the field: its
#: protected phrases, how its markup was spelled (formats/__init__.py)
_FIELD_NOTES = ("protect", "latex_markup")


def _field_notes(extra: dict[str, Any], field: str, to: str) -> dict[str, Any]:
    """The notes ``extra`` holds on ``field``, as notes on ``to`` (a chapter's
    book title's braces and quotes, for the book made from it)."""
    out: dict[str, Any] = {}
    for table in _FIELD_NOTES:
        notes = extra.get(table)
        if isinstance(notes, dict) and field in notes:
            value = notes[field]
            out[table] = {to: list(value) if isinstance(value, list) else value}
    return out


def _without_field_notes(extra: dict[str, Any], field: str) -> dict[str, Any]:
    """``extra`` without its notes on ``field`` (the field moved to the book)."""
    out = dict(extra)
    for table in _FIELD_NOTES:
        notes = out.get(table)
        if isinstance(notes, dict) and field in notes:
            rest = {k: v for k, v in notes.items() if k != field}
            if rest:
                out[table] = rest
            else:
                del out[table]
    return out


def _index_written(library: Any) -> None:
    """Bring the library's index up to date now, with the records just
    written (the store's digests of their files say which files hold them
    as written: those are indexed without being read as records again), so
    that the next command finds it ready. The index is a cache: if it
    cannot be used here, the next command that needs it builds it."""
    import sqlite3

    from ..library.index import open_index

    written = getattr(library, "written", None)
    if not written:
        return
    try:
        index = open_index(library.path, refresh=False)
        if index is None:
            return
        try:
            index.refresh(written=written)
        finally:
            index.close()
    except (OSError, sqlite3.Error, CiteshelfError):
        pass
    finally:
        written.clear()


def _keep_preambles(library: Any, values: list[str], strings: list[tuple[str, str]]) -> None:
    """Add the @preamble blocks and @string definitions an import read to the library's preamble.bib
    (see :mod:`citeshelf.formats.bibtex.preamble`), atomically."""
    import os

    from ..formats.bibtex.preamble import PREAMBLE_FILE, merged_preambles

    path = Path(library.path) / PREAMBLE_FILE
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    text = merged_preambles(existing, values, strings)
    if text is None:
        return
    tmp = path.with_name(f".{PREAMBLE_FILE}.part")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def key_maker(library: Any) -> Callable[[Any, Callable[[str], bool]], str]:
    """unique_key with the library's configured key formula."""
    from .configuring import key_formula

    formula = key_formula(library)
    return lambda record, taken: unique_key(record, taken, formula)


def import_files(
    library: Any,
    files: Iterable[str | Path],
    *,
    fmt: str | None = None,
    on_duplicate: str = "skip",
    link_parents: bool = False,
    dry_run: bool = False,
    progress: ProgressFactory | None = None,
) -> ImportResult:
    """Read every entry of ``files``, decide on duplicates and parents, and
    stage the new records (see the module docstring). Nothing is visible
    until :func:`commit_import`; on an error everything staged is removed."""

    from .configuring import key_formula

    formula = key_formula(library)
    streams = [read_entries(path, fmt, key_formula=formula) for path in files]
    importer = Importer(
        library,
        Existing.from_library(library),
        on_duplicate=on_duplicate,
        link_parents=link_parents,
        dry_run=dry_run,
        make_key=key_maker(library),
        get_existing=library.get,
    )
    make_bar = progress or _no_progress
    try:
        with make_bar(sum(s.total for s in streams)) as bar:
            for stream in streams:
                for read in stream.batches():
                    importer.add_read(read)
                    bar.advance(len(read.entries) + len(read.invalid))
        result = importer.finish()
    except BaseException:
        importer.abort()
        raise
    result.dry_run = dry_run
    return result


def commit_import(result: ImportResult, progress: ProgressFactory | None = None) -> list[str]:
    """Make the staged records appear and apply the updates, all at once;
    the keys written. After a failure nothing is written."""
    from ..errors import CiteshelfError

    if result.dry_run:
        raise ValueError("a dry run writes nothing")
    make_bar = progress or _no_progress
    try:
        with make_bar(len(result.created) + len(result.updated)) as bar:
            return result.commit(bar)
    except Exception as exc:
        message = f"import stopped: {exc}; nothing was imported"
        if isinstance(exc, CiteshelfError):
            raise type(exc)(message) from None
        raise CiteshelfError(message) from exc


def _no_progress(total: int) -> NullProgress:
    return NullProgress()


def rebase(base: dict[str, Any], new: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """``new`` (an update made from ``base``) applied to ``current`` (the
    record as another process has left it since): the fields the update
    changes are its own, the others (and keys of ``extra`` it leaves alone)
    stay as they are now; tags and keywords are joined."""
    out = dict(current)
    for name in {*base, *new} - {"added", "modified"}:
        if name in ("tags", "keywords"):
            out[name] = list(dict.fromkeys([*current.get(name, []), *new.get(name, [])]))
        elif name == "extra" and isinstance(current.get(name), dict):
            out[name] = rebase(base.get(name) or {}, new.get(name) or {}, current[name])
        elif base.get(name) != new.get(name):
            if name in new:
                out[name] = new[name]
            else:
                out.pop(name, None)
    return {k: v for k, v in out.items() if v not in ([], {})}


def merge_update(old: Any, new: Any) -> Any:
    """``new``'s fields over ``old``'s (same type): what the entry has wins,
    what only the record has is kept; tags and keywords are joined, ``extra``
    merged (the entry's values win)."""
    data = old.to_json_dict()
    incoming = new.to_json_dict()
    for name, value in incoming.items():
        if name in ("key", "added", "modified"):
            continue
        if name in ("tags", "keywords"):
            data[name] = list(dict.fromkeys([*data.get(name, []), *value]))
        elif name == "extra":
            data[name] = {**data.get(name, {}), **value}
        else:
            data[name] = value
    data["key"] = new.key
    return type(new).model_validate(data)
