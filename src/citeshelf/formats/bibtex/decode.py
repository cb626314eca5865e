"""One entry's evaluated fields -> one record, as a sequence of small steps.

Each step is a function over a :class:`Decoding` (the entry's fields, the
record data and ``extra`` built so far, warnings, the fields already
handled); :data:`DECODERS` lists them in the order they run.
:func:`entry_to_record` runs them and validates the result.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from pydantic import ValidationError

from ...model import Date, describe_validation_error, parse_record_lenient, richtext
from ...model.dates import STATUSES, status_key
from ...model.identifiers import isbn_separator
from ...model.inherit import CONTAINERS
from ...model.keyfiles import key_problem
from ...model.names import split_names
from ...model.pages import PageRange
from ...model.relations import DEFAULT_RELATION
from ...model.types import types_of_model
from .. import latex
from ..entries import join_keywords, kept_separator, split_keywords
from .fields import (
    _IDENTIFIERS,
    _MONTH_NAMES,
    _MONTH_WORD,
    _MONTHS,
    _THESIS_ETYPES,
    _VERBATIM,
    BOOK_TITLED_PARTS,
    CASED_FIELDS,
    KNOWN_ENTRY_TYPES,
    NAME_FIELDS_IN,
    entry_types_read,
    read_map,
    read_type,
    thesis_degree_read,
    thesis_etype,
    thesis_type_field,
    write_rows,
)
from .spelling import Spelling, pages_text
from .text import (
    EntryError,
    cased,
    date_parts,
    decide_protect,
    name_annotations,
    name_spellings,
    named_macros,
    names,
    open_year,
    rich,
    split_urls,
    unescape_verbatim,
    ws,
)

__all__ = ["DECODERS", "Decoding", "EntryError", "entry_to_record"]

#: Fields no step maps through the field table.
_APART = ("crossref", "xref", "year", "month", "day", "date", "xdata", "isbn-others", "entrytype")
_CHAPTERS = types_of_model("chapter")
_ARTICLES = types_of_model("article")


class Decoding:
    """An entry on its way to a record."""

    def __init__(
        self, etype: str, key: str, fields: Mapping[str, str], original_key: str | None = None
    ) -> None:
        self.etype = etype
        self.key = key
        self.fields = fields
        self.original_key = original_key
        self.rtype = "misc"
        self.data: dict[str, Any] = {}
        self.extra: dict[str, Any] = {}
        self.warnings: list[str] = []
        #: the fields already handled by a step
        self.handled: set[str] = set(_APART)
        #: BibTeX field -> record field for this entry
        self.mapping: dict[str, str] = {}
        #: record field -> source field, for identifiers the model checks
        self.identifiers: dict[str, str] = {}
        #: field -> (braced phrases in order, plain text)
        self.cased: dict[str, Any] = {}
        #: the date as far as it is known (EDTF text), and the field it came from
        self.issued: str | None = None
        self.date_source = "date"

    def decoded(self, name: str) -> str:
        return latex.decode(self.fields[name])


# --------------------------------------------------------------------------
# the steps


#: An accent macro over a group of several letters (``Gda\\'{nsk}``,
#: ``Ry\\'{cko}``): TeX centres the one accent over the group, which no
#: Unicode text spells and no writer means (``\\t{oo}``, the tie over two
#: letters, is one accent of its own).
_WIDE_ACCENT = re.compile(
    r"\\(['`^\"~=.]|[uvHckdbr](?![A-Za-z]))(\s*)\{([^\W\d_]|\\[ij](?![A-Za-z])\s*)([^\W\d_]+)\}"
)


#: a braced URL argument, which is verbatim
_URL_ARGUMENT = re.compile(r"\\(?:url|nolinkurl|path)\s*\{(?:[^{}]|\{[^{}]*\})*\}")


def wide_accents(d: Decoding) -> None:
    """An accent over a group of several letters is read as over the first
    of them, as its writer meant (``Gda\\'{nsk}``: Gdańsk; ``Na\\'{\\i v}e``:
    Naíve), with a warning."""
    fixed: dict[str, str] = {}
    for name, value in d.fields.items():
        if "\\" not in value or "{" not in value or name in _VERBATIM:
            continue
        if not _WIDE_ACCENT.search(value):
            continue
        # (not inside a verbatim argument: \url{...}, \path|...|, \verb+...+)
        kept = [(m.start(), m.end()) for m in _URL_ARGUMENT.finditer(value)]
        kept += [(a, b) for a, b, _arg in richtext.delimited_spans(value)]
        found = [
            m for m in _WIDE_ACCENT.finditer(value) if not any(a <= m.start() < b for a, b in kept)
        ]
        if not found:
            continue
        parts, last = [], 0
        for m in found:
            parts += [value[last : m.start()], m.expand(r"\\\1\2{\3}\4")]
            last = m.end()
        parts.append(value[last:])
        fixed[name] = "".join(parts)
        for m in found:
            first = latex.decode(m.group(3))
            letters = first + m.group(4)
            read = latex.decode(f"\\{m.group(1)}{{{m.group(3)}}}{m.group(4)}")
            d.warnings.append(
                f"field '{name}': {m.group()} puts one accent over the {len(letters)} letters "
                f"{letters!r}: read as over the first ({read})"
            )
    if fixed:
        d.fields = {**d.fields, **fixed}


def entry_type(d: Decoding) -> None:
    """The record type; the source type kept when it is not the default."""
    native = d.fields.get("entrytype", "").strip().lower()
    if native and re.fullmatch(r"[a-z]+", native):
        # how citeshelf writes a BibLaTeX type for classic BibTeX: @book + entrytype = {mvbook}
        d.etype = native
    subtype = d.fields.get("entrysubtype")
    d.rtype, by_subtype, written = read_type(d.etype, latex.decode(subtype) if subtype else None)
    if by_subtype:
        d.handled.add("entrysubtype")
    if not written:
        d.extra["bibtex_type"] = d.etype
        if d.etype not in KNOWN_ENTRY_TYPES and d.etype not in entry_types_read():
            d.warnings.append(f"unknown entry type '@{d.etype}': read as misc, the type kept")
    if d.original_key:
        d.extra["bibtex_key"] = d.original_key
    problem = key_problem(d.key)
    if problem:
        raise EntryError(f"the key is not usable: {problem}")
    d.data = {"type": d.rtype, "key": d.key}
    d.mapping = dict(read_map(d.rtype))


def links(d: Decoding) -> None:
    """``crossref``/``xref``: the parent of a part (a chapter's book, a
    paper's proceedings, a volume's set: :data:`~citeshelf.model.inherit.CONTAINERS`),
    else kept in extra; ``related`` (``relatedtype``, ``relatedstring``,
    ``relatedoptions``; ``related2`` ... for more groups): relations."""
    crossref = d.fields.get("crossref", "").strip()
    xref = d.fields.get("xref", "").strip()
    _related(d)
    if d.rtype in CONTAINERS and crossref:
        d.data["parent"] = crossref
        # biber hands a crossref'd part its parent's fields (ISBN, pagetotal,
        # a set's maintitle ...), an xref'd one none: the export keeps the link
        d.extra["bibtex_crossref"] = True
        if xref:
            d.extra["xref"] = xref
    elif d.rtype in CONTAINERS and xref:
        d.data["parent"] = xref
    else:
        if crossref:
            d.extra["crossref"] = crossref
        if xref:
            d.extra["xref"] = xref


_RELATED = ("related", "relatedtype", "relatedstring", "relatedoptions")


def _related(d: Decoding) -> None:
    if "related" not in d.fields and "related2" not in d.fields:
        return  # (the loop below would stop at once: most entries)

    out: list[dict[str, str]] = []
    for n in range(1, 10):
        suffix = str(n) if n > 1 else ""
        names = [f + suffix for f in _RELATED]
        if names[0] not in d.fields:
            if n > 1:
                break
            continue
        keys = [k.strip() for k in d.fields[names[0]].split(",") if k.strip()]
        bad = [k for k in keys if key_problem(k)]
        if bad or not keys:
            d.warnings.append(f"field '{names[0]}' names no usable key: kept in extra")
            continue
        kind = latex.decode(d.fields.get(names[1], "")).strip() or DEFAULT_RELATION
        group = {"type": kind}
        if names[2] in d.fields:
            # rich text, so that a macro such as \autocap{e}xcerpt is kept
            group["string"] = ws(rich(d.fields[names[2]], names[2], {}))
        if names[3] in d.fields:
            group["options"] = d.fields[names[3]].strip()
        out += [{**group, "key": k} for k in keys]
        d.handled.update(f for f in names if f in d.fields)
    if out:
        d.data["related"] = out


def date_field(d: Decoding) -> None:
    """BibLaTeX ``date``, EDTF (checked with the other date fields in
    :func:`issued`); a status instead of a date (``{\\autocap{f}orthcoming}``,
    as biblatex-chicago writes it) is the record's status, and BibLaTeX
    exports write it as the source did (``extra.bibtex_written``)."""
    if "date" not in d.fields:
        return
    text = _date_text(d, "date")

    key = status_key(text)
    if key and "pubstate" not in d.fields and "year" not in d.fields:
        d.data["status"] = STATUSES[key]
        d.extra.setdefault("bibtex_written", {})["date"] = ws(d.fields["date"])
        return
    d.issued = text
    d.date_source = "date"


def _date_text(d: Decoding, name: str) -> str:
    """A date field's text: EDTF as written (its ``~`` is no LaTeX tie), else decoded."""
    raw = d.fields[name].strip()
    if re.fullmatch(r"[0-9X/.~?%-]+", raw):
        return raw
    return " ".join(d.decoded(name).split())


