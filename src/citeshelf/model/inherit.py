"""What a chapter takes from its book: the one rule, as a table.

A chapter record stores only its own data and names its book in ``parent``.
Wherever a chapter is seen *with* its book (formatted in a style, matched by a
query, written to a file), :func:`chapter_view` gives the chapter with the
book's fields filled in, following :data:`INHERITANCE`: one row per field,
saying which book field fills it and for which uses. The chapter's own value
always wins; a chapter never takes its book's DOI or URL
(:data:`NEVER_INHERITED`), and on export it never carries the book's ISBN
(BibTeX styles and biber would print it as the chapter's own).

The uses:

* ``style`` -- APA and Chicago (``citeshelf cite``, ``bibliography``, ``show``);
* ``index`` -- the query index and the query language (``list isbn:...``);
* ``bibtex``, ``biblatex``, ``csl-json``, ``ris`` -- the export formats.

This module imports nothing heavy: the index reads the table without loading
Pydantic; :func:`chapter_view` works on model records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .record import BaseRecord

__all__ = [
    "EXPORT_USES",
    "INHERITANCE",
    "NEVER_INHERITED",
    "USES",
    "Inherit",
    "chapter_view",
    "inherited",
]

#: Every use a chapter is seen with its book for.
USES = ("style", "index", "bibtex", "biblatex", "csl-json", "ris")
#: The uses that write a file.
EXPORT_USES = ("bibtex", "biblatex", "csl-json", "ris")

_ALL = frozenset(USES)


@dataclass(frozen=True)
class Inherit:
    """One inherited field: the chapter's ``field`` is filled from the book's
    ``book_field`` (when the book has ``present``, by default the same field)
    for the ``uses`` listed."""

    field: str
    book_field: str
    uses: frozenset[str] = _ALL
    present: str | None = None

    @property
    def condition(self) -> str:
        return self.present or self.book_field


#: The rule. Read it as: a chapter without editors takes its book's editors, ...
INHERITANCE: tuple[Inherit, ...] = (
    Inherit("container_title", "full_title", present="title"),
    Inherit("container_authors", "authors"),
    Inherit("editors", "editors"),
    Inherit("issued", "issued"),
    Inherit("publisher", "publisher"),
    Inherit("place", "place"),
    Inherit("edition", "edition"),
    Inherit("volume", "volume"),
    Inherit("series", "series"),
    Inherit("language", "language"),
    Inherit("isbn", "isbn", frozenset({"style", "index"})),
)

#: Book fields no chapter ever takes, for any use.
NEVER_INHERITED = ("doi", "url")


def inherited(use: str) -> tuple[Inherit, ...]:
    """The rows of :data:`INHERITANCE` that apply to ``use``."""
    if use not in USES:
        raise ValueError(f"unknown use {use!r}: use one of {', '.join(USES)}")
    return tuple(row for row in INHERITANCE if use in row.uses)


R = TypeVar("R", bound="BaseRecord")


def chapter_view(chapter: R, book: BaseRecord | None, use: str = "style") -> R:
    """The chapter as ``use`` sees it: its own fields, and the book's where it
    has none (validated, not saved). With no book, the chapter as it is."""
    if book is None:
        return chapter
    update: dict[str, Any] = {}
    for row in inherited(use):
        if getattr(chapter, row.field, None):
            continue
        if getattr(book, row.condition, None):
            value = getattr(book, row.book_field, None)
            if value:
                update[row.field] = value
    return chapter.model_copy(update=update) if update else chapter
