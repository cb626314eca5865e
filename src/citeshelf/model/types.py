"""Work types: the one table from citeshelf's types to CSL's, BibLaTeX's,
classic BibTeX's and RIS's, and back.

Each row of :data:`TYPES` is one citeshelf work type: the CSL 1.0.2 type it
is written as, the BibLaTeX entry type (with the ``entrysubtype`` that tells
it apart from another type of the same entry type), the classic BibTeX entry
type, the RIS ``TY``, the model it is built on (which type-specific fields it
has: an article's ``journal``, a webpage's ``site``, a chapter's ``parent``
...) and the core type a style formats it like until it has rules of its own
(``nearest``).

Reading goes the other way: a CSL type, a BibLaTeX or BibTeX entry type (and
``entrysubtype``) or a RIS type gives the row written as it, else one of the
other names of :data:`CSL_IN`, :data:`BIBTEX_IN` and :data:`RIS_IN` (whose
source type a format keeps, so that it writes the same type back).

Every CSL 1.0.2 item type has a row, so every CSL item type comes back as it
went out. This module imports nothing: formats and the index read it without
loading Pydantic.
"""

from __future__ import annotations

__all__ = [
    "BIBTEX_IN",
    "CORE_TYPES",
    "CSL_IN",
    "OWN_FIELDS",
    "RIS_IN",
    "TYPES",
    "TYPE_NAMES",
    "WorkType",
    "from_bibtex",
    "from_csl",
    "from_ris",
    "nearest",
    "types_of_model",
    "work_type",
]


class WorkType:
    """One row of the type table (a plain class: dataclasses cost import time)."""

    __slots__ = (
        "name",
        "csl",
        "biblatex",
        "subtype",
        "bibtex",
        "ris",
        "model",
        "nearest",
        "doc",
        "fields",
    )

    def __init__(
        self,
        name: str,
        csl: str,
        biblatex: str,
        bibtex: str,
        ris: str,
        *,
        subtype: str | None = None,
        model: str = "base",
        nearest: str = "misc",
        doc: str = "",
    ) -> None:
        self.name = name
        #: the CSL 1.0.2 type written
        self.csl = csl
        #: the BibLaTeX entry type written, and its ``entrysubtype`` (if any)
        self.biblatex = biblatex
        self.subtype = subtype
        #: the classic BibTeX entry type written
        self.bibtex = bibtex
        #: the RIS ``TY`` written
        self.ris = ris
        #: the record model it is built on: a core type's name, or "base"
        self.model = model
        #: the core type the styles format it like
        self.nearest = nearest
        self.doc = doc
        #: the fields ``add TYPE`` offers as options (see :data:`OWN_FIELDS`)
        self.fields: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"WorkType({self.name!r}, csl={self.csl!r}, biblatex={self.biblatex!r})"


def _t(name: str, csl: str, biblatex: str, bibtex: str, ris: str, **kw: str) -> WorkType:
    return WorkType(name, csl, biblatex, bibtex, ris, **kw)


#: The eight types citeshelf started with (their record files never change).
CORE_TYPES = ("book", "chapter", "article", "report", "thesis", "webpage", "paper", "misc")

