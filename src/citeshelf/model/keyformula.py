"""Key formulas: the pattern language that generated keys are made with.

A formula is text and bracketed parts, in the spirit of JabRef's key patterns
and Better BibTeX's legacy formulas::

    [creator:lower|"anon"][year|"nd"][title:nostop:1:lower]     (the default)
    [auth:lower]_[year][shorttitle:abbr:upper]
    [authors:2:lower:join=-][year]

* Text outside brackets is copied as it is; it may hold only what a key may
  hold (letters, digits and ``_ : . + -``).
* ``[FIELD:MOD:MOD...]`` is a part of the record. Alternatives separated by
  ``|`` are tried in turn and the first that gives something is used; an
  alternative may be a quoted text (``"anon"``).
* Fields (:data:`FIELDS`): ``auth``, ``authors`` (the authors' family names),
  ``editor``, ``editors``, ``creator``, ``creators`` (authors, else editors:
  whom a work is listed under), ``year``, ``title`` (the title's words),
  ``shorttitle`` (= ``title:nostop:3``), ``veryshorttitle``
  (= ``title:nostop:1``), ``type``, ``journal``, ``container``, ``publisher``,
  ``institution``, ``site``, ``event``. An organisation's name counts by its
  first word.
* Modifiers (:data:`MODIFIERS`) act on the field's words (a name list's
  names), always in this order whatever order they are written in:
  ``nostop`` drops function words ("the", "of", "und" ...); ``N`` (a number)
  keeps the first N; ``lower``, ``upper``, ``capitalize`` change case;
  ``abbr`` keeps each word's first letter; ``join=SEP`` joins the words with
  SEP (default: nothing); ``chars=N`` keeps the first N characters.
* Words are spelled in ASCII (:func:`citeshelf.model.fold.to_ascii`;
  ``lower`` folds them, :func:`citeshelf.model.fold.fold`) and keep only
  letters and digits. A key is at most 120 characters; one that comes out
  empty is ``anon``.

Public API::

    parse_formula(text) -> Formula      (cached; KeyFormulaError with the column)
    Formula.key(record) -> str          the key before a/b/c suffixes
    DEFAULT_FORMULA                     gives the keys citeshelf always made
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .fold import fold, to_ascii
from .richtext import plain

if TYPE_CHECKING:
    from .record import BaseRecord

__all__ = [
    "DEFAULT_FORMULA",
    "FIELDS",
    "MODIFIERS",
    "STOPWORDS",
    "Formula",
    "KeyFormulaError",
    "parse_formula",
]

#: Function words that ``nostop`` drops (compared folded).
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

DEFAULT_FORMULA = '[creator:lower|"anon"][year|"nd"][title:nostop:1:lower]'
MAX_KEY = 120

_KEY_CHARS = re.compile(r"[A-Za-z0-9_:.+-]*")
_TITLE_SPLIT = re.compile(r"[\s\-–—/:;,.!?'\"()\[\]]+")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


class KeyFormulaError(ValueError):
    """A formula that cannot be parsed: the message names the column (from 1)."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"column {column}: {message}")
        self.column = column
        self.reason = message


# -- fields: record -> words ---------------------------------------------------


def _name_word(person: Any) -> str:
    if person.literal:
        parts = person.literal.split()
        return parts[0] if parts else ""
    return person.family or ""


def _names(attr: str, first_only: bool) -> Callable[[BaseRecord], list[str]]:
    def get(record: BaseRecord) -> list[str]:
        people = record.creators if attr == "creators" else getattr(record, attr)
        if first_only:
            people = people[:1]
        return [_name_word(p) for p in people]

    return get


def _text(attr: str) -> Callable[[BaseRecord], list[str]]:
    def get(record: BaseRecord) -> list[str]:
        value = getattr(record, attr, None)
        # the words a reader sees: no markup (model.richtext)
        return _TITLE_SPLIT.split(plain(value)) if isinstance(value, str) else []

    return get


def _year(record: BaseRecord) -> list[str]:
    return [str(record.year)] if record.year else []


def _type(record: BaseRecord) -> list[str]:
    return [record.type]


#: Field name -> (words of a record, modifiers implied).
FIELDS: dict[str, tuple[Callable[[BaseRecord], list[str]], tuple[str, ...]]] = {
    "auth": (_names("authors", True), ()),
    "authors": (_names("authors", False), ()),
    "editor": (_names("editors", True), ()),
    "editors": (_names("editors", False), ()),
    "creator": (_names("creators", True), ()),
    "creators": (_names("creators", False), ()),
    "year": (_year, ()),
    "title": (_text("title"), ()),
    "shorttitle": (_text("title"), ("nostop", "3")),
    "veryshorttitle": (_text("title"), ("nostop", "1")),
    "type": (_type, ()),
    "journal": (_text("journal"), ()),
    "container": (_text("container_title"), ()),
    "publisher": (_text("publisher"), ()),
    "institution": (_text("institution"), ()),
    "site": (_text("site"), ()),
    "event": (_text("event"), ()),
}

MODIFIERS = ("nostop", "N", "lower", "upper", "capitalize", "abbr", "join=SEP", "chars=N")
_CASES = ("lower", "upper", "capitalize")


# -- the parsed form -------------------------------------------------------------


