"""Citation styles: APA 7 and Chicago (notes-bibliography and author-date,
17th and 18th editions), as pure functions from *resolved* records (a chapter
seen through its book: :func:`citeshelf.library.resolve`) to a small
styled-text tree (:class:`~citeshelf.styles.text.Styled`: plain runs, italic
runs, links; quotation marks and dashes are typographic characters).

Public API (no Click, no Rich; nothing here validates a model, so it is fast)::

    format_reference(record, style="apa", edition=None, suffix="") -> Styled
        The reference-list / bibliography entry of one record.
    format_citation(records, style="apa", form="in-text", edition=None,
                    pages=None, suffixes=None) -> Styled
        A citation of one or more records. Forms: "in-text" (APA, Chicago
        author-date: "(Aris, 2014, p. 531)", "(Aris 2014, 531)"), "narrative"
        (APA: "Aris (2014)"; author-date: "Aris (2014)"), "note" and
        "short-note" (Chicago notes). ``pages`` is one locator for all, or a
        list with one per record.
    format_bibliography(records, style="apa", edition=None) -> list[Entry]
        Sorted per the style, with 2014a/2014b suffixes and (Chicago 17th
        edition) the 3-em dash for a repeated author. ``Entry`` has ``key``,
        ``styled``, ``text``, ``html`` and ``markdown``.
    year_suffixes(records, style="apa", edition=None) -> dict[key, str]
        The "a", "b" ... suffixes the style gives works by the same authors
        in the same year (for citations that must agree with a bibliography).
    reference_text(record, style="apa") -> str     plain text of the entry
    to_text / to_markdown / to_html (from .text)   render a Styled
    render(styled, fmt) -> str                     fmt: "text", "markdown", "html"
    check_style(style, edition=None, form=None) -> edition   (ValueError if bad)

``citeshelf.styles.csl`` renders other CSL styles through pandoc (the extra
``citeshelf[csl]``): ``render_csl_entries(items, style, fmt)`` and
``render_csl(items, style, mode="cite", ...)`` take CSL-JSON items.

Styles: ``apa`` (7th edition), ``chicago-notes`` and ``chicago-author-date``
(``edition`` 18, the default, or 17). :data:`STYLES` lists them with their
forms; :func:`style_info` gives the metadata printed with ``--json``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

from .text import Italic, Link, Styled, to_html, to_markdown, to_text

if TYPE_CHECKING:
    from ..model import BaseRecord

__all__ = [
    "STYLES",
    "FORMS",
    "Entry",
    "Styled",
    "Italic",
    "Link",
    "format_reference",
    "format_citation",
    "format_bibliography",
    "year_suffixes",
    "reference_text",
    "style_info",
    "check_style",
    "to_text",
    "to_markdown",
    "to_html",
    "render",
    "OUTPUT_FORMATS",
]

#: output format -> renderer of a Styled (the terminal renderer is in citeshelf.render)
OUTPUT_FORMATS = ("terminal", "text", "markdown", "html")

#: style name -> (default edition, editions, forms; the first form is the default)
STYLES: dict[str, tuple[int, tuple[int, ...], tuple[str, ...]]] = {
    "apa": (7, (7,), ("reference", "in-text", "narrative")),
    "chicago-notes": (18, (18, 17), ("note", "short-note", "reference")),
    "chicago-author-date": (18, (18, 17), ("reference", "in-text", "narrative")),
}
FORMS = ("reference", "in-text", "narrative", "note", "short-note")

_TITLES = {
    "apa": "APA Style, 7th edition",
    "chicago-notes": "The Chicago Manual of Style, {ed}th edition: notes and bibliography",
    "chicago-author-date": "The Chicago Manual of Style, {ed}th edition: author-date",
}


def render(styled: Styled, fmt: str = "text") -> str:
    """A Styled as "text", "markdown" or "html" ("terminal" gives text)."""
    if fmt == "html":
        return to_html(styled)
    if fmt == "markdown":
        return to_markdown(styled)
    return to_text(styled)


def check_style(style: str, edition: int | None = None, form: str | None = None) -> int:
    """The edition to use; ValueError with a clear message for a bad style,
    edition or form."""
    if style not in STYLES:
        raise ValueError(f"unknown style {style!r}: use one of {', '.join(STYLES)}")
    default, editions, forms = STYLES[style]
    if edition is None:
        edition = default
    if edition not in editions:
        shown = ", ".join(str(e) for e in editions)
        raise ValueError(f"style {style!r} has no edition {edition}: use {shown}")
    if form is not None and form not in forms:
        raise ValueError(f"style {style!r} has no form {form!r}: use one of {', '.join(forms)}")
    return edition


def style_info(style: str, edition: int | None = None) -> dict[str, Any]:
    edition = check_style(style, edition)
    return {"style": style, "edition": edition, "title": _TITLES[style].format(ed=edition)}


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
    for r in records:
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
    records = list(records)
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
