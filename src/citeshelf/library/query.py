"""Selecting records with a query string.

Simple form: words matched against key, title and names (case- and
accent-insensitive), and ``field:value`` terms (``type:chapter``,
``year:2014``, ``author:aris``). Every term must match.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from ..errors import UsageError
from ..model import BaseRecord, fold

__all__ = ["Query", "FIELDS", "select"]

FIELDS = ("author", "editor", "title", "year", "type", "tag", "key", "parent", "publisher", "doi", "isbn")


def _names(people) -> str:  # noqa: ANN001
    return " ".join(p.display() for p in people)


def field_text(record: BaseRecord, name: str) -> str:
    if name == "author":
        return _names(record.authors)
    if name == "editor":
        return _names(record.editors)
    if name == "title":
        return " ".join(filter(None, (record.title, record.subtitle, record.short_title)))
    if name == "year":
        return str(record.year or "")
    if name == "tag":
        return " ".join(record.tags)
    if name == "isbn":
        return " ".join(record.isbn)
    return str(getattr(record, name, None) or "")


@dataclass(frozen=True)
class Term:
    field: str | None
    value: str

    def matches(self, record: BaseRecord) -> bool:
        if self.field is None:
            hay = " ".join(
                (record.key, field_text(record, "title"), _names(record.authors), _names(record.editors))
            )
            return self.value in fold(hay)
        if self.field in ("type", "year", "key", "parent"):
            return fold(field_text(record, self.field)) == self.value
        return self.value in fold(field_text(record, self.field))


@dataclass(frozen=True)
class Query:
    terms: tuple[Term, ...]

    @classmethod
    def parse(cls, text: str | None) -> "Query":
        if not text or not text.strip():
            return cls(())
        try:
            tokens = shlex.split(text)
        except ValueError as exc:
            raise UsageError(f"query {text!r}: {exc}") from None
        terms = []
        for token in tokens:
            field, sep, value = token.partition(":")
            if sep and field.lower() in FIELDS:
                if not value:
                    raise UsageError(f"query term {token!r} has no value after the colon")
                terms.append(Term(field.lower(), fold(value)))
            elif sep and field.isalpha() and field.lower() not in FIELDS:
                raise UsageError(
                    f"unknown field {field!r} in query: use one of {', '.join(FIELDS)}"
                )
            else:
                terms.append(Term(None, fold(token)))
        return cls(tuple(terms))

    def matches(self, record: BaseRecord) -> bool:
        return all(t.matches(record) for t in self.terms)


def select(library, text: str | None):  # noqa: ANN001, ANN201
    """Records of ``library`` matching ``text``, in key order, and the problems
    (unreadable files) met on the way: ``(records, problems)``.

    Chapters are matched as resolved through their book (so ``year:2014``
    finds a chapter whose date is the book's), but returned as stored.
    """
    from .resolve import merge_parent
    from .store import RecordProblem
    from ..model import Chapter

    q = Query.parse(text)
    records, problems = [], []
    for item in library.iter_records():
        (problems if isinstance(item, RecordProblem) else records).append(item)
    by_key = {r.key: r for r in records}

    def resolved(r: BaseRecord) -> BaseRecord:
        if isinstance(r, Chapter) and r.parent in by_key:
            return merge_parent(r, by_key[r.parent])
        return r

    return [r for r in records if q.matches(resolved(r))], problems
