"""Rules of issue 10 that need no new record field: cited page ranges,
titles (language, name particles, protected phrases, CJK script), unsigned
periodical articles, editors and translators, proceedings. The citeproc-js
goldens cover most of them with one cited page ("531"); these tests cover
the rest, each with the rule it follows."""

from __future__ import annotations

import pytest

from citeshelf.model import RECORD_ADAPTER
from citeshelf.styles import format_citation, format_reference, to_html, to_text
from citeshelf.styles.common import (
    abbreviated_locator,
    chicago_title_case,
    full_locator,
    has_italics,
)


def rec(**data):
    data.setdefault("key", "k1")
    return RECORD_ADAPTER.validate_python(data)


def cite(record, style, form=None, edition=None, page=None) -> str:
    return to_text(format_citation([record], style, form, edition, pages=page))


def ref(record, style, edition=None) -> str:
    return to_text(format_reference(record, style, edition))


BOOK = rec(
    type="book",
    title="Regional security",
    authors=[{"family": "Aris", "given": "Stephen"}],
    publisher="Routledge",
    issued="2014",
)


# --------------------------------------------------------------------------
# Locators: CMOS 9.61 (17th) / 9.63 (18th) abbreviate, APA gives them in full


@pytest.mark.parametrize(
    "typed,chicago,apa",
    [
        ("321-328", "321–28", "321–328"),
        ("1496-1504", "1496–504", "1496–1504"),
        ("101-108", "101–8", "101–108"),
        ("1100-1113", "1100–1113", "1100–1113"),
        ("71-72", "71–72", "71–72"),
        ("321-28", "321–28", "321–328"),
        ("12-18, 101-108", "12–18, 101–8", "12–18, 101–108"),
        ("xii-xv", "xii–xv", "xii–xv"),
        ("531", "531", "531"),
    ],
)
def test_locator_ranges(typed: str, chicago: str, apa: str) -> None:
    assert abbreviated_locator(typed) == chicago
    assert full_locator(typed) == apa


def test_locator_ranges_in_every_form() -> None:
    assert cite(BOOK, "chicago-notes", page="321-328").endswith("(Routledge, 2014), 321–28.")
    assert cite(BOOK, "chicago-notes", "short-note", page="1496-1504") == (
        "Aris, Regional Security, 1496–504."
    )
    assert cite(BOOK, "chicago-author-date", page="101-108") == "(Aris 2014, 101–8)"
    assert cite(BOOK, "chicago-author-date", "narrative", page="71-72") == "Aris (2014, 71–72)"
    assert cite(BOOK, "apa", page="321-28") == "(Aris, 2014, pp. 321–328)"


# --------------------------------------------------------------------------
# Titles


def test_title_case_only_for_english() -> None:
    french = rec(
        type="book",
        title="Paix et guerre entre les nations",
        authors=[{"family": "Aron", "given": "Raymond"}],
        language="fr",
        issued="1962",
    )
    assert "Paix et guerre entre les nations" in ref(french, "chicago-notes")
    english = french.model_copy(update={"language": "en-GB"})
    assert "Paix Et Guerre Entre Les Nations" in ref(english, "chicago-notes")
    # APA cites a work with no author by its title in title case: English only
    untitled = rec(type="book", title="Les misérables", language="fre", issued="1862")
    assert cite(untitled, "apa") == "(Les misérables, 1862)"


def test_name_particle_stays_lower_case() -> None:
    # CMOS 8.159 (17th): "the part of a proper name that would be lowercased in text"
    assert chicago_title_case("Charles de Gaulle and the politics of grandeur") == (
        "Charles de Gaulle and the Politics of Grandeur"
    )
    assert chicago_title_case("The letters of Ludwig van Beethoven") == (
        "The Letters of Ludwig van Beethoven"
    )
    assert chicago_title_case("The paintings of Pieter van der Berg") == (
        "The Paintings of Pieter van der Berg"
    )
    # a particle that begins the title (or a subtitle) is capitalised
    assert chicago_title_case("De Gaulle: von Braun and others") == (
        "De Gaulle: Von Braun and Others"
    )
    # not a particle: a lower-case word before a lower-case word
    assert chicago_title_case("Notes de voyage") == "Notes De Voyage"


