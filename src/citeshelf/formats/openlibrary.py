"""Book records from Open Library and Google Books, as CSL-JSON items.

Open Library's Books API (``/api/books?bibkeys=ISBN:...&jscmd=data``) gives
one object per ISBN: ``title``, ``subtitle``, ``authors`` (``name``),
``by_statement`` ("edited by ..."), ``publishers`` and ``publish_places``
(``name``), ``publish_date`` (free text: "2014", "March 2014", "Mar 28,
2014"), ``number_of_pages``, ``identifiers`` (``isbn_10``, ``isbn_13``).
Google Books (``/volumes?q=isbn:...``) gives ``volumeInfo`` with ``title``,
``subtitle``, ``authors`` (strings), ``publisher``, ``publishedDate``
("2014", "2014-05", "2014-05-30"), ``pageCount`` and
``industryIdentifiers``. Neither says reliably who edited a book: an Open
Library ``by_statement`` that says "edited by" (or "editor") makes the
names editors; Google Books' names are taken as authors.

Public API::

    csl_from_openlibrary(book, isbn) -> dict
    csl_from_googlebooks(info, isbn) -> dict
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["csl_from_googlebooks", "csl_from_openlibrary"]

_EDITED = re.compile(r"\bed(?:ited|itor|itors|s?\.)\b|\(eds?\.?\)", re.IGNORECASE)
_YEAR = re.compile(r"\b(\d{4})\b")


def _person(name: str) -> dict[str, str] | None:
    from ..model.names import parse_name

    text = " ".join(name.split())
    if not text:
        return None
    try:
        p = parse_name(text)
    except ValueError:
        return {"literal": text}
    out = {
        "family": p.family,
        "given": p.given,
        "non-dropping-particle": p.particle,
        "suffix": p.suffix,
        "literal": p.literal,
    }
    return {k: v for k, v in out.items() if v}


def _date(text: Any) -> dict[str, Any] | None:
    """A CSL date from "2014", "2014-05-30", "March 2014", "Mar 28, 2014"."""
    from ..model.dates import Date

    if not isinstance(text, str):
        return None
    m = re.fullmatch(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*", text)
    if m:
        return {"date-parts": [[int(g) for g in m.groups() if g]]}
    year = _YEAR.search(text)
    if not year:
        return None
    parts = [int(year.group(1))]
    month = next((Date.month_number(w) for w in re.findall(r"[A-Za-z]{3,}", text)), None)
    if month:
        parts.append(month)
        day = re.search(r"\b(\d{1,2})\b", text.replace(year.group(1), ""))
        if day and 1 <= int(day.group(1)) <= 31:
            parts.append(int(day.group(1)))
    return {"date-parts": [parts]}


def _names(items: Any) -> list[str]:
    out = []
    for item in items or []:
        name = item.get("name") if isinstance(item, Mapping) else item
        if isinstance(name, str) and name.strip():
            out.append(name.strip())
    return out


def _item(data: dict[str, Any]) -> dict[str, Any]:
    """The CSL item; CSL has no subtitle: it travels in ``custom.citeshelf``."""
    out = {k: v for k, v in data.items() if v not in (None, "", [], {})}
    subtitle = out.pop("subtitle", None)
    if isinstance(subtitle, str) and subtitle.strip():
        out["custom"] = {"citeshelf": {"subtitle": subtitle.strip()}}
    return out


def _isbns(values: list[Any]) -> str:
    """A book's ISBNs from a catalogue, each once, as ISBN-13 (the service
    lists one book's ISBN-10 and ISBN-13 side by side: they are one ISBN);
    one that is not valid is left for the record's check to report."""
    from ..model.identifiers import normalize_isbn

    out: dict[str, None] = {}
    for value in values:
        if not value:
            continue
        try:
            out[normalize_isbn(str(value))] = None
        except ValueError:
            out[str(value)] = None
    return " ".join(out)


def csl_from_openlibrary(book: Mapping[str, Any], isbn: str) -> dict[str, Any]:
    """An Open Library ``jscmd=data`` book as a CSL item."""
    people = [p for p in (_person(n) for n in _names(book.get("authors"))) if p]
    edited = bool(_EDITED.search(str(book.get("by_statement") or "")))
    identifiers = book.get("identifiers")
    if not isinstance(identifiers, Mapping):
        identifiers = {}
    isbns = [isbn, *identifiers.get("isbn_13", []), *identifiers.get("isbn_10", [])]
    pages = book.get("number_of_pages")
    return _item(
        {
            "type": "book",
            "title": book.get("title"),
            "subtitle": book.get("subtitle"),
            "editor" if edited else "author": people,
            "publisher": "; ".join(_names(book.get("publishers"))[:1]),
            "publisher-place": "; ".join(_names(book.get("publish_places"))[:1]),
            "issued": _date(book.get("publish_date")),
            "number-of-pages": str(pages) if pages else None,
            "ISBN": _isbns(isbns),
        }
    )


def csl_from_googlebooks(info: Mapping[str, Any], isbn: str) -> dict[str, Any]:
    """A Google Books ``volumeInfo`` as a CSL item."""
    people = [p for p in (_person(n) for n in _names(info.get("authors"))) if p]
    isbns = [isbn]
    for ident in info.get("industryIdentifiers") or []:
        if isinstance(ident, Mapping) and str(ident.get("type", "")).startswith("ISBN"):
            isbns.append(str(ident.get("identifier")))
    pages = info.get("pageCount")
    return _item(
        {
            "type": "book",
            "title": info.get("title"),
            "subtitle": info.get("subtitle"),
            "author": people,
            "publisher": info.get("publisher"),
            "issued": _date(info.get("publishedDate")),
            "number-of-pages": str(pages) if pages else None,
            "language": info.get("language"),
            "ISBN": _isbns(isbns),
        }
    )
