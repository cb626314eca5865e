"""Duplicates: the one rule for when two records are the same work, and the
list of likely duplicates in a library.

Public API::

    Existing.from_library(library) -> Existing
    Existing.from_records(records) -> Existing
        What duplicate checks need of the records already present (keys, DOIs,
        book ISBNs, title signatures); ``from_library`` reads the record
        files as plain JSON. ``existing.match(record, book=None)`` is the
        rule: (existing key, why) or None.
    duplicate_of(library, record) -> (key, why) | None
        The record of the library that ``record`` (not saved yet) duplicates
        by its identifiers: the refusal of ``add``.
    find_duplicates(library_or_records) -> list[LikelyDuplicate]
        Pairs of records that are likely the same work, with a score.

The rule (:meth:`Existing.match`). A record duplicates another if its key
matches in any letter case; or its DOI matches (DOIs ignore case), unless the
two are of a different edition, volume, printing or year (each where both
say one); or, for a book, it has an ISBN of the other with the same edition
and volume (the volumes of a set can share the set's ISBN), no different
printing or year (other printings share an ISBN) and a title that agrees
(one is the start of the other: parts A and B of a work, or a wrong ISBN,
are not one work); or its signature matches: normalised title and subtitle, year, first author's (else editor's) family
name, and for a chapter or paper the normalised title of its book (a
chapter's missing year and editors are its book's). A part is never a
duplicate of its container (a chapter of its book, a volume of its set: one
is the other's ``parent``).

Likely duplicates (:func:`find_duplicates`) are the pairs the rule finds
(score 1.00 for an identifier, 0.95 for a signature), and pairs of the same
type and year whose first creators' family names fold to the same text and
whose titles are close (:func:`citeshelf.model.similar.title_similarity` of
0.85 or more, which is then the score); chapters and papers must also be in
the same book. Two records whose DOIs differ are never likely duplicates.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ..model.attrs import field_value
from ..model.display import year as _year_of
from ..model.fold import fold
from ..model.identifiers import doi_key, isbn_key

__all__ = [
    "FUZZY_THRESHOLD",
    "Existing",
    "LikelyDuplicate",
    "duplicate_of",
    "find_duplicates",
    "record_signature",
]

#: the least title similarity of a fuzzy duplicate
FUZZY_THRESHOLD = 0.85
#: Titles are compared pairwise only within a group of at most this many
#: records of one type, year and first author (and book): a larger group's
#: titles are not compared (and the caller is told), so that finding
#: duplicates never takes quadratic time in the size of the library.
FUZZY_GROUP_MAX = 300


def _norm_title(text: str | None) -> str:
    # Letters and digits of any script are kept ("毛泽东" stays itself, not
    # "": titles in Chinese, Greek or Cyrillic are compared like Latin ones);
    # interned: the same title is kept by several of the rule's tables.
    return sys.intern(_NOT_WORD.sub("", fold(text or "")))


#: what a title's comparison form drops: spaces, punctuation and "_"
_NOT_WORD = re.compile(r"[\W_]+")


def _norm_number(text: object) -> str:
    """An edition or volume for comparison: its first number ("2nd ed." ->
    "2"), else its folded letters; "" for none."""
    if text is None or text == "":
        return ""
    s = str(text)
    m = re.search(r"\d+", s)
    return m.group() if m else _norm_title(s)


#: what tells two printings or issues of one identifier apart: (edition,
#: volume) must be equal; (year, printing) differ only when both have one
Variant = tuple[str, str, str, str]


def _variant(data: Any) -> Variant:
    """(edition, volume, year, printing) of a record or of its JSON data."""

    def get(name: str) -> Any:
        return data.get(name) if isinstance(data, dict) else getattr(data, name, None)

    extra = get("extra") or {}
    printing = extra.get("printing") if isinstance(extra, dict) else None
    year = _year_of(data.get("issued")) if isinstance(data, dict) else data.year
    return (
        _norm_number(get("edition")),
        _norm_number(get("volume")),
        str(year or ""),
        _norm_number(printing),
    )


def _other_issue(a: Variant, b: Variant, *, strict: bool = True) -> bool:
    """True if ``a`` and ``b`` are different editions, volumes, printings or
    years (edition and volume: any difference when ``strict``, else only
    where both have one)."""
    return any(
        x != y and ((strict and i < 2) or bool(x and y)) for i, (x, y) in enumerate(zip(a, b))
    )


#: CSL types of a part of a book, kept in ``extra["csl_type"]`` by a record
#: read as a book because its source named no book (pandoc's chapters of a
#: crossref'd ``@inbook``/``@suppbook``).
_PART_CSL_TYPES = frozenset(
    ["chapter", "paper-conference", "entry-encyclopedia", "entry-dictionary"]
)


def _is_part(data: Any) -> bool:
    """A chapter or paper (of a record or its JSON data), also one stored as a
    book because its source named no book: the DOI and ISBN it carries are
    its book's, so they make it no duplicate of that book or of the other parts."""

    def get(name: str) -> Any:
        return data.get(name) if isinstance(data, dict) else getattr(data, name, None)

    if get("type") in ("chapter", "paper"):
        return True
    extra = get("extra")
    return isinstance(extra, dict) and extra.get("csl_type") in _PART_CSL_TYPES