@dataclass(frozen=True)
class _Field:
    name: str
    nostop: bool = False
    count: int | None = None
    case: str | None = None
    abbr: bool = False
    join: str = ""
    chars: int | None = None

    def value(self, record: BaseRecord) -> str:
        words = FIELDS[self.name][0](record)
        folded = [re.sub(r"[^a-z0-9]", "", fold(w)) for w in words]
        if self.case == "lower":
            cleaned = folded
        else:
            cleaned = [re.sub(r"[^A-Za-z0-9]", "", to_ascii(w)) for w in words]
        kept = [c for c, f in zip(cleaned, folded) if c and not (self.nostop and f in STOPWORDS)]
        if self.count is not None:
            kept = kept[: self.count]
        if self.case == "upper":
            kept = [w.upper() for w in kept]
        elif self.case == "capitalize":
            kept = [w[:1].upper() + w[1:].lower() for w in kept]
        if self.abbr:
            kept = [w[:1] for w in kept]
        out = self.join.join(kept)
        return out[: self.chars] if self.chars is not None else out


@dataclass(frozen=True)
class _Part:
    """A bracketed part: alternatives, each a field or a literal text."""

    alternatives: tuple[_Field | str, ...]

    def value(self, record: BaseRecord) -> str:
        for alt in self.alternatives:
            text = alt if isinstance(alt, str) else alt.value(record)
            if text:
                return text
        return ""


@dataclass(frozen=True)
class Formula:
    text: str
    parts: tuple[_Part | str, ...]

    def key(self, record: BaseRecord) -> str:
        """The key ``record`` gets from this formula (before a/b/c suffixes)."""
        out = "".join(p if isinstance(p, str) else p.value(record) for p in self.parts)
        out = out.lstrip("_:.+-")[:MAX_KEY]
        return out or "anon"


# -- parsing ---------------------------------------------------------------------------


@lru_cache(maxsize=32)
def parse_formula(text: str) -> Formula:
    """Parse a key formula; :class:`KeyFormulaError` says what is wrong and where."""
    parts: list[_Part | str] = []
    i = 0
    while i < len(text):
        if text[i] == "[":
            end = _closing(text, i)
            parts.append(_parse_part(text, i + 1, end))
            i = end + 1
            continue
        if text[i] == "]":
            raise KeyFormulaError("']' without '['", i + 1)
        m = _KEY_CHARS.match(text, i)
        assert m is not None
        if m.end() == i:
            raise KeyFormulaError(
                f"{text[i]!r} cannot be in a key: outside [...] use letters, digits and _ : . + -",
                i + 1,
            )
        parts.append(m.group())
        i = m.end()
    if not any(isinstance(p, _Part) for p in parts):
        raise KeyFormulaError("a formula needs at least one [field], e.g. [auth:lower][year]", 1)
    return Formula(text, tuple(parts))


def _closing(text: str, start: int) -> int:
    quoted = False
    for j in range(start + 1, len(text)):
        c = text[j]
        if c == '"':
            quoted = not quoted
        elif not quoted and c == "]":
            return j
        elif not quoted and c == "[":
            raise KeyFormulaError("'[' inside [...]", j + 1)
    raise KeyFormulaError("'[' is never closed with ']'", start + 1)


def _parse_part(text: str, start: int, end: int) -> _Part:
    alternatives: list[_Field | str] = []
    i = start
    while True:
        j = i
        if j < end and text[j] == '"':
            close = text.find('"', j + 1, end)
            if close < 0:  # pragma: no cover - _closing saw the quotes balanced
                raise KeyFormulaError("a quoted text is never closed", j + 1)
            literal = text[j + 1 : close]
            bad = _KEY_CHARS.match(literal)
            if bad is None or bad.end() != len(literal):
                pos = bad.end() if bad else 0
                raise KeyFormulaError(
                    f"{literal[pos]!r} cannot be in a key: use letters, digits and _ : . + -",
                    j + 2 + pos,
                )
            alternatives.append(literal)
            j = close + 1
        else:
            bar = text.find("|", j, end)
            stop = end if bar < 0 else bar
            alternatives.append(_parse_field(text, j, stop))
            j = stop
        if j == end:
            break
        if text[j] != "|":
            raise KeyFormulaError(f"expected '|' or ']', not {text[j]!r}", j + 1)
        i = j + 1
    return _Part(tuple(alternatives))


def _parse_field(text: str, start: int, end: int) -> _Field:
    pieces = text[start:end].split(":")
    name = pieces[0]
    if not name:
        raise KeyFormulaError("a field name is missing (e.g. [auth], [year], [title])", start + 1)
    if name not in FIELDS:
        raise KeyFormulaError(f"unknown field {name!r}: fields are {', '.join(FIELDS)}", start + 1)
    options: dict[str, Any] = {}
    for implied in FIELDS[name][1]:
        _modifier(options, implied, start + 1)
    column = start + len(name) + 2
    for mod in pieces[1:]:
        _modifier(options, mod, column)
        column += len(mod) + 1
    return _Field(name, **options)


def _modifier(options: dict[str, Any], mod: str, column: int) -> None:
    if mod.isdigit():
        options["count"] = int(mod)
    elif mod == "nostop":
        options["nostop"] = True
    elif mod in _CASES:
        options["case"] = mod
    elif mod == "abbr":
        options["abbr"] = True
    elif mod.startswith("join="):
        sep = mod[len("join=") :]
        m = _KEY_CHARS.match(sep)
        if m is None or m.end() != len(sep):
            raise KeyFormulaError("join= takes letters, digits or _ . + -", column)
        options["join"] = sep
    elif mod.startswith("chars=") and mod[len("chars=") :].isdigit():
        options["chars"] = int(mod[len("chars=") :])
    else:
        raise KeyFormulaError(
            f"unknown modifier {mod!r}: modifiers are {', '.join(MODIFIERS)}", column
        )
