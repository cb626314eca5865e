"""citeshelf check: find the problems of a library, and fix the safe ones."""

from __future__ import annotations

import click

from .common import get_library, json_option


@click.command("check")
@click.option(
    "--fix",
    is_flag=True,
    help="Make the safe fixes (sentence-case titles whose protected phrases are known, "
    "move fields out of extra) and say what was fixed.",
)
@click.option("--notes", is_flag=True, help="List the notes too (recommended fields missing).")
@json_option
def command(fix: bool, notes: bool, as_json: bool) -> None:
    """Check the whole library: every file parses and validates, every chapter's
    book exists and is not itself a chapter, no two keys differ only in case,
    no two records share a DOI or a book's ISBN; and warns of likely duplicates,
    empty titles, titles stored in Title Case, fields left in extra that have a
    field of their own, and notes the recommended fields records lack.

    Prints one line per problem, "SEVERITY CODE: message" (severity error or
    warning; notes with --notes; --json has them all), then a count; with
    --fix, a fixed problem ends in "(fixed: what was done)". Exits with code 4 (invalid data) if an error is
    left, 0 otherwise. Run it after an import, editing files by hand or a
    `git pull`.

    \b
    Codes: unreadable, bad-identifier, parent-missing, parent-not-book,
    key-case-clash, duplicate, merge-conflict (errors); likely-duplicate, empty-title,
    title-case, extra-has-home, extra-named-field, control-char, dangling-relation
    (warnings);
    missing-field (note).

    \b
    Examples:
      citeshelf check
      citeshelf check --fix
      citeshelf check --json
    """
    from .. import exitcodes, render
    from ..ops.checking import check_library

    result = check_library(get_library(), fix=fix)
    if as_json:
        render.print_json(result.to_json())
    else:
        for p in result.problems:
            if p.severity == "note" and not notes:
                continue
            line = f"{p.severity} {p.code}: {p.message}"
            if p.fixed:
                line += f" (fixed: {p.fix})"
            elif p.fix is not None:
                line += f" ('citeshelf check --fix': {p.fix})"
            render.print_line(line)
        render.print_line(_summary(result, notes))
    if not result.ok:
        click.get_current_context().exit(exitcodes.INVALID_DATA)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _summary(result, notes: bool) -> str:
    errors, warnings = result.count("error"), result.count("warning")
    line = f"{_plural(result.records, 'record')} checked, {_plural(errors + warnings, 'problem')}"
    if errors and warnings:
        line += f" ({_plural(errors, 'error')}, {_plural(warnings, 'warning')})"
    elif warnings:
        line += f" ({_plural(warnings, 'warning')})"
    n = result.count("note")
    if n:
        line += f", {_plural(n, 'note')}" + ("" if notes else " (--notes lists them)")
    if result.fixed:
        n = sum(1 for p in result.problems if p.fixed)
        line += f"; fixed {_plural(n, 'problem')} in {_plural(len(result.fixed), 'record')}"
    return line
