"""Citations and bibliographies of records: the ``cite`` and ``bibliography``
operations.

Public API::

    load_resolved(library, keys) -> list[record]
        The records of ``keys`` seen through their books, in the order given;
        every missing key is named in one ``NotFound``.
    library_suffixes(library, records, style, edition, warn=None, *, compared=None)
        -> {key: "a"}: the year letters (2014a, 2014b) the library's whole
        reference list gives the cited records.
    library_initials(library, records, style, warn=None, *, compared=None) -> {key}
        The cited records whose first author's initials APA and Chicago
        author-date give: a first author in the library shares the surname.
    with Compared(library) as compared: ...
        What both read of the library, read once (give it to both).
    cite(library, keys, *, style="apa", edition=None, form=None, pages=(),
         csl=None, fmt="text", with_html=True, warn=None,
         subsequent=False) -> Citations
    bibliography(library, keys=(), *, query=None, style="apa", edition=None,
                 csl=None, fmt="text", warn=None) -> Citations

``fmt`` matters only with ``csl`` (pandoc renders in that format); the
built-in styles give styled text (``Citation.styled``) that the caller
renders in any format. ``warn`` is called with each warning as it arises; the
warnings are also kept in ``Citations.warnings``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any, overload

from .wording import first_few

__all__ = [
    "Citation",
    "Citations",
    "Compared",
    "bibliography",
    "caption",
    "check_edition",
    "cite",
    "csl_items",
    "default_form",
    "library_initials",
    "library_suffixes",
    "load_resolved",
    "subsequent_form",
]

Warn = Callable[[str], None]


class Citation:
    """One citation or entry: its key(s), text, HTML and (built-in styles)
    the styled text it was made from; text and HTML are made from the styled
    text when first asked for."""

    __slots__ = ("key", "_text", "_html", "styled")

    def __init__(
        self, key: str, text: str | None = None, html: str | None = None, styled: Any = None
    ) -> None:
        if styled is None and (text is None or html is None):
            raise ValueError("a Citation needs its text and HTML, or the styled text")
        self.key = key
        self._text = text
        self._html = html
        self.styled = styled

    @property
    def text(self) -> str:
        if self._text is None:
            from ..styles import to_text

            self._text = to_text(self.styled)
        return self._text

    @property
    def html(self) -> str:
        if self._html is None:
            from ..styles import to_html

            self._html = to_html(self.styled)
        return self._html

    def rendered(self, fmt: str) -> str:
        """The entry as "text", "markdown" or "html" (from the styled text)."""
        from ..styles import render

        return render(self.styled, fmt)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Citation):
            return NotImplemented
        return (self.key, self.text, self.html) == (other.key, other.text, other.html)

    def __repr__(self) -> str:
        return f"Citation({self.key!r}, {self.text!r})"


class _Planned(Sequence[Citation]):
    """A reference list formatted as it is read: the records are read again,
    one at a time, in the order :func:`citeshelf.styles.arrange_bibliography`
    gave, so memory stays flat however large the list. A record that became
    unreadable since the order was made is skipped with a warning. With
    ``kept`` (:class:`.bibliomemo.KeptEntries`), an entry kept with the same
    year letter and dash is given as kept, and the others are kept."""

    def __init__(
        self,
        library: Any,
        placed: list[Any],
        style: str,
        edition: int,
        notes: Any,
        cased: Callable[[Any], Any] | None = None,
        kept: Any = None,
    ) -> None:
        from ..library.parents import Resolver

        self._cased = cased
        self._library = library
        self._placed = placed
        self._style = style
        self._edition = edition
        self._notes = notes
        self._resolve = Resolver(library, reprints=True)
        self._kept = kept

    def __len__(self) -> int:
        return len(self._placed)

    def _read(self, placed: Any, notes: Any = None) -> tuple[Citation, Any] | None:
        from ..errors import InvalidData, NotFound
        from ..styles import format_placed

        try:
            stored = self._library.get(placed.key)
            record = self._resolve(stored)
            if self._cased is not None:
                record = self._cased(record)
        except (InvalidData, NotFound) as exc:
            (notes or self._notes)(f"skipped a record that changed while the list was made: {exc}")
            return None
        entry = format_placed(record, placed, self._style, self._edition)
        return Citation(entry.key, styled=entry.styled), stored

    def _entry(self, placed: Any) -> Citation | None:
        made = self._read(placed)
        return made[0] if made is not None else None

    def __iter__(self) -> Iterator[Citation]:
        kept = self._kept
        if kept is None:
            for placed in self._placed:
                entry = self._entry(placed)
                if entry is not None:
                    yield entry
            return
        self._kept = None  # once
        from functools import partial

        from .forked import Workers

        placed_all = self._placed
        chunks = (placed_all[i : i + 500] for i in range(0, len(placed_all), 500))
        try:
            # the entries not kept (another year letter or dash) are made in
            # worker processes for a large list, a chunk ahead (.forked)
            with Workers(partial(self._forms, kept), len(placed_all)) as workers:
                for chunk, got, made in workers.ahead(chunks, kept.entries):
                    yield from self._taken(kept, chunk, got, made)
        finally:
            kept.close()

    def _forms(self, kept: Any, placed: list[Any]) -> list[tuple[Any, str | None, Any, Any]]:
        """Each entry of ``placed`` in the forms ``kept`` keeps: (forms, the
        warning if its record became unreadable, whether it may be kept, its
        files' sizes and times as checked once read)."""
        from ..styles import render

        out: list[tuple[Any, str | None, Any, Any]] = []
        for p in placed:
            notes: list[str] = []
            made = self._read(p, notes.append)
            if made is None:
                out.append((None, notes[0], False, None))
                continue
            citation, stored = made
            forms = {f: render(citation.styled, f) for f in kept.forms}
            keep = kept.keepable(stored)
            out.append(
                (forms, None, keep, kept.cache.seen(stored.key, stored.parent) if keep else None)
            )
        return out

    def _taken(
        self, kept: Any, chunk: list[Any], got: Any, made_forms: list[Any]
    ) -> Iterator[Citation]:
        made = iter(made_forms)
        for placed in chunk:
            forms = got.get(placed.key)
            if forms is None:
                forms, warning, keep, seen = next(made)
                if warning is not None:
                    self._notes(warning)
                    continue
                if keep:
                    kept.keep_seen(placed, forms, seen)
            yield _KeptCitation(placed.key, forms)
        kept.save()

    @overload
    def __getitem__(self, i: int) -> Citation: ...
    @overload
    def __getitem__(self, i: slice) -> list[Citation]: ...
    def __getitem__(self, i: int | slice) -> Citation | list[Citation]:
        if isinstance(i, slice):
            return [c for p in self._placed[i] if (c := self._entry(p)) is not None]
        entry = self._entry(self._placed[i])
        if entry is None:
            from ..errors import NotFound

            raise NotFound(f"'{self._placed[i].key}' is no longer readable")
        return entry


@dataclass
class Citations:
    """What ``cite`` or ``bibliography`` made. ``style``/``edition`` for the
    built-in styles, ``csl`` for a CSL style; ``form`` is None for a
    bibliography."""

    #: the citations; a bibliography of a whole library or a query is a
    #: sequence that formats its entries as they are read (iterate it once)
    items: Sequence[Citation] = field(default_factory=list)
    style: str | None = None
    edition: int | None = None
    csl: str | None = None
    form: str | None = None
    warnings: list[str] = field(default_factory=list)
    #: a bibliography of a library that has no records
    empty_library: bool = False
    #: (``cite``) the keys of the record files read directly: the cited
    #: records and their books
    sources: list[str] = field(default_factory=list)

    def to_json(self) -> list[dict[str, Any]]:
        return list(self.iter_json())

    def iter_json(self) -> Iterator[dict[str, Any]]:
        """:meth:`to_json` one item at a time."""
        for c in self.items:
            item: dict[str, Any] = {"key": c.key, "text": c.text, "html": c.html}
            if self.csl is not None:
                item["csl"] = self.csl
            else:
                item.update(style=self.style, edition=self.edition)
            if self.form is not None:
                item["form"] = self.form
            yield item


class _Notes:
    """Warnings kept in a list and passed on as they come."""

    def __init__(self, warn: Warn | None) -> None:
        self.items: list[str] = []
        self._warn = warn

    def __call__(self, message: str) -> None:
        self.items.append(message)
        if self._warn is not None:
            self._warn(message)


def check_edition(style: str, edition: int | None, form: str | None = None) -> int:
    """The edition to use; a ``UsageError`` for a bad edition or form."""
    from ..errors import UsageError
    from ..styles import check_style

    try:
        return check_style(style, edition, form)
    except ValueError as exc:
        raise UsageError(f"{exc} (see --help)") from None


def default_form(style: str) -> str:
    """The form a citation takes when none is asked for."""
    return {"apa": "in-text", "chicago-notes": "note", "chicago-author-date": "in-text"}[style]


def subsequent_form(style: str, form: str | None) -> str | None:
    """The form of a later citation of a work: in Chicago notes the short
    note (CMOS 17, 14.29); in APA and author-date the form asked for
    (APA then gives a group author by its abbreviation, 8.21). A reference
    entry has no later form: a ``UsageError``."""
    from ..errors import UsageError

    if form == "reference":
        raise UsageError("--subsequent is for citations and notes, not --form reference")
    if style == "chicago-notes":
        if form == "note":
            raise UsageError(
                "a later note is the short note: give --subsequent without --form note"
            )
        return "short-note"
    return form


def caption(style: str, edition: int) -> str:
    from ..styles import style_info

    return str(style_info(style, edition)["title"])


def _stored(library: Any, keys: Iterable[str]) -> list[Any]:
    """The stored records of ``keys`` in order; every missing key is named
    in one NotFound error."""

    records, missing = [], []
    kept: dict[str, str] | None = None
    for key in keys:
        if key in library:
            records.append(library.get(key))
            continue
        if kept is None:
            # a key merged into another record (merge, or a duplicate in an
            # import): cited as that record, as show and export --cited-in find it
            from .exporting import _original_keys

            kept = _original_keys(library, library.keys())
        if key in kept:
            records.append(library.get(kept[key]))
        else:
            missing.append(key)
    if missing:
        raise library.missing(*missing, then=": see 'citeshelf list' for the keys")
    return records


def _resolve(records: Sequence[Any], library: Any, warn: Warn | None = None) -> list[Any]:
    """Each record through its book (a missing book is an error), with the
    work it reprints if the library has it (if not, ``warn`` is told)."""
    from ..library.parents import Resolver, resolve

    problems: list[str] = []
    reprints = Resolver(library, problems)
    out = [reprints.original(resolve(r, library)) for r in records]
    if warn is not None:
        for message in problems:
            warn(message)
    return out


def load_resolved(library: Any, keys: Iterable[str], warn: Warn | None = None) -> list[Any]:
    """The records of ``keys`` resolved through their books, in the order
    given; every missing key is named in one NotFound error. ``warn`` is
    told of a reprinted work that is not in the library."""
    return _resolve(_stored(library, keys), library, warn)


def library_suffixes(
    library: Any,
    records: Sequence[Any],
    style: str,
    edition: int,
    warn: Warn | None = None,
    *,
    compared: Compared | None = None,
) -> dict[str, str]:
    """2014a/2014b as the library's reference list would give them: works of
    the cited records' years are compared with the cited ones (read through
    ``compared``, if given: see :class:`Compared`)."""
    from ..styles import year_suffixes

    if style == "chicago-notes":
        return {}
    years = sorted({r.year for r in records}, key=lambda y: (y is not None, y or 0))
    queries = ["" if y is None else f"year:{y}" for y in years]
    if "" in queries:
        queries = [""]
    with _compared(library, compared) as seen:
        pool = seen.pool(records, queries, warn, listed=_listed_words(records))
    return year_suffixes(pool, style, edition)


def _listed_words(records: Sequence[Any]) -> set[str] | None:
    """The words a work must be listed under one of (see
    :func:`citeshelf.library.jsondata.listed_words`) to share a cited
    work's year letters or initials: the longest folded word of the family
    name (or literal) of the first name of each listed role of each of
    ``records``. None when one of them is listed under no name (by its
    title): then every work may share its letters."""
    from ..library.jsondata import LISTED_ROLES
    from ..library.terms import tokens

    words: set[str] = set()
    for r in records:
        mine = {
            max(found, key=len)
            for role in LISTED_ROLES
            if (people := getattr(r, role, None))
            and (found := tokens(people[0].family or people[0].literal or ""))
        }
        if not mine:
            return None
        words |= mine
    return words


class Compared:
    """The library's records that one citation compares its cited works
    with (for their year letters and their authors' initials): the index
    opened once, one check of the folder for every query, and each record
    read once. One serves the calls for one list of cited records (the
    records it read are kept as they were read); a context manager (it
    closes the index)."""

    def __init__(self, library: Any, scanned: tuple[Any, int] | None = None) -> None:
        self.library = library
        #: a scan of the folder the caller made, for the index (see :func:`cite`)
        self._scanned = scanned
        self._index: Any = None
        self._opened = False
        self._stored: dict[str, Any] = {}  # key -> record as stored
        self._resolved: dict[str, Any] = {}  # key -> record seen through its book

    def __enter__(self) -> Compared:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None

    def _opened_index(self) -> Any:
        if not self._opened:
            from ..library.index import open_index

            self._opened = True
            self.library.check_exists()
            self._index = open_index(self.library.path, scanned=self._scanned)
        return self._index

    def pool(
        self,
        records: Sequence[Any],
        queries: Iterable[str],
        warn: Warn | None,
        listed: Collection[str] | None = None,
        enough: Callable[[Collection[Any]], bool] | None = None,
    ) -> Collection[Any]:
        """The cited records and, resolved, the library's records matching
        any of ``queries`` (an empty query: all) listed under one of the
        words ``listed`` (see :func:`citeshelf.library.query.select`).
        ``enough``: a test of the pool that more records can only keep true;
        with the index, the matching records are read a few at a time (8,
        then twice as many each time) and no more once the pool passes it."""
        from ..library.query import found_keys, select

        pool = {r.key: r for r in records}
        queries = list(queries)
        if not queries:
            return pool.values()
        index = self._opened_index()
        for q in queries:
            if index is None:
                found, problems = select(
                    self.library, q or None, listed=listed, index=index, known=self._stored
                )
                self._warn(problems, warn)
                self._add(pool, found)
                continue
            keys, problems = found_keys(index, q or None, listed)
            self._warn(problems, warn)
            keys = [k for k in keys if k not in pool]
            step = 8 if enough is not None else len(keys)
            while keys:
                part, keys = keys[:step], keys[step:]
                read, unreadable = self.library.load_all([k for k in part if k not in self._stored])
                self._warn(unreadable, warn)
                self._stored.update((r.key, r) for r in read)
                self._add(pool, [self._stored[k] for k in part if k in self._stored])
                if enough is not None and enough(pool.values()):
                    return pool.values()
                step *= 2
        return pool.values()

    def _add(self, pool: dict[str, Any], found: Sequence[Any]) -> None:
        """``found`` (as stored) into ``pool``, resolved (each once)."""
        from ..library.parents import resolve_many

        new = [f for f in found if f.key not in pool and f.key not in self._resolved]
        for r in resolve_many(new, self.library, reprints=True):
            self._resolved[r.key] = r
        for f in found:
            if f.key not in pool:
                pool[f.key] = self._resolved[f.key]

    @staticmethod
    def _warn(problems: Sequence[Any], warn: Warn | None) -> None:
        if warn is not None:
            for p in sorted(problems, key=lambda p: p.key):
                warn(f"skipped an unreadable record file: {p.reason}")


@contextmanager
def _compared(library: Any, compared: Compared | None) -> Iterator[Compared]:
    """``compared``, or one of this call's own (closed after it)."""
    if compared is not None:
        yield compared
        return
    with Compared(library) as own:
        yield own


def library_initials(
    library: Any,
    records: Sequence[Any],
    style: str,
    warn: Warn | None = None,
    *,
    compared: Compared | None = None,
) -> set[str]:
    """The keys of the cited ``records`` whose first author's initials APA
    and Chicago author-date give (APA 8.20: "(J. M. Taylor & Neylon, 2015;
    T. Taylor, 2014)"; CMOS 15.21 (17th)) because another first author of
    the same surname is in the library's reference list, as year letters
    are those of the whole list."""
    from ..styles import surname_initials
    from ..styles.apa import cited_surname

    if style not in ("apa", "chicago-author-date"):
        return set()
    surnames = {n for r in records if (n := cited_surname(r))}
    queries = []
    for name in sorted(surnames):
        phrase = '"' + name.replace('"', " ").replace("\\", " ") + '"'
        queries.append(f"author:{phrase} OR editor:{phrase}")
    cited = {r.key for r in records}
    # a cited work gets initials once one other first author of its surname
    # has other initials: more works cannot take them away
    wanted = {r.key for r in records if cited_surname(r)}

    def enough(pool: Collection[Any]) -> bool:
        return wanted <= surname_initials(pool, style)

    with _compared(library, compared) as seen:
        pool = seen.pool(records, queries, warn, listed=_listed_words(records), enough=enough)
    return surname_initials(pool, style) & cited


def csl_items(records: Iterable[Any], library: Any) -> list[dict[str, Any]]:
    """CSL-JSON items of (stored) records, chapters with their books."""
    from ..formats.csljson import record_to_csl
    from ..library.parents import parent_of

    return [record_to_csl(r, book=parent_of(r, library)) for r in records]


def _check_pages(keys: Sequence[str], pages: Sequence[str]) -> None:
    from ..errors import UsageError

    repeated = [k for k in dict.fromkeys(keys) if keys.count(k) > 1]
    if repeated:
        raise UsageError(
            f"'{repeated[0]}' is given twice: a citation names each work once "
            "(a later citation of it: --subsequent)"
        )

    if pages and len(pages) not in (1, len(keys)):
        raise UsageError(
            f"give --page once, or once per key ({len(keys)} keys, {len(pages)} pages)"
        )
    if len(pages) == 1 and len(keys) > 1:
        raise UsageError("with several keys, give --page once per key, in the order of the keys")


@cache
def _title_case_tools() -> tuple[Any, Any]:
    """(original_of, title_case_titles), imported by the first note, then
    kept (a bibliography notes every record)."""
    from ..model.inherit import original_of
    from .checking import title_case_titles

    return original_of, title_case_titles


class _TitleCase:
    """APA's titles are in sentence case (APA 6.17): a title stored in Title
    Case (``check``'s rule, :func:`.checking.title_case_titles`) prints as
    stored, and the keys are named in one warning; with ``convert``
    (``--sentence-case``) it prints in sentence case. Other styles
    capitalise titles themselves: nothing to do."""

    def __init__(self, style: str, convert: bool) -> None:
        from ..errors import UsageError

        if convert and style != "apa":
            raise UsageError("--sentence-case is for APA: Chicago prints titles in headline style")
        self.active = style == "apa"
        self.convert = convert
        self.keys: dict[str, None] = {}  # in the order met, once each

    def note(self, record: Any) -> Any:
        """``record`` unchanged, its key noted for the warning if a title of
        it, or of the original work it reprints (whose title its entry
        gives), looks like Title Case (nothing to note when converting)."""
        if self.active and not self.convert:
            original_of, title_case_titles = _title_case_tools()
            for work in (record, original_of(record)):
                if (
                    work is not None
                    and work.key not in self.keys
                    and next(title_case_titles(work), None) is not None
                ):
                    self.keys[work.key] = None
        return record

    def __call__(self, record: Any) -> Any:
        """``record`` as it prints: converted with ``convert`` (and the
        original work it reprints), else noted."""
        if not (self.active and self.convert):
            return self.note(record)
        from ..model.inherit import original_of, reprint_view

        out = self._converted(record)
        original = original_of(record)
        if original is not None and (new := self._converted(original)) is not original:
            out = reprint_view(out, new)
        return out

    @staticmethod
    def _converted(record: Any) -> Any:
        from ..formats.protect import protected_phrases
        from ..styles.common import to_sentence_case
        from .checking import title_case_titles

        changes = {
            name: new
            if new is not None
            else to_sentence_case(text, protected_phrases(record.extra, name))
            for name, text, new in title_case_titles(record)
        }
        return record.model_copy(update=changes) if changes else record

    def warn(self, notes: Any) -> None:
        if self.keys:
            notes(
                f"titles that look like Title Case print as stored: {first_few(list(self.keys))} "
                "(APA wants sentence case, 6.17: --sentence-case prints them so, "
                "'citeshelf check --fix' stores them so)"
            )


def cite(
    library: Any,
    keys: Sequence[str],
    *,
    style: str = "apa",
    edition: int | None = None,
    form: str | None = None,
    pages: Sequence[str] = (),
    csl: str | None = None,
    fmt: str = "text",
    with_html: bool = True,
    warn: Warn | None = None,
    subsequent: bool = False,
    sentence_case: bool = False,
    scanned: tuple[Any, int] | None = None,
) -> Citations:
    """A citation of the records ``keys`` (one combined citation), or with
    ``form="reference"`` one reference entry per key. ``pages``: none, or one
    per key. Year letters are those of the whole library's reference list.
    With ``csl``, a citation's HTML is rendered only if ``with_html`` (else
    ``html`` is its text in ``fmt``). ``subsequent``: a later citation of the
    works (:func:`subsequent_form`). ``scanned``: ``(scan, started)``, a scan
    of the folder just made by the caller, from which the index is brought
    up to date (see :meth:`citeshelf.library.index.Index.refresh`)."""
    from ..styles import format_citation

    _check_pages(keys, pages)
    page_list: list[str | None] = list(pages) if pages else [None] * len(keys)
    if csl:
        if subsequent or sentence_case:
            from ..errors import UsageError

            option = "--subsequent" if subsequent else "--sentence-case"
            raise UsageError(f"{option} is for the built-in styles, not --csl")
        return _cite_csl(library, keys, csl, form, page_list, fmt, with_html)
    edition = check_edition(style, edition, form)
    form = subsequent_form(style, form) if subsequent else form
    cased = _TitleCase(style, sentence_case)
    form = form or default_form(style)
    notes = _Notes(warn)
    records = load_resolved(library, keys, notes)
    if form == "reference":  # an in-text citation gives a title in title case anyway
        records = [cased(r) for r in records]
        cased.warn(notes)
    with Compared(library, scanned) as compared:
        suffixes = library_suffixes(library, records, style, edition, notes, compared=compared)
        if form == "reference":
            styled = [
                (r.key, format_citation([r], style, "reference", edition, suffixes=suffixes))
                for r in records
            ]
        else:
            initials = library_initials(library, records, style, notes, compared=compared)
            citation = format_citation(
                records,
                style,
                form,
                edition,
                pages=page_list,
                suffixes=suffixes,
                first=not subsequent,
                initials=initials,
            )
            styled = [(";".join(r.key for r in records), citation)]
    return Citations(
        [Citation(k, styled=s) for k, s in styled],
        style=style,
        edition=edition,
        form=form,
        warnings=notes.items,
        sources=_sources(records),
    )


def _sources(records: Sequence[Any]) -> list[str]:
    """The keys of the cited records and of their books, once each."""
    return list(dict.fromkeys(k for r in records for k in (r.key, r.parent) if k))


def _csl_call(func: Callable[[], Any]) -> Any:
    """pandoc's failures as usage errors."""
    from ..errors import UsageError
    from ..styles.csl import CslError, CslUnavailable

    try:
        return func()
    except (CslUnavailable, CslError) as exc:
        raise UsageError(str(exc)) from None


def _cite_csl(
    library: Any,
    keys: Sequence[str],
    csl: str,
    form: str | None,
    page_list: list[str | None],
    fmt: str,
    with_html: bool,
) -> Citations:
    from ..errors import UsageError
    from ..styles.csl import render_csl, render_csl_entries

    if form not in (None, "in-text", "narrative", "reference"):
        raise UsageError("with --csl, --form is in-text, narrative or reference")
    items = csl_items(_stored(library, keys), library)
    if form == "reference":
        rows = _csl_call(lambda: render_csl_entries(items, csl, fmt))
        return Citations([Citation(k, t, h) for k, t, h in rows], csl=csl, form="reference")

    def one(out_fmt: str) -> str:
        return str(
            render_csl(
                items,
                csl,
                mode="cite",
                fmt=out_fmt,
                cite_ids=[i["id"] for i in items],
                pages=page_list,
                narrative=form == "narrative",
            )[0]
        )

    text = _csl_call(lambda: one(fmt))
    html = text if fmt == "html" or not with_html else _csl_call(lambda: one("html"))
    return Citations([Citation(";".join(keys), text, html)], csl=csl, form=form or "in-text")


def bibliography(
    library: Any,
    keys: Sequence[str] = (),
    *,
    query: str | None = None,
    style: str = "apa",
    edition: int | None = None,
    csl: str | None = None,
    fmt: str = "text",
    warn: Warn | None = None,
    forms: Sequence[str] = (),
    sentence_case: bool = False,
) -> Citations:
    """The sorted reference list of the records ``keys``, of those matching
    ``query``, or (neither) of the whole library.

    ``forms`` ("text", "markdown", "html": those the caller will print): the
    list of a whole library in a built-in style is kept in the index in
    these forms, and printed from there while no record file changes
    (:mod:`.bibliomemo`)."""
    from ..errors import UsageError

    if keys and query:
        raise UsageError("give KEYS or --query, not both")
    if csl and sentence_case:
        raise UsageError("--sentence-case is for the built-in styles, not --csl")
    cased = _TitleCase(style, sentence_case)
    notes = _Notes(warn)
    if not keys and not csl:
        from .listing import stream_records

        memo = None
        if not query and forms:
            from .bibliomemo import KeptList

            edition = check_edition(style, edition)
            memo = KeptList.open(library, style, edition, forms, sentence_case=sentence_case)
            kept = memo.entries() if memo is not None else None
            if kept is not None:
                assert memo is not None
                memo.close()
                for message in memo.warnings:
                    notes(message)
                return Citations(
                    [_KeptCitation(k, forms) for k, forms in kept],
                    style=style,
                    edition=edition,
                    warnings=notes.items,
                )
        try:
            # (a kept list, opened, has just brought the index up to date)
            streamed = stream_records(library, query, refresh=memo is None)
            if streamed is not None:
                result = _streamed_bibliography(
                    library, streamed, query, style, edition, notes, cased, forms, memo
                )
                if memo is not None and not result.empty_library:
                    result.items = _Recorded(memo, result.items, notes)
                    memo = None
                return result
        finally:
            if memo is not None:
                memo.close()
    from ..library.parents import resolve_many
    from ..library.query import select
    from ..styles import format_bibliography

    if keys:
        load_resolved(library, keys)  # names every missing key, and a missing book
        # (a key merged into another record is that record, once)
        stored = list({r.key: r for r in _stored(library, dict.fromkeys(keys))}.values())
    else:
        stored, problems = select(library, query)
        for p in problems:
            notes(f"skipped an unreadable record file: {p.reason}")
        if not stored:
            return _no_records(library, query, style, csl, notes)
    if csl:
        items = csl_items(stored, library)
        rows = _csl_call(lambda: render_csl_entries(items, csl, fmt))
        return Citations([Citation(k, t, h) for k, t, h in rows], csl=csl, warnings=notes.items)
    edition = check_edition(style, edition)
    orphans: list[str] = []
    records = [cased(r) for r in resolve_many(stored, library, orphans, reprints=True)]
    for message in orphans:
        notes(message)
    cased.warn(notes)
    left_out: list[str] = []
    entries = format_bibliography(records, style, edition, left_out)
    _note_left_out(left_out, notes)
    return Citations(
        [Citation(e.key, styled=e.styled) for e in entries],
        style=style,
        edition=edition,
        warnings=notes.items,
    )


def _note_left_out(keys: list[str], notes: _Notes) -> None:
    """One warning for the personal communications a reference list leaves
    out (APA 8.9; CMOS 14.214 (17th)): they are cited in the text only."""
    if not keys:
        return
    notes(
        f"left out of the list: {first_few(keys)} (a personal communication is cited in the text"
        " only: APA 8.9, CMOS 14.214 (17th))"
    )


class _KeptCitation(Citation):
    """An entry of a kept reference list: its forms as text, no styled text."""

    __slots__ = ("_forms",)

    def __init__(self, key: str, forms: dict[str, str]) -> None:
        super().__init__(key, forms.get("text", ""), forms.get("html", ""))
        self._forms = forms

    def rendered(self, fmt: str) -> str:
        return self._forms[fmt]


class _Recorded(Sequence[Citation]):
    """A reference list kept in the index as it is iterated (once)."""

    def __init__(self, memo: Any, items: Sequence[Citation], notes: _Notes) -> None:
        self._memo, self._items, self._notes = memo, items, notes

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Citation]:
        try:
            yield from self._memo.recording(self._items, self._notes)
        finally:
            self._memo.close()

    @overload
    def __getitem__(self, i: int) -> Citation: ...
    @overload
    def __getitem__(self, i: slice) -> list[Citation]: ...
    def __getitem__(self, i: int | slice) -> Citation | list[Citation]:
        if isinstance(i, slice):
            return list(self._items[i])
        return self._items[i]


