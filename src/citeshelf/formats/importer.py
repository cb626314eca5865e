"""Planning an import: duplicates, parents, invalid entries -- before anything is written.

Public API::

    read_file(path, fmt=None) -> FileRead
        One input file (BibTeX, CSL-JSON or RIS; the format from ``fmt`` or the
        file name) as entries, invalid entries and warnings.
    Existing.from_library(library) -> Existing
        What is already in the library, for duplicate checks (read from the
        record files as plain JSON, without validating them).
    plan_import(entries, existing, *, on_duplicate="skip", link_parents=False,
                make_key=None) -> ImportPlan
        What to create, what to update, what is a duplicate (and of what),
        which entries are invalid (a crossref to nowhere ...), and warnings.

An incoming entry is a duplicate of an existing record (or of an earlier entry
of the same import) if its key matches (in any letter case), its DOI matches,
for a book its ISBN matches, or its normalised title, year and first author's
family name match. ``on_duplicate``: ``skip`` (report it; chapters that name it
as parent are linked to the existing record), ``rename`` (import it under a
free key), ``update`` (replace the existing record, keeping its key and its
``added`` date), ``error`` (the import fails).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Entry", "Issue", "FileRead", "Existing", "ImportPlan", "read_file", "plan_import"]

ON_DUPLICATE = ("skip", "rename", "update", "error")


@dataclass
class Issue:
    source: str
    line: int | None
    key: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        who = f" entry '{self.key}':" if self.key else ""
        return f"{where}:{who} {self.message}"


@dataclass
class Entry:
    record: Any
    source: str
    line: int | None = None
    #: the key was made by citeshelf (the source had none): a clash is not a duplicate
    generated_key: bool = False


@dataclass
class FileRead:
    entries: list[Entry] = field(default_factory=list)
    invalid: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)


def detect_format(path: Path, text: str | None = None) -> str | None:
    from . import guess_format

    fmt = guess_format(path.name)
    if fmt is None and text is not None:
        head = text.lstrip()[:200]
        if head.startswith("@") or re.search(r"^\s*@\w+\s*[{(]", text, re.MULTILINE):
            return "bibtex"
        if head.startswith("[") or head.startswith("{"):
            return "csl-json"
        if re.match(r"^TY  - ", head):
            return "ris"
    return fmt


def read_file(path: str | Path, fmt: str | None = None) -> FileRead:
    from ..errors import InvalidData, NotFound, UsageError

    p = Path(path)
    if not p.is_file():
        raise NotFound(f"{p}: no such file")
    if fmt is None:
        fmt = detect_format(p, _peek(p))
        if fmt is None:
            raise UsageError(f"{p}: cannot tell the format: give --format bibtex|csl-json|ris")
    out = FileRead()
    if fmt == "bibtex":
        from .bibtex import load_bibtex

        parsed = load_bibtex(p)
        out.entries = [Entry(e.record, e.source, e.line) for e in parsed.entries]
        out.invalid = [Issue(i.source, i.line, i.key, i.message) for i in parsed.invalid]
        out.warnings = [Issue(i.source, i.line, i.key, i.message) for i in parsed.warnings]
    elif fmt == "csl-json":
        from .csljson import record_from_csl

        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise InvalidData(f"{p}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
        except UnicodeDecodeError as exc:
            raise InvalidData(f"{p}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        if isinstance(data, dict) and ("type" in data or "id" in data):
            data = [data]
        if not isinstance(data, list):
            raise InvalidData(f"{p}: expected a JSON array of CSL items")
        from ..library.keys import base_key

        used: set[str] = set()
        for i, item in enumerate(data):
            label = f"item {i + 1}"
            try:
                record = record_from_csl(item, where=f"{p}: {label}")
                generated = "csl_id" in record.extra or not (isinstance(item, dict) and item.get("id") not in (None, ""))
                if generated:
                    # no usable id: a key from author, year and title
                    base = base_key(record)
                    key, n = base, 0
                    while key.casefold() in used:
                        n += 1
                        key = f"{base}-{n}"
                    record = record.model_copy(update={"key": key})
                used.add(record.key.casefold())
                out.entries.append(Entry(record, str(p), None, generated))
            except InvalidData as exc:
                msg = str(exc).removeprefix(f"{p}: {label}: ").removeprefix(f"{p}: {label}")
                key = item.get("id") if isinstance(item, dict) else None
                out.invalid.append(Issue(str(p), None, str(key) if key is not None else None, f"{label}: {msg}"))
    elif fmt == "ris":
        from .ris import load_ris

        parsed = load_ris(p)
        out.entries = [Entry(r, str(p), line, r.key in parsed.generated) for r, line in parsed.entries]
        out.invalid = [Issue(str(p), line, key, msg) for line, key, msg in parsed.invalid]
        out.warnings = [Issue(str(p), line, key, msg) for line, key, msg in parsed.warnings]
    else:
        raise UsageError(f"unknown format {fmt!r}: use bibtex, csl-json or ris")
    return out


def _peek(p: Path) -> str:
    try:
        with p.open("rb") as fh:
            return fh.read(4096).decode("utf-8", errors="replace")
    except OSError:
        return ""


# --------------------------------------------------------------------------
# duplicates


def _norm_title(text: str | None) -> str:
    from ..model import fold

    return re.sub(r"[^a-z0-9]+", "", fold(text or ""))


def _signature(title: str | None, subtitle: str | None, year: Any, first: str | None) -> tuple | None:
    t = _norm_title(" ".join(p for p in (title, subtitle) if p))
    if not t:
        return None
    return (t, str(year or ""), _norm_title(first))


def _first_family(people: list[Any]) -> str | None:
    if not people:
        return None
    p = people[0]
    if isinstance(p, dict):
        return p.get("family") or p.get("literal")
    return p.family or p.literal


class Existing:
    """Keys, DOIs, book ISBNs and title signatures of records already present."""

    def __init__(self) -> None:
        self.keys: dict[str, str] = {}  # casefolded -> key
        self.doi: dict[str, str] = {}
        self.isbn: dict[str, str] = {}
        self.sig: dict[tuple, str] = {}
        self.types: dict[str, str] = {}

    @classmethod
    def from_library(cls, library: Any) -> "Existing":
        out = cls()
        for key in library.keys():
            out.keys[key.casefold()] = key
            try:
                data = json.loads(library.path_for(key).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(data, dict):
                out.add_data(key, data)
        return out

    def add_data(self, key: str, data: dict[str, Any]) -> None:
        self.keys[key.casefold()] = key
        self.types[key] = str(data.get("type"))
        if data.get("doi"):
            self.doi.setdefault(str(data["doi"]).lower(), key)
        if data.get("type") == "book":
            for i in data.get("isbn") or []:
                self.isbn.setdefault(str(i), key)
        people = data.get("authors") or data.get("editors") or []
        issued = str(data.get("issued") or "")[:4]
        sig = _signature(data.get("title"), data.get("subtitle"), issued, _first_family(people))
        if sig:
            self.sig.setdefault(sig, key)

    def add_record(self, record: Any) -> None:
        self.add_data(record.key, record.to_json_dict())

    def match(self, record: Any) -> tuple[str, str] | None:
        """(existing key, why) if ``record`` duplicates something here."""
        k = self.keys.get(record.key.casefold())
        if k is not None:
            return k, "same key"
        if record.doi and record.doi.lower() in self.doi:
            return self.doi[record.doi.lower()], f"same DOI {record.doi}"
        if record.type == "book":
            for i in record.isbn:
                if i in self.isbn:
                    return self.isbn[i], f"same ISBN {i}"
        sig = _signature(record.title, record.subtitle, record.year or "", _first_family(record.creators))
        if sig and sig in self.sig:
            return self.sig[sig], "same title, year and first author"
        return None


# --------------------------------------------------------------------------
# the plan


@dataclass
class ImportPlan:
    create: list[Any] = field(default_factory=list)
    update: list[Any] = field(default_factory=list)
    duplicates: list[tuple[Entry, str, str]] = field(default_factory=list)  # entry, existing key, why
    renamed: list[tuple[str, str]] = field(default_factory=list)
    invalid: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    books_created: list[str] = field(default_factory=list)

    @property
    def written(self) -> int:
        return len(self.create) + len(self.update)


_BOOK_FIELDS = ("editors", "publisher", "place", "issued", "edition", "volume", "series", "isbn", "language")


def _free_key(key: str, taken: Callable[[str], bool]) -> str:
    n = 0
    while True:
        suffix = ""
        m = n
        while True:
            suffix = chr(ord("a") + m % 26) + suffix
            m = m // 26 - 1
            if m < 0:
                break
        if not taken(key + suffix):
            return key + suffix
        n += 1


def plan_import(
    entries: Iterable[Entry],
    existing: Existing,
    *,
    on_duplicate: str = "skip",
    link_parents: bool = False,
    make_key: Callable[[Any, Callable[[str], bool]], str] | None = None,
    get_existing: Callable[[str], Any] | None = None,
) -> ImportPlan:
    """Decide what an import does (see the module docstring); writes nothing."""
    from ..model import Book, Chapter

    if on_duplicate not in ON_DUPLICATE:
        raise ValueError(on_duplicate)
    plan = ImportPlan()
    batch = Existing()  # what this import will have created, for in-batch duplicates
    alias: dict[str, str] = {}  # incoming key -> key the record ends up under
    accepted: list[Entry] = []
    taken_now: set[str] = set()

    def taken(key: str) -> bool:
        folded = key.casefold()
        return folded in existing.keys or folded in batch.keys or folded in taken_now

    entries = list(entries)
    for entry in entries:
        record = entry.record
        hit = existing.match(record)
        where = "library"
        if hit is None:
            hit = batch.match(record)
            where = "import"
        if hit is None:
            accepted.append(entry)
            batch.add_record(record)
            alias[record.key] = record.key
            continue
        other, why = hit
        if why == "same key" and entry.generated_key:
            # a key citeshelf made up is taken: take the next free one
            moved = record.model_copy(update={"key": _free_key(record.key, taken)})
            hit = existing.match(moved) or batch.match(moved)
            if hit is None:
                accepted.append(Entry(moved, entry.source, entry.line, True))
                batch.add_record(moved)
                alias[moved.key] = moved.key
                continue
            other, why = hit
        if on_duplicate == "error" or (where == "import" and on_duplicate == "update"):
            plan.duplicates.append((entry, other, why))
            if on_duplicate == "error":
                continue
        if on_duplicate == "skip" or (where == "import" and on_duplicate == "update"):
            if on_duplicate == "skip":
                plan.duplicates.append((entry, other, why))
            alias.setdefault(record.key, other)
            continue
        if on_duplicate == "rename":
            new_key = _free_key(record.key, taken) if taken(record.key) else record.key
            if new_key != record.key:
                plan.renamed.append((record.key, new_key))
                record = record.model_copy(update={"key": new_key})
            alias[entry.record.key] = new_key
            entry = Entry(record, entry.source, entry.line)
            accepted.append(entry)
            batch.add_record(record)
            continue
        # update: replace the existing record, keeping its key and added date
        old = get_existing(other) if get_existing else None
        update = {"key": other}
        if old is not None and getattr(old, "added", None):
            update["added"] = old.added
        if old is not None and old.type != record.type:
            plan.invalid.append(
                Issue(entry.source, entry.line, record.key,
                      f"would update '{other}' ({why}) but it is a {old.type}, this entry a "
                      f"{record.type}: import with --on-duplicate rename or skip")
            )
            continue
        record = record.model_copy(update=update)
        alias[entry.record.key] = other
        plan.update.append(record)
        plan.duplicates.append((entry, other, why))

    # Parents: follow aliases; a crossref to nowhere is an error unless the
    # chapter names its book by title.
    created_books: dict[tuple, str] = {}
    book_isbn: dict[str, str] = dict(existing.isbn)
    for entry in accepted:
        if isinstance(entry.record, Book):
            for i in entry.record.isbn:
                book_isbn.setdefault(i, alias.get(entry.record.key, entry.record.key))
    for entry in accepted:
        record = entry.record
        if isinstance(record, Chapter) and record.parent:
            target = alias.get(record.parent)
            if target is None:
                folded = record.parent.casefold()
                target = existing.keys.get(folded)
            if target is None:
                if record.container_title:
                    extra = dict(record.extra)
                    extra["crossref"] = record.parent
                    plan.warnings.append(
                        Issue(entry.source, entry.line, record.key,
                              f"crossref '{record.parent}' is neither in the import nor in the "
                              "library: imported without a parent link (kept in extra.crossref)")
                    )
                    record = record.model_copy(update={"parent": None, "extra": extra})
                else:
                    plan.invalid.append(
                        Issue(entry.source, entry.line, record.key,
                              f"crossref '{record.parent}' is neither in the import nor in the "
                              "library: import the book too, or add a booktitle")
                    )
                    continue
            elif target != record.parent:
                record = record.model_copy(update={"parent": target})
        if (
            link_parents
            and isinstance(record, Chapter)
            and not record.parent
            and record.container_title
        ):
            record, book = _link_parent(record, existing, batch, book_isbn, created_books, make_key, taken)
            if book is not None:
                plan.create.append(book)
                plan.books_created.append(book.key)
                taken_now.add(book.key.casefold())
                batch.add_record(book)
        plan.create.append(record)
    # Books before the chapters that name them.
    plan.create.sort(key=lambda r: 0 if r.type == "book" else 1)
    return plan


def _link_parent(record, existing, batch, book_isbn, created_books, make_key, taken):  # noqa: ANN001, ANN202
    """The chapter linked to the book it describes (found, or made from its fields)."""
    from ..model import Book

    target = None
    for i in record.isbn:
        if i in book_isbn:
            target = book_isbn[i]
            break
    sig = (_norm_title(record.container_title), str(record.year or ""))
    made = None
    if target is None and sig in created_books:
        made = created_books[sig]
        target = made.key
    if target is None:
        for s, key in list(existing.sig.items()) + list(batch.sig.items()):
            if s[0] == sig[0] and s[1] == sig[1] and (existing.types.get(key) or batch.types.get(key)) == "book":
                target = key
                break
    for book_ in created_books.values():
        if book_.key == target:
            made = book_
    book = None
    if target is None:
        data: dict[str, Any] = {"type": "book", "key": "tmp-book", "title": record.container_title}
        for name in _BOOK_FIELDS:
            value = getattr(record, name)
            if value:
                data[name] = value
        if record.container_authors:
            data["authors"] = record.container_authors
        protect = (record.extra or {}).get("protect", {})
        if isinstance(protect, dict) and "container_title" in protect:
            data["extra"] = {"protect": {"title": list(protect["container_title"])}}
        book = Book.model_validate(data)
        if make_key is None:
            from ..library.keys import unique_key as make_key  # noqa: PLC0415
        book = book.model_copy(update={"key": make_key(book, taken)})
        created_books[sig] = book
        made = book
        target = book.key
        for i in book.isbn:
            book_isbn.setdefault(i, book.key)
    update: dict[str, Any] = {"parent": target}
    if made is not None:
        # What the chapter says the same as the book it is now linked to,
        # it takes from the book.
        if made.title == record.container_title:
            update["container_title"] = None
            extra = dict(record.extra or {})
            if isinstance(extra.get("protect"), dict) and "container_title" in extra["protect"]:
                extra["protect"] = {k: v for k, v in extra["protect"].items() if k != "container_title"}
                update["extra"] = extra
        if made.authors == record.container_authors:
            update["container_authors"] = []
        for name in _BOOK_FIELDS:
            if getattr(made, name) == getattr(record, name):
                update[name] = [] if name in ("editors", "isbn") else None
    return record.model_copy(update=update), book