def _titles_agree(a: str, b: str) -> bool:
    """Normalised titles that may name one work: equal, one the start of the
    other (a subtitle left out), or one missing."""
    return not a or not b or a.startswith(b) or b.startswith(a)


def _first_family(people: list[Any]) -> str | None:
    if not people:
        return None
    p = people[0]
    if isinstance(p, str):  # a brief's (see _Brief)
        return p
    if isinstance(p, dict):
        return p.get("family") or p.get("literal")
    return p.family or p.literal


def _sig(
    title: str | None, subtitle: str | None, year: str, first: str | None, container: str
) -> tuple | None:
    t = _norm_title(" ".join(p for p in (title, subtitle) if p))
    if not t:
        return None
    return (t, year, _norm_title(first), container)


def _book_info(book: Any) -> tuple[str, str, str | None]:
    """What a chapter's signature takes from its book: full title, year, first editor."""
    return (book.full_title or "", str(book.year or ""), _first_family(book.editors))


def record_signature(record: Any, book: tuple[str, str, str | None] | None = None) -> tuple | None:
    """(title, year, first author, book title), normalised; a chapter's
    missing year and creators are its book's (``book``: :func:`_book_info`)."""
    year = str(record.year or "") or (book[1] if book else "")
    first = _first_family(record.creators) or (book[2] if book else None)
    container = ""
    if record.type in ("chapter", "paper"):
        container = _norm_title(book[0] if book else record.container_title)
    return _sig(record.title, record.subtitle, year, first, container)


def _doi(value: object) -> str:
    return doi_key(str(value))


_SIG_FIELDS = (
    "type",
    "title",
    "subtitle",
    "issued",
    "authors",
    "editors",
    "parent",
    "container_title",
)


