"""The query language: selecting records with a query string.

Grammar (operators in capitals; precedence NOT > AND > OR)::

    query   := or-expr | (nothing: every record)
    or-expr := and-expr ("OR" and-expr)*
    and-expr:= not-expr (["AND"] not-expr)*          (AND is implied between terms)
    not-expr:= "NOT" not-expr | atom
    atom    := "(" or-expr ")" | FIELD ":" "(" or-expr ")" | term
    term    := [FIELD ":"] value
    value   := WORD ["*"] | '"' phrase '"' ["*"] | year-range (after year:)

* Words are matched whole, ignoring case and accents (``merand`` finds Mérand);
  ``secur*`` matches words starting with "secur"; a quoted phrase (or a word
  with punctuation in it, ``counter-terrorism``) matches consecutive words.
* Bare words search the title, the names (authors, editors, translators), the
  abstract and the key.
* ``author editor translator title abstract publisher journal`` match words
  in that field; ``type key parent doi isbn tag`` match the whole value (with
  ``*`` its start); ``year:2014``, ``year:2010..2014``, ``year:2010..``,
  ``year:..2014``, ``year:>=2010`` (also ``>``, ``<``, ``<=``).
* A chapter is matched as resolved through its book: its book's editors,
  year, publisher and ISBNs count as its own when it has none.

The same query runs in SQL over the index (:mod:`.index`) or in Python over a
record (:meth:`Query.matches`), with the same results.
"""

from __future__ import annotations

import re

from ..errors import UsageError
from ..model.fold import fold
from ..model.types import TYPE_NAMES
from .index import doc_text, extract
from .jsondata import ANY_LISTED
from .schema import FREE_FIELDS
from .terms import norm_doi, norm_isbn, norm_tag, tokens

TYPE_CHECKING = False  # typing itself is not imported by a warm ``list``
if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Collection
    from typing import Any

    from ..model import BaseRecord
    from .store import RecordProblem, RecordStore

__all__ = [
    "FIELDS",
    "MAX_NESTING",
    "MAX_TERMS",
    "Query",
    "QueryError",
    "found_keys",
    "select",
]

EXACT = ("type", "key", "parent", "doi", "isbn", "tag")
FIELDS = (
    "author",
    "editor",
    "title",
    "year",
    "type",
    "tag",
    "key",
    "doi",
    "isbn",
    "publisher",
    "journal",
    "parent",
    "abstract",
    "translator",
)
#: the work types (the type table of :mod:`citeshelf.model.types`)
TYPES = TYPE_NAMES
OPERATORS = ("AND", "OR", "NOT")
#: the most terms in one query, and how deep parentheses and NOTs may nest
#: (beyond them a query is refused with a one-line error: SQLite's parser
#: and expression tree, and Python's stack, have limits of their own)
MAX_TERMS = 200
MAX_NESTING = 20
#: the most words :func:`select`'s ``listed`` narrows by (more: not narrowed;
#: SQLite before 3.32 takes at most 999 parameters)
MAX_LISTED = 500


class QueryError(UsageError):
    """A syntax error in a query; ``column`` is 1-based."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(f"in the query at column {column}: {message}")
        self.column = column


# ---------------------------------------------------------------------------
# The tree


class _Value:
    """A small immutable value with named fields, its ``__slots__`` (cheaper to
    define than a dataclass, which matters for start-up). Each subclass
    declares its fields' types and an ``__init__`` that calls :meth:`_set`."""

    __slots__: tuple[str, ...] = ()

    def _set(self, *values: object) -> None:
        """Give the fields their values, in the order of ``__slots__``."""
        for name, value in zip(self.__slots__, values, strict=True):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and all(
            getattr(self, n) == getattr(other, n) for n in self.__slots__
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, *(getattr(self, n) for n in self.__slots__)))

    def __repr__(self) -> str:
        args = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{type(self).__name__}({args})"


