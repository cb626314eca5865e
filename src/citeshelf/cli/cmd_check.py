"""citeshelf check: validate every record file and every chapter's parent."""

from __future__ import annotations

import click

from .common import get_library, json_option


@click.command("check")
@json_option
def command(as_json: bool) -> None:
    """Check the whole library: every file parses and validates, every chapter's
    book exists and is not itself a chapter, no two keys differ only in case.

    Prints one line per problem and exits with code 4 (invalid data) if there is
    any, 0 otherwise. Run it after editing files by hand or a `git pull`.

    \b
    Example:
      citeshelf check
    """
    from .. import exitcodes, render
    from ..library import RecordProblem
    from ..model import Chapter

    library = get_library()
    records, problems = [], []
    for item in library.iter_records():
        if isinstance(item, RecordProblem):
            problems.append({"key": item.key, "problem": item.reason})
        else:
            records.append(item)
    by_key = {r.key: r for r in records}
    unreadable = {p["key"] for p in problems}
    for r in records:
        if isinstance(r, Chapter) and r.parent:
            parent = by_key.get(r.parent)
            if parent is None and r.parent not in unreadable:
                problems.append(
                    {
                        "key": r.key,
                        "problem": f"chapter '{r.key}' names parent '{r.parent}', which is not in the library",
                    }
                )
            elif parent is not None and isinstance(parent, Chapter):
                problems.append(
                    {
                        "key": r.key,
                        "problem": f"chapter '{r.key}' names parent '{r.parent}', which is a chapter, not a book",
                    }
                )
    folded: dict[str, str] = {}
    for key in library.keys():
        other = folded.setdefault(key.casefold(), key)
        if other != key:
            problems.append(
                {
                    "key": key,
                    "problem": f"keys '{other}' and '{key}' differ only in letter case (they clash on macOS and Windows)",
                }
            )
    problems.sort(key=lambda p: (p["key"], p["problem"]))
    if as_json:
        render.print_json({"records": len(records) + len(unreadable), "problems": problems})
    else:
        for p in problems:
            render.print_line(p["problem"])
        n = len(records) + len(unreadable)
        render.print_line(
            f"{n} record{'s' if n != 1 else ''} checked, {len(problems)} problem{'s' if len(problems) != 1 else ''}"
        )
    if problems:
        click.get_current_context().exit(exitcodes.INVALID_DATA)
