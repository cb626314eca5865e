"""The value scanner: a field's raw text with ``@string`` macros expanded and
``#`` parts joined, as BibTeX evaluates it."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

#: what matters inside a group: an escape (a backslash and the character after
#: it, which is skipped) and the braces, and in a quoted group the quote too
_IN_BRACES = re.compile(r"\\.|[{}]", re.DOTALL)
_IN_QUOTES = re.compile(r'\\.|[{}"]', re.DOTALL)
#: a bare word: everything up to a space or ``#``
_WORD = re.compile(r"[^\s#]*")


def group_end(raw: str, start: int) -> int:
    """Where the braced ({...}) or quoted ("...") value opening at ``start``
    closes (its closing character's index, or the end of ``raw``); braces
    nest, and a backslash escapes the next character."""
    quoted = raw[start] == '"'
    depth = 0 if quoted else 1
    for m in (_IN_QUOTES if quoted else _IN_BRACES).finditer(raw, start + 1):
        c = m.group()
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0 and not quoted:
                return m.start()
        elif c == '"' and depth == 0:
            return m.start()
    return len(raw)


def _parts(raw: str) -> Iterator[tuple[bool, str]]:
    """The parts of a stripped raw value joined by ``#``: (True, the text of a
    braced or quoted group) or (False, a bare word: a number or a macro name)."""
    i = 0
    n = len(raw)
    while i < n:
        ch = raw[i]
        if ch.isspace() or ch == "#":
            i += 1
        elif ch in '{"':
            j = group_end(raw, i)
            yield True, raw[i + 1 : j]
            i = j + 1
        else:
            m = _WORD.match(raw, i)
            assert m is not None  # [^\s#]* matches anywhere
            j = m.end()
            yield False, raw[i:j]
            i = j


def evaluate(raw: str, macros: Mapping[str, str], undefined: list[str]) -> str:
    """A field's raw value with its parts joined and macros expanded."""
    raw = raw.strip()
    if raw.startswith("{") and raw.endswith("}") and "#" not in raw:
        # the common case: one braced value
        return raw[1:-1]
    parts: list[str] = []
    for group, text in _parts(raw):
        if group or text.isdigit():
            parts.append(text)
            continue
        value = macros.get(text.lower())
        if value is None:
            undefined.append(text)
            parts.append(text)
        else:
            parts.append(value)
    return "".join(parts)


def macro_words(raw: str) -> list[str]:
    """The macro names a field's raw value uses (its bare words: ``tugboat``
    in ``tugboat`` or ``"Proc. " # tugboat``), as written."""
    raw = raw.strip()
    if not raw or (raw[0] in '{"' and group_end(raw, 0) >= len(raw) - 1):
        return []  # one group (the common case): no bare word
    return [text for group, text in _parts(raw) if not group and not text.isdigit()]