class Node(_Value):
    __slots__ = ()

    def test(self, doc: dict[str, Any]) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def sql(self, fts5: bool) -> tuple[str, list[Any]]:  # pragma: no cover - abstract
        raise NotImplementedError


class Everything(Node):
    __slots__ = ()

    def test(self, doc: dict[str, Any]) -> bool:
        return True

    def sql(self, fts5: bool) -> tuple[str, list[Any]]:
        return "1", []

    def __str__(self) -> str:
        return "*"


class Words(Node):
    """Consecutive words in one of ``fields``; the last one a prefix if ``prefix``."""

    __slots__ = ("fields", "words", "prefix")
    fields: tuple[str, ...]
    words: tuple[str, ...]
    prefix: bool

    def __init__(
        self, fields: tuple[str, ...], words: tuple[str, ...], prefix: bool = False
    ) -> None:
        self._set(fields, words, prefix)

    def test(self, doc: dict[str, Any]) -> bool:
        n = len(self.words)
        for field in self.fields:
            have = doc_text(doc, field).split()
            for i in range(len(have) - n + 1):
                if have[i : i + n - 1] == list(self.words[:-1]):
                    last = have[i + n - 1]
                    if last == self.words[-1] or (self.prefix and last.startswith(self.words[-1])):
                        return True
        return False

    def sql(self, fts5: bool) -> tuple[str, list[Any]]:
        if fts5:
            phrase = '"' + " ".join(self.words) + '"' + (" *" if self.prefix else "")
            cols = self.fields[0] if len(self.fields) == 1 else "{" + " ".join(self.fields) + "}"
            return "r.id IN (SELECT rowid FROM fts WHERE fts MATCH ?)", [f"{cols} : {phrase}"]
        # Without FTS5: the words are stored space-separated; pad with spaces to
        # match whole words.
        needle = " " + " ".join(self.words) + ("" if self.prefix else " ")
        ors = " OR ".join(f"instr(' ' || f.{c} || ' ', ?) > 0" for c in self.fields)
        return (
            f"r.id IN (SELECT f.rowid FROM fts f WHERE {ors})",
            [needle] * len(self.fields),
        )

    def __str__(self) -> str:
        text = '"' + " ".join(self.words) + '"' + ("*" if self.prefix else "")
        return text if self.fields == FREE_FIELDS else f"{self.fields[0]}:{text}"


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class Exact(Node):
    """A whole value (type, key, parent, DOI, ISBN, tag), or its start if ``prefix``."""

    __slots__ = ("field", "value", "prefix")
    field: str
    value: str
    prefix: bool

    def __init__(self, field: str, value: str, prefix: bool = False) -> None:
        self._set(field, value, prefix)

    def _hit(self, have: str | None) -> bool:
        if have is None:
            return False
        return have.startswith(self.value) if self.prefix else have == self.value

    def test(self, doc: dict[str, Any]) -> bool:
        if self.field in ("tag", "isbn"):
            return any(self._hit(v) for v in doc[self.field])
        have = doc["fkey"] if self.field == "key" else doc[self.field]
        return self._hit(have)

    def sql(self, fts5: bool) -> tuple[str, list[Any]]:
        op = "LIKE ? ESCAPE '\\'" if self.prefix else "= ?"
        arg = _like(self.value) if self.prefix else self.value
        if self.field in ("tag", "isbn"):
            return f"r.id IN (SELECT rid FROM vals WHERE field = ? AND value {op})", [
                self.field,
                arg,
            ]
        column = "fkey" if self.field == "key" else self.field
        return f"coalesce(r.{column} {op}, 0)", [arg]

    def __str__(self) -> str:
        return f'{self.field}:"{self.value}"' + ("*" if self.prefix else "")


