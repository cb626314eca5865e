"""citeshelf cite: citations of records in APA or Chicago (or any CSL style)."""

from __future__ import annotations

import click

from .common import get_library, json_option

STYLE_NAMES = ("apa", "chicago-notes", "chicago-author-date")
FORM_NAMES = ("reference", "in-text", "narrative", "note", "short-note")
FORMAT_NAMES = ("terminal", "text", "markdown", "html")


def style_options(func):
    """--style, --edition, --format and --csl, shared with 'bibliography'."""
    func = click.option(
        "--csl",
        "csl",
        metavar="PATH_OR_NAME",
        help="Any other CSL style (a .csl file, or a name such as 'ieee' for ieee.csl), "
        "rendered by pandoc's citeproc. Needs the extra: pip install 'citeshelf[csl]'.",
    )(func)
    func = click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMAT_NAMES),
        help="Output format. Default: terminal (italics) when printing to a terminal, else text.",
    )(func)
    func = click.option(
        "--edition",
        type=int,
        metavar="N",
        help="Edition of the style: Chicago 18 (default) or 17; APA 7.",
    )(func)
    func = click.option(
        "--style",
        "-s",
        type=click.Choice(STYLE_NAMES),
        default="apa",
        show_default=True,
        help="Citation style.",
    )(func)
    return func


def output_format(fmt: str | None) -> str:
    from .. import render

    if fmt is None:
        return "terminal" if render.use_rich() else "text"
    return fmt


def check_edition(style: str, edition: int | None, form: str | None = None) -> int:
    from ..errors import UsageError
    from ..styles import check_style

    try:
        return check_style(style, edition, form)
    except ValueError as exc:
        raise UsageError(f"{exc} (see --help)") from None


def load_resolved(library, keys):
    """The records of ``keys`` resolved through their books, in the order
    given; every missing key is named in one NotFound error."""
    from ..errors import NotFound
    from ..library import merge_parent, parent_of

    records, missing = [], []
    for key in keys:
        if key in library:
            records.append(library.get(key))
        else:
            missing.append(key)
    if missing:
        library.check_exists()
        shown = ", ".join(f"'{k}'" for k in missing)
        noun = "record" if len(missing) == 1 else "records"
        raise NotFound(f"no {noun} {shown} in {library.path}: see 'citeshelf list' for the keys")
    out = []
    for r in records:
        parent = parent_of(r, library)
        out.append(merge_parent(r, parent) if parent is not None else r)
    return out


def library_suffixes(library, records, style: str, edition: int) -> dict[str, str]:
    """2014a/2014b as the library's reference list would give them: works of
    the cited records' years are compared with the cited ones."""
    from .. import render
    from ..library import resolve_many
    from ..library.query import select
    from ..styles import year_suffixes

    if style == "chicago-notes":
        return {}
    years = sorted({r.year for r in records})
    pool = {r.key: r for r in records}
    queries = ["" if y is None else f"year:{y}" for y in years]
    if "" in queries:
        queries = [""]
    for q in queries:
        found, problems = select(library, q or None)
        for p in problems:
            render.warn(f"skipped an unreadable record file: {p.reason}")
        for r in resolve_many([f for f in found if f.key not in pool], library):
            pool[r.key] = r
    return year_suffixes(pool.values(), style, edition)


def csl_items(records, library):
    """CSL-JSON items of (stored) records, chapters with their books."""
    from ..formats.csljson import record_to_csl
    from ..library import parent_of

    items = []
    for r in records:
        items.append(record_to_csl(r, book=parent_of(r, library)))
    return items


def csl_error(exc: Exception):
    from ..errors import UsageError

    return UsageError(str(exc))


def caption(style: str, edition: int) -> str:
    from ..styles import style_info

    return style_info(style, edition)["title"]


