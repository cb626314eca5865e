"""Bibliographic records: one Pydantic model per work type.

``Record`` is a discriminated union on ``type``. Few fields are required (a
key, and for a chapter a parent book or a container title) because real .bib
files hold incomplete entries that must still import without loss. The fields
a style needs are *recommended*: :func:`missing_recommended` lists what a
record lacks.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    field_validator,
    model_validator,
)

from .dates import Date
from .identifiers import normalize_doi, normalize_isbn, normalize_issn, normalize_url
from .keyfiles import KEY_PATTERN, check_key
from .names import Person, parse_name
from .pages import PageRange
from .relations import Relation

__all__ = [
    "KEY_PATTERN",
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
    "RECORD_ADAPTER",
    "parse_record",
    "check_key",
    "missing_recommended",
    "now_utc",
]


def now_utc() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def _names(value: object) -> object:
    """Accept "Family, Given" strings as well as dicts in name lists."""
    if isinstance(value, str):
        return [parse_name(value)]
    if isinstance(value, list):
        return [parse_name(v) if isinstance(v, str) else v for v in value]
    return value


_TRAILING = ("abstract", "keywords", "note", "tags", "extra", "added", "modified")


class BaseRecord(BaseModel):
    """Fields every work type has. Field order here is the order in record files."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    type: str
    key: str
    title: str | None = None
    subtitle: str | None = None
    short_title: str | None = None
    authors: list[Person] = Field(default_factory=list)
    editors: list[Person] = Field(default_factory=list)
    translators: list[Person] = Field(default_factory=list)
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
    isbn: list[str] = Field(default_factory=list)
    url: str | None = None
    abstract: str | None = None
    keywords: list[str] = Field(default_factory=list)
    note: str | None = None
    tags: list[str] = Field(default_factory=list)
    extra: dict[str, Any] = Field(default_factory=dict)
    added: datetime | None = None
    modified: datetime | None = None
    #: the record this one is part of (a chapter's book, a paper's proceedings,
    #: a volume's set: :mod:`.relations`), and its other links
    parent: str | None = None
    related: list[Relation] = Field(default_factory=list)

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
        if isinstance(data, dict):
            out = {}
            for name, value in data.items():
                if isinstance(value, str) and name != "type":
                    value = value.strip()
                    if not value:
                        continue
                out[name] = value
            return out
        return data

    @field_validator("authors", "editors", "translators", mode="before")
    @classmethod
    def _name_list(cls, value: object) -> object:
        return _names(value)

    @field_validator("edition", "volume", mode="before")
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
            value = [v for v in re.split(r"[;,]|\s+(?=\d{9})", value) if v.strip()]
        if isinstance(value, list):
            out: list[str] = []
            for v in value:
                n = normalize_isbn(str(v))
                if n not in out:
                    out.append(n)
            return out
        return value

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
        """Plain JSON data in field order, empty fields left out."""
        data = self.model_dump(mode="json", exclude_none=True)
        # Descriptive and bookkeeping fields go last, after the type's own fields.
        for name in _TRAILING:
            if name in data:
                data[name] = data.pop(name)
        return {k: v for k, v in data.items() if v not in ([], {}, "", False)}


class Book(BaseRecord):
    """An authored book, or an edited one (editors and no authors)."""

    type: Literal["book"] = "book"
    number_of_pages: str | None = None


class Chapter(BaseRecord):
    """A chapter in a book: ``parent`` is the book record's key."""

    type: Literal["chapter"] = "chapter"
    container_title: str | None = None
    container_authors: list[Person] = Field(default_factory=list)
    chapter: str | None = None
    pages: PageRange | None = None

    @field_validator("container_authors", mode="before")
    @classmethod
    def _container_authors(cls, value: object) -> object:
        return _names(value)

    @field_validator("chapter", mode="before")
    @classmethod
    def _chapter(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    @model_validator(mode="after")
    def _needs_container(self) -> Chapter:
        if not self.parent and not self.container_title:
            raise ValueError(
                "a chapter needs a parent book (parent: the book's key) "
                "or a container_title (the book's title)"
            )
        return self


class Article(BaseRecord):
    """A journal (or magazine, newspaper) article."""

    type: Literal["article"] = "article"
    journal: str | None = None
    issue: str | None = None
    pages: PageRange | None = None
    issn: str | None = None

    @field_validator("issue", mode="before")
    @classmethod
    def _issue(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("issn")
    @classmethod
    def _issn(cls, value: str | None) -> str | None:
        return normalize_issn(value) if value else None


class Report(BaseRecord):
    """A report, often with an organisation as author."""

    type: Literal["report"] = "report"
    institution: str | None = None
    number: str | None = None


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
    accessed: Date | None = None


class Paper(BaseRecord):
    """A conference paper, in proceedings or with an event name."""

    type: Literal["paper"] = "paper"
    container_title: str | None = None
    event: str | None = None
    event_place: str | None = None
    event_date: Date | None = None
    pages: PageRange | None = None


class Misc(BaseRecord):
    type: Literal["misc"] = "misc"
    howpublished: str | None = None


Record = Annotated[
    Book | Chapter | Article | Report | Thesis | Webpage | Paper | Misc,
    Field(discriminator="type"),
]
RECORD_ADAPTER: TypeAdapter[Any] = TypeAdapter(Record)

WORK_TYPES: dict[str, type[BaseRecord]] = {
    "book": Book,
    "chapter": Chapter,
    "article": Article,
    "report": Report,
    "thesis": Thesis,
    "webpage": Webpage,
    "paper": Paper,
    "misc": Misc,
}

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


def parse_record(data: object) -> BaseRecord:
    """Validate a JSON-like mapping into the right work-type model."""
    record: BaseRecord = RECORD_ADAPTER.validate_python(data)
    return record
