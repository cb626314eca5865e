"""Records matching a query: the ``list`` operation.

Public API::

    list_rows(path, query, *, sort=(), limit=None, progress=None) -> Listing
        One row per matching record (key, type, authors, year, title), from
        the index when one can be used, else from the record files; sorted by
        ``sort`` (key order without it) and cut to ``limit`` rows.
    find_records(library, query, *, use_index=True, sort=(), limit=None) -> Found
        The records themselves (for ``list --json``), in the same order, and
        the reasons record files could not be read.
    Found.resolved() -> list[record]
        The records seen through their books (a chapter's year is its book's
        when it has none).
    parse_sort(specs) -> list[(field, descending)]
        ``("year", "-title")`` checked against :data:`ROW_FIELDS`.
    parse_format(template) -> str
        A ``--format`` template checked against :data:`ROW_FIELDS`, with
        ``\\t``, ``\\n`` and ``\\\\`` turned into a tab, a newline, a backslash.
    Row.format(template) -> str

A mistake in a sort field or a template is a one-line :class:`UsageError`
naming the fields there are.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence

from ..errors import UsageError

TYPE_CHECKING = False  # typing itself is not imported by a warm ``list``
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "ROW_FIELDS",
    "Found",
    "Listing",
    "Row",
    "find_records",
    "json_texts",
    "list_rows",
    "parse_format",
    "parse_sort",
]

#: What a listed row holds: the names ``--format`` and ``--sort`` take.
ROW_FIELDS = ("key", "type", "authors", "year", "title")


class Row:
    """One listed record: its key, type, authors (else editors, "(ed.)"),
    year (its book's for a chapter without one) and full title (a class of
    its own: ``dataclasses`` costs every ``list`` 6 ms to import, and
    ``typing.NamedTuple`` needs typing, about 3 ms)."""

    __slots__ = ROW_FIELDS

    def __init__(self, key: str, type: str, authors: str, year: int | None, title: str) -> None:
        self.key, self.type, self.authors, self.year, self.title = key, type, authors, year, title

    def _tuple(self) -> tuple[str, str, str, int | None, str]:
        return self.key, self.type, self.authors, self.year, self.title

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Row):
            return NotImplemented
        return self._tuple() == other._tuple()

    def __hash__(self) -> int:
        return hash(self._tuple())

    def __repr__(self) -> str:
        return "Row({})".format(", ".join(f"{n}={getattr(self, n)!r}" for n in ROW_FIELDS))

    def values(self) -> dict[str, str]:
        return {
            "key": self.key,
            "type": self.type,
            "authors": self.authors,
            "year": "" if self.year is None else str(self.year),
            "title": self.title,
        }

    def cells(self) -> list[str]:
        return list(self.values().values())

    def format(self, template: str) -> str:
        """``template`` (checked by :func:`parse_format`) filled with this row."""
        try:
            return template.format(**self.values())
        except (ValueError, IndexError) as exc:
            raise UsageError(f"--format: {exc}") from None


class Listing:
    """The rows listed, and the problems (unreadable files) met."""

    __slots__ = ("rows", "problems")

    def __init__(self, rows: list[Row] | None = None, problems: list[str] | None = None) -> None:
        self.rows = rows if rows is not None else []
        self.problems = problems if problems is not None else []

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Listing):
            return NotImplemented
        return (self.rows, self.problems) == (other.rows, other.problems)

    def __repr__(self) -> str:
        return f"Listing(rows={self.rows!r}, problems={self.problems!r})"


class Found:
    """Records found (:func:`find_records`), and the problems met."""

    def __init__(
        self, library: Any, records: list[Any] | None = None, problems: list[str] | None = None
    ) -> None:
        self.library = library
        self.records = records if records is not None else []
        self.problems = problems if problems is not None else []

    def to_json(self) -> list[dict[str, Any]]:
        return [r.to_json_dict() for r in self.records]

    def resolved(self) -> list[Any]:
        """The records seen through their books (each book read once; a
        chapter whose book is missing or unreadable as it is stored)."""
        from ..library.parents import resolve_many

        return resolve_many(self.records, self.library)


def _fields_hint(name: str) -> str:
    from ..errors import closest

    best = closest(name, ROW_FIELDS)
    hint = f"did you mean '{best}'? " if best else ""
    return f"{hint}fields are {', '.join(ROW_FIELDS)}"


def parse_sort(specs: Iterable[str]) -> list[tuple[str, bool]]:
    """Sort fields as (name, descending); ``-name`` sorts descending."""
    out = []
    for spec in specs:
        name = spec.strip()
        descending = name.startswith("-")
        name = name.lstrip("-").strip().lower()
        if name not in ROW_FIELDS:
            raise UsageError(f"--sort: unknown field '{spec.strip()}': {_fields_hint(name)}")
        out.append((name, descending))
    return out


_ESCAPES = {"t": "\t", "n": "\n", "\\": "\\"}


def _unescape(template: str) -> str:
    out, i = [], 0
    while i < len(template):
        c = template[i]
        if c == "\\" and i + 1 < len(template) and template[i + 1] in _ESCAPES:
            out.append(_ESCAPES[template[i + 1]])
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def parse_format(template: str) -> str:
    """The template with its escapes read; every ``{placeholder}`` must be a row field."""
    text = _unescape(template)
    try:
        import string

        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise UsageError(
            f"--format: {exc} (write {{{{ and }}}} for braces); placeholders are "
            + ", ".join(f"{{{f}}}" for f in ROW_FIELDS)
        ) from None
    for _literal, name, _spec, _conversion in parts:
        if name is None:
            continue
        if name not in ROW_FIELDS:
            from ..errors import closest

            best = closest(name, ROW_FIELDS) if name else None
            hint = f"did you mean '{{{best}}}'? " if best else ""
            raise UsageError(
                f"--format: unknown placeholder '{{{name}}}': {hint}placeholders are "
                + ", ".join(f"{{{f}}}" for f in ROW_FIELDS)
            )
    sample = Row("k", "book", "", None, "")
    sample.format(text)  # a bad format spec fails here, before anything is listed
    return text


def _sort_value(row: Row, name: str) -> Any:
    from ..model.fold import fold

    value = getattr(row, name)
    if name in ("authors", "title"):
        return fold(value)
    return value


def sort_rows(rows: Sequence[Row], sort: Sequence[tuple[str, bool]]) -> list[Row]:
    """``rows`` ordered by each sort field in turn (a row without the field's
    value last, either direction); ties keep their order."""
    out = list(rows)
    for name, descending in reversed(sort):
        present = [r for r in out if getattr(r, name) not in (None, "")]
        absent = [r for r in out if getattr(r, name) in (None, "")]
        present.sort(key=lambda r: _sort_value(r, name), reverse=descending)
        out = present + absent
    return out


def _arrange(rows: list[Row], sort: Sequence[tuple[str, bool]], limit: int | None) -> list[Row]:
    if sort:
        rows = sort_rows(rows, sort)
    return rows if limit is None else rows[:limit]


def _record_rows(found: Found) -> list[Row]:
    from ..model.display import creators_cell

    return [
        Row(r.key, r.type, creators_cell(r.to_json_dict()), v.year, r.full_title or "")
        for r, v in zip(found.records, found.resolved())
    ]


def list_rows(
    path: str | os.PathLike[str],
    query: str | None,
    *,
    sort: Sequence[tuple[str, bool]] = (),
    limit: int | None = None,
    progress: Any = None,
) -> Listing:
    """The rows of the records at ``path`` matching ``query``.

    From the index (no record file is parsed, Pydantic is not loaded) when
    one can be opened here, else from the record files.
    """
    from ..library.index import open_index
    from ..library.query import Query

    q = Query.parse(query)
    if not os.path.isdir(path):
        from ..library import Library

        Library(path).check_exists()  # the usual "no library at ..." error
    index = open_index(path, progress=progress)
    if index is None:
        from ..library import Library

        found = find_records(Library(path), q.text, use_index=False)
        return Listing(_arrange(_record_rows(found), sort, limit), found.problems)
    try:
        where, params = q.sql(index.fts5)
        rows = [
            Row(r.key, r.type, r.creators or "", r.year, r.title or "")
            for r in index.search("" if q.is_everything else where, params)
        ]
        problems = [p.reason for p in index.problems()]
    finally:
        index.close()
    return Listing(_arrange(rows, sort, limit), problems)


class Streamed:
    """Records matching a query, read one at a time (:func:`stream_records`):
    iterate ``records()`` once; ``problems`` holds the unreadable files met."""

    def __init__(self, library: Any, keys: list[str], problems: list[str] | None = None) -> None:
        self.library = library
        self.keys = keys
        self.problems = problems if problems is not None else []

    def records(self) -> Iterator[Any]:
        from ..library.store import RecordProblem

        for item in self.library.iter_records(self.keys):
            if isinstance(item, RecordProblem):
                self.problems.append(item.reason)
            else:
                yield item


#: Records read at a time by :func:`json_texts` (a part of the workers' work).
_JSON_PART = 500


def json_texts(streamed: Streamed) -> Iterator[str]:
    """The JSON text of each record of ``streamed``, in its order (what
    :func:`citeshelf.jsontext.dumps_indented` makes of ``to_json_dict()``),
    its files read once; the unreadable ones go to ``streamed.problems``.
    For many records (:mod:`.forked`) worker processes read, validate and
    write them, a part ahead of the one taken in: the same texts."""
    from .forked import Workers

    keys = streamed.keys
    parts = (keys[i : i + _JSON_PART] for i in range(0, len(keys), _JSON_PART))
    maker = _JsonTexts(streamed.library)
    with Workers(maker.make, len(keys)) as workers:
        for _part, _kept, made in workers.ahead(parts, _nothing_kept):
            for text, problem in made:
                if problem is not None:
                    streamed.problems.append(problem)
                else:
                    yield text


def _nothing_kept(part: list[str]) -> dict[str, Any]:
    return {}


class _JsonTexts:
    """Records' JSON texts, made here or in forked workers (:func:`json_texts`)."""

    def __init__(self, library: Any) -> None:
        self.library = library

    def make(self, keys: list[str]) -> list[tuple[str, str | None]]:
        """(text, None) for each record of ``keys``, ("", reason) for a file
        that cannot be read."""
        from ..jsontext import dumps_indented
        from ..library.store import RecordProblem

        out: list[tuple[str, str | None]] = []
        for item in self.library.iter_records(keys):
            if isinstance(item, RecordProblem):
                out.append(("", item.reason))
            else:
                out.append((dumps_indented(item.to_json_dict()), None))
        return out


