"""citeshelf check: validate every record file and every chapter's parent."""

from __future__ import annotations

import click

from .common import get_library, json_option


@click.command("check")
@json_option
def command(as_json: bool) -> None:
    """Check the whole library: every file parses and validates, every chapter's
    book exists and is not itself a chapter, no two keys differ only in case.

    Prints one line per problem and exits with code 4 (invalid data) if there is
    any, 0 otherwise. Run it after editing files by hand or a `git pull`.

    \b
    Example:
      citeshelf check
    """
    from .. import exitcodes, render
    from ..ops.checking import check_library

    result = check_library(get_library())
    if as_json:
        render.print_json(result.to_json())
    else:
        for p in result.problems:
            render.print_line(p["problem"])
        n, m = result.records, len(result.problems)
        render.print_line(
            f"{n} record{'s' if n != 1 else ''} checked, {m} problem{'s' if m != 1 else ''}"
        )
    if not result.ok:
        click.get_current_context().exit(exitcodes.INVALID_DATA)
