"""BibTeX and BibLaTeX: read entries into records, write records as entries.

Public API::

    parse_bibtex(text, *, source="<string>") -> BibParse
        Every entry of a .bib text as a record (``BibParse.entries``: records
        with their line numbers), the entries that could not be read
        (``BibParse.invalid``, each with line and reason) and warnings
        (``BibParse.warnings``: a repeated field, a re-defined @string, an
        undefined macro, an identifier kept in ``extra`` ...).
    load_bibtex(path) -> BibParse
    write_bibtex(records, *, dialect="bibtex", ascii=False, expand=False, books=None) -> str
        Entries in a fixed order and a fixed field order (same records, same
        bytes). ``dialect`` is "bibtex" or "biblatex". ``books`` maps parent
        keys to book records (needed for ``expand`` and for the crossref order).

Reading uses bibtexparser v2 only to split the file into blocks (its
middlewares are not used: ``@string`` macros, ``#`` concatenation and month
macros are evaluated here in file order, so a re-defined ``@string`` applies
from where it is re-defined, as in BibTeX). Entries bibtexparser puts among its
failed blocks for a repeated field (:class:`DuplicateFieldKeyBlock`) or a
re-defined ``@string`` (:class:`DuplicateBlockKeyBlock`) are recovered with a
warning naming the line; the first value of a repeated field wins, as in BibTeX.

Entry types (BibTeX/BibLaTeX -> citeshelf -> written back):

==========================================================  =========  ============================
read                                                        record     written (bibtex / biblatex)
==========================================================  =========  ============================
book, mvbook, collection, mvcollection, proceedings,        book       @book
mvproceedings, reference, mvreference, bookinbook
incollection, inbook, inreference, suppbook,                chapter    @incollection
suppcollection
article, suppperiodical                                     article    @article
inproceedings, conference                                   paper      @inproceedings
techreport, report                                          report     @techreport
phdthesis, mastersthesis, thesis                            thesis     @phdthesis / @mastersthesis
online, www, electronic, webpage                            webpage    @misc / @online
anything else (misc, unpublished, manual, booklet, ...)     misc       @misc
==========================================================  =========  ============================

A source type that is not the one written back is kept in
``extra["bibtex_type"]`` and written back as it was. For classic BibTeX a
BibLaTeX-only type is written as the nearest classic type with an
``entrytype`` field naming the real one (``@misc`` + ``entrytype = {online}``),
which BibTeX ignores and citeshelf reads back.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import RESERVED_EXTRA, latex, protect

__all__ = [
    "BibParse",
    "BibIssue",
    "ParsedEntry",
    "parse_bibtex",
    "load_bibtex",
    "iter_bibtex",
    "BibReader",
    "write_bibtex",
    "BibTeXWriter",
    "TYPES_IN",
    "CASED_FIELDS",
]

# --------------------------------------------------------------------------
# types

TYPES_IN: dict[str, str] = {
    **dict.fromkeys(
        [
            "book",
            "mvbook",
            "collection",
            "mvcollection",
            "proceedings",
            "mvproceedings",
            "reference",
            "mvreference",
            "bookinbook",
        ],
        "book",
    ),
    **dict.fromkeys(
        ["incollection", "inbook", "inreference", "suppbook", "suppcollection"], "chapter"
    ),
    **dict.fromkeys(["article", "suppperiodical"], "article"),
    **dict.fromkeys(["inproceedings", "conference"], "paper"),
    **dict.fromkeys(["techreport", "report"], "report"),
    **dict.fromkeys(["phdthesis", "mastersthesis", "thesis"], "thesis"),
    **dict.fromkeys(["online", "www", "electronic", "webpage"], "webpage"),
}
# Source types that are written back without being kept in extra.
_DEFAULT_TYPES: dict[str, frozenset[str]] = {
    "book": frozenset({"book"}),
    "chapter": frozenset({"incollection"}),
    "article": frozenset({"article"}),
    "paper": frozenset({"inproceedings"}),
    "report": frozenset({"techreport"}),
    "thesis": frozenset({"phdthesis", "mastersthesis"}),
    "webpage": frozenset({"online"}),
    "misc": frozenset({"misc"}),
}
# The degree an entry type says without a type field (@phdthesis: none given).
_DEGREE_DEFAULT = {"phdthesis": None, "mastersthesis": "Master's thesis"}
_THESIS_TYPE_KEYS = {
    "phdthesis": "PhD thesis",
    "mathesis": "Master's thesis",
    "mastersthesis": "Master's thesis",
}

#: Record fields whose letter case styles may change, so capitals are protected.
CASED_FIELDS = ("title", "subtitle", "short_title", "container_title", "series", "event")

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_PREDEFINED = dict(zip(_MONTHS, _MONTH_NAMES))
_MONTH_WORD = re.compile(
    r"^(?:\d{1,2}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)\.?|january|february|"
    r"march|april|june|july|august|september|october|november|december)$",
    re.IGNORECASE,
)

# Fields whose text is not LaTeX (kept as written, only "\_" "\%" "\&" "\#" unescaped).
_VERBATIM = frozenset(
    [
        "url",
        "urlraw",
        "file",
        "pdf",
        "eprint",
        "doi",
        "verba",
        "verbb",
        "verbc",
        "bdsk-url-1",
        "bdsk-url-2",
        "bdsk-file-1",
        "bdsk-file-2",
        "local-url",
    ]
)
_NAME_FIELDS_IN = {"author": "authors", "editor": "editors", "translator": "translators"}
_IDENTIFIERS = frozenset({"doi", "url", "isbn", "issn"})

# BibTeX/BibLaTeX field -> record field, for every type.
_COMMON_IN = {
    "title": "title",
    "subtitle": "subtitle",
    "shorttitle": "short_title",
    "publisher": "publisher",
    "address": "place",
    "location": "place",
    "edition": "edition",
    "volume": "volume",
    "series": "series",
    "language": "language",
    "doi": "doi",
    "isbn": "isbn",
    "url": "url",
    "abstract": "abstract",
    "keywords": "keywords",
    "note": "note",
    "tags": "tags",
}
_BY_TYPE_IN: dict[str, dict[str, str]] = {
    "book": {"pagetotal": "number_of_pages"},
    "chapter": {"booktitle": "container_title", "chapter": "chapter", "pages": "pages"},
    "article": {
        "journal": "journal",
        "journaltitle": "journal",
        "number": "issue",
        "pages": "pages",
        "issn": "issn",
    },
    "report": {"institution": "institution", "number": "number"},
    "thesis": {"school": "institution", "institution": "institution", "type": "degree"},
    "webpage": {"organization": "site", "howpublished": "site"},
    "paper": {
        "booktitle": "container_title",
        "eventtitle": "event",
        "venue": "event_place",
        "pages": "pages",
    },
    "misc": {"howpublished": "howpublished"},
}


# --------------------------------------------------------------------------
# results


@dataclass
class BibIssue:
    """A problem or warning about one place in a .bib file."""

    source: str
    line: int | None
    key: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        who = f" entry '{self.key}':" if self.key else ""
        return f"{where}:{who} {self.message}"


@dataclass
class ParsedEntry:
    """One entry read from a file, as a record, with where it came from."""

    record: Any
    line: int | None
    source: str
    entry_type: str
    crossref: str | None = None
    #: the record before it left out what its book in the same file says
    full: Any = None
    #: a chapter's book, when it is in the same file
    book: Any = None


@dataclass
class BibParse:
    entries: list[ParsedEntry] = field(default_factory=list)
    invalid: list[BibIssue] = field(default_factory=list)
    warnings: list[BibIssue] = field(default_factory=list)
    preambles: list[str] = field(default_factory=list)

    @property
    def records(self) -> list[Any]:
        return [e.record for e in self.entries]


class _EntryError(ValueError):
    pass


# --------------------------------------------------------------------------
# values: @string macros, "#" concatenation


def _group_end(raw: str, start: int) -> int:
    """Where the braced ({...}) or quoted ("...") value opening at ``start``
    closes (its closing character's index, or the end of ``raw``); braces
    nest, and a backslash escapes the next character."""
    quoted = raw[start] == '"'
    depth = 0 if quoted else 1
    j = start + 1
    while j < len(raw):
        c = raw[j]
        if c == "\\":
            j += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0 and not quoted:
                return j
        elif c == '"' and quoted and depth == 0:
            return j
        j += 1
    return len(raw)


def _evaluate(raw: str, macros: Mapping[str, str], undefined: list[str]) -> str:
    """A field's raw value with its parts joined and macros expanded."""
    raw = raw.strip()
    if raw.startswith("{") and raw.endswith("}") and "#" not in raw:
        # the common case: one braced value
        return raw[1:-1]
    parts: list[str] = []
    i = 0
    n = len(raw)
    while i < n:
        ch = raw[i]
        if ch.isspace() or ch == "#":
            i += 1
            continue
        if ch in '{"':
            j = _group_end(raw, i)
            parts.append(raw[i + 1 : j])
            i = j + 1
        else:
            j = i
            while j < n and not raw[j].isspace() and raw[j] != "#":
                j += 1
            word = raw[i:j]
            if word.isdigit():
                parts.append(word)
            else:
                value = macros.get(word.lower())
                if value is None:
                    undefined.append(word)
                    parts.append(word)
                else:
                    parts.append(value)
            i = j
    return "".join(parts)


# --------------------------------------------------------------------------
# reading


#: Entries parsed at a time when reading a file (memory stays bounded).
BATCH_SIZE = 500


def load_bibtex(path: str | Path) -> BibParse:
    """Every entry of a .bib file (see :func:`parse_bibtex`), read in batches."""
    result = BibParse()
    for part in iter_bibtex(path):
        result.entries.extend(part.entries)
        result.invalid.extend(part.invalid)
        result.warnings.extend(part.warnings)
        result.preambles.extend(part.preambles)
    return result


def parse_bibtex(text: str, *, source: str = "<string>", batch_size: int = BATCH_SIZE) -> BibParse:
    """Read every entry of ``text`` (see the module docstring)."""
    reader = _Reader(source)
    parts = text.split("\n")  # lines as bibtexparser counts them
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    reader.prescan(lines)
    result = BibParse()
    for part in reader.batches(lines, batch_size):
        result.entries.extend(part.entries)
        result.invalid.extend(part.invalid)
        result.warnings.extend(part.warnings)
        result.preambles.extend(part.preambles)
    return result


def iter_bibtex(path: str | Path, *, batch_size: int = BATCH_SIZE) -> Iterator[BibParse]:
    """The entries of a .bib file, a batch at a time, in file order (see :class:`BibReader`)."""
    return BibReader(path, batch_size=batch_size).batches()


class BibReader:
    """A .bib file read twice, never held whole.

    Creating the reader makes a first pass that notes every entry's key, the
    ``@string`` macros, the ``xdata`` sets and the books (so that a chapter
    can leave out what its book in the same file says, wherever the book is);
    ``total`` is the number of entries. :meth:`batches` then parses
    ``batch_size`` entries at a time. Line numbers are the file's. A file that
    is not UTF-8 is read as Latin-1 with a warning.
    """

    def __init__(self, path: str | Path, *, batch_size: int = BATCH_SIZE) -> None:
        from ..errors import InvalidData

        self.path = p = Path(path)
        self.batch_size = batch_size
        self.encoding = "utf-8-sig"
        try:
            try:
                self._reader = _Reader(str(p))
                self.total = self._reader.prescan(_file_lines(p, self.encoding))
            except UnicodeDecodeError:
                self.encoding = "latin-1"
                self._reader = _Reader(str(p))
                self.total = self._reader.prescan(_file_lines(p, self.encoding))
        except OSError as exc:
            raise InvalidData(f"{p}: cannot read: {exc.strerror}") from None

    def batches(self) -> Iterator[BibParse]:
        p = self.path
        note = None
        if self.encoding == "latin-1":
            note = BibIssue(str(p), None, None, "not UTF-8: read as Latin-1; check the accents")
        for part in self._reader.batches(_file_lines(p, self.encoding), self.batch_size):
            if note is not None:
                part.warnings.insert(0, note)
                note = None
            yield part
        if note is not None:
            yield BibParse(warnings=[note])


def _file_lines(p: Path, encoding: str) -> Iterator[str]:
    """The file's lines (split at "\\n" only, endings kept, as bibtexparser counts)."""
    with p.open("rb") as fh:
        first = True
        for raw in fh:
            line = raw.decode(encoding)
            if first and line.startswith("\ufeff"):
                line = line[1:]
            first = False
            yield line


#: A line where bibtexparser starts a block, whatever came before (it ends an
#: unclosed block there): the text can be cut before such lines.
_BLOCK_LINE = re.compile(r"[^\S\n]*@(\w*)[ \t]*[{(][ \t]*([^,\s{}()=]*)")


def _segments(lines: Iterable[str]) -> Iterator[tuple[int, list[str], str | None, str | None]]:
    """The text cut before every line that starts a block (``@type{``), as
    (first line number, lines, type, key). bibtexparser never lets a block
    run past such a line, so parsing the pieces gives the blocks of the whole."""
    start = 1
    buf: list[str] = []
    etype = key = None
    for n, line in enumerate(lines, 1):
        if "@" in line:
            m = _BLOCK_LINE.match(line)
            if m:
                if buf:
                    yield start, buf, etype, key
                buf = []
                start = n
                etype, key = m.group(1).lower(), m.group(2)
        buf.append(line)
    if buf:
        yield start, buf, etype, key


class _Reader:
    """Reads a .bib text in batches, carrying what BibTeX carries from one
    entry to the next: macros, keys seen, renamed keys, xdata sets, books."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.macros: dict[str, str] = dict(_PREDEFINED)
        self.strings: set[str] = set()
        self.seen_keys: dict[str, int] = {}
        self.xdata: dict[str, dict[str, str]] = {}
        self.taken: set[str] = set()
        self.renamed: dict[str, str] = {}
        self.books: dict[str, Any] = {}  # key -> book record of this file

    # -- the first pass -------------------------------------------------

    def prescan(self, lines: Iterable[str]) -> int:
        """Keys, xdata sets and books of the whole text (macros in file order);
        the number of entries."""
        keys: list[str] = []
        n_xdata = 0
        wanted: list[str] = []
        wanted_start = 0
        book_types = {t for t, r in TYPES_IN.items() if r == "book"} | {"xdata", "string"}
        later: list[tuple[str, str, dict[str, str]]] = []  # books that need all keys or xdata
        seen: set[str] = set()
        for start, buf, etype, key in _segments(lines):
            if etype is None:
                continue
            if etype not in ("string", "preamble", "comment") and key:
                keys.append(key)
                n_xdata += etype == "xdata"
            if etype in book_types:
                if not wanted:
                    wanted_start = start
                wanted.append("".join(buf))
                if len(wanted) >= BATCH_SIZE:
                    self._prescan_blocks("".join(wanted), wanted_start, seen, later)
                    wanted = []
        if wanted:
            self._prescan_blocks("".join(wanted), wanted_start, seen, later)
        self.taken = {k.lower() for k in keys}
        for key in keys:
            self._rename(key)
        for etype, key, fields in later:
            self._prescan_book(etype, key, self._with_xdata(fields, []))
        # the second pass starts from scratch
        self.macros = dict(_PREDEFINED)
        self.strings = set()
        return len(keys) - n_xdata

    def _prescan_blocks(self, text: str, line0: int, seen: set[str], later: list) -> None:
        from bibtexparser import model as bm

        self._escapes = []  # (line numbers are not used here)
        for block in self._split(text):
            if isinstance(block, bm.DuplicateBlockKeyBlock | bm.DuplicateFieldKeyBlock):
                block = block.ignore_error_block
            if isinstance(block, bm.String):
                self._define(block, line0, None)
            elif isinstance(block, bm.Entry):
                etype, key, fields, _, _ = self._evaluate_entry(block, line0)
                if etype == "xdata":
                    self.xdata[key.lower()] = fields
                elif TYPES_IN.get(etype) == "book" and key.lower() not in seen:
                    seen.add(key.lower())  # the first entry of a key is the one read
                    refs = [fields.get(r, "").strip() for r in ("crossref", "xref")]
                    if "xdata" in fields or not all(_KEY_OK.match(k) for k in [key, *refs] if k):
                        later.append((etype, key, fields))
                    else:
                        self._prescan_book(etype, key, fields)

    def _prescan_book(self, etype: str, key: str, fields: dict[str, str]) -> None:
        final = self.renamed.get(key, key)
        for ref in ("crossref", "xref"):
            if fields.get(ref, "").strip() in self.renamed:
                fields[ref] = self.renamed[fields[ref].strip()]
        try:
            record, _ = entry_to_record(
                etype, final, fields, original_key=key if final != key else None
            )
        except _EntryError:
            return
        if record.type == "book":
            self.books[record.key] = _BookView(record)

    # -- the second pass --------------------------------------------------

    def batches(self, lines: Iterable[str], batch_size: int) -> Iterator[BibParse]:
        buf: list[str] = []
        start = 1
        count = 0
        for first, seg, etype, _key in _segments(lines):
            if count >= batch_size:
                # the next block's first line too, so that an unclosed block
                # is ended by it (as in the whole text), not by the end of text
                yield self.feed(buf, start, tail=seg[0])
                buf, count = [], 0
            if not buf:
                start = first
            buf.extend(seg)
            if etype not in (None, "string", "preamble", "comment"):
                count += 1
        if buf:
            yield self.feed(buf, start)

    def _split(self, text: str) -> list[Any]:
        import bibtexparser

        log = logging.getLogger("bibtexparser")
        level = log.level
        log.setLevel(logging.CRITICAL)  # failed blocks are reported with lines
        try:
            return bibtexparser.parse_string(text, parse_stack=[]).blocks
        except Exception as exc:
            from ..errors import InvalidData

            raise InvalidData(f"{self.source}: cannot be read as BibTeX ({exc})") from None
        finally:
            log.setLevel(level)

    #: lines of the current text (0-based) that end with a backslash: bibtexparser
    #: does not count the line break after one, so its line numbers drift there
    _escapes: list[int] = []

    def _line(self, start_line: int | None, line0: int) -> int | None:
        """The file's line number for bibtexparser's ``start_line``."""
        if start_line is None:
            return None
        n = start_line
        for e in self._escapes:
            if e < n:
                n += 1
            else:
                break
        return n + line0

    def _line_of(self, block: Any, line0: int) -> int | None:
        return self._line(block.start_line, line0)

    def _split_lines(self, lines: list[str]) -> list[Any]:
        self._escapes = [i for i, line in enumerate(lines) if line.endswith("\\\n")]
        return self._split("".join(lines))

    def _define(self, block: Any, line0: int, result: BibParse | None) -> None:
        undefined: list[str] = []
        value = _evaluate(block.value, self.macros, undefined)
        name = block.key.lower()
        line = self._line_of(block, line0)
        if name in self.strings and result is not None:
            result.warnings.append(
                BibIssue(
                    self.source,
                    line,
                    None,
                    f"@string '{block.key}' is defined again; entries after line "
                    f"{line} use the new value",
                )
            )
        self.strings.add(name)
        self.macros[name] = value

    def _evaluate_entry(
        self, entry: Any, line0: int
    ) -> tuple[str, str, dict[str, str], int, list[BibIssue]]:
        key = entry.key
        line = self._line_of(entry, line0)
        fields: dict[str, str] = {}
        undefined: list[str] = []
        warnings: list[BibIssue] = []
        for f in entry.fields:
            name = f.key.lower()
            value = (
                _evaluate(f.value, self.macros, undefined)
                if isinstance(f.value, str)
                else str(f.value)
            )
            if name in fields:
                warnings.append(
                    BibIssue(
                        self.source,
                        self._line(f.start_line, line0) or line,
                        key,
                        f"field '{name}' is repeated: kept the first value, dropped {value!r}",
                    )
                )
                continue
            fields[name] = value
        for word in dict.fromkeys(undefined):
            warnings.append(
                BibIssue(self.source, line, key, f"undefined @string macro '{word}': kept as text")
            )
        return entry.entry_type.lower(), key, fields, line or 0, warnings

    def _rename(self, key: str) -> str:
        """A key that cannot name a record file ("baez/article") gets a usable
        one (the same one for every mention); the original is kept in extra."""
        if _KEY_OK.match(key):
            return key
        if key in self.renamed:
            return self.renamed[key]
        base = re.sub(r"[^A-Za-z0-9_:.+-]+", "-", key).strip("-_:.+")[:120] or "entry"
        if not base[0].isalnum():
            base = "k" + base
        new, n = base, 0
        while new.lower() in self.taken:
            n += 1
            new = f"{base}-{n}"
        self.taken.add(new.lower())
        self.renamed[key] = new
        return new

    def _with_xdata(
        self, fields: dict[str, str], warnings: list[BibIssue], line: int = 0, key: str = ""
    ) -> dict[str, str]:
        if "xdata" in fields:
            for ref in [r.strip().lower() for r in fields["xdata"].split(",") if r.strip()]:
                for name, value in self.xdata.get(ref, {}).items():
                    fields.setdefault(name, value)
                if ref not in self.xdata:
                    warnings.append(
                        BibIssue(self.source, line, key, f"xdata '{ref}' is not in the file")
                    )
        return fields

    def feed(self, lines: list[str], line0: int, tail: str | None = None) -> BibParse:
        """One batch of the text, starting on line ``line0`` of the file.
        ``tail``, the first line of the next batch, ends an unclosed block as
        it does in the whole text; the block it starts is left for the next."""
        from bibtexparser import model as bm

        result = BibParse()
        offset = line0  # bibtexparser counts lines from 0
        pending: list[tuple[str, str, dict[str, str], int, list[BibIssue]]] = []
        blocks = self._split_lines([*lines, tail] if tail else lines)
        if tail and blocks and (blocks[-1].raw or "").strip() == tail.strip():
            blocks.pop()
        for block in blocks:
            if isinstance(block, bm.DuplicateFieldKeyBlock | bm.DuplicateBlockKeyBlock):
                inner = block.ignore_error_block
                if not isinstance(inner, bm.String | bm.Entry):  # pragma: no cover
                    result.invalid.append(
                        BibIssue(self.source, self._line_of(block, offset), None, str(block.error))
                    )
                    continue
                block = inner
            if isinstance(block, bm.String):
                self._define(block, offset, result)
            elif isinstance(block, bm.Preamble):
                result.preambles.append(block.value)
            elif isinstance(block, bm.Entry):
                etype, key, fields, line, warnings = self._evaluate_entry(block, offset)
                if etype == "xdata":
                    result.warnings.extend(warnings)
                    continue
                pending.append((etype, key, fields, line, warnings))
            elif isinstance(block, bm.ParsingFailedBlock):
                result.invalid.append(
                    BibIssue(
                        self.source,
                        self._line_of(block, offset),
                        _guess_key(block.raw),
                        _parse_error(block),
                    )
                )
            # comments are tolerated and ignored
        for _, key, _, _, _ in pending:
            self.taken.add(key.lower())
        for etype, key, fields, line, warnings in pending:
            lower = key.lower()
            if lower in self.seen_keys:
                result.invalid.append(
                    BibIssue(
                        self.source,
                        line,
                        key,
                        f"the key is already used by the entry on line {self.seen_keys[lower]}: "
                        "rename one of them",
                    )
                )
                continue
            self.seen_keys[lower] = line
            fields = self._with_xdata(fields, warnings, line, key)
            original = None
            new = self._rename(key)
            if new != key:
                original, key = key, new
                warnings.append(
                    BibIssue(
                        self.source,
                        line,
                        original,
                        f"the key cannot name a record file: imported as '{key}' (the original "
                        "key is kept and written back on export)",
                    )
                )
            for ref in ("crossref", "xref"):
                if fields.get(ref, "").strip() in self.renamed:
                    fields[ref] = self.renamed[fields[ref].strip()]
            try:
                record, more = entry_to_record(etype, key, fields, original_key=original)
            except _EntryError as exc:
                result.invalid.append(BibIssue(self.source, line, key, str(exc)))
                result.warnings.extend(warnings)
                continue
            for message in more:
                warnings.append(BibIssue(self.source, line, key, message))
            result.warnings.extend(warnings)
            parsed = ParsedEntry(
                record, line, self.source, etype, fields.get("crossref", "").strip() or None
            )
            result.entries.append(parsed)
        _inherit_in_file(result.entries, self.books)
        result.warnings.sort(key=lambda w: w.line or 0)
        result.invalid.sort(key=lambda w: w.line or 0)
        return result


_INHERITABLE = (
    "editors",
    "issued",
    "publisher",
    "place",
    "edition",
    "volume",
    "series",
    "language",
)


class _BookView:
    """What a chapter may take from its book in the same file (a book record
    without its abstract, notes and the rest, so that many fit in memory)."""

    __slots__ = (*_INHERITABLE, "key", "title", "full_title", "authors", "year")

    def __init__(self, book: Any) -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(book, name))


def _inherit_in_file(entries: list[ParsedEntry], books: Mapping[str, Any]) -> None:
    """A chapter whose book is in the same file drops the fields it repeats
    from the book (it takes them from the book when resolved). The record as
    read, before that, is kept in ``ParsedEntry.full`` (duplicate checks
    compare what the entry says)."""
    from ..model import Chapter

    for e in entries:
        r = e.record
        if not isinstance(r, Chapter) or r.parent not in books:
            continue
        e.book = book = books[r.parent]
        update: dict[str, Any] = {}
        for name in _INHERITABLE:
            value = getattr(r, name)
            if value and value == getattr(book, name):
                update[name] = [] if name == "editors" else None
        if r.container_title and r.container_title in (book.title, book.full_title):
            update["container_title"] = None
            prot = r.extra.get("protect") if isinstance(r.extra, dict) else None
            if isinstance(prot, dict) and "container_title" in prot:
                extra = dict(r.extra)
                extra["protect"] = {k: v for k, v in prot.items() if k != "container_title"}
                update["extra"] = extra
        if r.container_authors and r.container_authors == book.authors:
            update["container_authors"] = []
        if update:
            e.full = r
            e.record = r.model_copy(update=update)


def _guess_key(raw: str | None) -> str | None:
    if not raw:
        return None
    m = re.match(r"\s*@\s*\w+\s*[{(]\s*([^,\s]+)\s*,", raw)
    return m.group(1) if m else None


def _parse_error(block: Any) -> str:
    reason = getattr(block.error, "abort_reason", None) or str(block.error)
    reason = " ".join(str(reason).split()).rstrip(".")
    return f"syntax error: {reason}" if reason else "syntax error: the entry could not be read"


# --------------------------------------------------------------------------
# one entry -> one record


_KEY_OK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_:.+-]{0,127}$")


_SPACES = re.compile(r"[ \t\r\n]+")


def _ws(text: str) -> str:
    """Runs of ASCII white space as one space (a no-break space stays)."""
    return _SPACES.sub(" ", text).strip(" ")


def _unescape_verbatim(text: str) -> str:
    return re.sub(r"\\([_%&#$~])", r"\1", text.strip())


def _cased(
    value: str, field: str, extra: dict[str, Any], spans_out: dict[str, Any] | None = None
) -> str:
    """Decode a title-like field, recording braced phrases unless they are
    exactly what sentence case implies."""
    decoded = latex.decode(value, keep_braces=True, held=True)
    held_plain, spans = latex.strip_group_spans(decoded)
    phrases = [_ws(latex.release(held_plain[a:b])) for a, b in spans]
    plain = _ws(latex.release(held_plain))
    if spans_out is not None:
        spans_out[field] = phrases, plain
    _decide_protect(plain, phrases, field, extra)
    return plain


def _decide_protect(plain: str, phrases: list[str], field: str, extra: dict[str, Any]) -> None:
    auto = [plain[a:b] for a, b in protect.auto_spans(plain)]
    table = extra.get("protect")
    if phrases != auto:
        extra.setdefault("protect", {})[field] = sorted(dict.fromkeys(phrases))
    elif isinstance(table, dict):
        table.pop(field, None)
        if not table:
            extra.pop("protect", None)


_AND_SPLIT = re.compile(r"\s+and\s+", re.IGNORECASE)
_SIMPLE_NAME = re.compile(r"^[^{}\\,]*(?:,[^{}\\,]*)?$")


def _upper_word(word: str) -> bool:
    for ch in word:
        if ch.isalpha():
            return ch.isupper()
    return True  # BibTeX: a word without letters is not "von"


def _simple_names(text: str) -> tuple[list[dict[str, Any]], bool] | None:
    """The common names ("Family, Given", "Given Family", no braces or
    particles) without the general parser; None if any name is not simple."""
    parts = _AND_SPLIT.split(" ".join(text.split()))
    others = bool(parts) and parts[-1].lower() == "others"
    if others:
        parts = parts[:-1]
    out = []
    for part in parts:
        if not part or not _SIMPLE_NAME.match(part):
            return None
        if "," in part:
            last, first = part.split(",", 1)
            words = last.split()
            if not words or not all(_upper_word(w) for w in words):
                return None
            name = {"family": " ".join(words)}
            first = first.strip()
            if first:
                name["given"] = first
        else:
            words = part.split()
            if not all(_upper_word(w) for w in words[:-1]):
                return None
            name = {"family": words[-1]}
            if len(words) > 1:
                name["given"] = " ".join(words[:-1])
        out.append(name)
    return out, others


def _names(value: str, field: str) -> tuple[list[dict[str, Any]], bool]:
    try:
        return _names_of(value)
    except ValueError as exc:
        # a name made of a macro the file's @preamble defines ("\Thanh{}"):
        # keep the macro's name rather than nothing
        fallback = re.sub(r"\\([A-Za-z]+)(?:\{\})?", r"\1", value)
        if fallback != value:
            try:
                return _names_of(fallback)
            except ValueError:
                pass
        reason = latex.release(str(exc)).splitlines()
        reason = [line for line in reason if "Value error, " in line] or reason[:1]
        text = reason[0].split("Value error, ", 1)[-1].split(" [type=")[0].strip()
        raise _EntryError(f"field '{field}': {text}") from None


def _names_of(value: str) -> tuple[list[dict[str, Any]], bool]:
    from ..model import has_others, parse_names

    decoded = latex.decode(value, keep_braces=True, held=True)
    if "{" not in decoded and "}" not in decoded:
        simple = _simple_names(decoded)
        if simple is not None:
            people, others = simple
            if any(latex.release(v) != v for p in people for v in p.values()):
                people = [{k: latex.release(v) for k, v in p.items()} for p in people]
            return people, others
    people = parse_names(decoded)
    out = []
    for p in people:
        data = {}
        for part in ("family", "given", "particle", "suffix", "literal"):
            text = getattr(p, part)
            if text:
                data[part] = latex.release(latex.strip_groups(text)[0])
        out.append(data)
    return out, has_others(decoded)


def _date_parts(text: str) -> tuple[str | None, bool]:
    """A BibLaTeX date as YYYY[-MM[-DD]] and whether that says all of it."""
    m = re.match(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*(.*)$", text)
    if not m:
        return None, False
    y, mo, d, rest = m.groups()
    out = y
    if mo:
        out += f"-{int(mo):02d}"
        if d:
            out += f"-{int(d):02d}"
    exact = not rest and (mo is None or len(mo) == 2) and (d is None or len(d) == 2)
    return out, exact


def entry_to_record(
    etype: str, key: str, fields: Mapping[str, str], *, original_key: str | None = None
) -> tuple[Any, list[str]]:
    """One entry's evaluated fields (LaTeX text) as a record, and warnings."""
    from pydantic import ValidationError

    from ..model import Date, describe_validation_error, parse_record

    warnings: list[str] = []
    native = fields.get("entrytype", "").strip().lower()
    if native and re.fullmatch(r"[a-z]+", native):
        # how citeshelf writes a BibLaTeX type for classic BibTeX: @book + entrytype = {mvbook}
        etype = native
    rtype = TYPES_IN.get(etype, "misc")
    extra: dict[str, Any] = {}
    if etype not in _DEFAULT_TYPES[rtype]:
        extra["bibtex_type"] = etype
    if original_key:
        extra["bibtex_key"] = original_key
    if not _KEY_OK.match(key):
        raise _EntryError(
            "the key is not usable: use 1-128 letters, digits and _ : . + -, starting with a "
            "letter or digit"
        )
    data: dict[str, Any] = {"type": rtype, "key": key}
    mapping = {**_COMMON_IN, **_BY_TYPE_IN[rtype]}
    crossref = fields.get("crossref", "").strip()
    xref = fields.get("xref", "").strip()
    if rtype == "chapter" and crossref:
        data["parent"] = crossref
        if xref:
            extra["xref"] = xref
    elif rtype == "chapter" and xref:
        data["parent"] = xref
    else:
        if crossref:
            extra["crossref"] = crossref
        if xref:
            extra["xref"] = xref

    year = fields.get("year")
    month = fields.get("month")
    day = fields.get("day")
    date = fields.get("date")
    handled = {
        "crossref",
        "xref",
        "year",
        "month",
        "day",
        "date",
        "xdata",
        "isbn-others",
        "entrytype",
    }
    issued: str | None = None
    if date is not None:
        issued, exact = _date_parts(latex.decode(date))
        if not exact:
            extra["date"] = latex.decode(date)
    if year is not None:
        y = latex.decode(year).strip()
        if issued is None and re.fullmatch(r"\d{4}", y):
            issued = y
        elif issued is None or not issued.startswith(y):
            extra["year"] = y
            if issued is None:
                warnings.append(
                    f"field 'year' kept in extra: {y!r} is not a year (YYYY); the entry has no date"
                )
    if month is not None:
        mtext = latex.decode(month).strip()
        number = Date.month_number(mtext) if _MONTH_WORD.match(mtext) else None
        if issued is not None and len(issued) == 4 and number:
            issued += f"-{number:02d}"
            if mtext.lower() not in (
                _MONTH_NAMES[number - 1].lower(),
                _MONTHS[number - 1],
                str(number),
                f"{number:02d}",
            ):
                extra["month"] = mtext
        elif not (issued and number and len(issued) >= 7 and int(issued[5:7]) == number):
            extra["month"] = mtext
    if day is not None:
        dtext = latex.decode(day).strip()
        if issued is not None and len(issued) == 7 and dtext.isdigit():
            issued += f"-{int(dtext):02d}"
        elif not (
            issued and len(issued) == 10 and dtext.isdigit() and int(issued[8:]) == int(dtext)
        ):
            extra["day"] = dtext
    if issued is not None:
        try:
            Date.parse(issued)
            data["issued"] = issued
        except ValueError as exc:
            warnings.append(f"date kept in extra: {exc}")
            extra.setdefault("date", issued)

    if rtype == "webpage" and "urldate" in fields:
        handled.add("urldate")
        text, exact = _date_parts(latex.decode(fields["urldate"]))
        if text and exact:
            data["accessed"] = text
        else:
            extra["urldate"] = latex.decode(fields["urldate"])
    if rtype == "chapter" and "bookauthor" in fields:
        handled.add("bookauthor")
        data["container_authors"], _ = _names(fields["bookauthor"], "bookauthor")
    if rtype == "article" and "number" in fields and "issue" in fields:
        extra["issue"] = latex.decode(fields["issue"])
        handled.add("issue")
    if rtype == "article" and "issue" in fields and "number" not in fields:
        mapping["issue"] = "issue"
    if rtype == "book" and "booktitle" in fields and "title" in fields:
        if _ws(latex.decode(fields["booktitle"])) == _ws(latex.decode(fields["title"])):
            handled.add("booktitle")  # the copy citeshelf writes for crossref
    identifiers: dict[str, str] = {}  # record field -> source field, checked by the model
    cased: dict[str, Any] = {}  # field -> (braced phrases in order, plain text)
    for name, value in fields.items():
        if name in handled:
            continue
        if name in _NAME_FIELDS_IN:
            people, others = _names(value, name)
            data[_NAME_FIELDS_IN[name]] = people
            if others:
                if name == "author":
                    data["authors_et_al"] = True
                elif name == "editor":
                    data["editors_et_al"] = True
                else:
                    extra[f"{name}_et_al"] = True
            continue
        target = mapping.get(name)
        if target is None:
            if name in _VERBATIM:
                extra[name] = _unescape_verbatim(value)
            else:
                extra[name] = _ws(latex.decode(value)) if value.strip() else value
            continue
        if target in CASED_FIELDS:
            text = _cased(value, target, extra, cased)
        elif name in _VERBATIM:
            text = _unescape_verbatim(value)
        else:
            text = latex.decode(value)
            if target != "abstract":
                text = _ws(text)
        if not text.strip():
            continue
        if target in ("keywords", "tags"):
            data[target] = [k.strip() for k in re.split(r"[,;]", text) if k.strip()]
            continue
        if target in _IDENTIFIERS:
            identifiers[target] = name
        data[target] = text

    if "isbn-others" in fields and "isbn" in data:
        data["isbn"] = data["isbn"] + ", " + latex.decode(fields["isbn-others"])
    elif "isbn-others" in fields:
        extra["isbn-others"] = latex.decode(fields["isbn-others"])

    if (
        etype == "inbook"
        and "booktitle" not in fields
        and not data.get("parent")
        and data.get("title")
    ):
        # classic BibTeX's @inbook: the title is the book's, chapter/pages the part
        data["container_title"] = data.pop("title")
        prot = extra.get("protect")
        if isinstance(prot, dict) and "title" in prot:
            prot["container_title"] = prot.pop("title")

    # BibTeX has no subtitle field: "Title: Subtitle" with subtitle = {Subtitle}
    # is how citeshelf writes one for classic BibTeX.
    sub = data.get("subtitle")
    title = data.get("title")
    if sub and title and title.endswith(": " + sub):
        main = data["title"] = title[: -len(sub) - 2]
        phrases, _plain = cased.get("title", ([], title))
        # the braced phrases of the main title: those before ": subtitle"
        n_sub = len(cased.get("subtitle", ([], ""))[0])
        own = phrases[: len(phrases) - n_sub] if n_sub else phrases
        _decide_protect(main, own, "title", extra)
    if rtype == "thesis" and data.get("degree", "").lower() in _THESIS_TYPE_KEYS:
        data["degree"] = _THESIS_TYPE_KEYS[data["degree"].lower()]  # biblatex's type keys
    if rtype == "thesis" and "degree" not in data:
        if etype in _DEGREE_DEFAULT:
            if _DEGREE_DEFAULT[etype]:
                data["degree"] = _DEGREE_DEFAULT[etype]
            extra.pop("bibtex_type", None)
    elif rtype == "thesis" and etype == "thesis":
        extra.pop("bibtex_type", None)
    if rtype == "report" and etype == "report":
        extra.pop("bibtex_type", None)
    if extra:
        data["extra"] = extra
    try:
        record = parse_record(data)
    except ValidationError as exc:
        # An identifier that is not one (a DOI "n/a", an ISBN with a typo) is
        # kept in extra with a warning rather than losing the entry.
        moved = False
        for err in exc.errors(include_url=False):
            loc = [p for p in err.get("loc", ()) if isinstance(p, str)]
            target = loc[1] if len(loc) > 1 else None
            if target == "pages" and "pages" in data:
                identifiers.setdefault("pages", "pages")
            if target in identifiers and target in data:
                name = identifiers[target]
                msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
                if name == "isbn" and "isbn-others" in fields:
                    extra["isbn-others"] = latex.decode(fields["isbn-others"])
                    data[target] = data[target].split(", ")[0]
                warnings.append(f"field '{name}' kept in extra: {msg}")
                extra[name] = data.pop(target)
                data["extra"] = extra
                moved = True
        if not moved:
            raise _EntryError(
                describe_validation_error(exc, "").removeprefix(": ").replace(": field", "field")
            ) from None
        try:
            record = parse_record(data)
        except ValidationError as exc2:
            raise _EntryError(
                describe_validation_error(exc2, "").removeprefix(": ").replace(": field", "field")
            ) from None
    return record, warnings


# --------------------------------------------------------------------------
# writing

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
    "crossref",
    "xref",
)
_ORDER_INDEX = {name: i for i, name in enumerate(_ORDER)}
_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")