def _no_records(
    library: Any, query: str | None, style: str, csl: str | None, notes: _Notes
) -> Citations:
    from ..errors import NotFound

    if query:
        raise NotFound(f"no record matches {query!r}: see 'citeshelf list {query}'")
    notes(f"the library at {library.path} has no records")
    return Citations(style=style, csl=csl, warnings=notes.items, empty_library=True)


def _streamed_bibliography(
    library: Any,
    streamed: Any,
    query: str | None,
    style: str,
    edition: int | None,
    notes: _Notes,
    cased: _TitleCase,
    forms: Sequence[str] = (),
    memo: Any = None,
) -> Citations:
    """The reference list of a whole library or a query in two passes (the
    order from each record's sort data, then each record formatted as it is
    read), so that memory does not grow with the number of records. Given
    the ``forms`` it will be printed in, each record's sort data and entry
    are kept in the index and used again while its files do not change
    (:class:`.bibliomemo.KeptEntries`)."""
    from ..library.parents import Resolver
    from ..styles import arrange_rows, bibliography_row

    edition = check_edition(style, edition)
    orphans: list[str] = []
    resolve = Resolver(library, orphans, reprints=True)
    left_out: list[str] = []
    kept = None
    if forms:
        from .bibliomemo import KeptEntries

        kept = KeptEntries.open(
            library, style, edition, forms, sentence_case=cased.convert, memo=memo
        )
    # sentence case changes no sort key (titles file folded): the first pass
    # only notes the titles; the second converts them as it formats
    try:
        if kept is not None:
            rows = kept.rows(
                library, streamed, resolve, cased, _forms_maker(kept, style, edition, cased)
            )
        else:
            rows = (
                (r.key, bibliography_row(cased.note(resolve(r)), style, edition))
                for r in streamed.records()
            )
        placed = arrange_rows(rows, style, edition, left_out)
    except BaseException:
        if kept is not None:
            kept.close()
        raise
    for reason in streamed.problems:
        notes(f"skipped an unreadable record file: {reason}")
    if placed or left_out:
        # in the order a list read from the files gives them
        for message in orphans:
            notes(message)
    cased.warn(notes)
    _note_left_out(left_out, notes)
    if not placed and not left_out:
        if kept is not None:
            kept.close()
        return _no_records(library, query, style, None, notes)
    return Citations(
        _Planned(library, placed, style, edition, notes, cased if cased.convert else None, kept),
        style=style,
        edition=edition,
        warnings=notes.items,
    )


def _forms_maker(
    kept: Any, style: str, edition: int, cased: _TitleCase
) -> Callable[[Any], dict[str, str]]:
    """The forms ``kept`` keeps of a resolved record's entry with no year
    letter or dash, made as :class:`_Planned` makes an entry."""
    from ..styles import Placed, format_placed, render

    plain = Placed(0, "")

    def forms(record: Any) -> dict[str, str]:
        if cased.convert:
            record = cased(record)
        styled = format_placed(record, plain, style, edition).styled
        return {f: render(styled, f) for f in kept.forms}

    return forms


def render_csl_entries(items: list[dict[str, Any]], csl: str, fmt: str) -> Any:
    from ..styles.csl import render_csl_entries as entries

    return entries(items, csl, fmt)
