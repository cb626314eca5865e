"""citeshelf import: records from .bib, CSL-JSON and RIS files."""

from __future__ import annotations

import click

from .common import get_library, json_option


#: How many duplicate/renamed lines are printed before a count of the rest.
_SHOWN = 20
_SHOWN_WARNINGS = 100


@click.command("import")
@click.argument("files", nargs=-1, required=True, metavar="FILE...",
                type=click.Path(dir_okay=False))
@click.option("--format", "-f", "fmt", type=click.Choice(("bibtex", "csl-json", "ris")),
              default=None, help="Input format. Default: from each file's name (.bib, .json, .ris) or content.")
@click.option("--dry-run", "-n", is_flag=True, help="Check and report; write nothing.")
@click.option("--on-duplicate", type=click.Choice(("skip", "rename", "update", "error")),
              default="skip", show_default=True,
              help="What to do with an entry whose key, DOI, book ISBN, or title+year+first "
              "author matches an existing record.")
@click.option("--skip-invalid", is_flag=True,
              help="Import the valid entries and list the invalid ones (default: import nothing "
              "if any entry is invalid).")
@click.option("--link-parents", is_flag=True,
              help="Link each @incollection without crossref to its book (matched by ISBN or "
              "title+year), creating the book record if there is none.")
@json_option
def command(
    files: tuple[str, ...],
    fmt: str | None,
    dry_run: bool,
    on_duplicate: str,
    skip_invalid: bool,
    link_parents: bool,
    as_json: bool,
) -> None:
    """Import the entries of FILE... into the library, all or nothing.

    Every entry is checked before anything is written: an invalid entry is
    reported with its file, line and reason, and then nothing is imported
    (unless --skip-invalid). BibTeX's @string macros, # concatenation, month
    macros, crossref (a chapter's book), LaTeX accents and braces that protect
    capitals are understood; fields citeshelf does not model are kept under
    "extra" so that exporting again loses nothing. Entries with a repeated field
    or after a re-defined @string are recovered with a warning naming the line.

    \b
    Examples:
      citeshelf import refs.bib
      citeshelf import refs.bib --dry-run
      citeshelf import zotero.json                   # CSL-JSON
      citeshelf import export.ris --on-duplicate rename
      citeshelf import thesis.bib --skip-invalid --link-parents

    The summary at the end counts what was imported, skipped as duplicate and
    skipped as invalid. Exit codes: 0 done, 4 invalid entries (nothing
    written), 5 duplicates with --on-duplicate error.
    """
    from .. import render
    from ..errors import Conflict, InvalidData
    from ..formats.importer import Existing, plan_import, read_file
    from ..library.keys import unique_key

    library = get_library()
    reads = []
    for path in files:
        reads.append(read_file(path, fmt))
    entries = [e for r in reads for e in r.entries]
    invalid = [i for r in reads for i in r.invalid]
    warnings = [w for r in reads for w in r.warnings]

    existing = Existing.from_library(library)
    plan = plan_import(
        entries,
        existing,
        on_duplicate=on_duplicate,
        link_parents=link_parents,
        make_key=unique_key,
        get_existing=library.get,
    )
    invalid += plan.invalid
    warnings += plan.warnings

    def summary(imported: int) -> str:
        dup = sum(1 for _, other, _ in plan.duplicates if other not in {r.key for r in plan.update})
        parts = [
            f"imported {imported}",
            f"updated {len(plan.update)}" if plan.update else None,
            f"skipped as duplicate {dup}",
            f"skipped as invalid {len(invalid) if skip_invalid or not invalid else 0}",
        ]
        text = ", ".join(p for p in parts if p)
        if plan.books_created:
            text += f" (books created for chapters: {', '.join(plan.books_created)})"
        return text

    for n, w in enumerate(warnings):
        if n == _SHOWN_WARNINGS and len(warnings) > n + 1:
            render.warn(f"... and {len(warnings) - n} more warnings (--json lists them all)")
            break
        render.warn(str(w))
    if on_duplicate == "error" and plan.duplicates:
        for entry, other, why in plan.duplicates:
            render.print_line(f"  {entry.source}:{entry.line or '-'}: '{entry.record.key}' duplicates '{other}' ({why})", err=True)
        n = len(plan.duplicates)
        raise Conflict(
            f"{n} entr{'ies' if n != 1 else 'y'} duplicate existing records (listed above); "
            "nothing was imported: choose --on-duplicate skip, rename or update"
        )
    updated = {r.key for r in plan.update}
    for n, (entry, other, why) in enumerate(plan.duplicates):
        if n == _SHOWN and len(plan.duplicates) > _SHOWN + 1:
            render.warn(f"... and {len(plan.duplicates) - n} more duplicates (--json lists them all)")
            break
        where = f"{entry.source}:{entry.line}" if entry.line else entry.source
        if other in updated:
            render.warn(f"{where}: '{entry.record.key}' updates '{other}' ({why})")
        else:
            render.warn(f"{where}: '{entry.record.key}' skipped: duplicates '{other}' ({why})")
    for n, (old, new) in enumerate(plan.renamed):
        if n == _SHOWN and len(plan.renamed) > _SHOWN + 1:
            render.warn(f"... and {len(plan.renamed) - n} more renamed (--json lists them all)")
            break
        render.warn(f"'{old}' imported as '{new}' (the key was taken)")
    if invalid:
        if skip_invalid:
            n = len(invalid)
            render.warn(f"skipping {n} invalid entr{'ies' if n != 1 else 'y'}:")
        for issue in invalid:
            render.print_line(f"  {issue}", err=True)
        if not skip_invalid:
            if as_json:
                data = _json(plan, invalid, warnings, dry_run=dry_run)
                data.update(imported=[], updated=[], renamed=[], books_created=[])
                render.print_json(data)
            n = len(invalid)
            raise InvalidData(
                f"{n} invalid entr{'ies' if n != 1 else 'y'} (listed above); nothing was "
                "imported: fix them, or import the rest with --skip-invalid"
            )

    if dry_run:
        text = "dry run, nothing written: would have " + summary(len(plan.create))
        if as_json:
            render.print_json(_json(plan, invalid, warnings, dry_run=True))
        else:
            render.print_line(text)
        return

    written: list[str] = []
    try:
        with render.progress(len(plan.create) + len(plan.update), "Importing") as bar:
            if plan.create:
                library.create_many(plan.create)
                written.extend(r.key for r in plan.create)
                bar.advance(len(plan.create))
            for record in plan.update:
                library.update(record)
                written.append(record.key)
                bar.advance()
    except Exception as exc:  # noqa: BLE001 - report exactly what was written, then fail
        from ..errors import CiteshelfError

        done = ", ".join(written) if written else "none"
        message = f"import stopped: {exc}; records written before the failure: {done}"
        if isinstance(exc, CiteshelfError):
            raise type(exc)(message) from None
        raise CiteshelfError(message) from exc
    if as_json:
        render.print_json(_json(plan, invalid, warnings, dry_run=False))
    else:
        render.print_line(summary(len(plan.create)))


def _json(plan, invalid, warnings, *, dry_run: bool) -> dict:  # noqa: ANN001
    return {
        "dry_run": dry_run,
        "imported": [r.key for r in plan.create],
        "updated": [r.key for r in plan.update],
        "duplicates": [
            {"key": e.record.key, "existing": other, "reason": why, "file": e.source, "line": e.line}
            for e, other, why in plan.duplicates
            if not any(r.key == other for r in plan.update)
        ],
        "renamed": [{"from": a, "to": b} for a, b in plan.renamed],
        "invalid": [
            {"file": i.source, "line": i.line, "key": i.key, "reason": i.message} for i in invalid
        ],
        "books_created": plan.books_created,
        "warnings": [
            {"file": w.source, "line": w.line, "key": w.key, "message": w.message} for w in warnings
        ],
    }
