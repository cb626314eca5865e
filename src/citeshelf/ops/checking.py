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

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..model.language import is_english as _english

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
    library: Any
    records: list[Any]
    by_key: dict[str, Any]
    unreadable: list[Any]  # RecordProblem
    #: find_duplicates' answer and what it could not compare, found once
    _duplicates: tuple[list[Any], list[str]] | None = None

    def duplicates(self) -> tuple[list[Any], list[str]]:
        if self._duplicates is None:
            from .duplicates import find_duplicates

            skipped: list[str] = []
            self._duplicates = (find_duplicates(self.records, skipped), skipped)
        return self._duplicates


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    run: Callable[[_Context], Iterable[Problem]]


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
    from ..model import Chapter

    unreadable = {p.key for p in ctx.unreadable}
    for r in ctx.records:
        if isinstance(r, Chapter) and r.parent:
            parent = ctx.by_key.get(r.parent)
            where = f"chapter '{r.key}' names parent '{r.parent}', which"
            if parent is None and r.parent not in unreadable:
                yield Problem(r.key, "parent-missing", "error", f"{where} is not in the library")
            elif parent is not None and isinstance(parent, Chapter):
                yield Problem(
                    r.key, "parent-not-book", "error", f"{where} is a chapter, not a book"
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


def _title_case(ctx: _Context) -> Iterator[Problem]:
    from ..formats.protect import find_spans, protected_phrases
    from ..model import richtext
    from ..styles.common import looks_title_case, sentence_case

    for r in ctx.records:
        if not _english(r.language):
            continue
        for name in ("title", "subtitle"):
            text = getattr(r, name)
            if not text:
                continue
            table = r.extra.get("protect")
            known = isinstance(table, dict) and name in table
            phrases = protected_phrases(r.extra, name)
            # rich text (model.richtext): its words, not its tags or TeX
            plain = richtext.plain(text)
            spans = (
                sorted(find_spans(plain, phrases) + richtext.atom_spans(text)) if known else None
            )
            if not looks_title_case(plain, spans):
                continue
            message = f"the {name} of '{r.key}' looks like Title Case: {text!r}; titles are "
            if spans is None:
                # every capital may be a proper noun: only a person can tell
                yield Problem(
                    r.key,
                    "title-case",
                    "warning",
                    message + "kept in sentence case (styles capitalise as they need): "
                    f"fix it with 'citeshelf edit {r.key} --set {name}=...'",
                )
                continue
            if plain != text:
                new = richtext.map_plain(text, _sentence_cased(phrases))
            else:
                new = sentence_case(text, spans)
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
    from ..model import WORK_TYPES

    for r in ctx.records:
        fields = WORK_TYPES[r.type].model_fields
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


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return repr(str(value))


def _valid_move(record: Any, name: str, value: Any) -> Any:
    try:
        return _move_extra(name, value)(record)
    except ValueError:
        return None


def _move_extra(name: str, value: Any) -> Callable[[Any], Any]:
    def apply(record: Any) -> Any:
        from ..model import parse_record

        data = record.to_json_dict()
        extra = dict(data.get("extra", {}))
        extra.pop(name, None)
        data["extra"] = extra
        if not data.get(name):
            data[name] = value
        return parse_record(data)

    return apply


def _controls(ctx: _Context) -> Iterator[Problem]:
    from ..model.controls import has_controls, record_strings, show_controls

    for r in ctx.records:
        data = r.to_json_dict()
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
    from ..model import missing_recommended
    from ..model.inherit import chapter_view

    for r in ctx.records:
        parent = ctx.by_key.get(getattr(r, "parent", None) or "")
        view = chapter_view(r, parent, "style") if parent is not None else r
        missing = [m for m in missing_recommended(view) if m != "title"]
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
    from ..model.threeway import conflicts_of

    for r in ctx.records:
        conflicts = conflicts_of(r.to_json_dict())
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
    Rule("key-case-clash", "error", _case_clash),
    Rule("duplicate", "error", lambda ctx: _duplicates(ctx, True)),
    Rule("likely-duplicate", "warning", lambda ctx: _duplicates(ctx, False)),
    Rule("empty-title", "warning", _empty_title),
    Rule("title-case", "warning", _title_case),
    Rule("extra-has-home", "warning", _extra_home),
    Rule("control-char", "warning", _controls),
    Rule("missing-field", "note", _missing_fields),
    Rule("merge-conflict", "error", _merge_conflicts),
)

_RANK = {s: i for i, s in enumerate(SEVERITIES)}


def check_library(library: Any, *, fix: bool = False) -> Checked:
    """Run every rule (see the module docstring); with ``fix``, write the
    safe fixes, one rewrite per record."""
    from ..library import RecordProblem

    records, unreadable = [], []
    for item in library.iter_records():
        if isinstance(item, RecordProblem):
            unreadable.append(item)
        else:
            records.append(item)
    ctx = _Context(library, records, {r.key: r for r in records}, unreadable)
    problems = [p for rule in RULES for p in rule.run(ctx)]
    # sorted by key, then as before: today's messages keep their order
    problems.sort(key=lambda p: (p.key, _RANK[p.severity], p.message))
    result = Checked(len(records) + len(unreadable), problems)
    if fix:
        _fix(library, ctx, result)
    return result


def _fix(library: Any, ctx: _Context, result: Checked) -> None:
    todo: dict[str, list[Problem]] = {}
    for p in result.problems:
        if p.apply is not None:
            todo.setdefault(p.key, []).append(p)
    for key, fixes in todo.items():
        record = ctx.by_key[key]
        done = []
        for p in fixes:
            try:
                assert p.apply is not None
                record = p.apply(record)
            except ValueError:
                continue  # an earlier fix made this one moot
            done.append(p)
        if done:
            library.update(record)
            result.fixed.append(key)
            for p in done:
                p.fixed = True
