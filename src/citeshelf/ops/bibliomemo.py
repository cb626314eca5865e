"""The reference list of a whole library, kept in the index for the next one.

Public API::

    KeptList.open(library, style, edition, forms) -> KeptList | None
        The kept list of ``style`` and ``edition`` in the ``forms`` asked
        for ("text", "markdown", "html"), brought up to date with the
        folder; None without an index.
    kept.entries() -> [(key, {form: text})] | None
        The entries as kept, if the files are those the list was made from;
        ``kept.warnings`` then holds the warnings the list was made with.
    kept.recording(items, notes) -> iterator of the items
        ``items`` as they are made, kept in parts as they pass, with the
        warnings given before them; the list is kept only if all of it
        passed with no further warning and no file changed meanwhile.

What ``bibliography`` prints of a whole library is made of its record
files and citeshelf's code alone. So, as ``export`` does
(:mod:`citeshelf.ops.exporting`), the entries it made are kept beside the
index (:mod:`citeshelf.library.outputs`) under a variant naming the code,
the style, the edition and the forms, with the digest of the scan of the folder
(:mod:`citeshelf.library.scan`) the files were read under. The next list of
the whole library prints them as they are while the scan gives the same
digest: no file is read or validated. None is kept while a file is "racy"
(modified within a clock tick of the scan: its time cannot tell a later
edit), nor when a record read for it no longer has the size and time the
scan saw (:meth:`.EntryCache.seen`, as ``export`` checks). A file changed
later while the list is made needs no second scan of the folder at its
end (a ``stat`` per file, 0.4 s at 100,000 records): the list is kept under
the digest of the scan it started from, which that file's new time no
longer gives, so the next list is made again. The warnings of
the list (Title Case titles, a record left out or skipped, made from the
same files by the same code) are kept with it and given again; none is kept
if a warning came while the entries were made.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from itertools import islice
from typing import Any

__all__ = ["KeptList"]

#: Entries kept per part of the kept list.
_PART = 500


class KeptList:
    """The index's kept reference list of one variant (see the module docstring)."""

    def __init__(self, cache: Any, variant: str, forms: tuple[str, ...]):
        #: the index, brought up to date with every file's size and time
        #: (:class:`.entrycache.EntryCache`: also what it then knew of the files)
        self.cache = cache
        self.index, self.digest = cache.index, cache.digest
        self.variant, self.forms = variant, forms
        #: the warnings the kept list was made with (see :meth:`entries`)
        self.warnings: list[str] = []

    @classmethod
    def open(
        cls,
        library: Any,
        style: str,
        edition: int,
        forms: Iterable[str],
        *,
        sentence_case: bool = False,
    ) -> KeptList | None:
        from .entrycache import EntryCache, code_stamp_hex

        forms = tuple(sorted(set(forms)))
        if not forms:
            return None
        # every file's size and time, even with $CITESHELF_INDEX_CHECK=folder
        cache = EntryCache.open(library)
        if cache is None:
            return None
        cased = "|sentence-case" if sentence_case else ""
        variant = f"{code_stamp_hex()}|bibliography|{style}|{edition}|{','.join(forms)}{cased}"
        return cls(cache, variant, forms)

    def close(self) -> None:
        self.index.close()

    def entries(self) -> list[tuple[str, dict[str, str]]] | None:
        if not self.digest:
            return None
        parts = self.index.output(self.variant, self.digest)
        if parts is None:
            return None
        out: list[tuple[str, dict[str, str]]] = []
        warnings: list[str] = []
        for part in parts:
            data = json.loads(part)
            if isinstance(data, dict):  # the part that holds the warnings
                warnings += data.get("warnings", [])
                continue
            for key, *texts in data:
                out.append((key, dict(zip(self.forms, texts))))
        self.warnings = warnings
        return out

    def recording(self, items: Iterable[Any], notes: Any) -> Iterator[Any]:
        """``items`` (citations: ``key``, ``rendered(form)``), kept as they
        pass (``notes``: the warnings so far, in ``notes.items``)."""
        warned = len(notes.items)
        writer = self.index.output_writer(self.variant, self.digest) if self.digest else None
        batch: list[Any] = []
        entries = 0

        def save(what: Any = batch) -> bool:
            data = json.dumps(what, ensure_ascii=False).encode("utf-8")
            batch.clear()
            return writer is not None and writer.add(data)

        try:
            keep = writer is not None and writer.open
            if keep and warned:
                keep = save({"warnings": list(notes.items)})
            for c in items:
                if keep:
                    batch.append([c.key, *(c.rendered(f) for f in self.forms)])
                    entries += 1
                    if len(batch) >= _PART:
                        keep = save()
                yield c
            if keep and batch:
                keep = save()
            # every record read had the size and time the scan saw
            complete = self.cache.complete
            if keep and entries and len(notes.items) == warned and complete:
                assert writer is not None
                writer.finish()
        finally:
            if writer is not None:
                writer.discard()  # nothing once finished


