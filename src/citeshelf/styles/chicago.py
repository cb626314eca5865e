"""The Chicago Manual of Style: notes and bibliography, and author-date,
17th edition (2017) and 18th edition (2024).

Differences between the editions implemented here (section numbers are the
18th edition's unless marked "17th"):

- place of publication: the 17th gives "Cheltenham, UK: Edward Elgar
  Publishing"; the 18th omits it (14.30–31);
- et al.: 18th: up to six authors listed in a bibliography or reference
  list, more than six -> the first three and "et al."; notes, short notes and
  author-date citations: three or more -> the first and "et al." (13.23).
  17th: more than ten -> the first seven and "et al." (14.76); notes and
  citations: four or more -> the first and "et al." (14.76, 15.29);
- a chapter's page range: given in the 17th (14.106); not required in
  the 18th (14.8), so a chapter is identified by its number when it has one;
- a repeated author in a bibliography: a 3-em dash in the 17th (14.67,
  15.17); the name repeated in the 18th (13.73);
- title case: prepositions lower case regardless of length in the 17th
  (8.159); prepositions of five or more letters capitalised in the 18th (8.160);
- a journal issue's month in notes and bibliography: given in the 17th;
- an entry in a reference work consulted in print: "s.v." (17th) / "under"
  (18th) before its title.

The four forms (bibliography entry, reference-list entry, note, short note
and author-date citation) are built from the same parts -- creators, title,
container, periodical, publication facts, locator, identifier -- each a small
function of a record; a form chooses the parts and the separators between
them, and the punctuation where they meet is settled by the pass in
:mod:`citeshelf.styles.text`.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any, cast

from ..model.inherit import original_of
from ..model.names import join_particle
from .common import (
    MONTH_NAMES,
    SEASON_NAMES,
    abbreviated_locator,
    accessed_date,
    capitalize_first,
    chicago_title_case,
    csl_type,
    edition_text,
    fold,
    given_initials,
    has_italics,
    in_text_only,
    is_forthcoming,
    month_day,
    no_date_label,
    number_label,
    page_text,
    protected,
    record_extra,
    shared_surname_keys,
    sort_title,
    title_cased,
    title_sort,
    typo,
    volume_titles,
    year_span,
)
from .legal import is_legal, legal_cite_title, legal_locator, legal_reference
from .text import Styled, inner_quotes

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Sequence

    from ..model import Article, BaseRecord, Chapter, Date, Paper, Person, Thesis, Webpage
    from .common import Cite, Work

__all__ = [
    "reference",
    "note",
    "author_date_citation",
    "sort_key",
    "author_year_key",
    "bib_names_key",
    "same_surname_keys",
]

_ENTRY_TYPES = frozenset({"entry-encyclopedia", "entry-dictionary", "entry"})
_DATED_PERIODICALS = frozenset({"article-newspaper", "article-magazine"})
_REVIEWS = frozenset({"review", "review-book"})


def _by_date(record: Work) -> bool:
    """A newspaper or magazine item, cited by its date rather than volume and
    issue; so is a review with a full date and no volume or issue (one in a
    newspaper: CMOS quick guide, book review)."""
    ct = csl_type(record)
    if ct in _DATED_PERIODICALS:
        return True
    d = record.issued
    return (
        ct in _REVIEWS
        and record.type == "article"
        and not record.volume
        and not record.issue
        and d is not None
        and bool(d.day)
    )


# --------------------------------------------------------------------------
# Names


def _given_first(p: Person) -> str:
    """ "David J. Galbreath", "Pieter van der Berg", "Robert E. Walker Jr.",
    "Ludwig von Mises"; "Mao Zedong", "毛泽东" (family first, CMOS 18 11.83)."""
    if p.literal:
        return typo(p.literal)
    if p.family_first:
        text = p.static_form()
    else:
        text = join_particle(p.given_part, p.last) if p.given_part else p.last
    return typo(f"{text} {p.suffix}" if p.suffix else text)


def _inverted(p: Person) -> str:
    """ "Galbreath, David J.", "Berg, Pieter van der", "Walker, Robert E., Jr.",
    "Mises, Ludwig von" (every particle follows the given name, as
    citeproc-js's Chicago styles put it); "Mao Zedong" (family first, not
    inverted)."""
    if p.literal:
        return typo(p.literal)
    if p.family_first:
        return _given_first(p)
    if not p.given and not p.suffix and not p.dropping_particle:
        return typo(p.last)
    text = p.family or ""
    given = " ".join(x for x in (p.given, p.dropping_particle, p.particle) if x)
    if given:
        text += ", " + given
    if p.suffix:
        text += ", " + p.suffix
    return typo(text)


def _and_list(names: list[str], *, comma_two: bool = False) -> str:
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]}{',' if comma_two else ''} and {names[1]}"
    return ", ".join(names[:-1]) + ", and " + names[-1]


def _bib_names(people: Sequence[Person], et_al_flag: bool, edition: int) -> str:
    limit, keep = (6, 3) if edition >= 18 else (10, 7)
    shown = people if len(people) <= limit else people[:keep]
    names = [_inverted(shown[0])] + [_given_first(p) for p in shown[1:]]
    if len(shown) < len(people) or et_al_flag:
        return ", ".join(names) + ", et al."
    return _and_list(names, comma_two=True)


def _note_names(people: Sequence[Person], et_al_flag: bool, edition: int) -> str:
    many = 3 if edition >= 18 else 4
    if len(people) >= many or (et_al_flag and people):
        return _given_first(people[0]) + " et al."
    return _and_list([_given_first(p) for p in people])


def _short_names(people: Sequence[Person], et_al_flag: bool, edition: int) -> str:
    many = 3 if edition >= 18 else 4
    if len(people) >= many or (et_al_flag and people):
        return typo(people[0].last) + " et al."
    return _and_list([typo(p.last) for p in people])


def _initialled_short_names(people: Sequence[Person], et_al_flag: bool, edition: int) -> str:
    """The short names with the first author's initials, "T. Keller and
    Lindqvist", "P. van der Berg": another first author has the surname
    (15.21 (17th); :func:`same_surname_keys`)."""
    first = people[0]
    if first.literal or first.family_first or not first.given:
        return _short_names(people, et_al_flag, edition)
    lead = typo(f"{given_initials(first.given)} {first.last}")
    rest = _short_names(people, et_al_flag, edition)
    return lead + rest[len(typo(first.last)) :]


def same_surname_keys(records: Iterable[BaseRecord]) -> set[str]:
    """The keys whose author-date citations give the first author's initials:
    another work in the list has a first author of the same surname and other
    initials (:func:`citeshelf.styles.common.shared_surname_keys`)."""
    return shared_surname_keys(records, lambda r: _creators(cast("Work", r))[0])


def _creators(record: Work, *, directors: bool = True) -> tuple[list[Person], bool, str]:
    """(people, et-al flag, role) of whom the work is listed under: a film or
    broadcast with no author under its director ("Spielberg, Steven, dir.",
    CMOS 14.265 (17th)) unless ``directors`` is false (a note, which gives
    "directed by" after the title)."""
    if record.composers and csl_type(record) == "song":
        return record.composers, False, ""  # a recording under its composer
    if record.authors:
        return record.authors, record.authors_et_al, ""
    if record.editors and record.type != "chapter":
        return record.editors, record.editors_et_al, "eds." if len(record.editors) > 1 else "ed."
    if directors and _director_listed(record):
        return record.directors, False, "dirs." if len(record.directors) > 1 else "dir."
    return [], False, ""


#: Films, videos, and radio, television and podcast broadcasts.
_AV_CSL = frozenset({"motion_picture", "broadcast"})


def _director_listed(record: Work) -> bool:
    """Whether the director stands in the author's place (a film or broadcast
    with no author or editor)."""
    return (
        bool(record.directors)
        and not record.authors
        and not record.editors
        and csl_type(record) in _AV_CSL
    )


def _episode(record: Work) -> bool:
    """An episode of a series with its number: listed under the series' title
    ("*The Simpsons*. TV series episode 19, “Lisa’s Wedding,” ...", as the CSL
    Chicago styles give it after CMOS 18 14.165)."""
    return csl_type(record) == "broadcast" and bool(
        record.container_title and record.number and record.title
    )


def _unsigned_periodical(record: Work) -> bool:
    """An unsigned newspaper or magazine article, listed under the periodical's
    name in a bibliography, reference list, short note and author-date
    citation (CMOS 17 14.207: "the name of the newspaper stands in place of
    the author"; CMOS 18 14.87 magazines, 14.97 newspapers); a full note
    begins with the title."""
    return (
        record.type == "article"
        and not record.authors
        and not record.editors
        and bool(record.journal)
        and csl_type(record) in _DATED_PERIODICALS
    )


def _periodical_name(record: Work, edition: int) -> Styled:
    return _italic(Styled(), _tc(record, cast("Article", record).journal, edition, "journal"))


def _entry(record: Work) -> bool:
    """A dictionary or encyclopedia entry."""
    return csl_type(record) in _ENTRY_TYPES


def _online(record: Work) -> bool:
    return bool(record.doi or record.url)


def _stand_in(record: Work) -> str:
    """What an unsigned work is listed under in a bibliography, reference
    list, short note and author-date citation: "periodical" (above), "reference"
    for an unsigned entry, under the reference work's title (CMOS 18 14.130:
    the title of the work, *Wikipedia*, *The Oxford English Dictionary*), "site"
    for an unsigned web page, under the site's owner (CMOS 17 14.206: "the owner
    or sponsor of the site may stand in place of the author"); "" otherwise."""
    if _creators(record)[0]:
        return ""
    if _unsigned_periodical(record):
        return "periodical"
    if _entry(record) and record.container_title:
        return "reference"
    if record.type == "webpage" and record.site:
        return "site"
    return ""


