"""Writing records as BibTeX or BibLaTeX entries, driven by the field table
(:data:`.fields.FIELDS`): each row says which record field goes to which
BibTeX field and how its value is written; dates, a chapter's link to its
book and the fields kept in ``extra`` have steps of their own."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from functools import cache
from typing import Any

from ...model import richtext
from ...model.attrs import field_value
from ...model.controls import strip_controls
from ...model.inherit import chapter_view
from ...model.language import is_english as _english
from ...model.types import work_type
from .. import RESERVED_EXTRA, latex, protect
from ..entries import exported_keywords, join_keywords, split_keywords
from ..latex import braces_pair
from .fields import (
    _MONTHS,
    _VERBATIM,
    BOOK_TITLED_PARTS,
    Field,
    etype_written,
    held_field,
    read_type,
    thesis_degree_read,
    thesis_etype,
    thesis_type_field,
    value_print,
    write_rows,
)
from .spelling import Spelling, pages_text
from .strings import Strings
from .text import named_macros, open_year, spells, split_urls, unescape_verbatim, ws

_ORDER = (
    "author",
    "editor",
    "translator",
    "bookauthor",
    "title",
    "subtitle",
    "shorttitle",
    "booktitle",
    "eventtitle",
    "venue",
    "journal",
    "journaltitle",
    "edition",
    "volume",
    "number",
    "issue",
    "series",
    "chapter",
    "pages",
    "type",
    "howpublished",
    "organization",
    "publisher",
    "institution",
    "school",
    "address",
    "location",
    "year",
    "month",
    "day",
    "date",
    "urldate",
    "pagetotal",
    "doi",
    "isbn",
    "isbn-others",
    "issn",
    "url",
    "language",
    "keywords",
    "abstract",
    "note",
    "tags",
    "entrytype",
    "ids",
    "related",
    "relatedtype",
    "relatedstring",
    "relatedoptions",
    "crossref",
    "xref",
)
_ORDER_INDEX = {name: i for i, name in enumerate(_ORDER)}
_FIELD_NAME = re.compile(r"^[a-z_][a-z0-9_-]*$")
#: biblatex data annotations kept in extra ("author+an", "title+an:role")
_ANNOTATION_FIELD = re.compile(r"^[a-z_][a-z0-9_-]*\+an(?::[a-z0-9_-]+)?$")


#: the fields ``title_case`` applies to
_TITLE_FIELDS = frozenset({"title", "subtitle", "short_title", "container_title", "series"})


#: the fields that name another entry, whose repeated values are written
#: again only while they name one the export writes
_LINKS = ("crossref", "xref")


def depends_on_selection(record: Any) -> bool:
    """Whether ``record``'s entry depends on which other entries the export
    writes: a repeated ``crossref`` or ``xref`` (``extra.bibtex_repeated``)
    is written again only while it names one (see :class:`BibTeXWriter`)."""
    table = (record.extra or {}).get("bibtex_repeated")
    return isinstance(table, Mapping) and any(name in table for name in _LINKS)


class _Writer(Spelling):
    def __init__(
        self,
        dialect: str,
        ascii: bool,
        title_case: Callable[[str], str] | None = None,
        keys: Collection[str] | None = None,
    ) -> None:
        super().__init__(dialect, ascii)
        self.title_case = title_case
        #: the keys the export writes (None: any key is taken to be written)
        self.keys = keys
        self._case: Callable[[str], str] | None = None  # for the entry being written

    # text --------------------------------------------------------------

    def rich(self, value: str, field: str, extra: Mapping[str, Any]) -> str:
        """A text field, with the phrases an import found in braces braced
        again and its markup as the source wrote it."""
        phrases = protect.protected_phrases(extra, field)
        spans = protect.find_spans(richtext.plain(value), phrases, nested=True) if phrases else None
        return latex.encode_rich(
            value,
            ascii=self.ascii,
            spans=spans,
            biblatex=self.dialect == "biblatex",
            markup=_markup(extra, field),
        )

    def cased(self, value: str, field: str, extra: Mapping[str, Any]) -> str:
        """A title-like field: its protected phrases braced (those an import
        recorded, else every capital of the sentence-case text), the rest in
        title case when the export asks for it."""
        plain = richtext.plain(value)
        table = extra.get("protect")
        if isinstance(table, Mapping) and field in table:
            spans = protect.find_spans(plain, protect.protected_phrases(extra, field), nested=True)
        else:
            spans = protect.rich_auto_spans(value)
        case = self._case if field in _TITLE_FIELDS else None
        return latex.encode_rich(
            value,
            ascii=self.ascii,
            spans=spans,
            biblatex=self.dialect == "biblatex",
            case=case,
            markup=_markup(extra, field),
        )

    def names(self, people: list[Any], et_al: bool, spellings: Any = None) -> str:
        """A name list; ``spellings`` are how the source braced its names
        (``extra.bibtex_names``), written again for the names they still spell."""
        spelled = (
            [x for x in spellings if isinstance(x, str)] if isinstance(spellings, list) else []
        )
        out = [self.name(p, spelled) for p in people]
        if et_al:
            out.append("others")
        return " and ".join(out)

    def put_annotations(self, e: _Entry, field: str, people: list[Any]) -> None:
        """biblatex's per-name annotations: ``author+an = {1=corresponding}``,
        and ``author+an:ordering = {1=static}`` for names written family first."""
        notes = [f"{i}={self.text(p.annotation)}" for i, p in enumerate(people, 1) if p.annotation]
        if notes:
            e.put(f"{field}+an", "; ".join(notes))
        static = [f"{i}=static" for i, p in enumerate(people, 1) if p.static_ordering]
        if static:
            e.put(f"{field}+an:ordering", "; ".join(static))

    def name(self, person: Any, spellings: Iterable[str] = ()) -> str:
        """One name as the source spelled it (``spellings``, while one still
        reads as it), else as :meth:`.Spelling.name` writes it."""
        for spelling in spellings:
            # as the source wrote it: LaTeX (a macro), or decoded text with its braces
            cand = spelling if "\\" in spelling else self.braced(spelling)
            whole = braces_pair(cand) and not re.search(r"(?<!\\)(\\\\)*\\$", cand)
            if whole and (cand.isascii() or not self.ascii) and spells(cand, person):
                return cand
        return super().name(person)

    # entries -------------------------------------------------------------

    def entry(
        self,
        record: Any,
        *,
        book: Any = None,
        crossref: bool = False,
        xref: bool = False,
        strings: Strings | None = None,
    ) -> str:
        source = record
        self._case = self.title_case if _english(record.language) else None
        book_subtitle = None
        if record.parent and book is not None and not crossref:
            source = chapter_view(record, book, self.dialect)
            if (
                self.dialect == "biblatex"
                and book.subtitle
                and not record.container_title
                and source.container_title == book.full_title
            ):
                # biblatex prints a book's subtitle apart ("Title. Subtitle"):
                # booktitle and booksubtitle, as a crossref to the book gives them
                source = source.model_copy(update={"container_title": book.title})
                book_subtitle = book.subtitle
        e = _Entry(record, source, dict(record.extra or {}), self.dialect == "biblatex", book)
        e.etype = self.entry_type(source, e.extra)
        if not e.biblatex and e.etype not in _CLASSIC:
            # classic BibTeX warns about types its styles do not define
            e.fields["entrytype"] = (e.etype, False)
            e.etype = _CLASSIC_FALLBACK(source)
        subtype = work_type(source.type).subtype
        if subtype and "entrysubtype" not in e.extra:
            e.put("entrysubtype", subtype)  # what tells the type apart (the type table)
        filled = _filled(source, e.extra)
        for row in write_rows(source.type):
            # most rows of the table: a field the record leaves empty
            if row.record in filled or row.kind not in _IF_VALUE:
                self.put_row(e, row)
        if book_subtitle and "booksubtitle" not in e.extra:
            e.put("booksubtitle", self.cased(book_subtitle, "subtitle", book.extra or {}))
        self.put_date(e)
        if source.type == "book":
            self.put_book_title(e)
        self.put_links(e, crossref=crossref, xref=xref)
        self.put_relations(e)
        self.put_extra(e)
        self.put_lists(e)
        former = e.extra.get("former_keys")
        if e.biblatex and isinstance(former, list) and former:
            # biblatex's aliases: a document citing a merged record's old key
            e.put("ids", ", ".join(str(k) for k in former))
        if strings is not None:
            strings.apply(e.fields, e.extra)
        ordered = sorted(
            e.fields.items(), key=lambda kv: (_ORDER_INDEX.get(kv[0], len(_ORDER)), kv[0])
        )
        lines = [f"@{e.etype}{{{written_key(record)},"]
        again = self.repeats(e)
        for name, (value, macro) in ordered:
            lines.append(f"  {name} = {value}," if macro else f"  {name} = {{{value}}},")
            lines.extend(f"  {name} = {{{later}}}," for later in again.get(name, ()))
        lines.append("}")
        return "\n".join(lines) + "\n"

    def repeats(self, e: _Entry) -> dict[str, list[str]]:
        """The later values of fields the source repeated
        (``extra.bibtex_repeated``), by the name the entry writes the field
        under: each written again after it while the record still holds what
        it held when read (BibTeX reads the first value, biber the last, as
        in the source)."""
        table = e.extra.get("bibtex_repeated")
        if not isinstance(table, Mapping):
            return {}
        out: dict[str, list[str]] = {}
        for name, note in table.items():
            if not isinstance(note, Mapping) or not isinstance(note.get("then"), list):
                continue
            later = [v for v in note["then"] if isinstance(v, str) and braces_pair(v)]
            if self.ascii and name not in _VERBATIM and name not in _LINKS:
                # LaTeX as the source wrote it: only its other characters encoded
                later = [latex.encode(v, ascii=True, escape=False) for v in later]
            if name in _LINKS:
                # biber reads the last: a key the export does not write would be
                # a crossref to nothing
                later = [v for v in later if self.written(v.strip(), e)]
            written = self.written_name(e, name)
            if later and written and note.get("while") == value_print(e.record, name):
                out[written] = later
        return out

    def written(self, key: str, e: _Entry) -> bool:
        """Whether the export writes the entry of ``key``: one of its keys,
        or the key the entry's book is written under (:func:`written_key`)."""
        if self.keys is None or key in self.keys:
            return True
        book = e.book
        return book is not None and book.key in self.keys and key == written_key(book)

    def written_name(self, e: _Entry, name: str) -> str | None:
        """The name the entry writes BibTeX field ``name`` under (the same
        record field's), if it writes it."""
        field = held_field(e.record.type, name)
        if field is None:
            return name if name in e.fields else None
        for row in write_rows(e.source.type):
            if row.record == field:
                for written in (row.name(e.biblatex), row.bibtex, name):
                    if written in e.fields:
                        return written
        return None

    def put_row(self, e: _Entry, row: Field) -> None:
        """One row of the field table: the record field's value, written as
        its ``kind`` says, under its BibTeX or BibLaTeX name."""
        source = e.source
        if row.kind == "names":
            et_al = _et_al(source, e.extra, row.record)
            people = getattr(source, row.record)
            if people or et_al:
                spelled = _spellings(e.extra, row.record)
                e.put(row.bibtex, self.names(people, et_al, spelled))
                if e.biblatex:
                    self.put_annotations(e, row.bibtex, people)
            return
        if row.kind in ("keywords", "tags"):  # tags are written among the keywords
            if row.kind == "keywords":
                words = exported_keywords(source)
                written = _written(self, e.extra, "keywords")
                if written and split_keywords(ws(latex.decode(named_macros(written))))[0] == words:
                    e.put(row.name(e.biblatex), written)  # as the source wrote them
                    return
                joined = join_keywords(words, e.extra.get("keyword_separator"))
                e.put(row.name(e.biblatex), self.text(joined))
            return
        value = getattr(source, row.record)
        if row.kind == "title":
            if value is not None:
                e.put(row.bibtex, self.title(value, e))
            return
        if row.kind == "degree":  # also without one: @phdthesis alone says PhD
            written = _written(self, e.extra, "type")
            if written and _degree_of(written, e.etype) == value:
                e.put(row.name(e.biblatex), written)  # the source's words for the degree
                return
            field = thesis_type_field(value, e.etype)
            if field:
                e.put(row.name(e.biblatex), self.text(field))
            return
        if not value:
            return
        name = row.name(e.biblatex)
        if e.biblatex:
            named = e.extra.get("bibtex_fields")
            other = named.get(row.record) if isinstance(named, Mapping) else None
            if isinstance(other, str) and _FIELD_NAME.match(other) and other not in e.fields:
                name = other  # the name its source wrote
        if row.kind == "status" and self.status_as_date(e):
            return  # written as the source's date (put_date)
        writer = _KIND_WRITERS.get(row.kind)
        if writer is not None:
            e.put(name, writer(self, value, row.record, e.extra))
        elif row.kind == "raw":
            written = _written(self, e.extra, row.record) if row.record == "url" else None
            if written and _first_url(written) == value:
                e.put(name, written)  # the source's URLs, several in one field
                return
            e.put(name, verbatim(value, biblatex=e.biblatex))
        elif row.kind == "isbn":
            self.put_isbn(e, value)
        elif row.kind == "container":
            self.put_container(e, row, value)
        elif row.kind == "site":
            e.put(name if e.etype != "misc" else "howpublished", self.rich(value, "site", e.extra))
        else:  # pragma: no cover - every kind of the table is written above
            raise ValueError(f"no writer for kind {row.kind!r}")

    def title(self, value: str, e: _Entry) -> str:
        title = self.cased(value, "title", e.extra)
        if e.source.subtitle and not e.biblatex:
            title += ": " + self.cased(e.source.subtitle, "subtitle", e.extra)
        return title

    def put_isbn(self, e: _Entry, isbns: list[str]) -> None:
        # as the record holds them: the form its source wrote
        sep = e.extra.get("isbn_separator")
        if len(isbns) > 1 and isinstance(sep, str) and re.fullmatch(r"\s*[,;]?\s*|\s+and\s+", sep):
            # several in one field, as the source wrote them (biber prints
            # them all, and warns as it did for the source)
            e.put("isbn", sep.join(isbns))
            return
        e.put("isbn", isbns[0])
        if len(isbns) > 1:
            # one ISBN per isbn field (biber checks it); the others beside it
            e.put("isbn-others", ", ".join(isbns[1:]))

    def put_container(self, e: _Entry, row: Field, value: str) -> None:
        """A chapter's book title: ``booktitle``, or the ``title`` of a classic
        @inbook that has no title of its own and no parent."""
        book = e.book
        if book is not None and not e.record.container_title and value == book.title:
            # the book's title: braced as the book's import found it
            text = self.cased(value, "title", book.extra or {})
        else:
            text = self.cased(value, "container_title", e.extra)
        if e.etype in BOOK_TITLED_PARTS and not e.source.title and not e.record.parent:
            e.put("title", text)
        else:
            e.put(row.bibtex, text)

    def put_date(self, e: _Entry) -> None:
        """BibLaTeX ``date`` (EDTF); classic BibTeX ``year``/``month``/``day``, and
        ``date`` too when the date is more than those say (a range, a season)."""
        d = e.source.issued
        if not d:
            as_status = self.status_as_date(e)
            if as_status:
                e.put(*as_status)
            return
        raw = e.extra.get("date")
        if (
            d.is_simple
            and isinstance(raw, str)
            and raw.startswith(d.iso())
            and _DATE_TEXT.match(raw)
        ):
            # a range or uncertain date ("1885/1888") an older import kept in extra
            # (only the characters of a date: nothing that could end the field)
            edtf = raw
        else:
            edtf = d.edtf()
            if edtf.endswith("/.."):
                # an open end as biblatex writes it ("2010/"): biber reads
                # EDTF's "2010/.." as the year alone
                edtf = edtf[:-2]
        if d.literal is not None or d.year is None:
            # biblatex's year is a literal field; its date must be EDTF
            written = _written(self, e.extra, "year")
            if written and d.literal == " ".join(latex.decode(written).split()):
                e.put("year", written)  # as the source wrote it (\bibstring{nodate})
                return
            e.put("year", self.text(d.literal or ""))
            return
        sort = e.extra.get("bibtex_year_sort")
        sort = sort if isinstance(sort, str) and braces_pair(sort) and d.is_simple else ""
        years = d.end is not None and d.end.year != d.year and d.month is None and d.season is None
        as_year = (e.extra.get("bibtex_year") is True and (d.is_simple or years)) or sort
        if e.biblatex and not as_year:
            e.put("date", edtf)
            return
        if d.open_end and d.month is None and d.season is None:
            written = _written(self, e.extra, "year")
            if written and open_year(" ".join(latex.decode(written).split())) == str(d.year):
                e.put("year", written)  # "1989--date{}", as the source wrote it
                return
        if years:
            e.put("year", f"{d.year}--{d.end.year}")
        else:
            e.put("year", sort + (str(d.year) if d.year >= 1000 else f"{d.year:04d}"))
            if d.month:
                e.put("month", _MONTHS[d.month - 1], macro=True)
                if d.day:
                    e.put("day", str(d.day))
        if not d.is_simple and not (e.biblatex and as_year):
            # (biber would read a date beside the year the source wrote alone)
            e.put("date", edtf)

    def status_as_date(self, e: _Entry) -> tuple[str, str] | None:
        """The ``year`` or ``date`` (field, text) a source gave as a status
        (``{\\autocap{f}orthcoming}``, ``extra.bibtex_written``), for BibLaTeX,
        while the record has that status and no date."""
        status = getattr(e.source, "status", None)
        if not e.biblatex or not status or e.source.issued:
            return None
        from ...model.dates import status_key

        for field in ("year", "date"):
            written = _written(self, e.extra, field)
            said = status_key(" ".join(latex.decode(written).split())) if written else None
            if written and said and said == status_key(status):
                return field, written
        return None

    def put_book_title(self, e: _Entry) -> None:
        """Classic BibTeX's crossref copies only same-named fields: a book
        gives its title as ``booktitle`` too; so does a BibLaTeX book whose
        source did (``extra.bibtex_booktitle``: biber hands it to the
        ``@incollection``s that crossref the book, as the same-named field)."""
        written_as = e.extra.get("bibtex_type")
        if isinstance(written_as, str) and read_type(written_as, None)[0] != "book":
            return  # a chapter read as a book for want of its book's title: no book title
        if (
            (not e.biblatex or e.extra.get("bibtex_booktitle") is True)
            and e.source.title
            and "booktitle" not in e.extra
            and "booktitle" not in e.fields
        ):
            e.put("booktitle", e.fields["title"][0])

    def put_links(self, e: _Entry, *, crossref: bool, xref: bool) -> None:
        """A chapter's link to its book: ``xref``, ``crossref`` or none."""
        record, book = e.record, e.book
        if not record.parent:
            return
        parent_key = written_key(book) if book is not None else record.parent
        if xref:
            e.put("xref", parent_key)
        elif crossref:
            e.put("crossref", parent_key)
            if book is not None and not e.biblatex:
                # BibTeX copies every missing field from the crossref'd
                # entry; an empty field stops the book's identifiers.
                for name in ("doi", "isbn", "url"):
                    if name not in e.fields and getattr(book, name, None):
                        e.fields[name] = ("", False)
        elif book is None:
            e.put("crossref", record.parent)

    def put_lists(self, e: _Entry) -> None:
        """biblatex's literal lists (``publisher``, ``location`` ...): the
        record's items ("; " between them) joined by ``and``, an ``and`` of an
        item's own braced (``Routledge {and} Kegan Paul``); and the name lists
        kept in extra (``holder = {{Robert Bosch GmbH}}``)."""
        EXTRA_NAME_LISTS, LIST_SEPARATOR, LITERAL_LISTS, SAME_LIST = _list_names()
        whole = e.extra.get("bibtex_one_item")
        whole = set(whole) if isinstance(whole, list) else set()
        counts = e.extra.get("bibtex_list_items")
        counts = counts if isinstance(counts, Mapping) else {}
        for name in LITERAL_LISTS:
            if name in e.fields and not e.fields[name][1]:
                one = SAME_LIST.get(name, name) in whole
                items = [e.fields[name][0]] if one else e.fields[name][0].split(LIST_SEPARATOR)
                items = _grouped(items, counts.get(SAME_LIST.get(name, name)))
                joined = " and ".join(re.sub(r"(?<=\s)and(?=\s)", "{and}", i) for i in items)
                e.fields[name] = (joined, False)
        for name in EXTRA_NAME_LISTS:
            people = e.extra.get(name)
            if name in e.fields or not isinstance(people, list) or not people:
                continue
            from ...model.names import Person

            try:
                persons = [Person.model_validate(p) for p in people]
            except ValueError:
                continue
            et_al = bool(e.extra.get(f"{name}_et_al"))
            e.put(name, self.names(persons, et_al, _spellings(e.extra, name)))

    def put_relations(self, e: _Entry) -> None:
        """``related`` (with ``relatedtype``, ``relatedstring``,
        ``relatedoptions``): one group per type; biblatex has one, so a second
        group goes into ``related2`` ... (read back, ignored by biber)."""
        if not e.record.related:
            return
        from ...model.relations import DEFAULT_RELATION

        groups: dict[tuple[str, str | None, str | None], list[str]] = {}
        for r in e.record.related:
            groups.setdefault((r.type, r.string, r.options), []).append(r.key)
        for n, ((kind, string, options), keys) in enumerate(groups.items(), 1):
            suffix = str(n) if n > 1 else ""
            e.put("related" + suffix, ", ".join(keys))
            if kind != DEFAULT_RELATION:
                e.put("relatedtype" + suffix, kind)
            if string:
                e.put("relatedstring" + suffix, self.text(string))
            if options:
                e.put("relatedoptions" + suffix, options)

    def put_extra(self, e: _Entry) -> None:
        """Fields the model does not have, as they came in."""
        for name, value in e.extra.items():
            named = _FIELD_NAME.match(name) or (e.biblatex and _ANNOTATION_FIELD.match(name))
            if name in RESERVED_EXTRA or name in e.fields or not named:
                continue
            if name.endswith("_et_al") or name in ("csl_id", "custom", "bibtex_key"):
                continue
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                continue
            text = str(value)
            if name in _VERBATIM:
                e.fields[name] = (verbatim(text, biblatex=e.biblatex), False)
            elif _ANNOTATION_FIELD.match(name):
                e.fields[name] = (latex.encode(text, ascii=self.ascii), False)
            else:
                e.fields[name] = (self.rich(text, name, e.extra), False)

    def entry_type(self, record: Any, extra: Mapping[str, Any]) -> str:
        given = extra.get("bibtex_type")
        if isinstance(given, str) and re.fullmatch(r"[a-z]+", given):
            return given
        if record.type == "thesis":
            return thesis_etype(record.degree, self.dialect == "biblatex")
        return etype_written(record.type, True)