class KeptEntries:
    """Each record's part of a reference list, kept in the index's
    ``entries`` table (:mod:`.entrycache`) for the next list that has it:
    its sort data (:func:`citeshelf.styles.bibliography_row`, with whether
    its title looks like Title Case) and its entry in the forms printed,
    with the year letter and the 3-em dash it was made with. The first list
    after some files changed then reads and formats only those; the others
    come from the index. Not kept: a record that names other records (a
    reprint's original is part of its entry) or whose book has a parent."""

    def __init__(self, cache: Any, style: str, edition: int, forms: tuple[str, ...], cased: bool):
        from .entrycache import code_stamp_hex

        stamp = code_stamp_hex()
        sc = "|sentence-case" if cased else ""
        self.cache, self.style, self.edition, self.forms = cache, style, edition, forms
        self.sort_variant = f"{stamp}|bibsort|{style}|{edition}{sc}"
        self.entry_variant = f"{stamp}|bibentry|{style}|{edition}|{','.join(forms)}{sc}"
        #: the index is the kept list's (which closes it)
        self.borrowed = False

    @classmethod
    def open(
        cls,
        library: Any,
        style: str,
        edition: int,
        forms: Iterable[str],
        *,
        sentence_case: bool,
        memo: KeptList | None = None,
    ) -> KeptEntries | None:
        """The kept entries of ``library``'s index; with ``memo``, of the index
        the kept list opened (and brought up to date), which it closes."""
        from .entrycache import EntryCache

        forms = tuple(sorted(set(forms)))
        if not forms:
            return None
        if memo is not None:
            kept = cls(memo.cache, style, edition, forms, sentence_case)
            kept.borrowed = True
            return kept
        opened = EntryCache.open(library)
        return cls(opened, style, edition, forms, sentence_case) if opened is not None else None

    def close(self) -> None:
        if not self.borrowed:
            self.cache.close()

    def keepable(self, record: Any) -> bool:
        """Whether ``record``'s part depends on its file and its book's alone."""
        if getattr(record, "related", None):
            return False
        parent = getattr(record, "parent", None)
        if parent:
            row = self.cache.files.get(parent)
            return row is not None and row[3] is None
        return True

    # -- the sort data ---------------------------------------------------

    def rows(
        self,
        library: Any,
        streamed: Any,
        resolve: Any,
        cased: Any,
        entry: Callable[[Any], dict[str, str]] | None = None,
    ) -> Iterator[tuple[str, Any]]:
        """(key, :func:`~citeshelf.styles.bibliography_row`) of each record
        of ``streamed`` in its order: kept, or of the record read (seen
        through its book by ``resolve``, its title noted by ``cased``);
        the files that cannot be read go to ``streamed.problems``. A record
        read is given to ``entry`` too, if given, for its entry's forms with
        no year letter or dash, which are kept: most entries have neither,
        and the list then need not read their files again.

        The records not kept are read and formatted by worker processes
        when there are many (:mod:`.forked`), a part ahead of the one taken
        in; the same rows, warnings and kept entries as made here."""
        from .forked import Workers

        keys = streamed.keys
        maker = _Rows(library, resolve, cased, self, entry)
        parts = (keys[start : start + _PART] for start in range(0, len(keys), _PART))
        with Workers(maker.make, len(keys)) as workers:
            lookup = partial(self.cache.entries, self.sort_variant)
            for batch, kept, made in workers.ahead(parts, lookup):
                yield from self._taken(batch, kept, made, streamed, resolve, cased)

    def _taken(
        self,
        batch: list[str],
        kept: Any,
        made_rows: list[Made],
        streamed: Any,
        resolve: Any,
        cased: Any,
    ) -> Iterator[tuple[str, Any]]:
        """One part's rows: the kept ones and those made (:meth:`_Rows.make`), in order."""
        fresh: dict[str, Any] = {}
        made: list[tuple[str, Any, dict[str, str]]] = []
        problems = getattr(resolve, "problems", None)
        for key, problem, text, noted, orphans, keep, seen, forms in made_rows:
            if problem is not None:
                streamed.problems.append(problem)
                continue
            for k in noted:
                cased.keys.setdefault(k, None)
            if problems is not None:
                problems.extend(orphans)
            # the kept form: a row read back is the same as one just made
            fresh[key] = _row(json.loads(text)[0])
            if keep:
                self.cache.keep_seen(key, text, seen)
                if forms is not None:
                    made.append((key, seen, forms))
        if made:
            self.cache.save(self.sort_variant)
            for key, seen, forms in made:
                data = [_PLAIN_SUFFIX, False, *(forms[f] for f in self.forms)]
                self.cache.keep_seen(key, json.dumps(data, ensure_ascii=False), seen)
            self.save()
        # the kept rows of the part decoded at once (one call, not one per row)
        decoded = iter(_loads_all([kept[k] for k in batch if k not in fresh and k in kept]))
        for key in batch:
            if key in fresh:
                yield key, fresh[key]
            elif key in kept:
                row, noted_here = next(decoded)
                if noted_here:
                    cased.keys.setdefault(key, None)
                yield key, _row(row)
        self.cache.save(self.sort_variant)

    # -- the entries -----------------------------------------------------

    def entries(self, placed: list[Any]) -> dict[str, dict[str, str]]:
        """The kept entries of ``placed`` (at most a few hundred) made with
        their year letters and dashes: key -> {form: text}."""
        out: dict[str, dict[str, str]] = {}
        got = self.cache.entries(self.entry_variant, [p.key for p in placed])
        decoded = dict(zip(got, _loads_all(list(got.values()))))
        for p in placed:
            data = decoded.get(p.key)
            if data is None:
                continue
            suffix, repeated, *texts = data
            if suffix == p.suffix and repeated == p.repeated and len(texts) == len(self.forms):
                out[p.key] = dict(zip(self.forms, texts))
        return out

    def keep(self, record: Any, placed: Any, forms: dict[str, str]) -> None:
        if self.keepable(record):
            self.keep_seen(placed, forms, self.cache.seen(record.key, record.parent))

    def keep_seen(self, placed: Any, forms: dict[str, str], seen: Any) -> None:
        """Keep ``placed``'s entry in ``forms``, made from the files
        :meth:`.EntryCache.seen` vouched for (``seen``)."""
        data = [placed.suffix, placed.repeated, *(forms[f] for f in self.forms)]
        self.cache.keep_seen(placed.key, json.dumps(data, ensure_ascii=False), seen)

    def save(self) -> None:
        self.cache.save(self.entry_variant)


