"""Checking a library: the ``check`` operation.

Public API::

    check_library(library) -> Checked
        Every record file parses and validates, every chapter's book exists
        and is a book, no two keys differ only in letter case.
        ``Checked.problems`` is a sorted list of ``{"key", "problem"}``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Checked", "check_library"]


@dataclass
class Checked:
    records: int
    problems: list[dict[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {"records": self.records, "problems": self.problems}


def check_library(library: Any) -> Checked:
    from ..library import RecordProblem
    from ..model import Chapter

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
            where = f"chapter '{r.key}' names parent '{r.parent}', which"
            if parent is None and r.parent not in unreadable:
                problems.append({"key": r.key, "problem": f"{where} is not in the library"})
            elif parent is not None and isinstance(parent, Chapter):
                problems.append({"key": r.key, "problem": f"{where} is a chapter, not a book"})
    folded: dict[str, str] = {}
    for key in library.keys():
        other = folded.setdefault(key.casefold(), key)
        if other != key:
            problems.append(
                {
                    "key": key,
                    "problem": f"keys '{other}' and '{key}' differ only in letter case "
                    "(they clash on macOS and Windows)",
                }
            )
    problems += leftover_problems(library)
    problems.sort(key=lambda p: (p["key"], p["problem"]))
    return Checked(len(records) + len(unreadable), problems)


def leftover_problems(library: Any) -> list[dict[str, str]]:
    """What interrupted writes left in the folder (temporary files, abandoned
    staging folders, a journal): removed or completed now, and reported."""
    library.clean_leftovers(wait=False)
    return [
        {"key": "", "problem": f"{library.path / name}: left by an interrupted write; cleaned up"}
        for name in dict.fromkeys(library.cleaned)
    ]
