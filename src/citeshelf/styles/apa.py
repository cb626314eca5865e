"""APA Style, 7th edition (Publication Manual of the American Psychological
Association, 7th ed., 2020, chapters 8–10).

Reference-list entries (:func:`reference`) and in-text citations
(:func:`citation`: parenthetical and narrative). Section numbers in comments
are the manual's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from ..model.inherit import original_of
from ..model.names import is_cjk, join_particle
from .common import (
    MONTH_NAMES,
    accessed_date,
    apa_title_case,
    capitalize_first,
    csl_type,
    edition_text,
    fold,
    full_locator,
    given_initials,
    has_italics,
    locator_is_range,
    month_day,
    no_date_label,
    number_label,
    page_text,
    record_extra,
    shared_surname_keys,
    sort_title,
    title_cased,
    title_sort,
    typo,
    volume_titles,
    year_span,
)
from .legal import is_legal, legal_cite_title, legal_reference
from .text import Styled, inner_quotes

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Sequence

    from ..model import Article, BaseRecord, Chapter, Paper, Person, Webpage
    from ..model.dates import Date
    from .common import Cite, Work

__all__ = [
    "reference",
    "citation",
    "sort_key",
    "author_year_key",
    "same_surname_keys",
    "cited_surname",
]

_FULL_DATE_TYPES = frozenset({"webpage", "misc"})
_FULL_DATE_CSL = frozenset({"article-newspaper", "article-magazine", "post", "post-weblog"})
_ITALIC_TYPES = frozenset({"book", "report", "thesis", "webpage", "misc"})


# --------------------------------------------------------------------------
# Names (9.8–9.11)


def _inverted(p: Person) -> str:
    """ "Galbreath, D. J."; "van der Berg, P."; "Walker, R. E., Jr.";
    "Mises, L. von" (a dropping particle follows the initials, 9.8 as
    citeproc-js's APA style does); "毛泽东"; "Mao Z." (family first)."""
    if p.literal:
        return typo(p.literal)
    if p.family_first:
        return typo(_family_first(p))
    text = p.last
    if p.given:
        text += ", " + given_initials(p.given)
    if p.dropping_particle:
        text += (" " if p.given else ", ") + p.dropping_particle
    if p.suffix:
        text += ", " + p.suffix
    return typo(text)


def _family_first(p: Person) -> str:
    """A name written family first: a CJK name whole ("毛泽东"), any other
    with its initials ("Mao Z.")."""
    if is_cjk(p.last) and is_cjk(p.given or ""):
        return p.last + (p.given or "")
    text = " ".join(x for x in (p.last, given_initials(p.given or "")) if x)
    return f"{text}, {p.suffix}" if p.suffix else text


def _direct(p: Person) -> str:
    """Editors in a chapter reference: "J. Sperling", "L. von Mises"."""
    if p.literal:
        return typo(p.literal)
    if p.family_first:
        return typo(_family_first(p))
    text = p.last
    if p.dropping_particle:
        text = join_particle(p.dropping_particle, text)
    if p.given:
        text = given_initials(p.given) + " " + text
    if p.suffix:
        text += ", " + p.suffix
    return typo(text)


def _name_list(names: list[str], et_al: bool = False) -> str:
    """9.8: "&" before the last; up to 20 names, then the first 19, an
    ellipsis and the last."""
    n = len(names)
    if n == 0:
        return ""
    if n > 20:
        return ", ".join(names[:19]) + ", … " + names[-1]
    if et_al:
        return ", ".join(names) + ", et al."
    if n == 1:
        return names[0]
    if n == 2 and "," not in names[0] and "," not in names[1]:
        # "É. Mérand & S. Eilstrup-Sangiovanni" (direct order, no commas)
        return f"{names[0]} & {names[1]}"
    return ", ".join(names[:-1]) + ", & " + names[-1]


_AUDIOVISUAL = frozenset({"motion_picture", "broadcast"})


def _av_creators(record: BaseRecord) -> list[tuple[Person, str]]:
    """The writers and directors of a film or broadcast with no author, each
    with the role apa.csl gives it (10.12: "Spielberg, S. (Director)")."""
    if record.authors or csl_type(record) not in _AUDIOVISUAL:
        return []
    writers = getattr(record, "script_writers", None) or []
    directors = getattr(record, "directors", None) or []
    return [(p, "Writer") for p in writers] + [(p, "Director") for p in directors]


def _composers(record: BaseRecord) -> bool:
    """A recording listed under its composer (10.13: for a classical work,
    the composer as the author; who recorded it follows the description)."""
    return bool(record.composers) and csl_type(record) == "song"


def _listed(record: BaseRecord) -> list[Person]:
    """Whom a work is listed and cited under: its authors, else the editors
    of a work that is not a chapter, else a film's writers and directors; a
    recording of a composer's work, the composer (10.13)."""
    if _composers(record):
        return list(record.composers)
    if record.authors:
        return list(record.authors)
    if record.editors and record.type != "chapter":
        return list(record.editors)
    creators = _av_creators(record)
    if creators:  # the writers, else the directors, as apa.csl cites them
        return [p for p, role in creators if role == creators[0][1]]
    return []


def _authors(record: Work) -> tuple[str, str]:
    """The author element and a role label ("" / " (Ed.)" / " (Eds.)")."""
    if _composers(record):
        return _name_list([_inverted(p) for p in record.composers]), ""
    if record.authors:
        return _name_list([_inverted(p) for p in record.authors], record.authors_et_al), ""
    if record.editors and record.type != "chapter":
        label = " (Eds.)" if len(record.editors) > 1 or record.editors_et_al else " (Ed.)"
        return _name_list([_inverted(p) for p in record.editors], record.editors_et_al), label
    creators = _av_creators(record)
    if len(creators) == 1:
        return _inverted(creators[0][0]), f" ({creators[0][1]})"
    if creators:  # 10.12: "Card, O. S. (Writer), & Hood, G. (Director)"
        named = [f"{_inverted(p)} ({role})" for p, role in creators]
        return ", ".join(named[:-1]) + ", & " + named[-1], ""
    return "", ""


def _cited_name(p: Person, narrative: bool, first: bool, initials: bool = False) -> str:
    """A name in a citation; a group author with an abbreviation (8.21) by
    its full name and the abbreviation in brackets the first time, "World
    Health Organization [WHO]" (narrative: the name alone, the abbreviation
    goes in the parenthesis), and by the abbreviation after: "WHO".
    ``initials``: the surname is shared with another cited first author
    (8.20), "J. M. Taylor"."""
    if p.literal and p.short:
        if not first:
            return typo(p.short)
        return typo(p.literal) if narrative else f"{typo(p.literal)} [{typo(p.short)}]"
    if initials and p.given and not p.literal and not p.family_first:
        return typo(f"{given_initials(p.given)} {p.last}")
    return typo(p.last)


def _short_names(
    people: Sequence[Person],
    et_al: bool,
    narrative: bool,
    first: bool = True,
    initials: bool = False,
) -> str:
    """In-text names (8.17): one or two names, else the first and "et al.";
    ``initials``: the first author's initials too (8.20)."""
    fam = [_cited_name(p, narrative, first, initials and i == 0) for i, p in enumerate(people)]
    if len(fam) >= 3 or (et_al and fam):
        return fam[0] + " et al."
    if len(fam) == 2:
        return f"{fam[0]} {'and' if narrative else '&'} {fam[1]}"
    return fam[0] if fam else ""


# --------------------------------------------------------------------------
# Dates (9.13–9.17)


def _full_date(record: Work) -> bool:
    ct = csl_type(record)
    if ct in ("dataset", "software", "figure", "periodical"):
        # 10.9, 10.10, 10.14 (an infographic): the year; 10.1: a journal's
        # special issue, the year
        return False
    if ct in _FULL_DATE_CSL or record.type in _FULL_DATE_TYPES:
        return True
    if ct in ("review", "review-book") and not record.volume and record.issued is not None:
        return bool(record.issued.day)  # 10.7: a review in a newspaper, by its date
    return record.type == "paper" and not getattr(record, "container_title", None)


def _date(record: Work, suffix: str) -> str:
    """The reference's date (9.14-9.17): "2019", "2019a, June 3\u20135",
    "2017, Spring", "1990\u20131994", "2015\u2013present", "ca. 1990", "in press",
    "n.d.-a"; a republished work's date is the new one (9.41)."""
    d = record.issued
    if d is None:
        return no_date_label(record, "in press", suffix)
    year = year_span(d, open_end="present", suffix=suffix)
    if d.literal is not None or (not d.season and not (_full_date(record) and d.month)):
        return year
    start, end = month_day(d)
    if end and d.end is not None:
        # a range across years: "2019, December 30\u20132020, January 2"
        return f"{year_span(d.start, suffix=suffix)}, {start}\u2013{d.end.year}, {end}"
    return f"{year}, {start}"


def _year(record: BaseRecord, suffix: str) -> str:
    """The in-text date (8.10-8.11): the year(s), "in press", "n.d."; a
    republished work "1851/2003" (9.41: original date first)."""
    d = record.issued
    if d is None:
        return no_date_label(record, "in press", suffix)
    text = year_span(d, open_end="present", suffix=suffix)
    original = _original_date(record)
    if original is not None:
        text = year_span(original, open_end="present", era=_BCE) + "/" + text
    return text


#: APA's era for a year before the common era ("350 B.C.E.", the APA CSL
#: style's locale term; APA 9.41's ancient works)
_BCE = "B.C.E."


def _original_date(record: BaseRecord) -> Date | None:
    """The date of the original work: the record's ``original_date``, else
    the issue date of the work it reprints (a ``reprintof`` relation)."""
    original = getattr(record, "original_date", None)
    if original is None and (work := original_of(record)) is not None:
        original = work.issued
    return original


def _original(out: Styled, record: Work) -> None:
    """9.41: "(Original work published 1851)" at the end of a republished
    work; for one whose original is in the library, what it was reprinted
    from (:func:`_reprinted_from`)."""
    work = original_of(record)
    if work is not None and _reprinted_from(out, cast("Work", work)):
        return
    original = getattr(record, "original_date", None)
    if original is not None:
        out.add(f" (Original work published {year_span(original, open_end='present', era=_BCE)})")


def _people(people: Sequence[Person], et_al: bool, label: str = "") -> str:
    """ "F. Richardson, Ed."; "A. Author & B. Author"."""
    if not people:
        return ""
    text = typo(_name_list([_direct(p) for p in people], et_al))
    if label:
        text += ", " + label + ("s." if len(people) > 1 or et_al else ".")
    return text


def _reprinted_from(out: Styled, work: Work) -> bool:
    """10.2 and 10.3 (republished works): the source of a reprint, from the
    original's record: "(Reprinted from *Title of the original book*, pp.
    113–123, by F. Richardson, Ed., 1973, National Educational Press)", a
    journal article's "(Reprinted from “Title,” 1999, *Journal*, *12*(3), pp.
    4–20)". False if the record gives no title to name the original by (a
    chapter without its book)."""
    year = year_span(work.issued, open_end="present", era=_BCE) if work.issued else ""
    pages = ""
    if work.pages:
        pages = ("pp. " if work.pages.is_range else "p. ") + page_text(work.pages)
    journal = getattr(work, "journal", None)
    container = getattr(work, "container_title", None)
    if journal:
        out.add(" (Reprinted from ")
        if work.full_title:
            out.add("“" + inner_quotes(_title(work)) + ",” ")
        if year:
            out.add(year + ", ")
        _italic(out, typo(journal))
        _volume_issue(out, work)
        out.add((", " + pages if pages else "") + ")")
        return True
    if not container and work.parent and work.type != "book":
        return False  # a chapter whose book is not at hand: too little to name it by
    title = container or (work.full_title and _title(work))
    if not title:
        return False
    if container:
        by = _people(work.editors, work.editors_et_al, "Ed") or _people(
            getattr(work, "container_authors", []), False
        )
    else:
        by = _people(work.authors, work.authors_et_al) or _people(
            work.editors, work.editors_et_al, "Ed"
        )
    publisher = getattr(work, "publisher", None)
    out.add(" (Reprinted from ")
    _italic(out, typo(title))
    rest = [pages, f"by {by}" if by else "", year, typo(publisher) if publisher else ""]
    out.add("".join(", " + x for x in rest if x) + ")")
    return True


# --------------------------------------------------------------------------
# Reference entries


def _doi_or_url(out: Styled, record: Work) -> None:
    """9.34–9.35: the DOI as a URL, else the URL; no period after either."""
    if record.doi:
        url = "https://doi.org/" + record.doi
        out.add(" ").link(url)
    elif record.url:
        out.add(" ").link(record.url)


def _same_as_author(name: str | None, record: Work) -> bool:
    """9.24: when the author and the publisher are the same, omit the publisher."""
    if not name:
        return True
    return any(p.literal and fold(p.literal) == fold(name) for p in record.authors)


def _italic(out: Styled, text: str) -> Styled:
    """A title in italics; in roman if its script has none (CJK characters,
    as citeproc-js sets them)."""
    return out.italic(text) if has_italics(text) else out.add(text)


def _title(record: Work) -> str:
    """The title; a volume with its own title after the set's: "*APA
    educational psychology handbook: Vol. 1. Theories, constructs, and
    critical issues*" (10.2, example 30)."""
    volumes = volume_titles(record)
    if volumes is not None and record.volume:
        return typo(f"{volumes[0]}: Vol. {record.volume}. {volumes[1]}")
    return typo(record.full_title)


def _paren_info(record: Work, *, pages: str = "", chapter: str = "") -> str:
    """Edition, volume, report number, pages: "(2nd ed., Vol. 2, pp. 115–129)"."""
    parts = []
    ed = edition_text(record.edition)
    if ed:
        parts.append(ed)
    if record.volume and record.type in ("book", "chapter"):
        if (record.type == "chapter" and not record.volume_title) or (
            record.type == "book" and volume_titles(record) is None
        ):
            parts.append(f"Vol. {record.volume}")
    elif record.number_of_volumes and record.type == "book":
        # 10.2 example 30: a whole multivolume work, "(Vols. 1–3)"
        count = record.number_of_volumes
        parts.append(f"Vols. 1\u2013{count}" if count.isdigit() else count)
    if csl_type(record) == "standard" and record.number:
        parts.append(typo(record.number))  # "(ISO 8601-1:2019)", as apa.csl gives it
    if record.type == "report":
        genre = record_extra(record, "genre")
        # 10.4: "(Report No. 12-345)", "(Working Paper No. 7)"
        label = number_label(apa_title_case(genre) if genre else None, record.number)
        if label:
            parts.append(label)
    if record.type == "thesis" and record.number:
        parts.append(f"Publication No. {record.number}")  # 10.6
    version = record_extra(record, "version")
    if version:
        parts.append(f"Version {version}")
    if pages:
        parts.append(pages)
    elif chapter:
        parts.append(f"Chapter {chapter}")
    return f" ({', '.join(parts)})" if parts else ""


def _roles(record: Work) -> str:
    """The editors of an authored work and the translators, as they follow
    its title (10.2): "J. T. Costa, Ed.", "H. Weaver, Trans.", "W. Kaufmann,
    Ed. & Trans." (the same people both, or ``editor_translators``); "" if none. A chapter's editors are
    the book's (after "In"), so only its translators are given here."""
    parts = []
    eds = record.editors if record.authors and record.type not in ("chapter", "paper") else []
    trans = record.translators
    if eds and eds == trans:
        label = "Eds. & Trans." if len(eds) > 1 else "Ed. & Trans."
        return f"{_name_list([_direct(p) for p in eds])}, {label}"
    both = record.editor_translators  # CSL's editor-translator
    if both:
        label = "Eds. & Trans." if len(both) > 1 else "Ed. & Trans."
        parts.append(f"{_name_list([_direct(p) for p in both])}, {label}")
    if eds:
        label = "Eds." if len(eds) > 1 or record.editors_et_al else "Ed."
        parts.append(f"{_name_list([_direct(p) for p in eds], record.editors_et_al)}, {label}")
    if trans:
        parts.append(f"{_name_list([_direct(p) for p in trans])}, Trans.")
    interviewers = getattr(record, "interviewers", None)
    if interviewers:  # "M. Larsen, Interviewer", as apa.csl gives it
        label = "Interviewers" if len(interviewers) > 1 else "Interviewer"
        parts.append(f"{_name_list([_direct(p) for p in interviewers])}, {label}")
    return "; ".join(parts)


def _book_parens(record: Work) -> str:
    """The parenthesis after a book's title: roles first, then edition and
    volume, after a semicolon: "(H. Weaver, Trans.; 2nd ed.)" (10.2)."""
    roles = typo(_roles(record))
    info = _paren_info(record)
    if roles and info:
        return f" ({roles}; {info[2:-1]})"
    return f" ({roles})" if roles else info


def _translators(record: Work) -> str:
    roles = _roles(record)
    return f" ({typo(roles)})" if roles else ""


def _bracket(record: Work) -> str:
    """A description in square brackets (9.21)."""
    ct = csl_type(record)
    if record.type == "thesis":
        # a degree of the vocabulary in APA's words, other text as written
        from ..model.degrees import DEGREES

        known = DEGREES.get(record.degree or "")
        degree = typo(known.apa if known else record.degree) or "Thesis"
        if (record.url or _database(record)) and record.institution:
            return f" [{capitalize_first(degree)}, {record.institution}]"
        return f" [{capitalize_first(degree)}]"
    genre = record_extra(record, "genre")
    genre = capitalize_first(typo(genre)) if genre else ""
    if ct == "periodical" and record.container_title:
        return " [Special issue]"  # 10.1, a journal's special issue
    if ct == "collection":
        return " [Archival collection]"  # as apa.csl describes it
    if ct == "dataset":
        return " [Data set]"  # 10.9: "[Data set]" (a genre such as "Survey data" is not it)
    if ct == "software":
        return f" [{genre or 'Computer software'}]"  # 10.10
    if record.type == "paper" and not record.container_title and (genre or ct != "speech"):
        # 10.5, examples 63-64: "[Paper presentation]", "[Conference session]"
        # (a speech with no description is not called a paper)
        return f" [{genre or 'Paper presentation'}]"
    if ct == "broadcast" and record.number and record.container_title:
        # an episode's number: 10.12 "(Season 3, Episode 12) [TV series
        # episode]", 10.13 "(No. 443) [Audio podcast episode]"
        tv = "tv" in genre.lower() or "television" in genre.lower()
        number = f" ({'Episode' if tv else 'No.'} {record.number})"
        return number + (f" [{genre}]" if genre else "")
    if genre and record.type != "report":  # a report's genre labels its number
        return f" [{genre}]"  # 9.21: "[Opinion]", "[Editorial]", "[Letter]"
    if record.type == "misc" and record.howpublished:
        return f" [{capitalize_first(typo(record.howpublished))}]"
    medium = record_extra(record, "medium")
    if ct == "song":
        # 10.13: "[Song]"; a classical work, under its composer, with who
        # recorded it: "[Album recorded by Academy of St Martin in the Fields]"
        # (CSL's author of a composer's recording, else its performer;
        # apa.csl: "[Audio recording]" for a song)
        kind = capitalize_first(typo(medium)) if medium else "Song"
        artists = (record.authors or record.performers) if record.composers else []
        if artists:
            kind += " recorded by " + _name_list([_direct(p) for p in artists])
        return f" [{kind}]"
    if record.type == "misc" and medium:
        return f" [{capitalize_first(typo(medium))}]"  # 10.14: "[Photograph]"
    if ct == "map":
        return " [Map]"  # 10.14
    if ct == "motion_picture":
        return " [Film]"  # 10.12 (apa.csl: "[Video recording]")
    return ""


def _database(record: Work) -> str | None:
    """A thesis's database, which stands where the publisher would (10.6:
    "ProQuest Dissertations and Theses Global")."""
    if record.type != "thesis":
        return None
    name = record.archive or record.source
    return typo(name) if name else None


def _review(out: Styled, record: Work) -> None:
    """9.21, 10.7: "[Review of the book *Title*, by A. Author]" after a
    review's title ("the film", "the play" ... from ``reviewed_genre``)."""
    if not record.reviewed_title and not record.reviewed_authors:
        return
    kind = record.reviewed_genre or ("book" if csl_type(record) == "review-book" else "")
    out.add(" [Review of " + (f"the {typo(kind)} " if kind else ""))
    if record.reviewed_title:
        _italic(out, typo(record.reviewed_title))
    if record.reviewed_authors:
        names = _name_list([_direct(p) for p in record.reviewed_authors])
        out.add((", by " if record.reviewed_title else "by ") + names)
    out.add("]")


def _archive(out: Styled, record: Work) -> None:
    """An archival item's collection and repository (10.8, archival
    documents): "Adams Family Papers (Box 4, folder 12), Massachusetts
    Historical Society, Boston"."""
    archive = None if _database(record) else record.archive
    first = record.archive_collection or archive
    if not first and not record.archive_location:
        return
    text = typo(first) if first else ""
    if record.archive_location:
        text += f" ({typo(record.archive_location)})" if text else typo(record.archive_location)
    rest = [
        typo(x) for x in (archive if record.archive_collection else None, record.archive_place) if x
    ]
    out.add(", ".join([text, *rest]))
    out.punct(". ")


def _head(out: Styled, record: Work, suffix: str, *, italic_title: bool) -> bool:
    """Author and date; a work with no author moves its title first (9.12).
    Returns True if the title has already been written."""
    authors, label = _authors(record)
    if authors:
        out.add(typo(authors) + label)
        out.punct(". ")
        out.add(f"({_date(record, suffix)})")
        out.punct(". ")
        return False
    title = _title(record)
    if italic_title:
        _italic(out, title)
        out.add(_book_parens(record) + _bracket(record))
    else:
        out.add(title + _bracket(record))
        _review(out, record)
    out.punct(". ")
    out.add(f"({_date(record, suffix)})")
    out.punct(". ")
    return True


def reference(record: BaseRecord, *, suffix: str = "", edition: int | None = None) -> Styled:
    """The reference-list entry of a resolved record."""
    out = Styled()
    work = cast("Work", record)
    if is_legal(work):
        _legal(out, work)
    elif csl_type(work) == "patent":
        _patent(out, work, suffix)
    elif work.type == "chapter":
        _chapter(out, work, suffix)
    elif work.type == "article":
        _article(out, work, suffix)
    elif work.type == "paper" and work.container_title and work.editors:
        _chapter(out, work, suffix)  # proceedings with editors: a book (10.5)
    elif work.type == "paper" and work.container_title:
        _proceedings(out, work, suffix)
    elif work.type == "webpage":
        _webpage(out, work, suffix)
    elif csl_type(work) == "periodical" and work.container_title:
        _special_issue(out, work, suffix)
    else:
        _book_like(out, work, suffix)
    return out


def _legal(out: Styled, record: Work) -> None:
    """11.4-11.10: a case, act or treaty as the Bluebook cites it
    (:mod:`citeshelf.styles.legal`), then its URL."""
    out.extend(legal_reference(record))
    out.punct(". ")
    _doi_or_url(out, record)


def _patent_number(record: Work) -> str:
    """ "U.S. Patent No. 6,285,999" (11.8): the country, "Patent" (or the
    record's genre) and "No."; a US patent's country "U.S." (6.25)."""
    country = (record.jurisdiction or "").strip()
    if country.replace(".", "").upper() == "US":
        country = "U.S."
    genre = record_extra(record, "genre")
    label = capitalize_first(typo(genre)) if genre else "Patent"
    number = typo(record.number)
    return " ".join(x for x in (typo(country), label, "No. " + number if number else "") if x)


def _patent(out: Styled, record: Work, suffix: str) -> None:
    """11.8: "Page, L. (2001). *Method for node ranking in a linked database*
    (U.S. Patent No. 6,285,999). U.S. Patent and Trademark Office. URL":
    the year of issue, the title in italics with the number in parentheses,
    the issuing office as the publisher."""
    d = record.issued
    when = (
        year_span(d, suffix=suffix) if d is not None else no_date_label(record, "in press", suffix)
    )
    authors, label = _authors(record)
    title = Styled()
    _italic(title, _title(record))
    title.add(f" ({_patent_number(record)})")
    if authors:
        out.add(typo(authors) + label)
        out.punct(". ")
        out.add(f"({when})")
        out.punct(". ")
        out.extend(title)
    else:
        out.extend(title)
        out.punct(". ")
        out.add(f"({when})")
    out.punct(". ")
    if record.authority and not _same_as_author(record.authority, record):
        out.add(typo(record.authority))
        out.punct(". ")
    _finish(out, record)


def _book_like(out: Styled, record: Work, suffix: str) -> None:
    # an episode's title in roman, its series in italics (10.12); so a song's
    # and its album's (10.13), a published interview's and where it appeared
    episode = csl_type(record) in ("broadcast", "song", "interview") and bool(
        record.container_title
    )
    if not _head(out, record, suffix, italic_title=not episode):
        title = _title(record)
        if title and episode:
            out.add(title)
        elif title:
            _italic(out, title)
        out.add(_book_parens(record) + _bracket(record))
        out.punct(". ")
    if csl_type(record) == "broadcast" and record.container_title:
        out.add("In ")  # 10.12, 10.13: the series or podcast an episode is in
        _italic(out, typo(record.container_title))
        out.punct(". ")
    elif csl_type(record) == "song" and record.container_title:
        out.add("On ")  # 10.13: the album a song is on
        _italic(out, typo(record.container_title))
        out.punct(". ")
    elif csl_type(record) == "interview" and record.container_title:
        _italic(out, typo(record.container_title))  # where it was published
        out.punct(". ")
    if record.type == "paper":
        # 10.5: presentation: event, place.
        event = ", ".join(
            x for x in (typo(record.event) if record.event else "", record.event_place) if x
        )
        if event:
            out.add(event)
            out.punct(". ")
    else:
        publisher = record.publisher
        if record.type in ("report", "thesis"):
            publisher = record.institution or record.publisher
        if record.type == "thesis" and (record.url or _database(record)):
            publisher = _database(record)  # the institution is in the brackets
        if publisher and not _same_as_author(publisher, record):
            out.add(typo(publisher))
            out.punct(". ")
    _finish(out, record)


def _finish(out: Styled, record: Work) -> None:
    """Archive, DOI or URL ("Retrieved Month Day, Year, from URL" for an
    undated work that changes, 9.16), original date."""
    _archive(out, record)
    when = accessed_date(record)
    if when is not None and not record.doi and record.url:
        text = str(when.year)
        if when.month:
            day = f"{when.day}, " if when.day else ""
            text = f"{MONTH_NAMES[when.month - 1]} {day}{when.year}"
        out.add(f" Retrieved {text}, from ").link(record.url)
    else:
        _doi_or_url(out, record)
    _original(out, record)


def _chapter(out: Styled, record: Chapter | Paper, suffix: str) -> None:
    """10.3: a chapter in an edited book, and (10.5) a paper in proceedings
    published as an edited book: "In A. Editor (Ed.), *Book* (pp. 1–10).
    Publisher."; the chapter's translators after its title."""
    if not _head(out, record, suffix, italic_title=False):
        out.add(_title(record) + _translators(record))
        out.punct(". ")
    out.add("In ")
    if record.editors:
        names = _name_list([_direct(p) for p in record.editors], record.editors_et_al)
        label = "Eds." if len(record.editors) > 1 or record.editors_et_al else "Ed."
        out.add(f"{typo(names)} ({label}), ")
    if record.container_title:
        container = record.container_title
        if record.volume_title and record.volume:
            # a volume with its own title: "*Handbook ...: Vol. 2. Cognitive processes*" (10.3)
            container = f"{container}: Vol. {record.volume}. {record.volume_title}"
        _italic(out, typo(container))
    pages = ""
    if record.pages:
        pages = ("pp. " if record.pages.is_range else "p. ") + page_text(record.pages)
    out.add(_paren_info(record, pages=pages, chapter=getattr(record, "chapter", None) or ""))
    out.punct(". ")
    if record.publisher:
        out.add(typo(record.publisher))
        out.punct(". ")
    _finish(out, record)


def _preprint(out: Styled, record: Article, suffix: str) -> None:
    """A preprint or other unpublished article (CSL ``article`` with no
    journal; 10.8): its title in italics, its number in the repository in
    parentheses, the repository as publisher: "*Title* (arXiv:1706.03762).
    arXiv. https://doi.org/..."; a press release "*Title* [Press release]"."""
    number = record_extra(record, "number")
    if not _head(out, record, suffix, italic_title=True):
        _italic(out, _title(record))
        out.add((f" ({typo(number)})" if number else "") + _bracket(record))
        out.punct(". ")
    if record.publisher and not _same_as_author(record.publisher, record):
        out.add(typo(record.publisher))
        out.punct(". ")
    _finish(out, record)


def _article(out: Styled, record: Article, suffix: str) -> None:
    if csl_type(record) == "article" and not record.journal:
        _preprint(out, record, suffix)
        return
    if not _head(out, record, suffix, italic_title=False):
        out.add(_title(record) + _bracket(record))
        _review(out, record)
        out.punct(". ")
    if record.journal:
        _italic(out, typo(record.journal))
    _volume_issue(out, record)
    number = record_extra(record, "number")
    if record.pages:
        out.add(", " + page_text(record.pages))
    elif number:
        out.add(f", Article {number}")
    out.punct(". ")
    _finish(out, record)


def _volume_issue(out: Styled, record: Work) -> None:
    """ ", *64*(3)" after a journal's name (10.1)."""
    if record.volume:
        out.add(", ").italic(record.volume)
        if record.issue:
            out.add(f"({record.issue})")
    elif record.issue:
        out.add(f", ({record.issue})")


def _special_issue(out: Styled, record: Work, suffix: str) -> None:
    """10.1 (special issue of a journal): "Chen, M. (Ed.). (2020). Title
    [Special issue]. *International Studies Quarterly*, *64*(3)." The issue's
    title in roman, as an article's."""
    if not _head(out, record, suffix, italic_title=False):
        out.add(_title(record) + _bracket(record))
        out.punct(". ")
    _italic(out, typo(record.container_title))
    _volume_issue(out, record)
    out.punct(". ")
    _finish(out, record)


def _proceedings(out: Styled, record: Paper, suffix: str) -> None:
    """10.5: published proceedings, in periodical form."""
    if not _head(out, record, suffix, italic_title=False):
        out.add(_title(record))
        out.punct(". ")
    _italic(out, title_cased(record, record.container_title, apa_title_case, "container_title"))
    if record.pages:
        out.add(", " + page_text(record.pages))
    out.punct(". ")
    _finish(out, record)


def _webpage(out: Styled, record: Webpage, suffix: str) -> None:
    """10.16: Author. (Date). *Title*. Site Name. URL — the site name left
    out when it is the author; "Retrieved ... from" for undated pages."""
    blog = csl_type(record) == "post-weblog"
    if not _head(out, record, suffix, italic_title=not blog):
        if blog:
            out.add(_title(record))  # 10.1: a blog post, like an article
        else:
            _italic(out, _title(record))
        out.add(_bracket(record))  # 10.15: "[Tweet]", "[Status update]"
        out.punct(". ")
    if record.site and not _same_as_author(record.site, record):
        if blog:
            _italic(out, typo(record.site))  # the blog's name in italics
        else:
            out.add(typo(record.site))
        out.punct(". ")
    _finish(out, record)


# --------------------------------------------------------------------------
# In-text citations (8.10–8.36)


def _cited_people(record: BaseRecord) -> tuple[Sequence[Person], bool]:
    """The names a citation gives (8.17): the authors, else a book's editors."""
    if record.authors:
        return record.authors, record.authors_et_al
    if record.editors and record.type != "chapter":
        return record.editors, record.editors_et_al
    return _listed(record), False  # a film's writers, else its directors (10.12)


def _cite_names(
    record: BaseRecord, first: bool = True, initials: bool = False, narrative: bool = False
) -> str:
    people, et_al = _cited_people(record)
    return _short_names(people, et_al, narrative, first, initials) if people else ""


def _first_person(record: BaseRecord) -> tuple[str, str] | None:
    """The folded surname and initials of a citation's first name, if a person's."""
    people, _ = _cited_people(record)
    if not people or people[0].literal or people[0].family_first or not people[0].given:
        return None
    p = people[0]
    return fold(p.last), fold(given_initials(p.given or ""))


def same_surname_keys(records: Iterable[BaseRecord]) -> set[str]:
    """The keys whose citations give the first author's initials (8.20):
    :func:`citeshelf.styles.common.shared_surname_keys` of the cited names."""
    return shared_surname_keys(records, lambda r: _cited_people(r)[0])


def cited_surname(record: BaseRecord) -> str | None:
    """The surname :func:`same_surname_keys` compares (None: not a person's)."""
    people, _ = _cited_people(record)
    if _first_person(record) is None:
        return None
    return people[0].last


def _abbreviation_first(record: BaseRecord) -> str:
    """ "WHO, " before the year of a narrative first citation of a group
    author with an abbreviation: "World Health Organization (WHO, 2021)" (8.21)."""
    people = _listed(record)
    if len(people) == 1 and people[0].literal and people[0].short:
        return typo(people[0].short) + ", "
    return ""


def _title_cite(out: Styled, record: BaseRecord) -> None:
    """8.14: a work with no author is cited by its title in title case,
    italic if it is italic in the reference list, else in quotation marks;
    a case name in italics, an act or a treaty in roman (11.3, 11.4)."""
    if is_legal(record):
        out.extend(legal_cite_title(record))
        return
    title = title_cased(
        record, record.title or record.full_title or "Untitled", apa_title_case, "title"
    )
    if record.type in _ITALIC_TYPES:
        _italic(out, title)
    else:
        out.add("“" + inner_quotes(title) + "”")


def author_key(record: BaseRecord) -> str:
    """What identifies "the same author(s)" for year suffixes."""
    people = _listed(record)
    if people:
        return "|".join(fold(_inverted(p)) for p in people) + (
            "|etal" if record.authors_et_al else ""
        )
    return "title:" + fold(record.full_title or "")


def author_year_key(record: BaseRecord) -> tuple[str, str]:
    return (author_key(record), _year(record, ""))


def _locator(page: str | None) -> str:
    if not page:
        return ""
    page = full_locator(page)  # both numbers in full, as APA's examples: "pp. 321–328"
    return (", pp. " if locator_is_range(page) else ", p. ") + page


def _personal(cites: Sequence[Cite], *, narrative: bool) -> Styled:
    """8.9: a personal communication is cited in the text only, with the
    initials and the exact date: "(E. Ortiz, personal communication, April
    18, 2023)", narrative "E. Ortiz (personal communication, April 18, 2023)"."""
    texts = []
    for record, page, _suffix in cites:
        d = record.issued
        when = "n.d."
        if d is not None and d.month:
            when = f"{MONTH_NAMES[d.month - 1]} {f'{d.day}, ' if d.day else ''}{d.year}"
        elif d is not None:
            when = str(d.year)
        names = _name_list([_direct(p) for p in record.authors]) if record.authors else ""
        detail = f"personal communication, {when}{_locator(page)}"
        texts.append(f"{names} ({detail})" if narrative else f"{names}, {detail}")
    return Styled().add(", ".join(texts) if narrative else "(" + "; ".join(texts) + ")")


def citation(
    cites: Sequence[Cite],
    *,
    form: str = "in-text",
    edition: int | None = None,
    first: bool = True,
    initials: Collection[str] = (),
) -> Styled:
    """In-text citation of one or more works.

    ``cites`` is a list of ``(record, page, suffix)``; ``form`` is
    ``"in-text"`` (parenthetical) or ``"narrative"``. Works by the same
    authors are grouped: "(Cottey, 2014a, 2014b)". ``first``: the first
    citation of the works, which spells out a group author's abbreviation
    (8.21); later ones use the abbreviation. ``initials``: the keys whose
    first author's initials are given (8.20, :func:`same_surname_keys`).
    """
    out = Styled()
    if any(csl_type(record) == "personal_communication" for record, _p, _s in cites):
        return _personal(cites, narrative=form == "narrative")
    if form == "narrative":
        for i, (record, page, suffix) in enumerate(cites):
            if i:
                out.add(" and " if i == len(cites) - 1 and len(cites) == 2 else ", ")
                if i == len(cites) - 1 and len(cites) > 2:
                    out.add("and ")
            names = _cite_names(record, first, record.key in initials, narrative=True)
            if names:
                out.add(names)
            else:
                _title_cite(out, record)
            abbreviation = _abbreviation_first(record) if first else ""
            out.add(f" ({abbreviation}{_year(record, suffix)}{_locator(page)})")
        return out
    out.add("(")
    prev = None
    for i, (record, page, suffix) in enumerate(cites):
        names = _cite_names(record, first, record.key in initials)
        key = author_key(record)
        if i and key == prev:
            out.add(", " + _year(record, suffix) + _locator(page))
        else:
            if i:
                out.add("; ")
            if names:
                out.add(names)
            else:
                _title_cite(out, record)
            out.punct(", ")
            out.add(_year(record, suffix) + _locator(page))
        prev = key
    out.add(")")
    return out


# --------------------------------------------------------------------------
# Order (9.44–9.47)


def sort_key(record: BaseRecord) -> tuple[Any, ...]:
    """Authors' names letter by letter, then the year (undated first), the
    date as printed (a work with only a year before one with a month and day,
    then by the date: 9.47, "Azikiwe (2020a)" before "(2020b, March 26)"),
    then the title; a work with no author files under its title's first
    significant word (9.47)."""
    people = _listed(record)
    if people:
        names = tuple(
            (fold(p.literal),) if p.literal else (fold(p.last), fold(given_initials(p.given or "")))
            for p in people
        )
        first = names[0][0]
    else:
        first = title_sort(record.full_title or "")
        names = ((first,),)
    year = record.year if record.year is not None else -1
    d = record.issued
    printed = (
        (d.month or 0, d.day or 0)
        if d is not None and d.literal is None and _full_date(cast("Work", record))
        else (0, 0)
    )
    return (first, names, year, printed, sort_title(record), record.key)
