"""citeshelf add: create a record from options, or from identifiers (DOI, ISBN, arXiv, PubMed)."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..ops.options import ON_DUPLICATE
from .common import HelpCommand, json_option, work_types

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


_METAVARS = {"parent": "BOOKKEY", "accessed": "DATE", "degree": "DEGREE"}


class AddCommand(HelpCommand):
    """``add``, with the options of each work type's own fields (``--degree``,
    ``--institution`` ...) made from the model when they are first needed
    (parsing or help), so that ``citeshelf --help`` loads no model."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self._typed: list[click.Option] | None = None

    def type_params(self) -> list[click.Option]:
        if self._typed is None:
            from ..library.fields import type_options

            self._typed = []
            for opt in type_options():
                self._typed.append(
                    click.Option(
                        [opt.option, opt.field],
                        multiple=opt.names,
                        metavar=_METAVARS.get(opt.field, "NAME" if opt.names else "TEXT"),
                        help=opt.help,
                    )
                )
            at = next(i for i, p in enumerate(self.params) if p.name == "fields")
            self.params[at:at] = self._typed
        return self._typed

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        self.type_params()
        return super().get_params(ctx)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The options every type has, then the types' own, grouped by type."""
        from ..library.fields import type_options, types_phrase

        typed = {p.name for p in self.type_params()}
        rows = [
            r
            for p in self.get_params(ctx)
            if isinstance(p, click.Option)
            and p.name not in typed
            and (r := p.get_help_record(ctx)) is not None
        ]
        with formatter.section("Options"):
            formatter.write_dl(rows)
        groups: dict[tuple[str, ...], list[tuple[str, str]]] = {}
        params = {p.name: p for p in self._typed or ()}
        for opt in type_options():
            record = params[opt.field].get_help_record(ctx)
            if record is not None:
                groups.setdefault(opt.types, []).append(record)
        for types, group in groups.items():
            with formatter.section(f"Fields of {types_phrase(types)}"):
                formatter.write_dl(group)


