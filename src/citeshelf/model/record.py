"""Bibliographic records: one Pydantic model per work type.

``Record`` is a discriminated union on ``type``. Few fields are required (a
key, and for a chapter a parent book or a container title) because real .bib
files hold incomplete entries that must still import without loss. The fields
a style needs are *recommended*: :func:`missing_recommended` lists what a
record lacks.
"""

# No ``from __future__ import annotations`` here: Pydantic would compile each
# of the many field annotations from its text; evaluated here they cost nothing.
import functools
import inspect
import re
from datetime import datetime, timezone
from functools import cache
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
    create_model,
    field_validator,
    model_validator,
)

from .dates import Date
from .identifiers import (
    check_isbn,
    check_issn,
    normalize_doi,
    normalize_url,
    split_isbns,
    unqualified,
    without_isbn_label,
)
from .keyfiles import KEY_PATTERN, check_key
from .names import Person, parse_name
from .pages import PageRange
from .relations import Relation
from .types import CORE_TYPES, OWN_FIELDS, TYPES

__all__ = [
    "KEY_PATTERN",
    "NAME_LISTS",
    "WORK_TYPES",
    "BaseRecord",
    "Book",
    "Chapter",
    "Article",
    "Report",
    "Thesis",
    "Webpage",
    "Paper",
    "Misc",
    "Record",
    "RECORD_ADAPTER",  # noqa: F822 (built on first use: __getattr__)
    "parse_record",
    "check_key",
    "file_order",
    "missing_recommended",
    "now_utc",
]


def now_utc() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


# The default factories of list and dict fields: ``list`` and ``dict``
# called through functools.partial (a call costs about what ``list()`` costs,
# a third of a Python function's) with a signature given, because Pydantic
# inspects each factory's signature once per field per model, and a
# builtin's is parsed from its text each time (0.4 ms: 13 ms a model).
_new_list: Any = functools.partial(list)
_new_list.__signature__ = inspect.Signature()
_new_dict: Any = functools.partial(dict)
_new_dict.__signature__ = inspect.Signature()


def _names(value: object) -> object:
    """Accept "Family, Given" strings as well as dicts in name lists."""
    if isinstance(value, str):
        return [parse_name(value)]
    if isinstance(value, list):
        return [parse_name(v) if isinstance(v, str) else v for v in value]
    return value


_TRAILING = ("abstract", "keywords", "note", "tags", "extra", "added", "modified")
#: The fields every record file had before CSL's other variables came, in file order.
HEAD_FIELDS = (
    "type",
    "key",
    "title",
    "subtitle",
    "short_title",
    "authors",
    "editors",
    "translators",
    "authors_et_al",
    "editors_et_al",
    "issued",
    "status",
    "original_date",
    "publisher",
    "place",
    "edition",
    "volume",
    "series",
    "language",
    "doi",
    "isbn",
    "url",
)
#: The name lists (a list of :class:`~.names.Person`).
NAME_LISTS = (
    "authors",
    "editors",
    "translators",
    "container_authors",
    "collection_editors",
    "compilers",
    "composers",
    "contributors",
    "curators",
    "directors",
    "editorial_directors",
    "editor_translators",
    "executive_producers",
    "chairs",
    "guests",
    "hosts",
    "illustrators",
    "interviewers",
    "narrators",
    "organizers",
    "original_authors",
    "performers",
    "producers",
    "recipients",
    "reviewed_authors",
    "script_writers",
    "series_creators",
)
#: Text fields that CSL-JSON may give as numbers.
_NUMBERISH = (
    "edition",
    "volume",
    "chapter",
    "issue",
    "number",
    "collection_number",
    "number_of_pages",
    "number_of_volumes",
    "part_number",
    "printing_number",
    "supplement_number",
    "section",
    "version",
    "pmid",
)


