"""citeshelf add: create a record from options."""

from __future__ import annotations

import sys

import click

from ..ops.options import ON_DUPLICATE
from .common import HelpCommand, LazyChoice, work_types

_PROMPTS = {
    "title": "Title (sentence case)",
    "authors": "Authors (Family, Given; several joined by ' and ')",
    "authors or editors": "Authors (Family, Given; several joined by ' and '; Enter to give editors)",
    "issued": "Year (YYYY or YYYY-MM-DD)",
    "publisher": "Publisher",
    "pages": "Pages (e.g. 656-670)",
    "journal": "Journal",
    "volume": "Volume",
    "institution": "Institution",
    "degree": "Degree (e.g. PhD)",
    "site": "Website name",
    "url": "URL",
}


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


@click.command("add", cls=HelpCommand, help_values={"types": lambda: ", ".join(work_types())})
@click.argument("work_type", metavar="TYPE", type=LazyChoice(work_types))
@click.option("--title", help="Title in sentence case, proper nouns capitalised.")
@click.option("--subtitle")
@click.option(
    "--author",
    "authors",
    multiple=True,
    metavar="NAME",
    help='"Family, Given" (repeat for each author; "{Org Name}" for an organisation).',
)
@click.option(
    "--editor", "editors", multiple=True, metavar="NAME", help="An editor, like --author."
)
@click.option("--translator", "translators", multiple=True, metavar="NAME")
@click.option(
    "--parent", metavar="BOOKKEY", help="The book a chapter belongs to (required for chapters)."
)
@click.option("--year", metavar="DATE", help="Year of publication (or YYYY-MM-DD).")
@click.option("--publisher")
@click.option("--place", help="Place of publication.")
@click.option("--edition", help="Edition number, e.g. 2.")
@click.option("--volume")
@click.option("--journal", help="Journal of an article.")
@click.option("--issue", help="Issue of an article.")
@click.option("--issn", help="ISSN of an article's journal (checked).")
@click.option("--pages", help="Page range, e.g. 656-670.")
@click.option("--chapter", help="Chapter number.")
@click.option("--doi")
@click.option(
    "--isbn", "isbns", multiple=True, help="ISBN-10 or -13, checked and stored as ISBN-13."
)
@click.option("--url")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.option(
    "--field",
    "fields",
    multiple=True,
    metavar="NAME=VALUE",
    help="Any other field (repeatable); extra.NAME=VALUE keeps data citeshelf does not model.",
)
@click.option("--key", help="The record's key (default: generated, e.g. aris2014collective).")
@click.option("--no-input", is_flag=True, help="Never prompt for missing recommended fields.")
@click.option(
    "--on-duplicate",
    type=click.Choice(ON_DUPLICATE),
    default="error",
    show_default=True,
    help="What to do when the record's DOI, or a book's ISBN with the same edition and "
    "volume, is already in the library: refuse (error), print that record's key (skip), "
    "add it all the same (rename), or put these fields over that record's (update).",
)
def command(
    work_type: str,
    authors: tuple[str, ...],
    editors: tuple[str, ...],
    translators: tuple[str, ...],
    isbns: tuple[str, ...],
    tags: tuple[str, ...],
    fields: tuple[str, ...],
    key: str | None,
    no_input: bool,
    on_duplicate: str,
    **simple: str | None,
) -> None:
    """Add a record of TYPE and print its key.

    TYPE is one of {types}.
    On a terminal, missing recommended fields are prompted for (Enter skips);
    otherwise the record is saved with a warning that lists them. The key is
    generated from the first author's (else editor's) family name, the year and
    the first significant title word; a taken key gets a, b, c ... and nothing is
    ever overwritten.

    \b
    Examples:
      citeshelf add book --title "Handbook of governance and security" \\
          --editor "Sperling, James" --year 2014 --publisher "Edward Elgar Publishing"
      citeshelf add chapter --parent sperling2014handbook --chapter 30 \\
          --title "Collective Security Treaty Organization" --author "Aris, Stephen"
      citeshelf add report --title "World report" --author "{World Health Organization}"
    """
    from .. import render
    from ..ops.adding import prepare_add, save_new
    from .common import get_library

    library = get_library()
    draft = prepare_add(
        library,
        work_type,
        key=key,
        values=simple,
        authors=authors,
        editors=editors,
        translators=translators,
        isbns=isbns,
        tags=tags,
        fields=fields,
    )
    missing = draft.missing()
    if missing and not no_input and _interactive():
        for name in missing:
            draft = _prompt_for(draft, name)
    added = save_new(library, draft, on_duplicate)
    if added.duplicate_of is not None:
        other, why = added.duplicate_of
        render.warn(
            f"{'updated' if added.updated else 'not added, as it duplicates'} '{other}' ({why})"
        )
    if added.missing:
        key = added.record.key
        render.warn(
            f"saved '{key}' without recommended fields: {', '.join(added.missing)} "
            f"(add them with: citeshelf edit {key} --set FIELD=VALUE)"
        )
    click.echo(added.record.key)


def _prompt_for(draft, name: str):
    """Ask for one missing field until the answer is valid or empty (Enter
    skips; for "authors or editors", Enter asks for editors)."""
    field = "authors" if name == "authors or editors" else name
    while True:
        answer = click.prompt(_PROMPTS.get(name, name), default="", show_default=False)
        if not answer.strip():
            if name != "authors or editors":
                return draft
            answer = click.prompt(
                _PROMPTS["authors"].replace("Authors", "Editors"), default="", show_default=False
            )
            field = "editors"
            if not answer.strip():
                return draft
        try:
            return draft.with_field(field, answer)
        except Exception as exc:
            click.echo(f"  {exc}", err=True)
            field = "authors" if name == "authors or editors" else name
