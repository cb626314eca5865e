"""Protected letter case: phrases a style must not re-case ("NATO", "Europe").

Stored in ``record.extra["protect"]`` as ``{field: [phrase, ...]}`` (record
field names: ``title``, ``journal``, ``container_title`` ...). BibTeX writes
them in braces, CSL-JSON in ``<span class="nocase">``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["protected_phrases", "apply_protection", "add_protected", "NOCASE_RE"]

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


def apply_protection(text: str, phrases: list[str], wrap: Callable[[str], str]) -> str:
    """``text`` with each occurrence of a phrase passed through ``wrap``.

    Longer phrases win; a phrase is matched only on word boundaries (so "NATO"
    does not protect part of "NATOs" differently from the author's braces), and
    never inside an earlier match.
    """
    if not phrases or not text:
        return text
    ordered = sorted(set(phrases), key=lambda p: (-len(p), p))
    spans: list[tuple[int, int]] = []
    for phrase in ordered:
        start = 0
        while True:
            i = text.find(phrase, start)
            if i < 0:
                break
            j = i + len(phrase)
            start = i + 1
            before_ok = i == 0 or not (text[i - 1].isalnum() and phrase[0].isalnum())
            after_ok = j == len(text) or not (text[j].isalnum() and phrase[-1].isalnum())
            if not (before_ok and after_ok):
                continue
            if any(i < b and a < j for a, b in spans):
                continue
            spans.append((i, j))
    if not spans:
        return text
    spans.sort()
    out = []
    pos = 0
    for a, b in spans:
        out.append(text[pos:a])
        out.append(wrap(text[a:b]))
        pos = b
    out.append(text[pos:])
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
