"""citeshelf init: create an empty library (and set it up for git)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("init")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option(
    "--git",
    "use_git",
    is_flag=True,
    help="Set the library up for a team on git: a merge driver for record files "
    "(.gitattributes, registered in .git/config), on a new or an existing library; "
    "run it once in every clone. Commits nothing.",
)
@click.pass_context
def command(ctx: click.Context, directory: str | None, use_git: bool) -> None:
    """Create an empty library in DIRECTORY (default: ./records).

    A library is a folder of record files, one JSON file per record. Keep it in
    git beside your paper: citeshelf finds the nearest records/ folder from the
    working directory upward.

    With --git, an existing library is set up as well: the folder is made a git
    repository if it is in none, .gitattributes and .gitignore are written into
    it, and the merge driver is registered in the repository's .git/config (git
    never takes drivers from a clone, so a fresh clone needs this once; running
    it again changes nothing). Then 'citeshelf sync' shares the library.
    """
    from ..errors import CiteshelfError, Conflict, UsageError

    target = Path(directory or ctx.find_root().obj.get("library_option") or "records")
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} exists and is not a folder")
    existing = target.is_dir() and any(p.suffix == ".json" for p in target.iterdir())
    if existing and not use_git:
        raise Conflict(f"{target} already holds records: it is a library already")
    if not existing:
        try:
            target.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CiteshelfError(f"cannot create {target}: {exc.strerror}") from None
        click.echo(f"Created an empty library in {target}")
    if use_git:
        _setup_git(target)


def _setup_git(target: Path) -> None:
    from ..ops.syncing import setup_git

    done = setup_git(target)
    if done.created_repository:
        click.echo(f"Made {done.repository} a git repository")
    if done.wrote:
        click.echo(f"Wrote {', '.join(str(target / n) for n in done.wrote)} (commit them)")
    if done.registered:
        click.echo(f"Registered the record merge driver in {done.repository / '.git' / 'config'}")
    if not done.changed:
        click.echo(f"{target} is set up for git already")