def _stand_in_name(record: Work, edition: int) -> Styled:
    kind = _stand_in(record)
    if kind == "periodical":
        return _periodical_name(record, edition)
    out = Styled()
    if kind == "reference":
        _italic(out, _tc(record, record.container_title, edition, "container_title"))
    elif kind == "site":
        _site(out, cast("Webpage", record))
    return out


def _sub_verbo(record: Work, edition: int) -> str:
    """ "under " (18th) / "s.v. " (17th) before the entry's title, for a reference
    work consulted in print only (CMOS 18 14.131; the CSL styles give none for
    an entry with a URL or DOI)."""
    if not _entry(record) or _online(record):
        return ""
    return "under " if edition >= 18 else "s.v. "


def _edition_text(record: Work) -> str:
    """ "2nd ed."; a named edition with its date, "Winter 2019" (the *Stanford
    Encyclopedia of Philosophy*'s), as written (as the CSL styles print it)."""
    ed = (record.edition or "").strip()
    if any(c.isdigit() for c in ed) and not ed[:1].isdigit():
        return typo(ed)
    return edition_text(record.edition)


# --------------------------------------------------------------------------
# Parts: creators, title, container, periodical, publication facts,
# locator, identifier


#: How each form lists the creators: bibliography "Aris, Stephen, and Ann
#: Bell", note "Stephen Aris and Ann Bell", short "Aris and Bell".
_NAME_FORMS = {"bib": _bib_names, "note": _note_names, "short": _short_names}


def creators_part(record: Work, edition: int, form: str, *, directors: bool | None = None) -> str:
    """The creators as ``form`` ("bib", "note" or "short") lists them, with
    the editors' role (", ed.") except in the short form; "" if none. A
    director is listed in a bibliography (and, with ``directors``, an
    author-date citation), not in a note."""
    people, flag, role = _creators(
        record, directors=form == "bib" if directors is None else directors
    )
    if not people:
        return ""
    text = typo(_NAME_FORMS[form](people, flag, edition))
    return text + ", " + role if role and form != "short" else text


def _tc(record: Work, text: str | None, edition: int, *fields: str) -> str:
    """Headline style for an English title (protected phrases of ``fields``
    kept); another language as stored."""
    if not text:
        return ""
    if csl_type(record) == "post":
        # A social media post is quoted as written, its text not put in
        # headline style (as the CSL Chicago styles give it).
        return title_cased(record, text, lambda t, phrases=(): t, *fields)
    return title_cased(record, text, partial(chicago_title_case, edition=edition), *fields)


def _italic(out: Styled, text: str) -> Styled:
    """A title in italics; in roman if its script has none (CJK characters)."""
    return out.italic(text) if has_italics(text) else out.add(text)


def _title(record: Work, edition: int, *, author_date: bool = False) -> str:
    """The title; of a volume with its own title, the set's title (notes and
    bibliography: "*Set*. Vol. 2, *Volume*") or, in an author-date reference
    list, the volume's ("*Volume*. Vol. 2 of *Set*"), CMOS 14.121 (17th)."""
    volumes = volume_titles(record)
    if volumes is not None:
        text = volumes[1] if author_date else volumes[0]
        return _tc(record, text, edition, "title", "subtitle", "volume_title", "main_title")
    return _tc(record, record.full_title, edition, "title", "subtitle")


def _short_title(record: Work, edition: int) -> str:
    """14.33 (17th, "Short form for titles of works"; the same rule in the 18th):
    the short title keeps the key words of the main title, without the subtitle
    and usually without an initial article."""
    if record.short_title:
        return _tc(record, record.short_title, edition, "short_title", "title")
    title, subtitle = record.title, record.subtitle
    if record.main_title and not record.volume_title:  # a volume: the set's title
        title, subtitle = record.main_title, record.main_subtitle
    if not title:
        return ""
    # An email's subject line is kept whole ("Re: Alliance Archives").
    letter = csl_type(record) == "personal_communication"
    main = title if subtitle or letter else title.split(": ", 1)[0]
    # "Ward and Burns, *War*": an initial article may go (quick guide).
    kept = protected(record, "title")
    for article in ("The ", "A ", "An "):
        rest = main[len(article) :]
        if main.startswith(article) and rest and not any(rest.startswith(p) for p in kept):
            main = rest  # title case capitalises what now leads
            break
    return _tc(record, main, edition, "title")


def _quoted(title: str) -> str:
    return "“" + inner_quotes(title) + "”"


#: CSL types beyond the core ones whose title is in italics, as the CSL
#: Chicago styles set them: films, visual works, maps, pamphlets, standards,
#: software, classics, scores.
_ITALIC_CSL = frozenset(
    {
        "motion_picture",
        "graphic",
        "figure",
        "map",
        "pamphlet",
        "standard",
        "software",
        "classic",
        "musical_score",
    }
)


def _italic_type(record: Work) -> bool:
    ct = csl_type(record)
    if ct == "dataset" or ct in _ENTRY_TYPES:
        return False
    if ct in _ITALIC_CSL or (ct in ("broadcast", "song") and not record.container_title):
        return True  # a broadcast's series (no episode title), an album, in italics
    return record.type in ("book", "report")


def title_part(
    record: Work, edition: int, *, short: bool = False, author_date: bool = False
) -> Styled:
    """The title in title case: italic for a book or report, else quoted."""
    if csl_type(record) == "patent":
        return _patent_title(record, short=short)
    if _episode(record):
        return _episode_title(record, edition, short=short)
    if short:
        title = _short_title(record, edition)
    else:
        title = _title(record, edition, author_date=author_date)
    if not title:
        return Styled()
    if csl_type(record) == "collection":
        # the name of an archival collection is in roman, without quotation
        # marks (CMOS 17 14.221-22), as the CSL styles print it
        return Styled().add(title)
    return _italic(Styled(), title) if _italic_type(record) else Styled().add(_quoted(title))


def _patent_title(record: Work, *, short: bool) -> Styled:
    """A patent's title in roman and as stored, in sentence case (CMOS 14.157
    (17th), 14.158 (18th): "Iizuka, Masanori, and Hideki Tanaka. Cement
    admixture."); a short note leaves out the subtitle."""
    title = record.full_title or ""
    if short:
        title = record.short_title or record.title or title.split(": ", 1)[0]
    return Styled().add(typo(title)) if title else Styled()


