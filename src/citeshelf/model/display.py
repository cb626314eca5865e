"""Short display texts of records, from their JSON data (no Pydantic here).

What ``list`` and ``chapters`` print: the creators cell ("Boin et al.",
"Sperling (ed.)"), short author lists, a book's line ("Title, ed. Name
(Publisher, 2014)"), given-first names, and the order of a book's chapters.
The same functions serve the library's index (for the rows it stores) and
the commands that print from record objects (through ``to_json_dict()``), so
both print the same text.

The readers at the top take record data as it is stored (a name is a dict or
a "Family, Given" string; a date is a string, a year or a dict) and never
raise on data of the wrong shape.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .nameparts import family_given, is_cjk, join_particle

TYPE_CHECKING = False  # typing itself is not imported by a warm ``list``
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "book_line",
    "creators_cell",
    "display_name",
    "full_title",
    "last_name",
    "name_text",
    "people",
    "short_names",
    "text",
    "year",
]

# ---------------------------------------------------------------------------
# Reading record data


def text(value: object) -> str | None:
    """A field's text, stripped (a number as its digits); None when empty or not text."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def people(value: object) -> list[object]:
    """A list of names (one name given alone counts as a list of one)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return value
    return []


_YEAR = re.compile(r"^\s*(-?\d{1,4})(?:[-~?%/]|\s*$)")
_YEAR_IN_TEXT = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def year(value: object) -> int | None:
    """The year of a date: ``2014``, ``"2014-05-01"``, ``"1990/1994"``, ``"1990~"``,
    ``{"year": 2014}``, ``{"literal": "1947(民国三十六年)"}`` (its first four digits)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        m = _YEAR.match(value)
        return int(m.group(1)) if m else None
    if isinstance(value, dict):
        if isinstance(value.get("literal"), str):
            m = _YEAR_IN_TEXT.search(value["literal"])
            return int(m.group(1)) if m else None
        return year(value.get("year"))
    return None


def full_title(data: Mapping[str, Any]) -> str:
    """ "Title: Subtitle", the title alone, or ""."""
    title, subtitle = text(data.get("title")), text(data.get("subtitle"))
    if title and subtitle:
        return f"{title}: {subtitle}"
    return title or ""


# ---------------------------------------------------------------------------
# Names


def _spaced(value: object) -> str:
    return " ".join(str(value).split())


def name_text(person: object) -> str:
    """Given-first text of a name with its suffix, without punctuation (for words)."""
    if isinstance(person, dict):
        if person.get("literal"):
            return _spaced(person["literal"])
        keys = ("given", "dropping_particle", "particle", "family", "suffix")
        return " ".join(_spaced(p) for p in (person.get(k) for k in keys) if p)
    if isinstance(person, str):
        return person.replace("{", "").replace("}", "")
    return ""


def last_name(person: object) -> str:
    """The family name with its particle, or the literal (as ``Person.last``)."""
    if isinstance(person, dict):
        if person.get("literal"):
            return _spaced(person["literal"])
        particle, family = person.get("particle"), person.get("family")
        return join_particle(_spaced(particle) if particle else None, _spaced(family or ""))
    if isinstance(person, str):
        value = person.strip()
        if value.startswith("{") and value.endswith("}"):
            return value[1:-1].strip()
        if "," in value:
            return value.split(",", 1)[0].strip()
        return value.split()[-1] if value.split() else ""
    return ""


def display_name(person: object) -> str:
    """Given-first form of a name, as ``Person.display``: "Jan de Vries, Jr."."""
    if isinstance(person, dict):
        if person.get("literal"):
            return _spaced(person["literal"])
        last = last_name(person)
        given = _spaced(person["given"]) if person.get("given") else None
        if person.get("static_ordering") or (is_cjk(last) and (not given or is_cjk(given))):
            value = family_given(last, given)  # "Mao Zedong", "毛泽东"
        else:
            first = " ".join(
                _spaced(person[k]) for k in ("given", "dropping_particle") if person.get(k)
            )
            value = join_particle(first, last) if first else last
        return f"{value}, {person['suffix']}" if person.get("suffix") else value
    return name_text(person)


def short_names(names: list[object], et_al: bool) -> str:
    """ "Aris", "Galbreath & Seidyusif", "Boin, Ekengren & Rhinard", "Boin et al."."""
    lasts = [last_name(p) for p in names]
    if not lasts:
        return ""
    if len(lasts) > 3 or et_al:
        return f"{lasts[0]} et al."
    if len(lasts) == 1:
        return lasts[0]
    return ", ".join(lasts[:-1]) + " & " + lasts[-1]


# ---------------------------------------------------------------------------
# Texts of a record


def creators_cell(data: Mapping[str, Any]) -> str:
    """Authors, else editors with "(ed.)"/"(eds.)", from a record's JSON data."""
    authors = people(data.get("authors"))
    if authors:
        return short_names(authors, bool(data.get("authors_et_al")))
    editors = people(data.get("editors"))
    if editors:
        label = "ed." if len(editors) == 1 else "eds."
        return f"{short_names(editors, bool(data.get('editors_et_al')))} ({label})"
    return ""


def _and(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


def book_line(data: Mapping[str, Any]) -> str:
    """ "Title, ed. Name (Publisher, year)" from a book record's JSON data."""
    line = full_title(data) or "(untitled)"
    editors, authors = people(data.get("editors")), people(data.get("authors"))
    if editors:
        label = "ed." if len(editors) == 1 else "eds."
        line += f", {label} " + _and([display_name(p) for p in editors])
    elif authors:
        line += ", by " + _and([display_name(p) for p in authors])
    where = ", ".join(str(x) for x in (text(data.get("publisher")), year(data.get("issued"))) if x)
    if where:
        line += f" ({where})"
    return line
