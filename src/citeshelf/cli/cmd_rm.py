"""citeshelf rm: remove records."""

from __future__ import annotations

import sys

import click

from .common import get_library, yes_option


@click.command("rm")
@click.argument("keys", nargs=-1, required=True, metavar="KEY...")
@click.option(
    "--with-chapters", is_flag=True, help="Also remove the chapters of a book being removed."
)
@yes_option
def command(keys: tuple[str, ...], with_chapters: bool, yes: bool) -> None:
    """Remove the records KEY... from the library.

    On a terminal you are asked to confirm (--yes skips the question). A book
    that chapters point to is not removed unless --with-chapters is given, which
    removes its chapters too. Nothing is removed if any KEY is missing.

    \b
    Examples:
      citeshelf rm cottey2014nato
      citeshelf rm sperling2014handbook --with-chapters --yes
    """
    from ..errors import Aborted, Conflict, NotFound

    library = get_library()
    wanted = list(dict.fromkeys(keys))
    for k in wanted:
        library.path_for(k)  # refuses invalid keys before anything else
    missing = [k for k in wanted if k not in library]
    if missing:
        raise NotFound(
            f"no record {', '.join(repr(k) for k in missing)} in {library.path}; nothing removed"
        )
    orphans: dict[str, list[str]] = {}
    for k in wanted:
        chapters = [c for c in library.chapter_keys(k) if c not in wanted]
        if chapters:
            orphans[k] = chapters
    if orphans and not with_chapters:
        book, chapters = next(iter(orphans.items()))
        shown = ", ".join(chapters[:5]) + (
            f" and {len(chapters) - 5} more" if len(chapters) > 5 else ""
        )
        raise Conflict(
            f"'{book}' is the book of {len(chapters)} chapter{'s' if len(chapters) != 1 else ''} "
            f"({shown}): remove them too with --with-chapters, or point them elsewhere first"
        )
    dependants: list[str] = []
    for chapters in orphans.values():
        dependants += [c for c in chapters if c not in dependants]
    # chapters first, so that a failure never leaves a chapter without its book
    to_remove = dependants + [k for k in wanted if k not in dependants]
    if not yes and sys.stdin.isatty() and sys.stdout.isatty():
        listing = ", ".join(to_remove)
        if not click.confirm(
            f"Remove {len(to_remove)} record{'s' if len(to_remove) != 1 else ''} ({listing})?"
        ):
            raise Aborted("nothing removed")
    for k in to_remove:
        library.delete(k)
        click.echo(f"removed {k}")
