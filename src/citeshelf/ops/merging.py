"""Merging duplicates: the ``merge`` operation.

Public API::

    plan_merge(library, keep, others, *, take=()) -> MergePlan
        The merged record (not saved): KEEP's fields, with each field KEEP
        lacks taken from the first OTHER that has it; where both have a
        different value KEEP wins (``MergePlan.conflicts``) unless the field
        is named in ``take`` (then the first OTHER's value wins). Tags,
        keywords and ISBNs are joined; ``extra`` is merged (KEEP's values
        win); ``added`` is the earliest. The OTHER keys (and theirs) are kept
        in ``extra["former_keys"]``, so that a manuscript citing them still
        exports (``export --cited-in``). ``MergePlan.chapters`` are the
        records whose parent is an OTHER, or that name one in a relation
        (``related``): they are pointed at KEEP (so are KEEP's own links; a
        link to itself is dropped). ``MergePlan.tied`` are the records whose
        tie order (``extra.tie_order``) names an OTHER: it names KEEP instead
        (once), as KEEP's own does.
        Raises ``NotFound`` for a missing key, ``UsageError`` for a record
        merged with itself or an unknown field in ``take``, ``Conflict`` for
        records of different types.
    fill_missing(keep, other) -> (record, [field, ...])
        KEEP with the fields it lacks taken from OTHER (a record field, or a
        field kept under ``extra``), nothing joined, nothing of KEEP's
        changed: what an import keeps of a duplicate it skips. The links
        are not taken (``parent``, ``related``, and the keys kept in extra:
        ``crossref``, ``xref``, ``entryset``): the import checks the links of
        the entries it imports, not those of a twin it skips, so a link taken
        from one could name a record that is not there. What a source said
        of a field beside its value (``extra.month = "Spring"`` beside the
        date, :data:`citeshelf.formats.FIELD_EXTRA`) is taken only with the
        field's value, not beside KEEP's own (an export would write the
        other's month next to KEEP's date).
    merge_records(library, plan) -> MergePlan
        Write it: KEEP first, then the chapters, then the OTHER records are
        removed (a failure part-way leaves duplicates, never a chapter
        without its book).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FORMER_KEYS", "MergePlan", "fill_missing", "merge_records", "plan_merge"]

#: where a merged record keeps the keys of the records merged into it
FORMER_KEYS = "former_keys"

_JOINED = ("tags", "keywords", "isbn")
_SKIP = ("type", "key", "added", "modified", "extra", "related")
#: what fill_missing never takes: the links besides (see the module docstring)
_NOT_FILLED = (*_SKIP, "parent")


@dataclass
class MergePlan:
    keep: str
    others: list[str]
    record: Any
    #: (field, KEEP's value, the other's value, the other's key, the value used)
    conflicts: list[tuple[str, Any, Any, str, str]] = field(default_factory=list)
    taken: list[tuple[str, str]] = field(default_factory=list)  # (field, from key)
    chapters: list[str] = field(default_factory=list)
    #: the records whose tie order names an OTHER (KEEP's own is the record's)
    tied: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "keep": self.keep,
            "merged": list(self.others),
            "taken": [{"field": f, "from": k} for f, k in self.taken],
            "conflicts": [
                {"field": f, "kept": a, "other": b, "from": k, "used": used}
                for f, a, b, k, used in self.conflicts
            ],
            "chapters": list(self.chapters),
            "tied": list(self.tied),
        }


def plan_merge(
    library: Any, keep: str, others: Iterable[str], *, take: Iterable[str] = ()
) -> MergePlan:
    """What merging ``others`` into ``keep`` makes (see the module docstring)."""
    from ..errors import Conflict, NotFound, UsageError
    from ..model import WORK_TYPES, parse_record
    from ..model.order import retie
    from ..model.relations import repoint

    others = list(dict.fromkeys(others))
    if not others:
        raise UsageError("give the records to merge into KEEP: citeshelf merge KEEP OTHER...")
    if keep in others:
        raise UsageError(f"cannot merge '{keep}' with itself; nothing was changed")
    for k in [keep, *others]:
        library.path_for(k)  # refuses an invalid key
    missing = [k for k in [keep, *others] if k not in library]
    if missing:
        raise NotFound(
            f"no record {', '.join(repr(k) for k in missing)} in {library.path}; "
            "nothing was changed"
        )
    base = library.get(keep)
    records = [library.get(k) for k in others]
    for r in records:
        if r.type != base.type:
            raise Conflict(
                f"'{keep}' is a {base.type}, '{r.key}' a {r.type}: merge records of one type "
                "(change one first with 'citeshelf edit'); nothing was changed"
            )
    take = list(dict.fromkeys(take))
    fields = WORK_TYPES[base.type].model_fields
    unknown = [t for t in take if t not in fields or t in _SKIP]
    if unknown:
        raise UsageError(
            f"--take: a {base.type} has no field {', '.join(repr(t) for t in unknown)}; "
            "nothing was changed"
        )
    plan = MergePlan(keep, others, None)
    data = base.to_json_dict()
    protect = dict(data.get("extra", {}).get("protect") or {})
    extra: dict[str, Any] = {}
    related = list(base.related)
    for r in records:
        other = r.to_json_dict()
        for name, value in other.items():
            if name in _SKIP:
                continue
            if name in _JOINED:
                data[name] = list(dict.fromkeys([*data.get(name, []), *value]))
                continue
            mine = data.get(name)
            if mine is None:
                data[name] = value
                plan.taken.append((name, r.key))
                _take_protect(protect, r, name)
            elif mine != value:
                used = keep
                if name in take and not any(c[0] == name for c in plan.conflicts):
                    data[name] = value
                    used = r.key
                    _take_protect(protect, r, name)
                plan.conflicts.append((name, mine, value, r.key, used))
        for name, value in (other.get("extra") or {}).items():
            if name != "protect":
                extra.setdefault(name, value)
        for rel in r.related:
            if rel not in related:
                related.append(rel)
        if r.added and (base.added is None or r.added < base.added):
            data["added"] = r.added.isoformat().replace("+00:00", "Z")
    extra.update({k: v for k, v in (data.get("extra") or {}).items() if k != "protect"})
    former = [str(k) for k in extra.get(FORMER_KEYS) or []]
    for r in records:
        former += [r.key, *[str(k) for k in (r.extra or {}).get(FORMER_KEYS) or []]]
    extra[FORMER_KEYS] = [k for k in dict.fromkeys(former) if k != keep]
    if protect:
        extra["protect"] = protect
    data["extra"] = extra
    data["related"] = [r.model_dump(exclude_none=True) for r in related]
    record = parse_record(data)
    for k in others:
        record = repoint(record, k, keep) or record
        record = retie(record, k, keep) or record
        plan.chapters += [
            c
            for c in library.linked_keys(k)
            if c not in others and c != keep and c not in plan.chapters
        ]
        plan.tied += [
            c for c in library.tied_keys(k) if c not in others and c != keep and c not in plan.tied
        ]
    plan.record = record
    return plan


def _take_protect(protect: dict[str, Any], record: Any, name: str) -> None:
    """A field's protected phrases go with the field's value."""
    theirs = (record.extra or {}).get("protect")
    if isinstance(theirs, dict) and name in theirs:
        protect[name] = theirs[name]
    else:
        protect.pop(name, None)


#: extra tables keyed by record field, which go with a field taken from another record
_PER_FIELD = ("protect", "latex_markup")


def fill_missing(keep: Any, other: Any) -> tuple[Any, list[str]]:
    """``keep`` with the fields it lacks taken from ``other`` (see the module
    docstring), and the names of the fields taken."""
    from ..formats import FIELD_EXTRA, LINK_EXTRA, RESERVED_EXTRA
    from ..model import parse_record

    if keep.type != other.type:
        return keep, []
    data = keep.to_json_dict()
    theirs = other.to_json_dict()
    taken = [n for n, v in theirs.items() if n not in _NOT_FILLED and data.get(n) is None and v]
    for name in taken:
        data[name] = theirs[name]
    extra = dict(data.get("extra") or {})
    other_extra = theirs.get("extra") or {}
    for name, value in other_extra.items():
        if name in RESERVED_EXTRA or name in LINK_EXTRA or name == FORMER_KEYS:
            continue
        if name in FIELD_EXTRA and getattr(keep, FIELD_EXTRA[name], None):
            continue  # of a field KEEP has its own value of
        if name not in extra:
            extra[name] = value
            taken.append(name)
    for table in _PER_FIELD:
        mine, given = dict(extra.get(table) or {}), other_extra.get(table)
        if isinstance(given, dict):
            mine.update({n: given[n] for n in taken if n in given and n not in mine})
            if mine:
                extra[table] = mine
    if not taken:
        return keep, []
    data["extra"] = extra
    return parse_record(data), taken


def merge_records(library: Any, plan: MergePlan) -> MergePlan:
    """Write the merge (see the module docstring)."""
    library.update(plan.record)
    from ..model.order import retie
    from ..model.relations import repoint

    for key in dict.fromkeys([*plan.chapters, *plan.tied]):
        chapter = library.get(key)
        for other in plan.others:
            chapter = repoint(chapter, other, plan.keep) or chapter
            chapter = retie(chapter, other, plan.keep) or chapter
        library.update(chapter)
    for key in plan.others:
        library.delete(key)
    return plan
