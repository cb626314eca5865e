"""What a chapter takes from its book (citeshelf.model.inherit): the one rule,
and every exporter and style seeing the chapter through it."""

from __future__ import annotations

import json
import re

import pytest

from citeshelf.formats.bibtex import write_bibtex
from citeshelf.formats.csljson import dumps_csl
from citeshelf.formats.ris import write_ris
from citeshelf.model import inherit as inherit_module
from citeshelf.model import parse_record
from citeshelf.model.identifiers import isbn_key
from citeshelf.model.inherit import (
    EXPORT_USES,
    INHERITANCE,
    USES,
    Inherit,
    chapter_view,
    inherited,
)
from citeshelf.styles import format_reference, to_text

BOOK = {
    "type": "book",
    "key": "sperling2014handbook",
    "title": "Handbook of governance and security",
    "editors": [{"family": "Sperling", "given": "James"}],
    "issued": "2014",
    "publisher": "Edward Elgar Publishing",
    "place": "Cheltenham, UK",
    "isbn": ["978-1-78195-316-7"],
    "doi": "10.4337/9781781953174",
    "url": "https://example.org/handbook",
}
CHAPTER = {
    "type": "chapter",
    "key": "aris2014collective",
    "parent": "sperling2014handbook",
    "title": "Collective Security Treaty Organization",
    "authors": [{"family": "Aris", "given": "Stephen"}],
    "chapter": "30",
    "pages": "531-546",
}
ISBN_DIGITS = "9781781953167"


def book():
    return parse_record(BOOK)


def chapter(**over):
    return parse_record({**CHAPTER, **over})


def digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", text)


def test_the_chapter_takes_the_books_fields_and_keeps_its_own():
    view = chapter_view(chapter(publisher="Own Press"), book())
    assert view.container_title == "Handbook of governance and security"
    assert [p.family for p in view.editors] == ["Sperling"]
    assert view.year == 2014
    assert view.place == "Cheltenham, UK"
    assert view.publisher == "Own Press"  # its own value wins
    assert view.doi is None and view.url is None  # never the book's DOI or URL
    assert chapter_view(chapter(), None) == chapter()


def test_isbn_is_seen_by_styles_and_the_index_but_never_exported():
    assert [isbn_key(i) for i in chapter_view(chapter(), book(), "style").isbn] == [ISBN_DIGITS]
    assert "isbn" in {row.field for row in inherited("index")}
    for use in EXPORT_USES:
        assert chapter_view(chapter(), book(), use).isbn == []
        assert "isbn" not in {row.field for row in inherited(use)}
    # a chapter's own ISBN is its own
    own = chapter(isbn=["978-0-19-953556-9"])
    assert chapter_view(own, book(), "bibtex").isbn == own.isbn


def test_the_table_never_names_doi_or_url_and_every_use_is_known():
    assert {row.field for row in INHERITANCE}.isdisjoint(inherit_module.NEVER_INHERITED)
    for row in INHERITANCE:
        assert row.uses <= set(USES)
    with pytest.raises(ValueError, match="unknown use"):
        inherited("docx")


# Every exporter: a chapter whose book has an ISBN and a DOI, written with its
# book beside it (BibTeX crossref) and alone (self-contained).


def chapter_entry(text: str, key: str) -> str:
    start = text.index("{" + key + ",")
    return text[start : text.index("\n}", start)]


@pytest.mark.parametrize("dialect", ["bibtex", "biblatex"])
def test_bibtex_chapter_alone_carries_the_books_data_but_not_its_isbn(dialect):
    out = write_bibtex([chapter()], dialect=dialect, books={"sperling2014handbook": book()})
    entry = chapter_entry(out, "aris2014collective")
    assert "Edward Elgar Publishing" in entry
    assert "Sperling" in entry
    assert ISBN_DIGITS not in digits(entry)
    assert "10.4337" not in entry


@pytest.mark.parametrize("dialect", ["bibtex", "biblatex"])
def test_bibtex_book_written_beside_the_chapter_keeps_its_isbn(dialect):
    out = write_bibtex([chapter(), book()], dialect=dialect)
    assert ISBN_DIGITS not in digits(chapter_entry(out, "aris2014collective"))
    assert ISBN_DIGITS in digits(chapter_entry(out, "sperling2014handbook"))


def test_csl_json_chapter_carries_the_books_data_but_not_its_isbn():
    items = json.loads(dumps_csl([chapter()], books={"sperling2014handbook": book()}))
    (item,) = items
    assert item["container-title"] == "Handbook of governance and security"
    assert item["publisher"] == "Edward Elgar Publishing"
    assert "ISBN" not in item and "DOI" not in item and "URL" not in item


def test_ris_chapter_carries_the_books_data_but_not_its_isbn():
    out = write_ris([chapter()], books={"sperling2014handbook": book()})
    assert "Edward Elgar Publishing" in out
    assert "Handbook of governance and security" in out
    assert ISBN_DIGITS not in digits(out)
    assert "10.4337" not in out


def test_styles_see_the_books_data():
    text = to_text(format_reference(chapter_view(chapter(), book()), "apa"))
    assert "Edward Elgar Publishing" in text and "(Ed.)" in text


# The same exporters follow the table: change a row and every one of them changes.


@pytest.fixture
def isbn_everywhere(monkeypatch):
    """The table with the ISBN row applying to every use."""
    rows = tuple(
        Inherit(row.field, row.book_field, frozenset(USES), row.present, row.children)
        if row.field == "isbn"
        else row
        for row in INHERITANCE
    )
    monkeypatch.setattr(inherit_module, "INHERITANCE", rows)


@pytest.fixture
def no_publisher(monkeypatch):
    """The table without the publisher row."""
    rows = tuple(row for row in INHERITANCE if row.field != "publisher")
    monkeypatch.setattr(inherit_module, "INHERITANCE", rows)


def exports() -> dict[str, str]:
    books = {"sperling2014handbook": book()}
    return {
        "bibtex": chapter_entry(write_bibtex([chapter()], books=books), "aris2014collective"),
        "biblatex": chapter_entry(
            write_bibtex([chapter()], dialect="biblatex", books=books), "aris2014collective"
        ),
        "csl-json": dumps_csl([chapter()], books=books),
        "ris": write_ris([chapter()], books=books),
    }


def test_every_exporter_reads_the_isbn_row_of_the_table(isbn_everywhere):
    for fmt, text in exports().items():
        assert ISBN_DIGITS in digits(text), fmt


def test_every_exporter_and_the_styles_read_the_publisher_row(no_publisher):
    for fmt, text in exports().items():
        assert "Edward Elgar" not in text, fmt
    styled = to_text(format_reference(chapter_view(chapter(), book()), "apa"))
    assert "Edward Elgar" not in styled


def test_a_rule_row_reads_as_its_fields_and_prints_the_same_way_every_time() -> None:
    row = next(r for r in INHERITANCE if r.field == "container_title")
    assert (row.book_field, row.present, row.condition) == ("full_title", "title", "title")
    assert "style" in row.uses and "chapter" in row.children
    # sorted sets: the same text whatever the string hashes of the run
    assert repr(row).startswith("Inherit('container_title', 'full_title', uses=['")
    assert repr(row) == repr(next(r for r in inherited("style") if r.field == "container_title"))
