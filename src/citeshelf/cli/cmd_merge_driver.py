"""citeshelf merge-driver: git's merge driver for record files (hidden)."""

from __future__ import annotations

import click


@click.command("merge-driver", hidden=True)
@click.argument("base", type=click.Path(dir_okay=False))
@click.argument("ours", type=click.Path(dir_okay=False))
@click.argument("theirs", type=click.Path(dir_okay=False))
@click.argument("name", required=False, default="")
def command(base: str, ours: str, theirs: str, name: str) -> None:
    """Merge two edits of one record file for git: BASE, OURS and THEIRS are
    git's %O %A %B (the result is written over OURS), NAME its %P.

    Registered by 'citeshelf init --git'; not for use by hand. Fields changed
    on one side are taken; a field changed two ways is kept as a conflict
    inside the record (extra.merge_conflict) that 'citeshelf check' reports
    and 'citeshelf edit KEY --take LABEL' resolves. Files that are not records
    get git's text merge (conflict markers, exit status 1).
    """
    from pathlib import Path

    from ..ops.syncing import merge_files

    merged = merge_files(Path(base), Path(ours), Path(theirs))
    where = name or ours
    if merged.fallback:
        click.echo(f"citeshelf: {where}: merged as text ({merged.fallback})", err=True)
    elif merged.conflicts:
        click.echo(
            f"citeshelf: {where}: conflict in {', '.join(merged.conflicts)}, kept in the record "
            "(see 'citeshelf check')",
            err=True,
        )
    raise SystemExit(merged.status)
