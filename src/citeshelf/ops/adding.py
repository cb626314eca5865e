"""Adding a record: the ``add`` operation.

Public API::

    prepare_add(library, work_type, *, key=None, values=None, authors=(),
                editors=(), translators=(), isbns=(), tags=(), fields=(),
                names=None) -> Draft
        The record checked but not saved. ``values`` maps single-valued
        options (``title``, ``year``, ``parent`` ...) and other fields by
        name (``institution``, ``degree`` ...) to text; ``fields`` are
        "NAME=VALUE" strings; ``names`` more name lists by field
        (``{"container_authors": ["Kay, Sean"]}``). ``Draft.missing()`` lists the recommended
        fields it lacks; ``Draft.with_field(field, text)`` is a new draft with
        one more field (raises if the value is not valid).
    save_new(library, draft, on_duplicate="error") -> Added
        Save it under its key, or a generated free key (never overwriting).
        A record whose DOI, or as a book its ISBN with the same edition and
        volume, is already in the library (the rule of
        :mod:`citeshelf.ops.duplicates`) is refused (``Conflict`` naming that
        record); ``on_duplicate`` "skip" saves nothing and returns the
        existing record (``Added.duplicate_of``), "rename" saves it all the
        same, "update" puts its fields over the existing record's.
    add_record(library, work_type, **same) -> Added
        prepare_add and save_new in one step.
    add_template(work_type, **same as prepare_add) -> str
        A record file for ``add TYPE --edit``: the type's fields, empty (or as
        the options gave them), and an empty key (generated when saved).
        The options are checked field by field, the record not yet.
    parse_template(library, work_type, text) -> Draft
        The draft an edited template describes, checked as prepare_add checks
        options (``InvalidData`` saying why not); nothing is saved.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "SIMPLE_FIELDS",
    "Added",
    "Draft",
    "add_record",
    "add_template",
    "parse_template",
    "prepare_add",
    "save_new",
]

#: single-valued option name -> record field
SIMPLE_FIELDS = {
    "title": "title",
    "subtitle": "subtitle",
    "year": "issued",
    "publisher": "publisher",
    "place": "place",
    "edition": "edition",
    "volume": "volume",
    "journal": "journal",
    "issue": "issue",
    "issn": "issn",
    "pages": "pages",
    "chapter": "chapter",
    "doi": "doi",
    "url": "url",
    "parent": "parent",
}


@dataclass
class Draft:
    """A record being added: its data, the record built from it, its book."""

    library: Any
    work_type: str
    key: str | None
    data: dict[str, Any]
    record: Any
    parent: Any = None

    @property
    def what(self) -> str:
        return f"new {self.work_type}" if self.key is None else f"record '{self.key}'"

    def view(self, record: Any = None) -> Any:
        """The record as styles see it: a chapter with its book's data."""
        from ..library.parents import resolve

        record = self.record if record is None else record
        return resolve(record, self.library) if self.parent is not None else record

    def missing(self) -> list[str]:
        """The recommended fields the record lacks ("authors or editors" ...)."""
        from ..model import missing_recommended

        return list(missing_recommended(self.view()))

    def with_field(self, name: str, value: str) -> Draft:
        """A new draft with ``name`` set from ``value``; raises (InvalidData,
        UsageError) if the value does not make a valid record."""
        from ..library.fields import build_record, set_field

        data = dict(self.data)
        set_field(data, name, value, self.work_type)
        record = build_record(data, self.what)
        return Draft(self.library, self.work_type, self.key, data, record, self.parent)


@dataclass
class Added:
    """The saved record and the recommended fields it was saved without."""

    record: Any
    missing: list[str] = field(default_factory=list)
    #: (existing key, why) when the record duplicates one (skipped or updated)
    duplicate_of: tuple[str, str] | None = None
    updated: bool = False

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"key": self.record.key, "missing": list(self.missing)}
        if self.duplicate_of is not None:
            out["duplicate_of"] = {"key": self.duplicate_of[0], "why": self.duplicate_of[1]}
            out["updated"] = self.updated
        return out


def _check_options(work_type: str, key: str | None, parent: str | None) -> None:
    from ..errors import UsageError
    from ..model import check_key

    if key is not None:
        try:
            check_key(key)
        except ValueError as exc:
            raise UsageError(f"--key: {exc}") from None
    if work_type == "chapter" and not parent:
        raise UsageError("a chapter needs its book: give --parent BOOKKEY (add the book first)")
    from ..model.inherit import CONTAINERS

    if parent and work_type not in CONTAINERS:
        raise UsageError(
            f"--parent is for chapters, papers and volumes; a {work_type} has no parent"
        )


