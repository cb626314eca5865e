"""Relations set from the command line (``edit --set related=TYPE:KEY; ...``,
``add --field``), shown by ``show``, and a link to a key the library does not
have kept with a warning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citeshelf.model.relations import parse_relations


@pytest.mark.parametrize(
    "text,expected",
    [
        ("reprintof:smith1950", [("reprintof", "smith1950")]),
        (
            "reprintof:smith1950; ReviewOf: doe2001",
            [("reprintof", "smith1950"), ("reviewof", "doe2001")],
        ),
        ("smith1950, translationof:x", [("related", "smith1950"), ("translationof", "x")]),
        # a key that holds a colon is a key, not a type
        ("comp.text.tex:1989:ctt", [("related", "comp.text.tex:1989:ctt")]),
        ("smith:2000", [("related", "smith:2000")]),
        ("related:smith:2000", [("related", "smith:2000")]),
        (" ; ", []),
    ],
)
def test_parse_relations(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(r["type"], r["key"]) for r in parse_relations(text)] == expected


def test_edit_sets_shows_and_warns(cs, handbook_lib: Path) -> None:
    r = cs(
        handbook_lib,
        "edit",
        "aris2014collective",
        "--set",
        "related=reviewof:cottey2014europe; translationof:nosuch2001",
    )
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "updated aris2014collective\n"
    assert r.stderr == (
        "citeshelf: warning: 'aris2014collective' names 'nosuch2001' as translationof, which is "
        "not in the library (kept: add that record, or 'citeshelf check' lists such links)\n"
    )
    data = json.loads((handbook_lib / "aris2014collective.json").read_text("utf-8"))
    assert data["related"] == [
        {"type": "reviewof", "key": "cottey2014europe"},
        {"type": "translationof", "key": "nosuch2001"},
    ]
    shown = cs(handbook_lib, "show", "aris2014collective").stdout
    assert "related   reviewof cottey2014europe\n          translationof nosuch2001\n" in shown
    # an empty value removes them
    r = cs(handbook_lib, "edit", "aris2014collective", "--set", "related=")
    assert r.exit_code == 0 and r.stderr == ""
    data = json.loads((handbook_lib / "aris2014collective.json").read_text("utf-8"))
    assert "related" not in data


def test_a_bad_relation_key_is_one_line(cs, handbook_lib: Path) -> None:
    before = (handbook_lib / "aris2014collective.json").read_bytes()
    r = cs(handbook_lib, "edit", "aris2014collective", "--set", "related=reprintof:a\tb")
    assert r.exit_code != 0 and len(r.stderr.strip().splitlines()) == 1
    assert r.stderr.startswith("citeshelf: error: ")
    assert (handbook_lib / "aris2014collective.json").read_bytes() == before
