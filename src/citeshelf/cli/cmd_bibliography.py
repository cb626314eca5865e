"""citeshelf bibliography: a sorted reference list or bibliography."""

from __future__ import annotations

import click

from .cmd_cite import style_options
from .common import get_library, json_option


@click.command("bibliography")
@click.argument("keys", nargs=-1)
@click.option(
    "--query", "-q", metavar="Q", help="The records matching a query (see 'citeshelf list --help')."
)
@style_options
@json_option
def command(
    keys: tuple[str, ...],
    query: str | None,
    style: str,
    edition: int | None,
    fmt: str | None,
    csl: str | None,
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
    from ..errors import UsageError
    from ..library.query import select
    from ..styles import format_bibliography
    from ..styles import render as render_styled
    from .cmd_cite import caption, check_edition, load_resolved, output_format

    library = get_library()
    if keys and query:
        raise UsageError("give KEYS or --query, not both")
    fmt = output_format("text" if as_json and fmt is None else fmt)
    if keys:
        load_resolved(library, keys)  # names every missing key
        stored = [library.get(k) for k in dict.fromkeys(keys)]
    else:
        stored, problems = select(library, query)
        for p in problems:
            render.warn(f"skipped an unreadable record file: {p.reason}")
        if not stored:
            if query:
                from ..errors import NotFound

                raise NotFound(f"no record matches {query!r}: see 'citeshelf list {query}'")
            render.warn(f"the library at {library.path} has no records")
            if as_json:
                render.print_json([])
            return

    if csl:
        _bibliography_csl(library, stored, csl, fmt, as_json)
        return

    edition = check_edition(style, edition)
    from ..library import resolve_many

    orphans: list[str] = []
    records = resolve_many(stored, library, orphans)
    for message in orphans:
        render.warn(message)
    entries = format_bibliography(records, style, edition)
    if as_json:
        render.print_json(
            [
                {"key": e.key, "text": e.text, "html": e.html, "style": style, "edition": edition}
                for e in entries
            ]
        )
        return
    if fmt == "terminal":
        render.print_citations(
            "\n".join(e.text for e in entries),
            [e.styled for e in entries],
            caption=caption(style, edition),
        )
        return
    if fmt == "html":
        lines = [f'<div class="csl-bib-body" data-style="{style}" data-edition="{edition}">']
        lines += [f'  <div class="csl-entry">{e.html}</div>' for e in entries]
        lines.append("</div>")
        render.print_line("\n".join(lines))
        return
    sep = "\n\n" if fmt == "markdown" else "\n"
    render.print_line(sep.join(render_styled(e.styled, fmt) for e in entries))


def _bibliography_csl(library, stored, csl: str, fmt: str, as_json: bool) -> None:
    from .. import render
    from ..errors import UsageError
    from ..styles.csl import CslError, CslUnavailable, render_csl_entries
    from .cmd_cite import csl_error, csl_items

    items = csl_items(stored, library)
    try:
        rows = render_csl_entries(items, csl, "text" if fmt == "terminal" or as_json else fmt)
    except CslUnavailable as exc:
        raise UsageError(str(exc)) from None
    except CslError as exc:
        raise csl_error(exc) from None
    if as_json:
        render.print_json([{"key": k, "text": t, "html": h, "csl": csl} for k, t, h in rows])
        return
    if fmt == "html":
        lines = ['<div class="csl-bib-body">'] + [
            f'  <div class="csl-entry">{h}</div>' for _k, _t, h in rows
        ]
        render.print_line("\n".join(lines + ["</div>"]))
        return
    render.print_line(("\n\n" if fmt == "markdown" else "\n").join(t for _k, t, _h in rows))
