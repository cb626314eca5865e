"""The library as every command uses it: the record store and its index.

:class:`Library` is the record store (:mod:`.store`) with the answers the
index (:mod:`.index`) can give faster. The store and the index know nothing
of this module; the index reads the store's files through the store alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from .store import RecordStore

__all__ = ["Library"]


class Library(RecordStore):
    """A folder of record files, asked through its index where one can be used.

    Opening one completes a commit a crashed process left (the store's
    journal), so every command sees whole commits only."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__(path)
        self.recover()

    def chapter_keys(self, book_key: str) -> list[str]:
        """Keys of records whose parent is ``book_key``, in key order.

        Answered by the library's index when one can be used; otherwise the
        store reads the files.
        """
        return self._indexed(
            lambda index: index.children(book_key),
            lambda: super(Library, self).chapter_keys(book_key),
        )

    def linked_keys(self, key: str) -> list[str]:
        """Keys of records whose parent is ``key`` or that name it in a
        relation, in key order (from the index when one can be used)."""
        return self._indexed(
            lambda index: index.linked(key), lambda: super(Library, self).linked_keys(key)
        )

    def tied_keys(self, key: str) -> list[str]:
        """Keys of the records whose tie order names ``key``, in key order
        (from the index when one can be used)."""
        return self._indexed(
            lambda index: index.tied(key), lambda: super(Library, self).tied_keys(key)
        )

    def _indexed(self, ask: Callable[[Any], list[str]], read: Callable[[], list[str]]) -> list[str]:
        """``ask`` of the library's index, or ``read`` (the store's answer from
        the files) when no index can be used."""
        from .index import open_index  # not loaded by commands that read one record

        index = open_index(self.path)
        if index is None:
            return read()
        try:
            return ask(index)
        finally:
            index.close()
