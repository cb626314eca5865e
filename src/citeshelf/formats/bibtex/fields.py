"""BibTeX/BibLaTeX field and entry-type tables, shared by the reader and the writer.

:data:`FIELDS` holds one row per field mapping: the record field, the BibTeX
name classic BibTeX writes, the BibLaTeX name when it differs, the other names
read as the same field, the record types it applies to and how its value is
written (``kind``). The reader maps a BibTeX field to a record field with
:func:`read_map`; the writer walks :func:`write_rows` in table order.
Dates (``year``/``month``/``day``/``date``), ``crossref``/``xref`` and
``isbn-others`` are handled by steps of their own.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from ...model.types import TYPE_NAMES, TYPES, from_bibtex, types_of_model, work_type


def read_type(etype: str, subtype: str | None) -> tuple[str, bool, bool]:
    """(record type, whether ``entrysubtype`` chose it, whether the entry type
    is the one the writer gives that record type back) of an entry: the type
    table of :mod:`citeshelf.model.types` read backwards."""
    rtype, by_subtype = from_bibtex(etype, subtype)
    row = work_type(rtype)
    return rtype, by_subtype, etype in (row.biblatex, row.bibtex)


#: biber's default data model's entry types and aliases, and the types of
#: biblatex styles in TeX Live (biblatex-chicago, -apa, -gost ...): an entry
#: type outside these and the type table is read as misc, with a warning.
KNOWN_ENTRY_TYPES = frozenset(
    [
        "article",
        "artwork",
        "audio",
        "bibnote",
        "book",
        "bookinbook",
        "booklet",
        "collection",
        "commentary",
        "customa",
        "customb",
        "customc",
        "customd",
        "custome",
        "customf",
        "dataset",
        "image",
        "inbook",
        "incollection",
        "inproceedings",
        "inreference",
        "jurisdiction",
        "legal",
        "legislation",
        "letter",
        "manual",
        "misc",
        "movie",
        "music",
        "mvbook",
        "mvcollection",
        "mvproceedings",
        "mvreference",
        "online",
        "patent",
        "performance",
        "periodical",
        "proceedings",
        "reference",
        "report",
        "review",
        "set",
        "software",
        "standard",
        "suppbook",
        "suppcollection",
        "suppperiodical",
        "thesis",
        "unpublished",
        "video",
        "xdata",
        "conference",
        "electronic",
        "mastersthesis",
        "phdthesis",
        "techreport",
        "www",
        "presentation",
        "interview",
    ]
)


def etype_written(rtype: str, biblatex: bool) -> str:
    """The entry type the table gives a record type (a thesis: see :func:`thesis_etype`)."""
    row = work_type(rtype)
    return row.biblatex if biblatex else row.bibtex


def entry_types_read() -> frozenset[str]:
    """Every entry type the table reads as a type other than misc."""
    from ...model.types import BIBTEX_IN

    return frozenset({t.biblatex for t in TYPES} | {t.bibtex for t in TYPES} | set(BIBTEX_IN))


#: entry type -> record type, with no ``entrysubtype`` (a view of the type table)
TYPES_IN: dict[str, str] = {etype: from_bibtex(etype)[0] for etype in sorted(entry_types_read())}

# Theses: the entry type and ``type`` field of a degree (citeshelf.model.degrees).
_THESIS_ETYPES = frozenset({"phdthesis", "mastersthesis", "thesis"})
_GENERIC_THESIS = "Thesis"  # classic BibTeX's type field of a thesis with no degree


def thesis_etype(degree: str | None, biblatex: bool) -> str:
    """The entry type of a thesis: biblatex's @thesis; for classic BibTeX the
    degree's (@phdthesis / @mastersthesis)."""
    from ...model.degrees import DEGREES

    if biblatex:
        return "thesis"
    known = DEGREES.get(degree or "")
    if known is not None:
        return known.bibtex
    return "mastersthesis" if "master" in (degree or "").lower() else "phdthesis"