def _patent_facts(record: Work) -> str:
    """ "US Patent 4,586,960, filed June 26, 1984, and issued May 6, 1986"
    (CMOS 14.157 (17th), 14.158 (18th)): the country (a US patent: "US",
    10.33) or else the office, "Patent" (or the record's genre) and the
    number, then the date of filing and the full date of issue, in
    author-date too."""
    jurisdiction = (record.jurisdiction or "").strip()
    if jurisdiction.replace(".", "").upper() == "US":
        issuer = "US"
    else:
        issuer = typo(record.authority or jurisdiction)
    genre = record_extra(record, "genre")
    label = capitalize_first(typo(genre)) if genre else "Patent"
    parts = [" ".join(x for x in (issuer, label, typo(record.number)) if x)]
    filed = record.submitted
    if filed is not None:
        parts.append("filed " + _date_text(filed))
    if record.issued is not None:
        parts.append(("and " if filed is not None else "") + "issued " + _date_text(record.issued))
    return ", ".join(parts)


def _episode_title(record: Work, edition: int, *, short: bool) -> Styled:
    """An episode's series in italics; in a short note with the episode's
    title, "*The Simpsons*, “Lisa’s Wedding”", or the title alone after an
    author's name."""
    if short and creators_part(record, edition, "short"):
        return Styled().add(_quoted(_short_title(record, edition)))
    out = _italic(Styled(), _tc(record, record.container_title, edition, "container_title"))
    if short:
        out.punct(", ")
        out.add(_quoted(_short_title(record, edition)))
    return out


def _date_text(d: Date | None, *, year: bool = True) -> str:
    """A full date (14.181, 15.47): "May 14, 2019", "June 3\u20135, 2019",
    "December 30, 2019\u2013January 2, 2020", "Spring 2017", "1990\u20131994",
    "ca. 1990"; ``year=False``: "May 14", "June 3\u20135"."""
    if d is None:
        return "n.d."
    if d.literal is not None:
        return d.literal
    start, end = month_day(d)
    if not start:
        return year_span(d)
    if end and d.end is not None:
        return f"{start}, {d.year}\u2013{end}, {d.end.year}"
    if not year:
        return start
    sep = ", " if d.day else " "
    text = f"{start}{sep}{d.year}"
    return "ca. " + text if d.approximate else text + ("?" if d.uncertain else "")


def _year_label(record: BaseRecord, suffix: str = "", *, brackets: str = "()") -> str:
    """The year of an author-date reference or citation (15.44-15.46 17th):
    "2019a", "1990\u20131994", "forthcoming", "n.d.-a"; a reprint with its original
    date first, "(1851) 2003" in the reference list, "[1851] 2003" in a citation
    (15.38)."""
    d = record.issued
    if d is None:
        return no_date_label(record, "forthcoming", suffix)
    text = year_span(d, suffix=suffix)
    original = getattr(record, "original_date", None)
    if original is not None:
        text = f"{brackets[0]}{year_span(original)}{brackets[1]} {text}"
    return text


def _nb_date(record: Work) -> str:
    """The date of a notes-bibliography entry: the full date for web pages,
    newspapers, magazines, presentations and documents, else the year. An
    undated work consulted online has its access date in place of "n.d." (as
    the CSL Chicago notes styles give it: "In *Encyclopædia Britannica*.
    Accessed November 20, 2023.")."""
    d = record.issued
    if d is None:
        if (
            record.type == "chapter"
            and getattr(record, "accessed", None) is not None
            and not is_forthcoming(record)
        ):
            return ""
        return no_date_label(record, "forthcoming", "")
    return _date_text(d) if _full_dated(record) else year_span(d)


#: Types beyond the core ones dated by the year alone, as the CSL Chicago
#: styles date them: a film or video, a figure.
_YEAR_ONLY_CSL = frozenset({"motion_picture", "figure"})


def _full_dated(record: Work) -> bool:
    ct = csl_type(record)
    if _by_date(record):
        return True
    if record.type in ("webpage", "misc") and ct not in _YEAR_ONLY_CSL:
        return True
    if _entry(record) and _online(record) and not record.publisher:
        return True  # an online reference work's entry, dated like a web page
    return record.type == "paper" and not record.container_title


def _publisher(record: Work, edition: int) -> str:
    """ "Place: Publisher" (17th) or "Publisher" (18th, 14.30)."""
    pub = record.publisher
    if record.type in ("report", "thesis"):
        pub = record.institution or record.publisher
    pub = typo(pub) if pub else ""
    if edition < 18 and record.place:
        return f"{typo(record.place)}: {pub}" if pub else typo(record.place)
    return pub


def _date_tail(record: Work, edition: int, author_date: bool) -> str:
    """The date at the end of a bibliography element: ", 2014" (notes-
    bibliography) or nothing / ", May 14" (author-date, year given up front)."""
    d = record.issued
    if not author_date:
        return _nb_date(record)
    if d is None or d.literal is not None or not (d.month or d.season):
        return ""
    if not _full_dated(record) and not _ahead_of_print(record):
        return ""
    ct = csl_type(record)
    # 17th edition: a newspaper, magazine or blog item repeats the year with
    # the month and day (the quick guide's author-date news article: "New York
    # Times, March 8, 2017"); the 18th gives "July 30" after the year, as the
    # 18th-edition CSL style does.
    with_year = edition < 18 and (
        _by_date(record) or ct in ("post-weblog", "interview") or _ahead_of_print(record)
    )
    return _date_text(d, year=with_year)


def facts_part(record: Work, edition: int, *, form: str, author_date: bool = False) -> str:
    """The publication facts: "Routledge, 2018" (a note's parenthesis, a
    bibliography's last sentence: the date left to the head in author-date)."""
    aired = _broadcast_facts(record, edition, note=form == "note", author_date=author_date)
    if aired is not None:
        return aired
    pub = _publisher(record, edition)
    when = _nb_date(record) if form == "note" else _date_tail(record, edition, author_date)
    if csl_type(record) == "software" and record.issued is not None:
        # "released 2023" (the CSL Chicago styles' form for software; in an
        # author-date list, where the year leads, "released" alone)
        released = "released" if pub or form == "note" else "Released"
        when = f"{released} {when}" if when else released
    original = getattr(record, "original_date", None)
    if original is not None and csl_type(record) == "song":
        # a recording of an older work: "1904; Deutsche Grammophon, 2002" (the
        # CSL Chicago styles' form; an 18th-edition author-date list gives the
        # original date only where the entry's year leads)
        rest = ", ".join(x for x in (pub, when) if x)
        if author_date and edition >= 18:
            return rest
        return year_span(original) + "; " + rest
    if original is not None and not author_date and not record.original_title:
        # 14.114 (17th): a reprint, "(1851; repr., London: Penguin, 2003)" in a
        # note, "1851. Reprint, London: Penguin, 2003." in a bibliography
        rest = ", ".join(x for x in (pub, when) if x)
        joint = "; repr., " if form == "note" else ". Reprint, "
        return year_span(original) + joint + rest
    return ", ".join(x for x in (pub, when) if x)


def _originally(
    record: Work, edition: int, *, note: bool, author_date: bool = False
) -> Styled | None:
    """A translation's or reprint's original title: "Originally published as
    *La psychologie de l'enfant* (1966)" ("originally published as ... [1966]"
    inside a note's parentheses; the year left out in an 18th-edition
    author-date list, where it leads). The title is kept as stored: a title in
    another language is in sentence case (CMOS 17 11.6)."""
    if not record.original_title:
        return None
    out = Styled().add("originally published as " if note else "Originally published as ")
    title = typo(record.original_title)
    _italic(out, title) if _italic_type(record) else out.add(_quoted(title))
    if record.original_date is not None and not (author_date and edition >= 18):
        year = year_span(record.original_date)
        out.add(f" [{year}]" if note else f" ({year})")
    return out


def _originally_in(record: Work, edition: int) -> Styled | None:
    """Where a reprinted article or chapter first appeared, from the record
    of the original (a ``reprintof`` or ``origpubin`` relation), at the end
    of a bibliography entry (CMOS 17 14.112): "Originally published in
    *Journal* 12, no. 3 (1999): 4–20"; a chapter's "Originally published in
    *Book*, edited by F. Richardson (Publisher, 1973), 113–23" (the pages
    where the edition gives a chapter's: :func:`_chapter_pages`). None for an
    original of another kind, or none at hand."""
    work = original_of(record)
    if work is None:
        return None
    original = cast("Work", work)
    out = Styled().add("Originally published in ")
    if getattr(original, "journal", None):
        return out.extend(periodical_part(cast("Article", original), edition, form="bib"))
    container = getattr(original, "container_title", None)
    if not container:
        return None
    _italic(out, _tc(original, container, edition, "container_title"))
    eds = _editors_text(original, note=False, edition=edition)
    facts = facts_part(original, edition, form="note")
    pages = _chapter_pages(original, edition)
    return out.add((", " + eds if eds else "") + (f" ({facts})" if facts else "")).add(
        ", " + pages if pages else ""
    )