class BaseRecord(BaseModel):
    """Fields every work type has. Field order here is the order in record files."""

    #: ``defer_build``: a model's validator is built the first time it
    #: validates (:func:`parse_record` picks the model by ``type``), so a
    #: command that reads one record builds one model, not all of them.
    model_config = ConfigDict(extra="forbid", validate_assignment=True, defer_build=True)

    type: str
    key: str
    title: str | None = None
    subtitle: str | None = None
    short_title: str | None = None
    authors: list[Person] = Field(default_factory=_new_list)
    editors: list[Person] = Field(default_factory=_new_list)
    translators: list[Person] = Field(default_factory=_new_list)
    authors_et_al: bool = False
    editors_et_al: bool = False
    issued: Date | None = None
    #: publication status when there is no date yet: "in press", "forthcoming",
    #: "submitted" (CSL ``status``, biblatex ``pubstate``)
    status: str | None = None
    #: the date of the original work, for a reprint or translation
    original_date: Date | None = None
    publisher: str | None = None
    place: str | None = None
    edition: str | None = None
    volume: str | None = None
    series: str | None = None
    language: str | None = None
    doi: str | None = None
    isbn: list[str] = Field(default_factory=_new_list)
    url: str | None = None
    # -- CSL 1.0.2's other variables (any record may hold any of them) ------
    # name variables
    container_authors: list[Person] = Field(default_factory=_new_list)
    collection_editors: list[Person] = Field(default_factory=_new_list)
    compilers: list[Person] = Field(default_factory=_new_list)
    composers: list[Person] = Field(default_factory=_new_list)
    contributors: list[Person] = Field(default_factory=_new_list)
    curators: list[Person] = Field(default_factory=_new_list)
    directors: list[Person] = Field(default_factory=_new_list)
    editorial_directors: list[Person] = Field(default_factory=_new_list)
    editor_translators: list[Person] = Field(default_factory=_new_list)
    executive_producers: list[Person] = Field(default_factory=_new_list)
    chairs: list[Person] = Field(default_factory=_new_list)
    guests: list[Person] = Field(default_factory=_new_list)
    hosts: list[Person] = Field(default_factory=_new_list)
    illustrators: list[Person] = Field(default_factory=_new_list)
    interviewers: list[Person] = Field(default_factory=_new_list)
    narrators: list[Person] = Field(default_factory=_new_list)
    organizers: list[Person] = Field(default_factory=_new_list)
    original_authors: list[Person] = Field(default_factory=_new_list)
    performers: list[Person] = Field(default_factory=_new_list)
    producers: list[Person] = Field(default_factory=_new_list)
    recipients: list[Person] = Field(default_factory=_new_list)
    reviewed_authors: list[Person] = Field(default_factory=_new_list)
    script_writers: list[Person] = Field(default_factory=_new_list)
    series_creators: list[Person] = Field(default_factory=_new_list)
    # the container, and where in it
    container_title: str | None = None
    container_title_short: str | None = None
    #: biblatex ``maintitle``/``mainsubtitle``: the multivolume work a volume is part of
    main_title: str | None = None
    main_subtitle: str | None = None
    volume_title: str | None = None
    number_of_volumes: str | None = None
    part_number: str | None = None
    part_title: str | None = None
    collection_number: str | None = None
    chapter: str | None = None
    issue: str | None = None
    supplement_number: str | None = None
    section: str | None = None
    pages: PageRange | None = None
    number_of_pages: str | None = None
    number: str | None = None
    printing_number: str | None = None
    issn: str | None = None
    # what kind of work, in what form
    genre: str | None = None
    medium: str | None = None
    version: str | None = None
    dimensions: str | None = None
    scale: str | None = None
    howpublished: str | None = None
    # events
    event: str | None = None
    event_place: str | None = None
    event_date: Date | None = None
    # other dates
    available_date: Date | None = None
    submitted: Date | None = None
    accessed: Date | None = None
    # the original of a reprint or translation; the work reviewed
    original_title: str | None = None
    original_publisher: str | None = None
    original_publisher_place: str | None = None
    reviewed_title: str | None = None
    reviewed_genre: str | None = None
    # archives, authorities, identifiers
    archive: str | None = None
    archive_collection: str | None = None
    archive_location: str | None = None
    archive_place: str | None = None
    call_number: str | None = None
    authority: str | None = None
    jurisdiction: str | None = None
    division: str | None = None
    license: str | None = None
    references: str | None = None
    source: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    annote: str | None = None
    abstract: str | None = None
    keywords: list[str] = Field(default_factory=_new_list)
    note: str | None = None
    tags: list[str] = Field(default_factory=_new_list)
    extra: dict[str, Any] = Field(default_factory=_new_dict)
    added: datetime | None = None
    modified: datetime | None = None
    #: the record this one is part of (a chapter's book, a paper's proceedings,
    #: a volume's set: :mod:`.relations`), and its other links
    parent: str | None = None
    related: list[Relation] = Field(default_factory=_new_list)
    #: in a view for the styles only (never stored): the record a ``reprintof``
    #: or ``origpubin`` relation names (:func:`.inherit.reprint_view`)
    _original: Any = PrivateAttr(default=None)

    # -- validators -------------------------------------------------------

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        return check_key(value)

    @field_validator("parent")
    @classmethod
    def _parent(cls, value: str | None) -> str | None:
        return check_key(value) if value else None

    @model_validator(mode="before")
    @classmethod
    def _blank_to_none(cls, data: object) -> object:
        """Trim text fields; an empty string means the field is absent."""
        if not isinstance(data, dict):
            return data
        out = None  # a copy, made only when a value changes (most files are clean)
        for name, value in data.items():
            if isinstance(value, str) and name != "type":
                trimmed = value.strip()
                if trimmed is not value or not trimmed:
                    if out is None:
                        out = dict(data)
                    if trimmed:
                        out[name] = trimmed
                    else:
                        del out[name]
        return data if out is None else out

    @field_validator(*NAME_LISTS, mode="before")
    @classmethod
    def _name_list(cls, value: object) -> object:
        return _names(value)

    @field_validator(*_NUMBERISH, mode="before")
    @classmethod
    def _numberish(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("doi")
    @classmethod
    def _doi(cls, value: str | None) -> str | None:
        return normalize_doi(value) if value else None

    @field_validator("isbn", mode="before")
    @classmethod
    def _isbn_list(cls, value: object) -> object:
        if isinstance(value, str):
            value = split_isbns(value)
        if isinstance(value, list):
            # each as its source wrote it: an ISBN-10 and an ISBN-13 of one
            # book are both kept (a source that gives both gets both back);
            # the same digits twice (with and without hyphens) once, first
            # form, unless their notes differ ("(hardcover)", "(Oak Knoll
            # hardcover)")
            out: list[str] = []
            seen: set[tuple[str, str]] = set()
            for v in value:
                n = check_isbn(without_isbn_label(str(v)))
                bare = unqualified(n)
                digits = (re.sub(r"[^0-9X]", "", bare.upper()), n[len(bare) :].strip())
                if digits not in seen:
                    seen.add(digits)
                    out.append(n)
            return out
        return value

    @field_validator("issn")
    @classmethod
    def _issn(cls, value: str | None) -> str | None:
        return check_issn(value) if value else None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return normalize_url(value) if value else None

    @field_validator("keywords", "tags", mode="before")
    @classmethod
    def _str_list(cls, value: object) -> object:
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list):
            seen: list[str] = []
            for v in value:
                v = " ".join(str(v).split())
                if v and v not in seen:
                    seen.append(v)
            return seen
        return value

    # -- convenience ------------------------------------------------------

    @property
    def year(self) -> int | None:
        return self.issued.year if self.issued else None

    @property
    def full_title(self) -> str | None:
        if self.title and self.subtitle:
            return f"{self.title}: {self.subtitle}"
        return self.title

    @property
    def creators(self) -> list[Person]:
        """Authors, else editors: whom a work is listed under."""
        return self.authors or self.editors

    def to_json_dict(self) -> dict[str, Any]:
        """Plain JSON data in file order (:func:`file_order`), empty fields left out."""
        data = self.model_dump(mode="json", exclude_none=True)
        order = file_order(type(self))
        return {k: data[k] for k in order if k in data and data[k] not in ([], {}, "", False)}


