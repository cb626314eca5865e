"""Personal and organisational names.

A :class:`Person` is either structured or a ``literal`` (an organisation such
as "World Health Organization"). The structured parts are CSL's: ``family``,
``given``, ``particle`` (the non-dropping particle, "van" in "van Gogh", kept
with the family name in every form: the field record files have always had),
``dropping_particle`` ("von" in "Ludwig von Mises", which moves behind the
given name when the name is inverted: "Mises, Ludwig von"), ``suffix`` and
``static_ordering`` (the name is written family first, "Mao Zedong", in every
form; names in a CJK script are always written so, without a space:
"毛泽东"). ``annotation`` is biblatex's per-name data annotation
(``author+an = {1=corresponding}``). ``short`` is an organisation's
abbreviation ("WHO" for "World Health Organization"), which APA cites it by
after the first citation (8.21). A particle ending in an apostrophe or a
hyphen ("d'") is joined to what follows without a space ("d'Alembert").
:func:`parse_name` reads the forms people type and BibTeX writes, following
BibTeX's name rules ("First von Last", "von Last, First", "von Last, Jr, First",
and ``{Braced Literal}`` for organisations).
"""

from __future__ import annotations

import re
from itertools import combinations

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from .nameparts import family_given, is_cjk, join_particle

__all__ = [
    "Person",
    "brace_choices",
    "comma_parts",
    "has_others",
    "initials",
    "is_cjk",
    "join_particle",
    "parse_name",
    "parse_names",
    "literal_spelling",
    "name_spelling",
    "spelling_parts",
    "spelled_name",
    "split_names",
    "trailing_and",
]


#: the text parts of a name (every field but ``static_ordering``)
_TEXT_PARTS = (
    "family",
    "given",
    "particle",
    "suffix",
    "literal",
    "dropping_particle",
    "annotation",
    "short",
)


