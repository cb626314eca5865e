"""citeshelf chapters: an edited book's chapters, in order."""

from __future__ import annotations

import click

from .common import get_library, json_option


def chapter_order(chapter):
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


@click.command("chapters")
@click.argument("book_key", metavar="BOOKKEY")
@json_option
@click.pass_context
def command(ctx: click.Context, book_key: str, as_json: bool) -> None:
    """List the chapters of the book BOOKKEY, by chapter number, then first page.

    \b
    Example:
      citeshelf chapters sperling2014handbook
    """
    from .. import render

    if not as_json:
        fast = _from_index(ctx, book_key)
        if fast is not None:
            line, rows, problems = fast
            for reason in problems:
                render.warn(f"skipped an unreadable record file: {reason}")
            _print(line, [list(r) for r in rows])
            return

    from ..errors import UsageError
    from ..model import Chapter
    from .views import book_line, short_names

    library = get_library()
    book = library.get(book_key)
    if isinstance(book, Chapter):
        hint = f"; its book is '{book.parent}'" if book.parent else ""
        raise UsageError(f"'{book_key}' is a chapter, not a book{hint}")
    chapters = []
    for item in library.iter_records(library.chapter_keys(book_key)):
        if isinstance(item, Chapter):
            chapters.append(item)
        elif not hasattr(item, "type"):
            render.warn(f"skipped an unreadable record file: {item.reason}")
    chapters.sort(key=chapter_order)
    if as_json:
        render.print_json(
            {"book": book.to_json_dict(), "chapters": [c.to_json_dict() for c in chapters]}
        )
        return
    rows = [
        [
            c.chapter or "",
            short_names(c.authors, et_al=c.authors_et_al),
            c.full_title or "",
            str(c.pages or ""),
            c.key,
        ]
        for c in chapters
    ]
    _print(book_line(book), rows)


def _print(line: str, rows: list[list[str]]) -> None:
    from .. import render

    n = len(rows)
    render.print_table(
        ["No.", "Authors", "Title", "Pages", "Key"],
        rows,
        title=f"{line}\n{n} chapter{'s' if n != 1 else ''} in the library",
    )


def _from_index(ctx: click.Context, book_key: str):
    """(book line, rows, problems) from the index, without loading the data
    model; None when the index cannot answer (no index, or the book is missing,
    unreadable or a chapter: the full path then says what is wrong)."""
    from ..library.index import open_index
    from ..library.locate import find_library

    obj = ctx.find_root().obj or {}
    path, _how = find_library(obj.get("library_option"))
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
