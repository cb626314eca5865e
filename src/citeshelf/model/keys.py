"""Generated record keys: ``aris2014collective``. The one key rule.

First author's (else editor's) family name folded to ASCII lower case
(:func:`citeshelf.model.fold.fold`: "Þórsson" -> "thorsson"), the
year, and the first significant word of the title. A key that is taken gets a,
b, c ... suffixes; nothing is ever overwritten.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from .fold import fold

if TYPE_CHECKING:
    from .record import BaseRecord

__all__ = ["base_key", "unique_key", "free_key", "STOPWORDS"]

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "nor",
        "for",
        "of",
        "on",
        "in",
        "at",
        "to",
        "by",
        "with",
        "from",
        "into",
        "onto",
        "upon",
        "as",
        "about",
        "over",
        "under",
        "between",
        "without",
        "toward",
        "towards",
        "via",
        "per",
        "is",
        "are",
        "was",
        "were",
        "be",
        "de",
        "la",
        "le",
        "les",
        "des",
        "du",
        "der",
        "die",
        "das",
        "den",
        "dem",
        "ein",
        "eine",
        "el",
        "los",
        "las",
        "un",
        "une",
        "et",
        "und",
    ]
)


def _ascii_word(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


def base_key(record: BaseRecord) -> str:
    people = record.creators
    if people:
        first = people[0]
        name = first.family or first.literal or ""
        if first.literal:
            name = first.literal.split()[0] if first.literal.split() else ""
    else:
        name = ""
    who = _ascii_word(name) or "anon"
    year = str(record.year) if record.year else "nd"
    word = ""
    for token in re.split(r"[\s\-–—/:;,.!?'\"()\[\]]+", record.title or ""):
        folded = _ascii_word(token)
        if folded and folded not in STOPWORDS:
            word = folded
            break
    return f"{who}{year}{word}"[:120]


def free_key(base: str, taken: Callable[[str], bool]) -> str:
    """``base`` with the first suffix that is not taken: "a", "b", ..., "z", "aa", ..."""
    n = 0
    while True:
        suffix = ""
        m = n
        while True:
            suffix = chr(ord("a") + m % 26) + suffix
            m = m // 26 - 1
            if m < 0:
                break
        if not taken(base + suffix):
            return base + suffix
        n += 1


def unique_key(record: BaseRecord, taken: Callable[[str], bool]) -> str:
    """``base_key`` if it is free, else with the first free suffix (:func:`free_key`)."""
    base = base_key(record)
    if not taken(base):
        return base
    return free_key(base, taken)
