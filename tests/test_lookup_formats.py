"""The pure conversions behind adding by identifier (no server needed)."""

from __future__ import annotations

import pytest

from citeshelf.formats.crossref import book_doi, clean_csl, container_isbns
from citeshelf.formats.openlibrary import csl_from_openlibrary
from citeshelf.sources import config
from citeshelf.styles.common import looks_title_case, to_sentence_case


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("The Structure of Ordinary Water", "The structure of ordinary water"),
        (
            "Security Governance in Europe and Eurasia: The Role of NATO",
            "Security governance in Europe and Eurasia: The role of NATO",
        ),
        ("Deep Learning for COVID-19 Detection", "Deep learning for COVID-19 detection"),
        ("Vitamin D and the Immune System", "Vitamin D and the immune system"),
        ("The McDonald Model of Markov Chains", "The McDonald model of Markov chains"),
        ("A history of the Russian revolution", "A history of the Russian revolution"),
    ],
)
def test_sentence_case(title: str, expected: str) -> None:
    assert to_sentence_case(title) == expected


def test_sentence_case_keeps_protected_phrases_and_leaves_sentence_case_alone() -> None:
    assert to_sentence_case("The Road to Serfdom Revisited", ["Road to Serfdom"]) == (
        "The Road to Serfdom revisited"
    )
    assert not looks_title_case("Handbook of governance and security", [])
    assert looks_title_case("Handbook of Governance and Security", [])
    assert to_sentence_case("Handbook of governance and security") == (
        "Handbook of governance and security"
    )


def test_clean_csl_keeps_csl_variables_only() -> None:
    item = clean_csl(
        {
            "type": "article-journal",
            "title": ["A Title"],
            "score": 1,
            "indexed": {"date-parts": [[2024]]},
            "ISSN": ["0036-8075", "1095-9203"],
            "author": [{"given": "A", "family": "B", "sequence": "first", "affiliation": []}],
            "abstract": "<jats:p>Some <jats:italic>text</jats:italic>.</jats:p>",
        }
    )
    assert item == {
        "type": "article-journal",
        "title": "A Title",
        "ISSN": "0036-8075, 1095-9203",  # print and electronic, both
        "author": [{"given": "A", "family": "B"}],
        "abstract": "Some text.",
    }


def test_container_isbns_print_first_and_book_doi() -> None:
    message = {
        "ISBN": ["9781781953174", "9781781953167"],
        "isbn-type": [
            {"value": "9781781953174", "type": "electronic"},
            {"value": "978-1-78195-316-7", "type": "print"},
        ],
        "relation": {"is-part-of": [{"id-type": "doi", "id": "10.4337/9781781953174"}]},
    }
    assert container_isbns(message) == ["9781781953167", "9781781953174"]
    assert book_doi(message) == "10.4337/9781781953174"
    assert book_doi({}) is None


@pytest.mark.parametrize(
    ("text", "parts"),
    [("2014", [2014]), ("March 2014", [2014, 3]), ("Mar 28, 2014", [2014, 3, 28])],
)
def test_open_library_dates(text: str, parts: list[int]) -> None:
    item = csl_from_openlibrary({"title": "T", "publish_date": text}, "9781781953167")
    assert item["issued"] == {"date-parts": [parts]}


def test_open_library_edited_by_makes_editors() -> None:
    item = csl_from_openlibrary(
        {"title": "T", "authors": [{"name": "James Sperling"}], "by_statement": "edited by J. S."},
        "9781781953167",
    )
    assert item["editor"] == [{"family": "Sperling", "given": "James"}]
    assert "author" not in item


def test_settings_come_from_the_environment() -> None:
    env = {"CITESHELF_DOI_URL": "http://127.0.0.1:1/doi/", "CITESHELF_MAILTO": "me@example.org"}
    assert config.base_url("doi", env) == "http://127.0.0.1:1/doi"
    assert config.base_url("crossref", env) == "https://api.crossref.org"
    assert config.user_agent(env).endswith("(reference manager; mailto:me@example.org)")
    assert "mailto" not in config.user_agent({})
    assert config.mailto({"CITESHELF_MAILTO": "not an address"}) is None
