"""Citations and bibliographies of records: the ``cite`` and ``bibliography``
operations.

Public API::

    load_resolved(library, keys) -> list[record]
        The records of ``keys`` seen through their books, in the order given;
        every missing key is named in one ``NotFound``.
    library_suffixes(library, records, style, edition, warn=None) -> {key: "a"}
        The year letters (2014a, 2014b) the library's whole reference list
        gives the cited records.
    cite(library, keys, *, style="apa", edition=None, form=None, pages=(),
         csl=None, fmt="text", with_html=True, warn=None) -> Citations
    bibliography(library, keys=(), *, query=None, style="apa", edition=None,
                 csl=None, fmt="text", warn=None) -> Citations

``fmt`` matters only with ``csl`` (pandoc renders in that format); the
built-in styles give styled text (``Citation.styled``) that the caller
renders in any format. ``warn`` is called with each warning as it arises; the
warnings are also kept in ``Citations.warnings``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Citation",
    "Citations",
    "bibliography",
    "caption",
    "check_edition",
    "cite",
    "csl_items",
    "default_form",
    "library_suffixes",
    "load_resolved",
]

Warn = Callable[[str], None]


@dataclass
class Citation:
    """One citation or entry: its key(s), text, HTML and (built-in styles)
    the styled text it was made from."""

    key: str
    text: str
    html: str
    styled: Any = None


@dataclass
class Citations:
    """What ``cite`` or ``bibliography`` made. ``style``/``edition`` for the
    built-in styles, ``csl`` for a CSL style; ``form`` is None for a
    bibliography."""

    items: list[Citation] = field(default_factory=list)
    style: str | None = None
    edition: int | None = None
    csl: str | None = None
    form: str | None = None
    warnings: list[str] = field(default_factory=list)
    #: a bibliography of a library that has no records
    empty_library: bool = False

    def to_json(self) -> list[dict[str, Any]]:
        out = []
        for c in self.items:
            item: dict[str, Any] = {"key": c.key, "text": c.text, "html": c.html}
            if self.csl is not None:
                item["csl"] = self.csl
            else:
                item.update(style=self.style, edition=self.edition)
            if self.form is not None:
                item["form"] = self.form
            out.append(item)
        return out


class _Notes:
    """Warnings kept in a list and passed on as they come."""

    def __init__(self, warn: Warn | None) -> None:
        self.items: list[str] = []
        self._warn = warn

    def __call__(self, message: str) -> None:
        self.items.append(message)
        if self._warn is not None:
            self._warn(message)


def check_edition(style: str, edition: int | None, form: str | None = None) -> int:
    """The edition to use; a ``UsageError`` for a bad edition or form."""
    from ..errors import UsageError
    from ..styles import check_style

    try:
        return check_style(style, edition, form)
    except ValueError as exc:
        raise UsageError(f"{exc} (see --help)") from None


def default_form(style: str) -> str:
    """The form a citation takes when none is asked for."""
    return {"apa": "in-text", "chicago-notes": "note", "chicago-author-date": "in-text"}[style]


def caption(style: str, edition: int) -> str:
    from ..styles import style_info

    return str(style_info(style, edition)["title"])


def _stored(library: Any, keys: Iterable[str]) -> list[Any]:
    """The stored records of ``keys`` in order; every missing key is named
    in one NotFound error."""

    records, missing = [], []
    for key in keys:
        if key in library:
            records.append(library.get(key))
        else:
            missing.append(key)
    if missing:
        raise library.missing(*missing, then=": see 'citeshelf list' for the keys")
    return records


def _resolve(records: Sequence[Any], library: Any) -> list[Any]:
    """Each record through its book (a missing book is an error)."""
    from ..library.parents import resolve

    return [resolve(r, library) for r in records]


def load_resolved(library: Any, keys: Iterable[str]) -> list[Any]:
    """The records of ``keys`` resolved through their books, in the order
    given; every missing key is named in one NotFound error."""
    return _resolve(_stored(library, keys), library)


def library_suffixes(
    library: Any, records: Sequence[Any], style: str, edition: int, warn: Warn | None = None
) -> dict[str, str]:
    """2014a/2014b as the library's reference list would give them: works of
    the cited records' years are compared with the cited ones."""
    from ..library.parents import resolve_many
    from ..library.query import select
    from ..styles import year_suffixes

    if style == "chicago-notes":
        return {}
    years = sorted({r.year for r in records}, key=lambda y: (y is not None, y or 0))
    pool = {r.key: r for r in records}
    queries = ["" if y is None else f"year:{y}" for y in years]
    if "" in queries:
        queries = [""]
    for q in queries:
        found, problems = select(library, q or None)
        for p in problems:
            if warn is not None:
                warn(f"skipped an unreadable record file: {p.reason}")
        for r in resolve_many([f for f in found if f.key not in pool], library):
            pool[r.key] = r
    return year_suffixes(pool.values(), style, edition)


def csl_items(records: Iterable[Any], library: Any) -> list[dict[str, Any]]:
    """CSL-JSON items of (stored) records, chapters with their books."""
    from ..formats.csljson import record_to_csl
    from ..library.parents import parent_of

    return [record_to_csl(r, book=parent_of(r, library)) for r in records]


