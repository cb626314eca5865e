"""The styles' functions, exported by :mod:`citeshelf.styles` (see its docstring)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

from .common import as_core_type
from .registry import check_style
from .text import Styled, to_html, to_markdown, to_text

if TYPE_CHECKING:
    from ..model import BaseRecord

__all__ = [
    "Entry",
    "format_bibliography",
    "format_citation",
    "format_reference",
    "reference_text",
    "render",
    "year_suffixes",
]


def render(styled: Styled, fmt: str = "text") -> str:
    """A Styled as "text", "markdown" or "html" ("terminal" gives text)."""
    if fmt == "html":
        return to_html(styled)
    if fmt == "markdown":
        return to_markdown(styled)
    return to_text(styled)


def _module(style: str) -> ModuleType:
    if style == "apa":
        from . import apa

        return apa
    from . import chicago

    return chicago


def format_reference(
    record: BaseRecord, style: str = "apa", edition: int | None = None, suffix: str = ""
) -> Styled:
    """The reference-list (APA, author-date) or bibliography (notes) entry."""
    edition = check_style(style, edition)
    record = as_core_type(record)
    if style == "apa":
        from . import apa

        return apa.reference(record, suffix=suffix)
    from . import chicago

    return chicago.reference(
        record, edition=edition, author_date=style == "chicago-author-date", suffix=suffix
    )


def reference_text(record: BaseRecord, style: str = "apa", edition: int | None = None) -> str:
    """Plain text of :func:`format_reference` (used by ``citeshelf show``)."""
    return to_text(format_reference(record, style=style, edition=edition))


def _pages_list(pages: Any, n: int) -> list[str | None]:
    if pages is None or isinstance(pages, (str, int)):
        return [None if pages is None else str(pages)] * n
    pages = [None if p is None else str(p) for p in pages]
    if len(pages) != n:
        raise ValueError("give one page per record, or one page for all")
    return pages


def format_citation(
    records: Sequence[BaseRecord] | BaseRecord,
    style: str = "apa",
    form: str | None = None,
    edition: int | None = None,
    pages: Any = None,
    suffixes: dict[str, str] | None = None,
) -> Styled:
    """A citation of one or more resolved records in ``form``.

    For notes, several records give one note with the citations separated by
    semicolons (CMOS 14.57 / 13.66)."""
    if not isinstance(records, (list, tuple)):
        records = [cast("BaseRecord", records)]
    records = [as_core_type(r) for r in records]
    default_form = {"apa": "in-text", "chicago-notes": "note", "chicago-author-date": "in-text"}
    form = form or default_form.get(style, "")
    edition = check_style(style, edition, form)
    if form == "reference":
        out = Styled()
        for i, r in enumerate(records):
            if i:
                out.add("\n")
            # Each entry is finished on its own (its own punctuation rules).
            ref = format_reference(r, style, edition, (suffixes or {}).get(r.key, ""))
            out.extend(Styled(ref.runs))
        return out
    suffixes = suffixes if suffixes is not None else year_suffixes(records, style, edition)
    cites = [
        (r, p, suffixes.get(r.key, "")) for r, p in zip(records, _pages_list(pages, len(records)))
    ]
    if style == "apa":
        from .apa import citation, sort_key

        if form == "in-text" and len(cites) > 1:
            cites.sort(key=lambda c: sort_key(c[0]))  # 8.12: alphabetical order
        return citation(cites, form=form)
    from . import chicago

    if style == "chicago-author-date":
        return chicago.author_date_citation(cites, form=form, edition=edition)
    return chicago.note(cites, short=form == "short-note", edition=edition)


@dataclass(frozen=True)
class Entry:
    key: str
    styled: Styled

    @property
    def text(self) -> str:
        return to_text(self.styled)

    @property
    def html(self) -> str:
        return to_html(self.styled)

    @property
    def markdown(self) -> str:
        return to_markdown(self.styled)


def _letters(i: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(97 + r) + out
    return out


def year_suffixes(
    records: Iterable[BaseRecord], style: str = "apa", edition: int | None = None
) -> dict[str, str]:
    """Letters for works by the same authors in the same year, in the order
    of the reference list (APA 9.47: by title; CMOS 13.114 / 15.19: by title).
    Notes-bibliography uses none."""
    edition = check_style(style, edition)
    if style == "chicago-notes":
        return {}
    mod = _module(style)
    groups: dict[tuple[str, str], list[Any]] = {}
    for r in map(as_core_type, records):
        groups.setdefault(mod.author_year_key(r), []).append(r)
    out: dict[str, str] = {}
    for members in groups.values():
        if len(members) > 1:
            members.sort(key=mod.sort_key)
            for i, r in enumerate(members):
                out[r.key] = _letters(i)
    return out


def format_bibliography(
    records: Iterable[BaseRecord], style: str = "apa", edition: int | None = None
) -> list[Entry]:
    """Entries sorted per the style, disambiguated; Chicago 17th edition
    replaces a repeated author list by a 3-em dash (CMOS 17, 14.67 / 15.17)."""
    edition = check_style(style, edition)
    records = [as_core_type(r) for r in records]
    mod = _module(style)
    suffixes = year_suffixes(records, style, edition)
    records.sort(key=mod.notes_sort_key if style == "chicago-notes" else mod.sort_key)
    entries = []
    if style == "apa":
        for r in records:
            entries.append(
                Entry(r.key, format_reference(r, style, edition, suffixes.get(r.key, "")))
            )
        return entries
    from .chicago import reference

    prev = None
    for r in records:
        dash = False
        if edition == 17:
            names = mod.bib_names_key(r)
            dash = names is not None and names == prev
            prev = names
        styled = reference(
            r,
            edition=edition,
            author_date=style == "chicago-author-date",
            suffix=suffixes.get(r.key, ""),
            repeated=dash,
        )
        entries.append(Entry(r.key, styled))
    return entries
