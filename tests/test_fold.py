"""The one folding rule (citeshelf.model.fold) and the places that use it."""

from __future__ import annotations

import pytest

from citeshelf.library import terms
from citeshelf.library.query import Query
from citeshelf.model import Book, Person
from citeshelf.model.fold import LETTERS, fold, to_ascii
from citeshelf.model.keys import base_key
from citeshelf.styles import common


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Þór", "thor"),
        ("Ærø", "aero"),
        ("Łódź", "lodz"),
        ("Straße", "strasse"),
        ("ẞ", "ss"),
        ("Đorđe", "dorde"),
        ("Øresund", "oresund"),
        ("İstanbul", "istanbul"),
        ("ıtır", "itir"),
        ("Œuvres", "oeuvres"),
        ("Mérand", "merand"),
        ("Ðuro", "duro"),
        ("ASCII Only", "ascii only"),
        ("毛泽东", "毛泽东"),
    ],
)
def test_fold_table(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_to_ascii_keeps_case() -> None:
    assert to_ascii("Þórsson, Ærø saga") == "Thorsson, Aero saga"
    assert to_ascii("Łódź") == "Lodz"
    assert to_ascii("Øresund") == "Oresund"


def test_every_table_letter_folds_to_ascii() -> None:
    for letter, spelled in LETTERS.items():
        assert spelled.isascii() and spelled.isalpha()
        assert fold(letter) == spelled.casefold()


def test_keys_index_and_styles_fold_alike() -> None:
    # the key generator, the index's words and the styles' sort forms agree
    book = Book(
        key="x",
        title="Ærø saga",
        authors=[Person(family="Þórsson", given="Jón")],
        issued="2020",
    )
    assert base_key(book) == "thorsson2020aero"
    assert terms.tokens("Þórsson, Ærø saga") == ["thorsson", "aero", "saga"]
    assert common.fold("Þórsson") == "thorsson"
    assert terms.fold is fold


def test_query_folds_its_terms() -> None:
    # a query typed with the letters matches the folded index text
    query = Query.parse("author:Þórsson")
    assert str(query) == 'author:"thorsson"'
    assert query.matches({"key": "t", "type": "book", "authors": [{"family": "THORSSON"}]})


@pytest.mark.parametrize(
    ("language", "english"),
    [
        (None, True),
        ("", True),
        ("en", True),
        ("en-GB", True),
        ("en_US", True),
        ("eng", True),
        ("English", True),
        ("british", True),
        ("de", False),
        ("french", False),
        ("enm", False),
    ],
)
def test_is_english(language, english) -> None:
    from citeshelf.model.language import is_english

    assert is_english(language) is english
