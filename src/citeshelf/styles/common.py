"""Pieces the styles share: letter case, page ranges, dates, names, sort keys.

Everything here is a plain function on strings or records; the regular
expressions are compiled once at import.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeAlias

from ..model import richtext
from ..model.attrs import field_value
from ..model.fold import fold as _fold
from ..model.language import is_english
from .text import smarten

if TYPE_CHECKING:
    from ..model import (
        Article,
        BaseRecord,
        Book,
        Chapter,
        Date,
        Misc,
        PageRange,
        Paper,
        Person,
        Report,
        Thesis,
        Webpage,
    )

    #: A resolved record of one of the work types: ``record.type == "article"``
    #: narrows it to an Article.
    Work: TypeAlias = Book | Chapter | Article | Report | Thesis | Webpage | Paper | Misc
    #: One work cited: (record, locator or None, year suffix).
    Cite: TypeAlias = tuple[BaseRecord, str | None, str]

#: Case- and accent-insensitive sort form, cached (sorting calls it often).
fold = lru_cache(maxsize=65536)(_fold)

__all__ = [
    "MONTH_NAMES",
    "SEASON_NAMES",
    "is_forthcoming",
    "month_day",
    "no_date_label",
    "year_span",
    "era_year",
    "apa_title_case",
    "chicago_title_case",
    "PROPER_NOUNS",
    "looks_title_case",
    "phrase_spans",
    "to_sentence_case",
    "sentence_case",
    "abbreviate_range",
    "page_text",
    "ordinal",
    "edition_text",
    "capitalize_first",
    "given_initials",
    "shared_surname_keys",
    "record_extra",
    "protected",
    "title_cased",
    "has_italics",
    "as_core_type",
    "csl_type",
    "in_text_only",
    "volume_titles",
    "sort_title",
    "title_sort",
    "number_label",
    "accessed_date",
]

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

#: EDTF seasons 21-24 (CSL season 1-4), as the styles print them.
SEASON_NAMES = ("Spring", "Summer", "Autumn", "Winter")

# --------------------------------------------------------------------------
# Dates: the parts both styles print (each style puts them in its order)


def is_forthcoming(record: BaseRecord) -> bool:
    """An accepted work with no date yet: status "in press" or "forthcoming"."""
    status = (getattr(record, "status", None) or "").strip().lower()
    return status in ("in press", "inpress", "forthcoming")


def no_date_label(record: BaseRecord, forthcoming: str, suffix: str) -> str:
    """ "n.d." or the style's word for an accepted work, with a year suffix after a
    hyphen: APA 9.17 "n.d.-a", "in press-a"; Chicago 15.44 (17th) "n.d.-a",
    "forthcoming-a" (a letter straight after "n." would misread)."""
    word = forthcoming if is_forthcoming(record) else "n.d."
    return word + ("-" + suffix if suffix else "")


def _qualified(d: Date, text: str) -> str:
    """An approximate date "ca. 1990" (APA 9.42, CMOS 14.18 "ca."); an uncertain
    one "1990?" (CMOS 14.18: a question mark after the doubtful date)."""
    if d.approximate:
        text = "ca. " + text
    if d.uncertain:
        text += "?"
    return text


def era_year(year: int | None, era: str = "BC") -> str:
    """A year as the styles print it; one before the common era (EDTF's
    astronomical numbering: year 0 is 1 BCE, -349 is 350 BCE) with ``era``
    after it: "350 BC" (the CSL locale's term, as the Chicago styles print
    it), "350 B.C.E." (APA's)."""
    if year is None:
        return ""
    return f"{1 - year} {era}" if year <= 0 else str(year)


def year_span(d: Date, *, open_end: str = "", suffix: str = "", era: str = "BC") -> str:
    """The year(s) of a date: "1990", "1990–1994" (an en dash, CMOS 6.78, APA 6.6),
    an open range "1990–" + ``open_end`` ("present" in APA), "ca. 1990", a literal
    date as written, a year before the common era with ``era`` (:func:`era_year`);
    ``suffix`` ("a") after the last year."""
    if d.literal is not None:
        return d.literal + suffix
    text = _qualified(d, era_year(d.year, era))
    if d.end is not None and d.end.year != d.year:
        text += "\u2013" + _qualified(d.end, era_year(d.end.year, era))
    elif d.open_end:
        text += "\u2013" + open_end
    return text + suffix


def _md(d: Date) -> str:
    if d.season:
        return SEASON_NAMES[d.season - 1]
    if not d.month:
        return ""
    return MONTH_NAMES[d.month - 1] + (f" {d.day}" if d.day else "")


def month_day(d: Date) -> tuple[str, str]:
    """The month and day part of a date within its year(s), and the end's when it
    has one in another year: ("June 3\u20135", ""), ("June 30\u2013July 2", ""),
    ("December 30", "January 2") for 2019-12-30/2020-01-02, ("Spring", "")."""
    start = _md(d)
    if d.end is None or not start:
        return start, ""
    end = _md(d.end)
    if d.end.year != d.year:
        return start, end
    if not end or end == start:
        return start, ""
    if d.month and d.end.month == d.month and d.day and d.end.day:
        return f"{start}\u2013{d.end.day}", ""
    return f"{start}\u2013{end}", ""


# --------------------------------------------------------------------------
# Headline-style capitalisation

#: CMOS 8.159 (17th) / 8.160 (18th): lower-case articles, the coordinating
#: conjunctions and, but, for, or, nor; prepositions regardless of length;
#: "to" and "as"; "v." and "vs." as "versus" (a case name: "Brown v. Board").
_CMOS_LOWER = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "but",
        "for",
        "or",
        "nor",
        "to",
        "as",
        "about",
        "above",
        "across",
        "after",
        "against",
        "along",
        "alongside",
        "amid",
        "amidst",
        "among",
        "amongst",
        "around",
        "at",
        "atop",
        "before",
        "behind",
        "below",
        "beneath",
        "beside",
        "besides",
        "between",
        "beyond",
        "by",
        "circa",
        "concerning",
        "despite",
        "down",
        "during",
        "except",
        "excepting",
        "following",
        "from",
        "in",
        "inside",
        "into",
        "like",
        "minus",
        "near",
        "notwithstanding",
        "of",
        "off",
        "on",
        "onto",
        "opposite",
        "out",
        "outside",
        "over",
        "past",
        "per",
        "plus",
        "regarding",
        "respecting",
        "round",
        "save",
        "since",
        "than",
        "through",
        "throughout",
        "till",
        "toward",
        "towards",
        "under",
        "underneath",
        "unlike",
        "until",
        "unto",
        "up",
        "upon",
        "v",
        "versus",
        "via",
        "vs",
        "vis-à-vis",
        "with",
        "within",
        "without",
    ]
)

