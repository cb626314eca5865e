"""citeshelf tags: every tag with its number of records."""

from __future__ import annotations

import click

from .common import json_option


@click.command("tags")
@json_option
@click.pass_context
def command(ctx: click.Context, as_json: bool) -> None:
    """List the tags of the library, most used first, with their number of records.

    \b
      citeshelf tags
      citeshelf tags --json      [{"tag": "security", "count": 3}, ...]
    """
    from .. import render
    from ..library.locate import find_library
    from ..ops.tagging import count_tags
    from .common import warn

    path, _how = find_library((ctx.find_root().obj or {}).get("library_option"))
    counts = count_tags(path)
    if as_json:
        render.print_json(counts.to_json())
    elif render.stdout_is_terminal():
        n = len(counts.counts)
        render.print_table(
            ["Tag", "Records"],
            [[t, str(c)] for t, c in counts.counts],
            caption=f"{n} tag{'s' if n != 1 else ''}",
        )
    else:
        render.print_lines([f"{c}\t{t}" for t, c in counts.counts])
    for reason in counts.problems:
        warn(f"skipped unreadable record file: {reason}")
