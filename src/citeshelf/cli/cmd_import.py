"""citeshelf import: records from .bib, CSL-JSON, RIS and Zotero (BBT JSON, RDF, zotero.sqlite)."""

from __future__ import annotations

import click

from ..formats import IMPORT_FORMATS
from ..ops.options import ON_DUPLICATE
from .common import get_library, json_option

#: How many duplicate/renamed lines are printed before a count of the rest.
_SHOWN = 20
_SHOWN_WARNINGS = 100


@click.command("import")
@click.argument("files", nargs=-1, metavar="FILE...", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(IMPORT_FORMATS),
    default=None,
    help="Input format. Default: from each file's name (.bib, .json, .ris, .rdf, .sqlite) "
    "or content (Better BibTeX JSON is told from CSL-JSON by its content).",
)
@click.option("--dry-run", "-n", is_flag=True, help="Check and report; write nothing.")
@click.option(
    "--on-duplicate",
    type=click.Choice(ON_DUPLICATE),
    default="skip",
    show_default=True,
    help="What to do with an entry whose key, DOI, book ISBN, or title+year+first "
    "author matches an existing record.",
)
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Import the valid entries and list the invalid ones (default: import nothing "
    "if any entry is invalid).",
)
@click.option(
    "--link-parents",
    is_flag=True,
    help="Link each @incollection without crossref to its book (matched by ISBN or "
    "title+year), creating the book record if there is none.",
)
@click.option(
    "--identifiers",
    "identifiers_file",
    metavar="IDFILE",
    type=click.Path(dir_okay=False),
    help="Fetch the records of the identifiers in IDFILE instead (one a line: doi:..., "
    "isbn:..., arxiv:..., pmid:...; # starts a comment), as 'citeshelf add IDENTIFIER' does.",
)
@click.option(
    "--sentence-case",
    is_flag=True,
    help="With --identifiers: store Title Case titles in sentence case.",
)
@json_option
def command(
    files: tuple[str, ...],
    identifiers_file: str | None,
    sentence_case: bool,
    fmt: str | None,
    dry_run: bool,
    on_duplicate: str,
    skip_invalid: bool,
    link_parents: bool,
    as_json: bool,
) -> None:
    """Import the entries of FILE... into the library, all or nothing.

    Every entry is checked before any record appears: an invalid entry is
    reported with its file, line and reason, and then nothing is imported
    (unless --skip-invalid). Large files are read and written in batches; the
    new records appear all at once at the end. BibTeX's @string macros, # concatenation, month
    macros, crossref (a chapter's book), LaTeX accents and braces that protect
    capitals are understood; fields citeshelf does not model are kept under
    "extra" so that exporting again loses nothing. Entries with a repeated field
    or after a re-defined @string are recovered with a warning naming the line.

    \b
    Examples:
      citeshelf import refs.bib
      citeshelf import refs.bib --dry-run
      citeshelf import zotero.json                   # CSL-JSON
      citeshelf import ~/Zotero/zotero.sqlite        # a Zotero library, with its keys
      citeshelf import export.ris --on-duplicate rename
      citeshelf import thesis.bib --skip-invalid --link-parents

    A duplicate is an entry that matches a record already in the library (by
    key, DOI, book ISBN, or title, year and first author); entries of one import
    with their own keys are never duplicates of each other by title. The
    summary at the end counts every entry: imported, skipped as duplicate and
    skipped as invalid. Exit codes: 0 done, 4 invalid entries (nothing
    written), 5 duplicates with --on-duplicate error.
    """
    from .. import render
    from ..errors import UsageError
    from ..ops.importing import commit_import, import_files

    if bool(files) == bool(identifiers_file):
        raise UsageError("give FILE... to import, or --identifiers IDFILE (not both)")
    if not files and (fmt or link_parents):
        raise UsageError("--format and --link-parents are for FILE..., not --identifiers")
    if not files and identifiers_file:
        _import_identifiers(
            identifiers_file,
            on_duplicate=on_duplicate,
            skip_invalid=skip_invalid,
            dry_run=dry_run,
            sentence_case=sentence_case,
            as_json=as_json,
        )
        return
    library = get_library()
    with import_files(
        library,
        files,
        fmt=fmt,
        on_duplicate=on_duplicate,
        link_parents=link_parents,
        dry_run=dry_run,
        progress=lambda n: render.progress(n, "Reading"),
    ) as result:
        _report(result, on_duplicate=on_duplicate, skip_invalid=skip_invalid, as_json=as_json)
        if dry_run:
            return
        commit_import(result, lambda n: render.progress(n, "Importing"))
    if as_json:
        render.print_json(result.to_json())
    else:
        render.print_line(_summary(result, skip_invalid))


