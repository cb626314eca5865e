"""Parent resolution: finding a chapter's book in the library.

What the chapter then takes from the book is the model's rule
(:mod:`citeshelf.model.inherit`); this module only finds the book.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..errors import InvalidData, NotFound
from ..model import BaseRecord, Chapter
from ..model.inherit import chapter_view

__all__ = ["resolve", "resolve_many", "parent_of"]

if TYPE_CHECKING:
    from .store import RecordStore


def parent_of(record: BaseRecord, library: RecordStore) -> BaseRecord | None:
    """The parent record of a chapter, or None; a missing parent is an error."""
    if not isinstance(record, Chapter) or not record.parent:
        return None
    try:
        return library.get(record.parent)
    except NotFound:
        raise NotFound(
            f"chapter '{record.key}' names parent '{record.parent}', which is not in the "
            f"library: add the book first or fix the parent with "
            f"'citeshelf edit {record.key} --set parent=KEY'"
        ) from None
    except InvalidData as exc:
        raise InvalidData(f"chapter '{record.key}': its parent is unreadable: {exc}") from None


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
        if isinstance(r, Chapter) and r.parent:
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
                    f"chapter '{r.key}' is given without its book: {unreadable[r.parent]}"
                    if r.parent in unreadable and "names parent" not in unreadable[r.parent]
                    else f"chapter '{r.key}' names parent '{r.parent}', which is not in the library: "
                    f"it is given without its book"
                )
        out.append(r)
    return out
