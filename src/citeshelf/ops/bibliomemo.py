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
(:mod:`citeshelf.ops.exporting`), the entries it made are kept in the
index's ``outputs`` table under a variant naming the code, the style, the
edition and the forms, with the digest of the scan of the folder
(:mod:`citeshelf.library.scan`) the files were read under. The next list of
the whole library prints them as they are while the scan gives the same
digest: no file is read or validated. None is kept while a file is "racy"
(modified within a clock tick of the scan: its time cannot tell a later
edit), nor when a file changed while the list was made. The warnings of
the list (Title Case titles, a record left out or skipped, made from the
same files by the same code) are kept with it and given again; none is kept
if a warning came while the entries were made.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["KeptList"]

#: Entries kept per row of the index.
_PART = 500


class KeptList:
    """The index's kept reference list of one variant (see the module docstring)."""

    def __init__(self, index: Any, folder: str, variant: str, digest: str, forms: tuple[str, ...]):
        self.index, self.folder, self.variant, self.digest, self.forms = (
            index,
            folder,
            variant,
            digest,
            forms,
        )
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
        import sqlite3

        from ..library.index import open_index
        from .showmemo import code_stamp

        path = getattr(library, "path", None)
        forms = tuple(sorted(set(forms)))
        if path is None or not forms:
            return None
        index = open_index(path, refresh=False)
        if index is None:
            return None
        try:
            # every file's size and time, even with $CITESHELF_INDEX_CHECK=folder
            index.refresh(files=True)
            _files, digest = index.snapshot()
        except (OSError, sqlite3.Error):
            index.close()
            return None
        cased = "|sentence-case" if sentence_case else ""
        variant = f"{code_stamp().hex()}|bibliography|{style}|{edition}|{','.join(forms)}{cased}"
        return cls(index, str(path), variant, digest, forms)

    def close(self) -> None:
        self.index.close()

    def entries(self) -> list[tuple[str, dict[str, str]]] | None:
        import sqlite3

        if not self.digest:
            return None
        try:
            parts = self.index.output(self.variant, self.digest)
        except sqlite3.Error:
            return None
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
        import sqlite3

        warned = len(notes.items)
        keep = bool(self.digest)
        token = "pending:" + os.urandom(8).hex()
        started = time.time_ns()
        batch: list[Any] = []
        parts = 0

        def save(what: Any = batch) -> bool:
            nonlocal parts
            data = json.dumps(what, ensure_ascii=False).encode("utf-8")
            try:
                self.index.put_entries(self.variant, None, [], (parts, token, data))
            except sqlite3.Error:
                return False
            parts += 1
            batch.clear()
            return True

        if keep and warned:
            keep = save({"warnings": list(notes.items)})
        for c in items:
            if keep:
                batch.append([c.key, *(c.rendered(f) for f in self.forms)])
                if len(batch) >= _PART:
                    keep = save()
            yield c
        if keep and batch:
            keep = save()
        if not keep or parts <= (1 if warned else 0) or len(notes.items) != warned:
            return
        if self._unchanged(started):
            try:
                self.index.finish_output(self.variant, token, parts, self.digest)
            except sqlite3.Error:
                pass

    def _unchanged(self, started: int) -> bool:
        """Whether the folder still gives the digest the list was made under,
        with no file modified too close to the start to be sure of it."""
        from ..library.scan import Scan, racy

        scan = Scan.of(self.folder)
        if scan.digest() != self.digest:
            return False
        return not any(racy(m, started) for m in scan.mtimes)