class Book(BaseRecord):
    """An authored book, or an edited one (editors and no authors)."""

    type: Literal["book"] = "book"


class Chapter(BaseRecord):
    """A chapter in a book: ``parent`` is the book record's key."""

    type: Literal["chapter"] = "chapter"

    @model_validator(mode="after")
    def _needs_container(self) -> "Chapter":
        # an entry in a reference work may name neither (CSL's entry types)
        if self.type == "chapter" and not self.parent and not self.container_title:
            raise ValueError(
                "a chapter needs a parent book (parent: the book's key) "
                "or a container_title (the book's title)"
            )
        return self


class Article(BaseRecord):
    """A journal (or magazine, newspaper) article."""

    type: Literal["article"] = "article"
    journal: str | None = None


class Report(BaseRecord):
    """A report, often with an organisation as author."""

    type: Literal["report"] = "report"
    institution: str | None = None


class Thesis(BaseRecord):
    """A thesis. ``degree`` is a name of :data:`citeshelf.model.degrees.DEGREES`
    ("phd", "masters", "ma", "ms", "bachelors"; "PhD", "doctoral", "Master's" ...
    are stored as these), else any other text, kept as written."""

    type: Literal["thesis"] = "thesis"
    degree: str | None = None
    institution: str | None = None

    @field_validator("degree")
    @classmethod
    def _degree(cls, value: str | None) -> str | None:
        from .degrees import degree_name

        return (degree_name(value) or value) if value else None


