"""citeshelf duplicates: list the records that are likely the same work."""

from __future__ import annotations

import click

from .common import get_library, json_option


@click.command("duplicates")
@json_option
def command(as_json: bool) -> None:
    """List pairs of records that are likely the same work, best match first:
    the same DOI, the same book ISBN with the same edition and volume (score
    1.00); the same title, year and first author (0.95); or close titles with
    the same year and first author, accents and letter case aside (0.85 and up).

    One line per pair: "SCORE KEY1 KEY2 (why)". Merge a pair with
    `citeshelf merge KEY1 KEY2`. Exits 0 whether or not any is found.

    \b
    Examples:
      citeshelf duplicates
      citeshelf duplicates --json
    """
    from .. import render
    from ..ops.duplicates import find_duplicates

    skipped: list[str] = []
    found = find_duplicates(get_library(), skipped)
    for text in skipped:
        render.warn(text)
    if as_json:
        render.print_json({"duplicates": [d.to_json() for d in found]})
        return
    for d in found:
        render.print_line(f"{d.score:.2f} {d.a} {d.b} ({d.why})")
    n = len(found)
    render.print_line(f"{n} likely duplicate{'s' if n != 1 else ''}")