_CLASSIC = frozenset(
    [
        "article",
        "book",
        "booklet",
        "conference",
        "inbook",
        "incollection",
        "inproceedings",
        "manual",
        "mastersthesis",
        "misc",
        "phdthesis",
        "proceedings",
        "techreport",
        "unpublished",
    ]
)


def _CLASSIC_FALLBACK(record: Any) -> str:
    if record.type == "thesis":
        return thesis_etype(record.degree, False)
    return etype_written(record.type, False)


_BIBTEX_KEY = re.compile(r"^[^\s,{}\"#%'()=\\]+$")


def written_key(record: Any) -> str:
    """The entry key: the original BibTeX key an import had to change, else the key."""
    original = (record.extra or {}).get("bibtex_key")
    if isinstance(original, str) and _BIBTEX_KEY.match(original):
        return original
    return record.key


def _written(w: _Writer, extra: Mapping[str, Any], field: str) -> str | None:
    """BibTeX ``field`` as the source wrote it (``extra.bibtex_written``),
    if it can be written (ASCII if asked, whole); the caller checks that it
    still reads as the record's value."""
    table = extra.get("bibtex_written")
    written = table.get(field) if isinstance(table, Mapping) else None
    if not isinstance(written, str) or (w.ascii and not written.isascii()):
        return None
    if not braces_pair(written) or re.search(r"(?<!\\)(\\\\)*\\$", written):
        return None
    return written


