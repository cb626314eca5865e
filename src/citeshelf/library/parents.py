"""Parent resolution: finding a chapter's book (a paper's proceedings, a
volume's set: any record's ``parent``) in the library.

What the chapter then takes from the book is the model's rule
(:mod:`citeshelf.model.inherit`); this module only finds the book.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..errors import InvalidData, NotFound
from ..model import BaseRecord
from ..model.inherit import chapter_view

__all__ = ["resolve", "resolve_many", "parent_of"]

if TYPE_CHECKING:
    from .store import RecordStore


def parent_of(record: BaseRecord, library: RecordStore) -> BaseRecord | None:
    """The parent record of a chapter (or any part), or None; a missing parent is an error."""
    if not record.parent:
        return None
    try:
        return library.get(record.parent)
    except NotFound:
        raise NotFound(
            f"{record.type} '{record.key}' names parent '{record.parent}', which is not in the "
            f"library: add the {_container(record)} first or fix the parent with "
            f"'citeshelf edit {record.key} --set parent=KEY'"
        ) from None
    except InvalidData as exc:
        raise InvalidData(
            f"{record.type} '{record.key}': its parent is unreadable: {exc}"
        ) from None


def _container(record: BaseRecord) -> str:
    return {"paper": "proceedings", "book": "set"}.get(record.type, "book")


def resolve(record: BaseRecord, library: RecordStore, use: str = "style") -> BaseRecord:
    """The record as ``use`` sees it (a chapter with its book's data:
    :func:`citeshelf.model.inherit.chapter_view`)."""
    return chapter_view(record, parent_of(record, library), use)


def resolve_many(
    records: Iterable[BaseRecord],
    library: RecordStore,
    problems: list[str] | None = None,
    use: str = "style",
) -> list[BaseRecord]:
    """Resolve records whose books may be among them or in the library, in
    the order given, reading each book once. A chapter whose book is missing
    or unreadable is returned as stored; if ``problems`` is given, a sentence
    saying so is added to it for each such chapter."""
    records = list(records)
    by_key = {r.key: r for r in records}
    unreadable: dict[str, str] = {}
    out = []
    for r in records:
        if r.parent:
            book = by_key.get(r.parent)
            if book is None and r.parent not in unreadable:
                try:
                    book = parent_of(r, library)
                except (NotFound, InvalidData) as exc:
                    unreadable[r.parent] = str(exc)
                if book is not None:
                    by_key[book.key] = book
            if book is not None:
                r = chapter_view(r, book, use)
            elif problems is not None:
                problems.append(
                    f"{r.type} '{r.key}' is given without its {_container(r)}: "
                    f"{unreadable[r.parent]}"
                    if r.parent in unreadable and "names parent" not in unreadable[r.parent]
                    else f"{r.type} '{r.key}' names parent '{r.parent}', which is not in the "
                    f"library: it is given without its {_container(r)}"
                )
        out.append(r)
    return out
