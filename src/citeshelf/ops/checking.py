"""Checking a library: the ``check`` operation.

Public API::

    check_library(library, *, fix=False) -> Checked
        Every rule of :data:`RULES` over every record. ``Checked.problems``
        is a sorted list of :class:`Problem` (key, code, severity, message,
        and what ``--fix`` does, if it can do something safely); with
        ``fix=True`` those fixes are written and the problems marked fixed.
        ``Checked.ok`` is false while an error (not a warning or a note) is
        left.

The rules (code, severity: what it finds)::

    unreadable        error    a record file that does not parse or validate
    bad-identifier    error    the same, because of an ISBN, ISSN or DOI
    parent-missing    error    a chapter whose parent is not in the library
    parent-not-book   error    a chapter whose parent is a chapter
    dangling-relation warning  a relation (``related``) to a key not in the library
    key-case-clash    error    two keys that differ only in letter case
    duplicate         error    two records with the same DOI, or book ISBN with
                               the same edition and volume
    likely-duplicate  warning  same title signature, or close titles with the
                               same year and first author (``citeshelf duplicates``)
    empty-title       warning  no title, or one with no letter or digit
    title-case        warning  a title (or subtitle) that looks like Title Case;
                               fixed (sentence case, protected phrases kept) when
                               the record says which phrases are protected
    extra-has-home    warning  a field kept in ``extra`` that the record's type
                               has; fixed when the field is empty (or the same)
    extra-named-field warning  a field kept in ``extra`` under a CSL or BibTeX
                               name that has a typed field (``archive-place``,
                               ``collection-number``, ``volumes``); fixed the same way
    control-char      warning  a control character (ESC, BEL, CR, DEL, a C1
                               control: model.controls) in a field; output
                               shows or drops it; fixed by removing every one
                               (CR LF becomes LF) when the record still validates
    missing-field     note     recommended fields the record lacks
    merge-conflict    error    a field two git clones changed two ways
                               (``extra.merge_conflict``, left by the merge
                               driver); ``citeshelf edit KEY --take LABEL``

A lone surrogate (``"\\ud800"``, text no file can hold) makes a record file
``unreadable``, as it does for every command: the store's reader refuses it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .. import model
from ..model.controls import any_controls, has_controls, record_strings, show_controls
from ..model.inherit import CONTAINERS
from ..model.language import is_english as _english
from ..model.threeway import conflicts_of

__all__ = ["RULES", "SEVERITIES", "Checked", "Problem", "Rule", "check_library"]

SEVERITIES = ("error", "warning", "note")


@dataclass
class Problem:
    key: str
    code: str
    severity: str
    message: str
    #: what --fix does, in words; None if nothing is safe
    fix: str | None = None
    fixed: bool = False
    #: the record with the fix made (applied by check_library(fix=True))
    apply: Callable[[Any], Any] | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "key": self.key,
            "code": self.code,
            "severity": self.severity,
            "problem": self.message,
        }
        if self.fix is not None:
            out["fix"] = self.fix
            out["fixed"] = self.fixed
        return out


@dataclass
class Checked:
    records: int
    problems: list[Problem] = field(default_factory=list)
    fixed: list[str] = field(default_factory=list)  # keys of the records rewritten

    def count(self, severity: str, *, open_only: bool = True) -> int:
        return sum(
            1 for p in self.problems if p.severity == severity and not (open_only and p.fixed)
        )

    @property
    def ok(self) -> bool:
        """No error is left (warnings and notes do not count)."""
        return self.count("error") == 0

    def to_json(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "problems": [p.to_json() for p in self.problems],
            "errors": self.count("error"),
            "warnings": self.count("warning"),
            "notes": self.count("note"),
            "fixed": list(self.fixed),
        }


@dataclass
class _Context:
    """What the rules see. The records are read once, one at a time: a rule
    with ``each`` runs on every record as it is read (``records`` then holds
    just that record); the library-wide rules run after, on the summaries
    kept (each readable record's type, each chapter's parent), so memory
    does not grow with the records' contents."""

    library: Any
    #: each readable record's type, by key
    types: dict[str, str]
    #: (type, parent) of each record that has a parent, by its key
    parents: dict[str, tuple[str, str]]
    unreadable: list[Any]  # RecordProblem
    #: (relation type, key) of each record's relations, by its key
    related: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    #: the record being checked (rules with ``each``)
    records: list[Any] = field(default_factory=list)
    #: records through their books (a bounded cache of books)
    resolve: Callable[[Any], Any] = lambda r: r
    #: the record whose JSON data :meth:`data` made last, and that data
    _data: tuple[Any, dict[str, Any]] | None = None
    #: find_duplicates' answer and what it could not compare, found once
    _duplicates: tuple[list[Any], list[str]] | None = None
    #: what the duplicate rules read of each record, kept as it is read (so
    #: the library is not read a second time); None: read it again then
    briefs: list[Any] | None = None

    def data(self, record: Any) -> dict[str, Any]:
        """``record``'s JSON data, made once for the rules that walk it (not
        to be changed: a rule that changes a record makes its own copy)."""
        kept = self._data
        if kept is None or kept[0] is not record:
            kept = self._data = (record, record.to_json_dict())
        return kept[1]

    def duplicates(self) -> tuple[list[Any], list[str]]:
        if self._duplicates is None:
            from .duplicates import find_duplicates

            skipped: list[str] = []
            source = self.library if self.briefs is None else self.briefs
            self._duplicates = (find_duplicates(source, skipped), skipped)
        return self._duplicates


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    run: Callable[[_Context], Iterable[Problem]]
    #: run on each record as it is read (else once, on the whole library)
    each: bool = False


