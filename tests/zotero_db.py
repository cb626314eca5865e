"""Build a ``zotero.sqlite`` for tests, in the table layout of Zotero's
``resource/schema/userdata.sql`` (zotero/zotero), with the item types, fields
and creator types named by Zotero's ``schema.json`` (via
:mod:`citeshelf.formats.zotero.schema_map`). Only the tables the reader uses
are made, with Zotero's columns."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from citeshelf.formats.zotero.schema_map import BASE_FIELDS, CSL_FIELDS, CSL_NAMES, CSL_TYPES

TABLES = """
CREATE TABLE itemTypes (itemTypeID INTEGER PRIMARY KEY, typeName TEXT,
    templateItemTypeID INT, display INT DEFAULT 1);
CREATE TABLE fields (fieldID INTEGER PRIMARY KEY, fieldName TEXT, fieldFormatID INT);
CREATE TABLE creatorTypes (creatorTypeID INTEGER PRIMARY KEY, creatorType TEXT);
CREATE TABLE libraries (libraryID INTEGER PRIMARY KEY, type TEXT NOT NULL,
    editable INT NOT NULL, filesEditable INT NOT NULL, version INT NOT NULL DEFAULT 0,
    storageVersion INT NOT NULL DEFAULT 0, lastSync INT NOT NULL DEFAULT 0,
    archived INT NOT NULL DEFAULT 0);
CREATE TABLE items (itemID INTEGER PRIMARY KEY, itemTypeID INT NOT NULL,
    dateAdded TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    dateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    clientDateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    libraryID INT NOT NULL, key TEXT NOT NULL, version INT NOT NULL DEFAULT 0,
    clientVersion INT NOT NULL DEFAULT 0, synced INT NOT NULL DEFAULT 0,
    UNIQUE (libraryID, key));
CREATE TABLE itemDataValues (valueID INTEGER PRIMARY KEY, value UNIQUE, valueNormalized TEXT);
CREATE TABLE itemData (itemID INT, fieldID INT, valueID, PRIMARY KEY (itemID, fieldID));
CREATE TABLE itemNotes (itemID INTEGER PRIMARY KEY, parentItemID INT, note TEXT, title TEXT);
CREATE TABLE itemAttachments (itemID INTEGER PRIMARY KEY, parentItemID INT, linkMode INT,
    contentType TEXT, charsetID INT, path TEXT, syncState INT DEFAULT 0,
    storageModTime INT, storageHash TEXT, lastProcessedModificationTime INT, lastRead INT);
CREATE TABLE tags (tagID INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, nameNormalized TEXT);
CREATE TABLE itemTags (itemID INT NOT NULL, tagID INT NOT NULL, type INT NOT NULL,
    PRIMARY KEY (itemID, tagID));
CREATE TABLE creators (creatorID INTEGER PRIMARY KEY, firstName TEXT, lastName TEXT,
    fieldMode INT, firstNameNormalized TEXT, lastNameNormalized TEXT,
    UNIQUE (lastName, firstName, fieldMode));
CREATE TABLE itemCreators (itemID INT NOT NULL, creatorID INT NOT NULL,
    creatorTypeID INT NOT NULL DEFAULT 1, orderIndex INT NOT NULL DEFAULT 0,
    PRIMARY KEY (itemID, creatorID, creatorTypeID, orderIndex), UNIQUE (itemID, orderIndex));
CREATE TABLE collections (collectionID INTEGER PRIMARY KEY, collectionName TEXT NOT NULL,
    parentCollectionID INT DEFAULT NULL,
    clientDateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, libraryID INT NOT NULL,
    key TEXT NOT NULL, version INT NOT NULL DEFAULT 0, clientVersion INT NOT NULL DEFAULT 0,
    synced INT NOT NULL DEFAULT 0, UNIQUE (libraryID, key));
CREATE TABLE collectionItems (collectionID INT NOT NULL, itemID INT NOT NULL,
    orderIndex INT NOT NULL DEFAULT 0, PRIMARY KEY (collectionID, itemID));
CREATE TABLE deletedItems (itemID INTEGER PRIMARY KEY,
    dateDeleted DEFAULT CURRENT_TIMESTAMP NOT NULL);
