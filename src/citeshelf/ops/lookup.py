"""Adding records by identifier: fetch, convert, and save as an import does.

Public API::

    lookup_identifiers(library, identifiers, *, on_duplicate="error",
                       dry_run=False, sentence_case=False, cache_mode="use",
                       keep_going=False, client=None, progress=None) -> ImportResult
        Parse every identifier (a UsageError names a bad one before anything
        is fetched), fetch each one's record (doi.org content negotiation,
        Crossref, Open Library / Google Books, arXiv, PubMed), and stage it
        through the import's Importer: the same validation, key rule and
        duplicate check as ``import``. Commit with
        ``citeshelf.ops.importing.commit_import``. A failed fetch raises
        (nothing is staged then), or with ``keep_going`` is listed in
        ``result.invalid`` under the identifier.
    read_identifier_file(path) -> list[str]
        The identifiers of a file: one a line; blank lines and # comments skipped.

A chapter (a DOI whose record is a chapter) is linked to its book: the book's
ISBNs come from Crossref's REST record; a book with one of them (or with the
book's DOI) in the library or in the same run becomes its parent; otherwise
the book is fetched (by its DOI, else by ISBN) and added too. If the book
cannot be had, the chapter's own fields make it, as ``import --link-parents``
does.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..errors import CiteshelfError
from ..formats.entries import Issue, ReadEntry
from ..progress import NullProgress, ProgressFactory

__all__ = ["fetch_csl", "looks_like_identifier", "lookup_identifiers", "read_identifier_file"]

_TMP_KEY = "lookup-tmp"
#: chapter fields that say what its book says (dropped once it is linked)
_BOOK_FIELDS = ("editors", "publisher", "place", "edition", "volume", "series", "language")


def looks_like_identifier(text: str) -> bool:
    """True for text meant as an identifier (doi:..., a bare DOI, isbn:...)."""
    from ..sources.identifiers import looks_like_identifier as looks

    return looks(text)


def read_identifier_file(path: str | Path) -> list[str]:
    from ..errors import NotFound

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound(f"{p}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CiteshelfError(f"{p}: cannot read it ({exc})") from None
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("#"):
            continue
        line = line.split(" #", 1)[0].strip()
        if line:
            out.append(line)
    return out


def fetch_csl(
    client: Any, ident: Any, on_crossref_error: Any = None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """(the CSL item of ``ident``, Crossref's record of it for a chapter DOI).
    ``on_crossref_error(exc)``: Crossref could not be asked; without it, raise."""
    from ..errors import NotFound
    from ..formats import arxiv as _arxiv
    from ..formats import openlibrary as _ol
    from ..formats.crossref import clean_csl
    from ..sources import services

    if ident.kind == "doi":
        item = clean_csl(services.doi_csl(client, ident.value))
        crossref = None
        if item.get("type") == "chapter" or str(item.get("type", "")).startswith("entry"):
            try:
                crossref = services.crossref_work(client, ident.value)
            except CiteshelfError as exc:
                if on_crossref_error is None:
                    raise
                on_crossref_error(str(ident), exc)
        return item, crossref
    if ident.kind == "isbn":
        book = services.openlibrary_book(client, ident.value)
        if book is not None:
            return _ol.csl_from_openlibrary(book, ident.value), None
        info = services.googlebooks_volume(client, ident.value)
        if info is not None:
            return _ol.csl_from_googlebooks(info, ident.value), None
        raise NotFound(
            f"isbn:{ident.value}: neither Open Library nor Google Books knows this ISBN: "
            "check it, or add the book with: citeshelf add book --title ... --isbn ..."
        )
    if ident.kind == "arxiv":
        entries = _arxiv.parse_feed(services.arxiv_atom(client, ident.value), str(ident))
        if not entries:
            raise NotFound(f"arxiv:{ident.value}: not found at arXiv: check the identifier")
        return _arxiv.csl_from_arxiv(entries[0]), None
    return clean_csl(services.pubmed_csl(client, ident.value)), None


def _record(item: dict[str, Any], where: str, sentence_case: bool, formula: str | None) -> Any:
    from ..formats.csljson import record_from_csl
    from ..formats.protect import protected_phrases
    from ..model.keys import base_key
    from ..styles.common import to_sentence_case

    record = record_from_csl(item, key=_TMP_KEY, where=where)
    if sentence_case:
        update = {}
        for name in ("title", "subtitle"):
            text = getattr(record, name)
            if text:
                keep = protected_phrases(record.extra, name)
                update[name] = to_sentence_case(text, keep)
        record = record.model_copy(update=update)
    return record.model_copy(update={"key": base_key(record, formula)})


class _Lookup:
    """One run: the importer, and where each book went."""

    def __init__(self, library: Any, importer: Any, client: Any, sentence_case: bool) -> None:
        self.library = library
        self.importer = importer
        self.client = client
        self.sentence_case = sentence_case
        #: the library's key formula (None: the default)
        from .configuring import key_formula

        self.formula = key_formula(library)
        #: books this run fetched, by the key they were staged under
        self.books: dict[str, Any] = {}

    def add(self, ident: Any) -> None:
        item, crossref = fetch_csl(self.client, ident, self._crossref_failed)
        record = _record(item, str(ident), self.sentence_case, self.formula)
        duplicate = bool(record.doi) and record.doi.lower() in self.importer.existing.doi
        if record.type == "chapter" and not record.parent and not duplicate:
            record = self._with_book(record, crossref, str(ident))
        self.importer.add(ReadEntry(record, str(ident), None, True))

    def _crossref_failed(self, where: str, exc: Exception) -> None:
        self.importer.result.warnings.append(
            Issue(where, None, None, f"its book's ISBN is unknown ({exc})")
        )

    def _staged_key(self, key: str) -> str:
        return self.importer.alias.get(key, key)

    def _find_book(self, isbns: list[str], doi: str | None) -> str | None:
        existing, batch = self.importer.existing, self.importer.batch
        for i in isbns:
            key = batch.book_with_isbn(i) or existing.book_with_isbn(i)
            if key:
                return key
        if doi:
            return batch.doi.get(doi.lower()) or existing.doi.get(doi.lower())
        return None

    def _book_record(self, key: str) -> Any:
        if key in self.books:
            return self.books[key]
        try:
            return self.library.get(key)
        except Exception:
            return None

    def _fetch_book(self, isbns: list[str], doi: str | None, where: str) -> Any:
        from ..sources.identifiers import Identifier

        tries = ([Identifier("doi", doi)] if doi else []) + [Identifier("isbn", i) for i in isbns]
        problems = []
        for ident in tries:
            try:
                item, _ = fetch_csl(self.client, ident)
                book = _record(item, str(ident), self.sentence_case, self.formula)
            except CiteshelfError as exc:
                problems.append(str(exc))
                continue
            if book.type == "book":
                return book
        if problems:
            self.importer.result.warnings.append(
                Issue(where, None, None, f"its book could not be fetched ({problems[-1]})")
            )
        return None

    def _with_book(self, chapter: Any, crossref: dict[str, Any] | None, where: str) -> Any:
        from ..formats.crossref import book_doi, container_isbns

        isbns = container_isbns(crossref) if crossref else list(chapter.isbn)
        doi = book_doi(crossref) if crossref else None
        key = self._find_book(isbns, doi)
        book = self._book_record(key) if key else None
        if key is None:
            book = self._fetch_book(isbns, doi, where)
            if book is not None:
                hit = self.importer.existing.match(book)
                if hit is not None:
                    key, book = hit[0], self._book_record(hit[0])
                else:
                    self.importer.add(ReadEntry(book, where, None, True))
                    key = self._staged_key(book.key)
                    self.books[key] = book
                    if key in self.importer.handles:
                        self.importer.result.books_created.append(key)
        if key is None:
            # the Importer's --link-parents makes the book from the chapter's fields
            return chapter.model_copy(update={"isbn": isbns or chapter.isbn})
        return _linked(chapter, key, book)


def _linked(chapter: Any, key: str, book: Any) -> Any:
    """``chapter`` with ``parent`` set, without what it only repeats of its book."""
    update: dict[str, Any] = {"parent": key, "container_title": None, "isbn": []}
    extra = dict(chapter.extra)
    protect = extra.get("protect")
    if isinstance(protect, dict) and "container_title" in protect:
        extra["protect"] = {k: v for k, v in protect.items() if k != "container_title"}
        if not extra["protect"]:
            del extra["protect"]
        update["extra"] = extra
    if book is not None:
        for name in _BOOK_FIELDS:
            if getattr(chapter, name) and getattr(chapter, name) == getattr(book, name):
                update[name] = [] if name == "editors" else None
        if chapter.year and chapter.year == book.year:
            update["issued"] = None
        if book.authors and chapter.container_authors == book.authors:
            update["container_authors"] = []
    return chapter.model_copy(update=update)


def lookup_identifiers(
    library: Any,
    identifiers: Iterable[str],
    *,
    on_duplicate: str = "error",
    dry_run: bool = False,
    sentence_case: bool = False,
    cache_mode: str = "use",
    keep_going: bool = False,
    client: Any = None,
    progress: ProgressFactory | None = None,
) -> Any:
    """Fetch and stage the records of ``identifiers`` (see the module docstring)."""
    from ..sources.http import Client
    from ..sources.identifiers import parse_identifier
    from .importing import Existing, Importer

    texts = list(identifiers)
    parsed = [parse_identifier(t) for t in texts]
    from .configuring import config_for
    from .importing import key_maker

    address = config_for(library.path).get("lookup.mailto")
    client = client or Client(cache_mode=cache_mode, mailto=address)
    importer = Importer(
        library,
        Existing.from_library(library),
        on_duplicate=on_duplicate,
        link_parents=True,
        dry_run=dry_run,
        make_key=key_maker(library),
        get_existing=library.get,
    )
    run = _Lookup(library, importer, client, sentence_case)
    make_bar = progress or (lambda n: NullProgress())
    try:
        with make_bar(len(parsed)) as bar:
            for ident in parsed:
                importer.result.entries += 1
                try:
                    run.add(ident)
                except CiteshelfError as exc:
                    if not keep_going:
                        raise
                    message = str(exc).removeprefix(f"{ident}: ")
                    importer.result.invalid.append(Issue(str(ident), None, None, message))
                bar.advance()
        result = importer.finish()
    except BaseException:
        importer.abort()
        raise
    result.dry_run = dry_run
    return result
