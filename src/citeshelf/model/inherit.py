"""What a part takes from the record it is part of: the one rule, as a table.

A chapter record stores only its own data and names its book in ``parent``;
so does a conference paper its proceedings, and a volume its multivolume set
(:data:`CONTAINERS` says which types may be the parent of which). Wherever a
part is seen *with* its parent (formatted in a style, matched by a query,
written to a file), :func:`chapter_view` gives the part with the parent's
fields filled in, following :data:`INHERITANCE`: one row per field, saying
which parent field fills it, for which uses and which kinds of part (a row
fills only a field the part's type has). The chapter's own value
always wins; a chapter never takes its book's DOI or URL
(:data:`NEVER_INHERITED`), and on export it never carries the book's ISBN
(BibTeX styles and biber would print it as the chapter's own).

The uses:

* ``style`` -- APA and Chicago (``citeshelf cite``, ``bibliography``, ``show``);
* ``index`` -- the query index and the query language (``list isbn:...``);
* ``bibtex``, ``biblatex``, ``csl-json``, ``ris`` -- the export formats.

A reprint is not a part: it takes no field from the work it reprints (a
``reprintof`` or ``origpubin`` relation). For the styles only,
:func:`reprint_view` puts that work beside it, and :func:`original_of` gives
it back to a style that prints "(Reprinted from ...)" or "Originally
published in ...".

This module imports nothing heavy: the index reads the table without loading
Pydantic; :func:`chapter_view` works on model records.
"""

from __future__ import annotations

from .types import types_of_model

TYPE_CHECKING = False  # typing itself is not imported by a warm ``list``
if TYPE_CHECKING:
    from typing import Any, TypeVar

    from .record import BaseRecord

    R = TypeVar("R", bound="BaseRecord")

__all__ = [
    "CONTAINERS",
    "EXPORT_USES",
    "INHERITANCE",
    "NEVER_INHERITED",
    "USES",
    "Inherit",
    "REPRINT_RELATIONS",
    "chapter_view",
    "inherited",
    "original_key",
    "original_of",
    "reprint_view",
]

#: Every use a chapter is seen with its book for.
USES = ("style", "index", "bibtex", "biblatex", "csl-json", "ris")
#: The uses that write a file.
EXPORT_USES = ("bibtex", "biblatex", "csl-json", "ris")

_ALL = frozenset(USES)

#: The types of record that may have a parent, and the types their parent may be:
#: a chapter's book, a paper's proceedings (a book), a volume's multivolume set.
#: Every type built on the chapter or paper model (an encyclopedia entry, a
#: speech ...) is a part like them (:mod:`.types`).
#: parts printed inside their container ("In J. Sperling (Ed.), *Handbook* ...")
_PARTS = types_of_model("chapter") | types_of_model("paper")
CONTAINERS: dict[str, frozenset[str]] = {
    **{part: frozenset({"book"}) for part in sorted(_PARTS)},
    "book": frozenset({"book"}),
}
_VOLUMES = frozenset({"book"})
_EVERY = _PARTS | _VOLUMES


class Inherit:
    """One inherited field: the part's ``field`` is filled from the parent's
    ``book_field`` (when the parent has ``present``, by default the same field)
    for the ``uses`` listed, in parts of the types ``children``. (A class of
    its own, not a ``typing.NamedTuple``: the index reads the rule, and a warm
    ``list`` does not import typing.)"""

    __slots__ = ("field", "book_field", "uses", "present", "children")

    def __init__(
        self,
        field: str,
        book_field: str,
        uses: frozenset[str] = _ALL,
        present: str | None = None,
        children: frozenset[str] = _EVERY,
    ) -> None:
        self.field, self.book_field, self.uses = field, book_field, uses
        self.present, self.children = present, children

    def __repr__(self) -> str:
        return (
            f"Inherit({self.field!r}, {self.book_field!r}, uses={sorted(self.uses)!r}, "
            f"present={self.present!r}, children={sorted(self.children)!r})"
        )

    @property
    def condition(self) -> str:
        return self.present or self.book_field


#: The rule. Read it as: a chapter without editors takes its book's editors, ...
#: (a volume of a set: the set's editors, publisher ...; its authors too).
INHERITANCE: tuple[Inherit, ...] = (
    Inherit("container_title", "full_title", present="title", children=_PARTS),
    Inherit("container_authors", "authors", children=_PARTS),
    Inherit("authors", "authors", children=_VOLUMES),
    Inherit("editors", "editors"),
    Inherit("issued", "issued"),
    Inherit("publisher", "publisher"),
    Inherit("place", "place"),
    Inherit("edition", "edition"),
    Inherit("volume", "volume"),
    # the title of a volume of a set, printed with the set's (APA 10.3)
    Inherit("volume_title", "volume_title", frozenset({"style"}), children=_PARTS),
    Inherit("series", "series"),
    Inherit("language", "language"),
    Inherit("isbn", "isbn", frozenset({"style", "index"}), children=_PARTS),
)

#: Book fields no chapter ever takes, for any use.
NEVER_INHERITED = ("doi", "url")


def inherited(use: str) -> tuple[Inherit, ...]:
    """The rows of :data:`INHERITANCE` that apply to ``use``."""
    if use not in USES:
        raise ValueError(f"unknown use {use!r}: use one of {', '.join(USES)}")
    return tuple(row for row in INHERITANCE if use in row.uses)


def chapter_view(chapter: R, book: BaseRecord | None, use: str = "style") -> R:
    """The part (a chapter, paper, volume) as ``use`` sees it: its own fields,
    and its parent's where it has none (validated, not saved). With no parent,
    the part as it is."""
    if book is None:
        return chapter
    update: dict[str, Any] = {}
    fields = type(chapter).model_fields
    for row in inherited(use):
        if chapter.type not in row.children or row.field not in fields:
            continue
        if getattr(chapter, row.field, None):
            continue
        if getattr(book, row.condition, None):
            value = getattr(book, row.book_field, None)
            if value:
                update[row.field] = value
    return chapter.model_copy(update=update) if update else chapter


#: The relations naming the work a record reprints: biblatex's ``reprintof``
#: and ``origpubin`` (the original publication).
REPRINT_RELATIONS = ("reprintof", "origpubin")


def original_key(record: BaseRecord) -> str | None:
    """The key of the work ``record`` reprints (its first ``reprintof`` or
    ``origpubin`` relation), or None."""
    for relation in record.related:
        if relation.type in REPRINT_RELATIONS and relation.key != record.key:
            return relation.key
    return None


def reprint_view(record: R, original: BaseRecord | None) -> R:
    """The reprint as the styles see it: the record with the original work
    (itself seen with its book if it is a chapter) at hand for
    :func:`original_of`; nothing is copied into its fields. With no
    original, the record as it is."""
    if original is None:
        return record
    view = record.model_copy()
    view._original = original
    return view


def original_of(record: BaseRecord) -> BaseRecord | None:
    """The original work given to :func:`reprint_view`, or None."""
    # (a private attribute: read where pydantic keeps it, not through __getattr__)
    private = getattr(record, "__pydantic_private__", None)
    original: BaseRecord | None
    if private is None:  # not a record model (or one without private attributes)
        original = getattr(record, "_original", None)
    else:
        original = private.get("_original")
    return original
