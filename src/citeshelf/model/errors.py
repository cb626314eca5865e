"""Turn Pydantic validation errors into sentences a person can act on."""

from __future__ import annotations

from pydantic import ValidationError

from .record import WORK_TYPES

__all__ = ["describe_validation_error"]


def describe_validation_error(exc: ValidationError, what: str = "record") -> str:
    """One line per problem: "record 'x': field 'isbn': '123' is not a valid ISBN ..."."""
    lines = []
    for err in exc.errors(include_url=False):
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
        field = ".".join(str(p) for p in loc)
        lines.append(f"{what}: field '{field}': {msg}" if field else f"{what}: {msg}")
    return "; ".join(lines)