#: Follow CMOS 18 8.160 in the 18th edition (True), or keep the 17th
#: edition's rule there too, as the 18th-edition CSL styles do (False).
CMOS18_LONG_PREPOSITIONS_CAPITALISED = True

#: CMOS 18 8.160: prepositions of five letters or more are capitalised
#: ("Much Ado About Nothing"); shorter ones, articles, the five conjunctions,
#: "to" and "as" stay lower case.
_CMOS18_LOWER = frozenset(
    w for w in _CMOS_LOWER if len(w) < 5 or w in ("the", "and", "but", "for", "nor")
)

#: APA 7 6.17: lower-case only minor words of three letters or fewer
#: (short conjunctions, articles, short prepositions).
_APA_LOWER = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "as",
        "but",
        "for",
        "if",
        "nor",
        "or",
        "so",
        "yet",
        "at",
        "by",
        "in",
        "of",
        "off",
        "on",
        "per",
        "to",
        "up",
        "v",
        "via",
        "vs",
    ]
)

#: CMOS 8.161: prefixes that cannot stand alone: the element after the hyphen
#: stays lower case ("Anti-intellectual", "Pre-Columbian" keeps its capital).
_PREFIXES = frozenset(
    [
        "anti",
        "bi",
        "co",
        "de",
        "hyper",
        "inter",
        "intra",
        "mid",
        "multi",
        "neo",
        "non",
        "post",
        "pre",
        "pro",
        "pseudo",
        "quasi",
        "re",
        "semi",
        "sub",
        "supra",
        "trans",
        "tri",
        "ultra",
        "un",
    ]
)

_WORD = re.compile(r"[^\s]+")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


def _cap(word: str) -> str:
    """Capitalise the first letter of ``word`` (after any opening punctuation)."""
    m = _LETTER.search(word)
    if not m:
        return word
    i = m.start()
    up = word[i].upper()
    if len(up) != 1:  # "ß" -> "SS" would change the word
        return word
    return word[:i] + up + word[i + 1 :]