# --------------------------------------------------------------------------
# the rules


_IDENTIFIER_FIELDS = ("field 'isbn'", "field 'issn'", "field 'doi'")


def _unreadable(ctx: _Context) -> Iterator[Problem]:
    for item in ctx.unreadable:
        if not any(f in item.reason for f in _IDENTIFIER_FIELDS):
            yield Problem(item.key, "unreadable", "error", item.reason)


def _bad_identifier(ctx: _Context) -> Iterator[Problem]:
    for item in ctx.unreadable:
        if any(f in item.reason for f in _IDENTIFIER_FIELDS):
            yield Problem(item.key, "bad-identifier", "error", item.reason)


def _parents(ctx: _Context) -> Iterator[Problem]:
    unreadable = {p.key for p in ctx.unreadable}
    for key, (rtype, parent_key) in ctx.parents.items():
        parent = ctx.types.get(parent_key)
        where = f"{rtype} '{key}' names parent '{parent_key}', which"
        if parent is None and parent_key not in unreadable:
            yield Problem(key, "parent-missing", "error", f"{where} is not in the library")
        elif parent is not None and parent not in CONTAINERS.get(rtype, ()):
            yield Problem(key, "parent-not-book", "error", f"{where} is a {parent}, not a book")


def _dangling(ctx: _Context) -> Iterator[Problem]:
    """A relation (``related``) naming a record that is not in the library."""
    unreadable = {p.key for p in ctx.unreadable}
    for key, relations in ctx.related.items():
        for rel_type, rel_key in relations:
            if rel_key not in ctx.types and rel_key not in unreadable:
                yield Problem(
                    key,
                    "dangling-relation",
                    "warning",
                    f"'{key}' names '{rel_key}' as {rel_type}, which is not in the library: "
                    f"add it, or 'citeshelf edit {key}' to drop the relation",
                )


def _missing_parent(ctx: _Context) -> Iterator[Problem]:
    return (p for p in _parents(ctx) if p.code == "parent-missing")


def _parent_not_book(ctx: _Context) -> Iterator[Problem]:
    return (p for p in _parents(ctx) if p.code == "parent-not-book")


def _case_clash(ctx: _Context) -> Iterator[Problem]:
    folded: dict[str, str] = {}
    for key in ctx.library.keys():
        other = folded.setdefault(key.casefold(), key)
        if other != key:
            yield Problem(
                key,
                "key-case-clash",
                "error",
                f"keys '{other}' and '{key}' differ only in letter case "
                "(they clash on macOS and Windows)",
            )


def _duplicates(ctx: _Context, exact: bool) -> Iterator[Problem]:
    found, skipped = ctx.duplicates()
    if not exact:
        for text in skipped:
            yield Problem("", "likely-duplicate", "note", text)
    for d in found:
        if (d.score >= 1.0) != exact:
            continue
        how = d.why if exact else f"{d.why}, score {d.score:.2f}"
        yield Problem(
            d.b,
            "duplicate" if exact else "likely-duplicate",
            "error" if exact else "warning",
            f"'{d.a}' and '{d.b}' {'are duplicates' if exact else 'look like duplicates'} "
            f"({how}): merge them with 'citeshelf merge {d.a} {d.b}'",
        )