class Years(Node):
    """A year, or a range of years (``None``: open at that end)."""

    __slots__ = ("low", "high")
    low: int | None
    high: int | None

    def __init__(self, low: int | None, high: int | None) -> None:
        self._set(low, high)

    def test(self, doc: dict[str, Any]) -> bool:
        year = doc["year"]
        if year is None:
            return False
        return (self.low is None or year >= self.low) and (self.high is None or year <= self.high)

    def sql(self, fts5: bool) -> tuple[str, list[Any]]:
        return (
            "coalesce(r.year BETWEEN ? AND ?, 0)",
            [-(10**9) if self.low is None else self.low, 10**9 if self.high is None else self.high],
        )

    def __str__(self) -> str:
        if self.low == self.high:
            return f"year:{self.low}"
        return (
            f"year:{'' if self.low is None else self.low}..{'' if self.high is None else self.high}"
        )


class Not(Node):
    __slots__ = ("item",)
    item: Node

    def __init__(self, item: Node) -> None:
        self._set(item)

    def test(self, doc: dict[str, Any]) -> bool:
        return not self.item.test(doc)

    def sql(self, fts5: bool) -> tuple[str, list[Any]]:
        text, params = self.item.sql(fts5)
        return f"NOT ({text})", params

    def __str__(self) -> str:
        return f"NOT {_wrap(self.item)}"


class And(Node):
    __slots__ = ("items",)
    items: tuple[Node, ...]

    def __init__(self, items: tuple[Node, ...]) -> None:
        self._set(items)

    def test(self, doc: dict[str, Any]) -> bool:
        return all(i.test(doc) for i in self.items)

    def sql(self, fts5: bool) -> tuple[str, list[Any]]:
        return _join(self.items, " AND ", fts5)

    def __str__(self) -> str:
        return " ".join(_wrap(i) for i in self.items)


class Or(Node):
    __slots__ = ("items",)
    items: tuple[Node, ...]

    def __init__(self, items: tuple[Node, ...]) -> None:
        self._set(items)

    def test(self, doc: dict[str, Any]) -> bool:
        return any(i.test(doc) for i in self.items)

    def sql(self, fts5: bool) -> tuple[str, list[Any]]:
        return _join(self.items, " OR ", fts5)

    def __str__(self) -> str:
        return " OR ".join(_wrap(i) for i in self.items)


def _wrap(node: Node) -> str:
    return f"({node})" if isinstance(node, (And, Or)) else str(node)


def _join(items: tuple[Node, ...], op: str, fts5: bool) -> tuple[str, list[Any]]:
    texts, params = [], []
    for item in items:
        t, p = item.sql(fts5)
        texts.append(f"({t})")
        params += p
    return op.join(texts), params


# ---------------------------------------------------------------------------
# Reading a query


class _Tok(_Value):
    """A token: ``kind`` is one of ( ) AND OR NOT term field( end; ``col`` is 1-based."""

    __slots__ = ("kind", "col", "field", "value", "quoted", "prefix", "text")
    kind: str
    col: int
    field: str | None
    value: str
    quoted: bool
    prefix: bool
    text: str

    def __init__(
        self,
        kind: str,
        col: int,
        field: str | None = None,
        value: str = "",
        quoted: bool = False,
        prefix: bool = False,
        text: str = "",
    ) -> None:
        self._set(kind, col, field, value, quoted, prefix, text)


_FIELD = re.compile(r"([A-Za-z_]+):")