@click.command("add", cls=AddCommand, help_values={"types": lambda: ", ".join(work_types())})
@click.argument("what", nargs=-1, required=True, metavar="TYPE | IDENTIFIER...")
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
@click.option("--year", metavar="DATE", help="Year of publication (or YYYY-MM-DD).")
@click.option("--publisher")
@click.option("--place", help="Place of publication.")
@click.option("--edition", help="Edition number, e.g. 2.")
@click.option("--volume")
@click.option("--doi")
@click.option(
    "--isbn", "isbns", multiple=True, help="ISBN-10 or -13, checked and stored as written."
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
    "--edit",
    is_flag=True,
    help="TYPE: write the record in $EDITOR, from a template of the type's fields "
    "(filled in from the options given); an empty key is generated.",
)
@click.option(
    "--on-duplicate",
    type=click.Choice(ON_DUPLICATE),
    default="error",
    show_default=True,
    help="What to do when the record is already in the library (the same DOI, or a book's "
    "ISBN with the same edition and volume; for an IDENTIFIER also title+year+first author): "
    "refuse, naming that record, with exit code 5 (error), print that record's key (skip), "
    "add it all the same (rename), or put these fields over that record's (update).",
)
@click.option(
    "--sentence-case",
    is_flag=True,
    help="IDENTIFIER: store a Title Case title in sentence case (acronyms and proper nouns kept).",
)
@click.option("--dry-run", "-n", is_flag=True, help="IDENTIFIER: fetch and check; write nothing.")
@click.option(
    "--no-cache", is_flag=True, help="IDENTIFIER: neither read nor write the response cache."
)
@click.option(
    "--refresh", is_flag=True, help="IDENTIFIER: ask the services again, then update the cache."
)
@json_option
def command(
    what: tuple[str, ...],
    authors: tuple[str, ...],
    editors: tuple[str, ...],
    translators: tuple[str, ...],
    isbns: tuple[str, ...],
    tags: tuple[str, ...],
    fields: tuple[str, ...],
    key: str | None,
    no_input: bool,
    edit: bool,
    on_duplicate: str,
    sentence_case: bool,
    dry_run: bool,
    no_cache: bool,
    refresh: bool,
    as_json: bool,
    **simple: Any,
) -> None:
    """Add a record of TYPE, or the records of IDENTIFIER..., and print the keys.

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

    An IDENTIFIER is fetched from the web: doi:10.NNNN/... (or a bare DOI, or a
    https://doi.org/ URL) from doi.org and Crossref, isbn:... from Open Library
    (else Google Books), arxiv:NNNN.NNNNN from arXiv, pmid:NNNN from PubMed.
    The records are checked, keyed and checked for duplicates as 'import' does.
    A chapter is linked to its book (found in the library by ISBN or DOI, else
    fetched and added too). Answers are cached (see README), so adding the
    same identifier again needs no connection. The services are sent a contact
    address: the configuration's lookup.mailto (or $CITESHELF_MAILTO).

    \b
    Examples:
      citeshelf add isbn:9781781953167
      citeshelf add doi:10.4337/9781781953174.00037 10.4337/9781781953174.00042
      citeshelf add arxiv:2101.00001 pmid:31209238 --sentence-case
    """
    from .. import render
    from ..ops.adding import prepare_add, save_new
    from .common import get_library

    if what[0] not in work_types():
        if edit:
            from ..errors import UsageError

            raise UsageError("--edit: only for add TYPE, not with identifiers")
        _add_identifiers(
            what,
            on_duplicate=on_duplicate,
            sentence_case=sentence_case,
            dry_run=dry_run,
            cache_mode="off" if no_cache else "refresh" if refresh else "use",
            as_json=as_json,
            others=_record_options(authors, editors, translators, isbns, tags, fields, key, simple),
        )
        return
    work_type = what[0]
    _check_type_options(what, sentence_case, dry_run, no_cache, refresh, as_json)
    values, names = _own_fields(work_type, simple)
    library = get_library()
    given: dict[str, Any] = dict(
        key=key,
        values=values,
        names=names,
        authors=authors,
        editors=editors,
        translators=translators,
        isbns=isbns,
        tags=tags,
        fields=fields,
    )
    if edit:
        from ..ops.adding import add_template

        draft = _edit_template(library, work_type, add_template(work_type, **given))
        if draft is None:
            return
    else:
        draft = prepare_add(library, work_type, **given)
    missing = draft.missing()
    if missing and not no_input and not edit and _interactive():
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


