"""The order of a book's chapters and of pages: the one rule.

Numbered chapters come first, by number; then unnumbered ones by first page
(roman front matter, then arabic numbers, then anything else); then by key.
``citeshelf chapters`` orders records with it and the index orders its rows
with it, so both agree. Imports nothing heavy (the index uses it without
Pydantic).
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # typing itself is not imported by a warm ``list``
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "PAGE_SEPARATOR",
    "TIE_ORDER",
    "chapter_sort_key",
    "keep_ties",
    "page_sort_key",
    "retie",
    "roman_to_int",
    "tie_signature",
]

#: The extra key where a record notes the source order of the records a
#: bibliography sorts alike with it (:func:`tie_signature`), when their keys
#: sort otherwise: ``[key, ...]`` in source order. biber and citeproc print
#: such a tie in the order of the file, so an export writes them in that
#: order (:func:`keep_ties`) and prints as the source did.
TIE_ORDER = "tie_order"

#: What separates the first and last page of a range as people type it.
#: (a run of them: "225-–240", a hyphen and an en dash, as some exporters write it)
PAGE_SEPARATOR = re.compile(r"\s*[-–—‐‑−]+\s*")
_ROMAN = re.compile(
    r"^(?=[ivxlcdm]+$)m{0,4}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$", re.I
)
_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}


def roman_to_int(text: str) -> int | None:
    """ "xii" -> 12; None when ``text`` is not a roman numeral."""
    if not text or not _ROMAN.match(text):
        return None
    total = prev = 0
    for ch in reversed(text.lower()):
        v = _ROMAN_VALUES[ch]
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return total


def page_sort_key(start: str) -> tuple[int, int, str]:
    """Roman front matter first, then arabic numbers, then anything else."""
    roman = roman_to_int(start)
    if roman is not None:
        return (0, roman, start)
    if start.isdigit():
        return (1, int(start), start)
    return (2, 0, start)


def chapter_sort_key(chapter: str | None, pages: str | None, key: str) -> tuple[Any, ...]:
    """The place of a chapter (its number, its pages as text, its key) in its book."""
    if chapter:
        m = re.match(r"\d+", chapter)
        num_key: tuple[Any, ...] = (0, int(m.group()) if m else 0, chapter)
    else:
        num_key = (1, 0, "")
    page_key = page_sort_key(PAGE_SEPARATOR.split(pages)[0]) if pages else (9, 0, "")
    return (num_key, page_key, key)


def tie_signature(record: Any) -> int:
    """What the standard sort schemes of biblatex and CSL styles compare
    (the first name list, the title, the year, the volume), as a hash:
    records with the same one tie in a bibliography."""
    people = getattr(record, "authors", None) or getattr(record, "editors", None) or ()
    issued = getattr(record, "issued", None)
    return hash(
        (
            tuple((p.family, p.given, p.literal) for p in people),
            (record.title or "").casefold(),
            getattr(record, "subtitle", None),
            str(issued)[:4] if issued else None,
            getattr(record, "volume", None),
        )
    )


def keep_ties(
    order: list[str], groups: list[list[str]], apart: frozenset[str] = frozenset()
) -> list[str]:
    """``order`` (keys) with the members of each group (keys in source
    order, :data:`TIE_ORDER`) in the places they take in it, in the group's
    order; a group with members both in and out of ``apart`` (the books a
    BibTeX export writes last) is left as it is."""
    out = list(order)
    where = {k: i for i, k in enumerate(out)}
    for group in groups:
        members = [k for k in dict.fromkeys(group) if k in where]
        if len(members) < 2 or len({k in apart for k in members}) > 1:
            continue
        for place, key in zip(sorted(where[k] for k in members), members):
            out[place] = key
        where.update({k: i for i, k in enumerate(out) if k in members})
    return out


def retie(record: Any, old: str, new: str) -> Any:
    """``record`` with ``old`` named ``new`` in its :data:`TIE_ORDER` (in
    ``old``'s place, or dropped where ``new`` is there already: a merge;
    an order of fewer than two keys is no tie and goes); None if it does
    not name ``old``."""
    extra = record.extra or {}
    keys = extra.get(TIE_ORDER)
    if not isinstance(keys, list) or old not in keys:
        return None
    renamed = list(dict.fromkeys(new if k == old else k for k in keys))
    rest = {k: v for k, v in extra.items() if k != TIE_ORDER}
    if len(renamed) >= 2:
        rest[TIE_ORDER] = renamed
    return record.model_copy(update={"extra": rest})