#: The table: one row per citeshelf type. The first eight are the core types.
TYPES: tuple[WorkType, ...] = (
    _t("book", "book", "book", "book", "BOOK", model="book", nearest="book",
       doc="An authored book, or an edited one (editors and no authors)."),
    _t("chapter", "chapter", "incollection", "incollection", "CHAP", model="chapter",
       nearest="chapter", doc="A chapter in a book: parent is the book's key."),
    _t("article", "article-journal", "article", "article", "JOUR", model="article",
       nearest="article", doc="A journal article."),
    _t("report", "report", "techreport", "techreport", "RPRT", model="report",
       nearest="report", doc="A report, often with an organisation as author."),
    _t("thesis", "thesis", "thesis", "phdthesis", "THES", model="thesis", nearest="thesis",
       doc="A thesis (degree: phd, masters, ma, ms, bachelors)."),
    _t("webpage", "webpage", "online", "misc", "ELEC", model="webpage", nearest="webpage",
       doc="A web page (site: the website's name)."),
    _t("paper", "paper-conference", "inproceedings", "inproceedings", "CPAPER",
       model="paper", nearest="paper", doc="A conference paper, in proceedings or at an event."),
    _t("misc", "document", "misc", "misc", "GEN", model="misc", nearest="misc",
       doc="Anything else."),
    # periodicals
    _t("magazine_article", "article-magazine", "article", "article", "MGZN",
       subtype="magazine", model="article", nearest="article", doc="A magazine article."),
    _t("newspaper_article", "article-newspaper", "article", "article", "NEWS",
       subtype="newspaper", model="article", nearest="article", doc="A newspaper article."),
    _t("preprint", "article", "online", "misc", "UNPB", subtype="preprint",
       model="article", nearest="article",
       doc="A preprint or working paper (journal: the repository, e.g. arXiv)."),
    _t("review", "review", "review", "article", "JOUR", model="article",
       nearest="article", doc="A review (reviewed_title, reviewed_authors)."),
    _t("book_review", "review-book", "review", "article", "JOUR", subtype="book",
       model="article", nearest="article", doc="A review of a book."),
    _t("periodical", "periodical", "periodical", "misc", "JFULL", nearest="misc",
       doc="A whole issue or volume of a periodical."),
    # parts of reference works
    _t("entry", "entry", "inreference", "incollection", "GEN", subtype="entry",
       model="chapter", nearest="chapter", doc="An entry in a reference work."),
    _t("dictionary_entry", "entry-dictionary", "inreference", "incollection", "DICT",
       subtype="dictionary", model="chapter", nearest="chapter",
       doc="An entry in a dictionary."),
    _t("encyclopedia_entry", "entry-encyclopedia", "inreference", "incollection", "ENCYC",
       model="chapter", nearest="chapter", doc="An entry in an encyclopedia."),
    # books of other kinds
    _t("classic", "classic", "book", "book", "CLSWK", subtype="classic", nearest="misc",
       doc="A classical or sacred text."),
    _t("pamphlet", "pamphlet", "booklet", "booklet", "PAMP", nearest="misc",
       doc="A pamphlet or booklet."),
    _t("manuscript", "manuscript", "unpublished", "unpublished", "MANSCPT", nearest="misc",
       doc="An unpublished manuscript (archive, archive_location)."),
    _t("dataset", "dataset", "dataset", "misc", "DATA", nearest="misc",
       doc="A data set (version, medium, publisher: the repository)."),
    _t("software", "software", "software", "misc", "COMP", nearest="misc",
       doc="Software (version, publisher, url)."),
    _t("standard", "standard", "standard", "misc", "STAND", nearest="misc",
       doc="A standard (authority, number)."),
    _t("patent", "patent", "patent", "misc", "PAT", nearest="misc",
       doc="A patent (number, authority, jurisdiction)."),
    # web
    _t("post", "post", "online", "misc", "ICOMM", subtype="post", model="webpage",
       nearest="webpage", doc="A post on a forum or social medium."),
    _t("blog_post", "post-weblog", "online", "misc", "BLOG", subtype="blog",
       model="webpage", nearest="webpage", doc="A blog post."),
    # talks, events, communications
    _t("speech", "speech", "misc", "misc", "GEN", subtype="speech", nearest="paper",
       doc="A speech or talk (event, event_place, event_date)."),
    _t("event", "event", "misc", "misc", "GEN", subtype="event", nearest="misc",
       doc="An event: a conference, an exhibition."),
    _t("interview", "interview", "misc", "misc", "GEN", subtype="interview", nearest="misc",
       doc="An interview (interviewers)."),
    _t("personal_communication", "personal_communication", "letter", "misc", "PCOMM",
       nearest="misc", doc="A letter, an e-mail, a conversation (recipients)."),
    # arts and media
    _t("broadcast", "broadcast", "misc", "misc", "GEN", subtype="broadcast", nearest="misc",
       doc="An episode of a radio or television programme."),
    _t("motion_picture", "motion_picture", "movie", "misc", "MPCT", nearest="misc",
       doc="A film (directors, producers)."),
    _t("song", "song", "music", "misc", "SOUND", nearest="misc",
       doc="A recorded song or piece of music (composers, performers)."),
    _t("musical_score", "musical_score", "music", "misc", "MUSIC", subtype="score",
       nearest="misc", doc="Printed music (composers)."),
    _t("performance", "performance", "performance", "misc", "GEN", nearest="misc",
       doc="A live performance."),
    _t("graphic", "graphic", "artwork", "misc", "ART", nearest="misc",
       doc="A visual work: a painting, a drawing, a photograph."),
    _t("figure", "figure", "image", "misc", "FIGURE", nearest="misc",
       doc="A figure or chart."),
    _t("map", "map", "misc", "misc", "MAP", subtype="map", nearest="misc",
       doc="A map (scale)."),
    _t("archival_collection", "collection", "misc", "misc", "GEN", subtype="collection",
       nearest="misc", doc="An archival collection (archive, archive_location)."),
    # law
    _t("legal_case", "legal_case", "jurisdiction", "misc", "CASE", nearest="misc",
       doc="A court decision (authority: the court)."),
    _t("legislation", "legislation", "legislation", "misc", "STAT", nearest="misc",
       doc="An enacted law."),
    _t("bill", "bill", "legislation", "misc", "BILL", subtype="bill", nearest="misc",
       doc="A bill or resolution."),
    _t("regulation", "regulation", "legislation", "misc", "GOVDOC", subtype="regulation",
       nearest="misc", doc="A regulation."),
    _t("hearing", "hearing", "misc", "misc", "HEAR", subtype="hearing", nearest="misc",
       doc="A legislative hearing."),
    _t("treaty", "treaty", "legal", "misc", "GEN", nearest="misc", doc="A treaty."),
)  # fmt: skip

