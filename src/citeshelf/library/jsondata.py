"""Reading what the index needs from a record's JSON data, without the model.

Values of the wrong shape are skipped, never an error: the files read here
have been validated by the store. The readers shared with the display texts
(``text``, ``people``, ``year``, ``name_text``) live in
:mod:`citeshelf.model.display`.
"""

from __future__ import annotations

import re

from ..model.display import name_text, people, text, year
from .safeio import loads_limited
from .terms import norm_isbn, tokens

__all__ = ["isbns", "names_words", "parent_hint", "people", "str_list", "text", "year"]


def str_list(value: object) -> list[str]:
    """A list of non-blank strings (one string alone counts as a list of one)."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list):
        return [str(v) for v in value if str(v).strip()]
    return []


def isbns(value: object) -> list[str]:
    """The distinct ISBNs of a field, normalised (:func:`.terms.norm_isbn`), in order."""
    if isinstance(value, str):
        value = [v for v in re.split(r"[;,]|\s+(?=\d{9})", value) if v.strip()]
    out: list[str] = []
    for v in str_list(value):
        n = norm_isbn(v)
        if n and n not in out:
            out.append(n)
    return out


def names_words(value: object) -> str:
    """The folded words of a list of names, joined by single spaces."""
    return " ".join(w for p in people(value) for w in tokens(name_text(p)))


def parent_hint(raw: str) -> str | None:
    """The parent a record file's text names, if it is JSON (even invalid as a record)."""
    try:
        data = loads_limited(raw)
    except ValueError:  # not JSON, or over a limit
        return None
    parent = data.get("parent") if isinstance(data, dict) else None
    return parent.strip() or None if isinstance(parent, str) else None
