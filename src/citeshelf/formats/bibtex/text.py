"""Decoding field text: white space, letter-case protection, name lists, dates."""

from __future__ import annotations

import re
from typing import Any

from .. import latex, protect


class EntryError(ValueError):
    """An entry that cannot be a record (the message says why)."""


_SPACES = re.compile(r"[ \t\r\n]+")


def ws(text: str) -> str:
    """Runs of ASCII white space as one space (a no-break space stays)."""
    return _SPACES.sub(" ", text).strip(" ")


def unescape_verbatim(text: str) -> str:
    return re.sub(r"\\([_%&#$~])", r"\1", text.strip())


def cased(
    value: str, field: str, extra: dict[str, Any], spans_out: dict[str, Any] | None = None
) -> str:
    """Decode a title-like field as rich text (:func:`.latex.decode_rich`),
    recording its braced phrases unless they are exactly what sentence case
    implies."""
    from ...model import richtext

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
    from ...model import richtext

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


def names(
    value: str, field: str, warnings: list[str] | None = None
) -> tuple[list[dict[str, Any]], bool]:
    """A name list as name dicts and whether it ends in "and others"; an
    empty name (a trailing ``and``) is left out with a warning."""
    from ...model.names import trailing_and

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
        reason = latex.release(str(exc)).splitlines()
        reason = [line for line in reason if "Value error, " in line] or reason[:1]
        text = reason[0].split("Value error, ", 1)[-1].split(" [type=")[0].strip()
        raise EntryError(f"field '{field}': {text}") from None


_LONE_MACRO = re.compile(r"(\{)?\\([A-Za-z]+)\s*(?:\{\})?(?(1)\})")


def macro_names(value: str) -> tuple[str, dict[str, str]]:
    """``value`` with each name that is one macro nothing decodes (``\\Thanh``,
    which a file's ``@preamble`` defines) as a literal name of the macro's name
    (``{Thanh}``), and those names as written by their place in the list
    (``{"2": "\\Thanh"}``, for an export to write back)."""
    if "\\" not in value:
        return value, {}
    parts = _top_level_and(value)
    written = {}
    for k, part in enumerate(parts):
        m = _LONE_MACRO.fullmatch(part.strip())
        if m and not latex.decode(part).strip():
            written[str(k + 1)] = part.strip()
            parts[k] = "{" + m.group(2) + "}"
    if not written:
        return value, {}
    return " and ".join(parts), written


def _top_level_and(value: str) -> list[str]:
    """The names of a name list as written (split at ``and`` outside braces)."""
    parts, depth, start = [], 0, 0
    for m in re.finditer(r"[{}]|\s+and\s+", value, re.IGNORECASE):
        tok = m.group(0)
        if tok == "{" and value[m.start() - 1 : m.start()] != "\\":
            depth += 1
        elif tok == "}" and value[m.start() - 1 : m.start()] != "\\":
            depth -= 1
        elif tok not in "{}" and depth == 0:
            parts.append(value[start : m.start()])
            start = m.end()
    parts.append(value[start:])
    return parts


def _names_of(value: str) -> tuple[list[dict[str, Any]], bool]:
    from ...model import has_others, parse_names

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