#: The year-letter suffix and dash of an entry kept by the first pass: none.
_PLAIN_SUFFIX = ""

#: A record's row as made: key, problem (an unreadable file: the rest is
#: empty), the sort data as kept (JSON), the keys whose titles were noted as
#: Title Case, the resolver's warnings, whether its entry may be kept, its
#: files' sizes and times as checked once read (:meth:`.EntryCache.seen`;
#: None: not to be kept), and its entry's forms (None: not kept).
Made = tuple[str, "str | None", str, list[str], list[str], bool, "str | None", Any]


class _Rows:
    """The rows of the records a list does not keep, made in this process
    or in forked workers (:mod:`.forked`): each record read, seen through
    its book, noted, and its sort data and (if kept) its entry's forms made."""

    def __init__(
        self,
        library: Any,
        resolve: Any,
        cased: Any,
        kept: KeptEntries,
        entry: Callable[[Any], dict[str, str]] | None,
    ) -> None:
        self.library, self.resolve, self.cased = library, resolve, cased
        self.kept, self.entry = kept, entry

    def make(self, keys: list[str]) -> list[Made]:
        from ..library.store import RecordProblem
        from ..styles import bibliography_row

        out: list[Made] = []
        cased, resolve, kept = self.cased, self.resolve, self.kept
        problems = getattr(resolve, "problems", None)
        for item in self.library.iter_records(keys):
            if isinstance(item, RecordProblem):
                out.append((item.key, item.reason, "", [], [], False, None, None))
                continue
            before = len(cased.keys)
            warned = len(problems) if problems is not None else 0
            resolved = cased.note(resolve(item))
            # the keys it noted, the last ones (not a copy of them all each time)
            noted = list(islice(reversed(cased.keys), len(cased.keys) - before))[::-1]
            orphans: list[str] = []
            if problems is not None:
                orphans = problems[warned:]
                del problems[warned:]  # given back with the row, in its order
            row = bibliography_row(resolved, kept.style, kept.edition)
            text = json.dumps([row, bool(noted)], ensure_ascii=False)
            keep = kept.keepable(item)
            # the files' sizes and times checked here, once they were read
            seen = kept.cache.seen(item.key, item.parent) if keep else None
            entry = self.entry if keep and row is not None else None
            forms = entry(resolved) if entry is not None else None
            out.append((item.key, None, text, noted, orphans, keep, seen, forms))
        return out


def _loads_all(texts: list[str]) -> list[Any]:
    """The JSON values ``texts`` (kept by this module: each one JSON value),
    decoded in one call: at 100,000 records, 200,000 calls of
    :func:`json.loads` cost more in the calls than in the decoding."""
    return json.loads("[" + ",".join(texts) + "]") if texts else []


def _row(row: Any) -> Any:
    """A :func:`~citeshelf.styles.bibliography_row` read back from JSON: the
    key of the authors and year a tuple again (it groups the year letters)."""
    if row is None:
        return None
    sort, group, names = row
    return sort, tuple(group) if group is not None else None, names
