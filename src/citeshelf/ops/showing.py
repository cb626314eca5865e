"""One record with its book: the ``show`` operation.

Public API::

    show_record(library, key) -> Shown
        The record, its book (a chapter's parent, else None) and the record
        as styles see it (``resolved``: a chapter with its book's data).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Shown", "show_record"]


@dataclass
class Shown:
    record: Any
    book: Any
    resolved: Any

    def to_json(self) -> dict[str, Any]:
        """The record's fields; for a chapter also its ``book`` and the
        ``resolved`` view."""
        data: dict[str, Any] = self.record.to_json_dict()
        if self.book is not None:
            data["book"] = self.book.to_json_dict()
            data["resolved"] = self.resolved.to_json_dict()
        return data

    def reference(self, style: str = "apa") -> str:
        """The reference entry of the record in ``style``."""
        from ..styles import reference_text

        return str(reference_text(self.resolved, style=style))


def show_record(library: Any, key: str) -> Shown:
    from ..errors import NotFound
    from ..library.parents import parent_of, resolve

    try:
        record = library.get(key)
    except NotFound:
        # a key merged into another record (merge, or a duplicate in an import)
        from .exporting import _original_keys

        kept = _original_keys(library, library.keys()).get(key)
        if kept is None:
            raise
        record = library.get(kept)
    book = parent_of(record, library)
    return Shown(record, book, resolve(record, library) if book is not None else record)