def _archive(record: Work) -> list[str]:
    """Where an unpublished or archival item is kept (CMOS 14.221-14.222
    (17th)): its place in the collection ("Box 4, folder 12"), then the
    collection and the repository with its city ("Adams Family Papers,
    Massachusetts Historical Society, Boston")."""
    archive = None if _database(record) else record.archive  # a thesis's database
    where = ", ".join(
        typo(x) for x in (record.archive_collection, archive, record.archive_place) if x
    )
    # an article's number in the database it was consulted in follows the database
    location = None if _article_database(record) else record.archive_location
    return [x for x in (typo(location), where) if x]


def _database(record: Work) -> str:
    """A thesis's database and its number in it: "ProQuest Dissertations &
    Theses Global (10812345)" (CMOS 14.224 (17th): a thesis consulted in a
    database gives its name and the identifier it assigns)."""
    name = record.archive or record.source
    if record.type != "thesis" or not name:
        return ""
    return typo(name) + (f" ({record.number})" if record.number else "")


def _article_database(record: Work) -> str:
    """The database a journal article was consulted in, when it has no DOI or
    URL: "JSTOR" after the facts, in a note and a bibliography (CMOS 14.175
    (17th): the database's name may stand where the URL would; with the
    identifier it assigns, "ProQuest (2147483647)", from ``archive_location``).
    The CSL variable ``source`` (Zotero's "Library Catalog") names it."""
    if record.type != "article" or csl_type(record) not in (None, "article-journal"):
        return ""
    if not record.journal:
        return ""
    if not record.source or identifier_part(record):
        return ""
    number = record.archive_location if not record.archive else None
    return typo(record.source) + (f" ({typo(number)})" if number else "")


def _review(record: Work, edition: int, *, note: bool) -> Styled | None:
    """ "Review of *Swing Time*, by Zadie Smith" (CMOS 14.215 (17th), 14.102
    (18th)): after the review's title."""
    if not record.reviewed_title and not record.reviewed_authors:
        return None
    out = Styled().add("review of " if note else "Review of ")
    if record.reviewed_title:
        _italic(out, _tc(record, record.reviewed_title, edition, "reviewed_title"))
    if record.reviewed_authors:
        by = _and_list([_given_first(p) for p in record.reviewed_authors])
        out.add((", by " if record.reviewed_title else "by ") + by)
    return out


def identifier_part(record: Work) -> str | None:
    """The DOI as a URL, else the URL."""
    if record.doi:
        return "https://doi.org/" + record.doi
    return record.url


def locator_part(page: str | None, record: Work, *, volume: bool = True) -> str:
    """A cited page: "531", "2:531" (a volume of a multivolume book; not in a
    full note of a volume with its own title, which names the volume)."""
    if not page:
        return ""
    page = abbreviated_locator(page)
    if record.type == "book" and record.volume and volume:
        return f"{record.volume}:{page}"
    return page


def _people_text(people: Sequence[Person], et_al: bool = False) -> str:
    names = _and_list([_given_first(p) for p in people])
    return names + " et al." if et_al else names


def _same_editors_translators(record: Work) -> bool:
    return bool(record.editors) and record.editors == record.translators


def _editors_text(record: Work, *, note: bool, edition: int) -> str:
    """ "edited by ..." ("ed. ..." in a note, shortened with "et al." as a
    note's authors are: "ed. Kenji Abe et al."); "edited and translated by ..."
    ("ed. and trans. ...") when the editors translated the work too."""
    if not record.editors:
        return ""
    if note:
        names = _note_names(record.editors, record.editors_et_al, edition)
    else:
        names = _people_text(record.editors, record.editors_et_al)
    if _same_editors_translators(record):
        return ("ed. and trans. " if note else "edited and translated by ") + names
    return ("ed. " if note else "edited by ") + names


def _translators_text(record: Work, *, note: bool) -> str:
    if not record.translators or _same_editors_translators(record):
        return ""
    return ("trans. " if note else "translated by ") + _people_text(record.translators)


def _series(record: Work, edition: int) -> str:
    if not record.series:
        return ""
    number = (
        record_extra(record, "collection_number")
        or record_extra(record, "collection-number")
        or record_extra(record, "series_number")
    )
    text = _tc(record, record.series, edition, "series")
    return f"{text} {number}" if number else text


def _chapter_pages(record: Work, edition: int) -> str:
    """The page range of a part of a book, where the edition gives it."""
    pages = getattr(record, "pages", None)
    if edition >= 18 or not pages:
        return ""
    return page_text(pages, abbreviate=True)


def _uses_chapter_number(record: Work, edition: int) -> bool:
    """ "Chap. 30 in": a chapter without (needed) pages but with a number."""
    if record.type != "chapter" or not record.chapter or csl_type(record) in _ENTRY_TYPES:
        return False
    return edition >= 18 or not record.pages


def container_part(
    record: Chapter | Paper, edition: int, *, note: bool, author_date: bool = False
) -> Styled:
    """The book a chapter or paper is in: "Chap. 3 in *Book*, vol. 2, 2nd ed.,
    edited by ..." (lower case in a note; the 17th edition's bibliography
    adds the chapter's pages). In an author-date reference list the volume
    follows the editors, and joins the pages: "edited by ..., 3:215–20"
    (volume and page as in an author-date citation, "2:354"; the CSL
    author-date styles give it so)."""
    out = Styled()
    if _uses_chapter_number(record, edition):
        out.add(f"{'chap.' if note else 'Chap.'} {cast('Chapter', record).chapter} in ")
    else:
        out.add("in " if note else "In ")
    if record.container_title:
        _italic(out, _tc(record, record.container_title, edition, "container_title"))
    bits = []
    volume = f"vol. {record.volume}" if record.volume else ""
    if volume and not author_date:
        bits.append(volume)
    ed = _edition_text(record)
    if ed:
        bits.append(ed)
    authors = getattr(record, "container_authors", None)
    if authors and authors != record.authors:
        bits.append("by " + _and_list([_given_first(p) for p in authors]))
    eds = _editors_text(record, note=note, edition=edition)
    if eds:
        bits.append(eds)
    # the chapter's translator after the book's editors, as citeproc-js's
    # Chicago styles put it
    trans = _translators_text(record, note=note)
    if trans:
        bits.append(trans)
    pages = "" if note else _chapter_pages(record, edition)
    if volume and author_date and pages:
        bits.append(f"{record.volume}:{pages}")
    else:
        if volume and author_date:
            bits.append(volume)
        if pages:
            bits.append(pages)
    if bits:
        out.add(", " + ", ".join(bits))
    return out


def _volume_detail(record: Work, edition: int, *, note: bool, author_date: bool) -> Styled:
    """A volume with its own title (CMOS 14.121 (17th)): "Vol. 2, *The Age of
    ...*" after the set's title, or in an author-date reference list "Vol. 2
    of *Set*" after the volume's title."""
    volumes = volume_titles(record)
    assert volumes is not None
    out = Styled().add(f"{'vol.' if note else 'Vol.'} {record.volume}")
    if author_date:
        out.add(" of ")
        return _italic(out, _tc(record, volumes[0], edition, "title", "main_title"))
    out.add(", ")
    return _italic(out, _tc(record, volumes[1], edition, "volume_title", "title"))


