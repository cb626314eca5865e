"""The styles' functions, exported by :mod:`citeshelf.styles` (see its docstring)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, Any, cast

from .common import as_core_type, in_text_only
from .registry import check_style
from .text import Styled, to_html, to_markdown, to_text

if TYPE_CHECKING:
    from ..model import BaseRecord

__all__ = [
    "Entry",
    "Placed",
    "arrange_bibliography",
    "arrange_rows",
    "bibliography_row",
    "format_placed",
    "format_bibliography",
    "format_citation",
    "format_reference",
    "reference_text",
    "render",
    "surname_initials",
    "year_suffixes",
]


def render(styled: Styled, fmt: str = "text") -> str:
    """A Styled as "text", "markdown" or "html" ("terminal" gives text)."""
    if fmt == "html":
        return to_html(styled)
    if fmt == "markdown":
        return to_markdown(styled)
    return to_text(styled)


@cache
def _module(style: str) -> ModuleType:
    """The module of ``style``, imported on its first use (then kept: this is
    asked once per entry)."""
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
        return _module(style).reference(record, suffix=suffix)
    return _module(style).reference(
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
    first: bool = True,
    initials: Collection[str] | None = None,
) -> Styled:
    """A citation of one or more resolved records in ``form``.

    For notes, several records give one note with the citations separated by
    semicolons (CMOS 14.57 / 13.66). ``first=False`` (APA): a later citation,
    which gives a group author by its abbreviation ("(WHO, 2021)", APA 8.21).
    ``initials`` (APA, Chicago author-date): the keys whose first author's
    initials are given because another cited first author has the surname
    (APA 8.20, CMOS 15.21 (17th)); by
    default those among ``records`` (:func:`surname_initials`)."""
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
        from .apa import citation, same_surname_keys, sort_key

        if form == "in-text" and len(cites) > 1:
            cites.sort(key=lambda c: sort_key(c[0]))  # 8.12: alphabetical order
        if initials is None:
            initials = same_surname_keys(records)
        return citation(cites, form=form, first=first, initials=initials)
    from . import chicago

    if style == "chicago-author-date":
        if initials is None:
            initials = chicago.same_surname_keys(records)
        return chicago.author_date_citation(cites, form=form, edition=edition, initials=initials)
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


def surname_initials(records: Iterable[BaseRecord], style: str = "apa") -> set[str]:
    """The keys of ``records`` whose citations give the first author's
    initials: another record's first author has the same surname and other
    initials (APA 7, 8.20: "(J. M. Taylor & Neylon, 2015; T. Taylor, 2014)";
    Chicago author-date, CMOS 15.21 (17th): "(T. Keller and
    Lindqvist 2017)"). Chicago notes: none."""
    if style == "apa":
        from .apa import same_surname_keys
    elif style == "chicago-author-date":
        from .chicago import same_surname_keys
    else:
        return set()
    return same_surname_keys(map(as_core_type, records))


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


@dataclass(frozen=True)
class Placed:
    """Where a record goes in a reference list (:func:`arrange_bibliography`):
    ``index`` is its position in the records given, ``suffix`` its year letter,
    ``repeated`` whether Chicago 17's 3-em dash replaces its author list."""

    index: int
    key: str
    suffix: str = ""
    repeated: bool = False


def bibliography_row(
    record: BaseRecord, style: str = "apa", edition: int | None = None
) -> tuple[Any, Any, Any] | None:
    """What :func:`arrange_bibliography` keeps of a record: its sort key, the
    key of its authors and year (year letters) and the key of its author
    list (Chicago 17's 3-em dash); None for a work cited in the text only
    (:func:`citeshelf.styles.common.in_text_only`)."""
    edition = check_style(style, edition)
    mod = _module(style)
    r = as_core_type(record)
    if in_text_only(r):
        return None
    notes = style == "chicago-notes"
    dashes = style != "apa" and edition == 17
    return (
        sortable(mod.notes_sort_key(r) if notes else mod.sort_key(r)),
        None if notes else mod.author_year_key(r),
        mod.bib_names_key(r) if dashes else None,
    )


#: ``sortable``'s marks: the end of a sequence sorts before any value in it
_END, _NONE, _INT, _STR, _SEQ = "\x00", "\x01", "\x02", "\x03", "\x04"
_INT_OFFSET = 10**19


