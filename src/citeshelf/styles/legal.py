"""Legal references: court decisions, statutes, regulations and treaties.

APA 7 (chapter 11) and the Chicago Manual (17th edition 14.269 ff., "Legal
and public documents") both cite legal materials as the Bluebook does, so
the form is the same in every style, and lives here once:

- a court decision (Bluebook 10; APA 11.4): "Brown v.
  Board of Education, 347 U.S. 483 (1954)": the case name, the volume,
  reporter and first page, then the court and year in parentheses (the full
  date when no reporter is given, with the docket number);
- a statute (Bluebook 12; APA 11.5): "Americans with
  Disabilities Act of 1990, 42 U.S.C. § 12101 (1990)": the name, the title
  and code with its section, the year; a session law by its public law
  number: "Pub. L. No. 101-336, 104 Stat. 327";
- a treaty (Bluebook 21.4; APA 11.10): "North Atlantic
  Treaty, April 4, 1949, 34 United Nations Treaty Series 243": the name, the
  parties, the date of signing, the treaty series.

A legal reference is in roman; a case name in an in-text citation or a
shortened note is in italics (APA 11.4; as the CSL styles give it). A cited
page of a reported case or a treaty follows "at" in a note, as the CSL
styles give it.

Names are capitalised as the Bluebook does (8(a)): every word except
articles, conjunctions and prepositions of four letters or fewer (CMOS 18
8.160's headline style), "v." lower case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .common import (
    MONTH_NAMES,
    abbreviated_locator,
    chicago_title_case,
    csl_type,
    page_text,
    record_extra,
    title_cased,
    typo,
)
from .text import Styled

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..model import BaseRecord, Date

__all__ = [
    "LEGAL_TYPES",
    "is_legal",
    "legal_title",
    "legal_reference",
    "legal_cite_title",
    "legal_locator",
    "supreme_court_reporter",
]

#: The CSL types given the Bluebook form (a hearing keeps the styles' general one).
LEGAL_TYPES = frozenset({"legal_case", "legislation", "bill", "regulation", "treaty"})

#: Reporters of the Supreme Court of the United States only: the court is
#: not named after them (Bluebook 10.4(a); the APA 11.4 example, "Brown v.
#: Board of Education, 347 U.S. 483 (1954)", and CMOS 14.269 ff. (17th)).
_SUPREME_COURT_REPORTERS = frozenset({"U.S.", "S. Ct.", "L. Ed.", "L. Ed. 2d"})


def is_legal(record: BaseRecord) -> bool:
    return csl_type(record) in LEGAL_TYPES


def supreme_court_reporter(record: BaseRecord) -> bool:
    """A decision reported in a reporter of the U.S. Supreme Court only."""
    reporter = (getattr(record, "container_title", None) or "").strip()
    return csl_type(record) == "legal_case" and reporter in _SUPREME_COURT_REPORTERS


def _bluebook(title: str, phrases: Sequence[str] = ()) -> str:
    return chicago_title_case(title, 18, phrases)


def legal_title(record: BaseRecord) -> str:
    """The case name, act or treaty, in the Bluebook's capitals (8(a))."""
    return title_cased(
        record, record.full_title or record.title or "", _bluebook, "title", "subtitle"
    )


def _full_date(d: Date) -> str:
    if d.literal is not None:
        return d.literal
    if d.month and d.day:
        return f"{MONTH_NAMES[d.month - 1]} {d.day}, {d.year}"
    if d.month:
        return f"{MONTH_NAMES[d.month - 1]} {d.year}"
    return str(d.year)


def _year(d: Date | None) -> str:
    if d is None:
        return ""
    return d.literal if d.literal is not None else str(d.year)


def _first_page(record: BaseRecord) -> str:
    pages = page_text(getattr(record, "pages", None))
    return pages.split("–")[0].split("-")[0].strip()


def _number(record: BaseRecord) -> str:
    number = (getattr(record, "number", None) or "").strip()
    if not number:
        return ""
    return number if number.startswith("No.") else f"No. {number}"


def _section(record: BaseRecord) -> str:
    section = (getattr(record, "section", None) or "").strip()
    if not section:
        return ""
    many = any(c in section for c in "–-,&")
    return ("§§ " if many else "§ ") + section


def _joined(*parts: str, sep: str = " ") -> str:
    return sep.join(p for p in parts if p)


def _case(record: BaseRecord, *, court: bool) -> str:
    reporter = typo(getattr(record, "container_title", None))
    authority = typo(getattr(record, "authority", None)) if court else ""
    d = record.issued
    if reporter:
        source = _joined(
            record.volume or "", reporter, _section(record), _first_page(record) or "___"
        )
        when = _joined(authority, _year(d))
    else:
        source = _number(record)
        when = _joined(authority, _full_date(d) if d is not None else "")
    head = _joined(legal_title(record), source, sep=", ")
    return _joined(head, f"({when})" if when else "")


def _code(record: BaseRecord) -> str:
    """Where an act or regulation is: "42 U.S.C. § 12101"; a session law by
    its public law number, "Pub. L. No. 101-336, 104 Stat. 327"."""
    code = typo(getattr(record, "container_title", None))
    place = _joined(record.volume or "", code, _section(record) or _first_page(record))
    number = (getattr(record, "number", None) or "").strip()
    kind = csl_type(record)
    if number and kind in ("legislation", "bill", "regulation"):
        genre = typo(record_extra(record, "genre")) or ("Pub. L." if kind == "legislation" else "")
        label = _joined(genre[:1].upper() + genre[1:], f"No. {number}")
        return _joined(label, place, sep=", ")
    return place


def _statute(record: BaseRecord) -> str:
    head = _joined(legal_title(record), _code(record), sep=", ")
    original = record.original_date
    years = _joined(_year(original), "&" if original is not None else "", _year(record.issued))
    return _joined(head, f"({years})" if years else "")


def _treaty(record: BaseRecord) -> str:
    parties = "-".join(
        typo(p.literal or p.last)
        for p in getattr(record, "authors", ()) or ()
        if p.literal or p.last
    )
    d = record.issued
    series = typo(getattr(record, "container_title", None))
    source = _joined(record.volume or "", series, _first_page(record) or _number(record))
    return _joined(
        legal_title(record), parties, _full_date(d) if d is not None else "", source, sep=", "
    )


def legal_reference(record: BaseRecord) -> Styled:
    """The Bluebook citation of a legal record, without a closing period:
    the reference-list and bibliography entry, and the full note."""
    kind = csl_type(record)
    if kind == "legal_case":
        text = _case(record, court=not supreme_court_reporter(record))
    elif kind == "treaty":
        text = _treaty(record)
    else:
        text = _statute(record)
    return Styled().add(text)


def legal_cite_title(record: BaseRecord, *, short: bool = True) -> Styled:
    """The name an in-text citation or a short note gives: a case name in
    italics (APA 11.4), an act or a treaty in roman."""
    title = legal_title(record)
    if short and getattr(record, "short_title", None):
        title = title_cased(record, record.short_title, _bluebook, "short_title")
    out = Styled()
    return out.italic(title) if csl_type(record) == "legal_case" else out.add(title)


def legal_locator(record: BaseRecord, page: str | None) -> str:
    """A cited page of a full note: "at 531" in a reported case or a treaty
    (it follows the first page), else the page or section as it is."""
    if not page:
        return ""
    loc = abbreviated_locator(page)
    if csl_type(record) in ("legal_case", "treaty") and _first_page(record):
        return "at " + loc
    return loc