class Person(BaseModel):
    """One name in a list of authors, editors or translators."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    family: str | None = None
    given: str | None = None
    #: the non-dropping particle ("van" in "van Gogh")
    particle: str | None = None
    suffix: str | None = None
    literal: str | None = None
    #: the dropping particle ("von" in "Mises, Ludwig von")
    dropping_particle: str | None = None
    #: written family first in every form ("Mao Zedong"); None when not
    static_ordering: bool | None = None
    #: biblatex's data annotation of this name ("corresponding")
    annotation: str | None = None
    #: an organisation's abbreviation ("WHO"), which APA 8.21 cites it by
    #: after the first citation
    short: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _strip(cls, data: object) -> object:
        """Collapse the spaces of each text part; an empty part is absent
        (one validator for all of them: a name is validated often)."""
        if isinstance(data, dict):
            out = None  # a copy, made only when a part changes (most names are clean)
            for name in _TEXT_PARTS:
                value = data.get(name)
                if isinstance(value, str):
                    clean = " ".join(value.split())
                    if clean != value or not clean:
                        if out is None:
                            out = dict(data)
                        out[name] = clean or None
            return data if out is None else out
        return data

    @field_validator("static_ordering", mode="after")
    @classmethod
    def _ordering(cls, value: bool | None) -> bool | None:
        return value or None  # False says nothing more than None: one form on disk

    @model_validator(mode="after")
    def _check(self) -> Person:
        if self.literal:
            if (
                self.family
                or self.given
                or self.particle
                or self.suffix
                or self.dropping_particle
                or self.static_ordering
            ):
                raise ValueError(
                    "a literal name (organisation) cannot also have family/given parts"
                )
        elif not self.family:
            raise ValueError("a name needs a family name or a literal (organisation) name")
        return self

    @property
    def last(self) -> str:
        """The family name with its non-dropping particle ("van der Berg",
        "d'Alembert"), or the literal: the name in a short citation."""
        if self.literal:
            return self.literal
        return join_particle(self.particle, self.family)

    @property
    def given_part(self) -> str:
        """The given name with the dropping particle ("Ludwig von"): what
        follows the comma of an inverted name."""
        return " ".join(p for p in (self.given, self.dropping_particle) if p)

    @property
    def family_first(self) -> bool:
        """Written family then given in every form: ``static_ordering``, or
        a name in a CJK script."""
        if self.literal:
            return False
        return bool(self.static_ordering) or (
            is_cjk(self.family or "") and (not self.given or is_cjk(self.given))
        )

    def static_form(self) -> str:
        """ "Mao Zedong"; "毛泽东" (a CJK name has no space)."""
        return family_given(self.last, self.given)

    def display(self) -> str:
        """Given-first display form: "Ludwig van Beethoven, Jr."."""
        if self.literal:
            return self.literal
        if self.family_first:
            text = self.static_form()
        else:
            text = " ".join(p for p in (self.given, self.dropping_particle) if p)
            text = join_particle(text, self.last) if text else self.last
        return f"{text}, {self.suffix}" if self.suffix else text

    def inverted(self) -> str:
        """Family-first form: "van Beethoven, Ludwig, Jr.", "Mises, Ludwig von"."""
        if self.literal:
            return self.literal
        if self.family_first:
            return ", ".join(p for p in (self.static_form(), self.suffix) if p)
        parts = [self.last]
        if self.given_part:
            parts.append(self.given_part)
        if self.suffix:
            parts.append(self.suffix)
        return ", ".join(parts)

    def __str__(self) -> str:  # pragma: no cover - convenience
        return self.display()


# --------------------------------------------------------------------------
# Parsing


_BRACE = re.compile(r"\\[{}]|[{}]")


def _split_depth0(text: str, sep_re: re.Pattern[str]) -> list[str]:
    """Split ``text`` on ``sep_re`` matches that are outside braces (an
    escaped brace, ``\\{``, is text: what the writer makes of a lone brace).

    ``sep_re`` never matches a brace, a backslash or the empty string (the
    separators here: ``and``, a comma, spaces), so a match lies at one depth
    and is found by the regex engine; the braces before it give its depth."""
    parts: list[str] = []
    start = 0
    if "{" not in text and "}" not in text:
        for m in sep_re.finditer(text):
            parts.append(text[start : m.start()])
            start = m.end()
        parts.append(text[start:])
        return parts
    depth = 0
    braces = _BRACE.finditer(text)
    brace = next(braces, None)
    for m in sep_re.finditer(text):
        at = m.start()
        while brace is not None and brace.start() < at:
            token = brace.group()
            if token == "{":
                depth += 1
            elif token == "}":
                depth = max(0, depth - 1)
            brace = next(braces, None)
        if depth == 0:
            parts.append(text[start:at])
            start = m.end()
    parts.append(text[start:])
    return parts


_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_COMMA = re.compile(r",")
_SPACE = re.compile(r"[\s~]+")


def split_names(text: str) -> list[str]:
    """Split a BibTeX name list on ``and`` (outside braces)."""
    return [p.strip() for p in _split_depth0(" " + text.strip() + " ", _AND) if p.strip()]


def _is_lower_word(word: str) -> bool:
    """BibTeX's test: a word is "von" if its first letter at depth 0 is lower case."""
    depth = 0
    i = 0
    while i < len(word):
        ch = word[i]
        if ch == "{":
            # A brace group starting with a control sequence counts by its letter.
            if depth == 0 and i + 1 < len(word) and word[i + 1] == "\\":
                m = re.match(r"\{\\[A-Za-z]+\s*\{?([A-Za-z])", word[i:]) or re.match(
                    r"\{\\.\s*\{?([A-Za-z])", word[i:]
                )
                if m:
                    return m.group(1).islower()
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0 and ch.isalpha():
            return ch.islower()
        i += 1
    return False


def _unbrace(text: str) -> str:
    """Drop the grouping braces BibTeX uses to protect text."""
    return text.replace("{", "").replace("}", "").strip()


def _words(text: str) -> list[str]:
    return [w for w in _split_depth0(text.strip(), _SPACE) if w]


def parse_name(text: str) -> Person:
    """Parse one name as BibTeX does.

    >>> parse_name("Aris, Stephen")
    Person(family='Aris', given='Stephen', particle=None, suffix=None, literal=None)
    >>> parse_name("Ludwig van Beethoven").particle
    'van'
    >>> parse_name("{World Health Organization}").literal
    'World Health Organization'
    """
    raw = " ".join(text.split())
    if not raw:
        raise ValueError("empty name")
    extended = _extended(raw)
    if extended is not None:
        return extended
    # A name wholly inside one brace group is a literal (organisation).
    if raw.startswith("{") and raw.endswith("}") and _balanced_outer(raw):
        return Person(literal=raw[1:-1].strip())
    family, given, particle, suffix = _parts(raw, text)
    return Person(
        family=_unbrace(family) or None,
        given=_unbrace(given) or None,
        particle=_unbrace(particle) or None,
        suffix=_unbrace(suffix) or None,
    )


def comma_parts(raw: str) -> list[str]:
    """The parts of a BibTeX name between its commas outside braces ("von
    Last", "Jr", "First"): more than three is a name BibTeX cannot read."""
    return [p.strip() for p in _split_depth0(raw, _COMMA)]


def _parts(raw: str, text: str) -> tuple[str, str, str, str]:
    """The family, given, particle and suffix of a name that is neither a
    literal nor in the extended format, each as written (braces kept)."""
    parts = comma_parts(raw)
    if len(parts) == 1:
        words = _words(parts[0])
        if len(words) == 1:
            return words[0], "", "", ""
        # First von Last: von starts at the first lower-case word (not the last
        # word) and runs to the last lower-case word before the final word.
        lower = [i for i, w in enumerate(words[:-1]) if _is_lower_word(w)]
        if lower:
            vstart, vend = lower[0], lower[-1]
            given = words[:vstart]
            particle = words[vstart : vend + 1]
            family = words[vend + 1 :]
        else:
            given, particle, family = words[:-1], [], words[-1:]
        return " ".join(family), " ".join(given), " ".join(particle), ""
    if len(parts) > 3:
        raise ValueError(f"too many commas in name {text!r}")
    vonlast = _words(parts[0])
    if not vonlast:
        raise ValueError(f"name {text!r} has no family name before the comma")
    suffix = parts[1] if len(parts) == 3 else ""
    given_text = parts[-1]
    # von Last: von is the longest run of leading lower-case words, leaving
    # at least one word for Last.
    k = 0
    while k < len(vonlast) - 1 and _is_lower_word(vonlast[k]):
        k += 1
    # The particle may also contain upper-case words between lower-case ones.
    lower = [i for i, w in enumerate(vonlast[:-1]) if _is_lower_word(w)]
    if lower and lower[0] == 0:
        k = lower[-1] + 1
    return " ".join(vonlast[k:]), given_text, " ".join(vonlast[:k]), suffix


def literal_spelling(text: str) -> bool:
    """Is ``text`` (white space collapsed) a literal: one brace group?"""
    return text.startswith("{") and text.endswith("}") and _balanced_outer(text)


def spelling_parts(text: str) -> tuple[str, str, str, str]:
    """The family, given, particle and suffix of a name (not a literal) as
    written, braces and all: the arguments of :func:`spelled_name`."""
    raw = " ".join(text.split())
    if not raw:
        raise ValueError("empty name")
    family, given, particle, suffix = _parts(raw, text)
    if not family:
        raise ValueError(f"name {text!r} has no family name")
    return family, given, particle, suffix


def spelled_name(family: str, given: str = "", particle: str = "", suffix: str = "") -> str:
    """A name in BibTeX's full form, "von Last, Jr, First" (the form biber
    writes): "van Gogh, Vincent"; "Last" alone when there is nothing else."""
    last = f"{particle} {family}" if particle else family
    if suffix:
        return f"{last}, {suffix}, {given}"
    return f"{last}, {given}" if given else last


def brace_choices(family: str, given: str = "", particle: str = "", suffix: str = "") -> list[str]:
    """The ways to write a name in the full form (:func:`spelled_name`), in
    the order a writer tries them: no braces, then braces around one part
    (family, given, suffix), two, all three; and "{Family}," for a family
    name alone (braced alone it would be an organisation). The first that
    BibTeX reads back as the name is the one to write."""
    present = [i for i, part in enumerate((family, given, suffix)) if part]
    out = []
    for n in range(len(present) + 1):
        for braced in combinations(present, n):
            f, g, s = (
                "{" + part + "}" if i in braced else part
                for i, part in enumerate((family, given, suffix))
            )
            out.append(spelled_name(f, g, particle, s))
    if not given and not suffix:
        out.append(spelled_name("{" + family + "}", "", particle) + ",")
    return out


def name_spelling(text: str) -> str | None:
    """How ``text`` spells its name's parts, in the full form
    (:func:`spelled_name`) with the braces it put around them
    ("{Petr} Beckmann" -> "Beckmann, {Petr}"); None when it braced none, or
    for a literal or a name in biblatex's extended format."""
    raw = " ".join(text.split())
    if "{" not in raw or not raw or _extended(raw) is not None:
        return None
    if raw.startswith("{") and raw.endswith("}") and _balanced_outer(raw):
        return None
    family, given, particle, suffix = _parts(raw, text)
    if not any("{" in p for p in (family, given, particle, suffix)):
        return None
    out = spelled_name(family, given, particle, suffix)
    if out.startswith("{") and out.endswith("}") and _balanced_outer(out):
        out += ","  # "{A B}" alone would be an organisation: "{A B}," is a family name
    return out


_KEY_VALUE = re.compile(r"^\s*([A-Za-z][A-Za-z-]*)\s*=(.*)$", re.DOTALL)
_EXTENDED_KEYS = {"family", "given", "prefix", "suffix", "useprefix"}


def _extended(raw: str) -> Person | None:
    """biblatex's extended name format ("family=Mises, given=Ludwig,
    prefix=von, useprefix=false"), or None if ``raw`` is not in it. A
    prefix is the non-dropping particle unless ``useprefix=false`` says it
    drops."""
    parts = [p.strip() for p in _split_depth0(raw, _COMMA)]
    found: dict[str, str] = {}
    for part in parts:
        m = _KEY_VALUE.match(part)
        if not m or m.group(1).lower() not in _EXTENDED_KEYS:
            return None
        found[m.group(1).lower()] = _unbrace(m.group(2))
    if "family" not in found and "given" not in found:
        return None
    prefix = found.get("prefix") or None
    drops = found.get("useprefix", "").strip().lower() == "false"
    family = found.get("family") or None
    given = found.get("given") or None
    if family is None:  # a given name alone: the only name there is
        family, given = given, None
    return Person(
        family=family,
        given=given,
        particle=None if drops else prefix,
        dropping_particle=prefix if drops else None,
        suffix=found.get("suffix") or None,
    )


def _balanced_outer(text: str) -> bool:
    depth = 0
    for i, ch in enumerate(text):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0 and i != len(text) - 1:
                return False
    return depth == 0


def parse_names(text: str) -> list[Person]:
    """Parse a BibTeX ``and``-separated name list (a final "and others" is dropped:
    see :func:`has_others`)."""
    names = split_names(text)
    if names and names[-1].strip().lower() == "others":
        names = names[:-1]
    return [parse_name(n) for n in names]


def trailing_and(text: str) -> bool:
    """True if a BibTeX name list has an empty name: an ``and`` at its start
    or end, or two in a row ("A and and B")."""
    parts = _split_depth0(" " + text.strip() + " ", _AND)
    return len(parts) > 1 and any(not p.strip() for p in parts)


def has_others(text: str) -> bool:
    """True if a BibTeX name list ends in "and others" (an et-al marker)."""
    names = split_names(text)
    return bool(names) and names[-1].strip().lower() == "others"


# --------------------------------------------------------------------------
# Helpers used by keys and styles


def initials(given: str, *, period: bool = True, space: bool = True) -> str:
    """Initials of a given name: "James Paul" -> "J. P."; "Jean-Paul" -> "J.-P."."""
    dot = "." if period else ""
    out_words = []
    for word in given.split():
        pieces = [p for p in word.split("-") if p]
        if not pieces:
            continue
        initials_ = []
        for piece in pieces:
            if len(piece) <= 2 and piece.endswith("."):
                initials_.append(piece[:-1] + dot)  # already an initial
            else:
                initials_.append(piece[0] + dot)
        out_words.append("-".join(initials_))
    return (" " if space else "").join(out_words)
