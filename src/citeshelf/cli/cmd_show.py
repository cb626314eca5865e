"""citeshelf show: one record with every field."""

from __future__ import annotations

import click

from .common import Key, get_library, json_option


def record_fields(record, parent=None) -> list[tuple[str, str]]:
    """Label/value pairs for every field the record has, in file order."""
    from ..model import format_isbn
    from ..model.record import NAME_LISTS
    from .views import book_line, full_names

    data = record.to_json_dict()
    out: list[tuple[str, str]] = []
    for name, value in data.items():
        if name in ("key",):
            continue
        if name in NAME_LISTS:
            text = full_names(getattr(record, name))
            if getattr(record, f"{name}_et_al", False):
                text += "; et al."
        elif name in ("authors_et_al", "editors_et_al"):
            continue
        elif name == "isbn":
            text = ", ".join(format_isbn(i) for i in value)
        elif name == "parent" and parent is not None:
            text = f"{value} — {book_line(parent)}"
        elif name == "related":  # "reprintof smith1950", one a line
            text = "\n".join(
                f"{r.type} {r.key}" + (f" ({r.string})" if r.string else "") for r in record.related
            )
        elif isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        elif isinstance(value, dict) and set(value) == {"literal"}:
            text = str(value["literal"])  # a date kept as text
        elif isinstance(value, dict):
            text = "\n".join(f"{k} = {v}" for k, v in value.items())
        else:
            text = str(value)
        out.append((name.replace("_", " "), text))
    return out


@click.command("show")
@click.argument("key", type=Key())
@json_option
def command(key: str, as_json: bool) -> None:
    """Show the record KEY with every field.

    A chapter is shown with its book (the parent line); with --json the book's
    record is included under "book" and the fields the chapter takes from it
    (publisher, date, editors ...) under "resolved".

    \b
    Example:
      citeshelf show aris2014collective
      citeshelf show aris2014collective --json
    """
    from .. import render
    from ..ops.showing import show_record
    from ..ops.showmemo import remember, show_inputs

    library = get_library()
    inputs = show_inputs(library.path, key)
    shown = show_record(library, key)
    record = shown.record
    # kept for a later `show` of the same bytes (cli/start.py prints it)
    if not (record.key == key and inputs is not None and record.parent == inputs[1]):
        inputs = None
    if as_json:
        data = shown.to_json()
        if inputs is not None:
            remember(library.path, key, inputs, "json", data)
        render.print_json(data)
        return
    title = f"{record.key} ({record.type})"
    fields = record_fields(record, shown.book)
    footer = "APA: " + shown.reference("apa")
    if inputs is not None:
        remember(library.path, key, inputs, "view", [title, fields, footer])
    render.print_fields(title, fields, footer=footer)
