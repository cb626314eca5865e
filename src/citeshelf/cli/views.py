"""Short textual views of records for tables and panels (no Rich here).

The texts are made by :mod:`citeshelf.model.display` from a record's JSON data
(as the index makes its rows), so that a listing printed from the index and one
printed from record objects are the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import display

if TYPE_CHECKING:
    from ..model import BaseRecord, Person


def short_names(people: list[Person], *, et_al: bool = False) -> str:
    """ "Aris", "Galbreath & Seidyusif", "Boin, Ekengren & Rhinard", "Boin et al."."""
    return display.short_names([p.model_dump(exclude_none=True) for p in people], et_al)


def creators_cell(record: BaseRecord) -> str:
    """Authors, else editors with "(ed.)"/"(eds.)", for a table cell."""
    return display.creators_cell(record.to_json_dict())


def full_names(people: list[Person]) -> str:
    return "; ".join(p.inverted() for p in people)


def book_line(book: BaseRecord) -> str:
    """ "Handbook of governance and security, ed. James Sperling (Edward Elgar Publishing, 2014)"."""
    return display.book_line(book.to_json_dict())
