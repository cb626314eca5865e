"""How values are compared in queries and in the index: folded words, DOIs,
ISBNs and tags (the same rules for SQL over the index and for matching in
Python). Nothing heavy is imported here."""

from __future__ import annotations

import re

from ..model.fold import fold

__all__ = ["norm_doi", "norm_isbn", "norm_tag", "tokens"]

_WORD = re.compile(r"[^\W_]+")
_DOI_PREFIX = r"^(?:(?:https?://)?(?:dx\.)?doi\.org/|doi:\s*|info:doi/)"  # compiled on first use


def tokens(text: str) -> list[str]:
    """The words of ``text``, folded: letters and digits, everything else separates."""
    return _WORD.findall(fold(text))


def norm_doi(text: str) -> str:
    """A DOI for comparison: no resolver prefix, lower case (DOIs ignore case)."""
    return re.sub(_DOI_PREFIX, "", text.strip(), flags=re.I).lower()


def norm_isbn(text: str) -> str:
    """ISBN digits for comparison; a 10-digit ISBN is converted to ISBN-13."""
    t = re.sub(r"[^0-9Xx]", "", text).upper()
    if len(t) == 10 and t[:9].isdigit():
        core = "978" + t[:9]
        check = (10 - sum((1 if i % 2 == 0 else 3) * int(d) for i, d in enumerate(core)) % 10) % 10
        return core + str(check)
    return t


def norm_tag(text: str) -> str:
    """A tag for comparison: folded, single spaces."""
    return " ".join(fold(text).split())