def _check_pages(keys: Sequence[str], pages: Sequence[str]) -> None:
    from ..errors import UsageError

    if pages and len(pages) not in (1, len(keys)):
        raise UsageError(
            f"give --page once, or once per key ({len(keys)} keys, {len(pages)} pages)"
        )
    if len(pages) == 1 and len(keys) > 1:
        raise UsageError("with several keys, give --page once per key, in the order of the keys")


def cite(
    library: Any,
    keys: Sequence[str],
    *,
    style: str = "apa",
    edition: int | None = None,
    form: str | None = None,
    pages: Sequence[str] = (),
    csl: str | None = None,
    fmt: str = "text",
    with_html: bool = True,
    warn: Warn | None = None,
) -> Citations:
    """A citation of the records ``keys`` (one combined citation), or with
    ``form="reference"`` one reference entry per key. ``pages``: none, or one
    per key. Year letters are those of the whole library's reference list.
    With ``csl``, a citation's HTML is rendered only if ``with_html`` (else
    ``html`` is its text in ``fmt``)."""
    from ..styles import format_citation, to_html, to_text

    _check_pages(keys, pages)
    page_list: list[str | None] = list(pages) if pages else [None] * len(keys)
    if csl:
        return _cite_csl(library, keys, csl, form, page_list, fmt, with_html)
    edition = check_edition(style, edition, form)
    records = load_resolved(library, keys)
    form = form or default_form(style)
    notes = _Notes(warn)
    suffixes = library_suffixes(library, records, style, edition, notes)
    if form == "reference":
        styled = [
            (r.key, format_citation([r], style, "reference", edition, suffixes=suffixes))
            for r in records
        ]
    else:
        citation = format_citation(
            records, style, form, edition, pages=page_list, suffixes=suffixes
        )
        styled = [(";".join(r.key for r in records), citation)]
    return Citations(
        [Citation(k, to_text(s), to_html(s), s) for k, s in styled],
        style=style,
        edition=edition,
        form=form,
        warnings=notes.items,
    )


def _csl_call(func: Callable[[], Any]) -> Any:
    """pandoc's failures as usage errors."""
    from ..errors import UsageError
    from ..styles.csl import CslError, CslUnavailable

    try:
        return func()
    except (CslUnavailable, CslError) as exc:
        raise UsageError(str(exc)) from None


def _cite_csl(
    library: Any,
    keys: Sequence[str],
    csl: str,
    form: str | None,
    page_list: list[str | None],
    fmt: str,
    with_html: bool,
) -> Citations:
    from ..errors import UsageError
    from ..styles.csl import render_csl, render_csl_entries

    if form not in (None, "in-text", "narrative", "reference"):
        raise UsageError("with --csl, --form is in-text, narrative or reference")
    items = csl_items(_stored(library, keys), library)
    if form == "reference":
        rows = _csl_call(lambda: render_csl_entries(items, csl, fmt))
        return Citations([Citation(k, t, h) for k, t, h in rows], csl=csl, form="reference")

    def one(out_fmt: str) -> str:
        return str(
            render_csl(
                items,
                csl,
                mode="cite",
                fmt=out_fmt,
                cite_ids=[i["id"] for i in items],
                pages=page_list,
                narrative=form == "narrative",
            )[0]
        )

    text = _csl_call(lambda: one(fmt))
    html = text if fmt == "html" or not with_html else _csl_call(lambda: one("html"))
    return Citations([Citation(";".join(keys), text, html)], csl=csl, form=form or "in-text")


def bibliography(
    library: Any,
    keys: Sequence[str] = (),
    *,
    query: str | None = None,
    style: str = "apa",
    edition: int | None = None,
    csl: str | None = None,
    fmt: str = "text",
    warn: Warn | None = None,
) -> Citations:
    """The sorted reference list of the records ``keys``, of those matching
    ``query``, or (neither) of the whole library."""
    from ..errors import NotFound, UsageError
    from ..library.parents import resolve_many
    from ..library.query import select
    from ..styles import format_bibliography

    if keys and query:
        raise UsageError("give KEYS or --query, not both")
    notes = _Notes(warn)
    if keys:
        load_resolved(library, keys)  # names every missing key, and a missing book
        stored = [library.get(k) for k in dict.fromkeys(keys)]
    else:
        stored, problems = select(library, query)
        for p in problems:
            notes(f"skipped an unreadable record file: {p.reason}")
        if not stored:
            if query:
                raise NotFound(f"no record matches {query!r}: see 'citeshelf list {query}'")
            notes(f"the library at {library.path} has no records")
            return Citations(style=style, csl=csl, warnings=notes.items, empty_library=True)
    if csl:
        items = csl_items(stored, library)
        rows = _csl_call(lambda: render_csl_entries(items, csl, fmt))
        return Citations([Citation(k, t, h) for k, t, h in rows], csl=csl, warnings=notes.items)
    edition = check_edition(style, edition)
    orphans: list[str] = []
    records = resolve_many(stored, library, orphans)
    for message in orphans:
        notes(message)
    entries = format_bibliography(records, style, edition)
    return Citations(
        [Citation(e.key, e.text, e.html, e.styled) for e in entries],
        style=style,
        edition=edition,
        warnings=notes.items,
    )


def render_csl_entries(items: list[dict[str, Any]], csl: str, fmt: str) -> Any:
    from ..styles.csl import render_csl_entries as entries

    return entries(items, csl, fmt)