class _Writer:
    def __init__(self, dialect: str, ascii: bool) -> None:
        if dialect not in ("bibtex", "biblatex"):
            raise ValueError(f"unknown dialect {dialect!r}")
        self.dialect = dialect
        self.ascii = ascii

    # text --------------------------------------------------------------

    def text(self, value: str) -> str:
        return latex.encode(value, ascii=self.ascii)

    def cased(self, value: str, field: str, extra: Mapping[str, Any]) -> str:
        table = extra.get("protect")
        if isinstance(table, Mapping) and field in table:
            spans = protect.find_spans(value, protect.protected_phrases(extra, field))
        else:
            spans = protect.auto_spans(value)
        return protect.wrap_spans(value, spans, lambda s: "{" + self.text(s) + "}", self.text)

    def names(self, people: list[Any], et_al: bool) -> str:
        out = [self.name(p) for p in people]
        if et_al:
            out.append("others")
        return " and ".join(out)

    def name(self, person: Any) -> str:
        from ..model import parse_name

        if person.literal:
            return "{" + self.text(person.literal) + "}"
        fam = self.text(person.family)
        giv = self.text(person.given) if person.given else ""
        part = self.text(person.particle) if person.particle else ""
        suf = self.text(person.suffix) if person.suffix else ""

        def build(f: str, g: str, p: str, s: str) -> str:
            last = f"{p} {f}" if p else f
            if s:
                return f"{last}, {s}, {g}"
            return f"{last}, {g}" if g else last

        candidates = [
            build(fam, giv, part, suf),
            build(
                "{" + fam + "}",
                "{" + giv + "}" if giv else "",
                part,
                "{" + suf + "}" if suf else "",
            ),
        ]
        if not giv and not suf:
            # "{A B}" alone would be an organisation: "{A B}," is a family name
            candidates.append(build("{" + fam + "}", "", part, "") + ",")
        for cand in candidates:
            try:
                back = parse_name(latex.decode(cand, keep_braces=True, held=True))
            except ValueError:
                continue
            got = tuple(
                latex.release(latex.strip_groups(x)[0]) if x else x
                for x in (back.family, back.given, back.particle, back.suffix)
            )
            if got == (person.family, person.given, person.particle, person.suffix):
                return cand
        return candidates[-1]

    # entries -------------------------------------------------------------

    def entry(
        self, record: Any, *, book: Any = None, crossref: bool = False, xref: bool = False
    ) -> str:
        from ..model import Chapter

        fields: dict[str, tuple[str, bool]] = {}  # name -> (value, is_macro)
        extra: dict[str, Any] = dict(record.extra or {})
        rtype = record.type
        biblatex = self.dialect == "biblatex"

        def put(name: str, value: Any, *, macro: bool = False) -> None:
            if value is None or value == "":
                return
            fields[name] = (str(value), macro)

        source = record
        if isinstance(record, Chapter) and book is not None and not crossref:
            from ..model.inherit import chapter_view

            source = chapter_view(record, book, self.dialect)
        etype = self.entry_type(source, extra)
        if not biblatex and etype not in _CLASSIC:
            # classic BibTeX warns about types its styles do not define
            fields["entrytype"] = (etype, False)
            etype = _CLASSIC_FALLBACK(source)

        if source.authors or source.authors_et_al:
            put("author", self.names(source.authors, source.authors_et_al))
        if source.editors or source.editors_et_al:
            put("editor", self.names(source.editors, source.editors_et_al))
        if source.translators or extra.get("translator_et_al"):
            put("translator", self.names(source.translators, bool(extra.get("translator_et_al"))))
        if source.title is not None:
            title = self.cased(source.title, "title", extra)
            if source.subtitle and not biblatex:
                title += ": " + self.cased(source.subtitle, "subtitle", extra)
            put("title", title)
        if source.subtitle:
            put("subtitle", self.cased(source.subtitle, "subtitle", extra))
        if source.short_title:
            put("shorttitle", self.cased(source.short_title, "short_title", extra))
        if source.edition:
            put("edition", self.text(source.edition))
        if source.volume:
            put("volume", self.text(source.volume))
        if source.series:
            put("series", self.cased(source.series, "series", extra))
        if source.publisher:
            put("publisher", self.text(source.publisher))
        if source.place:
            put("location" if biblatex else "address", self.text(source.place))
        if source.language:
            put("language", self.text(source.language))
        if source.doi:
            put("doi", source.doi)
        if source.isbn:
            from ..model import format_isbn

            put("isbn", format_isbn(source.isbn[0]))
            if len(source.isbn) > 1:
                # one ISBN per isbn field (biber checks it); the others beside it
                put("isbn-others", ", ".join(format_isbn(i) for i in source.isbn[1:]))
        if source.url:
            put("url", source.url)
        if source.abstract:
            put("abstract", self.text(source.abstract))
        if source.keywords:
            put("keywords", self.text(", ".join(source.keywords)))
        if source.note:
            put("note", self.text(source.note))
        if source.tags:
            put("tags", self.text(", ".join(source.tags)))
        if source.issued:
            d = source.issued
            if biblatex:
                raw = extra.get("date")
                # a range or uncertain date ("1885/1888") as it came in
                put("date", raw if isinstance(raw, str) and raw.startswith(d.iso()) else d.iso())
            else:
                put("year", str(d.year) if d.year >= 1000 else f"{d.year:04d}")
                if d.month:
                    put("month", _MONTHS[d.month - 1], macro=True)
                    if d.day:
                        put("day", str(d.day))

        if rtype == "book":
            if source.number_of_pages:
                put("pagetotal", self.text(source.number_of_pages))
            if not biblatex and source.title and "booktitle" not in extra:
                # Classic BibTeX's crossref copies only same-named fields.
                put("booktitle", fields["title"][0])
        elif rtype == "chapter":
            if (
                etype == "inbook"
                and not source.title
                and source.container_title
                and not record.parent
            ):
                put("title", self.cased(source.container_title, "container_title", extra))
            elif source.container_title:
                put("booktitle", self.cased(source.container_title, "container_title", extra))
            if source.container_authors:
                put("bookauthor", self.names(source.container_authors, False))
            if source.chapter:
                put("chapter", self.text(source.chapter))
            if source.pages:
                put("pages", _pages(source.pages))
            parent_key = written_key(book) if book is not None else record.parent
            if xref and record.parent:
                put("xref", parent_key)
            elif crossref and record.parent:
                put("crossref", parent_key)
                if book is not None and not biblatex:
                    # BibTeX copies every missing field from the crossref'd
                    # entry; an empty field stops the book's identifiers.
                    for name in ("doi", "isbn", "url"):
                        if name not in fields and getattr(book, name, None):
                            fields[name] = ("", False)
            elif record.parent and book is None:
                put("crossref", record.parent)
        elif rtype == "article":
            if source.journal:
                put("journaltitle" if biblatex else "journal", self.text(source.journal))
            if source.issue:
                put("number", self.text(source.issue))
            if source.pages:
                put("pages", _pages(source.pages))
            if source.issn:
                put("issn", source.issn)
        elif rtype == "report":
            if source.institution:
                put("institution", self.text(source.institution))
            if source.number:
                put("number", self.text(source.number))
        elif rtype == "thesis":
            if source.institution:
                put("institution" if biblatex else "school", self.text(source.institution))
            if source.degree and source.degree != _DEGREE_DEFAULT.get(etype):
                put("type", self.text(source.degree))
        elif rtype == "webpage":
            if source.site:
                put("organization" if etype != "misc" else "howpublished", self.text(source.site))
            if source.accessed:
                put("urldate", source.accessed.iso())
        elif rtype == "paper":
            if source.container_title:
                put("booktitle", self.cased(source.container_title, "container_title", extra))
            if source.event:
                put("eventtitle", self.cased(source.event, "event", extra))
            if source.event_place:
                put("venue", self.text(source.event_place))
            if source.pages:
                put("pages", _pages(source.pages))
        elif rtype == "misc" and source.howpublished:
            put("howpublished", self.text(source.howpublished))

        # Fields the model does not have, as they came in.
        for name, value in extra.items():
            if name in RESERVED_EXTRA or name in fields or not _FIELD_NAME.match(name):
                continue
            if name.endswith("_et_al") or name in ("csl_id", "custom", "bibtex_key"):
                continue
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                continue
            text = str(value)
            if name in _VERBATIM:
                fields[name] = (_escape_verbatim(text), False)
            else:
                fields[name] = (self.text(text), False)

        ordered = sorted(
            fields.items(), key=lambda kv: (_ORDER_INDEX.get(kv[0], len(_ORDER)), kv[0])
        )
        lines = [f"@{etype}{{{written_key(record)},"]
        for name, (value, macro) in ordered:
            lines.append(f"  {name} = {value}," if macro else f"  {name} = {{{value}}},")
        lines.append("}")
        return "\n".join(lines) + "\n"

    def entry_type(self, record: Any, extra: Mapping[str, Any]) -> str:
        given = extra.get("bibtex_type")
        if isinstance(given, str) and re.fullmatch(r"[a-z]+", given):
            return given
        rtype = record.type
        if rtype == "thesis":
            degree = (record.degree or "").lower()
            return "mastersthesis" if "master" in degree else "phdthesis"
        if rtype == "webpage":
            return "online"
        if rtype == "chapter":
            return "incollection"
        return {
            "book": "book",
            "article": "article",
            "paper": "inproceedings",
            "report": "techreport",
            "misc": "misc",
        }[rtype]


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
    rtype = record.type
    if rtype == "thesis":
        return "mastersthesis" if "master" in (record.degree or "").lower() else "phdthesis"
    return {
        "book": "book",
        "chapter": "incollection",
        "article": "article",
        "paper": "inproceedings",
        "report": "techreport",
        "webpage": "misc",
        "misc": "misc",
    }[rtype]