def _lex(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        col = i + 1
        if c in "()":
            out.append(_Tok(c, col))
            i += 1
            continue
        field = None
        m = _FIELD.match(text, i)
        if m:
            name = m.group(1).lower()
            if name not in FIELDS:
                import difflib

                close = difflib.get_close_matches(name, FIELDS, n=1)
                hint = f"did you mean '{close[0]}:'? " if close else ""
                raise QueryError(
                    f"unknown field '{m.group(1)}': {hint}use one of {', '.join(FIELDS)} "
                    f"(or put the words in quotes to search for them as text)",
                    col,
                )
            field = name
            i = m.end()
            if i < n and text[i] == "(":
                # the column of its '(' (what an error about it points at)
                out.append(_Tok("field(", i + 1, field=field))
                i += 1
                continue
            if i >= n or text[i].isspace() or text[i] == ")":
                raise QueryError(
                    f"'{m.group(0)}' has no value: write {name}:WORD or {name}:\"a phrase\"", col
                )
        if text[i] == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise QueryError('this quote is never closed: add a closing "', i + 1)
            value = text[i + 1 : end]
            j = end + 1
            prefix = j < n and text[j] == "*"
            if prefix:
                j += 1
            if j < n and not (text[j].isspace() or text[j] in "()"):
                raise QueryError("put a space after a closing quote", j + 1)
            out.append(_Tok("term", col, field, value, True, prefix, text[col - 1 : j]))
            i = j
            continue
        j = i
        while j < n and not text[j].isspace() and text[j] not in '()"':
            j += 1
        word = text[i:j]
        if j < n and text[j] == '"':
            raise QueryError("a quote cannot start inside a word: put a space before it", j + 1)
        if field is None and word in OPERATORS:
            out.append(_Tok(word, col))
            i = j
            continue
        prefix = word.endswith("*")
        if prefix:
            word = word[:-1]
        if "*" in word:
            raise QueryError(
                "'*' can only end a word (secur* finds security)", i + word.index("*") + 1
            )
        out.append(_Tok("term", col, field, word, False, prefix, text[col - 1 : j]))
        i = j
    out.append(_Tok("end", n + 1))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _lex(text)
        self.pos = 0
        self.depth = 0
        self.terms = 0

    def nest(self, tok: _Tok) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise QueryError(
                f"parentheses and NOTs nest deeper than {MAX_NESTING} levels: simplify the query",
                tok.col,
            )

    def peek(self) -> _Tok:
        return self.toks[self.pos]

    def take(self) -> _Tok:
        tok = self.toks[self.pos]
        self.pos += 1
        return tok

    def parse(self) -> Node:
        if self.peek().kind == "end":
            return Everything()
        node = self.or_expr(None)
        tok = self.peek()
        if tok.kind == ")":
            raise QueryError("this ')' has no matching '('", tok.col)
        if tok.kind != "end":  # pragma: no cover - or_expr consumes everything else
            raise QueryError("unexpected text", tok.col)
        return node

    def or_expr(self, field: str | None) -> Node:
        items = [self.and_expr(field)]
        while self.peek().kind == "OR":
            op = self.take()
            if self.peek().kind in ("end", ")", "OR", "AND"):
                raise QueryError("'OR' needs a term on each side", op.col)
            items.append(self.and_expr(field))
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self, field: str | None) -> Node:
        tok = self.peek()
        if tok.kind in ("OR", "AND"):
            raise QueryError(f"'{tok.kind}' needs a term on each side", tok.col)
        items = [self.not_expr(field)]
        while True:
            tok = self.peek()
            if tok.kind == "AND":
                self.take()
                if self.peek().kind in ("end", ")", "OR", "AND"):
                    raise QueryError("'AND' needs a term on each side", tok.col)
                items.append(self.not_expr(field))
            elif tok.kind in ("term", "(", "NOT", "field("):
                items.append(self.not_expr(field))
            else:
                break
        return items[0] if len(items) == 1 else And(tuple(items))

    def not_expr(self, field: str | None) -> Node:
        tok = self.peek()
        if tok.kind == "NOT":
            self.take()
            if self.peek().kind in ("end", ")", "OR", "AND"):
                raise QueryError("'NOT' needs a term after it", tok.col)
            self.nest(tok)
            node = Not(self.not_expr(field))
            self.depth -= 1
            return node
        return self.atom(field)

    def atom(self, field: str | None) -> Node:
        tok = self.take()
        if tok.kind in ("(", "field("):
            inner_field = tok.field if tok.kind == "field(" else field
            if self.peek().kind == ")":
                raise QueryError("empty parentheses: put a term inside", tok.col)
            if self.peek().kind == "end":
                raise QueryError("this '(' is never closed: add ')'", tok.col)
            self.nest(tok)
            node = self.or_expr(inner_field)
            self.depth -= 1
            close = self.take()
            if close.kind != ")":
                raise QueryError("this '(' is never closed: add ')'", tok.col)
            return node
        if tok.kind == ")":
            raise QueryError("this ')' has no matching '('", tok.col)
        if tok.kind == "term":
            self.terms += 1
            if self.terms > MAX_TERMS:
                raise QueryError(
                    f"more than {MAX_TERMS} terms in one query: split it into several", tok.col
                )
            return _term(tok, tok.field or field)
        raise QueryError("expected a term", tok.col)  # pragma: no cover