def _data(
    work_type: str,
    key: str | None,
    values: Mapping[str, str | None],
    names: Mapping[str, Iterable[str]],
    isbns: Iterable[str],
    tags: Iterable[str],
    fields: Iterable[str],
) -> dict[str, Any]:
    from ..errors import UsageError
    from ..library.fields import append_names, set_field

    data: dict[str, Any] = {"type": work_type, "key": key or "new"}
    for option, value in values.items():
        if value is not None:  # an option of SIMPLE_FIELDS, else a field's own name
            set_field(data, SIMPLE_FIELDS.get(option, option), value, work_type)
    for role, people in names.items():
        append_names(data, role, list(people))
    isbns = list(isbns)
    if isbns:
        set_field(data, "isbn", ",".join(isbns), work_type)
    tags = list(tags)
    if tags:
        data["tags"] = tags
    for item in fields:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--field takes NAME=VALUE, not {item!r}")
        set_field(data, name, value, work_type)
    return data


def _parent(library: Any, record: Any, given: str | None) -> Any:
    """A chapter's book, a paper's proceedings, a volume's set (which must
    exist and be of a type :data:`~citeshelf.model.inherit.CONTAINERS` allows), else None."""
    from ..errors import NotFound, UsageError
    from ..library.parents import parent_of
    from ..model.inherit import CONTAINERS

    if not record.parent:
        return None
    try:
        parent = parent_of(record, library)
    except NotFound:
        raise NotFound(
            f"--parent '{given}' is not in the library: add the book first "
            f"(citeshelf add book ...) or use --parent KEY"
        ) from None
    if parent is not None and parent.type not in CONTAINERS.get(record.type, ()):
        raise UsageError(f"--parent '{parent.key}' is a {parent.type}, not a book")
    if parent is not None and parent.parent == record.key:
        raise UsageError(f"--parent '{parent.key}' is part of '{record.key}' itself")
    return parent


def prepare_add(
    library: Any,
    work_type: str,
    *,
    key: str | None = None,
    values: Mapping[str, str | None] | None = None,
    authors: Iterable[str] = (),
    editors: Iterable[str] = (),
    translators: Iterable[str] = (),
    isbns: Iterable[str] = (),
    tags: Iterable[str] = (),
    fields: Iterable[str] = (),
    names: Mapping[str, Iterable[str]] | None = None,
) -> Draft:
    """A new record of ``work_type`` from option values, checked (see the
    module docstring); nothing is saved."""
    from ..library.fields import build_record

    values = dict(values or {})
    _check_options(work_type, key, values.get("parent"))
    names = {"authors": authors, "editors": editors, "translators": translators, **(names or {})}
    data = _data(work_type, key, values, names, isbns, tags, fields)
    draft = Draft(library, work_type, key, data, None)
    draft.record = build_record(data, draft.what)
    draft.parent = _parent(library, draft.record, values.get("parent"))
    return draft


def _duplicate(library: Any, draft: Draft, on_duplicate: str) -> Added | None:
    """What ``on_duplicate`` makes of a draft that duplicates a record; None
    to save it as new."""
    from ..errors import Conflict, UsageError
    from .duplicates import duplicate_of
    from .options import ON_DUPLICATE

    if on_duplicate not in ON_DUPLICATE:
        raise UsageError(f"--on-duplicate: use one of {', '.join(ON_DUPLICATE)}")
    hit = duplicate_of(library, draft.record)
    if hit is None or on_duplicate == "rename":
        return None
    other, why = hit
    if on_duplicate == "error":
        raise Conflict(
            f"{draft.what} duplicates '{other}' ({why}); nothing was added: see it with "
            f"'citeshelf show {other}', or choose --on-duplicate skip, rename or update"
        )
    old = library.get(other)
    if on_duplicate == "skip":
        return Added(old, [], hit)
    if old.type != draft.record.type:
        raise Conflict(
            f"{draft.what} duplicates '{other}' ({why}), which is a {old.type}, not a "
            f"{draft.record.type}; nothing was added: choose --on-duplicate skip or rename"
        )
    from .importing import merge_update

    new = merge_update(old, draft.record.model_copy(update={"key": other}))
    library.update(new.model_copy(update={"added": old.added}))
    from ..model import missing_recommended

    return Added(new, list(missing_recommended(draft.view(new))), hit, updated=True)


