"""Decoding field text: white space, letter-case protection, name lists, dates."""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any

from ...model import richtext
from .. import latex, protect

if TYPE_CHECKING:
    from types import ModuleType


class EntryError(ValueError):
    """An entry that cannot be a record (the message says why)."""


_SPACES = re.compile(r"[ \t\r\n]+")


def ws(text: str) -> str:
    """Runs of ASCII white space as one space (a no-break space stays)."""
    return _SPACES.sub(" ", text).strip(" ")


#: a year with an open end, as bibliographies of periodicals write one:
#: "1989--date{}" (Beebe's), "1987--", "1990--present"
_OPEN_YEAR = re.compile(r"(\d{4})\s*(?:-{1,3}|\u2013|\u2014)\s*(?:date|present|now|today)?", re.I)


def open_year(text: str) -> str | None:
    """The first year of a ``year`` (decoded, spaces collapsed) that says
    the range has no end yet, else None."""
    m = _OPEN_YEAR.fullmatch(text)
    return m.group(1) if m else None


#: what separates the URLs of one url field (Beebe's "...;\n  http://..."): a
#: semicolon, or space before a scheme
_URL_SEPARATOR = re.compile(r"\s*;\s*|\s+(?=(?:https?|ftp|file)://)")


def split_urls(text: str) -> list[str]:
    """The URLs of one url field, as written."""
    return [u for u in _URL_SEPARATOR.split(text.strip()) if u]


def unescape_verbatim(text: str) -> str:
    return re.sub(r"\\([_%&#$~])", r"\1", text.strip())


def cased(
    value: str, field: str, extra: dict[str, Any], spans_out: dict[str, Any] | None = None
) -> str:
    """Decode a title-like field as rich text (:func:`.latex.decode_rich`),
    recording its braced phrases unless they are exactly what sentence case
    implies."""
    markup: list[tuple[str, str]] = []
    text, phrases = latex.decode_rich(value, cased=True, markup=markup)
    keep_markup(markup, field, extra)
    if spans_out is not None:
        spans_out[field] = phrases, richtext.plain(text)
    decide_protect(text, phrases, field, extra)
    return text


def rich(value: str, field: str, extra: dict[str, Any], *, spaces: bool = True) -> str:
    """Decode a text field as rich text; its braced phrases (``Routledge
    {and} Kegan Paul``) are recorded as protected when it has any."""
    markup: list[tuple[str, str]] = []
    text, phrases = latex.decode_rich(value, cased=True, spaces=spaces, markup=markup)
    keep_markup(markup, field, extra)
    if phrases:
        protect.add_protected(extra, field, phrases)
    return text


def keep_markup(markup: list[tuple[str, str]], field: str, extra: dict[str, Any]) -> None:
    """Note how the source wrote ``field``'s markup (``extra["latex_markup"]``:
    field -> tag -> spellings in order, the last going on for the rest) where
    it is not how the writer would write it: TeX's quotes or ``\\enquote``
    for a quotation, ``\\textit`` or ``{\\it ...}`` for italics. BibTeX exports
    write it so again; the record's text holds the one canonical markup."""
    spellings: dict[str, list[str]] = {}
    for tag, spelling in markup:
        spellings.setdefault(tag, []).append(spelling)
    kept = {}
    for tag, written in spellings.items():
        if any(s != latex.SPELLINGS.get(tag) for s in written):
            while len(written) > 1 and written[-1] == written[-2]:
                written.pop()
            kept[tag] = written
    table = extra.get("latex_markup")
    if kept:
        extra.setdefault("latex_markup", {})[field] = kept
    elif isinstance(table, dict) and field in table:
        del table[field]
        if not table:
            del extra["latex_markup"]


def decide_protect(text: str, phrases: list[str], field: str, extra: dict[str, Any]) -> None:
    """Record ``phrases`` as the protected phrases of rich ``text`` unless
    they are what its capitals imply (:func:`.protect.rich_auto_spans`)."""
    plain = richtext.plain(text)
    auto = [plain[a:b] for a, b in protect.rich_auto_spans(text)]
    table = extra.get("protect")
    if sorted(phrases) != sorted(auto):
        extra.setdefault("protect", {})[field] = sorted(dict.fromkeys(phrases))
    elif isinstance(table, dict):
        table.pop(field, None)
        if not table:
            extra.pop("protect", None)


_AND_SPLIT = re.compile(r"\s+and\s+", re.IGNORECASE)
_SIMPLE_NAME = re.compile(r"^[^{}\\,=]*(?:,[^{}\\,=]*)?$")


def _upper_word(word: str) -> bool:
    for ch in word:
        if ch.isalpha():
            return ch.isupper()
    return True  # BibTeX: a word without letters is not "von"