class Existing:
    """Keys, DOIs, book ISBNs and title signatures of records already present."""

    def __init__(self) -> None:
        self.keys: dict[str, str] = {}  # casefolded -> key
        self.doi: dict[str, str] = {}
        #: DOI -> every key that has it (other editions may share one)
        self.dois: dict[str, list[str]] = {}
        #: key -> (edition, volume, year, printing)
        self.variant: dict[str, Variant] = {}
        #: key -> its parent's key
        self.parent: dict[str, str] = {}
        #: key -> normalised title and subtitle
        self.title: dict[str, str] = {}
        #: keys of parts of books (:func:`_is_part`)
        self.parts: set[str] = set()
        #: books: ISBN (:func:`isbn_key`) -> key (for --link-parents; :meth:`book_with_isbn`)
        self.isbn: dict[str, str] = {}
        #: books: (ISBN, edition, volume) -> keys (duplicates)
        self.isbn_ev: dict[tuple[str, str, str], list[str]] = {}
        self.sig: dict[tuple, str] = {}
        #: books: key -> (full title, year, first editor), for chapters' signatures
        self.book_info: dict[str, tuple[str, str, str | None]] = {}
        #: books: (normalised full title, year) -> key, for --link-parents
        self.books: dict[tuple[str, str], str] = {}

    @classmethod
    def from_library(cls, library: Any) -> Existing:
        """Read from the record files as plain JSON (no validation), as the
        store reads them (never a special file, within the size and depth limits)."""
        from ..errors import CiteshelfError
        from ..library.safeio import loads_limited

        def items() -> Iterable[tuple[str, Any]]:
            for key in library.keys():
                try:
                    data = loads_limited(library.read_text(key))
                except (OSError, ValueError, CiteshelfError):
                    data = None
                yield key, data

        return cls._build(items())

    @classmethod
    def from_records(cls, records: Iterable[Any]) -> Existing:
        """From records already read (``check``)."""
        return cls._build((r.key, r.to_json_dict()) for r in records)

    @classmethod
    def _build(cls, items: Iterable[tuple[str, Any]]) -> Existing:
        out = cls()
        later: list[tuple[str, dict[str, Any]]] = []
        for key, data in items:
            out.keys[key.casefold()] = key
            if not isinstance(data, dict):
                continue
            rtype = data.get("type")
            if _is_part(data):
                out.parts.add(key)
            out.variant[key] = _variant(data)
            out.title[key] = _norm_title(
                " ".join(str(data.get(f) or "") for f in ("title", "subtitle"))
            )
            if isinstance(data.get("parent"), str):
                out.parent[key] = data["parent"]
            if data.get("doi"):
                out.doi.setdefault(_doi(data["doi"]), key)
                out.dois.setdefault(_doi(data["doi"]), []).append(key)
            if rtype == "book" and key not in out.parts:
                ev = (_norm_number(data.get("edition")), _norm_number(data.get("volume")))
                for i in data.get("isbn") or []:
                    out.isbn.setdefault(isbn_key(str(i)), key)
                    out.isbn_ev.setdefault((isbn_key(str(i)), ev[0], ev[1]), []).append(key)
                title = ": ".join(p for p in (data.get("title"), data.get("subtitle")) if p)
                year = str(_year_of(data.get("issued")) or "")
                out.book_info[key] = (title, year, _first_family(data.get("editors") or []))
                out.books.setdefault((_norm_title(title), year), key)
            if data.get("parent"):
                # its book's year, editors and title: after every file is read
                later.append((key, {k: data.get(k) for k in _SIG_FIELDS}))
                continue
            out._add_sig(key, data, None)
        for key, data in later:
            out._add_sig(key, data, out.book_info.get(data["parent"]))
        return out

    def _add_sig(self, key: str, data: dict[str, Any], book: tuple | None) -> None:
        year = str(_year_of(data.get("issued")) or "") or (book[1] if book else "")
        first = _first_family(data.get("authors") or data.get("editors") or []) or (
            book[2] if book else None
        )
        container = ""
        if data.get("type") in ("chapter", "paper"):
            container = _norm_title(book[0] if book else data.get("container_title"))
        sig = _sig(data.get("title"), data.get("subtitle"), year, first, container)
        if sig:
            self.sig.setdefault(sig, key)

    def book_with_isbn(self, isbn: str) -> str | None:
        """The key of a book with ``isbn`` (in any of its forms), or None."""
        return self.isbn.get(isbn_key(isbn))

    def match_identifiers(self, record: Any) -> tuple[str, str] | None:
        """(existing key, why) if ``record``'s DOI, or as a book its ISBN
        with the same edition and volume, is here on a record of the same
        printing and year that is not its container or part."""
        mine = _variant(record)
        title = _norm_title(" ".join(filter(None, (record.title, record.subtitle))))

        def same_work(key: str, strict: bool) -> bool:
            if key == record.key or self._related(record, key):
                return False
            if strict and not _titles_agree(self.title.get(key, ""), title):
                return False  # another part under one ISBN, or a wrong ISBN
            return not _other_issue(self.variant.get(key, mine), mine, strict=strict)

        part = _is_part(record)
        if record.doi:  # the papers of a volume share its DOI
            for k in self.dois.get(_doi(record.doi), ()):
                if same_work(k, part or k in self.parts):
                    return k, f"same DOI {record.doi}"
        if record.type == "book" and not part:
            ev = (_norm_number(record.edition), _norm_number(record.volume))
            for i in record.isbn:
                for k in self.isbn_ev.get((isbn_key(i), ev[0], ev[1]), ()):
                    if same_work(k, True):
                        return k, f"same ISBN {i}"
        return None

    def _related(self, record: Any, key: str) -> bool:
        """Is ``key`` the container of ``record``, or a part of it?"""
        return record.parent == key or self.parent.get(key) == record.key

    def match(
        self, record: Any, book: Any = None, *, signature: bool = True
    ) -> tuple[str, str] | None:
        """(existing key, why) if ``record`` duplicates something here;
        ``book`` is a chapter's book record, when it is not in the library."""
        k = self.keys.get(record.key.casefold())
        if k is not None:
            return k, "same key"
        hit = self.match_identifiers(record)
        if hit is not None:
            return hit
        if signature:
            parent = getattr(record, "parent", None)
            info = (
                _book_info(book)
                if book is not None
                else self.book_info.get(parent)
                if parent
                else None
            )
            sig = record_signature(record, info)
            other = self.sig.get(sig) if sig else None
            mine = _variant(record)
            if (
                other is not None
                and not self._related(record, other)
                and not _other_issue(self.variant.get(other, mine), mine, strict=False)
            ):
                return other, "same title, year and first author"
        return None

    def add(self, record: Any) -> None:
        """A record this import creates (keys, DOI, ISBNs; no signature).

        Its variant and title are kept only if it has a DOI or, as a book, an
        ISBN: only a record found by one is compared by them
        (:meth:`match_identifiers`), and at 100,000 records the rest would be
        memory for nothing. A key that is its own folded form is kept as one
        string, not two equal ones, and a DOI is normalised once for both of
        its tables (an import of 100,000 entries peaks 8 MB lower)."""
        key = record.key
        folded = key.casefold()
        self.keys[key if folded == key else folded] = key
        if record.doi or (record.type == "book" and record.isbn):
            self.variant[record.key] = _variant(record)
            self.title[record.key] = _norm_title(
                " ".join(filter(None, (record.title, record.subtitle)))
            )
        if record.parent:
            self.parent[record.key] = record.parent
        if _is_part(record):
            self.parts.add(record.key)
        if record.doi:
            doi = _doi(record.doi)
            self.doi.setdefault(doi, record.key)
            self.dois.setdefault(doi, []).append(record.key)
        if record.type == "book" and record.key not in self.parts:
            ev = (_norm_number(record.edition), _norm_number(record.volume))
            for i in record.isbn:
                self.isbn.setdefault(isbn_key(i), record.key)
                self.isbn_ev.setdefault((isbn_key(i), ev[0], ev[1]), []).append(record.key)
            self.books.setdefault(
                (_norm_title(record.full_title), str(record.year or "")), record.key
            )