def save_new(library: Any, draft: Draft, on_duplicate: str = "error") -> Added:
    """Save the draft: under its own key (``AlreadyExists`` if taken), or a
    generated one (a, b, c ... for a taken key; another process taking the
    same key at the same moment makes it take the next). A duplicate by DOI
    or ISBN is dealt with as ``on_duplicate`` says (see the module docstring).
    All under the library's lock: the book cannot go while its chapter is
    saved, and no duplicate can be saved meanwhile."""
    from ..errors import AlreadyExists, NotFound
    from ..model.keys import unique_key
    from .configuring import key_formula

    with library.locked():
        if draft.parent is not None and draft.parent.key not in library:
            raise NotFound(f"the book '{draft.parent.key}' was removed meanwhile: not added")
        done = _duplicate(library, draft, on_duplicate)
        if done is not None:
            return done
        return _save(library, draft, AlreadyExists, unique_key, key_formula(library))


def _save(library: Any, draft: Draft, AlreadyExists: Any, unique_key: Any, formula: Any) -> Added:
    record = draft.record
    if draft.key is None:
        while True:
            new_key = unique_key(
                draft.view(record),
                lambda k: k in library or library.find_case_clash(k) is not None,
                formula,
            )
            record = record.model_copy(update={"key": new_key})
            try:
                library.create(record)
                break
            except AlreadyExists:
                if library.find_case_clash(new_key) and new_key not in library:
                    raise
                continue  # another process took the key a moment ago: take the next
    else:
        library.create(record)
    return Added(record, draft.missing())


def add_record(library: Any, work_type: str, **options: Any) -> Added:
    """Add a record in one step: :func:`prepare_add`, then :func:`save_new`.
    Single-valued fields can be given by name (``title="..."``, ``year="2014"``)."""
    values = dict(options.pop("values", None) or {})
    on_duplicate = options.pop("on_duplicate", "error")
    for name in list(options):
        if name in SIMPLE_FIELDS:
            values[name] = options.pop(name)
    draft = prepare_add(library, work_type, values=values, **options)
    return save_new(library, draft, on_duplicate)


def add_template(
    work_type: str,
    *,
    key: str | None = None,
    values: Mapping[str, str | None] | None = None,
    authors: Iterable[str] = (),
    editors: Iterable[str] = (),
    translators: Iterable[str] = (),
    isbns: Iterable[str] = (),
    tags: Iterable[str] = (),
    fields: Iterable[str] = (),
    names: Mapping[str, Iterable[str]] | None = None,
) -> str:
    """The record file ``add TYPE --edit`` opens: every field of the type in
    record-file order, those the options do not give empty, and the key
    empty unless one was given."""
    from ..library.fields import BOOL_FIELDS, LIST_FIELDS, NAME_FIELDS, template_fields

    people = {"authors": authors, "editors": editors, "translators": translators, **(names or {})}
    data = _data(work_type, key, dict(values or {}), people, isbns, tags, fields)
    out: dict[str, Any] = {"type": work_type, "key": key or ""}
    trailing = ("abstract", "keywords", "note", "tags")  # last, as in record files
    own = [n for n in template_fields(work_type, data) if n not in trailing]
    for name in [*own, *trailing]:
        if name == "type" or name in BOOL_FIELDS:
            continue
        empty: Any = [] if name in NAME_FIELDS or name in LIST_FIELDS else ""
        out[name] = data.get(name, empty)
    out["extra"] = data.get("extra", {})
    return json.dumps(out, indent=2, ensure_ascii=False) + "\n"


def parse_template(library: Any, work_type: str, text: str) -> Draft:
    """The draft an edited :func:`add_template` describes: its JSON checked,
    its type kept, an empty key generated on saving, a chapter's book found."""
    from ..errors import CiteshelfError, InvalidData
    from ..library.fields import build_record

    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidData(
            f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    if not isinstance(data, dict):
        raise InvalidData("the file must hold one JSON object")
    if data.get("type") != work_type:
        raise InvalidData(f"the type must stay '{work_type}': run add with another TYPE")
    for name in ("added", "modified"):
        data.pop(name, None)
    key = data.get("key")
    if key in (None, ""):
        key = None
    elif not isinstance(key, str):
        raise InvalidData("key: give a text, or leave it empty to have one generated")
    data["key"] = key or "new"
    draft = Draft(library, work_type, key, data, None)
    draft.record = build_record(data, draft.what)
    try:
        draft.parent = _parent(library, draft.record, getattr(draft.record, "parent", None))
    except CiteshelfError as exc:  # no such book, or a chapter: the text is kept
        raise InvalidData(str(exc).replace("--parent ", "parent ")) from None
    return draft