#: The fields of a type that ``add TYPE`` offers as options, in the order of
#: its record files for a core type (any record may hold any field).
OWN_FIELDS: dict[str, tuple[str, ...]] = {
    "book": ("number_of_pages",),
    "chapter": ("parent", "container_title", "container_authors", "chapter", "pages"),
    "article": ("journal", "issue", "pages", "issn"),
    "report": ("institution", "number"),
    "thesis": ("degree", "institution"),
    "webpage": ("site", "accessed"),
    "paper": ("container_title", "event", "event_place", "event_date", "pages"),
    "misc": ("howpublished",),
    "magazine_article": ("journal", "issue", "pages", "issn"),
    "newspaper_article": ("journal", "section", "pages"),
    "preprint": ("journal", "number"),
    "review": ("journal", "issue", "pages", "reviewed_title", "reviewed_authors"),
    "book_review": ("journal", "issue", "pages", "reviewed_title", "reviewed_authors"),
    "periodical": ("issue", "issn"),
    "entry": ("parent", "container_title", "pages"),
    "dictionary_entry": ("parent", "container_title", "pages"),
    "encyclopedia_entry": ("parent", "container_title", "pages"),
    "pamphlet": ("howpublished",),
    "manuscript": ("genre", "archive", "archive_location"),
    "dataset": ("version", "medium", "genre"),
    "software": ("version", "medium"),
    "standard": ("number", "authority"),
    "patent": ("number", "authority", "jurisdiction"),
    "post": ("site", "accessed"),
    "blog_post": ("site", "accessed"),
    "speech": ("event", "event_place", "event_date", "genre"),
    "event": ("event_place", "event_date"),
    "interview": ("interviewers", "medium"),
    "personal_communication": ("recipients", "medium"),
    "broadcast": ("container_title", "number", "medium", "producers"),
    "motion_picture": ("directors", "producers", "medium"),
    "song": ("composers", "performers", "container_title", "medium"),
    "musical_score": ("composers",),
    "performance": ("performers", "event_place", "event_date"),
    "graphic": ("medium", "dimensions"),
    "figure": ("container_title",),
    "map": ("scale",),
    "archival_collection": ("archive", "archive_location"),
    "legal_case": ("authority", "number", "container_title"),
    "legislation": ("container_title", "number", "section"),
    "bill": ("number", "authority"),
    "regulation": ("container_title", "number"),
    "hearing": ("authority", "number"),
    "treaty": ("container_title", "number"),
}
for _row in TYPES:
    _row.fields = OWN_FIELDS.get(_row.name, ())

_BY_NAME = {t.name: t for t in TYPES}
#: Every citeshelf type, in table order.
TYPE_NAMES: tuple[str, ...] = tuple(_BY_NAME)

