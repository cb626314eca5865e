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

TYPES_IN: dict[str, str] = {
    **dict.fromkeys(
        [
            "book",
            "mvbook",
            "collection",
            "mvcollection",
            "proceedings",
            "mvproceedings",
            "reference",
            "mvreference",
            "bookinbook",
        ],
        "book",
    ),
    **dict.fromkeys(
        ["incollection", "inbook", "inreference", "suppbook", "suppcollection"], "chapter"
    ),
    **dict.fromkeys(["article", "suppperiodical"], "article"),
    **dict.fromkeys(["inproceedings", "conference"], "paper"),
    **dict.fromkeys(["techreport", "report"], "report"),
    **dict.fromkeys(["phdthesis", "mastersthesis", "thesis"], "thesis"),
    **dict.fromkeys(["online", "www", "electronic", "webpage"], "webpage"),
}
# Source types that are written back without being kept in extra.
_DEFAULT_TYPES: dict[str, frozenset[str]] = {
    "book": frozenset({"book"}),
    "chapter": frozenset({"incollection"}),
    "article": frozenset({"article"}),
    "paper": frozenset({"inproceedings"}),
    "report": frozenset({"techreport"}),
    "thesis": frozenset({"phdthesis", "mastersthesis", "thesis"}),
    "webpage": frozenset({"online"}),
    "misc": frozenset({"misc"}),
}
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


#: Record fields whose letter case styles may change, so capitals are protected.
CASED_FIELDS = ("title", "subtitle", "short_title", "container_title", "series", "event")

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


#: The field table, in the order the writer fills an entry.
FIELDS: tuple[Field, ...] = (
    Field("authors", "author", kind="names"),
    Field("editors", "editor", kind="names"),
    Field("translators", "translator", kind="names"),
    Field("title", "title", kind="title"),
    Field("subtitle", "subtitle", kind="cased"),
    Field("short_title", "shorttitle", kind="cased"),
    Field("edition", "edition"),
    Field("volume", "volume"),
    Field("series", "series", kind="cased"),
    Field("publisher", "publisher"),
    Field("place", "address", "location"),
    Field("language", "language"),
    Field("doi", "doi", kind="raw"),
    Field("isbn", "isbn", kind="isbn"),
    Field("url", "url", kind="raw"),
    Field("abstract", "abstract"),
    Field("keywords", "keywords", kind="keywords"),
    Field("note", "note"),
    Field("tags", "tags", kind="tags"),
    Field("status", "pubstate", kind="status"),
    Field("original_date", "origdate", kind="date"),
    # per record type
    Field("number_of_pages", "pagetotal", types=_only("book")),
    Field("container_title", "booktitle", types=_only("chapter"), kind="container"),
    Field("container_authors", "bookauthor", types=_only("chapter"), kind="names"),
    Field("chapter", "chapter", types=_only("chapter")),
    Field("pages", "pages", types=_only("chapter"), kind="pages"),
    Field("journal", "journal", "journaltitle", types=_only("article")),
    Field("issue", "number", types=_only("article")),
    Field("pages", "pages", types=_only("article"), kind="pages"),
    Field("issn", "issn", types=_only("article"), kind="raw"),
    Field("institution", "institution", types=_only("report")),
    Field("number", "number", types=_only("report")),
    Field("institution", "school", "institution", types=_only("thesis")),
    Field("degree", "type", types=_only("thesis"), kind="degree"),
    Field("site", "organization", aliases=("howpublished",), types=_only("webpage"), kind="site"),
    Field("accessed", "urldate", types=_only("webpage"), kind="date"),
    Field("container_title", "booktitle", types=_only("paper"), kind="cased"),
    Field("event", "eventtitle", types=_only("paper"), kind="cased"),
    Field("event_place", "venue", types=_only("paper")),
    Field("event_date", "eventdate", types=_only("paper"), kind="date"),
    Field("pages", "pages", types=_only("paper"), kind="pages"),
    Field("howpublished", "howpublished", types=_only("misc")),
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


#: The name lists: BibTeX field -> record field (``bookauthor`` is a chapter's).
NAME_FIELDS_IN = {f.bibtex: f.record for f in FIELDS if f.kind == "names" and f.types is None}
