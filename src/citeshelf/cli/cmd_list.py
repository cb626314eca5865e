"""citeshelf list: records matching a query, as a table."""

from __future__ import annotations

import re

import click

from .common import json_option

_FIELD_WITH_SPACES = re.compile(r"^([A-Za-z_]+):([^\"():]*\s[^\"():]*)$")


def join_query(args: tuple[str, ...] | list[str]) -> str:
    """The query text from the command's arguments.

    The shell removes the quotes of ``title:"security governance"``, leaving
    one argument ``title:security governance``: such an argument gets its
    quotes back. Anything else is joined with spaces as typed.
    """
    parts = []
    for arg in args:
        m = _FIELD_WITH_SPACES.match(arg)
        if m and not re.search(r"\b(AND|OR|NOT)\b", m.group(2)):
            arg = f'{m.group(1)}:"{m.group(2).strip()}"'
        parts.append(arg)
    return " ".join(parts)


def _progress(total: int):
    from .. import render

    return render.progress(total, "Indexing records")


@click.command("list")
@click.argument("query", nargs=-1)
@json_option
@click.pass_context
def command(ctx: click.Context, query: tuple[str, ...], as_json: bool) -> None:
    """List the records matching QUERY (all records without one), in key order.

    \b
    Words match whole words of the title, names, abstract and key, ignoring
    case and accents; field:value matches one field; terms are joined by AND
    (implied), OR and NOT, with parentheses; "quotes" make a phrase; word*
    matches the start of a word.
      citeshelf list                          everything
      citeshelf list security                 the word "security" (title, names, abstract)
      citeshelf list author:merand            finds Mérand
      citeshelf list 'title:secur* year:2010..2014'
      citeshelf list 'type:chapter parent:sperling2014handbook NOT author:cottey'
      citeshelf list '(author:aris OR author:cottey) year:>=2014'
      citeshelf list 'title:"collective action"'
    Fields: author, editor, translator, title, abstract, publisher, journal
    (words); type, key, parent, doi, isbn, tag (whole value, or its start
    with *); year (2014, 2010..2014, 2010.., ..2014, >=2010, <2000).

    \b
    Large libraries are searched through an index kept in the per-user cache
    folder and updated automatically; 'citeshelf reindex' rebuilds it.
    """
    from .. import render
    from ..library.query import Query

    text = join_query(query)
    q = Query.parse(text)
    if as_json:
        _list_json(q, text)
        return
    from ..library.index import open_index
    from ..library.locate import find_library

    obj = ctx.find_root().obj or {}
    path, _how = find_library(obj.get("library_option"))
    if not path.is_dir():
        from .common import get_library

        get_library()  # raises the usual "no library at ..." error
    index = open_index(path, progress=_progress)
    if index is None:
        rows, problems = _rows_without_index(q)
    else:
        try:
            where, params = q.sql(index.fts5)
            found = index.search("" if q.is_everything else where, params)
            rows = [
                [r.key, r.type, r.creators or "", str(r.year or ""), r.title or ""] for r in found
            ]
            problems = [p.reason for p in index.problems()]
        finally:
            index.close()
    n = len(rows)
    render.print_table(
        ["Key", "Type", "Authors/editors", "Year", "Title"],
        rows,
        caption=f"{n} record{'s' if n != 1 else ''}",
    )
    _warn(problems)


def _warn(problems: list[str]) -> None:
    from .. import render

    if problems:
        render.warn(
            f"skipped {len(problems)} unreadable record file{'s' if len(problems) != 1 else ''}:"
        )
        for reason in problems:
            render.print_line(f"  {reason}", err=True)


def _list_json(q, text: str) -> None:
    from .. import render
    from ..ops.listing import find_records
    from .common import get_library

    found = find_records(get_library(), text)
    render.print_json(found.to_json())
    _warn(found.problems)


def _rows_without_index(q) -> tuple[list[list[str]], list[str]]:
    """Read every record file (no index could be opened here)."""
    from ..ops.listing import find_records
    from .common import get_library
    from .views import creators_cell

    found = find_records(get_library(), q.text, use_index=False)
    rows = [
        [r.key, r.type, creators_cell(r), str(v.year or ""), r.full_title or ""]
        for r, v in zip(found.records, found.resolved())
    ]
    return rows, found.problems