def book_details(
    record: Work, edition: int, *, note: bool, loc: str = "", author_date: bool = False
) -> list[str | Styled]:
    """What follows a book's (report's, document's) title: translators,
    editors, version, edition, volume, series, report number, how published.
    A bibliography gives each as a sentence ("Translated by ...", "Vol. 2");
    a note runs them on, lower case ("trans. ...", "vol. 2"), without the
    volume when a locator names it. A set gives its number of volumes ("3
    vols.", CMOS 14.119 (17th)) when no volume is cited."""
    bits: list[str | Styled] = []
    trans = _translators_text(record, note=note)
    if trans:
        bits.append(trans if note else capitalize_first(trans))
    if record.authors and record.editors:
        eds = _editors_text(record, note=note, edition=edition)
        bits.append(eds if note else capitalize_first(eds))
    genre = record_extra(record, "genre")
    if record.type == "misc" and genre and csl_type(record) != "broadcast":
        # a description after the title: "Brochure", "Unpublished manuscript", "Map";
        # a letter's or email's recipient, "Email to Thi Nguyen"
        text = typo(genre) + _recipients(record)
        bits.append(text if note else capitalize_first(text))
    version = record_extra(record, "version")
    if csl_type(record) == "dataset" and version:
        bits.append(("version " if note else "Version ") + version)
    elif csl_type(record) == "software" and version:
        bits.append(("v. " if note else "V. ") + version)  # "V. 4.3.1", as the CSL styles give it
    ed = _edition_text(record)
    if ed:
        bits.append(ed if note else capitalize_first(ed))
    if record.volume and volume_titles(record) is not None:
        bits.append(_volume_detail(record, edition, note=note, author_date=author_date))
    elif record.volume and not (note and loc):
        bits.append(f"{'vol.' if note else 'Vol.'} {record.volume}")
    elif not record.volume and record.number_of_volumes and not (note and loc):
        count = record.number_of_volumes
        bits.append(f"{count} vols." if count.isdigit() else count)
    series = _series(record, edition)
    if series:
        bits.append(series)
    if record.type == "report" and (record.number or genre):
        shown = (typo(genre) if note else chicago_title_case(genre, edition)) if genre else ""
        label = number_label(shown, record.number) or shown
        bits.append(label.replace(" No. ", " no. ") if note else label)
    if csl_type(record) == "standard" and record.number:
        bits.append(typo(record.number))  # "ISO 690:2021", no label (as the CSL styles give it)
    if record.type == "misc" and record.howpublished:
        how = typo(record.howpublished)
        bits.append(how if note else capitalize_first(how))
    return bits


def _recipients(record: Work, *, short: bool = False) -> str:
    """ " to Thi Nguyen" (" to Nguyen" in a shortened note): whom a letter or
    email was sent to, after its kind."""
    if not record.recipients or csl_type(record) != "personal_communication":
        return ""
    if short:
        return " to " + _short_names(record.recipients, False, 18)
    return " to " + _people_text(record.recipients)


def _letter_description(record: Work) -> str:
    """An untitled letter or email described by its kind, recipient and date:
    "Letter to the author, September 2, 2021" (a shortened note, as the CSL
    Chicago styles give it); "" for another work."""
    if csl_type(record) != "personal_communication":
        return ""
    genre = record_extra(record, "genre")
    kind = typo(genre) + _recipients(record, short=True) if genre else ""
    when = _date_text(record.issued) if record.issued is not None else ""
    return ", ".join(x for x in (capitalize_first(kind), when) if x)


def _personal_citation(out: Styled, record: Work, edition: int, loc: str) -> None:
    """An author-date citation of a letter or email with no reference-list
    entry: "(Per Hansen, Letter to the author, September 2, 2021)", "(Elena
    Ortiz, “Re: Alliance Archives”)" (the writer's full name, as in a note)."""
    names = creators_part(record, edition, "note")
    if names and not record_extra(record, "genre") and record.recipients:
        names += " to " + _people_text(record.recipients)
    what: Styled | str = _letter_description(record) if not record.title else ""
    if not what:
        what = title_part(record, edition, short=True)
    first = True
    for part in (names, what, loc):
        if part:
            if not first:
                out.punct(", ")
            out.extend(part) if isinstance(part, Styled) else out.add(part)
            first = False


def thesis_details(record: Thesis, *, note: bool) -> list[str]:
    """ "PhD diss.", "University of Oxford" ("Thesis" / "thesis" without a degree).
    A degree of the vocabulary in Chicago's words ("MA thesis"; "master's
    thesis" in a note), other text as written."""
    from ..model.degrees import DEGREES

    known = DEGREES.get(record.degree or "")
    if known is not None:
        degree = typo(known.chicago)  # "Master’s thesis"
        if note and degree.split()[0][1:].islower():  # not "PhD", "MA"
            degree = degree[0].lower() + degree[1:]
    elif record.degree:
        degree = typo(record.degree) if note else capitalize_first(typo(record.degree))
    else:
        degree = "thesis" if note else "Thesis"
    return [degree, typo(record.institution)] if record.institution else [degree]


def meeting_part(record: Paper, *, note: bool) -> str:
    """CMOS 14.217 (17th): "Paper presented at ISA Convention, Toronto"."""
    where = ", ".join(
        x for x in (typo(record.event) if record.event else "", typo(record.event_place)) if x
    )
    genre = record_extra(record, "genre")
    if genre:  # "Conference session, ...", "lecture, ..." (CMOS 14.217 (17th))
        kind = typo(genre)
        kind = kind[:1].lower() + kind[1:] if note and kind[1:2].islower() else kind
        return ", ".join(x for x in ((kind if note else capitalize_first(kind)), where) if x)
    if _plain_speech(record):
        return where  # a speech is not a paper: the occasion alone
    return ("paper presented at " if note else "Paper presented at ") + (where or "a meeting")


def _plain_speech(record: Work) -> bool:
    """A speech with no description ("I Have a Dream"): cited by its occasion,
    place and date run on after the title, as the CSL styles give it."""
    return csl_type(record) == "speech" and not record_extra(record, "genre")


def _article_date(record: Article, edition: int) -> str:
    """ "September 2019" (17th, 14.171: the month is given when known) or
    "2019" (18th: the year)."""
    d = record.issued
    if d is None:
        return no_date_label(record, "forthcoming", "")
    if d.literal is None and (d.month or d.season) and edition < 18:
        return (
            f"{MONTH_NAMES[d.month - 1] if d.month else SEASON_NAMES[(d.season or 1) - 1]} {d.year}"
        )
    return year_span(d)


def _ahead_of_print(record: Work) -> bool:
    return (
        record.type == "article"
        and not _by_date(record)
        and not record.volume
        and not record.issue
        and not record.pages
        and record.issued is not None
        and bool(record.doi)
    )


def _author_date_volume(record: Article, pages: str) -> str:
    """15.47 (17th): "11, no. 1 (Spring): 1–34", "119 (4): 1002–46",
    "185 (May): 653–64", "185:653–64"."""
    d = record.issued
    month = MONTH_NAMES[d.month - 1] if d is not None and d.month else ""
    if d is not None and d.season:
        month = SEASON_NAMES[d.season - 1]
    vol = record.volume or ""
    if vol and record.issue and month:
        text = f" {vol}, no. {record.issue} ({month})"
    elif vol and record.issue:
        text = f" {vol} ({record.issue})"
    elif vol and month:
        text = f" {vol} ({month})"
    elif vol:
        text = " " + vol
    elif record.issue:
        text = f", no. {record.issue}" + (f" ({month})" if month else "")
    else:
        text = ""
    if pages:
        text += (":" if vol and not record.issue and not month else ": ") + pages
    return text


def _special_issue(record: Work) -> bool:
    """A journal's special issue, cited as a whole (CSL ``periodical`` with the
    journal's name as its container)."""
    return csl_type(record) == "periodical" and bool(record.container_title)


def special_issue_part(
    record: Work, edition: int, *, note: bool, author_date: bool = False, loc: str = ""
) -> Styled:
    """ "Special issue, *International Studies Quarterly* 64, no. 3 (2020)" after
    the issue's title, the volume and date as an article's (as the CSL Chicago
    styles give it); in an author-date reference list "64 (3)" or "64, no. 3
    (September)"."""
    out = Styled().add("special issue, " if note else "Special issue, ")
    _italic(out, _tc(record, record.container_title, edition, "container_title"))
    if author_date and not note:
        return out.add(_author_date_volume(cast("Article", record), ""))
    if record.volume:
        out.add(" " + record.volume)
    if record.issue:
        out.add(", no. " + record.issue)
    out.add(f" ({_article_date(cast('Article', record), edition)})")
    return out.add(": " + loc) if loc else out


def _preprint_like(record: Work) -> bool:
    return csl_type(record) == "article" and not getattr(record, "journal", None)


