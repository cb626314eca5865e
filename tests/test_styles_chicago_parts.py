"""The parts the Chicago forms share (citeshelf.styles.chicago)."""

from __future__ import annotations

from citeshelf.model import RECORD_ADAPTER
from citeshelf.model.inherit import chapter_view
from citeshelf.styles import chicago
from citeshelf.styles.text import Italic, to_text


def rec(**data):
    data.setdefault("key", "k1")
    return RECORD_ADAPTER.validate_python(data)


ARIS = {"family": "Aris", "given": "Stephen"}
BELL = {"family": "Bell", "given": "Ann"}
CRUZ = {"family": "Cruz", "given": "Luis"}


def test_creators_part_in_each_form() -> None:
    two = rec(type="book", authors=[ARIS, BELL])
    assert chicago.creators_part(two, 18, "bib") == "Aris, Stephen, and Ann Bell"
    assert chicago.creators_part(two, 18, "note") == "Stephen Aris and Ann Bell"
    assert chicago.creators_part(two, 18, "short") == "Aris and Bell"
    three = rec(type="book", authors=[ARIS, BELL, CRUZ])
    # 18th: three or more -> et al. in notes (13.23); 17th: four or more (14.76).
    assert chicago.creators_part(three, 18, "note") == "Stephen Aris et al."
    assert chicago.creators_part(three, 17, "note") == "Stephen Aris, Ann Bell, and Luis Cruz"
    edited = rec(type="book", editors=[ARIS])
    assert chicago.creators_part(edited, 18, "bib") == "Aris, Stephen, ed."
    assert chicago.creators_part(edited, 18, "short") == "Aris"
    assert chicago.creators_part(rec(type="book", title="T"), 18, "bib") == ""


def test_title_part_italic_or_quoted() -> None:
    book = rec(type="book", title="Regional security in transition")
    assert chicago.title_part(book, 18).runs == [Italic("Regional Security in Transition")]
    article = rec(type="article", title="What is “security”?")
    assert to_text(chicago.title_part(article, 18)) == "“What Is ‘Security’?”"
    short = rec(type="book", title="The politics of security", subtitle="A study")
    assert chicago.title_part(short, 18, short=True).runs == [Italic("Politics of Security")]


def test_container_part() -> None:
    book = rec(
        type="book",
        key="b1",
        title="Handbook of security",
        editors=[BELL],
        edition="2",
        issued="2018",
    )
    ch = chapter_view(rec(type="chapter", parent="b1", authors=[ARIS], chapter="3"), book)
    assert to_text(chicago.container_part(ch, 18, note=True)) == (
        "chap. 3 in Handbook of Security, 2nd ed., ed. Ann Bell"
    )
    paged = chapter_view(rec(type="chapter", parent="b1", authors=[ARIS], pages="101-108"), book)
    # The 17th edition's bibliography gives the pages and no chapter number.
    assert to_text(chicago.container_part(paged, 17, note=False)) == (
        "In Handbook of Security, 2nd ed., edited by Ann Bell, 101–8"
    )


def test_periodical_part_in_notes_and_bibliographies() -> None:
    art = rec(
        type="article",
        journal="Journal of peace research",
        volume="12",
        issue="3",
        pages="115-129",
        issued="2019-09",
    )
    assert to_text(chicago.periodical_part(art, 18, form="bib")) == (
        "Journal of Peace Research 12, no. 3 (2019): 115–29"
    )
    assert to_text(chicago.periodical_part(art, 17, form="bib")) == (
        "Journal of Peace Research 12, no. 3 (September 2019): 115–29"
    )
    # A note's locator takes the place of the page range.
    assert to_text(chicago.periodical_part(art, 18, form="note", loc="120")) == (
        "Journal of Peace Research 12, no. 3 (2019): 120"
    )
    assert to_text(chicago.periodical_part(art, 17, form="bib", author_date=True)) == (
        "Journal of Peace Research 12, no. 3 (September): 115–29"
    )


def test_book_details_sentences_or_run_on() -> None:
    book = rec(
        type="book",
        authors=[ARIS],
        editors=[BELL],
        translators=[CRUZ],
        edition="2",
        volume="3",
    )
    assert chicago.book_details(book, 18, note=False) == [
        "Translated by Luis Cruz",
        "Edited by Ann Bell",
        "2nd ed.",
        "Vol. 3",
    ]
    assert chicago.book_details(book, 18, note=True) == [
        "trans. Luis Cruz",
        "ed. Ann Bell",
        "2nd ed.",
        "vol. 3",
    ]
    # A locator names the volume ("3:45"), so the note leaves it out.
    assert chicago.book_details(book, 18, note=True, loc="3:45")[-1] == "2nd ed."


def test_facts_locator_and_identifier() -> None:
    book = rec(
        type="book",
        publisher="Routledge",
        place="New York",
        issued="2018",
        doi="10.1000/x",
        volume="2",
    )
    assert chicago.facts_part(book, 18, form="note") == "Routledge, 2018"
    assert chicago.facts_part(book, 17, form="note") == "New York: Routledge, 2018"
    # Author-date: the year is at the head of the entry.
    assert chicago.facts_part(book, 18, form="bib", author_date=True) == "Routledge"
    assert chicago.locator_part("45-47", book) == "2:45–47"
    assert chicago.identifier_part(book) == "https://doi.org/10.1000/x"
    assert chicago.identifier_part(rec(type="book", url="https://example.org")) == (
        "https://example.org"
    )


def test_thesis_and_meeting_parts() -> None:
    thesis = rec(type="thesis", degree="PhD diss.", institution="University of Oxford")
    assert chicago.thesis_details(thesis, note=False) == ["PhD diss.", "University of Oxford"]
    assert chicago.thesis_details(rec(type="thesis"), note=True) == ["thesis"]
    paper = rec(type="paper", event="ISA Convention", event_place="Toronto")
    assert chicago.meeting_part(paper, note=False) == "Paper presented at ISA Convention, Toronto"
    assert chicago.meeting_part(rec(type="paper"), note=True) == "paper presented at a meeting"
