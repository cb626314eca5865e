"""Tags: adding and removing them on records, and counting them.

Public API::

    parse_tag_args(args) -> (keys, changes)
        ``("k1", "k2", "+to read", "-old")`` -> (["k1", "k2"],
        [("+", "to read"), ("-", "old")]): the keys come first, then the
        changes, each ``+NAME`` or ``-NAME``.
    tag_records(library, keys, changes) -> Tagged
        Apply the changes to every record; each record's file is replaced
        atomically, and nothing is written unless every key names a readable
        record.
    count_tags(path) -> TagCounts
        Every tag of the library at ``path`` with the number of records that
        carry it (from the index, as ``list``: no record file is parsed).

Tags compare folded (case and accents ignored, spaces collapsed, as the
query ``tag:`` does): ``-EU`` removes "eu", and ``+eu`` on a record tagged
"EU" changes nothing. A tag cannot hold "," or ";" (the exports list tags
separated by commas).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import UsageError

__all__ = ["TagCounts", "Tagged", "count_tags", "parse_tag_args", "tag_records"]


def parse_tag_args(args: Iterable[str]) -> tuple[list[str], list[tuple[str, str]]]:
    keys: list[str] = []
    changes: list[tuple[str, str]] = []
    for arg in args:
        if arg[:1] in ("+", "-"):
            name = " ".join(arg[1:].split())
            if not name:
                raise UsageError(f"'{arg}' names no tag: write {arg[:1]}NAME")
            if "," in name or ";" in name:
                raise UsageError(f"a tag cannot hold ',' or ';': '{name}'")
            changes.append((arg[0], name))
        elif changes:
            raise UsageError(
                f"'{arg}' has no + or -: write +{arg} to add the tag or -{arg} to remove it "
                "(keys come first)"
            )
        else:
            keys.append(arg)
    if not keys:
        raise UsageError("no KEY given: citeshelf tag KEY... +NAME -NAME")
    if not changes:
        hint = f" ('{keys[-1]}' has no + or -: +{keys[-1]} adds it)" if len(keys) > 1 else ""
        raise UsageError(f"no tag given: write +NAME to add a tag, -NAME to remove one{hint}")
    return keys, changes


def _apply(tags: Sequence[str], changes: Sequence[tuple[str, str]]) -> list[str]:
    from ..library.terms import norm_tag

    out = list(tags)
    for sign, name in changes:
        folded = norm_tag(name)
        present = [t for t in out if norm_tag(t) == folded]
        if sign == "+" and not present:
            out.append(name)
        elif sign == "-":
            out = [t for t in out if norm_tag(t) != folded]
    return out


@dataclass
class Tagged:
    #: key -> its tags afterwards, in the order the keys were given
    tags: dict[str, list[str]] = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)

    def to_json(self) -> list[dict[str, Any]]:
        return [
            {"key": k, "tags": tags, "changed": k in self.changed} for k, tags in self.tags.items()
        ]


def tag_records(library: Any, keys: Iterable[str], changes: Sequence[tuple[str, str]]) -> Tagged:
    wanted = list(dict.fromkeys(keys))
    for k in wanted:
        library.path_for(k)  # an invalid key is refused before anything is read
    missing = [k for k in wanted if k not in library]
    if missing:
        raise library.missing(*missing, then="; nothing changed")
    records = [library.get(k) for k in wanted]  # every file read before any is written
    result = Tagged()
    updates = []
    for record in records:
        tags = _apply(record.tags, changes)
        result.tags[record.key] = tags
        if tags != record.tags:
            updates.append(record.model_copy(update={"tags": tags}))
    for record in updates:
        library.update(record)
        result.changed.append(record.key)
    return result


@dataclass
class TagCounts:
    #: (tag, number of records), most used first, then by name
    counts: list[tuple[str, int]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> list[dict[str, Any]]:
        return [{"tag": t, "count": n} for t, n in self.counts]


def count_tags(path: str | os.PathLike[str]) -> TagCounts:
    """Every tag of the library at ``path`` with its count (spelled as it is
    first met, in key order; spellings that fold the same count as one).
    From the query index (no record file is parsed, Pydantic is not loaded)
    when one can be opened here, else from the record files."""
    from ..library.index import open_index
    from ..library.terms import norm_tag
    from ..model.fold import fold

    index = open_index(path) if os.path.isdir(path) else None
    if index is not None:
        try:
            rows = index.tags()
            problems = [p.reason for p in index.problems()]
        finally:
            index.close()
    else:
        from ..library import Library

        library = Library(path)
        library.check_exists()  # the usual "no library at ..." error
        records, bad = library.load_all()
        rows = [
            (folded, shown)
            for record in records
            for folded, shown in {norm_tag(t): t for t in reversed(record.tags)}.items()
        ]
        problems = [p.reason for p in bad]
    spelling: dict[str, str] = {}
    counts: dict[str, int] = {}
    for folded, shown in rows:
        spelling.setdefault(folded, shown)
        counts[folded] = counts.get(folded, 0) + 1
    ordered = sorted(counts, key=lambda f: (-counts[f], fold(spelling[f]), spelling[f]))
    return TagCounts([(spelling[f], counts[f]) for f in ordered], problems)
