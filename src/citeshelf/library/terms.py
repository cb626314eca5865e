"""How values are compared in queries and in the index: folded words, DOIs,
ISBNs and tags (the same rules for SQL over the index and for matching in
Python). Nothing heavy is imported here."""

from __future__ import annotations

import re

from ..model.fold import fold
from ..model.identifiers import doi_key as norm_doi
from ..model.identifiers import isbn_key as norm_isbn

__all__ = ["norm_doi", "norm_isbn", "norm_tag", "tokens"]

_WORD = re.compile(r"[^\W_]+")


def tokens(text: str) -> list[str]:
    """The words of ``text``, folded: letters and digits, everything else separates."""
    return _WORD.findall(fold(text))


def norm_tag(text: str) -> str:
    """A tag for comparison: folded, single spaces."""
    return " ".join(fold(text).split())
