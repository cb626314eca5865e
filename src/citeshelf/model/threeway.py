"""Three-way merge of two edits of one record, field by field.

Works on a record's plain JSON data (``BaseRecord.to_json_dict()``, a record
file's content): ``base`` is the common ancestor (None when both sides added
the record), ``ours`` and ``theirs`` the two edits. For each field:

* changed on one side only: that side's value;
* changed the same way on both: that value;
* ``tags``, ``keywords`` and ``isbn`` are sets: what either side added is
  added, what either side removed is removed (so two people tagging one
  record never conflict);
* ``extra`` is merged name by name, each name a field of its own
  (``extra.NAME`` in conflicts); ``added`` takes the earlier time and
  ``modified`` the later one;
* anything else, names lists (authors, editors) included, is one value:
  changed two different ways is a **conflict**.

A conflict keeps the record a valid record: the field holds ``ours``'s value
and ``extra["merge_conflict"]`` records every version, keyed by field::

    "extra": {"merge_conflict": {"title": {"base": "Old", "ours": "A", "theirs": "B"}}}

(``labels`` names the two sides; a missing value is ``null``). ``check``
reports such a record and ``edit --take LABEL`` (or ``--set FIELD=VALUE``)
resolves it with :func:`resolve`. Conflicts already recorded on either side
are kept (merged entry by entry).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CONFLICT",
    "SET_FIELDS",
    "Merged",
    "conflicts_of",
    "drop_conflicts",
    "merge_record_data",
    "resolve",
]

#: the name in ``extra`` that holds a record's unresolved conflicts
CONFLICT = "merge_conflict"
#: list fields merged as sets
SET_FIELDS = frozenset({"tags", "keywords", "isbn"})
_EMPTY: tuple[Any, ...] = (None, [], {}, "")


@dataclass
class Merged:
    """The merged record data and the fields left in conflict (sorted)."""

    data: dict[str, Any]
    conflicts: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.conflicts


def merge_record_data(
    base: Mapping[str, Any] | None,
    ours: Mapping[str, Any],
    theirs: Mapping[str, Any],
    labels: tuple[str, str] = ("ours", "theirs"),
) -> Merged:
    """Merge two edits of one record (see the module docstring)."""
    if labels[0] == labels[1] or "base" in labels:
        raise ValueError(f"the two sides need two names other than 'base', not {labels!r}")
    base = base or {}
    out: dict[str, Any] = {}
    found: dict[str, dict[str, Any]] = {}
    for name in _names(ours, theirs, base):
        if name == "extra":
            continue
        b, o, t = base.get(name), ours.get(name), theirs.get(name)
        if name in SET_FIELDS:
            value = _merge_set(b or [], o or [], t or [])
        elif name in ("added", "modified") and o and t:
            value = min(o, t) if name == "added" else max(o, t)
        else:
            value = _pick(name, b, o, t, labels, found)
        if value not in _EMPTY:
            out[name] = value
    extra = _merge_extra(
        base.get("extra") or {}, ours.get("extra") or {}, theirs.get("extra") or {}
    )
    extra_value = _merge_extra_names(extra, labels, found)
    if found:
        extra_value[CONFLICT] = {**extra_value.get(CONFLICT, {}), **found}
    if extra_value:
        out["extra"] = extra_value
    return Merged(out, sorted(found))


def _names(*datas: Mapping[str, Any]) -> list[str]:
    return list(dict.fromkeys(n for d in datas for n in d))


def _pick(
    name: str,
    b: Any,
    o: Any,
    t: Any,
    labels: tuple[str, str],
    found: dict[str, dict[str, Any]],
) -> Any:
    if o == t or t == b:
        return o
    if o == b:
        return t
    found[name] = {"base": b, labels[0]: o, labels[1]: t}
    return o


def _merge_set(b: list[Any], o: list[Any], t: list[Any]) -> list[Any]:
    removed = [x for x in b if x not in o or x not in t]
    out = [x for x in o if x not in removed]
    out += [x for x in t if x not in out and x not in removed]
    return out


_Triple = tuple[Any, Any, Any]


def _merge_extra(
    b: Mapping[str, Any], o: Mapping[str, Any], t: Mapping[str, Any]
) -> dict[str, _Triple]:
    return {n: (b.get(n), o.get(n), t.get(n)) for n in _names(o, t, b)}


def _merge_extra_names(
    triples: dict[str, _Triple], labels: tuple[str, str], found: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, (b, o, t) in triples.items():
        if name == CONFLICT:
            # conflicts recorded before: entry by entry, a resolved one stays resolved
            entries = _merge_extra(_dict(b), _dict(o), _dict(t))
            kept: dict[str, Any] = {}
            for fname, (eb, eo, et) in entries.items():
                value = eo if eo == et or et == eb else et if eo == eb else eo
                if value is not None:
                    kept[fname] = value
            if kept:
                out[name] = kept
            continue
        value = _pick(f"extra.{name}", b, o, t, labels, found)
        if value is not None:
            out[name] = value
    return out


def _dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def conflicts_of(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The unresolved conflicts a record's data holds: field -> versions."""
    block = (data.get("extra") or {}).get(CONFLICT)
    if not isinstance(block, Mapping):
        return {}
    return {str(k): dict(v) for k, v in block.items() if isinstance(v, Mapping)}


def resolve(
    data: Mapping[str, Any], takes: Iterable[tuple[str | None, str]]
) -> tuple[dict[str, Any], list[str]]:
    """Resolve conflicts by taking versions: each (field, label) pair takes
    that label's value for the field; a field of None means every conflicted
    field. Returns the new data and the fields resolved; ``ValueError`` for a
    field not in conflict or a label it does not have."""
    conflicts = conflicts_of(data)
    if not conflicts:
        raise ValueError("it has no merge conflict")
    out = {k: v for k, v in data.items() if k != "extra"}
    extra = dict(data.get("extra") or {})
    done: list[str] = []
    for fname, label in takes:
        names = list(conflicts) if fname is None else [fname]
        for name in names:
            if name not in conflicts:
                raise ValueError(
                    f"its field {name!r} is not in conflict (in conflict: {', '.join(conflicts)})"
                )
            versions = conflicts[name]
            if label not in versions:
                raise ValueError(
                    f"its conflict in {name!r} has no version {label!r} "
                    f"(it has: {', '.join(versions)})"
                )
            _put(out, extra, name, versions[label])
            del conflicts[name]
            done.append(name)
    if conflicts:
        extra[CONFLICT] = conflicts
    else:
        extra.pop(CONFLICT, None)
    if extra:
        out["extra"] = extra
    return out, done


def drop_conflicts(data: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """``data`` with the conflicts of fields ``names`` marked resolved (the
    fields keep the value they have)."""
    conflicts = conflicts_of(data)
    left = {k: v for k, v in conflicts.items() if k not in set(names)}
    if left == conflicts:
        return dict(data)
    out = dict(data)
    extra = dict(out.get("extra") or {})
    if left:
        extra[CONFLICT] = left
    else:
        extra.pop(CONFLICT, None)
    if extra:
        out["extra"] = extra
    else:
        out.pop("extra", None)
    return out


def _put(out: dict[str, Any], extra: dict[str, Any], name: str, value: Any) -> None:
    target, key = (extra, name[len("extra.") :]) if name.startswith("extra.") else (out, name)
    if value in _EMPTY:
        target.pop(key, None)
    else:
        target[key] = value
