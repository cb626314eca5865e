"""Legal references in every style: the Bluebook form APA 7 (chapter 11)
and the Chicago Manual (17th edition 14.269 ff.) both follow, beyond the
three golden items (a Supreme Court case, a codified act, a treaty): a lower
court named with its decision, a case with no reporter (docket number and
full date), a session law by its public law number, a range of sections,
the cited page of a note, the case name in italics in citations, and the
same text in every output format."""

from __future__ import annotations

import pytest

from citeshelf.model import RECORD_ADAPTER
from citeshelf.styles import (
    format_citation,
    format_reference,
    to_html,
    to_markdown,
    to_text,
)


def rec(**data):
    data.setdefault("key", "k1")
    return RECORD_ADAPTER.validate_python(data)


STYLES = [("apa", 7), ("chicago-notes", 17), ("chicago-notes", 18), ("chicago-author-date", 18)]

LOWER_COURT = rec(
    type="legal_case",
    title="United States v. Christmas",
    container_title="F.3d",
    volume="222",
    pages="141",
    authority="4th Cir.",
    issued="2000",
)


@pytest.mark.parametrize("style,edition", STYLES)
def test_a_lower_court_is_named_with_the_year(style: str, edition: int) -> None:
    # Bluebook 10.4: the court, unless the reporter tells it, before the year.
    text = to_text(format_reference(LOWER_COURT, style, edition))
    assert text == "United States v. Christmas, 222 F.3d 141 (4th Cir. 2000)."


@pytest.mark.parametrize("style,edition", STYLES)
def test_a_supreme_court_reporter_leaves_the_court_out(style: str, edition: int) -> None:
    case = rec(
        type="legal_case",
        title="Brown v. Board of Education",
        container_title="U.S.",
        volume="347",
        pages="483",
        authority="Supreme Court of the United States",
        issued="1954",
    )
    assert to_text(format_reference(case, style, edition)) == (
        "Brown v. Board of Education, 347 U.S. 483 (1954)."
    )


def test_a_case_without_a_reporter_has_its_docket_number_and_full_date() -> None:
    case = rec(
        type="legal_case",
        title="Smith v. Jones",
        number="19-1234",
        authority="D. Mass.",
        issued="2020-03-05",
    )
    assert to_text(format_reference(case, "apa", 7)) == (
        "Smith v. Jones, No. 19-1234 (D. Mass. March 5, 2020)."
    )


def test_a_session_law_by_its_public_law_number() -> None:
    act = rec(
        type="legislation",
        title="Americans with Disabilities Act of 1990",
        number="101-336",
        container_title="Stat.",
        volume="104",
        pages="327",
        issued="1990",
    )
    assert to_text(format_reference(act, "chicago-notes", 18)) == (
        "Americans with Disabilities Act of 1990, Pub. L. No. 101-336, 104 Stat. 327 (1990)."
    )


def test_a_range_of_sections_has_two_section_signs() -> None:
    act = rec(
        type="legislation",
        title="Civil rights act of 1964",
        container_title="U.S.C.",
        volume="42",
        section="2000e–2000e-17",
        issued="1964",
    )
    # Bluebook 8(a): words of five letters or more and every noun capitalised.
    assert to_text(format_reference(act, "apa", 7)) == (
        "Civil Rights Act of 1964, 42 U.S.C. §§ 2000e–2000e-17 (1964)."
    )


def test_a_treaty_names_its_parties_after_the_title() -> None:
    treaty = rec(
        type="treaty",
        title="Treaty on the limitation of anti-ballistic missile systems",
        authors=[{"literal": "U.S."}, {"literal": "U.S.S.R."}],
        container_title="U.S.T.",
        volume="23",
        pages="3435",
        issued="1972-05-26",
    )
    assert to_text(format_reference(treaty, "chicago-notes", 17)) == (
        "Treaty on the Limitation of Anti-ballistic Missile Systems, U.S.-U.S.S.R.,"
        " May 26, 1972, 23 U.S.T. 3435."
    )


def test_a_cited_page_in_a_note() -> None:
    note = format_citation([LOWER_COURT], "chicago-notes", None, 18, pages="145")
    assert to_text(note) == "United States v. Christmas, 222 F.3d 141 (4th Cir. 2000), at 145."
    short = format_citation([LOWER_COURT], "chicago-notes", "short-note", 18, pages="145")
    assert to_text(short) == "United States v. Christmas, 145."
    assert to_html(short) == "<i>United States v. Christmas</i>, 145."


