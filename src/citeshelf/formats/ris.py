"""RIS (EndNote, Zotero, publishers' "export citation") <-> records, via rispy.

Public API::

    parse_ris(text, *, source="<string>") -> RisParse
        ``RisParse.entries``: :class:`~citeshelf.formats.entries.ReadEntry`
        (record, source, line); ``invalid`` and ``warnings``:
        :class:`~citeshelf.formats.entries.Issue`. A reference without an
        ``ID`` gets a key made from its first author, year and title
        (``generated_key`` is set; ``RisParse.generated`` holds those keys).
    load_ris(path) -> RisParse
    write_ris(records, *, books=None) -> str
        One reference per record, chapters self-contained (the book's title
        as T2, its editors as A2, its publisher, place and year), never the
        book's DOI, ISBN or URL. Deterministic.

Types come from the type table (:mod:`citeshelf.model.types`): each type's
RIS type, and the other RIS types it reads (BOOK/EDBOOK -> book, CHAP ->
chapter, JOUR/JFULL -> article, MGZN -> magazine_article, DATA -> dataset,
COMP -> software ...); a RIS type with no row is misc. A RIS type that is
not the one its record type writes is kept in ``extra["ris_type"]``.
:data:`FIELDS` is the field table both directions use (one row per
rispy field <-> record field, with the record types it applies to and its
``kind``, which names how it is read and written). Tags are written among
the keywords (``KW``) and read back as keywords; RIS has no place for et-al
flags or a parent link: it is an exchange format for other programs, not a
lossless one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ..model import richtext
from ..model.identifiers import only_issns
from ..model.keyfiles import is_key
from ..model.types import RIS_IN, TYPE_NAMES, TYPES, from_ris, types_of_model
from .entries import Issue, ReadBatch, ReadEntry, exported_keywords

__all__ = ["FIELDS", "RisParse", "parse_ris", "iter_ris", "load_ris", "write_ris", "RIS_TYPES_IN"]

#: RIS type -> record type, and back: views of the type table
#: (:data:`citeshelf.model.types.TYPES`, :data:`~citeshelf.model.types.RIS_IN`).
RIS_TYPES_IN: dict[str, str] = {
    **{t.ris: from_ris(t.ris) for t in TYPES},
    **{name: from_ris(name) for name in RIS_IN},
}
RIS_TYPE_OUT: dict[str, str] = {t.name: t.ris for t in TYPES}


@dataclass
class RisParse(ReadBatch):
    """References read from a RIS text (entries, problems, warnings)."""

    @property
    def generated(self) -> set[str]:
        """The keys citeshelf made up (for references without a usable ``ID``)."""
        return {e.record.key for e in self.entries if e.generated_key}


# --------------------------------------------------------------------------
# the field table

_ALL_TYPES = frozenset(TYPE_NAMES)
_ARTICLES = types_of_model("article")
_WEBPAGES = types_of_model("webpage")


def _only(*types: str) -> frozenset[str]:
    return frozenset(types)


def _except(*types: str) -> frozenset[str]:
    return _ALL_TYPES - frozenset(types)


@dataclass(frozen=True)
class RisField:
    """One RIS (rispy) field <-> record field mapping."""

    #: the rispy name written (and read first)
    ris: str
    #: the record field (for ``kind="extra"``: the key in ``extra``)
    record: str
    #: how the value is read and written (see :data:`_KINDS`)
    kind: str = "text"
    #: the record types it applies to
    types: frozenset[str] = _ALL_TYPES
    #: other rispy names read as this field, in order
    also: tuple[str, ...] = ()

    def value(self, ref: Mapping[str, Any]) -> Any:
        """The reference's value for this field (the first name that has one)."""
        for name in (self.ris, *self.also):
            if ref.get(name):
                return ref[name]
        return None


_CONTAINER = ("journal_name", "alternate_title3")