def _first_url(written: str) -> str | None:
    """The first URL of a url field that holds several, as the record holds it."""
    from ...model.identifiers import normalize_url

    first = split_urls(written)[0]
    try:
        return normalize_url(unescape_verbatim(first))  # as the reader reads it
    except ValueError:
        return None


def _degree_of(written: str, etype: str) -> str | None:
    """The degree a thesis's ``type`` (LaTeX) says."""
    return thesis_degree_read(etype, ws(latex.decode(written)))


@cache
def _list_names() -> tuple[Any, str, Any, Mapping[str, str]]:
    """The reader's tables of lists (:mod:`.decode`, which loads the model:
    imported when the first entry is written, then kept)."""
    from .decode import EXTRA_NAME_LISTS, LIST_SEPARATOR, LITERAL_LISTS, SAME_LIST

    return EXTRA_NAME_LISTS, LIST_SEPARATOR, LITERAL_LISTS, SAME_LIST


def _grouped(items: list[str], counts: Any) -> list[str]:
    """A literal list's items as its source grouped them (``counts``: how many
    of the record's items each of the source's held, ``extra.bibtex_list_items``),
    while they add up to the record's."""
    if not isinstance(counts, list) or not all(isinstance(n, int) and n > 0 for n in counts):
        return items
    if sum(counts) != len(items):
        return items
    out, i = [], 0
    for n in counts:
        out.append("; ".join(items[i : i + n]))
        i += n
    return out


