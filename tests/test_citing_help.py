"""What the language server computes, without the protocol: where the keys of a
manuscript stand, the key being typed, ranking, and a library seen by an editor."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from citeshelf.formats.manuscript import (
    CitedSpan,
    cited_spans,
    key_replacement,
    key_typed_at,
    scan_markdown,
    scan_tex,
    span_at,
)
from citeshelf.ops.citing_help import Shelf, rank_candidates

ARIS_APA = (
    "Aris, S. (2014). Collective Security Treaty Organization. In J. Sperling (Ed.), "
    "Handbook of governance and security (Chapter 30). Edward Elgar Publishing. "
    "https://www.elgaronline.com/view/9781781953167.00042.xml"
)

TEX = (
    "See \\cite{aris2014collective, cottey2014nato} and \\parencite[see][p.~3]{kay2014persian}."
    " % \\cite{commented}\n"
    "\\cites(pre)(post)[3]{a}{b} \\citestyle{apa} \\nocite{*}\n"
)
MD = (
    "---\nnocite: |\n  @kay2014persian\n---\n"
    "As [@aris2014collective, p. 3] and -@cottey2014nato. Mail me@example.org, "
    "`@code` and @{a:b}.\n"
)


def _texts(text: str, spans: list[CitedSpan]) -> list[str]:
    return [text[s.start : s.end] for s in spans]


def test_cited_spans_in_tex_stand_where_the_keys_are_and_match_the_scanner():
    spans = cited_spans(TEX, "tex")
    assert [(s.key, s.start, s.end) for s in spans] == [
        ("aris2014collective", 10, 28),
        ("cottey2014nato", 30, 44),
        ("kay2014persian", 72, 86),
        ("a", TEX.index("{a}") + 1, TEX.index("{a}") + 2),
        ("b", TEX.index("{b}") + 1, TEX.index("{b}") + 2),
    ]
    assert _texts(TEX, spans) == [s.key for s in spans]
    assert [s.key for s in spans] == scan_tex(TEX)[0]


def test_cited_spans_in_markdown_include_nocite_and_skip_code_and_mail():
    spans = cited_spans(MD, "md")
    assert [(s.key, s.bare) for s in spans] == [
        ("kay2014persian", True),
        ("aris2014collective", True),
        ("cottey2014nato", True),
        ("a:b", False),
    ]
    assert _texts(MD, spans) == [s.key for s in spans]
    assert [s.key for s in spans] == scan_markdown(MD)[0]
    with pytest.raises(ValueError):
        cited_spans("x", "aux")


def test_span_at_takes_both_ends_of_a_key():
    spans = cited_spans(TEX, "tex")
    assert span_at(spans, 10) == spans[0]
    assert span_at(spans, 28) == spans[0]
    assert span_at(spans, 29) is None  # the comma
    assert span_at(spans, 0) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\\cite{ari", (6, "ari")),
        ("\\cite{", (6, "")),
        ("\\cite{a, co", (9, "co")),
        ("\\citep[p.~3]{ka", (13, "ka")),
        ("\\parencite[see][p. 3]{ka", (22, "ka")),
        ("\\textcite*{x", (11, "x")),
        ("\\cites(a)(b)[3]{x}[4]{co", (22, "co")),
        ("\\cite{a}{b", None),  # \cite takes one group
        ("\\cite{a} ari", None),
        ("% \\cite{ari", None),
        ("\\citestyle{ap", None),
        ("\\section{ari", None),
        ("\\cite{a}\n\\cite{\n  ari", (18, "ari")),
        ("\\cite{ari|s2014collective} more", (6, "ari")),
        ("\\cite{aris2014collective} more|", None),
    ],
)
def test_key_typed_at_in_tex(text: str, expected: tuple[int, str] | None):
    """The cursor is at the end, or at the ``|``."""
    offset = text.index("|") if "|" in text else len(text)
    assert key_typed_at(text.replace("|", ""), "tex", offset) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[@ari", (2, "ari")),
        ("see @", (5, "")),
        ("[@a; @co", (6, "co")),
        ("[-@co", (3, "co")),
        ("@{ar", (2, "ar")),
        ("mail me@ex", None),
        ("`x` and `@co", (10, "co")),  # an unclosed backtick is no code
        ("`@co|` x", None),
        ("```\n@co|\n```\n", None),
        ("---\nnocite: >\n  @ka|\n---\n", (17, "ka")),
        ("---\ntitle: @ka|\n---\n", None),
        ("---\ntitle: @ka", (12, "ka")),  # no end: no metadata block
    ],
)
def test_key_typed_at_in_markdown(text: str, expected: tuple[int, str] | None):
    """The cursor is at the end, or at the ``|``."""
    offset = text.index("|") if "|" in text.replace("nocite: |", "") else len(text)
    assert key_typed_at(text.replace("@ka|", "@ka").replace("@co|", "@co"), "md", offset) == (
        expected
    )


def test_key_replacement_braces_a_bare_markdown_key_only_when_needed():
    bare, braced = CitedSpan("x", 1, 2, True), CitedSpan("x", 2, 3, False)
    assert key_replacement(bare, "aris2014collective") == "aris2014collective"
    assert key_replacement(bare, "a key.") == "{a key.}"
    assert key_replacement(braced, "a key.") == "a key."


ROWS = [
    ("aris2014collective", "Aris", 2014, "Collective Security Treaty Organization"),
    ("cottey2014nato", "Cottey", 2014, "NATO"),
    ("sperling2014handbook", "Sperling (ed.)", 2014, "Handbook of governance and security"),
    ("arendt1958human", "Arendt", 1958, "The human condition"),
    ("merand2014security", "Mérand", 2014, "Security and Aristotle"),
    ("kay2014persian", "Kay", 2014, "Persian Gulf"),
]


def test_rank_candidates_key_then_name_then_title_word():
    ranked = rank_candidates("ar", ROWS)
    assert [(c.key, c.rank) for c in ranked] == [
        ("arendt1958human", 0),
        ("aris2014collective", 0),
        ("merand2014security", 2),
    ]
    assert [c.key for c in rank_candidates("SPERL", ROWS)] == ["sperling2014handbook"]
    # accents and case do not count; a name word ranks before a title word
    assert [(c.key, c.rank) for c in rank_candidates("meran", ROWS)] == [("merand2014security", 0)]
    assert [(c.key, c.rank) for c in rank_candidates("mérand", ROWS)] == [("merand2014security", 0)]
    assert [(c.key, c.rank) for c in rank_candidates("cott", ROWS)] == [("cottey2014nato", 0)]
    assert [(c.key, c.rank) for c in rank_candidates("gover", ROWS)] == [
        ("sperling2014handbook", 2)
    ]
    assert [(c.key, c.rank) for c in rank_candidates("aris", ROWS[1:])] == [
        ("merand2014security", 2)
    ]
    everything = rank_candidates("", ROWS, limit=2)
    assert [(c.key, c.rank) for c in everything] == [
        ("arendt1958human", 3),
        ("aris2014collective", 3),
    ]
    assert ranked[1].detail == "Aris 2014 Collective Security Treaty Organization"
    assert rank_candidates("zz", ROWS) == []


def test_rank_candidates_a_name_before_a_title():
    rows = [("b2000x", "Smith", 2000, "Kay's garden"), ("a2000y", "Kay", 2000, "Gardens")]
    assert [(c.key, c.rank) for c in rank_candidates("kay", rows)] == [
        ("a2000y", 1),
        ("b2000x", 2),
    ]


@pytest.fixture
def shelf(handbook_lib: Path) -> Shelf:
    return Shelf(handbook_lib)


def test_shelf_completes_keys_and_formats_references(shelf: Shelf):
    assert [c.key for c in shelf.complete("ari")] == ["aris2014collective"]
    assert [c.key for c in shelf.complete("sperling")] == [
        "sperling2014european",
        "sperling2014handbook",
        "sperling2014regime",
    ]
    assert len(shelf.complete("", limit=5)) == 5
    assert shelf.reference("aris2014collective") == ARIS_APA
    assert shelf.reference("aris2014collective", "markdown") == (
        "Aris, S. (2014). Collective Security Treaty Organization. In J. Sperling (Ed.), "
        "*Handbook of governance and security* (Chapter 30). Edward Elgar Publishing. "
        "<https://www.elgaronline.com/view/9781781953167.00042.xml>"
    )
    assert shelf.reference("nope") is None
    assert shelf.record_path("kay2014persian") == shelf.path / "kay2014persian.json"
    assert shelf.record_path("nope") is None


def test_shelf_in_another_style(handbook_lib: Path):
    shelf = Shelf(handbook_lib, "chicago-author-date", 18)
    assert shelf.reference("aris2014collective", "text").startswith(
        "Aris, Stephen. 2014. “Collective Security Treaty Organization.” Chap. 30 in "
    )


def test_shelf_problems_suggest_the_closest_key(shelf: Shelf):
    text = "\\cite{aris2014colective, kay2014persian, Cottey2014NATO, zzz}"
    problems = shelf.problems(cited_spans(text, "tex"))
    assert [(p.span.key, p.suggestion, p.message) for p in problems] == [
        (
            "aris2014colective",
            "aris2014collective",
            "aris2014colective: no such record in the library; did you mean aris2014collective?",
        ),
        (
            "Cottey2014NATO",
            "cottey2014nato",
            "Cottey2014NATO: no such record in the library; did you mean cottey2014nato?",
        ),
        ("zzz", None, "zzz: no such record in the library"),
    ]


def _bump(folder: Path) -> None:
    """Make sure the folder's modification time moves (coarse clocks)."""
    st = os.stat(folder)
    os.utime(folder, ns=(st.st_atime_ns, st.st_mtime_ns + 10_000_000))