#: The field table, in the order a reference's fields are read and written.
FIELDS: tuple[RisField, ...] = (
    RisField("authors", "authors", "names", also=("first_authors",)),
    RisField("secondary_authors", "editors", "names"),
    RisField("subsidiary_authors", "translators", "names"),
    RisField("title", "title", "title", also=("primary_title",)),
    RisField("tertiary_authors", "collection_editors", "names"),
    RisField("secondary_title", "container_title", types=_ALL_TYPES - _ARTICLES - _WEBPAGES),
    RisField("secondary_title", "journal", types=_ARTICLES, also=_CONTAINER),
    RisField("secondary_title", "site", types=_WEBPAGES, also=_CONTAINER),
    RisField("alternate_title1", "container_title_short"),
    RisField("tertiary_title", "series"),
    RisField("short_title", "short_title"),
    RisField("original_publication", "original_title"),
    RisField("reviewed_item", "reviewed_title"),
    RisField("date", "issued", "issued", also=("publication_year", "year")),
    RisField("publisher", "publisher", "publisher"),
    RisField("place_published", "place"),
    RisField("edition", "edition"),
    RisField("volume", "volume"),
    RisField("number_of_volumes", "number_of_volumes"),
    RisField("section", "section"),
    RisField("doi", "doi"),
    RisField("abstract", "abstract"),
    RisField("language", "language"),
    RisField("urls", "url", "urls"),
    RisField("keywords", "keywords", "keywords"),
    RisField("notes", "note", "notes"),
    RisField("start_page", "pages", "pages"),
    RisField("number", "issue", types=_ARTICLES),
    RisField("number", "number", types=_ALL_TYPES - _ARTICLES),
    RisField("issn", "issn", "issn"),
    RisField("call_number", "call_number"),
    RisField("type_of_work", "degree", "degree", _only("thesis")),
    RisField("type_of_work", "genre", types=_except("thesis")),
    RisField("access_date", "accessed", "date"),
)


@cache
def _rows(rtype: str) -> tuple[RisField, ...]:
    return tuple(f for f in FIELDS if rtype in f.types)


# --------------------------------------------------------------------------
# reading


@dataclass
class _Ref:
    """A reference on its way to a record."""

    ref: Mapping[str, Any]
    ris_type: str
    rtype: str
    data: dict[str, Any]
    extra: dict[str, Any]
    #: warnings about what was read, for the reference
    notes: list[str] = field(default_factory=list)
    #: values of names a field could be read from that it was not read from
    #: (a JO beside the T2 read, a DA that is no date): kept in extra
    unread: dict[str, Any] = field(default_factory=dict)
    #: names read by a step beyond the field table's
    taken: set[str] = field(default_factory=set)

    @classmethod
    def start(cls, ref: Mapping[str, Any]) -> _Ref:
        ris_type = str(ref.get("type_of_reference") or "GEN").upper()
        rtype = from_ris(ris_type)
        extra: dict[str, Any] = {}
        if ris_type != RIS_TYPE_OUT[rtype] and not (rtype == "book" and ris_type == "EDBOOK"):
            extra["ris_type"] = ris_type
        return cls(ref, ris_type, rtype, {"type": rtype, "key": "tmp"}, extra)


def _read_names(r: _Ref, row: RisField) -> None:
    people = [p for name in (row.ris, *row.also) for p in (r.ref.get(name) or [])]
    if people:
        r.data[row.record] = [_person(a, r.notes) for a in people]


def _read_text(r: _Ref, row: RisField) -> None:
    """Text, as plain text (RIS has no markup: a "<i>" in it is text), from
    the first of the row's names that has one; another's other value is
    kept (:attr:`_Ref.unread`)."""
    names = (row.ris, *row.also)
    used = next((n for n in names if r.ref.get(n)), None)
    if used is None:
        return
    value = r.ref[used]
    r.data[row.record] = richtext.escape(value if isinstance(value, str) else str(value))
    for name in names:
        if name != used and r.ref.get(name) and r.ref[name] != value:
            r.unread[name] = r.ref[name]


def _read_extra(r: _Ref, row: RisField) -> None:
    value = row.value(r.ref)
    if value:
        r.extra[row.record] = value if isinstance(value, str) else str(value)


def _read_issued(r: _Ref, row: RisField) -> None:
    """The date: the first of DA, Y1, PY that is one; another that says
    otherwise (no date, or another) is kept (:attr:`_Ref.unread`)."""
    names = (row.ris, *row.also)
    dates = {n: _ris_date(str(r.ref[n])) for n in names if r.ref.get(n)}
    date = next((d for d in dates.values() if d), None)
    if date is None:
        year = str(r.ref.get("year") or "").strip()
        if year:  # a PY that is no year: kept as written, a literal date
            r.data[row.record] = {"literal": year}
            dates.pop("year", None)
    else:
        r.data[row.record] = date
    for name, other in dates.items():
        if other is None or not (date or "").startswith(other) and not other.startswith(date or ""):
            r.unread[name] = r.ref[name]


def _read_date(r: _Ref, row: RisField) -> None:
    value = r.ref.get(row.ris)
    date = _ris_date(str(value)) if value else None
    if date:
        r.data[row.record] = date
    elif value:
        r.unread[row.ris] = value  # no date (a Y2 of "Access Date"): kept


