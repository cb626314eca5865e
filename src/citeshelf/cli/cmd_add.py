"""citeshelf add: create a record from options."""

from __future__ import annotations

import sys

import click

TYPES = ("book", "chapter", "article", "report", "thesis", "webpage", "paper", "misc")

# option name -> record field, for the single-valued options
_SIMPLE = {
    "title": "title",
    "subtitle": "subtitle",
    "year": "issued",
    "publisher": "publisher",
    "place": "place",
    "edition": "edition",
    "volume": "volume",
    "journal": "journal",
    "issue": "issue",
    "issn": "issn",
    "pages": "pages",
    "chapter": "chapter",
    "doi": "doi",
    "url": "url",
    "parent": "parent",
}

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


@click.command("add")
@click.argument("work_type", metavar="TYPE", type=click.Choice(TYPES))
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
    **simple: str | None,
) -> None:
    """Add a record of TYPE and print its key.

    TYPE is one of book, chapter, article, report, thesis, webpage, paper, misc.
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
    from ..errors import AlreadyExists, NotFound, UsageError
    from ..library import merge_parent, parent_of
    from ..library.fields import append_names, build_record, set_field
    from ..model import Chapter, check_key, missing_recommended
    from ..model.keys import unique_key
    from .common import get_library

    library = get_library()
    if key is not None:
        try:
            check_key(key)
        except ValueError as exc:
            raise UsageError(f"--key: {exc}") from None
    if work_type == "chapter" and not simple.get("parent"):
        raise UsageError("a chapter needs its book: give --parent BOOKKEY (add the book first)")
    if simple.get("parent") and work_type != "chapter":
        raise UsageError(f"--parent is for chapters; a {work_type} has no parent")

    data: dict = {"type": work_type, "key": key or "new"}
    for option, field in _SIMPLE.items():
        value = simple.get(option)
        if value is not None:
            set_field(data, field, value, work_type)
    append_names(data, "authors", list(authors))
    append_names(data, "editors", list(editors))
    append_names(data, "translators", list(translators))
    if isbns:
        set_field(data, "isbn", ",".join(isbns), work_type)
    if tags:
        data["tags"] = list(tags)
    for item in fields:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--field takes NAME=VALUE, not {item!r}")
        set_field(data, name, value, work_type)

    what = f"new {work_type}" if key is None else f"record '{key}'"
    record = build_record(data, what)
    try:
        parent = parent_of(record, library) if isinstance(record, Chapter) else None
    except NotFound:
        raise NotFound(
            f"--parent '{simple['parent']}' is not in the library: add the book first "
            f"(citeshelf add book ...) or use --parent KEY"
        ) from None
    if parent is not None and parent.type == "chapter":
        raise UsageError(f"--parent '{parent.key}' is a chapter, not a book")

    def view(rec):
        return merge_parent(rec, parent) if parent is not None else rec

    missing = missing_recommended(view(record))
    if missing and not no_input and _interactive():
        for name in missing:
            field = "authors" if name == "authors or editors" else name
            while True:
                answer = click.prompt(_PROMPTS.get(name, name), default="", show_default=False)
                if not answer.strip():
                    if name == "authors or editors":
                        answer = click.prompt(
                            _PROMPTS["authors"].replace("Authors", "Editors"),
                            default="",
                            show_default=False,
                        )
                        field = "editors"
                        if not answer.strip():
                            break
                    else:
                        break
                trial = dict(data)
                try:
                    set_field(trial, field, answer, work_type)
                    build_record(trial, what)
                except Exception as exc:
                    click.echo(f"  {exc}", err=True)
                    field = "authors" if name == "authors or editors" else name
                    continue
                data = trial
                break
        record = build_record(data, what)
        missing = missing_recommended(view(record))

    if key is None:
        while True:
            new_key = unique_key(
                view(record), lambda k: k in library or library.find_case_clash(k) is not None
            )
            record = record.model_copy(update={"key": new_key})
            try:
                library.create(record)
                break
            except AlreadyExists:
                if library.find_case_clash(new_key) and new_key not in library:
                    raise
                continue  # another process took the key a moment ago: take the next
    else:
        library.create(record)
    if missing:
        render.warn(
            f"saved '{record.key}' without recommended fields: {', '.join(missing)} "
            f"(add them with: citeshelf edit {record.key} --set FIELD=VALUE)"
        )
    click.echo(record.key)