def sortable(value: Any) -> str:
    """One string that sorts among others as ``value`` (a sort key: strings,
    integers, None and tuples of them) sorts among others of the same shape:
    a list's sort key held in a tenth of the memory, and kept as text.
    Strings compare by code point as Python's do (a NUL in one is dropped);
    integers below 10**19 in size by value; a shorter tuple before a longer
    one it begins."""
    out: list[str] = []
    _sortable(value, out)
    return "".join(out)


def _sortable(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(_STR)
        out.append(value.replace(_END, "") if _END in value else value)
        out.append(_END)
    elif isinstance(value, int):
        if not -_INT_OFFSET < value < _INT_OFFSET:
            raise ValueError(f"a sort key's number is too large: {value}")
        out.append(f"{_INT}{value + _INT_OFFSET:020d}")
    elif value is None:
        out.append(_NONE)
    elif isinstance(value, tuple | list):
        out.append(_SEQ)
        for item in value:
            _sortable(item, out)
        out.append(_END)
    else:
        raise TypeError(f"not a sort key: {value!r}")


def arrange_rows(
    rows: Iterable[tuple[str, tuple[Any, Any, Any] | None]],
    style: str = "apa",
    edition: int | None = None,
    left_out: list[str] | None = None,
) -> list[Placed]:
    """:func:`arrange_bibliography` from each record's key and
    :func:`bibliography_row` (which may have been kept from an earlier list)."""
    edition = check_style(style, edition)
    notes = style == "chicago-notes"
    dashes = style != "apa" and edition == 17
    kept: list[tuple[Any, int, str, Any, Any]] = []
    for i, (key, data) in enumerate(rows):
        if data is None:
            if left_out is not None:
                left_out.append(key)
            continue
        kept.append((data[0], i, key, data[1], data[2]))
    kept.sort(key=lambda k: (k[0], k[1]))
    # year letters: a group's members in list order (the sort key orders them by title)
    groups: dict[Any, list[int]] = {}
    if not notes:
        for n, placed in enumerate(kept):
            groups.setdefault(placed[3], []).append(n)
    suffix = [""] * len(kept)
    for members in groups.values():
        if len(members) > 1:
            for j, n in enumerate(members):
                suffix[n] = _letters(j)
    out = []
    prev = None
    for n, (_, i, key, _, names) in enumerate(kept):
        repeated = dashes and names is not None and names == prev
        prev = names
        out.append(Placed(i, key, suffix[n], repeated))
    return out


def arrange_bibliography(
    records: Iterable[BaseRecord],
    style: str = "apa",
    edition: int | None = None,
    left_out: list[str] | None = None,
) -> list[Placed]:
    """The order of a reference list, with its year letters and dashes, from
    one pass over ``records`` (which may be a generator) keeping only each
    record's sort data: the caller can then format the records one at a time
    (:func:`format_placed`), so memory does not grow with the library.

    Sorted per the style (APA 9.44-9.47; CMOS 14.66-14.68 / 15.16-15.19);
    letters for works by the same authors in the same year in that order.
    A personal communication cited in the text only is not listed
    (:func:`citeshelf.styles.common.in_text_only`); its key goes to
    ``left_out`` if given."""
    edition = check_style(style, edition)
    return arrange_rows(
        ((r.key, bibliography_row(r, style, edition)) for r in records), style, edition, left_out
    )


def format_placed(
    record: BaseRecord, placed: Placed, style: str = "apa", edition: int | None = None
) -> Entry:
    """The entry of ``record`` at its place in the list (:func:`arrange_bibliography`)."""
    edition = check_style(style, edition)
    if style == "apa":
        return Entry(record.key, format_reference(record, style, edition, placed.suffix))
    from .chicago import reference

    record = as_core_type(record)
    styled = reference(
        record,
        edition=edition,
        author_date=style == "chicago-author-date",
        suffix=placed.suffix,
        repeated=placed.repeated,
    )
    return Entry(record.key, styled)


def format_bibliography(
    records: Iterable[BaseRecord],
    style: str = "apa",
    edition: int | None = None,
    left_out: list[str] | None = None,
) -> list[Entry]:
    """Entries sorted per the style, disambiguated; Chicago 17th edition
    replaces a repeated author list by a 3-em dash (CMOS 17, 14.67 / 15.17).
    Personal communications cited in the text only are left out (their keys
    to ``left_out``, see :func:`arrange_bibliography`)."""
    records = list(records)
    return [
        format_placed(records[p.index], p, style, edition)
        for p in arrange_bibliography(records, style, edition, left_out)
    ]
