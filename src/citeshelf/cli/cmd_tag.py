"""citeshelf tag: add and remove tags on records."""

from __future__ import annotations

import click

from .common import KeyArgs, json_option


@click.command("tag", context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, required=True, metavar="KEY... +TAG -TAG", type=KeyArgs())
@json_option
def command(args: tuple[str, ...], as_json: bool) -> None:
    """Add (+TAG) and remove (-TAG) tags on the records KEY...

    \b
    The keys come first, then the changes. Tags compare ignoring case and
    accents (-EU removes "eu"); quote a tag with spaces. Each record's file is
    replaced whole, and nothing is changed if any KEY is missing.
      citeshelf tag aris2014collective +security +"to read"
      citeshelf tag cottey2014nato cottey2014europe +nato -"to read"
    Tags are found with 'citeshelf list tag:security', counted with
    'citeshelf tags', and exported among the keywords.
    """
    from .. import render
    from ..ops.tagging import parse_tag_args, tag_records
    from .common import get_library

    keys, changes = parse_tag_args(args)
    result = tag_records(get_library(), keys, changes)
    if as_json:
        render.print_json(result.to_json())
        return
    for key, tags in result.tags.items():
        state = "" if key in result.changed else " (unchanged)"
        render.print_line(f"{key}: {', '.join(tags) if tags else 'no tags'}{state}")