def _empty_title(ctx: _Context) -> Iterator[Problem]:
    for r in ctx.records:
        if not r.title or not any(c.isalnum() for c in r.title):
            shown = "no title" if not r.title else f"an empty title ({r.title!r})"
            yield Problem(
                r.key,
                "empty-title",
                "warning",
                f"'{r.key}' has {shown}: set one with 'citeshelf edit {r.key} --set title=...'",
            )


@cache
def _title_tools() -> tuple[Any, ...]:
    """What :func:`title_case_titles` uses, imported once on first use (not
    with this module; not on each call, which a bibliography makes per record)."""
    from ..formats.protect import find_spans, protected_phrases
    from ..model import richtext
    from ..styles.common import looks_title_case, sentence_case

    return find_spans, protected_phrases, richtext, looks_title_case, sentence_case


def title_case_titles(record: Any) -> Iterator[tuple[str, str, str | None]]:
    """The title fields of ``record`` that look stored in Title Case (an
    English title, or one of no language): (field, text, the text in
    sentence case), the last None when only a person can tell which
    capitals are proper nouns (no protected phrases were recorded). The
    rule ``check`` reports and ``cite``/``bibliography --sentence-case`` use."""
    find_spans, protected_phrases, richtext, looks_title_case, sentence_case = _title_tools()
    if not _english(record.language):
        return
    for name in ("title", "subtitle"):
        text = getattr(record, name, None)
        if not text:
            continue
        table = record.extra.get("protect")
        known = isinstance(table, dict) and name in table
        phrases = protected_phrases(record.extra, name)
        # rich text (model.richtext): its words, not its tags or TeX
        plain = richtext.plain(text)
        spans = sorted(find_spans(plain, phrases) + richtext.atom_spans(text)) if known else None
        if not looks_title_case(plain, spans):
            continue
        if spans is None:
            yield name, text, None
        elif plain != text:
            yield name, text, richtext.map_plain(text, _sentence_cased(phrases))
        else:
            yield name, text, sentence_case(text, spans)


def _title_case(ctx: _Context) -> Iterator[Problem]:
    for r in ctx.records:
        for name, text, new in title_case_titles(r):
            message = f"the {name} of '{r.key}' looks like Title Case: {text!r}; titles are "
            if new is None:
                # every capital may be a proper noun: only a person can tell
                yield Problem(
                    r.key,
                    "title-case",
                    "warning",
                    message + "kept in sentence case (styles capitalise as they need): "
                    f"fix it with 'citeshelf edit {r.key} --set {name}=...'",
                )
                continue
            yield Problem(
                r.key,
                "title-case",
                "warning",
                message + "kept in sentence case (styles capitalise as they need)",
                fix=f"{name} -> {new!r}",
                apply=_set_cased(name, new),
            )


def _sentence_cased(phrases: list[str]) -> Callable[[str], str]:
    """Sentence case keeping ``phrases`` (for the text of rich text)."""
    from ..formats.protect import find_spans
    from ..styles.common import sentence_case

    return lambda text: sentence_case(text, find_spans(text, phrases))


def _set_cased(name: str, new: str) -> Callable[[Any], Any]:
    def apply(record: Any) -> Any:
        from ..formats.protect import protected_phrases, rich_auto_spans
        from ..model import richtext

        extra = dict(record.extra)
        table = extra.get("protect")
        if isinstance(table, dict) and name in table:
            phrases = protected_phrases(extra, name)
            plain = richtext.plain(new)
            auto = [plain[a:b] for a, b in rich_auto_spans(new)]
            if sorted(dict.fromkeys(auto)) == sorted(dict.fromkeys(phrases)):
                # the capitals left are exactly the protected ones: the
                # sentence-case convention says as much on its own
                table = {k: v for k, v in table.items() if k != name}
                if table:
                    extra["protect"] = table
                else:
                    extra.pop("protect")
        return record.model_copy(update={name: new, "extra": extra})

    return apply


#: extra names that are bookkeeping of the formats, not stray fields
_NOT_FIELDS = frozenset({"type", "key", "extra", "added", "modified"})


