"""Better BibTeX's JSON export ("BetterBibTeX JSON") as Zotero items.

The file is one object: ``config`` (its ``label`` is ``BetterBibTeX JSON``),
``items`` (each with ``itemType``, Zotero's field names, ``creators``,
``tags``, ``notes``, ``attachments`` and the ``citationKey``) and
``collections`` (key -> ``name``, ``parent``, ``items``: item IDs). Child notes
and attachments are inside their item; top-level notes and attachments
(``itemType`` ``note``/``attachment``) are not records and are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...errors import InvalidData
from ..entries import ReadBatch
from .items import ZoteroItem, read_items

__all__ = ["is_bbt_json", "items_from_bbt", "read_bbt_json"]

_SKIP = frozenset({"note", "attachment", "annotation"})
_NOT_FIELDS = frozenset(
    {
        "itemType",
        "creators",
        "tags",
        "notes",
        "attachments",
        "collections",
        "relations",
        "citationKey",
        "itemID",
        "itemKey",
        "key",
        "uri",
        "libraryID",
        "version",
        "dateAdded",
        "dateModified",
        "accessDate_",
    }
)


def is_bbt_json(data: Any) -> bool:
    """True for a Better BibTeX JSON export (an object with ``items``), not CSL-JSON."""
    return (
        isinstance(data, Mapping)
        and isinstance(data.get("items"), list)
        and ("config" in data or "collections" in data)
    )


def is_bbt_head(head: str) -> bool:
    """True when the start of a JSON file looks like a BBT JSON export."""
    text = head.lstrip()
    return (
        text.startswith("{")
        and ('"config"' in text or '"items"' in text)
        and ("BetterBibTeX JSON" in text or '"itemType"' in text or '"collections"' in text)
    )


def _collection_paths(data: Mapping[str, Any]) -> dict[Any, list[str]]:
    """item ID (or key) -> the paths of the collections it is in."""
    colls = data.get("collections")
    if not isinstance(colls, Mapping):
        return {}

    def path(key: Any, seen: frozenset = frozenset()) -> str:
        c = colls.get(key)
        if not isinstance(c, Mapping) or key in seen:
            return ""
        name = str(c.get("name") or key)
        parent = c.get("parent")
        up = path(parent, seen | {key}) if parent else ""
        return f"{up}/{name}" if up else name

    out: dict[Any, list[str]] = {}
    for key, c in colls.items():
        if isinstance(c, Mapping):
            for item in c.get("items") or []:
                out.setdefault(item, []).append(path(key))
    return out


def _text(value: Any) -> str | None:
    if isinstance(value, list):  # BBT writes Extra as a list of lines at times
        value = "\n".join(str(v) for v in value)
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _notes(value: Any) -> list[str]:
    out = []
    for n in value or []:
        text = n.get("note") if isinstance(n, Mapping) else n
        if isinstance(text, str):
            out.append(text)
    return out


def items_from_bbt(data: Mapping[str, Any]) -> list[ZoteroItem]:
    """The regular items of a BBT JSON export, in file order."""
    in_colls = _collection_paths(data)
    out = []
    for i, raw in enumerate(data.get("items") or []):
        if not isinstance(raw, Mapping) or raw.get("itemType") in _SKIP:
            continue
        fields = {}
        for name, value in raw.items():
            if name in _NOT_FIELDS:
                continue
            text = _text(value)
            if text is not None:
                fields[name] = text
        creators = [dict(c) for c in raw.get("creators") or [] if isinstance(c, Mapping)]
        tags = [str(t.get("tag") if isinstance(t, Mapping) else t) for t in raw.get("tags") or []]
        attachments = [
            str(a.get("path") or a.get("url") or "")
            for a in raw.get("attachments") or []
            if isinstance(a, Mapping) and (a.get("path") or a.get("url"))
        ]
        colls = in_colls.get(raw.get("itemID"), []) + in_colls.get(
            raw.get("itemKey") or raw.get("key"), []
        )
        key = raw.get("itemKey") or raw.get("key")
        out.append(
            ZoteroItem(
                item_type=str(raw.get("itemType") or "document"),
                fields=fields,
                creators=creators,
                tags=tags,
                notes=_notes(raw.get("notes")),
                collections=colls,
                attachments=attachments,
                key=str(key) if key else None,
                citation_key=_text(raw.get("citationKey")) or None,
                label=f"item {i + 1}",
            )
        )
    return out


def read_bbt_json(path: str | Path) -> ReadBatch:
    """Read a BBT JSON export file into entries (see :mod:`.items`)."""
    from ..csljson import read_json_file

    p = Path(path)
    data = read_json_file(p)
    if not is_bbt_json(data):
        raise InvalidData(f"{p}: not a Better BibTeX JSON export (an object with config and items)")
    return read_items(items_from_bbt(data), str(p))