def _spellings(extra: Mapping[str, Any], field: str) -> Any:
    """How the source braced the names of ``field`` (``extra.bibtex_names``)."""
    table = extra.get("bibtex_names")
    return table.get(field) if isinstance(table, Mapping) else None


def _pages_as_written(w: _Writer, pages: Any, extra: Mapping[str, Any]) -> str | None:
    """``pages`` as the source wrote them (``270--5``, ``??--??``), while they
    read as the record's pages."""
    written = _written(w, extra, "pages")
    if written is None:
        return None
    from ...model.pages import PageRange

    try:
        same = PageRange.parse(ws(latex.decode(written))) == pages
    except ValueError:
        return None
    return written if same else None


_pages = pages_text


#: a biblatex date as it came in: digits and EDTF's marks only
_DATE_TEXT = re.compile(r"^[0-9A-Za-z/:.~?+ -]+$")
_UNESCAPED = re.compile(r"\\(?=[_%&#$~])")


def verbatim(text: str, *, biblatex: bool) -> str:
    """A verbatim field's value (``url``, ``doi``, ``eprint``, ``file`` ...):
    written as it is, since biber and the url package read these fields
    character by character, except what would end the field or change on
    reading:

    - unbalanced braces (which would end the field early) are percent-encoded,
      ``%7B`` and ``%7D``, as are all braces of such a value; a resolver reads
      them as the same characters, the reader does not decode them back;
    - a backslash before ``_ % & # $ ~`` (which the reader takes for an
      escape) is percent-encoded, ``%5C``;
    - ``%`` is ``\\%`` for classic BibTeX (a .bbl line is TeX, where ``%``
      starts a comment; the reader gives ``%`` back) and ``%`` for BibLaTeX
      (biber reads it as it is);
    - control characters are removed (no format holds them)."""
    text = strip_controls(text)
    if "\\" in text:
        text = _UNESCAPED.sub("%5C", text)
    if ("{" in text or "}" in text) and not braces_pair(text):
        text = text.replace("{", "%7B").replace("}", "%7D")
    if not biblatex and "%" in text:
        text = text.replace("%", "\\%")
    return text