"""


class ZoteroDB:
    """A new Zotero database at ``path``; add items, then ``close()``."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path)
        self.db.executescript(TABLES)
        self.db.execute("INSERT INTO libraries VALUES (1, 'user', 1, 1, 0, 0, 0, 0)")
        types = [*sorted(CSL_TYPES), "annotation"]
        self.types = {t: i + 1 for i, t in enumerate(types)}
        self.db.executemany(
            "INSERT INTO itemTypes VALUES (?, ?, NULL, 1)", [(i, t) for t, i in self.types.items()]
        )
        names = sorted(set(CSL_FIELDS) | set(BASE_FIELDS) | {"citationKey", "extra"})
        self.fields = {f: i + 1 for i, f in enumerate(names)}
        self.db.executemany(
            "INSERT INTO fields VALUES (?, ?, NULL)", [(i, f) for f, i in self.fields.items()]
        )
        self.ctypes = {c: i + 1 for i, c in enumerate(sorted(CSL_NAMES))}
        self.db.executemany(
            "INSERT INTO creatorTypes VALUES (?, ?)", [(i, c) for c, i in self.ctypes.items()]
        )
        self.next_id = 1
        self.collections: dict[str, int] = {}

    def _id(self, table: str, sql: str, key: Any, insert: str, args: tuple) -> int:
        row = self.db.execute(sql, key).fetchone()
        if row:
            return int(row[0])
        return int(self.db.execute(insert, args).lastrowid or 0)

    def _item(self, item_type: str, key: str) -> int:
        item_id = self.next_id
        self.next_id += 1
        self.db.execute(
            "INSERT INTO items (itemID, itemTypeID, libraryID, key) VALUES (?, ?, 1, ?)",
            (item_id, self.types[item_type], key),
        )
        return item_id

    def _field(self, item_id: int, name: str, value: str) -> None:
        vid = self._id(
            "itemDataValues",
            "SELECT valueID FROM itemDataValues WHERE value = ?",
            (value,),
            "INSERT INTO itemDataValues (value) VALUES (?)",
            (value,),
        )
        self.db.execute("INSERT INTO itemData VALUES (?, ?, ?)", (item_id, self.fields[name], vid))

    def collection(self, name: str, parent: str | None = None) -> int:
        cid = self.db.execute(
            "INSERT INTO collections (collectionName, parentCollectionID, libraryID, key) "
            "VALUES (?, ?, 1, ?)",
            (name, self.collections.get(parent or ""), f"C{len(self.collections):07d}"),
        ).lastrowid
        self.collections[name] = int(cid or 0)
        return int(cid or 0)

    def add(
        self,
        item_type: str,
        key: str,
        fields: dict[str, str],
        creators: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
        *,
        tags: list[str] = (),  # type: ignore[assignment]
        notes: list[str] = (),  # type: ignore[assignment]
        collections: list[str] = (),  # type: ignore[assignment]
        attachments: list[str] = (),  # type: ignore[assignment]
        deleted: bool = False,
    ) -> int:
        item_id = self._item(item_type, key)
        for name, value in fields.items():
            self._field(item_id, name, value)
        for n, (ctype, first, last) in enumerate(creators):
            cid = self._id(
                "creators",
                "SELECT creatorID FROM creators WHERE firstName = ? AND lastName = ?",
                (first, last),
                "INSERT INTO creators (firstName, lastName, fieldMode) VALUES (?, ?, 0)",
                (first, last),
            )
            self.db.execute(
                "INSERT INTO itemCreators VALUES (?, ?, ?, ?)",
                (item_id, cid, self.ctypes[ctype], n),
            )
        for tag in tags:
            tid = self._id(
                "tags",
                "SELECT tagID FROM tags WHERE name = ?",
                (tag,),
                "INSERT INTO tags (name) VALUES (?)",
                (tag,),
            )
            self.db.execute("INSERT INTO itemTags VALUES (?, ?, 0)", (item_id, tid))
        for i, note in enumerate(notes):
            nid = self._item("note", f"{key[:6]}N{i}")
            self.db.execute("INSERT INTO itemNotes VALUES (?, ?, ?, '')", (nid, item_id, note))
        for i, path in enumerate(attachments):
            aid = self._item("attachment", f"{key[:6]}A{i}")
            self.db.execute(
                "INSERT INTO itemAttachments (itemID, parentItemID, linkMode, contentType, path) "
                "VALUES (?, ?, 0, 'application/pdf', ?)",
                (aid, item_id, path),
            )
        for name in collections:
            self.db.execute(
                "INSERT INTO collectionItems VALUES (?, ?, 0)", (self.collections[name], item_id)
            )
        if deleted:
            self.db.execute("INSERT INTO deletedItems (itemID) VALUES (?)", (item_id,))
        return item_id

    def close(self) -> None:
        self.db.commit()
        self.db.close()