def _extra_home(ctx: _Context) -> Iterator[Problem]:
    for r in ctx.records:
        fields = model.WORK_TYPES[r.type].model_fields
        for name, value in r.extra.items():
            if name in _NOT_FIELDS or name not in fields:
                continue
            current = getattr(r, name)
            moved = _valid_move(r, name, value)
            where = (
                f"'{r.key}' keeps {name} in extra ({value!r}), but a {r.type} has a {name} field"
            )
            if moved is None:
                yield Problem(
                    r.key, "extra-has-home", "warning", f"{where}; the value is not valid there"
                )
            elif current and getattr(moved, name) != current:
                yield Problem(
                    r.key,
                    "extra-has-home",
                    "warning",
                    f"{where}, which holds {_shown(current)}: keep one with 'citeshelf edit'",
                )
            else:
                yield Problem(
                    r.key,
                    "extra-has-home",
                    "warning",
                    where,
                    fix=f"move extra.{name} to {name}"
                    if not current
                    else f"drop extra.{name} (the same as {name})",
                    apply=_move_extra(name, value),
                )


@cache
def _named_fields(rtype: str) -> dict[str, tuple[str, str, Callable[[Any], Any]]]:
    """extra name -> (record field, the format that names it, how its value
    becomes the field's): the CSL variables of the CSL-JSON table and the
    BibTeX/BibLaTeX fields of the BibTeX table, for a record type."""
    from ..formats import csljson
    from ..formats.bibtex.fields import write_rows
    from ..model import parse_names

    def csl_value(row: Any) -> Callable[[Any], Any]:
        def convert(value: Any) -> Any:
            data: dict[str, Any] = {}
            csljson._READERS[row.kind](row.var, value, row, data, {})
            return data.get(row.record)

        return convert

    def bib_value(kind: str) -> Callable[[Any], Any]:
        def convert(value: Any) -> Any:
            if not isinstance(value, str):
                return None
            if kind == "names":
                return [p.model_dump(exclude_none=True) for p in parse_names(value)]
            if kind in ("keywords", "tags", "list"):
                return [v.strip() for v in value.split(",") if v.strip()]
            return value

        return convert

    out: dict[str, tuple[str, str, Callable[[Any], Any]]] = {}
    for brow in write_rows(rtype):
        for name in brow.names_read:
            out.setdefault(name, (brow.record, "BibTeX", bib_value(brow.kind)))
    for row in csljson.FIELDS:  # a CSL name wins: CSL-JSON imports keep them
        if rtype in row.types and row.kind != "fallback":
            out[row.var] = (row.record, "CSL", csl_value(row))
    return out


def _extra_named(ctx: _Context) -> Iterator[Problem]:
    """A field kept in extra under a CSL or BibTeX name that has a typed
    field (``archive_location``, ``collection-number``, ``volumes`` ...: what
    imports from before the model had the field left there)."""
    for r in ctx.records:
        fields = model.WORK_TYPES[r.type].model_fields
        named = _named_fields(r.type)
        for name, value in r.extra.items():
            if name in _NOT_FIELDS or name in fields or name not in named:
                continue  # a field's own name: extra-has-home
            target, fmt, convert = named[name]
            where = f"'{r.key}' keeps {fmt}'s {name} in extra ({_shown(value)}): it is {target}"
            try:
                new = convert(value)
            except ValueError:
                new = None
            current = getattr(r, target, None)
            empty = fields[target].get_default(call_default_factory=True)
            blank = r.model_copy(update={target: empty})  # what the value alone gives
            moved = None if new in (None, "", []) else _valid_move(blank, target, new, name)
            if moved is None:
                yield Problem(
                    r.key, "extra-named-field", "warning", f"{where}; the value is not valid there"
                )
            elif current and getattr(moved, target) != current:
                yield Problem(
                    r.key,
                    "extra-named-field",
                    "warning",
                    f"{where}, which holds {_shown(current)}: keep one with 'citeshelf edit'",
                )
            else:
                yield Problem(
                    r.key,
                    "extra-named-field",
                    "warning",
                    where,
                    fix=f"move extra.{name} to {target}"
                    if not current
                    else f"drop extra.{name} (the same as {target})",
                    apply=_move_extra(target, new, source=name),
                )


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return repr(str(value))


def _valid_move(record: Any, name: str, value: Any, source: str | None = None) -> Any:
    try:
        return _move_extra(name, value, source)(record)
    except ValueError:
        return None


def _move_extra(name: str, value: Any, source: str | None = None) -> Callable[[Any], Any]:
    """The record with ``extra[source]`` (default: ``name``) moved to the field ``name``."""

    def apply(record: Any) -> Any:
        from ..model import parse_record

        data = record.to_json_dict()
        extra = dict(data.get("extra", {}))
        extra.pop(source or name, None)
        data["extra"] = extra
        if not data.get(name):
            data[name] = value
        return parse_record(data)

    return apply


