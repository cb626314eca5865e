"""citeshelf cite: citations of records in APA or Chicago (or any CSL style)."""

from __future__ import annotations

from typing import Any

import click

from ..styles import FORMS
from .common import (
    Key,
    get_library,
    json_option,
    output_format,
    sentence_case_option,
    style_options,
)


@click.command("cite")
@click.argument("keys", nargs=-1, required=True, type=Key())
@style_options
@click.option(
    "--form",
    "-f",
    type=click.Choice(FORMS),
    help="What to print. APA and author-date: in-text (default), narrative, reference; "
    "chicago-notes: note (default), short-note, reference.",
)
@click.option(
    "--page",
    "-p",
    "pages",
    multiple=True,
    metavar="PAGE",
    help="The cited page(s), e.g. 531 or 531-32: once, or once per KEY in order.",
)
@click.option(
    "--subsequent",
    is_flag=True,
    help="A later citation of the works: APA gives a group author by its "
    "abbreviation, (WHO, 2021); chicago-notes gives the short note.",
)
@sentence_case_option
@json_option
def command(
    keys: tuple[str, ...],
    style: str,
    edition: int | None,
    fmt: str | None,
    csl: str | None,
    form: str | None,
    pages: tuple[str, ...],
    subsequent: bool,
    sentence_case: bool,
    as_json: bool,
) -> None:
    """Cite the records KEYS: an in-text citation, a note or a reference entry.

    Several keys give one combined citation ("(Aris, 2014; Cottey, 2014a)", one
    note with the works separated by semicolons); with --form reference, one
    entry per key. Year letters (2014a, 2014b) are those of a reference list
    of the whole library. Each key is given once.

    The first citation of a work is the default; --subsequent gives a later
    one. In APA a group author with an abbreviation (its record's author
    "short", e.g. {"literal": "World Health Organization", "short": "WHO"})
    is spelled out with the abbreviation the first time, "(World Health
    Organization [WHO], 2021)", and cited by the abbreviation after, "(WHO,
    2021)" (APA 8.21). In Chicago notes a later note is the short note
    (CMOS 17, 14.29): --subsequent is --form short-note. Author-date
    citations are the same every time.

    \b
    Examples:
      citeshelf cite aris2014collective                       (Aris, 2014)
      citeshelf cite aris2014collective --page 531            (Aris, 2014, p. 531)
      citeshelf cite aris2014collective --form narrative      Aris (2014)
      citeshelf cite aris2014collective --form reference      the APA reference entry
      citeshelf cite who2021world                             (World Health Organization [WHO], 2021)
      citeshelf cite who2021world --subsequent                (WHO, 2021)
      citeshelf cite aris2014collective -s chicago-notes -p 531
      citeshelf cite aris2014collective -s chicago-notes --form short-note -p 531
      citeshelf cite aris2014collective -s chicago-notes --subsequent -p 531
      citeshelf cite aris2014collective -s chicago-author-date --edition 17
      citeshelf cite aris2014collective cottey2014europe --format html
      citeshelf cite aris2014collective --json                [{"key", "text", "html", ...}]
      citeshelf cite aris2014collective --csl ieee.csl        through pandoc (extra: csl)

    Chicago editions: 18 (default) and 17; they differ in the place of
    publication, et-al thresholds, chapter page ranges and repeated authors.
    """
    from .. import render
    from ..ops.citing import cite
    from ..styles import render as render_styled
    from .common import warn

    library = get_library()
    fmt = output_format("text" if as_json and fmt is None else fmt)
    memo = _memo_inputs(library.path)
    scanned = _scanned(library) if memo is not None else None
    result = cite(
        library,
        keys,
        style=style,
        edition=edition,
        form=form,
        pages=pages,
        csl=csl,
        fmt="text" if fmt == "terminal" or as_json else fmt,
        with_html=as_json,
        warn=warn,
        subsequent=subsequent,
        sentence_case=sentence_case,
        scanned=scanned.for_index() if scanned is not None else None,
    )
    if memo is not None and result.warnings:
        memo = None  # printed again, the warnings would be missing
    if as_json:
        data = result.to_json()
        if memo is not None:
            _remember(library, memo, result.sources, "json", data, scanned)
        render.print_json(data)
        return
    items = result.items
    sep = "\n\n" if fmt == "markdown" and len(items) > 1 else "\n"
    if csl:
        render.print_line(sep.join(c.text for c in items))
    elif fmt == "terminal":
        render.print_citations("\n".join(c.text for c in items), [c.styled for c in items])
    else:
        text = sep.join(render_styled(c.styled, fmt) for c in items)
        if memo is not None:
            _remember(library, memo, result.sources, "line", text, scanned)
        render.print_line(text)


def _memo_inputs(folder: Any) -> tuple[list[str], int] | None:
    """The arguments to keep this cite's output for (cli/start.py prints it
    again) and the time it started, if it may be kept: run from the command
    line, printing to a pipe or a file."""
    import time

    from .. import render
    from ..ops.citememo import memo_allowed
    from . import start

    if start.MAIN_ARGS is None or render.stdout_is_terminal():
        return None
    split = start.library_args(start.MAIN_ARGS)
    if split is None or split[1][:1] != ["cite"] or not memo_allowed(split[1]):
        return None
    return split[1], time.time_ns()


def _scanned(library: Any) -> Any:
    """The scan of the folder that cli/start.py's check of a kept output made
    (:func:`citeshelf.ops.citememo.take_scanned`), if it made one: the
    citation's index is brought up to date from it, and every record file
    read from now on is noted (``library.reads``) to keep the output under
    it without scanning the folder again."""
    from ..ops.citememo import take_scanned

    scanned = take_scanned(library.path)
    if scanned is not None and scanned.state is not None:
        library.reads = {}
    return scanned


def _remember(
    library: Any,
    memo: tuple[list[str], int],
    files: list[str],
    how: str,
    value: Any,
    scanned: Any,
) -> None:
    from ..ops.citememo import remember

    remember(library.path, memo[0], memo[1], files, how, value, scanned, library.reads)