def thesis_type_field(degree: str | None, etype: str) -> str | None:
    """The ``type`` field a thesis of ``degree`` needs in an entry of ``etype``
    (None when the entry type says it all: @phdthesis for a PhD)."""
    from ...model.degrees import DEGREES

    known = DEGREES.get(degree or "")
    if known is None:
        if degree is None and etype in ("phdthesis", "mastersthesis"):
            return _GENERIC_THESIS  # @phdthesis alone would say PhD
        return degree
    if etype == known.bibtex:
        return known.bibtex_type
    if etype == "thesis":
        return known.biblatex
    return known.label


def thesis_degree_read(etype: str, type_field: str | None) -> str | None:
    """The degree a thesis entry gives: its ``type`` field (a degree of the
    vocabulary, biblatex's phdthesis/mathesis, "Thesis": none, else the text),
    else what @phdthesis / @mastersthesis say."""
    from ...model.degrees import degree_name

    if type_field:
        if type_field.strip().lower() == _GENERIC_THESIS.lower():
            return None
        return degree_name(type_field) or type_field
    return {"phdthesis": "phd", "mastersthesis": "masters"}.get(etype)


#: entry types of a part whose ``title`` is the book's when there is no
#: ``booktitle`` (classic BibTeX's @inbook; biblatex-chicago's MLA-style
#: @suppbook, an introduction or afterword cited by the book's title)
BOOK_TITLED_PARTS = ("inbook", "suppbook", "suppcollection")

#: Record fields whose letter case styles may change, so capitals are protected.
CASED_FIELDS = (
    "title",
    "subtitle",
    "short_title",
    "container_title",
    "series",
    "event",
    "main_title",
    "main_subtitle",
    "volume_title",
    "part_title",
    "original_title",
    "reviewed_title",
)

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_PREDEFINED = dict(zip(_MONTHS, _MONTH_NAMES))
_MONTH_WORD = re.compile(
    r"^(?:\d{1,2}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)\.?|january|february|"
    r"march|april|june|july|august|september|october|november|december)$",
    re.IGNORECASE,
)

# Fields whose text is not LaTeX (kept as written, only "\_" "\%" "\&" "\#" unescaped).
_VERBATIM = frozenset(
    [
        "url",
        "urlraw",
        "file",
        "pdf",
        "eprint",
        "doi",
        "verba",
        "verbb",
        "verbc",
        "bdsk-url-1",
        "bdsk-url-2",
        "bdsk-file-1",
        "bdsk-file-2",
        "local-url",
        "ids",  # entry keys (biber's datatype entrykey), not LaTeX: baez_1992
    ]
)
_IDENTIFIERS = frozenset({"doi", "url", "isbn", "issn"})

#: How a row's value is written (the reader decodes every kind as LaTeX text,
#: except cased fields, verbatim fields and name lists):
#: ``text`` LaTeX-encoded; ``cased`` encoded with its protected phrases braced;
#: ``raw`` as it is; ``list`` joined by ", "; ``keywords`` the keywords and
#: the tags joined by ", " (``tags`` is only read: old exports wrote it);
#: ``pages`` "start--end";
#: ``names`` a name list; ``isbn`` the first ISBN (the others in
#: ``isbn-others``); ``date`` EDTF (ISO 8601-2, as biblatex reads it);
#: ``status`` a biblatex ``pubstate`` key ("inpress") or the text. ``title``, ``container``, ``degree`` and
#: ``site`` are text whose name or presence depends on the entry (see the writer).
KINDS = frozenset(
    ["text", "cased", "raw", "list", "keywords", "tags", "pages", "names", "isbn", "date"]
    + ["status"]
    + ["title", "container", "degree", "site"]
)


