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

__all__ = [
    "ANY_LISTED",
    "LISTED_ROLES",
    "isbns",
    "listed_words",
    "names_words",
    "parent_hint",
    "people",
    "str_list",
    "text",
    "year",
]


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


#: Whom a style may list a work under (APA 9.7-9.12, CMOS 14.65-14.76):
#: its authors, else its editors, a recording's composers, a film's writers
#: and directors. Year letters and initials go by the names works are listed under.
LISTED_ROLES = ("authors", "editors", "composers", "script_writers", "directors")
#: What :func:`listed_words` gives a work that may be listed under any name:
#: a part with no authors of its own (listed under its book's editors, maybe).
ANY_LISTED = ""


def listed_words(data: object) -> list[str]:
    """The folded words of the first name (family name or literal) of each
    role of :data:`LISTED_ROLES` a record's data fills, sorted: a work
    whose words hold none of a cited work's is listed under other names
    (``cite`` leaves it out of what it compares). ``[ANY_LISTED]`` for a
    part with no authors of its own, and for a name of the wrong shape."""
    if not isinstance(data, dict) or (data.get("parent") and not data.get("authors")):
        return [ANY_LISTED]
    words: set[str] = set()
    for role in LISTED_ROLES:
        names = data.get(role)
        if not names:
            continue
        first = names[0] if isinstance(names, list) else None
        name = first.get("family") or first.get("literal") if isinstance(first, dict) else None
        if not isinstance(name, str):
            return [ANY_LISTED]
        words.update(tokens(name))
    return sorted(words)


def parent_hint(raw: str) -> str | None:
    """The parent a record file's text names, if it is JSON (even invalid as a record)."""
    try:
        data = loads_limited(raw)
    except ValueError:  # not JSON, or over a limit
        return None
    parent = data.get("parent") if isinstance(data, dict) else None
    return parent.strip() or None if isinstance(parent, str) else None
