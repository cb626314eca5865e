"""citeshelf tags: every tag with its number of records."""

from __future__ import annotations

import click

from .common import json_option


@click.command("tags")
@json_option
def command(as_json: bool) -> None:
    """List the tags of the library, most used first, with their number of records.

    \b
      citeshelf tags
      citeshelf tags --json      [{"tag": "security", "count": 3}, ...]
    """
    from .. import render
    from ..ops.tagging import count_tags
    from .common import get_library, warn

    counts = count_tags(get_library())
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