@click.command("cite")
@click.argument("keys", nargs=-1, required=True)
@style_options
@click.option(
    "--form",
    "-f",
    type=click.Choice(FORM_NAMES),
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
@json_option
def command(
    keys: tuple[str, ...],
    style: str,
    edition: int | None,
    fmt: str | None,
    csl: str | None,
    form: str | None,
    pages: tuple[str, ...],
    as_json: bool,
) -> None:
    """Cite the records KEYS: an in-text citation, a note or a reference entry.

    Several keys give one combined citation ("(Aris, 2014; Cottey, 2014a)", one
    note with the works separated by semicolons); with --form reference, one
    entry per key. Year letters (2014a, 2014b) are those of a reference list
    of the whole library.

    \b
    Examples:
      citeshelf cite aris2014collective                       (Aris, 2014)
      citeshelf cite aris2014collective --page 531            (Aris, 2014, p. 531)
      citeshelf cite aris2014collective --form narrative      Aris (2014)
      citeshelf cite aris2014collective --form reference      the APA reference entry
      citeshelf cite aris2014collective -s chicago-notes -p 531
      citeshelf cite aris2014collective -s chicago-notes --form short-note -p 531
      citeshelf cite aris2014collective -s chicago-author-date --edition 17
      citeshelf cite aris2014collective cottey2014europe --format html
      citeshelf cite aris2014collective --json                [{"key", "text", "html", ...}]
      citeshelf cite aris2014collective --csl ieee.csl        through pandoc (extra: csl)

    Chicago editions: 18 (default) and 17; they differ in the place of
    publication, et-al thresholds, chapter page ranges and repeated authors.
    """
    from .. import render
    from ..errors import UsageError
    from ..styles import format_citation, to_html, to_text
    from ..styles import render as render_styled

    library = get_library()
    if pages and len(pages) not in (1, len(keys)):
        raise UsageError(
            f"give --page once, or once per key ({len(keys)} keys, {len(pages)} pages)"
        )
    if len(pages) == 1 and len(keys) > 1:
        raise UsageError("with several keys, give --page once per key, in the order of the keys")
    page_list = list(pages) if pages else [None] * len(keys)
    fmt = output_format("text" if as_json and fmt is None else fmt)

    if csl:
        _cite_csl(library, keys, csl, form, page_list, fmt, as_json)
        return

    edition = check_edition(style, edition, form)
    records = load_resolved(library, keys)
    form = (
        form or {"apa": "in-text", "chicago-notes": "note", "chicago-author-date": "in-text"}[style]
    )
    suffixes = library_suffixes(library, records, style, edition)
    if form == "reference":
        styled = [
            format_citation([r], style, "reference", edition, suffixes=suffixes) for r in records
        ]
        item_keys = [r.key for r in records]
    else:
        styled = [
            format_citation(records, style, form, edition, pages=page_list, suffixes=suffixes)
        ]
        item_keys = [";".join(r.key for r in records)]
    if as_json:
        render.print_json(
            [
                {
                    "key": k,
                    "text": to_text(s),
                    "html": to_html(s),
                    "style": style,
                    "edition": edition,
                    "form": form,
                }
                for k, s in zip(item_keys, styled)
            ]
        )
        return
    if fmt == "terminal":
        plain = "\n".join(to_text(s) for s in styled)
        render.print_citations(plain, styled)
        return
    sep = "\n\n" if fmt == "markdown" and len(styled) > 1 else "\n"
    render.print_line(sep.join(render_styled(s, fmt) for s in styled))


def _cite_csl(library, keys, csl, form, page_list, fmt, as_json) -> None:
    from .. import render
    from ..errors import UsageError
    from ..styles.csl import CslError, CslUnavailable, render_csl, render_csl_entries

    if form not in (None, "in-text", "narrative", "reference"):
        raise UsageError("with --csl, --form is in-text, narrative or reference")
    stored = [library.get(k) for k in keys if k in library]
    load_resolved(library, keys)  # the error naming every missing key
    items = csl_items(stored, library)
    try:
        if form == "reference":
            rows = render_csl_entries(
                items, csl, "html" if as_json else ("text" if fmt == "terminal" else fmt)
            )
            if as_json:
                text_rows = render_csl_entries(items, csl, "text")
                render.print_json(
                    [
                        {"key": k, "text": t, "html": h, "csl": csl, "form": "reference"}
                        for (k, t, _h2), (_k, _x, h) in zip(text_rows, rows)
                    ]
                )
                return
            render.print_line(("\n\n" if fmt == "markdown" else "\n").join(t for _k, t, _h in rows))
            return
        narrative = form == "narrative"
        text_fmt = "text" if fmt == "terminal" or as_json else fmt
        out = render_csl(
            items,
            csl,
            mode="cite",
            fmt=text_fmt,
            cite_ids=[i["id"] for i in items],
            pages=page_list,
            narrative=narrative,
        )[0]
        if as_json:
            html = render_csl(
                items,
                csl,
                mode="cite",
                fmt="html",
                cite_ids=[i["id"] for i in items],
                pages=page_list,
                narrative=narrative,
            )[0]
            render.print_json(
                [
                    {
                        "key": ";".join(keys),
                        "text": out,
                        "html": html,
                        "csl": csl,
                        "form": form or "in-text",
                    }
                ]
            )
            return
        render.print_line(out)
    except CslUnavailable as exc:
        raise UsageError(str(exc)) from None
    except CslError as exc:
        raise csl_error(exc) from None