def _preprint(
    record: Article, edition: int, *, note: bool, author_date: bool, loc: str = ""
) -> str:
    """A preprint (CSL ``article`` with no journal): its number in the
    repository, then "Preprint, arXiv, June 12, 2017" ("preprint" in a
    note), as the CSL Chicago styles give it; an unpublished article
    without a repository, its date alone."""
    if note or not author_date:
        when = _date_text(record.issued) if record.issued is not None else "n.d."
    else:  # the year leads the entry
        when = month_day(record.issued)[0] if record.issued is not None else ""
    repository = typo(record.publisher) if record.publisher else ""
    label = ("preprint, " if note else "Preprint, ") + repository if repository else ""
    tail = ", ".join(x for x in (label, when, loc) if x)
    number = record_extra(record, "number")
    if number:
        return typo(number) + (", " if note else ". ") + tail if tail else typo(number)
    return tail


def periodical_part(
    record: Article, edition: int, *, form: str, author_date: bool = False, loc: str = ""
) -> Styled:
    """The journal and where in it: "*Journal* 12, no. 3 (2019): 115–29";
    a newspaper or magazine by date; "ahead of print" for an article with
    a DOI and nothing else. In a note a locator replaces the page range."""
    out = Styled()
    note = form == "note"
    if _preprint_like(record):
        return out.add(_preprint(record, edition, note=note, author_date=author_date, loc=loc))
    if _by_date(record) and record.section:
        # a newspaper's section before its name: "World, *The Guardian*"
        out.add(typo(record.section))
        out.punct(", " if note else ". ")
    if record.journal:
        _italic(out, _tc(record, record.journal, edition, "journal"))
    if csl_type(record) == "article-newspaper" and record.place:
        # the city of a newspaper whose name lacks it: "*The Guardian* (London)"
        # (CMOS 17 14.193)
        out.add(f" ({typo(record.place)})")
    if _by_date(record):
        tail = _date_text(record.issued) if note else _date_tail(record, edition, author_date)
        return out.add(", " + tail) if tail else out
    if _ahead_of_print(record):
        if note or not author_date:
            tail = _date_text(record.issued)
        else:
            tail = _date_tail(record, edition, author_date)
        return out.add(", ahead of print" + (", " + tail if tail else ""))
    number = record_extra(record, "number")
    pages = page_text(record.pages, abbreviate=True) if record.pages else ""
    if author_date and not note:
        return out.add(_author_date_volume(record, pages or number or ""))
    if record.volume:
        out.add(" " + record.volume)
    if record.issue:
        out.add(", no. " + record.issue)
    out.add(f" ({_article_date(record, edition)})")
    if not note:
        pages = pages or number or ""
    elif loc:
        pages = loc + (", " + number if number else "")
    else:
        pages = pages or number or ""
    return out.add(": " + pages) if pages else out


# --------------------------------------------------------------------------
# Bibliography and reference-list entries


def bib_names_key(record: BaseRecord) -> str | None:
    """The author part of an entry (for the 17th edition's 3-em dash)."""
    people, flag, role = _creators(cast("Work", record))
    if not people:
        return None
    return "|".join(fold(_inverted(p)) for p in people) + ("|etal" if flag else "") + "|" + role


def reference(
    record: BaseRecord,
    *,
    edition: int = 18,
    author_date: bool = False,
    suffix: str = "",
    repeated: bool = False,
) -> Styled:
    """A bibliography entry (notes-bibliography) or a reference-list entry
    (author-date) of a resolved record: creators (or the title), [year,]
    title, what the type adds, publication facts, identifier."""
    work = cast("Work", record)
    if is_legal(work):
        return _legal_entry(work)
    out = Styled(comma_after_query=True)
    people, _flag, role = _creators(work)
    stand_in = _stand_in(work)
    unsigned = stand_in == "periodical"
    if people and repeated:
        out.add("———" + (", " + role if role else ""))
    elif people:
        out.add(creators_part(work, edition, "bib"))
    elif stand_in:
        out.extend(_stand_in_name(work, edition))
    else:
        out.extend(title_part(work, edition, author_date=author_date))
    out.punct(". ")
    if author_date:
        label = _year_label(work, suffix)
        out.add(capitalize_first(label) if label.startswith("forthcoming") else label)
        out.punct(". ")
    if people or stand_in:
        out.extend(title_part(work, edition, author_date=author_date))
        out.punct(". ")
    for part in _after_title(work, edition, note=False):
        out.extend(part)
        out.punct(". ")
    if unsigned:
        out.add(_date_tail(work, edition, author_date))
        out.punct(". ")
    elif stand_in == "reference":
        # the reference work named at the head is not repeated: "*Wikipedia*.
        # 2024. “North Atlantic Treaty Organization.” January 28."
        out.add(facts_part(work, edition, form="bib", author_date=author_date))
        out.punct(". ")
    elif stand_in == "site":  # the site is named at the head
        _bib_webpage(out, cast("Webpage", work), edition, author_date, site=False)
    else:
        _bib_body(out, work, edition, author_date)
    for text in (
        _medium(work),
        *_archive(work),
        _database(work),
        _article_database(work),
        _accessed(work, note=False),
    ):
        if text:
            out.add(text)
            out.punct(". ")
    out.link(identifier_part(work) or "")
    return out.end(".")


def _legal_entry(record: Work) -> Styled:
    """A case, act or treaty in a bibliography or reference list: its
    Bluebook citation (:mod:`citeshelf.styles.legal`), in author-date too
    (no year moved to the front), then its DOI or URL."""
    out = Styled(comma_after_query=True).extend(legal_reference(record))
    link = identifier_part(record)
    if link:
        out.punct(". ")
        out.link(link)
    return out.end(".")


def _legal_note(record: Work, page: str | None) -> Styled:
    """A full note for a case, act or treaty: the Bluebook citation, the
    cited page ("at 531" after a first page), the DOI or URL."""
    return _comma_parts(
        legal_reference(record), record, (legal_locator(record, page), _accessed(record, note=True))
    )


#: CSL types whose medium (or a map's scale) follows the date, as the CSL
#: Chicago styles give it: "1889. Oil on canvas. Museum of Modern Art",
#: "1984. 1:1,000,000." (in a note after the cited page).
_MEDIUM_CSL = frozenset({"graphic", "interview", "song", "map", "figure"})


def _medium(record: Work) -> str:
    """A work's medium ("Oil on canvas", "Audio recording", "CD") or a map's
    scale ("1:1,000,000"), "" if none or not a type that gives it."""
    if csl_type(record) not in _MEDIUM_CSL:
        return ""
    medium = record_extra(record, "medium") or record_extra(record, "scale")
    return capitalize_first(typo(medium)) if medium else ""


def _after_title(record: Work, edition: int, *, note: bool) -> list[Styled]:
    """What follows an article's title: its genre ("Opinion", "Editorial")
    and what it reviews ("Review of *Swing Time*, by Zadie Smith")."""
    parts = []
    genre = record_extra(record, "genre")
    if genre and (record.type == "article" or csl_type(record) == "post"):
        # "Opinion"; a post's kind, "Tweet", "Status update"
        parts.append(Styled().add(typo(genre)))
    review = _review(record, edition, note=note)
    if review is not None:
        parts.append(review)
    parts.extend(_broadcast_parts(record, edition, note=note))
    parts.extend(_performers(record, note=note))
    if csl_type(record) == "song" and record.container_title:
        # a track on an album: "In *Lemonade*", as the CSL Chicago styles give it
        album = _tc(record, record.container_title, edition, "container_title")
        parts.append(_italic(Styled().add("in " if note else "In "), album))
    if record.interviewers:
        # "Interview by Jonas Berg", as the CSL Chicago styles give it
        by = _people_text(record.interviewers)
        parts.append(Styled().add(("interview by " if note else "Interview by ") + by))
    return parts


def _contributors_av(record: Work, *, note: bool) -> list[str]:
    """ "written by Greg Daniels", "directed by Jim Reardon" (the director
    only where not listed in the author's place)."""
    out = []
    if record.script_writers:
        out.append("written by " + _people_text(record.script_writers))
    if record.directors and (note or not _director_listed(record)):
        out.append("directed by " + _people_text(record.directors))
    return out