def order_for_crossref(records: Iterable[Any], *, expand: bool = False) -> list[Any]:
    """Records sorted by key, with every crossref'd book after all entries
    that cite it (BibTeX needs that order): a volume of a set before the set."""

    records = sorted(records, key=lambda r: r.key)
    if expand:
        return records
    by_key = {r.key: r for r in records}
    parents = {r.parent for r in records if r.parent in by_key}

    def depth(record: Any) -> int:
        seen = {record.key}
        while record.parent in by_key and record.parent not in seen:
            seen.add(record.parent)
            record = by_key[record.parent]
        return len(seen) - 1

    children = [r for r in records if r.key not in parents]
    return children + sorted((r for r in records if r.key in parents), key=lambda r: -depth(r))


class BibTeXWriter:
    """One entry at a time, exactly as :func:`write_bibtex` writes it (for
    streaming exports: the caller keeps the order and the entries' separation
    by a blank line)."""

    def __init__(
        self,
        dialect: str = "bibtex",
        ascii: bool = False,
        title_case: Callable[[str], str] | None = None,
        strings: Iterable[tuple[str, str]] = (),
        keys: Collection[str] | None = None,
    ) -> None:
        """``title_case``: a function that puts a sentence-case title in title
        case (keeping its length), applied to the titles of English records
        (those with no language too); the capitals of the stored title are
        protected in braces, the ones it adds are not. ``strings``: the
        library's ``@string`` definitions (name, raw value): a field its
        source wrote with one is written with it again, the definition
        before the entry (see :mod:`.strings`). ``keys``: the keys of the
        records the export writes; a repeated ``crossref`` or ``xref``
        naming none of them, nor the key the entry's book is written under,
        is not written again (None: every key is taken to be written)."""
        self.dialect = dialect
        self._writer = _Writer(dialect, ascii, title_case, keys)
        self._strings = Strings(strings)

    def entry(self, record: Any, *, book: Any = None, crossref: bool = False) -> str:
        """``record``'s entry; ``book`` is a chapter's book, ``crossref``
        whether the book is written too (then the chapter refers to it)."""
        if crossref and self.dialect == "biblatex" and not _was_crossref(record):
            # biblatex's crossref would hand the chapter the book's ISBN and
            # DOI (an empty field does not stop it): the chapter is written
            # self-contained and linked to its book by xref instead, unless
            # its source used crossref (then biber gave it those fields there).
            text = self._writer.entry(record, book=book, xref=True, strings=self._strings)
        else:
            text = self._writer.entry(record, book=book, crossref=crossref, strings=self._strings)
        definitions = self._strings.definitions()
        return f"{definitions}\n{text}" if definitions else text