def duplicate_of(library: Any, record: Any) -> tuple[str, str] | None:
    """The record of ``library`` that the new ``record`` duplicates by DOI or
    ISBN (see :meth:`Existing.match_identifiers`), as (key, why), or None."""
    if not record.doi and not (record.type == "book" and record.isbn):
        return None
    candidates = _identifier_candidates(library, record)
    existing = (
        Existing.from_library(library) if candidates is None else Existing.from_records(candidates)
    )
    return existing.match_identifiers(record)


def _identifier_candidates(library: Any, record: Any) -> list[Any] | None:
    """The records that share ``record``'s DOI or one of its ISBNs, found
    through the query index (the rule is then applied to them alone); None
    when the index cannot answer (the caller reads every record instead)."""
    from ..errors import CiteshelfError
    from ..library.index import open_index
    from ..library.query import Query

    terms = [f'doi:"{record.doi}"'] if record.doi and '"' not in record.doi else []
    if record.doi and not terms:
        return None
    if record.type == "book":
        terms += [f"isbn:{i}" for i in record.isbn]
    try:
        index = open_index(library.path)
        if index is None:
            return None
        try:
            where, params = Query.parse(" OR ".join(terms)).sql(index.fts5)
            keys = index.search_keys(where, params)
        finally:
            index.close()
    except CiteshelfError:
        return None
    records, _problems = library.load_all(keys)
    return records


# --------------------------------------------------------------------------
# likely duplicates


@dataclass(frozen=True)
class LikelyDuplicate:
    """Two records that are likely the same work: ``a`` sorts before ``b``."""

    a: str
    b: str
    score: float
    why: str

    def to_json(self) -> dict[str, Any]:
        return {"keys": [self.a, self.b], "score": self.score, "why": self.why}


def _fold_name(people: list[Any]) -> str:
    return fold(_first_family(people) or "")


def _first_only(people: list[Any]) -> tuple[str, ...]:
    """What :func:`_first_family` reads of ``people``, as a brief keeps it."""
    first = _first_family(people)
    return (first,) if first else ()


#: the ``extra`` of a brief with no printing (one object, read only, for all)
_NO_EXTRA: Mapping[str, Any] = MappingProxyType({})


class _Brief:
    """What the duplicate rule reads of a record, and nothing more: the first
    author and editor only, ``extra`` only for the printing."""

    __slots__ = (
        "key",
        "type",
        "title",
        "subtitle",
        "year",
        "creators",
        "editors",
        "parent",
        "doi",
        "isbn",
        "edition",
        "volume",
        "extra",
        "container_title",
    )

    @property
    def full_title(self) -> str | None:
        if self.title and self.subtitle:
            return f"{self.title}: {self.subtitle}"
        return self.title

    def __init__(self, r: Any) -> None:
        self.key = r.key
        self.type = sys.intern(r.type)  # a few types, each held once
        self.title = r.title
        self.subtitle = r.subtitle
        self.year = r.year
        # the first creator's family name (or literal) alone: all the rule reads
        self.creators = _first_only(r.creators)
        self.editors = _first_only(r.editors)
        self.parent = r.parent
        self.doi = r.doi
        self.isbn = tuple(r.isbn)
        self.edition = r.edition
        self.volume = r.volume
        printing = r.extra.get("printing") if r.extra else None
        self.extra = {"printing": printing} if printing is not None else _NO_EXTRA
        self.container_title = field_value(r, "container_title")

    def __getstate__(self) -> tuple[Any, ...]:
        # (sent from a worker process: check's; the empty extra is a read-only view)
        return tuple(
            dict(self.extra) if name == "extra" else getattr(self, name) for name in self.__slots__
        )

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        for name, value in zip(self.__slots__, state, strict=True):
            setattr(self, name, value)
        if not self.extra:
            self.extra = _NO_EXTRA


