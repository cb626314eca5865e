"""Changing a record: the ``edit`` operation.

Public API::

    set_fields(library, key, assignments) -> Edited
        Apply "FIELD=VALUE" assignments (an empty VALUE removes the field;
        extra.NAME=VALUE sets extra data) and save the record if it changed.
    parse_edited(library, record, text) -> record
        The record a user's edited JSON text describes, checked (its key must
        stay, its parent must be a book); nothing is saved.
    check_parent(library, record)
        ``InvalidData`` if the record's parent is a chapter.
    take_versions(library, key, takes) -> Edited
        Resolve a merge conflict (``extra.merge_conflict``, see
        :mod:`citeshelf.model.threeway`): each "LABEL" takes that version of
        every conflicted field, each "FIELD=LABEL" of one field. ``--set`` on a
        conflicted field resolves it too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Edited",
    "check_parent",
    "dangling_relations",
    "parse_edited",
    "set_fields",
    "take_versions",
]


@dataclass
class Edited:
    key: str
    changed: bool
    #: what the caller should say (a relation to a key not in the library)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "changed": self.changed}


def check_parent(library: Any, record: Any) -> None:
    from ..errors import InvalidData
    from ..library.parents import parent_of
    from ..model.inherit import CONTAINERS

    parent = parent_of(record, library)
    if parent is not None and record.type not in CONTAINERS:
        raise InvalidData(
            f"record '{record.key}': a {record.type} has no parent (a chapter, paper or "
            "volume has: give the link as a relation instead)"
        )
    if parent is not None and parent.type not in CONTAINERS[record.type]:
        raise InvalidData(
            f"record '{record.key}': parent '{parent.key}' is a {parent.type}, not a book"
        )


def set_fields(library: Any, key: str, assignments: Iterable[str]) -> Edited:
    """Set fields of the record ``key`` from "FIELD=VALUE" strings and save it."""
    from ..errors import UsageError
    from ..library.fields import build_record, set_field
    from ..model.threeway import drop_conflicts

    assignments = list(assignments)
    for item in assignments:
        name, sep, _ = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--set takes FIELD=VALUE, not {item!r}")
        if name.strip() == "key":
            value = item.partition("=")[2]
            raise UsageError(
                f"the key cannot be set with --set: rename the record with "
                f"'citeshelf rekey {key} {value.strip() or 'NEWKEY'}' (it also updates its "
                "chapters, and --in FILE rewrites a manuscript's citations)"
            )
    # read, change and write under the library's lock: a concurrent edit is
    # never lost (it either comes before this one's read or after its write)
    with library.locked():
        record = library.get(key)
        data = record.to_json_dict()
        for item in assignments:
            name, _, value = item.partition("=")
            set_field(data, name, value, data["type"])
        # a field set by hand is a conflict resolved
        data = drop_conflicts(data, [item.partition("=")[0].strip() for item in assignments])
        new = build_record(data, f"record '{key}'")
        check_parent(library, new)
        warnings = dangling_relations(library, new)
        if new.to_json_dict() == record.to_json_dict():
            return Edited(key, False, warnings)
        library.update(new)
    return Edited(key, True, warnings)


def dangling_relations(library: Any, record: Any) -> list[str]:
    """A warning for each relation of ``record`` to a key the library does
    not have (the link is kept: the record may be added later; ``check``
    reports it too)."""
    return [
        f"'{record.key}' names '{r.key}' as {r.type}, which is not in the library "
        "(kept: add that record, or 'citeshelf check' lists such links)"
        for r in record.related
        if r.key != record.key and r.key not in library
    ]


def parse_edited(library: Any, record: Any, text: str) -> Any:
    """The record ``text`` (a record file's JSON) describes; ``InvalidData``
    saying why if it is not valid, keeps another key, or names a chapter as
    its parent."""
    from ..errors import InvalidData

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidData(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    if not isinstance(data, dict):
        raise InvalidData("the file must hold one JSON object")
    if data.get("key") != record.key:
        raise InvalidData(
            f"the key must stay '{record.key}': rename the record with "
            f"'citeshelf rekey {record.key} NEWKEY'"
        )
    new = library.parse_text(record.key, text, path=library.path_for(record.key))
    check_parent(library, new)
    return new


def take_versions(library: Any, key: str, takes: Iterable[str]) -> Edited:
    """Resolve the record ``key``'s merge conflict by taking versions."""
    from ..errors import UsageError
    from ..library.fields import build_record
    from ..model.threeway import resolve

    pairs: list[tuple[str | None, str]] = []
    for item in takes:
        name, sep, label = item.rpartition("=")
        if sep and not (name.strip() and label.strip()):
            raise UsageError(f"--take takes LABEL or FIELD=LABEL, not {item!r}")
        pairs.append((name.strip() or None, label.strip()))
    with library.locked():
        record = library.get(key)
        try:
            data, _ = resolve(record.to_json_dict(), pairs)
        except ValueError as exc:
            raise UsageError(f"record '{key}': {exc}") from None
        new = build_record(data, f"record '{key}'")
        check_parent(library, new)
        library.update(new)
    return Edited(key, True)
