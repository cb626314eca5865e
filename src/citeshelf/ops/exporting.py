"""What ``citeshelf export`` writes: the selection, closed over parents, in one format.

Public API::

    build_export(library, *, keys=(), query=None, cited_in=(), fmt="bibtex",
                 ascii=False, expand=False, allow_missing=False) -> ExportResult
        ``ExportResult.text`` is the output; ``records`` what it holds (sorted
        by key), ``added_parents`` the books added because a chapter names
        them, ``missing`` the asked-for keys that are not in the library (only
        with ``allow_missing``; otherwise they raise ``NotFound``), and
        ``warnings``.
    write_atomically(path, text)
        Temp file in the same folder, flushed, then renamed over ``path``.

With no KEYS, no query and no manuscript, everything is exported.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import EXPORT_FORMATS

__all__ = [
    "ExportPlan",
    "ExportResult",
    "plan_export",
    "write_export",
    "build_export",
    "render",
    "write_atomically",
    "open_atomically",
    "format_for_path",
]


@dataclass
class ExportResult:
    text: str
    records: list[Any] = field(default_factory=list)
    added_parents: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def format_for_path(path: str) -> str | None:
    name = path.lower()
    if name.endswith(".bib"):
        return "bibtex"
    if name.endswith(".json"):
        return "csl-json"
    if name.endswith(".ris"):
        return "ris"
    return None


def render(
    records: list[Any],
    books: dict[str, Any],
    fmt: str,
    *,
    ascii: bool = False,
    expand: bool = False,
) -> str:
    if fmt in ("bibtex", "biblatex"):
        from .bibtex import write_bibtex

        return write_bibtex(records, dialect=fmt, ascii=ascii, expand=expand, books=books)
    if fmt == "csl-json":
        from .csljson import dumps_csl

        return dumps_csl(records, books=books)
    if fmt == "ris":
        from .ris import write_ris

        return write_ris(records, books=books)
    from ..errors import UsageError

    raise UsageError(f"unknown format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}")


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
        from .manuscript import cited_keys

        cites = cited_keys(list(cited_in))
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
        folded = {k.casefold(): k for k in all_keys}
        shown = ", ".join(
            f"{k} (did you mean {folded[k.casefold()]}?)" if k.casefold() in folded else k
            for k in missing
        )
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
    import json

    try:
        with open(library.path_for(key), "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    if b'"parent"' not in data:
        return None
    m = _PARENT_LINE.search(data)
    if m:
        return m.group(1).decode("ascii")
    try:  # written some other way
        obj = json.loads(data)
    except ValueError:
        return None
    parent = obj.get("parent") if isinstance(obj, dict) else None
    return parent if isinstance(parent, str) and parent else None


def write_export(plan: ExportPlan, library: Any, out: Any) -> None:
    """Write the plan's records to the text stream ``out``, one at a time,
    in order: the same bytes as rendering them all at once."""
    from ..model import Chapter

    books = plan.books

    def records() -> Any:
        for key in plan.order:
            record = books.get(key)
            yield record if record is not None else library.get(key)

    def book_of(record: Any) -> Any:
        parent = getattr(record, "parent", None)
        return books.get(parent) if parent else None

    if plan.fmt in ("bibtex", "biblatex"):
        from .bibtex import BibTeXWriter

        writer = BibTeXWriter(plan.fmt, plan.ascii)
        first = True
        for record in records():
            if not first:
                out.write("\n")
            first = False
            if isinstance(record, Chapter) and record.parent:
                out.write(
                    writer.entry(record, book=books.get(record.parent), crossref=plan.crossref)
                )
            else:
                out.write(writer.entry(record))
    elif plan.fmt == "csl-json":
        import json

        from .csljson import record_to_csl

        first = True
        for record in records():
            item = json.dumps(
                record_to_csl(record, book=book_of(record)), ensure_ascii=False, indent=2
            )
            out.write(("[\n  " if first else ",\n  ") + item.replace("\n", "\n  "))
            first = False
        out.write("[]\n" if first else "\n]\n")
    elif plan.fmt == "ris":
        import rispy

        from .ris import record_to_ris

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


def build_export(library: Any, **options: Any) -> ExportResult:
    """The whole export as text (see :func:`plan_export` and :func:`write_export`)."""
    import io

    plan = plan_export(library, **options)
    buf = io.StringIO()
    write_export(plan, library, buf)
    return ExportResult(
        buf.getvalue(), list(plan.order), plan.added_parents, plan.missing, plan.warnings
    )


def _original_keys(library: Any, keys: list[str]) -> dict[str, str]:
    """extra.bibtex_key -> record key, for the records that have one."""
    import json

    out: dict[str, str] = {}
    for key in keys:
        try:
            text = library.path_for(key).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if '"bibtex_key"' not in text:
            continue
        try:
            original = json.loads(text).get("extra", {}).get("bibtex_key")
        except (ValueError, AttributeError):
            continue
        if isinstance(original, str):
            out[original] = key
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


def write_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` via a temp file and a rename."""
    with open_atomically(path) as fh:
        fh.write(text)
