"""citeshelf chapters: an edited book's chapters, in order."""

from __future__ import annotations

import click

from .common import Key, get_library, json_option


@click.command("chapters")
@click.argument("book_key", metavar="BOOKKEY", type=Key())
@json_option
@click.pass_context
def command(ctx: click.Context, book_key: str, as_json: bool) -> None:
    """List the chapters of the book BOOKKEY, by chapter number, then first page.

    The same for any container: a proceedings' papers, a multivolume set's
    volumes (by volume number): every record whose parent is BOOKKEY.

    \b
    Example:
      citeshelf chapters sperling2014handbook
    """
    from .. import render
    from ..library.locate import find_library
    from ..ops.chapters import chapter_rows_from_index

    if not as_json:
        path, _how = find_library((ctx.find_root().obj or {}).get("library_option"))
        fast = chapter_rows_from_index(path, book_key)
        if fast is not None:
            line, index_rows, problems = fast
            for reason in problems:
                render.warn(f"skipped an unreadable record file: {reason}")
            _print(line, [list(r) for r in index_rows])
            return

    from ..ops.chapters import book_chapters
    from .views import book_line, short_names

    found = book_chapters(get_library(), book_key)
    for reason in found.problems:
        render.warn(f"skipped an unreadable record file: {reason}")
    if as_json:
        render.print_json(found.to_json())
        return
    rows = [
        [
            getattr(c, "chapter", None) or (c.volume if c.type == "book" else "") or "",
            short_names(c.authors, et_al=c.authors_et_al),
            c.full_title or "",
            str(getattr(c, "pages", None) or ""),
            c.key,
        ]
        for c in found.chapters
    ]
    _print(book_line(found.book), rows)


def _print(line: str, rows: list[list[str]]) -> None:
    from .. import render

    n = len(rows)
    render.print_table(
        ["No.", "Authors", "Title", "Pages", "Key"],
        rows,
        title=f"{line}\n{n} chapter{'s' if n != 1 else ''} in the library",
    )
