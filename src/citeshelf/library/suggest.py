"""Did-you-mean hints for a key or field name that does not exist.

:func:`closest` picks the candidate a typo most likely meant: one that differs
only in letter case, else the one key that starts with what was typed
(``Waever1995`` -> ``waever1995securitization``), else the nearest by
:func:`difflib.get_close_matches`, all compared casefolded. :func:`did_you_mean`
wraps it as the tail of an error message. Light: no Pydantic.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["closest", "did_you_mean"]


def closest(wanted: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``wanted`` most likely meant, or None."""
    folded: dict[str, str] = {}
    for c in candidates:
        folded.setdefault(c.casefold(), c)
    w = wanted.casefold()
    if not w:
        return None
    if w in folded:
        return folded[w]
    starts = [c for f, c in folded.items() if f.startswith(w)]
    if len(starts) == 1:
        return starts[0]
    pool = list(folded) if not starts else [s.casefold() for s in starts]
    close = difflib.get_close_matches(w, pool, n=1, cutoff=0.6)
    if close:
        return folded[close[0]]
    return min(starts, key=lambda s: (len(s), s)) if starts else None


def did_you_mean(wanted: str, candidates: Iterable[str]) -> str:
    """``"; did you mean 'x'?"``, or "" when nothing is close."""
    best = closest(wanted, candidates)
    return f"; did you mean '{best}'?" if best else ""
