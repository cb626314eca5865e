"""Close a selection of records over their parents, for export.

Public API::

    close_over_parents(records, get) -> (records, books, missing)
        ``records`` plus every parent a chapter names (fetched with
        ``get(key)``, which raises ``citeshelf.errors.NotFound`` for a key
        that is not in the library), each record once, sorted by key.
        ``books`` maps each parent key to its record (for self-contained
        output); ``missing`` lists "chapter -> parent" links that could not
        be followed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["close_over_parents"]


def close_over_parents(
    records: Iterable[Any], get: Callable[[str], Any]
) -> tuple[list[Any], dict[str, Any], list[tuple[str, str]]]:
    from ..errors import NotFound

    chosen: dict[str, Any] = {}
    for r in records:
        chosen.setdefault(r.key, r)
    books: dict[str, Any] = {}
    missing: list[tuple[str, str]] = []
    queue = list(chosen.values())
    while queue:
        record = queue.pop()
        parent = getattr(record, "parent", None)
        if not parent:
            continue
        if parent in chosen:
            books[parent] = chosen[parent]
            continue
        try:
            book = get(parent)
        except NotFound:
            missing.append((record.key, parent))
            continue
        chosen[parent] = book
        books[parent] = book
        queue.append(book)
    return sorted(chosen.values(), key=lambda r: r.key), books, sorted(missing)