def _read_list(r: _Ref, row: RisField) -> None:
    if r.ref.get(row.ris):
        r.data[row.record] = r.ref[row.ris]


def _read_urls(r: _Ref, row: RisField) -> None:
    urls = r.ref.get(row.ris)
    if urls:
        r.data[row.record] = urls[0]
        if len(urls) > 1:
            r.extra["urls"] = urls[1:]


def _read_notes(r: _Ref, row: RisField) -> None:
    notes = list(r.ref.get(row.ris) or [])
    if notes:
        r.data[row.record] = richtext.escape("\n".join(notes))


def _read_pages(r: _Ref, row: RisField) -> None:
    """SP and EP, joined by an en dash: the range's own dash, which pages
    whose numbers hold hyphens keep apart ("M-1", "M-14": M-1–M-14)."""
    sp, ep = r.ref.get("start_page"), r.ref.get("end_page")
    if sp:
        r.data[row.record] = f"{sp}\u2013{ep}" if ep else str(sp)


def _read_issn(r: _Ref, row: RisField) -> None:
    """SN: an article's ISSN (an ISBN if it is of ISBN's shape: an article in
    proceedings read as a journal); a book's, a chapter's or a 10/13-digit one
    an ISBN; one of an ISSN's shape (a series') the ISSN. Of several
    (``0896-3207; 0-8186-0742-4``, as :func:`_write_issn` writes a series'
    ISSN and a book's ISBN), the first of an ISSN's shape is the ISSN."""
    if not r.ref.get(row.ris):
        return
    sn = str(r.ref[row.ris])
    later = (r.ref.get(_REPEATED) or {}).get(row.ris)
    if later and not _sn_is_issn(r.rtype):
        sn = "; ".join([sn, *later])  # SN - ISSN, SN - ISBN: as one SN of both
    if _sn_is_issn(r.rtype) and not _isbn_shaped(sn):
        r.data["issn"] = sn
        return
    if ";" in sn:
        parts = [p.strip() for p in sn.split(";") if p.strip()]
        issn = next((p for p in parts if only_issns(p)), None)
        if issn is not None:
            r.data["issn"] = issn
            sn = "; ".join(p for p in parts if p != issn)
            if not sn:
                return
    if only_issns(sn):
        r.data["issn"] = sn  # (a book in a series that has no ISBN)
    elif r.rtype in ("book", "chapter") or _isbn_shaped(sn):
        r.data["isbn"] = sn
    else:
        r.extra["SN"] = sn


def _isbn_shaped(text: str) -> bool:
    """Whether ``text`` holds ISBNs (ten digits or more), not ISSNs: an
    article in a journal that has an ISBN, not an ISSN, writes it in SN."""
    return not only_issns(text) and re.search(r"\d{9}", re.sub(r"[-\s]", "", text)) is not None


def _sn_is_issn(rtype: str) -> bool:
    """Whether a reference of ``rtype`` has its ISSN in SN (an article's, a
    periodical's), not its ISBNs."""
    return rtype in _ARTICLES or rtype == "periodical"


def _read_names_of(r: _Ref) -> None:
    """The name lists; an EDBOOK's authors are its editors. Raises ValueError."""
    for row in _rows(r.rtype):
        if row.kind == "names":
            _read_names(r, row)
    if r.ris_type == "EDBOOK" and "authors" in r.data and not r.ref.get("secondary_authors"):
        r.data["editors"] = r.data.pop("authors")


def _read_fields(r: _Ref) -> None:
    for row in _rows(r.rtype):
        if row.kind != "names":
            _KINDS[row.kind][0](r, row)


def _journal_abbreviation(r: _Ref) -> None:
    """An article's JO beside the T2 read as its journal, or its JA, is the
    journal's abbreviation (RIS: "abbreviated format"), as Zotero reads them,
    unless a J2 gave one."""
    if r.rtype not in _ARTICLES or r.data.get("container_title_short"):
        return
    for name in ("journal_name", "alternate_title2"):
        value = r.unread.pop(name, None) if name == "journal_name" else r.ref.get(name)
        if value:
            r.data["container_title_short"] = richtext.escape(str(value))
            r.taken.add(name)
            return


def _institution(r: _Ref) -> None:
    """A report's or thesis's publisher is its institution."""
    if r.rtype in ("report", "thesis") and r.data.get("publisher"):
        r.data["institution"] = r.data.pop("publisher")


