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
- an encyclopedia entry in a short note: "s.v." (17th) / "under" (18th).
"""

from __future__ import annotations

from .common import (
    MONTH_NAMES,
    capitalize_first,
    chicago_title_case,
    clean_locator,
    csl_type,
    edition_text,
    fold,
    page_text,
    record_extra,
    title_sort,
    typo,
)
from .text import Styled, inner_quotes

__all__ = [
    "reference",
    "note",
    "author_date_citation",
    "sort_key",
    "author_year_key",
    "bib_names_key",
]

_ENTRY_TYPES = frozenset({"entry-encyclopedia", "entry-dictionary", "entry"})
_DATED_PERIODICALS = frozenset({"article-newspaper", "article-magazine"})


# --------------------------------------------------------------------------
# Names


def _given_first(p) -> str:
    """ "David J. Galbreath", "Pieter van der Berg", "Robert E. Walker Jr."."""
    if p.literal:
        return typo(p.literal)
    text = " ".join(x for x in (p.given, p.particle, p.family) if x)
    return typo(f"{text} {p.suffix}" if p.suffix else text)


def _inverted(p) -> str:
    """ "Galbreath, David J.", "Berg, Pieter van der", "Walker, Robert E., Jr."
    (the particle follows the given name, as citeproc-js's Chicago styles put it)."""
    if p.literal:
        return typo(p.literal)
    if not p.given and not p.suffix:
        return typo(p.last)
    text = p.family
    given = " ".join(x for x in (p.given, p.particle) if x)
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


def _bib_names(people, et_al_flag: bool, edition: int) -> str:
    limit, keep = (6, 3) if edition >= 18 else (10, 7)
    shown = people if len(people) <= limit else people[:keep]
    names = [_inverted(shown[0])] + [_given_first(p) for p in shown[1:]]
    if len(shown) < len(people) or et_al_flag:
        return ", ".join(names) + ", et al."
    return _and_list(names, comma_two=True)


def _note_names(people, et_al_flag: bool, edition: int) -> str:
    many = 3 if edition >= 18 else 4
    if len(people) >= many or (et_al_flag and people):
        return _given_first(people[0]) + " et al."
    return _and_list([_given_first(p) for p in people])


def _short_names(people, et_al_flag: bool, edition: int) -> str:
    many = 3 if edition >= 18 else 4
    if len(people) >= many or (et_al_flag and people):
        return typo(people[0].last) + " et al."
    return _and_list([typo(p.last) for p in people])


def _creators(record):
    """(people, et-al flag, role) of whom the work is listed under."""
    if record.authors:
        return record.authors, record.authors_et_al, ""
    if record.editors and record.type != "chapter":
        return record.editors, record.editors_et_al, "eds." if len(record.editors) > 1 else "ed."
    return [], False, ""


# --------------------------------------------------------------------------
# Pieces


def _title(record, edition: int) -> str:
    return chicago_title_case(typo(record.full_title), edition) if record.full_title else ""


def _short_title(record, edition: int) -> str:
    """14.33 (17th, "Short form for titles of works"; the same rule in the 18th):
    the short title keeps the key words of the main title, without the subtitle
    and usually without an initial article."""
    if record.short_title:
        return chicago_title_case(typo(record.short_title), edition)
    if not record.title:
        return ""
    main = record.title if record.subtitle else record.title.split(": ", 1)[0]
    # "Ward and Burns, *War*": an initial article may go (quick guide).
    for article in ("The ", "A ", "An "):
        if main.startswith(article) and len(main) > len(article):
            main = main[len(article) :]
            main = main[:1].upper() + main[1:]
            break
    return chicago_title_case(typo(main), edition)


def _quoted(title: str) -> str:
    return "“" + inner_quotes(title) + "”"


def _italic_type(record) -> bool:
    ct = csl_type(record)
    if ct == "dataset" or ct in _ENTRY_TYPES:
        return False
    return record.type in ("book", "report")


def _add_title(out: Styled, record, edition: int, *, short: bool = False) -> None:
    title = _short_title(record, edition) if short else _title(record, edition)
    if not title:
        return
    if _italic_type(record):
        out.italic(title)
    else:
        out.add(_quoted(title))


def _date_text(d, *, year: bool = True) -> str:
    if d is None:
        return "n.d."
    if not d.month:
        return str(d.year)
    text = MONTH_NAMES[d.month - 1]
    if d.day:
        text += f" {d.day}"
        if year:
            text += f", {d.year}"
    elif year:
        text += f" {d.year}"
    return text


def _nb_date(record) -> str:
    """The date of a notes-bibliography entry: the full date for web pages,
    newspapers, magazines, presentations and documents, else the year."""
    d = record.issued
    if d is None:
        return "n.d."
    return _date_text(d) if _full_dated(record) else str(d.year)


def _full_dated(record) -> bool:
    ct = csl_type(record)
    if ct in _DATED_PERIODICALS:
        return True
    if record.type in ("webpage", "misc") and ct != "dataset":
        return True
    return record.type == "paper" and not record.container_title


def _publisher(record, edition: int) -> str:
    """ "Place: Publisher" (17th) or "Publisher" (18th, 14.30)."""
    pub = record.publisher
    if record.type in ("report", "thesis"):
        pub = record.institution or record.publisher
    pub = typo(pub) if pub else ""
    if edition < 18 and record.place:
        return f"{typo(record.place)}: {pub}" if pub else typo(record.place)
    return pub


def _link(record):
    if record.doi:
        return "https://doi.org/" + record.doi
    return record.url


def _editors_text(record, *, note: bool) -> str:
    if not record.editors:
        return ""
    names = _and_list([_given_first(p) for p in record.editors])
    if record.editors_et_al:
        names += " et al."
    return ("ed. " if note else "edited by ") + names


def _translators_text(record, *, note: bool) -> str:
    if not record.translators:
        return ""
    names = _and_list([_given_first(p) for p in record.translators])
    return ("trans. " if note else "Translated by ") + names


def _series(record, edition: int) -> str:
    if not record.series:
        return ""
    number = record_extra(record, "collection-number") or record_extra(record, "series_number")
    text = chicago_title_case(typo(record.series), edition)
    return f"{text} {number}" if number else text


def _chapter_pages(record, edition: int) -> str:
    """The page range of a part of a book, where the edition gives it."""
    if edition >= 18 or not getattr(record, "pages", None):
        return ""
    return page_text(record.pages, abbreviate=True)


def _uses_chapter_number(record, edition: int) -> bool:
    """ "Chap. 30 in": a chapter without (needed) pages but with a number."""
    if record.type != "chapter" or not record.chapter or csl_type(record) in _ENTRY_TYPES:
        return False
    return edition >= 18 or not record.pages


# --------------------------------------------------------------------------
# Bibliography and reference-list entries


def bib_names_key(record) -> str | None:
    """The author part of an entry (for the 17th edition's 3-em dash)."""
    people, flag, role = _creators(record)
    if not people:
        return None
    return "|".join(fold(_inverted(p)) for p in people) + ("|etal" if flag else "") + "|" + role


def reference(
    record,
    *,
    edition: int = 18,
    author_date: bool = False,
    suffix: str = "",
    repeated: bool = False,
) -> Styled:
    """A bibliography entry (notes-bibliography) or a reference-list entry
    (author-date) of a resolved record."""
    out = Styled(comma_after_query=True)
    people, flag, role = _creators(record)
    title_first = False
    if people:
        out.add("———" if repeated else typo(_bib_names(people, flag, edition)))
        if role:
            out.add(", " + role)
        out.punct(". ")
    else:
        title_first = True
        _add_title(out, record, edition)
        out.punct(". ")
    if author_date:
        out.add((str(record.year) if record.issued else "n.d.") + suffix)
        out.punct(". ")
    if not title_first:
        _add_title(out, record, edition)
        out.punct(". ")
    _bib_body(out, record, edition, author_date)
    out.link(_link(record) or "")
    out.end(".")
    return out


def _date_tail(record, edition: int, author_date: bool) -> str:
    """The date at the end of a bibliography element: ", 2014" (notes-
    bibliography) or nothing / ", May 14" (author-date, year given up front)."""
    d = record.issued
    if not author_date:
        return _nb_date(record)
    if d is None or not d.month or not _full_dated(record) and not _ahead_of_print(record):
        return ""
    ct = csl_type(record)
    with_year = edition < 18 and (ct in _DATED_PERIODICALS or _ahead_of_print(record))
    return _date_text(d, year=with_year)


def _article_date(record, edition: int) -> str:
    """ "September 2019" (17th, 14.171: the month is given when known) or
    "2019" (18th: the year)."""
    d = record.issued
    if d is None:
        return "n.d."
    return f"{MONTH_NAMES[d.month - 1]} {d.year}" if d.month and edition < 18 else str(d.year)


def _ahead_of_print(record) -> bool:
    return (
        record.type == "article"
        and csl_type(record) not in _DATED_PERIODICALS
        and not record.volume
        and not record.issue
        and not record.pages
        and record.issued is not None
        and bool(record.doi)
    )


def _bib_body(out: Styled, record, edition: int, ad: bool) -> None:
    t = record.type
    ct = csl_type(record)
    if t == "article":
        _bib_article(out, record, edition, ad)
        return
    if t == "thesis":
        parts = [capitalize_first(typo(record.degree)) if record.degree else "Thesis"]
        if record.institution:
            parts.append(typo(record.institution))
        if not ad:
            parts.append(_nb_date(record))
        out.add(", ".join(parts))
        out.punct(". ")
        return
    if t == "webpage":
        if record.site:
            out.add(typo(record.site))
        tail = _date_tail(record, edition, ad) if record.issued else ""
        if tail and tail != "n.d.":
            out.add(", " + tail)
        out.punct(". ")
        if record.issued is None and record.accessed:
            out.add("Accessed " + _date_text(record.accessed))
            out.punct(". ")
        return
    if t == "paper" and not record.container_title:
        # CMOS 14.217 (17th): a paper presented at a meeting.
        where = ", ".join(
            x for x in (typo(record.event) if record.event else "", typo(record.event_place)) if x
        )
        text = "Paper presented at " + (where if where else "a meeting")
        tail = _date_tail(record, edition, ad)
        if tail and not (ad and tail == "n.d."):
            text += ", " + tail
        out.add(text)
        out.punct(". ")
        return
    in_part = t in ("chapter", "paper")
    if in_part:
        # A chapter, or a paper in published proceedings (treated like a
        # chapter: 14.217 (17th)).
        if _uses_chapter_number(record, edition):
            out.add(f"Chap. {record.chapter} in ")
        else:
            out.add("In ")
        bits = _container(out, record, edition, note=False)
        pages = _chapter_pages(record, edition)
        if pages:
            bits.append(pages)
        if bits:
            out.add(", " + ", ".join(bits))
        out.punct(". ")
    else:
        tr = _translators_text(record, note=False)
        if tr:
            out.add(tr)
            out.punct(". ")
        if record.authors and record.editors:
            out.add("Edited by " + _and_list([_given_first(p) for p in record.editors]))
            out.punct(". ")
        if ct == "dataset" and record_extra(record, "version"):
            out.add("Version " + record_extra(record, "version"))
            out.punct(". ")
        ed = edition_text(record.edition)
        if ed:
            out.add(capitalize_first(ed))
            out.punct(". ")
        if record.volume:
            out.add(f"Vol. {record.volume}")
            out.punct(". ")
        series = _series(record, edition)
        if series:
            out.add(series)
            out.punct(". ")
        if t == "report" and (record.number or record_extra(record, "genre")):
            genre = record_extra(record, "genre")
            text = " ".join(
                x
                for x in (chicago_title_case(genre, edition) if genre else "", record.number or "")
                if x
            )
            out.add(text)
            out.punct(". ")
        if t == "misc" and record.howpublished:
            out.add(capitalize_first(typo(record.howpublished)))
            out.punct(". ")
    pub = _publisher(record, edition)
    tail = _date_tail(record, edition, ad)
    text = ", ".join(x for x in (pub, tail) if x)
    if text:
        out.add(text)
        out.punct(". ")


def _bib_article(out: Styled, record, edition: int, ad: bool) -> None:
    ct = csl_type(record)
    journal = chicago_title_case(typo(record.journal), edition) if record.journal else ""
    if journal:
        out.italic(journal)
    if ct in _DATED_PERIODICALS:
        tail = _date_tail(record, edition, ad)
        if tail:
            out.add(", " + tail)
        out.punct(". ")
        return
    if _ahead_of_print(record):
        tail = _date_tail(record, edition, ad) if ad else _date_text(record.issued)
        out.add(", ahead of print" + (", " + tail if tail else ""))
        out.punct(". ")
        return
    number = record_extra(record, "number")
    pages = page_text(record.pages, abbreviate=True) if record.pages else (number or "")
    if ad:
        # 15.47 (17th): "11, no. 1 (Spring): 1–34", "119 (4): 1002–46",
        # "185 (May): 653–64", "185:653–64".
        d = record.issued
        month = MONTH_NAMES[d.month - 1] if d is not None and d.month else ""
        vol = record.volume or ""
        if vol and record.issue and month:
            out.add(f" {vol}, no. {record.issue} ({month})")
        elif vol and record.issue:
            out.add(f" {vol} ({record.issue})")
        elif vol and month:
            out.add(f" {vol} ({month})")
        elif vol:
            out.add(" " + vol)
        elif record.issue:
            out.add(f", no. {record.issue}" + (f" ({month})" if month else ""))
        if pages:
            out.add((":" if vol and not record.issue and not month else ": ") + pages)
    else:
        if record.volume:
            out.add(" " + record.volume)
        if record.issue:
            out.add((", no. " if record.volume else ", no. ") + record.issue)
        out.add(f" ({_article_date(record, edition)})")
        if pages:
            out.add(": " + pages)
    out.punct(". ")


# --------------------------------------------------------------------------
# Notes


def _locator(page: str | None, record) -> str:
    if not page:
        return ""
    page = clean_locator(page)
    if record.type == "book" and record.volume:
        return f"{record.volume}:{page}"
    return page


def note(cites, *, short: bool = False, edition: int = 18) -> Styled:
    """A full or short note for one or more ``(record, page, suffix)``;
    several works in one note are separated by semicolons (14.57 17th)."""
    out = Styled(comma_after_query=True)
    for i, (record, page, _suffix) in enumerate(cites):
        if i:
            out.trim()
            out.punct("; ")
        if short:
            _short_note(out, record, page, edition)
        else:
            _full_note(out, record, page, edition)
    out.end(".")
    return out


def _short_note(out: Styled, record, page: str | None, edition: int) -> None:
    people, flag, _role = _creators(record)
    if people:
        out.add(typo(_short_names(people, flag, edition)))
        out.punct(", ")
    if csl_type(record) in _ENTRY_TYPES:
        out.add("under " if edition >= 18 else "s.v. ")
    _add_title(out, record, edition, short=True)
    loc = _locator(page, record)
    if loc:
        out.punct(", ")
        out.add(loc)
    elif record.type == "book" and record.volume:
        out.punct(", ")
        out.add(f"vol. {record.volume}")


def _full_note(out: Styled, record, page: str | None, edition: int) -> None:
    people, flag, role = _creators(record)
    if people:
        out.add(typo(_note_names(people, flag, edition)))
        if role:
            out.add(", " + role)
        out.punct(", ")
    t = record.type
    ct = csl_type(record)
    loc = _locator(page, record)
    link = _link(record)
    if t == "thesis" or (t == "paper" and not record.container_title):
        _add_title(out, record, edition)
        if t == "thesis":
            parts = [typo(record.degree) if record.degree else "thesis"]
            if record.institution:
                parts.append(typo(record.institution))
        else:
            where = ", ".join(
                x
                for x in (typo(record.event) if record.event else "", typo(record.event_place))
                if x
            )
            parts = ["paper presented at " + (where or "a meeting")]
        parts.append(_nb_date(record))
        out.add(" (" + ", ".join(parts) + ")")
        _tail(out, loc, link)
        return
    _add_title(out, record, edition)
    if t == "article":
        out.punct(", ")
        journal = chicago_title_case(typo(record.journal), edition) if record.journal else ""
        if journal:
            out.italic(journal)
        if ct in _DATED_PERIODICALS:
            out.add(", " + _date_text(record.issued))
            _tail(out, loc, link)
            return
        if _ahead_of_print(record):
            out.add(", ahead of print, " + _date_text(record.issued))
            _tail(out, loc, link)
            return
        if record.volume:
            out.add(" " + record.volume)
        if record.issue:
            out.add(", no. " + record.issue)
        out.add(f" ({_article_date(record, edition)})")
        number = record_extra(record, "number")
        pages = loc or (page_text(record.pages, abbreviate=True) if record.pages else "")
        if pages:
            out.add(": " + pages)
            if loc and number:
                out.add(", " + number)
        elif number:
            out.add(": " + number)
        if link:
            out.add(", ").link(link)
        return
    if t == "webpage":
        out.punct(", ")
        if record.site:
            out.add(typo(record.site))
        if record.issued:
            out.add(", " + _date_text(record.issued))
        if loc:
            out.add(", " + loc)
        if record.issued is None and record.accessed:
            out.add(", accessed " + _date_text(record.accessed))
        if link:
            out.add(", ").link(link)
        return
    if t in ("chapter", "paper"):
        out.punct(", ")
        if _uses_chapter_number(record, edition):
            out.add(f"chap. {record.chapter} in ")
        else:
            out.add("in ")
        bits = _container(out, record, edition, note=True)
        if bits:
            out.add(", " + ", ".join(bits))
        pub = _publisher(record, edition)
        facts = ", ".join(x for x in (pub, _nb_date(record)) if x)
        out.add(f" ({facts})")
        _tail(out, loc or _chapter_pages(record, edition), link)
        return
    # Books, reports, datasets, other documents.
    bits = []
    tr = _translators_text(record, note=True)
    if tr:
        bits.append(tr)
    if record.authors and record.editors:
        bits.append("ed. " + _and_list([_given_first(p) for p in record.editors]))
    if ct == "dataset" and record_extra(record, "version"):
        bits.append("version " + record_extra(record, "version"))
    ed = edition_text(record.edition)
    if ed:
        bits.append(ed)
    if record.volume and not loc:
        bits.append(f"vol. {record.volume}")
    series = _series(record, edition)
    if series:
        bits.append(series)
    if t == "report" and (record.number or record_extra(record, "genre")):
        genre = record_extra(record, "genre")
        bits.append(" ".join(x for x in (typo(genre) if genre else "", record.number or "") if x))
    if t == "misc" and record.howpublished:
        bits.append(typo(record.howpublished))
    if bits:
        out.punct(", ")
        out.add(", ".join(bits))
    pub = _publisher(record, edition)
    facts = ", ".join(x for x in (pub, _nb_date(record)) if x)
    if t == "misc":
        # Documents and data sets: the facts run on, without parentheses.
        out.punct(", ")
        out.add(facts)
    else:
        out.add(f" ({facts})")
    _tail(out, loc, link)


def _tail(out: Styled, loc: str, link: str | None) -> None:
    if loc:
        out.add(", " + loc)
    if link:
        out.add(", ").link(link)


# --------------------------------------------------------------------------
# Author-date citations (15.21–15.29 17th; 13.103–13.115 18th)


def author_date_citation(cites, *, form: str = "in-text", edition: int = 18) -> Styled:
    """ "(Aris 2014, 531)"; narrative "Aris (2014, 531)"; several works
    "(Aris 2014; Cottey 2014a, 2014b)"."""
    out = Styled(comma_after_query=True)
    narrative = form == "narrative"
    if not narrative:
        out.add("(")
    prev = None
    for i, (record, page, suffix) in enumerate(cites):
        people, flag, _role = _creators(record)
        key = author_key(record)
        year = (str(record.year) if record.issued else "n.d.") + suffix
        loc = clean_locator(page) if page else ""
        when = year + (", " + loc if loc else "")
        if not narrative and i and key == prev:
            out.add(", " + when)
            continue
        if i:
            out.add("; " if not narrative else (" and " if i == len(cites) - 1 else ", "))
        if people:
            out.add(typo(_short_names(people, flag, edition)))
        else:
            _add_title(out, record, edition)
        if narrative:
            out.add(f" ({when})")
        else:
            if record.issued is None:
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


def author_key(record) -> str:
    people, flag, _role = _creators(record)
    if people:
        return "|".join(fold(_inverted(p)) for p in people) + ("|etal" if flag else "")
    return "title:" + fold(record.full_title or "")


def author_year_key(record) -> tuple[str, str]:
    return (author_key(record), str(record.year or "n.d."))


def _container(out: Styled, record, edition: int, *, note: bool) -> list[str]:
    """The book a chapter or paper is in: its italic title added to ``out``;
    returns the parts that follow it (edition, its authors, editors, volume)."""
    if record.container_title:
        out.italic(chicago_title_case(typo(record.container_title), edition))
    bits = []
    ed = edition_text(record.edition)
    if ed:
        bits.append(ed)
    if getattr(record, "container_authors", None) and record.container_authors != record.authors:
        bits.append("by " + _and_list([_given_first(p) for p in record.container_authors]))
    eds = _editors_text(record, note=note)
    if eds:
        bits.append(eds)
    if record.volume:
        bits.append(f"vol. {record.volume}")
    return bits


def sort_key(record) -> tuple:
    """Letter by letter on the first author's inverted name, single-author
    entries before multi-author ones (14.70 17th), then (author-date) the year
    or (notes) the title, ignoring an initial article. Works with no author file
    under their title."""
    people, _flag, _role = _creators(record)
    if people:
        names = tuple(fold(_inverted(p)) for p in people)
        first = names[0]
    else:
        first = title_sort(record.full_title or "")
        names = (first,)
    year = record.year if record.year is not None else -1
    return (first, names, year, title_sort(record.full_title or ""), record.key)


def notes_sort_key(record) -> tuple:
    """Bibliography order for notes-bibliography: works by the same author
    by title (14.71 17th)."""
    k = sort_key(record)
    return (k[0], k[1], k[3], k[2], k[4])
