"""Control characters in record text: the one rule of what counts as one,
and the two ways of making text safe to show.

A control character is a C0 control other than tab and newline (U+0000 to
U+001F: ESC, BEL, carriage return, backspace ...), DEL (U+007F) or a C1
control (U+0080 to U+009F, such as the one-character CSI U+009B). None of
them is text: on a terminal they move the cursor, change colours, set the
window title or make links (OSC 8), so they are never written to one as
they are.

* :func:`strip_controls` removes them (a carriage return before a newline
  included): text for a pipe, a file or a format that cannot hold them.
* :func:`show_controls` shows them as ``less`` and ``git`` do: ``^[`` for ESC,
  ``^G`` for BEL, ``^?`` for DEL, ``<9B>`` for a C1 control: text for a
  terminal, where a person should see that something is there.
* :func:`record_strings` walks every string of a record's JSON data (names,
  ``extra`` included) with its place, for ``check``.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # typing itself is not imported at start-up

if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

__all__ = [
    "CONTROL_RE",
    "any_controls",
    "has_controls",
    "strip_controls",
    "show_controls",
    "record_strings",
]

#: the control characters (tab and newline are text)
CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CRLF = re.compile("\r+\n")


def has_controls(text: str) -> bool:
    return CONTROL_RE.search(text) is not None


def any_controls(data: Any) -> bool:
    """Whether any string of JSON data (an object's keys too) has a control
    character: :func:`record_strings` finds where, this only whether (the
    strings searched at once, joined by a tab, which is text)."""
    texts: list[str] = []
    add = texts.append
    todo = [data]
    pop, push = todo.pop, todo.extend
    while todo:
        item = pop()
        if isinstance(item, str):
            add(item)
        elif isinstance(item, dict):
            texts += [k for k in item if isinstance(k, str)]
            push(item.values())
        elif isinstance(item, list):
            push(item)
    return CONTROL_RE.search("\t".join(texts)) is not None


def strip_controls(text: str) -> str:
    """``text`` without its control characters (CR LF becomes LF)."""
    if CONTROL_RE.search(text) is None:
        return text
    return CONTROL_RE.sub("", _CRLF.sub("\n", text))


def _shown(m: re.Match[str]) -> str:
    code = ord(m.group(0))
    if code < 0x20:
        return "^" + chr(code + 0x40)
    if code == 0x7F:
        return "^?"
    return f"<{code:02X}>"


def show_controls(text: str) -> str:
    """``text`` with each control character shown visibly (``^[``, ``<9B>``)."""
    if CONTROL_RE.search(text) is None:
        return text
    return CONTROL_RE.sub(_shown, text)


def record_strings(data: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """(place, text) for every string in JSON data: ``title``,
    ``authors[0].family``, ``extra.note``; keys of objects too."""
    if isinstance(data, str):
        yield where, data
    elif isinstance(data, dict):
        for k, v in data.items():
            place = f"{where}.{k}" if where else str(k)
            if isinstance(k, str) and has_controls(k):
                yield place + " (the name)", k
            yield from record_strings(v, place)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from record_strings(v, f"{where}[{i}]")
