"""The value scanner: a field's raw text with ``@string`` macros expanded and
``#`` parts joined, as BibTeX evaluates it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping


def group_end(raw: str, start: int) -> int:
    """Where the braced ({...}) or quoted ("...") value opening at ``start``
    closes (its closing character's index, or the end of ``raw``); braces
    nest, and a backslash escapes the next character."""
    quoted = raw[start] == '"'
    depth = 0 if quoted else 1
    j = start + 1
    while j < len(raw):
        c = raw[j]
        if c == "\\":
            j += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0 and not quoted:
                return j
        elif c == '"' and quoted and depth == 0:
            return j
        j += 1
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
            j = i
            while j < n and not raw[j].isspace() and raw[j] != "#":
                j += 1
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
    return [text for group, text in _parts(raw.strip()) if not group and not text.isdigit()]