def _controls(ctx: _Context) -> Iterator[Problem]:
    for r in ctx.records:
        data = ctx.data(r)
        if not any_controls(data):
            continue
        places = [(where, text) for where, text in record_strings(data) if has_controls(text)]
        if not places:
            continue
        shown = "; ".join(f"{where} {show_controls(text)[:60]!r}" for where, text in places[:3])
        more = f" and {len(places) - 3} more" if len(places) > 3 else ""
        message = f"'{r.key}' has control characters (shown as ^[ or <9B>) in {shown}{more}"
        fixed = _without_controls(r)
        if fixed is None:
            yield Problem(
                r.key,
                "control-char",
                "warning",
                message + "; removing them does "
                "not leave a valid record: fix it with 'citeshelf edit'",
            )
        else:
            yield Problem(
                r.key,
                "control-char",
                "warning",
                message,
                fix="remove the control characters",
                apply=lambda record: _without_controls(record) or record,
            )


def _without_controls(record: Any) -> Any:
    """The record with every control character removed, or None if that
    does not validate or would change its key."""
    from ..model import parse_record
    from ..model.controls import strip_controls

    def clean(value: Any) -> Any:
        if isinstance(value, str):
            return strip_controls(value)
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {clean(k): clean(v) for k, v in value.items()}
        return value

    try:
        new = parse_record(clean(record.to_json_dict()))
    except ValueError:
        return None
    return new if new.key == record.key else None


def _missing_fields(ctx: _Context) -> Iterator[Problem]:
    for r in ctx.records:
        view = ctx.resolve(r)
        missing = [m for m in model.missing_recommended(view) if m != "title"]
        if missing:
            yield Problem(
                r.key,
                "missing-field",
                "note",
                f"'{r.key}' ({r.type}) lacks recommended fields: {', '.join(missing)}",
            )


def _leftovers(ctx: _Context) -> Iterator[Problem]:
    """What interrupted writes left in the folder (temporary files, abandoned
    staging folders, a journal): removed or completed now, and reported."""
    ctx.library.clean_leftovers(wait=False)
    for name in dict.fromkeys(ctx.library.cleaned):
        yield Problem(
            "",
            "leftover",
            "error",
            f"{ctx.library.path / name}: left by an interrupted write; cleaned up",
        )


def _merge_conflicts(ctx: _Context) -> Iterator[Problem]:
    for r in ctx.records:
        conflicts = conflicts_of(ctx.data(r))
        if not conflicts:
            continue
        labels = list(dict.fromkeys(lb for v in conflicts.values() for lb in v if lb != "base"))
        shown = "; ".join(
            f"{name}: " + ", ".join(f"{lb} {_short(v.get(lb))}" for lb in labels if lb in v)
            for name, v in conflicts.items()
        )
        takes = " or ".join(f"--take {lb}" for lb in labels)
        yield Problem(
            r.key,
            "merge-conflict",
            "error",
            f"'{r.key}' has a merge conflict ({shown}): keep one version with "
            f"'citeshelf edit {r.key} {takes}' (or --set FIELD=VALUE)",
        )


def _short(value: Any) -> str:
    import json

    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


RULES: tuple[Rule, ...] = (
    Rule("leftover", "error", _leftovers),
    Rule("unreadable", "error", _unreadable),
    Rule("bad-identifier", "error", _bad_identifier),
    Rule("parent-missing", "error", _missing_parent),
    Rule("parent-not-book", "error", _parent_not_book),
    Rule("dangling-relation", "warning", _dangling),
    Rule("key-case-clash", "error", _case_clash),
    Rule("duplicate", "error", lambda ctx: _duplicates(ctx, True)),
    Rule("likely-duplicate", "warning", lambda ctx: _duplicates(ctx, False)),
    Rule("empty-title", "warning", _empty_title, each=True),
    Rule("title-case", "warning", _title_case, each=True),
    Rule("extra-has-home", "warning", _extra_home, each=True),
    Rule("extra-named-field", "warning", _extra_named, each=True),
    Rule("control-char", "warning", _controls, each=True),
    Rule("missing-field", "note", _missing_fields, each=True),
    Rule("merge-conflict", "error", _merge_conflicts, each=True),
)

_RANK = {s: i for i, s in enumerate(SEVERITIES)}


