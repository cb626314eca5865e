"""Setting record fields from text, as ``add --field`` and ``edit --set`` do.

``set_field(data, "authors", "Aris, Stephen and Cottey, Andrew", "chapter")``
turns the text into what the field holds (a list of names here) and puts it in
``data``, a record's JSON mapping. An empty value removes the field.
``extra.NAME=VALUE`` keeps a field citeshelf does not model. Validation of the
whole record happens afterwards, in :func:`build_record`.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from ..errors import InvalidData, UsageError
from ..model import (
    WORK_TYPES,
    BaseRecord,
    describe_validation_error,
    parse_names,
    parse_record,
)
from ..model.record import HEAD_FIELDS, NAME_LISTS, file_order
from ..model.types import OWN_FIELDS

__all__ = [
    "LIST_FIELDS",
    "NAME_FIELDS",
    "TypeOption",
    "append_names",
    "build_record",
    "degree_option",
    "set_field",
    "settable_fields",
    "template_fields",
    "type_options",
    "types_phrase",
]

NAME_FIELDS = frozenset(NAME_LISTS)
LIST_FIELDS = frozenset({"keywords", "tags", "isbn"})
BOOL_FIELDS = frozenset({"authors_et_al", "editors_et_al"})
_READ_ONLY = frozenset({"key", "added", "modified", "extra"})


def settable_fields(type_: str) -> list[str]:
    """Fields ``--set`` and the ``add --edit`` template offer (a parent only
    for the types that are parts; ``related`` as ``TYPE:KEY; ...``)."""
    from ..model.inherit import CONTAINERS

    model = WORK_TYPES[type_]
    return [
        name
        for name in model.model_fields
        if name not in _READ_ONLY and (name != "parent" or type_ in CONTAINERS)
    ]


_TEMPLATE_TAIL = ("abstract", "keywords", "note", "tags")


def template_fields(type_: str, given: Any = ()) -> list[str]:
    """The fields ``add TYPE --edit`` shows, in record-file order: the fields
    every type shows, the type's own (:data:`citeshelf.model.types.OWN_FIELDS`),
    any other field in ``given``, then the descriptive ones."""
    model = WORK_TYPES[type_]
    shown = {*HEAD_FIELDS, *OWN_FIELDS.get(type_, ()), *_TEMPLATE_TAIL} - {"key"}
    shown |= {n for n in given if n in model.model_fields and n not in _READ_ONLY}
    return [n for n in file_order(model) if n in shown]


class TypeOption:
    """A field only some work types have, as an option of ``add TYPE``
    (``--institution`` for a report or a thesis)."""

    __slots__ = ("field", "option", "types", "names", "help")

    def __init__(self, field: str, types: tuple[str, ...]) -> None:
        self.field = field
        self.option = "--" + (field[:-1] if field in NAME_FIELDS else field).replace("_", "-")
        self.types = types
        #: a name list: the option is repeated, one name each time
        self.names = field in NAME_FIELDS
        self.help = _OPTION_HELP.get(field, "")


#: help texts of the type options (which options there are comes from the model)
_OPTION_HELP = {
    "parent": "The book a chapter belongs to (its key; required for chapters), "
    "a paper's proceedings, a volume's multivolume set.",
    "container_title": "The book's (proceedings') title, when it is not in the library.",
    "container_authors": "An author of the book, like --author (repeatable).",
    "chapter": "Chapter number.",
    "pages": "Page range, e.g. 656-670.",
    "journal": "Journal of an article.",
    "issue": "Issue of an article.",
    "issn": "ISSN of an article's journal (checked).",
    "institution": "The institution that issued a report or awarded a thesis.",
    "number": "A report's number, e.g. RR-1234.",
    "degree": "The thesis's degree: phd, masters, ma, ms or bachelors (PhD, doctoral, "
    "Master's, MA, MSc, BA ... are understood; other kinds: --field degree=TEXT).",
    "site": "The website's name.",
    "accessed": "When the page was read (YYYY-MM-DD).",
    "event": "The conference or meeting.",
    "event_place": "Where the event took place.",
    "number_of_pages": "A book's number of pages.",
    "howpublished": "How it was published (e.g. Pamphlet).",
    "event_date": "When the event took place (YYYY-MM-DD, or a range 2019-06-03/2019-06-05).",
    "section": "A newspaper's section, a law's section.",
    "reviewed_title": "The title of the work reviewed.",
    "reviewed_authors": "An author of the work reviewed, like --author (repeatable).",
    "genre": "What kind of work it is, e.g. Unpublished manuscript, Survey data.",
    "archive": "The archive or repository that holds it.",
    "archive_location": "Where in the archive: box, folder, call number.",
    "version": "The version, e.g. 2.1.0.",
    "medium": "The medium or format, e.g. CD-ROM, PDF, film.",
    "authority": "The issuing authority: a court, a standards body, a patent office.",
    "jurisdiction": "The country or region a patent or law applies in.",
    "interviewers": "An interviewer, like --author (repeatable).",
    "recipients": "The recipient of a letter or message, like --author (repeatable).",
    "directors": "A director, like --author (repeatable).",
    "producers": "A producer, like --author (repeatable).",
    "composers": "A composer, like --author (repeatable).",
    "performers": "A performer, like --author (repeatable).",
    "dimensions": "Physical size or duration, e.g. 60 x 90 cm, 120 min.",
    "scale": "The scale of a map, e.g. 1:50,000.",
}


def type_options() -> list[TypeOption]:
    """One option per field a work type offers as its own
    (:data:`citeshelf.model.types.OWN_FIELDS`), in the order of the work
    types (:data:`citeshelf.model.WORK_TYPES`) and their fields."""
    global _TYPE_OPTIONS
    if _TYPE_OPTIONS is None:
        from ..model.inherit import CONTAINERS

        types: dict[str, list[str]] = {}
        for name, model in WORK_TYPES.items():
            # a part of a container (a paper's proceedings ...) offers --parent too
            own = OWN_FIELDS.get(name, ())
            if name in CONTAINERS and "parent" not in own:
                own = ("parent", *own)
            for field in own:
                if field in model.model_fields:
                    types.setdefault(field, []).append(name)
        _TYPE_OPTIONS = [TypeOption(field, tuple(names)) for field, names in types.items()]
    return _TYPE_OPTIONS


_TYPE_OPTIONS: list[TypeOption] | None = None


def types_phrase(types: tuple[str, ...] | list[str], joint: str = "or") -> str:
    """ "a thesis", "a report or thesis", "a chapter, article or paper"."""
    first = "an" if types[0][0] in "aeiou" else "a"
    if len(types) > 4:  # the first three, and how many more
        return f"{first} {', '.join(types[:3])} {joint} {len(types) - 3} other types"
    if len(types) == 1:
        return f"{first} {types[0]}"
    return f"{first} {', '.join(types[:-1])} {joint} {types[-1]}"


def degree_option(text: str) -> str:
    """``--degree``: a degree of the vocabulary ("PhD" -> "phd"), else a usage error."""
    from ..model.degrees import DEGREES, degree_name

    name = degree_name(text)
    if name is None:
        raise UsageError(
            f"--degree: {text!r} is not one of {', '.join(DEGREES)} (PhD, doctoral, Master's, "
            "MA, MSc, BA ... are understood): give another kind with --field degree=TEXT"
        )
    return name


def set_field(data: dict[str, Any], name: str, value: str, type_: str) -> None:
    """Set ``name`` to the text ``value`` in the record mapping ``data``."""
    name = name.strip().replace("-", "_")
    value = value.strip()
    if name.startswith("extra."):
        sub = name[len("extra.") :]
        if not sub:
            raise UsageError("extra needs a name: use extra.NAME=VALUE")
        extra = dict(data.get("extra") or {})
        if value:
            extra[sub] = value
        else:
            extra.pop(sub, None)
        data["extra"] = extra
        return
    if name in ("key", "added", "modified"):
        raise UsageError(f"the field '{name}' cannot be set this way")
    fields = settable_fields(type_)
    if name not in fields:
        from ..errors import closest

        best = closest(name, fields)
        hint = f"did you mean '{best}'? " if best else ""
        raise UsageError(
            f"a {type_} has no field '{name}': {hint}fields are {', '.join(fields)}; "
            f"use extra.{name}=VALUE to keep other data"
        )
    if not value:
        data.pop(name, None)
        return
    if name in NAME_FIELDS:
        try:
            people = parse_names(value)
        except ValueError as exc:
            raise UsageError(f"{name}: {exc}") from None
        data[name] = [p.model_dump(exclude_none=True) for p in people]
        if name in ("authors", "editors") and re.search(r"\band\s+others\s*$", value):
            data[f"{name}_et_al"] = True
    elif name in LIST_FIELDS:
        data[name] = [v.strip() for v in re.split(r"[;,]", value) if v.strip()]
    elif name == "related":
        from ..model.relations import parse_relations

        data[name] = parse_relations(value)
    elif name in BOOL_FIELDS:
        low = value.lower()
        if low not in ("true", "false", "yes", "no", "1", "0"):
            raise UsageError(f"{name} takes true or false, not {value!r}")
        data[name] = low in ("true", "yes", "1")
    else:
        data[name] = value


def append_names(data: dict[str, Any], name: str, values: list[str]) -> None:
    """Add each "Family, Given" of ``values`` to the name list ``name``."""
    people = list(data.get(name) or [])
    for value in values:
        if not value.strip():
            raise UsageError(f'an empty name among the {name}: give each as "Family, Given"')
        if re.fullmatch(r"\s*others\s*", value, flags=re.I):
            data[f"{name}_et_al"] = True
            continue
        try:
            people += [p.model_dump(exclude_none=True) for p in parse_names(value)]
        except ValueError as exc:
            raise UsageError(f"{name}: {exc}") from None
    if people:
        data[name] = people


def build_record(data: dict[str, Any], what: str = "record") -> BaseRecord:
    """Validate ``data``; errors become one :class:`InvalidData` line naming the fields."""
    try:
        return parse_record(data)
    except ValidationError as exc:
        raise InvalidData(describe_validation_error(exc, what)) from None
