"""What ``citeshelf list`` prints, without Click: the Click command
(:mod:`.cmd_list`) and the executable's short way for a plain
``list [QUERY...]`` (:mod:`.start`) both print through :func:`print_listing`,
so the two print the same bytes."""

from __future__ import annotations

import re

TYPE_CHECKING = False  # typing itself is not imported by a warm ``list``
if TYPE_CHECKING:
    from typing import Any

__all__ = ["join_query", "print_listing", "warn_unreadable"]

_FIELD_WITH_SPACES = re.compile(r"^([A-Za-z_]+):([^\"():]*\s[^\"():]*)$")


def join_query(args: tuple[str, ...] | list[str]) -> str:
    """The query text from the command's arguments.

    The shell removes the quotes of ``title:"security governance"``, leaving
    one argument ``title:security governance``: such an argument gets its
    quotes back. Anything else is joined with spaces as typed.
    """
    parts = []
    for arg in args:
        m = _FIELD_WITH_SPACES.match(arg)
        if m and not re.search(r"\b(AND|OR|NOT)\b", m.group(2)):
            arg = f'{m.group(1)}:"{m.group(2).strip()}"'
        parts.append(arg)
    return " ".join(parts)


def _progress(total: int) -> Any:
    from .. import render

    return render.progress(total, "Indexing records")


def print_listing(
    library_option: str | None,
    text: str,
    *,
    keys_only: bool = False,
    fmt: Any = None,
    order: list[tuple[str, bool]] | None = None,
    limit: int | None = None,
) -> None:
    """The records of the library (``--library``'s value, else the usual
    one) matching ``text``: a table, their keys, or each in ``fmt`` (a
    parsed ``--format``); then a warning for each unreadable file."""
    from .. import render
    from ..library.locate import find_library_text
    from ..ops.listing import list_rows

    path, _how = find_library_text(library_option)
    listing = list_rows(path, text, sort=order or [], limit=limit, progress=_progress)
    rows = listing.rows
    if keys_only:
        render.print_lines([r.key for r in rows])
    elif fmt is not None:
        render.print_lines([r.format(fmt) for r in rows])
    else:
        n = len(rows)
        render.print_table(
            ["Key", "Type", "Authors/editors", "Year", "Title"],
            [r.cells() for r in rows],
            caption=f"{n} record{'s' if n != 1 else ''}",
            decorated=render.stdout_is_terminal(),
        )
    warn_unreadable(listing.problems)


def warn_unreadable(problems: list[str]) -> None:
    from .. import render

    if problems:
        render.warn(
            f"skipped {len(problems)} unreadable record file{'s' if len(problems) != 1 else ''}:"
        )
        for reason in problems:
            render.print_line(f"  {reason}", err=True)