def _simple_names(text: str) -> tuple[list[dict[str, Any]], bool] | None:
    """The common names ("Family, Given", "Given Family", no braces or
    particles) without the general parser; None if any name is not simple."""
    parts = _AND_SPLIT.split(" ".join(text.split()))
    others = bool(parts) and parts[-1].lower() == "others"
    if others:
        parts = parts[:-1]
    out = []
    for part in parts:
        if not part or not _SIMPLE_NAME.match(part):
            return None
        if "," in part:
            last, first = part.split(",", 1)
            words = last.split()
            if not words or not all(_upper_word(w) for w in words):
                return None
            name = {"family": " ".join(words)}
            first = first.strip()
            if first:
                name["given"] = first
        else:
            words = part.split()
            if not all(_upper_word(w) for w in words[:-1]):
                return None
            name = {"family": words[-1]}
            if len(words) > 1:
                name["given"] = " ".join(words[:-1])
        out.append(name)
    return out, others


@cache
def _model_names() -> ModuleType:
    """:mod:`citeshelf.model.names`, imported on first use: not with this
    module, which the writer loads before it needs the model, and not on
    each name list read."""
    from ...model import names

    return names


def names(
    value: str, field: str, warnings: list[str] | None = None
) -> tuple[list[dict[str, Any]], bool]:
    """A name list as name dicts and whether it ends in "and others"; an
    empty name (a trailing ``and``) is left out with a warning."""
    trailing_and = _model_names().trailing_and

    if warnings is not None and trailing_and(latex.decode(value, keep_braces=True, held=True)):
        warnings.append(
            f"field '{field}': the name list has an empty name (an 'and' at its start or "
            "end, or two in a row); it is left out"
        )
    try:
        return _names_of(value)
    except ValueError as exc:
        # a name made of a macro the file's @preamble defines ("\Thanh{}"):
        # keep the macro's name rather than nothing
        fallback = re.sub(r"\\([A-Za-z]+)(?:\{\})?", r"\1", value)
        if fallback != value:
            try:
                return _names_of(fallback)
            except ValueError:
                pass
        if "too many commas" in str(exc):
            kept = _commas_kept_whole(value, field, warnings)
            if kept is not None:
                return kept
        reason = latex.release(str(exc)).splitlines()
        reason = [line for line in reason if "Value error, " in line] or reason[:1]
        text = reason[0].split("Value error, ", 1)[-1].split(" [type=")[0].strip()
        raise EntryError(f"field '{field}': {text}") from None


def _commas_kept_whole(
    value: str, field: str, warnings: list[str] | None
) -> tuple[list[dict[str, Any]], bool] | None:
    """The names of ``value`` where a name of more commas than BibTeX's
    "von Last, Jr, First" ("Miller, D., Firby, J.": names separated by commas,
    not "and") is kept whole, as one literal name, with a warning; None if
    the list still cannot be read."""
    from ...model.names import comma_parts, split_names

    parts = split_names(value)
    wide = [p for p in parts if len(comma_parts(p)) > 3]
    if not wide:
        return None
    braced = " and ".join(f"{{{p}}}" if p in wide else p for p in parts)
    try:
        got = _names_of(braced)
    except ValueError:
        return None
    if warnings is not None:
        for p in wide:
            warnings.append(
                f"field '{field}': the name {latex.decode(p)!r} has more commas than BibTeX's "
                "'von Last, Jr, First' (names are separated by 'and'): kept whole, as one "
                "literal name"
            )
    return got


#: a macro named in capitals (``\\TUB``, ``\\Thanh{}``), without an argument
_CAPITAL_MACRO = re.compile(r"\\([A-Z][A-Za-z]*)(\{\})?(?![A-Za-z{])")


#: a macro's name ended by the space before an "and" of a name list
_MACRO_AND = re.compile(r"(\\[A-Za-z]+)(\s+and\s)", re.IGNORECASE)


def _named(m: re.Match[str]) -> str:
    """A macro the decoder does not know (a logo or a name the file's
    ``@preamble`` defines: ``\\TUB``, ``\\NTG``, ``\\Thanh``) as its name, which
    is better than nothing in a name; one it knows, as it is."""
    if latex.decode(m.group(0)).strip():
        return m.group(0)
    return m.group(1)


def named_macros(value: str) -> str:
    """``value`` with each macro named in capitals that the decoder does not
    know (``\\TUB``, ``\\VorTeX``) spelled as its name, which is better than
    nothing in a name or a keyword."""
    return _CAPITAL_MACRO.sub(_named, value) if "\\" in value else value


def _names_of(value: str) -> tuple[list[dict[str, Any]], bool]:
    model_names = _model_names()
    has_others, parse_names = model_names.has_others, model_names.parse_names

    if "\\" in value:
        value = named_macros(value)
        # the space after a macro ends the macro, but not its name: "M\\adddot and"
        value = _MACRO_AND.sub(r"\1{}\2", value)
    decoded = latex.decode(value, keep_braces=True, held=True)
    if "{" not in decoded and "}" not in decoded:
        simple = _simple_names(decoded)
        if simple is not None:
            people, others = simple
            if any(latex.release(v) != v for p in people for v in p.values()):
                people = [{k: latex.release(v) for k, v in p.items()} for p in people]
            return people, others
    out = []
    for p in parse_names(decoded):
        data = {}
        for part in ("family", "given", "particle", "dropping_particle", "suffix", "literal"):
            text = getattr(p, part)
            if text:
                data[part] = latex.release(latex.strip_groups(text)[0])
        out.append(data)
    return out, has_others(decoded)