#: A year range in a classic ``year`` field: "1990--1994", "1990-1994", "1990/1994".
_YEAR_RANGE = re.compile(r"(\d{4})\s*(?:-{1,3}|\u2013|/)\s*(\d{4})")


#: a sort prefix before a year (BibTeX's \noopsort idiom, defined in @preamble)
_NOOPSORT = re.compile(r"\s*(\{\\noopsort\{[^{}]*\}\})")


def year(d: Decoding) -> None:
    """``year``: a year, a range of years, a status ("in press") or, failing those,
    text kept as a literal date (with a warning, in :func:`issued`). An entry
    with a ``crossref`` (a volume's set, an article's periodical) and a year
    but no ``date`` is marked
    (``extra.bibtex_year``): biber gives it the year and the rest of its
    parent's date (a periodical's open end, ``1991/``, makes it ``2010/``),
    so BibLaTeX exports write ``year`` again."""
    if "year" not in d.fields:
        return
    if "date" not in d.fields and d.fields.get("crossref", "").strip():
        d.extra["bibtex_year"] = True

    raw = d.fields["year"]
    sort = _NOOPSORT.match(raw)
    if sort and re.fullmatch(r"\d{4}", raw[sort.end() :].strip()):
        # {\noopsort{1973b}}1973: the year, sorted as the prefix says; kept apart
        d.extra["bibtex_year_sort"] = sort.group(1)
        raw = raw[sort.end() :]
    y = " ".join(latex.decode(raw).split())
    m = _YEAR_RANGE.fullmatch(y)
    span = f"{m.group(1)}/{m.group(2)}" if m else None
    start = open_year(y)
    if d.issued is None and re.fullmatch(r"\d{4}", y):
        d.issued = y
    elif d.issued is None and span:
        d.issued = span
    elif d.issued is None and start:
        # a periodical's years, "1989--date{}": an open range; exports to
        # classic BibTeX write the year as the source did
        d.issued = f"{start}/.."
        d.extra.setdefault("bibtex_written", {})["year"] = ws(raw)
    elif d.issued is None and status_key(y) and "pubstate" not in d.fields:
        d.data["status"] = STATUSES[status_key(y) or ""]
        # ({\autocap{f}orthcoming}: BibLaTeX exports write it as the source did)
        d.extra.setdefault("bibtex_written", {})["year"] = ws(raw)
    elif d.issued is None:
        d.issued = y
        d.date_source = "year"
        if "\\" in raw and ws(raw) not in _written_forms([y]):
            # a literal year in LaTeX (\bibstring{nodate}): written so again
            d.extra.setdefault("bibtex_written", {})["year"] = ws(raw)
    elif not d.issued.startswith(y) and not (
        m and d.issued.startswith(m.group(1)) and "/" + m.group(2) in d.issued
    ):
        d.extra["year"] = y


