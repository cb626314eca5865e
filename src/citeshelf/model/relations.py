"""Relations between records: a record pointing to another by key.

A record's ``parent`` is the record it is part of (a chapter's book, a
paper's proceedings, an encyclopedia entry's reference work, a volume's
multivolume set); what it takes from that parent is :mod:`.inherit`'s table.
Every other link is a :class:`Relation` in the record's ``related`` list: the
work it reprints or translates, reviews, was first published in ... Its
``type`` is biblatex's ``relatedtype`` (``reprintof``, ``translationof``,
``reviewof``, ``origpubin``, ``multivolume``, ``bytranslator`` ... or any
other word; plain ``related`` when none is given), ``string`` and ``options``
are biblatex's ``relatedstring`` and ``relatedoptions``.

:func:`links` lists every key a record points to, which is what rekeying,
merging, removing and ``check`` follow.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from .keyfiles import check_key

__all__ = ["DEFAULT_RELATION", "STANDARD_TYPES", "Relation", "links", "parse_relations", "repoint"]

#: The type of a relation the source names no type for.
DEFAULT_RELATION = "related"

#: biblatex's relation types (its manual, 3.4 "Related Entries").
STANDARD_TYPES = (
    "bytranslator",
    "multivolume",
    "origpubas",
    "origpubin",
    "reprint",
    "reprintas",
    "reprintof",
    "reviewof",
    "translationas",
    "translationfrom",
    "translationof",
)


def parse_relations(text: str) -> list[dict[str, str]]:
    """Relations from text, as ``--set related=...`` takes them:
    ``"reprintof:smith1950; reviewof:doe2001"`` -> ``[{"type": "reprintof",
    "key": "smith1950"}, {"type": "reviewof", "key": "doe2001"}]``. Items are
    separated by ``;`` or ``,``; an item whose text before its first colon is
    not one of :data:`STANDARD_TYPES` (or ``related``) is the key of a plain
    ``related`` link (a key may hold colons: ``comp.text.tex:1989``)."""
    out: list[dict[str, str]] = []
    for item in text.replace(";", ",").split(","):
        item = item.strip()
        if not item:
            continue
        kind, sep, key = item.partition(":")
        if sep and key.strip() and kind.strip().lower() in (*STANDARD_TYPES, DEFAULT_RELATION):
            out.append({"type": kind.strip().lower(), "key": key.strip()})
        else:
            out.append({"type": DEFAULT_RELATION, "key": item})
    return out


class Relation(BaseModel):
    """One link from a record to another (biblatex ``related``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str = DEFAULT_RELATION
    key: str
    string: str | None = None
    options: str | None = None

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        return check_key(value.strip())

    @field_validator("type")
    @classmethod
    def _type(cls, value: str) -> str:
        return " ".join(value.split()) or DEFAULT_RELATION


def links(record: Any) -> list[tuple[str, str]]:
    """(what, key) for every record ``record`` points to: ("parent", key) and
    (relation type, key), in the record's order."""
    out = [("parent", record.parent)] if record.parent else []
    out += [(r.type, r.key) for r in record.related]
    return out


def repoint(record: Any, old: str, new: str) -> Any:
    """``record`` with its links to ``old`` pointing to ``new`` (a link that
    would point to the record itself, or repeat another, is dropped); None if
    it has no link to ``old``."""
    if old not in {k for _, k in links(record)}:
        return None
    update: dict[str, object] = {}
    if record.parent == old:
        update["parent"] = new if new != record.key else None
    related = []
    for r in record.related:
        if r.key == old:
            r = r.model_copy(update={"key": new})
        if r.key != record.key and r not in related:
            related.append(r)
    if related != record.related:
        update["related"] = related
    return record.model_copy(update=update)