def name_spellings(value: str) -> list[str]:
    """How a name list spelled its names where a writer would spell them
    otherwise: the braces it put around their parts ("{La Bruna}, Paco",
    "Beckmann, {Petr}": :func:`.names.name_spelling`, decoded), or, for a
    name with a macro the decoder reads as plain text (``{\\LaTeX} Project
    Team``, ``\\Thanh``), the name as written (LaTeX), in the full form."""
    split_names = _model_names().split_names

    if "{" not in value and "\\" not in value:
        return []
    out = []
    for raw in split_names(value):
        spelling = _latex_spelling(raw) if _has_macro(raw) else _brace_spelling(raw)
        if spelling is not None:
            out.append(spelling)
    return out


_MACRO = re.compile(r"\\([A-Za-z]+)")
#: an accent over nothing (``Ry{\\'{}cko}``): a lone combining mark decoded
_ACCENT_OVER_NOTHING = re.compile(r"\\['`^\"~=.]\{\}")


def _has_macro(raw: str) -> bool:
    """Does ``raw`` hold a macro that a writer would not write again: one
    the decoder reads as nothing (a font switch, a macro of the file's own)
    or as ASCII text (a logo: ``\\LaTeX``, ``\\slash``), or an accent over
    nothing (``\\'{}``, which it writes as a combining mark)? Not a letter, an
    accent or a symbol (``\\ss``, ``\\'e``, ``\\ldots``), which it writes so."""
    import unicodedata

    if _ACCENT_OVER_NOTHING.search(raw):
        return True
    for m in _MACRO.finditer(raw):
        macro = "\\" + m.group(1)
        text = latex.decode(macro + "{}")
        if len(text) == 1 and unicodedata.combining(text):
            continue  # an accent
        if macro not in latex.encode(text, ascii=True):
            return True
    return False


def _latex_spelling(raw: str) -> str | None:
    """A name as written, in the full form (a literal as it is)."""
    from ...model.names import Person, literal_spelling, spelled_name, spelling_parts
    from .spelling import shared

    text = " ".join(raw.split())
    if literal_spelling(text):
        out = text
    else:
        try:
            out = spelled_name(*spelling_parts(text))
        except ValueError:
            return None
        # a control space that ended a word ("\\TUG\\ Board"): the macro ends as it did
        out = re.sub(r"(?<!\\)\\(?=[\s,]|$)", "{}", out)
        if literal_spelling(out):
            out += ","  # "{A B}," is a family name
    try:
        people, _others = _names_of(out)
        person = Person.model_validate(people[0])
    except (ValueError, IndexError):
        return None
    if any(shared("biblatex", ascii).name(person) == out for ascii in (False, True)):
        return None  # what a writer writes anyway
    return out


def _brace_spelling(raw: str) -> str | None:
    model_names = _model_names()
    brace_choices, name_spelling = model_names.brace_choices, model_names.name_spelling
    parse_name = model_names.parse_name

    held = latex.decode(raw, keep_braces=True, held=True)
    spelling = name_spelling(held)
    if spelling is None:
        return None
    released = latex.release(spelling)
    if released.count("{") != spelling.count("{"):
        return None  # an escaped brace: not one a name can be spelled with
    try:
        p = parse_name(spelling)
    except ValueError:
        return None
    parts = (p.family, p.given, p.particle, p.suffix)
    for choice in brace_choices(*(x or "" for x in parts)):
        try:
            q = parse_name(choice)
        except ValueError:
            continue
        if (q.family, q.given, q.particle, q.suffix) == parts:
            return None if choice == spelling else released
    return released


def spells(spelling: str, person: Any) -> bool:
    """Does BibTeX text ``spelling`` read as the one name ``person``?"""
    try:
        people, others = _names_of(spelling)
    except ValueError:
        return False
    if len(people) != 1 or others:
        return False
    parts = ("family", "given", "particle", "dropping_particle", "suffix", "literal")
    return people[0] == {k: getattr(person, k) for k in parts if getattr(person, k)}


_ANNOTATION = re.compile(r"^\s*(\d+)\s*=\s*(.*?)\s*$", re.DOTALL)


def name_annotations(value: str) -> list[tuple[int, str]] | None:
    """biblatex's per-name annotations (``1=corresponding; 3=equal``) as
    (name number, text); None if the field has other kinds (of a name part,
    of the whole field), which stay as written."""
    out = []
    for item in value.split(";"):
        if not item.strip():
            continue
        m = _ANNOTATION.match(item)
        if not m or not m.group(2):
            return None
        out.append((int(m.group(1)), ws(latex.decode(m.group(2)))))
    return out or None


def date_parts(text: str) -> tuple[str | None, bool]:
    """A BibLaTeX date as YYYY[-MM[-DD]] and whether that says all of it."""
    m = re.match(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*(.*)$", text)
    if not m:
        return None, False
    y, mo, d, rest = m.groups()
    out = y
    if mo:
        out += f"-{int(mo):02d}"
        if d:
            out += f"-{int(d):02d}"
    exact = not rest and (mo is None or len(mo) == 2) and (d is None or len(d) == 2)
    return out, exact
