"""citeshelf bibliography: a sorted reference list or bibliography."""

from __future__ import annotations

import click

from .common import (
    Key,
    get_library,
    json_option,
    output_format,
    sentence_case_option,
    style_options,
)


@click.command("bibliography")
@click.argument("keys", nargs=-1, type=Key())
@click.option(
    "--query", "-q", metavar="Q", help="The records matching a query (see 'citeshelf list --help')."
)
@style_options
@sentence_case_option
@json_option
def command(
    keys: tuple[str, ...],
    query: str | None,
    style: str,
    edition: int | None,
    fmt: str | None,
    csl: str | None,
    sentence_case: bool,
    as_json: bool,
) -> None:
    """Print the bibliography (reference list) of the records KEYS, of the
    records matching --query, or of the whole library, sorted per the style.

    Works by the same authors in the same year get letters (2014a, 2014b) in
    APA and author-date; Chicago's 17th edition puts a 3-em dash (———) for a
    repeated author, the 18th repeats the name. A chapter is listed with its
    book's editors, title and publisher.

    \b
    Examples:
      citeshelf bibliography                                  the whole library, APA
      citeshelf bibliography aris2014collective galbreath2014organization
      citeshelf bibliography --query parent:sperling2014handbook -s chicago-notes
      citeshelf bibliography -q 'year:2014' -s chicago-author-date --edition 17
      citeshelf bibliography --format markdown > references.md
      citeshelf bibliography --format html > references.html
      citeshelf bibliography --json                           [{"key", "text", "html", ...}]
      citeshelf bibliography --csl ieee.csl                   through pandoc (extra: csl)
    """
    from .. import render
    from ..ops.citing import bibliography, caption
    from .common import warn

    library = get_library()
    fmt = output_format("text" if as_json and fmt is None else fmt)
    result = bibliography(
        library,
        keys,
        query=query,
        style=style,
        edition=edition,
        csl=csl,
        fmt="text" if fmt == "terminal" or as_json else fmt,
        warn=warn,
        sentence_case=sentence_case,
        # the forms printed below: the list of a whole library is kept in them
        forms=() if csl or fmt == "terminal" else ("text", "html") if as_json else (fmt,),
    )
    if result.empty_library:
        if as_json:
            render.print_json([])
        return
    items = result.items
    if as_json:
        render.print_json_array(result.iter_json())
        return
    if fmt == "terminal" and not csl:
        assert result.edition is not None
        entries = list(items)
        render.print_citations(
            "\n".join(e.text for e in entries),
            [e.styled for e in entries],
            caption=caption(style, result.edition),
        )
        return
    if fmt == "html":
        attrs = "" if csl else f' data-style="{style}" data-edition="{result.edition}"'
        render.print_lines_streamed(
            [f'<div class="csl-bib-body"{attrs}>'],
            (f'  <div class="csl-entry">{e.html}</div>' for e in items),
            ["</div>"],
        )
        return
    sep = "\n" if fmt == "markdown" else ""
    if csl:
        render.print_entries((e.text for e in items), sep)
    else:
        render.print_entries((e.rendered(fmt) for e in items), sep)
