"""Key formulas: the default gives the keys citeshelf always made; the language's parts."""

from __future__ import annotations

import pytest

from citeshelf.model import parse_record
from citeshelf.model.keyformula import DEFAULT_FORMULA, KeyFormulaError, parse_formula
from citeshelf.model.keys import base_key, unique_key


def rec(**data):
    return parse_record({"type": "book", "key": "x", **data})


CHAPTER = rec(
    title="The Collective Security Treaty Organization",
    authors=["Aris, Stephen", "Þórsson, Jón"],
    editors=["Sperling, James"],
    issued=2014,
    publisher="Edward Elgar",
)
ORG = rec(title="What now?", authors=["{North Atlantic Treaty Organization}"])
EDITED = rec(title="Handbook of Governance", editors=["Sperling, James"], issued=2014)


def key(formula: str, record=CHAPTER) -> str:
    return parse_formula(formula).key(record)


def test_the_default_formula_is_the_old_rule():
    assert base_key(CHAPTER) == key(DEFAULT_FORMULA) == "aris2014collective"
    assert base_key(ORG) == "northndwhat"
    assert base_key(EDITED) == "sperling2014handbook"
    assert base_key(rec(title="")) == "anonnd"
    assert unique_key(CHAPTER, {"aris2014collective"}.__contains__) == "aris2014collectivea"


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("[auth:lower][year][title:nostop:1:lower]", "aris2014collective"),
        ("[title:1:nostop:lower][year]", "collective2014"),  # modifiers act in a fixed order
        ("[auth]_[year]", "Aris_2014"),
        ("[authors:lower:join=-]", "aris-thorsson"),
        ("[authors:abbr:upper][year]", "AT2014"),
        ("[shorttitle:capitalize]", "CollectiveSecurityTreaty"),
        ("[veryshorttitle:upper]", "COLLECTIVE"),
        ("[title:abbr:lower]", "tcsto"),
        ("[editor:lower]:[publisher:1:lower]", "sperling:edward"),
        ("[auth:chars=3:lower][year]", "ari2014"),
        ("[type].[year]", "book.2014"),
        ('[journal|"nojournal"]', "nojournal"),
    ],
)
def test_formula_parts(formula, expected):
    assert key(formula) == expected


def test_fallbacks_and_an_empty_key():
    formula = '[auth:lower|editor:lower|"anon"][year|"nd"]'
    assert key(formula, EDITED) == "sperling2014"
    assert key(formula, ORG) == "northnd"
    assert key(formula, rec(title="x")) == "anonnd"
    assert key("[journal]", rec(title="x")) == "anon"
    assert key("-[journal][year]", EDITED) == "2014"  # a key starts with a letter or digit


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("[auth", "column 1: '[' is never closed with ']'"),
        ("[auht][year]", "column 2: unknown field 'auht': fields are auth, authors,"),
        ("[auth:lwer]", "column 7: unknown modifier 'lwer': modifiers are nostop, N, lower,"),
        ("[auth] [year]", "column 7: ' ' cannot be in a key"),
        ("year]", "column 5: ']' without '['"),
        ("[]", "column 2: a field name is missing"),
        ("[auth|]", "column 7: a field name is missing"),
        ('[auth|"a b"]', "column 9: ' ' cannot be in a key"),
        ("[auth[year]]", "column 6: '[' inside [...]"),
        ("plain", "column 1: a formula needs at least one [field]"),
        ('[auth"x"]', "column 2: unknown field 'auth\"x\"'"),
        ('["x"auth]', "column 5: expected '|' or ']', not 'a'"),
    ],
)
def test_malformed_formulas_say_where(formula, message):
    with pytest.raises(KeyFormulaError) as info:
        parse_formula(formula)
    assert str(info.value).startswith(message)
