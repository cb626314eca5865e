"""A container's parts: the ``chapters`` operation (an edited book's
chapters, a proceedings' papers, a multivolume set's volumes: every record
whose ``parent`` it is).

Public API::

    book_chapters(library, book_key) -> BookChapters
        The book and its chapters, by chapter number, then first page;
        ``UsageError`` if ``book_key`` is a chapter. Unreadable chapter files
        are skipped and named in ``problems``.
    chapter_rows_from_index(path, book_key) -> (book line, rows, problems) | None
        The same table from the search index, without loading the data
        model; None when the index cannot answer (no index; the book is
        missing, unreadable or a chapter: :func:`book_chapters` says why).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["BookChapters", "book_chapters", "chapter_order", "chapter_rows_from_index"]


def chapter_order(chapter: Any) -> tuple[Any, ...]:
    """A part's place in its container (:func:`citeshelf.model.order.chapter_sort_key`):
    by chapter (a volume: by volume) number, then first page."""
    from ..model.order import chapter_sort_key

    number = getattr(chapter, "chapter", None) or (
        chapter.volume if chapter.type == "book" else None
    )
    pages = getattr(chapter, "pages", None)
    return chapter_sort_key(number, str(pages) if pages else None, chapter.key)


@dataclass
class BookChapters:
    book: Any
    chapters: list[Any] = field(default_factory=list)
    #: reasons why chapter files could not be read
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "book": self.book.to_json_dict(),
            "chapters": [c.to_json_dict() for c in self.chapters],
        }


def book_chapters(library: Any, book_key: str) -> BookChapters:
    from ..errors import UsageError
    from ..model import Chapter

    book = library.get(book_key)
    if isinstance(book, Chapter):
        hint = f"; its book is '{book.parent}'" if book.parent else ""
        raise UsageError(f"'{book_key}' is a chapter, not a book{hint}")
    out = BookChapters(book)
    for item in library.iter_records(library.chapter_keys(book_key)):
        if hasattr(item, "type"):
            out.chapters.append(item)
        else:
            out.problems.append(item.reason)
    out.chapters.sort(key=chapter_order)
    return out


def chapter_rows_from_index(
    path: Path, book_key: str
) -> tuple[str, list[tuple[str, ...]], list[str]] | None:
    from ..library.index import open_index

    if not path.is_dir():
        return None
    index = open_index(path)
    if index is None:
        return None
    try:
        book = index.book(book_key)
        if book is None or book[0] == "chapter":
            return None
        rows, problems = index.chapter_rows(book_key)
    finally:
        index.close()
    return book[1], rows, problems
