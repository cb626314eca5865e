"""Reading a .bib text: two passes (keys, macros, xdata and books first, then
the entries a batch at a time), bibtexparser only splitting blocks, and the
in-file inheritance (``crossref``/``xref`` renamed keys, ``xdata`` sets, a
chapter leaving out what its book in the same file says)."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, NoReturn

from ...limits import entry_cap, oversize_entry, oversize_field
from ...model.keyfiles import is_key
from ..entries import Issue, ReadBatch, ReadEntry
from .decode import EntryError, entry_to_record
from .fields import _PREDEFINED, TYPES_IN, value_print
from .strings import macro_field
from .values import evaluate, macro_words

#: the date fields that give a record's date only when there is no ``date``
_DATE_PARTS = ("year", "month", "day")

#: A problem or warning about one place in a .bib file.
BibIssue = Issue
#: One entry read from a .bib file.
ParsedEntry = ReadEntry


#: Entries read from a .bib text, with problems, warnings and ``@preamble`` texts.
BibParse = ReadBatch


#: Entries parsed at a time when reading a file (memory stays bounded).
BATCH_SIZE = 500
#: A file of this many bytes or more (about 1,200 entries) has its records
#: made by worker processes: the books' during the first pass, the others a
#: batch ahead of the one the caller takes in.
PARALLEL_MIN = 1 << 20
#: books of the first pass sent to a worker at a time
BOOK_JOBS = 100
#: Book records the first pass keeps for the second (beyond, they are made again:
#: each costs about 8 KB of memory).
BOOKS_KEPT = 2000


def load_bibtex(path: str | Path) -> BibParse:
    """Every entry of a .bib file (see :func:`parse_bibtex`), read in batches."""
    result = BibParse()
    for part in iter_bibtex(path):
        result.extend(part)
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
        result.extend(part)
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

    def __init__(
        self, path: str | Path, *, batch_size: int = BATCH_SIZE, formula: str | None = None
    ) -> None:
        """``formula``: the key formula of keys made up for entries without one."""
        from ...errors import InvalidData

        self.path = p = Path(path)
        self.batch_size = batch_size
        self.encoding = "utf-8-sig"
        self._reader = _Reader(str(p))
        self._reader.formula = formula
        try:
            try:
                if p.stat().st_size >= PARALLEL_MIN:
                    self._start_workers()
                self.total = self._reader.prescan(_file_lines(p, self.encoding))
            except UnicodeDecodeError:
                self.encoding = "latin-1"
                self._reader = _Reader(str(p), self._reader)
                self.total = self._reader.prescan(_file_lines(p, self.encoding))
        except OSError as exc:
            self._stop_workers()
            raise InvalidData(f"{p}: cannot read: {exc.strerror}") from None
        except BaseException:
            self._stop_workers()
            raise

    def _start_workers(self) -> None:
        """Fork the processes that make records while this one reads the
        file and takes them in (on a machine of two cores or more, where
        processes can be forked). Forked here, before the caller starts any
        progress bar thread; they run :func:`entry_to_record` only."""
        import multiprocessing
        import os

        cores = os.cpu_count() or 1
        if cores < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return
        workers = min(cores - 1, 3)
        self._reader.pool = multiprocessing.get_context("fork").Pool(workers)
        self._reader.workers = workers

    def _stop_workers(self) -> None:
        pool, self._reader.pool = self._reader.pool, None
        if pool is not None:
            pool.terminate()
            pool.join()

    def batches(self) -> Iterator[BibParse]:
        p = self.path
        note = None
        if self.encoding == "latin-1":
            note = BibIssue(str(p), None, None, "not UTF-8: read as Latin-1; check the accents")
        elif not self.total and not self._reader.blocks:
            # (text outside entries is a comment to BibTeX: any file reads)
            note = BibIssue(
                str(p), None, None, "no BibTeX entries here (an entry starts with @type{key, ...)"
            )
        try:
            for part in self._reader.batches(_file_lines(p, self.encoding), self.batch_size):
                if note is not None:
                    part.warnings.insert(0, note)
                    note = None
                yield part
        finally:
            self._stop_workers()
        if note is not None:
            yield BibParse(warnings=[note])


#: bytes of a file decoded at a time (cut after a line break)
_CHUNK = 1 << 20


def _file_lines(p: Path, encoding: str) -> Iterator[str]:
    """The file's lines (split at "\\n" only, endings kept, as bibtexparser
    counts). With ``utf-8-sig`` a byte order mark that starts a line is
    dropped (two at the start of the file), as decoding each line drops it."""
    sig = encoding == "utf-8-sig"
    codec = "utf-8" if sig else encoding
    with p.open("rb") as fh:
        first = True
        rest = b""
        offset = 0  # of ``chunk`` in the file
        while True:
            chunk = fh.read(_CHUNK)
            if b"\0" in chunk:
                _not_text(p, chunk, offset)
            offset += len(chunk)
            if chunk:
                cut = chunk.rfind(b"\n") + 1
                if not cut:
                    rest += chunk
                    continue
                piece, rest = rest + chunk[:cut], chunk[cut:]
            elif rest:
                piece, rest = rest, b""
            else:
                return
            lines = piece.decode(codec).split("\n")
            last = lines.pop()  # "" after the final line break, else a last line without one
            out = [line + "\n" for line in lines]
            if last:
                out.append(last)
            if sig:
                out = [line[1:] if line[:1] == "\ufeff" else line for line in out]
            if first and out and out[0].startswith("\ufeff"):
                out[0] = out[0][1:]
            first = False
            yield from out


def _not_text(p: Path, chunk: bytes, offset: int) -> NoReturn:
    """Raise the error for a file with a NUL byte in ``chunk`` (which begins
    at byte ``offset``): text as UTF-16, or not text at all (neither is a .bib
    file BibTeX or biber reads)."""
    from ...errors import InvalidData

    if offset == 0 and chunk[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise InvalidData(
            f"{p}: UTF-16 text: save it as UTF-8"
            f" (iconv -f UTF-16 -t UTF-8 {p.name} > {p.stem}-utf8{p.suffix})"
        )
    at = offset + chunk.index(b"\0")
    raise InvalidData(
        f"{p}: not a text file (a NUL byte at byte {at}): a .bib file is UTF-8 or Latin-1 text"
    )


#: A line where bibtexparser starts a block, whatever came before (it ends an
#: unclosed block there): the text can be cut before such lines.
_BLOCK_LINE = re.compile(r"[^\S\n]*@(\w*)[ \t]*[{(][ \t]*([^,\s{}()=]*)")


class _Comments:
    """Removes ``%`` comments as biber reads them: a ``%`` outside a braced
    or quoted value (between entries, or between an entry's fields) starts a
    comment that runs to the end of the line, so ``%@article{...}`` is no
    entry; ``\\%`` and a ``%`` inside a value (``{50% off}``, or on any line
    of a quoted value that runs over several) are text. (Classic BibTeX
    reads an entry after a ``%``; citeshelf follows biber.) Line breaks are
    kept, so line numbers stay the file's.

    What a ``%`` is depends on the lines before it since the last one that
    starts a block (where bibtexparser starts one whatever came before):
    they are followed only when a line with a ``%`` comes (:meth:`follow`),
    as most lines have none. A block opened with ``(`` has its fields at the
    depth of one opened with ``{``."""

    def __init__(self) -> None:
        self.depth = 0  # of braces (and of the block's own parenthesis)
        self.quoted = False  # inside a quoted value
        self.opening = False  # the block's opening delimiter is still to come
        self.paren = False  # the block was opened with "("

    def restart(self) -> None:
        """A line that starts a block."""
        self.depth, self.quoted, self.opening, self.paren = 0, False, True, False

    def follow(self, line: str) -> None:
        """Take in a line (whose comment, if any, is removed)."""
        self._scan(line, comments=False)

    def __call__(self, line: str) -> str:
        """``line`` without its comment, taken in."""
        cut = self._scan(line, comments=True)
        if cut < 0:
            return line
        return line[:cut].rstrip() + ("\n" if line.endswith("\n") else "")

    def _scan(self, line: str, *, comments: bool) -> int:
        """Follow ``line`` up to its comment (with ``comments``); where it starts, or -1."""
        depth, quoted = self.depth, self.quoted
        for m in _COMMENT_MARKS.finditer(line):
            c = m.group()
            if c == "{":
                depth += 1
                self.opening = False
            elif c == "}":
                depth = max(0, depth - 1)
                if not depth:
                    quoted = False  # (a stray quote ends with its block)
            elif c == "(" or c == ")":
                if c == "(" and self.opening and not depth:
                    depth, self.paren = 1, True
                elif c == ")" and self.paren and depth == 1 and not quoted:
                    depth, self.paren = 0, False
                self.opening = False
            elif c == '"':
                if depth == 1:
                    quoted = not quoted
            elif c == "%" and comments and depth <= 1 and not quoted:
                self.depth, self.quoted = depth, quoted
                return m.start()
        self.depth, self.quoted = depth, quoted
        return -1


#: What :class:`_Comments` follows: a character after a backslash is text.
_COMMENT_MARKS = re.compile(r'\\.|[{}()"%]', re.DOTALL)


def _segments(
    lines: Iterable[str], cap: int | None = None
) -> Iterator[tuple[int, list[str], str | None, str | None]]:
    """The text cut before every line that starts a block (``@type{``), as
    (first line number, lines, type, key), ``%`` comments removed
    (:class:`_Comments`). bibtexparser never lets a block run past such a
    line, so parsing the pieces gives the blocks of the whole.

    A block longer than ``cap`` characters is not held: its lines are given
    as empty lines (so line numbers stay true) and its type as ``"\0"`` plus
    its own type, for the caller to report (:func:`citeshelf.limits.oversize_entry`)."""
    start = 1
    buf: list[str] = []
    size = 0
    etype = key = None
    uncomment = _Comments()
    #: the lines of ``buf`` from here on are not yet followed by ``uncomment``
    unfollowed = 0
    for n, line in enumerate(lines, 1):
        m = _BLOCK_LINE.match(line) if "@" in line else None
        if m:
            uncomment.restart()  # a block starts here whatever came before
            unfollowed = len(buf)
        followed = "%" in line
        if followed:
            for before in buf[unfollowed:]:
                uncomment.follow(before)
            line = uncomment(line)
            if m:
                m = _BLOCK_LINE.match(line)  # (its key, without a comment)
        if m:
            if buf:
                yield start, buf, etype, key
            buf = []
            unfollowed = 0
            size = 0
            start = n
            etype, key = m.group(1).lower(), m.group(2)
        size += len(line)
        if cap is not None and size > cap and etype is not None and not etype.startswith("\0"):
            buf = ["\n"] * len(buf)
            etype = "\0" + etype
        buf.append("\n" if etype is not None and etype.startswith("\0") else line)
        if followed:
            unfollowed = len(buf)
    if buf:
        yield start, buf, etype, key


#: where bibtexparser starts a block (anywhere outside a block)
_BLOCK_START = re.compile(r"@\w*[ \t]*(?=[{(])")
#: a line that starts a block: where :func:`_segments` cut the text
_LINE_START = re.compile(r"^[^\S\n]*@\w*[ \t]*(?=[{(])", re.MULTILINE)
#: the characters bibtexparser stops at between an entry's fields (a block
#: start there is an error), and inside a value; one after a backslash is text
_KEY_MARK = re.compile(r'(?<!\\)[{}",=]|@\w*[ \t]*(?=[{(])')
_VALUE_MARK = re.compile(r'(?<!\\)[{}",]')
_BRACE_MARK = re.compile(r"(?<!\\)[{}]")
_QUOTED_MARK = re.compile(r'(?<!\\)[{}"]')
#: block types bibtexparser reads otherwise than entries
_NOT_ENTRIES = ("@comment", "@preamble", "@string")


def _plain_entries(text: str) -> list[Any] | None:
    """The blocks bibtexparser reads in ``text`` (no line of which ends with a
    backslash), read here at once when every block is a well-formed
    ``@type{key, name = value, ...}`` entry that starts its line and ends
    before the next such line; None for anything else (a ``@string``, a
    comment or preamble block, a block in parentheses or in the middle of a
    line, a syntax error), which bibtexparser reads. Same entries, fields,
    values and line numbers as bibtexparser's; what it reads as implicit
    comments (text between entries) is left out, as :meth:`_Reader.feed`
    ignores them."""
    from bibtexparser import model as bm

    starts = [m.start() for m in _LINE_START.finditer(text)]
    if not starts or _BLOCK_START.search(text, 0, starts[0]):
        return None if starts else ([] if not _BLOCK_START.search(text) else None)
    blocks: list[Any] = []
    line, counted = 0, 0  # line number (from 0) of position ``counted``
    key_mark = _KEY_MARK.search
    value_mark = _VALUE_MARK.search
    brace_mark = _BRACE_MARK.search
    quoted_mark = _QUOTED_MARK.search
    count = text.count
    n = len(text)
    for i, start in enumerate(starts):
        bound = starts[i + 1] if i + 1 < len(starts) else n
        head = _BLOCK_START.match(text, text.index("@", start))
        if head is None or head.end() >= bound or text[head.end()] != "{":
            return None
        kind = head.group().lower()
        if kind.startswith(_NOT_ENTRIES):
            return None
        at = head.start()
        line += count("\n", counted, at)
        counted = at
        entry_line = line
        m = key_mark(text, head.end() + 1, bound)
        if m is None or m.group() != ",":
            return None
        key = text[head.end() + 1 : m.start()].strip()
        fields = []
        pos = m.end()
        while True:
            m = key_mark(text, pos, bound)
            if m is None:
                return None
            c = m.group()
            if c == "}":
                if text[pos : m.start()].strip():
                    return None  # a field name without "="
                end = m.end()
                break
            if c != "=":
                return None
            eq = m.start()
            line += count("\n", counted, eq)
            counted = eq
            # the value: up to a comma or the closing brace outside groups;
            # inside a braced group only braces count, inside a quoted one
            # only the closing quote (not one written {"})
            value_end = -1
            q = eq + 1
            while True:
                v = value_mark(text, q, bound)
                if v is None:
                    return None
                c = v.group()
                if c == "{":
                    depth = 1
                    q = v.end()
                    while depth:
                        b = brace_mark(text, q, bound)
                        if b is None:
                            return None
                        depth += 1 if b.group() == "{" else -1
                        q = b.end()
                elif c == '"':
                    # up to a quote outside braces, as BibTeX reads it (as
                    # bibtexparser reads the quotes _quotes_in_braces finds)
                    q = v.end()
                    inner = 0
                    while True:
                        b = quoted_mark(text, q, bound)
                        if b is None:
                            return None
                        q = b.end()
                        c = b.group()
                        if c == "{":
                            inner += 1
                        elif c == "}":
                            inner = max(0, inner - 1)
                        elif not inner:
                            p = b.start()
                            # {"} is a quote (bibtexparser's rule; to BibTeX
                            # a quote in braces, also after a backslash: \{"})
                            if not (p + 2 < n and text[p - 1] == "{" and text[p + 1] == "}"):
                                break
                else:  # a comma or the entry's closing brace
                    value_end = v.start()
                    break
            fields.append(
                bm.Field(
                    start_line=line,
                    key=text[pos:eq].strip(),
                    value=text[eq + 1 : value_end].strip(),
                )
            )
            if text[value_end] == "}":
                end = value_end + 1
                break
            pos = value_end + 1
        if _BLOCK_START.search(text, end, bound):
            return None  # a block after the entry on its last line
        blocks.append(
            bm.Entry(
                start_line=entry_line,
                entry_type=kind[1:].strip(),
                key=key,
                fields=fields,
                raw=text[at:end],
            )
        )
    return blocks


#: What :func:`_quotes_in_braces` follows: braces, quotes (one after a
#: backslash is text, as bibtexparser reads it) and a line that starts a block.
_NESTING = re.compile(r'(?<!\\)[{}"]|^[^\S\n]*@\w*[ \t]*[({]', re.MULTILINE)
#: What stands for such a quote while bibtexparser reads the text (no .bib
#: file holds a NUL: :func:`_not_text`).
_PLACEHOLDER = "\0"


def _quotes_in_braces(text: str) -> list[int]:
    """Where ``text`` has a quote inside a braced group of a quoted value
    (``"Zum Teil {die "optionalen" Kapitel}"``): text to BibTeX and biber,
    which end the value at a quote outside braces only, while bibtexparser
    ends it at any quote but ``{"}`` (sciunto-org/python-bibtexparser#487),
    so that the entry fails. Only a value that ends so is counted (a
    quoted value whose braces never close is left to bibtexparser)."""
    if '"' not in text or _PLACEHOLDER in text:
        return []
    found: list[int] = []
    depth = 0  # of braces, outside a quoted value (a braced value)
    quoted = False
    inner = 0  # of braces, inside the quoted value
    held: list[int] = []  # its quotes inside braces, counted once it ends
    for m in _NESTING.finditer(text):
        c = m.group()
        if len(c) > 1:  # a block starts: whatever came before ends
            depth, quoted, inner, held = 0, False, 0, []
        elif quoted:
            if c == "{":
                inner += 1
            elif c == "}":
                inner = max(0, inner - 1)
            elif inner:
                held.append(m.start())
            else:
                quoted = False
                found += held
                held = []
        elif c == "{":
            depth += 1
        elif c == "}":
            depth = max(0, depth - 1)
        elif depth == 0:
            quoted, inner, held = True, 0, []
    return found


def _with_placeholders(text: str, at: list[int]) -> str:
    """``text`` with :data:`_PLACEHOLDER` for the quotes at ``at``."""
    parts = []
    last = 0
    for i in at:
        parts.append(text[last:i])
        parts.append(_PLACEHOLDER)
        last = i + 1
    parts.append(text[last:])
    return "".join(parts)


def _without_placeholders(block: Any) -> None:
    """The quotes :func:`_with_placeholders` stood for, back in what
    bibtexparser read into ``block`` (its values, comment and raw text)."""
    q = _PLACEHOLDER
    raw = block.raw
    if isinstance(raw, str) and q in raw:
        block._raw = raw.replace(q, '"')  # (raw has no setter)
    for name in ("value", "comment"):
        value = getattr(block, name, None)
        if isinstance(value, str) and q in value:
            setattr(block, name, value.replace(q, '"'))
    for f in getattr(block, "fields", None) or ():
        if isinstance(f.value, str) and q in f.value:
            f.value = f.value.replace(q, '"')
    inner = getattr(block, "ignore_error_block", None)
    if inner is not None:
        _without_placeholders(inner)


class _Reader:
    """Reads a .bib text in batches, carrying what BibTeX carries from one
    entry to the next: macros, keys seen, renamed keys, xdata sets, books."""

    def __init__(self, source: str, workers_of: _Reader | None = None) -> None:
        """``workers_of``: a reader whose worker processes this one takes over."""
        self.source = source
        self.macros: dict[str, str] = dict(_PREDEFINED)
        self.strings: set[str] = set()
        self.xdata: dict[str, dict[str, str]] = {}
        #: every key of the file and every key it was renamed to, lowered ->
        #: the line of the entry the second pass read under it (None: not yet
        #: read, or a new name): one table, so each lowered key is held once
        self.taken: dict[str, int | None] = {}
        self.renamed: dict[str, str] = {}
        #: the placeholder keys of entries read without a key of their own, or
        #: under a key an entry before them has -> (that key, its entry's line)
        self.keyless: dict[str, tuple[str | None, int | None]] = {}
        #: the key formula of the keys made up for them (None: the default)
        self.formula: str | None = workers_of.formula if workers_of is not None else None
        self.books: dict[str, Any] = {}  # key -> book record of this file
        #: the records the first pass made of books, for the second to take
        #: (key -> (type, fields, original key, record, warnings, the record's
        #: JSON data or None)): the same entry_to_record call is not made twice
        self._made: dict[
            str, tuple[str, tuple[tuple[str, str], ...], str | None, Any, list, Any]
        ] = {}
        #: worker processes that make the records of the next batch while the
        #: caller takes in this one (:meth:`start_workers`), and their number
        self.pool: Any = workers_of.pool if workers_of is not None else None
        self.workers: int = workers_of.workers if workers_of is not None else 0
        #: the first pass's books not yet sent to the workers, and those sent
        self._book_jobs: list[tuple[str, str, dict[str, str], str | None]] = []
        #: whether the first pass found a block other than a comment (an
        #: entry, even one without a key, an @string or an @preamble)
        self.blocks = False
        self._books_asked: list[tuple[list[tuple[str, str, dict[str, str], str | None]], Any]] = []

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
        for start, buf, etype, key in _segments(lines, entry_cap()):
            if etype is None:
                continue
            if etype != "comment":
                self.blocks = True
            if etype.startswith("\0"):  # reported by the second pass
                keys.append(key or "")
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
        self.taken = dict.fromkeys(k.lower() for k in keys)
        for key in keys:
            self._rename(key)
        for etype, key, fields in later:
            self._prescan_book(etype, key, self._with_xdata(fields, []))
        self._take_books()
        # the second pass starts from scratch
        self.macros = dict(_PREDEFINED)
        self.strings = set()
        return len(keys) - n_xdata

    def _prescan_blocks(self, text: str, line0: int, seen: set[str], later: list) -> None:
        from bibtexparser import model as bm

        self._escapes = []  # (line numbers are not used here)
        blocks = _plain_entries(text)
        for block in self._split(text) if blocks is None else blocks:
            if isinstance(block, bm.DuplicateBlockKeyBlock | bm.DuplicateFieldKeyBlock):
                block = block.ignore_error_block
            if isinstance(block, bm.String):
                self._define(block, line0, None)
            elif isinstance(block, bm.Entry):
                etype, key, fields, _, _, _ = self._evaluate_entry(block, line0)
                if etype == "xdata":
                    self.xdata[key.lower()] = fields
                elif oversize_field(fields.items()):
                    continue  # reported by the second pass
                elif TYPES_IN.get(etype) == "book" and key.lower() not in seen:
                    seen.add(key.lower())  # the first entry of a key is the one read
                    refs = [fields.get(r, "").strip() for r in ("crossref", "xref")]
                    if "xdata" in fields or not all(is_key(k) for k in [key, *refs] if k):
                        later.append((etype, key, fields))
                    else:
                        self._prescan_book(etype, key, fields)

    def _prescan_book(self, etype: str, key: str, fields: dict[str, str]) -> None:
        final = self.renamed.get(key, key)
        self._renamed_refs(fields)
        original = key if final != key else None
        job = (etype, final, fields, original)
        if self.pool is None:
            self._took_book(job, next(_made_here([job])))
            return
        self._book_jobs.append(job)
        if len(self._book_jobs) >= BOOK_JOBS:
            self._ask_books()

    def _ask_books(self) -> None:
        jobs, self._book_jobs = self._book_jobs, []
        if jobs:
            self._books_asked.append((jobs, self.pool.apply_async(_convert_entries, (jobs,))))

    def _take_books(self) -> None:
        """The books the workers made, taken in the order they were read."""
        from ...model import parse_record

        self._ask_books()
        asked, self._books_asked = self._books_asked, []
        for jobs, result in asked:
            for job, item in zip(jobs, result.get(), strict=True):
                got = item if isinstance(item, str) else (parse_record(item[0]), item[1], item[0])
                self._took_book(job, got)

    def _took_book(
        self,
        job: tuple[str, str, dict[str, str], str | None],
        got: tuple[Any, list[str]] | tuple[Any, list[str], dict[str, Any]] | str,
    ) -> None:
        """A book of the first pass made into ``got`` (or the message of its
        EntryError): kept for the second pass, and for its chapters."""
        if isinstance(got, str):
            return
        etype, final, fields, original = job
        record, more = got[0], got[1]
        data = got[2] if len(got) > 2 else None  # (made by a worker: its JSON data)
        if len(self._made) < BOOKS_KEPT:
            self._made[final] = (etype, tuple(fields.items()), original, record, more, data)
        if record.type == "book":
            self.books[record.key] = _BookView(record)

    # -- the second pass --------------------------------------------------

    def batches(self, lines: Iterable[str], batch_size: int) -> Iterator[BibParse]:
        ahead: _Plan | None = None  # the batch planned, yielded once the next one is
        buf: list[str] = []
        start = 1
        count = 0
        oversize: list[BibIssue] = []
        for first, seg, etype, key in _segments(lines, entry_cap()):
            if etype is not None and etype.startswith("\0"):
                oversize.append(
                    BibIssue(
                        self.source, first, key or None, oversize_entry(f"the @{etype[1:]} entry")
                    )
                )
            if count >= batch_size:
                # the next block's first line too, so that an unclosed block
                # is ended by it (as in the whole text), not by the end of text
                planned = self._plan(buf, start, tail=seg[0])
                # (the blocks too large to read seen so far go with this batch)
                planned.oversize, oversize = oversize, []
                if ahead is not None:
                    # the workers make this batch's records meanwhile
                    yield self._finished(ahead)
                ahead = planned
                buf, count = [], 0
            if not buf:
                start = first
            buf.extend(seg)
            if etype not in (None, "string", "preamble", "comment"):
                count += 1
        if buf:
            planned = self._plan(buf, start)
            planned.oversize, oversize = oversize, []
            if ahead is not None:
                yield self._finished(ahead)
            ahead = planned
        if ahead is not None:
            yield self._finished(ahead)
        if oversize:
            yield self._with(BibParse(), oversize)

    def _finished(self, plan: _Plan) -> BibParse:
        return self._with(self._finish(plan), plan.oversize)

    @staticmethod
    def _with(part: BibParse, oversize: list[BibIssue]) -> BibParse:
        """``part`` with the blocks too large to read reported in it."""
        part.invalid.extend(oversize)
        oversize.clear()
        return part

    def _split(self, text: str) -> list[Any]:
        import bibtexparser

        nested = _quotes_in_braces(text)
        if nested:
            text = _with_placeholders(text, nested)
        log = logging.getLogger("bibtexparser")
        level = log.level
        log.setLevel(logging.CRITICAL)  # failed blocks are reported with lines
        try:
            blocks = bibtexparser.parse_string(text, parse_stack=[]).blocks
        except Exception as exc:
            from ...errors import InvalidData

            raise InvalidData(f"{self.source}: cannot be read as BibTeX ({exc})") from None
        finally:
            log.setLevel(level)
        if nested:
            for block in blocks:
                _without_placeholders(block)
        return blocks

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

    def _split_lines(self, lines: list[str], tail: str | None = None) -> list[Any]:
        """The blocks of ``lines`` (and of ``tail``, the next batch's first
        line, unless it is just the start of a block: see :meth:`feed`)."""
        every = [*lines, tail] if tail else lines
        self._escapes = [i for i, line in enumerate(every) if line.endswith("\\\n")]
        text = "".join(lines)
        if not self._escapes[:1] or self._escapes[0] >= len(lines):
            blocks = _plain_entries(text)
            if blocks is not None and tail:
                more = self._split(tail)
                if more and (more[-1].raw or "").strip() == tail.strip():
                    more.pop()
                if more:
                    blocks = None  # the next line is more than a block's start
            if blocks is not None:
                return blocks
        blocks = self._split(text + tail if tail else text)
        if tail and blocks and (blocks[-1].raw or "").strip() == tail.strip():
            blocks.pop()
        return blocks

    def _define(self, block: Any, line0: int, result: BibParse | None) -> None:
        undefined: list[str] = []
        value = evaluate(block.value, self.macros, undefined)
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
        if result is not None:
            result.strings.append((block.key, block.value.strip()))

    def _macro_uses(self, entry: Any) -> dict[str, str]:
        """The fields of ``entry`` written with a macro of the file's own
        ``@string`` definitions (not a month's): field -> its raw value, as
        written (spaces joined), which an export can write again."""
        uses: dict[str, str] = {}
        if not self.strings:
            return uses  # no macro of the file's own to find
        for f in entry.fields:
            name = macro_field(f.key.lower())
            if name in uses or not isinstance(f.value, str):
                continue
            if any(w.lower() in self.strings for w in macro_words(f.value)):
                uses[name] = " ".join(f.value.split())
        return uses

    def _evaluate_entry(
        self, entry: Any, line0: int
    ) -> tuple[str, str, dict[str, str], int, list[BibIssue], dict[str, list[str]]]:
        """(entry type, key, fields, line, warnings, the later values of
        repeated fields by name)."""
        key = entry.key
        line = self._line_of(entry, line0)
        fields: dict[str, str] = {}
        undefined: list[str] = []
        warnings: list[BibIssue] = []
        repeated: dict[str, list[str]] = {}
        later: list[tuple[str, str, int | None]] = []  # (field, value, line) of a repeat
        for f in entry.fields:
            name = f.key.lower()
            value = (
                evaluate(f.value, self.macros, undefined)
                if isinstance(f.value, str)
                else str(f.value)
            )
            if name in fields:
                later.append((name, value, self._line(f.start_line, line0) or line))
                continue
            fields[name] = value
        xdata = entry.entry_type.lower() == "xdata"
        holds = "the entries that use this @xdata take" if xdata else "the record holds"
        dated = bool(fields.get("date", "").strip())
        for name, value, at in later:
            if dated and name in _DATE_PARTS:
                # the first value is no part of the record's date, which
                # exports write as year, month and day again
                why = (
                    "the date is read from 'date' (biber ignores year, month and day "
                    f"beside it): the later value {value!r} is dropped"
                )
            elif not fields[name].strip() and value.strip():
                # an empty field is none: the value is the first one given
                fields[name] = value
                readers = (
                    "biber reads the last"
                    if xdata
                    else "BibTeX reads the empty one, biber the last"
                )
                why = f"its first value is empty: {holds} the later value {value!r} ({readers})"
            elif not fields[name].strip():
                why = "the value is empty again: dropped"
            elif xdata:
                # an @xdata entry is no record: its fields are copied into those
                # that name it, and exports write those entries without it
                why = (
                    f"{holds} the first value; the later value {value!r} is dropped "
                    "(biber reads the last)"
                )
            else:
                why = (
                    "the record holds the first value, as BibTeX reads it (biber reads "
                    f"the last); exports write {value!r} again after it"
                )
                repeated.setdefault(name, []).append(value)
            warnings.append(BibIssue(self.source, at, key, f"field '{name}' is repeated: {why}"))
        for word in dict.fromkeys(undefined):
            warnings.append(
                BibIssue(self.source, line, key, f"undefined @string macro '{word}': kept as text")
            )
        return entry.entry_type.lower(), key, fields, line or 0, warnings, repeated

    def _rename(self, key: str) -> str:
        """A key that cannot be a record key (one with a comma, a control
        character, over 128 characters: :func:`citeshelf.model.keys.key_problem`)
        gets a usable one (the same one for every mention); the original is
        kept in extra."""
        if is_key(key):
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
        self.taken.setdefault(new.lower(), None)
        self.renamed[key] = new
        return new

    def _renamed_refs(self, fields: dict[str, str]) -> None:
        """``crossref``/``xref``/``related`` naming a renamed key name its new key."""
        for ref in ("crossref", "xref"):
            target = fields.get(ref, "").strip()
            if target and target in self.renamed:
                fields[ref] = self.renamed[target]
        for ref in [
            f for f in fields if f.startswith("related") and f[7:].isdigit() or f == "related"
        ]:
            keys = [k.strip() for k in fields[ref].split(",")]
            if any(k in self.renamed for k in keys):
                fields[ref] = ", ".join(self.renamed.get(k, k) for k in keys)

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
        return self._finish(self._plan(lines, line0, tail))

    def _plan(self, lines: list[str], line0: int, tail: str | None = None) -> _Plan:
        """What :meth:`feed` does up to making the records, whose
        :func:`entry_to_record` calls are handed to the worker processes, if
        there are any (:meth:`_finish` takes them): everything that carries
        from one entry to the next (macros, keys seen, renamed keys) is done
        here, in file order."""
        from bibtexparser import model as bm

        result = BibParse()
        offset = line0  # bibtexparser counts lines from 0
        pending: list[tuple[str, str, dict[str, str], int, list[BibIssue]]] = []
        uses: dict[int, dict[str, str]] = {}  # pending's index -> _macro_uses
        repeats: dict[int, dict[str, list[str]]] = {}  # pending's index -> repeated fields
        blocks = self._split_lines(lines, tail)
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
                etype, key, fields, line, warnings, again = self._evaluate_entry(block, offset)
                if etype == "xdata":
                    result.warnings.extend(warnings)
                    continue
                pending.append((etype, key, fields, line, warnings))
                uses[len(pending) - 1] = self._macro_uses(block)
                if again:
                    repeats[len(pending) - 1] = again
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
        taken = self.taken
        for _, key, _, _, _ in pending:
            taken.setdefault(key.lower(), None)
        #: (index in pending, type, key, fields, line, warnings, the record
        #: and its warnings if made already), in file order
        steps: list[tuple[int, str, str, dict[str, str], int, list[BibIssue], Any]] = []
        jobs: list[tuple[str, str, dict[str, str], str | None]] = []  # entry_to_record's
        for n, (etype, key, fields, line, warnings) in enumerate(pending):
            if not key.strip() or taken.get(key.lower()) is not None:
                # no key (Mendeley writes "@article{,"), or one an entry before
                # this one has (BibTeX skips the second): a key is made up for
                # it once its record is made (:meth:`_finish`), and said
                first = taken.get(key.lower()) if key.strip() else None
                placeholder = f"citeshelf-key-of-line-{line}"
                while placeholder.lower() in taken:
                    placeholder += "-"
                self.keyless[placeholder] = (key.strip() or None, first)
                key = placeholder
            lower = key.lower()
            taken[lower] = line
            too_big = oversize_field(fields.items())
            if too_big:
                result.invalid.append(BibIssue(self.source, line, key, too_big))
                result.warnings.extend(warnings)
                continue
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
                        f"the key cannot be a record key: imported as '{key}' (the original "
                        "key is kept and written back on export)",
                    )
                )
            self._renamed_refs(fields)
            made = self._made.pop(key, None)
            if made is not None and made[:3] == (etype, tuple(fields.items()), original):
                done: tuple[Any, ...] | None = (made[3], list(made[4]), made[5])
            else:
                done = None
                jobs.append((etype, key, fields, original))
            steps.append((n, etype, key, fields, line, warnings, done))
        return _Plan(result, steps, jobs, uses, repeats, self._convert(jobs))

    def _convert(self, jobs: list[tuple[str, str, dict[str, str], str | None]]) -> Any:
        """The workers' :func:`entry_to_record` of ``jobs``, asked for now
        (None without workers: :meth:`_finish` makes the records itself)."""
        pool = self.pool
        if pool is None or not jobs:
            return None
        size = -(-len(jobs) // self.workers)
        return [
            pool.apply_async(_convert_entries, (jobs[i : i + size],))
            for i in range(0, len(jobs), size)
        ]

    def _made_up_key(self, *args: Any) -> tuple[Any, str]:
        return _made_up_key_of(self, *args)

    def _finish(self, plan: _Plan) -> BibParse:
        """The batch :meth:`_plan` began, with its records."""
        result, uses, repeats = plan.result, plan.uses, plan.repeats
        made: Iterator[tuple[Any, ...] | str]  # (record, warnings[, JSON data])
        if plan.converted is None:
            made = iter(_made_here(plan.jobs))
        else:
            from ...model import parse_record

            made = (
                item if isinstance(item, str) else (parse_record(item[0]), item[1], item[0])
                for asked in plan.converted
                for item in asked.get()
            )
        for n, etype, key, fields, line, warnings, done in plan.steps:
            got = done if done is not None else next(made)
            keyless = self.keyless.pop(key, None)
            if isinstance(got, str):  # the EntryError's message
                who = keyless[0] if keyless is not None else key
                result.invalid.append(BibIssue(self.source, line, who, got))
                result.warnings.extend(warnings)
                continue
            record, more = got[0], got[1]
            # a worker's JSON data of the record (what its file will hold)
            data = (record, got[2]) if len(got) > 2 and got[2] is not None else None
            if keyless is not None:
                record, key = self._made_up_key(record, key, keyless, etype, line, warnings)
                if data is not None:
                    data = (record, {**data[1], "key": key})
            if uses.get(n):
                record = record.model_copy(
                    update={"extra": {**(record.extra or {}), "bibtex_macros": uses[n]}}
                )
            if n in repeats:
                record = _with_repeats(record, repeats[n])
            for message in more:
                warnings.append(BibIssue(self.source, line, key, message))
            result.warnings.extend(warnings)
            parsed = ReadEntry(
                record,
                self.source,
                line,
                generated_key=keyless is not None,
                entry_type=etype,
                crossref=fields.get("crossref", "").strip() or None,
                made=data,
            )
            result.entries.append(parsed)
        _inherit_in_file(result.entries, self.books)
        result.warnings.sort(key=lambda w: w.line or 0)
        result.invalid.sort(key=lambda w: w.line or 0)
        return result


def _made_up_key_of(
    reader: _Reader,
    record: Any,
    placeholder: str,
    keyless: tuple[str | None, int | None],
    etype: str,
    line: int,
    warnings: list[BibIssue],
) -> tuple[Any, str]:
    """``record`` (read under ``placeholder``) under a key of its own: made
    from its author, year and title (the key formula) for an entry without
    one, the key with a letter for one whose key an entry before it has; no
    key of the file is taken (:attr:`_Reader.taken` holds them all)."""
    from ...model.keys import base_key, free_key

    old, first = keyless
    taken = reader.taken
    base = old or base_key(record, reader.formula)
    key = (
        base
        if old is None and base.lower() not in taken
        else free_key(base, lambda k: k.lower() in taken)
    )
    del taken[placeholder.lower()]
    taken[key.lower()] = line
    if old is None:
        why = f"@{etype} entry without a key: imported as '{key}'"
    else:
        why = (
            f"the key is already used by the entry on line {first}: this one imported as "
            f"'{key}' (BibTeX skips it)"
        )
    warnings.append(BibIssue(reader.source, line, old, why))
    return record.model_copy(update={"key": key}), key


def _with_repeats(record: Any, repeats: dict[str, list[str]]) -> Any:
    """``record`` noting the later values of its source's repeated fields
    (``extra.bibtex_repeated``: field -> the values and the fingerprint of
    what the record holds for the field), which exports write again."""
    note = {
        name: {"then": values, "while": value_print(record, name)}
        for name, values in repeats.items()
    }
    return record.model_copy(update={"extra": {**(record.extra or {}), "bibtex_repeated": note}})


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


class _Plan:
    """A batch read up to making its records (:meth:`_Reader._plan`)."""

    __slots__ = ("result", "steps", "jobs", "uses", "repeats", "converted", "oversize")

    def __init__(
        self,
        result: BibParse,
        steps: list,
        jobs: list,
        uses: dict[int, dict[str, str]],
        repeats: dict[int, dict[str, list[str]]],
        converted: Any,
    ) -> None:
        self.result, self.steps, self.jobs = result, steps, jobs
        self.uses, self.repeats, self.converted = uses, repeats, converted
        self.oversize: list[BibIssue] = []


def _made_here(
    jobs: list[tuple[str, str, dict[str, str], str | None]],
) -> Iterator[tuple[Any, list[str]] | str]:
    """:func:`entry_to_record` of each job, or the message of its EntryError."""
    for etype, key, fields, original in jobs:
        try:
            yield entry_to_record(etype, key, fields, original_key=original)
        except EntryError as exc:
            yield str(exc)


def _convert_entries(
    jobs: list[tuple[str, str, dict[str, str], str | None]],
) -> list[tuple[dict[str, Any], list[str]] | str]:
    """In a worker process: :func:`_made_here` with each record as its JSON
    data (what a record file holds, which the parent validates again: a
    record object costs more to send than to make again from it)."""
    return [
        item if isinstance(item, str) else (item[0].to_json_dict(), item[1])
        for item in _made_here(jobs)
    ]


class _BookView:
    """What a chapter may take from its book in the same file (a book record
    without its abstract, notes and the rest, so that many fit in memory)."""

    __slots__ = (*_INHERITABLE, "key", "title", "subtitle", "full_title", "authors", "year")

    def __init__(self, book: Any) -> None:
        for name in self.__slots__:
            setattr(self, name, getattr(book, name))


def _inherit_in_file(entries: list[ReadEntry], books: Mapping[str, Any]) -> None:
    """A chapter (a paper, a volume) whose book (proceedings, set) is in the
    same file drops the fields it repeats from it (it takes them from the
    parent when resolved). The record as read, before that, is kept in
    ``ParsedEntry.full`` (duplicate checks compare what the entry says)."""
    from ...model.inherit import INHERITANCE

    for e in entries:
        r = e.record
        if r.parent is None or r.parent not in books:
            continue
        takes = {row.field for row in INHERITANCE if r.type in row.children}
        e.book = book = books[r.parent]
        update: dict[str, Any] = {}
        for name in _INHERITABLE:
            value = getattr(r, name)
            if name in takes and value and value == getattr(book, name):
                update[name] = [] if name == "editors" else None
        container_title = getattr(r, "container_title", None)
        if container_title and container_title in (book.title, book.full_title):
            update["container_title"] = None
            extra = dict(r.extra or {})
            prot = extra.get("protect")
            if isinstance(prot, dict) and "container_title" in prot:
                extra["protect"] = {k: v for k, v in prot.items() if k != "container_title"}
                if not extra["protect"]:
                    del extra["protect"]
            if (
                container_title == book.title
                and getattr(book, "subtitle", None)
                and extra.get("booksubtitle") == book.subtitle
            ):
                del extra["booksubtitle"]  # the book's subtitle, as BibLaTeX writes it apart
            if extra != (r.extra or {}):
                update["extra"] = extra
        if "authors" in takes and r.authors and r.authors == book.authors:
            update["authors"] = []  # a volume by its set's authors
        if getattr(r, "container_authors", None) and r.container_authors == book.authors:
            update["container_authors"] = []
        if update:
            e.full = r
            e.record = r.model_copy(update=update)
            data = e.json_data(r)
            data = None if data is None else _updated_data(data, update)
            e.made = None if data is None else (e.record, data)


def _updated_data(data: dict[str, Any], update: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON data of a record of ``data`` copied with ``update``, an update
    of :func:`_inherit_in_file` (fields emptied, ``extra`` replaced by JSON
    data): empty fields are left out, as :meth:`to_json_dict` leaves them.
    None if it cannot tell (an ``extra`` where there was none)."""
    extra = update.get("extra")
    if not extra:
        return {k: v for k, v in data.items() if k not in update}
    if "extra" not in data:
        return None
    return {
        k: extra if k == "extra" else v for k, v in data.items() if k not in update or k == "extra"
    }


def _guess_key(raw: str | None) -> str | None:
    if not raw:
        return None
    m = re.match(r"\s*@\s*\w+\s*[{(]\s*([^,\s]+)\s*,", raw)
    return m.group(1) if m else None


def _parse_error(block: Any) -> str:
    reason = getattr(block.error, "abort_reason", None) or str(block.error)
    reason = " ".join(str(reason).split()).rstrip(".")
    return f"syntax error: {reason}" if reason else "syntax error: the entry could not be read"