def test_shelf_sees_records_added_changed_and_removed(shelf: Shelf):
    generation = shelf.generation
    assert shelf.complete("newkey") == []
    assert shelf.generation == generation  # asking changes nothing
    data = json.loads((shelf.path / "aris2014collective.json").read_text())
    data.update(key="newkey2020", title="A new chapter")
    (shelf.path / "newkey2020.json").write_text(json.dumps(data))
    _bump(shelf.path)
    assert [c.key for c in shelf.complete("newkey")] == ["newkey2020"]
    assert shelf.generation == generation + 1
    assert shelf.reference("newkey2020").startswith("Aris, S. (2014b). A new chapter. In ")
    # an edit in place: the reference follows the file (now first of Aris's 2014 works)
    data["title"] = "Another title"
    (shelf.path / "newkey2020.json").write_text(json.dumps(data))
    assert shelf.reference("newkey2020").startswith("Aris, S. (2014a). Another title. In ")
    (shelf.path / "newkey2020.json").unlink()
    _bump(shelf.path)
    assert shelf.complete("newkey") == []
    assert shelf.reference("newkey2020") is None
    assert [p.span.key for p in shelf.problems([CitedSpan("newkey2020", 0, 10)])] == ["newkey2020"]


def test_shelf_of_a_broken_record_says_why(shelf: Shelf):
    (shelf.path / "sperling2014handbook.json").unlink()
    _bump(shelf.path)
    text = shelf.reference("aris2014collective")
    assert text is not None and text.startswith("(cannot format aris2014collective: ")


def test_shelf_of_a_missing_folder(tmp_path: Path):
    shelf = Shelf(tmp_path / "nowhere")
    assert shelf.keys() == []
    assert shelf.complete("a") == []
    assert shelf.reference("a") is None


def test_shelf_without_an_index_still_completes_keys(
    handbook_lib: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("CITESHELF_INDEX_DIR", "off")
    shelf = Shelf(handbook_lib)
    # the keys come from the folder; names and titles only the index knows
    assert [(c.key, c.detail) for c in shelf.complete("ari")] == [("aris2014collective", "")]
    assert shelf.complete("collective") == []
