"""citeshelf list: records matching a query, as a table."""

from __future__ import annotations

import click

from .common import get_library, json_option


@click.command("list")
@click.argument("query", nargs=-1)
@json_option
def command(query: tuple[str, ...], as_json: bool) -> None:
    """List the records matching QUERY (all records without one).

    \b
    QUERY words match key, title and names, ignoring case and accents;
    field:value terms match one field. Every term must match.
      citeshelf list                      everything
      citeshelf list security             "security" in a title, key or name
      citeshelf list author:merand        finds Mérand
      citeshelf list type:chapter year:2014
    Fields: author, editor, title, year, type, tag, key, parent, publisher, doi, isbn.
    """
    from .. import render
    from ..library import merge_parent
    from ..library.query import select
    from ..model import Chapter
    from .views import creators_cell

    library = get_library()
    rows, problems = select(library, " ".join(query))
    books = {}

    def resolved(r):  # noqa: ANN001, ANN202
        if isinstance(r, Chapter) and r.parent:
            if r.parent not in books:
                try:
                    books[r.parent] = library.get(r.parent)
                except Exception:  # noqa: BLE001 - a missing parent only loses the year here
                    books[r.parent] = None
            if books[r.parent] is not None:
                return merge_parent(r, books[r.parent])
        return r

    if as_json:
        render.print_json([r.to_json_dict() for r in rows])
    else:
        table = [
            [r.key, r.type, creators_cell(r), str(resolved(r).year or ""), r.full_title or ""]
            for r in rows
        ]
        n = len(rows)
        render.print_table(
            ["Key", "Type", "Authors/editors", "Year", "Title"],
            table,
            caption=f"{n} record{'s' if n != 1 else ''}",
        )
    if problems:
        render.warn(
            f"skipped {len(problems)} unreadable record file{'s' if len(problems) != 1 else ''}:"
        )
        for p in problems:
            render.print_line(f"  {p.reason}", err=True)
