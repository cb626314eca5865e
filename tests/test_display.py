"""citeshelf.model.display: the short texts ``list`` and ``chapters`` print,
from record JSON data."""

from __future__ import annotations

import subprocess
import sys

from citeshelf.model import Person, parse_record
from citeshelf.model.display import (
    book_line,
    creators_cell,
    display_name,
    full_title,
    last_name,
    name_text,
    people,
    short_names,
    text,
    year,
)
from citeshelf.model.order import chapter_sort_key

ARIS = {"family": "Aris", "given": "Stephen"}
VRIES = {"family": "Vries", "given": "Jan", "particle": "de", "suffix": "Jr."}
WHO = {"literal": "World  Health\nOrganization"}


def test_readers_take_the_stored_shapes_and_skip_others() -> None:
    assert text("  Title ") == "Title"
    assert text("   ") is None and text(None) is None and text(True) is None
    assert text(12) == "12"
    assert people("Aris, Stephen") == ["Aris, Stephen"]
    assert people([ARIS]) == [ARIS]
    assert people(None) == [] and people({"family": "x"}) == []
    assert year(2014) == 2014 and year("2014-05-01") == 2014 and year("2014") == 2014
    assert year({"year": 1999, "month": 3}) == 1999
    assert year("-44") == -44
    assert year("spring 2014") is None and year(True) is None and year(None) is None


def test_full_title() -> None:
    assert full_title({"title": "Security", "subtitle": "A framework"}) == "Security: A framework"
    assert full_title({"title": "Security"}) == "Security"
    assert full_title({"subtitle": "Only"}) == ""


def test_names() -> None:
    assert last_name(ARIS) == "Aris"
    assert last_name(VRIES) == "de Vries"
    assert last_name(WHO) == "World Health Organization"
    assert last_name("Aris, Stephen") == "Aris"
    assert last_name("Stephen Aris") == "Aris"
    assert last_name("{Médecins Sans Frontières}") == "Médecins Sans Frontières"
    assert last_name("") == "" and last_name(7) == ""
    assert display_name(VRIES) == "Jan de Vries, Jr."
    assert display_name(WHO) == "World Health Organization"
    assert display_name("{NATO}") == "NATO"
    assert name_text(VRIES) == "Jan de Vries Jr."
    assert name_text(None) == ""


def test_display_name_matches_person_display() -> None:
    for data in (ARIS, VRIES, WHO, {"family": "Plato"}):
        assert display_name(data) == Person.model_validate(data).display()


def test_short_names() -> None:
    assert short_names([ARIS], False) == "Aris"
    assert short_names([ARIS, VRIES], False) == "Aris & de Vries"
    assert short_names([ARIS, VRIES, WHO], False) == "Aris, de Vries & World Health Organization"
    assert short_names([ARIS, VRIES, WHO, ARIS], False) == "Aris et al."
    assert short_names([ARIS], True) == "Aris et al."
    assert short_names([], True) == ""


def test_creators_cell_prefers_authors_then_editors() -> None:
    assert creators_cell({"authors": [ARIS], "editors": [VRIES]}) == "Aris"
    assert creators_cell({"editors": [VRIES]}) == "de Vries (ed.)"
    assert creators_cell({"editors": [VRIES, ARIS]}) == "de Vries & Aris (eds.)"
    assert creators_cell({"editors": [VRIES], "editors_et_al": True}) == "de Vries et al. (ed.)"
    assert creators_cell({"title": "Anonymous"}) == ""


def test_book_line() -> None:
    book = {
        "type": "book",
        "key": "sperling2014handbook",
        "title": "Handbook of governance and security",
        "editors": [{"family": "Sperling", "given": "James"}],
        "publisher": "Edward Elgar Publishing",
        "issued": "2014",
    }
    assert book_line(book) == (
        "Handbook of governance and security, ed. James Sperling (Edward Elgar Publishing, 2014)"
    )
    three = {"title": "T", "subtitle": "S", "editors": [ARIS, VRIES, WHO], "issued": {"year": 2001}}
    assert book_line(three) == (
        "T: S, eds. Stephen Aris, Jan de Vries, Jr., and World Health Organization (2001)"
    )
    assert (
        book_line({"authors": [ARIS, VRIES]}) == "(untitled), by Stephen Aris and Jan de Vries, Jr."
    )


def test_texts_of_a_model_record_through_its_json() -> None:
    record = parse_record(
        {
            "type": "book",
            "key": "boin2013european",
            "title": "The European Union as crisis manager",
            "authors": ["Boin, Arjen", "Ekengren, Magnus", "Rhinard, Mark"],
            "publisher": "Cambridge University Press",
            "issued": "2013",
        }
    )
    data = record.to_json_dict()
    assert creators_cell(data) == "Boin, Ekengren & Rhinard"
    assert book_line(data) == (
        "The European Union as crisis manager, by Arjen Boin, Magnus Ekengren, and Mark Rhinard "
        "(Cambridge University Press, 2013)"
    )


def test_chapter_order_numbers_then_pages_then_key() -> None:
    rows = [
        ("", "", "zeta"),
        ("", "45-60", "gamma"),
        ("", "xii-xv", "preface"),
        ("", "iv", "foreword"),
        ("10", "", "tenth"),
        ("2", "30-44", "second"),
        ("2a", "", "second-a"),
        ("", "A1", "appendix"),
        ("", "7–29", "first"),
    ]
    ordered = [r[2] for r in sorted(rows, key=lambda r: chapter_sort_key(*r))]
    assert ordered == [
        "second",
        "second-a",
        "tenth",
        "foreword",
        "preface",
        "first",
        "gamma",
        "appendix",
        "zeta",
    ]


def test_display_imports_nothing_heavy() -> None:
    code = (
        "import sys, citeshelf.model.display; "
        "print(sorted(m for m in ('pydantic', 'rich', 'click') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