class Field:
    """One BibTeX/BibLaTeX field <-> record field mapping (a plain class:
    dataclasses cost import time)."""

    __slots__ = ("record", "bibtex", "biblatex", "aliases", "types", "kind")

    def __init__(
        self,
        record: str,
        bibtex: str,
        biblatex: str | None = None,
        *,
        aliases: tuple[str, ...] = (),
        types: frozenset[str] | None = None,
        kind: str = "text",
    ) -> None:
        self.record = record
        self.bibtex = bibtex
        #: the name BibLaTeX writes, when it is not ``bibtex``
        self.biblatex = biblatex
        #: other names read as this field
        self.aliases = aliases
        #: the record types it applies to (None: all)
        self.types = types
        self.kind = kind

    def __repr__(self) -> str:
        return f"Field({self.record!r}, {self.bibtex!r}, kind={self.kind!r})"

    def name(self, biblatex: bool) -> str:
        """The name this field is written under."""
        return (self.biblatex or self.bibtex) if biblatex else self.bibtex

    @property
    def names_read(self) -> tuple[str, ...]:
        """Every BibTeX name read as this field."""
        both = (self.bibtex, self.biblatex) if self.biblatex else (self.bibtex,)
        return both + self.aliases


def _only(*types: str) -> frozenset[str]:
    return frozenset(types)


_ALL = frozenset(TYPE_NAMES)
_ARTICLES = types_of_model("article")
_CHAPTERS = types_of_model("chapter")
_WEBPAGES = types_of_model("webpage")
#: types whose biblatex ``number`` is the number in a series (CSL collection-number)
_IN_SERIES = frozenset({"book", "classic", "paper"}) | _CHAPTERS
#: types whose biblatex ``number`` is the issue
_ISSUES = _ARTICLES | {"periodical"}


def _but(*groups: frozenset[str] | str) -> frozenset[str]:
    out = set(_ALL)
    for g in groups:
        out -= {g} if isinstance(g, str) else g
    return frozenset(out)


#: CSL's name variables with no BibLaTeX field: written under the CSL name.
_CSL_NAMES = (
    ("collection_editors", "collection-editor"),
    ("compilers", "compiler"),
    ("composers", "composer"),
    ("contributors", "contributor"),
    ("curators", "curator"),
    ("directors", "director"),
    ("editorial_directors", "editorial-director"),
    ("editor_translators", "editor-translator"),
    ("executive_producers", "executive-producer"),
    ("chairs", "chair"),
    ("guests", "guest"),
    ("hosts", "host"),
    ("illustrators", "illustrator"),
    ("interviewers", "interviewer"),
    ("narrators", "narrator"),
    ("organizers", "organizer"),
    ("original_authors", "original-author"),
    ("performers", "performer"),
    ("producers", "producer"),
    ("recipients", "recipient"),
    ("reviewed_authors", "reviewed-author"),
    ("script_writers", "script-writer"),
    ("series_creators", "series-creator"),
)
#: CSL's other variables with no BibLaTeX field: written under the CSL name.
_CSL_TEXT = (
    ("volume_title", "volume-title", "cased"),
    ("part_title", "part-title", "cased"),
    ("supplement_number", "supplement-number", "text"),
    ("printing_number", "printing-number", "text"),
    ("section", "section", "text"),
    ("medium", "medium", "text"),
    ("dimensions", "dimensions", "text"),
    ("scale", "scale", "text"),
    ("reviewed_title", "reviewed-title", "cased"),
    ("reviewed_genre", "reviewed-genre", "text"),
    ("archive", "archive", "text"),
    ("archive_collection", "archive_collection", "text"),
    ("archive_location", "archive_location", "text"),
    ("archive_place", "archive-place", "text"),
    ("call_number", "call-number", "text"),
    ("authority", "authority", "text"),
    ("jurisdiction", "jurisdiction", "text"),
    ("division", "division", "text"),
    ("license", "license", "text"),
    ("references", "references", "text"),
    ("source", "source", "text"),
    ("pmid", "pmid", "text"),
    ("pmcid", "pmcid", "text"),
    ("available_date", "available-date", "date"),
    ("submitted", "submitted", "date"),
)

