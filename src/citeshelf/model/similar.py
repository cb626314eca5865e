"""How alike two titles are, for finding likely duplicates.

Pure functions over folded text (:func:`citeshelf.model.fold.fold`): letter
case, accents and punctuation do not count.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from .fold import fold

__all__ = ["title_words", "title_similarity"]

_NON_WORD = re.compile(r"[^\w]+")


def title_words(text: str | None) -> str:
    """A title as folded words separated by single spaces: "The  Gnats, and
    Gnūs!" -> "the gnats and gnus"."""
    return " ".join(_NON_WORD.sub(" ", fold(text or "")).replace("_", " ").split())


def title_similarity(a: str | None, b: str | None) -> float:
    """0.0 (nothing alike) to 1.0 (the same words): the share of characters
    the folded titles have in common, in order (difflib's ratio)."""
    x, y = title_words(a), title_words(b)
    if not x or not y:
        return 0.0
    if x == y:
        return 1.0
    return SequenceMatcher(None, x, y, autojunk=False).ratio()
