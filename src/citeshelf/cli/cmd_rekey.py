"""citeshelf rekey: rename a record (and what points at it), or preview a key formula."""

from __future__ import annotations

import sys

import click

from .common import json_option, yes_option


@click.command("rekey")
@click.argument("old", required=False)
@click.argument("new", required=False)
@click.option(
    "--in",
    "manuscripts",
    multiple=True,
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="A manuscript (.tex, .md) whose citations to rewrite (repeatable); the files "
    "it \\inputs are rewritten too. With --all: keys it cites are pinned.",
)
@click.option("--all", "all_", is_flag=True, help="Give every record the key of the formula.")
@click.option(
    "--formula",
    metavar="FORMULA",
    help="With --all: this key formula instead of the configured one (keys.formula).",
)
@click.option(
    "--include-pinned",
    is_flag=True,
    help="With --all: rename keys cited in the manuscripts too.",
)
@click.option("--dry-run", "-n", is_flag=True, help="Show what would change; change nothing.")
@yes_option
@json_option
def command(
    old: str | None,
    new: str | None,
    manuscripts: tuple[str, ...],
    all_: bool,
    formula: str | None,
    include_pinned: bool,
    dry_run: bool,
    yes: bool,
    as_json: bool,
) -> None:
    """Rename the record OLD to NEW, or (--all) every record by the key formula.

    The chapters whose book is OLD are pointed at NEW (so are the records that
    name OLD in a relation or in their tie order), and the citations of OLD
    in the manuscripts given with --in are rewritten (\\cite-family commands and
    pandoc @OLD citations only, nowhere else). The changes are shown as a diff
    first and made only when you confirm (--yes skips the question; without a
    terminal --yes is needed). NEW is never a key that exists, and on a failure
    nothing is changed.

    With --all, keys cited in the manuscripts of --in, or of the configuration's
    'manuscripts' list, stay as they are (pinned) unless --include-pinned.

    \b
    Examples:
      citeshelf rekey cottey2014nato cottey2014atlantic --in paper.tex
      citeshelf rekey --all --dry-run
      citeshelf rekey --all --formula '[auth:lower]_[year]' --in paper.tex --yes
    """
    from ..errors import UsageError
    from .common import get_library

    if all_:
        if old or new:
            raise UsageError("give either OLD NEW or --all, not both")
    elif not (old and new):
        raise UsageError("give the key to rename and its new key (OLD NEW), or --all")
    elif formula or include_pinned:
        raise UsageError("--formula and --include-pinned go with --all")
    library = get_library()
    if all_:
        _rekey_all(library, manuscripts, formula, include_pinned, dry_run, yes, as_json)
        return
    assert old is not None and new is not None
    _rekey_one(library, old, new, manuscripts, dry_run, yes, as_json)


def _confirm(question: str, yes: bool, dry_run: bool) -> bool:
    """Whether to go on: --yes, else the answer on a terminal."""
    from ..errors import Aborted, UsageError

    if dry_run:
        return False
    if yes:
        return True
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("not a terminal, so nothing was changed: add --yes to make the change")
    if not click.confirm(question):
        raise Aborted("nothing changed")
    return True


def _rekey_one(library, old, new, manuscripts, dry_run, yes, as_json) -> None:
    import json

    from ..ops.rekeying import apply_rekey, plan_rekey

    plan = plan_rekey(library, old, new, manuscripts)
    if not as_json:
        for line in plan.summary():
            click.echo(line)
        click.echo(plan.diff(), nl=False)
    if not _confirm(f"Rename {old} to {new}?", yes, dry_run):
        if as_json:
            click.echo(json.dumps({**plan.to_json(), "changed": False}, indent=2))
        return
    apply_rekey(library, plan)
    if as_json:
        click.echo(json.dumps({**plan.to_json(), "changed": True}, indent=2))
    else:
        click.echo(f"renamed {old} to {new}")


def _rekey_all(library, manuscripts, formula, include_pinned, dry_run, yes, as_json) -> None:
    import json

    from ..ops.rekeying import apply_rekey, pinned_manuscripts, plan_rekey, preview_keys

    paths = list(manuscripts) + [str(p) for p in pinned_manuscripts(library)]
    preview = preview_keys(library, formula, paths, include_pinned)
    if as_json:
        click.echo(json.dumps(preview.to_json(), indent=2))
    else:
        click.echo(f"formula {preview.formula}")
        for key, new, what in preview.rows:
            if what == "rename":
                click.echo(f"{key} -> {new}")
            elif what == "pinned":
                click.echo(f"{key} (pinned: cited in a manuscript)")
        renames = len(preview.renames)
        click.echo(f"{renames} to rename, {len(preview.rows) - renames} kept")
    if not preview.renames:
        return
    if not _confirm(f"Rename {len(preview.renames)} records?", yes, dry_run):
        return
    for key, new in preview.renames:
        plan = apply_rekey(library, plan_rekey(library, key, new, paths))
        if not as_json:
            for line in plan.summary()[1:]:
                click.echo(f"  {line}")
            click.echo(f"renamed {key} to {new}")