def month(d: Decoding) -> None:
    if "month" not in d.fields:
        return
    mtext = d.decoded("month").strip()

    number = Date.month_number(mtext) if _MONTH_WORD.match(mtext) else None
    issued = d.issued
    if issued is not None and len(issued) == 4 and number:
        d.issued = issued + f"-{number:02d}"
        spellings = (_MONTH_NAMES[number - 1].lower(), _MONTHS[number - 1], str(number))
        if mtext.lower() not in (*spellings, f"{number:02d}"):
            d.extra["month"] = mtext
    elif not (issued and number and len(issued) >= 7 and int(issued[5:7]) == number):
        d.extra["month"] = mtext
        if (
            issued
            and re.fullmatch(r"\d{4}/\d{4}", issued)
            and "date" not in d.fields
            and "year" in d.fields
        ):
            # year = {1981--1982} beside a month that is none (????): biber
            # reads the two as one legacy date; exports write them so again
            d.extra["bibtex_year"] = True


def day(d: Decoding) -> None:
    if "day" not in d.fields:
        return
    dtext = d.decoded("day").strip()
    issued = d.issued
    if issued is not None and len(issued) == 7 and dtext.isdigit():
        d.issued = issued + f"-{int(dtext):02d}"
    elif not (
        issued
        and len(issued) >= 10
        and issued[8:10].isdigit()
        and dtext.isdigit()
        and int(issued[8:10]) == int(dtext)
    ):
        d.extra["day"] = dtext


