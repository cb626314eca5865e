"""citeshelf init: create an empty library."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("init")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.pass_context
def command(ctx: click.Context, directory: str | None) -> None:
    """Create an empty library in DIRECTORY (default: ./records).

    A library is a folder of record files, one JSON file per record. Keep it in
    git beside your paper: citeshelf finds the nearest records/ folder from the
    working directory upward.
    """
    from ..errors import CiteshelfError, Conflict, UsageError

    target = Path(directory or ctx.find_root().obj.get("library_option") or "records")
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} exists and is not a folder")
    if target.is_dir() and any(p.suffix == ".json" for p in target.iterdir()):
        raise Conflict(f"{target} already holds records: it is a library already")
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CiteshelfError(f"cannot create {target}: {exc.strerror}") from None
    click.echo(f"Created an empty library in {target}")