def _core(word: str) -> str:
    """The word without surrounding punctuation, lower-cased."""
    return word.strip("“”‘’\"'()[]{},.;:!?…").lower()


_DIGIT = re.compile(r"\d")


def _keep(word: str) -> bool:
    """A word with a capital after its first letter (NATO, iPhone, McDonald)
    or with a digit keeps its case."""
    m = _LETTER.search(word)
    if m is None:
        return True
    rest = word[m.end() :]
    return rest != rest.lower() or _DIGIT.search(word) is not None


#: Particles of personal names, kept lower case inside a title when a
#: capitalised name follows ("Charles de Gaulle", "Ludwig van Beethoven"):
#: CMOS 8.159 (17th) / 8.160 (18th) lower-cases "the part of a proper name that
#: would be lowercased in text, such as de or von".
_NAME_PARTICLES = frozenset(
    [
        "da",
        "de",
        "del",
        "della",
        "der",
        "des",
        "di",
        "du",
        "den",
        "ten",
        "ter",
        "van",
        "von",
        "zu",
        "zur",
        "bin",
        "ibn",
    ]
)


def _name_particle(words: Sequence[str], i: int) -> bool:
    """``words[i]`` is a lower-case name particle followed (after any other
    particles) by a capitalised word: "de" in "Charles de Gaulle"."""
    if words[i] not in _NAME_PARTICLES:
        return False
    for nxt in words[i + 1 :]:
        if nxt in _NAME_PARTICLES:
            continue
        m = _LETTER.search(nxt)
        return m is not None and nxt[m.start()].isupper()
    return False


def _headline(
    title: str, lower: frozenset, *, hyphen_rule: bool, spans: Sequence[tuple[int, int]] = ()
) -> str:
    matches = list(_WORD.finditer(title))
    words = [m.group() for m in matches]
    if not words:
        return title
    n = len(words)
    out = []
    force = True  # first word, and the first word after a colon
    for i, word in enumerate(words):
        last = i == n - 1
        protected = bool(spans) and _overlaps(matches[i].start(), matches[i].end(), spans)
        if protected or (_keep(word) and "-" not in word):
            out.append(word)  # a protected phrase keeps its case (nocase, braces)
        elif not force and _name_particle(words, i):
            out.append(word)
        else:
            parts = word.split("-")
            done = []
            for j, part in enumerate(parts):
                core = _core(part)
                if _keep(part):
                    pass  # "NATO", "iPhone", "1990s"
                elif j == 0:
                    if force or last or core not in lower:
                        part = _cap(part)
                elif hyphen_rule:
                    first = _core(parts[0])
                    if first in _PREFIXES and not part[:1].isupper():
                        pass  # "Anti-intellectual"
                    elif core in lower and len(core) <= 3 and core not in ("to",):
                        pass  # "Out-of-Date" keeps "of" lower case
                    else:
                        part = _cap(part)
                else:
                    part = _cap(part)
                done.append(part)
            out.append("-".join(done))
        force = word.endswith((":", "?", "!", "—")) or word in ("—", "–")
    return _join_like(title, out)


def _join_like(title: str, words: list[str]) -> str:
    """Put the changed words back with the original whitespace."""
    pieces = []
    pos = 0
    for m, word in zip(_WORD.finditer(title), words):
        pieces.append(title[pos : m.start()])
        pieces.append(word)
        pos = m.end()
    pieces.append(title[pos:])
    return "".join(pieces)


_TC_CACHE: dict[tuple[str, str, tuple[str, ...]], str] = {}


def chicago_title_case(title: str, edition: int = 18, phrases: Sequence[str] = ()) -> str:
    """Title case (headline style) from a sentence-case title.

    17th edition (8.159–8.161): prepositions lower case regardless of length:
    "Alliances without enemies: NATO after the Cold War" -> "Alliances without
    Enemies: NATO after the Cold War". 18th edition (8.160): prepositions of
    five or more letters capitalised: "Alliances Without Enemies: NATO After
    the Cold War". Words inside the ``phrases`` (protected) keep their case."""
    # the words re-cased, the markup (and nocase) kept; the text given to the
    # plain rule is plain, even where it holds a "<" (an unpaired tag is text)
    return richtext.map_plain(title, lambda t: _chicago_plain(t, edition, phrases))