def _unread_tags(r: _Ref) -> None:
    """What no field of the record reads is kept in extra under its tag (as an
    unknown tag is): an author's address (``AD``), attached files (``L1``),
    custom fields (``C1``...), a tag's later values; nothing of a reference is
    dropped. A tag read as a field and given again is noted."""
    read = (_read_names_for(r.rtype) | r.taken) - r.unread.keys()
    tags = _tag_of_name()
    for name, value in r.ref.items():
        if name in read or name == _REPEATED:
            continue
        if name == "unknown_tag":
            for tag, values in value.items():
                _keep_tag(r, tag, values)
        else:
            _keep_tag(r, tags.get(name, name), value)
    for name, values in (r.ref.get(_REPEATED) or {}).items():
        if name == "issn" and not _sn_is_issn(r.rtype):
            continue  # read with the first (a book's ISSN and ISBN)
        tag = tags.get(name, name)
        _keep_tag(r, tag, values)
        if name in read:
            r.notes.append(f"tag '{tag}' given again: the first read, the others kept in extra")


def _keep_tag(r: _Ref, tag: str, value: Any) -> None:
    values = [str(v) for v in (value if isinstance(value, list) else [value]) if str(v).strip()]
    held = r.extra.get(tag)
    if held is not None:
        values = [*(held if isinstance(held, list) else [held]), *values]
    if values:
        r.extra[tag] = values if len(values) != 1 else values[0]


@cache
def _read_names_for(rtype: str) -> frozenset[str]:
    """The rispy names a reference of ``rtype`` is read from."""
    names = {"type_of_reference", "id", "end_page", "year", "publication_year"}
    for row in _rows(rtype):
        names.update((row.ris, *row.also))
    return frozenset(names)


@cache
def _tag_of_name() -> dict[str, str]:
    import rispy

    return {name: tag for tag, name in rispy.TAG_KEY_MAPPING.items()}


def _finish(r: _Ref) -> None:
    if r.extra:
        r.data["extra"] = r.extra
    if r.rtype == "chapter" and not r.data.get("container_title"):
        r.data["container_title"] = None


#: The steps after the name lists, in order.
_READ_STEPS: tuple[Callable[[_Ref], None], ...] = (
    _read_fields,
    _journal_abbreviation,
    _institution,
    _unread_tags,
    _finish,
)


def _reference_data(ref: Mapping[str, Any]) -> _Ref:
    """One rispy reference as record data (key "tmp"). Raises ValueError for a name."""
    r = _Ref.start(ref)
    _read_names_of(r)
    for step in _READ_STEPS:
        step(r)
    return r


def _split_refs(text: str, source: str, line0: int, out: RisParse) -> tuple[list, list[int]]:
    """rispy's references of ``text`` and their first lines; a reference rispy
    drops (no end line) or a text without any is reported in ``out``."""
    import rispy

    text = _standard_tags(text)
    lines = [n + line0 - 1 for n in _ref_lines(text)]
    try:
        refs = rispy.loads(text, implementation=_parser(), skip_unknown_tags=False)
    except Exception as exc:
        from ..errors import InvalidData

        raise InvalidData(f"{source}: cannot be read as RIS ({exc})") from None
    if len(lines) > len(refs):
        # rispy drops a reference that has no "ER  -" line; say so, never lose it quietly
        for line in lines[len(refs) :]:
            out.invalid.append(
                Issue(source, line, None, "this reference has no end line ('ER  -'): add one")
            )
    elif not refs and text.strip():
        out.invalid.append(
            Issue(
                source,
                line0,
                None,
                "no RIS reference here (each starts with 'TY  -' and ends with 'ER  -')",
            )
        )
    return refs, lines


