"""citeshelf edit: change a record in $EDITOR or with --set."""

from __future__ import annotations

import sys

import click


@click.command("edit")
@click.argument("key")
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Set a field without an editor (repeatable). An empty VALUE removes the "
    "field; extra.NAME=VALUE keeps data citeshelf does not model.",
)
def command(key: str, assignments: tuple[str, ...]) -> None:
    """Edit the record KEY.

    Without --set, the record opens in $VISUAL or $EDITOR. When you save, it is
    checked; if it does not validate you are told why and can reopen it. Your
    text is never thrown away: if you give up, it is kept in a file whose name
    is printed. The record's key cannot change here.

    \b
    Examples:
      citeshelf edit aris2014collective
      citeshelf edit aris2014collective --set pages=531-546
      citeshelf edit aris2014collective --set "authors=Aris, Stephen" --set extra.note=x
    """
    from ..errors import UsageError
    from ..library.fields import build_record, set_field
    from .common import get_library

    library = get_library()
    record = library.get(key)
    if assignments:
        data = record.to_json_dict()
        for item in assignments:
            name, sep, value = item.partition("=")
            if not sep or not name.strip():
                raise UsageError(f"--set takes FIELD=VALUE, not {item!r}")
            set_field(data, name, value, data["type"])
        new = build_record(data, f"record '{key}'")
        _check_parent(library, new)
        if new.to_json_dict() == record.to_json_dict():
            click.echo(f"{key}: unchanged")
            return
        library.update(new)
        click.echo(f"updated {key}")
        return
    _edit_interactively(library, record)


def _check_parent(library, record) -> None:
    from ..library import parent_of

    parent = parent_of(record, library)
    if parent is not None and parent.type == "chapter":
        from ..errors import InvalidData

        raise InvalidData(f"record '{record.key}': parent '{parent.key}' is a chapter, not a book")


def _edit_interactively(library, record) -> None:
    import json
    import os
    import tempfile

    from ..errors import CiteshelfError, InvalidData, UsageError
    from ..library import dumps_record

    if not (sys.stdin.isatty() and sys.stdout.isatty()) and not (
        os.environ.get("VISUAL") or os.environ.get("EDITOR")
    ):
        raise UsageError("no editor: set $EDITOR, or change fields with --set FIELD=VALUE")
    original = dumps_record(record)
    text = original
    while True:
        try:
            edited = click.edit(text, extension=".json", require_save=False)
        except click.ClickException as exc:
            raise UsageError(
                f"the editor failed ({exc.format_message()}): set $EDITOR to a working editor, "
                f"or change fields with --set FIELD=VALUE"
            ) from None
        if edited is None or edited == original:
            click.echo(f"{record.key}: unchanged")
            return
        try:
            try:
                data = json.loads(edited)
            except json.JSONDecodeError as exc:
                raise InvalidData(
                    f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
                ) from None
            if not isinstance(data, dict):
                raise InvalidData("the file must hold one JSON object")
            if data.get("key") != record.key:
                raise InvalidData(f"the key must stay '{record.key}'")
            new = library.parse_text(record.key, edited, path=library.path_for(record.key))
            _check_parent(library, new)
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
        library.update(new)
        click.echo(f"updated {record.key}")
        return