#: The field table, in the order the writer fills an entry.
FIELDS: tuple[Field, ...] = (
    Field("authors", "author", kind="names"),
    Field("editors", "editor", kind="names"),
    Field("translators", "translator", kind="names"),
    Field("container_authors", "bookauthor", kind="names"),
    *(Field(record, name, kind="names") for record, name in _CSL_NAMES),
    Field("title", "title", kind="title"),
    Field("subtitle", "subtitle", kind="cased"),
    Field("short_title", "shorttitle", kind="cased"),
    Field("main_title", "maintitle", kind="cased"),
    Field("main_subtitle", "mainsubtitle", kind="cased"),
    Field("original_title", "origtitle", kind="cased"),
    Field("edition", "edition"),
    Field("volume", "volume"),
    Field("number_of_volumes", "volumes"),
    Field("part_number", "part"),
    Field("series", "series", kind="cased"),
    Field("collection_number", "number", types=_IN_SERIES),
    Field("collection_number", "collection-number", types=_but(_IN_SERIES)),
    Field("publisher", "publisher"),
    Field("place", "address", "location"),
    Field("original_publisher", "origpublisher"),
    Field("original_publisher_place", "origlocation"),
    Field("language", "language"),
    Field("doi", "doi", kind="raw"),
    Field("isbn", "isbn", kind="isbn"),
    Field("url", "url", kind="raw"),
    Field("abstract", "abstract"),
    Field("keywords", "keywords", kind="keywords"),
    Field("note", "note"),
    Field("annote", "annote", "annotation"),
    Field("tags", "tags", kind="tags"),
    Field("status", "pubstate", kind="status"),
    Field("original_date", "origdate", kind="date"),
    Field("event", "eventtitle", kind="cased"),
    Field("event_place", "venue"),
    Field("event_date", "eventdate", kind="date"),
    Field("accessed", "urldate", kind="date"),
    Field("version", "version"),
    Field("number_of_pages", "pagetotal"),
    Field("container_title", "booktitle", types=_CHAPTERS, kind="container"),
    Field("container_title", "booktitle", types=_but(_CHAPTERS), kind="cased"),
    Field("container_title_short", "shortjournal"),
    Field("chapter", "chapter"),
    Field("pages", "pages", kind="pages"),
    Field("journal", "journal", "journaltitle", types=_ARTICLES),
    Field("issue", "number", types=_ISSUES),
    Field("issue", "issue", types=_but(_ISSUES)),
    Field("number", "eid", types=_ISSUES | _IN_SERIES),
    Field("number", "number", types=_but(_ISSUES, _IN_SERIES)),
    Field("issn", "issn", kind="raw"),
    Field("institution", "institution", types=frozenset({"report"})),
    Field("institution", "school", "institution", types=frozenset({"thesis"})),
    Field("degree", "type", types=frozenset({"thesis"}), kind="degree"),
    Field("genre", "type", types=_but("thesis")),
    Field("genre", "genre", types=frozenset({"thesis"})),  # its type is its degree
    Field("site", "organization", aliases=("howpublished",), types=_WEBPAGES, kind="site"),
    # a webpage's howpublished is its site (what classic BibTeX exports wrote)
    Field("howpublished", "howpublished", types=_but(_WEBPAGES)),
    *(Field(record, name, kind=kind) for record, name, kind in _CSL_TEXT),
)

