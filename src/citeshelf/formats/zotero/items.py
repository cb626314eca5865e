"""One Zotero item, whatever file it came from, as a citeshelf record.

The three Zotero readers (:mod:`.bbt_json`, :mod:`.rdf`, :mod:`.sqlite`) each
turn their input into :class:`ZoteroItem` values (Zotero's own field and
creator-type names); :func:`read_items` turns those into entries, the same
shape every reader produces (:class:`~citeshelf.formats.entries.ReadBatch`).

An item becomes a CSL-JSON item through Zotero's own field-to-CSL mapping
(:mod:`.schema_map`, derived from Zotero's ``schema.json``) and is then read
by :func:`citeshelf.formats.csljson.record_from_csl`, so a Zotero item and the
CSL-JSON Zotero would export for it give the same record. Beyond CSL:

* the key is the citation key: Better BibTeX's ``citationKey``, Zotero's own
  ``citationKey`` field, or a ``Citation Key: ...`` line of Extra; an item with
  none gets a key made from author, year and title (``generated_key``);
* Zotero tags -> ``tags``; child notes, as plain text -> ``note`` (one
  paragraph each, in order);
* ``extra["collections"]``: the collections the item is in, as paths
  (``Parent/Child``); ``extra["attachments"]``: its child attachments' file
  paths or URLs (files are not copied); ``extra["zotero_key"]``: Zotero's item
  key; ``extra["zotero_extra"]``: the Extra field less its citation-key line;
  Zotero fields with no CSL variable stay in ``extra`` under their Zotero name;
* book and chapter: a chapter (``bookSection``) whose ISBN, else whose book
  title, matches exactly one book of the same input names that book as its
  ``parent``; what it says the same as the book it then takes from the book.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from ...errors import InvalidData
from ..entries import Issue, ReadBatch, ReadEntry
from .schema_map import BASE_FIELDS, CSL_FIELDS, CSL_NAMES, CSL_TYPES

__all__ = ["ZoteroItem", "read_items", "note_text", "to_csl", "split_extra"]


@dataclass
class ZoteroItem:
    """A regular Zotero item (not a note or attachment) with its children."""

    item_type: str
    #: Zotero field name (a type's own, ``bookTitle``, or its base, ``publicationTitle``) -> text
    fields: dict[str, str] = field(default_factory=dict)
    #: ``{"creatorType", "firstName", "lastName"}`` or ``{"creatorType", "name"}``, in order
    creators: list[dict[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    #: child notes, as Zotero stores them (HTML)
    notes: list[str] = field(default_factory=list)
    #: collection paths
    collections: list[str] = field(default_factory=list)
    #: child attachments' paths or URLs
    attachments: list[str] = field(default_factory=list)
    #: Zotero's item key (``ABCD2345``)
    key: str | None = None
    #: the citation key as the source gives it outside the fields (BBT ``citationKey``)
    citation_key: str | None = None
    #: where it is, for messages (``item 3``, an item URI ...)
    label: str = "item"


_CITEKEY_LINE = re.compile(r"^\s*citation key\s*:\s*(\S+)\s*$", re.IGNORECASE | re.MULTILINE)


def split_extra(extra: str) -> tuple[str | None, str]:
    """(the citation key of a ``Citation Key: ...`` line, the rest of Extra)."""
    m = _CITEKEY_LINE.search(extra)
    if m is None:
        return None, extra.strip()
    rest = (extra[: m.start()] + extra[m.end() :]).strip()
    return m.group(1), rest


class _Text(HTMLParser):
    _BREAKS = frozenset({"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def note_text(html: str) -> str:
    """A Zotero note (HTML) as plain text: one line per paragraph."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = [
        re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in "".join(parser.parts).split("\n")
    ]
    return "\n".join(line for line in lines if line)


_SQL_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?: |$)")
_ISO_DATE = re.compile(
    r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?Z?)?\s*$"
)
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def _csl_date(text: str) -> dict[str, Any]:
    """A Zotero date as a CSL date: Zotero's stored ``2019-03-00 March 2019``
    or an ISO date is exact; other text keeps its raw form beside its year."""
    m = _SQL_DATE.match(text)
    if m and m.group(1) != "0000":
        parts = [int(g) for g in m.groups()]
        while parts and parts[-1] == 0:
            parts.pop()
        return {"date-parts": [parts]}
    m = _ISO_DATE.match(text)
    if m:
        return {"date-parts": [[int(g) for g in m.groups() if g]]}
    m = _YEAR.search(text)
    if m:
        return {"date-parts": [[int(m.group(1))]], "raw": text}
    return {"raw": text}


_DATE_VARS = frozenset({"issued", "accessed", "submitted", "original-date"})


def _name(creator: dict[str, str]) -> dict[str, str]:
    if creator.get("name"):
        return {"literal": creator["name"]}
    family, given = creator.get("lastName") or "", creator.get("firstName") or ""
    if not family:
        return {"literal": given}
    return {"family": family, "given": given} if given else {"family": family}


