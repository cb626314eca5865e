"""Generated record keys: ``aris2014collective``. The one key rule.

A key comes from a key formula (:mod:`citeshelf.model.keyformula`, set in the
configuration as ``keys.formula``). The default: the first author's (else
editor's) family name folded to ASCII lower case
(:func:`citeshelf.model.fold.fold`: "Þórsson" -> "thorsson"), else "anon"; the
year, else "nd"; and the first significant word of the title. A key that is
taken gets a, b, c ... suffixes; nothing is ever overwritten.

What a key may be, and the name of its record file, is
:mod:`.keyfiles` (re-exported here).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .keyfiles import (
    KEY_PATTERN,
    SAFE_KEY,
    check_key,
    file_stem,
    is_key,
    key_of_stem,
    key_problem,
)
from .keyformula import DEFAULT_FORMULA, STOPWORDS, parse_formula

if TYPE_CHECKING:
    from .record import BaseRecord

__all__ = [
    "KEY_PATTERN",
    "SAFE_KEY",
    "STOPWORDS",
    "base_key",
    "check_key",
    "file_stem",
    "free_key",
    "is_key",
    "key_of_stem",
    "key_problem",
    "unique_key",
]


def base_key(record: BaseRecord, formula: str | None = None) -> str:
    """The key ``formula`` (:mod:`citeshelf.model.keyformula`; default
    :data:`~citeshelf.model.keyformula.DEFAULT_FORMULA`) gives ``record``."""
    return parse_formula(formula or DEFAULT_FORMULA).key(record)


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


def unique_key(record: BaseRecord, taken: Callable[[str], bool], formula: str | None = None) -> str:
    """``base_key`` if it is free, else with the first free suffix (:func:`free_key`)."""
    base = base_key(record, formula)
    if not taken(base):
        return base
    return free_key(base, taken)
