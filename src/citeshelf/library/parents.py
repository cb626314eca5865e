"""Parent resolution: finding a chapter's book (a paper's proceedings, a
volume's set: any record's ``parent``) in the library, and for the styles
the work a reprint reprints (a ``reprintof`` or ``origpubin`` relation).

What the chapter then takes from the book is the model's rule
(:mod:`citeshelf.model.inherit`); this module only finds the book, and the
original (:func:`citeshelf.model.inherit.reprint_view`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from ..errors import InvalidData, NotFound
from ..model import BaseRecord
from ..model.inherit import chapter_view, original_key, reprint_view

__all__ = ["Resolver", "resolve", "resolve_many", "parent_of"]

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


def resolve(
    record: BaseRecord, library: RecordStore, use: str = "style", *, reprints: bool = False
) -> BaseRecord:
    """The record as ``use`` sees it (a chapter with its book's data:
    :func:`citeshelf.model.inherit.chapter_view`); with ``reprints``, also
    with the work it reprints at hand for the styles (:meth:`Resolver.original`)."""
    view = chapter_view(record, parent_of(record, library), use)
    return Resolver(library, use=use).original(view) if reprints else view


def resolve_many(
    records: Iterable[BaseRecord],
    library: RecordStore,
    problems: list[str] | None = None,
    use: str = "style",
    *,
    reprints: bool = False,
) -> list[BaseRecord]:
    """Resolve records whose books may be among them or in the library, in
    the order given, reading each book once. A chapter whose book is missing
    or unreadable is returned as stored; if ``problems`` is given, a sentence
    saying so is added to it for each such chapter. ``reprints``: as
    :class:`Resolver`'s."""
    records = list(records)
    known = {r.key: r for r in records}
    resolver = Resolver(library, problems, use, known=known, reprints=reprints)
    return [resolver(r) for r in records]


class Resolver:
    """Records seen through their parents one at a time, for a stream of
    records too large to hold: each book is read once while it stays among
    the ``cache`` most recently used ones (and ``known`` records are used as
    they are). A chapter whose book is missing or unreadable is returned as
    stored, and a sentence saying so is added to ``problems`` if given.

    With ``reprints``, a record naming the work it reprints (a ``reprintof``
    or ``origpubin`` relation) is given with that work at hand for the
    styles, itself seen with its book (:func:`.inherit.reprint_view`); if
    the work is not in the library, or unreadable, the record is given as it
    is, with a sentence in ``problems``."""

    def __init__(
        self,
        library: RecordStore,
        problems: list[str] | None = None,
        use: str = "style",
        *,
        known: dict[str, BaseRecord] | None = None,
        cache: int = 1024,
        reprints: bool = False,
    ) -> None:
        from collections import OrderedDict

        self.library = library
        self.problems = problems
        self.use = use
        self._known = known or {}
        self._books: OrderedDict[str, BaseRecord] = OrderedDict()
        self._cache = cache
        self._unreadable: dict[str, str] = {}
        self._reprints = reprints

    def _book(self, record: BaseRecord, parent: str) -> BaseRecord | None:
        return self._read(parent, lambda: parent_of(record, self.library))

    def _read(self, key: str, read: Callable[[], BaseRecord | None]) -> BaseRecord | None:
        book = self._known.get(key)
        if book is not None:
            return book
        book = self._books.get(key)
        if book is not None:
            self._books.move_to_end(key)
            return book
        if key in self._unreadable:
            return None
        try:
            book = read()
        except (NotFound, InvalidData) as exc:
            self._unreadable[key] = str(exc)
            return None
        if book is not None:
            self._books[key] = book
            if len(self._books) > self._cache:
                self._books.popitem(last=False)
        return book

    def original(self, record: BaseRecord) -> BaseRecord:
        """``record`` with the work it reprints at hand (itself with its
        book), or as it is if it names none or the work is not to be had."""
        key = original_key(record)
        if key is None:
            return record
        original = self._read(key, lambda: self.library.get(key))
        if original is None:
            if self.problems is not None:
                self.problems.append(
                    f"{record.type} '{record.key}' reprints '{key}', which is not in the "
                    "library or unreadable: it is given without it"
                )
            return record
        if original.parent:
            book = self._book(original, original.parent)
            original = chapter_view(original, book, self.use)
        return reprint_view(record, original)

    def __call__(self, record: BaseRecord) -> BaseRecord:
        if self._reprints:
            return self.original(self._parent(record))
        return self._parent(record)

    def _parent(self, record: BaseRecord) -> BaseRecord:
        if not record.parent:
            return record
        book = self._book(record, record.parent)
        if book is not None:
            return chapter_view(record, book, self.use)
        if self.problems is not None:
            reason = self._unreadable.get(record.parent, "")
            self.problems.append(
                f"{record.type} '{record.key}' is given without its {_container(record)}: {reason}"
                if reason and "names parent" not in reason
                else f"{record.type} '{record.key}' names parent '{record.parent}', which is not "
                f"in the library: it is given without its {_container(record)}"
            )
        return record