def test_protected_phrases_keep_their_case() -> None:
    record = rec(
        type="book",
        title="The sui generis status of the European Union",
        authors=[{"family": "Phelan", "given": "William"}],
        issued="2012",
        extra={"protect": {"title": ["sui generis"]}},
    )
    assert "The sui generis Status of the European Union" in ref(record, "chicago-notes")
    # the short title keeps the article rather than begin with a lower-case word
    assert cite(record, "chicago-notes", "short-note") == (
        "Phelan, The sui generis Status of the European Union."
    )
    assert cite(record.model_copy(update={"authors": []}), "apa") == (
        "(The sui generis Status of the European Union, 2012)"
    )


def test_cjk_titles_are_not_italic() -> None:
    assert not has_italics("毛泽东选集")
    assert has_italics("毛泽东选集 (Selected works)")
    assert has_italics("Война и мир")
    record = rec(
        type="book",
        title="毛泽东选集",
        authors=[{"family": "毛", "given": "泽东"}],
        language="zh",
        publisher="人民出版社",
        issued="1991",
    )
    for style in ("apa", "chicago-notes", "chicago-author-date"):
        assert "<i>" not in to_html(format_reference(record, style))


# --------------------------------------------------------------------------
# Unsigned newspaper and magazine articles


NEWS = rec(
    type="article",
    title="In Texas, ad heats up race for governor",
    journal="New York Times",
    issued="2002-07-30",
    extra={"csl_type": "article-newspaper"},
)


def test_unsigned_newspaper_article() -> None:
    # CMOS 17 14.207, CMOS 18 14.97: the newspaper in place of the author
    assert ref(NEWS, "chicago-notes") == (
        "New York Times. “In Texas, Ad Heats up Race for Governor.” July 30, 2002."
    )
    assert to_html(format_reference(NEWS, "chicago-notes")).startswith("<i>New York Times</i>.")
    assert ref(NEWS, "chicago-author-date") == (
        "New York Times. 2002. “In Texas, Ad Heats up Race for Governor.” July 30."
    )
    assert ref(NEWS, "chicago-author-date", 17).endswith("July 30, 2002.")
    assert cite(NEWS, "chicago-author-date") == "(New York Times 2002)"
    # a full note begins with the title
    assert cite(NEWS, "chicago-notes") == (
        "“In Texas, Ad Heats up Race for Governor,” New York Times, July 30, 2002."
    )
    # APA 9.12: the title moves to the author position
    assert ref(NEWS, "apa") == (
        "In Texas, ad heats up race for governor. (2002, July 30). New York Times."
    )


# --------------------------------------------------------------------------
# Editors and translators


def test_editor_and_translator_the_same_person() -> None:
    kaufmann = {"family": "Kaufmann", "given": "Walter"}
    record = rec(
        type="book",
        title="The will to power",
        authors=[{"family": "Nietzsche", "given": "Friedrich"}],
        editors=[kaufmann],
        translators=[kaufmann],
        publisher="Random House",
        issued="1967",
    )
    assert ref(record, "apa") == (
        "Nietzsche, F. (1967). The will to power (W. Kaufmann, Ed. & Trans.). Random House."
    )
    assert ref(record, "chicago-notes") == (
        "Nietzsche, Friedrich. The Will to Power. Edited and translated by Walter Kaufmann."
        " Random House, 1967."
    )
    assert cite(record, "chicago-notes") == (
        "Friedrich Nietzsche, The Will to Power, ed. and trans. Walter Kaufmann"
        " (Random House, 1967)."
    )


def test_translated_book_with_an_edition() -> None:
    # APA 10.2 (Piaget & Inhelder): the translator and the edition share the parenthesis
    record = rec(
        type="book",
        title="The psychology of the child",
        authors=[{"family": "Piaget", "given": "Jean"}],
        translators=[{"family": "Weaver", "given": "Helen"}],
        edition="2",
        publisher="Basic Books",
        issued="1969",
    )
    assert ref(record, "apa") == (
        "Piaget, J. (1969). The psychology of the child (H. Weaver, Trans.; 2nd ed.). Basic Books."
    )


def test_proceedings_with_editors_is_a_book_in_apa() -> None:
    # APA 10.5: proceedings published as an edited book are cited like a chapter
    record = rec(
        type="paper",
        title="Predicting coalitions",
        authors=[{"family": "Chen", "given": "Li"}],
        editors=[{"family": "Moreno", "given": "Ana"}],
        container_title="Proceedings of the 2020 conference on parliaments",
        publisher="ACL",
        pages="112-125",
        issued="2020",
    )
    assert ref(record, "apa") == (
        "Chen, L. (2020). Predicting coalitions. In A. Moreno (Ed.), Proceedings of the 2020"
        " conference on parliaments (pp. 112–125). ACL."
    )
