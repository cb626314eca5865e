"""citeshelf rm: remove records."""

from __future__ import annotations

import sys

import click

from .common import Key, get_library, yes_option


@click.command("rm")
@click.argument("keys", nargs=-1, required=True, metavar="KEY...", type=Key())
@click.option(
    "--with-chapters", is_flag=True, help="Also remove the chapters of a book being removed."
)
@click.option(
    "--force",
    is_flag=True,
    help="Remove a record other records name in a relation (a reprint's original, a "
    "reviewed work ...): their relations are left for 'check' to report.",
)
@yes_option
def command(keys: tuple[str, ...], with_chapters: bool, force: bool, yes: bool) -> None:
    """Remove the records KEY... from the library.

    On a terminal you are asked to confirm (--yes skips the question). A book
    that chapters point to is not removed unless --with-chapters is given, which
    removes its chapters too; a record other records name in a relation
    (related: a reprint's original, a reviewed work) is not removed unless
    --force is given. Nothing is removed if any KEY is missing.

    \b
    Examples:
      citeshelf rm cottey2014nato
      citeshelf rm sperling2014handbook --with-chapters --yes
    """
    from ..errors import Aborted
    from ..ops.removing import plan_removal, remove_records

    library = get_library()
    to_remove = plan_removal(library, keys, with_chapters=with_chapters, force=force)
    if not yes and sys.stdin.isatty() and sys.stdout.isatty():
        listing = ", ".join(to_remove)
        if not click.confirm(
            f"Remove {len(to_remove)} record{'s' if len(to_remove) != 1 else ''} ({listing})?"
        ):
            raise Aborted("nothing removed")
    remove_records(library, to_remove, on_removed=lambda k: click.echo(f"removed {k}"))