def _was_crossref(record: Any) -> bool:
    """Whether the record's link to its parent was read from a ``crossref``."""
    return (record.extra or {}).get("bibtex_crossref") is True


def write_bibtex(
    records: Iterable[Any],
    *,
    dialect: str = "bibtex",
    ascii: bool = False,
    expand: bool = False,
    books: Mapping[str, Any] | None = None,
    strings: Iterable[tuple[str, str]] = (),
) -> str:
    """Records as BibTeX or BibLaTeX text (see the module docstring);
    ``strings``: ``@string`` definitions the records' macros may use."""

    records = list(records)
    by_key = {r.key: r for r in records}
    keys = {*by_key, *(written_key(r) for r in records)}
    writer = BibTeXWriter(dialect, ascii, strings=strings, keys=keys)
    books = dict(books or {})
    out = []
    for record in order_for_crossref(records, expand=expand):
        book = None
        crossref = False
        if record.parent:
            book = by_key.get(record.parent) or books.get(record.parent)
            crossref = not expand and record.parent in by_key
        out.append(writer.entry(record, book=book, crossref=crossref))
    return "\n".join(out)


def _et_al(source: Any, extra: Mapping[str, Any], people: str) -> bool:
    """Whether a name list ends with "and others"."""
    if people == "translators":
        return bool(extra.get("translator_et_al"))
    return bool(field_value(source, f"{people}_et_al", False))


