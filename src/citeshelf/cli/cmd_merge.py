"""citeshelf merge: merge duplicate records into one."""

from __future__ import annotations

import click

from .common import get_library, json_option


@click.command("merge")
@click.argument("keep")
@click.argument("others", nargs=-1, required=True, metavar="OTHER...")
@click.option(
    "--take",
    "take",
    multiple=True,
    metavar="FIELD",
    help="Where KEEP and OTHER differ in FIELD, use the first OTHER's value (repeatable).",
)
@click.option("--dry-run", "-n", is_flag=True, help="Show what would be merged; write nothing.")
@json_option
def command(
    keep: str, others: tuple[str, ...], take: tuple[str, ...], dry_run: bool, as_json: bool
) -> None:
    """Merge the records OTHER... into KEEP, then remove them.

    KEEP gets every field it lacks from the first OTHER that has it; where
    both have a value and they differ, KEEP's stays (listed as a conflict)
    unless the field is named with --take. Tags, keywords and ISBNs are
    joined. Chapters of an OTHER book become chapters of KEEP. The OTHER keys
    are kept in KEEP's extra.former_keys, so a manuscript that cites them
    still exports with `citeshelf export --cited-in`.

    \b
    Examples:
      citeshelf duplicates
      citeshelf merge knuth1981seminumerical knuth1981seminumericala
      citeshelf merge a2020x a2020xa --take title --dry-run
    """
    from .. import render
    from ..ops.merging import merge_records, plan_merge

    library = get_library()
    plan = plan_merge(library, keep, others, take=take)
    if not dry_run:
        merge_records(library, plan)
    if as_json:
        render.print_json({**plan.to_json(), "dry_run": dry_run})
        return
    for name, mine, theirs, other, used in plan.conflicts:
        if used == keep:
            render.print_line(
                f"{name}: kept {_shown(mine)} ({keep}), not {_shown(theirs)} ({other})"
            )
        else:
            render.print_line(
                f"{name}: took {_shown(theirs)} ({other}), not {_shown(mine)} ({keep})"
            )
    for name, other in plan.taken:
        render.print_line(f"{name}: taken from {other}")
    if plan.chapters:
        n = len(plan.chapters)
        render.print_line(
            f"{n} chapter{'s' if n != 1 else ''} now in '{keep}': {', '.join(plan.chapters)}"
        )
    verb = "would merge" if dry_run else "merged"
    render.print_line(f"{verb} {', '.join(plan.others)} into {keep}")


def _shown(value: object) -> str:
    if isinstance(value, dict):
        from ..model import Person

        return repr(str(Person.model_validate(value)))
    if isinstance(value, list):
        return repr("; ".join(_shown(v).strip("'\"") for v in value))
    return repr(str(value))
