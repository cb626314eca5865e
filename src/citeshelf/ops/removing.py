"""Removing records: the ``rm`` operation.

Public API::

    plan_removal(library, keys, *, with_chapters=False, force=False) -> list[str]
        The keys to remove, chapters before their books; ``NotFound`` if any
        key is missing, ``Conflict`` if a book would lose its chapters and
        ``with_chapters`` is not given, or if other records name one in a
        relation (``related``: a reprint, a review ...) and ``force`` is not
        given (with it, their relations are left dangling for ``check`` to
        report). Nothing is removed.
    remove_records(library, keys, on_removed=None) -> list[str]
        Remove them all at once (one journalled commit under the library's
        lock, ``on_removed(key)`` for each after it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .wording import first_few

__all__ = ["plan_removal", "remove_records"]


def plan_removal(
    library: Any, keys: Iterable[str], *, with_chapters: bool = False, force: bool = False
) -> list[str]:
    """What removing ``keys`` removes, in a safe order (see the module docstring)."""
    from ..errors import Conflict

    wanted = list(dict.fromkeys(keys))
    for k in wanted:
        library.path_for(k)  # refuses invalid keys before anything else
    missing = [k for k in wanted if k not in library]
    if missing:
        raise library.missing(*missing, then="; nothing removed")
    orphans: dict[str, list[str]] = {}
    for k in wanted:
        chapters = [c for c in library.chapter_keys(k) if c not in wanted]
        if chapters:
            orphans[k] = chapters
    if orphans and not with_chapters:
        book, chapters = next(iter(orphans.items()))
        shown = first_few(chapters)
        raise Conflict(
            f"'{book}' is the book of {len(chapters)} chapter{'s' if len(chapters) != 1 else ''} "
            f"({shown}): remove them too with --with-chapters, or point them elsewhere first"
        )
    if not force:
        _refuse_relations(library, wanted, orphans if with_chapters else {})
    dependants: list[str] = []
    for chapters in orphans.values():
        dependants += [c for c in chapters if c not in dependants]
    # chapters first, so that a failure never leaves a chapter without its book
    return dependants + [k for k in wanted if k not in dependants]


def _refuse_relations(library: Any, wanted: list[str], orphans: dict[str, list[str]]) -> None:
    """``Conflict`` naming the records that name one of ``wanted`` in a relation."""
    from ..errors import Conflict

    gone = set(wanted) | {c for cs in orphans.values() for c in cs}
    for k in wanted:
        naming = []
        for other in library.linked_keys(k):
            if other in gone:
                continue
            record = library.get(other)
            naming += [f"{other} ({r.type})" for r in record.related if r.key == k]
        if naming:
            shown = first_few(naming)
            raise Conflict(
                f"'{k}' is named in the relations of {shown}: remove it anyway with --force "
                "(their relations are then reported by 'citeshelf check'), or edit them first"
            )


def remove_records(
    library: Any, keys: Iterable[str], on_removed: Callable[[str], None] | None = None
) -> list[str]:
    """Delete the records ``keys`` (a plan from :func:`plan_removal`), all or
    nothing, under the library's lock; ``Conflict`` (nothing removed) if a
    chapter of one of them was added since the plan was made."""
    from ..errors import Conflict

    keys = list(dict.fromkeys(keys))
    with library.locked():
        planned = set(keys)
        for k in keys:
            late = [c for c in library.chapter_keys(k) if c not in planned]
            if late:
                raise Conflict(
                    f"'{k}' got {len(late)} new chapter{'s' if len(late) != 1 else ''} "
                    f"({', '.join(late[:5])}) meanwhile; nothing removed: run rm again"
                )
        library.delete_many(keys)
    if on_removed is not None:
        for k in keys:
            on_removed(k)
    return keys