#: Other CSL types read as a citeshelf type (none: every CSL type has a row).
CSL_IN: dict[str, str] = {}
#: BibLaTeX and BibTeX entry types read as a citeshelf type besides those
#: the table writes (the source type is kept, ``extra["bibtex_type"]``).
BIBTEX_IN: dict[str, str] = {
    **dict.fromkeys(
        ["mvbook", "collection", "mvcollection", "proceedings", "mvproceedings"], "book"
    ),
    **dict.fromkeys(["reference", "mvreference", "bookinbook", "commentary"], "book"),
    **dict.fromkeys(["inbook", "suppbook", "suppcollection"], "chapter"),
    **dict.fromkeys(["suppperiodical"], "article"),
    **dict.fromkeys(["conference"], "paper"),
    **dict.fromkeys(["report"], "report"),
    **dict.fromkeys(["mastersthesis", "phdthesis"], "thesis"),
    **dict.fromkeys(["www", "electronic", "webpage"], "webpage"),
    **dict.fromkeys(["audio"], "song"),
    **dict.fromkeys(["video", "film"], "motion_picture"),
    # Mendeley's entry types (its BibTeX export writes its own type names)
    **dict.fromkeys(["web_page"], "webpage"),
    **dict.fromkeys(["book_section"], "chapter"),
    **dict.fromkeys(["newspaper_article"], "newspaper_article"),
    **dict.fromkeys(["magazine_article"], "magazine_article"),
    **dict.fromkeys(["generic"], "misc"),
    **dict.fromkeys(["talk"], "speech"),
}
#: Other RIS types read as a citeshelf type (the RIS type is kept).
RIS_IN: dict[str, str] = {
    "EDBOOK": "book",
    "EBOOK": "book",
    "ECHAP": "chapter",
    "JFULL": "article",
    "EJOUR": "article",
    "INPR": "article",
    "WEB": "webpage",
    "CONF": "paper",
    "DBASE": "dataset",
    "SLIDE": "speech",
    "SOUND": "song",
    "VIDEO": "motion_picture",
    "ANCIENT": "classic",
    "LEGAL": "legislation",
    "UNBILL": "bill",
    "STAT": "legislation",
}


def work_type(name: str) -> WorkType:
    """The row of a citeshelf type (KeyError if there is none)."""
    return _BY_NAME[name]


def nearest(name: str) -> str:
    """The core type ``name`` is formatted like (itself for a core type)."""
    row = _BY_NAME.get(name)
    return row.nearest if row else "misc"


def types_of_model(model: str) -> frozenset[str]:
    """The citeshelf types built on the model ``model`` ("article": those with a journal)."""
    return frozenset(t.name for t in TYPES if t.model == model)


_CSL_OUT = {t.name: t.csl for t in TYPES}
_CSL_READ = {**{t.csl: t.name for t in TYPES}, **CSL_IN}


def from_csl(csl_type: str) -> str | None:
    """The citeshelf type of a CSL type, or None for a type CSL does not have."""
    return _CSL_READ.get(csl_type)


def _bibtex_read() -> dict[tuple[str, str | None], str]:
    out: dict[tuple[str, str | None], str] = {}
    for t in TYPES:  # BibLaTeX types first, then the classic ones
        out.setdefault((t.biblatex, t.subtype), t.name)
    for t in TYPES:
        out.setdefault((t.bibtex, None), t.name)
    for etype, name in BIBTEX_IN.items():
        out.setdefault((etype, None), name)
    return out


_BIBTEX_READ = _bibtex_read()


def from_bibtex(etype: str, subtype: str | None = None) -> tuple[str, bool]:
    """(citeshelf type, whether ``entrysubtype`` chose it) of a BibLaTeX or
    BibTeX entry type; an unknown entry type is misc."""
    if subtype is not None:
        name = _BIBTEX_READ.get((etype, subtype.strip().lower()))
        if name is not None:
            return name, True
    return _BIBTEX_READ.get((etype, None), "misc"), False


_RIS_READ = {**RIS_IN}
for _row in TYPES:  # the first row of a RIS type wins
    _RIS_READ.setdefault(_row.ris, _row.name)
_RIS_READ["GEN"] = "misc"
_RIS_READ["JOUR"] = "article"


def from_ris(ris_type: str) -> str:
    """The citeshelf type of a RIS type (misc for one it does not have)."""
    return _RIS_READ.get(ris_type, "misc")
