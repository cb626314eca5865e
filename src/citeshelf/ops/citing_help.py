"""Help while writing: the keys to offer, the references to show and the
keys a manuscript gets wrong (what the language server, ``citeshelf lsp``,
answers with). No editor protocol here: offsets and plain results.

Public API::

    rank_candidates(prefix, rows, limit=None) -> [Candidate]
        The records to offer for a partly typed key, best first: keys that
        start with it, then records with an author or editor, then any
        other word (title, abstract) starting with it; in key order within
        each rank. ``rows``: (key, creators, year, title) tuples.
    Shelf(library_path, style="apa", edition=None)
        One library as an editor sees it, read again when its folder changes:
        ``keys()``, ``complete(prefix)``, ``reference(key)``,
        ``record_path(key)``, ``problems(spans)``; ``generation`` grows
        when the library is seen changed.
    Problem(span, message, suggestion)     a cited key the library lacks
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..formats.manuscript import CitedSpan

__all__ = ["Candidate", "Problem", "Shelf", "rank_candidates"]

Row = tuple[str, str, "int | None", str]


@dataclass(frozen=True)
class Candidate:
    """A record offered for a key being typed; ``rank`` 0 (the key starts with
    what was typed), 1 (a name does), 2 (another word does) or 3 (nothing was
    typed)."""

    key: str
    creators: str
    year: int | None
    title: str
    rank: int

    @property
    def detail(self) -> str:
        """One line: "Aris 2014 Collective security ..." (what is known)."""
        parts = [self.creators, str(self.year) if self.year is not None else "", self.title]
        return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class Problem:
    """A cited key the library does not have, and the key it most likely
    meant (None when none is close)."""

    span: CitedSpan
    message: str
    suggestion: str | None


def _fold(text: str) -> str:
    from ..model.fold import fold

    return fold(text)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", _fold(text))


def rank_candidates(prefix: str, rows: Iterable[Row], limit: int | None = None) -> list[Candidate]:
    """The rows worth offering for ``prefix``, best first (see the module's
    docstring); letter case and accents do not count."""
    wanted = _fold(prefix)
    out = []
    for key, creators, year, title in rows:
        if not wanted:
            rank = 3
        elif _fold(key).startswith(wanted):
            rank = 0
        elif any(w.startswith(wanted) for w in _words(creators)):
            rank = 1
        elif any(w.startswith(wanted) for w in _words(title)):
            rank = 2
        else:
            continue
        out.append(Candidate(key, creators, year, title, rank))
    out.sort(key=lambda c: (c.rank, c.key))
    return out if limit is None else out[:limit]


class Shelf:
    """A library as an editor sees it while writing.

    What it reads is kept until the library's folder changes (its
    modification time: adding, removing, renaming or rewriting a record
    through citeshelf, git or most editors replaces the file); a reference is
    formatted again when its record file changed. One ``stat`` per question,
    so it can be asked on every keystroke."""

    def __init__(
        self, library_path: str | os.PathLike[str], style: str = "apa", edition: int | None = None
    ) -> None:
        self.path = Path(library_path)
        self.style = style
        self.edition = edition
        self._seen: int | None = None
        self._generation = 0
        self._keys: list[str] | None = None
        self._rows: list[Row] | None = None
        self._references: dict[str, tuple[tuple[int, int], dict[str, str]]] = {}

    # -- freshness ------------------------------------------------------------

    def _check(self) -> None:
        try:
            now: int | None = os.stat(self.path).st_mtime_ns
        except OSError:
            now = None
        if now != self._seen or now is None:
            if now != self._seen:
                self._generation += 1
            self._seen = now
            self._keys = None
            self._rows = None
            self._references.clear()

    @property
    def generation(self) -> int:
        """A number that grows each time the library's folder is seen changed."""
        self._check()
        return self._generation

    def _library(self) -> Any:
        from ..library import Library

        return Library(self.path)

    # -- questions -----------------------------------------------------------

    def keys(self) -> list[str]:
        """The library's keys, sorted (a listing of the folder)."""
        from ..library.index import record_keys

        self._check()
        if self._keys is None:
            self._keys = record_keys(self.path)
        return self._keys

    def _index_rows(self) -> list[Row]:
        from ..library.index import open_index

        self._check()
        if self._rows is None:
            index = open_index(self.path) if self.path.is_dir() else None
            if index is None:  # no index here: keys only
                rows: list[Row] = [(k, "", None, "") for k in self.keys()]
            else:
                try:
                    rows = [(r.key, r.creators, r.year, r.title) for r in index.search()]
                finally:
                    index.close()
            self._rows = rows
        return self._rows

    def complete(self, prefix: str, limit: int | None = 50) -> list[Candidate]:
        """The records to offer for ``prefix``, ranked (:func:`rank_candidates`)."""
        return rank_candidates(prefix, self._index_rows(), limit)

    def record_path(self, key: str) -> Path | None:
        """The record file of ``key``; None if the library has none."""
        from ..model.keyfiles import file_stem

        return self.path / f"{file_stem(key)}.json" if key in set(self.keys()) else None

    def reference(self, key: str, fmt: str = "text") -> str | None:
        """``key``'s reference entry in the shelf's style (as ``citeshelf cite
        --form reference`` prints it) as "text" or "markdown" (italics as
        ``*...*``); None if there is no such record. A record that cannot be
        formatted (a missing book, say) gives the reason instead."""
        from ..errors import CiteshelfError
        from ..styles import render
        from .citing import cite

        path = self.record_path(key)
        if path is None:
            return None
        try:
            st = os.stat(path)
        except OSError:
            return None
        stamp = (st.st_mtime_ns, st.st_size)
        cached = self._references.get(key)
        if cached is None or cached[0] != stamp:
            try:
                result = cite(
                    self._library(), [key], style=self.style, edition=self.edition, form="reference"
                )
                styled = result.items[0].styled
                texts = {"text": render(styled, "text"), "markdown": render(styled, "markdown")}
            except CiteshelfError as exc:
                message = f"(cannot format {key}: {exc})"
                texts = {"text": message, "markdown": message}
            cached = (stamp, texts)
            self._references[key] = cached
        return cached[1][fmt]

    def problems(self, spans: Sequence[CitedSpan]) -> list[Problem]:
        """The citations of keys the library lacks, each with the key it most
        likely meant (:func:`citeshelf.errors.closest`)."""
        from ..errors import closest

        keys = self.keys()
        known = set(keys)
        out = []
        for span in spans:
            if span.key in known:
                continue
            suggestion = closest(span.key, keys)
            message = f"{span.key}: no such record in the library"
            if suggestion is not None:
                message += f"; did you mean {suggestion}?"
            out.append(Problem(span, message, suggestion))
        return out
