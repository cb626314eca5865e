"""Renaming records: the ``rekey`` operation.

Public API::

    plan_rekey(library, old, new, manuscripts=()) -> RekeyPlan
        What renaming ``old`` to ``new`` changes: the record file, the
        records whose ``parent`` is ``old`` or that name it in a relation
        (``related``), those whose tie order names it (``extra.tie_order``,
        :data:`citeshelf.model.order.TIE_ORDER`), and the citations in the
        manuscripts (and the files they ``\\input``). ``NotFound`` for an
        unknown key or manuscript, ``AlreadyExists`` if ``new`` is taken (in
        any letter case), ``UsageError`` for an invalid key. Nothing changes.
    apply_rekey(library, plan) -> RekeyPlan
        Make the change: the new file appears by exclusive create (never over
        another record), then the chapters and manuscripts are replaced
        atomically, then the old file goes. On a failure what was done is undone.
    preview_keys(library, formula=None, manuscripts=(), include_pinned=False) -> KeyPreview
        The key each record would get from ``formula`` (default: the
        configured one). Keys cited in ``manuscripts`` are pinned (kept)
        unless ``include_pinned``. New keys never take a key that exists.
    pinned_manuscripts(library) -> list[Path]
        The manuscripts the configuration lists (``manuscripts``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "KeyPreview",
    "ManuscriptChange",
    "RekeyPlan",
    "apply_rekey",
    "pinned_manuscripts",
    "plan_rekey",
    "preview_keys",
]


@dataclass
class ManuscriptChange:
    path: Path
    before: str
    after: str
    count: int

    def diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True),
                self.after.splitlines(keepends=True),
                f"a/{self.path}",
                f"b/{self.path}",
            )
        )


@dataclass
class RekeyPlan:
    old: str
    new: str
    path_old: Path
    path_new: Path
    children: list[str] = field(default_factory=list)
    manuscripts: list[ManuscriptChange] = field(default_factory=list)
    #: the children that name ``old`` in a relation (the others, as parent)
    related: list[str] = field(default_factory=list)
    #: the other records whose tie order names ``old``
    tied: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        lines = [f"rename {self.path_old} -> {self.path_new}"]
        if self.children:
            what = "links to" if self.related else "parent"
            lines.append(f"{what} {self.old} -> {self.new} in {', '.join(self.children)}")
        if self.tied:
            lines.append(f"tie order {self.old} -> {self.new} in {', '.join(self.tied)}")
        for m in self.manuscripts:
            lines.append(f"{m.path}: {m.count} citation{'s' if m.count != 1 else ''}")
        return lines

    def diff(self) -> str:
        return "".join(m.diff() for m in self.manuscripts)

    def to_json(self) -> dict[str, Any]:
        return {
            "old": self.old,
            "new": self.new,
            "children": self.children,
            "related": self.related,
            "tied": self.tied,
            "manuscripts": [{"path": str(m.path), "citations": m.count} for m in self.manuscripts],
        }


def pinned_manuscripts(library: Any) -> list[Path]:
    """The manuscripts listed under ``manuscripts`` in the configuration,
    relative to the file that lists them."""
    from ..library.config import load_config

    config = load_config(library.path)
    names = config.get("manuscripts") or []
    source = config.source("manuscripts") or "."
    return [Path(source).parent / name for name in names]


def _manuscript_files(paths: Iterable[str | Path]) -> list[tuple[Path, str]]:
    """Each manuscript and the files it includes, with its kind ("tex", "md")."""
    from ..errors import UsageError
    from ..formats.manuscript import cited_keys, manuscript_kind

    paths = list(paths)
    if not paths:
        return []
    out: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for path in cited_keys(paths).files:
        kind = manuscript_kind(path)
        if kind == "aux":
            raise UsageError(
                f"{path}: an .aux file is made by LaTeX: give the .tex file it comes from"
            )
        real = path.resolve()
        if kind is not None and real not in seen:
            seen.add(real)
            out.append((path, kind))
    return out


def _read(path: Path) -> str:
    from ..errors import InvalidData

    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidData(f"{path}: not UTF-8 text (byte {exc.start}): nothing changed") from None


def plan_rekey(
    library: Any, old: str, new: str, manuscripts: Iterable[str | Path] = ()
) -> RekeyPlan:
    """What renaming ``old`` to ``new`` would change (see the module docstring)."""
    from ..errors import AlreadyExists, UsageError
    from ..formats.manuscript import rewrite_citations

    path_old = library.path_for(old)
    path_new = library.path_for(new)
    library.get(old)  # NotFound, or a record file that does not read
    if new == old:
        raise UsageError(f"the record is already called '{old}'")
    if new in library:
        raise AlreadyExists(f"a record with key '{new}' already exists: nothing changed")
    clash = library.find_case_clash(new)
    if clash is not None:
        raise AlreadyExists(
            f"key '{new}' differs only in letter case from existing record '{clash}': "
            "rename it to another key first; nothing changed"
        )
    plan = RekeyPlan(old, new, path_old, path_new)
    for key in library.linked_keys(old):
        child = library.get(key)
        if child.parent == old:
            plan.children.append(key)
        if any(r.key == old for r in child.related):
            plan.related.append(key)
            if key not in plan.children:
                plan.children.append(key)
    plan.tied = [k for k in library.tied_keys(old) if k != old]
    files = _manuscript_files(manuscripts)
    if files:
        from ..formats.manuscript import cited_keys

        if new in cited_keys([p for p, _ in files]).keys:
            raise AlreadyExists(
                f"'{new}' is already cited in the manuscripts: renaming onto it would "
                "merge two references; nothing changed"
            )
    for path, kind in files:
        before = _read(path)
        after, count = rewrite_citations(before, kind, old, new)
        if count:
            plan.manuscripts.append(ManuscriptChange(path, before, after, count))
    return plan


def apply_rekey(library: Any, plan: RekeyPlan) -> RekeyPlan:
    """Carry out ``plan`` (from :func:`plan_rekey`): all of it, or on a failure nothing."""
    from ..errors import Conflict
    from .exporting import open_atomically

    for m in plan.manuscripts:
        if _read(m.path) != m.before:
            raise Conflict(f"{m.path} changed since the rename was planned: nothing changed")
    from ..model.order import retie
    from ..model.relations import repoint

    record = library.get(plan.old)
    record = record.model_copy(update={"key": plan.new})
    library.create(retie(record, plan.old, plan.new) or record)
    undo: list[Any] = [lambda: library.delete(plan.new)]
    try:
        for key in dict.fromkeys([*plan.children, *plan.tied]):
            child = library.get(key)
            moved = repoint(child, plan.old, plan.new)
            moved = retie(moved or child, plan.old, plan.new) or moved
            if moved is None:  # changed meanwhile
                continue
            library.update(moved, touch=False)
            undo.append(lambda child=child: library.update(child, touch=False))
        for m in plan.manuscripts:
            with open_atomically(m.path) as fh:
                fh.write(m.after)
            undo.append(lambda m=m: _restore(m.path, m.before))
        library.delete(plan.old)
    except BaseException:
        for step in reversed(undo):
            try:
                step()
            except Exception:  # pragma: no cover - best effort
                pass
        raise
    return plan


def _restore(path: Path, text: str) -> None:
    from .exporting import open_atomically

    with open_atomically(path) as fh:
        fh.write(text)


# -- previewing a formula ---------------------------------------------------------


@dataclass
class KeyPreview:
    formula: str
    #: (current key, key from the formula, "same" | "rename" | "pinned")
    rows: list[tuple[str, str, str]] = field(default_factory=list)
    pinned_from: list[str | Path] = field(default_factory=list)

    @property
    def renames(self) -> list[tuple[str, str]]:
        return [(old, new) for old, new, what in self.rows if what == "rename"]

    def to_json(self) -> dict[str, Any]:
        return {
            "formula": self.formula,
            "keys": [{"key": old, "new": new, "status": what} for old, new, what in self.rows],
        }


def preview_keys(
    library: Any,
    formula: str | None = None,
    manuscripts: Iterable[str | Path] = (),
    include_pinned: bool = False,
) -> KeyPreview:
    """The keys ``formula`` gives the library's records (see the module docstring)."""
    from ..errors import InvalidData, UsageError
    from ..formats.manuscript import cited_keys
    from ..library.parents import resolve
    from ..model.keyformula import DEFAULT_FORMULA, KeyFormulaError, parse_formula
    from ..model.keys import free_key
    from .configuring import key_formula

    if formula is None:
        formula = key_formula(library)
    text = formula or DEFAULT_FORMULA
    try:
        parsed = parse_formula(text)
    except KeyFormulaError as exc:
        raise UsageError(f"key formula {text!r}: {exc}") from None
    paths: list[str | Path] = [Path(p) for p in manuscripts]
    pinned: set[str] = set()
    if paths and not include_pinned:
        pinned = set(cited_keys(paths).keys)
    records, problems = library.load_all()
    if problems:
        raise InvalidData(f"{problems[0]}: fix it before renaming keys ('citeshelf check')")
    taken = {r.key.casefold() for r in records}
    preview = KeyPreview(text, pinned_from=paths)
    for record in records:
        base = parsed.key(resolve(record, library))
        if record.key in pinned:
            preview.rows.append((record.key, record.key, "pinned"))
        elif re.fullmatch(re.escape(base) + "[a-z]*", record.key):
            preview.rows.append((record.key, record.key, "same"))
        else:
            new = base if base.casefold() not in taken else free_key(base, _taken_in(taken))
            taken.add(new.casefold())
            preview.rows.append((record.key, new, "rename"))
    return preview


def _taken_in(taken: set[str]) -> Any:
    return lambda k: k.casefold() in taken
