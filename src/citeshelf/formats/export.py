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

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import EXPORT_FORMATS

__all__ = ["ExportResult", "build_export", "render", "write_atomically", "format_for_path"]


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


def render(records: list[Any], books: dict[str, Any], fmt: str, *, ascii: bool = False, expand: bool = False) -> str:
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


def build_export(
    library: Any,
    *,
    keys: tuple[str, ...] | list[str] = (),
    query: str | None = None,
    cited_in: tuple[str, ...] | list[str] = (),
    fmt: str = "bibtex",
    ascii: bool = False,
    expand: bool = False,
    allow_missing: bool = False,
) -> ExportResult:
    from ..errors import NotFound
    from .select import close_over_parents

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
    chosen: dict[str, Any] = {}
    if query:
        from ..library.query import select

        found, problems = select(library, query)
        for r in found:
            chosen[r.key] = r
        for p in problems:
            warnings.append(f"skipped unreadable record file: {p.reason}")
    if everything:
        wanted.extend(all_keys)
    missing = [k for k in dict.fromkeys(wanted) if k not in present]
    if missing:
        # keys an import had to change are cited under their original form
        originals = _original_keys(library, all_keys)
        found = {k: originals[k] for k in missing if k in originals}
        wanted = [found.get(k, k) for k in wanted]
        missing = [k for k in missing if k not in found]
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
    for k in dict.fromkeys(wanted):
        if k in present and k not in chosen:
            chosen[k] = library.get(k)
    records, books, broken = close_over_parents(chosen.values(), library.get)
    if broken:
        shown = ", ".join(f"'{c}' names parent '{p}'" for c, p in broken)
        raise NotFound(
            f"chapter parents are not in the library: {shown}: add the book or fix the "
            "chapter's parent with 'citeshelf edit KEY --set parent=BOOKKEY'"
        )
    added = sorted(k for k in books if k not in chosen)
    if expand and fmt in ("bibtex", "biblatex"):
        # self-contained chapters: a book is written only if it was asked for
        records = [r for r in records if r.key in chosen]
    text = render(records, books, fmt, ascii=ascii, expand=expand)
    return ExportResult(text, records, added if not expand else [], missing, warnings)


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


def write_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` via a temp file and a rename."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
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