class _Entry:
    """An entry being written: its fields so far (name -> (value, is_macro))."""

    def __init__(
        self, record: Any, source: Any, extra: dict[str, Any], biblatex: bool, book: Any = None
    ) -> None:
        self.record = record
        self.source = source
        self.extra = extra
        self.biblatex = biblatex
        self.book = book
        self.etype = "misc"
        self.fields: dict[str, tuple[str, bool]] = {}

    def put(self, name: str, value: Any, *, macro: bool = False) -> None:
        if value is None or value == "":
            return
        self.fields[name] = (str(value), macro)


def _markup(extra: Mapping[str, Any], field: str) -> Mapping[str, Any] | None:
    """How the source wrote ``field``'s markup (``extra["latex_markup"]``,
    :func:`.text.keep_markup`), if it said."""
    table = extra.get("latex_markup")
    kept = table.get(field) if isinstance(table, Mapping) else None
    return kept if isinstance(kept, Mapping) else None


def _pubstate(w: _Writer, value: str) -> str:
    """A status as biblatex's ``pubstate`` key when it has one ("in press" -> inpress)."""
    from ...model.dates import status_key

    return status_key(value) or w.text(value)


def _list(w: _Writer, value: list[str], record_field: str, extra: Mapping[str, Any]) -> str:
    return w.text(", ".join(value))


