"""citeshelf list: records matching a query, as a table."""

from __future__ import annotations

import click

from .common import json_option
from .listview import join_query, print_listing, warn_unreadable

__all__ = ["command", "join_query"]


@click.command("list")
@click.argument("query", nargs=-1)
@click.option("--keys", "keys_only", is_flag=True, help="Print only the keys, one a line.")
@click.option(
    "--format",
    "template",
    metavar="TEMPLATE",
    help="Print each record as TEMPLATE: {key} {type} {authors} {year} {title}; \\t is a tab.",
)
@click.option(
    "--sort",
    "sort",
    metavar="FIELD",
    multiple=True,
    help="Sort by key, type, authors, year or title (repeatable; -FIELD descending).",
)
@click.option("--limit", type=click.IntRange(min=0), metavar="N", help="Print at most N records.")
@json_option
@click.pass_context
def command(
    ctx: click.Context,
    query: tuple[str, ...],
    keys_only: bool,
    template: str | None,
    sort: tuple[str, ...],
    limit: int | None,
    as_json: bool,
) -> None:
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
    from ..ops.listing import parse_format, parse_sort

    shown = [
        n for n, on in (("--keys", keys_only), ("--format", template), ("--json", as_json)) if on
    ]
    if len(shown) > 1:
        raise click.UsageError(f"{' and '.join(shown)} do not go together: choose one")
    order = parse_sort(sort)
    fmt = parse_format(template) if template is not None else None
    text = join_query(query)
    if as_json:
        _list_json(text, order, limit)
        return
    obj = ctx.find_root().obj or {}
    print_listing(
        obj.get("library_option"), text, keys_only=keys_only, fmt=fmt, order=order, limit=limit
    )


def _list_json(text: str, order: list[tuple[str, bool]], limit: int | None) -> None:
    from .. import render
    from ..ops.listing import find_records, json_texts, stream_records
    from .common import get_library

    library = get_library()
    streamed = None if order else stream_records(library, text, limit=limit)
    if streamed is not None:
        # a part at a time: memory stays flat at any size
        render.print_json_texts(json_texts(streamed))
        warn_unreadable(streamed.problems)
        return
    found = find_records(library, text, sort=order, limit=limit)
    render.print_json(found.to_json())
    warn_unreadable(found.problems)
