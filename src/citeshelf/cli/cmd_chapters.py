"""citeshelf chapters: an edited book's chapters, in order."""

from __future__ import annotations

import click

from .common import get_library, json_option


def chapter_order(chapter):  # noqa: ANN001, ANN201
    """Numbered chapters by number, then unnumbered ones by first page."""
    import re

    number = chapter.chapter
    if number:
        m = re.match(r"\d+", number)
        num_key = (0, int(m.group()) if m else 0, number)
    else:
        num_key = (1, 0, "")
    page_key = chapter.pages.sort_key() if chapter.pages else (9, 0, "")
    return (num_key, page_key, chapter.key)


def _chapter_keys(library, book_key: str) -> list[str]:  # noqa: ANN001
    """The keys of the book's chapters: from the index, else by reading the files."""
    from ..library.index import open_index

    index = open_index(library.path)
    if index is None:
        return library.chapter_keys(book_key)
    try:
        return index.children(book_key)
    finally:
        index.close()


@click.command("chapters")
@click.argument("book_key", metavar="BOOKKEY")
@json_option
def command(book_key: str, as_json: bool) -> None:
    """List the chapters of the book BOOKKEY, by chapter number, then first page.

    \b
    Example:
      citeshelf chapters sperling2014handbook
    """
    from .. import render
    from ..errors import UsageError
    from ..model import Chapter
    from .views import book_line, short_names

    library = get_library()
    book = library.get(book_key)
    if isinstance(book, Chapter):
        hint = f"; its book is '{book.parent}'" if book.parent else ""
        raise UsageError(f"'{book_key}' is a chapter, not a book{hint}")
    chapters = []
    for item in library.iter_records(_chapter_keys(library, book_key)):
        if isinstance(item, Chapter):
            chapters.append(item)
        elif not hasattr(item, "type"):
            render.warn(f"skipped an unreadable record file: {item.reason}")
    chapters.sort(key=chapter_order)
    if as_json:
        render.print_json({"book": book.to_json_dict(), "chapters": [c.to_json_dict() for c in chapters]})
        return
    n = len(chapters)
    rows = [
        [c.chapter or "", short_names(c.authors, et_al=c.authors_et_al), c.full_title or "",
         str(c.pages or ""), c.key]
        for c in chapters
    ]
    render.print_table(
        ["No.", "Authors", "Title", "Pages", "Key"],
        rows,
        title=f"{book_line(book)}\n{n} chapter{'s' if n != 1 else ''} in the library",
    )