def _edit_template(library, work_type: str, template: str):
    """The draft written in the editor, from a template of the type's fields;
    None if the template came back unchanged. A text that does not validate
    can be reopened, else it is kept in a file whose name is printed."""
    import os
    import tempfile

    from ..errors import CiteshelfError, InvalidData, UsageError
    from ..ops.adding import parse_template
    from .common import get_config

    editor = get_config().get("editor")  # $VISUAL, $EDITOR, else the configuration's
    if not (sys.stdin.isatty() and sys.stdout.isatty()) and not editor:
        raise UsageError("no editor: set $EDITOR, or give the fields as options")
    text = template
    while True:
        try:
            edited = click.edit(text, editor=editor, extension=".json", require_save=False)
        except click.ClickException as exc:
            raise UsageError(
                f"the editor failed ({exc.format_message()}): set $EDITOR to a working editor, "
                "or give the fields as options"
            ) from None
        if edited is None or edited == template:
            click.echo(f"nothing added: the {work_type} template came back unchanged")
            return None
        try:
            return parse_template(library, work_type, edited)
        except CiteshelfError as exc:
            click.echo(f"citeshelf: this record does not validate: {exc}", err=True)
            if sys.stdin.isatty() and click.confirm("Reopen the editor?", default=True):
                text = edited
                continue
            fd, kept = tempfile.mkstemp(prefix=f"citeshelf-add-{work_type}-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(edited)
            raise InvalidData(f"nothing added; your text is kept in {kept}") from None


def _own_fields(work_type: str, given: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The single-valued options and the name lists given; an option of a
    field this type does not have is a usage error naming the types that have it."""
    from ..errors import UsageError
    from ..library.fields import degree_option, type_options, types_phrase

    values = {k: v for k, v in given.items() if v is not None}
    names: dict[str, Any] = {}
    for opt in type_options():
        value = values.pop(opt.field, None)
        if value in (None, ()):
            continue
        if work_type not in opt.types:
            from ..model import WORK_TYPES

            hint = ""
            if opt.field in WORK_TYPES[work_type].model_fields:
                hint = f" (give it as --field {opt.field}=VALUE)"
            raise UsageError(
                f"{opt.option} is for {types_phrase(opt.types)}, not "
                f"{types_phrase([work_type])}{hint}"
            )
        if opt.names:
            names[opt.field] = list(value)
        else:
            values[opt.field] = degree_option(value) if opt.field == "degree" else value
    return values, names


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


def _record_options(authors, editors, translators, isbns, tags, fields, key, simple) -> list[str]:
    """The record options given (they need a TYPE)."""
    given = [
        f"--{name.replace('_', '-')}" for name, value in simple.items() if value not in (None, ())
    ]
    for name, values in (
        ("author", authors),
        ("editor", editors),
        ("translator", translators),
        ("isbn", isbns),
        ("tag", tags),
        ("field", fields),
    ):
        if values:
            given.append(f"--{name}")
    if key is not None:
        given.append("--key")
    return given


def _check_type_options(what, sentence_case, dry_run, no_cache, refresh, as_json):
    from ..errors import UsageError

    if len(what) > 1:
        raise UsageError(
            f"add {what[0]} takes no other arguments (got {' '.join(what[1:])!r}): "
            "give the fields as options, e.g. --title"
        )
    flags = [
        name
        for name, on in (
            ("--sentence-case", sentence_case),
            ("--dry-run", dry_run),
            ("--no-cache", no_cache),
            ("--refresh", refresh),
            ("--json", as_json),
        )
        if on
    ]
    if flags:
        raise UsageError(f"{', '.join(flags)}: only for adding by IDENTIFIER, not add {what[0]}")


def _add_identifiers(
    identifiers, *, on_duplicate, sentence_case, dry_run, cache_mode, as_json, others
) -> None:
    from .. import render
    from ..errors import UsageError
    from ..ops.importing import commit_import
    from ..ops.lookup import looks_like_identifier, lookup_identifiers
    from .common import get_library

    first = identifiers[0]
    if len(identifiers) == 1 and not looks_like_identifier(first):
        raise UsageError(
            f"'{first}' is neither a record TYPE ({', '.join(work_types())}) nor an "
            "identifier (doi:..., isbn:..., arxiv:..., pmid:...)"
        )
    if others:
        raise UsageError(f"{', '.join(others)}: only with add TYPE, not with identifiers")
    library = get_library()
    with lookup_identifiers(
        library,
        identifiers,
        on_duplicate=on_duplicate,
        dry_run=dry_run,
        sentence_case=sentence_case,
        cache_mode=cache_mode,
        progress=(lambda n: render.progress(n, "Fetching")) if len(identifiers) > 1 else None,
    ) as result:
        for w in result.warnings:
            render.warn(str(w))
        for d in result.duplicates:
            if d.updated:
                render.warn(f"{d.source}: updates '{d.existing}' ({d.why})")
            elif on_duplicate != "error":
                render.warn(
                    f"{d.source}: skipped: already in the library as '{d.existing}' ({d.why})"
                )
        if on_duplicate == "error" and result.duplicates:
            d = result.duplicates[0]
            from ..errors import Conflict

            more = f" (and {len(result.duplicates) - 1} more)" if len(result.duplicates) > 1 else ""
            raise Conflict(
                f"{d.source} is already in the library as '{d.existing}' ({d.why}){more}: "
                "nothing was added; use --on-duplicate skip, rename or update"
            )
        if result.invalid:
            for issue in result.invalid:
                render.print_line(f"  {issue}", err=True)
            raise result.refusal(on_duplicate, False)
        if not dry_run:
            commit_import(result)
    if as_json:
        render.print_json(result.to_json())
        return
    if dry_run:
        render.print_line(
            "dry run, nothing written: would add " + (", ".join(result.created) or "nothing")
        )
        return
    for key in result.created:
        click.echo(key)