_RANGE = re.compile(r"^(\d{1,4})?\.\.(\d{1,4})?$")
_CMP = re.compile(r"^(>=|<=|>|<|=)?(\d{1,4})$")


def _term(tok: _Tok, field: str | None) -> Node:
    value = tok.value
    if field == "year":
        return _years(tok)
    if field in EXACT:
        return _exact(tok, field)
    words = tuple(tokens(value))
    if not words:
        raise QueryError(f"'{tok.text}' has no letters or digits to search for", tok.col)
    fields = FREE_FIELDS if field is None else (field,)
    return Words(fields, words, tok.prefix)


def _years(tok: _Tok) -> Node:
    value = tok.value.strip().replace(" ", "")
    bad = QueryError(
        f"'{tok.text}' is not a year: write year:2014, year:2010..2014, year:2010.. or year:>=2010",
        tok.col,
    )
    if tok.prefix:
        raise bad
    m = _RANGE.match(value)
    if m and (m.group(1) or m.group(2)):
        low = int(m.group(1)) if m.group(1) else None
        high = int(m.group(2)) if m.group(2) else None
        if low is not None and high is not None and low > high:
            raise QueryError(f"'{tok.text}': the range's first year is after its last", tok.col)
        return Years(low, high)
    m = _CMP.match(value)
    if not m:
        raise bad
    op, year = m.group(1) or "=", int(m.group(2))
    return {
        "=": Years(year, year),
        ">=": Years(year, None),
        ">": Years(year + 1, None),
        "<=": Years(None, year),
        "<": Years(None, year - 1),
    }[op]


def _exact(tok: _Tok, field: str) -> Node:
    value = tok.value.strip()
    if field == "doi":
        value = norm_doi(value)
    elif field == "isbn":
        value = re.sub(r"[^0-9Xx]", "", value).upper() if tok.prefix else norm_isbn(value)
    elif field == "tag":
        value = norm_tag(value)
    else:
        value = fold(value)
    if not value:
        raise QueryError(f"'{tok.text}' has no value to search for", tok.col)
    if field == "type" and not tok.prefix and value not in TYPES:
        raise QueryError(f"unknown type '{tok.value}': use one of {', '.join(TYPES)}", tok.col)
    return Exact(field, value, tok.prefix)


class Query(_Value):
    """A parsed query: ``Query.parse(text)``, then ``matches(record)`` or ``sql()``."""

    __slots__ = ("root", "text")
    root: Node
    text: str

    def __init__(self, root: Node, text: str = "") -> None:
        self._set(root, text)

    @classmethod
    def parse(cls, text: str | None) -> Query:
        """Parse ``text``; a syntax error raises :class:`QueryError` (a ``UsageError``)
        naming the column."""
        text = text or ""
        return cls(_Parser(text).parse(), text)

    @property
    def is_everything(self) -> bool:
        return isinstance(self.root, Everything)

    def test(self, doc: dict[str, Any]) -> bool:
        """Match a document made by :func:`.index.extract`."""
        return self.root.test(doc)

    def matches(self, record: Any) -> bool:
        """Does ``record`` (a model record, or its JSON data) match? Pass a chapter
        resolved through its book (``chapter_view(chapter, book, "index")``) to match as
        the index does."""
        data = record if isinstance(record, dict) else record.to_json_dict()
        return self.root.test(extract(data))

    def sql(self, fts5: bool = True) -> tuple[str, list[Any]]:
        """An SQL condition over the index's ``records r`` and its parameters."""
        return self.root.sql(fts5)

    def __str__(self) -> str:
        return str(self.root)