def check_library(library: Any, *, fix: bool = False) -> Checked:
    """Run every rule (see the module docstring); with ``fix``, write the
    safe fixes, one rewrite per record. The records are read one at a time
    (see :class:`_Context`); without ``fix``, in worker processes for a
    large library (:mod:`.forked`: the rules of each record depend on that
    record and its book alone)."""
    from ..library import RecordProblem
    from ..library.parents import Resolver
    from .forked import Workers

    ctx = _Context(library, {}, {}, [], resolve=Resolver(library, use="style"))
    # with fix, records change as they are checked: the duplicates are found
    # on the files as they are after
    ctx.briefs = None if fix else []
    rules = _EachRule(ctx, fix)
    problems: list[Problem] = []
    fixed: list[str] = []
    keys = library.keys()
    parts = (keys[i : i + _PART] for i in range(0, len(keys), _PART))
    # (with fix, records are rewritten as they are checked: never in workers)
    with Workers(rules.make, 0 if fix else len(keys)) as workers:
        for _part, _kept, made in workers.ahead(parts, lambda part: {}):
            for item, cleaned in made:
                library.cleaned += cleaned  # (by a worker: reported by the leftover rule)
                if isinstance(item, RecordProblem):
                    ctx.unreadable.append(item)
                    continue
                key, rtype, parent, related, brief, mine, rewritten = item
                ctx.types[key] = rtype
                if parent:
                    ctx.parents[key] = (rtype, parent)
                if related:
                    ctx.related[key] = related
                if ctx.briefs is not None:
                    ctx.briefs.append(brief)
                if rewritten:
                    fixed.append(key)
                problems += mine
    ctx.unreadable += library.stray_problems()
    ctx.records = []
    problems += [p for rule in RULES if not rule.each for p in rule.run(ctx)]
    # sorted by key, then as before: today's messages keep their order
    problems.sort(key=lambda p: (p.key, _RANK[p.severity], p.message))
    result = Checked(len(ctx.types) + len(ctx.unreadable), problems)
    result.fixed = sorted(fixed)
    return result


#: Records are read and checked this many at a time (a part of the workers').
_PART = 500


class _EachRule:
    """The rules with ``each``, over records read by key: for each key, a
    RecordProblem or (key, type, parent, relations, brief, problems,
    rewritten), what :func:`check_library` keeps of the record, and the
    leftovers of interrupted writes a worker process cleaned meanwhile (a
    record's file gone: the store looks over the folder for the error's
    hint). In a worker, the problems lose their fixes' functions (which
    cannot be sent, and only ``fix``, never run in workers, uses)."""

    def __init__(self, ctx: _Context, fix: bool) -> None:
        self.ctx, self.fix = ctx, fix
        self.here = os.getpid()

    def make(self, keys: list[str]) -> list[Any]:
        from ..library import RecordProblem
        from .duplicates import brief

        ctx, library = self.ctx, self.ctx.library
        each = [rule for rule in RULES if rule.each]
        sent = os.getpid() != self.here
        out: list[Any] = []
        read = library.iter_records(keys)  # a record, or the problem of its file
        while True:
            before = len(library.cleaned)
            item = next(read, None)
            if item is None:
                break
            done = item if isinstance(item, RecordProblem) else self._one(item, each, sent, brief)
            out.append((done, library.cleaned[before:] if sent else []))
        ctx.records = []
        return out

    def _one(self, item: Any, each: list[Rule], sent: bool, brief: Callable[[Any], Any]) -> Any:
        ctx, library = self.ctx, self.ctx.library
        ctx.records = [item]
        mine = [p for rule in each for p in rule.run(ctx)]
        if sent:
            for p in mine:
                p.apply = None
        rewritten = self.fix and _fix(library, item, mine)
        related = [(rel.type, rel.key) for rel in item.related]
        summary = brief(item) if ctx.briefs is not None else None
        return item.key, item.type, item.parent, related, summary, mine, rewritten


def _fix(library: Any, record: Any, problems: list[Problem]) -> bool:
    """Make the safe fixes among ``problems`` (all of ``record``) in one
    rewrite; True if the record was rewritten."""
    done = []
    for p in problems:
        if p.apply is None:
            continue
        try:
            record = p.apply(record)
        except ValueError:
            continue  # an earlier fix made this one moot
        done.append(p)
    if not done:
        return False
    library.update(record)
    for p in done:
        p.fixed = True
    return True
