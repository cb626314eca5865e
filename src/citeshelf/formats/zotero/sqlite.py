"""A Zotero database (``zotero.sqlite``) as Zotero items, read directly.

Zotero keeps its database locked while it runs, so the file (and its
``-wal`` journal, if any) is copied to a temporary folder and the copy is
opened read-only (``mode=ro``); the original is never opened, let alone
changed. A few queries read everything at once (tables as Zotero's
``userdata.sql`` defines them):

* regular items: ``items`` with their ``itemTypes`` name, less notes,
  attachments, annotations, items in the trash (``deletedItems``) and feed
  items (``feedItems``);
* fields: ``itemData`` -> ``fields`` and ``itemDataValues``; creators:
  ``itemCreators`` -> ``creators`` and ``creatorTypes``, in ``orderIndex``
  order (``fieldMode`` 1: a single-field name);
* ``itemTags`` -> ``tags``; child notes: ``itemNotes`` of note items;
  collections: ``collectionItems`` -> ``collections`` (with
  ``parentCollectionID`` for the path); child attachments:
  ``itemAttachments.path`` (``storage:name`` is the file in
  ``storage/KEY/`` beside the database; a linked URL is its ``url`` field).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path

from ...errors import InvalidData
from ..entries import ReadBatch
from .items import ZoteroItem, read_items

__all__ = ["is_zotero_sqlite", "items_from_sqlite", "read_zotero_sqlite"]

_NOT_REGULAR = ("note", "attachment", "annotation")
_SQLITE_MAGIC = b"SQLite format 3\x00"


def is_zotero_sqlite(head: bytes) -> bool:
    """True if the first bytes of a file are an SQLite database's."""
    return head.startswith(_SQLITE_MAGIC)


def _tables(db: sqlite3.Connection) -> set[str]:
    return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _collection_paths(db: sqlite3.Connection) -> dict[int, list[str]]:
    rows = db.execute("SELECT collectionID, collectionName, parentCollectionID FROM collections")
    colls = {cid: (name, parent) for cid, name, parent in rows}

    def path(cid: int) -> str:
        names, seen = [], set()
        while cid in colls and cid not in seen:
            seen.add(cid)
            name, parent = colls[cid]
            names.append(name)
            cid = parent
        return "/".join(reversed(names))

    out: dict[int, list[str]] = {}
    for item_id, cid in db.execute(
        "SELECT itemID, collectionID FROM collectionItems ORDER BY collectionID, orderIndex"
    ):
        out.setdefault(item_id, []).append(path(cid))
    return out


def _attachment_path(data_dir: Path, key: str, path: str | None, url: str | None) -> str | None:
    if path and path.startswith("storage:"):
        return str(data_dir / "storage" / key / path[len("storage:") :])
    return path or url


def items_from_sqlite(db: sqlite3.Connection, data_dir: Path) -> list[ZoteroItem]:
    """The regular items of an open Zotero database, in ``itemID`` order."""
    tables = _tables(db)
    hidden = "SELECT itemID FROM deletedItems"
    if "feedItems" in tables:
        hidden += " UNION SELECT itemID FROM feedItems"
    ph = ",".join("?" * len(_NOT_REGULAR))
    items: dict[int, ZoteroItem] = {}
    for item_id, type_name, key in db.execute(
        "SELECT i.itemID, t.typeName, i.key FROM items i JOIN itemTypes t USING (itemTypeID) "
        f"WHERE t.typeName NOT IN ({ph}) AND i.itemID NOT IN ({hidden}) ORDER BY i.itemID",
        _NOT_REGULAR,
    ):
        items[item_id] = ZoteroItem(type_name, key=key, label=f"item {key}")
    for item_id, name, value in db.execute(
        "SELECT d.itemID, f.fieldName, v.value FROM itemData d JOIN fields f USING (fieldID) "
        "JOIN itemDataValues v USING (valueID)"
    ):
        if item_id in items and value is not None:
            items[item_id].fields[name] = str(value)
    for item_id, ctype, first, last, mode in db.execute(
        "SELECT ic.itemID, ct.creatorType, c.firstName, c.lastName, c.fieldMode "
        "FROM itemCreators ic JOIN creators c USING (creatorID) "
        "JOIN creatorTypes ct USING (creatorTypeID) ORDER BY ic.itemID, ic.orderIndex"
    ):
        if item_id in items:
            if mode == 1:
                person = {"creatorType": ctype, "name": last or first or ""}
            else:
                person = {"creatorType": ctype, "firstName": first or "", "lastName": last or ""}
            items[item_id].creators.append(person)
    for item_id, name in db.execute(
        "SELECT it.itemID, t.name FROM itemTags it JOIN tags t USING (tagID) ORDER BY it.itemID, t.name"
    ):
        if item_id in items:
            items[item_id].tags.append(name)
    for parent, note in db.execute(
        "SELECT n.parentItemID, n.note FROM itemNotes n JOIN items i USING (itemID) "
        "JOIN itemTypes t USING (itemTypeID) WHERE t.typeName = 'note' "
        f"AND n.parentItemID IS NOT NULL AND n.itemID NOT IN ({hidden}) ORDER BY n.itemID"
    ):
        if parent in items and note:
            items[parent].notes.append(note)
    url_field = "(SELECT fieldID FROM fields WHERE fieldName = 'url')"
    for parent, key, path, url in db.execute(
        "SELECT a.parentItemID, i.key, a.path, "
        f"(SELECT v.value FROM itemData d JOIN itemDataValues v USING (valueID) "
        f" WHERE d.itemID = a.itemID AND d.fieldID = {url_field}) "
        "FROM itemAttachments a JOIN items i USING (itemID) "
        f"WHERE a.parentItemID IS NOT NULL AND a.itemID NOT IN ({hidden}) ORDER BY a.itemID"
    ):
        where = _attachment_path(data_dir, key, path, url)
        if parent in items and where:
            items[parent].attachments.append(where)
    for item_id, paths in _collection_paths(db).items():
        if item_id in items:
            items[item_id].collections.extend(paths)
    return list(items.values())


def read_zotero_sqlite(path: str | Path) -> ReadBatch:
    """Read a copy of a Zotero database into entries (see the module docstring)."""
    p = Path(path)
    with tempfile.TemporaryDirectory(prefix="citeshelf-zotero-") as tmp:
        copy = Path(tmp) / "zotero.sqlite"
        try:
            shutil.copyfile(p, copy)
            wal = p.with_name(p.name + "-wal")
            if wal.is_file():
                shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
        except OSError as exc:
            raise InvalidData(f"{p}: cannot copy the database: {exc.strerror}") from None
        try:
            db = sqlite3.connect(f"{copy.as_uri()}?mode=ro", uri=True)
        except sqlite3.Error as exc:
            raise InvalidData(f"{p}: cannot open the database: {exc}") from None
        try:
            items = items_from_sqlite(db, p.parent.resolve())
        except sqlite3.DatabaseError as exc:
            raise InvalidData(f"{p}: not a Zotero database ({exc})") from None
        finally:
            db.close()
    return read_items(items, str(p))