def _broadcast_parts(record: Work, edition: int, *, note: bool) -> list[Styled]:
    """What follows a film's or broadcast's title: an episode's kind, number,
    title and contributors ("TV series episode 19, “Lisa’s Wedding,” written by
    Greg Daniels"); another broadcast's kind, series and contributors ("Radio
    broadcast", "*Analysis*"); a film's contributors ("directed by ...")."""
    ct = csl_type(record)
    if ct not in _AV_CSL:
        return []
    people = _contributors_av(record, note=note)
    genre = typo(record_extra(record, "genre"))
    if _episode(record):
        kind = capitalize_first(genre) if genre and not note else genre
        label = f"{kind or ('episode' if note else 'Episode')} {record.number}"
        out = Styled().add(label)
        for text in (_quoted(_title(record, edition)), *people):
            out.punct(", ")
            out.add(text)
        return [out]
    parts = []
    if ct == "broadcast":
        if genre:
            parts.append(Styled().add(genre if note else capitalize_first(genre)))
        if record.container_title:
            container = _tc(record, record.container_title, edition, "container_title")
            parts.append(_italic(Styled(), container))
    if people:
        text = ", ".join(people)
        parts.append(Styled().add(text if note else capitalize_first(text)))
    return parts


def _broadcast_facts(record: Work, edition: int, *, note: bool, author_date: bool) -> str | None:
    """A broadcast's network and date: "Aired March 19, 1995, on Fox
    Broadcasting Company" ("aired" in a note); a podcast's (one with a URL)
    publisher and date as any other work's. None for another work."""
    if csl_type(record) != "broadcast" or record.url or record.doi:
        return None
    when = _nb_date(record) if note else _date_tail(record, edition, author_date)
    pub = _publisher(record, edition)
    text = ("aired " if note else "Aired ") + when if when else ("aired" if note else "Aired")
    return f"{text}, on {pub}" if pub else text


def _performers(record: Work, *, note: bool) -> list[Styled]:
    """A recording's performers, after a composer's work: "Performed by
    Berlin Philharmonic" (CSL's authors of a composer's recording, then its
    performers, each so, as the CSL Chicago styles give them)."""
    if csl_type(record) != "song" or not record.composers:
        return []
    label = "performed by " if note else "Performed by "
    return [
        Styled().add(label + _people_text(people))
        for people in (record.authors, record.performers)
        if people
    ]


def _interview_source(record: Work, edition: int) -> Styled | None:
    """Where an interview was published, before its date: "*Nordic Security
    Review*, November 2, 2021" (the CSL Chicago styles' form)."""
    if csl_type(record) != "interview" or not record.container_title or record.publisher:
        return None
    return _italic(Styled(), _tc(record, record.container_title, edition, "container_title"))


def _accessed(record: Work, *, note: bool) -> str:
    """ "Accessed May 9, 2023" for an undated online work of any type (CMOS
    14.12 (17th): an access date where no date of publication or revision
    can be found)."""
    when = accessed_date(record)
    if when is None:
        return ""
    return ("accessed " if note else "Accessed ") + _date_text(when)


def _bib_body(out: Styled, record: Work, edition: int, ad: bool) -> None:
    if csl_type(record) == "patent":
        out.add(_patent_facts(record))
        out.punct(". ")
    elif record.type == "article":
        out.extend(periodical_part(record, edition, form="bib", author_date=ad))
        out.punct(". ")
    elif record.type == "thesis":
        parts = thesis_details(record, note=False)
        if not ad:
            parts.append(_nb_date(record))
        out.add(", ".join(parts))
        out.punct(". ")
    elif record.type == "webpage":
        _bib_webpage(out, record, edition, ad)
    elif _special_issue(record):
        out.extend(special_issue_part(record, edition, note=False, author_date=ad))
        out.punct(". ")
    elif record.type == "paper" and not record.container_title:
        text = meeting_part(record, note=False)
        tail = _date_tail(record, edition, ad)
        if tail and not (ad and tail == "n.d."):
            text += ", " + tail
        out.add(text)
        out.punct(". ")
    else:
        if record.type in ("chapter", "paper"):
            # A chapter, or a paper in published proceedings (treated like a
            # chapter: 14.217 (17th)).
            out.extend(container_part(record, edition, note=False, author_date=ad))
            out.punct(". ")
        else:
            for detail in book_details(record, edition, note=False, author_date=ad):
                out.extend(detail) if isinstance(detail, Styled) else out.add(detail)
                out.punct(". ")
        source = _interview_source(record, edition)
        facts = facts_part(record, edition, form="bib", author_date=ad)
        if source is not None:
            out.extend(source)
            facts = ", " + facts if facts else ""
        out.add(facts)
        out.punct(". ")
        originally = _originally(record, edition, note=False, author_date=ad)
        if originally is None:
            originally = _originally_in(record, edition)
        if originally is not None:
            out.extend(originally)
            out.punct(". ")


def _site(out: Styled, record: Webpage) -> None:
    """The site's name: in italics for a blog (a blog is a periodical; the
    CSL Chicago styles italicise it), else roman."""
    if record.site:
        if csl_type(record) == "post-weblog":
            _italic(out, typo(record.site))
        else:
            out.add(typo(record.site))


def _bib_webpage(
    out: Styled, record: Webpage, edition: int, ad: bool, *, site: bool = True
) -> None:
    if record.site and site:
        _site(out, record)
    tail = _date_tail(record, edition, ad) if record.issued else ""
    if tail and tail != "n.d.":
        out.add(", " + tail)
    out.punct(". ")


# --------------------------------------------------------------------------
# Notes


def note(cites: Sequence[Cite], *, short: bool = False, edition: int = 18) -> Styled:
    """A full or short note for one or more ``(record, page, suffix)``;
    several works in one note are separated by semicolons (14.57 17th)."""
    out = Styled(comma_after_query=True)
    for i, (record, page, _suffix) in enumerate(cites):
        if i:
            out.trim()
            out.punct("; ")
        work = cast("Work", record)
        out.extend(short_note(work, page, edition) if short else full_note(work, page, edition))
    return out.end(".")


def short_note(record: Work, page: str | None, edition: int) -> Styled:
    """Creators' last names, short title, locator: "Aris, *Eurasian Regionalism*, 12"."""
    out = Styled()
    if is_legal(record):
        # The case name (in italics), act or treaty, and the page.
        out.extend(legal_cite_title(record))
        if page:
            out.punct(", ")
            out.add(abbreviated_locator(page))
        return out
    names = creators_part(record, edition, "short")
    if names:
        out.add(names)
        out.punct(", ")
    elif _stand_in(record) not in ("", "site"):
        # an unsigned web page's short note is its short title alone (CMOS 17
        # and 18 quick guides, website content: "“Yale Facts.”")
        out.extend(_stand_in_name(record, edition))
        out.punct(", ")
    out.add(_sub_verbo(record, edition))
    letter = _letter_description(record) if not record.title else ""
    if letter:
        out.add(letter)
    else:
        out.extend(title_part(record, edition, short=True))
    loc = locator_part(page, record)
    if loc:
        out.punct(", ")
        out.add(loc)
    elif record.type == "book" and record.volume:
        out.punct(", ")
        out.add(f"vol. {record.volume}")
    return out


def full_note(record: Work, page: str | None, edition: int) -> Styled:
    """Creators, title, what the type adds, publication facts in
    parentheses, locator, identifier."""
    if is_legal(record):
        return _legal_note(record, page)
    if _stand_in(record) == "reference":
        return _unsigned_entry_note(record, page, edition)
    out = Styled()
    names = creators_part(record, edition, "note")
    if names:
        out.add(names)
        out.punct(", ")
    out.extend(title_part(record, edition))
    for part in _after_title(record, edition, note=True):
        out.punct(", ")
        out.extend(part)
    loc = locator_part(page, record, volume=volume_titles(record) is None)
    if record.type == "thesis" or (record.type == "paper" and not record.container_title):
        if record.type == "thesis":
            parts = thesis_details(record, note=True)
        else:
            parts = [meeting_part(record, note=True)]
        parts.append(_nb_date(record))
        if _plain_speech(record):
            out.punct(", ")
            out.add(", ".join(x for x in parts if x))
        else:
            out.add(" (" + ", ".join(parts) + ")")
    elif record.type == "article":
        out.punct(", ")
        out.extend(periodical_part(record, edition, form="note", loc=loc))
        if _preprint_like(record) or not (_by_date(record) or _ahead_of_print(record)):
            loc = ""  # the periodical part gave it in place of the pages
    elif record.type == "webpage":
        _note_webpage(out, record, loc)
        loc = ""
    elif csl_type(record) == "patent":
        out.punct(", ")
        out.add(_patent_facts(record))
    elif record.type in ("chapter", "paper"):
        out.punct(", ")
        out.extend(container_part(record, edition, note=True))
        facts = facts_part(record, edition, form="note")
        if facts and _entry(record) and _full_dated(record):
            out.add(", " + facts)  # an online entry's date runs on, as a web page's
        elif facts:
            out.add(f" ({facts})")
        loc = loc or _chapter_pages(record, edition)
    elif _special_issue(record):
        out.punct(", ")
        out.extend(special_issue_part(record, edition, note=True, loc=loc))
        loc = ""
    else:
        _note_book(out, record, edition, loc)
    return _note_tail(out, record, loc)