def _made_up_key(record: Any, used: set[str], formula: str | None = None) -> str:
    """A key from the key ``formula`` (default: author, year and title) that
    ``used`` does not hold."""
    from ..model.keys import base_key

    base = base_key(record, formula)
    new = base
    i = 0
    while new.casefold() in used:
        new = base + chr(ord("a") + i % 26) * (1 + i // 26)
        i += 1
    return new


def _read_one(
    ref: Mapping[str, Any],
    source: str,
    line: int | None,
    used: set[str],
    formula: str | None = None,
    warnings: list[Issue] | None = None,
):
    """One reference as an entry, or the problem that stops it. A field the
    model refuses (an ISBN with a typo, a DOI that is none) is kept in
    ``extra`` under its RIS tag, with a warning, as the BibTeX and CSL-JSON
    readers do: one field never costs the reference."""
    from pydantic import ValidationError

    from ..model import describe_validation_error, parse_record_lenient

    key = ref.get("id")
    try:
        r = _reference_data(ref)
    except ValueError as exc:
        return Issue(source, line, key, f"a name: {exc}")
    generated = not (isinstance(key, str) and is_key(key))
    r.data["key"] = key if not generated else "tmp"
    who = key if isinstance(key, str) else None
    if warnings is not None:
        warnings.extend(Issue(source, line, who, note) for note in r.notes)

    def keep(name: str, why: str) -> bool:
        tag = _tags_of_fields().get(name)
        if tag is None:
            return False
        extra = r.data.setdefault("extra", {})
        value = r.data.pop(name)
        text = "; ".join(value) if isinstance(value, list) else str(value)
        # (SN gives both ISSN and ISBN: both kept)
        extra[tag] = f"{extra[tag]}; {text}" if tag in extra else text
        kept.append(Issue(source, line, who, f"field '{tag}' kept in extra: {why}"))
        return True

    kept: list[Issue] = []
    try:
        record = parse_record_lenient(r.data, keep)
    except ValidationError as exc:
        return Issue(source, line, who, describe_validation_error(exc, "reference"))
    if warnings is not None:
        warnings.extend(kept)
    if generated:
        record = record.model_copy(update={"key": _made_up_key(record, used, formula)})
    used.add(record.key.casefold())
    return ReadEntry(record, source, line, generated, entry_type=r.ris_type)


@cache
def _tags_of_fields() -> dict[str, str]:
    """Record field -> the RIS tag it is read from (the field table's, and SN's ISBN)."""

    tags = _tag_of_name()
    out = {row.record: tags[row.ris] for row in FIELDS if row.ris in tags}
    out.setdefault("isbn", tags["issn"])
    return out


def parse_ris(
    text: str,
    *,
    source: str = "<string>",
    used: set[str] | None = None,
    line0: int = 1,
    formula: str | None = None,
) -> RisParse:
    """``used``: casefolded keys already taken (made-up keys avoid them; the
    keys of this text are added); ``line0``: the file line ``text`` starts on;
    ``formula``: the key formula of made-up keys (default: the default formula)."""
    out = RisParse()
    refs, lines = _split_refs(text, source, line0, out)
    if used is None:
        used = set()
    from ..limits import oversize_field

    for n, ref in enumerate(refs):
        line = lines[n] if n < len(lines) else None
        too_big = oversize_field(
            (tag, v)
            for tag, value in ref.items()
            for v in (value if isinstance(value, list) else [value])
        )
        if too_big:
            out.invalid.append(Issue(source, line, None, too_big))
            continue
        got = _read_one(ref, source, line, used, formula, out.warnings)
        if isinstance(got, Issue):
            out.invalid.append(got)
        else:
            out.entries.append(got)
    return out


_SEASONS = ("spring", "summer", "autumn", "winter")


def _ris_date(text: str) -> str | None:
    """ "2014/08/29/", "2014/08//", "2014-08-29", "2014", "2017///Spring" -> EDTF."""
    parts = [p for p in re.split(r"[/-]", text.strip())]
    if not parts or not re.fullmatch(r"\d{4}", parts[0] or ""):
        return None
    out = parts[0]
    if len(parts) > 1 and parts[1].isdigit() and 1 <= int(parts[1]) <= 12:
        out += f"-{int(parts[1]):02d}"
        if len(parts) > 2 and parts[2].isdigit() and 1 <= int(parts[2]) <= 31:
            out += f"-{int(parts[2]):02d}"
    elif len(parts) > 3 and not parts[1] and parts[3].strip().lower() in _SEASONS:
        # RIS's fourth part is "other information": a season
        out += f"-{_SEASONS.index(parts[3].strip().lower()) + 21}"
    return out


def _person(text: str, notes: list[str] | None = None) -> dict[str, Any]:
    """ "Family, Given, Suffix" (RIS's order, not BibTeX's "Family, Suffix, Given").
    A name of more parts than that is kept whole, as one literal name (with a
    note in ``notes``): RIS cannot say which comma is which."""
    from ..model import parse_name

    parts = text.split(",")
    if len(parts) > 3:
        if notes is not None:
            notes.append(
                f"the name {text.strip()!r} has more commas than RIS's 'Family, Given, "
                "Suffix': kept whole, as one literal name"
            )
        return {"literal": " ".join(text.split())}
    if len(parts) == 3:
        text = ", ".join((parts[0], parts[2].strip(), parts[1].strip()))
    p = parse_name(text)
    return p.model_dump(exclude_none=True)


#: the later values of a tag given more than once in a reference that rispy
#: keeps one of (``{"author_address": ["two"]}``), in each rispy reference
_REPEATED = "citeshelf_repeated"


@cache
def _parser() -> type:
    """rispy's parser, keeping a tag's later values where rispy keeps its first
    only (two ``AD`` lines, an ``L1`` per attached file, ``SN`` of an ISSN and
    of an ISBN): under :data:`_REPEATED`, with their continued lines."""
    import rispy

    class Parser(rispy.RisParser):
        _last: list[str] | None = None

        def _add_tag(
            self, record: dict, tag: str, content: str, extend_multiline: bool = False
        ) -> None:
            if not extend_multiline:
                self._last = None
            super()._add_tag(record, tag, content, extend_multiline)

        def _add_single_value(
            self, record: dict, name: str, value: Any, is_multi: bool = False
        ) -> None:
            # the next line of a value is joined by a space, of a list of files
            # (EndNote's L1, one attached file per line) by a line break
            between = "\n" if name in _FILE_LISTS else " "
            if is_multi and self._last is not None and isinstance(value, str):
                self._last[-1] = f"{self._last[-1]}{between}{value}"  # a repeated value's
            elif is_multi and isinstance(record.get(name), str) and isinstance(value, str):
                record[name] = f"{record[name]}{between}{value}"
            elif not is_multi and name in record and isinstance(value, str):
                self._last = record.setdefault(_REPEATED, {}).setdefault(name, [])
                self._last.append(value)
            else:
                super()._add_single_value(record, name, value, is_multi)

    return Parser


#: the rispy names of file lists: L1, L2 (attached files), L4 (figures)
_FILE_LISTS = frozenset({"file_attachments1", "file_attachments2", "figure"})


#: a tag line with one space before its dash ("TY - JOUR", "ER -"), as some
#: exporters write them (Zotero's RIS.js reads /^([A-Z][A-Z0-9]) {1,2}-(?: (.*))?$/)
_ONE_SPACE_TAG = re.compile(r"^([A-Z][A-Z0-9]) -(?= |\r?$)", re.MULTILINE)


def _standard_tags(text: str) -> str:
    """``text`` with its tag lines as the RIS specification writes them
    ("TY  - "), when its references start so ("TY - JOUR"): a line of one
    space is then a tag's, not a value's continued text."""
    if not re.search(r"^TY -(?= |\r?$)", text, re.MULTILINE):
        return text
    return _ONE_SPACE_TAG.sub(r"\1  -", text)


def _ref_lines(text: str) -> list[int]:
    return [i + 1 for i, line in enumerate(text.splitlines()) if line.startswith("TY  -")]


#: References parsed at a time when reading a file.
RIS_BATCH = 500


def iter_ris(
    path: str | Path, *, batch_size: int = RIS_BATCH, formula: str | None = None
) -> Iterator[RisParse]:
    """The references of a RIS file, ``batch_size`` at a time (the file is
    never held whole; cut after "ER  -" lines). UTF-8, else Latin-1. Keys
    made up for references without an ``ID`` follow the key ``formula``."""
    import codecs

    from ..errors import InvalidData

    p = Path(path)
    encoding = "utf-8-sig"
    try:
        decoder = codecs.getincrementaldecoder("utf-8")()
        with p.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        encoding = "latin-1"
    except OSError as exc:
        raise InvalidData(f"{p}: cannot read: {exc.strerror}") from None
    from ..limits import entry_cap, oversize_entry

    # a reference longer than this can never make a readable record file: its
    # lines are not held (they become empty lines, so line numbers stay true)
    cap = entry_cap()
    used: set[str] = set()
    buf: list[str] = []
    start = 1
    count = 0
    ref_start, ref_size, dropped = 1, 0, False
    too_big: list[Issue] = []

    def parsed(text: str) -> RisParse:
        out = parse_ris(text, source=str(p), used=used, line0=start, formula=formula)
        out.invalid.extend(too_big)
        too_big.clear()
        return out

    with p.open("r", encoding=encoding) as lines:
        for n, line in enumerate(lines, 1):
            if not buf:
                start = n
            if ref_size == 0:
                if not line.strip():  # between references
                    buf.append(line)
                    continue
                ref_start = n
            ref_size += len(line)
            if ref_size > cap and not dropped:
                dropped = True
                back = n - ref_start  # this reference's lines already held
                buf[len(buf) - back :] = ["\n"] * back
                too_big.append(Issue(str(p), ref_start, None, oversize_entry("the reference")))
            end = line.startswith("ER  -") or (
                line.startswith("ER -") and _ONE_SPACE_TAG.match(line) is not None
            )
            buf.append("\n" if dropped else line)
            if end:
                ref_size, dropped = 0, False
                count += 1
                if count >= batch_size:
                    yield parsed("".join(buf))
                    buf, count = [], 0
    if buf or too_big:
        yield parsed("".join(buf))


def load_ris(path: str | Path) -> RisParse:
    from ..errors import InvalidData

    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = p.read_text(encoding="latin-1")
    except OSError as exc:
        raise InvalidData(f"{p}: cannot read: {exc.strerror}") from None
    return parse_ris(text, source=str(p))


def _ris_name(person: Any) -> str:
    """ "Family, Given, Suffix": RIS has no particles, so they are written with
    the family name (a dropping one too: "von Mises, Ludwig")."""
    from ..model.names import join_particle

    if person.literal:
        return person.literal
    last = join_particle(person.dropping_particle, person.last)
    parts = [last]
    if person.given:
        parts.append(person.given)
    if person.suffix:
        parts.append(person.suffix)
    if person.suffix and not person.given:
        return f"{last}, , {person.suffix}"  # "Family, Given, Suffix" with no given name
    if len(parts) == 1 and " " in last:
        return last + ","  # "Lloyd Webber," is a family name, not given + family
    return ", ".join(parts)


# --------------------------------------------------------------------------
# writing


def _ris_date_out(d: Any) -> str:
    """A date as RIS writes it: "2014/08/29/", "2014/08//", "2014///", a season
    "2017///Spring" (RIS has no ranges, no qualifiers: the start is written)."""
    month = f"{d.month:02d}" if d.month else ""
    day = f"{d.day:02d}" if d.day else ""
    other = _SEASONS[d.season - 1].capitalize() if d.season else ""
    return f"{d.year:04d}/{month}/{day}/{other}"


def _write_names(source: Any, row: RisField, ref: dict[str, Any]) -> None:
    people = getattr(source, row.record)
    if people:
        ref[row.ris] = [_ris_name(p) for p in people]


def _write_text(source: Any, row: RisField, ref: dict[str, Any]) -> None:
    """Text as plain text: the markup of rich text (model.richtext) left out."""
    value = getattr(source, row.record, None)
    if value:
        ref[row.ris] = richtext.plain(value) if isinstance(value, str) else value


def _write_degree(source: Any, row: RisField, ref: dict[str, Any]) -> None:
    """M3: "PhD dissertation" for "phd" (read back as "phd" by the model)."""
    from ..model.degrees import degree_label

    if source.degree:
        ref[row.ris] = degree_label(source.degree)


def _write_nothing(source: Any, row: RisField, ref: dict[str, Any]) -> None:
    """Kept in extra on reading; not written (RIS is not lossless)."""


def _write_title(source: Any, row: RisField, ref: dict[str, Any]) -> None:
    if source.full_title:
        ref[row.ris] = richtext.plain(source.full_title)


def _write_issued(source: Any, row: RisField, ref: dict[str, Any]) -> None:
    d = source.issued
    if d and d.literal is not None:
        ref["year"] = d.literal  # PY is free text to most readers
    elif d and d.year:
        ref["year"] = f"{d.year:04d}"
        ref[row.ris] = _ris_date_out(d)


def _write_publisher(source: Any, row: RisField, ref: dict[str, Any]) -> None:
    value = source.publisher or getattr(source, "institution", None)
    if value:
        ref[row.ris] = richtext.plain(value)


def _write_urls(source: Any, row: RisField, ref: dict[str, Any]) -> None:
    """UR: the url, then the others an import kept (``extra.urls``: a RIS
    reference's later UR lines, a BibTeX url field of several)."""
    if source.url:
        more = (source.extra or {}).get("urls")
        others = [str(u) for u in more] if isinstance(more, list) else []
        ref[row.ris] = [source.url, *others]


def _write_list(source: Any, row: RisField, ref: dict[str, Any]) -> None:
    value = getattr(source, row.record)
    if value:
        ref[row.ris] = list(value)


def _write_keywords(source: Any, row: RisField, ref: dict[str, Any]) -> None:
    """KW: the keywords, then the tags."""
    words = exported_keywords(source)
    if words:
        ref[row.ris] = words


def _write_notes(source: Any, row: RisField, ref: dict[str, Any]) -> None:
    if source.note:
        ref[row.ris] = [richtext.plain(source.note)]


def _write_pages(source: Any, row: RisField, ref: dict[str, Any]) -> None:
    pages = getattr(source, "pages", None)
    if pages:
        ref["start_page"] = pages.start
        if pages.end:
            ref["end_page"] = pages.end


def _write_issn(source: Any, row: RisField, ref: dict[str, Any]) -> None:
    """SN: an article's ISSN; a book's ISBNs, after its series' ISSN if it
    has one (RIS has one tag for both)."""
    issn = getattr(source, "issn", None)
    if issn and (_sn_is_issn(source.type) or not source.isbn):
        ref[row.ris] = issn
    elif source.isbn:
        ref[row.ris] = "; ".join(([issn] if issn else []) + list(source.isbn))


def _write_date(source: Any, row: RisField, ref: dict[str, Any]) -> None:
    value = getattr(source, row.record, None)
    if value and value.year and value.literal is None:
        ref[row.ris] = _ris_date_out(value)


_Reader = Callable[[_Ref, RisField], None]
_Writer = Callable[[Any, RisField, dict[str, Any]], None]

#: kind -> (how a field of that kind is read, how it is written)
_KINDS: dict[str, tuple[_Reader, _Writer]] = {
    "names": (_read_names, _write_names),
    "text": (_read_text, _write_text),
    "degree": (_read_text, _write_degree),
    "extra": (_read_extra, _write_nothing),
    "title": (_read_text, _write_title),
    "issued": (_read_issued, _write_issued),
    "publisher": (_read_text, _write_publisher),
    "urls": (_read_urls, _write_urls),
    "list": (_read_list, _write_list),
    "keywords": (_read_list, _write_keywords),
    "notes": (_read_notes, _write_notes),
    "pages": (_read_pages, _write_pages),
    "issn": (_read_issn, _write_issn),
    "date": (_read_date, _write_date),
}


def record_to_ris(record: Any, *, book: Any = None) -> dict[str, Any]:

    source = record
    if record.parent and book is not None:
        from ..model.inherit import chapter_view

        source = chapter_view(record, book, "ris")
    extra: Mapping[str, Any] = source.extra or {}
    ref: dict[str, Any] = {
        "type_of_reference": str(extra.get("ris_type") or RIS_TYPE_OUT[source.type])
    }
    ref["id"] = source.key
    for row in _rows(source.type):
        _KINDS[row.kind][1](source, row, ref)
    kept = {
        tag: [_kept_lines(str(v)) for v in (value if isinstance(value, list) else [value])]
        for tag, value in extra.items()
        if _KEPT_TAG.fullmatch(tag) and tag not in ("TY", "ER", "ID")
    }
    if kept:
        # what a RIS import kept in extra under its tag, written back after the fields
        ref["unknown_tag"] = kept
    return _one_line_values(ref)


#: an extra key that is a RIS tag (what the reader keeps under its tag)
_KEPT_TAG = re.compile(r"[A-Z][A-Z0-9]")
#: a line that RIS reads as a tag's ("ER  - ")
_TAG_LINE = re.compile(r"[A-Z][A-Z0-9] {1,2}-(?: |$)")


def _kept_lines(text: str) -> str:
    """A kept value as RIS lines: a line break (between the files of an L1)
    stays one, unless the next line would read as a tag's (it is then joined
    by a space); control characters are removed."""
    lines = [_one_line(x) for x in re.split(r"\r\n|[\r\n]", text)]
    out = lines[:1]
    for line in lines[1:]:
        if not line.strip() or _TAG_LINE.match(line):
            out[-1] = f"{out[-1]} {line}".rstrip()
        else:
            out.append(line)
    return "\n".join(out)


_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029\x0b\x0c\x1c-\x1e\x85]")


def _one_line(text: str) -> str:
    from ..model.controls import strip_controls

    return strip_controls(_BREAKS.sub(" ", text))


def _one_line_values(ref: dict[str, Any]) -> dict[str, Any]:
    """RIS is one tag per line: a line break in a value would end it (a
    title holding "\\nER  - \\nTY  - " would start a reference of its own).
    Each line of a note is an N1 line of its own (the reader joins them
    with line breaks); elsewhere a line break is a space, and control
    characters are removed."""
    for name, value in ref.items():
        if isinstance(value, str):
            ref[name] = _one_line(value)
        elif isinstance(value, list):
            if name == "notes":
                lines = [ln for v in value for ln in re.split(r"\r\n|[\r\n\u2028\u2029]", v)]
                value = lines
            ref[name] = [_one_line(v) if isinstance(v, str) else v for v in value]
    return ref


def write_ris(records: Iterable[Any], *, books: Mapping[str, Any] | None = None) -> str:
    import rispy

    books = books or {}
    refs = []
    for r in sorted(records, key=lambda r: r.key):
        parent = getattr(r, "parent", None)
        refs.append(record_to_ris(r, book=books.get(parent) if parent else None))
    if not refs:
        return ""
    return rispy.dumps(refs)
