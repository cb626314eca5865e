"""RIS (EndNote, Zotero, publishers' "export citation") <-> records, via rispy.

Public API::

    parse_ris(text, *, source="<string>") -> RisParse
        ``RisParse.entries``: (record, line) pairs; ``invalid`` and
        ``warnings``: (line, key, message) triples. A reference without an
        ``ID`` gets a key made from its first author, year and title
        (``RisParse.generated`` holds those keys).
    load_ris(path) -> RisParse
    write_ris(records, *, books=None) -> str
        One reference per record, chapters self-contained (the book's title
        as T2, its editors as A2, its publisher, place and year), never the
        book's DOI, ISBN or URL. Deterministic.

Types: BOOK/EDBOOK -> book, CHAP -> chapter, JOUR/JFULL/MGZN/NEWS -> article,
RPRT -> report, THES -> thesis, ELEC/WEB/BLOG -> webpage, CONF/CPAPER ->
paper, anything else -> misc (the RIS type kept in ``extra["ris_type"]``).
RIS has no place for tags, et-al flags or a parent link: it is an exchange
format for other programs, not a lossless one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["RisParse", "parse_ris", "iter_ris", "load_ris", "write_ris", "RIS_TYPES_IN"]

RIS_TYPES_IN = {
    "BOOK": "book",
    "EDBOOK": "book",
    "CHAP": "chapter",
    "JOUR": "article",
    "JFULL": "article",
    "MGZN": "article",
    "NEWS": "article",
    "RPRT": "report",
    "THES": "thesis",
    "ELEC": "webpage",
    "WEB": "webpage",
    "BLOG": "webpage",
    "CONF": "paper",
    "CPAPER": "paper",
}
RIS_TYPE_OUT = {
    "book": "BOOK",
    "chapter": "CHAP",
    "article": "JOUR",
    "report": "RPRT",
    "thesis": "THES",
    "webpage": "ELEC",
    "paper": "CPAPER",
    "misc": "GEN",
}
_KEY_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_:.+-]{0,127}$")


@dataclass
class RisParse:
    entries: list[tuple[Any, int | None]] = field(default_factory=list)
    invalid: list[tuple[int | None, str | None, str]] = field(default_factory=list)
    warnings: list[tuple[int | None, str | None, str]] = field(default_factory=list)
    generated: set[str] = field(default_factory=set)


def _ris_date(text: str) -> str | None:
    """ "2014/08/29/", "2014/08//", "2014-08-29", "2014" -> ISO."""
    parts = [p for p in re.split(r"[/-]", text.strip())]
    if not parts or not re.fullmatch(r"\d{4}", parts[0] or ""):
        return None
    out = parts[0]
    if len(parts) > 1 and parts[1].isdigit() and 1 <= int(parts[1]) <= 12:
        out += f"-{int(parts[1]):02d}"
        if len(parts) > 2 and parts[2].isdigit() and 1 <= int(parts[2]) <= 31:
            out += f"-{int(parts[2]):02d}"
    return out


def _person(text: str) -> dict[str, Any]:
    from ..model import parse_name

    p = parse_name(text)
    return p.model_dump(exclude_none=True)


def _ref_lines(text: str) -> list[int]:
    return [i + 1 for i, line in enumerate(text.splitlines()) if line.startswith("TY  -")]


def parse_ris(
    text: str, *, source: str = "<string>", used: set[str] | None = None, line0: int = 1
) -> RisParse:
    """``used``: casefolded keys already taken (made-up keys avoid them; the
    keys of this text are added); ``line0``: the file line ``text`` starts on."""
    import rispy
    from pydantic import ValidationError

    from ..model import describe_validation_error, parse_record
    from ..model.keys import base_key

    out = RisParse()
    lines = [n + line0 - 1 for n in _ref_lines(text)]
    try:
        refs = rispy.loads(text, skip_unknown_tags=False)
    except Exception as exc:
        from ..errors import InvalidData

        raise InvalidData(f"{source}: cannot be read as RIS ({exc})") from None
    if used is None:
        used = set()
    if len(lines) > len(refs):
        # rispy drops a reference that has no "ER  -" line; say so, never lose it quietly
        for line in lines[len(refs) :]:
            out.invalid.append((line, None, "this reference has no end line ('ER  -'): add one"))
    elif not refs and text.strip():
        out.invalid.append(
            (line0, None, "no RIS reference here (each starts with 'TY  -' and ends with 'ER  -')")
        )
    for n, ref in enumerate(refs):
        line = lines[n] if n < len(lines) else None
        ris_type = str(ref.get("type_of_reference") or "GEN").upper()
        rtype = RIS_TYPES_IN.get(ris_type, "misc")
        data: dict[str, Any] = {"type": rtype, "key": "tmp"}
        extra: dict[str, Any] = {}
        if ris_type != RIS_TYPE_OUT[rtype] and not (rtype == "book" and ris_type == "EDBOOK"):
            extra["ris_type"] = ris_type
        try:
            authors = list(ref.get("authors") or []) + list(ref.get("first_authors") or [])
            if authors:
                data["authors"] = [_person(a) for a in authors]
            if ref.get("secondary_authors"):
                data["editors"] = [_person(a) for a in ref["secondary_authors"]]
            if ref.get("subsidiary_authors"):
                data["translators"] = [_person(a) for a in ref["subsidiary_authors"]]
            if ris_type == "EDBOOK" and authors and not ref.get("secondary_authors"):
                data["editors"] = data.pop("authors")
        except ValueError as exc:
            out.invalid.append((line, ref.get("id"), f"a name: {exc}"))
            continue
        title = ref.get("title") or ref.get("primary_title")
        if title:
            data["title"] = title
        container = (
            ref.get("secondary_title") or ref.get("journal_name") or ref.get("alternate_title3")
        )
        if container:
            target = {
                "chapter": "container_title",
                "article": "journal",
                "paper": "container_title",
                "webpage": "site",
            }.get(rtype)
            if target:
                data[target] = container
            else:
                extra["T2"] = container
        if ref.get("tertiary_title"):
            data["series"] = ref["tertiary_title"]
        if ref.get("short_title"):
            data["short_title"] = ref["short_title"]
        date = None
        for name in ("date", "publication_year", "year"):
            if ref.get(name):
                date = _ris_date(str(ref[name]))
                if date:
                    break
        if date:
            data["issued"] = date
        simple = {
            "publisher": "publisher",
            "place_published": "place",
            "edition": "edition",
            "volume": "volume",
            "doi": "doi",
            "abstract": "abstract",
            "language": "language",
        }
        for src, dst in simple.items():
            if ref.get(src):
                data[dst] = str(ref[src])
        if ref.get("urls"):
            data["url"] = ref["urls"][0]
            if len(ref["urls"]) > 1:
                extra["urls"] = ref["urls"][1:]
        if ref.get("keywords"):
            data["keywords"] = ref["keywords"]
        notes = list(ref.get("notes") or [])
        if notes:
            data["note"] = "\n".join(notes)
        sp, ep = ref.get("start_page"), ref.get("end_page")
        if sp and rtype in ("chapter", "article", "paper"):
            data["pages"] = f"{sp}-{ep}" if ep else str(sp)
        if ref.get("number"):
            target = {"article": "issue", "report": "number"}.get(rtype)
            (
                data.__setitem__(target, str(ref["number"]))
                if target
                else extra.__setitem__("IS", str(ref["number"]))
            )
        if ref.get("issn"):
            sn = str(ref["issn"])
            if rtype == "article":
                data["issn"] = sn
            elif rtype in ("book", "chapter") or re.search(r"\d{9}", sn.replace("-", "")):
                data["isbn"] = sn
            else:
                extra["SN"] = sn
        if ref.get("type_of_work"):
            if rtype == "thesis":
                data["degree"] = ref["type_of_work"]
            else:
                extra["M3"] = ref["type_of_work"]
        if ref.get("access_date") and rtype == "webpage":
            acc = _ris_date(str(ref["access_date"]))
            if acc:
                data["accessed"] = acc
        if rtype in ("report", "thesis") and data.get("publisher"):
            data["institution"] = data.pop("publisher")
        for name, value in (ref.get("unknown_tag") or {}).items():
            extra[name] = value if len(value) != 1 else value[0]
        if extra:
            data["extra"] = extra
        if rtype == "chapter" and not data.get("container_title"):
            data["container_title"] = None
        key = ref.get("id")
        generated = not (isinstance(key, str) and _KEY_OK.match(key))
        data["key"] = key if not generated else "tmp"
        try:
            record = parse_record(data)
        except ValidationError as exc:
            out.invalid.append(
                (
                    line,
                    key if isinstance(key, str) else None,
                    describe_validation_error(exc, "reference"),
                )
            )
            continue
        if generated:
            base = base_key(record)
            new = base
            i = 0
            while new.casefold() in used:
                new = base + chr(ord("a") + i % 26) * (1 + i // 26)
                i += 1
            record = record.model_copy(update={"key": new})
            out.generated.add(new)
        used.add(record.key.casefold())
        out.entries.append((record, line))
    return out


#: References parsed at a time when reading a file.
RIS_BATCH = 500


def iter_ris(path: str | Path, *, batch_size: int = RIS_BATCH) -> Iterator[RisParse]:
    """The references of a RIS file, ``batch_size`` at a time (the file is
    never held whole; cut after "ER  -" lines). UTF-8, else Latin-1."""
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
    used: set[str] = set()
    buf: list[str] = []
    start = 1
    count = 0
    with p.open("r", encoding=encoding) as fh:
        for n, line in enumerate(fh, 1):
            if not buf:
                start = n
            buf.append(line)
            if line.startswith("ER  -"):
                count += 1
                if count >= batch_size:
                    yield parse_ris("".join(buf), source=str(p), used=used, line0=start)
                    buf, count = [], 0
    if buf:
        yield parse_ris("".join(buf), source=str(p), used=used, line0=start)


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
    if person.literal:
        return person.literal
    last = person.last
    parts = [last]
    if person.given:
        parts.append(person.given)
    if person.suffix:
        parts.append(person.suffix)
    return ", ".join(parts)


def record_to_ris(record: Any, *, book: Any = None) -> dict[str, Any]:
    from ..model import Chapter

    source = record
    if isinstance(record, Chapter) and book is not None:
        from ..model.inherit import chapter_view

        source = chapter_view(record, book, "ris")
    extra: Mapping[str, Any] = source.extra or {}
    ref: dict[str, Any] = {
        "type_of_reference": str(extra.get("ris_type") or RIS_TYPE_OUT[source.type])
    }
    ref["id"] = source.key
    if source.authors:
        ref["authors"] = [_ris_name(p) for p in source.authors]
    if source.editors:
        ref["secondary_authors"] = [_ris_name(p) for p in source.editors]
    if source.translators:
        ref["subsidiary_authors"] = [_ris_name(p) for p in source.translators]
    if source.full_title:
        ref["title"] = source.full_title
    container = {
        "chapter": "container_title",
        "article": "journal",
        "paper": "container_title",
        "webpage": "site",
    }.get(source.type)
    if container and getattr(source, container, None):
        ref["secondary_title"] = getattr(source, container)
    if source.series:
        ref["tertiary_title"] = source.series
    if source.short_title:
        ref["short_title"] = source.short_title
    if source.issued:
        d = source.issued
        ref["year"] = f"{d.year:04d}"
        ref["date"] = (
            f"{d.year:04d}/"
            + (f"{d.month:02d}" if d.month else "")
            + "/"
            + (f"{d.day:02d}" if d.day else "")
            + "/"
        )
    for dst, value in (
        ("publisher", source.publisher or getattr(source, "institution", None)),
        ("place_published", source.place),
        ("edition", source.edition),
        ("volume", source.volume),
        ("doi", source.doi),
        ("abstract", source.abstract),
        ("language", source.language),
    ):
        if value:
            ref[dst] = value
    if source.url:
        ref["urls"] = [source.url]
    if source.keywords:
        ref["keywords"] = list(source.keywords)
    if source.note:
        ref["notes"] = [source.note]
    pages = getattr(source, "pages", None)
    if pages:
        ref["start_page"] = pages.start
        if pages.end:
            ref["end_page"] = pages.end
    number = getattr(source, "issue", None) or getattr(source, "number", None)
    if number:
        ref["number"] = number
    if getattr(source, "issn", None):
        ref["issn"] = source.issn
    elif source.isbn:
        ref["issn"] = "; ".join(source.isbn)
    if getattr(source, "degree", None):
        ref["type_of_work"] = source.degree
    if getattr(source, "accessed", None):
        a = source.accessed
        ref["access_date"] = (
            f"{a.year:04d}/"
            + (f"{a.month:02d}" if a.month else "")
            + "/"
            + (f"{a.day:02d}" if a.day else "")
            + "/"
        )
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