def issued(d: Decoding) -> None:
    """The date the date fields say; one that is no date is kept as written,
    as a literal date, with a warning naming the field."""
    if d.issued is None:
        return
    d.data["issued"] = _date(d, d.date_source, d.issued)


def _date(d: Decoding, field: str, text: str) -> Any:
    date, problem = Date.lenient(text)
    if problem and field == "year" and problem.endswith("is not a date"):
        problem = f"{text!r} is not a year (YYYY)"
    if problem:
        d.warnings.append(f"field '{field}': {problem}; kept as written, as a literal date")
    return date.model_dump()


def other_dates(d: Decoding) -> None:
    """``origdate``, ``eventdate`` (the date rows of the table but ``urldate``)."""
    for row in write_rows(d.rtype):
        if row.kind == "date" and row.record != "accessed" and row.bibtex in d.fields:
            d.handled.add(row.bibtex)
            text = _date_text(d, row.bibtex)
            if text:
                d.data[row.record] = _date(d, row.bibtex, text)


def pubstate(d: Decoding) -> None:
    """``pubstate`` (mapped to ``status``): biblatex's keys ("inpress") as words."""
    text = d.data.get("status")
    if isinstance(text, str):
        d.data["status"] = STATUSES.get(text.strip().lower(), text)


def accessed(d: Decoding) -> None:
    """``urldate``: a date (EDTF, or a date written out), else kept in extra."""
    if "urldate" in d.fields:
        d.handled.add("urldate")
        text, exact = date_parts(d.decoded("urldate"))
        edtf = _date_text(d, "urldate")
        if text and exact:
            d.data["accessed"] = text
        elif Date.lenient(edtf)[1] is None:
            d.data["accessed"] = Date.lenient(edtf)[0].model_dump()
        else:
            d.extra["urldate"] = d.decoded("urldate")


def article_issue(d: Decoding) -> None:
    """``issue`` is the issue unless ``number`` says it (then it is kept in extra)."""
    if d.rtype not in _ARTICLES or "issue" not in d.fields:
        return
    if "number" in d.fields:
        d.extra["issue"] = d.decoded("issue")
        d.handled.add("issue")
    else:
        d.mapping["issue"] = "issue"
        # biblatex's issue ("Spring", "7") is no number: written as issue again
        d.extra["bibtex_fields"] = {**d.extra.get("bibtex_fields", {}), "issue": "issue"}


def booktitle_copy(d: Decoding) -> None:
    """A book's ``booktitle`` written as its title is the copy written for
    crossref (a chapter that crossrefs the book inherits it): not kept twice,
    but marked (``extra.bibtex_booktitle``), so the export writes the title
    again as ``booktitle``. One that differs from the title, in a brace even,
    is the book's ``container_title``, as any other book's ``booktitle``."""
    f = d.fields
    if d.rtype != "book" or "booktitle" not in f or "title" not in f:
        return
    if ws(f["booktitle"]) == ws(f["title"]):
        d.handled.add("booktitle")
        d.extra["bibtex_booktitle"] = True


def _name_list(d: Decoding, name: str, value: str) -> None:
    """``author``, ``editor``, ``translator``, with their "and others"."""
    people, others = names(value, name, d.warnings)
    d.data[NAME_FIELDS_IN[name]] = _annotated(d, name, people)
    _keep_spellings(d, NAME_FIELDS_IN[name], value)
    if not others:
        return
    if name == "author":
        d.data["authors_et_al"] = True
    elif name == "editor":
        d.data["editors_et_al"] = True
    else:
        d.extra[f"{name}_et_al"] = True


