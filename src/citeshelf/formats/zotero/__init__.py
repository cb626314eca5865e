"""Zotero libraries: Better BibTeX JSON, Zotero RDF and ``zotero.sqlite``.

Modules (each imported on demand; pure conversion, standard library only)::

    items       ZoteroItem (one item in Zotero's field names), read_items -> ReadBatch
    bbt_json    read_bbt_json(path), is_bbt_json(data), is_bbt_head(text)
    rdf         read_zotero_rdf(path)
    sqlite      read_zotero_sqlite(path) (reads a read-only copy), is_zotero_sqlite(head)
    schema_map  Zotero -> CSL table derived from Zotero's schema.json (derive.py made it)

Better CSL JSON is CSL-JSON with ``id``/``citation-key`` set to the citation
key: :mod:`citeshelf.formats.csljson` reads it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..entries import ReadBatch

__all__ = ["read_zotero", "sniff_format"]


def sniff_format(head: str) -> str | None:
    """The Zotero format the start of a file shows (``bbt-json``, ``zotero-rdf``,
    ``zotero-sqlite``), or None: a BBT JSON export is an object with ``config``
    and ``items``, where CSL-JSON is an array of items."""
    if head.startswith("SQLite format 3"):
        return "zotero-sqlite"
    text = head.lstrip()
    if text.startswith("<") and "rdf:RDF" in text and "zotero.org/namespaces/export" in text:
        return "zotero-rdf"
    from .bbt_json import is_bbt_head

    return "bbt-json" if is_bbt_head(text) else None


def read_zotero(path: str | Path, fmt: str) -> ReadBatch:
    """Read one Zotero file of format ``fmt`` into entries."""
    if fmt == "bbt-json":
        from .bbt_json import read_bbt_json

        return read_bbt_json(path)
    if fmt == "zotero-rdf":
        from .rdf import read_zotero_rdf

        return read_zotero_rdf(path)
    if fmt == "zotero-sqlite":
        from .sqlite import read_zotero_sqlite

        return read_zotero_sqlite(path)
    raise ValueError(fmt)
