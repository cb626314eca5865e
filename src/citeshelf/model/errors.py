"""Turn Pydantic validation errors into sentences a person can act on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from .record import WORK_TYPES, BaseRecord, parse_record

__all__ = ["describe_validation_error", "parse_record_lenient", "refused_fields"]


def describe_validation_error(exc: ValidationError, what: str = "record") -> str:
    """One line per problem: "record 'x': field 'isbn': '123' is not a valid ISBN ..."."""
    lines = []
    for err in exc.errors(include_url=False):
        loc, msg = _problem(err)
        field = ".".join(str(p) for p in loc)
        lines.append(f"{what}: field '{field}': {msg}" if field else f"{what}: {msg}")
    return "; ".join(lines)


def refused_fields(exc: ValidationError) -> list[tuple[str, str]]:
    """(field, why) of each problem of ``exc`` that lies in one field of the
    record: the field's own name (``author`` for a problem in its third
    name), and why, worded as :func:`describe_validation_error` words it.
    A problem of the record as a whole (its type) names no field."""
    refused = []
    for err in exc.errors(include_url=False):
        loc, msg = _problem(err)
        if loc and isinstance(loc[0], str) and err.get("type") not in _WHOLE_RECORD:
            refused.append((loc[0], msg))
    return refused


def parse_record_lenient(data: dict[str, Any], keep: Callable[[str, str], bool]) -> BaseRecord:
    """:func:`parse_record` of ``data``, where each field the model refuses is
    offered to ``keep(field, why)``, which takes it off ``data`` (into its
    ``extra``, say) and answers True, or leaves it and answers False; ``data``
    is validated again while a field was taken. The rule of every reader that
    keeps an entry whose one field is bad (an ISBN with a typo, a date that
    is none) rather than lose it. The ValidationError is raised when no
    refused field was taken."""
    for _ in range(len(data) + 1):
        try:
            return parse_record(data)
        except ValidationError as exc:
            taken = [keep(field, why) for field, why in refused_fields(exc) if field in data]
            if not any(taken):
                raise
    return parse_record(data)


_WHOLE_RECORD = frozenset({"union_tag_invalid", "union_tag_not_found"})


def _problem(err: Any) -> tuple[list[Any], str]:
    """The location of one Pydantic error within the record (without the
    union's tag and validator names) and what is wrong, in words."""
    loc = list(err.get("loc", ()))
    if loc and isinstance(loc[0], str) and (loc[0] in WORK_TYPES or "[" in loc[0]):
        loc = loc[1:]  # the discriminated-union tag
    loc = [p for p in loc if not (isinstance(p, str) and p.startswith("function-"))]
    msg = str(err.get("msg", "invalid"))
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    elif err.get("type") == "extra_forbidden":
        msg = "is not a field of this record type (put it under 'extra' to keep it)"
    elif err.get("type") == "union_tag_invalid":
        msg = f"unknown type: use one of {', '.join(WORK_TYPES)}"
        loc = ["type"]
    elif err.get("type") == "union_tag_not_found":
        msg = f"missing: every record needs a type ({', '.join(WORK_TYPES)})"
        loc = ["type"]
    elif err.get("type") == "missing":
        msg = "is required"
    return loc, msg
