"""Folding text for comparison, search and keys: the one rule.

:func:`fold` is the case- and accent-insensitive form every part of citeshelf
compares with (the index and the query language, duplicate detection, sort
keys in the styles) and the first step of generated keys. It decomposes
letters (NFKD), drops combining marks, spells out the letters that Unicode
cannot decompose (:data:`LETTERS`: Þ -> Th, Æ -> Ae, Ø -> O, ß -> ss ...) and
casefolds. Letters of other scripts are kept as they are ("毛泽东").

This module imports nothing heavy: the index uses it without loading Pydantic.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["LETTERS", "fold", "to_ascii"]

#: Latin letters that NFKD leaves whole, spelled in ASCII (case kept).
LETTERS: dict[str, str] = {
    "ß": "ss",
    "ẞ": "SS",
    "Æ": "Ae",
    "æ": "ae",
    "Œ": "Oe",
    "œ": "oe",
    "Ø": "O",
    "ø": "o",
    "Þ": "Th",
    "þ": "th",
    "Ð": "D",
    "ð": "d",
    "Đ": "D",
    "đ": "d",
    "Ł": "L",
    "ł": "l",
    "Ħ": "H",
    "ħ": "h",
    "Ŧ": "T",
    "ŧ": "t",
    "ı": "i",
    "ĸ": "k",
    "Ŋ": "N",
    "ŋ": "n",
}

SOFT_HYPHEN = "\u00ad"
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _letter(m: re.Match[str]) -> str:
    c = m.group()
    if unicodedata.combining(c) or c == SOFT_HYPHEN:
        # a soft hyphen (BibTeX's "\-") only marks where a word may break
        return ""
    return LETTERS.get(c, c)


def to_ascii(text: str) -> str:
    """Latin letters without their marks, case kept: "Þórsson" -> "Thorsson",
    "Łódź" -> "Lodz". Characters of other scripts are kept."""
    if text.isascii():
        return text
    return _NON_ASCII.sub(_letter, unicodedata.normalize("NFKD", text))


def fold(text: str) -> str:
    """Case- and accent-insensitive form: "Mérand" -> "merand", "Straße" ->
    "strasse", "Þór" -> "thor", "İstanbul" -> "istanbul". Rich text is
    folded as the text a reader sees (``<i>Hamlet</i>`` -> "hamlet")."""
    if "<" in text or "&" in text:
        from .richtext import plain

        text = plain(text)
    if text.isascii():
        return text.lower()
    return to_ascii(text).casefold()