def brief(record: Any) -> Any:
    """What :func:`find_duplicates` keeps of a record: pass a list of these
    instead of the records to compare records already read once."""
    return record if isinstance(record, _Brief) else _Brief(record)


def find_duplicates(source: Any, skipped: list[str] | None = None) -> list[LikelyDuplicate]:
    """Likely duplicates among a library's records (or an iterable of
    records, or of their :func:`brief`), best first, then by key (see the
    module docstring). A group
    too large to compare titles in (:data:`FUZZY_GROUP_MAX`) is described in
    ``skipped``, if given."""
    from ..model.similar import title_words, words_similarity

    items = source.iter_records() if hasattr(source, "iter_records") else source
    # only what the rule reads of each record is kept (memory does not grow
    # with the records' abstracts, notes and names)
    records = sorted((brief(r) for r in items if hasattr(r, "type")), key=lambda r: r.key)
    by_key = {r.key: r for r in records}
    found: dict[tuple[str, str], LikelyDuplicate] = {}

    def put(a: str, b: str, score: float, why: str) -> None:
        pair = (min(a, b), max(a, b))
        if a == b or by_key[a].parent == b or by_key[b].parent == a:
            return  # a part is never a duplicate of its container
        old = found.get(pair)
        if old is None or old.score < score:
            found[pair] = LikelyDuplicate(pair[0], pair[1], round(score, 2), why)

    # the rule: each record against the ones before it
    seen = Existing()
    infos: dict[str, tuple[str, str, str | None]] = {
        r.key: _book_info(r) for r in records if r.type == "book"
    }
    for r in records:
        hit = seen.match_identifiers(r)
        if hit is not None:
            put(hit[0], r.key, 1.0, hit[1])
        parent = getattr(r, "parent", None)
        sig = record_signature(r, infos.get(parent) if parent else None)
        if sig is not None:
            other = seen.sig.get(sig)
            if other is not None and not _other_issue(
                _variant(by_key[other]), _variant(r), strict=False
            ):
                put(other, r.key, 0.95, "same title, year and first author")
            else:
                seen.sig[sig] = r.key
        seen.add(r)

    # the identifier and signature tables are not needed for the titles:
    # freed before the groups are made (a lower peak for a large library)
    del seen, infos
    # close titles within (type, year, first creator, book)
    groups: dict[tuple[str, str, str, str], list[Any]] = {}
    for r in records:
        book = by_key.get(getattr(r, "parent", None) or "")
        year = str(r.year or (book.year if book is not None else "") or "")
        first = _fold_name(r.creators) or (_fold_name(book.editors) if book is not None else "")
        if not r.title or not year or not first:
            continue
        container = ""
        if r.type in ("chapter", "paper"):
            container = _norm_title(book.full_title if book is not None else r.container_title)
        groups.setdefault((r.type, year, first, container), []).append(r)
    for (rtype, year, first, _container), group in groups.items():
        if len(group) > FUZZY_GROUP_MAX:
            if skipped is not None:
                skipped.append(
                    f"{len(group)} records of type {rtype} by '{first}' in {year}: their titles "
                    f"were not compared for likely duplicates (more than {FUZZY_GROUP_MAX})"
                )
            continue
        words = [title_words(r.full_title) for r in group]
        # (each DOI's key made once, not once a pair)
        dois: list[str | None] = [_doi(r.doi) if r.doi else None for r in group]
        for i, x in enumerate(group):
            for j in range(i + 1, len(group)):
                y = group[j]
                if dois[i] is not None and dois[j] is not None and dois[i] != dois[j]:
                    continue
                score = words_similarity(words[i], words[j], FUZZY_THRESHOLD)
                if score >= FUZZY_THRESHOLD:
                    put(x.key, y.key, min(score, 0.95), "close title, same year and first author")
    return sorted(found.values(), key=lambda d: (-d.score, d.a, d.b))