def stream_records(
    library: Any, query: str | None, *, limit: int | None = None, refresh: bool = True
) -> Streamed | None:
    """The records matching ``query`` in key order, to be read one at a time
    (memory stays flat however many there are), from the query index; None
    when no index can be opened (then :func:`find_records` reads them all).
    ``refresh=False``: the caller has just brought the index up to date."""
    from ..library.index import open_index
    from ..library.query import Query
    from ..library.store import RecordProblem

    q = Query.parse(query)
    library.check_exists()
    index = open_index(library.path, refresh=refresh)
    if index is None:
        return None
    try:
        where, params = q.sql(index.fts5)
        keys = index.search_keys("" if q.is_everything else where, params)
        problems = [RecordProblem(p.key, p.path, p.reason) for p in index.problems()]
    finally:
        index.close()
    if limit is not None:
        keys = keys[:limit]
    return Streamed(library, keys, [p.reason for p in sorted(problems, key=lambda p: p.key)])


def find_records(
    library: Any,
    query: str | None,
    *,
    use_index: bool = True,
    sort: Sequence[tuple[str, bool]] = (),
    limit: int | None = None,
) -> Found:
    from ..library.query import select

    records, problems = select(library, query, use_index=use_index)
    found = Found(library, records, [p.reason for p in problems])
    if sort or limit is not None:
        by_key = {r.key: r for r in records}
        found.records = [by_key[row.key] for row in _arrange(_record_rows(found), sort, limit)]
    return found
