"""Short textual views of records for tables and panels (no Rich here)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..model import BaseRecord, Person


def short_names(people: "list[Person]", *, et_al: bool = False) -> str:
    """"Aris", "Galbreath & Seidyusif", "Boin, Ekengren & Rhinard", "Boin et al."."""
    names = [p.last for p in people]
    if not names:
        return ""
    if len(names) > 3 or et_al:
        return f"{names[0]} et al."
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " & " + names[-1]


def creators_cell(record: "BaseRecord") -> str:
    if record.authors:
        return short_names(record.authors, et_al=record.authors_et_al)
    if record.editors:
        label = "ed." if len(record.editors) == 1 else "eds."
        return f"{short_names(record.editors, et_al=record.editors_et_al)} ({label})"
    return ""


def full_names(people: "list[Person]") -> str:
    return "; ".join(p.inverted() for p in people)


def book_line(book: "BaseRecord") -> str:
    """"Handbook of governance and security, ed. James Sperling (Edward Elgar Publishing, 2014)"."""
    text = book.full_title or "(untitled)"
    if book.editors:
        label = "ed." if len(book.editors) == 1 else "eds."
        text += f", {label} " + _and([p.display() for p in book.editors])
    elif book.authors:
        text += ", by " + _and([p.display() for p in book.authors])
    where = ", ".join(str(x) for x in (book.publisher, book.year) if x)
    if where:
        text += f" ({where})"
    return text


def _and(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]
