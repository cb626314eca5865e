"""Records matching a query: the ``list`` operation when it reads the record
files (``list --json``, or no index could be opened).

Public API::

    find_records(library, query, *, use_index=True) -> Found
        The records matching ``query`` (all for None or ""), in key order,
        and the reasons record files could not be read.
    Found.resolved() -> list[record]
        The records seen through their books (a chapter's year is its book's
        when it has none).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Found", "find_records"]


@dataclass
class Found:
    library: Any
    records: list[Any] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> list[dict[str, Any]]:
        return [r.to_json_dict() for r in self.records]

    def resolved(self) -> list[Any]:
        """The records seen through their books (each book read once; a
        chapter whose book is missing or unreadable as it is stored)."""
        from ..library.parents import resolve_many

        return resolve_many(self.records, self.library)


def find_records(library: Any, query: str | None, *, use_index: bool = True) -> Found:
    from ..library.query import select

    records, problems = select(library, query, use_index=use_index)
    return Found(library, records, [p.reason for p in problems])
