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
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..formats import EXPORT_FORMATS

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
    parent books are read here (see :func:`write_export`)."""
    from ..errors import NotFound

    if fmt not in EXPORT_FORMATS:
        from ..errors import UsageError

        raise UsageError(f"unknown format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")
    warnings: list[str] = []
    all_keys = library.keys()
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
    books: dict[str, Any] = {}
    broken: list[tuple[str, str]] = []
    queue = list(chosen)
    while queue:
        key = queue.pop()
        parent = _parent_of(library, key)
        if not parent:
            continue
        if parent in books:
            continue
        try:
            book = library.get(parent)
        except NotFound:
            broken.append((key, parent))
            continue
        books[parent] = book
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
        order = sorted(chosen)
        return ExportPlan(fmt, order, books, False, ascii, [], missing, warnings)
    order = sorted(closure)
    if bibtex:
        # every crossref'd book after all entries that cite it (BibTeX needs that order)
        # (books holds exactly the records a selected chapter names as parent)
        parents = set(books)
        order = [k for k in order if k not in parents] + [k for k in order if k in parents]
    return ExportPlan(fmt, order, books, True, ascii, added, missing, warnings)


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
    with nothing_exported_on_bad_data():
        _write_export(plan, library, out)


def _write_export(plan: ExportPlan, library: Any, out: Any) -> None:

    books = plan.books

    def records() -> Any:
        for key in plan.order:
            record = books.get(key)
            yield record if record is not None else library.get(key)

    def book_of(record: Any) -> Any:
        parent = getattr(record, "parent", None)
        return books.get(parent) if parent else None

    if plan.fmt in ("bibtex", "biblatex"):
        from ..formats.bibtex import BibTeXWriter

        casing: Callable[[str], str] | None = None
        if plan.title_case:
            from ..styles.common import chicago_title_case

            casing = chicago_title_case
        preamble, strings = _library_preamble(library)
        # the @string definitions imports kept: each before the first entry using it
        writer = BibTeXWriter(plan.fmt, plan.ascii, casing, strings)
        first = True
        if preamble:
            # the @preamble blocks imports kept (formats/bibtex/preamble.py)
            out.write(preamble)
            first = False
        for record in records():
            if not first:
                out.write("\n")
            first = False
            if record.parent:
                out.write(
                    writer.entry(record, book=books.get(record.parent), crossref=plan.crossref)
                )
            else:
                out.write(writer.entry(record))
    elif plan.fmt == "csl-json":
        from ..formats.csljson import dumps_json, record_to_csl

        first = True
        for record in records():
            item = dumps_json(record_to_csl(record, book=book_of(record)))
            out.write(("[\n  " if first else ",\n  ") + item.replace("\n", "\n  "))
            first = False
        out.write("[]\n" if first else "\n]\n")
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


def _library_preamble(library: Any) -> tuple[str, list[tuple[str, str]]]:
    """The @preamble blocks of the library's preamble.bib (those of imported
    files), as text, and its @string definitions; ("", []) without one."""
    from ..formats.bibtex.preamble import PREAMBLE_FILE, preamble_text
    from ..formats.bibtex.reader import parse_bibtex

    path = getattr(library, "path", None)
    if path is None:
        return "", []
    try:
        text = Path(path, PREAMBLE_FILE).read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return "", []
    if "@string" not in text.lower():
        return text, []  # as it is (only @preamble blocks)
    parsed = parse_bibtex(text, source=PREAMBLE_FILE)
    return preamble_text(parsed.preambles), parsed.strings


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