_BIBTEX_KEY = re.compile(r"^[^\s,{}\"#%'()=\\]+$")


def written_key(record: Any) -> str:
    """The entry key: the original BibTeX key an import had to change, else the key."""
    original = (record.extra or {}).get("bibtex_key")
    if isinstance(original, str) and _BIBTEX_KEY.match(original):
        return original
    return record.key


def _pages(pages: Any) -> str:
    return f"{pages.start}--{pages.end}" if pages.end else pages.start


def _escape_verbatim(text: str) -> str:
    # Verbatim fields take any character but unbalanced braces.
    depth = 0
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                break
    if depth != 0:
        return text.replace("{", "").replace("}", "")
    return text


def order_for_crossref(records: Iterable[Any], *, expand: bool = False) -> list[Any]:
    """Records sorted by key, with every crossref'd book after all entries
    that cite it (BibTeX needs that order)."""
    from ..model import Chapter

    records = sorted(records, key=lambda r: r.key)
    if expand:
        return records
    keys = {r.key for r in records}
    parents = {r.parent for r in records if isinstance(r, Chapter) and r.parent in keys}
    return [r for r in records if r.key not in parents] + [r for r in records if r.key in parents]


class BibTeXWriter:
    """One entry at a time, exactly as :func:`write_bibtex` writes it (for
    streaming exports: the caller keeps the order and the entries' separation
    by a blank line)."""

    def __init__(self, dialect: str = "bibtex", ascii: bool = False) -> None:
        self.dialect = dialect
        self._writer = _Writer(dialect, ascii)

    def entry(self, record: Any, *, book: Any = None, crossref: bool = False) -> str:
        """``record``'s entry; ``book`` is a chapter's book, ``crossref``
        whether the book is written too (then the chapter refers to it)."""
        if crossref and self.dialect == "biblatex":
            # biblatex's crossref would hand the chapter the book's ISBN and
            # DOI (an empty field does not stop it): the chapter is written
            # self-contained and linked to its book by xref instead.
            return self._writer.entry(record, book=book, xref=True)
        return self._writer.entry(record, book=book, crossref=crossref)


def write_bibtex(
    records: Iterable[Any],
    *,
    dialect: str = "bibtex",
    ascii: bool = False,
    expand: bool = False,
    books: Mapping[str, Any] | None = None,
) -> str:
    """Records as BibTeX or BibLaTeX text (see the module docstring)."""
    from ..model import Chapter

    writer = BibTeXWriter(dialect, ascii)
    records = list(records)
    by_key = {r.key: r for r in records}
    books = dict(books or {})
    out = []
    for record in order_for_crossref(records, expand=expand):
        book = None
        crossref = False
        if isinstance(record, Chapter) and record.parent:
            book = by_key.get(record.parent) or books.get(record.parent)
            crossref = not expand and record.parent in by_key
        out.append(writer.entry(record, book=book, crossref=crossref))
    return "\n".join(out)
