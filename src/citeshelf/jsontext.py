"""JSON text as citeshelf writes it: ``json.dumps(data, ensure_ascii=False,
indent=2)``, byte for byte, made by orjson where that gives the same bytes
(the standard library's indenting encoder is pure Python, about ten times
slower). Record files, ``--json`` output and CSL-JSON exports all use it.

orjson writes floats in another form and refuses integers over 64 bits and
lone surrogates: data holding any of these is written by the standard library.
"""

from __future__ import annotations

import json

TYPE_CHECKING = False  # typing itself is not imported at start-up

if TYPE_CHECKING:
    from typing import Any

__all__ = ["JsonArray", "dumps_indented"]


def _has_float(value: object) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_has_float(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_float(v) for v in value)
    return False


def dumps_indented(data: Any, *, float_free: bool = False) -> str:
    """``json.dumps(data, ensure_ascii=False, indent=2)``. ``float_free``: the
    caller knows ``data`` holds no float (the check is skipped)."""
    if float_free or not _has_float(data):
        try:
            import orjson

            return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode("utf-8")
        except (ImportError, TypeError):  # orjson.JSONEncodeError is a TypeError
            pass
    return json.dumps(data, ensure_ascii=False, indent=2)


class JsonArray:
    """A JSON array as :func:`dumps_indented` writes a list, made a piece at
    a time from its items' :func:`dumps_indented` texts (written as they
    come, without holding the list)."""

    def __init__(self) -> None:
        self.empty = True

    def item(self, text: str) -> str:
        """The piece that puts the next item, ``text``, in the array."""
        lead = "[\n  " if self.empty else ",\n  "
        self.empty = False
        return lead + text.replace("\n", "\n  ")

    def end(self) -> str:
        """The piece that closes the array (all of it, if it has no item)."""
        return "[]\n" if self.empty else "\n]\n"
