"""The rules tools most often get wrong (issue 3), one test each, and
properties of the pieces (title case, page ranges, renderers)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from citeshelf.library import Library, resolve
from citeshelf.model import RECORD_ADAPTER
from citeshelf.model.inherit import chapter_view
from citeshelf.model.richtext import plain
from citeshelf.styles import (
    format_bibliography,
    format_citation,
    format_reference,
    reference_text,
    to_html,
    to_markdown,
    to_text,
    year_suffixes,
)
from citeshelf.styles.common import (
    abbreviate_range,
    apa_title_case,
    chicago_title_case,
    given_initials,
    to_sentence_case,
)
from citeshelf.styles.text import Styled

ROOT = Path(__file__).resolve().parent.parent


def rec(**data):
    data.setdefault("key", "k" + str(abs(hash(repr(sorted(data.items())))) % 10**8))
    return RECORD_ADAPTER.validate_python(data)


def people(n: int) -> list[dict]:
    return [{"family": f"Author{i:02d}", "given": "Ann"} for i in range(1, n + 1)]


def text(record, style="apa", edition=None, **kw) -> str:
    return to_text(format_reference(record, style, edition, **kw))


def cite(records, style="apa", form=None, edition=None, pages=None, **kw) -> str:
    if not isinstance(records, list):
        records = [records]
    return to_text(format_citation(records, style, form, edition, pages=pages, **kw))


BOOK = dict(
    type="book",
    key="book1",
    title="Regional security in transition",
    editors=[{"family": "Harper", "given": "Douglas"}],
    issued="2018",
    publisher="Routledge",
    place="New York",
    edition="2",
    doi="10.4324/book",
)
CHAPTER = dict(
    type="chapter",
    key="ch1",
    title="Cyber-security cooperation in the Asia-Pacific",
    authors=[{"family": "Nguyen", "given": "Linh"}],
    parent="book1",
    pages="115-129",
)


def chapter(**over):
    return chapter_view(rec(**{**CHAPTER, **over}), rec(**BOOK))


# --------------------------------------------------------------------------
# The default library's chapter 30: the first golden case in every style and form.

ARIS = {
    (
        "apa",
        7,
        "reference",
        None,
    ): "Aris, S. (2014). Collective Security Treaty Organization. In J. Sperling (Ed.), Handbook of governance and security (Chapter 30). Edward Elgar Publishing. https://www.elgaronline.com/view/9781781953167.00042.xml",
    ("apa", 7, "in-text", None): "(Aris, 2014)",
    ("apa", 7, "in-text", "531"): "(Aris, 2014, p. 531)",
    ("apa", 7, "narrative", None): "Aris (2014)",
    ("apa", 7, "narrative", "531"): "Aris (2014, p. 531)",
    (
        "chicago-notes",
        18,
        "reference",
        None,
    ): "Aris, Stephen. “Collective Security Treaty Organization.” Chap. 30 in Handbook of Governance and Security, edited by James Sperling. Edward Elgar Publishing, 2014. https://www.elgaronline.com/view/9781781953167.00042.xml.",
    (
        "chicago-notes",
        18,
        "note",
        "531",
    ): "Stephen Aris, “Collective Security Treaty Organization,” chap. 30 in Handbook of Governance and Security, ed. James Sperling (Edward Elgar Publishing, 2014), 531, https://www.elgaronline.com/view/9781781953167.00042.xml.",
    (
        "chicago-notes",
        18,
        "short-note",
        "531",
    ): "Aris, “Collective Security Treaty Organization,” 531.",
    (
        "chicago-notes",
        17,
        "reference",
        None,
    ): "Aris, Stephen. “Collective Security Treaty Organization.” Chap. 30 in Handbook of Governance and Security, edited by James Sperling. Cheltenham, UK: Edward Elgar Publishing, 2014. https://www.elgaronline.com/view/9781781953167.00042.xml.",
    (
        "chicago-notes",
        17,
        "note",
        None,
    ): "Stephen Aris, “Collective Security Treaty Organization,” chap. 30 in Handbook of Governance and Security, ed. James Sperling (Cheltenham, UK: Edward Elgar Publishing, 2014), https://www.elgaronline.com/view/9781781953167.00042.xml.",
    ("chicago-notes", 17, "short-note", None): "Aris, “Collective Security Treaty Organization.”",
    (
        "chicago-author-date",
        18,
        "reference",
        None,
    ): "Aris, Stephen. 2014. “Collective Security Treaty Organization.” Chap. 30 in Handbook of Governance and Security, edited by James Sperling. Edward Elgar Publishing. https://www.elgaronline.com/view/9781781953167.00042.xml.",
    ("chicago-author-date", 18, "in-text", "531"): "(Aris 2014, 531)",
    ("chicago-author-date", 18, "narrative", "531"): "Aris (2014, 531)",
    (
        "chicago-author-date",
        17,
        "reference",
        None,
    ): "Aris, Stephen. 2014. “Collective Security Treaty Organization.” Chap. 30 in Handbook of Governance and Security, edited by James Sperling. Cheltenham, UK: Edward Elgar Publishing. https://www.elgaronline.com/view/9781781953167.00042.xml.",
    ("chicago-author-date", 17, "in-text", None): "(Aris 2014)",
}


@pytest.fixture(scope="module")
def aris():
    lib = Library(ROOT / "records")
    return resolve(lib.get("aris2014collective"), lib)


@pytest.mark.parametrize("case", list(ARIS), ids=["-".join(str(x) for x in c) for c in ARIS])
def test_default_library_chapter_30(aris, case) -> None:
    style, edition, form, page = case
    assert cite(aris, style, form, edition, pages=page) == ARIS[case]


def test_reference_text_for_show(aris) -> None:
    assert reference_text(aris, style="apa") == ARIS[("apa", 7, "reference", None)]


# --------------------------------------------------------------------------
# APA 7


def test_apa_no_place_sentence_case_book_in_italics() -> None:
    book = rec(**BOOK)
    styled = format_reference(book, "apa")
    assert (
        to_text(styled)
        == "Harper, D. (Ed.). (2018). Regional security in transition (2nd ed.). Routledge. https://doi.org/10.4324/book"
    )
    assert "<i>Regional security in transition</i>" in to_html(styled)
    assert "New York" not in to_text(styled)


def test_apa_chapter_editors_edition_pages_and_own_doi() -> None:
    # the book's DOI is never the chapter's (the chapter has none here)
    assert text(chapter()) == (
        "Nguyen, L. (2018). Cyber-security cooperation in the Asia-Pacific. In D. Harper (Ed.), "
        "Regional security in transition (2nd ed., pp. 115–129). Routledge."
    )
    own = chapter(doi="10.4324/9781315000001-3")
    assert text(own).endswith("Routledge. https://doi.org/10.4324/9781315000001-3")


def test_apa_two_editors_eds() -> None:
    book = {
        **BOOK,
        "editors": [
            {"family": "Harper", "given": "Douglas"},
            {"family": "Singh", "given": "Priya"},
        ],
    }
    ch = chapter_view(rec(**CHAPTER), rec(**book))
    assert "In D. Harper & P. Singh (Eds.), " in text(ch)
    assert text(rec(**book)).startswith("Harper, D., & Singh, P. (Eds.). (2018).")


def test_apa_doi_has_no_final_period() -> None:
    art = rec(
        type="article",
        title="T",
        authors=[{"family": "A", "given": "B"}],
        issued="2019",
        journal="J",
        volume="1",
        issue="2",
        pages="3-4",
        doi="10.1000/x",
    )
    assert text(art) == "A, B. (2019). T. J, 1(2), 3–4. https://doi.org/10.1000/x"


@pytest.mark.parametrize("n", [1, 2, 3, 19, 20])
def test_apa_lists_up_to_twenty_authors_with_ampersand(n: int) -> None:
    book = rec(type="book", title="T", authors=people(n), issued="2020", publisher="P")
    names = text(book).split(" (2020)")[0]
    assert names.count("Author") == n
    if n >= 2:
        assert re.search(rf", & Author{n:02d}, A\.$", names)
    assert "…" not in names


@pytest.mark.parametrize("n", [21, 25])
def test_apa_more_than_twenty_authors(n: int) -> None:
    book = rec(type="book", title="T", authors=people(n), issued="2020", publisher="P")
    names = text(book).split(" (2020)")[0]
    assert names.startswith("Author01, A., Author02, A.,")
    assert names.endswith(f"Author19, A., … Author{n:02d}, A.")
    assert "&" not in names and names.count("Author") == 20


def test_apa_in_text_et_al_from_three_authors() -> None:
    two = rec(type="book", title="T", authors=people(2), issued="2020", publisher="P")
    three = rec(type="book", title="T", authors=people(3), issued="2020", publisher="P")
    assert cite(two) == "(Author01 & Author02, 2020)"
    assert cite(two, form="narrative") == "Author01 and Author02 (2020)"
    assert cite(three) == "(Author01 et al., 2020)"
    assert cite(three, form="narrative", pages="4-5") == "Author01 et al. (2020, pp. 4–5)"


def test_apa_no_date() -> None:
    book = rec(
        type="book",
        title="Guarantees of neutrality",
        authors=[{"family": "Harrington", "given": "Edward"}],
        publisher="Harrington Press",
    )
    assert text(book) == "Harrington, E. (n.d.). Guarantees of neutrality. Harrington Press."
    assert cite(book) == "(Harrington, n.d.)"


def test_apa_same_author_and_year_letters_by_title() -> None:
    a = rec(
        type="book",
        key="c1",
        title="NATO",
        authors=[{"family": "Cottey", "given": "Andrew"}],
        issued="2014",
        publisher="P",
    )
    b = rec(
        type="book",
        key="c2",
        title="Europe",
        authors=[{"family": "Cottey", "given": "Andrew"}],
        issued="2014",
        publisher="P",
    )
    c = rec(
        type="book",
        key="a1",
        title="X",
        authors=[{"family": "Aris", "given": "Stephen"}],
        issued="2014",
        publisher="P",
    )
    sfx = year_suffixes([a, b, c], "apa")
    assert sfx == {"c2": "a", "c1": "b"}
    entries = format_bibliography([a, b, c], "apa")
    assert [e.key for e in entries] == ["a1", "c2", "c1"]
    assert entries[1].text.startswith("Cottey, A. (2014a). Europe.")
    assert cite([c, b, a], suffixes=sfx) == "(Aris, 2014; Cottey, 2014a, 2014b)"


def test_apa_group_author_and_title_first() -> None:
    report = rec(
        type="report",
        title="Managing epidemics",
        authors=[{"literal": "World Health Organization"}],
        institution="World Health Organization",
        issued="2018",
    )
    assert text(report) == "World Health Organization. (2018). Managing epidemics."
    anon = rec(
        type="book",
        title="The security yearbook 2001",
        issued="2001",
        publisher="Stockholm Peace Press",
    )
    assert text(anon) == "The security yearbook 2001. (2001). Stockholm Peace Press."
    assert to_html(format_citation([anon], "apa")) == "(<i>The Security Yearbook 2001</i>, 2001)"


# --------------------------------------------------------------------------
# Chicago


@pytest.mark.parametrize(
    "title,ed17,ed18",
    [
        (
            "Alliances without enemies: NATO after the Cold War",
            "Alliances without Enemies: NATO after the Cold War",
            "Alliances Without Enemies: NATO After the Cold War",
        ),
        (
            "Between cooperation and competition",
            "Between Cooperation and Competition",
            "Between Cooperation and Competition",
        ),
        (
            "Toward a theory of security communities",
            "Toward a Theory of Security Communities",
            "Toward a Theory of Security Communities",
        ),
        ("Steps toward peace", "Steps toward Peace", "Steps Toward Peace"),
        (
            "Self-help and state-building in Central Asia",
            "Self-Help and State-Building in Central Asia",
            "Self-Help and State-Building in Central Asia",
        ),
        (
            "Anti-intellectual trends and post-Soviet states",
            "Anti-intellectual Trends and Post-Soviet States",
            "Anti-intellectual Trends and Post-Soviet States",
        ),
        ("What they fought for", "What They Fought For", "What They Fought For"),
        (
            "The CSTO and the SCO: A comparison",
            "The CSTO and the SCO: A Comparison",
            "The CSTO and the SCO: A Comparison",
        ),
        ("NATO's eastern flank", "NATO’s Eastern Flank", "NATO’s Eastern Flank"),
        ("Security as a practice", "Security as a Practice", "Security as a Practice"),
        ("Out-of-area operations", "Out-of-Area Operations", "Out-of-Area Operations"),
    ],
)
def test_chicago_title_case(title: str, ed17: str, ed18: str) -> None:
    # CMOS 17 8.159-8.161; CMOS 18 8.160 (prepositions of five or more letters capitalised)
    assert chicago_title_case(title.replace("'", "’"), 17) == ed17
    assert chicago_title_case(title.replace("'", "’"), 18) == ed18


def test_apa_title_case_for_in_text_titles() -> None:
    # APA 6.17: words of four letters or more, and both parts of hyphenated major words
    assert (
        apa_title_case("Alliances without enemies: NATO after the cold war")
        == "Alliances Without Enemies: NATO After the Cold War"
    )
    assert (
        apa_title_case("Self-help and state-building in the age of a war")
        == "Self-Help and State-Building in the Age of a War"
    )


def test_chicago_place_17_not_18_and_chapter_number() -> None:
    aris_like = chapter_view(
        rec(
            type="chapter",
            title="Collective Security Treaty Organization",
            authors=[{"family": "Aris", "given": "Stephen"}],
            parent="b",
            chapter="30",
        ),
        rec(
            type="book",
            key="b",
            title="Handbook of governance and security",
            editors=[{"family": "Sperling", "given": "James"}],
            issued="2014",
            publisher="Edward Elgar Publishing",
            place="Cheltenham, UK",
        ),
    )
    assert "Cheltenham, UK: Edward Elgar Publishing, 2014" in text(aris_like, "chicago-notes", 17)
    assert "Cheltenham" not in text(aris_like, "chicago-notes", 18)
    assert "Chap. 30 in Handbook of Governance and Security, edited by James Sperling." in text(
        aris_like, "chicago-notes"
    )
    assert "chap. 30 in Handbook of Governance and Security, ed. James Sperling (" in cite(
        aris_like, "chicago-notes"
    )


def test_chicago_page_range_in_bibliography_cited_page_in_note_17th() -> None:
    ch = chapter()
    assert text(ch, "chicago-notes", 17) == (
        "Nguyen, Linh. “Cyber-Security Cooperation in the Asia-Pacific.” In Regional Security in Transition, 2nd ed., "
        "edited by Douglas Harper, 115–29. New York: Routledge, 2018."
    )
    assert cite(ch, "chicago-notes", "note", 17, pages="120") == (
        "Linh Nguyen, “Cyber-Security Cooperation in the Asia-Pacific,” in Regional Security in Transition, 2nd ed., "
        "ed. Douglas Harper (New York: Routledge, 2018), 120."
    )
    # 18th edition 14.8: no page range needed
    assert "115" not in text(ch, "chicago-notes", 18)


def test_chicago_bibliography_inverts_only_the_first_author() -> None:
    book = rec(
        type="book",
        title="T",
        authors=[
            {"family": "Keller", "given": "Thomas"},
            {"family": "Lindqvist", "given": "Anna"},
            {"family": "Tanaka", "given": "Hiroshi"},
        ],
        issued="2017",
        publisher="P",
    )
    assert text(book, "chicago-notes").startswith(
        "Keller, Thomas, Anna Lindqvist, and Hiroshi Tanaka. T. P, 2017."
    )


@pytest.mark.parametrize(
    "start,end,expected",
    [  # CMOS 17 9.61 / 18 9.63 examples
        ("3", "10", "3–10"),
        ("71", "72", "71–72"),
        ("96", "117", "96–117"),
        ("100", "104", "100–104"),
        ("1100", "1113", "1100–1113"),
        ("101", "108", "101–8"),
        ("808", "833", "808–33"),
        ("1103", "1104", "1103–4"),
        ("321", "328", "321–28"),
        ("498", "532", "498–532"),
        ("1087", "1089", "1087–89"),
        ("1496", "1500", "1496–500"),
        ("11564", "11615", "11564–615"),
        ("12991", "13001", "12991–3001"),
    ],
)
def test_abbreviated_page_ranges(start: str, end: str, expected: str) -> None:
    assert f"{start}–{abbreviate_range(start, end)}" == expected


@pytest.mark.parametrize(
    "edition,n,bib_names,note_names",
    [
        (18, 3, "Author01, Ann, Ann Author02, and Ann Author03", "Ann Author01 et al."),
        (
            18,
            6,
            "Author01, Ann, Ann Author02, Ann Author03, Ann Author04, Ann Author05, and Ann Author06",
            "Ann Author01 et al.",
        ),
        (18, 7, "Author01, Ann, Ann Author02, Ann Author03, et al.", "Ann Author01 et al."),
        (
            17,
            3,
            "Author01, Ann, Ann Author02, and Ann Author03",
            "Ann Author01, Ann Author02, and Ann Author03",
        ),
        (
            17,
            4,
            "Author01, Ann, Ann Author02, Ann Author03, and Ann Author04",
            "Ann Author01 et al.",
        ),
        (17, 10, None, "Ann Author01 et al."),
        (
            17,
            11,
            "Author01, Ann, Ann Author02, Ann Author03, Ann Author04, Ann Author05, Ann Author06, Ann Author07, et al.",
            "Ann Author01 et al.",
        ),
    ],
)
def test_chicago_et_al_per_edition(edition: int, n: int, bib_names, note_names: str) -> None:
    book = rec(type="book", title="T", authors=people(n), issued="2020", publisher="P")
    bib = text(book, "chicago-notes", edition)
    if bib_names:
        assert bib.startswith(bib_names + ("" if bib_names.endswith(".") else ".") + " T.")
    else:
        assert bib.count("Author") == 10 and "et al." not in bib
    assert cite(book, "chicago-notes", "note", edition).startswith(note_names + ", T (")
    short = cite(book, "chicago-author-date", "in-text", edition)
    assert short == ("(Author01 et al. 2020)" if n >= (3 if edition == 18 else 4) else short)


def test_chicago_doi_as_url_with_final_period() -> None:
    art = rec(
        type="article",
        title="T",
        authors=[{"family": "A", "given": "B"}],
        issued="2019",
        journal="J",
        volume="1",
        issue="2",
        pages="321-328",
        doi="10.1000/x",
    )
    assert (
        text(art, "chicago-notes")
        == "A, B. “T.” J 1, no. 2 (2019): 321–28. https://doi.org/10.1000/x."
    )
    assert (
        cite(art, "chicago-notes", "note", pages="325")
        == "B A, “T,” J 1, no. 2 (2019): 325, https://doi.org/10.1000/x."
    )


def test_chicago_17th_three_em_dash_18th_repeats() -> None:
    a = rec(
        type="book",
        key="c1",
        title="NATO",
        authors=[{"family": "Cottey", "given": "Andrew"}],
        issued="2014",
        publisher="P",
    )
    b = rec(
        type="book",
        key="c2",
        title="Europe",
        authors=[{"family": "Cottey", "given": "Andrew"}],
        issued="2014",
        publisher="P",
    )
    e17 = format_bibliography([a, b], "chicago-notes", 17)
    assert [e.text for e in e17] == ["Cottey, Andrew. Europe. P, 2014.", "———. NATO. P, 2014."]
    e18 = format_bibliography([a, b], "chicago-notes", 18)
    assert [e.text for e in e18] == [
        "Cottey, Andrew. Europe. P, 2014.",
        "Cottey, Andrew. NATO. P, 2014.",
    ]
    ad = format_bibliography([a, b], "chicago-author-date", 18)
    assert [e.text for e in ad] == [
        "Cottey, Andrew. 2014a. Europe. P.",
        "Cottey, Andrew. 2014b. NATO. P.",
    ]


# --------------------------------------------------------------------------
# Names


def test_names_particles_suffixes_hyphens_non_ascii_organisations() -> None:
    who = [
        {"family": "Berg", "given": "Pieter", "particle": "van der"},
        {"family": "Walker", "given": "Robert E.", "suffix": "Jr."},
        {"family": "Dupont", "given": "Jean-Paul"},
        {"family": "Eilstrup-Sangiovanni", "given": "Mette"},
        {"family": "Mérand", "given": "Frédéric"},
    ]
    book = rec(type="book", title="T", authors=who, issued="2020", publisher="P")
    assert text(book).startswith(
        "van der Berg, P., Walker, R. E., Jr., Dupont, J.-P., Eilstrup-Sangiovanni, M., & Mérand, F. (2020)."
    )
    assert cite(book, "chicago-notes", "note", 17).startswith("Pieter van der Berg et al., T")
    two = rec(type="book", title="T", authors=who[1:3], issued="2020", publisher="P")
    assert text(two, "chicago-notes").startswith("Walker, Robert E., Jr., and Jean-Paul Dupont. T.")
    assert cite(two, "chicago-notes", "note").startswith(
        "Robert E. Walker Jr. and Jean-Paul Dupont, T ("
    )
    org = rec(
        type="report", title="T", authors=[{"literal": "World Health Organization"}], issued="2018"
    )
    assert cite(org) == "(World Health Organization, 2018)"
    assert cite(org, "chicago-author-date") == "(World Health Organization 2018)"


def test_initials() -> None:
    assert given_initials("Jean-Paul") == "J.-P."
    assert given_initials("David J.") == "D. J."
    assert given_initials("Élise") == "É."
    assert given_initials("Min-jun") == "M."


def test_accented_names_sort_as_letters() -> None:
    a = rec(
        type="book",
        key="m1",
        title="T",
        authors=[{"family": "Mérand", "given": "F"}],
        issued="2014",
        publisher="P",
    )
    b = rec(
        type="book",
        key="m2",
        title="T",
        authors=[{"family": "Meyer", "given": "A"}],
        issued="2014",
        publisher="P",
    )
    c = rec(
        type="book",
        key="m3",
        title="T",
        authors=[{"family": "Mendes", "given": "A"}],
        issued="2014",
        publisher="P",
    )
    assert [e.key for e in format_bibliography([b, a, c], "apa")] == ["m3", "m1", "m2"]


# --------------------------------------------------------------------------
# Typography and output formats

SCRIPT = rec(
    type="book",
    key="xss",
    title='The "<script>alert(1)</script>" problem & others',
    authors=[{"family": "O'Brien", "given": "Kieran"}],
    issued="2020",
    publisher="P",
)


@pytest.mark.parametrize("style", ["apa", "chicago-notes", "chicago-author-date"])
def test_typographic_quotes_and_dashes_everywhere(style: str) -> None:
    for styled, name in (
        (format_reference(SCRIPT, style), "O’Brien"),
        (format_reference(chapter(), style), "Nguyen"),
    ):
        for out in (to_text(styled), to_markdown(styled), to_html(styled)):
            assert "'" not in out.replace("href='", "") and '"' not in re.sub(
                r'href="[^"]*"', "", out
            )
            assert name in out
    assert "115–129" in to_text(format_reference(chapter(), "apa"))


def test_html_is_escaped_and_markdown_escaped() -> None:
    html = to_html(format_reference(SCRIPT, "apa"))
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp; others" in html
    assert html.startswith(
        "O’Brien, K. (2020). <i>The “&lt;script&gt;alert(1)&lt;/script&gt;” problem &amp; others</i>."
    )
    md = to_markdown(format_reference(SCRIPT, "apa"))
    assert "\\<script\\>" in md and md.count("*") == 2


def test_markdown_links_and_italics() -> None:
    styled = format_reference(chapter(doi="10.1000/x"), "apa")
    assert to_markdown(styled).endswith(
        "*Regional security in transition* (2nd ed., pp. 115–129). Routledge. <https://doi.org/10.1000/x>"
    )


# --------------------------------------------------------------------------
# Properties


@given(st.integers(1, 99999), st.integers(1, 500))
def test_abbreviated_range_expands_back(a: int, span: int) -> None:
    start, end = str(a), str(a + span)
    short = abbreviate_range(start, end)
    assert end.endswith(short)
    assert start[: len(start) - len(short)] + short == end or short == end


WORDS = st.sampled_from(
    [
        "a",
        "the",
        "and",
        "of",
        "between",
        "without",
        "toward",
        "NATO",
        "security",
        "self-help",
        "post-Soviet",
        "what",
        "for",
        "cold",
        "war",
        "Europe’s",
        "governance",
        "in",
        "as",
        "to",
        "regional",
        "x-ray",
    ]
)


@given(st.lists(WORDS, min_size=1, max_size=8))
def test_title_case_changes_only_case_and_is_stable(words: list[str]) -> None:
    title = " ".join(words)
    for edition in (17, 18):
        out = chicago_title_case(title, edition)
        assert out.lower() == title.lower()
        assert chicago_title_case(out, edition) == out
        assert out[0] == out[0].upper()


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=60))
@example("<sc>")  # an unpaired tag is text: it recursed forever once
@example("the <i>new</i> order of <sc> and &lt;b")
def test_title_case_of_any_text_changes_at_most_letter_case(title: str) -> None:
    # Compared as the text the markup stands for: "&lt;" (canonical rich text
    # for "<") may come back as "<", which means the same.
    text = plain(title)
    for edition in (17, 18):
        out = plain(chicago_title_case(title, edition))
        assert len(out) == len(text)
        assert all(a == b or a.upper() == b for a, b in zip(text, out))
    assert len(plain(apa_title_case(title))) == len(text)
    assert len(plain(to_sentence_case(title))) == len(text)


@given(st.lists(st.tuples(st.sampled_from(["add", "italic", "link"]), TEXT), max_size=6))
def test_html_never_lets_markup_through(runs) -> None:
    s = Styled()
    for kind, value in runs:
        getattr(s, kind)(value)
    html = to_html(s)
    stripped = re.sub(r'</?i>|<a href="[^"<>]*">|</a>', "", html)
    assert "<" not in stripped and ">" not in stripped


@settings(max_examples=60)
@given(
    st.sampled_from(["book", "chapter", "article", "report", "thesis", "webpage", "paper", "misc"]),
    st.integers(0, 8),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["apa", "chicago-notes", "chicago-author-date"]),
    st.sampled_from([17, 18]),
)
def test_every_type_formats_cleanly(
    kind: str, n: int, dated: bool, doi: bool, style: str, edition: int
) -> None:
    data = {"type": kind, "key": "x1", "title": "A title: With subtitle", "authors": people(n)}
    if kind == "chapter":
        data["container_title"] = "Book"
    if dated:
        data["issued"] = "2020-05-04"
    if doi:
        data["doi"] = "10.1000/y"
    record = rec(**data)
    ed = 7 if style == "apa" else edition
    for styled in (
        format_reference(record, style, ed),
        format_citation([record], style, None, ed, pages="5"),
    ):
        out = to_text(styled)
        assert out and out == out.strip()
        assert (
            ".." not in out.replace("…", "")
            and " ," not in out
            and ",," not in out
            and "  " not in out
        )


def test_title_ending_in_a_question_mark() -> None:
    page = rec(
        type="webpage",
        title="What is collective security?",
        authors=[{"family": "Alvarez", "given": "Sofía"}],
        site="Security Governance Monitor",
        issued="2023-05-14",
    )
    # CMOS 6.119 (17th): the comma that follows is kept; a period is not added.
    assert (
        cite(page, "chicago-notes", "note")
        == "Sofía Alvarez, “What Is Collective Security?,” Security Governance Monitor, May 14, 2023."
    )
    assert (
        text(page, "chicago-notes")
        == "Alvarez, Sofía. “What Is Collective Security?” Security Governance Monitor, May 14, 2023."
    )
    # APA: the question mark takes the place of the period.
    assert (
        text(page)
        == "Alvarez, S. (2023, May 14). What is collective security? Security Governance Monitor."
    )


def test_unsigned_web_page_under_its_site() -> None:
    """CMOS 17 14.206: an unsigned page is listed under the site's owner in a
    bibliography and an author-date reference list, its date kept; the note
    begins with the title and the short note is the title alone (quick guide)."""
    page = rec(
        type="webpage",
        title="About the council",
        site="Nordic Defence Council",
        issued="2020-05-03",
        url="https://www.example.org/a",
    )
    assert (
        text(page, "chicago-notes")
        == "Nordic Defence Council. “About the Council.” May 3, 2020. https://www.example.org/a."
    )
    assert text(page, "chicago-author-date", 17) == (
        "Nordic Defence Council. 2020. “About the Council.” May 3. https://www.example.org/a."
    )
    assert cite(page, "chicago-author-date") == "(Nordic Defence Council 2020)"
    assert cite(page, "chicago-notes", "note").startswith("“About the Council,” Nordic")
    assert cite(page, "chicago-notes", "short-note") == "“About the Council.”"


# --------------------------------------------------------------------------
# Issue 10: the fields of the wider data model


def test_retrieval_date_for_undated_work_of_any_type() -> None:
    """APA 9.16 and CMOS 14.12 (17th): an undated online work gives the date it
    was consulted, whatever its type (a data set here); a dated one does not."""
    data = dict(
        type="dataset",
        title="Survey of alliance attitudes",
        authors=[{"literal": "Pew Research Center"}],
        url="https://www.example.org/data",
        accessed="2023-05-09",
    )
    r = rec(**data)
    assert reference_text(r, "apa") == (
        "Pew Research Center. (n.d.). Survey of alliance attitudes [Data set]. "
        "Retrieved May 9, 2023, from https://www.example.org/data"
    )
    assert reference_text(r, "chicago-notes") == (
        "Pew Research Center. “Survey of Alliance Attitudes.” n.d. Accessed May 9, 2023. "
        "https://www.example.org/data."
    )
    dated = rec(**data, issued="2020")
    assert "Retrieved" not in reference_text(dated, "apa")
    assert "Accessed" not in reference_text(dated, "chicago-notes")


def test_report_number_label() -> None:
    """APA 10.4 / CMOS: "Working Paper No. 7" from genre and number ("no." in a
    note); a number that does not begin with a digit keeps its own form."""
    r = rec(
        type="report",
        title="Regional security in West Africa",
        authors=[{"family": "Osei", "given": "Kwame"}],
        genre="Working Paper",
        number="7",
        institution="Centre for Security Studies",
        issued="2020",
    )
    assert "(Working Paper No. 7)" in reference_text(r, "apa")
    assert "Working Paper No. 7." in reference_text(r, "chicago-notes")
    assert "Working Paper no. 7 (" in to_text(format_citation([r], "chicago-notes"))
    other = r.model_copy(update={"number": "RR-2795"})
    assert "(Working Paper RR-2795)" in reference_text(other, "apa")
    # letters run into digits count as a number; a hyphenated one stays one number
    lettered = r.model_copy(update={"number": "R45652"})
    assert "(Working Paper No. R45652)" in reference_text(lettered, "apa")
    assert "Working Paper no. R45652 (" in to_text(format_citation([lettered], "chicago-notes"))
    hyphened = r.model_copy(update={"number": "16-4677"})
    assert "(Working Paper No. 16-4677)" in reference_text(hyphened, "apa")


def test_chapter_in_a_volume_author_date_locator() -> None:
    """Chicago author-date (17th, which gives a chapter's pages): the volume
    joins the pages, "3:215–20"; notes give "vol. 3" after the book's title."""
    book = rec(
        type="book",
        key="brandon2016oxford",
        title="The Oxford history of collective security",
        editors=[{"family": "Brandon", "given": "Claire"}],
        volume="3",
        publisher="Oxford University Press",
        issued="2016",
    )
    chapter = chapter_view(
        rec(
            type="chapter",
            title="Sanctions and the limits of alliance",
            authors=[{"family": "Lowe", "given": "Vaughan"}],
            parent="brandon2016oxford",
            pages="215-220",
        ),
        book,
    )
    ad = reference_text(chapter, "chicago-author-date", 17)
    assert "edited by Claire Brandon, 3:215–20. Oxford University Press." in ad
    nb = reference_text(chapter, "chicago-notes", 17)
    assert "Collective Security, vol. 3, edited by Claire Brandon, 215–20." in nb


def test_group_author_abbreviation_keeps_record_bytes() -> None:
    """A name without an abbreviation is written as before (no "short" key)."""
    r = rec(type="report", title="T", authors=[{"literal": "World Health Organization"}])
    assert r.to_json_dict()["authors"] == [{"literal": "World Health Organization"}]
    s = rec(
        type="report", title="T", authors=[{"literal": "World Health Organization", "short": "WHO"}]
    )
    assert s.to_json_dict()["authors"] == [{"literal": "World Health Organization", "short": "WHO"}]


def test_review_in_a_newspaper() -> None:
    """APA 10.7: "[Review of the book *Title*, by A. Author]" after the title, a
    newspaper review by its full date; Chicago: "Review of *Title*, by Author"."""
    r = rec(
        type="book_review",
        title="Friendship takes a path that diverges",
        authors=[{"family": "Kakutani", "given": "Michiko"}],
        reviewed_title="Swing time",
        reviewed_authors=[{"family": "Smith", "given": "Zadie"}],
        journal="New York Times",
        issued="2016-11-07",
    )
    assert to_html(format_reference(r, "apa")) == (
        "Kakutani, M. (2016, November 7). Friendship takes a path that diverges "
        "[Review of the book <i>Swing time</i>, by Z. Smith]. <i>New York Times</i>."
    )
    assert reference_text(r, "chicago-author-date", 17) == (
        "Kakutani, Michiko. 2016. “Friendship Takes a Path That Diverges.” Review of "
        "Swing Time, by Zadie Smith. New York Times, November 7, 2016."
    )


def _jackson(key: str, year: str, *names: tuple[str, str]) -> object:
    return RECORD_ADAPTER.validate_python(
        {
            "type": "article",
            "key": key,
            "title": key,
            "journal": "J",
            "issued": year,
            "authors": [{"family": f, "given": g} for f, g in names],
        }
    )


def test_apa_same_surname_first_authors_get_initials() -> None:
    # APA 7, 8.20, as the APA Style blog's "same surname" example: only first
    # authors count (F. Jackson, a second author, gets none and gives none).
    from citeshelf.styles import surname_initials

    d = _jackson("d2018", "2018", ("Jackson", "Dan"))
    mc = _jackson("mc2017", "2017", ("Jackson", "M. C."), ("Counter", "P."), ("Tree", "J. J."))
    nelson = _jackson(
        "n2017", "2017", ("Nelson", "B. D."), ("Jackson", "F."), ("Amir", "N."), ("Hajcak", "G.")
    )
    assert surname_initials([d, mc, nelson]) == {"d2018", "mc2017"}
    assert (
        to_text(format_citation([nelson, mc, d]))
        == "(D. Jackson, 2018; M. C. Jackson et al., 2017; Nelson et al., 2017)"
    )
    assert to_text(format_citation([nelson, d])) == "(Jackson, 2018; Nelson et al., 2017)"
    assert (
        to_text(format_citation([d], initials={"d2018"}, form="narrative")) == "D. Jackson (2018)"
    )
    assert surname_initials([d, mc], "chicago-notes") == set()
    # CMOS 15.21 (17th): the same in Chicago author-date.
    assert surname_initials([d, mc, nelson], "chicago-author-date") == {"d2018", "mc2017"}
    assert to_text(format_citation([d, mc, nelson], "chicago-author-date", edition=18)) == (
        "(D. Jackson 2018; M. C. Jackson et al. 2017; Nelson et al. 2017)"
    )
    assert to_text(format_citation([mc, d], "chicago-author-date", edition=17)) == (
        "(M. C. Jackson, Counter, and Tree 2017; D. Jackson 2018)"
    )
    assert to_text(format_citation([mc, nelson], "chicago-author-date", edition=17)) == (
        "(Jackson, Counter, and Tree 2017; Nelson et al. 2017)"
    )


def test_apa_same_year_a_year_only_work_before_a_dated_one() -> None:
    # APA 9.47: same author and year, the reference with only a year first,
    # then those with a month and day by date, before the titles decide.
    king = [{"family": "King", "given": "Martin Luther"}]
    speech = rec(
        type="speech", key="dream", title="I have a dream", authors=king, issued="1963-08-28"
    )
    later = rec(type="speech", key="later", title="A talk", authors=king, issued="1963-11-02")
    book = rec(type="book", key="strength", title="Strength to love", authors=king, issued="1963")
    entries = format_bibliography([later, speech, book], "apa")
    assert [e.key for e in entries] == ["strength", "dream", "later"]
    assert year_suffixes([later, speech, book], "apa") == {
        "strength": "a",
        "dream": "b",
        "later": "c",
    }
    assert entries[1].text.startswith("King, M. L. (1963b, August 28). I have a dream")


# --------------------------------------------------------------------------
# Films, broadcasts, recordings, letters (the CSL Chicago styles' forms)

_COENS = [{"family": "Coen", "given": "Joel"}, {"family": "Coen", "given": "Ethan"}]


def test_chicago_film_under_its_directors_in_a_bibliography_directed_by_in_a_note() -> None:
    film = rec(
        type="motion_picture",
        title="The mirror",
        directors=_COENS,
        publisher="Mosfilm",
        issued={"year": 1975, "month": 3, "day": 7},
    )
    assert (
        text(film, "chicago-notes", 18)
        == "Coen, Joel, and Ethan Coen, dirs. The Mirror. Mosfilm, 1975."
    )
    assert (
        cite(film, "chicago-notes", None, 18, pages="12")
        == "The Mirror, directed by Joel Coen and Ethan Coen (Mosfilm, 1975), 12."
    )
    assert cite(film, "chicago-notes", "short-note", 18) == "Mirror."
    assert cite(film, "chicago-author-date", None, 17) == "(Coen and Coen 1975)"


def test_chicago_episode_under_its_series_aired_on_its_network() -> None:
    episode = rec(
        type="broadcast",
        title="Felina",
        container_title="Breaking bad",
        number="16",
        directors=[{"family": "Gilligan", "given": "Vince"}],
        publisher="AMC",
        issued={"year": 2013, "month": 9, "day": 29},
    )
    styled = format_reference(episode, "chicago-notes", 18)
    assert to_text(styled) == (
        "Gilligan, Vince, dir. Breaking Bad. Episode 16, “Felina.” Aired September 29, 2013, on AMC."
    )
    assert to_markdown(styled).startswith("Gilligan, Vince, dir. *Breaking Bad*. Episode 16,")
    assert "<i>Breaking Bad</i>" in to_html(styled)
    assert cite(episode, "chicago-notes", None, 18) == (
        "Breaking Bad, episode 16, “Felina,” directed by Vince Gilligan,"
        " aired September 29, 2013, on AMC."
    )
    assert cite(episode, "chicago-notes", "short-note", 18) == "Breaking Bad, “Felina.”"
    # a podcast (a URL): its publisher and date, not "aired"
    podcast = episode.model_copy(update={"url": "https://example.org/16"})
    assert cite(podcast, "chicago-notes", None, 18) == (
        "Breaking Bad, episode 16, “Felina,” directed by Vince Gilligan, AMC,"
        " September 29, 2013, https://example.org/16."
    )


def test_recording_of_a_composers_work() -> None:
    song = rec(
        type="song",
        title="Clair de lune",
        composers=[{"family": "Debussy", "given": "Claude"}],
        performers=[{"literal": "Lang Lang"}],
        publisher="Sony",
        issued={"year": 2010},
        original_date={"year": 1905},
    )
    assert text(song, "apa") == (
        "Debussy, C. (2010). Clair de lune [Song recorded by Lang Lang]. Sony."
        " (Original work published 1905)"
    )
    assert text(song, "chicago-notes", 18) == (
        "Debussy, Claude. Clair De Lune. Performed by Lang Lang. 1905; Sony, 2010."
    )
    assert text(song, "chicago-author-date", 18) == (
        "Debussy, Claude. (1905) 2010. Clair De Lune. Performed by Lang Lang. Sony."
    )


def test_chicago_letter_without_entry_cited_in_the_text() -> None:
    letter = rec(
        type="personal_communication",
        authors=[{"family": "Bishop", "given": "Roland J."}],
        recipients=[{"family": "Lee", "given": "Ann"}],
        genre="letter",
        issued={"year": 2017, "month": 10, "day": 15},
    )
    assert cite(letter, "chicago-notes", None, 18) == (
        "Roland J. Bishop, letter to Ann Lee, October 15, 2017."
    )
    assert (
        cite(letter, "chicago-notes", "short-note", 18)
        == "Bishop, Letter to Lee, October 15, 2017."
    )
    assert cite(letter, "chicago-author-date", None, 18, pages="2") == (
        "(Roland J. Bishop, Letter to Lee, October 15, 2017, 2)"
    )
    # kept in an archive: an entry in the reference list, cited by name and year
    kept = letter.model_copy(update={"archive": "Newberry Library"})
    assert cite(kept, "chicago-author-date", None, 18) == "(Bishop 2017)"


# -- a journal article consulted in a database (CMOS 14.175 (17th)) --------

_JSTOR = dict(
    type="article",
    key="rao2017",
    title="Collective defence and the small state",
    authors=[{"family": "Rao", "given": "Priya"}],
    journal="Security Studies",
    volume="26",
    issue="2",
    pages="201-230",
    issued="2017",
    source="JSTOR",
)


@pytest.mark.parametrize("edition", [17, 18])
def test_chicago_article_database_after_the_facts(edition: int) -> None:
    r = rec(**_JSTOR)
    bib = format_reference(r, "chicago-notes", edition)
    assert to_text(bib) == (
        "Rao, Priya. “Collective Defence and the Small State.” "
        "Security Studies 26, no. 2 (2017): 201–30. JSTOR."
    )
    assert to_markdown(bib).endswith("*Security Studies* 26, no. 2 (2017): 201–30. JSTOR.")
    assert to_html(bib).endswith("</i> 26, no. 2 (2017): 201–30. JSTOR.")
    assert cite(r, "chicago-notes", edition=edition, pages="210") == (
        "Priya Rao, “Collective Defence and the Small State,” "
        "Security Studies 26, no. 2 (2017): 210, JSTOR."
    )
    assert cite(r, "chicago-notes", "short-note", edition, pages="210") == (
        "Rao, “Collective Defence and the Small State,” 210."
    )
    assert text(r, "chicago-author-date", edition).endswith("26 (2): 201–30. JSTOR.")
    assert cite(r, "chicago-author-date", edition=edition) == "(Rao 2017)"


def test_chicago_article_database_identifier_and_when_not_given() -> None:
    # the database's number for the article follows its name, once
    numbered = rec(**{**_JSTOR, "source": "ProQuest", "archive_location": "2147483647"})
    assert text(numbered, "chicago-notes").endswith("201–30. ProQuest (2147483647).")
    # a DOI or URL takes the database's place
    doi = rec(**{**_JSTOR, "doi": "10.1080/09636412.2017.1280073"})
    assert text(doi, "chicago-notes").endswith(
        "201–30. https://doi.org/10.1080/09636412.2017.1280073."
    )
    url = rec(**{**_JSTOR, "url": "https://www.jstor.org/stable/123"})
    assert text(url, "chicago-notes").endswith("201–30. https://www.jstor.org/stable/123.")
    # APA 9.30: no database for a journal article
    assert text(rec(**_JSTOR), "apa") == (
        "Rao, P. (2017). Collective defence and the small state. Security Studies, 26(2), 201–230."
    )
    # a newspaper article is not given one here
    news = rec(**{**_JSTOR, "extra": {"csl_type": "article-newspaper"}, "issued": "2017-03-02"})
    assert "JSTOR" not in text(news, "chicago-notes")