def _import_identifiers(
    path: str,
    *,
    on_duplicate: str,
    skip_invalid: bool,
    dry_run: bool,
    sentence_case: bool,
    as_json: bool,
) -> None:
    """--identifiers: fetch, then report and commit as for files. An identifier
    that cannot be fetched counts as invalid (listed with the reason)."""
    from .. import render
    from ..ops.importing import commit_import
    from ..ops.lookup import lookup_identifiers, read_identifier_file

    identifiers = read_identifier_file(path)
    library = get_library()
    with lookup_identifiers(
        library,
        identifiers,
        on_duplicate=on_duplicate,
        dry_run=dry_run,
        sentence_case=sentence_case,
        keep_going=True,
        progress=lambda n: render.progress(n, "Fetching"),
    ) as result:
        _report(result, on_duplicate=on_duplicate, skip_invalid=skip_invalid, as_json=as_json)
        if dry_run:
            return
        commit_import(result, lambda n: render.progress(n, "Importing"))
    if as_json:
        render.print_json(result.to_json())
    else:
        render.print_line(_summary(result, skip_invalid))


def _summary(result, skip_invalid: bool) -> str:
    invalid = len(result.invalid)
    parts = [
        f"imported {len(result.created) - len(result.books_created)}",
        f"updated {len(result.updated)}" if result.updated else None,
        f"skipped as duplicate {len(result.skipped_duplicates)}",
        f"skipped as invalid {invalid if skip_invalid or not invalid else 0}",
    ]
    text = ", ".join(p for p in parts if p)
    if result.books_created:
        text += f" (books created for chapters: {', '.join(result.books_created)})"
    return text


def _report(result, *, on_duplicate: str, skip_invalid: bool, as_json: bool) -> None:
    """Warnings, duplicates, renamed keys and invalid entries; raises if the
    import cannot go on (nothing has been written then)."""
    from .. import render

    warnings = result.warnings
    for n, w in enumerate(warnings):
        if n == _SHOWN_WARNINGS and len(warnings) > n + 1:
            render.warn(f"... and {len(warnings) - n} more warnings (--json lists them all)")
            break
        render.warn(str(w))
    dups = result.duplicates
    if on_duplicate == "error" and dups:
        for d in dups:
            render.print_line(
                f"  {d.source}:{d.line or '-'}: '{d.key}' duplicates '{d.existing}' ({d.why})",
                err=True,
            )
        raise result.refusal(on_duplicate, skip_invalid)
    for n, d in enumerate(dups):
        if n == _SHOWN and len(dups) > _SHOWN + 1:
            render.warn(f"... and {len(dups) - n} more duplicates (--json lists them all)")
            break
        where = f"{d.source}:{d.line}" if d.line else d.source
        if d.updated:
            render.warn(f"{where}: '{d.key}' updates '{d.existing}' ({d.why})")
        else:
            took = (
                f"; '{d.existing}' took the fields it lacked: {', '.join(d.filled)}"
                if d.filled
                else ""
            )
            render.warn(f"{where}: '{d.key}' skipped: duplicates '{d.existing}' ({d.why}){took}")
    for n, (old, new) in enumerate(result.renamed):
        if n == _SHOWN and len(result.renamed) > _SHOWN + 1:
            render.warn(f"... and {len(result.renamed) - n} more renamed (--json lists them all)")
            break
        render.warn(f"'{old}' imported as '{new}' (the key was taken)")
    invalid = result.invalid
    if invalid:
        if skip_invalid:
            n = len(invalid)
            render.warn(f"skipping {n} invalid entr{'ies' if n != 1 else 'y'}:")
        for issue in invalid:
            render.print_line(f"  {issue}", err=True)
        refusal = result.refusal(on_duplicate, skip_invalid)
        if refusal is not None:
            if as_json:
                render.print_json(result.to_json(refused=True))
            raise refusal
    if result.dry_run:
        if as_json:
            render.print_json(result.to_json())
        else:
            render.print_line(
                "dry run, nothing written: would have " + _summary(result, skip_invalid)
            )