def test_a_case_name_is_in_italics_in_citations_an_act_is_not() -> None:
    # APA 11.4: the case name is italic in the text, not in the reference list.
    apa = format_citation([LOWER_COURT], "apa", None, 7)
    assert to_html(apa) == "(<i>United States v. Christmas</i>, 2000)"
    assert to_markdown(apa) == "(*United States v. Christmas*, 2000)"
    assert "<i>" not in to_html(format_reference(LOWER_COURT, "apa", 7))
    act = rec(
        type="legislation",
        title="Clean air act",
        container_title="U.S.C.",
        volume="42",
        section="7401",
        issued="1970",
    )
    assert to_html(format_citation([act], "chicago-author-date", None, 18)) == (
        "(Clean Air Act 1970)"
    )


def test_a_url_follows_the_citation() -> None:
    case = LOWER_COURT.model_copy(update={"url": "https://example.org/christmas"})
    assert to_text(format_reference(case, "apa", 7)) == (
        "United States v. Christmas, 222 F.3d 141 (4th Cir. 2000). https://example.org/christmas"
    )
    assert to_text(format_citation([case], "chicago-notes", None, 18)) == (
        "United States v. Christmas, 222 F.3d 141 (4th Cir. 2000), https://example.org/christmas."
    )


# --------------------------------------------------------------------------
# Patents: APA 11.8, CMOS 14.157 (17th) / 14.158 (18th)

PATENT = rec(
    type="patent",
    key="p1",
    title="Method for node ranking in a linked database",
    authors=[{"family": "Page", "given": "Lawrence"}],
    number="6,285,999",
    jurisdiction="US",
    authority="U.S. Patent and Trademark Office",
    submitted="1998-01-09",
    issued="2001-09-04",
)


def test_apa_patent_number_and_office() -> None:
    styled = format_reference(PATENT, "apa", 7)
    assert to_text(styled) == (
        "Page, L. (2001). Method for node ranking in a linked database"
        " (U.S. Patent No. 6,285,999). U.S. Patent and Trademark Office."
    )
    assert to_markdown(styled).startswith(
        "Page, L. (2001). *Method for node ranking in a linked database* (U.S. Patent"
    )


def test_chicago_patent_filed_and_issued_in_every_form() -> None:
    facts = "US Patent 6,285,999, filed January 9, 1998, and issued September 4, 2001"
    assert to_text(format_reference(PATENT, "chicago-notes", 18)) == (
        f"Page, Lawrence. Method for node ranking in a linked database. {facts}."
    )
    assert to_text(format_reference(PATENT, "chicago-author-date", 17)) == (
        f"Page, Lawrence. 2001. Method for node ranking in a linked database. {facts}."
    )
    note = format_citation([PATENT], "chicago-notes", None, 17, pages="3")
    assert to_text(note) == (
        f"Lawrence Page, Method for node ranking in a linked database, {facts}, 3."
    )
    assert "<i>" not in to_html(note) and "“" not in to_text(note)


def test_a_patent_not_filed_and_of_another_office() -> None:
    patent = rec(
        type="patent",
        title="Verfahren zur Erkennung von Drohnen",
        authors=[{"family": "Hoffmann", "given": "Katrin"}],
        number="DE102015001234",
        authority="Deutsches Patent- und Markenamt",
        issued="2015-08-06",
        genre="Offenlegungsschrift",
        language="de",
    )
    assert to_text(format_citation([patent], "chicago-notes", "short-note", 18)) == (
        "Hoffmann, Verfahren zur Erkennung von Drohnen."
    )
    assert to_text(format_reference(patent, "chicago-notes", 18)).endswith(
        "Deutsches Patent- und Markenamt Offenlegungsschrift DE102015001234, issued August 6, 2015."
    )
    assert to_text(format_reference(patent, "apa", 7)) == (
        "Hoffmann, K. (2015). Verfahren zur Erkennung von Drohnen"
        " (Offenlegungsschrift No. DE102015001234). Deutsches Patent- und Markenamt."
    )