class Webpage(BaseRecord):
    type: Literal["webpage"] = "webpage"
    site: str | None = None


class Paper(BaseRecord):
    """A conference paper, in proceedings or with an event name."""

    type: Literal["paper"] = "paper"


class Misc(BaseRecord):
    type: Literal["misc"] = "misc"


_CORE_MODELS: dict[str, type[BaseRecord]] = {
    "book": Book,
    "chapter": Chapter,
    "article": Article,
    "report": Report,
    "thesis": Thesis,
    "webpage": Webpage,
    "paper": Paper,
    "misc": Misc,
    "base": BaseRecord,
}


#: the class name of the model of the types built on each model
_KIND_NAMES = {
    "article": "ArticleKind",
    "webpage": "WebpageKind",
    "chapter": "EntryKind",
    "base": "OtherWork",
}


def _kind_model(base: str, names: list[str]) -> type[BaseRecord]:
    """One model for the types of :data:`~.types.TYPES` beyond the core eight
    built on the model ``base``: its fields, and a ``type`` that is one of
    ``names`` (one class for many types keeps the union small and fast)."""
    literal: Any = Literal.__getitem__(tuple(names))
    model: type[BaseRecord] = create_model(
        _KIND_NAMES[base],
        __base__=_CORE_MODELS[base],
        __module__=__name__,
        __doc__=f"A record of one of the types {', '.join(names)}.",
        type=(literal, ...),
    )
    return model


def _work_types() -> dict[str, type[BaseRecord]]:
    groups: dict[str, list[str]] = {}
    for row in TYPES:
        if row.name not in CORE_TYPES:
            groups.setdefault(row.model, []).append(row.name)
    kinds = {base: _kind_model(base, names) for base, names in groups.items()}
    return {
        row.name: _CORE_MODELS[row.name] if row.name in CORE_TYPES else kinds[row.model]
        for row in TYPES
    }


#: citeshelf type -> its model, in the order of :data:`~.types.TYPES` (the
#: types beyond the core eight share one model per model they are built on).
WORK_TYPES: dict[str, type[BaseRecord]] = _work_types()

