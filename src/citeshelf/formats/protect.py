"""Protected letter case: phrases a style must not re-case ("NATO", "Europe").

Stored in ``record.extra["protect"]`` as ``{field: [phrase, ...]}`` (record
field names: ``title``, ``journal``, ``container_title`` ...). BibTeX writes
them in braces, CSL-JSON in ``<span class="nocase">``. A BibTeX import whose
braces the phrases would not find again where they stood (``Festooning
{F}rench``: F begins other words) keeps them in the text as ``<span
class="nocase">`` instead (:func:`citeshelf.formats.latex.decode_rich`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ..model import richtext

__all__ = [
    "protected_phrases",
    "apply_protection",
    "add_protected",
    "auto_spans",
    "rich_auto_spans",
    "find_spans",
    "wrap_spans",
    "NOCASE_RE",
]

NOCASE_RE = re.compile(r'<span class="nocase">(.*?)</span>', re.DOTALL)


def protected_phrases(extra: Mapping[str, Any], field: str) -> list[str]:
    """The protected phrases of ``field`` (an empty list if none)."""
    table = extra.get("protect")
    if not isinstance(table, Mapping):
        return []
    phrases = table.get(field)
    if not isinstance(phrases, list):
        return []
    return [p for p in phrases if isinstance(p, str) and p]


def find_spans(text: str, phrases: list[str], *, nested: bool = False) -> list[tuple[int, int]]:
    """Where the phrases occur in ``text``: sorted, non-overlapping (start, end) pairs.

    Longer phrases win; a phrase is never matched inside an earlier match,
    unless ``nested`` (BibTeX's braces inside braces, ``{{\\VAX}\\slash {VMS}
    site report}``): then a phrase found only inside other matches is
    matched there, and the spans are sorted by start, the longer first.
    """
    if not phrases or not text:
        return []
    ordered = sorted(set(phrases), key=lambda p: (-len(p), p))
    spans: list[tuple[int, int]] = []
    for phrase in ordered:
        found: list[tuple[int, int]] = []
        inside: list[tuple[int, int]] = []
        start = 0
        while True:
            i = text.find(phrase, start)
            if i < 0:
                break
            j = i + len(phrase)
            start = i + 1
            over = [(a, b) for a, b in spans if i < b and a < j]
            if over:
                if nested and (i, j) not in over and all(a <= i and j <= b for a, b in over):
                    inside.append((i, j))  # inside them all: never across a brace
                continue
            found.append((i, j))
        found = found or inside
        # a phrase that stands as a word somewhere ("S" in "S-matrix") is not
        # also the start of another word ("Some")
        whole = [(i, j) for i, j in found if _standalone(text, i, j)]
        spans.extend(whole or found)
    spans.sort(key=lambda span: (span[0], -span[1]))
    return spans


def _standalone(text: str, i: int, j: int) -> bool:
    """Is ``text[i:j]`` not part of a longer word?"""
    before = text[i - 1] if i > 0 else " "
    after = text[j] if j < len(text) else " "
    inner = text[i:j]
    return not (before.isalnum() and inner[:1].isalnum()) and not (
        after.isalnum() and inner[-1:].isalnum()
    )


_WORD = re.compile(r"[^\W_]+(?:['’\-.][^\W_]+)*")


def auto_spans(text: str) -> list[tuple[int, int]]:
    """The words a sentence-case text protects: every word with a capital
    letter, except a first word whose only capital is its first letter."""
    out = []
    first = True
    for m in _WORD.finditer(text):
        word = m.group(0)
        if _has_capital(word) and not (
            first and m.start() == _first_letter(text) and not _has_capital(word[1:])
        ):
            out.append((m.start(), m.end()))
        first = False
    return out


def _has_capital(word: str) -> bool:
    """Does ``word`` hold an upper-case letter? (Most words of a sentence-case
    title are lower case, which ``str.islower`` says at once.)"""
    return not word.islower() and any(c.isupper() for c in word)


def rich_auto_spans(text: str) -> list[tuple[int, int]]:
    """:func:`auto_spans` of rich text (:mod:`citeshelf.model.richtext`), in
    its plain text: words with a capital, except those of TeX and math
    (``<tex>\\TeX</tex>``), which no style re-cases."""
    spans = auto_spans(richtext.plain(text))
    atoms = richtext.atom_spans(text)
    if not atoms:
        return spans
    return [(a, b) for a, b in spans if not any(x <= a and b <= y for x, y in atoms)]


def _first_letter(text: str) -> int:
    for i, c in enumerate(text):
        if c.isalnum():
            return i
    return -1


def apply_protection(text: str, phrases: list[str], wrap: Callable[[str], str]) -> str:
    """``text`` with each occurrence of a phrase passed through ``wrap``."""
    return wrap_spans(text, find_spans(text, phrases), wrap, lambda s: s)


def wrap_spans(
    text: str,
    spans: list[tuple[int, int]],
    wrap: Callable[[str], str],
    plain: Callable[[str], str],
) -> str:
    """``text`` with the spans passed through ``wrap`` and the rest through ``plain``."""
    out = []
    pos = 0
    for a, b in spans:
        if a > pos:
            out.append(plain(text[pos:a]))
        out.append(wrap(text[a:b]))
        pos = b
    if pos < len(text):
        out.append(plain(text[pos:]))
    return "".join(out)


def add_protected(extra: dict[str, Any], field: str, phrases: list[str]) -> None:
    """Record ``phrases`` as protected in ``field`` (keeping order, no repeats)."""
    phrases = [p for p in phrases if p and p.strip()]
    if not phrases:
        return
    table = extra.setdefault("protect", {})
    have = table.setdefault(field, [])
    for p in phrases:
        if p not in have:
            have.append(p)