def _note_tail(out: Styled, record: Work, loc: str) -> Styled:
    """The end of a full note: locator, medium, where the item is kept,
    database, access date, identifier."""
    parts = (
        loc,
        _medium(record),
        *_archive(record),
        _database(record),
        _article_database(record),
        _accessed(record, note=True),
    )
    return _comma_parts(out, record, parts)


def _comma_parts(out: Styled, record: Work, parts: Iterable[str]) -> Styled:
    """``out`` with each of ``parts`` that is not empty, then the record's
    DOI or URL, each after a comma (a note's end)."""
    for text in parts:
        if text:
            out.add(", " + text)
    link = identifier_part(record)
    if link:
        out.add(", ").link(link)
    return out


def _unsigned_entry_note(record: Work, page: str | None, edition: int) -> Styled:
    """An unsigned entry in a reference work (CMOS 18 14.130-31; 17th
    14.232-33): consulted in print, the work first and the entry after its
    facts, "*The Oxford English Dictionary*, 2nd ed., vol. 1, ed. ... (Clarendon
    Press, 1989), under “Alliance,” 531"; online, the entry first, "“North
    Atlantic Treaty Organization,” *Wikipedia*, January 28, 2024"."""
    out = Styled()
    loc = locator_part(page, record)
    if _online(record):
        out.extend(title_part(record, edition))
        out.punct(", ")
        out.extend(_stand_in_name(record, edition))
        facts = facts_part(record, edition, form="note")
        if facts and facts != "n.d.":
            out.add(", " + facts)
        return _note_tail(out, record, loc)
    out.extend(_stand_in_name(record, edition))
    bits = [_edition_text(record), f"vol. {record.volume}" if record.volume else ""]
    bits += [
        _editors_text(record, note=True, edition=edition),
        _translators_text(record, note=True),
    ]
    for bit in bits:
        if bit:
            out.add(", " + bit)
    facts = facts_part(record, edition, form="note")
    if facts:
        out.add(f" ({facts})")
    out.add(", " + _sub_verbo(record, edition)).extend(title_part(record, edition))
    if loc:
        out.punct(", ").add(loc)
    return _note_tail(out, record, "")


def _note_webpage(out: Styled, record: Webpage, loc: str) -> None:
    out.punct(", ")
    _site(out, record)
    if record.issued:
        out.add(", " + _date_text(record.issued))
    if loc:
        out.add(", " + loc)


def _note_book(out: Styled, record: Work, edition: int, loc: str) -> None:
    """Books, reports, data sets, other documents."""
    details = book_details(record, edition, note=True, loc=loc)
    for detail in details:
        out.punct(", ")
        out.extend(detail) if isinstance(detail, Styled) else out.add(detail)
    facts = facts_part(record, edition, form="note")
    originally = _originally(record, edition, note=True)
    if record.type == "misc" and csl_type(record) not in (
        "motion_picture",
        "pamphlet",
        "musical_score",
        "classic",
    ):
        # Documents and data sets: the facts run on, without parentheses
        # (a film's, a pamphlet's, a score's or a classic's are in parentheses,
        # as a book's).
        out.punct(", ")
        source = _interview_source(record, edition)
        if source is not None:
            out.extend(source)
            facts = ", " + facts if facts else ""
        out.add(facts)
    elif originally is not None:
        out.add(f" ({facts}; ").extend(originally).add(")")
    else:
        out.add(f" ({facts})")


# --------------------------------------------------------------------------
# Author-date citations (15.21–15.29 17th; 13.103–13.115 18th)


def author_date_citation(
    cites: Sequence[Cite],
    *,
    form: str = "in-text",
    edition: int = 18,
    initials: Collection[str] = (),
) -> Styled:
    """ "(Aris 2014, 531)"; narrative "Aris (2014, 531)"; several works
    "(Aris 2014; Cottey 2014a, 2014b)". ``initials``: the keys whose first
    author's initials are given (:func:`same_surname_keys`)."""
    out = Styled(comma_after_query=True)
    narrative = form == "narrative"
    if not narrative:
        out.add("(")
    prev = None
    for i, (record, page, suffix) in enumerate(cites):
        work = cast("Work", record)
        key = author_key(work)
        year = _year_label(work, suffix, brackets="[]")
        loc = abbreviated_locator(page) if page else ""
        when = year + (", " + loc if loc else "")
        if not narrative and i and key == prev:
            out.add(", " + when)
            continue
        if i:
            out.add("; " if not narrative else (" and " if i == len(cites) - 1 else ", "))
        if in_text_only(work) and not narrative:
            _personal_citation(out, work, edition, loc)
            prev = None
            continue
        names = creators_part(work, edition, "short", directors=not _episode(work))
        people, flag, _role = _creators(work, directors=not _episode(work))
        if names and work.key in initials:
            names = _initialled_short_names(people, flag, edition)
        if is_legal(work):
            out.extend(legal_cite_title(work))
        elif names:
            out.add(names)
        elif _stand_in(work):
            out.extend(_stand_in_name(work, edition))
            if _stand_in(work) == "reference" and not loc:
                # the entry after the date: "(*Wikipedia* 2024, “North Atlantic
                # Treaty Organization”)", "(*OED* 1989, under “Alliance”)"
                when += ", " + _sub_verbo(work, edition) + _quoted(_title(work, edition))
        else:
            out.extend(title_part(work, edition))
        if narrative:
            out.add(f" ({when})")
        else:
            if work.issued is None:
                out.punct(", ")
            else:
                out.add(" ")
            out.add(when)
        prev = key
    if not narrative:
        out.add(")")
    return out


# --------------------------------------------------------------------------
# Order


def _stand_in_sort(record: Work) -> str | None:
    """The name an unsigned work files under (see ``_stand_in``), or None."""
    kind = _stand_in(record)
    if kind == "periodical":
        return title_sort(cast("Article", record).journal or "")
    if kind == "reference":
        return title_sort(record.container_title or "")
    if kind == "site":
        return title_sort(cast("Webpage", record).site or "")
    return None


def author_key(record: BaseRecord) -> str:
    people, flag, _role = _creators(cast("Work", record))
    if people:
        return "|".join(fold(_inverted(p)) for p in people) + ("|etal" if flag else "")
    stand_in = _stand_in_sort(cast("Work", record))
    if stand_in is not None:
        return stand_in
    return "title:" + fold(record.full_title or "")


def author_year_key(record: BaseRecord) -> tuple[str, str]:
    return (author_key(record), _year_label(record))


def sort_key(record: BaseRecord, *, notes: bool = False) -> tuple[Any, ...]:
    """Letter by letter on the first author's inverted name, single-author
    entries before multi-author ones (14.70 17th), then (author-date) the year
    or (notes) the title, ignoring an initial article. Works with no author file
    under their title."""
    people, _flag, _role = _creators(cast("Work", record))
    if people:
        names = tuple(fold(_inverted(p)) for p in people)
        first = names[0]
    elif _stand_in_sort(cast("Work", record)) is not None:
        first = cast(str, _stand_in_sort(cast("Work", record)))
        names = (first,)
    else:
        first = title_sort(record.full_title or "")
        names = (first,)
    year = record.year if record.year is not None else -1
    # the title as the entry prints it (_title): an author-date list gives a
    # volume's own title first
    return (first, names, year, sort_title(record, volume_first=not notes), record.key)


def notes_sort_key(record: BaseRecord) -> tuple[Any, ...]:
    """Bibliography order for notes-bibliography: works by the same author
    by title (14.71 17th)."""
    k = sort_key(record, notes=True)
    return (k[0], k[1], k[3], k[2], k[4])
