"""How alike two titles are, for finding likely duplicates.

Pure functions over folded text (:func:`citeshelf.model.fold.fold`): letter
case, accents and punctuation do not count.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from .fold import fold

__all__ = ["title_words", "title_similarity", "words_similarity"]

_NON_WORD = re.compile(r"[^\w]+")


def title_words(text: str | None) -> str:
    """A title as folded words separated by single spaces: "The  Gnats, and
    Gnūs!" -> "the gnats and gnus"."""
    return " ".join(_NON_WORD.sub(" ", fold(text or "")).replace("_", " ").split())


def title_similarity(a: str | None, b: str | None) -> float:
    """0.0 (nothing alike) to 1.0 (the same words): the share of characters
    the folded titles have in common, in order (difflib's ratio)."""
    return words_similarity(title_words(a), title_words(b))


def words_similarity(x: str, y: str, at_least: float = 0.0) -> float:
    """:func:`title_similarity` of two titles already made :func:`title_words`.
    With ``at_least``, a pair that cannot reach it is answered 0.0 from cheap
    upper bounds (the lengths, then difflib's quick ratios) without the full
    comparison."""
    if not x or not y:
        return 0.0
    if x == y:
        return 1.0
    if at_least and 2 * min(len(x), len(y)) / (len(x) + len(y)) < at_least:
        return 0.0
    matcher = SequenceMatcher(None, x, y, autojunk=False)
    if at_least and (matcher.real_quick_ratio() < at_least or matcher.quick_ratio() < at_least):
        return 0.0
    return matcher.ratio()