#: The kinds of row :meth:`BibTeXWriter.put_row` writes nothing for when the
#: record's field is empty (a name list: empty and not "and others"; the
#: other kinds may write something even then).
_IF_VALUE = frozenset(
    {"text", "cased", "list", "pages", "date", "raw", "isbn", "container", "site", "status"}
    | {"names"}
)


def _filled(source: Any, extra: Mapping[str, Any]) -> set[str]:
    """The fields of ``source`` (a record model) that hold something, and the
    name lists that end with "and others" (:func:`_et_al`): the rows of the
    others write nothing."""
    # (a record model holds its fields' values in its __dict__)
    filled = {name for name, value in vars(source).items() if value}
    filled.update([name[: -len("_et_al")] for name in filled if name.endswith("_et_al")])
    if extra.get("translator_et_al"):
        filled.add("translators")
    return filled


#: How the plain kinds of the field table are written.
_KIND_WRITERS: dict[str, Callable[[_Writer, Any, str, Mapping[str, Any]], str]] = {
    "text": lambda w, value, name, extra: w.rich(value, name, extra),
    "cased": lambda w, value, name, extra: w.cased(value, name, extra),
    "list": _list,
    "pages": lambda w, value, name, extra: _pages_as_written(w, value, extra) or _pages(w, value),
    "date": lambda w, value, name, extra: value.edtf(),
    "status": lambda w, value, name, extra: _pubstate(w, value),
}
