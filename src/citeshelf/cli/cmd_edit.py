"""citeshelf edit: change a record in $EDITOR or with --set."""

from __future__ import annotations

import sys

import click

from .common import Key


@click.command("edit")
@click.argument("key", type=Key())
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Set a field without an editor (repeatable). An empty VALUE removes the "
    "field; extra.NAME=VALUE keeps data citeshelf does not model.",
)
@click.option(
    "--take",
    "takes",
    multiple=True,
    metavar="[FIELD=]LABEL",
    help="Resolve a merge conflict (see 'citeshelf sync'): take version LABEL (local, "
    "remote, ...) of every field in conflict, or of FIELD only (repeatable).",
)
def command(key: str, assignments: tuple[str, ...], takes: tuple[str, ...]) -> None:
    """Edit the record KEY.

    Without --set, the record opens in $VISUAL or $EDITOR. When you save, it is
    checked; if it does not validate you are told why and can reopen it. Your
    text is never thrown away: if you give up, it is kept in a file whose name
    is printed. The record's key cannot change here: rename a record with
    'citeshelf rekey OLD NEW'. The editor is $VISUAL, else $EDITOR, else the
    configuration's editor.

    \b
    Examples:
      citeshelf edit aris2014collective
      citeshelf edit aris2014collective --set pages=531-546
      citeshelf edit aris2014collective --set "authors=Aris, Stephen" --set extra.note=x
      citeshelf edit doe2005 --set related=reprintof:doe1973    (TYPE:KEY; ...)
      citeshelf edit aris2014collective --take local

    A record with a merge conflict (two clones changed a field two ways, see
    'citeshelf sync') keeps every version in extra.merge_conflict: --take
    picks one, --set FIELD=VALUE sets the field and resolves its conflict, and
    in the editor you keep the value you want and delete that block.
    """
    from ..ops.editing import set_fields
    from .common import get_library

    library = get_library()
    if takes:
        from ..ops.editing import take_versions

        take_versions(library, key, takes)
        if assignments:
            set_fields(library, key, assignments)
        click.echo(f"updated {key}")
        return
    if assignments:
        from .. import render

        edited = set_fields(library, key, assignments)
        click.echo(f"updated {key}" if edited.changed else f"{key}: unchanged")
        for message in edited.warnings:
            render.warn(message)
        return
    _edit_interactively(library, library.get(key))


def _edit_interactively(library, record) -> None:
    import os
    import tempfile

    from ..errors import CiteshelfError, InvalidData, UsageError
    from ..library import dumps_record
    from ..ops.editing import parse_edited
    from .common import get_config

    editor = get_config().get("editor")  # $VISUAL, $EDITOR, else the configuration's
    if not (sys.stdin.isatty() and sys.stdout.isatty()) and not editor:
        raise UsageError("no editor: set $EDITOR, or change fields with --set FIELD=VALUE")
    original = dumps_record(record)
    text = original
    conflicts = record.extra.get("merge_conflict")
    if isinstance(conflicts, dict) and conflicts:
        click.echo(
            f"{record.key} has a merge conflict in {', '.join(conflicts)}: the versions are in "
            "extra.merge_conflict; keep the value you want and delete that block",
            err=True,
        )
    while True:
        try:
            edited = click.edit(text, editor=editor, extension=".json", require_save=False)
        except click.ClickException as exc:
            raise UsageError(
                f"the editor failed ({exc.format_message()}): set $EDITOR to a working editor, "
                f"or change fields with --set FIELD=VALUE"
            ) from None
        if edited is None or edited == original:
            click.echo(f"{record.key}: unchanged")
            return
        try:
            new = parse_edited(library, record, edited)
        except CiteshelfError as exc:
            click.echo(f"citeshelf: this edit does not validate: {exc}", err=True)
            if sys.stdin.isatty() and click.confirm("Reopen the editor?", default=True):
                text = edited
                continue
            fd, kept = tempfile.mkstemp(prefix=f"citeshelf-edit-{record.key}-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(edited)
            raise InvalidData(
                f"record '{record.key}' left unchanged; your text is kept in {kept}"
            ) from None
        library.update(new, expected=original)  # refused if changed meanwhile
        click.echo(f"updated {record.key}")
        return
