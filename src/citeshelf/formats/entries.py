"""What a reader of any format hands on: entries read from a file, problems and warnings.

The BibTeX, RIS and CSL-JSON readers all produce these shapes:

* :class:`Issue` -- a problem (an entry that could not be read) or a warning,
  with its file, line and the entry's key as the file gives it;
* :class:`ReadEntry` -- one entry read as a record, with where it came from;
* :class:`ReadBatch` -- a batch of entries with the problems and warnings met
  while reading them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Issue",
    "ReadEntry",
    "ReadBatch",
    "exported_keywords",
    "split_keywords",
    "join_keywords",
    "kept_separator",
]


def exported_keywords(record: Any) -> list[str]:
    """What every format writes as its keywords: the record's keywords, then
    its tags, each once. Read back, they are keywords."""
    return list(dict.fromkeys([*record.keywords, *record.tags]))


def split_keywords(text: str) -> tuple[list[str], str]:
    """A keyword list written in one field, split on the separator the file
    uses: ``;`` where there is one (then a keyword may hold a comma:
    "Printing, Practical; Type-setting"), else ``,``. (keywords, separator)."""
    sep = ";" if ";" in text else ","
    return [k.strip() for k in text.split(sep) if k.strip()], sep


def _default_separator(words: list[str]) -> str:
    return ";" if any("," in w for w in words) else ","


def kept_separator(words: list[str], sep: str) -> str | None:
    """The separator to keep with ``words`` (``extra["keyword_separator"]``)
    so that :func:`join_keywords` writes them as they came; None when it
    would choose that one anyway."""
    return None if sep == _default_separator(words) else sep


def join_keywords(words: list[str], sep: str | None = None) -> str:
    """Keywords as one field: joined by ``sep`` (the one their source used)
    and a space, else by ``, `` (``; `` when a keyword holds a comma), so
    that :func:`split_keywords` reads the same keywords back."""
    if sep not in (";", ",") or (sep == "," and any("," in w for w in words)):
        sep = _default_separator(words)
    return f"{sep} ".join(words)


@dataclass
class Issue:
    """A problem or warning about one place in an input file."""

    source: str
    line: int | None
    key: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        who = f" entry '{self.key}':" if self.key else ""
        return f"{where}:{who} {self.message}"


@dataclass
class ReadEntry:
    """One entry read from a file, as a record, with where it came from."""

    record: Any
    source: str
    line: int | None = None
    #: the key was made by citeshelf (the source had none): a clash is not a duplicate
    generated_key: bool = False
    #: the record as the file gives it, before it left out what its book in the
    #: same file says (None: the same as ``record``)
    full: Any = None
    #: its book, when the book is in the same file
    book: Any = None
    #: the entry type as the file names it (BibTeX ``incollection``, RIS ``CHAP`` ...)
    entry_type: str | None = None
    #: the key of the entry it refers to for inheritance (BibTeX ``crossref``)
    crossref: str | None = None
    #: (a record, its ``to_json_dict()``) as the reader had them: while
    #: ``record`` is that very object, its file is written from the data
    #: instead of making it again (:meth:`json_data`)
    made: tuple[Any, dict[str, Any]] | None = None

    def json_data(self, record: Any) -> dict[str, Any] | None:
        """The JSON data of ``record`` the reader kept, if it is the record it
        kept it for (a record changed since is another object: models are
        changed by copying)."""
        made = self.made
        return made[1] if made is not None and made[0] is record else None


@dataclass
class ReadBatch:
    """Entries read from one file (or a batch of it), with what went wrong."""

    entries: list[ReadEntry] = field(default_factory=list)
    invalid: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    #: the text of BibTeX ``@preamble`` blocks (other formats have none)
    preambles: list[str] = field(default_factory=list)
    #: BibTeX ``@string`` definitions, (name, value as written), in file order
    strings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def records(self) -> list[Any]:
        return [e.record for e in self.entries]

    def extend(self, other: ReadBatch) -> None:
        """Add ``other``'s entries, problems and warnings to this batch."""
        self.entries.extend(other.entries)
        self.invalid.extend(other.invalid)
        self.warnings.extend(other.warnings)
        self.preambles.extend(other.preambles)
        self.strings.extend(other.strings)
