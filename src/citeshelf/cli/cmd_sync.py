"""citeshelf sync: pull, merge and push a library kept in git."""

from __future__ import annotations

import click


@click.command("sync")
@click.option(
    "--commit",
    "commit",
    is_flag=True,
    help="Commit the library's uncommitted changes first (message: 'citeshelf sync').",
)
@click.option(
    "-m",
    "--message",
    metavar="TEXT",
    help="Commit the library's uncommitted changes first, with this message.",
)
@click.option("--no-push", is_flag=True, help="Pull and merge only; push nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def command(commit: bool, message: str | None, no_push: bool, as_json: bool) -> None:
    """Bring the library in step with its git remote: pull (rebase), merge
    records field by field, refresh the index, push.

    Prints one line: records the pull added, changed and removed, and how
    many records hold a merge conflict. A field two people changed two ways
    stays in the record as a conflict: 'citeshelf check' lists it, and
    'citeshelf edit KEY --take local' (or --take remote, or --set
    FIELD=VALUE) resolves it; sync again to share the resolution.

    Nothing is committed unless you ask: with uncommitted changes in the
    library, sync refuses unless --commit or -m is given (changes outside
    the library folder are stashed and put back). A record edited here and
    removed in another (or the other way round) is kept, with the edit. Set the clone up first with
    'citeshelf init --git'.

    \b
    Examples:
      citeshelf sync
      citeshelf sync -m "Add the handbook's chapters"
    """
    from .. import render
    from ..ops.syncing import sync_library
    from .common import get_library

    if commit and message is None:
        message = "citeshelf sync"
    result = sync_library(get_library(), message=message, push=not no_push)
    if as_json:
        render.print_json(result.to_json())
        return
    render.print_line(result.summary())
    if result.kept:
        click.echo(
            "kept records edited on one side and removed on the other (the edit wins): "
            + ", ".join(result.kept),
            err=True,
        )
    if result.conflicts:
        click.echo(
            f"in conflict: {', '.join(result.conflicts)} (see 'citeshelf check'; resolve with "
            "'citeshelf edit KEY --take local' or --take remote, then sync again)",
            err=True,
        )
