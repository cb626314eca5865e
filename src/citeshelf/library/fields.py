"""Setting record fields from text, as ``add --field`` and ``edit --set`` do.

``set_field(data, "authors", "Aris, Stephen and Cottey, Andrew", "chapter")``
turns the text into what the field holds (a list of names here) and puts it in
``data``, a record's JSON mapping. An empty value removes the field.
``extra.NAME=VALUE`` keeps a field citeshelf does not model. Validation of the
whole record happens afterwards, in :func:`build_record`.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from ..errors import InvalidData, UsageError
from ..model import WORK_TYPES, BaseRecord, describe_validation_error, parse_names, parse_record

__all__ = [
    "LIST_FIELDS",
    "NAME_FIELDS",
    "append_names",
    "build_record",
    "set_field",
    "settable_fields",
]

NAME_FIELDS = frozenset({"authors", "editors", "translators", "container_authors"})
LIST_FIELDS = frozenset({"keywords", "tags", "isbn"})
BOOL_FIELDS = frozenset({"authors_et_al", "editors_et_al"})
_READ_ONLY = frozenset({"key", "added", "modified", "extra"})


def settable_fields(type_: str) -> list[str]:
    model = WORK_TYPES[type_]
    return [name for name in model.model_fields if name not in _READ_ONLY]


def set_field(data: dict[str, Any], name: str, value: str, type_: str) -> None:
    """Set ``name`` to the text ``value`` in the record mapping ``data``."""
    name = name.strip().replace("-", "_")
    value = value.strip()
    if name.startswith("extra."):
        sub = name[len("extra.") :]
        if not sub:
            raise UsageError("extra needs a name: use extra.NAME=VALUE")
        extra = dict(data.get("extra") or {})
        if value:
            extra[sub] = value
        else:
            extra.pop(sub, None)
        data["extra"] = extra
        return
    if name in ("key", "added", "modified"):
        raise UsageError(f"the field '{name}' cannot be set this way")
    fields = settable_fields(type_)
    if name not in fields:
        from ..errors import closest

        best = closest(name, fields)
        hint = f"did you mean '{best}'? " if best else ""
        raise UsageError(
            f"a {type_} has no field '{name}': {hint}fields are {', '.join(fields)}; "
            f"use extra.{name}=VALUE to keep other data"
        )
    if not value:
        data.pop(name, None)
        return
    if name in NAME_FIELDS:
        try:
            people = parse_names(value)
        except ValueError as exc:
            raise UsageError(f"{name}: {exc}") from None
        data[name] = [p.model_dump(exclude_none=True) for p in people]
        if name in ("authors", "editors") and re.search(r"\band\s+others\s*$", value):
            data[f"{name}_et_al"] = True
    elif name in LIST_FIELDS:
        data[name] = [v.strip() for v in re.split(r"[;,]", value) if v.strip()]
    elif name in BOOL_FIELDS:
        low = value.lower()
        if low not in ("true", "false", "yes", "no", "1", "0"):
            raise UsageError(f"{name} takes true or false, not {value!r}")
        data[name] = low in ("true", "yes", "1")
    else:
        data[name] = value


def append_names(data: dict[str, Any], name: str, values: list[str]) -> None:
    """Add each "Family, Given" of ``values`` to the name list ``name``."""
    people = list(data.get(name) or [])
    for value in values:
        if not value.strip():
            raise UsageError(f'an empty name among the {name}: give each as "Family, Given"')
        if re.fullmatch(r"\s*others\s*", value, flags=re.I):
            data[f"{name}_et_al"] = True
            continue
        try:
            people += [p.model_dump(exclude_none=True) for p in parse_names(value)]
        except ValueError as exc:
            raise UsageError(f"{name}: {exc}") from None
    if people:
        data[name] = people


def build_record(data: dict[str, Any], what: str = "record") -> BaseRecord:
    """Validate ``data``; errors become one :class:`InvalidData` line naming the fields."""
    try:
        return parse_record(data)
    except ValidationError as exc:
        raise InvalidData(describe_validation_error(exc, what)) from None