def select(
    library: RecordStore,
    text: str | None,
    *,
    use_index: bool = True,
    listed: Collection[str] | None = None,
    index: Any = None,
    known: dict[str, BaseRecord] | None = None,
) -> tuple[list[BaseRecord], list[RecordProblem]]:
    """Records of ``library`` matching ``text``, in key order, and the problems
    (unreadable files) met on the way: ``(records, problems)``.

    Uses the library's index when one can be opened (only the matching records
    are parsed); otherwise reads every record file. Chapters are matched as
    resolved through their book (so ``year:2014`` finds a chapter whose date is
    the book's), but returned as stored. ``listed``: folded words, of which
    a work's :func:`.jsondata.listed_words` must hold one (a part with no
    authors of its own passes); it narrows what the index finds, and is
    ignored without the index (more records, never fewer).
    ``index``: the library's index, opened by the caller (who closes it),
    for several selections of one command; ``known``: records read by an
    earlier selection (key -> record as stored), used instead of reading
    their files again, and given the ones this one reads.
    """
    q = Query.parse(text)
    mine = index is None
    if mine and use_index:
        from .index import open_index

        library.check_exists()
        index = open_index(library.path)
    if index is not None:
        try:
            keys, problems = found_keys(index, q, listed)
        finally:
            if mine:
                index.close()
        if known is None:
            records, unreadable = library.load_all(keys)
        else:
            read, unreadable = library.load_all([k for k in keys if k not in known])
            known.update((r.key, r) for r in read)
            records = [known[k] for k in keys if k in known]
        problems += unreadable
        problems.sort(key=lambda p: p.key)
        return records, problems
    return _select_slow(library, q)


def found_keys(
    index: Any, query: Query | str | None, listed: Collection[str] | None = None
) -> tuple[list[str], list[RecordProblem]]:
    """The keys of the records the library's ``index`` finds for ``query``
    (see :func:`select`: chapters as seen through their books; ``listed``
    narrows), in key order, and the index's unreadable files."""
    from .store import RecordProblem

    q = query if isinstance(query, Query) else Query.parse(query)
    where, params = q.sql(index.fts5)
    if q.is_everything:
        where, params = "", []
    if listed is not None and len(listed) <= MAX_LISTED:
        words = [ANY_LISTED, *sorted(listed)]
        cond = (
            "r.id IN (SELECT rid FROM vals WHERE field = 'listed' AND value IN "
            f"({', '.join('?' * len(words))}))"
        )
        where = f"({where}) AND {cond}" if where else cond
        params = [*params, *words]
    keys = _search(index, where, params)
    return keys, [RecordProblem(p.key, p.path, p.reason) for p in index.problems()]


def _search(index: Any, where: str, params: list[Any]) -> list[str]:
    """The keys the index finds; a query SQLite finds too complex is a one-line
    error (the limits above keep queries under SQLite's own)."""
    import sqlite3

    try:
        return index.search_keys(where, params)
    except sqlite3.OperationalError as exc:
        text = str(exc)
        if any(w in text for w in ("too large", "stack overflow", "too many", "too complex")):
            raise UsageError(
                f"the query is too complex for the index ({text}): simplify it"
            ) from None
        raise


def _select_slow(library: RecordStore, q: Query) -> tuple[list[BaseRecord], list[RecordProblem]]:
    from ..model.inherit import chapter_view

    records, problems = library.load_all()
    by_key = {r.key: r for r in records}

    def resolved(r: Any) -> Any:
        if r.parent in by_key:
            return chapter_view(r, by_key[r.parent], "index")
        return r

    return [r for r in records if q.matches(resolved(r))], problems