def _keep_spellings(d: Decoding, field: str, value: str) -> None:
    """How the source braced the names of a list, where a writer would not
    (``extra.bibtex_names``: field -> spellings, :func:`.text.name_spellings`):
    ``{La Bruna}, Paco`` is one family name to biber, ``La Bruna`` two words."""
    spelled = name_spellings(value)
    if spelled:
        d.extra.setdefault("bibtex_names", {})[field] = spelled


#: biblatex annotations of a name list read into its names: the field's
#: suffix -> the name part it sets (``author+an`` -> ``annotation``)
NAME_ANNOTATIONS = {"+an": "annotation", "+an:ordering": "static_ordering"}


def _annotated(d: Decoding, field: str, people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per-name annotations (``author+an = {1=corresponding}``, and
    ``author+an:ordering = {1=static}`` for a name written family first) put
    on the names; one that names no name of the list stays in extra, warned."""
    for suffix, part in NAME_ANNOTATIONS.items():
        source = field + suffix
        if source not in d.fields:
            continue
        items = name_annotations(d.fields[source])
        if items is None or (part == "static_ordering" and any(t != "static" for _, t in items)):
            continue  # part or field annotations, or unknown orderings: kept as written
        missing = [n for n, _ in items if not 1 <= n <= len(people)]
        if missing:
            d.warnings.append(
                f"field '{source}': an annotation for name {missing[0]}, but '{field}' has "
                f"{len(people)} name{'s' if len(people) != 1 else ''}; the field is kept as "
                "written"
            )
            continue
        d.handled.add(source)
        d.extra.pop(source, None)
        for n, text in items:
            people[n - 1][part] = True if part == "static_ordering" else text
    return people


#: biblatex's literal lists (``and`` between items, ``{and}`` a word): the
#: record keeps their items joined by "; " (:data:`LIST_SEPARATOR`); a list
#: of one item that holds "; " is noted in ``extra.bibtex_one_item``
LITERAL_LISTS = ("publisher", "location", "address", "institution", "school", "organization")
LIST_SEPARATOR = "; "
#: an ``and`` between a literal list's items (any white space around it)
_LIST_AND = re.compile(r"\sand\s", re.IGNORECASE)
#: a literal list's BibTeX name -> its BibLaTeX name (one name for both)
SAME_LIST = {"address": "location", "school": "institution"}
#: biblatex's name lists the field table has no row for: kept in extra as names
EXTRA_NAME_LISTS = (
    "holder", "editora", "editorb", "editorc", "annotator", "commentator", "introduction",
    "foreword", "afterword", "namea", "nameb", "namec", "shortauthor", "shorteditor",
)  # fmt: skip


def mapped_fields(d: Decoding) -> None:
    """Every other field: the name lists, the fields of the field table, and
    the rest kept in extra (in the file's order)."""
    for name, value in d.fields.items():
        if name in d.handled:
            continue
        if name in NAME_FIELDS_IN:
            _name_list(d, name, value)
            continue
        target = d.mapping.get(name)
        if name in LITERAL_LISTS and _LIST_AND.search(value):
            items = split_names(value)
            value = LIST_SEPARATOR.join(items)
            counts = [len(item.split(LIST_SEPARATOR)) for item in items]
            if any(n > 1 for n in counts):
                # an item that holds "; " (Cambridge, MA, USA; Berlin, Germany and
                # Basel): how many of the record's items each item holds
                lists = d.extra.setdefault("bibtex_list_items", {})
                lists[SAME_LIST.get(name, name)] = counts
        elif name in LITERAL_LISTS and re.search(r";\s", value):
            # one item that holds "; " (location = {М.; СПб.}): written as one again
            one = SAME_LIST.get(name, name)
            d.extra["bibtex_one_item"] = [*d.extra.get("bibtex_one_item", []), one]
        if target is None and name in EXTRA_NAME_LISTS and value.strip():
            # a name list (``{Robert Bosch GmbH}`` is one literal name)
            people, _others = names(value, name, d.warnings)
            d.extra[name] = people
            _keep_spellings(d, name, value)
            continue
        if target is None:
            if name in _VERBATIM:
                d.extra[name] = unescape_verbatim(value)
            elif name.endswith(_ANNOTATION_SUFFIXES) or "+an:" in name:
                d.extra[name] = ws(latex.decode(value)) if value.strip() else value
            else:
                d.extra[name] = rich(value, name, d.extra) if value.strip() else value
            continue
        _map_field(d, name, value, target)


#: biblatex data annotations (``title+an``) are not text: kept decoded, as before
_ANNOTATION_SUFFIXES = ("+an",)


def _map_field(d: Decoding, name: str, value: str, target: str) -> None:
    if not _braces_balance(value):
        d.warnings.append(f"field '{name}': unbalanced braces; read as far as they go")
    if target in CASED_FIELDS:
        text = cased(value, target, d.extra, d.cased)
    elif name in _VERBATIM:
        text = unescape_verbatim(value)
    elif _kind(d.rtype, name) in _RICH_KINDS:
        text = rich(value, target, d.extra, spaces=target != "abstract")
    elif target == "keywords":
        text = ws(latex.decode(named_macros(value)))  # {\VorTeX}: "VorTeX", not nothing
    else:
        text = latex.decode(value)
        if target != "abstract":
            text = ws(text)
    if not text.strip():
        return
    if target in ("keywords", "tags"):
        # the file's separator (split_keywords), kept when a writer would
        # not choose it ("Penmanship; Printing")
        words, sep = split_keywords(text)
        d.data[target] = words
        kept = kept_separator(words, sep)
        if kept and target == "keywords":
            d.extra["keyword_separator"] = kept
        if target == "keywords" and ("\\" in value or "{" in value):
            _keep_keywords(d, value, words, kept)
        return
    if target == "pages":
        _keep_pages(d, value, text)
    if target == "isbn":
        between = isbn_separator(text)
        if between is not None:
            # several in one field, as biber prints them: written so again
            d.extra["isbn_separator"] = between
    if target in _IDENTIFIERS:
        d.identifiers[target] = name
    d.data[target] = text


#: pages a writer writes as they are (ASCII letters, digits, a few marks)
_PLAIN_PAGES = re.compile(r"[A-Za-z0-9.:+-]+")
#: a range's dash as biber reads it (``-``, ``--``, ``–``, ``—``; a run of them)
_RANGE_DASH = re.compile(r"\s*[-–—]+\s*")


def _keep_pages(d: Decoding, value: str, text: str) -> None:
    """``pages`` as the source wrote them (``extra.bibtex_written``) where a
    writer would write them otherwise and biber would read that otherwise: an
    abbreviated range (``270--5``, which the record holds as 270–275), a range
    whose ends are equal (``??--??``), braces (``{c\\,3}``)."""
    try:
        pages = PageRange.parse(text)
    except ValueError:
        return
    written = ws(value)
    same = _RANGE_DASH.sub("--", written)
    plain = pages.start + ("--" + pages.end if pages.end else "")
    if same == plain and _PLAIN_PAGES.fullmatch(plain):
        return  # what a writer writes (most pages: 136--142)
    if all(pages_text(Spelling("biblatex", a), pages) != same for a in (False, True)):
        d.extra.setdefault("bibtex_written", {})["pages"] = written


def _keep_keywords(d: Decoding, value: str, words: list[str], sep: str | None) -> None:
    """``keywords`` as the source wrote them (``extra.bibtex_written``) where
    a writer would write them otherwise: ``{\\TeX} Software`` (the record
    holds the keyword "TeX Software", plain text as every keyword is)."""
    written = ws(value)
    if written not in _written_forms([join_keywords(words, sep)]):
        d.extra.setdefault("bibtex_written", {})["keywords"] = written


def _written_forms(texts: Any) -> set[str]:
    """How a writer writes each of ``texts`` (UTF-8 or ASCII)."""
    return {Spelling("biblatex", a).text(t) for t in texts if t for a in (False, True)}


def _braces_balance(value: str) -> bool:
    if "{" not in value and "}" not in value:
        return True
    depth = 0
    for m in _BRACE_OR_ESCAPE.finditer(value):  # (an escape: the backslash and what follows)
        c = m.group()
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


_BRACE_OR_ESCAPE = re.compile(r"\\.|[{}]", re.DOTALL)


#: the kinds of the field table whose values are rich text (the others are
#: numbers, identifiers, lists, dates: decoded as plain text)
_RICH_KINDS = frozenset({"text", "cased", "title", "container", "site"})


@cache
def _kind(rtype: str, name: str) -> str | None:
    """The kind of the field table's row for BibTeX field ``name``."""
    for row in write_rows(rtype):
        if name in row.names_read:
            return row.kind
    return None


def isbn_others(d: Decoding) -> None:
    if "isbn-others" not in d.fields:
        return
    if "isbn" in d.data:
        d.data["isbn"] = d.data["isbn"] + ", " + d.decoded("isbn-others")
    else:
        d.extra["isbn-others"] = d.decoded("isbn-others")


def classic_inbook(d: Decoding) -> None:
    """Classic BibTeX's @inbook (and a @suppbook) with no ``booktitle``: the
    title is the book's, chapter/pages the part."""
    data = d.data
    if d.etype not in BOOK_TITLED_PARTS or "booktitle" in d.fields or data.get("parent"):
        return
    if data.get("title") and not data.get("container_title"):
        data["container_title"] = data.pop("title")
        for table in (d.extra.get("protect"), d.extra.get("latex_markup")):
            if isinstance(table, dict) and "title" in table:
                table["container_title"] = table.pop("title")


def bookless_chapter(d: Decoding) -> None:
    """A chapter that names no book (an ``@incollection`` with no
    ``booktitle`` and no ``crossref``, as some repositories export them) is
    read as a book, its entry type kept, with a warning, as the CSL-JSON
    reader reads one: the entry is not lost for want of its book's title."""
    data = d.data
    if data["type"] != "chapter" or data.get("container_title") or data.get("parent"):
        return
    data["type"] = "book"
    d.extra["bibtex_type"] = d.etype
    d.warnings.append(
        f"a @{d.etype} with no booktitle or crossref: read as a book (the entry type kept)"
    )


def subtitle_split(d: Decoding) -> None:
    """BibTeX has no subtitle field: "Title: Subtitle" with subtitle = {Subtitle}
    is how citeshelf writes one for classic BibTeX."""
    sub = d.data.get("subtitle")
    title = d.data.get("title")
    if not sub or not title:
        return
    joined = title.endswith(": " + sub)
    # a group the decoder placed as nocase may be so only because the
    # subtitle repeats its phrase ("x {\\emph{A}} y: A" beside subtitle =
    # {A}): the main title is then read from the field as if it stood alone
    if joined and _NOCASE not in title:
        _split_decoded(d, title, sub)
        return
    head = _main_title(d.fields.get("title", ""), sub)
    if head is not None:
        # read as if the title field held the main title alone
        d.data["title"] = cased(head, "title", d.extra, d.cased)
    elif joined:
        _split_decoded(d, title, sub)


_NOCASE = richtext.TAGS["nocase"]


def _split_decoded(d: Decoding, title: str, sub: str) -> None:
    """The decoded ``title`` without its ": ``sub``", the phrases braced
    before it its protected phrases."""
    main = d.data["title"] = title[: -len(sub) - 2]
    phrases, _plain = d.cased.get("title", ([], title))
    # the braced phrases of the main title: those before ": subtitle"
    n_sub = len(d.cased.get("subtitle", ([], ""))[0])
    own = phrases[: len(phrases) - n_sub] if n_sub else phrases
    decide_protect(main, own, "title", d.extra)


def _main_title(raw: str, sub: str) -> str | None:
    """The part of the title field ``raw`` before ": ``sub``", when its rest
    reads as the subtitle with other markup: "{aA}: A {A}" beside subtitle =
    {A {A}} (the braces read as a proper noun in the subtitle, as kept
    capitals after a colon); None if it does not end so."""
    want = richtext.plain(sub)
    if not want or ": " not in raw:
        return None
    depth = 0
    cuts = []
    for i, ch in enumerate(raw):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == ":" and depth == 0 and raw.startswith(": ", i):
            cuts.append(i)
    for i in reversed(cuts):
        tail, _ = latex.decode_rich(raw[i + 2 :], cased=True)
        if richtext.plain(tail) == want:
            return raw[:i]
    return None


def thesis_degree(d: Decoding) -> None:
    """The degree of the type field or the entry type (see
    :func:`~.fields.thesis_degree_read`); the entry type is kept in extra only
    when the writer would not choose it again."""
    if d.rtype != "thesis":
        return
    degree = thesis_degree_read(d.etype, d.data.pop("degree", None))
    if degree:
        d.data["degree"] = degree
    written = ws(d.fields.get("type", ""))
    if written and written not in _written_forms(
        thesis_type_field(degree, thesis_etype(degree, b)) for b in (False, True)
    ):
        # "{Ph.D.} dissertation", "Master's thesis": the degree's own words,
        # written so again (a writer would write biblatex's phdthesis)
        d.extra.setdefault("bibtex_written", {})["type"] = written
    if d.etype == "thesis" or d.etype == thesis_etype(degree, False):
        d.extra.pop("bibtex_type", None)
    elif d.etype in _THESIS_ETYPES:
        d.extra["bibtex_type"] = d.etype


def report_type(d: Decoding) -> None:
    if d.rtype == "report" and d.etype == "report":
        d.extra.pop("bibtex_type", None)


#: The steps from an entry's fields to a record's data, in the order they run.
DECODERS: tuple[Callable[[Decoding], None], ...] = (
    wide_accents,
    entry_type,
    links,
    date_field,
    year,
    month,
    day,
    issued,
    other_dates,
    accessed,
    article_issue,
    booktitle_copy,
    mapped_fields,
    pubstate,
    isbn_others,
    classic_inbook,
    bookless_chapter,
    subtitle_split,
    thesis_degree,
    report_type,
)


# --------------------------------------------------------------------------
# validation


def entry_to_record(
    etype: str, key: str, fields: Mapping[str, str], *, original_key: str | None = None
) -> tuple[Any, list[str]]:
    """One entry's evaluated fields (LaTeX text) as a record, and warnings."""
    d = Decoding(etype, key, fields, original_key)
    for step in DECODERS:
        step(d)
    if d.extra:
        d.data["extra"] = d.extra
    return _validated(d), d.warnings


def _validated(d: Decoding) -> Any:
    """The record; an identifier that is not one (a DOI "n/a", an ISBN with a
    typo) or pages that are none are kept in extra with a warning rather than
    losing the entry."""
    data, extra = d.data, d.extra

    def keep(target: str, why: str) -> bool:
        name = d.identifiers.get(target) or ("pages" if target == "pages" else None)
        if name is None:
            return False
        urls = _several_urls(data) if target == "url" else None
        if urls:
            # Beebe's bibliographies give a work's URLs in one field, "...;\n  http://..."
            d.warnings.append(
                f"field '{name}' holds {len(urls)} URLs: the first is the url, the others "
                "kept in extra.urls"
            )
            data["url"], extra["urls"] = urls[0], urls[1:]
            extra.setdefault("bibtex_written", {})["url"] = d.fields[name].strip()
            data["extra"] = extra
            return True
        issns = _issns_for_isbn(data) if target == "isbn" else None
        if issns:
            # an article's ISSN in its isbn field (Mendeley writes them so)
            d.warnings.append(f"field '{name}' holds ISSNs, not ISBNs: read as the issn")
            data["issn"] = issns
            del data["isbn"]
            extra.pop("isbn_separator", None)
            if not extra:
                data.pop("extra", None)
            return True
        if name == "isbn" and "isbn-others" in d.fields:
            extra["isbn-others"] = d.decoded("isbn-others")
            data[target] = data[target].split(", ")[0]
        d.warnings.append(f"field '{name}' kept in extra: {why}")
        extra[name] = data.pop(target)
        data["extra"] = extra
        return True

    try:
        return parse_record_lenient(data, keep)
    except ValidationError as exc:
        raise EntryError(_reason(exc)) from None


def _several_urls(data: dict[str, Any]) -> list[str] | None:
    """The URLs of a url field that holds more than one, if the first is one."""
    from ...model.identifiers import normalize_url

    value = data.get("url")
    if not isinstance(value, str):
        return None
    urls = split_urls(value)
    if len(urls) < 2:
        return None
    try:
        normalize_url(urls[0])
    except ValueError:
        return None
    return urls


def _issns_for_isbn(data: dict[str, Any]) -> str | None:
    """The ISSNs an isbn field holds instead of ISBNs, as an issn field would
    hold them, if the record has no issn of its own and its type has one."""
    from ...model.identifiers import check_issn, only_issns
    from ...model.record import WORK_TYPES

    value = data.get("isbn")
    model = WORK_TYPES.get(data.get("type", ""))
    if not isinstance(value, str) or data.get("issn") or model is None:
        return None
    if "issn" not in model.model_fields:
        return None
    # (Mendeley separates them by a backslash and r: "0001-0782 (Print)\\r1557-7317")
    text = re.sub(r"\\[rn](?=\d)", ", ", value)
    if not only_issns(text):
        return None
    try:
        return check_issn(text)
    except ValueError:
        return None


def _reason(exc: Any) -> str:
    return describe_validation_error(exc, "").removeprefix(": ").replace(": field", "field")