_UNION: Any = Union.__getitem__(tuple(dict.fromkeys(WORK_TYPES.values())))
#: Any record: the models of :data:`WORK_TYPES`, told apart by ``type``.
Record: Any = Annotated[_UNION, Field(discriminator="type")]


@cache
def _record_adapter() -> TypeAdapter[Any]:
    return TypeAdapter(Record)


def __getattr__(name: str) -> Any:
    # RECORD_ADAPTER validates against every model, so it is built on first use
    if name == "RECORD_ADAPTER":
        return _record_adapter()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def file_order(model: type[BaseRecord]) -> tuple[str, ...]:
    """The order of a record file's fields: the fields every record had from
    the start, then those of the core type the model is built on (in the
    order its files have always had), then every other field in model order,
    then the descriptive and bookkeeping fields. Files written before the
    other CSL variables had fields keep their bytes."""
    core = next(
        (name for name, m in _CORE_MODELS.items() if m is not BaseRecord and issubclass(model, m)),
        None,
    )
    own = OWN_FIELDS.get(core, ()) if core else ()
    head = [n for n in HEAD_FIELDS if n in model.model_fields]
    rest = [n for n in model.model_fields if n not in head and n not in own and n not in _TRAILING]
    return (*head, *own, *rest, *_TRAILING)


_RECOMMENDED: dict[str, tuple[str, ...]] = {
    "book": ("title", "creators", "issued", "publisher"),
    "chapter": ("title", "authors", "pages"),
    "article": ("title", "authors", "issued", "journal", "volume", "pages"),
    "report": ("title", "creators", "issued", "institution"),
    "thesis": ("title", "authors", "issued", "degree", "institution"),
    "webpage": ("title", "site", "url"),
    "paper": ("title", "authors", "issued"),
    "misc": ("title", "issued"),
}


def missing_recommended(record: BaseRecord) -> list[str]:
    """Fields a style needs that ``record`` lacks ("creators" = authors or editors).

    A chapter with a parent gets its year and publisher from the book, so only
    its own fields are checked here.
    """
    missing = []
    for name in _RECOMMENDED.get(record.type, ()):
        if name == "creators":
            if not record.creators:
                missing.append("authors or editors")
        elif not getattr(record, name, None):
            missing.append(name)
    if isinstance(record, Chapter) and not record.parent:
        for name in ("issued", "publisher"):
            if not getattr(record, name):
                missing.append(name)
    return missing


def _with_tag(exc: ValidationError, tag: str, data: object) -> ValidationError:
    """``exc`` as :data:`RECORD_ADAPTER` raises it: each location starts with
    the union's tag (the record's type), which readers of the errors skip."""
    line_errors: list[Any] = []
    for err in exc.errors(include_url=False):
        line = {"type": err["type"], "loc": (tag, *err["loc"]), "input": err["input"]}
        if "ctx" in err:
            line["ctx"] = err["ctx"]
        line_errors.append(line)
    try:
        return ValidationError.from_exception_data(exc.title, line_errors)
    except (KeyError, TypeError, ValueError):  # an error it cannot rebuild: the union's own
        try:
            _record_adapter().validate_python(data)
        except ValidationError as union_exc:
            return union_exc
        return exc


def parse_record(data: object) -> BaseRecord:
    """Validate a JSON-like mapping into the right work-type model.

    The model of the record's ``type`` validates it directly (only the models
    a library uses are ever built); data with no known type goes through
    :data:`RECORD_ADAPTER`, the union of every model, for its error."""
    kind = data.get("type") if isinstance(data, dict) else None
    model = WORK_TYPES.get(kind) if isinstance(kind, str) else None
    if model is not None and isinstance(kind, str):
        try:
            # the model's validator itself (model_validate adds only Python
            # calls); a model not yet built is built here, on first use
            record: BaseRecord = model.__pydantic_validator__.validate_python(data)
            return record
        except ValidationError as exc:
            raise _with_tag(exc, kind, data) from None
    union: BaseRecord = _record_adapter().validate_python(data)
    return union