def _chicago_plain(title: str, edition: int, phrases: Sequence[str]) -> str:
    new_rule = edition >= 18 and CMOS18_LONG_PREPOSITIONS_CAPITALISED
    key = ("c18" if new_rule else "c17", title, tuple(phrases))
    hit = _TC_CACHE.get(key)
    if hit is None:
        hit = _headline(
            title,
            _CMOS18_LOWER if new_rule else _CMOS_LOWER,
            hyphen_rule=True,
            spans=phrase_spans(title, phrases) if phrases else (),
        )
        if len(_TC_CACHE) > 50000:
            _TC_CACHE.clear()
        _TC_CACHE[key] = hit
    return hit


def apa_title_case(title: str, phrases: Sequence[str] = ()) -> str:
    """APA 7 title case (6.17): major words and words of four letters or
    more capitalised; both parts of a hyphenated major word capitalised;
    words inside the ``phrases`` (protected) as they are."""
    # (as chicago_title_case)
    return richtext.map_plain(title, lambda t: _apa_plain(t, phrases))


def _apa_plain(title: str, phrases: Sequence[str]) -> str:
    key = ("a", title, tuple(phrases))
    hit = _TC_CACHE.get(key)
    if hit is None:
        hit = _headline(
            title,
            _APA_LOWER,
            hyphen_rule=False,
            spans=phrase_spans(title, phrases) if phrases else (),
        )
        if len(_TC_CACHE) > 50000:
            _TC_CACHE.clear()
        _TC_CACHE[key] = hit
    return hit


