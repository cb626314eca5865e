"""CSL-JSON (what Zotero, pandoc and citeproc-js use) <-> citeshelf records.

Public API::

    record_from_csl(item: dict, *, key: str | None = None) -> BaseRecord
        One CSL-JSON item as a record. The key is ``key``, else the item's
        ``id`` (or ``citation-key``) when it is a valid key, else a key made
        from the id's letters and digits ("item" if none). Raises
        ``citeshelf.errors.InvalidData`` with a one-line reason.
    record_to_csl(record, *, book=None) -> dict
        One record as a CSL-JSON item. Give a chapter's ``book`` to write a
        self-contained item (the book's title, editors, publisher, date ...
        filled in, never its DOI or URL).
    records_from_csl(data) -> list[BaseRecord]      a list of items (or one item)
    load_csl(path) -> list[BaseRecord]              read a .json file
    dumps_csl(records, *, books=None) -> str        deterministic JSON text

Types come from the type table (:mod:`citeshelf.model.types`), which has a
row for every CSL 1.0.2 type: ``article-journal`` -> article,
``article-magazine`` -> magazine_article, ``entry-encyclopedia`` ->
encyclopedia_entry, ``dataset`` -> dataset ... and back. A type CSL does not
define is misc, the type kept in ``extra["csl_type"]`` (as are the CSL types
of records written before the table had them).

Every CSL variable has a row of :data:`FIELDS` (``archive_location`` ->
archive_location, ``reviewed-author`` -> reviewed_authors, ``genre`` -> genre,
a thesis's degree ...). Reading is lenient: a variable the model refuses
(pages "431-456, 791-823", an ISBN with a typo) is kept in ``extra`` under its
CSL name, as it came, and named in a warning; of several URLs the first is
the ``url``, the others are kept in ``extra["urls"]``.

Round trips lose nothing: anything else goes to ``extra``: a CSL variable
under its own name (it comes back as one), a member CSL does not define
(pandoc's ``other-ids``) in ``extra["csl_verbatim"]``, written back as it
came; a variable's older name (``event``) in ``extra["csl_aliases"]``, and
the keywords' and ISBNs' separator when a writer would not choose it
(``keyword_separator``, ``isbn_separator``); record fields CSL cannot
express (subtitle, which of the ``keyword`` words are tags, parent, et-al flags, a report's publisher beside its
institution ...) travel in ``custom.citeshelf`` of the item.
``<span class="nocase">`` marks protected letter case (``extra["protect"]``).

:data:`FIELDS` is the field table both directions use: one row per CSL
variable <-> record field, with the record types it applies to and its kind.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import InvalidData
from ..model.keyfiles import is_key
from ..model.types import TYPE_NAMES, TYPES, from_csl, types_of_model
from . import protect as _protect
from .entries import exported_keywords, join_keywords, kept_separator, split_keywords

__all__ = [
    "FIELDS",
    "record_from_csl",
    "record_to_csl",
    "records_from_csl",
    "load_csl",
    "dumps_csl",
    "CSL_TYPES_IN",
    "CSL_TYPE_OUT",
]

#: CSL type -> record type, and back: views of the type table
#: (:data:`citeshelf.model.types.TYPES`), which has a row for every CSL 1.0.2 type.
CSL_TYPES_IN: dict[str, str] = {t.csl: t.name for t in TYPES}
CSL_TYPE_OUT: dict[str, str] = {t.name: t.csl for t in TYPES}

#: CSL's name variables.
_NAME_VARS = frozenset(
    [
        "author",
        "chair",
        "collection-editor",
        "compiler",
        "composer",
        "container-author",
        "contributor",
        "curator",
        "director",
        "editor",
        "editorial-director",
        "editor-translator",
        "executive-producer",
        "guest",
        "host",
        "interviewer",
        "illustrator",
        "narrator",
        "organizer",
        "original-author",
        "performer",
        "producer",
        "recipient",
        "reviewed-author",
        "script-writer",
        "series-creator",
        "translator",
    ]
)
_DATE_VARS = frozenset(
    [
        "accessed",
        "available-date",
        "event-date",
        "issued",
        "original-date",
        "submitted",
    ]
)
#: CSL's name and date variables
NAME_VARIABLES = _NAME_VARS
DATE_VARIABLES = _DATE_VARS
#: CSL 1.0.2 variables (standard names); unmodelled ones are kept in extra.
CSL_VARIABLES = (
    _NAME_VARS
    | _DATE_VARS
    | frozenset(
        [
            "abstract",
            "annote",
            "archive",
            "archive_collection",
            "archive_location",
            "archive-place",
            "authority",
            "call-number",
            "chapter-number",
            "citation-key",
            "citation-label",
            "citation-number",
            "collection-number",
            "collection-title",
            "container-title",
            "container-title-short",
            "dimensions",
            "division",
            "DOI",
            "edition",
            "event",
            "event-place",
            "event-title",
            "first-reference-note-number",
            "genre",
            "ISBN",
            "ISSN",
            "jurisdiction",
            "keyword",
            "language",
            "license",
            "locator",
            "medium",
            "note",
            "number",
            "number-of-pages",
            "number-of-volumes",
            "original-publisher",
            "original-publisher-place",
            "original-title",
            "page",
            "page-first",
            "part-number",
            "part-title",
            "PMCID",
            "PMID",
            "printing",
            "printing-number",
            "publisher",
            "publisher-place",
            "references",
            "reviewed-genre",
            "reviewed-title",
            "scale",
            "section",
            "source",
            "status",
            "supplement-number",
            "title",
            "title-short",
            "URL",
            "version",
            "volume",
            "volume-title",
            "year-suffix",
            "categories",
            "shortTitle",
            "journalAbbreviation",
        ]
    )
)

_ALL_TYPES = frozenset(TYPE_NAMES)
_ARTICLES = types_of_model("article")
_WEBPAGES = types_of_model("webpage")


def _only(*types: str) -> frozenset[str]:
    return frozenset(types)


def _except(*types: str) -> frozenset[str]:
    return _ALL_TYPES - frozenset(types)


@dataclass(frozen=True)
class CslField:
    """One CSL variable <-> record field mapping."""

    var: str
    record: str
    #: how it is read and written: ``text`` (letter-case protection as
    #: ``<span class="nocase">``), ``title`` (text; a subtitle is appended on
    #: writing), ``names``, ``date``, ``isbn``, ``keywords``, ``fallback``
    #: (written only if no other row wrote the variable; never read)
    kind: str = "text"
    types: frozenset[str] = _ALL_TYPES
    #: False for a second variable read as the same field (written under the first)
    write: bool = True


_NO_INSTITUTION = _except("report", "thesis")
_CONTAINERS = _ALL_TYPES - _ARTICLES - _WEBPAGES

#: CSL name variables <-> record name lists beyond author, editor and translator.
_NAME_ROWS = (
    ("container-author", "container_authors"),
    ("collection-editor", "collection_editors"),
    ("compiler", "compilers"),
    ("composer", "composers"),
    ("contributor", "contributors"),
    ("curator", "curators"),
    ("director", "directors"),
    ("editorial-director", "editorial_directors"),
    ("editor-translator", "editor_translators"),
    ("executive-producer", "executive_producers"),
    ("chair", "chairs"),
    ("guest", "guests"),
    ("host", "hosts"),
    ("illustrator", "illustrators"),
    ("interviewer", "interviewers"),
    ("narrator", "narrators"),
    ("organizer", "organizers"),
    ("original-author", "original_authors"),
    ("performer", "performers"),
    ("producer", "producers"),
    ("recipient", "recipients"),
    ("reviewed-author", "reviewed_authors"),
    ("script-writer", "script_writers"),
    ("series-creator", "series_creators"),
)
#: CSL text and number variables <-> record fields of the same meaning.
_TEXT_ROWS = (
    ("volume-title", "volume_title"),
    ("part-number", "part_number"),
    ("part-title", "part_title"),
    ("supplement-number", "supplement_number"),
    ("printing-number", "printing_number"),
    ("section", "section"),
    ("version", "version"),
    ("medium", "medium"),
    ("dimensions", "dimensions"),
    ("scale", "scale"),
    ("original-title", "original_title"),
    ("original-publisher", "original_publisher"),
    ("original-publisher-place", "original_publisher_place"),
    ("reviewed-title", "reviewed_title"),
    ("reviewed-genre", "reviewed_genre"),
    ("archive", "archive"),
    ("archive_collection", "archive_collection"),
    ("archive_location", "archive_location"),
    ("archive-place", "archive_place"),
    ("call-number", "call_number"),
    ("authority", "authority"),
    ("jurisdiction", "jurisdiction"),
    ("division", "division"),
    ("license", "license"),
    ("references", "references"),
    ("source", "source"),
    ("PMID", "pmid"),
    ("PMCID", "pmcid"),
    ("annote", "annote"),
)

#: The field table, in the order an item's variables are written.
FIELDS: tuple[CslField, ...] = (
    CslField("title", "title", "title"),
    CslField("author", "authors", "names"),
    CslField("editor", "editors", "names"),
    CslField("translator", "translators", "names"),
    *(CslField(var, record, "names") for var, record in _NAME_ROWS),
    CslField("issued", "issued", "date"),
    CslField("accessed", "accessed", "date"),
    CslField("original-date", "original_date", "date"),
    CslField("event-date", "event_date", "date"),
    CslField("available-date", "available_date", "date"),
    CslField("submitted", "submitted", "date"),
    CslField("status", "status"),
    CslField("title-short", "short_title"),
    CslField("shortTitle", "short_title", write=False),
    CslField("publisher", "publisher", types=_NO_INSTITUTION),
    CslField("publisher", "institution", types=_only("report", "thesis")),
    CslField("publisher-place", "place"),
    CslField("edition", "edition"),
    CslField("volume", "volume"),
    CslField("number-of-volumes", "number_of_volumes"),
    CslField("collection-title", "series"),
    CslField("collection-number", "collection_number"),
    CslField("language", "language"),
    CslField("DOI", "doi"),
    CslField("URL", "url", "url"),
    CslField("abstract", "abstract"),
    CslField("note", "note"),
    CslField("number-of-pages", "number_of_pages"),
    CslField("container-title", "container_title", types=_CONTAINERS),
    CslField("container-title", "journal", types=_ARTICLES),
    CslField("container-title", "site", types=_WEBPAGES),
    CslField("container-title-short", "container_title_short"),
    CslField("journalAbbreviation", "container_title_short", write=False),
    CslField("chapter-number", "chapter"),
    CslField("issue", "issue"),
    CslField("page", "pages"),
    CslField("ISSN", "issn"),
    CslField("number", "number"),
    CslField("genre", "degree", types=_only("thesis")),
    CslField("genre", "genre", types=_except("thesis")),
    CslField("event-title", "event"),
    CslField("event", "event", write=False),
    CslField("event-place", "event_place"),
    *(CslField(var, record) for var, record in _TEXT_ROWS),
    # a report's or thesis's publisher beside its institution
    CslField("publisher", "publisher", "fallback", _only("report", "thesis")),
    CslField("ISBN", "isbn", "isbn"),
    CslField("keyword", "keywords", "keywords"),
)


#: a second name of a variable (read as the same field) -> the name written
_ALIASES: dict[str, str] = {
    f.var: next(g.var for g in FIELDS if g.record == f.record and g.write)
    for f in FIELDS
    if not f.write
}


@cache
def _rows(rtype: str) -> tuple[CslField, ...]:
    return tuple(f for f in FIELDS if rtype in f.types)


@cache
def _read_map(rtype: str) -> dict[str, CslField]:
    """CSL variable -> the row it is read by, for a record type."""
    return {f.var: f for f in _rows(rtype) if f.kind != "fallback"}


_KEY_BAD = re.compile(r"[^A-Za-z0-9_.+-]+")


# --------------------------------------------------------------------------
# reading


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        # some exporters write lists for ISBN/ISSN (Crossref's "ISSN": [print,
        # electronic]): one text, as Zotero holds several
        parts = [_text(v) for v in value]
        return ", ".join(p for p in parts if p) or None
    return None


def _strip_nocase(text: str) -> tuple[str, list[str]]:
    """CSL rich text as citeshelf's (:mod:`citeshelf.model.richtext`): its
    ``<i>``, ``<b>``, ``<sc>`` (or the small-caps span), ``<sup>``, ``<sub>``
    kept; ``<span class="nocase">`` taken out as protected phrases (the
    record keeps them in ``extra["protect"]``); a tag that does not pair up
    is text."""
    from ..model import richtext

    if not richtext.has_markup(text):
        return text, []
    phrases: list[str] = []

    def unwrap(nodes: list[Any]) -> list[Any]:
        out: list[Any] = []
        for node in nodes:
            if isinstance(node, str) or node.tag in richtext.ATOMS:
                out.append(node)
            elif node.tag == "nocase":
                phrases.append(richtext.text_of(node.children))
                out.extend(unwrap(node.children))
            else:
                node.children = unwrap(node.children)
                out.append(node)
        return out

    nodes = unwrap(richtext.parse(text))
    return richtext.serialize(nodes), [p for p in phrases if p]


def _csl_text(text: str) -> str:
    """citeshelf's rich text as CSL's: the tags citeproc-js knows as they are,
    quoted text in quotation marks, math and TeX as their plain text (what
    CSL cannot say travels in ``custom``, as for every field)."""
    from ..model import richtext

    if not richtext.has_markup(text):
        return text

    def walk(nodes: list[Any], depth: int) -> str:
        out = []
        for node in nodes:
            if isinstance(node, str):
                out.append(node)
            elif node.tag in richtext.ATOMS:
                out.append(richtext.tex_plain(node.source, math=node.tag == "math"))
            elif node.tag == "q":
                marks = ("“", "”") if depth % 2 == 0 else ("‘", "’")
                out.append(marks[0] + walk(node.children, depth + 1) + marks[1])
            else:
                inner = walk(node.children, depth)
                opening = _OPEN_TAG.get(node.tag) or richtext.TAGS[node.tag]
                out.append(opening + inner + _CLOSE_TAG[node.tag])
        return "".join(out)

    return walk(richtext.parse(text), 0)


#: CSL 1.0.2's own markup for small caps (citeproc-js also reads ``<sc>``)
_OPEN_TAG = {"sc": '<span style="font-variant:small-caps;">'}
_CLOSE_TAG = {"i": "</i>", "b": "</b>", "sc": "</span>", "sup": "</sup>", "sub": "</sub>"}
_CLOSE_TAG["nocase"] = "</span>"


def _person(name: Any) -> dict[str, Any] | None:
    if isinstance(name, str):
        return {"literal": name} if name.strip() else None
    if not isinstance(name, Mapping):
        return None
    # "short": an organisation's abbreviation ("WHO"), which CSL 1.0.2 has no
    # member for; citeshelf reads it where a file gives it (as citeshelf's
    # own custom data does)
    short = _text(name.get("short"))
    if name.get("literal"):
        literal = {"literal": str(name["literal"]), "short": short}
        return {k: v for k, v in literal.items() if v}
    family = _text(name.get("family"))
    given = _text(name.get("given"))
    if not family:
        if given:  # a mononym such as "Plato"
            return {"literal": given}
        return None
    out = {
        "family": family,
        "given": given,
        "particle": _text(name.get("non-dropping-particle")),
        "dropping_particle": _text(name.get("dropping-particle")),
        "suffix": _text(name.get("suffix")),
        "static_ordering": name.get("static-ordering") is True or None,
        "short": short,
    }
    return {k: v for k, v in out.items() if v}


_SEASON_NAMES = {"spring": 1, "summer": 2, "autumn": 3, "fall": 3, "winter": 4}


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _csl_point(parts: Any, season: Any = None, circa: bool = False) -> dict[str, Any] | None:
    """One list of date-parts (and the date's season and circa) as Date data."""
    if not isinstance(parts, list):
        return None
    while parts and parts[-1] in ("", None):
        parts = parts[:-1]  # ["2000", "", ""]: 2000, as citeproc-js reads it
    if not parts:
        return None
    nums = [_int(p) for p in parts[:3]]
    if None in nums or len(parts) > 3:
        return None
    # CSL numbers a year before the common era as a negative year (-350 is
    # 350 BC); EDTF and the record have a year 0 (1 BCE), so -350 is -349
    year = nums[0] or 0
    out: dict[str, Any] = {"year": year + 1 if year < 0 else year}
    if len(nums) > 1:
        month = nums[1] or 0
        if 13 <= month <= 16 or 21 <= month <= 24:  # citeproc-js and EDTF seasons
            out["season"] = month - 12 if month <= 16 else month - 20
        else:
            out["month"] = nums[1]
        if len(nums) > 2:
            out["day"] = nums[2]
    if season is not None and "month" not in out and "season" not in out:
        number = _int(season)
        if number is None and isinstance(season, str):
            number = _SEASON_NAMES.get(season.strip().lower())
        if number is None:
            return None
        out["season"] = number
    if circa:
        out["approximate"] = True
    return out


def _no_end(parts: list[Any]) -> bool:
    """Whether a range's end is citeproc-js's "open": a year 0 and nothing
    else ([0], ["0", "", ""]), as the test suite's date_TextFormYeardateYearRangeOpen
    writes it."""
    return bool(parts) and _int(parts[0]) == 0 and all(p in ("", None, 0, "0") for p in parts[1:])


def _date(value: Any) -> Any:
    """A CSL date object as a record's date (EDTF text or ``{"literal": ...}``), or None."""
    from pydantic import ValidationError

    from ..model import Date

    if isinstance(value, str):
        value = {"raw": value}
    if not isinstance(value, Mapping):
        return None
    parts = value.get("date-parts")
    try:
        if isinstance(parts, list) and parts and parts[0]:
            circa = bool(value.get("circa"))
            start = _csl_point(parts[0], value.get("season"), circa)
            if start is None:
                return None
            if len(parts) > 1 and isinstance(parts[1], list) and _no_end(parts[1]):
                start["open_end"] = True  # [[1987], [0]]: "1987–", as citeproc-js reads it
            elif len(parts) > 1 and parts[1]:
                end = _csl_point(parts[1], None, circa)
                if end is None:
                    return None
                start["end"] = end
            return Date.model_validate(start).model_dump()
        text = value.get("raw") or value.get("literal")
        if isinstance(text, str) and text.strip():
            if isinstance(value.get("raw"), str):
                return Date.lenient(text)[0].model_dump()
            return Date.literal_of(text).model_dump()
    except ValidationError:
        return None
    return None


def _csl_date(date: Any) -> dict[str, Any]:
    """A record's date as a CSL date object: date-parts (two for a range, the end
    cut to the start's parts), season, circa; a literal date as ``literal``."""
    if date.literal is not None:
        return {"literal": date.literal}

    def parts(d: Any) -> list[int]:
        # a year before the common era as CSL numbers it (EDTF -0349 is -350)
        year = d.year - 1 if d.year <= 0 else d.year
        return [year, *(p for p in (d.month, d.day) if p)]

    out: dict[str, Any] = {"date-parts": [parts(date)]}
    if date.end is not None:
        first, last = parts(date), parts(date.end)
        n = min(len(first), len(last))
        out["date-parts"] = [first[:n], last[:n]]
    elif date.open_end:
        out["date-parts"].append([0])  # citeproc-js's open range: "1987–"
    if date.season:
        out["season"] = date.season
    if date.approximate or date.uncertain:
        out["circa"] = True
    return out


def _date_as_read(raw: Any, date: Any) -> dict[str, Any] | None:
    """The CSL date object a record's date was read from (kept in ``extra``
    by :func:`_read_date` when :func:`_csl_date` writes it otherwise: a
    season as month 24, ``[[1928, 24]]``), while it still reads as that date."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("date-parts"), list):
        return None
    from ..model import Date

    parsed = _date(raw)
    if parsed is None or Date.model_validate(parsed) != date:
        return None
    return dict(raw)


def _date_is_exact(value: Any, text: Any) -> bool:
    """True if the record's date ``text`` says everything the CSL date object said."""
    if text is None or not isinstance(value, Mapping):
        return False
    from ..model import Date

    return _csl_date(Date.model_validate(text)) == {
        k: ([[_int(p) for p in ps] for ps in v] if k == "date-parts" else v)
        for k, v in value.items()
    }


def _clean_key(item: Mapping[str, Any], key: str | None) -> tuple[str, str | None]:
    """(key, original id if it had to change). An id is the key as it is
    (``baez/article``, ``李2020``) unless no key can be that text, or it is a
    URI (Zotero's item URIs are no citation keys)."""
    if key:
        return key, None
    for name in ("id", "citation-key"):
        raw = item.get(name)
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            raw = str(raw)
        if isinstance(raw, str) and is_key(raw) and "://" not in raw:
            return raw, None
    raw = item.get("id")
    raw_text = str(raw) if raw is not None else ""
    cleaned = _KEY_BAD.sub("-", raw_text).strip("-_:.+")[:128]
    if not cleaned or not cleaned[0].isalnum():
        cleaned = "item" + (("-" + cleaned) if cleaned else "")
    return cleaned[:128], (raw_text or None)


def _item_type(item: Mapping[str, Any]) -> tuple[str, str]:
    """(the CSL type, the record type)."""
    csl_type = str(item.get("type") or "document")
    return csl_type, from_csl(csl_type) or "misc"


def _read_title(var: str, value: Any, row: CslField, data: dict, extra: dict) -> None:
    text = _text(value)
    if text:
        text, phrases = _strip_nocase(text)
        data[row.record] = text
        _protect.add_protected(extra, row.record, phrases)


def _read_text(var: str, value: Any, row: CslField, data: dict, extra: dict) -> None:
    text = _text(value)
    if text is None:
        extra[var] = value
        return
    text, phrases = _strip_nocase(text)
    data[row.record] = text
    _protect.add_protected(extra, row.record, phrases)


def _read_names(var: str, value: Any, row: CslField, data: dict, extra: dict) -> None:
    people = value if isinstance(value, list) else [value]
    parsed = [_person(p) for p in people]
    if all(p is not None for p in parsed):
        data[row.record] = parsed
    else:
        extra[var] = value


def _read_date(var: str, value: Any, row: CslField, data: dict, extra: dict) -> None:
    text = _date(value)
    if text:
        data[row.record] = text
    if not _date_is_exact(value, text):
        extra[var] = value


def _read_url(var: str, value: Any, row: CslField, data: dict, extra: dict) -> None:
    """``URL``: one URL; of a list (some exporters write several), the first,
    the others kept in ``extra["urls"]`` (as the RIS reader keeps them)."""
    if isinstance(value, list):
        urls = [u for u in (_text(v) for v in value) if u]
        if urls:
            data[row.record] = urls[0]
        if len(urls) > 1:
            extra["urls"] = urls[1:]
        return
    _read_text(var, value, row, data, extra)


def _read_isbn(var: str, value: Any, row: CslField, data: dict, extra: dict) -> None:
    """``ISBN``: one or more ISBNs (the model reads them); what separates them
    is kept when it is not a space (``extra["isbn_separator"]``), so that they
    are written back as they came."""
    text = _text(value)
    if text:
        data[row.record] = text
        from ..model.identifiers import isbn_separator

        sep = isbn_separator(text)
        if sep and sep != " ":
            extra["isbn_separator"] = sep


def _read_keywords(var: str, value: Any, row: CslField, data: dict, extra: dict) -> None:
    """``keyword``: split on the separator the item uses (``;`` where there is
    one, else ``,``), which is kept when a writer would not choose it."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        words = [w.strip() for w in value if w.strip()]
        if words:
            data[row.record] = words
        return
    text = _text(value)
    if text:
        words, sep = split_keywords(text)
        data[row.record] = words
        kept = kept_separator(words, sep)
        if kept:
            extra["keyword_separator"] = kept


_Reader = Callable[[str, Any, CslField, dict, dict], None]

#: kind -> how a variable of that kind is read
_READERS: dict[str, _Reader] = {
    "title": _read_title,
    "text": _read_text,
    "names": _read_names,
    "date": _read_date,
    "isbn": _read_isbn,
    "keywords": _read_keywords,
    "url": _read_url,
}


def _standard_data(
    item: Mapping[str, Any], key: str | None = None, sources: dict[str, str] | None = None
) -> dict[str, Any]:
    """The record data a CSL item's standard variables give (no ``custom``
    overrides); ``sources`` gets record field -> the variable it came from."""
    csl_type, rtype = _item_type(item)
    rkey, original_id = _clean_key(item, key)
    data: dict[str, Any] = {"type": rtype, "key": rkey}
    extra: dict[str, Any] = {}
    if csl_type != CSL_TYPE_OUT[rtype]:  # a type CSL does not define, kept
        extra["csl_type"] = csl_type
    if original_id is not None:
        extra["csl_id"] = original_id
    rows = _read_map(rtype)
    aliases: list[str] = []
    for var, value in item.items():
        if var in ("id", "type", "custom") or (var == "citation-key" and value == rkey):
            continue
        row = rows.get(var)
        if row is None:
            if var in CSL_VARIABLES:
                extra[var] = value
            else:  # no CSL variable: kept as it came, written back
                extra.setdefault("csl_verbatim", {})[var] = value
        else:
            if var in _ALIASES and _ALIASES[var] not in item:
                aliases.append(var)
            _READERS[row.kind](var, value, row, data, extra)
            if sources is not None and row.record in data:
                sources[row.record] = var
    if aliases:
        extra["csl_aliases"] = aliases
    if rtype == "chapter" and not data.get("container_title"):
        data["container_title"] = None  # validation reports the missing container
    if extra:
        data["extra"] = extra
    return data


def _bookless_chapter(data: dict[str, Any]) -> bool:
    """A chapter that names no book (pandoc's ``@inbook`` with no booktitle,
    whose title is the book's) is read as a book, its CSL type kept: whether
    ``data`` was one."""
    if data["type"] != "chapter" or data.get("container_title") or data.get("parent"):
        return False
    data["type"] = "book"
    data["extra"] = {**(data.get("extra") or {}), "csl_type": "chapter"}
    return True


def _validate_lenient(
    data: dict[str, Any],
    item: Mapping[str, Any],
    sources: Mapping[str, str],
    where: str,
    warnings: list[str] | None,
) -> Any:
    """The record; a variable whose value the model refuses (pages such as
    "431-456, 791-823", an ISBN with a typo, a date that is none) is kept in
    ``extra`` under its CSL name, as it came, with a warning naming it, as
    the BibTeX reader does: one field never costs the item."""
    from pydantic import ValidationError

    from ..model import describe_validation_error, parse_record_lenient

    kept: list[str] = []

    def keep(field: str, why: str) -> bool:
        var = sources.get(field)
        if var is None:
            return False
        data.setdefault("extra", {})[var] = item[var]
        del data[field]
        kept.append(f"field '{var}' kept in extra: {why}")
        return True

    try:
        record = parse_record_lenient(data, keep)
    except ValidationError as exc:
        raise InvalidData(describe_validation_error(exc, where)) from None
    if warnings is not None:
        warnings.extend(kept)
    return record


def record_from_csl(
    item: Mapping[str, Any],
    *,
    key: str | None = None,
    where: str | None = None,
    warnings: list[str] | None = None,
):
    """One CSL-JSON item as a record (see the module docstring). A variable
    the model refuses is kept in ``extra`` and a warning appended to
    ``warnings`` (see :func:`_validate_lenient`)."""
    from ..limits import check_shape

    if not isinstance(item, Mapping):
        raise InvalidData(f"{where or 'CSL-JSON'}: an item must be a JSON object")
    try:
        check_shape(item)
    except ValueError as exc:  # deep nesting, a huge integer, a lone surrogate
        raise InvalidData(f"{where or 'CSL-JSON'}: invalid data: {exc}") from None
    sources: dict[str, str] = {}
    data = _standard_data(item, key, sources)
    if warnings is not None:
        rows = _read_map(data["type"])
        for var, value in item.items():
            row = rows.get(var)
            if row is not None and row.kind == "date" and row.record not in data and value:
                warnings.append(
                    f"field '{var}' kept in extra: {json.dumps(value, ensure_ascii=False)[:80]} "
                    "is no date CSL describes (date-parts of year, month 1-12 or season "
                    "13-16/21-24, day; or a literal)"
                )
    custom = item.get("custom")
    if isinstance(custom, Mapping) and isinstance(custom.get("citeshelf"), Mapping):
        for name, value in custom["citeshelf"].items():
            sources.pop(name, None)  # what citeshelf wrote is no import to be lenient with
            if value is None:
                data.pop(name, None)
            else:
                data[name] = value
    if not data.get("extra"):
        data.pop("extra", None)
    if isinstance(custom, Mapping):
        rest = {k: v for k, v in custom.items() if k != "citeshelf"}
        if rest:
            data.setdefault("extra", {})["custom"] = rest
    if _bookless_chapter(data) and warnings is not None:
        warnings.append("a chapter with no container-title: read as a book (type kept)")
    label = where or f"CSL-JSON item '{data['key']}'"
    return _validate_lenient(data, item, sources, label, warnings)


def records_from_csl(
    data: Any, *, where: str = "CSL-JSON", warnings: list[str] | None = None
) -> list:
    """A list of items (or a single item) as records; ``warnings`` gets one
    line per variable kept in extra, naming the item."""
    if isinstance(data, Mapping) and ("type" in data or "id" in data):
        data = [data]
    if not isinstance(data, list):
        raise InvalidData(f"{where}: expected a JSON array of CSL items (objects with id and type)")
    out = []
    for i, item in enumerate(data):
        got: list[str] = []
        out.append(record_from_csl(item, where=f"{where}: item {i + 1}", warnings=got))
        if warnings is not None:
            warnings.extend(f"{where}: item {i + 1} ('{out[-1].key}'): {w}" for w in got)
    return out


def read_json_file(p: Path) -> Any:
    """A JSON file's data; a file that is not JSON, or JSON over the limits of
    :mod:`citeshelf.limits` (nesting, integer digits, lone surrogates, size),
    is InvalidData naming the place."""
    from ..limits import check_import_size, loads_limited

    check_import_size(p)
    try:
        return loads_limited(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InvalidData(
            f"{p}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except UnicodeDecodeError as exc:
        raise InvalidData(f"{p}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except ValueError as exc:  # over a limit of citeshelf.limits
        raise InvalidData(f"{p}: invalid data: {exc}") from None


def load_csl(path: str | Path) -> list:
    """Read a CSL-JSON file (an array of items) into records."""
    p = Path(path)
    return records_from_csl(read_json_file(p), where=str(p))


# --------------------------------------------------------------------------
# writing


def _csl_name(person: Any) -> dict[str, Any]:
    if person.literal:
        return {"literal": person.literal}
    out: dict[str, Any] = {"family": person.family}
    if person.given:
        out["given"] = person.given
    if person.dropping_particle:
        out["dropping-particle"] = person.dropping_particle
    if person.particle:
        out["non-dropping-particle"] = person.particle
    if person.suffix:
        out["suffix"] = person.suffix
    if person.static_ordering:
        out["static-ordering"] = True
    return out


def _nocase(extra: Mapping[str, Any], field: str, text: str) -> str:
    """A text field as CSL rich text, its protected phrases in ``<span class="nocase">``."""
    from ..model import richtext

    phrases = _protect.protected_phrases(extra, field)
    if phrases:
        spans = _protect.find_spans(richtext.plain(text), phrases)
        text = richtext.wrap_spans(text, spans)
    return _csl_text(text)


def _write_row(
    record: Any, row: CslField, data: Mapping[str, Any], item: dict, extra: dict
) -> None:
    """One row of the field table into the item (``data``: the record as JSON)."""
    if row.kind == "title":
        if record.title:
            title = _nocase(extra, "title", record.title)
            if record.subtitle:
                title = f"{title}: {_csl_text(record.subtitle)}"
            item[row.var] = title
    elif row.kind == "names":
        people = getattr(record, row.record)
        if people:
            item[row.var] = [_csl_name(p) for p in people]
    elif row.kind == "date":
        value = getattr(record, row.record)
        if value:
            item[row.var] = _date_as_read(extra.get(row.var), value) or _csl_date(value)
    elif row.kind == "isbn":
        if record.isbn:
            sep = extra.get("isbn_separator")
            item[row.var] = (sep if isinstance(sep, str) else " ").join(record.isbn)
    elif row.kind == "keywords":  # the keywords, then the tags
        words = exported_keywords(record)
        if words:
            item[row.var] = join_keywords(words, extra.get("keyword_separator"))
    elif row.kind == "fallback":
        if row.var not in item and getattr(record, row.record):
            item[row.var] = getattr(record, row.record)
    else:
        value = data.get(row.record)
        if value is None:
            return
        if row.record == "pages":
            value = str(value).replace("\u2013", "-")
        elif row.record == "degree":  # "phd" -> "PhD dissertation"
            from ..model.degrees import degree_label

            value = degree_label(str(value))
        item[row.var] = _nocase(extra, row.record, str(value))


def _plain_item(record: Any) -> dict[str, Any]:
    """The CSL item of a record's standard mapping (no ``custom``)."""
    data = record.to_json_dict()
    extra: dict[str, Any] = dict(data.get("extra") or {})
    rtype = record.type
    item: dict[str, Any] = {"id": record.key, "type": extra.get("csl_type") or CSL_TYPE_OUT[rtype]}
    for row in _rows(rtype):
        if row.write:
            _write_row(record, row, data, item, extra)
    for name, value in extra.items():
        if name in CSL_VARIABLES and name not in item:
            item[name] = value
    aliases = extra.get("csl_aliases")
    for alias in aliases if isinstance(aliases, list) else ():
        if _ALIASES.get(alias) in item and alias not in item:
            item[alias] = item.pop(_ALIASES[alias])
    verbatim = extra.get("csl_verbatim")
    if isinstance(verbatim, Mapping):
        for name, value in verbatim.items():
            if name not in item and name not in ("id", "type", "custom"):
                item[name] = value
    if "custom" in extra and isinstance(extra["custom"], Mapping):
        item["custom"] = dict(extra["custom"])
    return item


def _diff(want: Mapping[str, Any], got: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in sorted(set(want) | set(got)):
        if name in ("key", "type"):
            continue
        if want.get(name) != got.get(name):
            out[name] = want.get(name)
    return out


def record_to_csl(record: Any, *, book: Any = None) -> dict[str, Any]:
    """One record as a CSL-JSON item (see the module docstring)."""
    from ..model.inherit import chapter_view
    from ..model.order import TIE_ORDER

    if book is not None and record.parent:
        record = chapter_view(record, book, "csl-json")
    item = _plain_item(record)
    # What a reader would rebuild from the standard variables; anything else
    # travels in custom.citeshelf.
    want = record.to_json_dict()
    # the tie order is the order of the items themselves (an import notes it again)
    if "custom" in want.get("extra", {}) or TIE_ORDER in want.get("extra", {}):
        unsaid = ("custom", TIE_ORDER)
        want["extra"] = {k: v for k, v in want["extra"].items() if k not in unsaid}
        if not want["extra"]:
            del want["extra"]
    plain = {k: v for k, v in item.items() if k != "custom"}
    sources: dict[str, str] = {}
    check = _standard_data(plain, record.key, sources)
    if want.get("parent"):  # CSL has no parent link: it travels in custom
        check["parent"] = want["parent"]
    _bookless_chapter(check)
    try:
        # read back as an import reads it (a value the model refuses, kept in
        # extra, costs that variable only, not the whole record in custom)
        got = _validate_lenient(check, plain, sources, "check", None).to_json_dict()
    except InvalidData:
        got = {}
    if got.get("type") != want.get("type"):
        got = {}
    overrides = _diff(want, got)
    if want.get("parent"):
        overrides["parent"] = want["parent"]
        overrides = dict(sorted(overrides.items()))
    if overrides:
        custom = dict(item.get("custom") or {})
        custom["citeshelf"] = overrides
        item["custom"] = custom
    return item


def dumps_csl(records: Iterable[Any], *, books: Mapping[str, Any] | None = None) -> str:
    """Records as a CSL-JSON array: 2-space indent, UTF-8, trailing newline.

    ``books`` maps a chapter's parent key to the book record, so chapters are
    written self-contained.
    """
    books = books or {}
    items = []
    for r in records:
        parent = getattr(r, "parent", None)
        items.append(record_to_csl(r, book=books.get(parent) if parent else None))
    return dumps_json(items) + "\n"


_JSON_CONTROLS = re.compile("[\x7f-\x9f\u2028\u2029]")


def dumps_json(data: Any) -> str:
    """JSON as CSL-JSON is written: UTF-8 text, 2-space indent; DEL, the C1
    controls and the line and paragraph separators escaped (``\\u009b``)
    as JSON escapes the C0 controls, so the file holds the same data and
    nothing a terminal or a JavaScript reader acts on."""
    from ..jsontext import dumps_indented

    text = dumps_indented(data)
    if _JSON_CONTROLS.search(text):
        text = _JSON_CONTROLS.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
    return text
