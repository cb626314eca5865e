"""What ``citeshelf export`` writes: the selection, closed over parents, in one format.

Public API::

    prepare_export(library, *, keys=(), query=None, cited_in=(), fmt=None,
                   output=None, ascii=False, expand=False, allow_missing=False,
                   warn=None, title_case=False, follow_outside=False) -> ExportPlan
        What to write, in order (the format from ``fmt``, else the ``output``
        file name, else BibTeX): ``plan.order`` the keys, ``added_parents``
        the books added because a chapter names them, ``missing`` the
        asked-for keys that are not in the library (only with
        ``allow_missing``; otherwise they raise ``NotFound``), ``warnings``
        (also passed to ``warn`` as they are known). A query that matches
        nothing raises ``NotFound``. ``title_case``: BibTeX and BibLaTeX
        titles of English records in title case (Chicago's headline style),
        the stored capitals protected in braces. ``follow_outside``: read
        the files a ``cited_in`` manuscript includes from outside its folder
        (otherwise each is a warning).
    write_export(plan, library, out)
        Write the records to the text stream ``out``, one at a time.
    export_to_file(plan, library, path)
        The same into ``path``, atomically (see ``open_atomically``).
    plan_export(library, ...) -> ExportPlan
        The selection alone, with no defaults or checks of its own.

With no KEYS, no query and no manuscript, everything is exported.

The cache: when the library's index can be used, the selection's parents
come from the index (no file is read to plan), a book is read only when an
entry is written from it, and each BibTeX or BibLaTeX entry, or CSL-JSON
item, written is kept in the index (:meth:`citeshelf.library.index.Index.entries`) under a variant
naming the code (the version and the size and time of every module of the
package), the format and the options that change an entry. The next export
writes a kept entry as it is while the record's file, and its book's for a
chapter, keep the size and time the index saw; any other entry is written
from the files (and kept). An entry is kept only if its files are unchanged
since the index read them, and not modified within a clock tick of the
export's start (as the index treats "racy" files), and only if it does not
depend on the other entries written (a repeated ``crossref`` is written again
only while it names one of them: :func:`citeshelf.formats.bibtex.writer.depends_on_selection`).

An export of every record also keeps its whole text beside the index
(:meth:`~citeshelf.library.index.Index.output`, a file written as the
export goes: :mod:`citeshelf.library.outputs`) when every entry it wrote was
a kept one or one written from files the scan saw as they are, under the
digest of the scan its files' sizes and times were read from (none while a
file is racy); the next export of every record in the same variant writes
that text as it is while the scan gives the same digest.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..formats import EXPORT_FORMATS
from .entrycache import EntryCache
from .entrycache import code_stamp_hex as _code_stamp

if TYPE_CHECKING:  # pragma: no cover
    from ..library.outputs import OutputWriter

__all__ = [
    "ExportPlan",
    "export_to_file",
    "format_for_path",
    "nothing_exported_on_bad_data",
    "open_atomically",
    "plan_export",
    "prepare_export",
    "write_export",
]


def format_for_path(path: str) -> str | None:
    name = path.lower()
    if name.endswith(".bib"):
        return "bibtex"
    if name.endswith(".json"):
        return "csl-json"
    if name.endswith(".ris"):
        return "ris"
    return None


@contextlib.contextmanager
def nothing_exported_on_bad_data() -> Iterator[None]:
    """An unreadable record stops the export: say that nothing was written and what to do."""
    from ..errors import InvalidData

    try:
        yield
    except InvalidData as exc:
        raise InvalidData(
            f"{exc}; nothing was exported: fix the file ('citeshelf check' lists every problem) "
            f"or leave the record out with KEYS or --query"
        ) from None


def prepare_export(
    library: Any,
    *,
    keys: tuple[str, ...] | list[str] = (),
    query: str | None = None,
    cited_in: tuple[str, ...] | list[str] = (),
    fmt: str | None = None,
    output: str | None = None,
    ascii: bool = False,
    expand: bool = False,
    allow_missing: bool = False,
    warn: Callable[[str], None] | None = None,
    title_case: bool = False,
    follow_outside: bool = False,
) -> ExportPlan:
    """The export of ``keys``, the records matching ``query`` and the keys the
    manuscripts ``cited_in`` cite (everything if none is given), closed over
    parents (see the module docstring)."""
    from ..errors import NotFound

    if fmt is None:
        fmt = (format_for_path(output) if output else None) or "bibtex"
    with nothing_exported_on_bad_data():
        plan = plan_export(
            library,
            keys=keys,
            query=query,
            cited_in=cited_in,
            fmt=fmt,
            ascii=ascii,
            expand=expand,
            allow_missing=allow_missing,
            follow_outside=follow_outside,
        )
    plan.title_case = title_case
    if plan.count == 0 and cited_in and not keys and not query:
        plan.warnings.append(f"{', '.join(cited_in)}: no citation found; nothing to export")
    for message in plan.warnings:
        if warn is not None:
            warn(message)
    if plan.count == 0 and query and not keys and not cited_in:
        raise NotFound(
            f"no record matches {query!r}: see 'citeshelf list {query}'; nothing was exported"
        )
    return plan


def export_to_file(plan: ExportPlan, library: Any, path: str | os.PathLike[str]) -> None:
    """Write the plan to ``path`` atomically: all of it, or nothing."""
    with open_atomically(path) as fh:
        write_export(plan, library, fh)


@dataclass
class ExportPlan:
    """What an export writes, in order, without the records themselves."""

    fmt: str
    order: list[str]  # keys in output order
    books: dict[str, Any]  # a chapter's parent key -> the book record
    crossref: bool  # chapters refer to their books (which are written too)
    ascii: bool = False
    added_parents: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: BibTeX: English titles in title case (styles lower-case what they need)
    title_case: bool = False
    #: the index's cache of written entries, if one can be used (closed by write_export)
    cache: Any = field(default=None, repr=False, compare=False)
    #: every record of the library (no KEYS, query or manuscript): the
    #: whole output may be kept in the index and written again as it is
    whole: bool = False

    @property
    def count(self) -> int:
        return len(self.order)


def plan_export(
    library: Any,
    *,
    keys: tuple[str, ...] | list[str] = (),
    query: str | None = None,
    cited_in: tuple[str, ...] | list[str] = (),
    fmt: str = "bibtex",
    ascii: bool = False,
    expand: bool = False,
    allow_missing: bool = False,
    follow_outside: bool = False,
) -> ExportPlan:
    """The selection closed over parents and put in output order; only the
    parent books are read here (see :func:`write_export`), and with the index
    not even those (they are read when an entry needs them)."""
    if fmt not in EXPORT_FORMATS:
        from ..errors import UsageError

        raise UsageError(f"unknown format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")
    cache = _EntryCache.open(library)
    try:
        return _plan_export(
            library,
            cache,
            keys=keys,
            query=query,
            cited_in=cited_in,
            fmt=fmt,
            ascii=ascii,
            expand=expand,
            allow_missing=allow_missing,
            follow_outside=follow_outside,
        )
    except BaseException:
        if cache is not None:
            cache.close()
        raise


def _plan_export(
    library: Any,
    cache: _EntryCache | None,
    *,
    keys: tuple[str, ...] | list[str],
    query: str | None,
    cited_in: tuple[str, ...] | list[str],
    fmt: str,
    ascii: bool,
    expand: bool,
    allow_missing: bool,
    follow_outside: bool,
) -> ExportPlan:
    from ..errors import NotFound

    warnings: list[str] = []
    # the index's keys are the folder's, as its refresh just listed them
    all_keys = cache.keys() if cache is not None else library.keys()
    present = set(all_keys)
    wanted: list[str] = []
    everything = not keys and not query and not cited_in
    wanted.extend(keys)
    if cited_in:
        from ..formats.manuscript import cited_keys

        cites = cited_keys(list(cited_in), follow_outside=follow_outside)
        warnings.extend(cites.warnings)  # included files outside the manuscript's folder
        wanted.extend(cites.keys)
        everything = everything or cites.everything
    chosen: dict[str, None] = {}
    if query:
        from ..library.query import select

        found, problems = select(library, query)
        for r in found:
            chosen[r.key] = None
        del found
        for p in problems:
            warnings.append(f"skipped unreadable record file: {p.reason}")
    whole = everything and not keys and not query
    if everything:
        wanted.extend(all_keys)
    missing = [k for k in dict.fromkeys(wanted) if k not in present]
    if missing:
        # keys an import had to change are cited under their original form
        originals = _original_keys(library, all_keys)
        found_keys = {k: originals[k] for k in missing if k in originals}
        wanted = [found_keys.get(k, k) for k in wanted]
        missing = [k for k in missing if k not in found_keys]
    if missing:
        from ..errors import closest

        hints = {k: closest(k, all_keys) for k in missing}
        shown = ", ".join(f"{k} (did you mean {hints[k]}?)" if hints[k] else k for k in missing)
        n = len(missing)
        if not allow_missing:
            raise NotFound(
                f"{n} key{'s' if n != 1 else ''} not in the library: {shown}; add "
                f"{'them' if n != 1 else 'it'} (citeshelf import FILE.bib) or export the rest with "
                "--allow-missing"
            )
        warnings.append(f"not in the library, left out: {shown}")
    for k in wanted:
        if k in present:
            chosen[k] = None
    del all_keys, wanted

    # Close over parents: each record's parent, read from its file's text.
    closure: set[str] = set(chosen)
    books = _Books(library)
    broken: list[tuple[str, str]] = []
    queue = list(chosen)
    while queue:
        key = queue.pop()
        known, parent = cache.parent(key) if cache is not None else (False, None)
        if not known:
            parent = _parent_of(library, key)
        if not parent:
            continue
        if parent in books:
            continue
        if cache is not None and cache.readable(parent):
            books.later(parent)  # read when an entry needs it
        else:
            try:
                books[parent] = library.get(parent)
            except NotFound:
                broken.append((key, parent))
                continue
        if parent not in closure:
            closure.add(parent)
            queue.append(parent)
    if broken:
        shown = ", ".join(f"'{c}' names parent '{p}'" for c, p in sorted(broken))
        raise NotFound(
            f"chapter parents are not in the library: {shown}: add the book or fix the "
            "chapter's parent with 'citeshelf edit KEY --set parent=BOOKKEY'"
        )
    added = sorted(k for k in books if k not in chosen)
    bibtex = fmt in ("bibtex", "biblatex")
    if expand and bibtex:
        # self-contained chapters: a book is written only if it was asked for
        order = _ties_kept(library, cache, sorted(chosen))
        return ExportPlan(
            fmt, order, books, False, ascii, [], missing, warnings, cache=cache, whole=whole
        )
    order = sorted(closure)
    if bibtex:
        # every crossref'd book after all entries that cite it (BibTeX needs that order)
        # (books holds exactly the records a selected chapter names as parent)
        parents = set(books)
        order = [k for k in order if k not in parents] + [k for k in order if k in parents]
        order = _ties_kept(library, cache, order, frozenset(parents))
    else:
        order = _ties_kept(library, cache, order)
    return ExportPlan(
        fmt, order, books, True, ascii, added, missing, warnings, cache=cache, whole=whole
    )


#: A record file's top-level "parent" line as citeshelf writes it.
_PARENT_LINE = re.compile(rb'^  "parent": "([A-Za-z0-9][A-Za-z0-9_:.+-]*)",?\r?$', re.MULTILINE)


def _parent_of(library: Any, key: str) -> str | None:
    """A record's parent key, from its file's text (no validation: the
    record is read in full when it is written)."""
    from ..errors import CiteshelfError
    from ..library.safeio import loads_limited

    try:  # read as the store reads (never a special file, never too much)
        data = library.read_text(key).encode("utf-8")
    except (OSError, CiteshelfError):
        return None
    if b'"parent"' not in data:
        return None
    m = _PARENT_LINE.search(data)
    if m:
        return m.group(1).decode("ascii")
    try:  # written some other way
        obj = loads_limited(data.decode("utf-8"))
    except ValueError:
        return None
    parent = obj.get("parent") if isinstance(obj, dict) else None
    return parent if isinstance(parent, str) and parent else None


def write_export(plan: ExportPlan, library: Any, out: Any) -> None:
    """Write the plan's records to the text stream ``out``, one at a time,
    in order: the same bytes as rendering them all at once. An unreadable
    record stops it (``InvalidData``, saying that nothing was exported)."""
    try:
        with nothing_exported_on_bad_data():
            _write_export(plan, library, out)
    finally:
        if plan.cache is not None:
            plan.cache.close()
            plan.cache = None


def _write_export(plan: ExportPlan, library: Any, out: Any) -> None:

    books = plan.books

    def records() -> Any:
        for key in plan.order:
            record = books.get(key)
            yield record if record is not None else library.get(key)

    def book_of(record: Any) -> Any:
        parent = getattr(record, "parent", None)
        return books.get(parent) if parent else None

    if plan.fmt in ("bibtex", "biblatex", "csl-json"):
        csl = plan.fmt == "csl-json"
        casing: Callable[[str], str] | None = None
        if plan.title_case and not csl:
            from ..styles.common import chicago_title_case

            casing = chicago_title_case
        preamble, strings = ("", []) if csl else _library_preamble(library)
        # the @string definitions imports kept: each before the first entry using it
        first = True
        if preamble:
            # the @preamble blocks imports kept (formats/bibtex/preamble.py)
            out.write(preamble)
            first = False
        # an entry that uses a macro carries the definitions it is the first to
        # need, which depends on the entries before it: with @string definitions
        # in the library every entry is written from its record
        cache: _EntryCache | None = plan.cache if not strings else None
        variant = cache.variant(plan) if cache is not None else ""
        output = cache.output(variant, plan, bool(preamble)) if cache is not None else None
        if output is not None and output.kept is not None:
            for data in output.kept:
                _write_utf8(out, data)
            return
        from ..jsontext import JsonArray
        from .forked import Workers

        order = plan.order
        maker = _Entries(plan, library, casing, strings, cache)
        batches = (order[i : i + _BATCH] for i in range(0, len(order), _BATCH))

        def lookup(batch: list[str]) -> dict[str, str]:
            return cache.entries(variant, batch) if cache is not None else {}

        # the entries not kept are written by worker processes for a large
        # export (.forked), a batch ahead; not with @string definitions, whose
        # writer carries what the entries before it used
        array = JsonArray() if csl else None  # CSL-JSON: the items in an array
        with Workers(maker.make, 0 if strings else len(order)) as workers:
            for batch, kept, made_entries in workers.ahead(batches, lookup):
                made = {key: rest for key, *rest in made_entries}
                parts: list[str] = []  # the batch's text, written at once
                for key in batch:
                    text = kept.get(key)
                    if text is None:
                        text, alone, seen = made[key]
                        if cache is not None and alone:
                            cache.keep_seen(key, text, seen)
                    if array is not None:
                        parts.append(array.item(text))
                        continue
                    if not first:
                        parts.append("\n")
                    first = False
                    parts.append(text)
                chunk = "".join(parts)
                out.write(chunk)
                if cache is not None:
                    cache.save(variant, output, chunk)
        if array is not None:
            end = array.end()
            out.write(end)
            if cache is not None:
                cache.save(variant, output, end)
        if cache is not None and output is not None:
            cache.finish(output)
    elif plan.fmt == "ris":
        import rispy

        from ..formats.ris import record_to_ris

        class _Refs:
            # rispy numbers references from len() and writes them as iterated
            def __len__(self) -> int:
                return len(plan.order)

            def __iter__(self) -> Any:
                for record in records():
                    yield record_to_ris(record, book=book_of(record))

        rispy.RisWriter().format_lines(out, _Refs())
    else:  # pragma: no cover - plan_export checked it
        raise ValueError(plan.fmt)


class _Entries:
    """The BibTeX or BibLaTeX entries of an export's records, written from
    the records (here, or in forked workers: :mod:`.forked`): for each key,
    (key, text, whether the entry depends on its record and book alone,
    their files' sizes and times as checked once read for a cache)."""

    def __init__(
        self,
        plan: ExportPlan,
        library: Any,
        casing: Callable[[str], str] | None,
        strings: list[tuple[str, str]],
        cache: _EntryCache | None,
    ) -> None:
        self.plan, self.library, self.casing = plan, library, casing
        self.strings, self.cache = strings, cache
        self.writer: Any = None  # made for the first entry

    def make(self, keys: list[str]) -> list[tuple[str, str, bool, Any]]:
        if self.plan.fmt == "csl-json":
            return self._csl_items(keys)
        from ..formats.bibtex.writer import depends_on_selection

        plan, books, cache = self.plan, self.plan.books, self.cache
        if self.writer is None:
            from ..formats.bibtex import BibTeXWriter

            self.writer = BibTeXWriter(
                plan.fmt, plan.ascii, self.casing, self.strings, set(plan.order)
            )
        out = []
        for key in keys:
            record = self._record(key)
            if record.parent:
                book = books.get(record.parent)
                text = self.writer.entry(record, book=book, crossref=plan.crossref)
            else:
                text = self.writer.entry(record)
            alone = not depends_on_selection(record)
            seen = cache.seen(key, record.parent) if cache is not None and alone else None
            out.append((key, text, alone, seen))
        return out

    def _record(self, key: str) -> Any:
        """``key``'s record: a book the plan holds, else read from its file."""
        record = self.plan.books.get(key)
        return record if record is not None else self.library.get(key)

    def _csl_items(self, keys: list[str]) -> list[tuple[str, str, bool, Any]]:
        """The CSL-JSON items of ``keys`` (each depends on its record and its
        book alone)."""
        from ..formats.csljson import dumps_json, record_to_csl

        books, cache = self.plan.books, self.cache
        out = []
        for key in keys:
            record = self._record(key)
            book = books.get(record.parent) if record.parent else None
            text = dumps_json(record_to_csl(record, book=book))
            seen = cache.seen(key, record.parent) if cache is not None else None
            out.append((key, text, True, seen))
        return out


_LATER = object()
#: Entries are looked up, and kept, this many at a time (memory stays flat).
_BATCH = 500


class _Books(dict[str, Any]):
    """A chapter's parent key -> the book record; a book put in ``later`` is
    read from its file the first time it is asked for."""

    def __init__(self, library: Any) -> None:
        super().__init__()
        self._library = library

    def later(self, key: str) -> None:
        super().__setitem__(key, _LATER)

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        if value is _LATER:
            value = self._library.get(key)
            super().__setitem__(key, value)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        if key not in self:
            return default
        return self[key]


class _EntryCache(EntryCache):
    """The index's record files and kept entries, for one export, and its
    whole output (see the module docstring)."""

    def variant(self, plan: ExportPlan) -> str:
        return (
            f"{_code_stamp()}|{plan.fmt}|ascii={int(plan.ascii)}|"
            f"title_case={int(plan.title_case)}|crossref={int(plan.crossref)}"
        )

    def output(self, variant: str, plan: ExportPlan, preamble: bool) -> _Output | None:
        """The whole output of ``plan`` as kept (``kept``), or the one to
        keep as it is written; None if it cannot be kept: not every record,
        or a file modified too recently to trust its time."""
        if not plan.whole or not self.digest:
            return None
        # the entries follow a preamble after a blank line
        digest = f"{self.digest}|preamble={int(preamble)}"
        kept = self.index.output(variant, digest)
        if kept is not None:
            return _Output(kept, None)
        output = _Output(None, self.index.output_writer(variant, digest))
        self._writing = output
        return output

    #: the whole output being written, if any (see :meth:`close`)
    _writing: _Output | None = None

    def close(self) -> None:
        """Close the index; an output not finished is not kept."""
        writing = self._writing
        if writing is not None and writing.writer is not None:
            writing.writer.discard()
            writing.writer = None
        super().close()

    def save(self, variant: str, output: _Output | None = None, chunk: str = "") -> None:
        """Store the entries kept since the last call, and ``chunk``, the
        next part of the ``output`` being written."""
        writer = output.writer if output is not None else None
        if writer is not None and not (self.complete and writer.add(chunk.encode("utf-8"))):
            writer.discard()
            output.writer = None  # type: ignore[union-attr]
        if self.rows:
            self._put(variant)

    def finish(self, output: _Output) -> None:
        """Make the parts written the kept output (every entry was valid)."""
        if output.writer is None:
            return
        if self.complete and output.writer.parts:
            output.writer.finish()
        else:
            output.writer.discard()
        output.writer = None


@dataclass
class _Output:
    """The whole output of an export of every record, beside the index."""

    kept: Iterator[bytes] | None  # the output kept for the scan's digest, if any
    writer: OutputWriter | None  # else the one being written (None: not kept)


def _write_utf8(out: Any, data: bytes) -> None:
    """UTF-8 text to the text stream ``out``, through its binary ``buffer``
    when it has one (no decoding and encoding again)."""
    raw = getattr(out, "buffer", None)
    if raw is None:
        out.write(data.decode("utf-8"))
        return
    flush = getattr(out, "flush", None)
    if flush is not None:
        flush()
    raw.write(data)


def _library_preamble(library: Any) -> tuple[str, list[tuple[str, str]]]:
    """The @preamble blocks of the library's preamble.bib (those of imported
    files), as text, and its @string definitions; ("", []) without one."""
    from ..formats.bibtex.preamble import PREAMBLE_FILE, preamble_text

    path = getattr(library, "path", None)
    if path is None:
        return "", []
    try:
        text = Path(path, PREAMBLE_FILE).read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return "", []
    if "@string" not in text.lower():
        return text, []  # as it is (only @preamble blocks)
    from ..formats.bibtex.reader import parse_bibtex

    parsed = parse_bibtex(text, source=PREAMBLE_FILE)
    return preamble_text(parsed.preambles), parsed.strings


def _ties_kept(
    library: Any, cache: _EntryCache | None, order: list[str], apart: frozenset[str] = frozenset()
) -> list[str]:
    """``order`` with records a bibliography sorts alike in their source's
    order (:func:`citeshelf.model.order.keep_ties`): the groups from the
    index, or without one from the files that note one."""
    import sqlite3

    from ..model.order import TIE_ORDER, keep_ties

    groups: list[list[str]] | None = None
    if cache is not None:
        try:
            groups = cache.index.tie_orders()
        except sqlite3.Error:
            groups = None
    if groups is None:
        from ..errors import CiteshelfError
        from ..library.safeio import loads_limited

        groups = []
        for key in order:
            try:
                text = library.read_text(key)
            except (OSError, CiteshelfError):
                continue
            if f'"{TIE_ORDER}"' not in text:
                continue
            try:
                keys = loads_limited(text).get("extra", {}).get(TIE_ORDER)  # type: ignore[attr-defined]
            except (ValueError, AttributeError):
                continue
            if isinstance(keys, list) and keys not in groups:
                groups.append([str(k) for k in keys])
    return keep_ties(order, groups, apart) if groups else order


def _original_keys(library: Any, keys: list[str]) -> dict[str, str]:
    """extra.bibtex_key, and each of extra.former_keys (the keys of records
    merged into it), -> record key, for the records that have them."""
    from ..errors import CiteshelfError
    from ..library.safeio import loads_limited

    out: dict[str, str] = {}
    for key in keys:
        try:
            text = library.read_text(key)
        except (OSError, CiteshelfError):
            continue
        if '"bibtex_key"' not in text and '"former_keys"' not in text:
            continue
        try:
            extra = loads_limited(text).get("extra", {})  # type: ignore[attr-defined]
            original = extra.get("bibtex_key")
            former = extra.get("former_keys") or []
        except (ValueError, AttributeError):
            continue
        for k in [original, *(former if isinstance(former, list) else [])]:
            if isinstance(k, str):
                out.setdefault(k, key)
    return out


@contextlib.contextmanager
def open_atomically(path: str | os.PathLike[str]) -> Iterator[Any]:
    """A text stream (UTF-8) to a temp file in ``path``'s folder that is
    flushed and renamed over ``path`` when the block ends, or removed if it
    raises: ``path`` is never half-written."""
    from ..errors import CiteshelfError, UsageError

    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise UsageError(f"cannot write {target}: it is a folder; give a file name")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except FileNotFoundError:
        raise UsageError(f"cannot write {target}: the folder {folder} does not exist") from None
    except OSError as exc:
        raise CiteshelfError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if target.exists():
            try:
                os.chmod(tmp, target.stat().st_mode & 0o777)
            except OSError:
                pass
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