def to_csl(item: ZoteroItem) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the CSL item, what goes to ``extra`` beside it) for one Zotero item."""
    csl: dict[str, Any] = {"type": CSL_TYPES.get(item.item_type, "document")}
    extra: dict[str, Any] = {}
    citekey = item.citation_key
    for name, value in item.fields.items():
        if value is None or str(value).strip() == "":
            continue
        value = str(value)
        base = BASE_FIELDS.get(name, name)
        if base == "citationKey":
            citekey = citekey or value.strip()
            continue
        if base == "extra":
            line_key, rest = split_extra(value)
            citekey = citekey or line_key
            if rest:
                extra["zotero_extra"] = rest
            continue
        var = CSL_FIELDS.get(base)
        if var is None:
            extra.setdefault(name, value)
        elif var in _DATE_VARS:
            csl.setdefault(var, _csl_date(value))
        else:
            csl.setdefault(var, value)
    for creator in item.creators:
        var = CSL_NAMES.get(creator.get("creatorType", "author"), "author")
        csl.setdefault(var, []).append(_name(creator))
    if citekey:
        csl["id"] = citekey
    if item.collections:
        extra["collections"] = list(dict.fromkeys(item.collections))
    if item.attachments:
        extra["attachments"] = list(item.attachments)
    if item.key:
        extra["zotero_key"] = item.key
    return csl, extra


def _record(item: ZoteroItem, source: str) -> tuple[Any, bool]:
    """(the record of one item, whether its key was made up)."""
    from ..csljson import record_from_csl

    csl, more = to_csl(item)
    record = record_from_csl(csl, where=f"{source}: {item.label}")
    extra = dict(record.extra)
    original = extra.pop("csl_id", None)
    if original is not None:
        extra["citation_key"] = original
    extra.update(more)
    notes = [t for t in (note_text(n) for n in item.notes) if t]
    update: dict[str, Any] = {"extra": extra}
    if notes:
        update["note"] = "\n\n".join(notes)
    tags = list(dict.fromkeys(t for t in item.tags if t))
    if tags:
        update["tags"] = tags
    record = record.model_validate({**record.to_json_dict(), **update})
    return record, "id" not in csl or original is not None


#: fields a chapter linked to its book drops when they are the same as the book's
_BOOK_FIELDS = ("editors", "publisher", "place", "issued", "edition", "volume", "series", "isbn")


def _link_books(entries: list[ReadEntry]) -> None:
    """Chapters name their book, where the input has it (see the module docstring)."""
    from ...model.fold import fold
    from ...model.identifiers import isbn_key

    by_isbn: dict[str, list[Any]] = {}
    by_title: dict[str, list[Any]] = {}
    for e in entries:
        if e.record.type == "book":
            for i in e.record.isbn:
                by_isbn.setdefault(isbn_key(i), []).append(e.record)
            if e.record.title:
                by_title.setdefault(fold(e.record.title), []).append(e.record)
    if not by_isbn and not by_title:
        return
    for e in entries:
        chapter = e.record
        if chapter.type != "chapter" or chapter.parent:
            continue
        books = next(
            (
                by_isbn[k]
                for k in (isbn_key(i) for i in chapter.isbn)
                if len(by_isbn.get(k, [])) == 1
            ),
            None,
        )
        if books is None and chapter.container_title:
            found = by_title.get(fold(chapter.container_title), [])
            books = found if len(found) == 1 else None
        if not books:
            continue
        book = books[0]
        update: dict[str, Any] = {"parent": book.key}
        if chapter.container_title and fold(chapter.container_title) == fold(book.title or ""):
            update["container_title"] = None
        for name in _BOOK_FIELDS:
            if getattr(book, name) == getattr(chapter, name):
                update[name] = [] if name in ("editors", "isbn") else None
        e.full = chapter
        e.book = book
        e.record = chapter.model_copy(update=update)


def read_items(items: Iterable[ZoteroItem], source: str) -> ReadBatch:
    """Zotero items as entries: records, their invalid items and warnings."""
    from ...model.keys import base_key

    out = ReadBatch()
    used: set[str] = set()
    made: list[tuple[ReadEntry, Any]] = []
    for item in items:
        try:
            record, generated = _record(item, source)
        except InvalidData as exc:
            msg = str(exc).removeprefix(f"{source}: {item.label}: ")
            out.invalid.append(
                Issue(source, None, item.citation_key or item.key, f"{item.label}: {msg}")
            )
            continue
        entry = ReadEntry(record, source, None, generated, entry_type=item.item_type)
        if generated:
            made.append((entry, record))
        else:
            used.add(record.key.casefold())
        out.entries.append(entry)
    for entry, record in made:  # keys made up never take a key the input gives
        base = base_key(record)
        key, n = base, 0
        while key.casefold() in used:
            n += 1
            key = f"{base}-{n}"
        used.add(key.casefold())
        entry.record = record.model_copy(update={"key": key})
    _link_books(out.entries)
    return out