# fmt: off
PROPER_NOUNS = frozenset(
    """
    Africa African Americas America American Antarctica Arctic Asia Asian Atlantic Australia
    Australian Eurasia Eurasian Europe European Pacific Mediterranean Balkan Balkans Baltic
    Caribbean Caucasus Scandinavia Scandinavian Siberia Arab Arabic Latin Nordic Sahara
    Afghanistan Albania Algeria Argentina Armenia Austria Azerbaijan Bangladesh Belarus Belgium
    Bolivia Bosnia Brazil Britain British Bulgaria Cambodia Cameroon Canada Canadian Chile China
    Chinese Colombia Croatia Cuba Cyprus Czech Denmark Danish Egypt Egyptian England English
    Estonia Ethiopia Finland Finnish France French Georgia Germany German Ghana Greece Greek
    Hungary Hungarian Iceland India Indian Indonesia Iran Iranian Iraq Ireland Irish Israel
    Israeli Italy Italian Japan Japanese Jordan Kazakhstan Kenya Korea Korean Kosovo Kyrgyzstan
    Latvia Lebanon Libya Lithuania Macedonia Malaysia Mexico Mexican Moldova Mongolia Montenegro
    Morocco Netherlands Dutch Nigeria Norway Norwegian Pakistan Palestine Peru Philippines Poland
    Polish Portugal Portuguese Romania Russia Russian Rwanda Scotland Scottish Serbia Slovakia
    Slovenia Somalia Spain Spanish Sudan Sweden Swedish Switzerland Swiss Syria Taiwan
    Tajikistan Tanzania Thailand Tunisia Turkey Turkish Turkmenistan Uganda Ukraine Ukrainian
    Uzbekistan Venezuela Vietnam Wales Welsh Yemen Yugoslavia Zimbabwe Soviet Ottoman Roman Rome
    Byzantine Christian Christianity Catholic Protestant Islam Islamic Muslim Jewish Judaism
    Buddhist Hindu God Marx Marxist Marxism Darwin Darwinian Newton Newtonian Einstein Bayes
    Bayesian Gaussian Euclidean Markov Fourier Boolean Lagrangian Hamiltonian Riemann
    Washington London Paris Berlin Moscow Beijing Tokyo Brussels Geneva Vienna Helsinki
    January February March April June July August September October November December
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
# fmt: on


def _keeps_case(word: str) -> bool:
    """A word sentence case leaves as it is: one that keeps its case anyway
    (NATO, iPhone, 1990s), a capital letter alone ("vitamin D"), or a proper
    noun of :data:`PROPER_NOUNS` (Europe, Russian, Markov)."""
    if _keep(word):
        return True
    bare = word.strip("“”‘’\"'()[]{},.;:!?…")
    if len(bare) == 1 and bare.isupper() and bare != "A":
        return True
    return bare in PROPER_NOUNS or bare.rstrip("s’'") in PROPER_NOUNS


def phrase_spans(text: str, phrases: Iterable[str]) -> list[tuple[int, int]]:
    """Where the ``phrases`` (e.g. a record's protected phrases) stand in
    ``text``, as (start, end) pairs, longest phrase first, never overlapping."""
    spans: list[tuple[int, int]] = []
    for phrase in sorted({p for p in phrases if p}, key=len, reverse=True):
        for m in re.finditer(re.escape(phrase), text):
            if not any(a < m.end() and m.start() < b for a, b in spans):
                spans.append((m.start(), m.end()))
    return spans


def to_sentence_case(text: str, phrases: Iterable[str] = ()) -> str:
    """``text`` in sentence case if it looks written in title case (the
    ``phrases`` protected), else unchanged: what a title from a service that
    gives Title Case is stored as. Rich text keeps its markup, and the
    case of what ``<span class="nocase">`` holds."""
    # (as chicago_title_case)
    return richtext.map_plain(text, lambda t: _sentence_case_plain(t, phrases))


def _sentence_case_plain(text: str, phrases: Iterable[str]) -> str:
    spans = phrase_spans(text, phrases)
    return sentence_case(text, spans) if looks_title_case(text, spans) else text


#: Minor words: lower case in title case, so they say nothing about it.
_MINOR = _CMOS_LOWER | _APA_LOWER


def _sentence_starts(title: str) -> Iterator[tuple[int, int, bool]]:
    """Each word's (start, end, begins a sentence): the first word and the
    first after a colon, question mark, exclamation mark or dash."""
    start = True
    for m in _WORD.finditer(title):
        word = m.group()
        yield m.start(), m.end(), start
        start = word.endswith((":", "?", "!", "—", ".")) or word in ("—", "–")


def _overlaps(a: int, b: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(a < y and x < b for x, y in spans)


def looks_title_case(title: str, spans: Sequence[tuple[int, int]] | None = None) -> bool:
    """Whether ``title`` looks written in title case rather than sentence case.

    Words that begin a sentence, minor words ("and", "of", "with" ...), words
    that keep their case anyway (NATO, iPhone, 1990s) and words in ``spans``
    (protected phrases, as (start, end) pairs) are not counted. With
    ``spans`` given, the capitals outside them are known to be unprotected,
    so one capitalised word and no lower-case one is enough: "Fundamental
    Algorithms". With ``spans=None`` every capital may be a proper noun, so it
    takes four capitalised words and no lower-case one: "The Gnats and Gnus
    Document Preparation System" looks like title case, "Collective Security
    Treaty Organization" does not."""
    caps = 0
    for a, b, starts in _sentence_starts(title):
        word = title[a:b]
        if starts or (spans and _overlaps(a, b, spans)):
            continue
        part = word.split("-")[0] or word
        core = _core(part)
        if not _LETTER.search(core) or _keeps_case(part):
            continue
        first = _LETTER.search(part)
        capital = first is not None and part[first.start()].isupper()
        if core in _MINOR:
            caps += capital  # "And", "With": title case too
            continue
        if not capital:
            return False  # a lower-case word: sentence case (most titles, early)
        caps += 1
    return caps >= (1 if spans is not None else 4)


def sentence_case(title: str, spans: Sequence[tuple[int, int]] = ()) -> str:
    """``title`` in sentence case: every word lower case except the ones
    that begin a sentence (the first, and the first after a colon), the ones
    that keep their case (NATO, iPhone, 1990s) and the ones overlapping
    ``spans`` (protected phrases). "Fighting Fire with Fire: Festooning
    French Phrases" with "French" protected -> "Fighting fire with fire:
    Festooning French phrases". The length stays the same."""
    out = []
    pos = 0
    for a, b, starts in _sentence_starts(title):
        out.append(title[pos:a])
        word = title[a:b]
        if not _overlaps(a, b, spans):
            parts = word.split("-")
            done = []
            for j, part in enumerate(parts):
                if _keeps_case(part) or (j == 0 and starts):
                    done.append(part)
                else:
                    low = part.lower()
                    done.append(low if len(low) == len(part) else part)
            word = "-".join(done)
        out.append(word)
        pos = b
    out.append(title[pos:])
    return "".join(out)


def capitalize_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


# --------------------------------------------------------------------------
# Pages


def abbreviate_range(start: str, end: str) -> str:
    """The second number of a range per CMOS 9.61 (17th) / 9.63 (18th):
    101–8, 321–28, 1496–500, 1087–89; under 100 and multiples of 100 in full."""
    if not (start.isdigit() and end.isdigit()):
        return end
    a, b = int(start), int(end)
    if b <= a or a < 100 or a % 100 == 0 or len(start) != len(end):
        return end
    # 101–109, 1101–1109: only the changed part; 110–199: two or more digits.
    if a % 100 < 10:
        # 101–8, 808–33, 1103–4
        tail = str(b % 100) if b // 100 == a // 100 else end
        return tail
    # 321–28, 1087–89, 1496–500, 11564–615, 12991–3001
    for keep in range(2, len(end) + 1):
        if end[:-keep] == start[:-keep]:
            return end[-keep:]
    return end


def page_text(pages: PageRange | None, *, abbreviate: bool = False) -> str:
    """A PageRange as text with an en dash (abbreviated for Chicago)."""
    if pages is None:
        return ""
    if pages.end is None:
        return pages.start
    end = abbreviate_range(pages.start, pages.end) if abbreviate else pages.end
    return f"{pages.start}–{end}"


def locator_is_range(locator: str) -> bool:
    return any(c in locator for c in "-–,")


def clean_locator(locator: str) -> str:
    """ "531-32" -> "531–32" (an en dash between page numbers)."""
    return (
        re.sub(r"(?<=\w)\s*-{1,2}\s*(?=\w)", "–", locator.strip())
        if "-" in locator
        else locator.strip()
    )


_NUMBER_RANGE = re.compile(r"\b(\d+)–(\d+)\b")


def expand_range(start: str, end: str) -> str:
    """The second number of a range in full: ("321", "28") -> "328"."""
    if start.isdigit() and end.isdigit() and len(end) < len(start):
        full = start[: len(start) - len(end)] + end
        if int(full) > int(start):
            return full
    return end


def abbreviated_locator(locator: str) -> str:
    """A cited page or range as Chicago gives it: "321-328" -> "321–28",
    "1496-1504" -> "1496–504", "71-72" -> "71–72" (CMOS 9.61 17th, 9.63 18th),
    each range of a list such as "12-18, 101-108" ("12–18, 101–8")."""
    return _NUMBER_RANGE.sub(
        lambda m: f"{m[1]}–{abbreviate_range(m[1], expand_range(m[1], m[2]))}",
        clean_locator(locator),
    )


def full_locator(locator: str) -> str:
    """A cited range with both numbers in full, as APA's examples give it:
    "321-28" -> "321–328"."""
    return _NUMBER_RANGE.sub(lambda m: f"{m[1]}–{expand_range(m[1], m[2])}", clean_locator(locator))


# --------------------------------------------------------------------------
# Numbers, editions


def ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def edition_text(edition: str | None) -> str:
    """ "2" -> "2nd ed."; "Rev." -> "Rev. ed."; "2nd" -> "2nd ed."."""
    if not edition:
        return ""
    e = edition.strip()
    if e.isdigit():
        n = int(e)
        return "" if n == 1 else f"{ordinal(n)} ed."
    low = e.lower()
    if low.endswith(("ed.", "edition", "ed")):
        e = re.sub(r"\s*(edition|ed\.?)$", "", e, flags=re.I)
    return f"{e} ed."


# --------------------------------------------------------------------------
# Names


@lru_cache(maxsize=4096)
def given_initials(given: str) -> str:
    """APA initials, as citeproc-js makes them: "Jean-Paul" -> "J.-P.",
    "David J." -> "D. J.", "Min-jun" -> "M." (a lower-case part after a
    hyphen is not a separate name)."""
    words = []
    for word in given.split():
        pieces = word.split("-")
        out = []
        for k, piece in enumerate(pieces):
            if not piece:
                continue
            m = _LETTER.search(piece)
            if not m:
                continue
            letter = piece[m.start()]
            if k > 0 and letter.islower():
                continue
            out.append(letter.upper() + ".")
        if out:
            words.append("-".join(out))
    return " ".join(words)


def shared_surname_keys(
    records: Iterable[BaseRecord], cited: Callable[[BaseRecord], Sequence[Person]]
) -> set[str]:
    """The keys of the records whose first cited name (``cited``: the names a
    style's citation gives) shares its surname, but not its initials, with
    another record's first cited name: their author-date citations give the
    initials, "(J. M. Taylor & Neylon, 2015; T. Taylor, 2014)", even when the
    years differ (APA 7 8.20; CMOS 15.21 (17th)). Only first
    names count: they are what the reference list files under."""
    by_surname: dict[str, dict[str, list[str]]] = {}
    for r in records:
        people = cited(r)
        if not people or people[0].literal or people[0].family_first or not people[0].given:
            continue
        p = people[0]
        by_surname.setdefault(fold(p.last), {}).setdefault(
            fold(given_initials(p.given or "")), []
        ).append(r.key)
    return {
        key
        for people in by_surname.values()
        if len(people) > 1
        for keys in people.values()
        for key in keys
    }


# --------------------------------------------------------------------------
# Extra data


def protected(record: BaseRecord, *fields: str) -> tuple[str, ...]:
    """The phrases whose letter case ``fields`` protect (``nocase`` spans,
    BibTeX braces), with typographic quotes as the styles print them. The
    format is ``extra["protect"] = {field: [phrase, ...]}``, read and written by
    citeshelf.formats.protect."""
    table = record.extra.get("protect") if record.extra else None
    if not isinstance(table, dict):
        return ()
    out: list[str] = []
    for field in fields:
        phrases = table.get(field)
        if isinstance(phrases, list):
            out.extend(typo(p) for p in phrases if isinstance(p, str) and p)
    return tuple(out)


def title_cased(
    record: BaseRecord, text: str | None, casing: Callable[..., str], *fields: str
) -> str:
    """``text`` (typographic) in the style's title case (``casing``, given
    the protected phrases of ``fields``) when the record's language is English
    or unset; any other language keeps the stored sentence case (CSL
    applies text-case="title" only to English items; the manuals capitalise
    a title in another language as that language does)."""
    text = typo(text)
    if not text or not is_english(record.language):
        return text
    return casing(text, phrases=protected(record, *fields))


#: The scripts citeproc-js sets in italics (Latin, Greek, Cyrillic, Hebrew,
#: Arabic, Thai: its "romanesque" characters, CSL.ROMANESQUE_REGEXP).
_ITALIC_SCRIPT = re.compile(
    "[0-9a-zA-Z\u00c0-\u017f\u0218-\u021b\u0370-\u03ff\u0400-\u052f"
    "\u0590-\u05ff\u0600-\u06ff\u0e01-\u0e5b\u1f00-\u1fff]"
)


def has_italics(text: str) -> bool:
    """Whether ``text`` can be set in italics: it has a letter or digit of an
    alphabetic script. Text wholly in Chinese, Japanese or Korean characters
    ("毛泽东选集") has no italic form and is set in roman, as citeproc-js does."""
    return _ITALIC_SCRIPT.search(text) is not None


def record_extra(record: BaseRecord, name: str) -> str | None:
    """The record's field ``name`` (``genre``, ``version`` ...), else what its
    ``extra`` holds under that name (files from before the field existed)."""
    value = field_value(record, name)
    if value is None and record.extra:
        value = record.extra.get(name)
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return str(value).strip() or None
    return None


def csl_type(record: BaseRecord) -> str | None:
    return record_extra(record, "csl_type")


#: What makes a letter, an e-mail or an interview retrievable by a reader:
#: a place it is kept or published, a number, an identifier (as the CSL
#: styles test it).
_RETRIEVABLE = (
    "archive",
    "archive_place",
    "archive_collection",
    "container_title",
    "doi",
    "number",
    "publisher",
    "url",
)


def in_text_only(record: BaseRecord) -> bool:
    """A personal communication (a letter, an e-mail, a conversation, an
    unpublished interview) that readers cannot retrieve: it is cited in the
    text or a note only and left out of the reference list (APA 7 8.9; CMOS
    14.214 (17th): "rarely listed in a bibliography"; CMOS 18 14.111; the CSL
    styles leave it out in every form). One kept in an archive or published
    is listed."""
    if csl_type(record) not in ("personal_communication", "interview"):
        return False
    return not any(getattr(record, name, None) for name in _RETRIEVABLE)


def volume_titles(record: BaseRecord) -> tuple[str, str] | None:
    """(the multivolume set's title, the volume's own title) of a volume that
    has one, as stored: CSL's way (``title`` the set's, ``volume_title`` the
    volume's) or biblatex's (``main_title`` and ``main_subtitle`` the set's,
    ``title`` the volume's); None for any other record, and for a part (a
    chapter's ``volume_title`` is its book's, printed with the book's title)."""
    if getattr(record, "container_title", None):
        return None
    if record.volume_title and record.full_title:
        return record.full_title, record.volume_title
    if record.main_title and record.full_title:
        main = record.main_title
        if record.main_subtitle:
            main += ": " + record.main_subtitle
        return main, record.full_title
    return None


def number_label(genre: str | None, number: str | None) -> str:
    """A report's kind and number as the manuals give them: "Working Paper
    No. 7", "Report No. 12-345" (APA 10.4; CMOS 14.241 (17th) "Policy Research
    Working Paper 4878" is the same label with "No." left to the series);
    a number that is not a number ("No. 7", "RR-2795", "GAO-21-222", as
    citeproc-js's CSL styles leave it), or one without a genre, as it is;
    letters run into digits are a number ("CRS Report No. R45652", as the
    CSL styles count it); "" if none."""
    number = (number or "").strip()
    if not number:
        return ""
    if not genre:
        return number
    if not number[:1].isdigit() and not re.fullmatch(r"[A-Za-z]+\d+", number):
        return f"{genre} {number}"
    return f"{genre} No. {number}"


def accessed_date(record: BaseRecord) -> Date | None:
    """The access date worth giving: a work with a URL and no date of its own
    (APA 9.16 "Retrieved ... from" for a page whose content changes; CMOS 14.12
    (17th) / 14.13 (18th) an access date when there is no date)."""
    if record.issued is None and record.accessed is not None and record.url:
        return record.accessed
    return None


def as_core_type(record: BaseRecord) -> BaseRecord:
    """A record of a type beyond the core eight as the core type the styles
    format it like (:func:`citeshelf.model.types.nearest`: a dataset as a
    book, an encyclopedia entry as a chapter), its CSL type in ``extra``
    (``csl_type``) so that a style can still tell it apart. Not validated:
    the styles validate nothing."""
    from ..model.types import CORE_TYPES, nearest, work_type

    if record.type in CORE_TYPES:
        return record
    from ..model import WORK_TYPES

    core = nearest(record.type)
    model = WORK_TYPES[core]
    data = {n: getattr(record, n) for n in model.model_fields if hasattr(record, n)}
    extra = dict(record.extra or {})
    extra.setdefault("csl_type", work_type(record.type).csl)
    data.update(type=core, extra=extra)
    return model.model_construct(**data)


def typo(text: str | None) -> str:
    """Stored text with typographic quotes and dashes (rich text: in its
    text, never in its tags or its TeX)."""
    if text and richtext.has_markup(text):
        return richtext.map_plain(text, smarten, keep_case=False)
    return smarten(text) if text else ""


_ARTICLES = ("the ", "a ", "an ")


def sort_title(record: BaseRecord, *, volume_first: bool = False) -> tuple[Any, ...]:
    """What a reference list files a work under after its authors and year:
    its title as the entry prints it (:func:`title_sort`). A volume with its
    own title files under its set's title, then its number, then its own
    title, so the set (nothing after its title) files before its volumes
    ("nothing precedes something", APA 9.45, CMOS 14.68 (17th)); with
    ``volume_first`` (an entry that prints the volume's title first, "*The
    Final Act*. Vol. 2 of *Set*") under its own title, then the set's."""
    titles = volume_titles(record)
    if titles is None:
        return (title_sort(record.full_title or ""),)
    main, own = titles
    if volume_first:
        return (title_sort(own), (0, ""), title_sort(main))
    digits = re.match(r"\d+", str(record.volume or ""))
    number = (int(digits.group()), "") if digits else (1 << 30, fold(str(record.volume or "")))
    return (title_sort(main), number, title_sort(own))


def title_sort(title: str) -> str:
    """A title as it files: folded, without an initial article (APA 9.47, CMOS 14.68)."""
    t = fold(title)
    for a in _ARTICLES:
        if t.startswith(a):
            return t[len(a) :]
    return t