#: Fields of biber's default data model (biblatex's ``blx-dm.def``) that no
#: row maps, kept verbatim in ``extra`` under their own name and written back
#: as they came: field -> why there is no typed home.
KEPT: dict[str, str] = {
    **dict.fromkeys(
        ["booksubtitle", "booktitleaddon", "maintitleaddon", "titleaddon", "eventtitleaddon"],
        "parts of a title biblatex prints apart",
    ),
    **dict.fromkeys(
        ["issuetitle", "issuesubtitle", "issuetitleaddon", "journalsubtitle"],
        "an issue's or journal's own titles (CSL has none)",
    ),
    **dict.fromkeys(["journaltitleaddon", "reprinttitle", "shortseries"], "biblatex only"),
    "addendum": "printed at the end of the entry (CSL has none)",
    "eid": "the number of an article, a book or a part of one; other types keep it",
    "gender": "biblatex's gender of the author (for ibidem forms)",
    **dict.fromkeys(
        ["indextitle", "indexsorttitle", "sorttitle", "sortshorthand", "sortkey", "presort"],
        "sorting and indexing only",
    ),
    **dict.fromkeys(["sortname", "sortyear", "label", "shorthand", "shorthandintro"], "labels"),
    **dict.fromkeys(["isan", "ismn", "isrn", "iswc"], "identifiers CSL has no place for"),
    "langid": "the hyphenation language (language holds the work's)",
    "langidopts": "the hyphenation language's options",
    "origlanguage": "the language of the original (CSL has none)",
    "library": "a library's name and call number as one text",
    "nameaddon": "an addition to the author's name",
    **dict.fromkeys(["relatedstring", "relatedtype", "relatedoptions", "related"], "relations"),
    **dict.fromkeys([f"user{c}" for c in "abcdef"], "biblatex's custom fields"),
    **dict.fromkeys([f"list{c}" for c in "abcdef"], "biblatex's custom lists"),
    **dict.fromkeys([f"name{c}" for c in "abc"], "biblatex's custom name lists"),
    **dict.fromkeys([f"verb{c}" for c in "abc"], "biblatex's custom verbatim fields"),
    **dict.fromkeys(
        ["annotator", "commentator", "introduction", "foreword", "afterword", "holder"],
        "name roles CSL has no variable for",
    ),
    **dict.fromkeys(["editora", "editorb", "editorc"], "editors whose role the *type field says"),
    **dict.fromkeys(["shortauthor", "shorteditor"], "labels"),
    **dict.fromkeys(
        ["authortype", "editortype", "editoratype", "editorbtype", "editorctype"],
        "the role of a name list",
    ),
    **dict.fromkeys(["nameatype", "namebtype", "namectype"], "the role of a name list"),
    **dict.fromkeys(["bookpagination", "pagination"], "what the page numbers count"),
    **dict.fromkeys(["eprint", "eprinttype", "eprintclass"], "an e-print's identifier"),
    "file": "a local file",
    **dict.fromkeys(["options", "execute"], "biblatex options and code"),
    "entryset": "a biblatex set's members",
    "organization": "a webpage's is its site; other types keep it",
    "institution": "a report's and a thesis's is their institution; other types keep it",
}
#: Fields a step of the reader or writer handles (not through the table).
APART = (
    "crossref",
    "xref",
    "xdata",
    "ids",
    "date",
    "year",
    "month",
    "day",
    "entrysubtype",
    "entrytype",
    "isbn-others",
)


#: Kinds the reader does not map in its field loop (they have steps of their own).
_READ_APART = frozenset({"names", "date"})


@cache
def write_rows(rtype: str) -> tuple[Field, ...]:
    """The rows of a record type, in table order."""
    return tuple(f for f in FIELDS if f.types is None or rtype in f.types)


@cache
def read_map(rtype: str) -> dict[str, str]:
    """BibTeX field name -> record field for a record type (names, dates and
    the other fields with a step of their own left out)."""
    out: dict[str, str] = {}
    for f in write_rows(rtype):
        if f.kind not in _READ_APART:
            for name in f.names_read:
                out[name] = f.record
    return out


#: The name lists: BibTeX field -> record field.
NAME_FIELDS_IN = {f.bibtex: f.record for f in FIELDS if f.kind == "names" and f.types is None}


def held_field(rtype: str, name: str) -> str | None:
    """The record field a BibTeX field ``name`` is read into for a record
    type (names included; dates, which have a step of their own, not), or
    None when the record keeps it under ``extra``."""
    for f in write_rows(rtype):
        if f.kind != "date" and name in f.names_read:
            return f.record
    return None


#: The fields that together give a record's date (``issued``).
_DATE_PARTS = frozenset({"year", "month", "day", "date"})


def value_print(record: Any, name: str) -> str:
    """A short fingerprint of what ``record`` holds for BibTeX field ``name``
    (its record field, or ``extra[name]``): the reader notes it beside a
    repeated field's later values (``extra.bibtex_repeated``), and the
    writer writes those again only while the record still holds it."""
    import hashlib
    import json

    field = (
        "issued"
        if name in _DATE_PARTS
        else "parent"
        if name in ("crossref", "xref")
        else held_field(record.type, name)
    )
    value = getattr(record, field, None) if field else (record.extra or {}).get(name)
    text = json.dumps(_plain(value), sort_keys=True, ensure_ascii=False)
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def _plain(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", exclude_defaults=True)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
