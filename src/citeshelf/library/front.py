"""The library as every command uses it: the record store and its index.

:class:`Library` is the record store (:mod:`.store`) with the answers the
index (:mod:`.index`) can give faster. The store and the index know nothing
of this module; the index reads the store's files through the store alone.
"""

from __future__ import annotations

import os

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
        from .index import open_index  # not loaded by commands that read one record

        index = open_index(self.path)
        if index is None:
            return super().chapter_keys(book_key)
        try:
            return index.children(book_key)
        finally:
            index.close()

    def linked_keys(self, key: str) -> list[str]:
        """Keys of records whose parent is ``key`` or that name it in a
        relation, in key order (from the index when one can be used)."""
        from .index import open_index

        index = open_index(self.path)
        if index is None:
            return super().linked_keys(key)
        try:
            return index.linked(key)
        finally:
            index.close()

    def tied_keys(self, key: str) -> list[str]:
        """Keys of the records whose tie order names ``key``, in key order
        (from the index when one can be used)."""
        from .index import open_index

        index = open_index(self.path)
        if index is None:
            return super().tied_keys(key)
        try:
            return index.tied(key)
        finally:
            index.close()
